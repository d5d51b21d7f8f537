"""Pages as HTML: the templates filled from :mod:`igfkg.web.model`, with links in one of two
styles: the static export's relative ``kb/X/index.html`` or the served site's ``/kb/X``.

>>> import igfkg
>>> html = Renderer(igfkg.open(), static=False).claim("mecasermin-is-recombinant-igf-1")
>>> 'href="/kb/mecasermin"' in html
True
"""

from __future__ import annotations

import urllib.parse
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from functools import cached_property
from typing import TYPE_CHECKING, Any

import pyoxigraph as ox
from markupsafe import Markup, escape

from igfkg.core import sparql
from igfkg.core.namespaces import compact, expand_curie
from igfkg.explore.catalog import CannedQuery, catalog
from igfkg.explore.describe import describe
from igfkg.explore.diagram import axis_diagram, neighbourhood, render
from igfkg.explore.evidence import (
    ClaimCounts,
    article_evidence,
    claim_counts,
    claim_evidence,
    is_read,
)
from igfkg.explore.support import claim_support
from igfkg.web.model import (
    IGFKG,
    KB,
    ArticlePage,
    ClaimPage,
    Page,
    TermPage,
    abstract_sections,
    articles,
    claims,
    external,
    pages,
    terms,
    value,
    version,
)

if TYPE_CHECKING:
    import jinja2

    from igfkg.core.results import Result
    from igfkg.explore.describe import EvidenceSentence
    from igfkg.explore.traversal import Edge
    from igfkg.store.port import GraphPort

__all__ = ["Renderer", "cell", "cells", "environment", "svg_inline"]

_HEADINGS = sparql.load("igfkg.web", "site-article-headings")
_REPORTS = sparql.load("igfkg.web", "site-reports")
_SYNONYMS = sparql.load("igfkg.web", "site-synonyms")
_ABSTRACT = sparql.load("igfkg.web", "site-article-abstract")

#: The most rows a page shows of an answer.
SHOWN_ROWS = 200


def environment() -> jinja2.Environment:
    """The site's Jinja2 environment: the package's templates, every value escaped."""
    import jinja2

    return jinja2.Environment(
        loader=jinja2.PackageLoader("igfkg.web", "templates"),
        autoescape=True,
        keep_trailing_newline=True,
    )


def cell(term: Any) -> tuple[str, str]:
    """A table cell of an answer: the IRI to link (or "") and the text shown."""
    from igfkg.core.results import term_to_text

    return (term.value if isinstance(term, ox.NamedNode) else "", term_to_text(term))


def cells(answer: Any, limit: int) -> list[list[tuple[str, str]]]:
    """The first ``limit`` rows of an answer (none for no answer) as table cells."""
    if answer is None:
        return []
    return [[cell(term) for term in row] for row in list(answer)[:limit]]


def svg_inline(svg: bytes) -> Markup:
    """An SVG document without its XML prologue, to place inside a page."""
    text = svg.decode("utf-8")
    return Markup(text[text.index("<svg") :])


