"""What SPARQL text may do is decided from its parse, on every backend: SERVICE and LOAD are
refused unless allowed (and no request leaves: a local listener counts connections), hostile
text is refused before any parser sees it, and queries stop at their time and row limits."""

from __future__ import annotations

import subprocess
import sys
import time
from collections.abc import Iterator

import pytest
from click.testing import CliRunner

import igfkg
from igfkg.cli import main
from igfkg.core.errors import IgfkgError, QueryError, QueryLimitError, ReadOnlyError
from igfkg.graph import KnowledgeGraph
from igfkg.store.guard import canonical, depth, limits, tokens, vet

from .servers import Listener


@pytest.fixture
def listener() -> Iterator[Listener]:
    target = Listener()
    try:
        yield target
    finally:
        target.close()


@pytest.fixture(scope="module", params=["oxigraph", "rdflib", "sparql"])
def graph(request: pytest.FixtureRequest) -> Iterator[KnowledgeGraph]:
    """Each backend; the remote one points at a listener, so any request it sent would count."""
    if request.param == "sparql":
        endpoint = Listener()
        kg = igfkg.open(f"sparql:{endpoint.url}")
        kg.endpoint = endpoint  # type: ignore[attr-defined]
        yield kg
        endpoint.close()
        assert endpoint.connections == 0, "the remote backend sent a refused query"
    else:
        yield igfkg.open(f"{request.param}:")


def _spellings(url: str) -> list[str]:
    return [
        f"SELECT * WHERE {{ SERVICE <{url}> {{ ?s ?p ?o }} }}",
        f"select * where {{ service <{url}> {{ ?s ?p ?o }} }}",
        f"SELECT * WHERE {{ # x\rSERVICE <{url}> {{ ?s ?p ?o }} }}",
        f"SELECT * WHERE {{ # x\r\nSERVICE <{url}> {{ ?s ?p ?o }} }}",
        f"SELECT * WHERE {{ ?s ?p <http://x/\\u0023> . SERVICE <{url}> {{ ?s ?p ?o }} }}",
        f"SELECT * WHERE {{ ?s ?p <http://x/\\u0023> # }}\nSERVICE <{url}> {{ ?s ?p ?o }} }}",
        f"SELECT * WHERE {{ \\u0053ERVICE <{url}> {{ ?s ?p ?o }} }}",
        f"SELECT * WHERE {{ \\u0073\\u0065rvice <{url}> {{ ?s ?p ?o }} }}",
        f"SELECT * WHERE {{ SERVICE SILENT <{url}> {{ ?s ?p ?o }} }}",
        "SELECT * WHERE { SERVICE ?endpoint { ?s ?p ?o } }",
        f"SELECT * WHERE {{ {{ SELECT * WHERE {{ SERVICE <{url}> {{ ?s ?p ?o }} }} }} }}",
        f"SELECT * WHERE {{ ?a ?b ?c OPTIONAL {{ SERVICE <{url}> {{ ?s ?p ?o }} }} }}",
        f"SELECT * WHERE {{ ?a ?b ?c MINUS {{ SERVICE <{url}> {{ ?s ?p ?o }} }} }}",
        f"SELECT * WHERE {{ ?a ?b ?c FILTER EXISTS {{ SERVICE <{url}> {{ ?s ?p ?o }} }} }}",
        f"ASK {{ FILTER NOT EXISTS {{ SERVICE <{url}> {{ ?s ?p ?o }} }} }}",
        f"CONSTRUCT {{ ?s ?p ?o }} WHERE {{ SERVICE <{url}> {{ ?s ?p ?o }} }}",
        f"SELECT * WHERE {{ FILTER(?a<?b)SERVICE<{url}>{{?s ?p ?o}} }}",
        f"SELECT * WHERE {{ ?s ?p 1SERVICE <{url}> {{ ?s ?p ?o }} }}",
    ]


SPELLINGS = _spellings("http://127.0.0.1:1/sparql")


@pytest.mark.parametrize("index", range(len(SPELLINGS)))
def test_every_service_spelling_is_refused_and_sends_nothing(
    graph: KnowledgeGraph, listener: Listener, index: int
) -> None:
    query = _spellings(listener.url)[index]
    with pytest.raises((ReadOnlyError, QueryError)) as error:
        graph.sparql(query)
    assert "\n" not in str(error.value)
    time.sleep(0.05)
    assert listener.connections == 0


