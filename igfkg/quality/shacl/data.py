"""The data graph of a validation, loaded into Oxigraph for the compiled checks.

Data comes as an rdflib graph or as RDF files. Files are parsed by Oxigraph itself, streamed,
with no rdflib copy: how millions of triples validate in little memory; rdflib reads them
only if pySHACL must validate some shape. Oxigraph stores valid XSD literals in one canonical
form (``"4.0"^^xsd:decimal`` as ``"4"``), so the load records which stored terms stand for
other written ones: results name the terms as written, and constants that would match the
wrong terms are refused.

>>> import rdflib
>>> g = rdflib.Graph().parse(data='<http://x/a> <http://x/p> "4.0"^^<http://www.w3.org/2001/XMLSchema#decimal> .', format="turtle")
>>> loaded = Data(g).load()
>>> [loaded.term(q.object) for q in loaded.store]
[rdflib.term.Literal('4.0', datatype=rdflib.term.URIRef('http://www.w3.org/2001/XMLSchema#decimal'))]
"""  # noqa: E501

from __future__ import annotations

import itertools
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path

import pyoxigraph as ox
import rdflib
from rdflib.term import Node

from igfkg.quality.shacl.shapes import XSD, UnsupportedShapeError, name

__all__ = ["Data", "LiteralCollisionError", "Loaded", "rewritable", "stored_forms", "to_ox"]

_CHUNK = 100_000  # triples per bulk insert when streaming files


class LiteralCollisionError(UnsupportedShapeError):
    """Two data literals Oxigraph stores as one term (``"4.0"`` and ``"4.00"``)."""


def to_ox(node: Node) -> ox.NamedNode | ox.Literal:
    """An IRI or literal of rdflib as a pyoxigraph term (blank nodes refused)."""
    if isinstance(node, rdflib.URIRef):
        return ox.NamedNode(str(node))
    if isinstance(node, rdflib.Literal):
        if node.language:
            return ox.Literal(str(node), language=node.language)
        return ox.Literal(str(node), datatype=ox.NamedNode(str(node.datatype or XSD.string)))
    raise UnsupportedShapeError(f"a blank node {name(node)} cannot be bound in a query")


def rewritable(term: ox.Literal) -> bool:
    """Whether Oxigraph may store ``term`` in another lexical form (an XSD datatype other
    than xsd:string)."""
    dt = term.datatype.value
    return dt.startswith(str(XSD)) and dt != str(XSD.string)


def stored_forms(terms: list[ox.Literal]) -> list[ox.Literal]:
    """Each literal as Oxigraph stores it: it rewrites valid XSD literals to one lexical form
    ("4.0"^^xsd:decimal becomes "4"), so distinct RDF terms can become one."""
    scratch = ox.Store()
    p = ox.NamedNode("urn:igfkg:value")
    scratch.bulk_extend(ox.Quad(ox.NamedNode(f"urn:igfkg:{i}"), p, x) for i, x in enumerate(terms))
    out: list[ox.Literal] = list(terms)
    for quad in scratch.quads_for_pattern(None, p, None):
        assert isinstance(quad.object, ox.Literal)
        assert isinstance(quad.subject, ox.NamedNode)
        out[int(quad.subject.value[10:])] = quad.object
    return out


def _rdflib_literal(term: ox.Literal) -> rdflib.Literal:
    if term.language:
        return rdflib.Literal(term.value, lang=term.language)
    dt = term.datatype.value
    return rdflib.Literal(term.value, datatype=None if dt == str(XSD.string) else dt)


