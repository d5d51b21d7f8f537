"""The literature index: per named graph, how many articles are indexed with MeSH descriptors
(or narrower ones) of each pair of KB entities.

``claim-literature-support`` answers from these counts (a few thousand triples) instead of
joining every claim's two article sets, which takes over a minute at a million articles. The
counts are a derived graph, like the inferred one: ingest keeps them current file by file, and
:func:`ensure_index` recounts exactly the graphs that changed since they were counted (new,
dropped, or counted with other entity-to-MeSH mappings, e.g. before the MeSH tree was loaded).

Each count says which graph it was derived from (``prov:wasDerivedFrom``); the store-wide totals
the query reads are their sums. An article is counted once, with its descriptors from every
graph, by the first (by IRI) of the graphs where it has a descriptor that counts, so the counts
of a store add up over its graphs.

>>> mapping = {"http://id.nlm.nih.gov/mesh/D1": frozenset({"kb:a"}),
...            "http://id.nlm.nih.gov/mesh/D2": frozenset({"kb:b"})}
>>> sorted(pair_counts([["D1", "D2"], ["D1"], ["D3"]], mapping).items())
[(('kb:a', 'kb:a'), 2), (('kb:a', 'kb:b'), 1), (('kb:b', 'kb:b'), 1)]
"""

from __future__ import annotations

import hashlib
from collections import Counter
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING

import pyoxigraph as ox

from igfkg.core.namespaces import BASE

if TYPE_CHECKING:
    from igfkg.graph import KnowledgeGraph
    from igfkg.store.base import Backend

__all__ = [
    "INDEX_GRAPH",
    "EntityMap",
    "count_lines",
    "ensure_index",
    "entity_map",
    "entity_pair_counts",
    "index_triples",
    "index_update",
    "invalidate_update",
    "pair_counts",
    "recount_store",
    "recount_updates",
    "reindex_graphs",
    "total_lines",
]

INDEX_GRAPH = BASE + "graph/literature-index"
MESH = "http://id.nlm.nih.gov/mesh/"
MESHV = "http://id.nlm.nih.gov/mesh/vocab#"
_HAS_DESCRIPTOR = BASE + "hasMeshDescriptor"
_DIGEST = BASE + "literatureIndexDigest"
_TOTALS = BASE + "literatureIndexTotalsCurrent"
_PROV = "http://www.w3.org/ns/prov#wasDerivedFrom"
_SKIPPED = (INDEX_GRAPH, BASE + "graph/control", BASE + "graph/inferred")

# An entity's MeSH descriptors: its own mappings, or those of the molecule it is a recombinant
# form of (mecasermin: IGF-I) or whose level it changes (reduced plasma IGF-1: IGF-I); every
# narrower descriptor is added from the hierarchy's edges (a path query from an unbound end
# walks every node of the store on Oxigraph: minutes at a million articles).
_ROOTS_QUERY = """
PREFIX igfkg: <https://w3id.org/igfkg/>
PREFIX skos: <http://www.w3.org/2004/02/skos/core#>
SELECT DISTINCT ?entity ?root WHERE {
  { ?entity skos:exactMatch|skos:closeMatch ?root }
  UNION { ?entity (igfkg:isRecombinantFormOf|igfkg:concernsEntity)/skos:exactMatch ?root }
  FILTER(STRSTARTS(STR(?root), "http://id.nlm.nih.gov/mesh/D"))
}
"""
# Counted graphs with their marks (a graph's counts and its mark are written and removed
# together; an arbitrary update blanks every mark, so the graph is recounted).
_MARKERS = (
    f"""SELECT ?graph ?digest WHERE {{ GRAPH <{INDEX_GRAPH}> {{ ?graph <{_DIGEST}> ?digest }} }}"""
)
_TOTALS_CURRENT = f"ASK {{ GRAPH <{INDEX_GRAPH}> {{ <{INDEX_GRAPH}> <{_TOTALS}> ?current }} }}"
_GRAPHS = "SELECT DISTINCT ?g WHERE { GRAPH ?g { ?s ?p ?o } }"


Match = Callable[  # a quad-pattern lookup: subject, predicate, object, graph (None: any)
    [ox.NamedNode | None, ox.NamedNode | None, ox.NamedNode | None, ox.NamedNode | None],
    Iterable[ox.Quad],
]


@dataclass(frozen=True)
class EntityMap:
    """Descriptor IRI -> the entities it counts for, and a digest of that mapping."""

    entities: Mapping[str, frozenset[str]]
    digest: str


def entity_map(kg: KnowledgeGraph) -> EntityMap:
    """The current descriptor -> entities mapping of ``kg`` (KB mappings + MeSH tree)."""
    roots = ((r["entity"], r["root"]) for r in kg.select(_ROOTS_QUERY))
    return _entity_map(roots, _narrower(kg.backend.match))


