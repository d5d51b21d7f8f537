"""The error contract on every backend: bad input is one line naming the bad value and exit 2;
a store or environment failure (a remote endpoint down or answering nonsense) one line and
exit 3; never a traceback, never a secret. Remote answers come from an Oxigraph server and from
a stub HTTP server on loopback, both started and stopped here."""

from __future__ import annotations

import base64
import http.server
import os
import subprocess
import sys
import threading
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from click.testing import CliRunner

import igfkg
from igfkg.cli import main
from igfkg.core.errors import (
    IriError,
    ParameterError,
    RemoteError,
    UnknownPredicateError,
)
from igfkg.graph import KnowledgeGraph
from igfkg.store.remote import SparqlBackend
from igfkg.store.server import OxigraphServer, free_port

ROOT = Path(__file__).parent.parent
SECRET = "s3cret-Pa55"

BAD_IRIS = [
    "<http://x/a>b>",
    "http://x/a{b}",
    'http://x/a"b',
    "http://x/a\\b",
    "http://x/a b",
    "http://x/a|b",
    "http://x/a^b",
    "http://x/a`b",
    "http://[::1/x",
    "http://[zz]/x",
    "http://x:99999/",
    "http://x:port/",
    "http://x/%zz",
    "<not an iri>",
]


def run(*args: str, env: dict[str, str] | None = None) -> tuple[int, str]:
    """Exit code and everything printed (stdout and stderr) of one CLI call."""
    result = CliRunner().invoke(main, list(args), env=env)
    if result.exception is not None and not isinstance(result.exception, SystemExit):
        raise result.exception
    return result.exit_code, result.output


def one_line(output: str) -> str:
    assert output.count("\n") == 1, output
    assert "Traceback" not in output
    return output


# -- backends: embedded Oxigraph, rdflib, and the sparql: backend on an Oxigraph server -------


@pytest.fixture(scope="module")
def oxigraph_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """An Oxigraph server loaded with the release graphs; yields its base URL."""
    server = OxigraphServer(tmp_path_factory.mktemp("oxigraph") / "store")
    server.start()
    try:
        code, output = run("load", "--endpoint", f"{server.url}/store")
        assert code == 0, output
        yield server.url
    finally:
        server.stop()


@pytest.fixture(scope="module", params=["oxigraph", "rdflib", "sparql"])
def any_kg(request: pytest.FixtureRequest) -> KnowledgeGraph:
    if request.param == "sparql":
        url = request.getfixturevalue("oxigraph_server")
        return KnowledgeGraph(SparqlBackend(f"{url}/query"))
    return igfkg.open(f"{request.param}:")


@pytest.mark.parametrize("bad", BAD_IRIS)
def test_bad_iris_are_named_on_every_backend(any_kg: KnowledgeGraph, bad: str) -> None:
    calls: list[Callable[[], object]] = [
        lambda: any_kg.query("adverse-effects", drug=bad),
        lambda: any_kg.describe(bad),
        lambda: any_kg.neighbors(bad),
        lambda: any_kg.paths(bad, "IGF-1"),
        lambda: any_kg.paths("IGF-1", bad),
        lambda: any_kg.neighbors("mecasermin", predicate=bad),
    ]
    shown = bad.strip("<>").replace("\\", "\\\\")
    for call in calls:
        with pytest.raises(IriError) as caught:
            call()
        message = str(caught.value)
        assert shown in message
        assert "is not a valid IRI" in message
        assert "\n" not in message


def test_text_that_is_not_utf8_is_refused(any_kg: KnowledgeGraph) -> None:
    with pytest.raises(ParameterError, match="not valid UTF-8"):
        any_kg.query("adverse-effects", drug="caf\udce9")
    with pytest.raises(IriError, match="not valid UTF-8"):
        any_kg.describe("<http://x/caf\udce9>")


def test_unknown_predicate_is_named_with_suggestions(any_kg: KnowledgeGraph) -> None:
    with pytest.raises(UnknownPredicateError) as caught:
        any_kg.neighbors("mecasermin", predicate="igfkg:testIn")
    assert caught.value.suggestions[0] == "igfkg:testedIn"
    assert "unknown predicate 'igfkg:testIn'" in str(caught.value)
    with pytest.raises(UnknownPredicateError, match=r"unknown predicate 'https://x\.org/p'"):
        any_kg.neighbors("mecasermin", predicate="https://x.org/p")
    # Known predicates still answer, also those only hedged claims use.
    assert any_kg.neighbors("mecasermin", predicate="igfkg:testedIn")
    assert any_kg.neighbors("IGF-1", predicate="igfkg:protectsAgainst", include_hedged=True)


