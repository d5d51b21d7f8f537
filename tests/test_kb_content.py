"""The knowledge base holds every claim of the seed abstract, sourced, quoted and verified."""

from __future__ import annotations

import re

import pytest

from igfkg.core.namespaces import KB
from igfkg.graph import KnowledgeGraph

from .conftest import DATA

SEED = (DATA / "seed-pmid15832492.txt").read_text(encoding="utf-8")
ABSTRACT = SEED.split("\n\n")[2].strip()
ARTICLE = "http://www.ncbi.nlm.nih.gov/pubmed/15832492"

CLAIMS = """
PREFIX igfkg: <https://w3id.org/igfkg/>
PREFIX dcterms: <http://purl.org/dc/terms/>
SELECT ?id ?group ?s ?p ?o ?quote ?certainty ?source WHERE {
  ?c igfkg:claimSubject ?s ; igfkg:claimPredicate ?p ; igfkg:claimObject ?o ;
     dcterms:identifier ?id ; igfkg:certainty ?certainty ; dcterms:source ?source .
  OPTIONAL { ?c igfkg:quote ?quote }
  OPTIONAL { ?c igfkg:claimGroup ?group } }
"""
BACKGROUND = "https://w3id.org/igfkg/CuratorBackgroundKnowledge"

# One row per statement of the abstract (issue numbering): (group, subject, property, object,
# certainty). Each is a claim of that group; it is a plain edge exactly when established.
EXPECTED = [
    ("C1", "igf-1", "sharesHomologyWith", "insulin", "Established"),
    ("C1", "igf-1-receptor", "sharesHomologyWith", "insulin-receptor", "Established"),
    ("C2", "igf-1-signalling", "interactsWith", "insulin-signalling", "Established"),
    ("C2", "gh-igf1-axis", "interactsWith", "insulin-system", "Established"),
    ("C3", "gh-igf1-axis", "regulates", "tissue-growth", "Established"),
    ("C3", "gh-igf1-axis", "regulates", "tissue-differentiation", "Established"),
    ("C3", "insulin", "regulates", "fuel-metabolism", "Established"),
    ("C4", "gh-igf1-axis", "disturbedIn", "diabetes-mellitus", "Established"),
    ("C4", "diabetes-mellitus", "hasFeature", "increased-gh-secretion", "Established"),
    ("C4", "diabetes-mellitus", "hasFeature", "reduced-plasma-igf-1", "Established"),
    ("C4", "diabetes-mellitus", "hasFeature", "igfbp-tissue-changes", "Established"),
    ("C5", "reduced-plasma-igf-1", "contributesTo", "insulin-resistance", "Probable"),
    ("C5", "gh-igf1-axis-dysfunction", "contributesTo", "poor-glycaemic-control", "Probable"),
    ("C5", "gh-igf1-axis-dysfunction", "affects", "microvascular-complications", "Possible"),
    ("C5", "reduced-plasma-igf-1", "affects", "microvascular-complications", "Possible"),
    ("C6", "mecasermin", "isRecombinantFormOf", "igf-1", "Established"),
    ("C6", "mecasermin", "usedInCombinationWith", "insulin-therapy", "Established"),
    ("C6", "mecasermin", "hasRouteOfAdministration", "subcutaneous-injection", "Established"),
    ("C6", "mecasermin", "testedIn", "experimental-studies", "Established"),
    ("C6", "mecasermin", "testedIn", "clinical-trials", "Established"),
    ("C7", "mecasermin", "improves", "insulin-sensitivity", "Established"),
    ("C7", "mecasermin", "reduces", "insulin-requirements", "Established"),
    ("C7", "mecasermin", "improves", "glycaemic-control", "Probable"),
    ("C7", "mecasermin", "ameliorates", "dyslipidaemia", "Probable"),
    ("C8", "mecasermin", "candidateTherapyFor", "type-2-diabetes", "Possible"),
    ("C8", "type-2-diabetes", "hasFeature", "insulin-resistance", "Established"),
    ("C9", "mecasermin", "ameliorates", "severe-insulin-resistance-syndromes", "Established"),
    ("C9", "mecasermin", "bypassesBlockIn", "insulin-signalling", "Established"),
    ("C10", "mecasermin", "hasAdverseEffect", "oedema", "Established"),
    ("C10", "mecasermin", "hasAdverseEffect", "bells-palsy", "Established"),
    ("C11", "gh-igf1-axis-dysfunction", "contributesTo", "diabetic-complications", "Established"),
    ("C11", "igfbp-tissue-changes", "affects", "diabetic-complications", "Uncertain"),
    ("C11", "mecasermin", "affects", "diabetic-complications", "Unknown"),
    ("C12", "igf-1", "protectsAgainst", "diabetic-neuropathy", "ExperimentalOnly"),
    ("C12", "igf-1", "candidateTherapyFor", "neuropathic-ulcer", "Possible"),
    ("C13", "mecasermin", "ameliorates", "diabetes-mellitus", "NotDemonstrated"),
]


