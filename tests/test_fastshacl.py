"""The fast SHACL path reports the same violations as pySHACL (values included)."""

from __future__ import annotations

from pathlib import Path

import pytest

import igfkg
from igfkg.literature.ingest import ingest_pubmed
from igfkg.quality.fastshacl import UnsupportedShapeError, compile_shapes
from igfkg.quality.validation import Violation, validate_graph

from .conftest import DATA


def _key(v: Violation) -> tuple[str, str, str | None, str | None]:
    blank = v.focus_name.startswith("_:")
    value = "_" if blank and v.path is None else v.value
    return v.shape, "_" if blank else v.focus_name, v.path, value


def test_same_violations_on_a_corpus_with_injected_errors() -> None:
    kg = igfkg.open()
    ingest_pubmed(kg, sorted((DATA / "pubmed").glob("*.xml")))
    kg.update("""
      PREFIX igfkg: <https://w3id.org/igfkg/>
      PREFIX meshv: <http://id.nlm.nih.gov/mesh/vocab#>
      PREFIX dcterms: <http://purl.org/dc/terms/>
      INSERT DATA { GRAPH <https://w3id.org/igfkg/graph/injected> {
        <http://www.ncbi.nlm.nih.gov/pubmed/34751700> dcterms:title "A second title" .
        <http://www.ncbi.nlm.nih.gov/pubmed/34751700>
            igfkg:hasMeshDescriptor <http://id.nlm.nih.gov/mesh/D1> ;
            igfkg:hasMajorMeshDescriptor <http://id.nlm.nih.gov/mesh/D000001> ;
            igfkg:hasMeshDescriptorQualifierPair <http://id.nlm.nih.gov/mesh/D000001Q000008> .
        <http://id.nlm.nih.gov/mesh/D000001Q000008>
            meshv:hasDescriptor <http://id.nlm.nih.gov/mesh/D000001> .
        <https://w3id.org/igfkg/kb/mecasermin> igfkg:atcCode "H1" .
      } }""")
    fast = validate_graph(kg, engine="fast")
    reference = validate_graph(kg, engine="pyshacl")
    assert not fast.conforms
    assert {_key(v) for v in fast.violations} == {_key(v) for v in reference.violations}
    assert len(reference.violations) >= 6


def test_unsupported_constructs_are_refused_not_guessed(tmp_path: Path) -> None:
    import rdflib

    g = rdflib.Graph().parse(
        data="""
      @prefix sh: <http://www.w3.org/ns/shacl#> .
      <http://x/S> a sh:NodeShape ; sh:targetNode <http://x/a> ; sh:closed true .""",
        format="turtle",
    )
    with pytest.raises(UnsupportedShapeError):
        compile_shapes(g)
