"""Real triple-store servers for tests: Virtuoso (Debian's virtuoso-opensource) on loopback.

The Oxigraph server lives in :mod:`igfkg.store.server`; Virtuoso is only needed by the tests.
"""

from __future__ import annotations

import shutil
from pathlib import Path

from igfkg.store.server import ManagedServer, free_port

_INI = """[Database]
DatabaseFile = {d}/virtuoso.db
ErrorLogFile = {d}/virtuoso.log
LockFile = {d}/virtuoso.lck
TransactionFile = {d}/virtuoso.trx
xa_persistent_file = {d}/virtuoso.pxa
ErrorLogLevel = 7
FileExtend = 200
MaxCheckpointRemap = 2000
Striping = 0
TempStorage = TempDatabase

[TempDatabase]
DatabaseFile = {d}/virtuoso-temp.db
TransactionFile = {d}/virtuoso-temp.trx
MaxCheckpointRemap = 2000
Striping = 0

[Parameters]
ServerPort = 127.0.0.1:{sql}
DisableUnixSocket = 1
CheckpointInterval = 0
DirsAllowed = ., {d}
NumberOfBuffers = 20000
MaxDirtyBuffers = 15000
MaxQueryMem = 1G
ThreadsPerQuery = 2

[HTTPServer]
ServerPort = 127.0.0.1:{http}
ServerRoot = {d}
MaxClientConnections = 4
ServerThreads = 4
Charset = UTF-8

[SPARQL]
ResultSetMaxRows = 1000000
MaxQueryExecutionTime = 120
MaxQueryCostEstimationTime = 0
DefaultQuery = select distinct ?Concept where {{[] a ?Concept}} LIMIT 100
"""


def virtuoso_binary() -> str | None:
    """The Virtuoso server executable, if installed."""
    return shutil.which("virtuoso-t")


class Virtuoso(ManagedServer):
    """A throw-away Virtuoso server on loopback ports, stopped whatever happens."""

    name = "virtuoso"
    stop_timeout = 30

    def __init__(self, directory: Path) -> None:
        super().__init__()
        self.directory = directory
        self.http_port = free_port()
        self.sql_port = free_port()

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.http_port}"

    def command(self) -> list[str]:
        binary = virtuoso_binary()
        if binary is None:
            raise FileNotFoundError("virtuoso-t not found: apt-get install virtuoso-opensource")
        self.directory.mkdir(parents=True, exist_ok=True)
        ini = self.directory / "virtuoso.ini"
        ini.write_text(_INI.format(d=self.directory, sql=self.sql_port, http=self.http_port))
        return [binary, "-f", "-c", str(ini)]

    def probe_url(self) -> str:
        return f"{self.url}/sparql?query=ASK%7B%7D"

    def failure(self) -> str:
        log = self.directory / "virtuoso.log"
        return log.read_text(errors="replace")[-2000:] if log.exists() else super().failure()

    def start(self, timeout: float = 120) -> None:
        super().start(timeout)


class Listener:
    """A tiny HTTP listener on a free 127.0.0.1 port that counts the connections it gets: the
    target of a SERVICE or LOAD that must never be contacted."""

    def __init__(self) -> None:
        import socket
        import threading

        self.sock = socket.socket()
        self.sock.bind(("127.0.0.1", 0))
        self.sock.listen(16)
        self.sock.settimeout(0.2)
        self.port = int(self.sock.getsockname()[1])
        self.connections = 0
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)
        self._thread.start()

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}/sparql"

    def _run(self) -> None:
        while not self._stop.is_set():
            try:
                conn, _ = self.sock.accept()
            except OSError:
                continue
            self.connections += 1
            conn.close()

    def close(self) -> None:
        self._stop.set()
        self._thread.join(timeout=5)
        self.sock.close()


class Served:
    """``igfkg serve`` run as a user runs it (a subprocess), on a free port; stopped with
    SIGTERM. ``stderr`` holds what it printed before the endpoint line."""

    def __init__(self, *args: str, env: dict[str, str] | None = None) -> None:
        import os
        import subprocess
        import sys

        self.port = free_port()
        self.proc = subprocess.Popen(
            [sys.executable, "-m", "igfkg", "serve", "--port", str(self.port), *args],
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
            env={**os.environ, **(env or {})},
        )
        assert self.proc.stdout is not None
        self.line = self.proc.stdout.readline()
        if not self.line:
            err = self.proc.stderr.read() if self.proc.stderr else ""
            self.proc.wait(timeout=30)
            raise RuntimeError(f"igfkg serve did not start: {err}")
        self.url = f"http://127.0.0.1:{self.port}"

    def stop(self) -> str:
        """Stop the server; return its stderr."""
        import signal

        self.proc.send_signal(signal.SIGTERM)
        self.proc.wait(timeout=30)
        err = self.proc.stderr.read() if self.proc.stderr else ""
        for stream in (self.proc.stdout, self.proc.stderr):
            if stream:
                stream.close()
        return err
