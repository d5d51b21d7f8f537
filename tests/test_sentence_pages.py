"""Pages of evidence-sentences read from the yearly counts equal the canned query's pages."""

from __future__ import annotations

import itertools
from collections.abc import Callable

import pyoxigraph as ox
import pytest

import igfkg
from igfkg.core.namespaces import EVIDENCE_FORMAT
from igfkg.core.results import Result
from igfkg.explore import sentence_pages
from igfkg.explore.catalog import catalog
from igfkg.graph import KnowledgeGraph

from .test_corpus_queries import build_corpus

PAGES = [(None, 0), (3, 0), (5, 2), (1, 7), (0, 0), (4, 900), (None, 4)]
_EVIDENCE = "https://w3id.org/igfkg/graph/literature-evidence"


def page_cases(kg: KnowledgeGraph) -> list[dict[str, str]]:
    """Parameters of evidence-sentences: the ten entities with most sentences, each pair of
    them, every curated claim, a second entity alone and an unknown claim."""
    top = kg.select(
        "PREFIX igfkg: <https://w3id.org/igfkg/>\n"
        f"SELECT ?e (COUNT(?s) AS ?n) WHERE {{ GRAPH <{_EVIDENCE}> "
        "{ ?s igfkg:mentionsEntity ?e } } GROUP BY ?e ORDER BY DESC(?n) ?e LIMIT 10"
    )
    entities = [str(r["e"].value) for r in top if r["e"] is not None]
    claims = kg.select(
        "PREFIX dcterms: <http://purl.org/dc/terms/> PREFIX igfkg: <https://w3id.org/igfkg/>\n"
        "SELECT DISTINCT ?id WHERE { GRAPH <https://w3id.org/igfkg/graph/kb> "
        "{ ?a dcterms:identifier ?id ; igfkg:claimSubject ?s } } ORDER BY ?id"
    )
    return [
        *({"entity": e} for e in entities),
        *({"entity": a, "other": b} for a, b in itertools.combinations(entities, 2)),
        *({"claim": str(r["id"].value)} for r in claims if r["id"] is not None),
        {"other": entities[0]},
        {"claim": "no-such-claim"},
    ]


def assert_pages_equal_the_canned_query(
    kg: KnowledgeGraph, reference: KnowledgeGraph | None = None
) -> None:
    """Every page of every case, read from the counts, equals the canned query's page (run on
    ``reference``, the same data embedded; default ``kg``); the counts answered (no fallback)
    and found sentences."""
    query = catalog().get("evidence-sentences")
    reference = reference or kg
    answered = found = 0
    for params in page_cases(kg):
        bindings = query.bindings(kg, params)
        for limit, offset in PAGES:
            canned = reference.select(query.paged(limit, offset), bindings)
            fast = sentence_pages.sentence_page(kg, bindings, limit, offset)
            if limit is None:  # the whole answer (from an offset): the canned query's own
                assert fast is None
                assert query.run(kg, params, offset=offset).rows == canned.rows
                continue
            assert fast is not None, params
            assert fast.variables == canned.variables
            assert fast.rows == canned.rows, (params, limit, offset)
            assert query.run(kg, params, limit=limit, offset=offset).rows == canned.rows
            answered += 1
            found += len(fast.rows)
    assert answered > 250
    assert found > 100


@pytest.fixture(scope="module")
def corpus() -> KnowledgeGraph:
    return build_corpus(igfkg.open())


def test_pages_from_the_counts_equal_the_canned_query(corpus: KnowledgeGraph) -> None:
    assert_pages_equal_the_canned_query(corpus)


def _spy(select: Callable[..., Result], reads: list[str]) -> Callable[..., Result]:
    def spied(text: str, bindings: object = None) -> Result:
        reads.append(text)
        return select(text, bindings)

    return spied


def test_a_page_reads_only_the_years_holding_it(
    corpus: KnowledgeGraph, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A page within the newest year of an entity (and of a pair) reads that year only."""
    query = catalog().get("evidence-sentences")
    year_query = sentence_pages._year_query().sparql
    checked = 0
    for params in page_cases(corpus):
        if "claim" in params:
            continue
        bindings = query.bindings(corpus, params)
        years = corpus.select(
            sentence_pages._ENTITY_YEARS if "other" not in params else sentence_pages._PAIR_YEARS,
            {k: v for k, v in bindings.items() if k in ("entity", "other")},
        )
        counts = sorted(
            ((int(r["year"].value), int(r["sentences"].value)) for r in years if r["year"]),
            reverse=True,
        )
        if len(counts) < 2:
            continue
        newest_year, newest = counts[0]
        reads: list[str] = []
        monkeypatch.setattr(corpus, "select", _spy(corpus.select, reads))
        page = sentence_pages.sentence_page(corpus, bindings, newest, 0)
        monkeypatch.undo()
        assert page is not None
        assert [r["year"].value for r in page] == [str(newest_year)] * newest
        assert sum(text.startswith(year_query.split("PREFIX")[0]) for text in reads) == 1
        checked += 1
    assert checked >= 3


def test_a_store_without_the_counts_gets_the_canned_query() -> None:
    kg = igfkg.open()
    kg.read()
    query = catalog().get("evidence-sentences")
    bindings = query.bindings(kg, {"entity": "IGF-1"})
    assert sentence_pages.sentence_page(kg, bindings, 3, 0) is not None
    graph = ox.NamedNode(_EVIDENCE)
    mark = ox.NamedNode("https://w3id.org/igfkg/evidenceFormat")
    kg.backend.store.remove(ox.Quad(graph, mark, ox.Literal(EVIDENCE_FORMAT), graph))  # type: ignore[attr-defined]
    assert sentence_pages.sentence_page(kg, bindings, 3, 0) is None
    rows = kg.query("evidence-sentences", entity="IGF-1", limit=3)
    assert 0 < len(rows) <= 3
    assert rows.rows == kg.select(query.paged(3, 0), bindings).rows


def test_an_unknown_claim_has_no_sentences_and_the_columns() -> None:
    kg = igfkg.open()
    kg.read()
    rows = kg.query("evidence-sentences", claim="no-such-claim")
    assert len(rows) == 0
    assert rows.variables == kg.query("evidence-sentences", entity="IGF-1").variables
