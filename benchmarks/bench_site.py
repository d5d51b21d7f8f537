"""Load benchmark of the served site (issue 16): ``igfkg serve`` under concurrent clients.

Starts ``igfkg serve --port 0`` (a free 127.0.0.1 port, read from its first line) as a user
runs it, then measures, per kind of page (entity pages round-robin over every entity, HTML
search, JSON autocomplete, one canned query page):

- a cold pass: every distinct URL once, one request at a time, against a fresh server: what
  rendering a page costs (the server caches rendered answers while the graph is read-only);
- the steady state: ``--clients`` concurrent clients for ``--seconds`` over a fixed mix
  (entity 4 : autocomplete 2 : search 1 : query 1), on the now-cached answers.

Two setups: ``bundled`` (the bundled graph) and ``store`` (an on-disk store with ``--articles``
synthetic PubMed articles, from benchmarks/pubmed_synthetic.py, ingested with ``igfkg ingest``;
built once under ``--workdir`` and reused). The client (one thread and one kept-alive
connection per client, the standard library's http.client: ~0.15 ms of CPU per request, where
httpx took 1-5 ms and became the bottleneck) runs on the same machine as the server and shares
its cores; the CPU each used during the steady run is reported. Any non-200 answer or
exception is an error; the run exits 1 if there was any. Targets are reported (PASS/MISS), not
asserted.

Run: ``python benchmarks/bench_site.py [--setup bundled|store|both] [--clients 50]
[--seconds 30] [--articles 100000] [--workdir DIR] [--json FILE] [--profile FILE]``.
"""

from __future__ import annotations

import argparse
import datetime
import http.client
import itertools
import json
import math
import os
import platform
import shutil
import signal
import subprocess
import sys
import tempfile
import threading
import time
import urllib.parse
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))
import pubmed_synthetic
from synthetic import DEFAULT_TREE

KINDS = ("entity", "search", "autocomplete", "query")
#: One cycle of the steady-state mix: which kind each request is.
MIX = ("entity", "autocomplete", "entity", "search", "entity", "autocomplete", "entity", "query")
#: What visitors type: labels, synonyms, abbreviations, brand names, prefixes.
SEARCH_TERMS = (
    "somatomedin", "igf", "IGF-1", "T2D", "type 2 diabetes", "mecasermin", "Increlex",
    "insulin res", "growth hormone", "somatropin", "IGFBP-3", "acid-labile", "hba1c",
    "neuropathy", "oedema", "NIDDM",
)  # fmt: skip
QUERY_PAGE = "/queries/adverse-effects"
#: p50 targets of issue 16, in ms: (setup, kind) -> target. Search covers both search kinds.
TARGETS = {
    ("bundled", "entity"): 50.0,
    ("bundled", "search"): 20.0,
    ("bundled", "autocomplete"): 20.0,
    ("store", "entity"): 300.0,
    ("store", "search"): 50.0,
    ("store", "autocomplete"): 50.0,
}

# Runs igfkg's CLI with every thread profiled (the site's handlers run in worker threads),
# for --profile only; the stats are written when the server stops.
_PROFILED = """
import cProfile, pstats, sys, threading
out = sys.argv[1]
profiles = []
lock = threading.Lock()

def start():
    profile = cProfile.Profile()
    with lock:
        profiles.append(profile)
    profile.enable()

def hook(frame, event, arg):
    sys.setprofile(None)
    start()

threading.setprofile(hook)
start()
from igfkg.cli import main
try:
    main(sys.argv[2:], prog_name="igfkg", standalone_mode=False)
finally:
    for profile in profiles:
        profile.disable()
    stats = pstats.Stats(profiles[0])
    for profile in profiles[1:]:
        try:
            stats.add(profile)
        except TypeError:  # a thread that never ran a profiled call
            pass
    stats.dump_stats(out)
"""


def percentile(sorted_values: list[float], p: float) -> float:
    """Nearest-rank percentile of an ascending list (NaN if empty).

    >>> percentile([1.0, 2.0, 3.0, 4.0], 50)
    2.0
    """
    if not sorted_values:
        return math.nan
    rank = max(1, math.ceil(p / 100 * len(sorted_values)))
    return sorted_values[rank - 1]