def _narrower(match: Match) -> Callable[[str], Iterable[str]]:
    """The descriptors directly narrower than a descriptor, by quad-pattern lookup."""
    broader = ox.NamedNode(MESHV + "broaderDescriptor")

    def narrower(descriptor: str) -> set[str]:
        quads = match(None, broader, ox.NamedNode(descriptor), None)
        return {q.subject.value for q in quads if isinstance(q.subject, ox.NamedNode)}

    return narrower


def _entity_map(
    roots: Iterable[tuple[object, object]], narrower: Callable[[str], Iterable[str]]
) -> EntityMap:
    by_descriptor: dict[str, set[str]] = {}
    for entity, root in roots:
        if not (isinstance(entity, ox.NamedNode) and isinstance(root, ox.NamedNode)):
            continue
        seen = {root.value}
        todo = [root.value]
        while todo:
            descriptor = todo.pop()
            by_descriptor.setdefault(descriptor, set()).add(entity.value)
            for child in narrower(descriptor):
                if child not in seen:
                    seen.add(child)
                    todo.append(child)
    lines = sorted(f"{d}\t{e}" for d, es in by_descriptor.items() for e in es)
    digest = "sha256:" + hashlib.sha256("\n".join(lines).encode()).hexdigest()
    return EntityMap({d: frozenset(es) for d, es in by_descriptor.items()}, digest)


def pair_counts(
    articles: Iterable[Iterable[str]], mapping: Mapping[str, frozenset[str]]
) -> Counter[tuple[str, str]]:
    """Articles per unordered entity pair (first <= second; (e, e) counts articles for e),
    given each article's descriptors as MeSH UIs or IRIs."""
    sets = (
        frozenset().union(*(mapping.get(d if d.startswith("http") else MESH + d, ()) for d in ds))
        for ds in articles
    )
    return entity_pair_counts(sets)


def entity_pair_counts(entity_sets: Iterable[frozenset[str]]) -> Counter[tuple[str, str]]:
    """Articles per unordered entity pair, given the entities each article is indexed for."""
    counts: Counter[tuple[str, str]] = Counter()
    for found in entity_sets:
        if found:
            ordered = sorted(found)
            counts.update((a, b) for i, a in enumerate(ordered) for b in ordered[i:])
    return counts


def index_update(graph: str, counts: Mapping[tuple[str, str], int], digest: str) -> str:
    """A SPARQL update replacing the counts of ``graph``."""
    body = "\n".join(count_lines(graph, counts, digest))
    idx = ox.NamedNode(INDEX_GRAPH)
    return f"{drop_update(graph)} ;\nINSERT DATA {{ GRAPH {idx} {{\n{body}\n}} }}"


def count_lines(graph: str, counts: Mapping[tuple[str, str], int], digest: str) -> list[str]:
    """The counts of ``graph`` and its 'counted' mark as N-Triples statements (IRIs and
    literals all made by pyoxigraph's term constructors, which check and escape them)."""
    g = ox.NamedNode(graph)
    lines = [f"{g} <{_DIGEST}> {ox.Literal(digest)} ."]
    for (first, second), n in sorted(counts.items()):
        key = hashlib.sha256(f"{graph} {first} {second}".encode()).hexdigest()[:32]
        node = ox.NamedNode(f"{BASE}literature-index/{key}")
        n_literal = ox.Literal(str(n), datatype=ox.NamedNode(_XSD_INTEGER))
        lines += [
            f"{node} <{_TYPE}> <{BASE}EntityPairArticleCount> .",
            f"{node} <{_PROV}> {g} .",
            f"{node} <{BASE}firstEntity> {ox.NamedNode(first)} .",
            f"{node} <{BASE}secondEntity> {ox.NamedNode(second)} .",
            f"{node} <{BASE}articleCount> {n_literal} .",
        ]
    return lines


def index_triples(triples: Iterable[ox.Triple], graph: str) -> list[ox.Triple]:
    """The literature index of ``triples`` taken as the one named graph ``graph`` (used for
    releases, whose articles are all in the KB graph)."""
    store = ox.Store()
    store.extend(ox.Quad(t.subject, t.predicate, t.object, ox.NamedNode(graph)) for t in triples)
    roots = store.query(_ROOTS_QUERY, use_default_graph_as_union=True)
    mapping = _entity_map(
        ((r["entity"], r["root"]) for r in roots),  # type: ignore[union-attr]
        _narrower(store.quads_for_pattern),
    )
    match: Match = store.quads_for_pattern
    counts = pair_counts(_store_articles(match, graph, mapping)[0], mapping.entities)
    data = "\n".join(count_lines(graph, counts, mapping.digest) + total_lines(counts)).encode()
    return [
        ox.Triple(q.subject, q.predicate, q.object)
        for q in ox.parse(data, format=ox.RdfFormat.N_TRIPLES)
    ]


