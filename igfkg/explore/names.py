"""Names to IRIs: entities given by IRI, CURIE, bare identifier, label or synonym, their MeSH
descriptors, and the closest entities when a name is unknown or ambiguous. Lookups use the
store's index where they can and never scan the titles of ingested articles (millions of labels
at corpus scale)."""

from __future__ import annotations

import difflib
import re
from collections.abc import Callable, Iterable, Mapping
from typing import TYPE_CHECKING, Protocol

import pyoxigraph as ox

from igfkg.core import sparql
from igfkg.core.errors import AmbiguousNameError, IriError, ParameterError, UnknownNameError
from igfkg.core.iri import check_iri, shown
from igfkg.core.namespaces import GRAPH_SOURCES, IGFKG, KB, PREFIXES, expand_curie
from igfkg.core.results import Row, Term
from igfkg.explore.search import Entry, NameIndex
from igfkg.store.port import GraphPort

if TYPE_CHECKING:
    from igfkg.store.base import Backend


class NamedGraphPort(GraphPort, Protocol):
    """A graph that keeps an index of its names."""

    def name_index(self) -> NameIndex:
        """The index of the KB's names, built once per state of the graph."""
        ...


MESH = PREFIXES["MESH"]
_TYPE = ox.NamedNode("http://www.w3.org/1999/02/22-rdf-syntax-ns#type")
_ARTICLE = ox.NamedNode(IGFKG + "JournalArticle")

_LOOKUP = sparql.load("igfkg.explore", "names-lookup")

# The same scan over one named graph ?g: the curated KB's first (KB entities win any tie, so
# a match there skips every other lookup), then each graph other than the ingested literature.
_LOOKUP_IN_GRAPH = sparql.load("igfkg.explore", "names-lookup-in-graph")

# A label spelled exactly, found through the store's index rather than by a scan.
_LOOKUP_EXACT = sparql.load("igfkg.explore", "names-lookup-exact")

_BY_MAPPING = sparql.load("igfkg.explore", "names-by-mapping")

# pyoxigraph substitutes only variables of the projection, so bound variables are projected.
_KNOWN = sparql.load("igfkg.explore", "names-known")

_MESH_MAPPING = sparql.load("igfkg.explore", "names-mesh-mapping")

_LABELS = sparql.load("igfkg.explore", "names-labels")

_LABELS_IN_GRAPH = sparql.load("igfkg.explore", "names-labels-in-graph")


def _spellings(text: str) -> list[dict[str, Term]]:
    """Bindings of ``?label`` to ``text`` as given, lower-case, Sentence case, Title Case and
    upper-case, each plain and in English (MeSH labels are ``@en``)."""
    forms = dict.fromkeys((text, text.lower(), text.capitalize(), text.title(), text.upper()))
    return [
        {"label": ox.Literal(form, language=lang) if lang else ox.Literal(form)}
        for form in forms
        for lang in ("", "en")
    ]


def _literature(backend: Backend, graph: ox.NamedNode) -> bool:
    """True for a graph of ingested literature: a source file's graph holding articles (not a
    MeSH file's)."""
    if not graph.value.startswith(GRAPH_SOURCES):
        return False
    return next(iter(backend.match(None, _TYPE, _ARTICLE, graph)), None) is not None


def _best(rows: Iterable[Row]) -> ox.NamedNode | None:
    """The best-ranked entity of label lookup rows: KB entities first, then labels before
    synonyms, then by IRI."""
    ranked = sorted(
        (0 if entity.value.startswith(KB) else 1, int(str(rank.value)), entity.value)
        for entity, rank in ((r["entity"], r["rank"]) for r in rows)
        if isinstance(entity, ox.NamedNode) and isinstance(rank, ox.Literal)
    )
    return ox.NamedNode(ranked[0][2]) if ranked else None


