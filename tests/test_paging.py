"""Paging canned queries (``--limit``/``--offset``): pages are slices of the ordered answer."""

from __future__ import annotations

from pathlib import Path

import pytest
from click.testing import CliRunner

import igfkg
from igfkg.cli import main
from igfkg.core.errors import ParameterError
from igfkg.explore.catalog import catalog, parse_query_file
from igfkg.graph import KnowledgeGraph

from .test_corpus_queries import _cases as corpus_cases
from .test_corpus_queries import corpus  # noqa: F401  (the module-scoped corpus fixture)
from .test_queries import CASES


def _pages(kg: KnowledgeGraph, query_id: str, params: dict[str, str], size: int) -> list[str]:
    rows: list[str] = []
    offset = 0
    while True:
        page = kg.query(query_id, limit=size, offset=offset, **params).serialize("tsv")
        lines = page.splitlines()[1:]
        assert len(lines) <= size
        if not lines:
            return rows
        rows += lines
        offset += size


@pytest.mark.parametrize(("case", "query_id", "params"), CASES, ids=[c[0] for c in CASES])
def test_kb_pages_are_slices_of_the_answer(
    kg: KnowledgeGraph, case: str, query_id: str, params: dict[str, str]
) -> None:
    if catalog().get(query_id).inference:
        kg = igfkg.open(f"{kg.backend.name}:")  # materialising changes the shared graph
    full = kg.query(query_id, **params).serialize("tsv").splitlines()[1:]
    assert _pages(kg, query_id, params, 2) == full


@pytest.mark.parametrize(
    ("case", "query_id", "params"), corpus_cases(), ids=[c[0] for c in corpus_cases()]
)
def test_corpus_pages_are_slices_of_the_answer(
    corpus: KnowledgeGraph,  # noqa: F811
    case: str,
    query_id: str,
    params: dict[str, str],
) -> None:
    full = corpus.query(query_id, **params).serialize("tsv").splitlines()[1:]
    assert _pages(corpus, query_id, params, 3) == full
    if len(full) > 4:
        page = corpus.query(query_id, limit=2, offset=3, **params).serialize("tsv")
        assert page.splitlines()[1:] == full[3:5]


def test_articles_are_paged_before_titles_are_looked_up() -> None:
    text = catalog().get("articles-by-mesh").paged(10, 20)
    cut = text.index("LIMIT 10 OFFSET 20")
    assert cut < text.index("dcterms:title ?title }")
    assert "#+ page" not in text


def test_a_query_with_its_own_limit_is_paged_within_it(tmp_path: Path) -> None:
    path = tmp_path / "top.rq"
    path.write_text("#+ question: Top?\nSELECT ?s WHERE { ?s ?p ?o } ORDER BY ?s\nLIMIT 50\n")
    q = parse_query_file(path)
    assert q.paged(10, 0).rstrip().endswith("ORDER BY ?s\nLIMIT 10")
    assert q.paged(None, 30).rstrip().endswith("LIMIT 20 OFFSET 30")
    assert q.paged(100, 60).rstrip().endswith("LIMIT 0 OFFSET 60")
    assert q.paged() == q.sparql


def test_co_indexing_pages_stop_at_its_top_50(corpus: KnowledgeGraph) -> None:  # noqa: F811
    full = corpus.query("co-indexed-descriptors", descriptor="MESH:D003920")
    assert 0 < len(full) <= 50
    pages = _pages(corpus, "co-indexed-descriptors", {"descriptor": "MESH:D003920"}, 7)
    assert pages == full.serialize("tsv").splitlines()[1:]


def test_negative_or_huge_limits_are_refused(oxkg: KnowledgeGraph) -> None:
    with pytest.raises(ParameterError, match="0 or more"):
        oxkg.query("mesh-headings", limit=-1)
    with pytest.raises(ParameterError, match="0 or more"):
        oxkg.query("mesh-headings", offset=-5)
    with pytest.raises(ParameterError, match="at most"):
        oxkg.query("mesh-headings", offset=2**64)


def test_huge_pages_are_empty_or_whole(kg: KnowledgeGraph) -> None:
    full = kg.query("mesh-headings")
    assert len(kg.query("mesh-headings", offset=2**63 - 1)) == 0
    assert kg.query("mesh-headings", limit=2**63 - 1, offset=1).rows == full.rows[1:]


@pytest.mark.parametrize(
    ("header", "message"),
    [
        ("#+ param: limit literal | How many.", "cannot be named limit or offset"),
        ("#+ page: there", "page: here"),
    ],
)
def test_query_files_cannot_take_paging_names(tmp_path: Path, header: str, message: str) -> None:
    path = tmp_path / "bad.rq"
    path.write_text(f"#+ question: Q?\n{header}\nSELECT * WHERE {{ ?s ?p ?o }}\n")
    with pytest.raises(ValueError, match=message):
        parse_query_file(path)


def test_cli_pages(oxkg: KnowledgeGraph) -> None:
    full = oxkg.query("mesh-headings").serialize("tsv").splitlines()
    result = CliRunner().invoke(
        main, ["query", "mesh-headings", "--limit", "2", "--offset", "1", "--format", "tsv"]
    )
    assert result.exit_code == 0, result.output
    assert result.stdout.splitlines() == [full[0], *full[2:4]]


def test_cli_refuses_a_negative_limit() -> None:
    result = CliRunner().invoke(main, ["query", "mesh-headings", "--limit", "-1"])
    assert result.exit_code == 2
    assert "--limit" in result.output