# -- the command line ------------------------------------------------------------------------


@pytest.mark.parametrize("bad", ["<http://x/a>b>", "http://x/a{b", "http://[::1/x", 'http://x/"'])
def test_cli_bad_iris_exit_2_in_one_line(bad: str) -> None:
    for args in (
        ("describe", bad),
        ("neighbors", bad),
        ("path", bad, "IGF-1"),
        ("neighbors", "mecasermin", "--predicate", bad),
        ("query", "adverse-effects", "-p", f"drug={bad}"),
    ):
        code, output = run(*args)
        assert code == 2, (args, output)
        assert "is not a valid IRI" in one_line(output)


def test_cli_bad_iri_on_remote_endpoint(oxigraph_server: str) -> None:
    code, output = run("--endpoint", f"{oxigraph_server}/query", "describe", "<http://x/a>b>")
    assert code == 2
    assert "'http://x/a>b' is not a valid IRI" in one_line(output)


def test_cli_unknown_predicate_exits_2() -> None:
    code, output = run("neighbors", "mecasermin", "--predicate", "igfkg:testIn")
    assert code == 2
    assert "unknown predicate 'igfkg:testIn'; closest: igfkg:testedIn" in one_line(output)


def _igfkg(
    *args: str | bytes, env: dict[str, str] | None = None
) -> subprocess.CompletedProcess[bytes]:
    environment = {**os.environ, "PYTHONPATH": str(ROOT), **(env or {})}
    return subprocess.run(
        [sys.executable, "-m", "igfkg", *args], capture_output=True, env=environment, timeout=120
    )


@pytest.mark.parametrize(
    "args",
    [
        (b"describe", b"\xff"),
        (b"describe", b"caf\xe9"),
        (b"query", b"adverse-effects", b"-p", b"drug=\xff\xfe"),
        (b"neighbors", b"mecasermin", b"--predicate", b"igfkg:\xff"),
        (b"--store", b"\xff", b"describe", b"IGF-1"),
    ],
)
def test_arguments_that_are_not_utf8_exit_2(args: tuple[bytes, ...]) -> None:
    done = _igfkg(*args)
    err = done.stderr.decode()
    assert done.returncode == 2, err
    assert "is not valid UTF-8 text" in one_line(err)
    bad = next(a for a in args if not a.isascii())
    assert str(bad)[2:-1] in err  # the bytes, as \xff
    assert not done.stdout


@pytest.mark.parametrize("command", ["sparql", "update"])
def test_latin1_query_file_names_file_line_and_offset(tmp_path: Path, command: str) -> None:
    path = tmp_path / "latin1.rq"
    path.write_bytes('SELECT ?s WHERE {\n  ?s ?p "caf\xe9" }\n'.encode("latin-1"))
    store = ["--store", str(tmp_path / "store")] if command == "update" else []
    code, output = run(*store, command, "--file", str(path))
    assert code == 2
    assert f"{path}:2:13: not UTF-8: byte 0xe9 at offset 30" in one_line(output)


@pytest.mark.parametrize(
    ("endpoint", "says"),
    [
        ("notaurl", "'notaurl' is not an http(s) URL"),
        ("localhost:7878", "'localhost:7878' is not an http(s) URL"),
        ("ftp://example.org/sparql", "is not an http(s) URL: use http or https"),
        ("http://[::1/sparql", "'http://[::1/sparql' is not a valid URL: Invalid IPv6 URL"),
        ("http://127.0.0.1:99999/q", "Port out of range"),
        ("http:///sparql", "no host"),
        ("http://x/a b", "' ' at position 10"),
    ],
)
def test_bad_endpoints_exit_2_naming_the_value(endpoint: str, says: str) -> None:
    for args, env in (
        (("--endpoint", endpoint, "describe", "IGF-1"), None),
        (("describe", "IGF-1"), {"IGFKG_ENDPOINT": endpoint}),
        (("load", "--endpoint", endpoint), None),
    ):
        code, output = run(*args, env=env)
        assert code == 2, (args, output)
        assert says in one_line(output)
    with pytest.raises(ValueError, match="not a"):
        igfkg.open(f"sparql:{endpoint}")


def test_environment_endpoint_is_named_as_such() -> None:
    code, output = run("describe", "IGF-1", env={"IGFKG_ENDPOINT": "localhost:7878"})
    assert code == 2
    assert one_line(output).startswith("igfkg: error: IGFKG_ENDPOINT 'localhost:7878'")


