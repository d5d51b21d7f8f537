"""The served site over HTTP (``igfkg serve`` as a user starts it): every page answers, every
internal link resolves, linked-data content negotiation returns the entity's triples, query
forms answer as the golden answers, refusals (updates, SERVICE, other hosts, writes), a 404 with
suggestions, and an on-disk store with ingested literature: escaped titles and paged lists."""

from __future__ import annotations

import csv
import http.client
import json
import subprocess
import sys
import urllib.parse
from collections.abc import Iterator
from html.parser import HTMLParser
from pathlib import Path

import pytest
import rdflib
from rdflib.compare import isomorphic

import igfkg
from igfkg.web.model import articles, claims, pages, terms

from .servers import Listener, Served
from .test_litindex import articles_xml

GOLDEN = Path(__file__).parent / "data" / "golden"
IGF1 = "D007334"


def get(
    base: str, path: str, headers: dict[str, str] | None = None, method: str = "GET"
) -> tuple[int, dict[str, str], bytes]:
    parts = urllib.parse.urlsplit(base)
    conn = http.client.HTTPConnection(parts.hostname or "", parts.port, timeout=60)
    try:
        conn.request(method, path, headers=headers or {})
        response = conn.getresponse()
        return response.status, {k.lower(): v for k, v in response.getheaders()}, response.read()
    finally:
        conn.close()


