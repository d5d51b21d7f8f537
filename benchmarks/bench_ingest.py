"""Ingest throughput against the parse-only ceiling, peak memory against file count, and the
latency of the literature queries, side by side in one run.

Run: ``python benchmarks/bench_ingest.py [--sizes 10000 100000] [--per-file 10000]``.
Synthetic PubMed XML comes from benchmarks/pubmed_synthetic.py (real MeSH tree).
"""

from __future__ import annotations

import argparse
import gzip
import json
import statistics
import subprocess
import sys
import tempfile
import time
import xml.etree.ElementTree as ET
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
import pubmed_synthetic
from synthetic import DEFAULT_TREE

import igfkg
from igfkg.literature.ingest import ingest_pubmed
from igfkg.literature.mesh import ingest_mesh

QUERIES = [
    ("articles-by-mesh", {"descriptor": "MESH:D003920"}),
    ("literature-for-entity", {"entity": "kb:igf-1"}),
    ("co-indexed-descriptors", {"descriptor": "kb:type-2-diabetes"}),
    ("claim-literature-support", {}),
]

_PEAK = """
import json, resource, sys
from pathlib import Path
import igfkg
from igfkg.literature.ingest import ingest_pubmed
files = [Path(p) for p in sys.argv[2:]]
kg = igfkg.open("oxigraph:" + sys.argv[1])
ingest_pubmed(kg, files, workers=1, progress=False)
print(json.dumps(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss))
"""


def parse_only(files: list[Path]) -> float:
    """Records per second of merely parsing the files with the same XML parser."""
    start, n = time.perf_counter(), 0
    for path in files:
        with gzip.open(path) as handle:
            for _, elem in ET.iterparse(handle):
                if elem.tag == "PubmedArticle":
                    n += 1
                    elem.clear()
    return n / (time.perf_counter() - start)


_RATE = """
import sys, time
from pathlib import Path
import igfkg
from igfkg.literature.ingest import export_nquads, ingest_pubmed
spec, workers, *files = sys.argv[1:]
paths = [Path(p) for p in files]
if spec.startswith("nquads:"):
    start = time.perf_counter()
    export_nquads(paths, Path(spec.removeprefix("nquads:")), workers=int(workers), progress=False)
else:
    kg = igfkg.open(spec)
    start = time.perf_counter()
    ingest_pubmed(kg, paths, workers=int(workers), progress=False)
print(time.perf_counter() - start)
"""


def _timed(spec: str, workers: int, files: list[Path]) -> float:
    """Seconds of one ingest in a fresh process, as ``igfkg ingest`` runs (workers forked from
    a process that held earlier stores were measured up to 15 % slower)."""
    out = subprocess.run(
        [sys.executable, "-c", _RATE, spec, str(workers), *map(str, files)],
        check=True,
        capture_output=True,
        text=True,
    )
    return float(out.stdout.strip().splitlines()[-1])


def ingest_rate(files: list[Path], articles: int, workers: int, spec: str = "oxigraph:") -> float:
    return articles / _timed(spec, workers, files)


def nquads_rate(files: list[Path], articles: int) -> float:
    """Records per second of ``ingest --nquads``: the same parsing and RDF, written as N-Quads
    shards for a store's bulk loader instead of indexed (both cores)."""
    with tempfile.TemporaryDirectory() as tmp:
        return articles / _timed(f"nquads:{tmp}", 2, files)


def peak_rss_mb(files: list[Path]) -> float:
    with tempfile.TemporaryDirectory() as tmp:
        out = subprocess.run(
            [sys.executable, "-c", _PEAK, f"{tmp}/store", *map(str, files)],
            check=True,
            capture_output=True,
            text=True,
        )
    return int(json.loads(out.stdout.strip().splitlines()[-1])) / 1024


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--sizes", type=int, nargs="+", default=[10_000, 100_000])
    parser.add_argument("--per-file", type=int, default=10_000)
    parser.add_argument("--repeat", type=int, default=5)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp)
        print(
            "| articles | files | parse-only rec/s | ingest rec/s (memory, 1 worker) | "
            "ingest rec/s (memory, 2 workers) | ingest rec/s (disk, 2 workers) | "
            "best store ingest / parse-only | ingest to N-Quads rec/s (2 workers) | "
            "N-Quads / parse-only |"
        )
        print("|---|---|---|---|---|---|---|---|---|")
        latencies: dict[int, dict[str, float]] = {}
        for size in args.sizes:
            files = pubmed_synthetic.write_files(root / str(size), size, args.per_file)
            ceiling = parse_only(files)
            one = ingest_rate(files, size, 1)
            two = ingest_rate(files, size, 2)
            disk = ingest_rate(files, size, 2, f"oxigraph:{root}/disk{size}")
            nquads = nquads_rate(files, size)
            best = max(one, two)
            print(
                f"| {size:,} | {len(files)} | {ceiling:,.0f} | {one:,.0f} | {two:,.0f} | "
                f"{disk:,.0f} | {best / ceiling:.2f} | {nquads:,.0f} | {nquads / ceiling:.2f} |"
            )
            kg = igfkg.open()
            ingest_mesh(kg, [DEFAULT_TREE])
            ingest_pubmed(kg, files, workers=2, progress=False)
            latencies[size] = {}
            for qid, params in QUERIES:
                kg.query(qid, **params)
                times = []
                for _ in range(args.repeat):
                    t0 = time.perf_counter()
                    kg.query(qid, **params)
                    times.append(time.perf_counter() - t0)
                latencies[size][qid] = statistics.median(times)
            del kg
        print("\n| query | " + " | ".join(f"{s:,} articles (ms)" for s in args.sizes) + " |")
        print("|---|" + "---|" * len(args.sizes))
        for qid, _ in QUERIES:
            print(
                f"| {qid} | "
                + " | ".join(f"{latencies[s][qid] * 1e3:.1f}" for s in args.sizes)
                + " |"
            )
        files = pubmed_synthetic.write_files(root / "mem", 10 * 2_000, 2_000)
        print("\n| files ingested (2,000 articles each) | peak RSS MB |\n|---|---|")
        for count in (2, 5, 10):
            print(f"| {count} | {peak_rss_mb(files[:count]):,.0f} |")


if __name__ == "__main__":
    main()
