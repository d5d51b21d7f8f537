"""ODK-style QC checks: the bundled graph passes; each check catches its own fixture."""

from __future__ import annotations

import csv
from collections import defaultdict
from pathlib import Path

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


def test_qc_tsv_and_json_say_what_text_says(tmp_path: Path) -> None:
    import json

    kg = igfkg.open()
    odd = (
        (QC / "label-whitespace.ttl")
        .read_text(encoding="utf-8")
        .replace('"spaced  drug"', '"spaced\\t\\"drug\\"\\n"')
    )
    (tmp_path / "odd.ttl").write_text(odd, encoding="utf-8")
    kg.load(tmp_path / "odd.ttl", graph="https://w3id.org/igfkg/graph/qc-test")
    kg.load(QC / "missing-label.ttl", graph="https://w3id.org/igfkg/graph/qc-test-2")
    report = run_checks(kg)
    assert report.violations
    expected = [(v.check, v.level, v.entity, v.property, v.value) for v in report.violations]
    rows = list(csv.reader(report.tsv().splitlines(keepends=True), delimiter="\t"))
    assert rows[0] == ["check", "level", "entity", "property", "value"]
    assert [tuple(r) for r in rows[1:]] == expected
    doc = json.loads(report.json())
    assert doc["failed"] is report.failed is True
    assert [tuple(v.values()) for v in doc["violations"]] == expected
    assert {c["id"]: c["violations"] for c in doc["checks"]}["missing-label"] == sum(
        v.check == "missing-label" for v in report.violations
    )
    assert any(any(c in v.value for c in "\t\n") for v in report.violations)  # quoted cells


def test_cli_qc_json() -> None:
    import json

    result = CliRunner().invoke(main, ["qc", "--format", "json"])
    assert result.exit_code == 0
    doc = json.loads(result.stdout)
    assert doc["failed"] is False
    assert doc["violations"] == []
    assert {c["id"] for c in doc["checks"]} == {c.id for c in load_checks()}
