"""Several igfkg processes on one on-disk store: readers take turns with an ingest and only
ever see whole files; a killed ingest is rolled back when the store is next opened."""

from __future__ import annotations

import json
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "benchmarks"))

import pubmed_synthetic  # noqa: E402

PER_FILE = 1500

READER = """
import json, sys, time
import igfkg
store, stop_after = sys.argv[1], float(sys.argv[2])
seen, deadline = [], time.monotonic() + stop_after
q = '''SELECT ?g (COUNT(?a) AS ?n) WHERE { GRAPH ?g {
  ?a a <https://w3id.org/igfkg/JournalArticle> }
  FILTER(STRSTARTS(STR(?g), "https://w3id.org/igfkg/graph/source/")) } GROUP BY ?g'''
while time.monotonic() < deadline:
    kg = igfkg.open("oxigraph:" + store)
    seen.append(sorted(int(r["n"].value) for r in kg.select(q)))
    kg.backend.close()
    del kg
    time.sleep(0.05)
print(json.dumps(seen))
"""


def _files(tmp: Path, count: int) -> list[Path]:
    return pubmed_synthetic.write_files(tmp / "xml", count * PER_FILE, PER_FILE)


def _ingest_command(store: Path, files: list[Path]) -> list[str]:
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
        *map(str, files),
    ]


def _init(store: Path) -> None:
    subprocess.run(
        [sys.executable, "-m", "igfkg", "--store", str(store), "sparql", "ASK {}"],
        check=True,
        capture_output=True,
    )


def test_two_readers_and_one_ingest_share_a_store(tmp_path: Path) -> None:
    store = tmp_path / "store"
    _init(store)
    files = _files(tmp_path, 4)
    writer = subprocess.Popen(
        _ingest_command(store, files),
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    readers = [
        subprocess.Popen(
            [sys.executable, "-c", READER, str(store), "15"],
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        for _ in range(2)
    ]
    out, err = writer.communicate(timeout=300)
    assert writer.returncode == 0, err
    for reader in readers:
        rout, rerr = reader.communicate(timeout=300)
        assert reader.returncode == 0, rerr
        views = json.loads(rout.strip().splitlines()[-1])
        assert views
        for view in views:
            assert all(n == PER_FILE for n in view), view  # whole files only
    assert out.count("articles") == len(files)
    final = subprocess.run(
        [sys.executable, "-c", READER, str(store), "0.01"],
        capture_output=True,
        text=True,
        check=True,
    )
    assert json.loads(final.stdout.strip().splitlines()[-1])[-1] == [PER_FILE] * len(files)


@pytest.mark.parametrize("kill_after", [1.0, 2.5])
def test_killed_ingest_is_rolled_back(tmp_path: Path, kill_after: float) -> None:
    store = tmp_path / "store"
    _init(store)
    big = pubmed_synthetic.write_files(tmp_path / "big", 15_000, 15_000)
    writer = subprocess.Popen(
        _ingest_command(store, big),
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    time.sleep(kill_after)
    writer.send_signal(signal.SIGKILL)
    writer.wait(timeout=30)
    view = subprocess.run(
        [sys.executable, "-c", READER, str(store), "0.01"],
        capture_output=True,
        text=True,
        check=True,
    )
    counts = json.loads(view.stdout.strip().splitlines()[-1])[-1]
    assert counts in ([], [15_000])  # the file landed whole, or not at all
    marker = subprocess.run(
        [
            sys.executable,
            "-m",
            "igfkg",
            "--store",
            str(store),
            "sparql",
            "ASK { GRAPH <https://w3id.org/igfkg/graph/control> { ?g ?p ?o } }",
        ],
        capture_output=True,
        text=True,
        check=True,
    )
    assert marker.stdout == "no\n"
    assert (
        subprocess.run(
            [sys.executable, "-m", "igfkg", "--store", str(store), "query", "adverse-effects"],
            capture_output=True,
            check=True,
        ).returncode
        == 0
    )
