"""The backend interface: a store of named graphs that answers SPARQL over their union,
with its declared :class:`~igfkg.store.port.Capabilities`."""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import Iterable, Mapping, Sequence
from pathlib import Path
from typing import Any, ClassVar

import pyoxigraph as ox

from igfkg.core import resources, sparql
from igfkg.core.errors import QueryError
from igfkg.core.jsonld import dataset_jsonld
from igfkg.core.namespaces import GRAPH_KB, GRAPH_ONTOLOGY, PREFIXES
from igfkg.core.results import Result, Term
from igfkg.store.formats import OX_FORMATS, QUAD_FORMATS, rdf_format
from igfkg.store.guard import current_limits, vet
from igfkg.store.port import Capabilities

__all__ = ["Backend", "load_bundled"]

_NAMED_GRAPHS = sparql.load("igfkg.store", "named-graphs")
_HAS_GRAPH = sparql.load("igfkg.store", "has-graph")


class Backend(ABC):
    """A store of named graphs that answers SPARQL over their union."""

    name: ClassVar[str]
    capabilities: Capabilities

    @abstractmethod
    def load_file(self, path: Path, graph: str, fmt: str | None = None) -> None:
        """Load an RDF file into a named graph, atomically (all of it or nothing)."""

    @abstractmethod
    def load_data(self, data: bytes, fmt: str, graph: str) -> None:
        """Load RDF given as bytes into a named graph."""

    @abstractmethod
    def raw_query(self, query: str, bindings: Mapping[str, Term]) -> Result | list[ox.Triple]:
        """Run a read-only query; SELECT/ASK give a Result, CONSTRUCT/DESCRIBE triples."""

    @abstractmethod
    def update(self, text: str) -> None:
        """Apply a SPARQL 1.1 Update."""

    @abstractmethod
    def quads(self) -> Iterable[ox.Quad]:
        """Every quad of the store."""

    def match(
        self,
        subject: ox.NamedNode | None,
        predicate: ox.NamedNode | None,
        obj: ox.NamedNode | None,
        graph: ox.NamedNode | None,
    ) -> Iterable[ox.Quad]:
        """The quads matching a pattern (None: any), on the embedded backends."""
        raise NotImplementedError(f"the {self.name} backend has no quad-pattern lookup")

    def named_graphs(self) -> list[ox.NamedNode]:
        """The named graphs that hold quads (here by a query; embedded stores list them, and
        Oxigraph's list keeps graphs emptied by deletions until they are dropped)."""
        rows = self.select(_NAMED_GRAPHS)
        return [g for row in rows if isinstance(g := row["g"], ox.NamedNode)]

    def has_graph(self, graph: str) -> bool:
        """True if the named graph ``graph`` holds a quad."""
        return bool(self.select(sparql.fill(_HAS_GRAPH, graph=ox.NamedNode(graph))))

    def add_ntriples(self, data: bytes, graph: str) -> None:
        """Add N-Triples that igfkg wrote itself to the named graph ``graph``, in one
        transaction (here parsed and checked like any file; embedded stores trust them)."""
        self.load_data(data, "nt", graph)

    def bulk_load(self, data: bytes, graph: str) -> None:
        """Add igfkg's own N-Triples to ``graph``, a graph new to the store, through a bulk
        loader: fast, but not transactional, so the graph stays marked as in progress until a
        :meth:`transact` with ``finished=graph``, and a store reopened after a crash drops a
        marked graph. Only on backends with ``capabilities.bulk_writes``."""
        raise NotImplementedError(f"the {self.name} backend has no bulk loader")

    def transact(self, updates: Sequence[str], *, finished: str | None = None) -> None:
        """Apply SPARQL updates as one transaction: all of them or, also when the process is
        killed, none. With ``finished``, the in-progress mark of that bulk-loaded graph
        (:meth:`bulk_load`) is removed in the same transaction. Only on backends with
        ``capabilities.bulk_writes``."""
        raise NotImplementedError(f"the {self.name} backend has no transactions of updates")

    @abstractmethod
    def __len__(self) -> int:
        """The number of quads."""

    def is_empty(self) -> bool:
        """True if the store holds no quad."""
        return len(self) == 0

    def select(self, query: str, bindings: Mapping[str, Term] | None = None) -> Result:
        """Run a SELECT or ASK query and return its Result."""
        out = self.query(query, bindings)
        if not isinstance(out, Result):
            raise QueryError("expected a SELECT or ASK query, got CONSTRUCT or DESCRIBE")
        return out

    def query(
        self, query: str, bindings: Mapping[str, Term] | None = None
    ) -> Result | list[ox.Triple]:
        """Run a read-only SPARQL query with ``bindings`` substituted as RDF terms.

        The text is vetted first (:func:`igfkg.store.guard.vet`: size, updates, ``SERVICE``),
        and the answer held to the current :func:`igfkg.store.guard.limits`.
        """
        vetted = vet(query)
        try:
            out = self.raw_query(vetted.text, bindings or {})
        except QueryError:
            if not vetted.parsed:
                vet(query, parse=True)  # an update, say so; else the engine's own message
            raise
        limits = current_limits()
        limits.check_rows(len(out.rows) if isinstance(out, Result) else len(out))
        limits.check_time()
        return out

    def serialize(self, fmt: str) -> bytes:
        """The whole store in an RDF format. N-Quads, TriG and JSON-LD keep the named graphs
        (JSON-LD compacted with the project's context, :mod:`igfkg.core.jsonld`); Turtle,
        N-Triples and RDF/XML merge them. Turtle and TriG declare the project's prefixes."""
        fmt = rdf_format(fmt)
        if fmt == "jsonld":
            return dataset_jsonld(self.quads())
        prefixes = dict(PREFIXES) if fmt in ("ttl", "trig") else None
        if fmt in QUAD_FORMATS:
            quads = sorted(self.quads(), key=str)
            return ox.serialize(quads, format=OX_FORMATS[fmt], prefixes=prefixes) or b""
        triples = sorted(
            {ox.Triple(q.subject, q.predicate, q.object) for q in self.quads()}, key=str
        )
        if fmt == "xml":
            import rdflib

            g = rdflib.Graph()
            g.parse(data=ox.serialize(triples, format=ox.RdfFormat.N_TRIPLES), format="nt")
            return g.serialize(format="pretty-xml", encoding="utf-8")
        return ox.serialize(triples, format=OX_FORMATS[fmt], prefixes=prefixes) or b""


def _bounded(rows: Iterable[Any]) -> list[Any]:
    """The rows of a lazily evaluated answer, read one by one within the current limits
    (rows and time; checked between rows, so a query that streams stops at its limit)."""
    limits = current_limits()
    out: list[Any] = []
    if limits.max_rows is None and limits.deadline is None:
        return list(rows)
    for row in rows:
        out.append(row)
        if len(out) % 64 == 0:
            limits.check_time()
        limits.check_rows(len(out))
    return out


def load_bundled(backend: Backend) -> None:
    """Load the bundled ontology and knowledge base into their named graphs of ``backend``."""
    for path in resources.ontology_files():
        backend.load_file(path, GRAPH_ONTOLOGY)
    for path in resources.kb_files():
        backend.load_file(path, GRAPH_KB)
