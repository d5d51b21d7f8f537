"""The graph as a static web site: a home page and one page per knowledge-base entity and study
(label, types, definition, synonyms, mappings as links, relations with their evidence, hedged
claims marked, support by primary studies, the neighbourhood diagram), each with its Turtle
beside it. Deterministic, relative links, every value escaped; written whole.

>>> import igfkg, tempfile
>>> from pathlib import Path
>>> out = Path(tempfile.mkdtemp()) / "site"
>>> pages = build_site(igfkg.open(), out, diagrams=False)
>>> (out / "kb" / "igf-1" / "index.html").is_file(), (out / "kb" / "igf-1" / "index.ttl").is_file()
(True, True)
"""

from __future__ import annotations

import shutil
import tempfile
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

import pyoxigraph as ox
from markupsafe import Markup, escape

from igfkg.core import sparql
from igfkg.core.errors import OutputError
from igfkg.core.namespaces import PREFIXES, compact, expand_curie
from igfkg.explore.catalog import catalog
from igfkg.explore.describe import describe
from igfkg.explore.diagram import axis_diagram, neighbourhood, render
from igfkg.explore.support import claim_support
from igfkg.store.formats import OX_FORMATS

if TYPE_CHECKING:
    import jinja2

    from igfkg.explore.traversal import Edge
    from igfkg.store.port import GraphPort

__all__ = ["Page", "build_site"]

KB = "https://w3id.org/igfkg/kb/"
_ENTITIES = sparql.load("igfkg.web", "site-entities")
_TRIPLES = sparql.load("igfkg.web", "site-entity-triples")
_CLAIMS = sparql.load("igfkg.web", "site-claims")
_CLAIM_DETAILS = sparql.load("igfkg.web", "site-claim-details")
_CLAIM_EVIDENCE = sparql.load("igfkg.web", "site-claim-evidence")
_ARTICLES = sparql.load("igfkg.web", "site-articles")
_HEADINGS = sparql.load("igfkg.web", "site-article-headings")
_REPORTS = sparql.load("igfkg.web", "site-reports")
_TERMS = sparql.load("igfkg.web", "site-terms")
_TERM_LINKS = sparql.load("igfkg.web", "site-term-links")
IGFKG = "https://w3id.org/igfkg/"
_KINDS = {
    "http://www.w3.org/2002/07/owl#Class": "class",
    "http://www.w3.org/2002/07/owl#ObjectProperty": "object property",
    "http://www.w3.org/2002/07/owl#DatatypeProperty": "datatype property",
    "http://www.w3.org/2002/07/owl#AnnotationProperty": "annotation property",
    "http://www.w3.org/2002/07/owl#NamedIndividual": "individual (value list)",
}
_LINKS = {
    "http://www.w3.org/2000/01/rdf-schema#subClassOf": ("super-classes", "sub-classes"),
    "http://www.w3.org/2000/01/rdf-schema#subPropertyOf": ("super-properties", "sub-properties"),
    "http://www.w3.org/2000/01/rdf-schema#domain": ("domain", "domain of"),
    "http://www.w3.org/2000/01/rdf-schema#range": ("range", "range of"),
    "http://www.w3.org/2002/07/owl#inverseOf": ("inverse", "inverse"),
    "http://www.w3.org/1999/02/22-rdf-syntax-ns#type": ("type", "members"),
    "http://www.w3.org/2004/02/skos/core#exactMatch": ("exact match", ""),
    "http://www.w3.org/2004/02/skos/core#closeMatch": ("close match", ""),
    "http://www.w3.org/2004/02/skos/core#broadMatch": ("broad match", ""),
    "http://www.w3.org/2004/02/skos/core#narrowMatch": ("narrow match", ""),
}
# Where a mapped identifier can be looked up (the resolver of its vocabulary).
_RESOLVERS = {
    "http://id.nlm.nih.gov/mesh/": "https://meshb.nlm.nih.gov/record/ui?ui=",
    "http://purl.uniprot.org/uniprot/": "https://www.uniprot.org/uniprotkb/",
    "http://identifiers.org/": "https://identifiers.org/",
    "http://purl.obolibrary.org/obo/": "http://purl.obolibrary.org/obo/",
    "http://www.ncbi.nlm.nih.gov/pubmed/": "https://pubmed.ncbi.nlm.nih.gov/",
    "https://doi.org/": "https://doi.org/",
}


