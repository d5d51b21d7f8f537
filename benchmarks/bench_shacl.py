"""The compiled SHACL engine against pySHACL, side by side, per construct family.

Run: ``python benchmarks/bench_shacl.py [--triples 100000 1000000] [--families ...]``.

For each size, synthetic MeSH-indexed articles with faults (``shacl_families.py``) are
written as N-Triples; each family's user shapes are validated from that file by both engines,
in two child processes (one per engine, so peak memory is each engine's own). Each engine
reads the file once (the compiled engine: Oxigraph's bulk loader, no rdflib copy; pySHACL:
rdflib) and then validates each family's shapes, timed apart:

- validate: ``igfkg.quality.shacl.validate(data, shapes, engine="fast")`` against
  ``pyshacl.validate`` on the loaded data;
- end to end: read + validate, what a user waits for with one shapes file.

Results must be identical (focus node, path, value, shape, component, severity; the shapes
have no sh:message, and pySHACL's own default messages are left out), else the run fails.
``--bundled`` runs the older case instead: the KB and bundled shapes on synthetic articles,
through ``igfkg validate``'s own path.
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import tempfile
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent

_CHILD = """
import json, resource, sys, time
from pathlib import Path
import rdflib
from igfkg.quality.shacl.data import Data
from igfkg.quality.shacl.engine import validate, validate_pyshacl
from igfkg.quality.validation import report_json
engine, path = sys.argv[1], Path(sys.argv[2])
out = {"families": {}}
start = time.perf_counter()
data = Data([path])
if engine == "pyshacl":
    graph = data.graph()
    out["triples"] = len(graph)
else:
    out["triples"] = len(data.load().store)
out["read_seconds"] = time.perf_counter() - start
for item in sys.argv[3:]:
    family, shapes_path = item.split("=", 1)
    shapes = rdflib.Graph().parse(shapes_path, format="turtle")
    start = time.perf_counter()
    if engine == "pyshacl":
        report = validate_pyshacl(graph, shapes)
    else:
        report = validate(data, shapes, engine="fast")
    seconds = time.perf_counter() - start
    # pySHACL writes its own sh:resultMessage where a shape has no sh:message (SHACL allows
    # it); the compiled engine copies sh:message only: messages are left out of the comparison
    results = sorted(
        json.dumps({k: v for k, v in r.items() if k != "resultMessage"}, sort_keys=True)
        for r in report_json(report)["results"]
    )
    out["families"][family] = {"seconds": seconds, "results": results}