_XSD = "http://www.w3.org/2001/XMLSchema#"
_XSD_INTEGER = _XSD + "integer"
_TYPE = "http://www.w3.org/1999/02/22-rdf-syntax-ns#type"


def drop_update(graph: str) -> str:
    """A SPARQL update removing the counts of ``graph`` and its 'counted' mark (and so the
    mark of the store-wide totals, which are summed again when next needed)."""
    g = ox.NamedNode(graph)
    idx = ox.NamedNode(INDEX_GRAPH)
    return (
        f"DELETE {{ GRAPH {idx} {{ ?count ?p ?o }} }} "
        f"WHERE {{ GRAPH {idx} {{ ?count <{_PROV}> {g} ; ?p ?o }} }} ;\n"
        f"DELETE WHERE {{ GRAPH {idx} {{ {g} <{_DIGEST}> ?digest }} }} ;\n"
        f"DELETE WHERE {{ GRAPH {idx} {{ {idx} <{_TOTALS}> ?current }} }}"
    )


def invalidate_update() -> str:
    """A SPARQL update marking every graph as to be recounted (after arbitrary writes): the
    marks stay (a graph dropped meanwhile must still lose its counts), their digests go."""
    idx = ox.NamedNode(INDEX_GRAPH)
    return (
        f"DELETE {{ GRAPH {idx} {{ ?graph <{_DIGEST}> ?digest }} }} "
        f'INSERT {{ GRAPH {idx} {{ ?graph <{_DIGEST}> "" }} }} '
        f"WHERE {{ GRAPH {idx} {{ ?graph <{_DIGEST}> ?digest }} }} ;\n"
        f"DELETE WHERE {{ GRAPH {idx} {{ {idx} <{_TOTALS}> ?current }} }}"
    )


def total_lines(counts: Mapping[tuple[str, str], int]) -> list[str]:
    """Store-wide totals per entity pair as N-Triples, with the 'totals current' mark."""
    idx = ox.NamedNode(INDEX_GRAPH)
    true = ox.Literal("true", datatype=ox.NamedNode(_XSD + "boolean"))
    lines = [f"{idx} <{_TOTALS}> {true} ."]
    for (first, second), n in sorted(counts.items()):
        key = hashlib.sha256(f"{first} {second}".encode()).hexdigest()[:32]
        node = ox.NamedNode(f"{BASE}literature-index/total-{key}")
        n_literal = ox.Literal(str(n), datatype=ox.NamedNode(_XSD + "integer"))
        lines += [
            f"{node} <{_TYPE}> <{BASE}EntityPairArticleTotal> .",
            f"{node} <{BASE}firstEntity> {ox.NamedNode(first)} .",
            f"{node} <{BASE}secondEntity> {ox.NamedNode(second)} .",
            f"{node} <{BASE}articleCount> {n_literal} .",
        ]
    return lines


_SUMS = f"""SELECT ?first ?second (SUM(?n) AS ?total) WHERE {{ GRAPH <{INDEX_GRAPH}> {{
  ?count <{_PROV}> ?graph ; <{BASE}firstEntity> ?first ; <{BASE}secondEntity> ?second ;
      <{BASE}articleCount> ?n }} }} GROUP BY ?first ?second"""


def _sum_totals(backend: Backend) -> None:
    """Replace the store-wide totals by the sums of every graph's counts (one transaction)."""
    sums: dict[tuple[str, str], int] = {}
    for row in backend.select(_SUMS):
        first, second, total = row["first"], row["second"], row["total"]
        if first is not None and second is not None and total is not None:
            sums[(first.value, second.value)] = int(total.value)
    idx = ox.NamedNode(INDEX_GRAPH)
    body = "\n".join(total_lines(sums))
    backend.update(
        f"DELETE WHERE {{ GRAPH {idx} {{ ?total a <{BASE}EntityPairArticleTotal> ; ?p ?o }} }} ;\n"
        f"DELETE WHERE {{ GRAPH {idx} {{ {idx} <{_TOTALS}> ?current }} }} ;\n"
        f"INSERT DATA {{ GRAPH {idx} {{\n{body}\n}} }}"
    )


def _owned(
    graph: str, located: Mapping[str, tuple[set[str], set[str]]], mapping: EntityMap
) -> tuple[list[set[str]], set[str]]:
    """From articles with (their (graph, descriptor) pairs): the descriptors of the articles
    ``graph`` counts, and the other graphs sharing them. An article counts once, with its
    descriptors from every graph, in the first (by IRI) of the graphs where it has a descriptor
    that counts for some entity; articles with none count nowhere."""
    owned: list[set[str]] = []
    sharing: set[str] = set()
    for graphs, descriptors in located.values():
        if not graphs:
            continue
        counted = sorted(graphs)
        if counted[0] == graph:
            owned.append(descriptors)
        sharing.update(counted)
    sharing.discard(graph)
    return owned, sharing


