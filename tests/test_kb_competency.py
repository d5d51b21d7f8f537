"""The competency questions of the knowledge base, answered with SPARQL, exact answers."""

from __future__ import annotations

from igfkg.graph import KnowledgeGraph

PREFIXES = """
PREFIX igfkg: <https://w3id.org/igfkg/>
PREFIX kb: <https://w3id.org/igfkg/kb/>
PREFIX owl: <http://www.w3.org/2002/07/owl#>
PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>
PREFIX dcterms: <http://purl.org/dc/terms/>
PREFIX meshv: <http://id.nlm.nih.gov/mesh/vocab#>
"""


def labels(kg: KnowledgeGraph, query: str, var: str = "label") -> list[str]:
    return sorted(str(r[var].value) for r in kg.select(PREFIXES + query))  # type: ignore[union-attr]


def test_less_common_adverse_effects_of_mecasermin(kg: KnowledgeGraph) -> None:
    q = """SELECT ?label WHERE {
      kb:mecasermin igfkg:hasAdverseEffect ?e . ?e rdfs:label ?label .
      ?c igfkg:claimSubject kb:mecasermin ; igfkg:claimPredicate igfkg:hasAdverseEffect ;
         igfkg:claimObject ?e ; igfkg:frequency igfkg:LessCommon . }"""
    assert labels(kg, q) == ["Bell's palsy", "raised intracranial pressure"]


def test_common_adverse_effects_are_dose_related(kg: KnowledgeGraph) -> None:
    q = """SELECT ?label WHERE {
      ?c igfkg:claimSubject kb:mecasermin ; igfkg:claimPredicate igfkg:hasAdverseEffect ;
         igfkg:claimObject ?e ; igfkg:frequency igfkg:Common ; igfkg:doseRelated true .
      ?e rdfs:label ?label . }"""
    assert labels(kg, q) == [
        "arthralgia",
        "hypotension",
        "injection site pain",
        "jaw pain",
        "myalgia",
        "oedema",
    ]


def test_axis_disturbance_in_diabetes_has_three_changes(kg: KnowledgeGraph) -> None:
    q = """SELECT ?label ?direction WHERE {
      kb:gh-igf1-axis igfkg:disturbedIn kb:diabetes-mellitus .
      kb:diabetes-mellitus igfkg:hasFeature ?change .
      ?change igfkg:disturbanceOf kb:gh-igf1-axis ; igfkg:changeDirection ?direction ;
              rdfs:label ?label . }"""
    rows = sorted((r["label"].value, r["direction"].value) for r in kg.select(PREFIXES + q))  # type: ignore[union-attr]
    assert rows == [
        ("increased growth hormone secretion", "https://w3id.org/igfkg/Increased"),
        ("reduced plasma IGF-1", "https://w3id.org/igfkg/Reduced"),
        ("tissue-specific changes in IGF binding proteins", "https://w3id.org/igfkg/Altered"),
    ]


def test_hedged_and_unknown_claims(kg: KnowledgeGraph) -> None:
    q = """SELECT ?label ?certainty WHERE {
      ?c igfkg:claimSubject ?s ; dcterms:identifier ?label ; igfkg:certainty ?certainty .
      FILTER(?certainty != igfkg:Established) }"""
    rows = sorted(
        (r["certainty"].value.rsplit("/", 1)[1], r["label"].value)  # type: ignore[union-attr]
        for r in kg.select(PREFIXES + q)
    )
    assert rows == [
        ("ExperimentalOnly", "igf-1-protects-against-neuropathy"),
        ("NotDemonstrated", "igf-1-therapy-benefit-not-yet-shown"),
        ("Possible", "axis-dysfunction-microvascular-complications"),
        ("Possible", "igf-1-neuropathic-ulcer-healing"),
        ("Possible", "low-igf-1-microvascular-complications"),
        ("Possible", "mecasermin-candidate-for-type-2-diabetes"),
        ("Probable", "axis-dysfunction-in-diabetes-pathophysiology"),
        ("Probable", "axis-dysfunction-insulin-resistance"),
        ("Probable", "axis-dysfunction-poor-glycaemic-control"),
        ("Probable", "low-igf-1-insulin-resistance"),
        ("Probable", "low-igf-1-poor-glycaemic-control"),
        ("Probable", "mecasermin-ameliorates-dyslipidaemia"),
        ("Probable", "mecasermin-improves-glycaemic-control"),
        ("Uncertain", "igfbp-changes-consequences-uncertain"),
        ("Unknown", "axis-manipulation-effect-on-complications"),
        ("Unknown", "igf-1-therapy-effect-on-complications"),
    ]