@pytest.fixture(scope="module")
def claims(oxkg: KnowledgeGraph) -> list[dict[str, str]]:
    return [
        {k: v.value for k, v in row.asdict().items() if v is not None}
        for row in oxkg.select(CLAIMS)
    ]


def test_every_statement_of_the_abstract_is_claimed(claims: list[dict[str, str]]) -> None:
    assert {c["group"] for c in claims if "group" in c} == {f"C{n}" for n in range(1, 14)}


@pytest.mark.parametrize(("group", "s", "p", "o", "certainty"), EXPECTED)
def test_claim_edge(
    oxkg: KnowledgeGraph,
    claims: list[dict[str, str]],
    group: str,
    s: str,
    p: str,
    o: str,
    certainty: str,
) -> None:
    subject, prop, obj = KB + s, "https://w3id.org/igfkg/" + p, KB + o
    found = [c for c in claims if (c["s"], c["p"], c["o"]) == (subject, prop, obj)]
    assert len(found) == 1
    assert found[0]["group"] == group
    assert found[0]["certainty"] == "https://w3id.org/igfkg/" + certainty
    ask = f"ASK {{ <{subject}> <{prop}> <{obj}> }}"
    assert bool(oxkg.select(ask)) == (certainty == "Established")


REFERENCE_SOURCES = {
    "gh-receptor-member-of-axis",
    "igfbp-3-member-of-axis",
    "acid-labile-subunit-member-of-axis",
}


def test_quotes_are_verbatim_from_the_seed_abstract(claims: list[dict[str, str]]) -> None:
    assert len(claims) == 75
    for claim in claims:
        if claim["source"] == BACKGROUND:
            continue
        if claim["id"] in REFERENCE_SOURCES:  # reference pages: no quote, only the seed's
            assert "quote" not in claim, claim["id"]
            assert claim["source"] != ARTICLE
            continue
        assert claim["source"] == ARTICLE
        assert claim["quote"] in ABSTRACT, claim["id"]
        assert claim["group"], claim["id"]


def test_background_knowledge_claims_quote_nothing(claims: list[dict[str, str]]) -> None:
    """Memberships no sentence of the source states are the curators' background knowledge:
    no quote, no article pretending to support them."""
    background = {c["id"]: c for c in claims if c["source"] == BACKGROUND}
    assert sorted(background) == [
        "igf-1-receptor-member-of-axis",
        "igf-1-signalling-member-of-axis",
        "insulin-member-of-insulin-system",
        "insulin-receptor-member-of-insulin-system",
        "insulin-signalling-member-of-insulin-system",
    ]
    assert all("quote" not in c and "group" not in c for c in background.values())


def test_kb_abstract_is_the_seed_abstract(oxkg: KnowledgeGraph) -> None:
    q = f"SELECT ?a WHERE {{ <{ARTICLE}> <http://purl.org/dc/terms/abstract> ?a }}"
    assert [r["a"].value for r in oxkg.select(q)] == [ABSTRACT]  # type: ignore[union-attr]


