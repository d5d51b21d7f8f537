"""The large-scale path, measured: synthetic PubMed XML -> sharded N-Quads (igfkg ingest
--nquads, both cores) -> Oxigraph's bulk loader -> literature queries through igfkg, on the
on-disk store and on the default in-memory store (the same quads loaded into memory).

Run: ``python benchmarks/bench_million.py [--articles 1000000] [--per-file 10000]``.
"""

from __future__ import annotations

import argparse
import resource
import signal
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
import pubmed_synthetic
import pyoxigraph as ox
from synthetic import DEFAULT_TREE

import igfkg
from igfkg.graph import KnowledgeGraph
from igfkg.literature.index import ensure_index
from igfkg.literature.ingest import export_nquads
from igfkg.literature.mesh import parse_mesh_file
from igfkg.release.build import build
from igfkg.store.server import oxigraph_binary

# (query, parameters, page size): the long lists also as their first page of 100 rows.
QUERIES: list[tuple[str, dict[str, str], int | None]] = [
    ("articles-by-mesh", {"descriptor": "MESH:D003920"}, None),
    ("articles-by-mesh", {"descriptor": "MESH:D003920"}, 100),
    ("literature-for-entity", {"entity": "kb:igf-1"}, None),
    ("literature-for-entity", {"entity": "kb:igf-1"}, 100),
    ("co-indexed-descriptors", {"descriptor": "kb:type-2-diabetes"}, None),
    ("mesh-headings", {"article": "PMID:90000001"}, None),
    ("claim-literature-support", {}, None),
]


def capped(func: Callable[[], int], seconds: int) -> tuple[int, float] | None:
    """(result, wall time) of one run of ``func``, or None past ``seconds``."""

    def alarm(signum: int, frame: object) -> None:
        raise TimeoutError

    previous = signal.signal(signal.SIGALRM, alarm)
    signal.alarm(seconds)
    start = time.perf_counter()
    try:
        return func(), time.perf_counter() - start
    except TimeoutError:
        return None
    finally:
        signal.alarm(0)
        signal.signal(signal.SIGALRM, previous)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--articles", type=int, default=1_000_000)
    parser.add_argument("--per-file", type=int, default=10_000)
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--cap", type=int, default=120, help="seconds per query run")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp)
        t0 = time.perf_counter()
        files = pubmed_synthetic.write_files(root / "xml", args.articles, args.per_file)
        print(
            f"generated {args.articles:,} articles in {len(files)} files "
            f"({time.perf_counter() - t0:.0f} s)"
        )
        shards = root / "nq"
        t0 = time.perf_counter()
        export_nquads(files, shards, workers=2, progress=False)
        export_s = time.perf_counter() - t0
        print(f"XML -> N-Quads: {args.articles / export_s:,.0f} records/s (2 workers)")
        build(igfkg.open(), root / "release")
        mesh = parse_mesh_file(DEFAULT_TREE)
        tail = f" <{mesh.graph}> .".encode()
        (shards / "mesh.nq").write_bytes(
            b"\n".join(
                line[:-2] + tail for line in mesh.ntriples.split(b"\n") if line.endswith(b" .")
            )
            + b"\n"
        )
        inputs = [root / "release" / "igfkg.nq", *sorted(shards.glob("*.nq"))]
        store = root / "store"
        t0 = time.perf_counter()
        cmd = [oxigraph_binary(), "load", "--location", str(store)]
        for path in inputs:
            cmd += ["--file", str(path)]
        subprocess.run(cmd, check=True, capture_output=True)
        load_s = time.perf_counter() - t0
        kg = igfkg.open(f"oxigraph:{store}")
        triples = len(kg)
        print(
            f"oxigraph bulk load: {triples:,} quads in {load_s:.0f} s "
            f"({triples / load_s:,.0f} quads/s)"
        )
        report(kg, "on disk", args.repeat, args.cap)
        kg.backend.close()  # type: ignore[attr-defined]
        memory = igfkg.open("oxigraph:")
        t0 = time.perf_counter()
        for path in inputs:
            memory.backend.store.bulk_load(  # type: ignore[attr-defined]
                path=str(path), format=ox.RdfFormat.N_QUADS, lenient=True
            )
        rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
        print(
            f"\nin-memory store: {len(memory):,} quads loaded in "
            f"{time.perf_counter() - t0:.0f} s, peak RSS {rss:,.0f} MB"
        )
        report(memory, "in memory", args.repeat, args.cap)


def report(kg: KnowledgeGraph, where: str, repeat: int, cap: int) -> None:
    """Rows and median latency of each literature query (capped runs). A bulk load bypasses
    ingest, which keeps the literature index current file by file, so the first
    claim-literature-support query would count every graph: that is timed apart first."""
    t0 = time.perf_counter()
    graphs = ensure_index(kg)
    print(f"literature index: {graphs} graphs counted in {time.perf_counter() - t0:.0f} s\n")
    print(f"| query (1M-article store {where}) | rows | median ms |\n|---|---|---|")
    for qid, params, limit in QUERIES:
        name = qid if limit is None else f"{qid} (first {limit} rows)"
        first = capped(lambda: len(kg.query(qid, limit=limit, **params)), cap)  # noqa: B023
        if first is None:
            print(f"| {name} | ? | > {cap * 1e3:,.0f} |")
            continue
        rows, _ = first
        times = []
        for _ in range(repeat):
            again = capped(lambda: len(kg.query(qid, limit=limit, **params)), cap)  # noqa: B023
            times.append(again[1] if again else float(cap))
        print(f"| {name} | {rows:,} | {statistics.median(times) * 1e3:,.1f} |")


if __name__ == "__main__":
    main()
