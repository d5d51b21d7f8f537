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
import threading
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path

import pyoxigraph as ox
import rdflib
from rdflib.term import Node

from igfkg.quality.shacl.shapes import XSD, UnsupportedShapeError, name
from igfkg.store.formats import (
    OX_FORMATS,
    QUAD_FORMATS,
    file_triples,
    rdf_format,
    syntax_error,
)

__all__ = ["Data", "LiteralCollisionError", "Loaded", "rewritable", "stored_forms", "to_ox"]

_CHUNK = 100_000  # triples per bulk insert when streaming quad files


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

    def note(
        self,
        written: Iterable[ox.Literal],
        originals: dict[ox.Literal, rdflib.Literal] | None = None,
    ) -> None:
        """Record written literals against their stored forms: in ``literals`` all of them
        with ``originals`` (rdflib's terms, whose ill-typed flags go to ``ill``), else only
        those stored in another form. Raises LiteralCollisionError when two written literals
        become one stored term."""
        terms = list(written)
        typed = [x for x in terms if rewritable(x)]
        stored = dict(zip(typed, stored_forms(typed), strict=True))
        seen: dict[ox.Literal, ox.Literal] = {}
        for term in terms:
            key = stored.get(term, term)
            language = term.language
            lowered = bool(language and language != language.lower())
            if language and lowered:
                # Oxigraph lowers language tags; RDF compares them case-insensitively
                key = ox.Literal(term.value, language=language.lower())
            elif key != term:
                self.rewritten.add(key)
                if key.datatype != term.datatype:  # "-5"^^xsd:byte is stored as xsd:integer
                    self.retyped.update((term.datatype.value, key.datatype.value))
            node = originals[term] if originals is not None else None
            if originals is not None or key != term:
                self.literals.setdefault(key, node or _rdflib_literal(term))
            if lowered:
                continue
            other = seen.setdefault(key, term)
            if other != term:
                raise LiteralCollisionError(
                    f"the data literals {name(_rdflib_literal(other))} and"
                    f" {name(_rdflib_literal(term))} are one term in Oxigraph"
                )
            if node is not None and node.ill_typed:
                self.ill.setdefault(str(node.datatype), []).append(key)


class Data:
    """The data to validate: an rdflib graph, or RDF files (any format igfkg reads).

    >>> Data([]).load().store.__len__()
    0
    """

    def __init__(self, source: rdflib.Graph | Sequence[Path]):
        self.files: list[Path] | None = None
        self._graph: rdflib.Graph | None = None
        self._loaded: Loaded | None = None
        if isinstance(source, rdflib.Graph):
            self._graph = source
        else:
            self.files = [Path(p) for p in source]

    def graph(self) -> rdflib.Graph:
        """The data as one rdflib graph (files are parsed on first use)."""
        if self._graph is None:
            assert self.files is not None
            graph = rdflib.Graph()
            for chunk in _chunks(file_triples(self.files)):
                text = ox.serialize(chunk, format=ox.RdfFormat.N_TRIPLES)
                graph.parse(data=text or b"", format="nt")
            self._graph = graph
        return self._graph

    def load(self) -> Loaded:
        """The data in an Oxigraph store (loaded on first use; validations only read it).
        Raises LiteralCollisionError when distinct data literals would become one stored
        term."""
        if self._loaded is None:
            self._loaded = self._load()
        return self._loaded

    def _load(self) -> Loaded:
        if self.files is None:
            return _load_graph(self.graph())
        loaded = Loaded(ox.Store())
        written: set[ox.Literal] = set()
        for path in self.files:
            triples = file_triples([path])
            if rdf_format(path) in QUAD_FORMATS:  # every graph's triples, in the default graph
                for chunk in _chunks(triples):
                    written.update(_noted(t.object for t in chunk))
                    loaded.store.bulk_extend(ox.Quad(*t) for t in chunk)
                continue
            # Oxigraph's bulk loader (blank nodes renamed per load; it releases the GIL) in a
            # thread, while this one collects the literals as written (and reports a syntax
            # error with its line)
            failed: list[SyntaxError] = []
            thread = threading.Thread(target=_bulk_load, args=(loaded.store, path, failed))
            thread.start()
            try:
                written.update(_noted(t.object for t in triples))
            finally:
                thread.join()
            if failed:
                raise syntax_error(str(path), failed[0])
        # Oxigraph keeps ill-formed literals as written, so none is taken for a valid one
        loaded.note(written)
        return loaded


def _bulk_load(store: ox.Store, path: Path, failed: list[SyntaxError]) -> None:
    try:
        store.bulk_load(path=path, format=OX_FORMATS[rdf_format(path)])
    except SyntaxError as error:
        failed.append(error)


def _noted(objects: Iterable[object]) -> Iterator[ox.Literal]:
    """The literals Oxigraph may store in another form: XSD-typed (not xsd:string), or with
    a language tag that is not lower case."""
    xsd, string = str(XSD), str(XSD.string)
    for o in objects:
        if type(o) is ox.Literal:
            language = o.language
            if language:
                if language != language.lower():
                    yield o
                continue
            dt = o.datatype.value
            if dt != string and dt.startswith(xsd):
                yield o


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
    loaded.note(originals, originals)
    loaded.store.bulk_extend(quads)
    return loaded
