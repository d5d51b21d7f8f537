"""HermiT (through owlready2) finds the ontology + KB consistent and coherent."""

from __future__ import annotations

import shutil

import pytest

import igfkg
from igfkg.graph import KnowledgeGraph
from igfkg.reasoning import check_consistency

pytestmark = pytest.mark.skipif(shutil.which("java") is None, reason="HermiT needs Java")


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
