"""Loading igfkg into remote stores (Graph Store Protocol) and serving it (Oxigraph server)."""

from __future__ import annotations

import gc
import os
import signal
import sys
import tempfile
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import ExitStack, contextmanager
from pathlib import Path
from typing import TYPE_CHECKING

import pyoxigraph as ox

from igfkg.core.errors import DataFileError, ParameterError, StoreError, UsageError
from igfkg.core.iri import check_iri
from igfkg.store.formats import QUAD_FORMATS, parse_quads, rdf_format
from igfkg.store.remote import GraphStore

if TYPE_CHECKING:
    from igfkg.store.port import GraphPort

__all__ = ["load_files", "load_release", "serve"]


def _nt(triples: list[ox.Triple]) -> bytes:
    return ox.serialize(triples, format=ox.RdfFormat.N_TRIPLES) or b""


def load_release(
    endpoint: str,
    kg: GraphPort,
    auth: tuple[str, str] | None = None,
    *,
    allow_insecure_auth: bool = False,
) -> list[tuple[str, int]]:
    """PUT each release graph of ``kg`` (ontology, kb, mappings, queries) into the store.
    Credentials (``auth``, or ``user:password@`` in the URL) go over https only unless
    ``allow_insecure_auth``."""
    from igfkg.quality.inference import GRAPH_INFERRED
    from igfkg.release.build import _PARTS, canonical_quads, partition

    store = GraphStore(endpoint, auth, allow_insecure_auth=allow_insecure_auth)
    by_graph: dict[str, list[ox.Triple]] = {iri: [] for iri in _PARTS.values()}
    for q in canonical_quads(partition(kg)):
        by_graph[q.graph_name.value].append(ox.Triple(q.subject, q.predicate, q.object))  # type: ignore[union-attr]
    # The OWL 2 RL closure stays out: queries over the union default graph would see it.
    # Load release/igfkg-inferred.ttl explicitly to have it.
    del by_graph[GRAPH_INFERRED]
    for iri, triples in by_graph.items():
        store.put(iri, _nt(triples))
    return [(iri, len(t)) for iri, t in by_graph.items()]


def load_files(
    endpoint: str,
    files: list[Path],
    graph: str | None,
    auth: tuple[str, str] | None = None,
    *,
    allow_insecure_auth: bool = False,
) -> list[tuple[str, int]]:
    """PUT RDF files: triple files into ``graph`` (required for them: a PUT replaces the
    graph, so none is guessed), quad files graph by graph. Every file is parsed first;
    nothing is sent unless all of them parse."""
    store = GraphStore(endpoint, auth, allow_insecure_auth=allow_insecure_auth)
    if graph is not None:
        check_iri(graph, "--graph")
    per_graph: dict[str, list[ox.Triple]] = {}
    for path in files:
        try:
            fmt = rdf_format(path)
        except ValueError as error:
            raise ParameterError(str(error)) from None
        if fmt not in QUAD_FORMATS and graph is None:
            raise UsageError(f"{path} holds triples: name the graph they replace with --graph IRI")
        try:
            data = path.read_bytes()
        except OSError as error:
            raise DataFileError(str(path), error.strerror or str(error)) from None
        for q in parse_quads(data, fmt, graph, str(path)):
            if isinstance(q.graph_name, ox.DefaultGraph):
                raise DataFileError(str(path), "quads in the default graph: name their graph")
            per_graph.setdefault(q.graph_name.value, []).append(
                ox.Triple(q.subject, q.predicate, q.object)
            )
    for iri, triples in per_graph.items():
        store.put(iri, _nt(triples))
    return [(iri, len(t)) for iri, t in per_graph.items()]


def _warn(message: str) -> None:
    print(message, file=sys.stderr, flush=True)


