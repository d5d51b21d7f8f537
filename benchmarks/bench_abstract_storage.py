"""What abstracts and languages cost on disk: the same synthetic articles ingested into embedded
Oxigraph stores with and without them, in one run.

The same N articles (``benchmarks/pubmed_synthetic.py``: the rest of each record is identical
whatever the options) are written without abstract or language, with a language only, with
abstracts on the real share of records (89 %) and with an abstract on every record; each set
goes into a new on-disk store with ``igfkg --store DIR ingest pubmed FILES`` (a fresh process,
2 workers), and the store folder is measured as ingest leaves it (the sum of its files' sizes),
then again after RocksDB compaction (``pyoxigraph.Store.optimize``). A store holding only the
bundled graph is measured the same way and subtracted. The same files written with ``ingest
pubmed --nquads`` give the uncompressed N-Quads size, the input of a bulk load.

Then what keeping abstracts costs the parse: ingest's parse of a file (``parse_file``: XML to
N-Triples, one process) on articles without and with abstracts, with this tree's code and with
the revision before abstracts were kept (``--before``), alternated in fresh processes (best of
``--repeat``), beside the parse-only ceiling of bench_ingest.py on the same files.

Run: ``python benchmarks/bench_abstract_storage.py [--articles 50000] [--per-file 10000]
[--parse-articles 20000] [--before 88ee4df] [--parts storage parse]``.
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
import pubmed_synthetic
from bench_ingest import parse_only

ROOT = Path(__file__).resolve().parent.parent
VARIANTS = [
    ("no abstract, no language", 0.0, False),
    ("language", 0.0, True),
    (f"language + abstract ({pubmed_synthetic.ABSTRACT_SHARE:.0%} of records)", None, True),
    ("language + abstract (every record)", 1.0, True),
]
_COMPACT = """
import sys
import pyoxigraph as ox
store = ox.Store(sys.argv[1])
store.optimize()
del store
"""
_TEXT = """
import sys
from pathlib import Path
from igfkg.literature.pubmed import Article, read_records
n = size = 0
for name in sys.argv[1:]:
    for rec in read_records(Path(name)):
        if isinstance(rec, Article) and rec.abstract:
            n += 1
            size += len(rec.abstract.encode("utf-8"))
print(n, size)
"""
_PARSE = """
import sys, time
from pathlib import Path
import igfkg
from igfkg.literature.ingest import parse_file
assert Path(igfkg.__file__).is_relative_to(sys.argv[1]), igfkg.__file__
files = [Path(p) for p in sys.argv[3:]]
best = float("inf")
for _ in range(int(sys.argv[2])):
    start = time.perf_counter()
    n = sum(parse_file(f).articles for f in files)
    best = min(best, time.perf_counter() - start)
