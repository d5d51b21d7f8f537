"""HermiT (through owlready2) finds the ontology + KB consistent and coherent."""

from __future__ import annotations

import shutil

import pytest

import igfkg
from igfkg.graph import KnowledgeGraph
from igfkg.quality.reasoning import check_consistency

pytestmark = pytest.mark.skipif(
    shutil.which("java") is None, reason="HermiT needs Java"
)  # CI has Java


def test_ontology_and_kb_are_consistent_and_coherent(oxkg: KnowledgeGraph) -> None:
    report = check_consistency(oxkg.export("nt"))
    assert report.consistent
    assert report.unsatisfiable == []
    assert report.ok


def test_inconsistent_fixture_is_reported() -> None:
    kg = igfkg.open()
    # mecasermin is a Drug (a MolecularEntity); Disease is disjoint from MolecularEntity.
    kg.backend.load_data(
        b"<https://w3id.org/igfkg/kb/mecasermin> "
        b"<http://www.w3.org/1999/02/22-rdf-syntax-ns#type> <https://w3id.org/igfkg/Disease> .",
        "nt",
        "https://w3id.org/igfkg/graph/test",
    )
    report = check_consistency(kg.export("nt"))
    assert not report.consistent
    assert "INCONSISTENT" in report.text()
    # The explanation names the individual, the clashing classes and how it got each type.
    assert report.explanation.strip() == (
        "- kb:mecasermin is a igfkg:DiseaseOrPhenotype (as a igfkg:Disease) and a "
        "igfkg:MolecularEntity (as a igfkg:Drug), but igfkg:DiseaseOrPhenotype and "
        "igfkg:MolecularEntity are disjoint"
    )


def test_unsatisfiable_class_is_reported() -> None:
    kg = igfkg.open()
    kg.backend.load_data(
        b"""@prefix owl: <http://www.w3.org/2002/07/owl#> .
        @prefix rdfs: <http://www.w3.org/2000/01/rdf-schema#> .
        @prefix igfkg: <https://w3id.org/igfkg/> .
        igfkg:DrugDisease a owl:Class ; rdfs:subClassOf igfkg:Drug, igfkg:Disease .""",
        "ttl",
        "https://w3id.org/igfkg/graph/test",
    )
    report = check_consistency(kg.export("nt"))
    assert report.consistent
    assert report.unsatisfiable == ["https://w3id.org/igfkg/DrugDisease"]
    assert "igfkg:DrugDisease" in report.text()


@pytest.mark.parametrize("backend", ["oxigraph", "rdflib"])
def test_owl_rl_closure_holds_what_queries_rely_on(backend: str) -> None:
    """The inferred graph has subclass, inverse, symmetric and subproperty conclusions."""
    kg = igfkg.open(f"{backend}:")
    count = kg.materialize()
    assert count > 100
    g = "https://w3id.org/igfkg/graph/inferred"
    kb, ig = "https://w3id.org/igfkg/kb/", "https://w3id.org/igfkg/"
    expected = [
        (
            kb + "mecasermin",
            "http://www.w3.org/1999/02/22-rdf-syntax-ns#type",
            ig + "MolecularEntity",
        ),
        (kb + "mecasermin", "http://www.w3.org/1999/02/22-rdf-syntax-ns#type", ig + "Entity"),
        (kb + "igf-1-receptor", ig + "isReceptorFor", kb + "igf-1"),
        (kb + "insulin", ig + "sharesHomologyWith", kb + "igf-1"),
        (kb + "insulin-therapy", ig + "usedInCombinationWith", kb + "mecasermin"),
        (kb + "gh-igf1-axis", ig + "hasMember", kb + "igf-1"),
        (kb + "oedema", "http://www.w3.org/1999/02/22-rdf-syntax-ns#type", ig + "AdverseEvent"),
    ]
    for s, p, o in expected:
        assert bool(kg.sparql(f"ASK {{ GRAPH <{g}> {{ <{s}> <{p}> <{o}> }} }}")), (s, p, o)
    # "Experimentally, IGF-1 has a protective effect": experimental only, so no plain edge, and
    # no inference (protectsAgainst is under ameliorates) makes one.
    assert not bool(kg.sparql(f"ASK {{ <{kb}igf-1> ?p <{kb}diabetic-neuropathy> }}"))
    # Asserted triples are not repeated, and rerunning replaces rather than adds.
    assert not bool(
        kg.sparql(f"ASK {{ GRAPH <{g}> {{ <{kb}igf-1> <{ig}sharesHomologyWith> <{kb}insulin> }} }}")
    )
    assert kg.materialize() == count
    n = kg.sparql(f"SELECT (COUNT(*) AS ?n) WHERE {{ GRAPH <{g}> {{ ?s ?p ?o }} }}")
    assert int(n.rows[0][0].value) == count  # type: ignore[union-attr]
