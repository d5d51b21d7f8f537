"""The ontology's documentation page (pyLODE-style): a section for every term of the ontology
files, every internal link resolves, values are escaped, restrictions are readable, nothing is
loaded from another host, the same graph gives the same bytes; written by ``igfkg build`` and
listed in VoID with its checksum, exported by the static site and served at ``/ontology``."""

from __future__ import annotations

import asyncio
import hashlib
import subprocess
import sys
from html.parser import HTMLParser
from pathlib import Path

import httpx
import pytest
import rdflib

import igfkg
from igfkg.core.errors import OutputError
from igfkg.core.namespaces import GRAPH_ONTOLOGY
from igfkg.release.build import build
from igfkg.web.ontology_doc import SECTIONS, ontology_doc

IGFKG = "https://w3id.org/igfkg/"
OWL = rdflib.OWL
KINDS = {
    OWL.Class: "classes",
    OWL.ObjectProperty: "object-properties",
    OWL.DatatypeProperty: "datatype-properties",
    OWL.AnnotationProperty: "annotation-properties",
    OWL.NamedIndividual: "named-individuals",
}


class _Page(HTMLParser):
    """Ids, links, the section each term is in, and the table of contents of a page."""

    def __init__(self) -> None:
        super().__init__()
        self.ids: list[str] = []
        self.links: list[tuple[str, str]] = []
        self.tags: set[str] = set()
        self.section = ""
        self.term_sections: dict[str, str] = {}
        self.toc: dict[str, list[str]] = {}
        self._toc_part = ""
        self._in_toc = False
        self._text: list[str] | None = None

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        values = {k: v or "" for k, v in attrs}
        self.tags.add(tag)
        if "id" in values:
            self.ids.append(values["id"])
        for name in ("href", "src"):
            if name in values:
                self.links.append((name, values[name]))
        if tag == "h2" and "id" in values:
            self.section = values["id"]
        if tag == "section" and values.get("class") == "term":
            self.term_sections[values["id"]] = self.section
        if tag == "nav" and values.get("id") == "toc":
            self._in_toc = True
        if self._in_toc and tag == "a":
            href = values["href"][1:]
            if href in {anchor for _, anchor, _ in SECTIONS} | {"reused", "axioms", "namespaces"}:
                self._toc_part = href
            else:
                self.toc.setdefault(self._toc_part, []).append(href)
                self._text = []

    def handle_endtag(self, tag: str) -> None:
        if tag == "nav":
            self._in_toc = False
        if tag == "a" and self._text is not None:
            self.toc[self._toc_part][-1] = "".join(self._text)
            self._text = None

    def handle_data(self, data: str) -> None:
        if self._text is not None:
            self._text.append(data)


def _parse(html: str) -> _Page:
    page = _Page()
    page.feed(html)
    return page


@pytest.fixture(scope="module")
def html() -> str:
    return ontology_doc(igfkg.open()).decode("utf-8")


def test_every_term_of_the_ontology_files_has_a_section(html: str) -> None:
    import igfkg.core.resources as res

    g = rdflib.Graph()
    for path in res.ontology_files():
        g.parse(path)
    expected: dict[str, str] = {}
    for kind, section in KINDS.items():
        for term in g.subjects(rdflib.RDF.type, kind):
            name = str(term).removeprefix(IGFKG)
            if isinstance(term, rdflib.URIRef) and str(term).startswith(IGFKG) and "/" not in name:
                expected.setdefault(name, section)  # the first kind in this order decides
    assert len([s for s in expected.values() if s == "classes"]) > 30
    assert {"object-properties", "datatype-properties", "annotation-properties"} <= set(
        expected.values()
    )
    assert len([s for s in expected.values() if s == "named-individuals"]) > 10
    page = _parse(html)
    for name, section in expected.items():
        assert page.term_sections.get(name) == section, name
    own = {a: s for a, s in page.term_sections.items() if ":" not in a}
    assert own == expected  # and nothing else of igfkg's own
    # the table of contents lists each section's terms by label, alphabetically
    for _, section, _ in SECTIONS:
        labels = page.toc[section]
        assert labels == sorted(labels, key=str.casefold), section
        assert len(labels) == len([s for s in expected.values() if s == section])


