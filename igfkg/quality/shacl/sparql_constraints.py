"""SHACL-SPARQL constraints (``sh:sparql`` with ``sh:select``): read, checked against the
syntax rules of SHACL section 5.2 with rdflib's SPARQL parser (never by matching text), and
run per focus node with Oxigraph's substitution of ``$this``, ``$currentShape`` and ``$PATH``
(SEP-0007 substitution is SHACL pre-binding: the variable is replaced by the term
everywhere, nested groups, ``EXISTS`` and sub-selects included).

>>> import rdflib
>>> g = rdflib.Graph().parse(data='''
...   @prefix sh: <http://www.w3.org/ns/shacl#> . @prefix ex: <http://x/> .
...   ex:C sh:select "SELECT $this WHERE { $this ex:p 1 }" ;
...        sh:prefixes [ sh:declare [ sh:prefix "ex" ; sh:namespace "http://x/" ] ] .
... ''', format="turtle")
>>> c = read_constraint(g, rdflib.URIRef("http://x/C"))
>>> c.text.splitlines()[0], sorted(c.variables)
('PREFIX ex: <http://x/>', ['this'])
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import pyoxigraph as ox
import rdflib
from rdflib.term import Node

from igfkg.core import sparql
from igfkg.quality.shacl.shapes import RDF, RDFS, SH, ShapesError, UnsupportedShapeError, name

__all__ = ["SparqlConstraint", "read_constraint", "set_oriented", "substitute"]

OWL = rdflib.OWL
PRE_BOUND = frozenset({"this", "currentShape", "shapesGraph"})
_ALLOWED = (RDF.type, SH.select, SH.prefixes, SH.message, SH.deactivated, RDFS.label,
            RDFS.comment)  # fmt: skip


@dataclass(frozen=True)
class SparqlConstraint:
    """One ``sh:sparql`` constraint: its node, the query text with its prefixes, and the
    variables the query mentions."""

    node: Node
    text: str
    variables: frozenset[str]
    deactivated: bool = False


def _holders(g: rdflib.Graph, constraint: Node) -> list[Node]:
    """The prefix holders: sh:prefixes values and what they owl:imports (in the graph)."""
    seen: list[Node] = []
    todo = list(g.objects(constraint, SH.prefixes))
    while todo:
        node = todo.pop()
        if node not in seen:
            seen.append(node)
            todo.extend(g.objects(node, OWL.imports))
    return seen


def _prefixes(g: rdflib.Graph, constraint: Node) -> list[str]:
    lines = []
    for holder in _holders(g, constraint):
        for declaration in g.objects(holder, SH.declare):
            prefix = g.value(declaration, SH.prefix)
            namespace = g.value(declaration, SH.namespace)
            if not isinstance(prefix, rdflib.Literal) or not isinstance(
                namespace, rdflib.Literal | rdflib.URIRef
            ):
                raise ShapesError(f"{name(holder)}: sh:declare needs sh:prefix and sh:namespace")
            iri = sparql.term(ox.NamedNode(str(namespace)))
            # the label is checked by the SPARQL parser below (a bad one does not parse)
            lines.append(f"PREFIX {prefix}: {iri}")
    return lines


def read_constraint(g: rdflib.Graph, node: Node) -> SparqlConstraint:
    """The constraint at ``node``; ShapesError if ill-formed, UnsupportedShapeError if it
    needs what the compiled engine does not do (``$shapesGraph``)."""
    if isinstance(node, rdflib.Literal):
        raise ShapesError(f"sh:sparql {name(node)}: a constraint node is expected")
    for p, o in g.predicate_objects(node):
        if (node, SH.sparql, node) in g:
            break  # a shape that is its own constraint: the shape reader checks its triples
        if p not in _ALLOWED or (p == RDF.type and o != SH.SPARQLConstraint):
            raise UnsupportedShapeError(f"sh:sparql {name(node)}: {name(p)} is not compiled")
    selects = list(g.objects(node, SH.select))
    if len(selects) != 1 or not isinstance(selects[0], rdflib.Literal):
        raise ShapesError(f"sh:sparql {name(node)}: exactly one sh:select string is expected")
    deactivated = g.value(node, SH.deactivated)
    text = "\n".join([*_prefixes(g, node), str(selects[0])])
    variables = _check(node, text)
    if "shapesGraph" in variables:
        raise UnsupportedShapeError(f"sh:sparql {name(node)}: $shapesGraph is not provided")
    return SparqlConstraint(
        node,
        text,
        variables,
        isinstance(deactivated, rdflib.Literal) and deactivated.toPython() is True,
    )


def _walk(value: object) -> Iterator[object]:
    yield value
    if isinstance(value, dict):  # rdflib's CompValue is an OrderedDict
        for item in value.values():
            yield from _walk(item)
    elif isinstance(value, list | tuple | set):
        for item in value:
            yield from _walk(item)


def _check(node: Node, text: str) -> frozenset[str]:
    """Parse the query; enforce SHACL 5.2 (no MINUS, SERVICE or VALUES; no ``AS ?this``;
    sub-selects project the pre-bound variables they use). Returns the variables used."""
    from pyparsing import ParseException
    from rdflib.plugins.sparql import prepareQuery
    from rdflib.plugins.sparql.parserutils import CompValue

    try:
        query = prepareQuery(text)
    except (ParseException, Exception) as error:
        raise ShapesError(f"sh:sparql {name(node)}: the query does not parse: {error}") from None
    algebra = query.algebra
    if algebra.name != "SelectQuery":
        raise ShapesError(f"sh:sparql {name(node)}: a SELECT query is expected")
    used = {str(v) for v in _walk(algebra) if isinstance(v, rdflib.Variable)}
    for part in _walk(algebra["p"]):
        if not isinstance(part, CompValue):
            continue
        bad = {"Minus": "MINUS", "ServiceGraphPattern": "SERVICE", "values": "VALUES"}
        if part.name in bad:
            raise ShapesError(f"sh:sparql {name(node)}: {bad[part.name]} is not allowed")
        if part.name == "Extend" and str(part["var"]) in PRE_BOUND:
            raise ShapesError(f"sh:sparql {name(node)}: AS ?{part['var']} is not allowed")
        projected = {str(v) for v in (part["PV"] if part.name == "Project" else [])}
        if part.name == "Project" and part is not algebra["p"] and "this" not in projected:
            raise ShapesError(f"sh:sparql {name(node)}: a sub-select must return $this")
    selects = [t for t in _tokens(text) if t[0] == "select"]
    if any(_is_star(text[start:end]) for _, start, end in selects[1:]):
        # whether $this is in scope there (and so returned) is not decided here
        raise UnsupportedShapeError(f"sh:sparql {name(node)}: a SELECT * sub-select")
    return frozenset(used)


def _is_star(clause: str) -> bool:
    return clause.rstrip().endswith("*")


def _tokens(text: str) -> list[tuple[str, int, int]]:
    """``(kind, start, end)`` of the strings, IRIs, comments, SELECT clauses and variables
    of a query, found with rdflib's SPARQL grammar (so a ``$this`` inside a string, an IRI
    or a comment is not a variable)."""
    import pyparsing as pp
    from rdflib.plugins.sparql import parser as grammar

    kinds = [
        ("string", grammar.String),
        ("iri", grammar.IRIREF),
        ("comment", pp.Regex(r"#[^\n]*")),
        ("select", grammar.SelectClause),
        ("bound", pp.CaselessKeyword("BOUND") + "(" + grammar.Var + ")"),
        ("var", grammar.Var),
    ]
    scanner = pp.MatchFirst([expr.copy().set_results_name(kind) for kind, expr in kinds])
    scanner.parse_with_tabs()  # positions in the text as given (tabs not expanded)
    found = []
    for tokens, start, end in scanner.scan_string(text):
        kind = next(k for k, _ in kinds if k in tokens)
        found.append((kind, start, end))
    return found


def substitute(text: str, terms: dict[str, ox.NamedNode | ox.Literal]) -> str:
    """The query with the variables of ``terms`` replaced by those terms (SHACL pre-binding,
    section 5.2.2): everywhere in the query, nested groups and sub-selects included; in a
    SELECT clause a projected ``$this`` becomes ``(<term> AS ?this)``. Blank nodes cannot be
    written into a query and are refused by the caller.

    >>> substitute('SELECT $this WHERE { FILTER($this = "$this") }',
    ...            {"this": ox.NamedNode("http://x/a")})
    'SELECT (<http://x/a> AS ?this) WHERE { FILTER(<http://x/a> = "$this") }'
    """
    out, last = [], 0
    selects: list[int] = []
    for kind, start, end in _tokens(text):
        piece = text[start:end]
        if kind == "var" and piece[1:] in terms:
            piece = sparql.term(terms[piece[1:]])
        elif kind == "bound" and _inner(piece)[-1:] and _var(piece) in terms:
            piece = "(true)"  # a pre-bound variable is bound
        elif kind == "select":
            outer = not selects
            selects.append(start)
            piece = _in_select(piece, terms, outer)
        elif kind != "var":
            continue
        out.append(text[last:start] + piece)
        last = end
    return "".join(out) + text[last:]


def _var(piece: str) -> str:
    """The variable name in a ``BOUND(?x)`` call."""
    kind, start, end = _inner(piece)[-1]
    return piece[start + 1 : end] if kind == "var" else ""


def _in_select(clause: str, terms: dict[str, ox.NamedNode | ox.Literal], outer: bool) -> str:
    """A SELECT clause with the pre-bound variables replaced: projected ones become
    ``(<term> AS ?this)`` in the outermost SELECT, ``(<term> AS ?igfkg_this)`` in
    sub-selects (where ``$this`` is no longer a variable to return)."""
    out, last, depth = [], 0, 0
    for kind, start, end in _inner(clause):
        depth += clause.count("(", last, start) - clause.count(")", last, start)
        piece = clause[start:end]
        if kind == "var" and piece[1:] in terms:
            value = sparql.term(terms[piece[1:]])
            alias = piece[1:] if outer else f"igfkg_{piece[1:]}"
            piece = value if depth > 0 else f"({value} AS ?{alias})"
        out.append(clause[last:start] + piece)
        last = end
    return "".join(out) + clause[last:]


def _inner(clause: str) -> list[tuple[str, int, int]]:
    """The tokens inside a SELECT clause (the clause itself is not matched again)."""
    import pyparsing as pp
    from rdflib.plugins.sparql import parser as grammar

    scanner = grammar.String("string") | grammar.IRIREF("iri") | grammar.Var("var")
    found = []
    for tokens, start, end in pp.MatchFirst([scanner]).parse_with_tabs().scan_string(clause):
        kind = "var" if "var" in tokens else "other"
        found.append((kind, start, end))
    return found


def set_oriented(text: str, focus: str) -> str | None:
    """The constraint query (its other pre-bound variables already substituted) run once for
    all focus nodes: ``focus`` (a pattern binding ``?this`` to each focus node) is joined
    first in the outermost group and ``?this`` is projected. Returned only when that gives
    exactly what substituting each focus node gives, decided on rdflib's algebra of the
    rewritten query: no sub-select, grouping, LIMIT/OFFSET, GRAPH or dataset clause, and every
    FILTER, BIND or OPTIONAL condition that reads ``?this`` (``bound``, ``EXISTS`` included),
    and every OPTIONAL part that mentions it, evaluated where ``?this`` is always bound; else
    None (the caller substitutes per focus node).

    >>> set_oriented("SELECT $this WHERE { FILTER NOT EXISTS { $this <http://x/p> ?v } }",
    ...              "?this a <http://x/C>")
    'SELECT $this WHERE { { ?this a <http://x/C> } FILTER NOT EXISTS { $this <http://x/p> ?v } }'
    >>> set_oriented("SELECT ?v WHERE { { FILTER(bound($this)) } ?v ?p 1 }", "?this ?p 2")
    """
    tokens = _tokens(text)
    selects = [(start, end) for kind, start, end in tokens if kind == "select"]
    if not selects:
        return None
    start, end = selects[0]
    clause = text[start:end]
    skip = [(s, e) for kind, s, e in tokens if kind in ("string", "iri", "comment")]
    brace = _first_brace(text, end, skip)
    if brace is None:
        return None
    if not _is_star(clause) and not any(
        kind == "var" and clause[s + 1 : e] == "this" for kind, s, e in _inner(clause)
    ):
        clause += " ?this"
    rewritten = (
        text[:start] + clause + text[end : brace + 1] + f" {{ {focus} }}" + text[brace + 1 :]
    )
    from rdflib.plugins.sparql import prepareQuery

    algebra = prepareQuery(rewritten).algebra
    if algebra.get("datasetClause"):
        return None
    root = algebra["p"]
    while root.name in ("Distinct", "Reduced", "OrderBy"):
        root = root["p"]
    if root.name != "Project" or _THIS not in root["PV"]:
        return None
    return rewritten if _safe(root["p"]) else None


_THIS = rdflib.Variable("this")


def _first_brace(text: str, start: int, skip: list[tuple[int, int]]) -> int | None:
    i = start
    while i < len(text):
        inside = next((e for s, e in skip if s <= i < e), None)
        if inside is not None:
            i = inside
            continue
        if text[i] == "{":
            return i
        i += 1
    return None


def _mentions(value: object) -> bool:
    return any(v == _THIS for v in _walk(value) if isinstance(v, rdflib.Variable))


def _certain(p: Any) -> set[rdflib.Variable]:
    """Variables bound in every solution of the algebra pattern ``p``."""
    name = p.name
    if name == "BGP":
        return {t for triple in p["triples"] for t in triple if isinstance(t, rdflib.Variable)}
    if name == "Join":
        return _certain(p["p1"]) | _certain(p["p2"])
    if name == "Union":
        return _certain(p["p1"]) & _certain(p["p2"])
    if name == "LeftJoin":
        return _certain(p["p1"])
    if name in ("Filter", "Extend"):
        return _certain(p["p"])
    if name == "ToMultiSet" and p["p"].name == "values":
        rows = p["p"]["res"]
        return set.intersection(*(set(r) for r in rows)) if rows else set()
    return set()


def _safe(p: Any) -> bool:
    name = p.name
    if name == "BGP":
        return True
    if name in ("Join", "Union"):
        return _safe(p["p1"]) and _safe(p["p2"])
    if name in ("Filter", "Extend"):
        return _safe(p["p"]) and (not _mentions(p["expr"]) or _THIS in _certain(p["p"]))
    if name == "LeftJoin":
        left = _certain(p["p1"])
        reads = _mentions(p["p2"]) or _mentions(p.get("expr"))
        return _safe(p["p1"]) and _safe(p["p2"]) and (not reads or _THIS in left)
    # the focus pattern's VALUES (_check refuses others); a sub-select is a ToMultiSet too
    return bool(name == "ToMultiSet" and p["p"].name == "values")
