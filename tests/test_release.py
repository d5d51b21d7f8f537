"""Release artefacts: named graphs, every format, SSSOM, VoID/DCAT, byte-identical builds."""

from __future__ import annotations

import hashlib
import json
import subprocess
import sys
from pathlib import Path

import pyoxigraph as ox
import rdflib

import igfkg
from igfkg.release.build import build

EXPECTED = {
    "igfkg-ontology.ttl",
    "igfkg-kb.ttl",
    "igfkg-mappings.ttl",
    "igfkg-queries.ttl",
    "igfkg-inferred.ttl",
    "igfkg-literature-index.ttl",
    "igfkg.nq",
    "igfkg.nt",
    "igfkg.owl",
    "igfkg.jsonld",
    "context.jsonld",
    "igfkg-mappings.sssom.tsv",
    "tables/claims.tsv",
    "tables/entities.tsv",
    "tables/tables.csv-metadata.json",
    "reports/shacl-report.ttl",
    "reports/qc.tsv",
    "reports/qc.json",
    "ontology.html",
    "LICENSE",
    "LICENSE-DATA",
    "NOTICE",
    "CITATION.cff",
    "kgx/nodes.tsv",
    "kgx/edges.tsv",
    "kgx/nodes.jsonl",
    "kgx/edges.jsonl",
    "neo4j/nodes.csv",
    "neo4j/relationships.csv",
    "void.ttl",
}
PARTS = ("ontology", "kb", "mappings", "queries", "inferred", "literature-index")
GRAPHS = {f"https://w3id.org/igfkg/graph/{g}" for g in PARTS}


def _build(outdir: Path) -> None:
    subprocess.run(
        [sys.executable, "-m", "igfkg", "build", "--output", str(outdir)],
        check=True,
        capture_output=True,
    )


def test_two_builds_are_byte_identical(tmp_path: Path) -> None:
    _build(tmp_path / "a")
    _build(tmp_path / "b")  # a separate process: different hash seeds, fresh blank nodes
    names = {p.relative_to(tmp_path / "a").as_posix() for p in (tmp_path / "a").rglob("*")}
    names -= {"kgx", "neo4j", "tables", "reports"}  # the folders
    assert names == EXPECTED
    for name in names:
        assert (tmp_path / "a" / name).read_bytes() == (tmp_path / "b" / name).read_bytes(), name


def test_artefacts_parse_and_agree(tmp_path: Path) -> None:
    files = {a.name: a for a in build(igfkg.open(), tmp_path)}
    quads = list(ox.parse(path=str(tmp_path / "igfkg.nq"), format=ox.RdfFormat.N_QUADS))
    assert {q.graph_name.value for q in quads} == GRAPHS  # type: ignore[union-attr]
    per_graph = sum(
        len(list(ox.parse(path=str(tmp_path / f"igfkg-{g}.ttl"), format=ox.RdfFormat.TURTLE)))
        for g in PARTS
    )
    assert per_graph == len(quads)
    nt = list(ox.parse(path=str(tmp_path / "igfkg.nt"), format=ox.RdfFormat.N_TRIPLES))
    assert len(nt) == len({ox.Triple(q.subject, q.predicate, q.object) for q in quads})
    owl = rdflib.Graph().parse(tmp_path / "igfkg.owl", format="xml")
    jsonld = list(ox.parse(path=str(tmp_path / "igfkg.jsonld"), format=ox.RdfFormat.JSON_LD))
    assert len(owl) == len(jsonld) > 1500
    # igfkg.jsonld: the ontology, KB and mappings graphs of igfkg.nq, compacted
    named = {f"https://w3id.org/igfkg/graph/{g}" for g in ("ontology", "kb", "mappings")}
    expected = {q for q in quads if q.graph_name.value in named}  # type: ignore[union-attr]
    dataset = rdflib.Dataset()
    dataset.parse(tmp_path / "igfkg.jsonld", format="json-ld")
    via_rdflib = dataset.serialize(format="nquads", encoding="utf-8")
    parsed = ox.Dataset(ox.parse(via_rdflib, format=ox.RdfFormat.N_QUADS))
    parsed.canonicalize(ox.CanonicalizationAlgorithm.RDFC_1_0)
    wanted = ox.Dataset(expected)
    wanted.canonicalize(ox.CanonicalizationAlgorithm.RDFC_1_0)
    assert set(parsed) == set(wanted)
    text = (tmp_path / "igfkg.jsonld").read_text(encoding="utf-8")
    assert '"kb:igf-1"' in text
    context = json.loads((tmp_path / "context.jsonld").read_text(encoding="utf-8"))
    assert json.loads(text)["@context"] == context["@context"]
    # the reports: the SHACL report conforms, as QC
    report = rdflib.Graph().parse(tmp_path / "reports" / "shacl-report.ttl")
    sh = rdflib.Namespace("http://www.w3.org/ns/shacl#")
    assert list(report.objects(None, sh.conforms)) == [rdflib.Literal(True)]
    assert json.loads((tmp_path / "reports" / "qc.json").read_text())["failed"] is False
    assert (tmp_path / "reports" / "qc.tsv").read_text().startswith("check\tlevel\t")
    # The checksums in VoID/DCAT are those of the files.
    void = rdflib.Graph().parse(tmp_path / "void.ttl")
    spdx = rdflib.Namespace("http://spdx.org/rdf/terms#")
    recorded = {str(o) for o in void.objects(None, spdx.checksumValue)}
    for name, artefact in files.items():
        if name != "void.ttl":
            digest = hashlib.sha256((tmp_path / name).read_bytes()).hexdigest()
            assert digest == artefact.sha256, name
            assert digest in recorded, name


def test_void_counts_triples_per_graph(tmp_path: Path) -> None:
    build(igfkg.open(), tmp_path)
    void = rdflib.Graph().parse(tmp_path / "void.ttl")
    v = rdflib.Namespace("http://rdfs.org/ns/void#")
    for graph in GRAPHS:
        count = int(void.value(rdflib.URIRef(graph), v.triples))
        part = graph.rsplit("/", 1)[1]
        assert count == len(rdflib.Graph().parse(tmp_path / f"igfkg-{part}.ttl"))
    classes = {str(o) for o in void.objects(None, v["class"])}
    assert "https://w3id.org/igfkg/Drug" in classes
    assert str(
        void.value(
            rdflib.URIRef("https://w3id.org/igfkg/dataset"),
            rdflib.URIRef("http://purl.org/dc/terms/license"),
        )
    ).endswith("by/4.0/")


def test_sssom_has_every_mapping_with_justification(tmp_path: Path) -> None:
    build(igfkg.open(), tmp_path)
    lines = (tmp_path / "igfkg-mappings.sssom.tsv").read_text(encoding="utf-8").splitlines()
    header = [line for line in lines if line.startswith("#")]
    assert "# curie_map:" in header
    assert any(line.startswith("# mapping_set_id: ") for line in header)
    rows = [line.split("\t") for line in lines if not line.startswith("#")]
    columns, body = rows[0], rows[1:]
    assert columns[:4] == ["subject_id", "subject_label", "predicate_id", "object_id"]
    assert "mapping_justification" in columns
    assert len(body) == len(igfkg.open().query("mappings"))
    assert all(
        r[columns.index("mapping_justification")] == "semapv:ManualMappingCuration" for r in body
    )
    assert ["kb:igf-1", "insulin-like growth factor 1", "skos:exactMatch", "UniProtKB:P05019"] in [
        r[:4] for r in body
    ]
