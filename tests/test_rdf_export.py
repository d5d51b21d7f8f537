"""RDF exports done right: Turtle and TriG with the project's prefixes, JSON-LD of the dataset
compacted with the published context, all the same quads as the N-Quads export."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pyoxigraph as ox
import pytest
import rdflib

import igfkg
from igfkg.core import resources
from igfkg.core.namespaces import PREFIXES
from igfkg.graph import KnowledgeGraph

TRICKY = """
@prefix kb: <https://w3id.org/igfkg/kb/> .
@prefix igfkg: <https://w3id.org/igfkg/> .
@prefix xsd: <http://www.w3.org/2001/XMLSchema#> .
kb:odd igfkg:quote "a\\ttab, a\\nnewline, a | bar, \\"quotes\\" and \\\\ backslash"@en ;
    igfkg:count "7"^^xsd:integer ;
    igfkg:ref <http://id.nlm.nih.gov/mesh///not-a-curie>, <urn:x:y>, [ igfkg:unit "mg" ] .
"""


@pytest.fixture(scope="module")
def tricky_kg(tmp_path_factory: pytest.TempPathFactory) -> KnowledgeGraph:
    """The bundled graph plus a named graph of awkward terms."""
    path = tmp_path_factory.mktemp("tricky") / "odd.ttl"
    path.write_text(TRICKY, encoding="utf-8")
    kg = igfkg.open()
    kg.load(path, graph="https://example.org/odd")
    return kg


def _canonical(quads: list[ox.Quad]) -> set[ox.Quad]:
    dataset = ox.Dataset(quads)
    dataset.canonicalize(ox.CanonicalizationAlgorithm.RDFC_1_0)
    return set(dataset)


def _via_rdflib(data: bytes, fmt: str) -> set[ox.Quad]:
    """Parse with rdflib, hand over as N-Quads: the quads another library reads."""
    ds = rdflib.Dataset()
    ds.parse(data=data, format=fmt)
    nquads = ds.serialize(format="nquads", encoding="utf-8")
    return _canonical(list(ox.parse(nquads, format=ox.RdfFormat.N_QUADS)))


def test_context_file_is_the_prefix_table() -> None:
    context = json.loads(resources.context_file().read_text(encoding="utf-8"))["@context"]
    iris = {k: v if isinstance(v, str) else v["@id"] for k, v in context.items() if k[0] != "@"}
    assert iris == PREFIXES
    # prefixes not ending in / or # are prefixes only when flagged (JSON-LD 1.1)
    assert context["MONDO"] == {"@id": PREFIXES["MONDO"], "@prefix": True}


def test_jsonld_is_the_nquads_dataset_compacted(tricky_kg: KnowledgeGraph) -> None:
    nq = _canonical(list(ox.parse(tricky_kg.export("nq"), format=ox.RdfFormat.N_QUADS)))
    assert {q.graph_name.value for q in nq} >= {  # type: ignore[union-attr]
        "https://w3id.org/igfkg/graph/kb",
        "https://example.org/odd",
    }
    data = tricky_kg.export("jsonld")
    assert _via_rdflib(data, "json-ld") == nq
    assert _canonical(list(ox.parse(data, format=ox.RdfFormat.JSON_LD))) == nq
    doc = json.loads(data)
    assert doc["@context"] == json.loads(resources.context_file().read_bytes())["@context"]
    graphs = {g["@id"]: g["@graph"] for g in doc["@graph"]}
    assert set(graphs) == {"igfkg:graph/kb", "igfkg:graph/ontology", "https://example.org/odd"}
    text = data.decode("utf-8")
    for compact in ('"kb:igf-1"', '"UniProtKB:P05019"', '"MONDO:', '"rdfs:label"'):
        assert compact in text, compact
    assert '"http://id.nlm.nih.gov/mesh///not-a-curie"' in text  # MESH://... would be an IRI


@pytest.mark.parametrize(("fmt", "parser"), [("ttl", "turtle"), ("trig", "trig")])
def test_turtle_and_trig_use_the_prefixes(tricky_kg: KnowledgeGraph, fmt: str, parser: str) -> None:
    data = tricky_kg.export(fmt)
    text = data.decode("utf-8")
    for prefix in ("kb", "igfkg", "MESH", "rdfs", "skos"):
        assert f"@prefix {prefix}: <{PREFIXES[prefix]}> ." in text
    assert "kb:igf-1 " in text
    assert "<https://w3id.org/igfkg/kb/igf-1>" not in text
    quads = list(ox.parse(tricky_kg.export("nq"), format=ox.RdfFormat.N_QUADS))
    if fmt == "trig":
        expected = _canonical(quads)
    else:  # Turtle: the graphs merged
        expected = _canonical([ox.Quad(q.subject, q.predicate, q.object) for q in set(quads)])
    assert _via_rdflib(data, parser) == expected
    assert (
        _canonical(
            list(ox.parse(data, format=ox.RdfFormat.TURTLE if fmt == "ttl" else ox.RdfFormat.TRIG))
        )
        == expected
    )


def test_export_command_formats(tmp_path: Path) -> None:
    outputs = {}
    for fmt in ("nq", "jsonld", "trig"):
        done = subprocess.run(
            [sys.executable, "-m", "igfkg", "export", "--format", fmt],
            capture_output=True,
            check=True,
        )
        outputs[fmt] = done.stdout
    nq = _canonical(list(ox.parse(outputs["nq"], format=ox.RdfFormat.N_QUADS)))
    assert _via_rdflib(outputs["jsonld"], "json-ld") == nq
    assert _via_rdflib(outputs["trig"], "trig") == nq
    assert b'"kb:igf-1"' in outputs["jsonld"]