def test_major_topic_headings_of_the_seed_article(kg: KnowledgeGraph) -> None:
    q = """SELECT ?label WHERE {
      <http://www.ncbi.nlm.nih.gov/pubmed/15832492> igfkg:hasMajorMeshDescriptorQualifierPair ?h .
      ?h meshv:hasDescriptor ?d ; meshv:hasQualifier ?q .
      ?d rdfs:label ?dl . ?q rdfs:label ?ql .
      BIND(CONCAT(STR(?dl), "/", STR(?ql)) AS ?label) }"""
    assert labels(kg, q) == [
        "Diabetes Mellitus, Type 1/drug therapy",
        "Diabetes Mellitus, Type 2/drug therapy",
        "Insulin-Like Growth Factor I/therapeutic use",
    ]


def test_seed_article_has_four_headings_six_qualifiers_and_one_substance(
    kg: KnowledgeGraph,
) -> None:
    # PubMed shows seven descriptor/qualifier lines: four headings, three with two qualifiers.
    q = """SELECT ?label WHERE { {
      SELECT (COUNT(DISTINCT ?d) AS ?n) (COUNT(DISTINCT ?p) AS ?m) WHERE {
        <http://www.ncbi.nlm.nih.gov/pubmed/15832492> igfkg:hasMeshDescriptor ?d .
        OPTIONAL { <http://www.ncbi.nlm.nih.gov/pubmed/15832492>
                       igfkg:hasMeshDescriptorQualifierPair ?p . ?p meshv:hasDescriptor ?d } }
      } BIND(CONCAT(STR(?n), " ", STR(?m)) AS ?label) }"""
    assert labels(kg, q) == ["4 6"]
    q = """SELECT ?label WHERE {
      <http://www.ncbi.nlm.nih.gov/pubmed/15832492> igfkg:hasSubstance ?s ;
          igfkg:publicationType ?t . BIND(CONCAT(STR(?s), " ", STR(?t)) AS ?label) }"""
    assert labels(kg, q) == [
        "http://id.nlm.nih.gov/mesh/D007334 http://id.nlm.nih.gov/mesh/D016454"
    ]


# --- evidence from primary studies (issue 15) ------------------------------------------------


def test_how_do_we_know_rhigf1_reduces_insulin_requirements(kg: KnowledgeGraph) -> None:
    """Three randomised trials and one open study support it; one randomised trial (insulin
    dose unchanged at 24 weeks) contradicts it."""
    rows = kg.query("evidence-for-claim", claim="mecasermin-reduces-insulin-requirements")
    by = {(str(r["relation"].value), r["study"].value.rsplit("/", 1)[1]) for r in rows}  # type: ignore[union-attr]
    assert by == {
        ("contradicts", "study-acerini-1997"),
        ("supports", "study-cheetham-1995"),
        ("supports", "study-quattrin-1997"),
        ("supports", "study-iddm-clamp-1998"),
    }


def test_hba1c_results_for_mecasermin_are_percentages(kg: KnowledgeGraph) -> None:
    rows = kg.query("outcomes", measure="HbA1c", drug="mecasermin").rows
    assert len(rows) >= 5
    units = {r["unit"].value for r in rows if r["unit"] is not None}
    assert units == {"%"}
    falls = [r for r in rows if r["direction"] is not None and r["direction"].value == "decrease"]
    assert falls


def test_axis_members_include_receptor_and_ternary_complex(kg: KnowledgeGraph) -> None:
    q = """SELECT ?label WHERE { ?m igfkg:memberOf kb:gh-igf1-axis ; rdfs:label ?label }"""
    members = labels(kg, q)
    assert {"growth hormone receptor", "IGF binding protein 3", "acid-labile subunit"} <= set(
        members
    )


def test_no_evidence_link_makes_a_hedged_claim_an_edge(kg: KnowledgeGraph) -> None:
    """Linking studies to a hedged claim adds no plain edge: glycaemic control stays hedged."""
    q = """ASK { kb:mecasermin igfkg:improves kb:glycaemic-control }"""
    assert not kg.select(PREFIXES + q).boolean  # type: ignore[attr-defined]
    support = kg.query("claim-support", claim="mecasermin-improves-glycaemic-control").rows
    assert int(support[0]["studies"].value) >= 3  # type: ignore[union-attr]