def test_load_triples_without_graph_is_a_usage_error(tmp_path: Path) -> None:
    data = tmp_path / "data.ttl"
    data.write_text("<http://x/a> <http://x/b> <http://x/c> .\n")
    url = f"http://127.0.0.1:{free_port()}/store"  # nothing listens: nothing may be sent
    code, output = run("load", "--endpoint", url, str(data))
    assert code == 2
    assert f"{data} holds triples: name the graph they replace with --graph IRI" in one_line(output)
    code, output = run("load", "--endpoint", url, "--graph", "not an iri", str(data))
    assert code == 2
    assert "--graph 'not an iri' is not a valid IRI" in one_line(output)
    code, output = run("load", "--endpoint", url, "--graph", "http://x/g")
    assert code == 2
    assert "--graph names the graph of FILES" in one_line(output)
    other = tmp_path / "data.txt"
    other.write_text("x")
    code, output = run("load", "--endpoint", url, "--graph", "http://x/g", str(other))
    assert code == 2
    assert "unknown RDF format" in one_line(output)


# -- remote endpoints that fail or answer nonsense: exit 3 ----------------------------------

_JSON = "application/sparql-results+json"
_ANSWERS: dict[str, tuple[int, str, bytes]] = {
    "invalid-json": (200, _JSON, b'{"head": {"vars": ["s"]}, "results": '),
    "html": (200, "text/html", b"<!DOCTYPE html><html><body>Welcome</body></html>"),
    "html-as-json": (200, _JSON, b"<html><body>Welcome</body></html>"),
    "bad-iri": (
        200,
        _JSON,
        b'{"head": {"vars": ["s"]}, "results": {"bindings": '
        b'[{"s": {"type": "uri", "value": "http://x/a>b"}}]}}',
    ),
    "bad-language": (
        200,
        _JSON,
        b'{"head": {"vars": ["s"]}, "results": {"bindings": '
        b'[{"s": {"type": "literal", "value": "x", "xml:lang": "not a tag!"}}]}}',
    ),
    "not-results": (200, _JSON, b'{"something": "else"}'),
    "wrong-type": (200, "image/png", b"\x89PNG\r\n"),
    "no-type": (200, "", b"SELECT"),
    "http-500": (500, "text/plain", b"Internal error\nat line 2\x1b[31m"),
    "http-404": (404, "text/html", b"<h1>Not Found</h1>"),
}


class _Stub(http.server.BaseHTTPRequestHandler):
    """Answers by path: one of _ANSWERS, garbage that is no HTTP, or a dropped connection;
    records each request's Authorization header."""

    seen: list[str | None]

    def log_message(self, format: str, *args: object) -> None:
        pass

    def _answer(self) -> None:
        self.seen.append(self.headers.get("Authorization"))
        length = int(self.headers.get("Content-Length") or 0)
        self.rfile.read(length)
        name = self.path.strip("/").split("?")[0].split("/")[-1]
        if name == "garbage":
            self.wfile.write(b"\x00\xffNOT HTTP\r\n\r\n")
            return
        if name == "drop":
            self.close_connection = True
            return
        if name == "auth" and self.headers.get("Authorization") is None:
            self.send_response(401)
            self.send_header("WWW-Authenticate", 'Basic realm="igfkg-test"')
            self.send_header("Content-Length", "0")
            self.end_headers()
            return
        if name == "auth":
            self.send_response(204)
            self.end_headers()
            return
        if name == "echo-secret":
            status, ctype, body = 500, "text/plain", f"bad credentials {SECRET}".encode()
        else:
            status, ctype, body = _ANSWERS[name]
        self.send_response(status)
        if ctype:
            self.send_header("Content-Type", ctype)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def do_GET(self) -> None:
        self._answer()

    def do_POST(self) -> None:
        self._answer()

    def do_PUT(self) -> None:
        self._answer()


class StubServer:
    def __init__(self) -> None:
        self.seen: list[str | None] = []
        handler = type("Handler", (_Stub,), {"seen": self.seen})
        self.httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
        self.url = f"http://127.0.0.1:{self.httpd.server_address[1]}"
        self.thread = threading.Thread(target=self.httpd.serve_forever, daemon=True)


@pytest.fixture(scope="module")
def stub() -> Iterator[StubServer]:
    server = StubServer()
    server.thread.start()
    try:
        yield server
    finally:
        server.httpd.shutdown()
        server.httpd.server_close()
        server.thread.join(timeout=10)
        assert not server.thread.is_alive()


_QUERY = "SELECT ?s WHERE { ?s ?p ?o } LIMIT 1"