@dataclass
class Samples:
    """Latencies (seconds) and errors of one kind of request in one pass."""

    latencies: list[float] = field(default_factory=list)
    errors: int = 0
    first_errors: list[str] = field(default_factory=list)

    def add(self, seconds: float, error: str | None) -> None:
        self.latencies.append(seconds)
        if error is not None:
            self.errors += 1
            if len(self.first_errors) < 5:
                self.first_errors.append(error)

    def summary(self, elapsed: float) -> dict[str, Any]:
        ms = sorted(x * 1e3 for x in self.latencies)
        return {
            "requests": len(ms),
            "throughput": len(ms) / elapsed if elapsed > 0 else math.nan,
            "p50_ms": percentile(ms, 50),
            "p95_ms": percentile(ms, 95),
            "p99_ms": percentile(ms, 99),
            "max_ms": ms[-1] if ms else math.nan,
            "errors": self.errors,
            "first_errors": self.first_errors,
        }


def plan(names: list[str]) -> dict[str, list[str]]:
    """The URLs of each kind: every entity page, search for each term, autocomplete for each
    prefix a visitor types (from two characters), the canned query page."""
    quote = urllib.parse.quote
    prefixes = dict.fromkeys(t[:n] for t in SEARCH_TERMS for n in range(2, len(t) + 1))
    return {
        "entity": [f"/kb/{quote(n)}" for n in names],
        "search": [f"/search?q={quote(t)}" for t in SEARCH_TERMS],
        "autocomplete": [f"/api/search?q={quote(p)}" for p in prefixes],
        "query": [QUERY_PAGE],
    }


