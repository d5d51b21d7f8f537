"""Canned queries: golden answers on every backend, vocabulary, parameters bound as terms."""

from __future__ import annotations

import csv
import re

import pytest
import rdflib
from rdflib.namespace import DCTERMS, OWL, RDF, RDFS, SKOS, XSD

from igfkg.core import resources
from igfkg.core.errors import ParameterError, UnknownNameError, UnknownQueryError
from igfkg.explore.catalog import catalog, parse_query_file
from igfkg.graph import KnowledgeGraph

from .conftest import DATA

GOLDEN = DATA / "golden"


def _cases() -> list[tuple[str, str, dict[str, str]]]:
    with (GOLDEN / "manifest.tsv").open(encoding="utf-8") as handle:
        return [
            (
                row["case"],
                row["query"],
                dict(p.split("=", 1) for p in row["params"].split(";") if p),
            )
            for row in csv.DictReader(handle, delimiter="\t")
        ]


CASES = _cases()


@pytest.mark.parametrize(("case", "query_id", "params"), CASES, ids=[c[0] for c in CASES])
def test_golden_answer(
    kg: KnowledgeGraph, case: str, query_id: str, params: dict[str, str]
) -> None:
    expected = (GOLDEN / f"{case}.tsv").read_text(encoding="utf-8")
    if catalog().get(query_id).inference:
        # Materialising changes the graph: use a fresh one, not the shared fixture.
        import igfkg

        kg = igfkg.open(f"{kg.backend.name}:")
        assert not kg.has_inferred()
    assert kg.query(query_id, **params).serialize("tsv") == expected


def test_every_query_has_a_golden_answer() -> None:
    with (DATA / "golden-corpus" / "manifest.tsv").open(encoding="utf-8") as handle:
        corpus = {row["query"] for row in csv.DictReader(handle, delimiter="\t")}
    assert {query_id for _, query_id, _ in CASES} | corpus == set(catalog().ids())


def test_catalog_covers_the_required_questions() -> None:
    required = {
        "adverse-effects",
        "drugs-for-condition",
        "axis-in-diabetes",
        "axis-members",
        "mesh-headings",
        "articles-by-mesh",
        "claims",
        "entity",
    }
    assert required <= set(catalog().ids())
    for query in catalog():
        assert query.question.endswith("?"), query.id
        assert query.keywords, query.id


def _declared_terms() -> set[str]:
    g = rdflib.Graph()
    for path in resources.ontology_files():
        g.parse(path)
    g.parse(DATA / "meshrdf-vocabulary.ttl")
    return {str(s) for s in g.subjects() if isinstance(s, rdflib.URIRef)}


_CLOSED = {
    "http://www.w3.org/2002/07/owl#": OWL,
    "http://www.w3.org/2000/01/rdf-schema#": RDFS,
    "http://www.w3.org/1999/02/22-rdf-syntax-ns#": RDF,
    "http://www.w3.org/2004/02/skos/core#": SKOS,
    "http://purl.org/dc/terms/": DCTERMS,
    "http://www.w3.org/2001/XMLSchema#": XSD,
}


@pytest.mark.parametrize("path", resources.query_files(), ids=lambda p: p.stem)
def test_query_uses_only_known_terms(path: object) -> None:
    """Every class and property a query names exists in the ontology, NLM's MeSH vocabulary,
    or the closed W3C vocabularies (rdflib's DefinedNamespaces raise on unknown terms)."""
    text = parse_query_file(path).sparql  # type: ignore[arg-type]
    prefixes = dict(re.findall(r"PREFIX\s+(\w*):\s*<([^>]+)>", text))
    body = re.sub(r"PREFIX\s+\w*:\s*<[^>]+>", "", text)
    body = re.sub(r"(?m)^\s*#.*$", "", body)
    body = re.sub(r"<[^>\s]*>", "<>", body)
    body = re.sub(r'"[^"]*"', '""', body)
    terms = {
        prefixes[p] + local
        for p, local in re.findall(r"\b(\w+):([A-Za-z_][\w-]*)", body)
        if p in prefixes
    }
    declared = _declared_terms()
    kb = "https://w3id.org/igfkg/kb/"
    for term in terms:
        if term.startswith(kb):
            continue  # defaults name KB individuals, resolved like user input
        namespace = next((ns for ns in _CLOSED if term.startswith(ns)), None)
        if namespace is not None:
            local = term[len(namespace) :]
            assert hasattr(_CLOSED[namespace], local) or term in declared, term
        else:
            assert term in declared, term


