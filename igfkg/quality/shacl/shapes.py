"""The shapes graph read into a model the compiler trusts: every triple about a shape is
understood (a whitelist of predicates, each with exact semantics) or the shape is refused by
name (:class:`UnsupportedShapeError`); shapes that break the SHACL syntax rules raise
:class:`ShapesError`.

>>> import rdflib
>>> g = rdflib.Graph().parse(data='''
...   @prefix sh: <http://www.w3.org/ns/shacl#> . @prefix ex: <http://x/> .
...   ex:S a sh:NodeShape ; sh:targetNode ex:a ; sh:property [ sh:path ex:p ; sh:minCount 1 ] .
... ''', format="turtle")
>>> model = read_shapes(g)
>>> sorted(len(s.constraints) for s in model.values())
[1, 1]
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import rdflib
from rdflib.term import Node

from igfkg.core.errors import ParameterError
from igfkg.quality.fastshacl import UnsupportedShapeError as _FastUnsupported

__all__ = [
    "SHAPE_REFERENCES",
    "Shape",
    "ShapesError",
    "UnsupportedShapeError",
    "name",
    "read_shapes",
]

SH = rdflib.Namespace("http://www.w3.org/ns/shacl#")
RDF, RDFS, XSD = rdflib.RDF, rdflib.RDFS, rdflib.XSD


class UnsupportedShapeError(_FastUnsupported, ParameterError):
    """A shape the compiled engine does not compile exactly (named in the message)."""


class ShapesError(ParameterError):
    """A shapes graph that breaks the SHACL syntax rules (an ill-formed shape)."""


# Parameters taking other shapes: a shape refused makes every shape referring to it refused.
SHAPE_REFERENCES = (SH.node, SH.property, SH["not"], SH["and"], SH["or"], SH.xone,
                    SH.qualifiedValueShape)  # fmt: skip

_TARGETS = (SH.targetNode, SH.targetClass, SH.targetSubjectsOf, SH.targetObjectsOf)
# Triples that say nothing about validation (spec section 2.3 and 5.6: non-validating).
_IGNORED = (SH.message, SH.name, SH.description, SH.order, SH.group, SH.defaultValue,
            RDFS.label, RDFS.comment, SH.labelTemplate,
            # class hierarchy in the shapes graph: SHACL reads rdfs:subClassOf in the data
            RDFS.subClassOf, RDFS.seeAlso, RDFS.isDefinedBy)  # fmt: skip
_SHAPE_TYPES = (SH.NodeShape, SH.PropertyShape, RDFS.Class)
_INTEGER = (SH.minCount, SH.maxCount, SH.minLength, SH.maxLength, SH.qualifiedMinCount,
            SH.qualifiedMaxCount)  # fmt: skip
_BOOLEAN = (SH.deactivated, SH.closed, SH.uniqueLang, SH.qualifiedValueShapesDisjoint)
_IRI = (SH.datatype, SH["class"], SH.equals, SH.disjoint, SH.lessThan, SH.lessThanOrEquals,
        SH.nodeKind)  # fmt: skip
_VALUE = (SH.minInclusive, SH.maxInclusive, SH.minExclusive, SH.maxExclusive, SH.hasValue)
_LIST = (SH["in"], SH.languageIn, SH.ignoredProperties, SH["and"], SH["or"], SH.xone)
_STRING = (SH.pattern, SH.flags)
_SHAPE = (SH.node, SH.property, SH["not"], SH.qualifiedValueShape)
# Parameters that form one constraint together with a main parameter (not constraints alone).
_HELPERS = (SH.flags, SH.ignoredProperties, SH.qualifiedMinCount, SH.qualifiedMaxCount,
            SH.qualifiedValueShapesDisjoint)  # fmt: skip
_NODE_KINDS = ("IRI", "BlankNode", "Literal", "BlankNodeOrIRI", "BlankNodeOrLiteral",
               "IRIOrLiteral")  # fmt: skip
# Parameters a shape may have several values of (each its own constraint); the others at most one.
_REPEATABLE = (SH["and"], SH["or"], SH.xone, SH.node, SH.property, SH["not"], SH.hasValue,
               SH["class"], SH.equals, SH.disjoint, SH.lessThan, SH.lessThanOrEquals,
               SH.pattern, SH.sparql)  # fmt: skip
PARAMETERS = frozenset((*_INTEGER, *_BOOLEAN, *_IRI, *_VALUE, *_LIST, *_STRING, *_SHAPE,
                        SH.sparql))  # fmt: skip


@dataclass
class Shape:
    """One shape: its node, path (property shapes), targets, severity and constraints
    (``(parameter, value)`` pairs, lists read into Python lists)."""

    node: Node
    path: Node | None = None
    targets: list[tuple[Node, Node]] = field(default_factory=list)
    implicit_class: bool = False
    severity: Node = SH.Violation
    deactivated: bool = False
    constraints: list[tuple[Node, Any]] = field(default_factory=list)
    params: dict[Node, Any] = field(default_factory=dict)


_PREFIXES = {"sh": str(SH), "xsd": str(XSD), "rdf": str(RDF), "rdfs": str(RDFS)}


def name(node: Node) -> str:
    """A node for messages: ``sh:minCount``, ``<http://x/a>``, ``"a"``, ``_:b0``."""
    if isinstance(node, rdflib.URIRef):
        for prefix, ns in _PREFIXES.items():
            if node.startswith(ns) and node[len(ns) :].isidentifier():
                return f"{prefix}:{node[len(ns) :]}"
    return node.n3() if isinstance(node, rdflib.URIRef | rdflib.Literal) else f"_:{node}"


