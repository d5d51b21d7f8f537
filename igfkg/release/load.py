"""Loading igfkg into remote stores (Graph Store Protocol) and serving it (Oxigraph server)."""

from __future__ import annotations

import signal
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING

import pyoxigraph as ox

from igfkg.core.errors import DataFileError, ParameterError, UsageError
from igfkg.core.iri import check_iri
from igfkg.store.backends import QUAD_FORMATS, parse_quads, rdf_format
from igfkg.store.remote import GraphStore

if TYPE_CHECKING:
    from igfkg.graph import KnowledgeGraph

__all__ = ["load_files", "load_release", "serve"]


def _nt(triples: list[ox.Triple]) -> bytes:
    return ox.serialize(triples, format=ox.RdfFormat.N_TRIPLES) or b""


def load_release(
    endpoint: str,
    kg: KnowledgeGraph,
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


def serve(
    store: Path | None, host: str, port: int, announce: Callable[[str], object] = print
) -> None:
    """Serve the graph with the Oxigraph server until interrupted. With ``store``, serve that
    persistent store (loading the bundled graph first if it is empty); otherwise serve a
    temporary store bulk-loaded with the release N-Quads."""
    from igfkg.graph import open as open_graph
    from igfkg.quality.inference import GRAPH_INFERRED
    from igfkg.release.build import canonical_quads, partition
    from igfkg.store.server import OxigraphServer, bulk_load

    with tempfile.TemporaryDirectory(prefix="igfkg-serve-") as tmp:
        if store is not None:
            kg = open_graph(f"oxigraph:{store}")
            del kg  # release the store before the server opens it
            location = store
        else:
            location = Path(tmp) / "store"
            quads = [
                q
                for q in canonical_quads(partition(open_graph()))
                if getattr(q.graph_name, "value", None) != GRAPH_INFERRED
            ]
            nquads = Path(tmp) / "igfkg.nq"
            nquads.write_bytes(ox.serialize(quads, format=ox.RdfFormat.N_QUADS) or b"")
            bulk_load(location, nquads)

        def stop(signum: int, frame: object) -> None:
            raise KeyboardInterrupt

        previous = signal.signal(signal.SIGTERM, stop)  # stop the server on kill too
        try:
            with OxigraphServer(location, host, port) as server:
                announce(
                    f"igfkg SPARQL endpoint: {server.url}/query  (query UI: {server.url}/ ,"
                    f" graph store: {server.url}/store). Ctrl-C stops it."
                )
                while server.process is not None and server.process.poll() is None:
                    time.sleep(0.2)
        except KeyboardInterrupt:
            pass
        finally:
            signal.signal(signal.SIGTERM, previous)
