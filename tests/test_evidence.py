"""Primary studies as structured evidence: figures typed, with listed UCUM units; PMIDs and DOIs
well-formed and confirmed; every study tied to a claim; every study-based claim linked or
searched for; every claim's support summary equal to what its studies say, on every backend."""

from __future__ import annotations

import csv
import re
from collections import defaultdict

import pytest
import rdflib
from rdflib.namespace import RDF, XSD

from igfkg.core import resources
from igfkg.explore.support import claim_support
from igfkg.graph import KnowledgeGraph

IGFKG = rdflib.Namespace("https://w3id.org/igfkg/")
BIBO = rdflib.Namespace("http://purl.org/ontology/bibo/")
DCTERMS = rdflib.Namespace("http://purl.org/dc/terms/")
PROV = rdflib.Namespace("http://www.w3.org/ns/prov#")
QUANTITIES = (
    "dose",
    "baselineValue",
    "endValue",
    "change",
    "comparatorValue",
    "comparatorChange",
    "duration",
    "timePoint",
)
RELATIONS = ("supportingEvidence", "qualifyingEvidence", "contradictingEvidence")
# A UCUM code in its case-sensitive form: atoms (with [..] for special units), digits,
# '.' for products, '/' for quotients, parentheses, exponents, '%', {..} annotations.
UCUM = re.compile(r"^(%|[A-Za-z0-9\[\]{}().^/-]+)$")


@pytest.fixture(scope="module")
def g() -> rdflib.Graph:
    graph = rdflib.Graph()
    for path in [*resources.ontology_files(), *resources.kb_files()]:
        graph.parse(path)
    return graph


def _units() -> dict[str, str]:
    path = resources.data_root() / "ontology" / "vocab" / "units.tsv"
    with path.open(encoding="utf-8") as handle:
        return {row["code"]: row["meaning"] for row in csv.DictReader(handle, delimiter="\t")}


def _studies(g: rdflib.Graph) -> list[rdflib.URIRef]:
    return sorted(s for s in g.subjects(RDF.type, IGFKG.Study) if isinstance(s, rdflib.URIRef))


def test_at_least_ten_studies(g: rdflib.Graph) -> None:
    assert len(_studies(g)) >= 10


def test_every_figure_is_a_decimal_with_a_listed_ucum_unit(g: rdflib.Graph) -> None:
    units = _units()
    assert all(UCUM.match(code) for code in units), units
    used = set()
    quantities = {q for p in QUANTITIES for q in g.objects(None, IGFKG[p])}
    assert len(quantities) > 20
    for q in quantities:
        (value,) = g.objects(q, IGFKG.numericValue)
        (unit,) = g.objects(q, IGFKG.unit)
        assert isinstance(value, rdflib.Literal)
        assert value.datatype == XSD.decimal, (q, value)
        assert not value.ill_typed
        assert str(unit) in units, f"unit {unit!r} is not in ontology/vocab/units.tsv"
        used.add(str(unit))
    assert used == set(units), f"units listed but not used: {set(units) - used}"


def test_counts_durations_and_statistics_are_typed(g: rdflib.Graph) -> None:
    for p in ("participants", "affected", "exposed", "dosesPerDay"):
        for value in g.objects(None, IGFKG[p]):
            assert isinstance(value, rdflib.Literal)
            assert value.datatype == XSD.integer, (p, value)
            assert value.toPython() >= (1 if p == "dosesPerDay" else 0)
    for p in ("duration", "timePoint"):
        for value in g.objects(None, IGFKG[p]):
            assert str(g.value(value, IGFKG.unit)) in {"d", "wk", "mo"}, (p, value)
    for p in ("pValue", "pValueBelow"):
        for value in g.objects(None, IGFKG[p]):
            assert isinstance(value, rdflib.Literal)
            assert value.datatype == XSD.decimal
            assert 0 < value.toPython() <= 1, (p, value)
    for report in g.subjects(RDF.type, IGFKG.AdverseEventReport):
        affected = g.value(report, IGFKG.affected)
        exposed = g.value(report, IGFKG.exposed)
        if affected is not None and exposed is not None:
            assert affected.toPython() <= exposed.toPython(), report


def test_identifiers_are_well_formed_and_confirmed(g: rdflib.Graph) -> None:
    for study in _studies(g):
        publication = g.value(study, IGFKG.reportedIn)
        assert publication is not None, study
        pmid = g.value(publication, BIBO.pmid)
        doi = g.value(publication, BIBO.doi)
        assert pmid is not None or doi is not None, publication
        if pmid is not None:
            assert re.fullmatch(r"[1-9][0-9]{0,8}", str(pmid)), pmid
            assert str(publication) == f"http://www.ncbi.nlm.nih.gov/pubmed/{pmid}"
        else:
            assert str(publication) == f"https://doi.org/{doi}"
        if doi is not None:
            assert re.fullmatch(r"10\.[0-9]{4,9}/\S+", str(doi)), doi
        pages = list(g.objects(publication, IGFKG.confirmedAt))
        assert pages, publication
        assert all(str(p).startswith(("https://", "http://")) for p in pages)
        assert g.value(publication, DCTERMS.title) is not None, publication
        assert list(g.objects(study, PROV.wasDerivedFrom)), study


