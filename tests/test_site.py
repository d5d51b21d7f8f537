"""The static site: every page and internal link resolves, values are escaped, hedged claims
are marked, the Turtle beside each page is the entity's triples, builds are deterministic,
and an existing folder is not replaced by accident."""

from __future__ import annotations

from html.parser import HTMLParser
from pathlib import Path

import pytest
import rdflib
from rdflib.compare import isomorphic

import igfkg
from igfkg.core.errors import OutputError
from igfkg.web.site import build_site


class _Links(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.links: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        for name, value in attrs:
            if name in ("href", "src") and value:
                self.links.append(value)


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("site") / "out"
    build_site(igfkg.open(), out)
    return out


def test_every_internal_link_resolves(site: Path) -> None:
    pages = sorted(site.rglob("*.html"))
    assert len(pages) > 100
    for page in pages:
        parser = _Links()
        parser.feed(page.read_text(encoding="utf-8"))
        for link in parser.links:
            if link.startswith(("http://", "https://", "#")):
                continue
            assert (page.parent / link).resolve().is_file(), (page, link)


def test_entity_page_shows_claims_hedges_evidence_and_diagram(site: Path) -> None:
    html = (site / "kb" / "igf-1" / "index.html").read_text(encoding="utf-8")
    assert "<h1>insulin-like growth factor 1</h1>" in html
    assert 'class="hedged"' in html
    assert "(hedged: experimental only)" in html
    assert "<svg" in html
    # each synonym says where it came from
    assert (
        '<li>Somatomedin C <small>(exact, MeSH entry term, from <a href="https://meshb.nlm.nih.gov'
        '/record/ui?ui=D007334">MESH:D007334</a>)</small></li>'
    ) in html
    mecasermin = (site / "kb" / "mecasermin" / "index.html").read_text(encoding="utf-8")
    assert "evidence: " in mecasermin
    assert "https://pubmed.ncbi.nlm.nih.gov/15832492" in mecasermin


def test_turtle_beside_each_page_is_the_entity_triples(site: Path) -> None:
    kg = igfkg.open()
    for name in ("igf-1", "study-acerini-1997", "mecasermin"):
        for other, parser in (("nt", "nt"), ("jsonld", "json-ld")):
            alternate = rdflib.Graph().parse(site / "kb" / name / f"index.{other}", format=parser)
            assert isomorphic(alternate, rdflib.Graph().parse(site / "kb" / name / "index.ttl"))
        page = rdflib.Graph().parse(site / "kb" / name / "index.ttl", format="turtle")
        iri = f"https://w3id.org/igfkg/kb/{name}"
        expected = rdflib.Graph()
        for s, p, o, _ in kg.to_rdflib().quads((rdflib.URIRef(iri), None, None, None)):
            expected.add((s, p, o))
        assert len(page) > 5
        assert isomorphic(page, expected), name


def test_values_are_escaped(tmp_path: Path) -> None:
    kg = igfkg.open()
    data = tmp_path / "odd.ttl"
    data.write_text(
        "<https://w3id.org/igfkg/kb/odd> a <https://w3id.org/igfkg/Drug> ;\n"
        '  <http://www.w3.org/2000/01/rdf-schema#label> "<script>alert(1)</script> & co"@en .\n',
        encoding="utf-8",
    )
    kg.load(data, graph="https://w3id.org/igfkg/graph/odd")
    out = tmp_path / "site"
    build_site(kg, out, diagrams=False)
    html = (out / "kb" / "odd" / "index.html").read_text(encoding="utf-8")
    assert "<script>" not in html
    assert "&lt;script&gt;alert(1)&lt;/script&gt; &amp; co" in html
    home = (out / "index.html").read_text(encoding="utf-8")
    assert "<script>" not in home


def test_builds_are_deterministic_and_never_replace_by_accident(tmp_path: Path) -> None:
    kg = igfkg.open()
    one, two = tmp_path / "one", tmp_path / "two"
    build_site(kg, one, diagrams=False)
    build_site(kg, two, diagrams=False)
    files = sorted(p.relative_to(one) for p in one.rglob("*") if p.is_file())
    assert files == sorted(p.relative_to(two) for p in two.rglob("*") if p.is_file())
    assert all((one / f).read_bytes() == (two / f).read_bytes() for f in files)
    with pytest.raises(OutputError, match="not an empty folder"):
        build_site(kg, one, diagrams=False)
    assert (one / "index.html").is_file()
    build_site(kg, one, diagrams=False, force=True)
    assert not [p for p in tmp_path.iterdir() if p.name.startswith(".igfkg-site-")]


def test_cli_site_exit_codes(tmp_path: Path) -> None:
    import subprocess
    import sys

    out = tmp_path / "s"
    done = subprocess.run(
        [sys.executable, "-m", "igfkg", "site", "-o", str(out), "--no-diagrams"],
        capture_output=True,
        text=True,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    assert (out / "index.html").is_file()
    again = subprocess.run(
        [sys.executable, "-m", "igfkg", "site", "-o", str(out), "--no-diagrams"],
        capture_output=True,
        text=True,
        check=False,
    )
    assert again.returncode == 2
    assert again.stderr.count("\n") == 1
    assert "--force" in again.stderr


def test_claim_and_article_pages(site: Path) -> None:
    claim = (site / "claims" / "mecasermin-improves-glycaemic-control" / "index.html").read_text(
        encoding="utf-8"
    )
    assert '<p class="hedged">' in claim
    assert "<dt>hedge words</dt><dd>generally</dd>" in claim
    assert "Evidence from primary studies" in claim
    assert "kb/study-acerini-1997/index.html" in claim
    established = (site / "claims" / "mecasermin-is-recombinant-igf-1" / "index.html").read_text(
        encoding="utf-8"
    )
    assert 'class="hedged"' not in established
    seed = (site / "articles" / "pmid-15832492" / "index.html").read_text(encoding="utf-8")
    assert "Insulin-Like Growth Factor I/therapeutic use <strong>(major topic)</strong>" in seed
    assert "claims/igf-1-protects-against-neuropathy/index.html" in seed
    study_article = (site / "articles" / "pmid-9652560" / "index.html").read_text(encoding="utf-8")
    assert "kb/study-acerini-1997/index.html" in study_article
    entity = (site / "kb" / "igf-1" / "index.html").read_text(encoding="utf-8")
    assert "../../claims/igf-1-protects-against-neuropathy/index.html" in entity
    home = (site / "index.html").read_text(encoding="utf-8")
    assert "articles/pmid-15832492/index.html" in home


def test_ontology_pages(site: Path) -> None:
    import igfkg.core.resources as res

    g = rdflib.Graph()
    for path in res.ontology_files():
        g.parse(path)
    owl = rdflib.OWL
    classes = {
        str(c).removeprefix("https://w3id.org/igfkg/")
        for c in g.subjects(rdflib.RDF.type, owl.Class)
        if isinstance(c, rdflib.URIRef) and str(c).startswith("https://w3id.org/igfkg/")
    }
    assert len(classes) > 30
    for name in classes:
        assert (site / "ontology" / name / "index.html").is_file(), name
    drug = (site / "ontology" / "Drug" / "index.html").read_text(encoding="utf-8")
    assert "<dt>domain of</dt>" in drug
    assert "ontology/hasAdverseEffect/index.html" in drug
    study = (site / "ontology" / "Study" / "index.html").read_text(encoding="utf-8")
    assert "owl:Class" not in study
    entity = (site / "kb" / "igf-1" / "index.html").read_text(encoding="utf-8")
    assert '<a href="../../ontology/PeptideHormone/index.html">' in entity


def test_query_pages_answer_as_the_golden_answers(site: Path) -> None:
    """Each canned query has a page; with default parameters its answer (TSV beside the page)
    is the golden answer, the page shows the SPARQL and links entities to their pages."""
    import csv

    from igfkg.explore.catalog import catalog

    golden = Path(__file__).parent / "data" / "golden"
    assert {p.name for p in (site / "queries").iterdir()} == set(catalog().ids())
    with (golden / "manifest.tsv").open(encoding="utf-8") as handle:
        defaults = [r for r in csv.DictReader(handle, delimiter="\t") if not r["params"]]
    assert len(defaults) > 10
    compared = 0
    for row in defaults:
        query = catalog().get(row["query"])
        answer = site / "queries" / row["query"] / "answer.tsv"
        if query.inference or query.literature_index:
            # not run by the build: it would write the closure or the index into the store
            assert not answer.exists()
            text = (answer.parent / "index.html").read_text(encoding="utf-8")
            assert "Not run while writing the site" in text
            continue
        compared += 1
        assert answer.read_text(encoding="utf-8") == (golden / f"{row['case']}.tsv").read_text(
            encoding="utf-8"
        ), row["case"]
    assert compared > 10
    page = (site / "queries" / "adverse-effects" / "index.html").read_text(encoding="utf-8")
    assert "<pre>#+ question:" in page
    assert '<a href="../../kb/mecasermin/index.html">' in page
    needs = (site / "queries" / "entity" / "index.html").read_text(encoding="utf-8")
    assert "Needs a value" in needs
