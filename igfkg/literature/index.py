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

from igfkg.core import sparql
from igfkg.core.namespaces import BASE
from igfkg.core.progress import step

if TYPE_CHECKING:
    from igfkg.store.base import Backend
    from igfkg.store.port import GraphPort

__all__ = [
    "INDEX_GRAPH",
    "EntityMap",
    "count_quads",
    "drop_update",
    "ensure_index",
    "entity_map",
    "entity_pair_counts",
    "index_triples",
    "index_update",
    "invalidate_update",
    "pair_counts",
    "recount_updates",
    "reindex_graphs",
    "total_quads",
]

INDEX_GRAPH = BASE + "graph/literature-index"
MESH = "http://id.nlm.nih.gov/mesh/"
MESHV = "http://id.nlm.nih.gov/mesh/vocab#"
_SKIPPED = (INDEX_GRAPH, BASE + "graph/control", BASE + "graph/inferred")

_INDEX = ox.NamedNode(INDEX_GRAPH)
_HAS_DESCRIPTOR = ox.NamedNode(BASE + "hasMeshDescriptor")
_DIGEST = ox.NamedNode(BASE + "literatureIndexDigest")
_TOTALS = ox.NamedNode(BASE + "literatureIndexTotalsCurrent")
_PROV = ox.NamedNode("http://www.w3.org/ns/prov#wasDerivedFrom")
_TYPE = ox.NamedNode("http://www.w3.org/1999/02/22-rdf-syntax-ns#type")
_COUNT = ox.NamedNode(BASE + "EntityPairArticleCount")
_TOTAL = ox.NamedNode(BASE + "EntityPairArticleTotal")
_FIRST = ox.NamedNode(BASE + "firstEntity")
_SECOND = ox.NamedNode(BASE + "secondEntity")
_ARTICLES = ox.NamedNode(BASE + "articleCount")
_INTEGER = ox.NamedNode("http://www.w3.org/2001/XMLSchema#integer")

_ROOTS = sparql.load("igfkg.literature", "index-roots")
_MARKS = sparql.load("igfkg.literature", "index-marks")
_TOTALS_CURRENT = sparql.load("igfkg.literature", "index-totals-current")
_SUMS = sparql.load("igfkg.literature", "index-sums")
_DROP = sparql.load("igfkg.literature", "index-drop-graph")
_INVALIDATE = sparql.load("igfkg.literature", "index-invalidate")
_CLEAR_TOTALS = sparql.load("igfkg.literature", "index-clear-totals")


Match = Callable[  # a quad-pattern lookup: subject, predicate, object, graph (None: any)
    [ox.NamedNode | None, ox.NamedNode | None, ox.NamedNode | None, ox.NamedNode | None],
    Iterable[ox.Quad],
]


@dataclass(frozen=True)
class EntityMap:
    """Descriptor IRI -> the entities it counts for, and a digest of that mapping."""

    entities: Mapping[str, frozenset[str]]
    digest: str


def entity_map(backend: Backend) -> EntityMap:
    """The current descriptor -> entities mapping of a store (KB mappings + MeSH tree)."""
    roots = ((r["entity"], r["root"]) for r in backend.select(_ROOTS))
    return _entity_map(roots, _narrower(backend.match))


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
    return drop_update(graph) + " ;\n" + sparql.insert_data(count_quads(graph, counts, digest))


def count_quads(graph: str, counts: Mapping[tuple[str, str], int], digest: str) -> list[ox.Quad]:
    """The counts of ``graph`` and its 'counted' mark, in the index graph."""
    g = ox.NamedNode(graph)
    quads = [ox.Quad(g, _DIGEST, ox.Literal(digest), _INDEX)]
    add = quads.append
    for (first, second), n in sorted(counts.items()):
        key = hashlib.sha256(f"{graph} {first} {second}".encode()).hexdigest()[:32]
        node = ox.NamedNode(f"{BASE}literature-index/{key}")
        add(ox.Quad(node, _TYPE, _COUNT, _INDEX))
        add(ox.Quad(node, _PROV, g, _INDEX))
        add(ox.Quad(node, _FIRST, ox.NamedNode(first), _INDEX))
        add(ox.Quad(node, _SECOND, ox.NamedNode(second), _INDEX))
        add(ox.Quad(node, _ARTICLES, ox.Literal(str(n), datatype=_INTEGER), _INDEX))
    return quads


