"""What the site shows, read from the graph: entity, claim, article and ontology-term pages
with the values each page needs. Shared by the static export and the served site.

>>> import igfkg
>>> [p.path for p in pages(igfkg.open()) if p.name == "igf-1"]
['kb/igf-1']
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import TYPE_CHECKING

import pyoxigraph as ox

from igfkg.core import sparql
from igfkg.core.namespaces import PREFIXES, compact
from igfkg.store.formats import OX_FORMATS

if TYPE_CHECKING:
    from igfkg.store.port import GraphPort

__all__ = [
    "IGFKG",
    "KB",
    "ArticlePage",
    "ClaimPage",
    "Page",
    "TermPage",
    "abstract_sections",
    "articles",
    "claims",
    "entity_triples",
    "external",
    "pages",
    "rdf",
    "terms",
    "value",
    "version",
]

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
    def path(self) -> str:
        return f"kb/{self.name}"


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
    def path(self) -> str:
        return f"claims/{self.id}"

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
    def path(self) -> str:
        return f"articles/{self.slug}"


# A section label of a structured abstract at the start of a line, "RESULTS: " (as ingest
# writes it and the reader reads it).
_SECTION = re.compile(r"([A-Z][A-Z0-9 ,&/()-]{0,60}[A-Z)]): ")


def abstract_sections(text: str) -> list[tuple[str, str]]:
    """An abstract as stored (one section per line, ``LABEL: text`` when labelled) as
    (label, text) pairs, label "" for an unlabelled section.

    >>> abstract_sections("AIMS: To test it.\\nDone: 1:2.")
    [('AIMS', 'To test it.'), ('', 'Done: 1:2.')]
    """
    out = []
    for line in text.splitlines():
        if not line.strip():
            continue
        found = _SECTION.match(line)
        out.append((found.group(1), line[found.end() :]) if found else ("", line))
    return out


def value(row: object, name: str) -> str:
    term = row[name]  # type: ignore[index]
    return "" if term is None else str(term.value)


def claims(kg: GraphPort) -> list[ClaimPage]:
    """Every claim, with its qualifiers and the findings it points at."""
    details: dict[str, dict[str, list[str]]] = {}
    for row in kg.select(_CLAIM_DETAILS):
        shown = value(row, "valueLabel") or value(row, "value")
        details.setdefault(value(row, "id"), {}).setdefault(value(row, "kind"), []).append(shown)
    evidence: dict[str, list[tuple[str, str, str, str]]] = {}
    for row in kg.select(_CLAIM_EVIDENCE):
        evidence.setdefault(value(row, "id"), []).append(
            (
                value(row, "relation"),
                value(row, "study"),
                value(row, "studyLabel"),
                value(row, "findingLabel") or compact(value(row, "finding")),
            )
        )
    out = []
    for row in kg.select(_CLAIMS):
        claim = value(row, "id")
        out.append(
            ClaimPage(
                claim,
                value(row, "s"),
                value(row, "sLabel") or compact(value(row, "s")),
                value(row, "pLabel") or compact(value(row, "p")),
                value(row, "o"),
                value(row, "oLabel") or compact(value(row, "o")),
                value(row, "certainty"),
                value(row, "quote"),
                value(row, "source"),
                value(row, "group"),
                sorted(details.get(claim, {}).items()),
                evidence.get(claim, []),
            )
        )
    return out


def articles(kg: GraphPort) -> list[ArticlePage]:
    """The curated publications."""
    found: dict[str, ArticlePage] = {}
    for row in kg.select(_ARTICLES):
        iri = value(row, "article")
        found.setdefault(
            iri,
            ArticlePage(
                iri,
                value(row, "title"),
                value(row, "pmid"),
                value(row, "doi"),
                value(row, "year"),
                value(row, "journal"),
                value(row, "firstAuthor"),
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
    def path(self) -> str:
        return f"ontology/{self.iri.removeprefix(IGFKG)}"


def terms(kg: GraphPort) -> list[TermPage]:
    """The ontology's classes, properties and value-list individuals, each with its super-
    and sub-terms, domain and range (and what has it as domain or range), inverse and
    mappings."""
    found: dict[str, TermPage] = {}
    for row in kg.select(_TERMS):
        iri = value(row, "term")
        page = found.setdefault(
            iri,
            TermPage(
                iri,
                value(row, "label") or compact(iri),
                value(row, "definition"),
                [],
                [],
            ),
        )
        kind = _KINDS[value(row, "kind")]
        if kind not in page.kinds:
            page.kinds.append(kind)
    links: dict[str, dict[str, list[tuple[str, str]]]] = {}
    labels = {iri: page.label for iri, page in found.items()}
    for row in kg.select(_TERM_LINKS):
        term, other, relation = value(row, "term"), value(row, "other"), value(row, "relation")
        label = labels.get(other) or value(row, "otherLabel") or compact(other)
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


def external(iri: str) -> str | None:
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


def version(kg: GraphPort) -> str:
    """The graph's version (from its VoID/owl:versionInfo), or ``unversioned``."""
    rows = kg.select(sparql.load("igfkg.release", "build-version")).rows
    found = rows[0]["v"] if rows else None
    return found.value if found is not None else "unversioned"


def entity_triples(kg: GraphPort, iri: str) -> list[ox.Triple]:
    """The triples whose subject is ``iri``, sorted."""
    answer = kg.sparql(_TRIPLES, {"entity": ox.NamedNode(iri)})
    assert isinstance(answer, list)
    return sorted(answer, key=str)


def rdf(triples: list[ox.Triple], fmt: str) -> bytes:
    """``triples`` as Turtle, N-Triples or JSON-LD (``ttl``, ``nt``, ``jsonld``)."""
    prefixes = dict(PREFIXES) if fmt == "ttl" else None
    return ox.serialize(triples, format=OX_FORMATS[fmt], prefixes=prefixes) or b""
