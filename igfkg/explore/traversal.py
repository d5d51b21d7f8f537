"""Graph traversal: neighbours, paths, ancestors and descendants, with the evidence on each edge.

Edges are the IRI-to-IRI statements of the graph other than typing; each carries the claims
that support it. A claim the source hedges (probable, possible, uncertain, unknown, not
demonstrated, experimental only) is no statement of the graph, so it is no edge, unless asked
for with ``include_hedged=True``: then it is an edge marked ``hedged`` with its certainty.

>>> import igfkg
>>> kg = igfkg.open()
>>> edges = neighbors(kg, kg.resolve("mecasermin"), predicate=kg.resolve("igfkg:testedIn"))
>>> sorted(e.object_label for e in edges)
['clinical trials in humans', 'experimental studies']
>>> edges[0].evidence[0].certainty
'established'
>>> igf1 = kg.resolve("IGF-1")
>>> [e.object_label for e in neighbors(kg, igf1) if e.predicate_label == "protects against"]
[]
>>> [str(e).splitlines()[0] for e in neighbors(kg, igf1, include_hedged=True)
...  if e.predicate_label == "protects against"]
['insulin-like growth factor 1 —protects against (experimental only)→ diabetic neuropathy']
"""

from __future__ import annotations

import difflib
from collections import deque
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

import pyoxigraph as ox

from igfkg.core import sparql
from igfkg.core.errors import ParameterError, UnknownPredicateError
from igfkg.core.namespaces import compact
from igfkg.explore.support import Support, claim_support

if TYPE_CHECKING:
    from igfkg.store.port import GraphPort

__all__ = [
    "Edge",
    "Evidence",
    "ancestors",
    "descendants",
    "neighbors",
    "paths",
    "unknown_predicate",
]

_RDF_TYPE = "http://www.w3.org/1999/02/22-rdf-syntax-ns#type"
# Not relations: types, definitions, the literature index's derived pair counts (which name
# both entities of a pair; a store with ingested literature holds one per co-indexed pair), and
# machine-read evidence (mentions, candidate statements and their counts by year, never edges
# between entities).
_SKIP = {
    _RDF_TYPE,
    "http://www.w3.org/2000/01/rdf-schema#isDefinedBy",
    "https://w3id.org/igfkg/firstEntity",
    "https://w3id.org/igfkg/secondEntity",
    "https://w3id.org/igfkg/mentionOf",
    "https://w3id.org/igfkg/mentionsEntity",
    "https://w3id.org/igfkg/candidateSubject",
    "https://w3id.org/igfkg/candidateObject",
    "https://w3id.org/igfkg/yearlyEvidenceOf",
    "https://w3id.org/igfkg/yearlyPairEvidenceOf",
}

_OUT = sparql.load("igfkg.explore", "traversal-out")
_IN = sparql.load("igfkg.explore", "traversal-in")
_LABEL = sparql.load("igfkg.explore", "traversal-label")
_HEDGED = sparql.load("igfkg.explore", "traversal-hedged")
_EVIDENCE = sparql.load("igfkg.explore", "traversal-evidence")
_HIERARCHY = sparql.load("igfkg.explore", "traversal-hierarchy")
_HIERARCHY_DOWN = sparql.load("igfkg.explore", "traversal-hierarchy-down")
_PREDICATE_USED = sparql.load("igfkg.explore", "traversal-predicate-used")
_PROPERTIES = sparql.load("igfkg.explore", "traversal-properties")


@dataclass(frozen=True)
class Evidence:
    """A claim that supports an edge: its identifier, certainty, source and quote, and for a
    study-based claim its support by primary studies."""

    claim: str
    certainty: str
    source: str
    quote: str
    support: Support | None = None


