"""Literature queries: golden answers on a fixed corpus (the KB, MeSH and real PubMed records)."""

from __future__ import annotations

import csv
from pathlib import Path

import pytest

import igfkg
from igfkg.core.errors import UnknownNameError
from igfkg.graph import KnowledgeGraph
from igfkg.literature.ingest import ingest_pubmed
from igfkg.literature.mesh import ingest_mesh

from .conftest import DATA

GOLDEN = DATA / "golden-corpus"


def corpus_files() -> tuple[list[Path], list[Path]]:
    mesh = [DATA / "mesh" / "tree-subset.tsv", DATA / "mesh" / "meshrdf__qual2014.xml"]
    records = sorted((DATA / "pubmed").glob("*.xml"))
    return mesh, [*records, DATA / "medline" / "biopython__pubmed_result1.txt"]


def build_corpus(kg: KnowledgeGraph) -> KnowledgeGraph:
    """The fixed corpus in ``kg``: MeSH, then the records, read as they are ingested (and the
    curated KB's own abstract read too)."""
    mesh, records = corpus_files()
    ingest_mesh(kg, mesh)
    kg.read()
    ingest_pubmed(kg, records, workers=1, vocabulary=kg.reading_vocabulary())
    return kg


@pytest.fixture(scope="module")
def corpus() -> KnowledgeGraph:
    return build_corpus(igfkg.open())


def _cases() -> list[tuple[str, str, dict[str, str]]]:
    with (GOLDEN / "manifest.tsv").open(encoding="utf-8") as handle:
        return [
            (r["case"], r["query"], dict(p.split("=", 1) for p in r["params"].split(";") if p))
            for r in csv.DictReader(handle, delimiter="\t")
        ]


@pytest.mark.parametrize(("case", "query_id", "params"), _cases(), ids=[c[0] for c in _cases()])
def test_corpus_golden_answer(
    corpus: KnowledgeGraph, case: str, query_id: str, params: dict[str, str]
) -> None:
    expected = (GOLDEN / f"{case}.tsv").read_text(encoding="utf-8")
    assert corpus.query(query_id, **params).serialize("tsv") == expected


def test_neighbors_reach_from_igf1_to_the_literature(corpus: KnowledgeGraph) -> None:
    # IGF-1 -exactMatch-> MeSH D007334 <-hasMeshDescriptor- article
    edges = corpus.neighbors("IGF-1", depth=2)
    articles = {e.subject for e in edges if e.predicate.endswith("hasMeshDescriptor")}
    assert "http://www.ncbi.nlm.nih.gov/pubmed/15832492" in articles
    edges = corpus.neighbors("insulin", depth=2)
    articles = {e.subject for e in edges if e.predicate.endswith("hasMeshDescriptor")}
    assert "http://www.ncbi.nlm.nih.gov/pubmed/34751700" in articles
    path = corpus.paths("type 2 diabetes", "PMID:15832492", max_length=3)
    assert path
    assert path[0][-1].subject == "http://www.ncbi.nlm.nih.gov/pubmed/15832492"


def test_names_resolve_in_the_kb_first_then_anywhere(corpus: KnowledgeGraph) -> None:
    # KB names are found in the KB's graph without scanning every ingested title; other names
    # (here a MeSH descriptor loaded by ingest mesh) still resolve through the full lookup.
    assert corpus.resolve("igf-1").value == "https://w3id.org/igfkg/kb/igf-1"
    assert corpus.resolve("HUMANS").value == "http://id.nlm.nih.gov/mesh/D006801"
    title = "Optimizing antihypertensive therapy in patients with diabetes mellitus."
    assert corpus.resolve(title).value == "http://www.ncbi.nlm.nih.gov/pubmed/36577847"
    assert corpus.resolve(title.upper()).value == "http://www.ncbi.nlm.nih.gov/pubmed/36577847"


def test_names_in_any_casing_resolve_without_scanning_titles(corpus: KnowledgeGraph) -> None:
    # MeSH labels are scanned case-insensitively; article titles only as spelled (or in a
    # usual casing), and they are not offered as suggestions: no lookup reads every title.
    assert corpus.resolve("hUMANS").value == "http://id.nlm.nih.gov/mesh/D006801"
    title = "The Bio* toolkits--a brief overview."
    assert corpus.resolve(title).value == "http://www.ncbi.nlm.nih.gov/pubmed/12230038"
    with pytest.raises(UnknownNameError) as error:
        corpus.resolve("the bio* Toolkits--a brief overview.")
    assert "toolkits" not in str(error.value)
    assert "Humans" in corpus.suggest("humanz")
    store = igfkg.open()  # no literature ingested: every label is scanned, titles included
    assert (
        store.resolve(
            "tHERAPEUTIC potential of insulin-like growth factor-1 in patients "
            "with diabetes mellitus"
        ).value
        == "http://www.ncbi.nlm.nih.gov/pubmed/15832492"
    )