# Identifiers typed bare: PMIDs (with or without "PMID"), MeSH descriptor and supplementary
# UIs, DrugBank and UniProtKB accessions. Case matters, as in the vocabularies.
_BARE_IDS = [
    (re.compile(r"^(?:PMID\s*:?\s*)?(\d{1,9})$", re.IGNORECASE), "PMID"),
    (re.compile(r"^([DC]\d{6,9})$"), "MESH"),
    (re.compile(r"^(DB\d{5})$"), "DRUGBANK"),
    (re.compile(r"^([OPQ]\d[A-Z\d]{3}\d|[A-NR-Z]\d(?:[A-Z][A-Z\d]{2}\d){1,2})$"), "UniProtKB"),
]

_LABELLED_NODE = sparql.load("igfkg.explore", "names-labelled-node")

_BY_CLOSE_MAPPING = sparql.load("igfkg.explore", "names-by-close-mapping")


def _identifier(text: str) -> str | None:
    """The IRI of an identifier given as IRI, CURIE or bare accession; None for a name."""
    if text.startswith(("http://", "https://")):
        return text
    for pattern, prefix in _BARE_IDS:
        match = pattern.match(text)
        if match:
            return PREFIXES[prefix] + match.group(1)
    return expand_curie(text) if ":" in text else None


def _mapped(kg: GraphPort, node: ox.NamedNode) -> ox.NamedNode | None:
    """The one KB entity that ``skos:exactMatch``-es an external IRI; else, for an identifier
    the store only mentions (no label of its own: an HGNC gene, a UniProt entry), the one that
    ``skos:closeMatch``-es it, since the identifier is still unique to one entity. None
    otherwise (a labelled MeSH descriptor that is only a close match stays itself)."""
    queries = [_BY_MAPPING]
    if not kg.select(_LABELLED_NODE, {"iri": node}):
        queries.append(_BY_CLOSE_MAPPING)
    for query in queries:
        hits = {r["entity"].value for r in kg.select(query, {"iri": node}) if r["entity"]}
        kb_hits = sorted(h for h in hits if h.startswith(KB))
        if len(kb_hits) == 1:
            return ox.NamedNode(kb_hits[0])
        if kb_hits:
            return None
    return None


def _explicit_iri(text: str) -> bool:
    """True for text given as an IRI: in angle brackets, or starting with http(s)://."""
    return (text.startswith("<") and text.endswith(">")) or text.startswith(("http://", "https://"))


def _utf8(text: str) -> bool:
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        return False
    return True


def _valid_iri(iri: str) -> bool:
    """True if ``iri`` (a CURIE's expansion, say) is a valid IRI; else the text is a name."""
    try:
        check_iri(iri)
    except IriError:
        return False
    return True


def resolve(kg: NamedGraphPort, name: str) -> ox.NamedNode:
    """The IRI of an entity named by IRI, CURIE, bare identifier, label or synonym (see
    :meth:`igfkg.graph.KnowledgeGraph.resolve`)."""
    text = name.strip()
    if _explicit_iri(text):
        # Given as an IRI (<...> or http(s)://...): it must be a valid one.
        text = text[1:-1] if text.startswith("<") else text
        check_iri(text)
    elif not _utf8(text):
        raise ParameterError(f"{shown(name)} is not valid UTF-8 text")
    iri = _identifier(text)
    if iri is not None and _valid_iri(iri):
        node = ox.NamedNode(iri)
        if not iri.startswith(KB):
            mapped = _mapped(kg, node)
            if mapped is not None:
                return mapped
        if kg.select(_KNOWN, {"iri": node}):
            return node
    # A KB label or exact synonym, compared as normalised (case, spaces, hyphens, Greek
    # letters, Roman numerals, British spelling): one entity is the answer, several an
    # ambiguity. Then labels elsewhere in the store (MeSH descriptors, article titles).
    index = kg.name_index()
    exact = _candidates(index, index.exact(text), lambda e: e.scope == "exact")
    if len(exact) == 1:
        return ox.NamedNode(exact[0])
    if exact:
        raise AmbiguousNameError(name, _described(index, exact), iris=exact)
    rows = [row for label in _spellings(text) for row in kg.select(_LOOKUP_EXACT, label)]
    needle = {"needle": ox.Literal(text.casefold())}
    found = _best(rows) or _best(_scan(kg, _LOOKUP, _LOOKUP_IN_GRAPH, needle))
    if found is not None:
        return found
    related = _candidates(index, index.exact(text), lambda e: e.scope != "exact")
    if related:
        raise AmbiguousNameError(name, _described(index, related), exact=False, iris=related)
    grounded = _ground(index, text)
    if grounded is not None:
        return ox.NamedNode(grounded)
    raise UnknownNameError(name, suggest(kg, text))


