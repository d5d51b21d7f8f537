"""The export benchmark (benchmarks/bench_export.py) still runs: a tiny store, both exports,
rows counted and peak RSS read per export process. Speeds are reported, never asserted."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def test_tiny_benchmark_run_reports_rows_and_memory(tmp_path: Path) -> None:
    out = tmp_path / "export.json"
    done = subprocess.run(
        [
            sys.executable,
            str(ROOT / "benchmarks" / "bench_export.py"),
            "--articles",
            "60",
            "--compare",
            "20",
            "--per-file",
            "20",
            "--workdir",
            str(tmp_path / "work"),
            "--json",
            str(out),
        ],
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert done.returncode == 0, done.stdout[-2000:] + done.stderr[-2000:]
    results = json.loads(out.read_text())
    small, large = results["runs"]
    assert (small["articles"], large["articles"]) == (20, 60)
    for run in (small, large):
        assert run["kgx"]["rows"] == run["neo4j"]["rows"]
        for fmt in ("kgx", "neo4j"):
            assert run[fmt]["peak_rss_mib"] > 10
            assert run[fmt]["rows_per_s"] > 0
    # 40 more articles: at least 40 more nodes and 40 more mentions edges.
    assert large["kgx"]["rows"] >= small["kgx"]["rows"] + 80
    assert set(results["rss_ratio"]) == {"kgx", "neo4j"}
    assert "| 60 | neo4j |" in done.stdout