def test_the_listener_would_see_an_allowed_service(listener: Listener) -> None:
    """The control: when SERVICE is allowed, the engine does contact the listener."""
    kg = igfkg.open()
    with limits(allow_service=True), pytest.raises(QueryError):
        kg.sparql(f"SELECT * WHERE {{ SERVICE <{listener.url}> {{ ?s ?p ?o }} }}")
    time.sleep(0.1)
    assert listener.connections >= 1


def test_rdflib_engine_switches_refuse_service_and_load_no_url(listener: Listener) -> None:
    """Below the parse: rdflib's own switches (a custom evaluation and SPARQL_LOAD_GRAPHS)."""
    from igfkg.store.rdflibstore import RdflibBackend

    backend = RdflibBackend()
    with pytest.raises(ReadOnlyError):
        backend.raw_query(f"SELECT * WHERE {{ SERVICE <{listener.url}> {{ ?s ?p ?o }} }}", {})
    answer = backend.raw_query(f"SELECT * FROM <{listener.url}> WHERE {{ ?s ?p ?o }}", {})
    assert list(answer) == []  # type: ignore[arg-type]
    backend.update(f"LOAD <{listener.url}>")
    time.sleep(0.05)
    assert listener.connections == 0


@pytest.mark.parametrize("url", ["file:///dev/zero", "http://127.0.0.1:1/x"])
def test_from_and_load_fetch_nothing(graph: KnowledgeGraph, url: str) -> None:
    if graph.backend.name != "sparql":
        start = time.monotonic()
        result = graph.sparql(f"SELECT * FROM <{url}> WHERE {{ ?s ?p ?o }}")
        assert time.monotonic() - start < 10
        assert result is not None
        with pytest.raises(ReadOnlyError, match="LOAD"):
            graph.update(f"LOAD <{url}>")
    with pytest.raises(ReadOnlyError, match="LOAD"):
        vet(f"LOAD <{url}>", allow_update=True)


def test_unbound_service_variable_is_one_line_exit_2() -> None:
    for args in (["sparql"], ["sparql", "--allow-service"]):
        result = CliRunner().invoke(
            main, [*args, "SELECT * WHERE { SERVICE ?nowhere { ?s ?p ?o } }"]
        )
        assert result.exit_code == 2, result.output
        assert result.stderr.count("\n") == 1
        assert "Traceback" not in result.stderr