def test_every_anchor_resolves_and_nothing_comes_from_another_host(html: str) -> None:
    page = _parse(html)
    assert len(page.ids) == len(set(page.ids)), "an id is used twice"
    internal = [v for _, v in page.links if v.startswith("#")]
    assert len(internal) > 500
    for link in internal:
        assert link[1:] in page.ids, link
    # no asset from anywhere: no scripts, stylesheets, images or frames, CSS inline only
    assert not [v for name, v in page.links if name == "src"]
    assert not page.tags & {"script", "link", "img", "iframe", "object", "embed"}
    assert "url(" not in html
    assert "@import" not in html
    # external links are plain web links
    for _, link in page.links:
        assert link.startswith(("#", "http://", "https://")), link


def test_header_term_details_and_mappings(html: str) -> None:
    assert "<h1>igfkg: the GH–IGF-1 axis in diabetes mellitus</h1>" in html
    for row in ("IRI", "Version IRI", "Version", "Licence", "Created"):
        assert f"<dt>{row}</dt>" in html, row
    assert "https://w3id.org/igfkg/ontology/2026-11-30" in html
    assert "https://creativecommons.org/licenses/by/4.0/" in html
    assert "<dt>Imports</dt>" not in html  # the ontology imports nothing: nothing is shown
    assert "<dt>Creators</dt>" not in html
    assert "<code>skos</code></td><td><code>http://www.w3.org/2004/02/skos/core#</code>" in html
    drug = _term(html, "Drug")
    assert _row(drug, "Super-classes") == '<a href="#MolecularEntity">molecular entity</a>'
    assert '<a href="#hasAdverseEffect">has adverse effect</a>' in _row(drug, "In domain of")
    member = _term(html, "memberOf")
    assert 'Inverse of</th><td><a href="#hasMember">' in member
    has_member = _term(html, "hasMember")
    assert 'Inverse of</th><td><a href="#memberOf">' in has_member  # stated on memberOf only
    interacts = _term(html, "interactsWith")
    assert (
        '<a href="#BiologicalProcess">biological process</a> <span class="kw">or</span> '
        '<a href="#EndocrineSystem">endocrine system</a>' in interacts
    )
    assert "symmetric" in interacts
    assert '<a href="http://purl.obolibrary.org/obo/RO_0002434"><code>RO:0002434</code></a>' in (
        interacts
    )
    certainty = _term(html, "CertaintyLevel")
    assert '{<a href="#Established">established</a>, ' in certainty  # owl:oneOf
    assert '<a href="#Probable">probable</a>' in _row(certainty, "Instances")
    system = _term(html, "EndocrineSystem")
    assert '<a href="#interactsWith">' in _row(system, "In domain of")  # in a union domain


def _term(html: str, anchor: str) -> str:
    start = html.index(f'<section class="term" id="{anchor}">')
    return html[start : html.index("</section>", start)]


def _row(term: str, title: str) -> str:
    start = term.index(f'<th scope="row">{title}</th><td>') + len(title) + 25
    return term[start : term.index("</td></tr>", start)]


