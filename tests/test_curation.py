"""Regression tests of the curation review (issue 12, part 2): each would have caught its error."""

from __future__ import annotations

import pyoxigraph as ox
import pytest

from igfkg.core.namespaces import KB
from igfkg.graph import KnowledgeGraph

IG = "https://w3id.org/igfkg/"
SKOS = "http://www.w3.org/2004/02/skos/core#"
MESH = "http://id.nlm.nih.gov/mesh/"
OBO = "http://purl.obolibrary.org/obo/"

CLAIM = """
PREFIX igfkg: <https://w3id.org/igfkg/>
PREFIX dcterms: <http://purl.org/dc/terms/>
PREFIX skos: <http://www.w3.org/2004/02/skos/core#>
SELECT ?s ?p ?o ?certainty ?cue ?note WHERE {
  ?c dcterms:identifier ?id ; igfkg:claimSubject ?s ; igfkg:claimPredicate ?p ;
     igfkg:claimObject ?o ; igfkg:certainty ?certainty .
  OPTIONAL { ?c igfkg:hedgeCue ?cue }
  OPTIONAL { ?c skos:editorialNote ?note }
}
"""


def _claim(kg: KnowledgeGraph, ident: str) -> dict[str, str]:
    (row,) = kg.select(CLAIM, {"id": ox.Literal(ident)}).rows
    return {k: v.value for k, v in row.asdict().items() if v is not None}


def _values(kg: KnowledgeGraph, s: str, p: str) -> set[str]:
    rows = kg.select("SELECT ?o WHERE { ?s ?p ?o }", {"s": ox.NamedNode(s), "p": ox.NamedNode(p)})
    return {r["o"].value for r in rows}  # type: ignore[union-attr]


def _linked(kg: KnowledgeGraph, a: str, b: str) -> bool:
    q = "ASK WHERE { { ?a ?p ?b } UNION { ?b ?p ?a } }"
    return bool(kg.select(q, {"a": ox.NamedNode(a), "b": ox.NamedNode(b)}))


@pytest.mark.parametrize(
    "ident",
    ["axis-dysfunction-microvascular-complications", "low-igf-1-microvascular-complications"],
)
def test_1_may_influence_is_an_undirected_possible_effect(kg: KnowledgeGraph, ident: str) -> None:
    claim = _claim(kg, ident)
    assert (claim["p"], claim["certainty"], claim["cue"]) == (
        IG + "affects",
        IG + "Possible",
        "may",
    )
    assert not _linked(kg, claim["s"], KB + "microvascular-complications")


def test_2_uncertain_consequences_are_no_contribution(kg: KnowledgeGraph) -> None:
    claim = _claim(kg, "igfbp-changes-consequences-uncertain")
    assert claim["p"] == IG + "affects"
    assert claim["certainty"] == IG + "Uncertain"
    assert "does not say that the changes contribute" in claim["note"]
    assert not _linked(kg, KB + "igfbp-tissue-changes", KB + "diabetic-complications")


@pytest.mark.parametrize(
    "ident", ["mecasermin-improves-glycaemic-control", "mecasermin-ameliorates-dyslipidaemia"]
)
def test_3_generally_is_a_hedge(kg: KnowledgeGraph, ident: str) -> None:
    claim = _claim(kg, ident)
    assert claim["cue"] == "generally"
    assert claim["certainty"] != IG + "Established"
    assert "garbled" in claim["note"]
    assert "two outcomes" in claim["note"]
    listed = {r["claim"].value for r in kg.query("hedged-claims")}  # type: ignore[union-attr]
    assert ident in listed


def test_4_benefits_yet_to_be_realised_are_not_demonstrated(kg: KnowledgeGraph) -> None:
    claim = _claim(kg, "igf-1-therapy-benefit-not-yet-shown")
    assert claim["certainty"] == IG + "NotDemonstrated"
    assert claim["cue"] == "have yet to be realised"
    assert not _linked(kg, KB + "mecasermin", KB + "diabetes-mellitus")
    candidates = kg.select(
        "PREFIX igfkg: <https://w3id.org/igfkg/> SELECT ?c WHERE { ?c igfkg:claimSubject ?s ; "
        "igfkg:claimPredicate igfkg:candidateTherapyFor ; igfkg:claimObject ?o }",
        {"s": ox.NamedNode(KB + "mecasermin"), "o": ox.NamedNode(KB + "diabetes-mellitus")},
    )
    assert candidates.rows == []


def test_5_experimental_only_survives_the_closure(kg: KnowledgeGraph) -> None:
    import igfkg

    fresh = igfkg.open(f"{kg.backend.name}:")
    fresh.materialize()
    claim = _claim(fresh, "igf-1-protects-against-neuropathy")
    assert claim["certainty"] == IG + "ExperimentalOnly"
    assert not _linked(fresh, KB + "igf-1", KB + "diabetic-neuropathy")