_name = name


def _list(g: rdflib.Graph, shape: Node, p: Node, head: Node) -> list[Node]:
    items: list[Node] = []
    node, seen = head, set()
    while node != RDF.nil:
        if node in seen or not isinstance(node, rdflib.BNode):
            raise ShapesError(f"{_name(shape)} {_name(p)}: not a well-formed RDF list")
        seen.add(node)
        firsts = list(g.objects(node, RDF.first))
        rests = list(g.objects(node, RDF.rest))
        if len(firsts) != 1 or len(rests) != 1:
            raise ShapesError(f"{_name(shape)} {_name(p)}: not a well-formed RDF list")
        items.append(firsts[0])
        node = rests[0]
    return items


def shape_nodes(g: rdflib.Graph) -> set[Node]:
    """Every node the shapes graph makes a shape (spec 2.1: typed, targeted, with a
    constraint parameter, or the value of a shape-taking parameter)."""
    nodes: set[Node] = set()
    for t in (SH.NodeShape, SH.PropertyShape):
        nodes.update(g.subjects(RDF.type, t))
    for p in (*_TARGETS, SH.path, *PARAMETERS):
        nodes.update(g.subjects(p, None))
    for p in (SH.node, SH.property, SH["not"], SH.qualifiedValueShape):
        nodes.update(g.objects(None, p))
    for p in (SH["and"], SH["or"], SH.xone):
        for s, head in g.subject_objects(p):
            nodes.update(_list(g, s, p, head))
    # SPARQL constraint nodes are not shapes (their sh:deactivated is the constraint's)
    # unless a target or a shape type makes them shapes too
    constraints = {
        c
        for c in g.objects(None, SH.sparql)
        if not any((c, p, None) in g for p in _TARGETS)
        and not any((c, RDF.type, t) in g for t in (SH.NodeShape, SH.PropertyShape))
    }
    return nodes - constraints


def read_shapes(g: rdflib.Graph) -> dict[Node, Shape | UnsupportedShapeError]:
    """Each shape read, or the reason it is refused; ill-formed shapes raise ShapesError."""
    return {node: _read(g, node) for node in shape_nodes(g)}


def _one(g: rdflib.Graph, node: Node, p: Node) -> Node:
    values = list(g.objects(node, p))
    if len(values) != 1:
        raise ShapesError(f"{_name(node)}: {len(values)} values of {_name(p)}, 1 expected")
    return values[0]


def _read(g: rdflib.Graph, node: Node) -> Shape | UnsupportedShapeError:
    shape = Shape(node)
    refused: UnsupportedShapeError | None = None
    if (node, SH.path, None) in g:
        shape.path = _one(g, node, SH.path)
        try:
            check_path(g, shape.path)
        except UnsupportedShapeError as error:
            refused = error
    for p, o in g.predicate_objects(node):
        if p in PARAMETERS:
            try:
                shape.params[p] = _param(g, node, p, o)
            except UnsupportedShapeError as error:
                refused = refused or error
                continue
            if p in _HELPERS:
                continue
            if p in _REPEATABLE or p not in dict(shape.constraints):
                shape.constraints.append((p, shape.params[p]))
            else:
                raise ShapesError(f"{_name(node)}: several values of {_name(p)}")
        elif p == SH.path:
            continue
        elif p == RDF.type and o in _SHAPE_TYPES:
            shape.implicit_class |= o == RDFS.Class
        elif p in _TARGETS:
            if isinstance(o, rdflib.BNode):
                refused = refused or UnsupportedShapeError(
                    f"{_name(node)}: {_name(p)} with a blank node (cannot be bound in a query)"
                )
            elif p != SH.targetNode and not isinstance(o, rdflib.URIRef):
                raise ShapesError(f"{_name(node)} {_name(p)} {_name(o)}: an IRI is expected")
            shape.targets.append((p, o))
        elif p == SH.severity:
            if not isinstance(o, rdflib.URIRef):
                raise ShapesError(f"{_name(node)} sh:severity {_name(o)}: an IRI is expected")
            shape.severity = o
        elif p in _IGNORED:
            continue
        elif (node, SH.sparql, node) in g and (
            p in (SH.select, SH.prefixes) or (p == RDF.type and o == SH.SPARQLConstraint)
        ):
            continue  # the shape is its own SPARQL constraint: read by sh:sparql
        else:
            refused = refused or UnsupportedShapeError(
                f"{_name(node)}: {_name(p)} {_name(o)} is not compiled"
            )
    shape.deactivated = bool(shape.params.pop(SH.deactivated, False))
    shape.constraints = [(p, v) for p, v in shape.constraints if p != SH.deactivated]
    if SH.ignoredProperties in shape.params and SH.closed not in shape.params:
        shape.constraints.append((SH.closed, False))
    # (a qualified count without sh:qualifiedValueShape has no meaning: ignored, as the W3C
    # suite's core/node/qualified-001 expects)
    for p, value in shape.constraints:
        if isinstance(value, rdflib.BNode) and p not in _SHAPE:
            refused = refused or UnsupportedShapeError(
                f"{_name(node)}: {_name(p)} with a blank node (cannot be bound in a query)"
            )
        if p == SH["in"] and any(isinstance(v, rdflib.BNode) for v in value):
            refused = refused or UnsupportedShapeError(
                f"{_name(node)}: sh:in with a blank-node member (cannot be bound in a query)"
            )
    return refused or shape


