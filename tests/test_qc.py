"""ODK-style QC checks: the bundled graph passes; each check catches its own fixture."""

from __future__ import annotations

import csv
from collections import defaultdict

import pytest
from click.testing import CliRunner

import igfkg
from igfkg.cli import main
from igfkg.quality.qc import load_checks, run_checks

from .conftest import DATA

QC = DATA / "qc"


def _manifest() -> dict[str, set[tuple[str, str]]]:
    cases: dict[str, set[tuple[str, str]]] = defaultdict(set)
    with (QC / "manifest.tsv").open(encoding="utf-8") as handle:
        for row in csv.DictReader(handle, delimiter="\t"):
            cases[row["file"]].add((row["check"], row["entity"]))
    return cases


MANIFEST = _manifest()


def test_bundled_graph_passes_every_check() -> None:
    report = run_checks(igfkg.open())
    assert not report.failed, report.text()
    assert report.violations == []


def test_every_check_has_a_fixture() -> None:
    covered = {check for expected in MANIFEST.values() for check, _ in expected}
    assert covered == {c.id for c in load_checks()}


@pytest.mark.parametrize("fixture", sorted(MANIFEST))
def test_check_catches_its_fixture(fixture: str) -> None:
    kg = igfkg.open()
    kg.load(QC / fixture, graph="https://w3id.org/igfkg/graph/qc-test")
    report = run_checks(kg)
    assert report.failed
    assert {(v.check, v.entity) for v in report.violations} == MANIFEST[fixture], report.text()


def test_cli_qc_exit_codes_and_tsv() -> None:
    result = CliRunner().invoke(main, ["qc", "--format", "tsv"])
    assert result.exit_code == 0
    assert result.stdout == "check\tlevel\tentity\tproperty\tvalue\n"
    result = CliRunner().invoke(main, ["qc"])
    assert "ok    ERROR  missing-label" in result.stdout


def test_cli_qc_fails_on_an_error(tmp_path: object) -> None:
    store = str(tmp_path) + "/store"  # type: ignore[operator]
    update = (
        "INSERT DATA { GRAPH <https://w3id.org/igfkg/graph/x> { "
        "<https://w3id.org/igfkg/kb/mecasermin> <https://w3id.org/igfkg/notDeclared> 1 } }"
    )
    assert CliRunner().invoke(main, ["--store", store, "update", update]).exit_code == 0
    result = CliRunner().invoke(main, ["--store", store, "qc"])
    assert result.exit_code == 1
    assert "FAIL  ERROR  undeclared-iri" in result.stdout
