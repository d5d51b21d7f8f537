"""The HTTP front of ``igfkg serve``: a small standard-library server on the public port that
checks every request and forwards it to the Oxigraph server bound to a private loopback port.

What it enforces (the engine behind it cannot):

* **read-only by default**: every method and route that could write (``PUT``, ``DELETE``,
  ``PATCH``, any ``POST`` that is not a query: ``/update``, Graph Store ``POST /store``) is
  refused with 403; the engine runs ``oxigraph serve-read-only`` as well;
* **no SERVICE** (nor ``LOAD``) unless allowed, decided by :func:`igfkg.store.guard.vet`, and the
  engine runs the canonical text that was checked;
* **size guards** before the engine parses (over-long or over-deep text would crash it);
* **result size**: answers larger than ``max_result_bytes`` are refused (the engine's
  ``--timeout-s`` bounds the time);
* **same origin for writes** (with ``writable``): a request carrying another site's ``Origin``
  or ``Referer``, or ``Sec-Fetch-Site: cross-site``, is refused; a body a plain HTML form can
  send (form-urlencoded, text/plain, multipart) needs an ``Origin`` of this server; on loopback
  the ``Host`` must be a loopback name (no DNS rebinding). No CORS header is ever sent.
"""

from __future__ import annotations

import http.client
import io
import ipaddress
import math
import re
import socket
import time
import urllib.parse
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

from igfkg.core.errors import ConfigError, IgfkgError, QueryLimitError

__all__ = ["HOP_HEADERS", "Front", "FrontPolicy", "check_host", "is_loopback"]

HOP_HEADERS = {
    "connection",
    "keep-alive",
    "proxy-authenticate",
    "proxy-authorization",
    "te",
    "trailer",
    "transfer-encoding",
    "upgrade",
    "host",
    "content-length",
}
_FORM_TYPES = ("application/x-www-form-urlencoded", "text/plain", "multipart/form-data")
_QUERY_PARAMS = {"query", "default-graph-uri", "named-graph-uri", "union-default-graph"}
_INFERENCE_LINE = "#+ inference: owl-rl"
_LOOPBACK_NAMES = {"localhost", "127.0.0.1", "::1", "[::1]"}


def is_loopback(host: str) -> bool:
    """True for a loopback address or ``localhost``.

    >>> is_loopback("127.0.0.1"), is_loopback("::1"), is_loopback("0.0.0.0")
    (True, True, False)
    """
    if host.strip("[]").lower() in _LOOPBACK_NAMES:
        return True
    try:
        return ipaddress.ip_address(host.strip("[]")).is_loopback
    except ValueError:
        return False


@dataclass(frozen=True)
class FrontPolicy:
    """What the front allows: writes, SERVICE/LOAD, and the size of an answer and a query."""

    writable: bool = False
    allow_service: bool = False
    max_result_bytes: int = 256 * 2**20
    timeout: float | None = None
    inference_graphs: tuple[str, ...] = ()

    @property
    def engine_timeout(self) -> int:
        """The engine's ``--timeout-s`` for ``timeout``: whole seconds, at least 1."""
        return max(1, math.ceil(self.timeout or 0))


class _RefusedError(Exception):
    def __init__(self, status: int, message: str) -> None:
        super().__init__(message)
        self.status = status


class Front(ThreadingHTTPServer):
    """The public server: ``(host, port)`` in front of the engine at ``127.0.0.1:upstream``.
    Binding happens in the constructor, so a busy port fails before anything else starts."""

    daemon_threads = True

    def __init__(self, host: str, port: int, policy: FrontPolicy) -> None:
        self.address_family = _family(host)
        self.policy = policy
        self.upstream_port = 0
        self.inference_port = 0  # an engine whose union graph holds the OWL 2 RL closure
        self.public_host = host
        super().__init__((host.strip("[]"), port), _Handler)
        # The address browsers see, when a public server forwards to this front (igfkg serve's
        # web site): writes must come from that origin.
        self.public_port = self.port

    @property
    def port(self) -> int:
        """The port the front listens on."""
        return int(self.server_address[1])

    @property
    def url(self) -> str:
        """The base URL of the front."""
        host = self.public_host
        if ":" in host and not host.startswith("["):
            host = f"[{host}]"
        return f"http://{host}:{self.port}"


