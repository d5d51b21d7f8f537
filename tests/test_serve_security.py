"""``igfkg serve`` as an attacker meets it: every write route refused unless --writable,
cross-origin writes refused even then, SERVICE refused (no request leaves), hostile text and
limits, a busy port and bad hosts as one-line errors."""

from __future__ import annotations

import http.client
import subprocess
import sys
import time
import urllib.parse
from collections.abc import Iterator
from pathlib import Path

import pytest

import igfkg
from igfkg.store.server import free_port

from .servers import Listener, Served

COUNT = "SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }"


def request(
    base: str,
    method: str,
    path: str,
    body: bytes | str | None = None,
    headers: dict[str, str] | None = None,
) -> tuple[int, str]:
    parts = urllib.parse.urlsplit(base)
    conn = http.client.HTTPConnection(parts.hostname or "", parts.port, timeout=60)
    data = body.encode() if isinstance(body, str) else body
    try:
        conn.request(method, path, body=data, headers=headers or {})
        response = conn.getresponse()
        return response.status, response.read().decode("utf-8", "replace")
    finally:
        conn.close()


def count(base: str) -> int:
    status, text = request(
        base,
        "GET",
        "/query?" + urllib.parse.urlencode({"query": COUNT}),
        None,
        {"Accept": "text/csv"},
    )
    assert status == 200, text
    return int(text.split()[1])


@pytest.fixture(scope="module")
def served() -> Iterator[Served]:
    server = Served("--timeout", "1", "--max-result-bytes", "300000")
    try:
        yield server
    finally:
        server.stop()


_UPDATE = "INSERT DATA { <http://x/a> <http://x/b> <http://x/c> }"
_NT = "<http://x/a> <http://x/b> <http://x/c> .\n"
WRITES = [
    ("POST", "/update", _UPDATE, {"Content-Type": "application/sparql-update"}),
    (
        "POST",
        "/update",
        "update=" + urllib.parse.quote(_UPDATE),
        {"Content-Type": "application/x-www-form-urlencoded"},
    ),
    (
        "POST",
        "/query",
        "update=" + urllib.parse.quote(_UPDATE),
        {"Content-Type": "application/x-www-form-urlencoded"},
    ),
    (
        "POST",
        "/",
        "update=" + urllib.parse.quote(_UPDATE),
        {"Content-Type": "application/x-www-form-urlencoded"},
    ),
    ("POST", "/update", _UPDATE, {"Content-Type": "text/plain"}),
    ("POST", "/update", "DROP ALL", {"Content-Type": "application/sparql-update"}),
    ("GET", "/update?" + urllib.parse.urlencode({"update": "DROP ALL"}), None, {}),
    ("GET", "/query?" + urllib.parse.urlencode({"update": "DROP ALL"}), None, {}),
    ("PUT", "/store?default", _NT, {"Content-Type": "application/n-triples"}),
    ("PUT", "/store?graph=http%3A%2F%2Fx%2Fg", _NT, {"Content-Type": "application/n-triples"}),
    ("POST", "/store?default", _NT, {"Content-Type": "application/n-triples"}),
    ("POST", "/store", _NT, {"Content-Type": "application/n-triples"}),
    ("DELETE", "/store?default", None, {}),
    ("DELETE", "/store?graph=https%3A%2F%2Fw3id.org%2Figfkg%2Fgraph%2Fkb", None, {}),
    ("PATCH", "/store?default", _NT, {"Content-Type": "application/n-triples"}),
    ("PUT", "/", _NT, {"Content-Type": "application/n-triples"}),
    ("DELETE", "/query", None, {}),
]


@pytest.mark.parametrize(("method", "path", "body", "headers"), WRITES)
def test_every_write_route_is_refused_by_default(
    served: Served, method: str, path: str, body: str | None, headers: dict[str, str]
) -> None:
    before = count(served.url)
    status, text = request(served.url, method, path, body, headers)
    assert status >= 400, (status, text)
    assert count(served.url) == before


def test_reads_and_the_query_ui_work(served: Served) -> None:
    status, page = request(served.url, "GET", "/", None, {"Accept": "text/html"})
    assert status == 200
    assert "<html" in page.lower()
    status, _ = request(
        served.url, "POST", "/query", COUNT, {"Content-Type": "application/sparql-query"}
    )
    assert status == 200
    remote = igfkg.open(f"sparql:{served.url}/query")
    assert len(remote.query("adverse-effects")) == 8