def test_article_metadata_matches_the_seed(oxkg: KnowledgeGraph) -> None:
    q = f"""PREFIX bibo: <http://purl.org/ontology/bibo/>
    PREFIX dcterms: <http://purl.org/dc/terms/>
    PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>
    PREFIX igfkg: <https://w3id.org/igfkg/>
    SELECT * WHERE {{ <{ARTICLE}> dcterms:title ?title ; dcterms:issued ?year ; bibo:volume ?v ;
      bibo:issue ?i ; bibo:pageStart ?ps ; bibo:pageEnd ?pe ; bibo:doi ?doi ; bibo:pmid ?pmid ;
      igfkg:publishedIn/rdfs:label ?journal }}"""
    (row,) = oxkg.select(q).rows
    v = {k: t.value for k, t in row.asdict().items() if t is not None}
    assert SEED.startswith(v["title"] + "\n")
    cite = f"{v['journal']}. {v['year']};{v['v']}({v['i']}):{v['ps']}-{v['pe']}. doi: {v['doi']}."
    assert cite in SEED
    assert v["pmid"] == "15832492"


def test_hedged_claims_carry_their_hedge_words(
    claims: list[dict[str, str]], oxkg: KnowledgeGraph
) -> None:
    q = """PREFIX igfkg: <https://w3id.org/igfkg/>
    PREFIX dcterms: <http://purl.org/dc/terms/>
    SELECT ?id ?cue ?quote WHERE {
      ?c dcterms:identifier ?id ; igfkg:hedgeCue ?cue ; igfkg:quote ?quote }"""
    cues = {r["id"].value: (r["cue"].value, r["quote"].value) for r in oxkg.select(q)}  # type: ignore[union-attr]
    hedged = {c["id"] for c in claims if not c["certainty"].endswith("Established")}
    assert hedged == set(cues)
    for cue, quote in cues.values():
        assert cue in quote


# --- external identifiers come only from VERIFIED rows of the identifier table -------------

_PATTERNS = [
    (r"^http://id\.nlm\.nih\.gov/mesh/([DCQ]\d+)$", "{}"),
    (r"^http://purl\.uniprot\.org/uniprot/(\w+)$", "{}"),
    (r"^http://identifiers\.org/hgnc/(\d+)$", "HGNC:{}"),
    (r"^http://identifiers\.org/drugbank/(DB\d+)$", "{}"),
    (r"^http://purl\.obolibrary\.org/obo/(MONDO|DOID|HP|GO)_(\d+)$", "{}:{}"),
]


def _mesh_table() -> set[str]:
    """Descriptor UIs of the repository's MeSH 2015 tree table: versioned vocabulary data that
    scripts/mesh_terms.py reads (labels and hierarchy of every MeSH term the KB uses)."""
    import gzip

    path = DATA / "real" / "mesh" / "dhimmel__mesh2015_tree-numbers.tsv.gz"
    with gzip.open(path, "rt", encoding="utf-8") as handle:
        return {line.split("\t", 1)[0] for line in handle}


def _verified_tokens() -> set[str]:
    tokens: set[str] = _mesh_table()
    for line in (DATA / "verified-identifiers.md").read_text(encoding="utf-8").splitlines():
        cells = [c.strip() for c in line.split("|")]
        if len(cells) < 6 or not any(c.startswith("VERIFIED") for c in cells):
            continue
        text = " ".join(c for c in cells if not c.startswith(("UNVERIFIED", "(")))
        tokens |= set(re.findall(r"[A-Za-z]+:\d+|[A-Z]{1,2}\d[\w]+", text))
    return tokens


def test_external_identifiers_are_verified(oxkg: KnowledgeGraph) -> None:
    verified = _verified_tokens()
    q = """SELECT DISTINCT ?x WHERE { { ?s ?p ?x } UNION { ?x ?p ?o } FILTER(isIRI(?x)) }"""
    used: list[str] = []
    for row in oxkg.select(q):
        iri = row["x"].value  # type: ignore[union-attr]
        for pattern, form in _PATTERNS:
            m = re.match(pattern, iri)
            if m:
                used.append(form.format(*m.groups()))
    q = "SELECT ?code WHERE { ?d <https://w3id.org/igfkg/atcCode> ?code }"
    used += [r["code"].value for r in oxkg.select(q)]  # type: ignore[union-attr]
    assert len(used) > 60
    unverified = sorted(set(used) - verified)
    assert unverified == []


