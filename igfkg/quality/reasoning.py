"""OWL 2 DL reasoning with HermiT (through owlready2): consistency and coherence.

HermiT needs Java. owlready2 reads N-Triples, not Turtle, so the graph is handed over as
N-Triples.
"""

from __future__ import annotations

import tempfile
from dataclasses import dataclass, field
from pathlib import Path

from igfkg.core import sparql
from igfkg.core.namespaces import compact

__all__ = ["ReasonerReport", "check_consistency"]


@dataclass
class ReasonerReport:
    """HermiT's verdict: ``consistent`` and the unsatisfiable classes (empty when coherent)."""

    consistent: bool
    unsatisfiable: list[str] = field(default_factory=list)
    explanation: str = ""

    @property
    def ok(self) -> bool:
        """Consistent and coherent."""
        return self.consistent and not self.unsatisfiable

    def text(self) -> str:
        """A readable verdict."""
        if not self.consistent:
            return "INCONSISTENT: the ontology and data have no model.\n" + self.explanation
        if self.unsatisfiable:
            names = ", ".join(compact(c) for c in self.unsatisfiable)
            return f"INCOHERENT: unsatisfiable classes: {names}\n"
        return "Consistent and coherent (HermiT): no unsatisfiable classes.\n"


def check_consistency(ntriples: bytes) -> ReasonerReport:
    """Run HermiT on an N-Triples document and report consistency and unsatisfiable classes."""
    import owlready2

    with tempfile.TemporaryDirectory(prefix="igfkg-hermit-") as tmp:
        path = Path(tmp) / "graph.nt"
        path.write_bytes(ntriples)
        world = owlready2.World()
        onto = world.get_ontology(path.as_uri()).load()
        try:
            with onto:
                owlready2.sync_reasoner_hermit(world, infer_property_values=False, debug=0)
        except owlready2.OwlReadyInconsistentOntologyError as error:
            reasons = explain_disjointness(ntriples)
            text = "\n".join(f"  - {r}" for r in reasons) + "\n" if reasons else ""
            return ReasonerReport(False, explanation=text or _explain(str(error)))
        unsat = sorted(c.iri for c in world.inconsistent_classes() if c is not owlready2.Nothing)
        world.close()
    return ReasonerReport(True, unsat)


_DISJOINT = sparql.load("igfkg.quality", "reasoning-disjoint")


def explain_disjointness(ntriples: bytes) -> list[str]:
    """Readable reasons from the asserted and OWL 2 RL-inferred types: each individual typed by
    (or class under) two disjoint classes, with the types that lead there."""
    import pyoxigraph as ox

    from igfkg.quality.inference import inferred_triples

    asserted = [
        ox.Triple(q.subject, q.predicate, q.object)
        for q in ox.parse(ntriples, format=ox.RdfFormat.N_TRIPLES)
    ]
    store = ox.Store()
    store.extend(
        ox.Quad(t.subject, t.predicate, t.object, ox.DefaultGraph())
        for t in [*asserted, *inferred_triples(asserted)]
    )
    best: dict[tuple[str, str, str], tuple[str, str]] = {}
    solutions = store.query(_DISJOINT)
    assert isinstance(solutions, ox.QuerySolutions)
    for row in solutions:
        thing, a, b, via_a, via_b = (compact(row[i].value) for i in range(5))
        key = (thing, a, b)
        old_a, old_b = best.get(key, (a, b))
        # Name the most specific classes that lead to the clash, not the disjoint ones.
        best[key] = (via_a if via_a != a else old_a, via_b if via_b != b else old_b)
    reasons = []
    for (thing, a, b), (via_a, via_b) in sorted(best.items()):
        how_a = f"{a}" if via_a == a else f"{a} (as a {via_a})"
        how_b = f"{b}" if via_b == b else f"{b} (as a {via_b})"
        reasons.append(f"{thing} is a {how_a} and a {how_b}, but {a} and {b} are disjoint")
    return reasons


def _explain(message: str) -> str:
    lines = [line.strip() for line in message.splitlines() if line.strip()]
    useful = [line for line in lines if not line.startswith(("at ", "java."))]
    return "\n".join(useful[:20]) + ("\n" if useful else "")
