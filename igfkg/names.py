"""Names to IRIs: entities given by IRI, CURIE, label or synonym, their MeSH descriptors, and
the closest labels when a name is unknown. Lookups use the store's index where they can and
never scan the titles of ingested articles (millions of labels at corpus scale)."""

from __future__ import annotations

import difflib
from collections.abc import Iterable, Mapping
from typing import TYPE_CHECKING

import pyoxigraph as ox

from igfkg.backends import OxigraphBackend
from igfkg.errors import ParameterError, UnknownNameError
from igfkg.namespaces import GRAPH_KB, GRAPH_SOURCES, IGFKG, KB, PREFIXES, expand_curie
from igfkg.results import Row, Term

if TYPE_CHECKING:
    from igfkg.graph import KnowledgeGraph

MESH = PREFIXES["MESH"]
_TYPE = ox.NamedNode("http://www.w3.org/1999/02/22-rdf-syntax-ns#type")
_ARTICLE = ox.NamedNode(IGFKG + "JournalArticle")

_LABELLED = """
  { ?entity rdfs:label ?label . BIND(0 AS ?rank) }
  UNION { ?entity skos:altLabel ?label . BIND(1 AS ?rank) }
  UNION { ?entity skos:notation ?label . BIND(1 AS ?rank) }"""

_LOOKUP = f"""
PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>
PREFIX skos: <http://www.w3.org/2004/02/skos/core#>
SELECT DISTINCT ?entity ?rank ?needle WHERE {{{_LABELLED}
  FILTER(LCASE(STR(?label)) = ?needle)
}}
"""

# The same scan over one named graph ?g: the curated KB's first (KB entities win any tie, so
# a match there skips every other lookup), then each graph other than the ingested literature.
_LOOKUP_IN_GRAPH = f"""
PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>
PREFIX skos: <http://www.w3.org/2004/02/skos/core#>
SELECT DISTINCT ?entity ?rank ?needle WHERE {{
  GRAPH ?g {{{_LABELLED}
  }}
  FILTER(LCASE(STR(?label)) = ?needle)
}}
"""

# A label spelled exactly, found through the store's index rather than by a scan.
_LOOKUP_EXACT = f"""
PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>
PREFIX skos: <http://www.w3.org/2004/02/skos/core#>
SELECT DISTINCT ?entity ?rank ?label WHERE {{{_LABELLED}
}}
"""

_BY_MAPPING = """
PREFIX skos: <http://www.w3.org/2004/02/skos/core#>
SELECT DISTINCT ?entity ?iri WHERE { ?entity skos:exactMatch ?iri }
"""

# pyoxigraph substitutes only variables of the projection, so bound variables are projected.
_KNOWN = """
SELECT ?p ?iri WHERE { { ?iri ?p ?o } UNION { ?s ?p ?iri } } LIMIT 1
"""

_MESH_MAPPING = """
PREFIX skos: <http://www.w3.org/2004/02/skos/core#>
SELECT ?entity ?mesh ?rank WHERE {
  { ?entity skos:exactMatch ?mesh . BIND(0 AS ?rank) }
  UNION { ?entity skos:closeMatch ?mesh . BIND(1 AS ?rank) }
}
"""

_LABELS = """
PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>
PREFIX skos: <http://www.w3.org/2004/02/skos/core#>
SELECT DISTINCT ?label WHERE { ?entity rdfs:label|skos:altLabel ?label }
"""

_LABELS_IN_GRAPH = """
PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>
PREFIX skos: <http://www.w3.org/2004/02/skos/core#>
SELECT DISTINCT ?label WHERE { GRAPH ?g { ?entity rdfs:label|skos:altLabel ?label } }
"""


def _spellings(text: str) -> list[dict[str, Term]]:
    """Bindings of ``?label`` to ``text`` as given, lower-case, Sentence case, Title Case and
    upper-case, each plain and in English (MeSH labels are ``@en``)."""
    forms = dict.fromkeys((text, text.lower(), text.capitalize(), text.title(), text.upper()))
    return [
        {"label": ox.Literal(form, language=lang) if lang else ox.Literal(form)}
        for form in forms
        for lang in ("", "en")
    ]


def _literature(backend: OxigraphBackend, graph: ox.NamedNode) -> bool:
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


def resolve(kg: KnowledgeGraph, name: str) -> ox.NamedNode:
    """The IRI of an entity named by IRI, CURIE, label or synonym (see
    :meth:`KnowledgeGraph.resolve`)."""
    text = name.strip()
    if text.startswith("<") and text.endswith(">"):
        text = text[1:-1]
    iri: str | None = None
    if text.startswith(("http://", "https://")):
        iri = text
    elif ":" in text:
        iri = expand_curie(text)
    if iri is not None and not any(c.isspace() for c in iri):
        node = ox.NamedNode(iri)
        if not iri.startswith(KB):
            mapped = kg.select(_BY_MAPPING, {"iri": node})
            kb_hits = sorted(
                (r["entity"] for r in mapped if isinstance(r["entity"], ox.NamedNode)),
                key=lambda t: t.value,
            )
            if len(kb_hits) == 1:
                return kb_hits[0]
        if kg.select(_KNOWN, {"iri": node}):
            return node
    # The curated KB first (its own graph, small); then the label spelled as given or in
    # a usual casing (index lookups); then a case-insensitive scan of the labels outside
    # the ingested literature, whose article titles are matched exactly only.
    needle = {"needle": ox.Literal(text.casefold())}
    found = _best(kg.select(_LOOKUP_IN_GRAPH, {**needle, "g": ox.NamedNode(GRAPH_KB)}))
    if found is not None and found.value.startswith(KB):
        return found
    rows = [row for label in _spellings(text) for row in kg.select(_LOOKUP_EXACT, label)]
    found = _best(rows) or _best(_scan(kg, _LOOKUP, _LOOKUP_IN_GRAPH, needle))
    if found is not None:
        return found
    raise UnknownNameError(name, suggest(kg, text))


def _scan(
    kg: KnowledgeGraph,
    everywhere: str,
    in_graph: str,
    bindings: Mapping[str, Term] | None = None,
) -> list[Row]:
    """The rows of a label scan: over each named graph ``?g`` but the ingested literature
    (millions of article titles) with ``in_graph``, when there is any literature, on the
    embedded Oxigraph store; else ``everywhere``."""
    backend = kg.backend
    if not isinstance(backend, OxigraphBackend):
        return list(kg.select(everywhere, bindings))
    names = [g for g in backend.store.named_graphs() if isinstance(g, ox.NamedNode)]
    kept = sorted((g for g in names if not _literature(backend, g)), key=str)
    if len(kept) == len(names):
        return list(kg.select(everywhere, bindings))
    return [row for g in kept for row in kg.select(in_graph, {**(bindings or {}), "g": g})]


def mesh_descriptor(kg: KnowledgeGraph, name: str) -> ox.NamedNode:
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


def suggest(kg: KnowledgeGraph, text: str, n: int = 5) -> list[str]:
    """The labels and synonyms closest to ``text`` (article titles aside)."""
    rows = _scan(kg, _LABELS, _LABELS_IN_GRAPH)
    labels = {r["label"].value for r in rows if r["label"] is not None}
    by_fold: dict[str, str] = {}
    for label in sorted(labels):
        by_fold.setdefault(label.casefold(), label)
    close = difflib.get_close_matches(text.casefold(), list(by_fold), n=n, cutoff=0.5)
    return [by_fold[c] for c in close]
