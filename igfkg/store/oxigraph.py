"""Embedded Oxigraph, in memory (the default) or on disk, with crash recovery of ingests.

A backend holds RDF in named graphs and answers SPARQL over their union. Values are bound into
queries as RDF terms (a VALUES block of terms for Oxigraph, ``initBindings`` for rdflib), never
as user text.

>>> from pyoxigraph import NamedNode, Variable
>>> b = OxigraphBackend()
>>> b.load_data(b'<http://x/a> <http://x/p> "1" .', "nt", graph="http://x/g")
>>> a = NamedNode("http://x/a")
>>> [str(r["o"]) for r in b.select("SELECT ?s ?o WHERE { ?s ?p ?o }", {"s": a})]
['"1"']
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from pathlib import Path
from typing import Any

import pyoxigraph as ox

from igfkg.core import sparql
from igfkg.core.errors import QueryError
from igfkg.core.results import Result, Term
from igfkg.store.base import Backend, _bounded
from igfkg.store.formats import OX_FORMATS, QUAD_FORMATS, rdf_format, syntax_error
from igfkg.store.guard import current_limits
from igfkg.store.port import Capabilities
from igfkg.store.values import with_values

__all__ = ["CONTROL_GRAPH", "IN_PROGRESS", "OxigraphBackend"]

CONTROL_GRAPH = "https://w3id.org/igfkg/graph/control"
IN_PROGRESS = "https://w3id.org/igfkg/ingestInProgress"
_CONTROL = ox.NamedNode(CONTROL_GRAPH)
_MARKER = ox.NamedNode(IN_PROGRESS)
_DROP_GRAPH = sparql.load("igfkg.store", "drop-graph")


def _mark(graph: str) -> ox.Quad:
    """The control graph's statement that ``graph`` is being bulk-loaded."""
    return ox.Quad(ox.NamedNode(graph), _MARKER, ox.Literal(True), _CONTROL)


def _open_store(path: Path, timeout: float | None) -> ox.Store:
    """Open an on-disk store, waiting while another process holds it (RocksDB allows one
    process at a time): concurrent igfkg commands take turns instead of failing."""
    import time

    from igfkg.core.config import settings

    if timeout is None:
        timeout = settings().lock_timeout
    deadline = time.monotonic() + timeout
    delay = 0.02
    while True:
        try:
            return ox.Store(str(path))
        except OSError as error:
            if "LOCK" not in str(error) or time.monotonic() > deadline:
                raise
            time.sleep(delay)
            delay = min(delay * 2, 0.5)


def _recover(store: ox.Store) -> None:
    """Drop the graphs of ingests that were killed mid-file (marked in the control graph), so
    the store is as it was before that file. A graph is marked only while it is new to the
    store and bulk-loaded; everything else the file changes (its articles leaving other graphs,
    literature-index counts) is written in the one transaction that also removes the mark, so
    dropping the graph and its mark restores the store (but for the MeSH pair definitions the
    file brought, written before its bulk load: the pair graph only grows)."""
    for quad in list(store.quads_for_pattern(None, _MARKER, None, _CONTROL)):
        if isinstance(quad.subject, ox.NamedNode):  # igfkg marks graphs by name only
            drop = sparql.fill(_DROP_GRAPH, graph=quad.subject)
            store.update(drop + " ;\n" + sparql.delete_data([quad]))