def _locate(
    rows: Iterable[tuple[str, str, str]], mapping: EntityMap
) -> dict[str, tuple[set[str], set[str]]]:
    """(article, graph, descriptor) rows -> article: (graphs where it has a descriptor that
    counts, all its descriptors)."""
    located: dict[str, tuple[set[str], set[str]]] = {}
    for article, graph, descriptor in rows:
        graphs, descriptors = located.setdefault(article, (set(), set()))
        descriptors.add(descriptor)
        if descriptor in mapping.entities and graph not in _SKIPPED:
            graphs.add(graph)
    return located


def _store_articles(
    match: Match, graph: str, mapping: EntityMap
) -> tuple[list[set[str]], set[str]]:
    """:func:`_owned` for ``graph``, read with a quad-pattern lookup. Only articles with a
    descriptor that counts are looked at: one lookup per such descriptor, then one per such
    article."""
    has_descriptor = ox.NamedNode(_HAS_DESCRIPTOR)
    g = ox.NamedNode(graph)
    articles = {
        q.subject
        for d in mapping.entities
        for q in match(None, has_descriptor, ox.NamedNode(d), g)
        if isinstance(q.subject, ox.NamedNode)
    }
    rows = (
        (article.value, q.graph_name.value, q.object.value)
        for article in articles
        for q in match(article, has_descriptor, None, None)
        if isinstance(q.graph_name, ox.NamedNode) and isinstance(q.object, ox.NamedNode)
    )
    return _owned(graph, _locate(rows, mapping), mapping)


def recount_store(store: ox.Store, graphs: Iterable[str], mapping: EntityMap) -> None:
    """Recount ``graphs`` of an Oxigraph store, and the graphs sharing articles with them
    (which article each counts may have changed); one transaction per graph."""
    match: Match = store.quads_for_pattern
    _cascade(graphs, lambda g: _store_articles(match, g, mapping), store.update, mapping)


def recount_updates(match: Match, graphs: Iterable[str], mapping: EntityMap) -> list[str]:
    """The updates :func:`recount_store` would apply, read through ``match`` (for instance a
    view of the store as it will be after a change, so that the change and its counts are
    written in one transaction)."""
    updates: list[str] = []
    _cascade(graphs, lambda g: _store_articles(match, g, mapping), updates.append, mapping)
    return updates


def reindex_graphs(backend: Backend, graphs: Iterable[str], mapping: EntityMap) -> None:
    """:func:`recount_store` on any embedded backend."""
    match: Match = backend.match
    _cascade(graphs, lambda g: _store_articles(match, g, mapping), backend.update, mapping)


def _cascade(
    graphs: Iterable[str],
    articles: Callable[[str], tuple[list[set[str]], set[str]]],
    update: Callable[[str], None],
    mapping: EntityMap,
) -> None:
    todo = list(dict.fromkeys(graphs))
    first = set(todo)
    done: set[str] = set()
    while todo:
        graph = todo.pop(0)
        if graph in done:
            continue
        done.add(graph)
        owned, sharing = articles(graph)
        update(index_update(graph, pair_counts(owned, mapping.entities), mapping.digest))
        if graph in first:  # graphs sharing articles with a changed graph: one level only
            todo.extend(sorted(sharing - done))


def _named_graphs(backend: Backend) -> set[str]:
    from igfkg.store.oxigraph import OxigraphBackend

    if isinstance(backend, OxigraphBackend):
        names = backend.store.named_graphs()
        return {g.value for g in names if isinstance(g, ox.NamedNode)}
    return {row["g"].value for row in backend.select(_GRAPHS) if row["g"] is not None}


def ensure_index(kg: KnowledgeGraph, mapping: EntityMap | None = None) -> int:
    """Bring the literature index of ``kg`` up to date: recount graphs that are new or were
    counted with another mapping, drop the counts of graphs that are gone. Returns the number
    of graphs recounted (0 when the index is current, which costs a few milliseconds)."""
    backend = kg.backend
    current = mapping or entity_map(kg)
    marks = {
        name.value: digest.value
        for row in backend.select(_MARKERS)
        if (name := row["graph"]) is not None and (digest := row["digest"]) is not None
    }
    graphs = {g for g in _named_graphs(backend) if g not in _SKIPPED}
    for gone in sorted(set(marks) - graphs):
        backend.update(drop_update(gone))
    stale = sorted(g for g in graphs if marks.get(g) != current.digest)
    reindex_graphs(backend, stale, current)
    if not bool(backend.select(_TOTALS_CURRENT)):
        _sum_totals(backend)
    return len(stale)
