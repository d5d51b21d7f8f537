"""The backend interface: a store of named graphs that answers SPARQL over their union,
with its declared :class:`~igfkg.store.port.Capabilities`."""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import Any, ClassVar

import pyoxigraph as ox

from igfkg.core.errors import QueryError
from igfkg.core.results import Result, Term
from igfkg.store.formats import OX_FORMATS, QUAD_FORMATS, rdf_format
from igfkg.store.guard import current_limits, vet
from igfkg.store.port import Capabilities

__all__ = ["Backend", "check_read_only"]


def check_read_only(query: str) -> None:
    """Raise ReadOnlyError for a SPARQL update or a federated (SERVICE) query, decided from
    the parsed query (:func:`igfkg.store.guard.vet`): read-only commands answer from this graph
    and never reach other hosts.

    >>> check_read_only('SELECT * WHERE { ?s ?p "SERVICE" }')
    >>> check_read_only("SELECT * WHERE { SERVICE <http://x/sparql> { ?s ?p ?o } }")
    ... # doctest: +ELLIPSIS
    Traceback (most recent call last):
    ...
    igfkg.core.errors.ReadOnlyError: SPARQL SERVICE (federated queries) is refused: ...
    """
    vet(query)


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
        """The named graphs that hold quads, on the backends with quad-level access."""
        raise NotImplementedError(f"the {self.name} backend does not list its graphs")

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
        """The whole store in an RDF format; triple formats merge the named graphs."""
        fmt = rdf_format(fmt)
        if fmt in QUAD_FORMATS:
            return ox.serialize(sorted(self.quads(), key=str), format=OX_FORMATS[fmt]) or b""
        triples = sorted(
            {ox.Triple(q.subject, q.predicate, q.object) for q in self.quads()}, key=str
        )
        if fmt in {"jsonld", "xml"}:
            import rdflib

            g = rdflib.Graph()
            g.parse(data=ox.serialize(triples, format=ox.RdfFormat.N_TRIPLES), format="nt")
            return g.serialize(
                format={"jsonld": "json-ld", "xml": "pretty-xml"}[fmt], encoding="utf-8"
            )
        return ox.serialize(triples, format=OX_FORMATS[fmt]) or b""


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