class OxigraphBackend(Backend):
    """Embedded Oxigraph: in memory, or persistent on disk when given a path."""

    name = "oxigraph"

    def __init__(
        self,
        path: Path | None = None,
        lock_timeout: float | None = None,
        *,
        read_only: bool = False,
    ) -> None:
        self.path = path
        self.capabilities = Capabilities(
            local=True, private=path is None, engine="oxigraph", bulk_writes=not read_only
        )
        if path is not None and read_only:
            self.store = ox.Store.read_only(str(path))
        else:
            self.store = _open_store(path, lock_timeout) if path is not None else ox.Store()
            if path is not None:
                _recover(self.store)

    def load_file(self, path: Path, graph: str, fmt: str | None = None) -> None:
        self._load(graph, fmt or rdf_format(path), str(path), path=Path(path))

    def load_data(self, data: bytes, fmt: str, graph: str, source: str = "<data>") -> None:
        self._load(graph, fmt, source, data=data)

    def _load(
        self, graph: str, fmt: str, source: str, *, path: Path | None = None, data: bytes = b""
    ) -> None:
        # In memory, Store.load parses in Rust and is transactional: a syntax error writes
        # nothing. On disk, the file is first checked by a streaming parse, then handed to the
        # bulk loader (several times faster, and smaller files, but not transactional).
        # Each load gets fresh blank nodes, so files never share one by accident.
        fmt = rdf_format(fmt)
        target = None if fmt in QUAD_FORMATS else ox.NamedNode(graph)
        try:
            if path is not None and self.path is not None:
                for _ in ox.parse(path=str(path), format=OX_FORMATS[fmt]):
                    pass
                self.store.bulk_load(path=str(path), format=OX_FORMATS[fmt], to_graph=target)
            elif path is not None:
                self.store.load(path=str(path), format=OX_FORMATS[fmt], to_graph=target)
            else:
                self.store.load(input=data, format=OX_FORMATS[fmt], to_graph=target)
        except SyntaxError as error:
            raise syntax_error(source, error) from None

    def raw_query(self, query: str, bindings: Mapping[str, Term]) -> Result | list[ox.Triple]:
        for name, term in bindings.items():
            if not isinstance(term, ox.NamedNode | ox.Literal) or not name.isidentifier():
                raise QueryError(f"cannot bind ?{name} to {term!r}: only IRIs and literals")
        out: Any = None
        try:
            out = self.store.query(with_values(query, bindings), use_default_graph_as_union=True)
            if isinstance(out, ox.QueryBoolean):
                return Result([], boolean=bool(out))
            rows = _bounded(out)
            if isinstance(out, ox.QuerySolutions):
                return Result([v.value for v in out.variables], [tuple(s) for s in rows])
            return rows
        except SyntaxError as error:
            raise QueryError(f"SPARQL syntax error: {error}") from None
        except (OSError, RuntimeError) as error:
            # Evaluation errors (a SERVICE naming an unbound variable, or one that fails when
            # SERVICE is allowed) are the query's fault; other I/O errors are the store's.
            if isinstance(error, OSError) and not current_limits().allow_service:
                raise
            message = (str(error).splitlines() or [type(error).__name__])[0][:300]
            raise QueryError(f"SPARQL query failed: {message}") from None
        finally:
            # pyoxigraph's solution iterators must be dropped on the thread that made them: a
            # query stopped by a limit keeps its frame (and so the iterator) alive in the
            # error's traceback, which the garbage collector may free on any thread of a
            # served site. Dropped here, it goes now, on this thread.
            out = None

    def update(self, text: str) -> None:
        try:
            self.store.update(text)
        except SyntaxError as error:
            raise QueryError(f"SPARQL update syntax error: {error}") from None

    def transact(self, updates: Sequence[str], *, finished: str | None = None) -> None:
        """Apply the updates as one update request, which Oxigraph runs in one transaction."""
        parts = [*updates, sparql.delete_data([_mark(finished)])] if finished else updates
        if parts:
            self.update(" ;\n".join(parts))

    def add_ntriples(self, data: bytes, graph: str) -> None:
        """Add igfkg's own N-Triples (every IRI checked when made, so not re-checked) in one
        transaction."""
        fmt, target = ox.RdfFormat.N_TRIPLES, ox.NamedNode(graph)
        self.store.load(input=data, format=fmt, to_graph=target, lenient=True)

    def bulk_load(self, data: bytes, graph: str) -> None:
        """Mark ``graph`` in the control graph, bulk-load the N-Triples into it and flush them
        to disk (the mark goes with the :meth:`transact` that finishes the graph; reopened
        after a crash, the store drops a marked graph)."""
        self.update(sparql.insert_data([_mark(graph)]))
        fmt, target = ox.RdfFormat.N_TRIPLES, ox.NamedNode(graph)
        self.store.bulk_load(input=data, format=fmt, to_graph=target, lenient=True)
        self.store.flush()

    def quads(self) -> Iterable[ox.Quad]:
        return self.store.quads_for_pattern(None, None, None, None)

    def match(
        self,
        subject: ox.NamedNode | None,
        predicate: ox.NamedNode | None,
        obj: ox.NamedNode | ox.Literal | None,
        graph: ox.NamedNode | None,
    ) -> Iterable[ox.Quad]:
        """The quads matching a pattern (None: any)."""
        return self.store.quads_for_pattern(subject, predicate, obj, graph)

    def has_graph(self, graph: str) -> bool:
        return (
            next(iter(self.store.quads_for_pattern(None, None, None, ox.NamedNode(graph))), None)
            is not None
        )

    def __len__(self) -> int:
        return len(self.store)

    def named_graphs(self) -> list[ox.NamedNode]:
        return [g for g in self.store.named_graphs() if isinstance(g, ox.NamedNode)]

    def close(self) -> None:
        """Release the store (and, on disk, its lock) now."""
        self.store = ox.Store()
