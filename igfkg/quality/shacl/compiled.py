"""The compiled engine: SHACL shapes as set-oriented SPARQL run inside Oxigraph.

Not written yet: every shape is refused by name (``fast``) or left to pySHACL (``auto``)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from igfkg.quality.shacl.report import Report

if TYPE_CHECKING:
    import rdflib

__all__ = ["validate_compiled"]


def validate_compiled(data: rdflib.Graph, shapes: rdflib.Graph, *, fallback: bool) -> Report:
    """Validate with compiled checks; shapes that do not compile go to pySHACL if
    ``fallback``, else raise UnsupportedShapeError naming the construct."""
    from igfkg.quality.fastshacl import UnsupportedShapeError
    from igfkg.quality.shacl.engine import validate_pyshacl

    if not fallback:
        raise UnsupportedShapeError("the general compiled engine is not written yet")
    return validate_pyshacl(data, shapes)
