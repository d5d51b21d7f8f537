"""Re-ingest against first ingest on an on-disk store, this tree side by side with an earlier
revision (default: the one before crash-safe re-ingest), in one run.

For each tree, in fresh processes: ``igfkg --store S ingest pubmed F`` on a new store (first
ingest), the same file again (identical re-ingest), then a version of the file with every
tenth title revised (changed re-ingest). Wall time and peak RSS of each process.

Run: ``python benchmarks/bench_reingest.py [--articles 20000] [--before 7cb9731]``.
"""

from __future__ import annotations

import argparse
import gzip
import re
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
import pubmed_synthetic

ROOT = Path(__file__).resolve().parent.parent

_RUN = """
import resource, sys
import igfkg
from igfkg.cli import main
print("CODE", igfkg.__file__, file=sys.stderr)
try:
    main(sys.argv[1:], standalone_mode=False)
finally:
    print("RSS", resource.getrusage(resource.RUSAGE_SELF).ru_maxrss, file=sys.stderr)
"""


def _igfkg(tree: Path, *args: str) -> subprocess.CompletedProcess[str]:
    """``igfkg ARGS`` run with the code in ``tree`` (checked: run from the store's folder, so
    that no other igfkg on the path comes first)."""
    done = subprocess.run(
        [sys.executable, "-c", _RUN, *args],
        env={"PYTHONPATH": str(tree), "PATH": "/usr/bin:/bin"},
        cwd=tempfile.gettempdir(),
        capture_output=True,
        text=True,
        check=True,
    )
    code = Path(done.stderr.split("CODE ", 1)[1].split("\n", 1)[0])
    assert code.is_relative_to(tree), (code, tree)
    return done


def _measure(tree: Path, store: Path, path: Path) -> tuple[float, float]:
    """Seconds and peak RSS (MB) of one ``ingest pubmed`` process using the code in ``tree``."""
    start = time.perf_counter()
    done = _igfkg(tree, "--store", str(store), "ingest", "pubmed", str(path))
    seconds = time.perf_counter() - start
    rss = int(done.stderr.rsplit("RSS", 1)[1].split()[0]) / 1024
    return seconds, rss


def _revised(path: Path, target: Path) -> None:
    """``path`` with every tenth article's title revised (same PMIDs, same file name)."""
    text = gzip.decompress(path.read_bytes()).decode("utf-8")
    count = [0]

    def revise(match: re.Match[str]) -> str:
        count[0] += 1
        return match.group(0) + ("Revised: " if count[0] % 10 == 0 else "")

    target.write_bytes(gzip.compress(re.sub("<ArticleTitle>", revise, text).encode(), 1))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--articles", type=int, default=20_000)
    parser.add_argument("--before", default="7cb9731", help="git revision to compare with")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp_name:
        tmp = Path(tmp_name)
        before = tmp / "before"
        before.mkdir()
        archive = subprocess.run(
            [
                "git",
                "-C",
                str(ROOT),
                "archive",
                args.before,
                "igfkg",
                "ontology",
                "queries",
                "shapes",
            ],
            capture_output=True,
            check=True,
        ).stdout
        subprocess.run(["tar", "-x", "-C", str(before)], input=archive, check=True)
        (path,) = pubmed_synthetic.write_files(tmp / "xml", args.articles, args.articles)
        changed = tmp / "changed" / path.name
        changed.parent.mkdir()
        rows = []
        for label, tree in ((f"before ({args.before})", before), ("after (this tree)", ROOT)):
            store = tmp / f"store-{tree.name}"
            _igfkg(tree, "--store", str(store), "sparql", "ASK {}")
            first = _measure(tree, store, path)
            again = _measure(tree, store, path)
            _revised(path, changed)
            # The changed version replaces the file in place (same path, new content).
            original = path.read_bytes()
            path.write_bytes(changed.read_bytes())
            revised = _measure(tree, store, path)
            path.write_bytes(original)
            rows.append((label, first, again, revised))
        print(
            f"| {args.articles:,} articles, on disk | first ingest | identical re-ingest | "
            "re-ingest, every tenth title revised |"
        )
        print("|---|---|---|---|")
        for label, *runs in rows:
            cells = " | ".join(f"{s:.1f} s, {rss:,.0f} MB" for s, rss in runs)
            print(f"| {label} | {cells} |")


if __name__ == "__main__":
    main()
