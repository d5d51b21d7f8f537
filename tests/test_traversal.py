"""Traversal and description, the same on every backend."""

from __future__ import annotations

import pytest

from igfkg.graph import KnowledgeGraph

KB = "https://w3id.org/igfkg/kb/"


def test_describe_groups_everything(kg: KnowledgeGraph) -> None:
    d = kg.describe("Somatomedin C")
    assert d.iri == KB + "igf-1"
    assert d.label == "insulin-like growth factor 1"
    assert "IGF-I" in d.synonyms
    assert d.types == ["igfkg:PeptideHormone"]
    assert ("skos:exactMatch", "UniProtKB:P05019") in d.mappings
    outgoing = {(e.predicate_label, e.object_label) for e in d.outgoing}
    # "Experimentally, IGF-1 has a protective effect on neuropathy": a hedged claim, no relation.
    assert ("protects against", "diabetic neuropathy") not in outgoing
    assert ("has receptor", "IGF-1 receptor") in outgoing
    (protect,) = [e for e in d.hedged if e.predicate_label == "protects against"]
    assert protect.hedged
    assert [ev.certainty for ev in protect.evidence] == ["experimental only"]
    assert (
        protect.evidence[0].quote == "Experimentally, IGF-1 has a protective effect on neuropathy"
    )
    assert {e.subject_label for e in d.incoming} >= {"mecasermin", "reduced plasma IGF-1"}
    assert "referenced by:" in d.text()
    assert "protects against (experimental only)" in d.text()


def test_neighbors_with_predicate_and_depth(kg: KnowledgeGraph) -> None:
    edges = kg.neighbors("mecasermin", predicate="igfkg:hasAdverseEffect")
    assert sorted(e.object_label for e in edges) == [
        "Bell's palsy",
        "arthralgia",
        "hypotension",
        "injection site pain",
        "jaw pain",
        "myalgia",
        "oedema",
        "raised intracranial pressure",
    ]
    assert all(len(e.evidence) == 1 for e in edges)
    one = kg.neighbors("jaw pain")
    two = kg.neighbors("jaw pain", depth=2)
    assert len(two) > len(one)
    assert {e.predicate_label for e in two} >= {"has adverse effect", "tested in"}


def test_paths_are_shortest_and_carry_evidence(kg: KnowledgeGraph) -> None:
    found = kg.paths("rhIGF-1", "insulin resistance", max_length=3)
    # Only plain edges: "studied as treatment for" T2DM; the hedged "candidate therapy for"
    # (a possibility) is no edge unless asked for.
    assert [[e.predicate_label for e in p] for p in found] == [
        ["studied as treatment for", "has feature"]
    ]
    for path in found:
        assert path[0].subject == KB + "mecasermin"
        assert path[-1].object == KB + "insulin-resistance"
        assert all(e.evidence for e in path)
        assert not any(e.hedged for e in path)
    hedged = kg.paths("rhIGF-1", "insulin resistance", max_length=3, include_hedged=True)
    assert [[e.hedged for e in p] for p in hedged] == [[True, False], [False, False]]
    assert "candidate therapy for (possible)" in str(hedged[0][0])
    assert kg.paths("rhIGF-1", "insulin resistance", max_length=1) == []


def test_ancestors_and_descendants(kg: KnowledgeGraph) -> None:
    assert kg.ancestors("neuropathic ulcer") == [
        KB + "diabetes-mellitus",
        KB + "diabetic-complications",
        KB + "diabetic-neuropathy",
    ]
    assert KB + "type-1-diabetes" in kg.descendants("diabetes mellitus")
    mesh = "http://id.nlm.nih.gov/mesh/"
    assert kg.ancestors("<http://id.nlm.nih.gov/mesh/D017719>") == [
        mesh + "D003920",
        mesh + "D003925",
        mesh + "D003929",
        mesh + "D048909",
    ]


def test_bad_depth_is_an_error(kg: KnowledgeGraph) -> None:
    with pytest.raises(ValueError, match="depth"):
        kg.neighbors("mecasermin", depth=0)


def test_to_networkx(oxkg: KnowledgeGraph) -> None:
    g = oxkg.to_networkx()
    assert g.nodes[KB + "mecasermin"]["label"] == "mecasermin"
    assert g.has_edge(
        KB + "mecasermin", KB + "oedema", key="https://w3id.org/igfkg/hasAdverseEffect"
    )


def test_to_rdflib_keeps_named_graphs(oxkg: KnowledgeGraph) -> None:
    ds = oxkg.to_rdflib()
    names = {str(g.identifier) for g in ds.graphs()}
    assert {"https://w3id.org/igfkg/graph/ontology", "https://w3id.org/igfkg/graph/kb"} <= names
    assert sum(1 for _ in ds.quads()) == len(oxkg)
