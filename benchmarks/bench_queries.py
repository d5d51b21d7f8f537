"""Load time and canned-query latency: igfkg vs. raw pyoxigraph vs. rdflib, side by side.

Run: ``python benchmarks/bench_queries.py [--articles 16000] [--repeat 15]``. Builds the KB plus a
synthetic MeSH-indexed article graph of about 1M triples (benchmarks/synthetic.py), then reports
ratios measured in this one run. Targets (issue 3): igfkg/pyoxigraph <= 1.2 per query, <= 1.1 for
load; the ``igfkg query`` command does not import rdflib, pySHACL or owlready2.
"""

from __future__ import annotations

import argparse
import signal
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from functools import partial
from pathlib import Path
from typing import Any

import pyoxigraph as ox

sys.path.insert(0, str(Path(__file__).resolve().parent))
import synthetic

import igfkg
from igfkg.core import resources
from igfkg.core.namespaces import GRAPH_KB, GRAPH_ONTOLOGY
from igfkg.explore.catalog import catalog
from igfkg.literature.index import INDEX_GRAPH, ensure_index
from igfkg.store.values import with_values

SYNTHETIC_GRAPH = "https://w3id.org/igfkg/graph/synthetic"
PARAMS: dict[str, dict[str, str]] = {
    "articles-by-mesh": {"descriptor": "MESH:D003920"},
    "claims": {"entity": "kb:igf-1"},
    "entity": {"name": "kb:igf-1"},
    "drugs-for-condition": {"condition": "kb:type-2-diabetes"},
    "co-indexed-descriptors": {"descriptor": "kb:type-2-diabetes"},
    "literature-for-entity": {"entity": "kb:igf-1"},
}


def timed(func: Callable[[], object]) -> float:
    start = time.perf_counter()
    func()
    return time.perf_counter() - start


def median_time(func: Callable[[], object], repeat: int) -> float:
    func()  # warm-up
    return statistics.median(timed(func) for _ in range(repeat))


def raw_rows(store: ox.Store, text: str, subs: dict[ox.Variable, Any] | None) -> int:
    """Run ``text`` directly on pyoxigraph and materialise the rows."""
    out = store.query(text, use_default_graph_as_union=True, substitutions=subs)
    return len([tuple(s) for s in out])  # type: ignore[union-attr]


class _TimeoutError(Exception):
    pass


def capped(func: Callable[[], object], seconds: int) -> float | None:
    """Wall time of one run of ``func``, or None if it takes longer than ``seconds``."""

    def alarm(signum: int, frame: object) -> None:
        raise _TimeoutError

    previous = signal.signal(signal.SIGALRM, alarm)
    signal.alarm(seconds)
    try:
        return timed(func)
    except _TimeoutError:
        return None
    finally:
        signal.alarm(0)
        signal.signal(signal.SIGALRM, previous)


def raw_store(nt: Path) -> ox.Store:
    store = ox.Store()
    for path in resources.ontology_files():
        store.load(
            path=str(path), format=ox.RdfFormat.TURTLE, to_graph=ox.NamedNode(GRAPH_ONTOLOGY)
        )
    for path in resources.kb_files():
        store.load(path=str(path), format=ox.RdfFormat.TURTLE, to_graph=ox.NamedNode(GRAPH_KB))
    store.load(path=str(nt), format=ox.RdfFormat.N_TRIPLES, to_graph=ox.NamedNode(SYNTHETIC_GRAPH))
    return store