ODD = """
@prefix igfkg: <https://w3id.org/igfkg/> .
@prefix owl: <http://www.w3.org/2002/07/owl#> .
@prefix rdfs: <http://www.w3.org/2000/01/rdf-schema#> .
@prefix skos: <http://www.w3.org/2004/02/skos/core#> .
@prefix xsd: <http://www.w3.org/2001/XMLSchema#> .
@prefix dcterms: <http://purl.org/dc/terms/> .

<https://w3id.org/igfkg/ontology> dcterms:creator "A. <b>Curator</b>" ;
    owl:imports <http://purl.obolibrary.org/obo/ro.owl> .

igfkg:OddThing a owl:Class ;
    rdfs:label "<script>alert(1)</script> & co"@en ;
    skos:definition "Defined with <b>markup</b> & \\"quotes\\"."@en ;
    rdfs:subClassOf igfkg:Drug ,
        [ a owl:Restriction ; owl:onProperty igfkg:hasAdverseEffect ;
          owl:someValuesFrom igfkg:AdverseEvent ] ,
        [ a owl:Restriction ; owl:onProperty igfkg:hasRouteOfAdministration ;
          owl:allValuesFrom [ a owl:Class ; owl:unionOf ( igfkg:RouteOfAdministration
                                                          igfkg:Drug ) ] ] ,
        [ a owl:Restriction ; owl:onProperty igfkg:articleCount ;
          owl:minQualifiedCardinality "1"^^xsd:nonNegativeInteger ; owl:onDataRange xsd:integer ] ,
        [ a owl:Restriction ; owl:onProperty [ owl:inverseOf igfkg:hasAdverseEffect ] ;
          owl:hasValue igfkg:Established ] ;
    skos:exactMatch <javascript:alert(1)> ;
    rdfs:seeAlso <https://example.org/x?a=1&b=%222%22> ;
    skos:editorialNote "<img src=x onerror=alert(1)>" .
"""


def test_values_are_escaped_and_restrictions_readable(tmp_path: Path) -> None:
    kg = igfkg.open()
    data = tmp_path / "odd.ttl"
    data.write_text(ODD, encoding="utf-8")
    kg.load(data, graph=GRAPH_ONTOLOGY)
    html = ontology_doc(kg).decode("utf-8")
    assert "<script>" not in html
    assert "<img" not in html
    assert "<b>" not in html
    assert "javascript:" not in html.replace("<code>javascript:alert(1)</code>", "")
    odd = _term(html, "OddThing")
    assert "<h3>&lt;script&gt;alert(1)&lt;/script&gt; &amp; co <span" in odd
    assert "Defined with &lt;b&gt;markup&lt;/b&gt; &amp; &#34;quotes&#34;." in odd
    assert "&lt;img src=x onerror=alert(1)&gt;" in odd
    assert '<a href="https://example.org/x?a=1&amp;b=%222%22">' in odd
    assert "<code>javascript:alert(1)</code>" in odd  # shown, never a link
    # the restrictions, in words
    kw = '<span class="kw">{}</span>'
    expected = [
        '<a href="#hasAdverseEffect">has adverse effect</a> '
        + kw.format("some")
        + ' <a href="#AdverseEvent">adverse event</a>',
        '<a href="#hasRouteOfAdministration">has route of administration</a> '
        + kw.format("only")
        + ' (<a href="#RouteOfAdministration">route of administration</a> '
        + kw.format("or")
        + ' <a href="#Drug">drug</a>)',  # in the order of the list
        '<a href="#articleCount">article count</a> '
        + kw.format("min")
        + ' 1 <a href="http://www.w3.org/2001/XMLSchema#integer"><code>xsd:integer</code></a>',
        kw.format("inverse")
        + ' <a href="#hasAdverseEffect">has adverse effect</a> '
        + kw.format("value")
        + ' <a href="#Established">established</a>',
    ]
    restrictions = odd[odd.index("Restrictions</th>") :]
    for text in expected:
        assert text in restrictions, text
    assert 'Super-classes</th><td><a href="#Drug">drug</a></td>' in odd
    drug = _term(html, "Drug")
    assert '<a href="#OddThing">&lt;script&gt;alert(1)&lt;/script&gt; &amp; co</a>' in drug
    # the ontology's own statements, and only those, in the header
    assert "<dt>Creators</dt><dd>A. &lt;b&gt;Curator&lt;/b&gt;</dd>" in html
    assert '<dt>Imports</dt><dd><a href="http://purl.obolibrary.org/obo/ro.owl">' in html
    page = _parse(html)
    assert all(link[1:] in page.ids for _, link in page.links if link.startswith("#"))


