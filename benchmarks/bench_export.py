"""Streaming benchmark of the property-graph exports (issue 17): ``igfkg export --format kgx``
and ``--format neo4j`` of an on-disk store with ``--articles`` synthetic PubMed articles.

The store (bundled graph + MeSH tree + synthetic articles from benchmarks/pubmed_synthetic.py,
ingested with ``igfkg --store S ingest mesh|pubmed`` as a user would) is built once under
``--workdir`` and reused. Each export runs as its own process (``python -m igfkg``); its wall
time, rows written (nodes + edges) per second and peak RSS (``ru_maxrss`` of that process,
from ``os.wait4``) are reported. With ``--compare N`` a second store of N articles is exported
too and the peak-RSS ratio (large / small) is printed: a streaming export stays near 1.

Run: ``python benchmarks/bench_export.py [--articles 1000000] [--compare 100000]
[--per-file 10000] [--workdir DIR] [--json FILE]``.
"""

from __future__ import annotations

import argparse
import datetime
import json
import os
import platform
import shutil
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))
import pubmed_synthetic
from synthetic import DEFAULT_TREE

FORMATS = ("kgx", "neo4j")
FILES = {"kgx": ("nodes.tsv", "edges.tsv"), "neo4j": ("nodes.csv", "relationships.csv")}


def build_store(workdir: Path, articles: int, per_file: int) -> tuple[Path, dict[str, Any]]:
    """An on-disk store with ``articles`` synthetic articles ingested (reused when built)."""
    root = workdir / f"export-store-{articles}-{per_file}"
    store, stamp = root / "store", root / "built.json"
    wanted = {"articles": articles, "per_file": per_file, "seed": 7}
    if stamp.exists() and json.loads(stamp.read_text()).get("wanted") == wanted:
        return store, {**json.loads(stamp.read_text()), "reused": True}
    shutil.rmtree(root, ignore_errors=True)
    files = pubmed_synthetic.write_files(root / "xml", articles, per_file)

    def igfkg(*args: str) -> None:
        subprocess.run(
            [sys.executable, "-m", "igfkg", "--store", str(store), *args],
            check=True,
            stdout=subprocess.DEVNULL,
            cwd=workdir,
        )

    t0 = time.perf_counter()
    igfkg("ingest", "mesh", str(DEFAULT_TREE))
    igfkg("ingest", "pubmed", "--workers", "2", *map(str, files))
    done = {"wanted": wanted, "ingest_s": time.perf_counter() - t0}
    shutil.rmtree(root / "xml")
    stamp.write_text(json.dumps(done))
    return store, {**done, "reused": False}


def export(store: Path, fmt: str, out: Path) -> dict[str, Any]:
    """One export in its own process: seconds, rows, rows/s, peak RSS (MiB)."""
    shutil.rmtree(out, ignore_errors=True)
    cmd = [sys.executable, "-m", "igfkg", "--store", str(store), "export", "--format", fmt]
    t0 = time.perf_counter()
    proc = subprocess.Popen([*cmd, "-o", str(out)], stdout=subprocess.DEVNULL)
    _, status, usage = os.wait4(proc.pid, 0)
    seconds = time.perf_counter() - t0
    proc.returncode = os.waitstatus_to_exitcode(status)
    if proc.returncode != 0:
        raise SystemExit(f"{' '.join(cmd)}: exit {proc.returncode}")
    rows = 0
    for name in FILES[fmt]:
        with (out / name).open("rb") as f:
            rows += sum(1 for _ in f) - 1  # less the header
    size = sum((out / n).stat().st_size for n in FILES[fmt])
    shutil.rmtree(out)
    return {
        "seconds": seconds,
        "rows": rows,
        "rows_per_s": rows / seconds,
        "peak_rss_mib": usage.ru_maxrss / 1024,  # KiB on Linux
        "bytes": size,
    }


def run(articles: int, per_file: int, workdir: Path) -> dict[str, Any]:
    store, built = build_store(workdir, articles, per_file)
    out: dict[str, Any] = {"articles": articles, "store": built}
    for fmt in FORMATS:
        out[fmt] = export(store, fmt, workdir / f"out-{fmt}")
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--articles", type=int, default=1_000_000)
    parser.add_argument("--compare", type=int, default=0, help="also export N articles")
    parser.add_argument("--per-file", type=int, default=10_000)
    parser.add_argument("--workdir", type=Path, default=Path("bench-export-work"))
    parser.add_argument("--json", type=Path)
    args = parser.parse_args()
    args.workdir = args.workdir.resolve()
    args.workdir.mkdir(parents=True, exist_ok=True)
    sizes = sorted({args.articles, *([args.compare] if args.compare else [])})
    results: dict[str, Any] = {
        "date": datetime.date.today().isoformat(),
        "machine": f"{platform.machine()}, {os.cpu_count()} cores, "
        f"Python {platform.python_version()}",
        "runs": [run(n, min(args.per_file, n), args.workdir) for n in sizes],
    }
    print("| articles | format | rows | seconds | rows/s | peak RSS (MiB) |")
    print("|---:|---|---:|---:|---:|---:|")
    for r in results["runs"]:
        for fmt in FORMATS:
            x = r[fmt]
            print(
                f"| {r['articles']:,} | {fmt} | {x['rows']:,} | {x['seconds']:.1f} "
                f"| {x['rows_per_s']:,.0f} | {x['peak_rss_mib']:.0f} |"
            )
    if len(results["runs"]) == 2:
        small, large = results["runs"]
        results["rss_ratio"] = {
            fmt: large[fmt]["peak_rss_mib"] / small[fmt]["peak_rss_mib"] for fmt in FORMATS
        }
        for fmt, ratio in results["rss_ratio"].items():
            print(
                f"peak RSS {fmt}: {large['articles']:,} / {small['articles']:,} articles = "
                f"{ratio:.2f}"
            )
    if args.json:
        args.json.write_text(json.dumps(results, indent=2))


if __name__ == "__main__":
    main()
