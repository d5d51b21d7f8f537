"""Machine-read evidence on the web pages (issue 18): on a read store, entity pages show the
counts and the newest sentences, claim pages the sentences of other articles naming both their
entities, article pages their abstract and sentences with the names found, all marked as
machine-read and escaped; on an unread store none of it appears. Served pages through
Starlette's TestClient, static ones through the renderer."""

from __future__ import annotations

import re
import urllib.parse
import warnings
from collections.abc import Iterator
from pathlib import Path

import pytest

with warnings.catch_warnings():
    # Starlette 1.x suggests httpx2 for its test client; httpx (a dependency) still works.
    warnings.simplefilter("ignore")
    from starlette.testclient import TestClient

import igfkg
from igfkg.graph import KnowledgeGraph
from igfkg.literature.ingest import ingest_pubmed
from igfkg.web.app import create_app
from igfkg.web.render import Renderer

SECTION = "In the literature (machine-read)"
PMID = "99000001"  # a synthetic record: no such article
# One article other than the seed naming mecasermin and jaw pain (the claim
# mecasermin-adverse-jaw-pain) twice, once hedged and once negated, and markup in its text.
SYNTHETIC = Path(__file__).parent / "data" / f"synthetic-evidence-{PMID}.xml"


def read_store() -> KnowledgeGraph:
    """The bundled graph read (the seed's abstract) with the synthetic record ingested."""
    kg = igfkg.open()
    kg.read()
    ingest_pubmed(kg, [SYNTHETIC], workers=1, vocabulary=kg.reading_vocabulary())
    return kg


@pytest.fixture(scope="module")
def read_kg() -> KnowledgeGraph:
    return read_store()


def _client(kg: KnowledgeGraph) -> TestClient:
    return TestClient(create_app(kg, kg, diagrams=False, loopback=False))


@pytest.fixture(scope="module")
def client(read_kg: KnowledgeGraph) -> Iterator[TestClient]:
    with _client(read_kg) as c:
        yield c


def _section(html: str) -> str:
    """The machine-read section of a page ("" when there is none)."""
    found = re.search(r'<section aria-labelledby="read".*?</section>', html, re.S)
    return found.group(0) if found else ""


def test_entity_page_shows_counts_and_newest_sentences(
    client: TestClient, read_kg: KnowledgeGraph
) -> None:
    # What the page should say, counted from the canned query's rows (another query).
    rows = read_kg.query("evidence-sentences", entity="mecasermin")
    assert len(rows) > 7  # the seed's 7 and the synthetic record's 3
    pmids = {r["pmid"].value for r in rows}  # type: ignore[union-attr]
    hedged = sum(r["hedged"].value == "true" for r in rows)  # type: ignore[union-attr]
    negated = sum(r["negated"].value == "true" for r in rows)  # type: ignore[union-attr]
    assert hedged > 0
    assert negated > 0
    response = client.get("/kb/mecasermin")
    assert response.status_code == 200
    section = _section(response.text)
    assert f'<h2 id="read">{SECTION}</h2>' in section
    assert "Machine-read, not claims" in section
    assert (
        f"<p>{len(rows)} sentences in {len(pmids)} articles: {hedged} hedged, "
        f"{negated} negated.</p>"
    ) in section
    # the newest first: the synthetic record (2024) before the seed (2002), linked to its page
    newest = re.findall(r"<li>(.*?)</li>", section)
    assert len(newest) == 3
    assert all(f'<a href="/articles/pmid-{PMID}">PMID {PMID}</a> (2024)' in li for li in newest)
    assert any("[hedged]" in li and "may cause jaw pain" in li for li in newest)
    assert any("[negated]" in li and "did not occur" in li for li in newest)
    # markup in a sentence is text
    assert "<script>" not in response.text
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in section
    # the query page, filled in with the entity, lists every sentence
    link = re.search(r'<a href="(/queries/evidence-sentences\?[^"]+)">', section)
    assert link is not None
    href = link.group(1).replace("&amp;", "&")
    assert urllib.parse.parse_qs(urllib.parse.urlsplit(href).query) == {
        "entity": ["kb:mecasermin"],
        "run": ["1"],
    }
    page = client.get(href)
    assert page.status_code == 200
    assert page.text.count("<tr>") == len(rows) + 1
    article = client.get(f"/articles/pmid-{PMID}")
    assert article.status_code == 200