def test_same_graph_same_bytes(html: str) -> None:
    assert ontology_doc(igfkg.open()).decode("utf-8") == html
    assert ontology_doc(igfkg.open("rdflib:")).decode("utf-8") == html  # another engine
    code = (
        "import hashlib, igfkg; from igfkg.web.ontology_doc import ontology_doc; "
        "print(hashlib.sha256(ontology_doc(igfkg.open())).hexdigest())"
    )
    other = subprocess.run(  # another process: other hash seeds, other blank node labels
        [sys.executable, "-c", code], capture_output=True, text=True, check=True
    ).stdout.strip()
    assert other == hashlib.sha256(html.encode("utf-8")).hexdigest()


def test_build_writes_it_and_void_lists_its_checksum(tmp_path: Path, html: str) -> None:
    out = tmp_path / "release"
    done = subprocess.run(
        [sys.executable, "-m", "igfkg", "build", "-o", str(out)],
        capture_output=True,
        text=True,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    written = (out / "ontology.html").read_bytes()
    assert written == html.encode("utf-8")
    digest = hashlib.sha256(written).hexdigest()
    assert f"{digest}  {out / 'ontology.html'}" in done.stdout
    void = rdflib.Graph().parse(out / "void.ttl")
    spdx = rdflib.Namespace("http://spdx.org/rdf/terms#")
    dcat = rdflib.Namespace("http://www.w3.org/ns/dcat#")
    dist = rdflib.URIRef("https://w3id.org/igfkg/dataset/file/ontology.html")
    assert (rdflib.URIRef("https://w3id.org/igfkg/dataset"), dcat.distribution, dist) in void
    checksum = void.value(dist, spdx.checksum)
    assert str(void.value(checksum, spdx.checksumValue)) == digest
    helped = subprocess.run(
        [sys.executable, "-m", "igfkg", "build", "--help"],
        capture_output=True,
        text=True,
        check=True,
    )
    assert "ontology.html" in helped.stdout


@pytest.mark.parametrize("name", ["../ontology.html", "a/b.html", ".hidden", "", "a b.html"])
def test_build_refuses_extra_names_before_writing(tmp_path: Path, name: str) -> None:
    out = tmp_path / "release"
    with pytest.raises(OutputError, match="file name"):
        build(igfkg.open(), out, extra={name: b"x"})
    assert not out.exists() or not any(out.iterdir())
    assert not (tmp_path / "ontology.html").exists()


@pytest.mark.parametrize("name", ["igfkg.nq", "void.ttl"])
def test_extra_file_clashing_with_an_artefact_is_refused(tmp_path: Path, name: str) -> None:
    with pytest.raises(OutputError, match="writes a file of that name itself"):
        build(igfkg.open(), tmp_path / "r", extra={name: b"x"})
    assert not (tmp_path / "r").exists() or not any((tmp_path / "r").iterdir())


def test_static_site_and_served_app_show_it(tmp_path: Path, html: str) -> None:
    from igfkg.web.app import create_app
    from igfkg.web.site import build_site

    kg = igfkg.open()
    out = tmp_path / "site"
    build_site(kg, out, diagrams=False)
    exported = (out / "ontology.html").read_text(encoding="utf-8")
    assert '<a href="index.html">igfkg home</a>' in exported
    assert exported.replace('<nav class="home" aria-label="site"><a href="index.html">igfkg '
                            'home</a></nav>\n', "") == html  # fmt: skip
    assert '<a href="ontology.html">' in (out / "index.html").read_text(encoding="utf-8")
    assert (out / "ontology" / "Drug" / "index.html").is_file()  # the term pages stay

    async def get(path: str) -> httpx.Response:
        app = create_app(kg, kg, diagrams=False)
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="http://127.0.0.1") as c:
            return await c.get(path)

    served = asyncio.run(get("/ontology"))
    assert served.status_code == 200
    assert served.headers["content-type"].startswith("text/html")
    assert '<a href="/">igfkg home</a>' in served.text
    assert '<section class="term" id="Drug">' in served.text
    home = asyncio.run(get("/"))
    assert '<a href="/ontology">' in home.text
    assert asyncio.run(get("/ontology/Drug")).status_code == 200