def index_triples(triples: Iterable[ox.Triple], graph: str) -> list[ox.Triple]:
    """The literature index of ``triples`` taken as the one named graph ``graph`` (used for
    releases, whose articles are all in the KB graph)."""
    from igfkg.store.oxigraph import OxigraphBackend

    backend = OxigraphBackend()
    data = ox.serialize(triples, format=ox.RdfFormat.N_TRIPLES) or b""
    backend.add_ntriples(data, graph)
    mapping = entity_map(backend)
    counts = pair_counts(_store_articles(backend.match, graph, mapping)[0], mapping.entities)
    quads = count_quads(graph, counts, mapping.digest) + total_quads(counts)
    return [ox.Triple(q.subject, q.predicate, q.object) for q in quads]


def drop_update(graph: str) -> str:
    """A SPARQL update removing the counts of ``graph`` and its 'counted' mark (and so the
    mark of the store-wide totals, which are summed again when next needed)."""
    return sparql.fill(_DROP, graph=ox.NamedNode(graph))


def invalidate_update() -> str:
    """A SPARQL update marking every graph as to be recounted (after arbitrary writes): the
    marks stay (a graph dropped meanwhile must still lose its counts), their digests go."""
    return _INVALIDATE


def total_quads(counts: Mapping[tuple[str, str], int]) -> list[ox.Quad]:
    """Store-wide totals per entity pair, with the 'totals current' mark, in the index graph."""
    quads = [ox.Quad(_INDEX, _TOTALS, ox.Literal(True), _INDEX)]
    add = quads.append
    for (first, second), n in sorted(counts.items()):
        key = hashlib.sha256(f"{first} {second}".encode()).hexdigest()[:32]
        node = ox.NamedNode(f"{BASE}literature-index/total-{key}")
        add(ox.Quad(node, _TYPE, _TOTAL, _INDEX))
        add(ox.Quad(node, _FIRST, ox.NamedNode(first), _INDEX))
        add(ox.Quad(node, _SECOND, ox.NamedNode(second), _INDEX))
        add(ox.Quad(node, _ARTICLES, ox.Literal(str(n), datatype=_INTEGER), _INDEX))
    return quads


def _sum_totals(backend: Backend) -> None:
    """Replace the store-wide totals by the sums of every graph's counts (one transaction)."""
    sums: dict[tuple[str, str], int] = {}
    for row in backend.select(_SUMS):
        first, second, total = row["first"], row["second"], row["total"]
        if first is not None and second is not None and total is not None:
            sums[(first.value, second.value)] = int(total.value)
    backend.update(_CLEAR_TOTALS + " ;\n" + sparql.insert_data(total_quads(sums)))


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
    has_descriptor = _HAS_DESCRIPTOR
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


def recount_updates(match: Match, graphs: Iterable[str], mapping: EntityMap) -> list[str]:
    """The updates :func:`reindex_graphs` would apply, read through ``match`` (for instance a
    view of the store as it will be after a change, so that the change and its counts are
    written in one transaction)."""
    updates: list[str] = []
    _cascade(graphs, lambda g: _store_articles(match, g, mapping), updates.append, mapping)
    return updates


def reindex_graphs(backend: Backend, graphs: Iterable[str], mapping: EntityMap) -> None:
    """Recount ``graphs`` of an embedded store, and the graphs sharing articles with them
    (which article each counts may have changed); one transaction per graph."""
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
        step("literature index: graphs recounted", len(done), len(done) + len(set(todo) - done))
        owned, sharing = articles(graph)
        update(index_update(graph, pair_counts(owned, mapping.entities), mapping.digest))
        if graph in first:  # graphs sharing articles with a changed graph: one level only
            todo.extend(sorted(sharing - done))


def ensure_index(kg: GraphPort, mapping: EntityMap | None = None) -> int:
    """Bring the literature index of ``kg`` up to date: recount graphs that are new or were
    counted with another mapping, drop the counts of graphs that are gone. Returns the number
    of graphs recounted (0 when the index is current, which costs a few milliseconds)."""
    backend = kg.backend
    current = mapping or entity_map(backend)
    marks = {
        name.value: digest.value
        for row in backend.select(_MARKS)
        if (name := row["graph"]) is not None and (digest := row["digest"]) is not None
    }
    graphs = {g.value for g in backend.named_graphs() if g.value not in _SKIPPED}
    for gone in sorted(set(marks) - graphs):
        backend.update(drop_update(gone))
    stale = sorted(g for g in graphs if marks.get(g) != current.digest)
    reindex_graphs(backend, stale, current)
    if not bool(backend.select(_TOTALS_CURRENT)):
        _sum_totals(backend)
    return len(stale)