print(n / best)
"""


def _run(*args: str, tree: Path = ROOT) -> str:
    """A fresh Python process on the code in ``tree`` (``igfkg`` or a script), its stdout."""
    env = dict(os.environ, PYTHONPATH=str(tree))
    done = subprocess.run(
        [sys.executable, *args],
        env=env,
        cwd=tempfile.gettempdir(),  # not the repository, whose igfkg would come first
        capture_output=True,
        text=True,
        check=True,
    )
    return done.stdout


def folder_bytes(path: Path) -> int:
    """The sum of the sizes of the files under ``path``."""
    return sum(f.stat().st_size for f in path.rglob("*") if f.is_file())


def store_bytes(store: Path, files: list[Path]) -> tuple[int, int]:
    """Bytes of a new store holding ``files`` (none: the bundled graph only), as ingest leaves
    it and after compaction."""
    if files:
        _run("-m", "igfkg", "--store", str(store), "ingest", "pubmed", "--workers", "2",
             *map(str, files))  # fmt: skip
    else:
        _run("-m", "igfkg", "--store", str(store), "sparql", "ASK {}")
    left = folder_bytes(store)
    _run("-c", _COMPACT, str(store))
    return left, folder_bytes(store)


def nquads_bytes(outdir: Path, files: list[Path]) -> int:
    _run("-m", "igfkg", "ingest", "pubmed", "--nquads", str(outdir), *map(str, files))
    return folder_bytes(outdir)


def parse_cost(tmp: Path, n: int, per_file: int, before: str, repeat: int) -> None:
    """Records/s of ingest's parse, before and after abstracts were kept, on articles without
    and with abstracts, and the parse-only ceiling on the same files."""
    old = tmp / "before"
    old.mkdir()
    archive = subprocess.run(
        ["git", "-C", str(ROOT), "archive", before, "igfkg", "ontology", "queries", "shapes"],
        capture_output=True,
        check=True,
    ).stdout
    subprocess.run(["tar", "-x", "-C", str(old)], input=archive, check=True)
    corpora = [("no abstract, no language", 0.0, False), VARIANTS[2]]
    sets = [
        pubmed_synthetic.write_files(
            tmp / f"parse{i}",
            n,
            per_file,
            abstracts=pubmed_synthetic.ABSTRACT_SHARE if share is None else share,
            language=language,
        )
        for i, (_, share, language) in enumerate(corpora)
    ]
    ceilings = [0.0, 0.0]
    rates = [{old: 0.0, ROOT: 0.0}, {old: 0.0, ROOT: 0.0}]
    for _ in range(repeat):  # alternated, so that all see the same load
        for i, files in enumerate(sets):
            ceilings[i] = max(ceilings[i], parse_only(files))
            for tree in rates[i]:
                names = map(str, files)
                rate = float(_run("-c", _PARSE, str(tree), "1", *names, tree=tree))
                rates[i][tree] = max(rates[i][tree], rate)
    print(
        f"\n| {n:,} articles: corpus | parse-only ceiling rec/s | ingest parse, before "
        f"({before}) rec/s | ingest parse, this tree rec/s | this tree / before |"
    )
    print("|---|---|---|---|---|")
    for (label, _, _), ceiling, rate in zip(corpora, ceilings, rates, strict=True):
        print(
            f"| {label} | {ceiling:,.0f} | {rate[old]:,.0f} | {rate[ROOT]:,.0f} | "
            f"{rate[ROOT] / rate[old]:.2f} |"
        )
    us = 1e6
    (c0, c1), (b0, b1), (t0, t1) = ceilings, (r[old] for r in rates), (r[ROOT] for r in rates)
    print(
        f"\nPer record, keeping abstracts and languages costs ingest's parse "
        f"{us / t1 - us / b1:.1f} µs on the corpus with them ({us / t0 - us / b0:.1f} µs on the "
        f"one without); reading their XML costs the parse-only ceiling {us / c1 - us / c0:.1f} µs "
        f"and ingest's parse before {us / b1 - us / b0:.1f} µs."
    )


def storage_cost(tmp: Path, n: int, per_file: int) -> None:
    """The store and N-Quads sizes of :data:`VARIANTS`."""
    empty = store_bytes(tmp / "empty", [])
    rows = []
    for i, (label, share, language) in enumerate(VARIANTS):
        files = pubmed_synthetic.write_files(
            tmp / f"xml{i}",
            n,
            per_file,
            abstracts=pubmed_synthetic.ABSTRACT_SHARE if share is None else share,
            language=language,
        )
        count, text = map(int, _run("-c", _TEXT, *map(str, files)).split())
        left, compact = store_bytes(tmp / f"store{i}", files)
        quads = nquads_bytes(tmp / f"nq{i}", files)
        rows.append((label, count, text, left - empty[0], compact - empty[1], quads))
        for f in files:
            f.unlink()
    print(
        f"{n:,} synthetic articles; a store with the bundled graph only: "
        f"{empty[0] / 1e6:.1f} MB as left, {empty[1] / 1e6:.1f} MB compacted (subtracted)\n"
    )
    print(
        "| articles carry | abstracts (mean UTF-8 bytes) | store as ingest leaves it: "
        "bytes/article (per 1M articles) | compacted: bytes/article (per 1M) | "
        "N-Quads bytes/article |"
    )
    print("|---|---|---|---|---|")
    for label, count, text, left, compact, quads in rows:
        mean = f"{count:,} ({text / count:,.0f})" if count else "0"
        print(
            f"| {label} | {mean} | {left / n:,.0f} ({left / n / 1e3:.2f} GB) | "
            f"{compact / n:,.0f} ({compact / n / 1e3:.2f} GB) | {quads / n:,.0f} |"
        )
    print(
        "\n| added to the language-only store | as left: bytes/article (per 1M articles) | "
        "compacted: bytes/article (per 1M) | bytes per abstract, as left / compacted "
        "(× its UTF-8 text) | N-Quads bytes/article |"
    )
    print("|---|---|---|---|---|")
    _, _, _, base_left, base_compact, base_quads = rows[1]
    for label, count, text, left, compact, quads in [rows[0], *rows[2:]]:
        left, compact, quads = left - base_left, compact - base_compact, quads - base_quads
        per = (
            f"{left / count:,.0f} / {compact / count:,.0f} ({compact / text:.2f})" if count else "-"
        )
        print(
            f"| {label} | {left / n:,.0f} ({left / n / 1e3:.2f} GB) | "
            f"{compact / n:,.0f} ({compact / n / 1e3:.2f} GB) | {per} | {quads / n:,.0f} |"
        )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--articles", type=int, default=50_000)
    parser.add_argument("--per-file", type=int, default=10_000)
    parser.add_argument("--parse-articles", type=int, default=20_000)
    parser.add_argument("--before", default="88ee4df", help="git revision without abstracts")
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--parts", nargs="+", default=["storage", "parse"])
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp_name:
        tmp = Path(tmp_name)
        if "storage" in args.parts:
            storage_cost(tmp, args.articles, args.per_file)
        if "parse" in args.parts:
            parse_cost(tmp, args.parse_articles, args.per_file, args.before, args.repeat)


if __name__ == "__main__":
    main()