@pytest.mark.parametrize("condition", ["diabetic neuropathy", "neuropathic ulcer"])
def test_6_drugs_for_neuropathy_say_no_drug_and_how_certain(
    kg: KnowledgeGraph, condition: str
) -> None:
    rows = list(kg.query("drugs-for-condition", condition=condition))
    assert rows
    for row in rows:
        assert row["drug"].value == KB + "igf-1"  # type: ignore[union-attr]
        assert row["drugType"].value == IG + "PeptideHormone"  # the hormone, not a drug product
        assert row["certainty"].value in {IG + "ExperimentalOnly", IG + "Possible"}  # type: ignore[union-attr]


def test_7_insulin_hormone_therapy_and_product_are_apart(kg: KnowledgeGraph) -> None:
    hormone, therapy, product = KB + "insulin", KB + "insulin-therapy", KB + "human-insulin"
    assert _values(kg, hormone, IG + "atcCode") == set()
    assert not any("drugbank" in m for m in _values(kg, hormone, SKOS + "exactMatch"))
    assert _values(kg, therapy, SKOS + "exactMatch") == set()
    assert _values(kg, product, SKOS + "exactMatch") == {MESH + "D061386"}
    assert _values(kg, product, IG + "atcCode") == {"A10AB01"}
    assert kg.resolve("insulin therapy").value == therapy
    combined = _values(kg, KB + "mecasermin", IG + "usedInCombinationWith")
    assert combined == {therapy}


def test_8_microvascular_complications_not_mapped_to_another_vascular_bed(
    kg: KnowledgeGraph,
) -> None:
    entity = KB + "microvascular-complications"
    for relation in ("exactMatch", "closeMatch", "broadMatch", "narrowMatch"):
        assert OBO + "MONDO_0000960" not in _values(kg, entity, SKOS + relation)
    assert _values(kg, entity, SKOS + "closeMatch") == set()
    assert _values(kg, entity, SKOS + "narrowMatch") == {
        MESH + "D003928",
        MESH + "D003929",
        MESH + "D003930",
    }


def test_9_role_in_pathophysiology_contributes_to_the_condition(kg: KnowledgeGraph) -> None:
    assert _values(kg, IG + "contributesTo", SKOS + "exactMatch") == {OBO + "RO_0003304"}
    definition = _values(kg, IG + "contributesTo", SKOS + "definition").pop()
    assert "without being said to cause it" in definition
    claim = _claim(kg, "axis-dysfunction-in-diabetes-pathophysiology")
    assert claim["p"] == IG + "contributesTo"


def test_10_memberships_quote_what_states_them(kg: KnowledgeGraph) -> None:
    rows = kg.select(
        "PREFIX igfkg: <https://w3id.org/igfkg/> PREFIX dcterms: <http://purl.org/dc/terms/> "
        "SELECT ?s ?quote ?source WHERE { ?c igfkg:claimPredicate igfkg:memberOf ; "
        "igfkg:claimSubject ?s ; dcterms:source ?source . OPTIONAL { ?c igfkg:quote ?quote } }"
    )
    quoted = {r["s"].value: r["quote"].value for r in rows if r["quote"] is not None}  # type: ignore[union-attr]
    assert quoted == {
        KB + "growth-hormone": "the growth hormone (GH)-IGF-1 axis",
        KB + "igf-1": "the growth hormone (GH)-IGF-1 axis",
        KB + "igfbps": quoted[KB + "igfbps"],
    }
    assert "IGF binding proteins" in quoted[KB + "igfbps"]
    unquoted = {r["s"].value: r["source"].value for r in rows if r["quote"] is None}  # type: ignore[union-attr]
    background = {
        s for s, source in unquoted.items() if source == IG + "CuratorBackgroundKnowledge"
    }
    assert len(background) == 5
    # issue 15: three members sourced from public reference pages, quoting nothing
    assert {s: source for s, source in unquoted.items() if s not in background} == {
        KB + "gh-receptor": "https://medlineplus.gov/genetics/gene/ghr/",
        KB + "igfbp-3": "https://reactome.org/content/detail/R-HSA-381496",
        KB + "acid-labile-subunit": "http://www.ncbi.nlm.nih.gov/pubmed/38514815",
    }


def test_11_exact_matches_are_exact(kg: KnowledgeGraph) -> None:
    assert _values(kg, KB + "igf-1-signalling", SKOS + "exactMatch") == set()
    assert OBO + "GO_0048009" in _values(kg, KB + "igf-1-signalling", SKOS + "closeMatch")
    icp = KB + "raised-intracranial-pressure"
    assert _values(kg, icp, SKOS + "exactMatch") == {MESH + "D019586", OBO + "HP_0002516"}
    assert _values(kg, icp, SKOS + "closeMatch") == {OBO + "MONDO_0006810", OBO + "DOID_9428"}
    assert kg.resolve("somatropin").value != KB + "growth-hormone"


def test_12_definitions_say_no_more_than_known(kg: KnowledgeGraph) -> None:
    igf1 = _values(kg, KB + "igf-1", SKOS + "definition").pop()
    assert "principal mediator" not in igf1
    studies = _values(kg, KB + "experimental-studies", SKOS + "definition").pop()
    assert "animal" not in studies
    assert "in vitro" not in studies
