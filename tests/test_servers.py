"""igfkg against real servers: Oxigraph server and Virtuoso, on loopback, started and stopped
here. Every canned query over HTTP must equal the embedded store's answer (same rows, terms)."""

from __future__ import annotations

import csv
from collections.abc import Iterator
from pathlib import Path

import pytest
from click.testing import CliRunner

import igfkg
from igfkg.cli import main
from igfkg.graph import KnowledgeGraph
from igfkg.store.remote import GraphStore, RemoteError
from igfkg.store.server import OxigraphServer

from .conftest import DATA
from .servers import Virtuoso

GOLDEN = DATA / "golden"
KB_GRAPH = "https://w3id.org/igfkg/graph/kb"


def _cases() -> list[tuple[str, str, dict[str, str]]]:
    """The golden cases of queries on asserted triples (the servers hold no inferred graph)."""
    from igfkg.explore.catalog import catalog

    with (GOLDEN / "manifest.tsv").open(encoding="utf-8") as handle:
        return [
            (r["case"], r["query"], dict(p.split("=", 1) for p in r["params"].split(";") if p))
            for r in csv.DictReader(handle, delimiter="\t")
            if not catalog().get(r["query"]).inference
        ]


class Server:
    """What a test needs of a running server: query URL, graph-store URL, credentials."""

    def __init__(self, name: str, query: str, store: str, auth: tuple[str, str] | None) -> None:
        self.name, self.query, self.store, self.auth = name, query, store, auth
        self.process: object = None