@dataclass(frozen=True)
class Edge:
    """One statement between two IRIs, with labels and supporting evidence; ``hedged`` when
    it is no statement of the graph but a claim the source hedges (asked for explicitly)."""

    subject: str
    predicate: str
    object: str
    subject_label: str
    predicate_label: str
    object_label: str
    evidence: tuple[Evidence, ...] = field(default=())
    hedged: bool = False

    def other(self, node: str) -> str:
        """The end of the edge that is not ``node``."""
        return self.object if self.subject == node else self.subject

    def __str__(self) -> str:
        relation = self.predicate_label
        if self.hedged:
            relation += " (" + ", ".join(sorted({ev.certainty for ev in self.evidence})) + ")"
        text = f"{self.subject_label} —{relation}→ {self.object_label}"
        for ev in self.evidence:
            text += f"\n    [{ev.certainty}] {ev.claim} ({compact(ev.source)})"
            text += f": “{ev.quote}”" if ev.quote else ""
            if ev.support is not None:
                text += f"\n      evidence: {ev.support}"
        return text


def label(kg: GraphPort, iri: str) -> str:
    """The rdfs:label of an IRI, or its CURIE."""
    rows = kg.select(_LABEL, {"node": ox.NamedNode(iri)}).rows
    value = rows[0]["label"] if rows else None
    return value.value if value is not None else compact(iri)


def _evidence(
    kg: GraphPort, s: str, p: str, o: str, support: dict[str, Support]
) -> tuple[Evidence, ...]:
    binds = {"s": ox.NamedNode(s), "p": ox.NamedNode(p), "o": ox.NamedNode(o)}
    out = []
    for row in kg.select(_EVIDENCE, binds):
        values = {k: (v.value if v is not None else "") for k, v in row.asdict().items()}
        out.append(
            Evidence(
                values["id"],
                values["certainty"],
                values["source"],
                values["quote"],
                support.get(values["id"]),
            )
        )
    return tuple(out)


Triple = tuple[str, str, str]


def _edges(
    kg: GraphPort, node: str, predicate: str | None, hedged: set[Triple] | None = None
) -> list[Triple]:
    """The statements around ``node``; with ``hedged`` (a set to fill), also the hedged claims
    around it that no statement backs, added to that set."""
    bound = {"node": ox.NamedNode(node)}
    triples = [(node, r["p"].value, r["o"].value) for r in kg.select(_OUT, bound)]  # type: ignore[union-attr]
    triples += [
        (r["s"].value, r["p"].value, node)  # type: ignore[union-attr]
        for r in kg.select(_IN, bound)
        if isinstance(r["s"], ox.NamedNode)
    ]
    plain = {t for t in triples if t[1] not in _SKIP}
    if hedged is not None:
        for r in kg.select(_HEDGED, bound):
            claim = (r["s"].value, r["p"].value, r["o"].value)  # type: ignore[union-attr]
            if claim not in plain:
                hedged.add(claim)
                plain.add(claim)
    return sorted(t for t in plain if predicate is None or t[1] == predicate)


def _edge(
    kg: GraphPort,
    triple: Triple,
    labels: dict[str, str],
    hedged: set[Triple] | None,
    support: dict[str, Support],
) -> Edge:
    s, p, o = triple
    for iri in triple:
        if iri not in labels:
            labels[iri] = label(kg, iri)
    evidence = _evidence(kg, s, p, o, support)
    return Edge(s, p, o, labels[s], labels[p], labels[o], evidence, triple in (hedged or ()))


def unknown_predicate(kg: GraphPort, name: str, n: int = 5) -> UnknownPredicateError:
    """The error for a predicate no statement uses, with the declared properties closest to
    ``name`` (by CURIE, local name or label) as suggestions."""
    wanted = name.strip().strip("<>").casefold()
    wanted_local = wanted.rpartition(":")[2].rpartition("/")[2].rpartition("#")[2]
    keys: dict[str, str] = {}  # spelling -> CURIE
    for row in kg.select(_PROPERTIES):
        iri, text = row["p"], row["label"]
        if iri is None:
            continue
        curie = compact(iri.value)
        local = curie.rpartition(":")[2].rpartition("/")[2].rpartition("#")[2]
        for key in (curie, local, text.value if text is not None else ""):
            if key:
                keys.setdefault(key.casefold(), curie)
    close: list[str] = []
    for probe in (wanted, wanted_local):
        for key in difflib.get_close_matches(probe, list(keys), n=n, cutoff=0.6):
            if keys[key] not in close:
                close.append(keys[key])
    return UnknownPredicateError(name, close[:n])


