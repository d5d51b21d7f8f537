"""SPARQL text, from two places only: fixed queries in the packaged ``.rq`` files next to the
module that runs them (``igfkg/<layer>/sparql/<name>.rq``), and text generated from RDF terms
by :func:`fill`, :func:`insert_data` and :func:`delete_data`, which take terms, never strings.
Values that vary per call are bound by the backends as terms (``VALUES`` / ``initBindings``).

>>> "SELECT" in load("igfkg.explore", "traversal-out")
True
>>> import pyoxigraph as ox
>>> fill("ASK { ${s} ?p ?o }", s=ox.NamedNode("http://x/a"))
'ASK { <http://x/a> ?p ?o }'
>>> fill("ASK { ${s} ?p ?o }", s="http://x/a> } ; DROP ALL #")
Traceback (most recent call last):
...
TypeError: ${s} must be an IRI or literal term, got str
>>> print(insert_data([ox.Quad(ox.NamedNode("http://x/a"), ox.NamedNode("http://x/p"),
...                            ox.Literal("1"), ox.NamedNode("http://x/g"))]))
INSERT DATA { GRAPH <http://x/g> {
<http://x/a> <http://x/p> "1" .
} }
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from functools import cache
from importlib.resources import files

import pyoxigraph as ox

__all__ = ["delete_data", "fill", "insert_data", "load", "query_files", "term"]

Filler = ox.NamedNode | ox.Literal

# A placeholder is ${name}: not SPARQL, so a template with one left unfilled does not parse.
_PLACEHOLDER = re.compile(r"\$\{([A-Za-z_][A-Za-z0-9_]*)\}")


@cache
def load(package: str, name: str) -> str:
    """The text of ``<package>/sparql/<name>.rq``, read once."""
    return (files(package) / "sparql" / f"{name}.rq").read_text(encoding="utf-8")


def query_files(package: str) -> list[str]:
    """The names of the ``.rq`` files of a package (for tests and tools)."""
    folder = files(package) / "sparql"
    if not folder.is_dir():
        return []
    return sorted(p.name[:-3] for p in folder.iterdir() if p.name.endswith(".rq"))


def term(value: Filler) -> str:
    """An IRI or literal as SPARQL text (its N-Triples form); anything else is refused.

    >>> print(term(ox.Literal('say "hi"')), term(ox.NamedNode("http://x/a")))
    "say \\"hi\\"" <http://x/a>
    """
    return _term("term", value)


def _term(name: str, value: object) -> str:
    # Blank nodes are refused: in query text "_:b" is a fresh variable, not that node.
    if isinstance(value, ox.NamedNode | ox.Literal):
        return str(value)
    kind = type(value).__name__
    raise TypeError(f"${{{name}}} must be an IRI or literal term, got {kind}")


def fill(template: str, **terms: Filler) -> str:
    """``template`` with each ``${name}`` replaced by the N-Triples form of ``terms[name]``
    (an IRI or a literal, checked by pyoxigraph when built). Every placeholder must be given,
    and every term used."""
    used: set[str] = set()

    def put(match: re.Match[str]) -> str:
        name = match[1]
        if name not in terms:
            raise KeyError(f"no term given for ${{{name}}}")
        used.add(name)
        return _term(name, terms[name])

    text = _PLACEHOLDER.sub(put, template)
    unused = set(terms) - used
    if unused:
        raise KeyError(f"terms not in the template: {', '.join(sorted(unused))}")
    return text


def _graphs(quads: Iterable[ox.Quad]) -> dict[str, list[str]]:
    by_graph: dict[str, list[str]] = {}
    iri, literal = ox.NamedNode, ox.Literal
    for quad in quads:
        graph, subject, obj = quad.graph_name, quad.subject, quad.object
        # Type checks inline (this runs once per quad of every generated update).
        if type(graph) is not iri:
            raise TypeError(f"quads are written to named graphs, got {graph!r}")
        if type(subject) is not iri or (type(obj) is not iri and type(obj) is not literal):
            raise TypeError(f"only IRIs and literals are written as SPARQL terms, got {quad!r}")
        lines = by_graph.get(str(graph))
        if lines is None:
            lines = by_graph[str(graph)] = []
        lines.append(f"{subject} {quad.predicate} {obj} .")
    return by_graph


def _data(operation: str, quads: Iterable[ox.Quad]) -> str:
    blocks = [
        f"{operation} DATA {{ GRAPH {graph} {{\n" + "\n".join(lines) + "\n} }"
        for graph, lines in _graphs(quads).items()
    ]
    return " ;\n".join(blocks)


def insert_data(quads: Iterable[ox.Quad]) -> str:
    """A SPARQL Update adding ``quads`` (IRIs and literals only)."""
    return _data("INSERT", quads)


def delete_data(quads: Iterable[ox.Quad]) -> str:
    """A SPARQL Update removing ``quads`` (IRIs and literals only)."""
    return _data("DELETE", quads)
