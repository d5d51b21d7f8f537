"""A plain edge means the source states it without hedge: on every backend, after the OWL 2 RL
closure, and in every release artefact."""

from __future__ import annotations

from pathlib import Path

import pyoxigraph as ox
import pytest
import rdflib

import igfkg
from igfkg.graph import KnowledgeGraph
from igfkg.release.build import build

from .hedges import Claim, broken, broken_at, claims

RDF_ARTEFACTS = {
    "igfkg-ontology.ttl": "turtle",
    "igfkg-kb.ttl": "turtle",
    "igfkg-mappings.ttl": "turtle",
    "igfkg-queries.ttl": "turtle",
    "igfkg-inferred.ttl": "turtle",
    "igfkg-literature-index.ttl": "turtle",
    "igfkg.nq": "nquads",
    "igfkg.nt": "nt",
    "igfkg.owl": "xml",
    "igfkg.jsonld": "json-ld",
    "void.ttl": "turtle",
}


def _iri_triples(quads: list[ox.Quad]) -> list[tuple[str, str, str]]:
    return [
        (q.subject.value, q.predicate.value, q.object.value)
        for q in quads
        if isinstance(q.subject, ox.NamedNode) and isinstance(q.object, ox.NamedNode)
    ]


@pytest.fixture(scope="module")
def kb_claims() -> list[Claim]:
    return claims(igfkg.open())


def test_the_kb_has_hedged_and_established_claims(kb_claims: list[Claim]) -> None:
    hedged = [c for c in kb_claims if not c.established]
    assert len(hedged) >= 15
    assert len(kb_claims) - len(hedged) >= 50
    assert {c.certainty.rsplit("/", 1)[1] for c in hedged} == {
        "Probable",
        "Possible",
        "Uncertain",
        "Unknown",
        "ExperimentalOnly",
        "NotDemonstrated",
    }


@pytest.mark.parametrize("backend", ["oxigraph", "rdflib"])
def test_no_hedge_is_stripped_by_the_owl_rl_closure(backend: str, kb_claims: list[Claim]) -> None:
    kg = igfkg.open(f"{backend}:")
    assert broken(kb_claims, _iri_triples(list(kg.backend.quads()))) == []
    assert kg.materialize() > 100
    union = _iri_triples(list(kg.backend.quads()))
    assert broken(kb_claims, union) == []
    assert broken_at(kg, kb_claims) == []


def test_the_check_finds_an_edge_behind_a_hedged_claim(kb_claims: list[Claim]) -> None:
    """The checks above can fail: a plain edge added behind the experimental-only claim, or its
    inverse derived by the closure, is reported."""
    kg = igfkg.open()
    (protect,) = [c for c in kb_claims if c.id == "igf-1-protects-against-neuropathy"]
    kg.update(
        "INSERT DATA { GRAPH <https://w3id.org/igfkg/graph/kb> { "
        "<https://w3id.org/igfkg/kb/igf-1> <https://w3id.org/igfkg/protectsAgainst> "
        "<https://w3id.org/igfkg/kb/diabetic-neuropathy> } }"
    )
    kg.materialize()
    problems = broken(kb_claims, _iri_triples(list(kg.backend.quads())))
    assert len(problems) == 2  # the edge and the closure's ameliorates
    assert all(protect.id in p for p in problems)
    assert len(broken_at(kg, kb_claims)) == 2


def test_every_release_artefact_keeps_the_rule(tmp_path: Path, kb_claims: list[Claim]) -> None:
    built = {a.name for a in build(igfkg.open(), tmp_path)}
    assert set(RDF_ARTEFACTS) <= built
    everything: list[tuple[str, str, str]] = []
    for name, fmt in RDF_ARTEFACTS.items():
        dataset = rdflib.Dataset()
        dataset.parse(tmp_path / name, format=fmt)
        triples = [
            (str(s), str(p), str(o))
            for s, p, o, _ in dataset.quads((None, None, None, None))
            if isinstance(s, rdflib.URIRef) and isinstance(o, rdflib.URIRef)
        ]
        assert triples, name
        everything += triples
        hedged_links = [p for p in broken(kb_claims, triples) if "has a plain edge" in p]
        assert hedged_links == [], name
    assert broken(kb_claims, everything) == []


def test_established_claims_are_plain_edges(kg: KnowledgeGraph) -> None:
    established = [c for c in claims(kg) if c.established]
    for c in established:
        assert bool(
            kg.select(
                "ASK WHERE { ?s ?p ?o }",
                {"s": ox.NamedNode(c.s), "p": ox.NamedNode(c.p), "o": ox.NamedNode(c.o)},
            )
        ), c.id