@pytest.mark.parametrize(
    ("text", "what"),
    [
        ("SELECT * WHERE { " + "{ " * 5000 + "} " * 5000 + "}", "deep"),
        ("SELECT * WHERE { FILTER(" + "(" * 5000 + "1" + ")" * 5000 + ") }", "deep"),
        ("SELECT * WHERE { FILTER(?a<" + "(" * 5000 + "1" + ")" * 5000 + "&&2>?b) }", "deep"),
        ("SELECT * WHERE { ?s ?p <http://x/#> " + "(" * 5000 + "1" + ")" * 5000 + " }", "deep"),
        (
            "SELECT * WHERE { "
            + " UNION ".join("{ ?s ?p ?o }" for _ in range(20 * 2**20 // 20))
            + " }",
            "long",
        ),
    ],
)
def test_hostile_text_is_refused_before_parsing(
    graph: KnowledgeGraph, text: str, what: str
) -> None:
    with pytest.raises(QueryLimitError, match="deep" if what == "deep" else "long"):
        graph.sparql(text)


def test_hostile_text_through_the_cli_is_one_line_exit_2(tmp_path: pytest.TempPathFactory) -> None:
    deep = "SELECT * WHERE " + "{" * 5000 + "}" * 5000
    done = subprocess.run(
        [sys.executable, "-m", "igfkg", "sparql", deep], capture_output=True, text=True
    )
    assert done.returncode == 2
    assert done.stderr.startswith("igfkg: error: the query nests 5000 brackets deep")
    assert done.stderr.count("\n") == 1
    limited = subprocess.run(
        [sys.executable, "-m", "igfkg", "sparql", "SELECT * WHERE " + "{" * 20 + "}" * 20],
        capture_output=True,
        text=True,
        env={**__import__("os").environ, "IGFKG_MAX_QUERY_DEPTH": "10"},
    )
    assert limited.returncode == 2
    assert "limit of 10" in limited.stderr


def test_canonical_text_is_what_the_checker_and_the_engine_see() -> None:
    assert canonical("a\r\nb\rc") == "a\nb\nc"
    assert canonical("\\u0053\\U00000045") == "SE"
    with pytest.raises(QueryError):
        canonical("\\u005Cu0053ERVICE")
    with pytest.raises(QueryError):
        canonical("\\uD800")
    assert depth('SELECT * { "{{{{" # {{{{\n <http://x/(> }') == 2
    kinds = [t.kind for t in tokens("?x <http://a#b> ex:c 'd' 1.5 @en a")]
    assert kinds == ["var", "iri", "pname", "string", "number", "lang", "word"]


def test_every_catalog_query_parses_and_stays_home() -> None:
    from igfkg.explore.catalog import catalog

    for query in catalog():
        vetted = vet(query.sparql, parse=True)
        assert vetted.form in ("SELECT", "ASK"), query.id
        assert not vetted.service, query.id
        assert not vetted.load, query.id
        assert not vetted.dataset, query.id


def test_parameter_values_cannot_carry_escapes() -> None:
    from pyoxigraph import Literal

    from igfkg.store.values import with_values

    with pytest.raises(QueryError, match="escape"):
        with_values("SELECT ?x WHERE { ?s ?p ?x }", {"x": Literal("\\u0022 } SERVICE")})


def test_row_limit_on_every_embedded_backend() -> None:
    for spec in ("oxigraph:", "rdflib:"):
        kg = igfkg.open(spec)
        with limits(max_rows=5), pytest.raises(QueryLimitError, match="5 rows"):
            kg.sparql("SELECT * WHERE { ?s ?p ?o }")
        with limits(max_rows=5):
            assert len(kg.sparql("SELECT * WHERE { ?s ?p ?o } LIMIT 5")) == 5  # type: ignore[arg-type]


def test_time_limit_on_the_rdflib_backend() -> None:
    kg = igfkg.open("rdflib:")
    start = time.monotonic()
    with limits(timeout=1), pytest.raises(QueryLimitError, match="time limit of 1 s"):
        kg.sparql("SELECT * WHERE { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i }")
    assert time.monotonic() - start < 30


def _cli(*args: str, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    import os

    return subprocess.run(
        [sys.executable, "-m", "igfkg", *args],
        capture_output=True,
        text=True,
        timeout=120,
        env={**os.environ, **(env or {})},
    )


@pytest.mark.parametrize(
    ("args", "said"),
    [
        # Streams rows: stopped between rows at the time limit.
        (
            [
                "sparql",
                "--timeout",
                "1",
                "--max-rows",
                "100000000",
                "SELECT * { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i }",
            ],
            "time",
        ),
        # Blocks inside the engine (no row until the end): the watchdog ends the process.
        (
            [
                "sparql",
                "--timeout",
                "1",
                "SELECT (COUNT(*) AS ?n) { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i }",
            ],
            "time",
        ),
        (["sparql", "--max-rows", "100", "SELECT * { ?a ?b ?c . ?d ?e ?f }"], "100 rows"),
        (["query", "major-topics", "--max-rows", "2"], "2 rows"),
    ],
)
def test_cli_limits_end_with_one_line_and_exit_2(args: list[str], said: str) -> None:
    start = time.monotonic()
    done = _cli(*args)
    assert time.monotonic() - start < 60
    assert done.returncode == 2, done.stderr
    assert done.stderr.count("\n") == 1
    assert said in done.stderr
    assert "limit" in done.stderr


def test_limits_from_the_environment() -> None:
    done = _cli("sparql", "SELECT * { ?a ?b ?c . ?d ?e ?f }", env={"IGFKG_MAX_ROWS": "7"})
    assert done.returncode == 2
    assert "limit of 7 rows" in done.stderr
    bad = _cli("sparql", "ASK {}", env={"IGFKG_QUERY_TIMEOUT": "soon"})
    assert bad.returncode == 2
    assert "IGFKG_QUERY_TIMEOUT='soon'" in bad.stderr


def test_dev_zero_ends_with_a_clear_error() -> None:
    for args in (
        ["sparql", "SELECT * { SERVICE <file:///dev/zero> { ?s ?p ?o } }"],
        [
            "sparql",
            "--allow-service",
            "--timeout",
            "2",
            "SELECT * { SERVICE <file:///dev/zero> { ?s ?p ?o } }",
        ],
    ):
        done = _cli(*args)
        assert done.returncode == 2, done.stderr
        assert done.stderr.count("\n") == 1


def test_updates_are_vetted_too(tmp_path: pytest.TempPathFactory) -> None:
    kg = igfkg.open()
    before = len(kg)
    with pytest.raises(ReadOnlyError, match="SERVICE"):
        kg.update("INSERT { ?s ?p ?o } WHERE { SERVICE <http://127.0.0.1:1/> { ?s ?p ?o } }")
    assert len(kg) == before
    with pytest.raises(IgfkgError):
        kg.sparql("INSERT DATA { <http://x/a> <http://x/b> <http://x/c> }")
    assert len(kg) == before