out["peak_mb"] = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
print(json.dumps(out))
"""


def _child(engine: str, data: Path, shapes: dict[str, Path]) -> dict[str, Any]:
    args = [f"{family}={path}" for family, path in shapes.items()]
    out = subprocess.run(
        [sys.executable, "-c", _CHILD, engine, str(data), *args],
        check=False,
        capture_output=True,
        text=True,
    )
    if out.returncode:
        sys.exit(f"the {engine} run failed:\n{out.stderr}")
    result: dict[str, Any] = json.loads(out.stdout.strip().splitlines()[-1])
    return result


def families(sizes: list[int], chosen: list[str]) -> bool:
    """Run the per-family comparison; print a Markdown table; False if any results differ."""
    sys.path.insert(0, str(HERE))
    from shacl_families import FAMILIES, TRIPLES_PER_ARTICLE, data_lines, shapes_turtle

    names = [f for f in FAMILIES if not chosen or f in chosen]
    same = True
    print(
        "| triples | family | results | compiled validate s | pySHACL validate s | ratio"
        " | ratio end to end |"
    )
    print("|---|---|---|---|---|---|---|")
    footer = []
    for size in sizes:
        articles = size // TRIPLES_PER_ARTICLE
        with tempfile.TemporaryDirectory() as tmp:
            data = Path(tmp) / "data.nt"
            with data.open("w", encoding="utf-8") as out:
                for line in data_lines(articles, max(500, articles // 2)):
                    out.write(line + "\n")
            shapes = {}
            for i, family in enumerate(names):
                shapes[family] = Path(tmp) / f"shapes-{i}.ttl"
                shapes[family].write_text(shapes_turtle(family), encoding="utf-8")
            fast = _child("fast", data, shapes)
            slow = _child("pyshacl", data, shapes)
        fast_f, slow_f = fast["families"], slow["families"]
        fast_read, slow_read = fast["read_seconds"], slow["read_seconds"]
        for family in names:
            a, b = fast_f[family], slow_f[family]
            agree = a["results"] == b["results"]
            same = same and agree
            ratio = b["seconds"] / a["seconds"]
            whole = (slow_read + b["seconds"]) / (fast_read + a["seconds"])
            mark = "" if agree else " **results differ**"
            print(
                f"| {slow['triples']:,} | {family} | {len(a['results']):,}{mark} | "
                f"{a['seconds']:.2f} | {b['seconds']:.1f} | {ratio:.0f}x | {whole:.0f}x |"
            )
        footer.append(
            f"{slow['triples']:,} triples: read {fast_read:.1f} s (Oxigraph) and "
            f"{slow_read:.1f} s (rdflib); peak memory compiled {fast['peak_mb']:,.0f} MB, "
            f"pySHACL {slow['peak_mb']:,.0f} MB."
        )
    print()
    for line in footer:
        print(line)
    return same


_BUNDLED = """
import json, resource, sys, time
import igfkg
from igfkg.quality.validation import validate_graph
kg = igfkg.open()
kg.load(sys.argv[1], graph="https://w3id.org/igfkg/graph/synthetic")
start = time.perf_counter()
report = validate_graph(kg, engine=sys.argv[2])
seconds = time.perf_counter() - start
peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
print(json.dumps({"seconds": seconds, "peak_mb": peak, "violations": len(report.violations),
                  "triples": len(kg)}))
"""


def bundled(articles: list[int], errors: int) -> None:
    """The KB + synthetic articles with ``errors`` malformed MeSH IRIs, bundled shapes."""
    sys.path.insert(0, str(HERE))
    from synthetic import article_triples

    print("| triples | engine | seconds | peak MB | violations | pySHACL / fast |")
    print("|---|---|---|---|---|---|")
    descriptors = ["D003920", "D003924", "D007334", "D006801", "D013006", "D007328"] * 10
    for n in articles:
        with tempfile.TemporaryDirectory() as tmp:
            nt = Path(tmp) / "data.nt"
            lines = list(article_triples(n, descriptors))
            lines += [
                "<http://www.ncbi.nlm.nih.gov/pubmed/90000001> "
                "<https://w3id.org/igfkg/hasMeshDescriptor> "
                f"<http://id.nlm.nih.gov/mesh/bad{i}> ."
                for i in range(errors)
            ]
            nt.write_text("\n".join(lines) + "\n", encoding="utf-8")
            results = {}
            for engine in ("fast", "pyshacl"):
                out = subprocess.run(
                    [sys.executable, "-c", _BUNDLED, str(nt), engine],
                    check=True,
                    capture_output=True,
                    text=True,
                )
                results[engine] = json.loads(out.stdout.strip().splitlines()[-1])
            ratio = results["pyshacl"]["seconds"] / results["fast"]["seconds"]
            for engine, r in results.items():
                print(
                    f"| {r['triples']:,} | {engine} | {r['seconds']:.1f} | {r['peak_mb']:,.0f} | "
                    f"{r['violations']} | {ratio:.0f}x |"
                )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--triples", type=int, nargs="+", default=[100_000, 1_000_000])
    parser.add_argument("--families", nargs="*", default=[], help="family names (default all)")
    parser.add_argument("--bundled", action="store_true", help="the bundled-shapes case")
    parser.add_argument("--articles", type=int, nargs="+", default=[6_000, 60_000])
    parser.add_argument("--errors", type=int, default=100)
    args = parser.parse_args()
    if args.bundled:
        bundled(args.articles, args.errors)
    elif not families(args.triples, args.families):
        sys.exit("results differ between the engines (marked in the table)")


if __name__ == "__main__":
    main()
