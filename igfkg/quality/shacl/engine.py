"""Which engine validates what: ``fast`` (compiled checks only; a shape that does not compile
is refused by name), ``pyshacl`` (the reference), ``auto`` (compiled where exact, pySHACL for
the rest, the report saying which)."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

import rdflib

from igfkg.core.errors import ParameterError
from igfkg.quality.shacl.data import Data
from igfkg.quality.shacl.report import SH, Report, Result

__all__ = ["ENGINES", "validate", "validate_pyshacl"]

ENGINES = ("auto", "fast", "pyshacl")


def validate(
    data: rdflib.Graph | Sequence[Path] | Data, shapes: rdflib.Graph, *, engine: str = "auto"
) -> Report:
    """Validate ``data`` (an rdflib graph or RDF files) against ``shapes``. The data should
    hold any class hierarchy the shapes rely on: SHACL follows ``rdfs:subClassOf`` in the
    data. Files are read by Oxigraph, and by rdflib only if pySHACL validates some shape."""
    if engine not in ENGINES:
        raise ParameterError(f"unknown engine {engine!r}; known: {', '.join(ENGINES)}")
    if not isinstance(data, Data):
        data = Data(data)
    if engine == "pyshacl":
        return validate_pyshacl(data.graph(), shapes)
    from igfkg.quality.shacl.compiled import validate_compiled

    return validate_compiled(data, shapes, fallback=engine == "auto")


def validate_pyshacl(data: rdflib.Graph, shapes: rdflib.Graph) -> Report:
    """pySHACL's report, read into :class:`Result` objects."""
    import pyshacl

    sh = rdflib.Namespace(SH)
    from igfkg.quality.shacl.shapes import ShapesError, UnsupportedShapeError

    try:
        conforms, graph, text = pyshacl.validate(
            data, shacl_graph=shapes, inference="none", advanced=True, allow_warnings=True
        )
    except NotImplementedError as error:  # e.g. $shapesGraph: a refusal, not bad input
        raise UnsupportedShapeError(f"pySHACL does not support these shapes: {error}") from None
    if not isinstance(graph, rdflib.Graph):  # pySHACL returns its failure for ill-formed shapes
        message = " ".join(str(getattr(graph, "message", text)).split())
        raise ShapesError(f"ill-formed shapes: {message}")
    results = []
    # The report's own results only: sh:detail results nested under sh:node are not results.
    for node in graph.objects(None, sh.result):
        results.append(
            Result(
                focus=graph.value(node, sh.focusNode),  # type: ignore[arg-type]
                shape=graph.value(node, sh.sourceShape),  # type: ignore[arg-type]
                component=str(graph.value(node, sh.sourceConstraintComponent)),
                severity=str(graph.value(node, sh.resultSeverity)),
                path=graph.value(node, sh.resultPath),
                value=graph.value(node, sh.value),
                messages=tuple(
                    sorted(
                        (
                            m
                            for m in graph.objects(node, sh.resultMessage)
                            if isinstance(m, rdflib.Literal)
                        ),
                        key=lambda m: (str(m), m.language or ""),
                    )
                ),
                constraint=graph.value(node, sh.sourceConstraint),
            )
        )
    engines = {str(s): "pyshacl" for s in shapes.subjects(rdflib.RDF.type, sh.NodeShape)}
    del conforms  # allow_warnings makes warning-only reports "conform"; SHACL says they do not
    return Report(not results, results, shapes, engines)
