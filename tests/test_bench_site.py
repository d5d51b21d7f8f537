"""The site's load benchmark (benchmarks/bench_site.py) still runs: a short run with a few
clients on the bundled graph completes with no errors and reports every kind of request.
Speed targets are reported by the benchmark, never asserted here."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
KINDS = {"entity", "search", "autocomplete", "query"}


def test_short_benchmark_run_has_no_errors_and_reports_every_kind(tmp_path: Path) -> None:
    out = tmp_path / "site.json"
    done = subprocess.run(
        [
            sys.executable,
            str(ROOT / "benchmarks" / "bench_site.py"),
            "--setup",
            "bundled",
            "--clients",
            "4",
            "--seconds",
            "2",
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
    assert results["clients"] == 4
    bundled = results["setups"]["bundled"]
    assert bundled["entity_pages"] > 50  # the bundled KB's entities and studies
    cold, steady = bundled["cold"], bundled["steady"]
    assert set(cold) == KINDS
    assert set(steady) == KINDS | {"all"}
    for kind in KINDS:
        # The cold pass requests every URL of the plan exactly once.
        assert cold[kind]["requests"] == bundled["urls"][kind]
        assert steady[kind]["requests"] > 0
        assert steady[kind]["throughput"] > 0
        for result in (cold[kind], steady[kind]):
            assert result["errors"] == 0, result["first_errors"]
            assert 0 < result["p50_ms"] <= result["p95_ms"] <= result["p99_ms"]
    assert steady["all"]["requests"] == sum(steady[k]["requests"] for k in KINDS)
    assert {t["kind"] for t in bundled["targets"]} == {"entity", "search", "autocomplete"}
    assert all(t["cold"] in ("PASS", "MISS") for t in bundled["targets"])
    for kind in KINDS:
        assert f"| {kind} |" in done.stdout  # the printed table has a row per kind
    # The server was stopped; a request that fails counts as an error.
    sys.path.insert(0, str(ROOT / "benchmarks"))
    import bench_site

    error = bench_site._fetch(bench_site._connect(bundled["url"]), "/kb/igf-1")
    assert error is not None
    assert "ConnectionRefusedError" in error