def igfkg_graph(nt: Path) -> igfkg.KnowledgeGraph:
    kg = igfkg.open()
    kg.load(nt, graph=SYNTHETIC_GRAPH)
    return kg


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--articles", type=int, default=16_000)
    parser.add_argument("--repeat", type=int, default=15)
    parser.add_argument(
        "--rdflib",
        action=argparse.BooleanOptionalAction,
        default=True,
        help="also measure rdflib (slow: about half a minute to load 1M triples)",
    )
    parser.add_argument(
        "--rdflib-cap",
        type=int,
        default=60,
        help="seconds after which an rdflib query is reported as '> cap'",
    )
    args = parser.parse_args()

    with tempfile.TemporaryDirectory() as tmp:
        nt = Path(tmp) / "synthetic.nt"
        triples = synthetic.write_graph(nt, args.articles)
        print(
            f"graph: bundled KB + {args.articles} synthetic articles + MeSH 2015 = "
            f"{triples:,} synthetic triples\n"
        )

        raw_load = min(timed(lambda: raw_store(nt)) for _ in range(3))
        igfkg_load = min(timed(lambda: igfkg_graph(nt)) for _ in range(3))
        store, kg = raw_store(nt), igfkg_graph(nt)
        # The literature index is derived data igfkg keeps: give the raw store the same copy,
        # so that both run the same SPARQL over the same quads (igfkg's run still checks that
        # the index is current, which is part of what it costs).
        ensure_index(kg)
        index = ox.NamedNode(INDEX_GRAPH)
        store.extend(kg.backend.store.quads_for_pattern(None, None, None, index))  # type: ignore[attr-defined]
        assert len(store) == len(kg), (len(store), len(kg))
        rdf = None
        rdflib_load = float("nan")
        if args.rdflib:
            rdf = igfkg.open("rdflib:")
            rdflib_load = timed(lambda: rdf.load(nt, graph=SYNTHETIC_GRAPH))
        print("| load | seconds | ratio to pyoxigraph |\n|---|---|---|")
        print(f"| pyoxigraph Store.load | {raw_load:.2f} | 1.00 |")
        print(f"| igfkg.open + load | {igfkg_load:.2f} | {igfkg_load / raw_load:.2f} |")
        if args.rdflib:
            print(f"| rdflib (via igfkg) | {rdflib_load:.2f} | {rdflib_load / raw_load:.1f} |")

        print(
            "\n| query | rows | pyoxigraph ms | pyoxigraph substitutions ms | igfkg ms |"
            " igfkg / pyoxigraph |" + (" rdflib ms | rdflib / pyoxigraph |" if args.rdflib else "")
        )
        print("|---|---|---|---|---|---|" + ("---|---|" if args.rdflib else ""))
        ratios = []
        for query in sorted(catalog(), key=lambda q: q.id):
            if query.inference:
                continue  # igfkg adds the OWL RL closure first: not the same query on pyoxigraph
            params = PARAMS.get(query.id, {})
            bindings = query.bindings(kg, params)
            text = with_values(query.sparql, bindings)  # the exact SPARQL igfkg runs
            subs = {ox.Variable(k): v for k, v in bindings.items()}

            run_raw = partial(raw_rows, store, text, None)
            run_subs = partial(raw_rows, store, query.sparql, subs)
            run_igfkg = partial(kg.query, query.id, **params)
            rows = run_raw()
            raw_t = median_time(run_raw, args.repeat)
            sub_t = median_time(run_subs, 3) if subs else raw_t
            ig_t = median_time(run_igfkg, args.repeat)
            assert len(kg.query(query.id, **params)) == rows
            ratios.append(ig_t / raw_t)
            line = (
                f"| {query.id} | {rows} | {raw_t * 1e3:.2f} | {sub_t * 1e3:.2f} | "
                f"{ig_t * 1e3:.2f} | {ig_t / raw_t:.2f} |"
            )
            if rdf is not None:
                rd_t = capped(partial(rdf.query, query.id, **params), args.rdflib_cap)
                if rd_t is None:
                    line += f" > {args.rdflib_cap * 1e3:.0f} | > {args.rdflib_cap / raw_t:.0f} |"
                else:
                    line += f" {rd_t * 1e3:.0f} | {rd_t / raw_t:.0f} |"
            print(line)
        print(f"\nmedian igfkg/pyoxigraph ratio over queries: {statistics.median(ratios):.2f}")

    cli = [sys.executable, "-m", "igfkg", "query", "adverse-effects", "--format", "tsv"]
    imp = [sys.executable, "-c", "import pyoxigraph"]
    cli_t = median_time(lambda: subprocess.run(cli, check=True, capture_output=True), 5)
    imp_t = median_time(lambda: subprocess.run(imp, check=True, capture_output=True), 5)
    heavy = (
        subprocess.run(
            [
                sys.executable,
                "-c",
                "import sys, runpy; sys.argv=['igfkg','query','adverse-effects','--format','tsv']\n"
                "try: runpy.run_module('igfkg', run_name='__main__')\nexcept SystemExit: pass\n"
                "print([m for m in ('rdflib','pyshacl','owlready2') if m in sys.modules],"
                " file=sys.stderr)",
            ],
            capture_output=True,
            text=True,
        )
        .stderr.strip()
        .splitlines()[-1]
    )
    print("\n| command | wall ms |\n|---|---|")
    print(f"| python -c 'import pyoxigraph' | {imp_t * 1e3:.0f} |")
    print(f"| igfkg query adverse-effects (bundled KB, in memory) | {cli_t * 1e3:.0f} |")
    print(f"\nheavy libraries imported by `igfkg query`: {heavy}")


if __name__ == "__main__":
    main()
