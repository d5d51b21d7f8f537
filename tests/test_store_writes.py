"""The write methods literature ingest uses (``Backend.has_graph``, ``named_graphs``,
``add_ntriples``, ``bulk_load``, ``transact``): what each backend does, and the crash mark of a
bulk load."""

from __future__ import annotations

from pathlib import Path

import pyoxigraph as ox
import pytest

from igfkg.core.errors import ConfigError, QueryError
from igfkg.literature.ingest import ingest_pubmed
from igfkg.store.base import Backend
from igfkg.store.oxigraph import CONTROL_GRAPH, OxigraphBackend
from igfkg.store.rdflibstore import RdflibBackend

G = "http://x/g"
DATA = b'<http://x/a> <http://x/p> "1" .\n<http://x/a> <http://x/q> <http://x/b> .\n'


@pytest.mark.parametrize("make", [OxigraphBackend, RdflibBackend])
def test_graph_listing_and_presence(make: type[Backend]) -> None:
    backend = make()
    assert not backend.has_graph(G)
    backend.add_ntriples(DATA, G)
    backend.load_data(DATA, "nt", "http://x/h")
    assert backend.has_graph(G)
    assert not backend.has_graph("http://x/other")
    assert sorted(g.value for g in backend.named_graphs()) == [G, "http://x/h"]


def test_transact_applies_all_or_nothing() -> None:
    backend = OxigraphBackend()
    backend.add_ntriples(DATA, G)
    drop = "DROP GRAPH <http://x/g>"
    with pytest.raises(QueryError):
        backend.transact([drop, "INSERT DATA { GRAPH <http://x/h> { <http://x/a> ?p 1 } }"])
    assert len(backend) == 2  # the first part was not applied either
    backend.transact([drop, "INSERT DATA { GRAPH <http://x/h> { <http://x/a> <http://x/p> 1 } }"])
    assert [g.value for g in backend.named_graphs()] == ["http://x/h"]


def test_a_bulk_load_is_dropped_unless_finished(tmp_path: Path) -> None:
    store = tmp_path / "store"
    backend = OxigraphBackend(store)
    backend.bulk_load(DATA, G)
    assert backend.has_graph(CONTROL_GRAPH)  # marked while in progress
    backend.close()
    backend = OxigraphBackend(store)  # as after a crash: the marked graph goes
    assert len(backend) == 0
    backend.bulk_load(DATA, G)
    backend.transact([], finished=G)
    backend.close()
    backend = OxigraphBackend(store)
    assert backend.has_graph(G)
    assert not backend.has_graph(CONTROL_GRAPH)
    assert len(backend) == 2
    backend.close()


def test_backends_without_bulk_writes_refuse_them() -> None:
    backend = RdflibBackend()
    assert not backend.capabilities.bulk_writes
    with pytest.raises(NotImplementedError):
        backend.bulk_load(DATA, G)
    with pytest.raises(NotImplementedError):
        backend.transact([])


def test_ingest_into_a_backend_without_bulk_writes_is_a_config_error() -> None:
    import igfkg

    kg = igfkg.open("rdflib:")
    before = len(kg)
    with pytest.raises(ConfigError, match="not to the rdflib backend") as error:
        ingest_pubmed(kg, [Path("unused.xml")])
    assert error.value.exit_code == 2
    assert len(kg) == before


def test_recovery_drops_only_marked_graphs(tmp_path: Path) -> None:
    store = tmp_path / "store"
    backend = OxigraphBackend(store)
    backend.add_ntriples(DATA, "http://x/kept")
    backend.bulk_load(DATA, G)
    backend.close()
    backend = OxigraphBackend(store)
    assert backend.has_graph("http://x/kept")
    assert not backend.has_graph(G)
    assert not list(backend.match(None, None, None, ox.NamedNode(CONTROL_GRAPH)))
    assert len(backend) == 2
    backend.close()