def cpu_seconds(pid: int) -> float:
    """User + system CPU seconds of process ``pid`` so far (Linux /proc; NaN elsewhere)."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return math.nan
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def _fetch(connection: http.client.HTTPConnection, url: str) -> str | None:
    """GET ``url`` on a kept-alive connection and read the whole answer: None if it was a
    200, else what went wrong (the connection is then closed; the next request reopens it)."""
    try:
        connection.request("GET", url)
        response = connection.getresponse()
        response.read()
    except (OSError, http.client.HTTPException) as problem:
        connection.close()
        return f"{url}: {type(problem).__name__}: {problem}"
    if response.status != 200:
        return f"{url}: HTTP {response.status}"
    return None


def _connect(base: str) -> http.client.HTTPConnection:
    address = urllib.parse.urlsplit(base)
    return http.client.HTTPConnection(address.hostname or "", address.port, timeout=600)


def cold_pass(
    base: str, urls: dict[str, list[str]]
) -> tuple[dict[str, dict[str, Any]], list[tuple[float, str]]]:
    """Every URL once, one at a time, kinds interleaved: uncached render latency per kind, and
    the five slowest URLs (ms, URL)."""
    samples = {kind: Samples() for kind in KINDS}
    each: list[tuple[float, str]] = []
    order = [(k, i, u) for k in KINDS for i, u in enumerate(urls[k])]
    order.sort(key=lambda item: item[1] / len(urls[item[0]]))
    connection = _connect(base)
    start = time.perf_counter()
    for kind, _, url in order:
        t0 = time.perf_counter()
        error = _fetch(connection, url)
        took = time.perf_counter() - t0
        samples[kind].add(took, error)
        each.append((took * 1e3, url))
    elapsed = time.perf_counter() - start
    connection.close()
    slowest = sorted(each, reverse=True)[:5]
    out = {kind: s.summary(elapsed) for kind, s in samples.items()}
    for result in out.values():
        del result["throughput"]  # one request at a time: not a rate worth quoting
    return out, slowest


def request_of(number: int, urls: dict[str, list[str]]) -> tuple[str, str]:
    """The kind and URL of the ``number``-th request of the mix: kinds in the order of MIX,
    each kind's URLs round-robin.

    >>> request_of(0, {"entity": ["/kb/a", "/kb/b"]})
    ('entity', '/kb/a')
    >>> request_of(2, {"entity": ["/kb/a", "/kb/b"]})
    ('entity', '/kb/b')
    """
    cycle, position = divmod(number, len(MIX))
    kind = MIX[position]
    index = cycle * MIX.count(kind) + MIX[:position].count(kind)
    return kind, urls[kind][index % len(urls[kind])]


def load(
    base: str, urls: dict[str, list[str]], clients: int, seconds: float
) -> tuple[dict[str, dict[str, Any]], float]:
    """``clients`` concurrent clients (threads, one kept-alive connection each) for
    ``seconds``, each taking the next request of the mix; per-kind results and the wall time
    of the run (until the last request started before the deadline is answered)."""
    numbers = itertools.count()
    per_client = [{kind: Samples() for kind in KINDS} for _ in range(clients)]
    start = time.perf_counter()
    deadline = start + seconds

    def visitor(samples: dict[str, Samples]) -> None:
        connection = _connect(base)
        while time.perf_counter() < deadline:
            kind, url = request_of(next(numbers), urls)
            t0 = time.perf_counter()
            error = _fetch(connection, url)
            samples[kind].add(time.perf_counter() - t0, error)
        connection.close()

    threads = [threading.Thread(target=visitor, args=(s,), daemon=True) for s in per_client]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    elapsed = time.perf_counter() - start
    merged = {kind: Samples() for kind in KINDS}
    for samples in per_client:
        for kind, one in samples.items():
            merged[kind].latencies += one.latencies
            merged[kind].errors += one.errors
            merged[kind].first_errors += one.first_errors[: 5 - len(merged[kind].first_errors)]
    out = {kind: s.summary(elapsed) for kind, s in merged.items()}
    everything = Samples([x for s in merged.values() for x in s.latencies])
    everything.errors = sum(s.errors for s in merged.values())
    out["all"] = everything.summary(elapsed)
    return out, elapsed


@contextmanager
def served(
    store: Path | None, log: Path, profile: Path | None = None, timeout: float = 1800
) -> Iterator[tuple[str, float, int]]:
    """``igfkg [--store S] serve --port 0`` in a subprocess: yields (base URL, seconds until
    it announced itself, process id); stopped with SIGTERM (killed if it does not stop), also
    on error."""
    options = ["--store", str(store)] if store is not None else []
    args = [*options, "serve", "--port", "0"]
    if profile is not None:
        command = [sys.executable, "-c", _PROFILED, str(profile), *args]
    else:
        command = [sys.executable, "-m", "igfkg", *args]
    log.parent.mkdir(parents=True, exist_ok=True)
    with log.open("w") as err:
        t0 = time.perf_counter()
        # Run from the work folder: the igfkg imported is the one this script imports
        # (PYTHONPATH or installed), not one that happens to be in the current folder.
        proc = subprocess.Popen(
            command, stdout=subprocess.PIPE, stderr=err, text=True, cwd=log.parent
        )
        try:
            assert proc.stdout is not None
            first: list[str] = []
            reader = threading.Thread(target=lambda: first.append(proc.stdout.readline()))  # type: ignore[union-attr]
            reader.daemon = True
            reader.start()
            reader.join(timeout)
            line = first[0] if first else ""
            if "igfkg site: http://" not in line:
                raise RuntimeError(
                    f"igfkg serve did not start: {line!r}; {log.read_text()[-2000:]}"
                )
            base = line.split("igfkg site: ", 1)[1].split()[0].rstrip("/")
            yield base, time.perf_counter() - t0, proc.pid
        finally:
            if proc.poll() is None:
                proc.send_signal(signal.SIGTERM)
                try:
                    proc.wait(timeout=60)
                except subprocess.TimeoutExpired:
                    proc.kill()
                    proc.wait()
            if proc.stdout is not None:
                proc.stdout.close()


def build_store(workdir: Path, articles: int, per_file: int) -> tuple[Path, str]:
    """An on-disk store with the bundled graph, the MeSH tree and ``articles`` synthetic
    articles, ingested as a user would (``igfkg --store S ingest mesh|pubmed``); reused when
    already built with the same figures. Returns the store and what was done.

    The store is then served once: the first ``igfkg serve`` of a store writes the OWL 2 RL
    closure into it."""
    root = workdir / f"store-{articles}-{per_file}"
    store = root / "store"
    stamp = root / "built.json"
    wanted = {"articles": articles, "per_file": per_file, "seed": 7, "closure": True}
    if stamp.exists() and json.loads(stamp.read_text()).get("wanted") == wanted:
        done = json.loads(stamp.read_text())
        return store, "store reused from --workdir, " + _built(done)
    shutil.rmtree(root, ignore_errors=True)
    t0 = time.perf_counter()
    files = pubmed_synthetic.write_files(root / "xml", articles, per_file)
    generated = time.perf_counter() - t0

    def igfkg(*args: str) -> None:
        subprocess.run(
            [sys.executable, "-m", "igfkg", "--store", str(store), *args],
            check=True,
            stdout=subprocess.DEVNULL,
            cwd=workdir,
        )

    t0 = time.perf_counter()
    igfkg("ingest", "mesh", str(DEFAULT_TREE))
    mesh = time.perf_counter() - t0
    t0 = time.perf_counter()
    igfkg("ingest", "pubmed", "--workers", "2", *map(str, files))
    ingest = time.perf_counter() - t0
    shutil.rmtree(root / "xml")
    with served(store, workdir / "serve-first.log") as (_, closure, _):
        pass
    done = {
        "wanted": wanted,
        "generate_s": generated,
        "mesh_s": mesh,
        "ingest_s": ingest,
        "closure_s": closure,
        "date": datetime.datetime.now(datetime.UTC).isoformat(timespec="seconds"),
    }
    stamp.write_text(json.dumps(done, indent=1))
    return store, "store built in --workdir, " + _built(done)


def _built(done: dict[str, Any]) -> str:
    articles = done["wanted"]["articles"]
    return (
        f"{done['date']}: {articles:,} articles generated in {done['generate_s']:.0f} s, "
        f"MeSH tree ingested in {done['mesh_s']:.0f} s, articles in {done['ingest_s']:.0f} s "
        f"({articles / done['ingest_s']:,.0f}/s), first igfkg serve (writes the OWL 2 RL "
        f"closure) answered after {done['closure_s']:.0f} s"
    )


def entity_names(store: Path | None) -> list[str]:
    """The names of the site's entity pages (``/kb/<name>``), read from the served graph."""
    import igfkg
    from igfkg.web.model import pages

    kg = igfkg.open() if store is None else igfkg.open(f"oxigraph:{store}", read_only=True)
    names = [p.name for p in pages(kg)]
    if store is not None:
        kg.backend.close()  # type: ignore[attr-defined]
    return names


