"""SHACL validation with pySHACL, and reports that name the shape and the focus node.

Claims are blank ``owl:Axiom`` nodes; reports name them by their ``dcterms:identifier``.

>>> import igfkg
>>> report = validate_graph(igfkg.open())
>>> report.conforms, len(report.violations)
(True, 0)
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

from igfkg.core import resources
from igfkg.core.errors import ConfigError, IgfkgError, ParameterError
from igfkg.core.namespaces import GRAPH_ONTOLOGY, PREFIXES, compact

if TYPE_CHECKING:
    import rdflib
    from rdflib.term import Node

    from igfkg.quality.shacl import Report, Result
    from igfkg.store.port import GraphPort

__all__ = [
    "REPORT_FORMATS",
    "ValidationReport",
    "Violation",
    "graph_data",
    "render_report",
    "report_json",
    "validate_data",
    "validate_graph",
    "validate_loaded",
    "validate_shapes",
]

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
    if not isinstance(report, rdflib.Graph):  # pySHACL returns its failure on ill-formed shapes
        message = " ".join(str(getattr(report, "message", report)).split())
        raise ConfigError(f"the bundled shapes are ill-formed: {message}")
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
    from igfkg.quality.shacl.data import Data

    return Data(list(paths)).graph()


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
    data = graph_data(kg, ontology=False)
    if extra:
        data += read_rdf(extra)
    return validate_data(data)


def graph_data(kg: GraphPort, *, ontology: bool = True) -> rdflib.Graph:
    """The union of the named graphs of ``kg`` as one rdflib Graph (without the ontology graph
    unless ``ontology``)."""
    import rdflib

    from igfkg.core.convert import to_rdflib_term

    data = rdflib.Graph()
    for quad in kg.backend.quads():
        graph = quad.graph_name
        if not ontology and getattr(graph, "value", None) == GRAPH_ONTOLOGY:
            continue
        data.add(
            (
                to_rdflib_term(quad.subject),
                to_rdflib_term(quad.predicate),
                to_rdflib_term(quad.object),
            )
        )
    return data


# -- any data against any shapes (igfkg.quality.shacl) ---------------------------------------


def validate_shapes(
    data: rdflib.Graph | list[Path], shapes: rdflib.Graph, engine: str = "auto"
) -> Report:
    """:func:`igfkg.quality.shacl.validate`, with its refusals as igfkg errors (exit 2): shapes
    the ``fast`` engine does not compile (the message names the construct), and ill-formed
    shapes (pySHACL's load errors, SPARQL that does not parse).

    >>> import rdflib
    >>> shapes = rdflib.Graph().parse(format="turtle", data='''
    ...   @prefix sh: <http://www.w3.org/ns/shacl#> . @prefix ex: <http://example.org/> .
    ...   ex:S a sh:NodeShape ; sh:targetNode ex:a ; sh:property [ sh:path ex:p ; sh:minCount 1 ] .
    ... ''')
    >>> validate_shapes(rdflib.Graph(), shapes, "pyshacl").conforms
    False
    """
    import logging

    import pyparsing
    import pyshacl.errors

    from igfkg.quality.fastshacl import UnsupportedShapeError
    from igfkg.quality.shacl import validate

    log = logging.getLogger("pyshacl-validate")  # pySHACL logs its errors to stderr itself
    quiet, log.disabled = log.disabled, True
    try:
        return validate(data, shapes, engine=engine)
    except IgfkgError:
        raise
    except UnsupportedShapeError as error:
        raise ParameterError(
            f"the fast engine does not compile these shapes: {error} "
            "(engine auto validates such shapes with pySHACL)"
        ) from None
    except pyshacl.errors.ReportableRuntimeError as error:
        lines = str(error.message).strip().splitlines() or [type(error).__name__]
        raise ParameterError(f"ill-formed shapes: {lines[0]}") from None
    except pyparsing.ParseBaseException as error:  # rdflib's SPARQL parser
        raise ParameterError(f"ill-formed shapes: a SPARQL query does not parse: {error}") from None
    finally:
        log.disabled = quiet


REPORT_FORMATS = ("text", "ttl", "jsonld", "json")
_SHACL = PREFIXES["sh"]


def render_report(report: Report, fmt: str = "text") -> str:
    """A report as ``text`` (for people), ``ttl`` or ``jsonld`` (the W3C ``sh:ValidationReport``
    graph; JSON-LD compacted with the project's context, :mod:`igfkg.core.jsonld`) or
    ``json`` (one object per result, terms in N-Triples syntax)."""
    if fmt == "text":
        return _text(report)
    if fmt == "json":
        return json.dumps(report_json(report), indent=2, ensure_ascii=False) + "\n"
    if fmt in ("ttl", "jsonld"):
        graph = report.graph()
        for prefix, iri in PREFIXES.items():
            graph.bind(prefix, iri)
        if fmt == "ttl":
            return str(graph.serialize(format="turtle"))
        import pyoxigraph as ox

        from igfkg.core.jsonld import dataset_jsonld

        nt = graph.serialize(format="nt", encoding="utf-8")  # compacted with the published context
        return dataset_jsonld(ox.parse(nt, format=ox.RdfFormat.N_TRIPLES)).decode("utf-8")
    raise ParameterError(f"unknown report format {fmt!r}; known: {', '.join(REPORT_FORMATS)}")


def report_json(report: Report) -> dict[str, object]:
    """The report as plain JSON: ``conforms``, ``results`` (``focusNode``, ``resultPath``,
    ``value``, ``sourceShape``, ``sourceConstraintComponent``, ``resultSeverity``,
    ``resultMessage``) and ``engines`` (shape -> ``compiled`` or ``pyshacl``). Terms are in
    N-Triples syntax (``<iri>``, ``_:b0``, ``"5"^^<...#integer>``); IRIs of the SHACL namespace
    as ``sh:Name``; a complex path in SPARQL property-path syntax; absent values are null."""

    def term(node: Node | None) -> str | None:
        return None if node is None else _nt(node)

    results = [
        {
            "focusNode": term(r.focus),
            "resultPath": None if r.path is None else _path(report.shapes, r.path, _nt),
            "value": term(r.value),
            "sourceShape": term(r.shape),
            "sourceConstraintComponent": _sh(r.component),
            "resultSeverity": _sh(r.severity),
            "resultMessage": [str(m) for m in r.messages],
        }
        for r in _sorted(report)
    ]
    return {
        "conforms": report.conforms,
        "results": results,
        "engines": {_nt_iri_or_blank(shape): engine for shape, engine in report.engines.items()},
    }


_SEVERITIES = [_SHACL + "Violation", _SHACL + "Warning", _SHACL + "Info"]


def _sorted(report: Report) -> list[Result]:
    """Results in a stable order: by severity (violations first), shape, focus node, path,
    component, value (blank shapes by the shape that holds them, not by their random ids)."""

    def key(r: Result) -> tuple[int | str, ...]:
        rank = _SEVERITIES.index(r.severity) if r.severity in _SEVERITIES else len(_SEVERITIES)
        path = "" if r.path is None else _path(report.shapes, r.path, _nt)
        value = "" if r.value is None else _nt(r.value)
        shape = _show_shape(report.shapes, r.shape)
        return (rank, r.severity, shape, _nt(r.focus), path, r.component, value)

    return sorted(report.results, key=key)


def _sh(iri: str) -> str:
    return "sh:" + iri[len(_SHACL) :] if iri.startswith(_SHACL) else f"<{iri}>"


def _nt(node: Node) -> str:
    """A term in N-Triples syntax."""
    import rdflib

    if isinstance(node, rdflib.URIRef):
        return f"<{node}>"
    if isinstance(node, rdflib.BNode):
        return f"_:{node}"
    from igfkg.core.convert import from_rdflib_term

    try:
        return str(from_rdflib_term(node))  # one line, escaped as N-Triples
    except (ValueError, TypeError):  # a term pyoxigraph refuses (a bad datatype IRI)
        return str(node.n3())


def _nt_iri_or_blank(shape: str) -> str:
    # Report.engines is keyed by str(shape): an IRI or a blank node's id
    return f"<{shape}>" if ":" in shape else f"_:{shape}"


def _show(node: Node) -> str:
    """A term for people: IRIs as CURIEs where a prefix is known, literals with CURIE types."""
    import rdflib

    if isinstance(node, rdflib.URIRef):
        short = compact(str(node))
        return short if short != str(node) else f"<{node}>"
    if isinstance(node, rdflib.Literal):
        import pyoxigraph as ox

        text = str(ox.Literal(str(node)))  # quoted and escaped on one line
        if node.language:
            return f"{text}@{node.language}"
        if node.datatype is not None and str(node.datatype) != PREFIXES["xsd"] + "string":
            return f"{text}^^{_show(node.datatype)}"
        return text
    return f"_:{node}"


def _path(shapes: rdflib.Graph, path: Node, show: Callable[[Node], str]) -> str:
    """A SHACL path as a SPARQL property path (``^p``, ``(p/q)``, ``(p|q)``, ``p*``)."""
    import rdflib
    import rdflib.collection

    sh = rdflib.Namespace(_SHACL)
    if not isinstance(path, rdflib.BNode):
        return show(path)
    if shapes.value(path, rdflib.RDF.first) is not None:
        parts = rdflib.collection.Collection(shapes, path)
        return "(" + "/".join(_path(shapes, p, show) for p in parts) + ")"
    for key, fmt in (
        (sh.inversePath, "^{}"),
        (sh.zeroOrMorePath, "{}*"),
        (sh.oneOrMorePath, "{}+"),
        (sh.zeroOrOnePath, "{}?"),
    ):
        inner = shapes.value(path, key)
        if inner is not None:
            return fmt.format(_path(shapes, inner, show))
    alternatives = shapes.value(path, sh.alternativePath)
    if alternatives is not None:
        parts = rdflib.collection.Collection(shapes, alternatives)
        return "(" + "|".join(_path(shapes, p, show) for p in parts) + ")"
    return show(path)


def _show_shape(shapes: rdflib.Graph, shape: Node, depth: int = 0) -> str:
    """A shape for people; a blank property shape through the shape that holds it and its
    path (``ex:PersonShape / property ex:age``)."""
    import rdflib

    sh = rdflib.Namespace(_SHACL)
    if isinstance(shape, rdflib.BNode) and depth < 5:
        parent = shapes.value(None, sh.property, shape)
        path = shapes.value(shape, sh.path)
        if parent is not None and path is not None:
            return (
                f"{_show_shape(shapes, parent, depth + 1)} / property {_path(shapes, path, _show)}"
            )
    return _show(shape)


def _text(report: Report) -> str:
    results = _sorted(report)
    counts: dict[str, int] = {}
    for r in results:
        level = r.severity.rsplit("#", 1)[-1].lower()
        counts[level] = counts.get(level, 0) + 1
    detail = ", ".join(f"{n} {level}{'s' if n != 1 else ''}" for level, n in counts.items())
    head = "Conforms: yes" if report.conforms else "Conforms: no"
    lines = [
        f"{head} ({len(results)} result{'s' if len(results) != 1 else ''}"
        + (f": {detail})" if detail else ")")
    ]
    lines += _engine_lines(report)
    for r in results:
        lines.append("")
        lines.append(f"{r.severity.rsplit('#', 1)[-1]}  {_show_shape(report.shapes, r.shape)}")
        lines.append(f"    focus node: {_show(r.focus)}")
        if r.path is not None:
            lines.append(f"    path:       {_path(report.shapes, r.path, _show)}")
        if r.value is not None:
            lines.append(f"    value:      {_show(r.value)}")
        lines.append(f"    component:  {_show_iri(r.component)}")
        for message in r.messages:
            lines.append(f"    message:    {' '.join(message.split())}")
    return "\n".join(lines) + "\n"


def _show_iri(iri: str) -> str:
    import rdflib

    return _show(rdflib.URIRef(iri))


def _engine_lines(report: Report) -> list[str]:
    """Which engine validated which shapes: one line, or one per engine when mixed."""
    import rdflib

    by_engine: dict[str, list[str]] = {}
    for shape, engine in sorted(report.engines.items()):
        node = rdflib.URIRef(shape) if ":" in shape else rdflib.BNode(shape)
        by_engine.setdefault(engine, []).append(_show(node))
    if len(by_engine) == 1:
        return [f"Engine: {next(iter(by_engine))} for every shape"]
    return [f"Engine: {engine} for {', '.join(shapes)}" for engine, shapes in by_engine.items()]