def test_unknown_query_lists_the_known_ones(oxkg: KnowledgeGraph) -> None:
    with pytest.raises(UnknownQueryError, match="adverse-effects"):
        oxkg.query("no-such-query")


def test_unknown_parameter_is_an_error(oxkg: KnowledgeGraph) -> None:
    with pytest.raises(ParameterError, match="drug"):
        oxkg.query("adverse-effects", medicine="mecasermin")


def test_missing_required_parameter_is_an_error(oxkg: KnowledgeGraph) -> None:
    with pytest.raises(ParameterError, match="descriptor"):
        oxkg.query("articles-by-mesh")


def test_unknown_name_lists_closest_matches(kg: KnowledgeGraph) -> None:
    with pytest.raises(UnknownNameError) as info:
        kg.query("adverse-effects", drug="mecasermine")
    assert "mecasermin" in info.value.suggestions


@pytest.mark.parametrize(
    "hostile",
    [
        '"} ; DROP ALL ; #',
        "<http://x> } UNION { ?s ?p ?o",
        "kb:mecasermin> } UNION { ?s ?p ?o } #",
        'mecasermin" . ?s ?p ?o . FILTER("1',
    ],
)
def test_hostile_values_are_bound_as_terms_not_text(kg: KnowledgeGraph, hostile: str) -> None:
    before = len(kg)
    with pytest.raises(UnknownNameError):
        kg.query("adverse-effects", drug=hostile)
    assert len(kg) == before


@pytest.mark.parametrize(
    ("name", "iri"),
    [
        ("IGF-1", "kb:igf-1"),
        ("igf-i", "kb:igf-1"),
        ("Somatomedin C", "kb:igf-1"),
        ("UniProtKB:P05019", "kb:igf-1"),
        ("MESH:D007334", "kb:igf-1"),
        ("mesh:d003924", "MESH:d003924"),
        ("https://w3id.org/igfkg/kb/igf-1", "kb:igf-1"),
        ("<https://w3id.org/igfkg/kb/mecasermin>", "kb:mecasermin"),
        ("rhIGF-1", "kb:mecasermin"),
        ("PMID:15832492", "PMID:15832492"),
        ("Humans", "MESH:D006801"),
        ("T2DM", "kb:type-2-diabetes"),
        ("MONDO:0005148", "kb:type-2-diabetes"),
    ],
)
def test_resolve(kg: KnowledgeGraph, name: str, iri: str) -> None:
    from igfkg.core.namespaces import expand_curie

    expected = expand_curie(iri)
    if name == "mesh:d003924":
        with pytest.raises(UnknownNameError):
            kg.resolve(name)
        return
    assert kg.resolve(name).value == expected


@pytest.mark.parametrize("backend", ["oxigraph", "rdflib"])
def test_same_triples_in_two_graphs_do_not_duplicate_rows(backend: str) -> None:
    """Users load MeSH beside the KB: a triple in two named graphs must not double the rows."""
    import igfkg

    kg = igfkg.open(f"{backend}:")
    for path in resources.kb_files():
        if path.name != "claims.ttl":  # a copy of the claims would be new claims (blank nodes)
            kg.load(path, graph="https://w3id.org/igfkg/graph/copy")
    for case, query_id, params in CASES:
        expected = (GOLDEN / f"{case}.tsv").read_text(encoding="utf-8")
        assert kg.query(query_id, **params).serialize("tsv") == expected, case


def test_mesh_parameter_needs_a_mesh_mapping(kg: KnowledgeGraph) -> None:
    assert kg.mesh_descriptor("IGF-1").value == "http://id.nlm.nih.gov/mesh/D007334"
    assert kg.mesh_descriptor("MESH:D006801").value == "http://id.nlm.nih.gov/mesh/D006801"
    with pytest.raises(ParameterError, match="no MeSH descriptor mapping"):
        kg.query("co-indexed-descriptors", descriptor="jaw pain")  # broadMatch only
