"""Killed ingests: after a SIGKILL at any moment, the next open finds the store exactly as it was
before the file or exactly as a finished ingest leaves it (every quad, the literature index
included), in each scenario: a new file (whose articles partly leave
another file's graph), a re-ingested file, a file with deletions, and another file of the same
name (whose graph is then dropped).

Each scenario's two states are made by complete ingests; then ingests are killed at moments
spread evenly over a complete ingest's duration (stratified random), so that kills land in
every phase (start-up, parse, bulk load, the file's transaction, after it: the last kills may
come after the process ended). Both outcomes must be seen, so a test whose kills never reached
the commit (or always came after it) fails.

The one documented exception: the MeSH pair definitions a new file brings are written just
before its bulk load, so a kill after them may leave the definitions (the pair graph only grows)
with the rest of the store as before.
"""

from __future__ import annotations

import gzip
import random
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

import igfkg

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "benchmarks"))

import pubmed_synthetic  # noqa: E402
from synthetic import DEFAULT_TREE, read_tree  # noqa: E402

KILLS = 7  # per scenario, spread over 1.15 times a complete ingest's duration
SPAN = 1.15
FIRST = 95_000_001


def _xml(pmids: range | list[int], deleted: list[int] = (), title: str = "") -> bytes:  # type: ignore[assignment]
    names, _ = read_tree(DEFAULT_TREE)
    descriptors = sorted(names)
    parts = ['<?xml version="1.0" encoding="utf-8"?>\n<PubmedArticleSet>\n']
    for pmid in pmids:
        rng = random.Random(pmid)  # an article's content depends on its PMID only
        text = pubmed_synthetic.article_xml(rng, pmid, descriptors, names)
        if title and pmid % 3 == 0:
            text = text.replace("<ArticleTitle>", f"<ArticleTitle>{title} ", 1)
        parts.append(text)
    if deleted:
        pmid_xml = "".join(f'<PMID Version="1">{p}</PMID>' for p in deleted)
        parts.append(f"<DeleteCitation>{pmid_xml}</DeleteCitation>\n")
    parts.append("</PubmedArticleSet>\n")
    return gzip.compress("".join(parts).encode(), compresslevel=1)


def _ingest(store: Path, path: Path) -> list[str]:
    return [
        sys.executable,
        "-m",
        "igfkg",
        "--store",
        str(store),
        "ingest",
        "pubmed",
        "--workers",
        "1",
        str(path),
    ]


PAIRS = "<https://w3id.org/igfkg/graph/mesh-pairs>"


def _state(store: Path) -> tuple[frozenset[str], frozenset[str]]:
    """Every quad of the store, read after the open that recovers from a killed ingest: those
    of the MeSH pair definitions, and the others."""
    kg = igfkg.open(f"oxigraph:{store}")
    try:
        quads = [str(q) for q in kg.backend.quads()]
    finally:
        kg.backend.close()  # type: ignore[attr-defined]
    pairs = frozenset(q for q in quads if q.endswith(PAIRS))
    return frozenset(quads) - pairs, pairs


def _run(store: Path, path: Path) -> float:
    start = time.perf_counter()
    subprocess.run(_ingest(store, path), check=True, capture_output=True)
    return time.perf_counter() - start


def _scenario(tmp: Path, name: str) -> tuple[Path, Path]:
    """A base store and the file whose ingest is killed."""
    base = tmp / name / "base"
    base.parent.mkdir(parents=True)
    subprocess.run(
        [sys.executable, "-m", "igfkg", "--store", str(base), "sparql", "ASK {}"],
        check=True,
        capture_output=True,
    )
    first = tmp / name / "a" / "batch.xml.gz"
    first.parent.mkdir(parents=True)
    first.write_bytes(_xml(range(FIRST, FIRST + 1000)))
    _run(base, first)
    if name == "new file":  # 100 of its articles leave batch.xml.gz's graph
        path = tmp / name / "b" / "other.xml.gz"
        path.parent.mkdir()
        path.write_bytes(_xml(range(FIRST + 900, FIRST + 2000)))
    elif name == "re-ingested file":  # same path: changed, dropped and new articles
        path = first
        path.write_bytes(_xml(range(FIRST + 200, FIRST + 1200), title="Revised"))
    elif name == "deletions":  # deletes 300 articles of batch.xml.gz, moves 100 of them
        path = tmp / name / "b" / "update.xml.gz"
        path.parent.mkdir()
        deleted = list(range(FIRST, FIRST + 300))
        path.write_bytes(_xml(range(FIRST + 200, FIRST + 400), deleted=deleted))
    else:  # another batch.xml.gz, holding every article of the first: its graph is dropped
        path = tmp / name / "b" / "batch.xml.gz"
        path.parent.mkdir()
        path.write_bytes(_xml(range(FIRST, FIRST + 1100), title="Other"))
    return base, path


@pytest.mark.parametrize(
    "scenario", ["new file", "re-ingested file", "deletions", "same name, other folder"]
)
def test_killed_ingest_leaves_old_or_new_state(tmp_path: Path, scenario: str) -> None:
    base, path = _scenario(tmp_path, scenario)
    old = _state(base)
    done = tmp_path / "done"
    shutil.copytree(base, done)
    duration = _run(done, path)
    new = _state(done)
    assert old[0] != new[0]
    index = "<https://w3id.org/igfkg/graph/literature-index>"
    changed = {q for q in old[0] ^ new[0] if q.endswith(index)}
    assert changed, "the file changes the literature index"
    assert not any("graph/control" in q for q in new[0])
    allowed = {(old[0], old[1]), (new[0], new[1])}
    if scenario != "re-ingested file":  # a new graph: its new pair definitions may stay
        allowed.add((old[0], new[1]))
    rng = random.Random(13)
    seen = []
    for trial in range(KILLS):
        store = tmp_path / f"trial{trial}"
        shutil.copytree(base, store)
        process = subprocess.Popen(
            _ingest(store, path), stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
        )
        time.sleep((trial + rng.random()) / KILLS * SPAN * duration)
        process.send_signal(signal.SIGKILL)
        process.wait(timeout=30)
        state = _state(store)
        assert state in allowed, (
            f"kill {trial} ({scenario}): {len(state[0] - old[0] - new[0])} quads of neither "
            f"state, {len((old[0] & new[0]) - state[0])} of both missing"
        )
        seen.append("old" if state[0] == old[0] else "new")
        shutil.rmtree(store)
    # A loaded machine can shift the schedule: a kill landing after the commit is still needed
    # to show the schedule reaches it (one more, late, if none did), and one before it.
    delay = 1.5 * duration
    while "new" not in seen and delay < 8 * duration:
        seen.append(_kill_once(tmp_path, base, path, delay, allowed, old))
        delay *= 1.6
    assert set(seen) == {"old", "new"}, seen


def _kill_once(
    tmp: Path,
    base: Path,
    path: Path,
    delay: float,
    allowed: set[tuple[frozenset[str], frozenset[str]]],
    old: tuple[frozenset[str], frozenset[str]],
) -> str:
    store = tmp / "late"
    shutil.copytree(base, store)
    process = subprocess.Popen(
        _ingest(store, path), stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
    )
    time.sleep(delay)
    process.send_signal(signal.SIGKILL)
    process.wait(timeout=30)
    state = _state(store)
    shutil.rmtree(store)
    assert state in allowed
    return "old" if state[0] == old[0] else "new"