@dataclass(frozen=True)
class Page:
    """One entity page: the entity, its label and type, its path under the site root."""

    iri: str
    label: str
    type_label: str

    @property
    def name(self) -> str:
        return self.iri.removeprefix(KB)

    @property
    def href(self) -> str:
        return f"kb/{self.name}/index.html"


@dataclass
class ClaimPage:
    """One claim: its statement, certainty, quote, source, qualifiers and evidence."""

    id: str
    s: str
    s_label: str
    p_label: str
    o: str
    o_label: str
    certainty: str
    quote: str
    source: str
    group: str
    details: list[tuple[str, list[str]]]
    evidence: list[tuple[str, str, str, str]]

    @property
    def href(self) -> str:
        return f"claims/{self.id}/index.html"

    @property
    def hedged(self) -> bool:
        return self.certainty != "established"


@dataclass(frozen=True)
class ArticlePage:
    """One curated publication (a claim's source or a study's report)."""

    iri: str
    title: str
    pmid: str
    doi: str
    year: str
    journal: str
    first_author: str

    @property
    def slug(self) -> str:
        if self.pmid:
            return f"pmid-{self.pmid}"
        return "doi-" + "".join(c if c.isalnum() or c in "._-" else "-" for c in self.doi)

    @property
    def href(self) -> str:
        return f"articles/{self.slug}/index.html"


def _value(row: object, name: str) -> str:
    term = row[name]  # type: ignore[index]
    return "" if term is None else str(term.value)


def claims(kg: GraphPort) -> list[ClaimPage]:
    """Every claim, with its qualifiers and the findings it points at."""
    details: dict[str, dict[str, list[str]]] = {}
    for row in kg.select(_CLAIM_DETAILS):
        value = _value(row, "valueLabel") or _value(row, "value")
        details.setdefault(_value(row, "id"), {}).setdefault(_value(row, "kind"), []).append(value)
    evidence: dict[str, list[tuple[str, str, str, str]]] = {}
    for row in kg.select(_CLAIM_EVIDENCE):
        evidence.setdefault(_value(row, "id"), []).append(
            (
                _value(row, "relation"),
                _value(row, "study"),
                _value(row, "studyLabel"),
                _value(row, "findingLabel") or compact(_value(row, "finding")),
            )
        )
    out = []
    for row in kg.select(_CLAIMS):
        claim = _value(row, "id")
        out.append(
            ClaimPage(
                claim,
                _value(row, "s"),
                _value(row, "sLabel") or compact(_value(row, "s")),
                _value(row, "pLabel") or compact(_value(row, "p")),
                _value(row, "o"),
                _value(row, "oLabel") or compact(_value(row, "o")),
                _value(row, "certainty"),
                _value(row, "quote"),
                _value(row, "source"),
                _value(row, "group"),
                sorted(details.get(claim, {}).items()),
                evidence.get(claim, []),
            )
        )
    return out


def articles(kg: GraphPort) -> list[ArticlePage]:
    """The curated publications."""
    found: dict[str, ArticlePage] = {}
    for row in kg.select(_ARTICLES):
        iri = _value(row, "article")
        found.setdefault(
            iri,
            ArticlePage(
                iri,
                _value(row, "title"),
                _value(row, "pmid"),
                _value(row, "doi"),
                _value(row, "year"),
                _value(row, "journal"),
                _value(row, "firstAuthor"),
            ),
        )
    return sorted(found.values(), key=lambda a: (a.title.casefold(), a.iri))


@dataclass
class TermPage:
    """One ontology term: kinds, label, definition, and its links to other terms."""

    iri: str
    label: str
    definition: str
    kinds: list[str]
    links: list[tuple[str, list[tuple[str, str]]]]

    @property
    def href(self) -> str:
        return f"ontology/{self.iri.removeprefix(IGFKG)}/index.html"