def _claims(g: rdflib.Graph) -> dict[str, rdflib.term.Node]:
    return {
        str(g.value(node, DCTERMS.identifier)): node
        for node in g.subjects(IGFKG.claimSubject, None)
    }


def test_every_study_bears_on_a_claim(g: rdflib.Graph) -> None:
    linked = {f for r in RELATIONS for f in g.objects(None, IGFKG[r])}
    for study in _studies(g):
        assert set(g.objects(study, IGFKG.reports)) & linked, study
    # evidence links only on claim nodes, only to findings of studies
    claims = set(_claims(g).values())
    reported = set(g.objects(None, IGFKG.reports))
    for r in RELATIONS:
        for claim, finding in g.subject_objects(IGFKG[r]):
            assert claim in claims
            assert finding in reported, finding


def test_every_study_based_claim_is_linked_or_searched(g: rdflib.Graph) -> None:
    claims = _claims(g)
    based = {i for i, node in claims.items() if (node, IGFKG.studyBased, rdflib.Literal(True)) in g}
    expected = {
        "mecasermin-improves-insulin-sensitivity",
        "mecasermin-reduces-insulin-requirements",
        "mecasermin-improves-glycaemic-control",
        "mecasermin-ameliorates-dyslipidaemia",
        "mecasermin-benefits-severe-insulin-resistance",
        "mecasermin-adverse-oedema",
        "mecasermin-adverse-jaw-pain",
        "mecasermin-adverse-bells-palsy",
        "mecasermin-adverse-raised-intracranial-pressure",
        "igf-1-protects-against-neuropathy",
        "igf-1-neuropathic-ulcer-healing",
    }
    assert expected <= based
    for claim in based:
        node = claims[claim]
        links = [f for r in RELATIONS for f in g.objects(node, IGFKG[r])]
        assert links or g.value(node, IGFKG.primaryStudySearch) is not None, claim


def _summary(g: rdflib.Graph) -> dict[str, tuple[int, ...]]:
    """Each study-based claim's support, counted here in Python from the raw triples."""
    out = {}
    for claim, node in _claims(g).items():
        if (node, IGFKG.studyBased, rdflib.Literal(True)) not in g:
            continue
        findings: dict[str, set[rdflib.term.Node]] = defaultdict(set)
        for r in RELATIONS:
            findings[r] = set(g.objects(node, IGFKG[r]))
        studies = {s for f in set().union(*findings.values()) for s in g.subjects(IGFKG.reports, f)}
        participants = sum(int(g.value(s, IGFKG.participants) or 0) for s in studies)
        randomised = sum((s, IGFKG.designFeature, IGFKG.Randomised) in g for s in studies)
        out[claim] = (
            len(studies),
            randomised,
            participants,
            *(len(findings[r]) for r in RELATIONS),
        )
    return out


def test_support_summary_equals_what_the_studies_say(kg: KnowledgeGraph, g: rdflib.Graph) -> None:
    expected = _summary(g)
    got = {
        claim: (
            s.studies,
            s.randomised,
            s.participants,
            s.supporting,
            s.qualifying,
            s.contradicting,
        )
        for claim, s in claim_support(kg.backend).items()
    }
    assert got == expected
    assert any(v[0] > 1 for v in got.values())


def test_describe_shows_the_support_summary(oxkg: KnowledgeGraph) -> None:
    text = oxkg.describe("mecasermin").text()
    assert "evidence: " in text
    assert re.search(
        r"evidence: \d+ primary stud(y|ies) \(\d+ randomised, \d+ participants\)", text
    )
    assert "evidence: no primary study found" in text


def test_typed_literals_are_written_in_canonical_form() -> None:
    """Oxigraph stores XSD literals in canonical form ("10.0" as "10") while
    rdflib keeps them as written: the study data is written canonically, so every backend (and
    the reasoner's output) gives the same terms and no row is doubled."""
    import pyoxigraph as ox

    from igfkg.quality.shacl.data import rewritable, stored_forms

    path = resources.data_root() / "ontology" / "kb" / "studies.ttl"
    literals = sorted(
        {
            q.object
            for q in ox.parse(path=str(path), format=ox.RdfFormat.TURTLE)
            if isinstance(q.object, ox.Literal) and rewritable(q.object)
        },
        key=str,
    )
    assert len(literals) > 50
    stored = stored_forms(literals)
    assert [(a, b) for a, b in zip(literals, stored, strict=True) if a != b] == []
