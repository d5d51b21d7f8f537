"""Progress of long work (ingest, the literature index recount, build, exports), reported by
the services and shown by whoever installs a sink: the command line prints whole lines on
standard error, so progress never garbles the lines of an answer.

>>> seen = []
>>> with reporting(lambda task, done, total: seen.append((task, done, total))):
...     for n in range(1, 4):
...         step("recount", n, 3)
>>> seen[-1]
('recount', 3, 3)
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager

__all__ = ["Sink", "reporting", "step"]

#: A sink: the task, how much is done, and the total when known.
Sink = Callable[[str, int, "int | None"], None]
_sink: Sink | None = None


def step(task: str, done: int, total: int | None = None) -> None:
    """Report that ``done`` of ``total`` units of ``task`` are done (nothing without a sink)."""
    if _sink is not None:
        _sink(task, done, total)


@contextmanager
def reporting(sink: Sink) -> Iterator[None]:
    """Send progress to ``sink`` while the block runs."""
    global _sink
    previous, _sink = _sink, sink
    try:
        yield
    finally:
        _sink = previous
