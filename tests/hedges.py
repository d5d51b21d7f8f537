"""The rule the graph keeps: a plain edge means the source states it without hedge.

Shared by the tests of the embedded backends, the release artefacts and the servers.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from igfkg.graph import KnowledgeGraph

ESTABLISHED = "https://w3id.org/igfkg/Established"

CLAIMS = """
PREFIX igfkg: <https://w3id.org/igfkg/>
PREFIX dcterms: <http://purl.org/dc/terms/>
SELECT ?id ?s ?p ?o ?certainty WHERE {
  ?c igfkg:claimSubject ?s ; igfkg:claimPredicate ?p ; igfkg:claimObject ?o ;
     igfkg:certainty ?certainty ; dcterms:identifier ?id .
  FILTER(isIRI(?o))
} ORDER BY ?id
"""

LINKS = """
SELECT ?p WHERE { { ?one ?p ?other } UNION { ?other ?p ?one } }
"""


@dataclass(frozen=True)
class Claim:
    """One claim of the KB: identifier, subject, predicate, object, certainty."""

    id: str
    s: str
    p: str
    o: str
    certainty: str

    @property
    def established(self) -> bool:
        return self.certainty == ESTABLISHED


def claims(kg: KnowledgeGraph) -> list[Claim]:
    """Every claim of the KB whose object is an entity."""
    return [
        Claim(*(row[k].value for k in ("id", "s", "p", "o", "certainty")))  # type: ignore[union-attr]
        for row in kg.select(CLAIMS)
    ]


def _pair(a: str, b: str) -> frozenset[str]:
    return frozenset((a, b))


def broken(all_claims: list[Claim], triples: Iterable[tuple[str, str, str]]) -> list[str]:
    """What breaks the rule in ``triples``: hedged claims whose two entities a triple links (in
    either direction, any relation) with no established claim linking them, and established
    claims without their plain edge. Empty when the rule holds."""
    backed = {_pair(c.s, c.o) for c in all_claims if c.established}
    hedged = {_pair(c.s, c.o): c for c in all_claims if not c.established}
    present = set()
    problems = []
    for s, p, o in triples:
        present.add((s, p, o))
        claim = hedged.get(_pair(s, o))
        if claim is not None and _pair(s, o) not in backed and s != o:
            problems.append(f"{claim.id} ({claim.certainty}) has a plain edge: {s} {p} {o}")
    problems += [
        f"established claim {c.id} has no plain edge"
        for c in all_claims
        if c.established and (c.s, c.p, c.o) not in present
    ]
    return sorted(set(problems))


def broken_at(kg: KnowledgeGraph, all_claims: list[Claim]) -> list[str]:
    """The same check asked of a (possibly remote) graph, one bound query per hedged claim."""
    import pyoxigraph as ox

    backed = {_pair(c.s, c.o) for c in all_claims if c.established}
    problems = []
    for c in all_claims:
        if c.established or _pair(c.s, c.o) in backed:
            continue
        rows = kg.select(LINKS, {"one": ox.NamedNode(c.s), "other": ox.NamedNode(c.o)}).rows
        problems += [f"{c.id} ({c.certainty}) has a plain edge: {r[0]}" for r in rows]
    return problems