def test_kb_joins_nlm_mesh_rdf() -> None:
    """Loaded beside NLM's own MeSH RDF, the KB's MeSH terms are the same nodes with the same
    labels, identifiers and types (no duplicate labels), and the hierarchy query still works."""
    import igfkg

    kg = igfkg.open()
    kg.load(DATA / "meshrdf-sample-join.nt", graph="http://id.nlm.nih.gov/mesh")
    q = """SELECT ?d (COUNT(DISTINCT ?label) AS ?labels) (COUNT(DISTINCT ?id) AS ?ids)
                  (COUNT(DISTINCT ?type) AS ?types) WHERE {
      VALUES ?d { <http://id.nlm.nih.gov/mesh/D003920> <http://id.nlm.nih.gov/mesh/D006801>
                  <http://id.nlm.nih.gov/mesh/D016454> <http://id.nlm.nih.gov/mesh/D048909> }
      ?d <http://www.w3.org/2000/01/rdf-schema#label> ?label ;
         <http://id.nlm.nih.gov/mesh/vocab#identifier> ?id ; a ?type .
      FILTER(?type != <http://www.w3.org/2002/07/owl#NamedIndividual>)
    } GROUP BY ?d"""
    rows = kg.select(q).rows
    assert len(rows) == 4
    for row in rows:
        assert [t.value for t in row[1:]] == ["1", "1", "1"], row  # type: ignore[union-attr]
    narrower = kg.query("articles-by-mesh", descriptor="MESH:D003920")
    assert {r["matchedDescriptor"].value[-7:] for r in narrower} == {"D003922", "D003924"}  # type: ignore[union-attr]


def test_every_relation_between_entities_is_a_sourced_claim(oxkg: KnowledgeGraph) -> None:
    """Facts relating KB entities carry provenance; the only exceptions are the MeSH-tree
    skos:broader links (sourced in entities.ttl), the typing of entities, the records of
    primary studies and their findings (sourced by the study's prov:wasDerivedFrom page and
    publication, checked by SHACL and tests/test_evidence.py), and igfkg:gauges, the
    definitional link from an outcome measure to what it measures."""
    q = """PREFIX owl: <http://www.w3.org/2002/07/owl#>
    PREFIX igfkg: <https://w3id.org/igfkg/>
    SELECT ?s ?p ?o WHERE {
      ?s ?p ?o .
      FILTER(STRSTARTS(STR(?s), "https://w3id.org/igfkg/kb/"))
      FILTER(STRSTARTS(STR(?p), "https://w3id.org/igfkg/"))
      FILTER NOT EXISTS { ?s a ?record . VALUES ?record { igfkg:Study igfkg:OutcomeResult
                                                          igfkg:AdverseEventReport } }
      FILTER(?p != igfkg:gauges)
      FILTER NOT EXISTS { ?a owl:annotatedSource ?s ; owl:annotatedProperty ?p ;
                             owl:annotatedTarget ?o ;
                             igfkg:certainty igfkg:Established ; igfkg:claimSubject ?s ;
                             igfkg:claimPredicate ?p ; igfkg:claimObject ?o }
    }"""
    unsourced = [
        tuple(t.value for t in row)  # type: ignore[union-attr]
        for row in oxkg.select(q)
    ]
    # ATC codes are identifiers from the verified table, checked like the other identifiers.
    assert sorted(unsourced) == [
        (KB + "human-insulin", "https://w3id.org/igfkg/atcCode", "A10AB01"),
        (KB + "mecasermin", "https://w3id.org/igfkg/atcCode", "H01AC03"),
        (KB + "somatropin", "https://w3id.org/igfkg/atcCode", "H01AC01"),
    ]


def test_mesh_terms_file_is_generated_and_current() -> None:
    """kb/mesh-terms.ttl is what scripts/mesh_terms.py makes from the MeSH data in the repo."""
    import subprocess
    import sys

    script = DATA.parent.parent / "scripts" / "mesh_terms.py"
    result = subprocess.run([sys.executable, str(script), "--check"], check=False)
    assert result.returncode == 0