def test_entities_without_evidence_have_no_section(client: TestClient) -> None:
    response = client.get("/kb/study-acerini-1997")
    assert response.status_code == 200
    assert "machine-read" not in response.text


def test_claim_page_shows_sentences_of_other_articles(client: TestClient) -> None:
    response = client.get("/claims/mecasermin-adverse-jaw-pain")
    assert response.status_code == 200
    section = _section(response.text)
    assert f'<h2 id="read">{SECTION}</h2>' in section
    assert "<p>2 sentences in 1 article: 1 hedged, 1 negated.</p>" in section
    newest = re.findall(r"<li>(.*?)</li>", section)
    assert len(newest) == 2
    assert all(f"PMID {PMID}" in li for li in newest)
    # the seed is the claim's source: its sentence naming both is left out
    assert "15832492" not in section
    assert "evidence-sentences?claim=mecasermin-adverse-jaw-pain&amp;run=1" in section
    # a claim no other article speaks to says so
    other = _section(client.get("/claims/mecasermin-is-recombinant-igf-1").text)
    assert "No sentence of another ingested abstract names both" in other
    assert "<li>" not in other


def test_uncached_pages_read_one_claim_at_a_time(
    client: TestClient, read_kg: KnowledgeGraph
) -> None:
    """A site that may change (no cache) reads each claim's evidence for its page alone: the
    same sections as the cached site, which reads every claim's counts at once."""
    app = create_app(read_kg, read_kg, diagrams=False, loopback=False, cache_size=0)
    with TestClient(app) as uncached:
        for claim in ("mecasermin-adverse-jaw-pain", "mecasermin-is-recombinant-igf-1"):
            alone = _section(uncached.get(f"/claims/{claim}").text)
            assert alone
            assert alone == _section(client.get(f"/claims/{claim}").text)


def test_article_page_shows_abstract_and_sentences_with_mentions(client: TestClient) -> None:
    response = client.get(f"/articles/pmid-{PMID}")
    assert response.status_code == 200
    html = response.text
    assert "<p><strong>RESULTS</strong>: Mecasermin &lt;script&gt;" in html
    section = _section(html)
    assert "Machine-read, not claims" in section
    sentences = re.findall(r"<li>(.*?)</li>", section, re.S)
    assert len(sentences) == 3
    assert "<mark>Mecasermin</mark> &lt;script&gt;alert(1)&lt;/script&gt; may cause" in sentences[1]
    assert "<mark>jaw pain</mark>" in sentences[1]
    assert "[hedged]" in sentences[1]
    assert "hedge cues: may" in sentences[1]
    assert '“jaw pain” → <a href="/kb/jaw-pain">jaw pain</a>' in sentences[1]
    assert 'href="/claims/mecasermin-adverse-jaw-pain"' in sentences[1]
    assert "[negated]" in sentences[2]
    assert "<script>" not in html
    # the seed (a curated article) shows its sentences too
    seed = _section(client.get("/articles/pmid-15832492").text)
    assert seed.count("<li>") == 13


def test_static_pages_link_curated_articles_and_give_the_command(
    read_kg: KnowledgeGraph,
) -> None:
    site = Renderer(read_kg, static=True)
    html = site.entity(site.by_name["mecasermin"], diagrams=False)
    section = _section(html)
    assert SECTION in section
    # no static page for an ingested article: PubMed; the query as a command
    assert f'<a href="https://pubmed.ncbi.nlm.nih.gov/{PMID}/">PMID {PMID}</a>' in section
    assert "<code>igfkg query evidence-sentences --param entity=kb:mecasermin</code>" in section
    claim = _section(site.claim("mecasermin-adverse-jaw-pain"))
    assert "--param claim=mecasermin-adverse-jaw-pain" in claim


def test_an_unread_store_shows_no_machine_read_evidence() -> None:
    kg = igfkg.open()
    with _client(kg) as client:
        for path in (
            "/kb/mecasermin",
            "/claims/mecasermin-adverse-jaw-pain",
            "/articles/pmid-15832492",
        ):
            response = client.get(path)
            assert response.status_code == 200, path
            assert "machine-read" not in response.text, path
            assert 'id="read"' not in response.text, path
        # the seed's abstract is in the store, but unread: the article page does not show it
        assert 'id="abs"' not in client.get("/articles/pmid-15832492").text
