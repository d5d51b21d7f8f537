"""Loading igfkg into remote stores (Graph Store Protocol); the stores `igfkg serve` serves."""

from __future__ import annotations

import gc
import os
import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING

import pyoxigraph as ox

from igfkg.core.errors import DataFileError, ParameterError, StoreError, UsageError
from igfkg.core.iri import check_iri
from igfkg.store.formats import QUAD_FORMATS, parse_quads, rdf_format
from igfkg.store.remote import GraphStore

if TYPE_CHECKING:
    from igfkg.store.port import GraphPort

__all__ = ["load_files", "load_release", "prepare_stores", "writers_locked"]


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
def writers_locked(store: Path) -> Iterator[None]:
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


def prepare_stores(
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
