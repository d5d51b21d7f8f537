"""SHACL validation with pySHACL, and reports that name the shape and the focus node.

Claims are blank ``owl:Axiom`` nodes; reports name them by their ``dcterms:identifier``.

>>> import igfkg
>>> report = validate_graph(igfkg.open())
>>> report.conforms, len(report.violations)
(True, 0)
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

from igfkg.core import resources
from igfkg.core.errors import DataFileError, ParameterError
from igfkg.core.namespaces import GRAPH_ONTOLOGY, compact

if TYPE_CHECKING:
    import rdflib

    from igfkg.store.port import GraphPort

__all__ = ["ValidationReport", "Violation", "validate_data", "validate_graph", "validate_loaded"]

_SH = "http://www.w3.org/ns/shacl#"
_IDENTIFIER = "http://purl.org/dc/terms/identifier"


@dataclass(frozen=True)
class Violation:
    """One SHACL result: which shape, which focus node, which path and value, and why."""

    focus: str
    focus_name: str
    shape: str
    severity: str
    message: str
    path: str | None = None
    value: str | None = None

    def __str__(self) -> str:
        where = f" {compact(self.path)}" if self.path else ""
        value = f" = {self.value}" if self.value is not None else ""
        return (
            f"{self.severity.upper()} {compact(self.shape)}: {self.focus_name}{where}{value}\n"
            f"    {self.message}"
        )


@dataclass
class ValidationReport:
    """The outcome of a validation: ``conforms`` and the violations, sorted."""

    conforms: bool
    violations: list[Violation] = field(default_factory=list)

    def text(self) -> str:
        """A readable report for people."""
        if self.conforms:
            return "Conforms: the graph satisfies every igfkg shape.\n"
        lines = [f"Does not conform: {len(self.violations)} violation(s).", ""]
        lines += [str(v) for v in self.violations]
        return "\n".join(lines) + "\n"


def shapes_graph() -> rdflib.Graph:
    """The bundled SHACL shapes as an rdflib Graph."""
    import rdflib

    g = rdflib.Graph()
    for path in resources.shape_files():
        g.parse(path, format="turtle")
    return g


def ontology_graph() -> rdflib.Graph:
    """The bundled ontology as an rdflib Graph."""
    import rdflib

    g = rdflib.Graph()
    for path in resources.ontology_files():
        g.parse(path, format="turtle")
    return g


def _name(data: rdflib.Graph, node: rdflib.term.Node) -> str:
    import rdflib

    if isinstance(node, rdflib.BNode):
        ident = data.value(node, rdflib.URIRef(_IDENTIFIER))
        return f"claim {ident!s}" if ident is not None else f"_:{node}"
    if isinstance(node, rdflib.URIRef):
        return compact(str(node))
    return repr(str(node))


def validate_data(data: rdflib.Graph, ontology: rdflib.Graph | None = None) -> ValidationReport:
    """Validate ``data`` (with ``ontology`` for class hierarchy) against the bundled shapes."""
    import pyshacl
    import rdflib

    sh = rdflib.Namespace(_SH)
    conforms, report, _ = pyshacl.validate(
        data,
        shacl_graph=shapes_graph(),
        ont_graph=ontology if ontology is not None else ontology_graph(),
        inference="none",
        advanced=True,
        allow_warnings=True,
    )
    violations = []
    for result in report.subjects(rdflib.RDF.type, sh.ValidationResult):
        focus = report.value(result, sh.focusNode)
        path = report.value(result, sh.resultPath)
        value = report.value(result, sh.value)
        violations.append(
            Violation(
                focus=str(focus),
                focus_name=_name(data, focus) if focus is not None else "?",
                shape=str(report.value(result, sh.sourceShape)),
                severity=str(report.value(result, sh.resultSeverity)).rsplit("#", 1)[-1],
                message=str(report.value(result, sh.resultMessage) or ""),
                path=str(path) if isinstance(path, rdflib.URIRef) else None,
                value=None if value is None else str(value),
            )
        )
    violations.sort(key=lambda v: (v.shape, v.focus_name, v.path or "", v.value or ""))
    return ValidationReport(bool(conforms), violations)


def read_rdf(paths: Iterable[Path]) -> rdflib.Graph:
    """Parse RDF files into one rdflib Graph; a syntax error names file, line and column."""
    import pyoxigraph as ox
    import rdflib

    from igfkg.store.formats import OX_FORMATS, rdf_format, syntax_error

    out = rdflib.Graph()
    for path in paths:
        try:
            data = Path(path).read_bytes()
        except OSError as error:
            raise DataFileError(str(path), error.strerror or str(error)) from None
        try:
            triples = ox.serialize(
                [
                    ox.Triple(q.subject, q.predicate, q.object)
                    for q in ox.parse(data, format=OX_FORMATS[rdf_format(path)])
                ],
                format=ox.RdfFormat.N_TRIPLES,
            )
        except SyntaxError as error:
            raise syntax_error(str(path), error) from None
        out.parse(data=triples or b"", format="nt")
    return out


ENGINES = ("auto", "fast", "pyshacl")


def validate_loaded(kg: GraphPort, files: list[Path], engine: str) -> ValidationReport:
    """Validate data files loaded into a scratch graph ``kg`` that holds them and the bundled
    ontology (built by :func:`igfkg.graph.validate_files`): compiled checks unless ``engine``
    is ``pyshacl`` or the shapes do not compile, else pySHACL over the files."""
    if engine != "pyshacl":
        report = _fast(kg, engine)
        if report is not None:
            return report
    return validate_data(read_rdf(files))


def _fast(kg: GraphPort, engine: str) -> ValidationReport | None:
    """The fast engine's report, or None when it cannot compile the shapes (auto only)."""
    from igfkg.quality.fastshacl import UnsupportedShapeError, compile_shapes, validate_fast

    try:
        compiled = compile_shapes()
    except UnsupportedShapeError:
        if engine == "fast":
            raise
        return None
    return validate_fast(kg, compiled)


def validate_graph(
    kg: GraphPort, *, extra: list[Path] | None = None, engine: str = "auto"
) -> ValidationReport:
    """Validate every graph of ``kg`` (the ontology supplies the class hierarchy), plus
    ``extra`` files. ``engine``: ``fast`` (shapes compiled to SPARQL, run in the store),
    ``pyshacl`` (the reference), or ``auto`` (fast on the embedded Oxigraph store, else
    pySHACL)."""
    if engine not in ENGINES:
        raise ParameterError(f"unknown engine {engine!r}; known: {', '.join(ENGINES)}")
    in_process = kg.backend.capabilities.engine == "oxigraph"
    if not extra and (engine == "fast" or (engine == "auto" and in_process)):
        report = _fast(kg, engine)
        if report is not None:
            return report
    import rdflib

    from igfkg.core.convert import to_rdflib_term

    data = rdflib.Graph()
    for quad in kg.backend.quads():
        graph = quad.graph_name
        if getattr(graph, "value", None) == GRAPH_ONTOLOGY:
            continue
        data.add(
            (
                to_rdflib_term(quad.subject),
                to_rdflib_term(quad.predicate),
                to_rdflib_term(quad.object),
            )
        )
    if extra:
        data += read_rdf(extra)
    return validate_data(data)
