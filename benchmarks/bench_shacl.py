"""pySHACL vs igfkg's fast SHACL path, side by side: time, peak memory, violations.

Run: ``python benchmarks/bench_shacl.py [--articles 6000 60000]`` (about 100k and 1M triples of
KB + synthetic MeSH-indexed articles, with a known number of injected violations).
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import tempfile
from pathlib import Path

_RUN = """
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


def inject(nt: Path, errors: int) -> None:
    """Append ``errors`` violations: MeSH descriptors whose IRI is malformed."""
    with nt.open("a", encoding="utf-8") as out:
        for i in range(errors):
            out.write(
                "<http://www.ncbi.nlm.nih.gov/pubmed/90000001> "
                "<https://w3id.org/igfkg/hasMeshDescriptor> "
                f"<http://id.nlm.nih.gov/mesh/bad{i}> .\n"
            )


def main() -> None:
    sys.path.insert(0, str(Path(__file__).resolve().parent))
    from synthetic import article_triples

    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--articles", type=int, nargs="+", default=[6_000, 60_000])
    parser.add_argument("--errors", type=int, default=100)
    args = parser.parse_args()
    print("| triples | engine | seconds | peak MB | violations | pySHACL / fast |")
    print("|---|---|---|---|---|---|")
    descriptors = ["D003920", "D003924", "D007334", "D006801", "D013006", "D007328"] * 10
    for n in args.articles:
        with tempfile.TemporaryDirectory() as tmp:
            nt = Path(tmp) / "data.nt"
            nt.write_text("\n".join(article_triples(n, descriptors)) + "\n", encoding="utf-8")
            inject(nt, args.errors)
            results = {}
            for engine in ("fast", "pyshacl"):
                out = subprocess.run(
                    [sys.executable, "-c", _RUN, str(nt), engine],
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


if __name__ == "__main__":
    main()
