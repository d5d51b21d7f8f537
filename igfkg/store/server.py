"""Start and stop an Oxigraph SPARQL server (the ``oxigraph`` package from PyPI) on loopback.

Used by ``igfkg serve`` and by the tests that check igfkg against a real server.
"""

from __future__ import annotations

import math
import os
import shutil
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path
from types import TracebackType
from typing import Self

__all__ = ["ManagedServer", "OxigraphServer", "bulk_load", "free_port", "oxigraph_binary"]


def free_port(host: str = "127.0.0.1") -> int:
    """A TCP port that is free on ``host`` right now."""
    with socket.socket() as sock:
        sock.bind((host, 0))
        return int(sock.getsockname()[1])


def oxigraph_binary() -> str:
    """The ``oxigraph`` server executable (``pip install oxigraph``)."""
    found = shutil.which("oxigraph") or shutil.which(
        "oxigraph", path=str(Path(sys.executable).parent)
    )
    if found is None:
        raise FileNotFoundError("the oxigraph server is not installed: pip install oxigraph")
    return found


def bulk_load(location: Path, nquads: Path) -> None:
    """Load an N-Quads file into a server store folder with Oxigraph's bulk loader."""
    subprocess.run(
        [oxigraph_binary(), "load", "--location", str(location), "--file", str(nquads)],
        check=True,
        capture_output=True,
    )


class ManagedServer:
    """A server process on loopback: started, waited for until ``probe_url`` answers, and always
    stopped (terminate, then kill). Subclasses give the command line and the probe."""

    name = "server"
    stop_timeout: float = 10

    def __init__(self) -> None:
        self.process: subprocess.Popen[bytes] | None = None

    def command(self) -> list[str]:
        """The command line that runs the server in the foreground."""
        raise NotImplementedError

    def probe_url(self) -> str:
        """A URL that answers once the server is ready."""
        raise NotImplementedError

    def failure(self) -> str:
        """What to say when the server exits during start-up."""
        err = self.process.stderr.read().decode() if self.process and self.process.stderr else ""
        return err.strip()[:500]

    def start(self, timeout: float = 30) -> None:
        """Start the server and wait until it answers."""
        self.process = subprocess.Popen(
            self.command(),
            stdout=subprocess.DEVNULL,
            stderr=subprocess.PIPE,
            start_new_session=True,
            env=dict(os.environ),
        )
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"{self.name} exited: {self.failure()}")
            try:
                with urllib.request.urlopen(self.probe_url(), timeout=2):
                    return
            except (urllib.error.URLError, ConnectionError, OSError):
                time.sleep(0.1)
        self.stop()
        raise TimeoutError(f"{self.name} did not answer at {self.probe_url()} in {timeout} s")

    def stop(self) -> None:
        """Stop the server (terminate, then kill) and wait for it."""
        if self.process is None:
            return
        if self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=self.stop_timeout)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
        if self.process.stderr:
            self.process.stderr.close()
        self.process = None

    def __enter__(self) -> Self:
        self.start()
        return self

    def __exit__(
        self,
        kind: type[BaseException] | None,
        error: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.stop()


class OxigraphServer(ManagedServer):
    """``oxigraph serve`` on ``host:port`` over the store folder ``location``, union default
    graph on; a context manager that waits until it answers and always stops it. With
    ``read_only`` (``oxigraph serve-read-only``) the engine refuses every write itself;
    ``timeout`` (seconds) cancels queries that run longer."""

    name = "oxigraph server"

    def __init__(
        self,
        location: Path,
        host: str = "127.0.0.1",
        port: int | None = None,
        *,
        read_only: bool = False,
        timeout: float | None = None,
    ) -> None:
        super().__init__()
        self.location = location
        self.host = host
        self.port = port or free_port(host)
        self.read_only = read_only
        self.timeout = timeout

    @property
    def url(self) -> str:
        """The server's base URL (query UI at ``/``, SPARQL at ``/query``, GSP at ``/store``)."""
        return f"http://{self.host}:{self.port}"

    def command(self) -> list[str]:
        command = [
            oxigraph_binary(),
            "serve-read-only" if self.read_only else "serve",
            "--location",
            str(self.location),
            "--bind",
            f"{self.host}:{self.port}",
            "--union-default-graph",
        ]
        if self.timeout:
            command += ["--timeout-s", str(max(1, math.ceil(self.timeout)))]  # as the front
        return command

    def probe_url(self) -> str:
        return f"{self.url}/query?query=ASK%7B%7D"
