"""The reading benchmark (benchmarks/bench_read.py) still runs: tiny sizes of every part, its
tables printed, rates and memory samples reported, the evidence store holding what was
generated. Speeds are reported, never asserted."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
REAL = ROOT / "tests" / "data" / "real" / "pubmed"


def test_tiny_benchmark_run_prints_every_table(tmp_path: Path) -> None:
    out = tmp_path / "read.json"
    done = subprocess.run(
        [
            sys.executable,
            str(ROOT / "benchmarks" / "bench_read.py"),
            "--real",
            str(REAL),
            "--synthetic",
            "20",
            "--no-mesh",
            "--min-pass",
            "40",
            "--repeat",
            "1",
            "--n",
            "1200",
            "--interval",
            "0.05",
            "--articles",
            "300",
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

    runs = {r["corpus"]: r for r in results["read"]["runs"]}
    assert set(runs) == {"real", "synthetic"}
    assert runs["synthetic"]["abstracts"] == 20
    assert 1000 < runs["synthetic"]["mean_chars"] < 2000
    assert runs["synthetic"]["evidence_per_abstract"] > 0.5  # names were inserted and found
    for run in runs.values():
        for key in ("ceiling", "read", "read_rdf"):
            assert run[key]["per_s"] > 0
    assert "| synthetic | KB (" in done.stdout
    assert "splitter + matcher /core/s" in done.stdout

    throughput = results["throughput"]
    assert throughput["abstracts"] == 1200
    assert throughput["workers"] == 2
    assert throughput["evidence_sentences"] > 600
    assert len(throughput["peak_workers_mib"]) == 2  # both workers were sampled
    assert throughput["rss_at"]["100%"]["done"] == 1200
    assert "target < 15 min" in done.stdout
    assert "| 100% | 1,200 |" in done.stdout

    queries = results["queries"]
    assert queries["store"]["articles"] == 300
    # The store holds the bundled graph and every generated quad.
    assert queries["store"]["store_quads"] > queries["store"]["evidence_quads"]
    timed = {(q["query"], q["limit"]) for q in queries["queries"]}
    for qid in ("evidence-sentences", "candidate-statements", "claims-without-literature"):
        assert (qid, 20) in timed
        assert (qid, None) in timed
    common = [
        q
        for q in queries["queries"]
        if q["query"] == "evidence-sentences" and q["params"] == {"entity": "kb:insulin"}
    ]
    page, whole = common
    assert page["limit"] == 20
    assert page["rows"] == 20 < whole["rows"]
    assert "| evidence-sentences (first 20) | entity=kb:insulin | 20 |" in done.stdout
    # describe's counts are the sentences the whole answer lists (the bulk-loaded counts were
    # checked against a recount when the store was built).
    described = [q for q in queries["queries"] if q["query"] == "describe"]
    assert described[0]["params"]["entity"] == "kb:insulin"
    assert described[0]["rows"] == whole["rows"]
