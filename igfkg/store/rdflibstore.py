"""rdflib's in-memory Dataset as a backend, for pySHACL, owlready2 and rdflib users; rdflib's
own switches keep it from fetching URLs (FROM, LOAD) or federating (SERVICE)."""

from __future__ import annotations

import threading
from collections.abc import Iterable, Iterator, Mapping
from contextlib import contextmanager
from contextvars import ContextVar
from pathlib import Path
from typing import Any

import pyoxigraph as ox

from igfkg.core.errors import QueryError, ReadOnlyError
from igfkg.core.results import Result, Term
from igfkg.store.base import Backend, _bounded
from igfkg.store.formats import parse_quads, rdf_format
from igfkg.store.guard import current_limits
from igfkg.store.port import Capabilities

__all__ = ["RdflibBackend"]

_RDFLIB_REFUSE_SERVICE: ContextVar[bool] = ContextVar("igfkg_rdflib_refuse", default=False)
_RDFLIB_LOCK = threading.Lock()


def _rdflib_no_service(ctx: Any, part: Any) -> Any:
    """rdflib custom evaluation: refuse SERVICE inside igfkg's rdflib queries (unless allowed);
    every other algebra part, and other callers' queries, are left to rdflib."""
    if part.name == "ServiceGraphPattern" and _RDFLIB_REFUSE_SERVICE.get():
        raise ReadOnlyError("SPARQL SERVICE (federated queries) is refused by igfkg")
    raise NotImplementedError


@contextmanager
def _rdflib_switches(allow_remote: bool) -> Iterator[None]:
    """rdflib's own switches for one igfkg query or update: ``FROM``/``FROM NAMED``/``LOAD``
    load no URL (``SPARQL_LOAD_GRAPHS``) and SERVICE is refused (a custom evaluation), unless
    ``allow_remote``."""
    import rdflib.plugins.sparql as rdflib_sparql

    rdflib_sparql.CUSTOM_EVALS.setdefault("igfkg-no-service", _rdflib_no_service)
    token = _RDFLIB_REFUSE_SERVICE.set(not allow_remote)
    with _RDFLIB_LOCK:
        before = rdflib_sparql.SPARQL_LOAD_GRAPHS
        rdflib_sparql.SPARQL_LOAD_GRAPHS = allow_remote
        try:
            yield
        finally:
            rdflib_sparql.SPARQL_LOAD_GRAPHS = before
            _RDFLIB_REFUSE_SERVICE.reset(token)


class RdflibBackend(Backend):
    """rdflib's in-memory Dataset, for pySHACL, owlready2 and rdflib users."""

    name = "rdflib"

    def __init__(self) -> None:
        import rdflib

        self.dataset = rdflib.Dataset(default_union=True)
        self.capabilities = Capabilities(local=True, private=True, engine="rdflib")

    def load_file(self, path: Path, graph: str, fmt: str | None = None) -> None:
        fmt = fmt or rdf_format(path)
        self.load_data(Path(path).read_bytes(), fmt, graph, source=str(path))

    def load_data(self, data: bytes, fmt: str, graph: str, source: str = "<data>") -> None:
        # Oxigraph parses (fast, with line numbers); rdflib receives the checked triples.
        quads = parse_quads(data, fmt, graph, source)
        from igfkg.core.convert import to_rdflib_term

        for q in quads:
            ctx = self.dataset.graph(to_rdflib_term(q.graph_name))
            ctx.add(
                (to_rdflib_term(q.subject), to_rdflib_term(q.predicate), to_rdflib_term(q.object))
            )

    def raw_query(self, query: str, bindings: Mapping[str, Term]) -> Result | list[ox.Triple]:
        from pyparsing import ParseException

        from igfkg.core.convert import from_rdflib_term, to_rdflib_term

        init = {k: to_rdflib_term(v) for k, v in bindings.items()}
        with _rdflib_switches(current_limits().allow_service):
            try:
                out = self.dataset.query(query, initBindings=init)
                if out.type == "ASK":
                    return Result([], boolean=bool(out.askAnswer))
                found = _bounded(out)
            except ParseException as error:
                raise QueryError(f"SPARQL syntax error: {error}") from None
        if out.type == "SELECT":
            names = [str(v) for v in out.vars or []]
            rows: list[tuple[Term | None, ...]] = []
            for row in found:
                values: Any = row
                rows.append(tuple(None if v is None else from_rdflib_term(v) for v in values))
            return Result(names, rows)
        triples: list[ox.Triple] = []
        for triple in found:
            s, p, o = triple
            triples.append(ox.Triple(from_rdflib_term(s), from_rdflib_term(p), from_rdflib_term(o)))
        return triples

    def update(self, text: str) -> None:
        from pyparsing import ParseException

        try:
            with _rdflib_switches(current_limits().allow_service):
                self.dataset.update(text)
        except ParseException as error:
            raise QueryError(f"SPARQL update syntax error: {error}") from None

    def quads(self) -> Iterable[ox.Quad]:
        from igfkg.core.convert import from_rdflib_term

        for s, p, o, g in self.dataset.quads((None, None, None, None)):
            graph = (
                ox.DefaultGraph()
                if g is None
                else from_rdflib_term(g.identifier if hasattr(g, "identifier") else g)
            )
            yield ox.Quad(from_rdflib_term(s), from_rdflib_term(p), from_rdflib_term(o), graph)

    def match(
        self,
        subject: ox.NamedNode | None,
        predicate: ox.NamedNode | None,
        obj: ox.NamedNode | None,
        graph: ox.NamedNode | None,
    ) -> Iterable[ox.Quad]:
        """The quads matching a pattern (None: any), named graphs only."""
        import rdflib

        from igfkg.core.convert import from_rdflib_term

        def term(node: ox.NamedNode | None) -> rdflib.URIRef | None:
            return None if node is None else rdflib.URIRef(node.value)

        pattern = (term(subject), term(predicate), term(obj), term(graph))
        for s, p, o, g in self.dataset.quads(pattern):  # type: ignore[arg-type]
            name = getattr(g, "identifier", g)
            if isinstance(name, rdflib.URIRef):
                yield ox.Quad(
                    from_rdflib_term(s),
                    from_rdflib_term(p),
                    from_rdflib_term(o),
                    ox.NamedNode(name),
                )

    def __len__(self) -> int:
        return sum(1 for _ in self.dataset.quads((None, None, None, None)))