@pytest.fixture(scope="module", params=["oxigraph", "virtuoso"])
def server(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[Server]:
    directory = tmp_path_factory.mktemp(request.param)
    if request.param == "oxigraph":
        running: OxigraphServer | Virtuoso = OxigraphServer(directory / "store")
        running.start()
        srv = Server("oxigraph", f"{running.url}/query", f"{running.url}/store", None)
    else:
        running = Virtuoso(directory)
        running.start()
        srv = Server(
            "virtuoso",
            f"{running.url}/sparql",
            f"{running.url}/sparql-graph-crud-auth",
            ("dba", "dba"),
        )
    try:
        args = ["load", "--endpoint", srv.store]
        if srv.auth:
            args += ["--user", srv.auth[0], "--password", srv.auth[1], "--allow-insecure-auth"]
        result = CliRunner().invoke(main, args)
        assert result.exit_code == 0, result.output
        srv.process = running.process
        yield srv
    finally:
        process = running.process
        running.stop()
        assert process is None or process.poll() is not None  # type: ignore[attr-defined]


@pytest.fixture(scope="module")
def embedded() -> KnowledgeGraph:
    return igfkg.open()


@pytest.mark.parametrize(("case", "query_id", "params"), _cases(), ids=[c[0] for c in _cases()])
def test_canned_query_over_http_equals_embedded(
    server: Server, embedded: KnowledgeGraph, case: str, query_id: str, params: dict[str, str]
) -> None:
    remote = igfkg.open(f"sparql:{server.query}")
    local = embedded.query(query_id, **params)
    answer = remote.query(query_id, **params)
    assert answer.variables == local.variables
    assert sorted(answer.rows, key=str) == sorted(local.rows, key=str)


def test_cli_endpoint_option(server: Server) -> None:
    result = CliRunner().invoke(
        main, ["--endpoint", server.query, "query", "major-topics", "--format", "tsv"]
    )
    assert result.exit_code == 0, result.output
    expected = (GOLDEN / "major-topics.tsv").read_text(encoding="utf-8")
    assert sorted(result.stdout.splitlines()) == sorted(expected.splitlines())


def test_reload_replaces_and_does_not_duplicate(server: Server) -> None:
    remote = igfkg.open(f"sparql:{server.query}")
    before = len(remote)
    args = ["load", "--endpoint", server.store]
    if server.auth:
        args += ["--user", server.auth[0], "--password", server.auth[1], "--allow-insecure-auth"]
    assert CliRunner().invoke(main, args).exit_code == 0
    assert len(remote) == before


def test_failed_load_leaves_previous_graph(server: Server, tmp_path: Path) -> None:
    remote = igfkg.open(f"sparql:{server.query}")
    before = len(remote)
    # Caught locally: nothing is sent.
    bad = tmp_path / "bad.nt"
    bad.write_text("<http://example.org/a> <http://example.org/b> .\n", encoding="utf-8")
    args = ["load", "--endpoint", server.store, "--graph", KB_GRAPH, str(bad)]
    if server.auth:
        args += ["--user", server.auth[0], "--password", server.auth[1], "--allow-insecure-auth"]
    result = CliRunner().invoke(main, args)
    assert result.exit_code == 2
    assert "bad.nt:1:" in result.stderr
    # Rejected by the server itself: the graph it would have replaced is intact.
    with pytest.raises(RemoteError):
        GraphStore(server.store, server.auth, allow_insecure_auth=True).put(
            KB_GRAPH, b"<http://x/a> <http://x/b> .\n"
        )
    assert len(remote) == before
    assert len(remote.query("adverse-effects")) == 8


def test_construct_over_http(server: Server) -> None:
    remote = igfkg.open(f"sparql:{server.query}")
    triples = remote.sparql(
        "CONSTRUCT { ?d <http://www.w3.org/2000/01/rdf-schema#label> ?l } WHERE { "
        "<https://w3id.org/igfkg/kb/mecasermin> <https://w3id.org/igfkg/hasAdverseEffect> ?d . "
        "?d <http://www.w3.org/2000/01/rdf-schema#label> ?l }"
    )
    assert isinstance(triples, list)
    assert len(triples) == 8


# -- the literature: the fixed test corpus on the servers (last: it adds graphs) ---------------


@pytest.fixture(scope="module")
def corpus_on_server(server: Server) -> tuple[KnowledgeGraph, KnowledgeGraph]:
    """The corpus built in an embedded store (KB, MeSH, PubMed/MEDLINE records, their
    literature index and evidence graph), every named graph of it PUT on the server:
    (embedded, remote)."""
    import pyoxigraph as ox

    from .test_corpus_queries import build_corpus

    local = build_corpus(igfkg.open())
    local.query("claim-literature-support")  # brings the literature index up to date
    store = local.backend.store  # type: ignore[attr-defined]
    target = GraphStore(server.store, server.auth, allow_insecure_auth=True)
    for graph in store.named_graphs():
        data = store.dump(format=ox.RdfFormat.N_TRIPLES, from_graph=graph)
        target.put(graph.value, data)
    return local, igfkg.open(f"sparql:{server.query}")


def _corpus_cases() -> list[tuple[str, str, dict[str, str]]]:
    from .test_corpus_queries import _cases as corpus_cases

    return corpus_cases()


@pytest.mark.parametrize(
    ("case", "query_id", "params"), _corpus_cases(), ids=[c[0] for c in _corpus_cases()]
)
def test_literature_query_over_http_equals_embedded(
    corpus_on_server: tuple[KnowledgeGraph, KnowledgeGraph],
    case: str,
    query_id: str,
    params: dict[str, str],
) -> None:
    local, remote = corpus_on_server
    expected = local.query(query_id, **params)
    answer = remote.query(query_id, **params)
    assert answer.variables == expected.variables
    assert len(expected.rows) > 0
    assert sorted(answer.rows, key=str) == sorted(expected.rows, key=str)
    # A page is the same slice of the same order on the server.
    page = remote.query(query_id, limit=3, offset=2, **params)
    assert page.rows == local.query(query_id, limit=3, offset=2, **params).rows


def test_evidence_pages_from_the_counts_equal_the_canned_query_over_http(
    corpus_on_server: tuple[KnowledgeGraph, KnowledgeGraph],
) -> None:
    from .test_sentence_pages import assert_pages_equal_the_canned_query

    # Against the canned query embedded (the same data).
    local, remote = corpus_on_server
    assert_pages_equal_the_canned_query(remote, local)


def test_neighbors_over_http_equal_embedded(
    corpus_on_server: tuple[KnowledgeGraph, KnowledgeGraph],
) -> None:
    # The statements pointing at an entity leave the evidence graph out on every backend.
    local, remote = corpus_on_server
    for name in ("IGF-1", "insulin", "mecasermin"):
        edges = local.neighbors(name)
        assert any(edge.object == local.resolve(name).value for edge in edges)
        assert remote.neighbors(name) == edges


def _inference_cases() -> list[tuple[str, str, dict[str, str]]]:
    from igfkg.explore.catalog import catalog

    with (GOLDEN / "manifest.tsv").open(encoding="utf-8") as handle:
        return [
            (r["case"], r["query"], dict(p.split("=", 1) for p in r["params"].split(";") if p))
            for r in csv.DictReader(handle, delimiter="\t")
            if catalog().get(r["query"]).inference
        ]


def test_inference_query_without_the_closure_says_what_to_load(server: Server) -> None:
    from igfkg.core.errors import QueryError
    from igfkg.quality.inference import GRAPH_INFERRED

    remote = igfkg.open(f"sparql:{server.query}")
    assert not remote.has_inferred()
    _, query_id, params = _inference_cases()[0]
    with pytest.raises(QueryError, match=r"igfkg-inferred\.ttl") as error:
        remote.query(query_id, **params)
    assert GRAPH_INFERRED in str(error.value)
    assert not remote.has_inferred()  # nothing was written to the endpoint


def _with_closure(server: Server, tmp_path: Path) -> KnowledgeGraph:
    """The server's graph, with the release's OWL 2 RL closure loaded as the error says."""
    from igfkg.quality.inference import GRAPH_INFERRED
    from igfkg.release.build import build

    remote = igfkg.open(f"sparql:{server.query}")
    if not remote.has_inferred():
        build(igfkg.open(), tmp_path)
        args = ["load", "--endpoint", server.store, "--graph", GRAPH_INFERRED]
        args.append(str(tmp_path / "igfkg-inferred.ttl"))
        if server.auth:
            args += [
                "--user",
                server.auth[0],
                "--password",
                server.auth[1],
                "--allow-insecure-auth",
            ]
        result = CliRunner().invoke(main, args)
        assert result.exit_code == 0, result.output
    return remote


def test_no_hedge_is_stripped_on_the_server(server: Server, tmp_path: Path) -> None:
    """A plain edge means the source states it without hedge, also in the server's union of
    the release graphs and their OWL 2 RL closure."""
    from .hedges import broken_at, claims

    remote = _with_closure(server, tmp_path)
    kb_claims = claims(remote)
    assert len([c for c in kb_claims if not c.established]) >= 15
    assert broken_at(remote, kb_claims) == []


@pytest.mark.parametrize(
    ("case", "query_id", "params"), _inference_cases(), ids=[c[0] for c in _inference_cases()]
)
def test_inference_query_over_http_equals_its_golden_answer(
    server: Server, tmp_path: Path, case: str, query_id: str, params: dict[str, str]
) -> None:
    remote = _with_closure(server, tmp_path)
    expected = (GOLDEN / f"{case}.tsv").read_text(encoding="utf-8").splitlines()
    answer = remote.query(query_id, **params).serialize("tsv").splitlines()
    assert answer[0] == expected[0]
    assert sorted(answer[1:]) == sorted(expected[1:])


# -- igfkg serve: every canned query answers as embedded (its golden answer) ---------------------


def _all_cases() -> list[tuple[str, str, dict[str, str]]]:
    return sorted(_cases() + _inference_cases())


@pytest.fixture(scope="module")
def served() -> Iterator[str]:
    """``igfkg serve`` as a user starts it: its query URL."""
    from .servers import Served

    server = Served()
    try:
        yield f"{server.url}/query"
    finally:
        server.stop()


@pytest.mark.parametrize(
    ("case", "query_id", "params"), _all_cases(), ids=[c[0] for c in _all_cases()]
)
def test_every_canned_query_on_igfkg_serve_equals_its_golden_answer(
    served: str, case: str, query_id: str, params: dict[str, str]
) -> None:
    remote = igfkg.open(f"sparql:{served}")
    expected = (GOLDEN / f"{case}.tsv").read_text(encoding="utf-8").splitlines()
    answer = remote.query(query_id, **params).serialize("tsv").splitlines()
    assert answer[0] == expected[0]
    assert sorted(answer[1:]) == sorted(expected[1:])
