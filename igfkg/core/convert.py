"""Conversion of RDF terms between pyoxigraph (igfkg's term model) and rdflib.

>>> from pyoxigraph import Literal
>>> t = to_rdflib_term(Literal("IGF-1", language="en"))
>>> t.language, from_rdflib_term(t) == Literal("IGF-1", language="en")
('en', True)
"""

from __future__ import annotations

from typing import Any

import pyoxigraph as ox
import rdflib

__all__ = ["from_rdflib_term", "to_rdflib_term"]

_XSD_STRING = "http://www.w3.org/2001/XMLSchema#string"


def to_rdflib_term(term: Any) -> Any:
    """A pyoxigraph term as the equal rdflib term (xsd:string literals become plain)."""
    if isinstance(term, ox.NamedNode):
        return rdflib.URIRef(term.value)
    if isinstance(term, ox.BlankNode):
        return rdflib.BNode(term.value)
    if isinstance(term, ox.Literal):
        if term.language:
            return rdflib.Literal(term.value, lang=term.language)
        if term.datatype.value == _XSD_STRING:
            return rdflib.Literal(term.value)
        return rdflib.Literal(term.value, datatype=rdflib.URIRef(term.datatype.value))
    if isinstance(term, ox.DefaultGraph):
        return rdflib.graph.DATASET_DEFAULT_GRAPH_ID
    raise TypeError(f"cannot convert {term!r} to rdflib")


def from_rdflib_term(term: Any) -> Any:
    """An rdflib term as the equal pyoxigraph term."""
    if isinstance(term, rdflib.URIRef):
        return ox.NamedNode(str(term))
    if isinstance(term, rdflib.BNode):
        return ox.BlankNode(str(term))
    if isinstance(term, rdflib.Literal):
        if term.language:
            return ox.Literal(str(term), language=term.language)
        if term.datatype is None:
            return ox.Literal(str(term))
        return ox.Literal(str(term), datatype=ox.NamedNode(str(term.datatype)))
    raise TypeError(f"cannot convert {term!r} to pyoxigraph")