def _candidates(index: NameIndex, entries: list[Entry], keep: Callable[[Entry], bool]) -> list[str]:
    return sorted({e.entity for e in entries if keep(e)}, key=lambda e: index.labels[e])


def _described(index: NameIndex, entities: list[str]) -> list[str]:
    """'label (type)' for each entity."""
    return [f"{index.labels[e]} ({', '.join(index.type_labels(e))})" for e in entities]


def _ground(index: NameIndex, text: str) -> str | None:
    """The entity gilda grounds ``text`` to among the KB's labels and exact synonyms, when it
    grounds it to one entity only (gilda is imported here only: it takes a second to load)."""
    grounder = index.grounder()
    if grounder is None:
        return None
    matches = grounder.ground(text)
    if not matches:
        return None
    top = max(m.score for m in matches)
    best = {m.term.id for m in matches if m.score == top}
    return next(iter(best)) if len(best) == 1 else None


def _scan(
    kg: GraphPort,
    everywhere: str,
    in_graph: str,
    bindings: Mapping[str, Term] | None = None,
) -> list[Row]:
    """The rows of a label scan: over each named graph ``?g`` but the ingested literature
    (millions of article titles) with ``in_graph``, when there is any literature, on the
    embedded Oxigraph store; else ``everywhere``."""
    backend = kg.backend
    if not backend.capabilities.bulk_writes:  # only those stores hold ingested literature
        return list(kg.select(everywhere, bindings))
    names = backend.named_graphs()
    kept = sorted((g for g in names if not _literature(backend, g)), key=str)
    if len(kept) == len(names):
        return list(kg.select(everywhere, bindings))
    return [row for g in kept for row in kg.select(in_graph, {**(bindings or {}), "g": g})]


def mesh_descriptor(kg: GraphPort, name: str) -> ox.NamedNode:
    """The MeSH descriptor of an entity: itself if it is one, else its MeSH mapping."""
    node = kg.resolve(name)
    if node.value.startswith(MESH):
        return node
    rows = kg.select(_MESH_MAPPING, {"entity": node})
    found = sorted(
        (r["rank"].value, r["mesh"].value)  # type: ignore[union-attr]
        for r in rows
        if r["mesh"] is not None and r["mesh"].value.startswith(MESH + "D")
    )
    if not found:
        raise ParameterError(f"{name!r} ({node.value}) has no MeSH descriptor mapping")
    return ox.NamedNode(found[0][1])


def suggest(kg: NamedGraphPort, text: str, n: int = 5) -> list[str]:
    """The labels of the entities closest to ``text``, best first: KB entities found by
    :meth:`NameIndex.search`, then MeSH descriptors of the store spelled alike. Never relation
    names, classes, tree numbers, qualifiers or article titles."""
    found = [hit.label for hit in kg.name_index().search(text, limit=n)]
    if len(found) < n:
        rows = _scan(kg, _LABELS, _LABELS_IN_GRAPH)
        labels = {r["label"].value for r in rows if r["label"] is not None}
        by_fold: dict[str, str] = {}
        for label in sorted(labels):
            by_fold.setdefault(label.casefold(), label)
        close = difflib.get_close_matches(text.casefold(), list(by_fold), n=n, cutoff=0.6)
        found += [by_fold[c] for c in close if by_fold[c] not in found]
    return found[:n]