@contextmanager
def _writers_locked(store: Path) -> Iterator[None]:
    """Hold the store's lock (the one RocksDB takes) while a read-only engine serves it: an
    engine opened read-only must not see the store change under it, so igfkg commands that
    write wait (IGFKG_LOCK_TIMEOUT) and then fail instead."""
    import fcntl

    fd = os.open(store / "LOCK", os.O_RDWR | os.O_CREAT, 0o644)
    try:
        try:
            fcntl.lockf(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except OSError:
            raise StoreError(f"{store}: the store is in use by another process") from None
        yield
    finally:
        os.close(fd)


def _prepare(
    store: Path | None, tmp: Path, open_graph: Callable[..., GraphPort]
) -> tuple[Path, Path | None]:
    """The store folders to serve: the graph, and (without ``store``) the graph with its OWL
    2 RL closure for the queries that declare ``#+ inference: owl-rl`` (in one union, the
    closure would change the answers of the others). A persistent store gets the closure
    written into it, as the first such query on it would."""
    from igfkg.quality.inference import GRAPH_INFERRED
    from igfkg.release.build import canonical_quads, partition
    from igfkg.store.server import bulk_load

    if store is not None:
        kg = open_graph(f"oxigraph:{store}")
        if not kg.has_inferred():
            _warn("igfkg: writing the OWL 2 RL closure into the store (once) ...")
            kg.materialize()
        kg.backend.close()  # type: ignore[attr-defined]
        del kg
        gc.collect()  # release the store (and its lock) before the engine opens it
        return store, None
    quads = canonical_quads(partition(open_graph()))
    asserted = [q for q in quads if getattr(q.graph_name, "value", None) != GRAPH_INFERRED]
    folders = []
    for name, content in (("store", asserted), ("store-inferred", quads)):
        nquads = tmp / f"{name}.nq"
        nquads.write_bytes(ox.serialize(content, format=ox.RdfFormat.N_QUADS) or b"")
        bulk_load(tmp / name, nquads)
        folders.append(tmp / name)
    return folders[0], folders[1]


def serve(
    store: Path | None,
    host: str,
    port: int,
    announce: Callable[[str], object] = print,
    *,
    writable: bool = False,
    allow_service: bool = False,
    timeout: float | None = None,
    max_result_bytes: int | None = None,
    open_graph: Callable[..., GraphPort],
) -> None:
    """Serve the graph until interrupted: igfkg's front (:mod:`igfkg.store.front`) on
    ``host:port`` before the Oxigraph server on a private loopback port. Read-only unless
    ``writable``; SERVICE and LOAD refused unless ``allow_service``; queries cancelled after
    ``timeout`` seconds (default IGFKG_QUERY_TIMEOUT). With ``store``, serve that persistent
    store (loading the bundled graph first if it is empty); otherwise a temporary store
    bulk-loaded with the release N-Quads. The inferred (OWL 2 RL) graph is served too, so
    that every canned query answers (:func:`_prepare`); ``open_graph`` (the front door's
    :func:`igfkg.open`, passed in so that this layer does not import it) opens the graph.

    A busy port raises StoreError (exit 3); a bad host, ConfigError (exit 2).
    """
    from igfkg.core.config import settings
    from igfkg.store.front import Front, FrontPolicy, check_host, is_loopback
    from igfkg.store.server import OxigraphServer

    host = check_host(host)
    conf = settings()
    timeout = conf.query_timeout if timeout is None else timeout
    from igfkg.quality.inference import GRAPH_INFERRED

    policy = FrontPolicy(
        writable,
        allow_service,
        max_result_bytes or conf.max_result_bytes,
        timeout or None,
        (GRAPH_INFERRED,),
    )
    try:
        front = Front(host, port, policy)  # first: a busy port fails before any work
    except OSError as error:
        raise StoreError(f"cannot listen on {host}:{port}: {error.strerror or error}") from None
    if writable and not is_loopback(host):
        _warn(
            f"igfkg: WARNING: --writable on {host}, not a loopback address: anyone who can reach"
            f" this machine on port {front.port} can change or delete the served data (there is"
            " no authentication)"
        )
    elif writable:
        _warn(
            "igfkg: warning: --writable: any program on this machine can change the served data"
            " over HTTP (cross-origin writes from web pages are refused)"
        )
    elif not is_loopback(host):
        _warn(f"igfkg: note: serving on {host}: anyone who can reach this machine can read it")
    if allow_service:
        _warn("igfkg: warning: --allow-service: queries may make the server fetch other URLs")

    def stop(signum: int, frame: object) -> None:
        raise KeyboardInterrupt

    previous = signal.signal(signal.SIGTERM, stop)  # stop the server on kill too
    try:
        with tempfile.TemporaryDirectory(prefix="igfkg-serve-") as tmp, ExitStack() as stack:
            location, inferred = _prepare(store, Path(tmp), open_graph)
            if store is not None and not writable:
                stack.enter_context(_writers_locked(store))
            engine = OxigraphServer(location, read_only=not writable, timeout=timeout)
            engines = [engine]
            if inferred is not None:
                engines.append(OxigraphServer(inferred, read_only=True, timeout=timeout))
            for running in engines:
                stack.callback(running.stop)
                try:
                    running.start()
                except (RuntimeError, TimeoutError, OSError) as error:
                    raise StoreError(f"the SPARQL engine did not start: {error}") from None
            front.inference_port = engines[-1].port if inferred is not None else 0
            front.upstream_port = engine.port
            threading.Thread(target=front.serve_forever, daemon=True).start()
            mode = "writable" if writable else "read-only"
            announce(
                f"igfkg SPARQL endpoint: {front.url}/query  (query UI: {front.url}/ , graph"
                f" store: {front.url}/store; {mode}). Ctrl-C stops it."
            )
            while engine.process is not None and engine.process.poll() is None:
                time.sleep(0.2)
            raise StoreError(f"the SPARQL engine stopped: {engine.failure() or 'no message'}")
    except KeyboardInterrupt:
        pass
    finally:
        signal.signal(signal.SIGTERM, previous)
        if front.upstream_port:  # serve_forever runs
            front.shutdown()
        front.server_close()