@dataclass
class Loaded:
    """The data in an Oxigraph store, and what its literals were before Oxigraph stored them.

    ``literals``: the written literal of each stored one that differs (or, for rdflib data,
    of every stored literal); ``ill``: stored literals rdflib flags ill-typed, per datatype
    (rdflib rewrites some, ``"maybe"^^xsd:boolean`` into ``"false"``); ``rewritten``: stored
    literals that stand for another written form (a constant ``4`` must not match ``"4.0"``);
    ``retyped``: datatypes Oxigraph changes (``xsd:byte`` literals stored as ``xsd:integer``).
    """

    store: ox.Store
    literals: dict[ox.Literal, rdflib.Literal] = field(default_factory=dict)
    ill: dict[str, list[ox.Literal]] = field(default_factory=dict)
    rewritten: set[ox.Literal] = field(default_factory=set)
    retyped: set[str] = field(default_factory=set)

    def term(self, term: object) -> Node:
        """A stored term as an rdflib term, literals as written in the data."""
        if isinstance(term, ox.NamedNode):
            return rdflib.URIRef(term.value)
        if isinstance(term, ox.BlankNode):
            return rdflib.BNode(term.value)
        assert isinstance(term, ox.Literal)
        found = self.literals.get(term)
        return found if found is not None else _rdflib_literal(term)

    def note(self, written: Iterable[tuple[ox.Literal, rdflib.Literal]]) -> None:
        """Record written literals (each with its rdflib form) against their stored forms.
        Raises LiteralCollisionError when two written literals become one stored term."""
        pairs = list(written)
        typed = [x for x, _ in pairs if rewritable(x)]
        stored = dict(zip(typed, stored_forms(typed), strict=True))
        for term, node in pairs:
            key = stored.get(term, term)
            if term.language and term.language != term.language.lower():
                # Oxigraph lowers language tags; RDF compares them case-insensitively
                key = ox.Literal(term.value, language=term.language.lower())
                self.literals.setdefault(key, node)
                continue
            if key != term:
                self.rewritten.add(key)
                if key.datatype != term.datatype:  # "-5"^^xsd:byte is stored as xsd:integer
                    self.retyped.update((term.datatype.value, key.datatype.value))
            other = self.literals.setdefault(key, node)
            if other is not node:
                raise LiteralCollisionError(
                    f"the data literals {name(other)} and {name(node)} are one term in Oxigraph"
                )
            if node.ill_typed:
                self.ill.setdefault(str(node.datatype), []).append(key)


class Data:
    """The data to validate: an rdflib graph, or RDF files (any format igfkg reads).

    >>> Data([]).load().store.__len__()
    0
    """

    def __init__(self, source: rdflib.Graph | Sequence[Path]):
        self.files: list[Path] | None = None
        self._graph: rdflib.Graph | None = None
        if isinstance(source, rdflib.Graph):
            self._graph = source
        else:
            self.files = [Path(p) for p in source]

    def graph(self) -> rdflib.Graph:
        """The data as one rdflib graph (files are parsed on first use)."""
        if self._graph is None:
            assert self.files is not None
            from igfkg.store.formats import file_triples

            graph = rdflib.Graph()
            for chunk in _chunks(file_triples(self.files)):
                text = ox.serialize(chunk, format=ox.RdfFormat.N_TRIPLES)
                graph.parse(data=text or b"", format="nt")
            self._graph = graph
        return self._graph

    def load(self) -> Loaded:
        """The data in a fresh Oxigraph store. Raises LiteralCollisionError when distinct data
        literals would become one stored term."""
        if self.files is None:
            return _load_graph(self.graph())
        from igfkg.store.formats import file_triples

        loaded = Loaded(ox.Store())
        written: set[ox.Literal] = set()
        for chunk in _chunks(file_triples(self.files)):
            for triple in chunk:
                obj = triple.object
                if isinstance(obj, ox.Literal) and (
                    rewritable(obj) or (obj.language and obj.language != obj.language.lower())
                ):
                    written.add(obj)
            loaded.store.bulk_extend(ox.Quad(*triple) for triple in chunk)
        # Oxigraph keeps ill-formed literals as written, so none is taken for a valid one
        loaded.note((x, _rdflib_literal(x)) for x in written)
        loaded.literals = {
            k: v for k, v in loaded.literals.items() if k in loaded.rewritten or k.language
        }
        return loaded


def _chunks(triples: Iterator[ox.Triple]) -> Iterator[list[ox.Triple]]:
    while chunk := list(itertools.islice(triples, _CHUNK)):
        yield chunk


def _load_graph(data: rdflib.Graph) -> Loaded:
    def subject(node: Node) -> ox.NamedNode | ox.BlankNode:
        if isinstance(node, rdflib.BNode):
            return ox.BlankNode(str(node))
        if isinstance(node, rdflib.URIRef):
            return ox.NamedNode(str(node))
        raise ValueError(f"{name(node)} is not an RDF subject")

    originals: dict[ox.Literal, rdflib.Literal] = {}

    def conv(node: Node) -> ox.NamedNode | ox.BlankNode | ox.Literal:
        if not isinstance(node, rdflib.Literal):
            return subject(node)
        term = to_ox(node)
        assert isinstance(term, ox.Literal)
        if originals.setdefault(term, node) is not node and node.ill_typed != (
            originals[term].ill_typed
        ):
            # rdflib rewrote an ill-typed literal ("none"^^xsd:boolean) into the lexical form
            # of a well-typed one ("false"): two RDF terms rdflib no longer tells apart
            raise LiteralCollisionError(
                f"the data literal {name(node)} is both ill-typed and well-typed in rdflib"
            )
        return term

    quads = [ox.Quad(subject(s), ox.NamedNode(str(p)), conv(o)) for s, p, o in data]
    loaded = Loaded(ox.Store())
    loaded.note(originals.items())
    loaded.store.bulk_extend(quads)
    return loaded