class _Links(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.links: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        for name, value in attrs:
            if name in ("href", "src", "action") and value:
                self.links.append(value)


@pytest.fixture(scope="module")
def served() -> Iterator[Served]:
    server = Served("--timeout", "2")
    try:
        yield server
    finally:
        server.stop()


def test_every_entity_claim_article_and_term_page_answers(served: Served) -> None:
    kg = igfkg.open()
    paths = [f"/{p.path}" for p in pages(kg)]
    paths += [f"/{c.path}" for c in claims(kg)]
    paths += [f"/{a.path}" for a in articles(kg)]
    paths += [f"/{t.path}" for t in terms(kg)]
    assert len(paths) > 200
    for path in paths:
        status, headers, body = get(served.url, path)
        assert status == 200, path
        assert headers["content-type"].startswith("text/html"), path
        assert b"<h1>" in body, path


def test_every_internal_link_of_the_served_site_resolves(served: Served) -> None:
    """A crawl from the home page: every page, script and download linked answers 200."""
    seen: set[str] = set()
    todo = ["/"]
    while todo:
        path = todo.pop()
        if path in seen:
            continue
        seen.add(path)
        status, headers, body = get(served.url, path)
        assert status == 200, path
        if not headers["content-type"].startswith("text/html"):
            continue
        parser = _Links()
        parser.feed(body.decode("utf-8"))
        for link in parser.links:
            if link.startswith(("http://", "https://", "#", "data:")):
                continue
            target = urllib.parse.urljoin(path, link).split("#")[0]
            if target.startswith("/sparql?") and "example=" not in target:
                continue
            todo.append(target)
    assert len(seen) > 300
    assert any(p.startswith("/queries/") and "answer.csv" in p for p in seen)


@pytest.mark.parametrize("name", ["igf-1", "mecasermin", "study-acerini-1997"])
@pytest.mark.parametrize(
    ("how", "fmt", "parser"),
    [
        ({"Accept": "text/turtle"}, "", "turtle"),
        ({"Accept": "application/n-triples"}, "", "nt"),
        ({"Accept": "application/ld+json;q=0.9, text/html;q=0.5"}, "", "json-ld"),
        ({"Accept": "text/html"}, "?format=ttl", "turtle"),
        ({}, "?format=jsonld", "json-ld"),
        ({}, "?format=nt", "nt"),
    ],
)
def test_content_negotiation_returns_the_entity_triples(
    served: Served, name: str, how: dict[str, str], fmt: str, parser: str
) -> None:
    status, headers, body = get(served.url, f"/kb/{name}{fmt}", how)
    assert status == 200
    assert "Accept" in headers.get("vary", "")
    got = rdflib.Graph().parse(data=body, format=parser)
    iri = rdflib.URIRef(f"https://w3id.org/igfkg/kb/{name}")
    expected = rdflib.Graph()
    for s, p, o, _ in igfkg.open().to_rdflib().quads((iri, None, None, None)):
        expected.add((s, p, o))
    assert len(got) > 5
    assert isomorphic(got, expected)


def test_html_is_the_default_and_unknown_media_is_406(served: Served) -> None:
    status, headers, _ = get(served.url, "/kb/igf-1", {"Accept": "*/*"})
    assert status == 200
    assert headers["content-type"].startswith("text/html")
    status, _, _ = get(served.url, "/kb/igf-1", {"Accept": "image/png"})
    assert status == 406
    status, _, _ = get(served.url, "/kb/igf-1?format=pdf")
    assert status == 406


def test_unknown_entity_is_a_404_page_with_suggestions(served: Served) -> None:
    status, _, body = get(served.url, "/kb/igf1")
    assert status == 404
    text = body.decode("utf-8")
    assert "Did you mean" in text
    assert 'href="/kb/igf-1"' in text
    status, _, _ = get(served.url, "/no/such/page")
    assert status == 404


def _cases() -> list[tuple[str, str, dict[str, str]]]:
    with (GOLDEN / "manifest.tsv").open(encoding="utf-8") as handle:
        return [
            (r["case"], r["query"], dict(p.split("=", 1) for p in r["params"].split(";") if p))
            for r in csv.DictReader(handle, delimiter="\t")
        ]


@pytest.mark.parametrize(("case", "query_id", "params"), _cases(), ids=[c[0] for c in _cases()])
def test_query_forms_answer_as_the_golden_answers(
    served: Served, case: str, query_id: str, params: dict[str, str]
) -> None:
    """The form's download (the values typed in, names resolved as the command line resolves
    them) equals the golden answer; the page shows a table of it."""
    query = urllib.parse.urlencode({**params, "run": "1"})
    status, _, body = get(served.url, f"/queries/{query_id}/answer.tsv?{query}")
    assert status == 200, body[:300]
    expected = (GOLDEN / f"{case}.tsv").read_text(encoding="utf-8").splitlines()
    answer = body.decode("utf-8").splitlines()
    assert answer[0] == expected[0]
    assert sorted(answer[1:]) == sorted(expected[1:])
    status, _, page = get(served.url, f"/queries/{query_id}?{query}")
    assert status == 200
    assert page.count(b"<tr>") == min(len(expected) - 1, 200) + 1


def test_a_form_value_that_names_nothing_says_so(served: Served) -> None:
    status, _, body = get(served.url, "/queries/drug-profile?drug=no+such+drug+xyz&run=1")
    assert status == 400
    assert b'role="alert"' in body


def test_sparql_page_runs_queries_and_refuses_updates_and_service(served: Served) -> None:
    count = "SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }"
    status, _, body = get(served.url, "/sparql?" + urllib.parse.urlencode({"query": count}))
    assert status == 200
    assert b'<th scope="col">n</th>' in body
    for update in ("DROP ALL", "INSERT DATA { <http://x/a> <http://x/b> <http://x/c> }"):
        status, _, body = get(served.url, "/sparql?" + urllib.parse.urlencode({"query": update}))
        assert status == 400
        assert b"read-only" in body
    listener = Listener()
    try:
        service = f"SELECT * WHERE {{ SERVICE <{listener.url}> {{ ?s ?p ?o }} }}"
        status, _, body = get(served.url, "/sparql?" + urllib.parse.urlencode({"query": service}))
        assert status == 400
        assert b"SERVICE" in body
    finally:
        listener.close()
    assert listener.connections == 0
    status, _, _ = get(served.url, "/sparql", method="POST")
    assert status == 405
    status, _, body = get(served.url, "/sparql?example=adverse-effects")
    assert status == 200
    assert b"hasAdverseEffect" in body


def test_a_slow_query_hits_the_time_limit(served: Served) -> None:
    slow = "SELECT (COUNT(*) AS ?n) WHERE { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i . ?j ?k ?l }"
    status, _, body = get(served.url, "/sparql?" + urllib.parse.urlencode({"query": slow}))
    assert status == 400
    assert b"time limit" in body


def test_search_and_autocomplete(served: Served) -> None:
    status, _, body = get(served.url, "/api/search?q=somatomedin")
    assert status == 200
    hits = json.loads(body)["hits"]
    assert hits[0]["iri"] == "https://w3id.org/igfkg/kb/igf-1"
    assert hits[0]["url"] == "/kb/igf-1"
    assert hits[0]["matched"] == "Somatomedin C"
    # the same ranking as the command line's search
    cli = subprocess.run(
        [sys.executable, "-m", "igfkg", "search", "somatomedin", "--format", "json"],
        capture_output=True,
        text=True,
        check=True,
    )
    assert [h["iri"] for h in json.loads(cli.stdout)] == [h["iri"] for h in hits]
    status, _, body = get(served.url, "/search?q=T2D")
    assert status == 200
    assert b'href="/kb/type-2-diabetes"' in body


def test_only_get_and_loopback_hosts(served: Served) -> None:
    status, _, _ = get(served.url, "/kb/igf-1", method="POST")
    assert status == 405
    status, _, _ = get(served.url, "/kb/igf-1", method="HEAD")
    assert status == 200
    status, _, _ = get(served.url, "/kb/igf-1", {"Host": "evil.example:80"})
    assert status == 403
    status, headers, _ = get(served.url, "/")
    assert "default-src 'self'" in headers["content-security-policy"]


@pytest.fixture(scope="module")
def store_served(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Served]:
    """A store with 45 ingested articles on IGF-1, one titled with markup, and an entity
    labelled with markup, served read-only."""
    tmp = tmp_path_factory.mktemp("store")
    store = tmp / "store"
    kg = igfkg.open(f"oxigraph:{store}")
    odd = tmp / "odd.ttl"
    odd.write_text(
        "<https://w3id.org/igfkg/kb/odd> a <https://w3id.org/igfkg/Drug> ;\n"
        '  <http://www.w3.org/2000/01/rdf-schema#label> "<script>alert(1)</script> & co"@en .\n',
        encoding="utf-8",
    )
    kg.load(odd, graph="https://w3id.org/igfkg/graph/odd")
    kg.backend.close()  # type: ignore[attr-defined]
    del kg
    xml = articles_xml(tmp / "a.xml", {30000000 + i: [IGF1] for i in range(45)})
    text = xml.read_text(encoding="utf-8").replace(
        "Article 30000007.", "&lt;img src=x onerror=alert(1)&gt; Article 30000007."
    )
    xml.write_text(text, encoding="utf-8")
    subprocess.run(
        [sys.executable, "-m", "igfkg", "--store", str(store), "ingest", "pubmed", str(xml)],
        check=True,
        capture_output=True,
    )
    server = Served(env={"IGFKG_STORE": str(store)})
    try:
        yield server
    finally:
        server.stop()


def test_store_pages_escape_markup_and_page_long_lists(store_served: Served) -> None:
    status, _, body = get(store_served.url, "/kb/odd")
    assert status == 200
    assert b"<script>alert" not in body
    assert b"&lt;script&gt;alert(1)&lt;/script&gt; &amp; co" in body
    status, _, body = get(store_served.url, "/articles/pmid-30000007")
    assert status == 200
    assert b"<img src=x" not in body
    assert b"&lt;img src=x onerror=alert(1)&gt;" in body
    status, _, body = get(store_served.url, "/kb/igf-1")
    assert status == 200
    assert b'href="/kb/igf-1/literature?page=2"' in body
    listed: list[str] = []
    for number in (1, 2, 3):
        status, _, body = get(store_served.url, f"/kb/igf-1/literature?page={number}")
        assert status == 200
        page = body.decode("utf-8")
        found = [part.split('"')[0] for part in page.split('href="/articles/')[1:]]
        assert len(found) <= 20
        listed += found
        assert ('rel="next"' in page) == (number < 3)
    assert len(listed) == len(set(listed)) == 46  # 45 ingested and the seed review
    status, _, _ = get(store_served.url, "/kb/igf-1/literature?page=0")
    assert status == 400


def test_writable_site_shows_changes_at_once() -> None:
    """With --writable nothing is cached: a write shows on the next page and in search."""
    server = Served("--writable", "--no-diagrams")
    try:
        status, _, body = get(server.url, "/kb/igf-1")
        assert status == 200
        assert b"Zebrafish growth token" not in body
        update = (
            "INSERT DATA { GRAPH <https://w3id.org/igfkg/graph/kb> { "
            "<https://w3id.org/igfkg/kb/igf-1> <http://www.w3.org/2004/02/skos/core#altLabel> "
            '"Zebrafish growth token"@en } }'
        )
        parts = urllib.parse.urlsplit(server.url)
        conn = http.client.HTTPConnection(parts.hostname or "", parts.port, timeout=60)
        conn.request(
            "POST", "/update", body=update, headers={"Content-Type": "application/sparql-update"}
        )
        assert conn.getresponse().status == 204
        conn.close()
        status, _, body = get(server.url, "/kb/igf-1")
        assert b"Zebrafish growth token" in body
        status, _, body = get(server.url, "/api/search?q=zebrafish+growth")
        assert json.loads(body)["hits"][0]["iri"] == "https://w3id.org/igfkg/kb/igf-1"
    finally:
        server.stop()
