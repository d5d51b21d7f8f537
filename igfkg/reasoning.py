"""OWL 2 DL reasoning with HermiT (through owlready2): consistency and coherence.

HermiT needs Java. owlready2 reads N-Triples, not Turtle, so the graph is handed over as
N-Triples.
"""

from __future__ import annotations

import tempfile
from dataclasses import dataclass, field
from pathlib import Path

from igfkg.namespaces import compact

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
            return ReasonerReport(False, explanation=_explain(str(error)))
        unsat = sorted(c.iri for c in world.inconsistent_classes() if c is not owlready2.Nothing)
        world.close()
    return ReasonerReport(True, unsat)


def _explain(message: str) -> str:
    lines = [line.strip() for line in message.splitlines() if line.strip()]
    useful = [line for line in lines if not line.startswith(("at ", "java."))]
    return "\n".join(useful[:20]) + ("\n" if useful else "")
