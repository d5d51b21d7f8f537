"""Hostile and broken input: clear one-line errors, documented exit codes, nothing changed."""

from __future__ import annotations

from pathlib import Path

import pytest
from click.testing import CliRunner
from hypothesis import given, settings
from hypothesis import strategies as st

import igfkg
from igfkg.cli import main
from igfkg.core.errors import DataFileError


def run(*args: str) -> tuple[int, str, str]:
    result = CliRunner().invoke(main, list(args))
    return result.exit_code, result.stdout, result.stderr


def test_wrong_encoding_names_file_and_line(tmp_path: Path) -> None:
    bad = tmp_path / "latin1.ttl"
    bad.write_bytes(
        '@prefix ex: <http://example.org/> .\nex:a ex:b "caf\xe9" .\n'.encode("latin-1")
    )
    code, _, err = run("validate", str(bad))
    assert code == 2
    assert "latin1.ttl:2" in err


@pytest.mark.parametrize("value", ["MESH:D0 07334", ""])
def test_names_with_spaces_and_empty_values_are_unknown_names(value: str) -> None:
    code, _, err = run("query", "adverse-effects", "-p", f"drug={value}")
    assert code == 2
    assert "unknown entity" in err
    assert err.count("\n") == 1


@pytest.mark.parametrize("value", ["http://example.org/a b", "<http://x y>"])
def test_iris_with_spaces_are_invalid_iris(value: str) -> None:
    code, _, err = run("query", "adverse-effects", "-p", f"drug={value}")
    assert code == 2
    assert "is not a valid IRI: ' ' at position" in err
    assert err.count("\n") == 1


def test_huge_literal_is_loaded_and_queried(tmp_path: Path) -> None:
    kg = igfkg.open()
    big = "x" * 5_000_000
    path = tmp_path / "big.nt"
    path.write_text(f'<http://example.org/a> <http://example.org/b> "{big}" .\n')
    kg.load(path, graph="https://w3id.org/igfkg/graph/big")
    rows = kg.select("SELECT ?o WHERE { <http://example.org/a> ?p ?o }").rows
    assert len(rows[0]["o"].value) == len(big)  # type: ignore[union-attr]


def test_unknown_parameter_and_query_exit_2() -> None:
    assert run("query", "adverse-effects", "-p", "medicine=x")[0] == 2
    assert run("query", "no-such-query")[0] == 2


@pytest.mark.parametrize(
    "update",
    [
        "DROP ALL",
        "PREFIX ex: <http://x/> INSERT DATA { ex:a ex:b ex:c }",
        "# comment\nCLEAR DEFAULT",
        "WITH <http://x/g> DELETE { ?s ?p ?o } WHERE { ?s ?p ?o }",
    ],
)
def test_updates_to_read_only_commands_change_nothing(tmp_path: Path, update: str) -> None:
    store = str(tmp_path / "store")
    code, before, _ = run("--store", store, "sparql", "SELECT (COUNT(*) AS ?n) { ?s ?p ?o }")
    assert code == 0
    code, _, err = run("--store", store, "sparql", update)
    assert code == 2
    assert "read-only" in err
    assert run("--store", store, "sparql", "SELECT (COUNT(*) AS ?n) { ?s ?p ?o }")[1] == before


def test_bad_data_file_leaves_the_store_as_it_was(tmp_path: Path) -> None:
    kg = igfkg.open()
    before = sorted(map(str, kg.backend.quads()))
    bad = tmp_path / "half.ttl"
    bad.write_text(
        "@prefix ex: <http://example.org/> .\n" + "ex:a ex:b ex:c .\n" * 500 + "ex:a ex:b \n"
    )
    with pytest.raises(DataFileError, match=r"half\.ttl:50[23]:"):
        kg.load(bad, graph="https://w3id.org/igfkg/graph/half")
    assert sorted(map(str, kg.backend.quads())) == before


_KG = igfkg.open()
_SIZE = len(_KG)


@settings(max_examples=150, deadline=None, derandomize=True)
@given(st.text(max_size=60))
def test_any_parameter_value_is_resolved_or_refused_and_changes_nothing(value: str) -> None:
    """Property: whatever text a user passes, the query runs or fails with a clear igfkg error,
    and the store is never changed."""
    message = None
    try:
        _KG.query("claims", entity=value)
    except igfkg.IgfkgError as error:
        message = str(error)
    assert message is None or message.strip()
    assert len(_KG) == _SIZE


@settings(max_examples=100, deadline=None, derandomize=True)
@given(st.text(max_size=80))
def test_any_sparql_text_is_answered_or_refused_and_changes_nothing(text: str) -> None:
    message = None
    try:
        _KG.sparql(text)
    except igfkg.IgfkgError as error:
        message = str(error)
    assert message is None or message.strip()
    assert len(_KG) == _SIZE