def terms(kg: GraphPort) -> list[TermPage]:
    """The ontology's classes, properties and value-list individuals, each with its super-
    and sub-terms, domain and range (and what has it as domain or range), inverse and
    mappings."""
    found: dict[str, TermPage] = {}
    for row in kg.select(_TERMS):
        iri = _value(row, "term")
        page = found.setdefault(
            iri,
            TermPage(
                iri,
                _value(row, "label") or compact(iri),
                _value(row, "definition"),
                [],
                [],
            ),
        )
        kind = _KINDS[_value(row, "kind")]
        if kind not in page.kinds:
            page.kinds.append(kind)
    links: dict[str, dict[str, list[tuple[str, str]]]] = {}
    labels = {iri: page.label for iri, page in found.items()}
    for row in kg.select(_TERM_LINKS):
        term, other, relation = _value(row, "term"), _value(row, "other"), _value(row, "relation")
        label = labels.get(other) or _value(row, "otherLabel") or compact(other)
        forward, backward = _LINKS[relation]
        links.setdefault(term, {}).setdefault(forward, []).append((other, label))
        if backward and other in found:
            links.setdefault(other, {}).setdefault(backward, []).append(
                (term, labels.get(term, compact(term)))
            )
    for iri, page in found.items():
        page.links = [
            (title, sorted(set(items), key=lambda item: (item[1].casefold(), item[0])))
            for title, items in sorted(links.get(iri, {}).items())
        ]
    return sorted(found.values(), key=lambda t: (t.label.casefold(), t.iri))


def _external(iri: str) -> str | None:
    """A web address for an external identifier, or None."""
    for prefix, url in _RESOLVERS.items():
        if iri.startswith(prefix):
            local = iri[len(prefix) :]
            if prefix == "http://id.nlm.nih.gov/mesh/" and local[:1] not in ("D", "C", "Q"):
                return None
            return url + local
    return iri if iri.startswith(("http://", "https://")) else None


def pages(kg: GraphPort) -> list[Page]:
    """The pages of the site: every KB entity and study, with its most specific type."""
    found: dict[str, Page] = {}
    for row in kg.select(_ENTITIES):
        entity, label, type_label = row["entity"], row["label"], row["typeLabel"]
        if entity is None or entity.value in found:
            continue
        name = entity.value.removeprefix(KB)
        if "/" in name or not name:
            continue
        found[entity.value] = Page(
            entity.value,
            label.value if label is not None else compact(entity.value),
            type_label.value if type_label is not None else "entity",
        )
    return sorted(found.values(), key=lambda p: (p.type_label.casefold(), p.label.casefold()))


