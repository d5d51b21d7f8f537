"""The command line: thin commands, standard formats, one-line errors, documented exit codes."""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path

import pytest
from click.testing import CliRunner

from igfkg.cli import main

from .conftest import DATA


def run(*args: str) -> tuple[int, str, str]:
    result = CliRunner().invoke(main, list(args))
    return result.exit_code, result.stdout, result.stderr


def test_queries_lists_the_catalog() -> None:
    code, out, _ = run("queries")
    assert code == 0
    assert "adverse-effects" in out
    assert "drug (entity) = kb:mecasermin" in out


def test_query_json_is_sparql_results_json() -> None:
    code, out, _ = run("query", "adverse-effects", "--format", "json")
    assert code == 0
    doc = json.loads(out)
    assert doc["head"]["vars"][:3] == ["drug", "effect", "effectLabel"]
    labels = {b["effectLabel"]["value"] for b in doc["results"]["bindings"]}
    assert "Bell's palsy" in labels
    first = doc["results"]["bindings"][0]
    assert first["effect"]["type"] == "uri"
    assert first["effectLabel"]["xml:lang"] == "en"


def test_query_csv_and_tsv() -> None:
    code, out, _ = run("query", "major-topics", "-p", "article=PMID:15832492", "--format", "csv")
    assert code == 0
    rows = list(csv.DictReader(io.StringIO(out)))
    assert sorted(r["qualifierLabel"] for r in rows) == [
        "drug therapy",
        "drug therapy",
        "therapeutic use",
    ]
    code, out, _ = run("query", "major-topics", "--format", "tsv")
    assert out == (DATA / "golden" / "major-topics.tsv").read_text(encoding="utf-8")


def test_query_table_for_people() -> None:
    code, out, _ = run("query", "axis-in-diabetes")
    assert code == 0
    assert "increased growth hormone secretion" in out
    assert "(3 rows)" in out


def test_unknown_query_exit_2_one_line() -> None:
    code, _out, err = run("query", "nope")
    assert code == 2
    assert err.count("\n") == 1
    assert "unknown query 'nope'" in err


def test_unknown_entity_names_closest() -> None:
    code, _, err = run("query", "adverse-effects", "-p", "drug=mecasermn")
    assert code == 2
    assert "closest matches: mecasermin" in err


def test_bad_param_syntax_is_a_usage_error() -> None:
    code, _, err = run("query", "adverse-effects", "-p", "mecasermin")
    assert code == 2
    assert "NAME=VALUE" in err


def test_sparql_select_ask_construct() -> None:
    code, out, _ = run("sparql", "ASK { ?s a <https://w3id.org/igfkg/Drug> }")
    assert (code, out) == (0, "yes\n")
    code, out, _ = run(
        "sparql",
        "CONSTRUCT { ?s ?p ?o } WHERE { BIND(<https://w3id.org/igfkg/kb/oedema> AS ?s) ?s ?p ?o }",
    )
    assert code == 0
    assert "oedema" in out


def test_sparql_update_is_refused() -> None:
    code, _, err = run("sparql", "PREFIX ex: <http://x/> DROP ALL")
    assert code == 2
    assert "read-only" in err


def test_sparql_syntax_error() -> None:
    code, _, err = run("sparql", "SELECT WHERE {")
    assert code == 2
    assert "syntax error" in err


def test_validate_bundled_and_files() -> None:
    code, out, _ = run("validate")
    assert (code, out) == (0, "Conforms: the graph satisfies every igfkg shape.\n")
    code, out, _ = run("validate", str(DATA / "shapes" / "ClaimQuoteInSourceShape.ttl"))
    assert code == 1
    assert "shapes:ClaimQuoteInSourceShape" in out
    assert "claim c1" in out


def test_validate_malformed_file_names_file_and_line(tmp_path: Path) -> None:
    bad = tmp_path / "bad.ttl"
    bad.write_text("@prefix ex: <http://example.org/> .\n\nex:a ex:b ex:c ;\n", encoding="utf-8")
    code, _, err = run("validate", str(bad))
    assert code == 2
    assert "bad.ttl:" in err


def test_export_roundtrips(tmp_path: Path) -> None:
    out = tmp_path / "kb.nq"
    code, _, _ = run("export", "--format", "nq", "--output", str(out))
    assert code == 0
    import pyoxigraph

    quads = list(pyoxigraph.parse(path=str(out), format=pyoxigraph.RdfFormat.N_QUADS))
    import igfkg

    assert len(quads) == len(igfkg.open())


def test_persistent_store(tmp_path: Path) -> None:
    store = tmp_path / "store"
    code, first, _ = run("--store", str(store), "query", "axis-members", "--format", "tsv")
    assert code == 0
    assert store.is_dir()
    code, second, _ = run("--store", str(store), "query", "axis-members", "--format", "tsv")
    assert first == second


