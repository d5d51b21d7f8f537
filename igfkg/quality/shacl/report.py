"""SHACL validation results and reports, in the W3C SHACL vocabulary.

A :class:`Result` holds rdflib terms: the focus node and value from the data graph, the path
(an IRI or the blank-node path expression of the shapes graph), the source shape and
constraint component, the severity and the messages. :meth:`Report.graph` writes the report as
an ``sh:ValidationReport`` graph (paths copied from the shapes graph).
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    import rdflib
    from rdflib.term import Node

__all__ = ["SH", "Report", "Result"]

SH = "http://www.w3.org/ns/shacl#"


@dataclass(frozen=True)
class Result:
    """One ``sh:ValidationResult``."""

    focus: Node
    shape: Node
    component: str
    severity: str = SH + "Violation"
    path: Node | None = None
    value: Node | None = None
    messages: tuple[rdflib.Literal, ...] = ()  # sh:resultMessage, language tags kept
    constraint: Node | None = None  # sh:sourceConstraint (SPARQL-based constraints)


@dataclass
class Report:
    """``conforms`` and the results; ``shapes`` is the shapes graph (for path expressions);
    ``engines`` tells, per shape, which engine validated it (``compiled`` or ``pyshacl``)."""

    conforms: bool
    results: list[Result]
    shapes: rdflib.Graph
    engines: dict[str, str] = field(default_factory=dict)

    def __iter__(self) -> Iterator[Result]:
        return iter(self.results)

    def graph(self) -> rdflib.Graph:
        """The report as RDF in the W3C SHACL vocabulary."""
        import rdflib

        sh = rdflib.Namespace(SH)
        g = rdflib.Graph()
        g.bind("sh", sh)
        report = rdflib.BNode()
        g.add((report, rdflib.RDF.type, sh.ValidationReport))
        g.add((report, sh.conforms, rdflib.Literal(self.conforms)))
        for result in self.results:
            node = rdflib.BNode()
            g.add((report, sh.result, node))
            g.add((node, rdflib.RDF.type, sh.ValidationResult))
            g.add((node, sh.focusNode, result.focus))
            g.add((node, sh.sourceShape, result.shape))
            g.add((node, sh.sourceConstraintComponent, rdflib.URIRef(result.component)))
            g.add((node, sh.resultSeverity, rdflib.URIRef(result.severity)))
            if result.value is not None:
                g.add((node, sh.value, result.value))
            if result.path is not None:
                g.add((node, sh.resultPath, result.path))
                _copy_path(self.shapes, result.path, g)
            if result.constraint is not None:
                g.add((node, sh.sourceConstraint, result.constraint))
            for message in result.messages:
                g.add((node, sh.resultMessage, message))
        return g


def _copy_path(shapes: rdflib.Graph, path: Node, out: rdflib.Graph) -> None:
    """Copy the triples of a blank-node path expression (sequence lists, inverse, ...)."""
    import rdflib

    if not isinstance(path, rdflib.BNode):
        return
    for p, o in shapes.predicate_objects(path):
        out.add((path, p, o))
        _copy_path(shapes, o, out)