def _row(label: str, kind: str, r: dict[str, Any]) -> str:
    per_second = f"{r['throughput']:,.1f}" if "throughput" in r else "–"
    return (
        f"| {label} | {kind} | {r['requests']:,} | {per_second} | {r['p50_ms']:.1f} | "
        f"{r['p95_ms']:.1f} | {r['p99_ms']:.1f} | {r['errors']} |"
    )


def run_setup(setup: str, args: argparse.Namespace) -> dict[str, Any]:
    """Both passes on one setup; prints its tables and returns its results."""
    store, note = None, "bundled graph, in memory"
    if setup == "store":
        store, built = build_store(args.workdir, args.articles, args.per_file)
        note = (
            f"on-disk store: bundled graph + MeSH 2015 tree + {args.articles:,} synthetic "
            f"PubMed articles"
        )
        print(built, flush=True)
    names = entity_names(store)
    urls = plan(names)
    profile = args.profile.with_suffix(f".{setup}.prof") if args.profile else None
    log = args.workdir / f"serve-{setup}.log"
    with served(store, log, profile) as (base, ready, pid):
        load_before = os.getloadavg()[0]
        print(
            f"\n## {setup}: {note}; {len(names)} entity pages, {len(urls['search'])} search "
            f"terms, {len(urls['autocomplete'])} autocomplete prefixes, 1 query page\n"
            f"server answered after {ready:.1f} s; {args.clients} clients for {args.seconds:g} s; "
            f"client ({args.clients} threads, http.client) and server share this machine's "
            f"{os.cpu_count()} cores (1-min load average before the run: "
            f"{load_before:.1f})\n",
            flush=True,
        )
        cold, slowest = cold_pass(base, urls)
        server_cpu, client_cpu = cpu_seconds(pid), time.process_time()
        steady, elapsed = load(base, urls, args.clients, args.seconds)
        server_cpu = cpu_seconds(pid) - server_cpu
        client_cpu = time.process_time() - client_cpu
    print("| pass | kind | requests | req/s | p50 ms | p95 ms | p99 ms | errors |")
    print("|---|---|---|---|---|---|---|---|")
    for kind in KINDS:
        print(_row("cold (uncached, 1 at a time)", kind, cold[kind]))
    for kind in (*KINDS, "all"):
        print(_row(f"steady ({args.clients} clients, cached)", kind, steady[kind]))
    print("\nslowest in the cold pass: " + ", ".join(f"{u} {ms:,.0f} ms" for ms, u in slowest))
    print(
        f"CPU during the steady run ({elapsed:.1f} s wall): server {server_cpu:.1f} s, "
        f"client {client_cpu:.1f} s, of {elapsed * (os.cpu_count() or 1):.0f} core-seconds"
    )
    verdicts = []
    print("\n| target (p50) | cold p50 ms | verdict | steady p50 ms | verdict |")
    print("|---|---|---|---|---|")
    for (where, kind), limit in TARGETS.items():
        if where != setup:
            continue
        c, s = cold[kind]["p50_ms"], steady[kind]["p50_ms"]
        verdict = {
            "kind": kind,
            "target_ms": limit,
            "cold_p50_ms": c,
            "cold": "PASS" if c < limit else "MISS",
            "steady_p50_ms": s,
            "steady": "PASS" if s < limit else "MISS",
        }
        verdicts.append(verdict)
        print(
            f"| {kind} < {limit:g} ms | {c:.1f} | {verdict['cold']} | {s:.1f} | "
            f"{verdict['steady']} |"
        )
    for name, result in (("cold", cold), ("steady", steady)):
        for kind, r in result.items():
            for message in r["first_errors"]:
                print(f"error ({name}, {kind}): {message}")
    return {
        "setup": note,
        "url": base,
        "entity_pages": len(names),
        "urls": {k: len(v) for k, v in urls.items()},
        "server_ready_s": ready,
        "load_average_before": load_before,
        "cold": cold,
        "cold_slowest": [{"url": u, "ms": ms} for ms, u in slowest],
        "steady": steady,
        "steady_elapsed_s": elapsed,
        "steady_cpu_s": {"server": server_cpu, "client": client_cpu},
        "targets": verdicts,
    }


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--setup", choices=["bundled", "store", "both"], default="bundled")
    parser.add_argument("--clients", type=int, default=50)
    parser.add_argument("--seconds", type=float, default=30.0)
    parser.add_argument("--articles", type=int, default=100_000)
    parser.add_argument("--per-file", type=int, default=10_000)
    parser.add_argument(
        "--workdir",
        type=Path,
        default=Path(tempfile.gettempdir()) / "igfkg-bench-site",
        help="where the store is built and kept for reruns, and the server logs",
    )
    parser.add_argument("--json", type=Path, help="also write the results here")
    parser.add_argument(
        "--profile",
        type=Path,
        help="run the server under cProfile (every thread) and write FILE.<setup>.prof; "
        "the profiler slows it down, so its timings are not the benchmark's",
    )
    args = parser.parse_args()
    args.workdir = args.workdir.resolve()  # the server and ingest run from there
    if args.profile is not None:
        args.profile = args.profile.resolve()
    setups = ["bundled", "store"] if args.setup == "both" else [args.setup]
    results = {
        "date": datetime.datetime.now(datetime.UTC).isoformat(timespec="seconds"),
        "machine": f"{platform.machine()}, {os.cpu_count()} cores, Python "
        f"{platform.python_version()}",
        "clients": args.clients,
        "seconds": args.seconds,
        "mix": list(MIX),
        "setups": {setup: run_setup(setup, args) for setup in setups},
    }
    if args.json is not None:
        args.json.write_text(json.dumps(results, indent=1) + "\n")
    errors = sum(
        r["errors"]
        for setup in results["setups"].values()
        for one in (setup["cold"], setup["steady"])
        for kind, r in one.items()
        if kind != "all"
    )
    if errors:
        print(f"\n{errors} errors (non-200 answers or failed requests)", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