class Renderer:
    """Renders every kind of page of one graph. ``static``: links relative to the page
    (``../../kb/X/index.html``) and RDF alternates as files; otherwise links from the site root
    (``/kb/X``) and alternates by ``?format=``."""

    def __init__(self, kg: GraphPort, *, static: bool) -> None:
        self.kg = kg
        self.static = static
        self.env = environment()

    # -- what the pages show, read once --------------------------------------------------------

    @cached_property
    def every(self) -> list[Page]:
        return pages(self.kg)

    @cached_property
    def known(self) -> dict[str, Page]:
        return {p.iri: p for p in self.every}

    @cached_property
    def by_name(self) -> dict[str, Page]:
        return {p.name: p for p in self.every}

    @cached_property
    def claims(self) -> list[ClaimPage]:
        return claims(self.kg)

    @cached_property
    def by_id(self) -> dict[str, ClaimPage]:
        return {c.id: c for c in self.claims}

    @cached_property
    def articles(self) -> list[ArticlePage]:
        return articles(self.kg)

    @cached_property
    def sources(self) -> dict[str, ArticlePage]:
        return {a.iri: a for a in self.articles}

    @cached_property
    def by_slug(self) -> dict[str, ArticlePage]:
        return {a.slug: a for a in self.articles}

    @cached_property
    def terms(self) -> list[TermPage]:
        return terms(self.kg)

    @cached_property
    def term_index(self) -> dict[str, TermPage]:
        return {t.iri: t for t in self.terms}

    @cached_property
    def term_by_name(self) -> dict[str, TermPage]:
        return {t.iri.removeprefix(IGFKG): t for t in self.terms}

    @cached_property
    def support(self) -> dict[str, Any]:
        return dict(claim_support(self.kg))

    @cached_property
    def reports(self) -> dict[str, list[tuple[str, str]]]:
        found: dict[str, list[tuple[str, str]]] = {}
        for row in self.kg.select(_REPORTS):
            found.setdefault(value(row, "article"), []).append(
                (value(row, "study"), value(row, "studyLabel"))
            )
        return found

    @cached_property
    def version(self) -> str:
        return version(self.kg)

    @cached_property
    def read(self) -> bool:
        """Whether the store has been read (``igfkg read``): only then do claim and article
        pages show machine-read evidence."""
        return is_read(self.kg)

    @cached_property
    def claim_counts(self) -> dict[str, ClaimCounts]:
        return claim_counts(self.kg) if self.read else {}

    def literature(
        self, iri: str, offset: int, limit: int
    ) -> tuple[list[tuple[str, str, str, str]], bool]:
        """One page of the articles indexed with the entity's MeSH descriptors (or narrower
        ones), newest first: (site path, title, year, major topic) each, and whether more
        follow."""
        query = catalog().get("literature-for-entity")
        answer = self.kg.select(query.paged(limit + 1, offset), {"entity": ox.NamedNode(iri)})
        rows = []
        for row in list(answer)[:limit]:
            article = value(row, "article")
            slug = "pmid-" + article.rsplit("/", 1)[-1]
            path = f"articles/{slug}" if not self.static or slug in self.by_slug else ""
            rows.append((path, value(row, "title") or article,
                         value(row, "year"), value(row, "majorTopic")))  # fmt: skip
        return rows, len(answer) > limit

    def warm(self) -> None:
        """Read now what every page needs (the lists of entities, claims, articles, terms)."""
        names = ("by_name", "by_id", "by_slug", "term_by_name", "support", "reports", "read",
                 "claim_counts")  # fmt: skip
        for name in names:
            getattr(self, name)
        self.version  # noqa: B018

    # -- links --------------------------------------------------------------------------------

    def url(self, depth: int) -> Callable[[str], str]:
        """Where a site path (``kb/igf-1``, ``""`` for home) is, seen from a page ``depth``
        folders below the root."""
        if not self.static:
            return lambda path: "/" + path
        root = "../" * depth

        def static_url(path: str) -> str:
            return root + (f"{path}/index.html" if path else "index.html")

        return static_url

    def link(self, depth: int) -> Callable[[str, str], Markup]:
        """A function linking an IRI to its page (entity or ontology term), else to its
        vocabulary's page, else the escaped label alone."""
        url = self.url(depth)

        def link(iri: str, label: str) -> Markup:
            target: Page | TermPage | None = self.known.get(iri) or self.term_index.get(iri)
            if target is not None:
                return Markup('<a href="{}">{}</a>').format(url(target.path), label)
            outside = external(iri) if not iri.startswith(IGFKG) else None
            if outside is not None:
                return Markup('<a href="{}">{}</a>').format(outside, label)
            return escape(label)

        return link

    def pmid_href(self, pmid: str, depth: int) -> str:
        """Where an article is shown, by its PMID: its page on the served site (every article of
        the store has one) or in the static export (curated articles), else PubMed."""
        if not pmid:
            return ""
        slug = f"pmid-{pmid}"
        if not self.static or slug in self.by_slug:
            return self.url(depth)(f"articles/{slug}")
        return f"https://pubmed.ncbi.nlm.nih.gov/{urllib.parse.quote(pmid)}/"

    def evidence_query(self, **values: str) -> tuple[str, str]:
        """The evidence-sentences query with ``values``: its filled-in form on the served site
        (a link), or the command that runs it (static export)."""
        if not self.static:
            query = urllib.parse.urlencode({**values, "run": "1"})
            return f"/queries/evidence-sentences?{query}", ""
        params = " ".join(f"--param {k}={v}" for k, v in values.items())
        return "", f"igfkg query evidence-sentences {params}"

    def _newest(
        self, sentences: Sequence[EvidenceSentence], depth: int
    ) -> list[tuple[str, EvidenceSentence]]:
        return [(self.pmid_href(s.pmid, depth), s) for s in sentences]

    def page(self, template: str, depth: int = 0, **values: Any) -> str:
        """Any template filled with ``values``, with the links of a page ``depth`` folders
        below the root (the site's own pages have no RDF alternate unless given one)."""
        values.setdefault("alternate", None)
        return self.env.get_template(template).render(
            url=self.url(depth), link=self.link(depth), static=self.static, **values
        )

    # -- pages --------------------------------------------------------------------------------

    def home(self, *, diagrams: bool = True) -> str:
        axis = ""
        if diagrams and KB + "gh-igf1-axis" in self.known:
            axis = svg_inline(render(axis_diagram(self.kg), "svg"))
        groups: dict[str, list[Page]] = {}
        for page in self.every:
            groups.setdefault(page.type_label, []).append(page)
        return self.page(
            "index.html",
            0,
            title="home",
            alternate=None,
            version=self.version,
            pages=self.every,
            groups=sorted(groups.items(), key=lambda item: item[0].casefold()),
            claims=self.claims,
            articles=self.articles,
            terms=self.terms,
            ontology_doc="ontology.html" if self.static else "/ontology",
            queries=list(catalog()),
            axis_svg=axis,
        )

    def entity(
        self,
        page: Page,
        *,
        diagrams: bool = True,
        literature: Sequence[tuple[str, str, str, str]] = (),
        more_literature: bool = False,
    ) -> str:
        d = describe(self.kg, ox.NamedNode(page.iri))
        mappings = []
        for rel, target in d.mappings:
            full = expand_curie(target) or target
            mappings.append((rel, target, external(full)))
        url = self.url(2)
        sections = (
            ("Relations", [self._edge(e, url) for e in d.outgoing]),
            ("Referenced by", [self._edge(e, url) for e in d.incoming]),
            (
                "Hedged claims (the source does not assert these)",
                [self._edge(e, url) for e in d.hedged],
            ),
        )
        synonyms = []
        for row in self.kg.select(_SYNONYMS, {"entity": ox.NamedNode(page.iri)}):
            source = value(row, "source")
            synonyms.append(
                (value(row, "form"), value(row, "scope"), value(row, "kind"),
                 compact(source) if source else "", external(source) if source else None)
            )  # fmt: skip
        described = {form for form, *_ in synonyms}
        synonyms += [(s, "exact", "curated in the KB", "", None) for s in d.synonyms
                     if s not in described]  # fmt: skip
        query, command = self.evidence_query(entity=compact(page.iri))
        return self.page(
            "entity.html",
            2,
            title=d.label,
            alternate="index.ttl" if self.static else "?format=ttl",
            page=page,
            d=d,
            types=[(expand_curie(t) or t, t) for t in d.types],
            mappings=mappings,
            synonyms=synonyms,
            sections=sections,
            diagram=self._diagram(page.iri) if diagrams else "",
            literature=literature,
            more_literature=more_literature,
            reading=d.literature,
            reading_newest=self._newest(d.literature.newest, 2) if d.literature else [],
            reading_query=query,
            reading_command=command,
        )

    def _diagram(self, iri: str) -> Markup:
        return svg_inline(render(neighbourhood(self.kg, ox.NamedNode(iri)), "svg"))

    def claim(self, claim_id: str) -> str:
        c = self.by_id[claim_id]
        shown = self.sources.get(c.source)
        url = self.url(2)
        source = (
            Markup('<a href="{}">{}</a>').format(url(shown.path), shown.title)
            if shown is not None
            else compact(c.source)
        )
        support = self.support.get(c.id)
        reading = None
        if self.read and (self.static or "claim_counts" in vars(self)):
            # every claim's counts read at once (a site build, a warmed server)
            counts = self.claim_counts.get(c.id)
            reading = claim_evidence(self.kg, c.id, counts) if counts is not None else None
        elif self.read:  # one page of a graph that may change: this claim only
            reading = claim_evidence(self.kg, c.id)
        query, command = self.evidence_query(claim=c.id)
        return self.page(
            "claim.html",
            2,
            title=f"claim {c.id}",
            alternate=None,
            c=c,
            source=source,
            support="" if support is None else str(support),
            read=self.read,
            reading=reading,
            reading_newest=self._newest(reading.newest, 2) if reading else [],
            reading_query=query,
            reading_command=command,
        )

    def article(self, a: ArticlePage) -> str:
        headings = [
            (
                value(r, "label") or compact(value(r, "heading")),
                value(r, "major") in ("true", "1"),
            )
            for r in self.kg.select(_HEADINGS, {"article": ox.NamedNode(a.iri)})
        ]
        abstract: list[tuple[str, str]] = []
        sentences = []
        if self.read:
            article = ox.NamedNode(a.iri)
            row = next(iter(self.kg.select(_ABSTRACT, {"article": article})), None)
            abstract = abstract_sections(value(row, "abstract")) if row is not None else []
            for sentence in article_evidence(self.kg, article):
                linked = [(claim, self.by_id[claim].path if claim in self.by_id else "")
                          for claim in sentence.claims]  # fmt: skip
                sentences.append((sentence, linked))
        return self.page(
            "article.html",
            2,
            title=a.title,
            alternate=None,
            a=a,
            headings=headings,
            claims=[c for c in self.claims if c.source == a.iri],
            studies=self.reports.get(a.iri, []),
            read=self.read,
            abstract=abstract,
            sentences=sentences,
        )

    def term(self, t: TermPage) -> str:
        return self.page("term.html", 2, title=t.label, alternate=None, t=t)

    def query(
        self,
        q: CannedQuery,
        *,
        answer: Result | None,
        error: str = "",
        values: Mapping[str, str] | None = None,
        downloads: Mapping[str, str] | None = None,
        page: int = 1,
        more: bool = False,
    ) -> str:
        """A canned query's page: its question, parameters (a form when served), SPARQL, and
        the answer's first rows with links to entity pages."""
        variables: list[str] = []
        shown: list[list[tuple[str, str]]] = []
        total = 0
        if answer is not None:
            variables = list(answer.variables)
            total = len(answer)
            shown = cells(answer, SHOWN_ROWS)
        return self.page(
            "query.html",
            2,
            title=q.id,
            alternate=None,
            q=q,
            error=error,
            variables=variables,
            shown=shown,
            total=total,
            values=values or {},
            downloads=downloads or {},
            page=page,
            more=more,
            ran=answer is not None,
        )

    def _edge(self, e: Edge, url: Callable[[str], str]) -> _ShownEdge:
        def hedges(claim: str) -> str:
            page = self.by_id.get(claim)
            return "; ".join(dict(page.details).get("hedge words", [])) if page else ""

        evidence = tuple(
            _ShownEvidence(
                ev.claim,
                url(self.by_id[ev.claim].path) if ev.claim in self.by_id else "",
                hedges(ev.claim),
                ev.certainty,
                external(ev.source) or "",
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