@pytest.mark.parametrize("case", [*_ANSWERS, "garbage", "drop"])
def test_malformed_remote_answers_exit_3(stub: StubServer, case: str) -> None:
    url = f"{stub.url}/{case}"
    for args in (
        ("--endpoint", url, "sparql", _QUERY),
        ("--endpoint", url, "query", "adverse-effects", "-p", "drug=http://x/mecasermin"),
        ("--endpoint", url, "describe", "http://x/a"),
    ):
        code, output = run(*args)
        assert code == 3, (args, output)
        assert one_line(output).startswith(f"igfkg: store error: POST {url}")
    with pytest.raises(RemoteError):
        KnowledgeGraph(SparqlBackend(url)).sparql(_QUERY)


def test_graph_form_answers_are_checked(stub: StubServer) -> None:
    kg = KnowledgeGraph(SparqlBackend(f"{stub.url}/html"))
    with pytest.raises(RemoteError, match="expected RDF"):
        kg.sparql("CONSTRUCT { ?s ?p ?o } WHERE { ?s ?p ?o }")


def test_unreachable_endpoint_exits_3() -> None:
    url = f"http://127.0.0.1:{free_port()}/query"
    code, output = run("--endpoint", url, "sparql", _QUERY)
    assert code == 3
    assert f"igfkg: store error: POST {url}: " in one_line(output)
    assert "refused" in output.lower()


# -- credentials: https only unless --allow-insecure-auth; never printed ---------------------


@pytest.fixture
def ttl(tmp_path: Path) -> Path:
    data = tmp_path / "data.ttl"
    data.write_text("<http://x/a> <http://x/b> <http://x/c> .\n")
    return data


def _load(stub: StubServer, ttl: Path, *extra: str, url: str | None = None) -> list[str]:
    return [
        "load",
        "--endpoint",
        url or f"{stub.url}/auth",
        "--graph",
        "http://x/g",
        *extra,
        str(ttl),
    ]


@pytest.mark.parametrize("how", ["options", "environment", "url"])
def test_credentials_are_not_sent_over_plain_http(stub: StubServer, ttl: Path, how: str) -> None:
    before = len(stub.seen)
    host = stub.url.removeprefix("http://")
    args, env = {
        "options": (_load(stub, ttl, "--user", "ann", "--password", SECRET), None),
        "environment": (_load(stub, ttl), {"IGFKG_USER": "ann", "IGFKG_PASSWORD": SECRET}),
        "url": (_load(stub, ttl, url=f"http://ann:{SECRET}@{host}/auth"), None),
    }[how]
    code, output = run(*args, env=env)
    assert code == 2
    assert "refusing to send credentials over plain http" in one_line(output)
    assert "--allow-insecure-auth" in output
    assert SECRET not in output
    assert len(stub.seen) == before  # nothing reached the server


def test_credentials_in_a_query_endpoint_are_refused_and_redacted(stub: StubServer) -> None:
    before = len(stub.seen)
    url = f"http://ann:{SECRET}@{stub.url.removeprefix('http://')}/auth"
    code, output = run("--endpoint", url, "sparql", _QUERY)
    assert code == 2
    assert SECRET not in output
    assert "ann" not in output
    assert f"http://{stub.url.removeprefix('http://')}/auth" in one_line(output)
    assert len(stub.seen) == before
    with pytest.raises(ValueError, match="refusing") as caught:
        igfkg.open(f"sparql:{url}")
    assert SECRET not in str(caught.value)


@pytest.mark.parametrize("where", ["command", "global"])
def test_allow_insecure_auth_sends_them(stub: StubServer, ttl: Path, where: str) -> None:
    before = len(stub.seen)
    args = _load(stub, ttl, "--user", "ann", "--password", SECRET)
    if where == "command":
        args.insert(-1, "--allow-insecure-auth")
    else:
        args.insert(0, "--allow-insecure-auth")
    code, output = run(*args)
    assert code == 0, output
    assert SECRET not in output
    expected = "Basic " + base64.b64encode(f"ann:{SECRET}".encode()).decode()
    assert stub.seen[before:] == [None, expected]  # challenged, then answered


def test_secrets_in_server_messages_and_debug_are_hidden(stub: StubServer, ttl: Path) -> None:
    host = stub.url.removeprefix("http://")
    url = f"http://ann:{SECRET}@{host}/echo-secret"
    code, output = run(*_load(stub, ttl, "--allow-insecure-auth", url=url))
    assert code == 3
    assert SECRET not in output
    assert f"PUT http://{host}/echo-secret?graph=" in one_line(output)  # without ann:...@
    done = _igfkg("--debug", "--endpoint", url, "sparql", _QUERY)
    assert done.returncode != 0
    assert SECRET.encode() not in done.stderr + done.stdout


