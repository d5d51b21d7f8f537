"""Store backends behind one interface: embedded Oxigraph (default) and rdflib.

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

import re
import threading
from abc import ABC, abstractmethod
from collections.abc import Iterable, Iterator, Mapping
from contextlib import contextmanager
from contextvars import ContextVar
from pathlib import Path
from typing import Any, ClassVar

import pyoxigraph as ox

from igfkg.core.errors import DataFileError, ParameterError, QueryError, ReadOnlyError
from igfkg.core.results import Result, Term
from igfkg.store.guard import current_limits, tokens, vet
from igfkg.store.port import Capabilities

__all__ = ["Backend", "OxigraphBackend", "RdflibBackend", "rdf_format"]

_EXTENSIONS = {
    "ttl": "ttl",
    "turtle": "ttl",
    "nt": "nt",
    "ntriples": "nt",
    "nq": "nq",
    "nquads": "nq",
    "trig": "trig",
    "jsonld": "jsonld",
    "json-ld": "jsonld",
    "xml": "xml",
    "rdf": "xml",
    "owl": "xml",
}
QUAD_FORMATS = _QUAD_FORMATS = {"nq", "trig"}


def rdf_format(name_or_path: str | Path) -> str:
    """Normalise a format name or file name to one of ttl, nt, nq, trig, jsonld, xml.

    >>> rdf_format("kb.ttl"), rdf_format("turtle"), rdf_format(Path("x.nq"))
    ('ttl', 'ttl', 'nq')
    """
    text = str(name_or_path).lower()
    if text.endswith(".gz"):
        text = text[:-3]
    key = text.rsplit(".", 1)[-1] if "." in text else text
    try:
        return _EXTENSIONS[key]
    except KeyError:
        known = ", ".join(sorted(set(_EXTENSIONS.values())))
        raise ParameterError(f"unknown RDF format {name_or_path!s}; known: {known}") from None


def _strip_prologue(query: str) -> str:
    """The query text after comments, BASE and PREFIX declarations (kept for the remote
    backend's choice of Accept header; what a query may do is decided by :func:`guard.vet`)."""
    text = re.sub(r"#[^\n]*", "", query)
    return re.sub(r"^\s*((BASE\s*<[^>]*>|PREFIX\s+[\w.-]*:\s*<[^>]*>)\s*)*", "", text, flags=re.I)


def _where_groups(query: str) -> list[tuple[int, str]]:
    """For each ``WHERE {`` of the query (by its tokens: strings, IRIs and comments are no
    code), the index just after its ``{`` and the projection of the SELECT it belongs to (the
    variables it projects, except those only named after AS)."""
    toks = list(tokens(query))
    groups: list[tuple[int, str]] = []
    last_select = -1
    for i, tok in enumerate(toks):
        word = tok.text.upper() if tok.kind == "word" else ""
        if word == "SELECT":
            last_select = i
        elif word == "WHERE" and i + 1 < len(toks) and toks[i + 1].text == "{":
            projected = set()
            if last_select >= 0:
                clause = toks[last_select + 1 : i]
                for j, t in enumerate(clause):
                    after_as = j > 0 and clause[j - 1].text.upper() == "AS"
                    if t.kind == "var" and not after_as:
                        projected.add(t.text[1:])
            groups.append((toks[i + 1].start + 1, " ".join(sorted(projected))))
    return groups


def with_values(query: str, bindings: Mapping[str, Term]) -> str:
    """``query`` with its bindings as a VALUES block opening a WHERE group: the innermost
    subquery that projects every bound variable, else the outermost group. (A subquery is
    evaluated on its own before it is joined, so a value bound only outside it would not
    narrow it.)

    The values are RDF terms (IRIs checked by pyoxigraph, literals escaped by its N-Triples
    writer), never raw user text; the groups are found from the query's tokens. Oxigraph plans
    a VALUES block like constants; its ``substitutions`` are joined after planning and can be
    1000x slower on path queries.

    >>> from pyoxigraph import Literal, NamedNode
    >>> q = with_values("SELECT ?x WHERE { ?x ?p ?o }", {"x": NamedNode("http://x/a")})
    >>> q.splitlines()
    ['SELECT ?x WHERE { VALUES (?x) { (<http://x/a>) }', ' ?x ?p ?o }']
    >>> print(with_values("SELECT ?n WHERE { }", {"n": Literal('"} DROP ALL #')}).splitlines()[0])
    SELECT ?n WHERE { VALUES (?n) { ("\\"} DROP ALL #") }
    >>> q = "SELECT ?x ?n WHERE { { SELECT ?x (COUNT(*) AS ?n) WHERE { ?x ?p ?o } GROUP BY ?x } }"
    >>> with_values(q, {"x": NamedNode("http://x/a")}).splitlines()[0]
    'SELECT ?x ?n WHERE { { SELECT ?x (COUNT(*) AS ?n) WHERE { VALUES (?x) { (<http://x/a>) }'
    """
    if not bindings:
        return query
    groups = _where_groups(query)
    if not groups:
        raise QueryError("a query with parameters needs an explicit 'WHERE {' clause")
    cut = groups[0][0]
    for end, projected in reversed(groups[1:]):
        if set(bindings) <= set(projected.split()):
            cut = end
            break
    names = " ".join(f"?{name}" for name in bindings)
    terms = " ".join(str(term) for term in bindings.values())
    if "\\u" in terms or "\\U" in terms:
        # SPARQL expands \u escapes before parsing, also inside strings: such a value could
        # change the query around it.
        raise QueryError(f"a parameter value holds a \\u or \\U escape: {terms[:100]}")
    return f"{query[:cut]} VALUES ({names}) {{ ({terms}) }}\n{query[cut:]}"


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
        if fmt in _QUAD_FORMATS:
            return ox.serialize(sorted(self.quads(), key=str), format=_OX[fmt]) or b""
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
        return ox.serialize(triples, format=_OX[fmt]) or b""


_OX = {
    "ttl": ox.RdfFormat.TURTLE,
    "nt": ox.RdfFormat.N_TRIPLES,
    "nq": ox.RdfFormat.N_QUADS,
    "trig": ox.RdfFormat.TRIG,
    "xml": ox.RdfFormat.RDF_XML,
    "jsonld": ox.RdfFormat.JSON_LD,
}


def syntax_error(source: str, error: SyntaxError) -> DataFileError:
    """A DataFileError naming the file, line and column of a parser's SyntaxError."""
    message = re.sub(r"^Parser error at line \d+ column \d+: ", "", str(error.msg))
    return DataFileError(source, message, error.lineno, error.offset)


def parse_quads(data: bytes, fmt: str, graph: str | None, source: str = "<data>") -> list[ox.Quad]:
    """Parse RDF bytes into quads; triples go to ``graph`` (None: the default graph).

    Blank nodes are renamed, so files loaded one after another never share one by accident.
    A syntax error raises DataFileError with the file, line and column.

    >>> parse_quads(b"<http://x/a> <http://x/p> .", "nt", None, "bad.nt")  # doctest: +ELLIPSIS
    Traceback (most recent call last):
    ...
    igfkg.core.errors.DataFileError: bad.nt:1:27: The object of a triple must be an IRI, ...
    """
    fmt = rdf_format(fmt)
    target: ox.NamedNode | ox.DefaultGraph = ox.NamedNode(graph) if graph else ox.DefaultGraph()
    try:
        parsed = list(ox.parse(data, format=_OX[fmt], rename_blank_nodes=True))
    except SyntaxError as error:
        raise syntax_error(source, error) from None
    if fmt in _QUAD_FORMATS:
        return [q for q in parsed if isinstance(q, ox.Quad)]
    return [ox.Quad(t.subject, t.predicate, t.object, target) for t in parsed]


CONTROL_GRAPH = "https://w3id.org/igfkg/graph/control"
IN_PROGRESS = "https://w3id.org/igfkg/ingestInProgress"


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
    control = ox.NamedNode(CONTROL_GRAPH)
    marker = ox.NamedNode(IN_PROGRESS)
    for quad in list(store.quads_for_pattern(None, marker, None, control)):
        store.update(
            f"DROP SILENT GRAPH {quad.subject} ;\n"
            f"DELETE DATA {{ GRAPH {control} {{ {quad.subject} {marker} {quad.object} }} }}"
        )


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


class OxigraphBackend(Backend):
    """Embedded Oxigraph: in memory, or persistent on disk when given a path."""

    name = "oxigraph"

    def __init__(self, path: Path | None = None, lock_timeout: float | None = None) -> None:
        self.path = path
        self.capabilities = Capabilities(
            local=True, private=path is None, engine="oxigraph", bulk_writes=True
        )
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
        target = None if fmt in _QUAD_FORMATS else ox.NamedNode(graph)
        try:
            if path is not None and self.path is not None:
                for _ in ox.parse(path=str(path), format=_OX[fmt]):
                    pass
                self.store.bulk_load(path=str(path), format=_OX[fmt], to_graph=target)
            elif path is not None:
                self.store.load(path=str(path), format=_OX[fmt], to_graph=target)
            else:
                self.store.load(input=data, format=_OX[fmt], to_graph=target)
        except SyntaxError as error:
            raise syntax_error(source, error) from None

    def raw_query(self, query: str, bindings: Mapping[str, Term]) -> Result | list[ox.Triple]:
        for name, term in bindings.items():
            if not isinstance(term, ox.NamedNode | ox.Literal) or not name.isidentifier():
                raise QueryError(f"cannot bind ?{name} to {term!r}: only IRIs and literals")
        try:
            out = self.store.query(with_values(query, bindings), use_default_graph_as_union=True)
            if isinstance(out, ox.QueryBoolean):
                return Result([], boolean=bool(out))
            rows = _bounded(out)
        except SyntaxError as error:
            raise QueryError(f"SPARQL syntax error: {error}") from None
        except (OSError, RuntimeError) as error:
            # Evaluation errors (a SERVICE naming an unbound variable, or one that fails when
            # SERVICE is allowed) are the query's fault; other I/O errors are the store's.
            if isinstance(error, OSError) and not current_limits().allow_service:
                raise
            message = (str(error).splitlines() or [type(error).__name__])[0][:300]
            raise QueryError(f"SPARQL query failed: {message}") from None
        if isinstance(out, ox.QuerySolutions):
            return Result([v.value for v in out.variables], [tuple(s) for s in rows])
        return rows

    def update(self, text: str) -> None:
        try:
            self.store.update(text)
        except SyntaxError as error:
            raise QueryError(f"SPARQL update syntax error: {error}") from None

    def quads(self) -> Iterable[ox.Quad]:
        return self.store.quads_for_pattern(None, None, None, None)

    def match(
        self,
        subject: ox.NamedNode | None,
        predicate: ox.NamedNode | None,
        obj: ox.NamedNode | None,
        graph: ox.NamedNode | None,
    ) -> Iterable[ox.Quad]:
        """The quads matching a pattern (None: any)."""
        return self.store.quads_for_pattern(subject, predicate, obj, graph)

    def __len__(self) -> int:
        return len(self.store)

    def named_graphs(self) -> list[ox.NamedNode]:
        return [g for g in self.store.named_graphs() if isinstance(g, ox.NamedNode)]

    def close(self) -> None:
        """Release the store (and, on disk, its lock) now."""
        self.store = ox.Store()


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
