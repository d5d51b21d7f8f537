"""``igfkg serve``: the web site and the SPARQL endpoint of the graph, on one address.

Processes, from the outside in: the site (Starlette under uvicorn) on ``host:port``; igfkg's
guarded front (:mod:`igfkg.store.front`) on a private loopback port, which every query a
visitor or a program sends goes through (read-only, no SERVICE, time and size limits); the
Oxigraph server(s) behind it. The site renders its pages from the graph opened in this process
(read-only), and caches them while the graph cannot change.
"""

from __future__ import annotations

import signal
import socket
import sys
import tempfile
import threading
import time
from collections.abc import Callable
from contextlib import ExitStack
from pathlib import Path
from typing import TYPE_CHECKING

from igfkg.core.errors import StoreError

if TYPE_CHECKING:
    from igfkg.store.port import GraphPort

__all__ = ["serve"]


def _warn(message: str) -> None:
    print(message, file=sys.stderr, flush=True)


def _listen(host: str, port: int) -> socket.socket:
    """The site's listening socket, bound before any other work (a busy port fails first).

    Its protocol is TCP by number, not 0 as ``socket.create_server`` leaves it: asyncio turns
    Nagle's algorithm off only on sockets that say so, and with it on, every answer after the
    first on a kept-alive connection waited ~40 ms for the client's delayed ACK (headers and
    body are two writes).
    """
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    try:
        made = socket.create_server((host.strip("[]"), port), family=family, backlog=512)
    except OSError as error:
        raise StoreError(f"cannot listen on {host}:{port}: {error.strerror or error}") from None
    listener = socket.socket(family, socket.SOCK_STREAM, socket.IPPROTO_TCP, made.detach())
    listener.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
    return listener


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
    diagrams: bool = True,
    open_graph: Callable[..., GraphPort],
) -> None:
    """Serve the graph until interrupted (Ctrl-C or SIGTERM). Read-only unless ``writable``;
    SERVICE and LOAD refused unless ``allow_service``; queries cancelled after ``timeout``
    seconds (default IGFKG_QUERY_TIMEOUT). With ``store``, serve that persistent store;
    otherwise the bundled graph. ``open_graph`` (the front door's :func:`igfkg.open`, passed in
    so that this layer does not import it) opens the graph.

    A busy port raises StoreError (exit 3); a bad host, ConfigError (exit 2).
    """
    import uvicorn

    from igfkg.core.config import settings
    from igfkg.quality.inference import GRAPH_INFERRED
    from igfkg.release.load import prepare_stores, writers_locked
    from igfkg.store.front import Front, FrontPolicy, check_host, is_loopback
    from igfkg.store.server import OxigraphServer
    from igfkg.web.app import create_app
    from igfkg.web.proxy import Forwarder

    host = check_host(host)
    conf = settings()
    timeout = conf.query_timeout if timeout is None else timeout
    policy = FrontPolicy(
        writable,
        allow_service,
        max_result_bytes or conf.max_result_bytes,
        timeout or None,
        (GRAPH_INFERRED,),
    )
    listener = _listen(host, port)  # first: a busy port fails before any work
    port = listener.getsockname()[1]
    loopback = is_loopback(host)
    _warnings(host, port, writable=writable, allow_service=allow_service, loopback=loopback)
    front = Front("127.0.0.1", 0, policy)
    front.public_host, front.public_port = host, port
    failure: list[str] = []

    def stop(signum: int, frame: object) -> None:
        raise KeyboardInterrupt

    previous = signal.signal(signal.SIGTERM, stop)  # stop cleanly on kill too
    try:
        with tempfile.TemporaryDirectory(prefix="igfkg-serve-") as tmp, ExitStack() as stack:
            location, inferred = prepare_stores(store, Path(tmp), open_graph)
            if store is not None and not writable:
                stack.enter_context(writers_locked(store))
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
            front_url = f"http://127.0.0.1:{front.port}"
            # Visitors' queries go through the front; pages are read in this process.
            query_kg = open_graph(f"sparql:{front_url}/query")
            if writable:
                site_kg, cache = query_kg, 0  # the graph may change: nothing is cached
            elif store is not None:
                site_kg, cache = open_graph(f"oxigraph:{store}", read_only=True), 4096
            else:
                site_kg, cache = open_graph(), 4096
            forwarder = Forwarder(front_url, timeout or None)
            app = create_app(
                site_kg,  # type: ignore[arg-type]
                query_kg,
                diagrams=diagrams,
                cache_size=cache,
                loopback=loopback,
                forward=forwarder.handle,
                on_shutdown=forwarder.close,
            )
            server = uvicorn.Server(
                uvicorn.Config(
                    app,
                    log_level="warning",
                    access_log=False,
                    server_header=False,
                    lifespan="on",
                    timeout_graceful_shutdown=5,
                    backlog=512,
                )
            )

            def watch() -> None:
                while not server.should_exit:
                    for running in engines:
                        if running.process is not None and running.process.poll() is not None:
                            failure.append(running.failure() or "no message")
                            server.should_exit = True
                            return
                    time.sleep(0.2)

            threading.Thread(target=watch, daemon=True).start()
            base = f"http://{host if ':' not in host else f'[{host}]'}:{port}"
            mode = "writable" if writable else "read-only"
            announce(
                f"igfkg site: {base}/  (SPARQL endpoint: {base}/query, graph store:"
                f" {base}/store; {mode}). Ctrl-C stops it."
            )
            server.run(sockets=[listener])  # stops on Ctrl-C and SIGTERM
    except KeyboardInterrupt:
        pass
    finally:
        signal.signal(signal.SIGTERM, previous)
        if front.upstream_port:  # serve_forever runs
            front.shutdown()
        front.server_close()
        listener.close()
    if failure:
        raise StoreError(f"the SPARQL engine stopped: {failure[0]}")


def _warnings(host: str, port: int, *, writable: bool, allow_service: bool, loopback: bool) -> None:
    if writable and not loopback:
        _warn(
            f"igfkg: WARNING: --writable on {host}, not a loopback address: anyone who can reach"
            f" this machine on port {port} can change or delete the served data (there is"
            " no authentication)"
        )
    elif writable:
        _warn(
            "igfkg: warning: --writable: any program on this machine can change the served data"
            " over HTTP (cross-origin writes from web pages are refused)"
        )
    elif not loopback:
        _warn(f"igfkg: note: serving on {host}: anyone who can reach this machine can read it")
    if allow_service:
        _warn("igfkg: warning: --allow-service: queries may make the server fetch other URLs")