def _param(g: rdflib.Graph, node: Node, p: Node, o: Node) -> Any:
    bad = f"{_name(node)} {_name(p)} {_name(o)}"
    if p in _INTEGER:
        if not (isinstance(o, rdflib.Literal) and o.datatype == XSD.integer and o.ill_typed
                is False and int(o) >= 0):  # fmt: skip
            raise ShapesError(f"{bad}: a non-negative xsd:integer is expected")
        return int(o)
    if p in _BOOLEAN:
        if not (isinstance(o, rdflib.Literal) and o.datatype == XSD.boolean and not o.ill_typed):
            raise ShapesError(f"{bad}: an xsd:boolean is expected")
        return bool(o.toPython())
    if p in _IRI:
        if not isinstance(o, rdflib.URIRef):
            raise ShapesError(f"{bad}: an IRI is expected")
        if p == SH.nodeKind and o not in [SH[k] for k in _NODE_KINDS]:
            raise ShapesError(f"{bad}: not a node kind")
        return o
    if p in _STRING:
        if not (isinstance(o, rdflib.Literal) and o.datatype in (None, XSD.string)
                and not o.language):  # fmt: skip
            raise ShapesError(f"{bad}: an xsd:string literal is expected")
        return str(o)
    if p in _LIST:
        items = _list(g, node, p, o)
        if p == SH.languageIn and not all(
            isinstance(i, rdflib.Literal) and i.datatype in (None, XSD.string) for i in items
        ):
            raise ShapesError(f"{bad}: sh:languageIn members must be strings")
        if p == SH.ignoredProperties and not all(isinstance(i, rdflib.URIRef) for i in items):
            raise ShapesError(f"{bad}: sh:ignoredProperties members must be IRIs")
        if p in (SH["and"], SH["or"], SH.xone) and any(
            isinstance(i, rdflib.Literal) for i in items
        ):
            raise ShapesError(f"{bad}: shapes must be IRIs or blank nodes")
        return items
    if p == SH.sparql:
        from igfkg.quality.shacl.sparql_constraints import read_constraint

        return read_constraint(g, o)
    if p in _SHAPE and isinstance(o, rdflib.Literal):
        raise ShapesError(f"{bad}: a shape must be an IRI or a blank node")
    return o


def check_path(g: rdflib.Graph, path: Node, depth: int = 0) -> None:
    """Raise ShapesError unless ``path`` is a well-formed SHACL property path (spec 2.3.1)."""
    if isinstance(path, rdflib.URIRef):
        return
    if not isinstance(path, rdflib.BNode) or depth > 50:
        raise ShapesError(f"{_name(path)} is not a well-formed SHACL path")
    triples = list(g.predicate_objects(path))
    preds = {p for p, _ in triples}
    unary = (SH.inversePath, SH.zeroOrMorePath, SH.oneOrMorePath, SH.zeroOrOnePath)
    if len(triples) == 1 and triples[0][0] in (*unary, SH.alternativePath):
        p, o = triples[0]
        if p == SH.alternativePath:
            items = _list(g, path, p, o)
            if len(items) < 2:
                raise ShapesError(f"sh:alternativePath of {len(items)} members")
            for item in items:
                check_path(g, item, depth + 1)
        else:
            check_path(g, o, depth + 1)
        return
    if {RDF.first, RDF.rest} < preds:
        raise UnsupportedShapeError(f"{_name(path)}: a list path with other triples")
    if preds == {RDF.first, RDF.rest}:
        items = _list(g, path, SH.path, path)
        if len(items) < 2:
            raise ShapesError(f"a sequence path of {len(items)} members")
        for item in items:
            check_path(g, item, depth + 1)
        return
    raise ShapesError(f"{_name(path)} is not a well-formed SHACL path")