def build_site(
    kg: GraphPort, output: Path, *, diagrams: bool = True, force: bool = False
) -> list[Page]:
    """Write the site under ``output`` (a new or empty folder, or any folder with ``force``):
    built in a temporary folder beside it, then moved into place."""
    import jinja2

    output = Path(output)
    if output.exists() and (not output.is_dir() or (any(output.iterdir()) and not force)):
        raise OutputError(
            f"{output}: exists and is not an empty folder; pass --force to replace it"
        )
    env = jinja2.Environment(
        loader=jinja2.PackageLoader("igfkg.web", "templates"),
        autoescape=True,
        keep_trailing_newline=True,
    )
    every = pages(kg)
    known = {p.iri: p for p in every}
    all_claims = claims(kg)
    by_id = {c.id: c for c in all_claims}
    all_articles = articles(kg)
    all_terms_for_index = terms(kg)
    term_index = {t.iri: t for t in all_terms_for_index}
    output.parent.mkdir(parents=True, exist_ok=True)
    work = Path(tempfile.mkdtemp(prefix=".igfkg-site-", dir=output.parent))
    try:
        for page in every:
            folder = work / "kb" / page.name
            folder.mkdir(parents=True)
            (folder / "index.ttl").write_bytes(_turtle(kg, page.iri))
            html = _entity_page(env, kg, page, known, by_id, term_index, diagrams)
            (folder / "index.html").write_text(html, encoding="utf-8")
        support = claim_support(kg)
        page_link = _linker("../../", known)
        sources = {a.iri: a for a in all_articles}
        for claim in all_claims:
            folder = work / "claims" / claim.id
            folder.mkdir(parents=True)
            shown = sources.get(claim.source)
            source = (
                Markup('<a href="{}">{}</a>').format("../../" + shown.href, shown.title)
                if shown is not None
                else compact(claim.source)
            )
            html = env.get_template("claim.html").render(
                title=f"claim {claim.id}",
                root="../../",
                alternate=None,
                c=claim,
                source=source,
                support=str(support[claim.id]) if claim.id in support else "",
                link=page_link,
            )
            (folder / "index.html").write_text(html, encoding="utf-8")
        reports: dict[str, list[tuple[str, str]]] = {}
        for row in kg.select(_REPORTS):
            reports.setdefault(_value(row, "article"), []).append(
                (_value(row, "study"), _value(row, "studyLabel"))
            )
        for article in all_articles:
            folder = work / "articles" / article.slug
            folder.mkdir(parents=True)
            headings = [
                (
                    _value(r, "label") or compact(_value(r, "heading")),
                    _value(r, "major") in ("true", "1"),
                )
                for r in kg.select(_HEADINGS, {"article": ox.NamedNode(article.iri)})
            ]
            html = env.get_template("article.html").render(
                title=article.title,
                root="../../",
                alternate=None,
                a=article,
                headings=headings,
                claims=[c for c in all_claims if c.source == article.iri],
                studies=reports.get(article.iri, []),
                link=page_link,
            )
            (folder / "index.html").write_text(html, encoding="utf-8")
        axis_svg = ""
        if diagrams and KB + "gh-igf1-axis" in known:
            svg = render(axis_diagram(kg), "svg").decode("utf-8")
            axis_svg = svg[svg.index("<svg") :]
        groups: dict[str, list[Page]] = {}
        for page in every:
            groups.setdefault(page.type_label, []).append(page)
        index = env.get_template("index.html").render(
            title="home",
            root="",
            alternate=None,
            version=_version(kg),
            pages=every,
            groups=sorted(groups.items(), key=lambda item: item[0].casefold()),
            claims=all_claims,
            articles=all_articles,
            terms=all_terms_for_index,
            queries=list(catalog()),
            axis_svg=Markup(axis_svg),
        )
        (work / "index.html").write_text(index, encoding="utf-8")
        for term in all_terms_for_index:
            folder = work / "ontology" / term.iri.removeprefix(IGFKG)
            folder.mkdir(parents=True)
            html = env.get_template("term.html").render(
                title=term.label,
                root="../../",
                alternate=None,
                t=term,
                link=_linker("../../", known, term_index),
            )
            (folder / "index.html").write_text(html, encoding="utf-8")
        # last: a query may materialise the OWL RL closure or the literature index
        _query_pages(env, kg, work, _linker("../../", known, term_index))
        if output.exists():
            shutil.rmtree(output)
        work.rename(output)
    finally:
        if work.exists():
            shutil.rmtree(work)
    return every


_SHOWN_ROWS = 200


class _NotRunError(Exception):
    """A query the site build does not run (it would write into the store)."""


def _query_pages(
    env: jinja2.Environment, kg: GraphPort, work: Path, link: Callable[[str, str], Markup]
) -> None:
    """One page per canned query: its question, parameters, SPARQL and its answer with the
    default parameters (the first rows; the whole answer as CSV, TSV and JSON beside it)."""
    from igfkg.core.errors import IgfkgError
    from igfkg.core.results import term_to_text

    for query in catalog():
        folder = work / "queries" / query.id
        folder.mkdir(parents=True)
        error, variables, shown, total = "", [], [], 0
        try:
            if query.inference and not kg.has_inferred():
                # the build would materialise the closure into the store and change it
                raise _NotRunError(f"it needs the OWL 2 RL closure: run igfkg query {query.id}")
            if query.literature_index:
                raise _NotRunError(f"it reads the literature index: run igfkg query {query.id}")
            answer = query.run(kg, {})
        except _NotRunError as reason:
            error = f"Not run while writing the site: {reason}"
        except IgfkgError as problem:
            error = f"Needs a value: {problem}"
        else:
            variables = list(answer.variables)
            total = len(answer)
            for fmt in ("csv", "tsv", "json"):
                (folder / f"answer.{fmt}").write_text(answer.serialize(fmt), encoding="utf-8")
            for row in list(answer)[:_SHOWN_ROWS]:
                cells = []
                for term in row:
                    iri = term.value if isinstance(term, ox.NamedNode) else ""
                    cells.append((iri, term_to_text(term)))
                shown.append(cells)
        html = env.get_template("query.html").render(
            title=query.id,
            root="../../",
            alternate=None,
            q=query,
            error=error,
            variables=variables,
            shown=shown,
            total=total,
            link=link,
        )
        (folder / "index.html").write_text(html, encoding="utf-8")