# -- usage errors and the one place errors are printed ---------------------------------------


@pytest.mark.parametrize(
    ("args", "says"),
    [
        (("query",), "Missing argument 'QUERY_ID'"),
        (("sparql", "--format", "x", "ASK {}"), "Invalid value for '--format': 'x'"),
        (("--nope",), "No such option '--nope'"),
        (("nosuchcmd",), "No such command 'nosuchcmd'"),
        (("sparql",), "give the query as TEXT or with --file"),
        (("query", "adverse-effects", "-p", "drug"), "--param expects NAME=VALUE, got 'drug'"),
        (("update", "DROP ALL"), "updates need a persistent store"),
        (("load", "--endpoint", "http://127.0.0.1:1/s", "--password", "x"), "needs a user"),
    ],
)
def test_usage_errors_are_one_line_exit_2(args: tuple[str, ...], says: str) -> None:
    code, output = run(*args)
    assert code == 2
    assert one_line(output).startswith("igfkg: error: ")
    assert says in output


def test_every_error_leaves_the_cli_through_exit_code() -> None:
    """The CLI has one place that prints errors; no click errors raised for domain problems."""
    source = (ROOT / "igfkg" / "cli.py").read_text(encoding="utf-8")
    assert "click.UsageError(" not in source
    assert "click.BadParameter(" not in source
    assert "envvar=" not in source  # the environment is read in igfkg/core/config.py only
    assert source.count("click.echo(message, err=True)") == 1


def test_environment_is_read_in_config_only_and_documented() -> None:
    import re

    package = ROOT / "igfkg"
    for path in package.rglob("*.py"):
        if path.name == "config.py":
            continue
        text = path.read_text(encoding="utf-8")
        for read in ("environ.get(", "getenv(", "environ[", "envvar="):
            assert read not in text, f"{path.relative_to(ROOT)} reads the environment"
    config = (package / "core" / "config.py").read_text(encoding="utf-8")
    names = set(re.findall(r'"(IGFKG_[A-Z_]+)"', config))
    assert {"IGFKG_STORE", "IGFKG_ENDPOINT", "IGFKG_USER", "IGFKG_PASSWORD"} <= names
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    table = readme.split("### Configuration", 1)[1].split("\n\n", 3)[2]
    for name in names:
        assert f"| `{name}` |" in table, name


def test_service_with_an_unbound_variable_is_one_line(oxigraph_server: str) -> None:
    """Whatever refuses SERVICE (the read-only guard), the error is one line, exit 2."""
    query = "SELECT * WHERE { SERVICE ?x { ?s ?p ?o } }"
    for endpoint in ((), ("--endpoint", f"{oxigraph_server}/query")):
        code, output = run(*endpoint, "sparql", query)
        assert code == 2
        assert "SERVICE" in one_line(output)
    with pytest.raises(igfkg.IgfkgError):
        igfkg.open("rdflib:").sparql(query)


def test_settings_that_are_not_utf8_are_named_without_secrets() -> None:
    from igfkg.core.config import settings
    from igfkg.core.errors import ConfigError

    with pytest.raises(ConfigError, match="IGFKG_PASSWORD: its value is not valid UTF-8") as caught:
        settings({"IGFKG_PASSWORD": "s3cr\udcffet"})
    assert "s3cr" not in str(caught.value)
    with pytest.raises(ConfigError, match="not valid UTF-8") as caught:
        SparqlBackend("https://ann:s3cr\udcffet@example.org/sparql")
    assert "s3cr" not in str(caught.value)
    done = _igfkg("describe", "IGF-1", env={"IGFKG_USER": "ann\udcff"})
    assert done.returncode == 2
    assert "IGFKG_USER: 'ann\\udcff' is not valid UTF-8 text" in one_line(done.stderr.decode())


def test_api_misuse_is_an_igfkg_error(tmp_path: Path) -> None:
    from igfkg.core.errors import ConfigError, IriError, ParameterError

    with pytest.raises(ConfigError, match="neo4j"):
        igfkg.open("neo4j:")
    data = tmp_path / "d.ttl"
    data.write_text("<http://x/a> <http://x/p> <http://x/b> .\n")
    kg = igfkg.open("oxigraph:", bundled=False)
    with pytest.raises(IriError):
        kg.load(data, graph="not an iri")
    assert len(kg) == 0
    with pytest.raises(ParameterError, match="depth"):
        igfkg.open().neighbors("IGF-1", depth=0)