def test_describe_neighbors_path() -> None:
    code, out, _ = run("describe", "rhIGF-1")
    assert code == 0
    assert out.startswith("mecasermin  <https://w3id.org/igfkg/kb/mecasermin>")
    assert "DRUGBANK:DB01277" in out
    code, out, _ = run("neighbors", "Bell's palsy", "--predicate", "igfkg:hasAdverseEffect")
    assert code == 0
    assert "mecasermin —has adverse effect→ Bell's palsy" in out
    assert "[established] mecasermin-adverse-bells-palsy" in out
    code, out, _ = run("path", "IGF-1", "insulin", "--max-length", "1")
    assert code == 0
    assert "shares homology with" in out
    code, _, err = run("path", "IGF-1", "jaw pain", "--max-length", "1")
    assert code == 1
    assert "no path" in err


def test_update_needs_a_persistent_store_and_applies(tmp_path: Path) -> None:
    update = "INSERT DATA { <http://example.org/a> <http://example.org/b> 'c' }"
    code, _, _ = run("update", update)
    assert code == 2
    store = str(tmp_path / "store")
    assert run("--store", store, "update", update)[0] == 0
    code, out, _ = run("--store", store, "sparql", "ASK { <http://example.org/a> ?p ?o }")
    assert out == "yes\n"


def test_query_command_imports_no_heavy_libraries() -> None:
    import subprocess
    import sys

    probe = (
        "import sys\n"
        "from igfkg.cli import main\n"
        "try:\n"
        "    main(['query', 'adverse-effects', '--format', 'tsv'])\n"
        "except SystemExit:\n"
        "    pass\n"
        "heavy = sorted(m for m in ('rdflib', 'pyshacl', 'owlready2') if m in sys.modules)\n"
        "print('HEAVY', heavy, file=sys.stderr)\n"
    )
    done = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True)
    assert "HEAVY []" in done.stderr, done.stderr


def test_bad_file_leaves_persistent_store_unchanged(tmp_path: Path) -> None:
    import igfkg

    store = tmp_path / "store"
    kg = igfkg.open(f"oxigraph:{store}")
    before = len(kg)
    bad = tmp_path / "bad.nt"
    good = "<http://example.org/a> <http://example.org/b> <http://example.org/c> .\n"
    bad.write_text(good * 1000 + "<http://example.org/a> <http://example.org/b> .\n")
    with pytest.raises(igfkg.DataFileError, match=r"bad\.nt:1001:"):
        kg.load(bad, graph="https://w3id.org/igfkg/graph/test")
    assert len(kg) == before


def test_serve_answers_queries_and_stops_cleanly() -> None:
    import signal
    import socket
    import subprocess
    import sys
    import time

    import igfkg
    from igfkg.store.server import free_port

    port = free_port()
    proc = subprocess.Popen(
        [sys.executable, "-m", "igfkg", "serve", "--port", str(port)],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        line = proc.stdout.readline() if proc.stdout else ""
        assert f"http://127.0.0.1:{port}/query" in line
        remote = igfkg.open(f"sparql:http://127.0.0.1:{port}/query")
        assert len(remote.query("adverse-effects")) == 8
    finally:
        proc.send_signal(signal.SIGTERM)
        proc.wait(timeout=30)
    time.sleep(0.2)
    # The oxigraph server child is gone too: nothing listens on the port any more.
    with socket.socket() as sock:
        assert sock.connect_ex(("127.0.0.1", port)) != 0


def test_service_clauses_are_refused() -> None:
    code, _, err = run(
        "sparql", "SELECT * WHERE { SERVICE <http://127.0.0.1:9/sparql> { ?s ?p ?o } }"
    )
    assert code == 2
    assert "SERVICE" in err
    code, _, err = run("sparql", "select * where { service silent <http://x/> { ?s ?p ?o } }")
    assert code == 2
    code, out, _ = run("sparql", 'SELECT ?x WHERE { BIND("SERVICE <http://x>" AS ?x) }')
    assert code == 0
    assert "SERVICE" in out


def test_construct_follows_the_format_option() -> None:
    query = (
        "CONSTRUCT { ?d <http://www.w3.org/2000/01/rdf-schema#label> ?l } WHERE { "
        "<https://w3id.org/igfkg/kb/mecasermin> <https://w3id.org/igfkg/hasAdverseEffect> ?d ."
        " ?d <http://www.w3.org/2000/01/rdf-schema#label> ?l }"
    )
    code, out, _ = run("sparql", query, "--format", "tsv")
    assert code == 0
    assert len(out.strip().splitlines()) == 8  # one N-Triples line per triple
    code, out, _ = run("sparql", query, "--format", "json")
    assert json.loads(out)  # JSON-LD
    code, out, _ = run("sparql", query)
    assert "kb:oedema" in out  # Turtle with igfkg's prefixes