def _version(kg: GraphPort) -> str:
    rows = kg.select(sparql.load("igfkg.release", "build-version")).rows
    value = rows[0]["v"] if rows else None
    return value.value if value is not None else "unversioned"


def _turtle(kg: GraphPort, iri: str) -> bytes:
    answer = kg.sparql(_TRIPLES, {"entity": ox.NamedNode(iri)})
    assert isinstance(answer, list)
    triples = answer
    data = ox.serialize(sorted(triples, key=str), format=OX_FORMATS["ttl"], prefixes=dict(PREFIXES))
    return data or b""


def _svg(kg: GraphPort, iri: str) -> str:
    """The neighbourhood SVG without its XML prologue (inline in the page)."""
    svg = render(neighbourhood(kg, ox.NamedNode(iri)), "svg").decode("utf-8")
    return svg[svg.index("<svg") :]


def _linker(
    root: str, known: dict[str, Page], terms: dict[str, TermPage] | None = None
) -> Callable[[str, str], Markup]:
    """A function linking an IRI to its page (an entity's or an ontology term's), else to its
    vocabulary's page, else the escaped label alone."""

    def link(iri: str, label: str) -> Markup:
        target: Page | TermPage | None = known.get(iri) or (terms or {}).get(iri)
        if target is not None:
            return Markup('<a href="{}">{}</a>').format(root + target.href, label)
        url = _external(iri) if not iri.startswith(IGFKG) else None
        if url is not None:
            return Markup('<a href="{}">{}</a>').format(url, label)
        return escape(label)

    return link


def _entity_page(
    env: jinja2.Environment,
    kg: GraphPort,
    page: Page,
    known: dict[str, Page],
    by_id: dict[str, ClaimPage],
    term_pages: dict[str, TermPage],
    diagrams: bool,
) -> str:
    root = "../../"
    d = describe(kg, ox.NamedNode(page.iri))
    link = _linker(root, known, term_pages)

    mappings = []
    for rel, target in d.mappings:
        full = expand_curie(target) or target
        mappings.append((rel, target, _external(full)))
    sections = (
        ("Relations", [_edge(e, by_id) for e in d.outgoing]),
        ("Referenced by", [_edge(e, by_id) for e in d.incoming]),
        ("Hedged claims (the source does not assert these)", [_edge(e, by_id) for e in d.hedged]),
    )
    return env.get_template("entity.html").render(
        title=d.label,
        root=root,
        alternate="index.ttl",
        d=d,
        types=[(expand_curie(t) or t, t) for t in d.types],
        mappings=mappings,
        sections=sections,
        link=link,
        diagram=Markup(_svg(kg, page.iri)) if diagrams else "",
    )


@dataclass(frozen=True)
class _ShownEvidence:
    claim: str
    claim_href: str
    hedge_words: str
    certainty: str
    source_url: str
    source_name: str
    quote: str
    support: str


@dataclass(frozen=True)
class _ShownEdge:
    subject: str
    subject_label: str
    predicate_label: str
    object: str
    object_label: str
    hedged: bool
    certainty: str
    evidence: tuple[_ShownEvidence, ...]


def _edge(e: Edge, by_id: dict[str, ClaimPage]) -> _ShownEdge:
    def hedges(claim: str) -> str:
        page = by_id.get(claim)
        return "; ".join(dict(page.details).get("hedge words", [])) if page else ""

    evidence = tuple(
        _ShownEvidence(
            ev.claim,
            "../../" + by_id[ev.claim].href if ev.claim in by_id else "",
            hedges(ev.claim),
            ev.certainty,
            _external(ev.source) or "",
            compact(ev.source),
            ev.quote,
            str(ev.support) if ev.support is not None else "",
        )
        for ev in e.evidence
    )
    certainty = ", ".join(sorted({ev.certainty for ev in e.evidence}))
    return _ShownEdge(
        e.subject, e.subject_label, e.predicate_label, e.object, e.object_label, e.hedged,
        certainty, evidence,
    )  # fmt: skip