def test_service_is_refused_by_the_server_and_nothing_leaves(served: Served) -> None:
    from .test_query_guard import _spellings

    listener = Listener()
    try:
        for query in _spellings(listener.url):
            for how in ("get", "form", "body"):
                if how == "get":
                    got = request(
                        served.url, "GET", "/query?" + urllib.parse.urlencode({"query": query})
                    )
                elif how == "form":
                    got = request(
                        served.url,
                        "POST",
                        "/query",
                        urllib.parse.urlencode({"query": query}),
                        {"Content-Type": "application/x-www-form-urlencoded"},
                    )
                else:
                    got = request(
                        served.url,
                        "POST",
                        "/query",
                        query,
                        {"Content-Type": "application/sparql-query"},
                    )
                assert got[0] in (400, 403), (query, got)
        time.sleep(0.1)
        assert listener.connections == 0
    finally:
        listener.close()


def test_hostile_text_does_not_crash_the_server(served: Served) -> None:
    deep = "SELECT * WHERE " + "{" * 5000 + "}" * 5000
    status, text = request(
        served.url, "POST", "/query", deep, {"Content-Type": "application/sparql-query"}
    )
    assert status == 413
    assert "5000 brackets deep" in text
    assert count(served.url) > 0  # still up
    union = " UNION ".join("{ ?s ?p ?o }" for _ in range(2**20))  # 20 MB
    try:
        status, _ = request(
            served.url, "POST", "/query", union, {"Content-Type": "application/sparql-query"}
        )
    except (BrokenPipeError, ConnectionResetError):
        status = 413  # refused from its Content-Length, before the body was read
    assert status == 413
    assert count(served.url) > 0


def test_served_limits_say_which_was_hit(served: Served) -> None:
    start = time.monotonic()
    product = "SELECT (COUNT(*) AS ?n) { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i }"
    status, text = request(
        served.url, "GET", "/query?" + urllib.parse.urlencode({"query": product})
    )
    assert time.monotonic() - start < 30
    assert status == 504, (status, text[:200])
    assert "time limit of 1 s" in text
    everything = "SELECT * { ?s ?p ?o }"
    status, text = request(
        served.url, "GET", "/query?" + urllib.parse.urlencode({"query": everything})
    )
    assert status == 413
    assert "result-size limit of 300000 bytes" in text
    assert count(served.url) > 0


def test_dns_rebinding_host_is_refused(served: Served) -> None:
    status, _ = request(served.url, "GET", "/query?query=ASK%7B%7D", None, {"Host": "evil.example"})
    assert status == 403


@pytest.fixture(scope="module")
def writable() -> Iterator[Served]:
    server = Served("--writable")
    try:
        yield server
    finally:
        err = server.stop()
        assert "--writable" in err  # the warning


@pytest.mark.parametrize(
    "headers",
    [
        {"Content-Type": "application/sparql-update", "Origin": "http://evil.example"},
        {"Content-Type": "application/sparql-update", "Origin": "null"},
        {"Content-Type": "application/sparql-update", "Sec-Fetch-Site": "cross-site"},
        {"Content-Type": "application/sparql-update", "Referer": "http://evil.example/x.html"},
        {"Content-Type": "application/x-www-form-urlencoded"},
        {"Content-Type": "text/plain"},
        {"Content-Type": "multipart/form-data; boundary=x"},
        {"Content-Type": "application/x-www-form-urlencoded", "Origin": "http://evil.example"},
    ],
)
def test_cross_origin_writes_are_refused_even_when_writable(
    writable: Served, headers: dict[str, str]
) -> None:
    before = count(writable.url)
    form = "form" in headers["Content-Type"] or "text/plain" in headers["Content-Type"]
    body = "update=" + urllib.parse.quote(_UPDATE) if form else _UPDATE
    status, text = request(writable.url, "POST", "/update", body, headers)
    assert status == 403, text
    assert "cross-origin" in text or "Origin" in text
    status, _ = request(
        writable.url,
        "DELETE",
        "/store?default",
        None,
        {k: v for k, v in headers.items() if k != "Content-Type"}
        | {"Origin": "http://evil.example"},
    )
    assert status == 403
    assert count(writable.url) == before