def _family(host: str) -> socket.AddressFamily:
    try:
        return (
            socket.AF_INET6
            if ipaddress.ip_address(host.strip("[]")).version == 6
            else socket.AF_INET
        )
    except ValueError:
        infos = socket.getaddrinfo(host, None, type=socket.SOCK_STREAM)
        return socket.AddressFamily(infos[0][0])


class _Limited:
    """A file-like view of the next ``size`` bytes of a stream (a request body)."""

    def __init__(self, stream: io.BufferedIOBase, size: int) -> None:
        self.stream, self.left = stream, size

    def read(self, n: int = -1) -> bytes:
        if self.left <= 0:
            return b""
        n = self.left if n < 0 else min(n, self.left)
        data = self.stream.read(n)
        self.left -= len(data)
        return data


class _Handler(BaseHTTPRequestHandler):
    server: Front
    protocol_version = "HTTP/1.1"
    server_version = "igfkg"

    def log_message(self, format: str, *args: Any) -> None:
        pass  # quiet: the command line prints the endpoint once

    # -- entry points ------------------------------------------------------------------------

    def do_GET(self) -> None:
        self._handle(read=True)

    def do_HEAD(self) -> None:
        self._handle(read=True)

    def do_POST(self) -> None:
        self._handle(read=False)

    def do_PUT(self) -> None:
        self._handle(read=False)

    def do_DELETE(self) -> None:
        self._handle(read=False)

    def do_PATCH(self) -> None:
        self._handle(read=False)

    def do_OPTIONS(self) -> None:
        self._reply(405, "OPTIONS is not supported: this server sends no CORS headers")

    # -- the checks ----------------------------------------------------------------------------

    def _handle(self, *, read: bool) -> None:
        self._body: bytes | None = None
        self._inference = False
        try:
            self._check_host()
            url = urllib.parse.urlsplit(self.path)
            params = urllib.parse.parse_qsl(url.query, keep_blank_values=True)
            if any(name == "update" for name, _ in params):
                raise _RefusedError(403, "updates are not accepted in a URL")
            params = [(n, self._vet(v) if n == "query" else v) for n, v in params]
            path = urllib.parse.urlunsplit(("", "", url.path, urllib.parse.urlencode(params), ""))
            if read:
                self._forward(path, None)
                return
            body = self._query_body(path)
            if body is not None:
                self._forward(path, body)
                return
            self._write(path)
        except _RefusedError as refused:
            self._reply(refused.status, str(refused))
        except IgfkgError as error:
            status = 413 if isinstance(error, QueryLimitError) else 400
            if getattr(error, "exit_code", 2) != 2 or isinstance(error, PermissionError):
                status = 403
            self._reply(status, str(error))

    def _check_host(self) -> None:
        """On loopback, only loopback names may address the server (no DNS rebinding)."""
        if not is_loopback(self.server.public_host):
            return
        host = self.headers.get("Host", "")
        name = host.rsplit(":", 1)[0] if not host.endswith("]") else host
        if not is_loopback(name):
            raise _RefusedError(403, f"Host {host!r} is not this loopback server")

    def _vet(self, text: str, *, update: bool = False) -> str:
        from igfkg.store.guard import vet

        policy = self.server.policy
        checked = vet(text, allow_update=update, allow_service=policy.allow_service).text
        # A catalog query that declares "#+ inference: owl-rl" (the line that makes the
        # embedded store materialise the closure), or one naming the closure's graph, runs
        # where the closure is in the union.
        self._inference = self._inference or (
            _INFERENCE_LINE in checked.splitlines()
            or any(f"<{iri}>" in checked for iri in policy.inference_graphs)
        )
        return checked

    def _length(self) -> int:
        if "chunked" in self.headers.get("Transfer-Encoding", "").lower():
            raise _RefusedError(411, "send a Content-Length (chunked request bodies are refused)")
        try:
            return max(int(self.headers.get("Content-Length", "0")), 0)
        except ValueError:
            raise _RefusedError(400, "bad Content-Length") from None

    def _media(self) -> str:
        return self.headers.get("Content-Type", "").split(";")[0].strip().lower()

    def _query_body(self, path: str) -> bytes | None:
        """The checked body of a POSTed query (SPARQL or form-encoded), or None for a write."""
        from igfkg.core.config import settings

        media = self._media()
        if self.command != "POST" or media not in (
            "application/sparql-query",
            "application/x-www-form-urlencoded",
        ):
            return None
        length = self._length()
        if length > settings().max_query_length * 4 + 65536:
            raise _RefusedError(413, "the request body is longer than any query igfkg accepts")
        raw = self.rfile.read(length)
        if media == "application/sparql-query":
            return self._vet(self._decode(raw)).encode("utf-8")
        form = urllib.parse.parse_qsl(self._decode(raw), keep_blank_values=True)
        names = {name for name, _ in form}
        if not names <= _QUERY_PARAMS or "query" not in names:
            self._body = raw  # a form update: a write
            return None
        checked = [(n, self._vet(v) if n == "query" else v) for n, v in form]
        return urllib.parse.urlencode(checked).encode("utf-8")

    @staticmethod
    def _decode(raw: bytes) -> str:
        try:
            return raw.decode("utf-8")
        except UnicodeDecodeError:
            raise _RefusedError(400, "the request body is not UTF-8") from None

    def _write(self, path: str) -> None:
        """A request that may change the store: refused unless writable and same-origin."""
        policy = self.server.policy
        if not policy.writable:
            raise _RefusedError(
                403, "igfkg serve is read-only: start it with --writable to accept writes"
            )
        self._check_same_origin()
        media = self._media()
        body: bytes | _Limited | None
        if self._body is not None:  # a form update, already read
            form = urllib.parse.parse_qsl(self._decode(self._body), keep_blank_values=True)
            checked = [(n, self._vet(v, update=True) if n == "update" else v) for n, v in form]
            body = urllib.parse.urlencode(checked).encode("utf-8")
        elif media == "application/sparql-update":
            raw = self.rfile.read(self._length())
            body = self._vet(self._decode(raw), update=True).encode("utf-8")
        else:
            body = _Limited(self.rfile, self._length())  # Graph Store data, streamed
        self._forward(path, body)

    def _check_same_origin(self) -> None:
        own = {f"http://{self.headers.get('Host', '')}".lower()}
        if is_loopback(self.server.public_host):
            own |= {
                f"http://{n}:{self.server.public_port}" for n in ("127.0.0.1", "localhost", "[::1]")
            }
        origin = self.headers.get("Origin")
        if origin is not None and origin.lower() not in own:
            raise _RefusedError(403, f"cross-origin write refused (Origin {origin})")
        site = self.headers.get("Sec-Fetch-Site")
        if site is not None and site.lower() not in ("same-origin", "none"):
            raise _RefusedError(403, f"cross-origin write refused (Sec-Fetch-Site {site})")
        referer = self.headers.get("Referer")
        if origin is None and referer:
            parts = urllib.parse.urlsplit(referer)
            if f"{parts.scheme}://{parts.netloc}".lower() not in own:
                raise _RefusedError(403, "cross-origin write refused (Referer of another site)")
        if self._media() in _FORM_TYPES and origin is None:
            raise _RefusedError(
                403,
                "a write with a form's content type needs this server's Origin; send updates"
                " as application/sparql-update",
            )

    # -- forwarding ----------------------------------------------------------------------------

    def _forward(self, path: str, body: bytes | _Limited | None) -> None:
        policy = self.server.policy
        timeout = (policy.timeout or 3600) + 30
        port = self.server.upstream_port
        if self._inference and self.server.inference_port:
            port = self.server.inference_port
        conn = http.client.HTTPConnection("127.0.0.1", port, timeout=timeout)
        headers = {k: v for k, v in self.headers.items() if k.lower() not in HOP_HEADERS}
        headers["Host"] = f"127.0.0.1:{port}"
        if isinstance(body, bytes):
            headers["Content-Length"] = str(len(body))
        elif isinstance(body, _Limited):
            headers["Content-Length"] = str(body.left)
        started = time.monotonic()
        try:
            conn.request(self.command, path, body=body, headers=headers)
            response = conn.getresponse()
            data = bytearray()
            while chunk := response.read(65536):
                data += chunk
                if len(data) > policy.max_result_bytes:
                    raise _RefusedError(
                        413,
                        f"result-size limit of {policy.max_result_bytes} bytes hit"
                        " (igfkg serve --max-result-bytes)",
                    )
        except (http.client.HTTPException, OSError) as error:
            elapsed = time.monotonic() - started
            if policy.timeout and elapsed >= policy.timeout:
                self._reply(504, f"query time limit of {policy.timeout:g} s hit")
            else:
                self._reply(502, f"the SPARQL engine failed: {error}")
            return
        except _RefusedError as refused:
            self._reply(refused.status, str(refused))
            return
        finally:
            conn.close()
        if policy.timeout and time.monotonic() - started >= policy.engine_timeout:
            # The engine cancels at its --timeout-s, after a 200 status and part of the answer
            # were written: an answer that took that long is cut, never complete.
            self._reply(504, f"query time limit of {policy.timeout:g} s hit")
            return
        self.send_response(response.status, response.reason)
        for key, value in response.getheaders():
            if key.lower() not in HOP_HEADERS and not key.lower().startswith("access-control-"):
                self.send_header(key, value)
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        if self.command != "HEAD":
            self.wfile.write(bytes(data))

    def _reply(self, status: int, message: str) -> None:
        body = (message.splitlines()[0] if message else "").encode("utf-8") + b"\n"
        self.send_response(status)
        self.send_header("Content-Type", "text/plain; charset=utf-8")
        self.send_header("Content-Length", str(len(body)))
        self.send_header("Connection", "close")
        self.end_headers()
        self.close_connection = True
        if self.command != "HEAD":
            self.wfile.write(body)


_LABEL = r"(?!-)[A-Za-z0-9-]{1,63}(?<!-)"
_HOSTNAME = re.compile(rf"{_LABEL}(\.{_LABEL})*\.?")


def check_host(host: str) -> str:
    """The address to listen on, checked: an IP address (IPv6 with or without brackets) or a
    host name that resolves; anything else is a ConfigError naming it.

    >>> check_host("[::1]"), check_host("127.0.0.1")
    ('::1', '127.0.0.1')
    >>> check_host("999.1.1.1")
    Traceback (most recent call last):
    ...
    igfkg.core.errors.ConfigError: --host '999.1.1.1': not an IP address or host name
    """
    inner = host[1:-1] if host.startswith("[") and host.endswith("]") else host
    try:
        return str(ipaddress.ip_address(inner))
    except ValueError:
        pass
    last = host.rstrip(".").rsplit(".", 1)[-1]
    if inner != host or not _HOSTNAME.fullmatch(host) or last.isdigit():
        raise ConfigError(f"--host {host!r}: not an IP address or host name")
    try:
        socket.getaddrinfo(host, None, type=socket.SOCK_STREAM)
    except OSError as error:
        raise ConfigError(f"--host {host!r}: cannot be resolved ({error.strerror})") from None
    return host
