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