def test_same_origin_and_tool_writes_work_when_writable(writable: Served) -> None:
    before = count(writable.url)
    status, text = request(
        writable.url, "POST", "/update", _UPDATE, {"Content-Type": "application/sparql-update"}
    )
    assert status in (200, 204), text
    assert count(writable.url) == before + 1
    origin = f"http://127.0.0.1:{writable.port}"
    delete = "DELETE DATA { <http://x/a> <http://x/b> <http://x/c> }"
    status, text = request(
        writable.url,
        "POST",
        "/update",
        "update=" + urllib.parse.quote(delete),
        {"Content-Type": "application/x-www-form-urlencoded", "Origin": origin},
    )
    assert status in (200, 204), text
    assert count(writable.url) == before
    status, _ = request(
        writable.url,
        "PUT",
        "/store?graph=http%3A%2F%2Fx%2Fg",
        _NT,
        {"Content-Type": "application/n-triples"},
    )
    assert status in (200, 201, 204)
    assert count(writable.url) == before + 1
    status, text = request(
        writable.url,
        "POST",
        "/update",
        f"LOAD <{origin}/store>",
        {"Content-Type": "application/sparql-update"},
    )
    assert status == 403
    assert "LOAD" in text


def _cli(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "igfkg", *args], capture_output=True, text=True, timeout=120
    )


def test_busy_port_is_one_line_exit_3(served: Served) -> None:
    start = time.monotonic()
    done = _cli("serve", "--port", str(served.port))
    assert done.returncode == 3
    assert done.stdout == ""  # no endpoint announced
    assert done.stderr.count("\n") == 1
    assert f"127.0.0.1:{served.port}" in done.stderr
    assert time.monotonic() - start < 30


def test_site_connections_send_answers_at_once() -> None:
    """Connections accepted on the site's socket have Nagle's algorithm off: with it on, every
    answer after the first on a kept-alive connection waited ~40 ms for the client's delayed
    ACK (found by benchmarks/bench_site.py)."""
    import asyncio
    import socket

    from igfkg.web.serve import _listen

    async def accepted_nodelay() -> int:
        listener = _listen("127.0.0.1", 0)
        seen: list[int] = []

        async def handle(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
            sock = writer.get_extra_info("socket")
            seen.append(sock.getsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY))
            writer.close()

        server = await asyncio.start_server(handle, sock=listener)  # as uvicorn serves it
        async with server:
            reader, writer = await asyncio.open_connection(*listener.getsockname()[:2])
            await reader.read()  # until the server closes it
            writer.close()
        return seen[0]

    assert asyncio.run(accepted_nodelay()) != 0


@pytest.mark.parametrize("host", ["not a host", "999.1.1.1", "[::1", "::1]", "a..b", "-x"])
def test_bad_host_is_one_line_exit_2(host: str) -> None:
    done = _cli("serve", "--host", host, "--port", str(free_port()))
    assert done.returncode == 2, done.stderr
    assert done.stderr.count("\n") == 1
    assert "--host" in done.stderr
    assert "Traceback" not in done.stderr


def test_writable_off_loopback_warns_loudly() -> None:
    server = Served("--writable", "--host", "0.0.0.0")
    err = server.stop()
    assert "WARNING" in err
    assert "no authentication" in err


def test_serving_a_store_keeps_writers_out(tmp_path: Path) -> None:
    store = tmp_path / "store"
    igfkg.open(f"oxigraph:{store}").backend.close()  # type: ignore[attr-defined]
    server = subprocess.Popen(
        [sys.executable, "-m", "igfkg", "--store", str(store), "serve", "--port", str(free_port())],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        assert server.stdout is not None
        assert "read-only" in server.stdout.readline()
        import os

        done = subprocess.run(
            [sys.executable, "-m", "igfkg", "--store", str(store), "update", _UPDATE],
            capture_output=True,
            text=True,
            timeout=120,
            env={**os.environ, "IGFKG_LOCK_TIMEOUT": "0.5"},
        )
        assert done.returncode == 3
        assert done.stderr.count("\n") == 1
    finally:
        server.terminate()
        server.wait(timeout=30)