def neighbors(
    kg: GraphPort,
    entity: ox.NamedNode,
    *,
    predicate: ox.NamedNode | None = None,
    depth: int = 1,
    include_hedged: bool = False,
) -> list[Edge]:
    """The edges within ``depth`` steps of ``entity`` (either direction), optionally of one
    predicate; with ``include_hedged``, hedged claims too, marked as such."""
    if depth < 1:
        raise ParameterError(f"depth must be at least 1, got {depth}")
    if predicate is not None and not kg.select(_PREDICATE_USED, {"p": predicate}):
        raise unknown_predicate(kg, compact(predicate.value))
    labels: dict[str, str] = {}
    support = claim_support(kg)
    seen_nodes = {entity.value}
    frontier = [entity.value]
    edges: dict[Triple, Edge] = {}
    hedged: set[Triple] | None = set() if include_hedged else None
    for _ in range(depth):
        next_frontier = []
        for node in frontier:
            for s, p, o in _edges(kg, node, predicate.value if predicate else None, hedged):
                if (s, p, o) not in edges:
                    edges[(s, p, o)] = _edge(kg, (s, p, o), labels, hedged, support)
                other = o if s == node else s
                if other not in seen_nodes:
                    seen_nodes.add(other)
                    next_frontier.append(other)
        frontier = next_frontier
    return list(edges.values())


def paths(
    kg: GraphPort,
    start: ox.NamedNode,
    end: ox.NamedNode,
    max_length: int = 3,
    *,
    include_hedged: bool = False,
) -> list[list[Edge]]:
    """The shortest paths (up to ``max_length`` edges, either direction) from start to end;
    with ``include_hedged``, hedged claims count as (marked) edges too."""
    if max_length < 1:
        raise ParameterError(f"max_length must be at least 1, got {max_length}")
    labels: dict[str, str] = {}
    support = claim_support(kg)
    hedged: set[Triple] | None = set() if include_hedged else None
    target = end.value
    parents: dict[str, list[tuple[str, Triple]]] = {start.value: []}
    level = {start.value: 0}
    queue = deque([start.value])
    found_at: int | None = None
    while queue:
        node = queue.popleft()
        if found_at is not None and level[node] >= found_at:
            break
        if level[node] >= max_length:
            continue
        for triple in _edges(kg, node, None, hedged):
            other = triple[2] if triple[0] == node else triple[0]
            if other not in level:
                level[other] = level[node] + 1
                parents[other] = []
                queue.append(other)
            if level[other] == level[node] + 1:
                parents[other].append((node, triple))
                if other == target:
                    found_at = level[other]
    if target not in parents or target == start.value:
        return []
    results: list[list[Edge]] = []

    def walk(node: str, suffix: list[Triple]) -> None:
        if node == start.value:
            results.append([_edge(kg, t, labels, hedged, support) for t in suffix])
            return
        for parent, triple in parents[node]:
            walk(parent, [triple, *suffix])

    walk(target, [])
    return sorted(results, key=lambda path: [(e.subject, e.predicate, e.object) for e in path])


def ancestors(kg: GraphPort, entity: ox.NamedNode) -> list[str]:
    """IRIs above ``entity`` over rdfs:subClassOf, skos:broader and meshv:broaderDescriptor."""
    rows = kg.select(_HIERARCHY, {"entity": entity})
    return sorted({r["other"].value for r in rows if r["other"] is not None})


def descendants(kg: GraphPort, entity: ox.NamedNode) -> list[str]:
    """IRIs below ``entity`` over rdfs:subClassOf, skos:broader and meshv:broaderDescriptor."""
    rows = kg.select(_HIERARCHY_DOWN, {"entity": entity})
    return sorted({r["other"].value for r in rows if r["other"] is not None})
