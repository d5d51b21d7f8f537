"""Reading speed of the literature reader (issue 18) and the evidence queries at 1M abstracts.

Three parts, each measured side by side in one run:

1. ``read``: abstracts per second on one core of ``Reader.read`` on real abstracts (every
   PubmedArticle abstract of the PubMed XML files in ``--real``, by default the shared data
   beside the repository) and on synthetic ones (~1,400 characters, ~9 sentences, names of the
   vocabulary inserted, some hedge and negation cues), against the ceiling of the sentence
   splitter plus the matcher alone on the same texts, and with the evidence N-Triples
   (``rdf.article_evidence_lines``, what the store path writes). With the vocabulary of the
   bundled store, and with that of a store holding the MeSH 2015 tree (``--mesh``).
2. ``throughput``: ``--n`` synthetic abstracts read by ``--workers`` processes exactly as
   ``igfkg read`` spreads them (``igfkg.literature.evidence``: batches to a process pool, two
   batches a worker in flight); abstracts/s, the time 1M abstracts would take against the
   15-minute target, and the RSS of the parent and of each worker sampled while it runs.
3. ``queries``: an on-disk Oxigraph store with the bundled KB plus the evidence graph of
   ``--articles`` abstracts (generated directly with ``igfkg.literature.reading.rdf``, not by
   reading) and article nodes as ingest writes them, bulk-loaded; then each canned evidence
   query through ``kg.query`` as users run it, first page (20 rows) and whole answer, cold (the
   first run after opening the store) and warm (median); target < 1 s each.

Run: ``python benchmarks/bench_read.py [--parts read,throughput,queries] [--synthetic 2000]
[--n 200000] [--articles 1000000] [--workdir DIR] [--json FILE]``.
"""

from __future__ import annotations

import argparse
import datetime
import gzip
import itertools
import json
import os
import platform
import random
import shutil
import statistics
import sys
import threading
import time
import xml.etree.ElementTree as ET
from collections import Counter
from collections.abc import Callable, Iterator, Sequence
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pyoxigraph as ox

sys.path.insert(0, str(Path(__file__).resolve().parent))
from synthetic import DEFAULT_TREE

import igfkg
from igfkg.core.namespaces import EVIDENCE_FORMAT
from igfkg.core.vocabulary import Vocabulary
from igfkg.literature import evidence
from igfkg.literature.reading.cues import SentenceCues
from igfkg.literature.reading.matcher import Mention
from igfkg.literature.reading.rdf import (
    EVIDENCE_GRAPH,
    activity_iri,
    activity_lines,
    article_evidence_lines,
)
from igfkg.literature.reading.reader import Reader
from igfkg.literature.reading.sentences import nlp, sentence_spans

ROOT = Path(__file__).resolve().parents[1]
# The shared real PubMed files beside the repository, else the copies the tests keep.
REAL = next(
    (p for p in (ROOT.parent / "shared" / "data" / "pubmed", ROOT / "tests/data/real/pubmed")
     if p.is_dir()),
    ROOT / "tests/data/real/pubmed",
)  # fmt: skip
KB = "https://w3id.org/igfkg/kb/"
IGFKG = "https://w3id.org/igfkg/"
PUBMED = "http://www.ncbi.nlm.nih.gov/pubmed/"
TARGET_1M_S = 15 * 60  # issue 18: 1M abstracts on 2 cores in under 15 minutes
TARGET_QUERY_S = 1.0
PARTS = ("read", "throughput", "queries")

# How often entities are written about: insulin is named in ~10 % of evidence sentences (5 %
# of names; a sentence names ~2), 14 other common entities share 55 % of names, the rare last
# 30 of the vocabulary (in a fixed shuffled order) 0.2 %, the rest the remainder.
COMMON = [
    "insulin", "type-2-diabetes", "igf-1", "growth-hormone", "insulin-resistance",
    "diabetes-mellitus", "type-1-diabetes", "igfbp-3", "insulin-sensitivity", "hba1c",
    "igf-1-receptor", "glycaemic-control", "insulin-receptor", "serum-igf-1", "triglycerides",
]  # fmt: skip
INSULIN_SHARE, COMMON_SHARE, RARE_SHARE, RARE = 0.05, 0.55, 0.002, 30
# Filler words of biomedical abstracts (no vocabulary names, no cue words of their own).
FILLER = [
    "the", "of", "and", "in", "to", "with", "a", "was", "were", "for", "patients", "study", "we",
    "this", "that", "by", "on", "from", "as", "at", "levels", "are", "is", "after", "group", "or",
    "be", "than", "these", "between", "our", "compared", "during", "treatment", "subjects",
    "both", "all", "two", "mean", "each", "its", "age", "years", "serum", "plasma", "response",
    "effect", "effects", "cells", "clinical", "analysis", "data", "results", "trial", "control",
    "baseline", "weeks", "months", "cohort", "participants", "associated", "association",
    "expression", "model", "tissue", "factor", "factors", "concentrations",
    "measured", "observed", "determined", "assessed", "evaluated", "using", "total", "per",
    "significant", "significantly", "difference", "differences", "changes", "function", "role",
    "activity", "pathway", "signalling", "mechanisms", "risk", "outcome", "outcomes", "dose",
    "doses", "therapy", "administration", "healthy", "women", "men", "obese", "lean", "body",
    "weight", "mass", "fat", "muscle", "liver", "kidney", "bone", "blood", "samples", "test",
    "tests", "following", "within", "among", "via", "under", "over", "high", "low", "normal",
    "during", "further", "new", "present",
]  # fmt: skip
DIRECTION_WORDS = ["increased", "reduced", "improved", "impaired", "elevated", "lower"]
HEDGES = ["may", "might", "suggest that", "possibly", "is thought to", "appears to"]
NEGATIONS = ["did not", "no significant", "was not", "failed to", "were unchanged"]
SECTIONS = ["BACKGROUND", "METHODS", "RESULTS", "CONCLUSIONS"]

COMMON_ENTITY = "kb:insulin"


# -- abstracts ---------------------------------------------------------------------------------


def real_abstracts(directory: Path) -> list[str]:
    """The abstracts of every PubmedArticle of the ``.xml``/``.xml.gz`` files of ``directory``:
    the ``AbstractText`` sections of Article/Abstract, white space collapsed, a labelled one as
    ``LABEL: text``, joined by line breaks (as igfkg keeps abstracts)."""
    out = []
    for path in sorted(directory.glob("*.xml*")):
        if not path.name.endswith((".xml", ".xml.gz")):
            continue
        with (gzip.open if path.name.endswith(".gz") else open)(path, "rb") as handle:
            for _, elem in ET.iterparse(handle):
                if elem.tag != "PubmedArticle":
                    continue
                parts = []
                for section in elem.iterfind("MedlineCitation/Article/Abstract/AbstractText"):
                    text = " ".join("".join(section.itertext()).split())
                    label = section.get("Label")
                    if text:
                        parts.append(f"{label}: {text}" if label else text)
                if parts:
                    out.append("\n".join(parts))
                elem.clear()
    return out


@dataclass(frozen=True)
class Concepts:
    """The vocabulary's entities (a mention's first concept) with their prose-like names and
    how often each is written about."""

    entities: list[str]
    weights: list[float]
    names: dict[str, list[tuple[str, tuple[str, ...]]]]

    @classmethod
    def of(cls, vocabulary: Vocabulary, seed: int = 11) -> Concepts:
        names: dict[str, list[tuple[str, tuple[str, ...]]]] = {}
        for name, concepts in vocabulary.names:
            if "," not in name and concepts[0].startswith(KB):  # prose, not "Diabetes, Type 2"
                names.setdefault(concepts[0], []).append((name, concepts))
        first = [KB + c for c in COMMON if KB + c in names]
        rest = sorted(set(names) - set(first))
        random.Random(seed).shuffle(rest)
        middle, rare = rest[:-RARE], rest[-RARE:]
        weights = [INSULIN_SHARE]
        weights += [COMMON_SHARE / (len(first) - 1)] * (len(first) - 1)
        weights += [(1 - INSULIN_SHARE - COMMON_SHARE - RARE_SHARE) / len(middle)] * len(middle)
        weights += [RARE_SHARE / len(rare)] * len(rare)
        return cls(first + middle + rare, weights, names)

    def pick(self, rng: random.Random, k: int) -> list[tuple[str, tuple[str, ...]]]:
        """``k`` names of distinct entities, drawn by frequency."""
        chosen: dict[str, None] = {}
        while len(chosen) < k:
            chosen[rng.choices(self.entities, self.weights)[0]] = None
        return [rng.choice(self.names[e]) for e in chosen]


def synthetic_sentence(
    rng: random.Random, concepts: Concepts, mentions: int, out: list[str], at: int
) -> list[Mention]:
    """Append a sentence (~22 words) to ``out`` (text so far ``at`` characters long) naming
    ``mentions`` entities, with a hedge (20 %), negation (10 %) or direction word (30 %);
    return the mentions with offsets in the whole text."""
    words = [rng.choice(FILLER) for _ in range(rng.randint(16, 26))]
    if rng.random() < 0.3:
        words.insert(rng.randrange(len(words)), rng.choice(DIRECTION_WORDS))
    cue = rng.random()
    if cue < 0.2:
        words.insert(rng.randrange(1, len(words)), rng.choice(HEDGES))
    elif cue < 0.3:
        words.insert(rng.randrange(1, len(words)), rng.choice(NEGATIONS))
    slots = sorted(rng.sample(range(1, len(words)), mentions))
    picked = concepts.pick(rng, mentions) if mentions else []
    for slot, (name, _) in zip(reversed(slots), reversed(picked), strict=True):
        words.insert(slot, "\x00" + name)
    found: list[Mention] = []
    pieces: list[str] = []
    pos = at
    names = iter(picked)
    for i, word in enumerate(words):
        if i:
            pieces.append(" ")
            pos += 1
        if word.startswith("\x00"):
            name, concept_list = next(names)
            found.append(Mention(pos, pos + len(name), concept_list))
            word = name
        elif i == 0:
            word = word.capitalize()
        pieces.append(word)
        pos += len(word)
    pieces.append(".")
    out.append("".join(pieces))
    return found


def mention_count(rng: random.Random) -> int:
    """Names in a synthetic sentence: a quarter name something, 40 % of those two things."""
    if rng.random() >= 0.25:
        return 0
    return 1 + (rng.random() < 0.4) + (rng.random() < 0.05)


def synthetic_abstract(rng: random.Random, concepts: Concepts) -> str:
    """An abstract of 6-12 sentences (~1,400 characters); a third are structured."""
    structured = rng.random() < 0.33
    out: list[str] = []
    at = 0
    n = rng.randint(6, 12)
    for i in range(n):
        if i:
            label = structured and i % 3 == 0 and i // 3 < len(SECTIONS)
            sep = "\n" if label else " "
            out.append(sep)
            at += 1
            if label:
                head = f"{SECTIONS[i // 3]}: "
                out.append(head)
                at += len(head)
        elif structured:
            out.append(f"{SECTIONS[0]}: ")
            at += len(out[-1])
        synthetic_sentence(rng, concepts, mention_count(rng), out, at)
        at += len(out[-1])
    return "".join(out)


def synthetic_abstracts(vocabulary: Vocabulary, n: int, seed: int = 7) -> list[str]:
    rng = random.Random(seed)
    concepts = Concepts.of(vocabulary)
    return [synthetic_abstract(rng, concepts) for _ in range(n)]


# -- part 1: one core ----------------------------------------------------------------------------


def vocabularies(mesh: bool) -> dict[str, Vocabulary]:
    """The bundled store's vocabulary and, with ``mesh``, that of a store holding the MeSH
    2015 tree too (every descriptor's label is a name)."""
    from igfkg.literature.mesh import ingest_mesh

    out = {"KB": igfkg.open().reading_vocabulary()}
    if mesh:
        kg = igfkg.open()
        ingest_mesh(kg, [DEFAULT_TREE])
        out["KB + MeSH tree"] = kg.reading_vocabulary()
    return out


def best_rates(
    funcs: dict[str, Callable[[], object]], count: int, repeat: int
) -> dict[str, dict[str, float]]:
    """Abstracts per second (wall, and per CPU second of this process) of each function: the
    best of ``repeat`` rounds, each round running every function once (so that they share the
    machine's conditions)."""
    for func in funcs.values():
        func()  # warm-up: caches, lazy imports
    wall: dict[str, list[float]] = {key: [] for key in funcs}
    cpu: dict[str, list[float]] = {key: [] for key in funcs}
    for _ in range(repeat):
        for key, func in funcs.items():
            w0, c0 = time.perf_counter(), time.process_time()
            func()
            wall[key].append(time.perf_counter() - w0)
            cpu[key].append(time.process_time() - c0)
    return {
        key: {
            "per_s": count / min(wall[key]),
            "per_cpu_s": count / min(cpu[key]),
            "seconds": min(wall[key]),
        }
        for key in funcs
    }


def read_rates(
    texts: Sequence[str], vocabulary: Vocabulary, repeat: int, min_pass: int
) -> dict[str, Any]:
    """Splitter + matcher (the ceiling), the reader, and the reader + evidence N-Triples."""
    reader = Reader(vocabulary)
    pipeline, matcher = nlp(), reader.matcher
    activity = activity_iri(vocabulary)
    rounds = -(-min_pass // len(texts))  # a small corpus is read several times a pass
    passes = list(texts) * rounds

    def ceiling() -> None:
        for text in passes:
            for start, end in sentence_spans(pipeline(text), text):
                matcher.find(text[start:end])

    def read() -> None:
        for text in passes:
            reader.read(text)

    def read_rdf() -> None:
        for k, text in enumerate(passes):
            article_evidence_lines(str(90_000_001 + k), text, reader.read(text), activity)

    sentences = sum(len(sentence_spans(pipeline(t), t)) for t in texts)
    found = [reader.read(t) for t in texts]
    out: dict[str, Any] = {
        "abstracts": len(texts),
        "mean_chars": sum(map(len, texts)) / len(texts),
        "sentences_per_abstract": sentences / len(texts),
        "evidence_per_abstract": sum(map(len, found)) / len(texts),
        "mentions_per_abstract": sum(len(s.mentions) for f in found for s in f) / len(texts),
        "names": len(vocabulary.names),
    }
    funcs = {"ceiling": ceiling, "read": read, "read_rdf": read_rdf}
    return {**out, **best_rates(funcs, len(passes), repeat)}


def part_read(args: argparse.Namespace) -> dict[str, Any]:
    corpora: dict[str, list[str] | None] = {
        "real": real_abstracts(args.real) if args.real.is_dir() else None
    }
    vocabs = vocabularies(args.mesh)
    # The same synthetic texts for every vocabulary: names of the bundled KB's entities.
    corpora["synthetic"] = synthetic_abstracts(vocabs["KB"], args.synthetic)
    out: dict[str, Any] = {"runs": []}
    for vname, vocabulary in vocabs.items():
        for cname, texts in corpora.items():
            if not texts:
                out.setdefault("skipped", []).append(f"{cname}: no abstracts in {args.real}")
                continue
            run = read_rates(texts, vocabulary, args.repeat, args.min_pass)
            out["runs"].append({"corpus": cname, "vocabulary": vname, **run})
    # Rates per CPU second of this process: one core's rate, whatever else the machine runs
    # (wall-clock rates are in the JSON).
    print("\n| abstracts | vocabulary (names) | n | chars | sentences | evidence sentences "
          "| splitter + matcher /core/s | read /core/s | read + RDF /core/s | read / ceiling "
          "| 1M on 2 cores (min) |")  # fmt: skip
    print("|---|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|")
    for r in out["runs"]:
        ceiling, read, rdf = (r[k]["per_cpu_s"] for k in ("ceiling", "read", "read_rdf"))
        print(
            f"| {r['corpus']} | {r['vocabulary']} ({r['names']:,}) | {r['abstracts']:,} "
            f"| {r['mean_chars']:,.0f} | {r['sentences_per_abstract']:.1f} "
            f"| {r['evidence_per_abstract']:.2f} | {ceiling:,.0f} | {read:,.0f} | {rdf:,.0f} "
            f"| {read / ceiling:.2f} | {1e6 / (2 * rdf) / 60:.1f} |"
        )
    return out


# -- part 2: two cores ---------------------------------------------------------------------------


def _rss_kib(pid: int) -> tuple[int, int]:
    """(VmRSS, VmHWM) of a process in KiB; (0, 0) once it is gone."""
    try:
        with open(f"/proc/{pid}/status") as f:
            fields = dict(line.split(":", 1) for line in f if line.startswith("Vm"))
    except OSError:
        return 0, 0
    return int(fields["VmRSS"].split()[0]), int(fields["VmHWM"].split()[0])


def _cpu_s(pid: int) -> float:
    """User + system CPU seconds of a process so far (0 once it is gone)."""
    try:
        with open(f"/proc/{pid}/stat") as f:
            fields = f.read().rsplit(")", 1)[1].split()
    except OSError:
        return 0.0
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def _children(pid: int) -> list[int]:
    out = []
    for task in os.listdir(f"/proc/{pid}/task"):
        try:
            with open(f"/proc/{pid}/task/{task}/children") as f:
                out += [int(c) for c in f.read().split()]
        except OSError:
            pass
    return out


class Sampler(threading.Thread):
    """RSS of this process and its children every ``interval`` seconds, with the progress."""

    def __init__(self, interval: float) -> None:
        super().__init__(daemon=True)
        self.interval, self.done = interval, 0
        self.samples: list[dict[str, Any]] = []
        self.peaks: dict[int, int] = {}
        self.cpu: dict[int, float] = {}
        self.stop = threading.Event()

    def sample(self) -> None:
        me = os.getpid()
        parent, parent_hwm = _rss_kib(me)
        workers = {}
        for child in _children(me):
            rss, hwm = _rss_kib(child)
            if rss:
                workers[child] = rss
                self.peaks[child] = max(self.peaks.get(child, 0), hwm)
                self.cpu[child] = max(self.cpu.get(child, 0.0), _cpu_s(child))
        self.peaks[me] = parent_hwm
        self.samples.append(
            {
                "done": self.done,
                "parent_mib": parent / 1024,
                "workers_mib": sorted(w / 1024 for w in workers.values()),
            }
        )

    def run(self) -> None:
        while not self.stop.wait(self.interval):
            self.sample()


def abstract_batches(pool: list[str], n: int, batch: int) -> Iterator[list[tuple[str, str, str]]]:
    """``n`` (PMID, abstract, year) in batches, cycling through ``pool`` (made on the fly, so
    the parent holds no corpus)."""
    texts = itertools.cycle(pool)
    for start in range(0, n, batch):
        stop = min(start + batch, n)
        yield [(str(90_000_001 + k), next(texts), "2020") for k in range(start, stop)]


def part_throughput(args: argparse.Namespace) -> dict[str, Any]:
    vocabulary = igfkg.open().reading_vocabulary()
    pool = synthetic_abstracts(vocabulary, min(args.n, 10_000), seed=13)
    sampler = Sampler(args.interval)
    sentences = lines = 0
    parent_cpu = _cpu_s(os.getpid())
    t0 = time.perf_counter()
    sampler.start()
    batches = abstract_batches(pool, args.n, evidence._BATCH)
    for batch, chunk in evidence._lines(vocabulary, batches, args.workers):
        sampler.done += len(batch)
        for article in chunk:
            lines += len(article)
            sentences += evidence._sentences(article)
        if sampler.done == args.n:
            sampler.sample()  # the last batch, before the pool goes
    seconds = time.perf_counter() - t0
    parent_cpu = _cpu_s(os.getpid()) - parent_cpu
    sampler.stop.set()
    sampler.join()
    rate = args.n / seconds
    samples = sampler.samples
    at = {}
    for share in (0.1, 0.5, 1.0):
        wanted = share * args.n
        at[f"{share:.0%}"] = min(samples, key=lambda s: abs(s["done"] - wanted)) if samples else {}
    me = os.getpid()
    worker_peaks = [v / 1024 for k, v in sorted(sampler.peaks.items()) if k != me]
    out = {
        "abstracts": args.n,
        "workers": args.workers,
        "batch": evidence._BATCH,
        "seconds": seconds,
        "per_s": rate,
        "evidence_sentences": sentences,
        "triples": lines,
        "extrapolated_1m_s": 1e6 / rate,
        # The CPU the workers got: below 1 a worker, the machine was busy with other work.
        "worker_cpu_s": sum(sampler.cpu.values()),
        "cpu_share": sum(sampler.cpu.values()) / (seconds * args.workers),
        "parent_cpu_s": parent_cpu,
        "per_worker_cpu_s": args.n / max(sum(sampler.cpu.values()), 1e-9),
        "target_1m_s": TARGET_1M_S,
        "rss_at": at,
        "peak_parent_mib": sampler.peaks.get(me, 0) / 1024,
        "peak_workers_mib": worker_peaks,
        "samples": len(samples),
    }
    verdict = "PASS" if out["extrapolated_1m_s"] < TARGET_1M_S else "MISS"
    print(f"\n{args.n:,} synthetic abstracts on {args.workers} worker processes (batches of "
          f"{evidence._BATCH}): {seconds:,.1f} s, {rate:,.0f} abstracts/s, "
          f"{sentences:,} evidence sentences, {lines:,} triples")  # fmt: skip
    print(f"1M abstracts: {out['extrapolated_1m_s'] / 60:.1f} min (target < 15 min: {verdict})")
    print(f"workers' CPU: {out['worker_cpu_s']:,.0f} s ({out['cpu_share']:.0%} of {args.workers} "
          f"cores over the run; {out['per_worker_cpu_s']:,.0f} abstracts per worker CPU "
          f"second); parent: {parent_cpu:,.0f} s")  # fmt: skip
    print("\n| progress | abstracts read | parent RSS (MiB) | worker RSS (MiB) |")
    print("|---|---:|---:|---:|")
    for share, s in at.items():
        if s:
            workers = " / ".join(f"{w:,.0f}" for w in s["workers_mib"])
            print(f"| {share} | {s['done']:,} | {s['parent_mib']:,.0f} | {workers} |")
    peaks = " / ".join(f"{w:,.0f}" for w in worker_peaks)
    print(f"| peak | | {out['peak_parent_mib']:,.0f} | {peaks} |")
    return out


# -- part 3: queries at scale --------------------------------------------------------------------

ISSUED = "<http://purl.org/dc/terms/issued>"
TITLE = "<http://purl.org/dc/terms/title>"
BIBO_PMID = "<http://purl.org/ontology/bibo/pmid>"
RDF_TYPE = "<http://www.w3.org/1999/02/22-rdf-syntax-ns#type>"
ARTICLE = "<https://w3id.org/igfkg/JournalArticle>"
SOURCE = "https://w3id.org/igfkg/graph/source/"
GYEAR = "<http://www.w3.org/2001/XMLSchema#gYear>"
PER_GRAPH = 10_000  # articles per source graph, as ingest writes a 10k-record file


def evidence_shard(
    vocabulary: Vocabulary, first: int, count: int, seed: int, path: Path
) -> dict[str, Any]:
    """Write N-Quads for articles ``first`` .. ``first + count``: each article's node in its
    source graph, and 0-3 evidence sentences each (the shapes of ``reading.rdf``, cues and
    claim links included) in the evidence graph; return what they add to the shared nodes'
    counts (``evidence.line_counts``, what the store path keeps)."""
    rng = random.Random(seed)
    concepts = Concepts.of(vocabulary)
    reader = Reader(vocabulary)
    ev = f" <{EVIDENCE_GRAPH}> .\n"
    activity = activity_iri(vocabulary)
    stats: dict[str, Any] = {"articles": 0, "sentences": 0, "quads": 0}
    counts: Counter[tuple[str, str]] = Counter()
    with path.open("w", encoding="utf-8") as out:
        write = out.write
        for k in range(first, first + count):
            pmid = str(90_000_001 + k)
            graph = f" <{SOURCE}synthetic{k // PER_GRAPH + 1:04d}.xml.gz> .\n"
            a = f"<{PUBMED}{pmid}>"
            year = 1980 + rng.randrange(45)
            for line in (
                f"{a} {RDF_TYPE} {ARTICLE}",
                f'{a} {BIBO_PMID} "{pmid}"',
                f'{a} {TITLE} "Synthetic article {pmid}."',
                f'{a} {ISSUED} "{year}"^^{GYEAR}',
            ):
                write(line + graph)
            stats["quads"] += 4
            pieces: list[str] = []
            found: list[tuple[tuple[int, int], list[Mention]]] = []
            at = 0
            for _ in range(rng.choice((0, 1, 1, 2, 2, 3))):
                if pieces:
                    pieces.append(" ")
                    at += 1
                mentions = synthetic_sentence(rng, concepts, rng.choice((1, 2, 2, 3)), pieces, at)
                found.append(((at, at + len(pieces[-1])), mentions))
                at += len(pieces[-1])
            text = "".join(pieces)
            sentences = []
            for span, mentions in found:
                cue = rng.random()
                hedged, negated = cue < 0.2, 0.2 <= cue < 0.3
                cues = SentenceCues(
                    hedged,
                    negated,
                    ("may",) if hedged else (),
                    ("did not",) if negated else (),
                    (rng.choice(("increase", "decrease", "improve", "impair")),)
                    if rng.random() < 0.3
                    else (),
                )
                sentences.append(reader._sentence(text, span, mentions, cues))
            lines = article_evidence_lines(pmid, text, sentences, activity, str(year))
            for line in lines:
                write(line[:-2] + ev)
                stats["quads"] += 1
            counts.update(evidence.line_counts(lines))
            stats["articles"] += 1
            stats["sentences"] += len(sentences)
    stats["counts"] = counts
    return stats


def _shard_job(job: tuple[int, int, int, str]) -> dict[str, Any]:
    first, count, seed, path = job
    return evidence_shard(igfkg.open().reading_vocabulary(), first, count, seed, Path(path))


def build_store(workdir: Path, articles: int, workers: int) -> tuple[Path, dict[str, Any]]:
    """An on-disk store: the bundled graph plus ``articles`` articles' evidence, bulk-loaded
    (reused when built with the same settings)."""
    root = workdir / f"evidence-store-{articles}"
    store, stamp = root / "store", root / "built.json"
    wanted = {"articles": articles, "seed": 7, "version": 5}
    if stamp.exists() and json.loads(stamp.read_text()).get("wanted") == wanted:
        return store, {**json.loads(stamp.read_text()), "reused": True}
    shutil.rmtree(root, ignore_errors=True)
    shards = root / "nq"
    shards.mkdir(parents=True)
    vocabulary = igfkg.open().reading_vocabulary()
    per = max(1, min(100_000, -(-articles // (2 * workers))))
    jobs = [
        (first, min(per, articles - first), 7 + i, str(shards / f"evidence{i:04d}.nq"))
        for i, first in enumerate(range(0, articles, per))
    ]
    t0 = time.perf_counter()
    with ProcessPoolExecutor(max_workers=workers) as pool:
        parts = list(pool.map(_shard_job, jobs))
    head = shards / "activity.nq"
    head.write_text(
        "".join(f"{line[:-2]} <{EVIDENCE_GRAPH}> .\n" for line in activity_lines(vocabulary))
        + f'<{EVIDENCE_GRAPH}> <{IGFKG}evidenceFormat> "{EVIDENCE_FORMAT}" <{EVIDENCE_GRAPH}> .\n'
    )
    counts: Counter[tuple[str, str]] = Counter()
    for part in parts:
        counts.update(part.pop("counts"))
    tail = shards / "counts.nq"
    with tail.open("w", encoding="utf-8") as out:
        for line in evidence.count_lines(counts):
            out.write(f"{line[:-2]} <{EVIDENCE_GRAPH}> .\n")
    shared = len(counts)
    del counts
    generate_s = time.perf_counter() - t0
    kg = igfkg.open(f"oxigraph:{store}")  # the bundled ontology and KB, as a new store gets
    t0 = time.perf_counter()
    for path in [head, *(Path(j[3]) for j in jobs), tail]:
        kg.backend.store.bulk_load(path=str(path), format=ox.RdfFormat.N_QUADS)  # type: ignore[attr-defined]
    kg.backend.store.flush()  # type: ignore[attr-defined]
    load_s = time.perf_counter() - t0
    quads = len(kg)
    if articles <= 20_000:  # the counts a bulk load wrote are those the store path keeps
        errors = evidence.count_errors(kg.backend.match)
        if errors:
            raise SystemExit(f"evidence counts disagree with a recount: {errors[:3]}")
    kg.backend.close()  # type: ignore[attr-defined]
    size = sum(f.stat().st_size for f in shards.iterdir())
    shutil.rmtree(shards)
    done = {
        "wanted": wanted,
        "articles": sum(p["articles"] for p in parts),
        "sentences": sum(p["sentences"] for p in parts),
        "evidence_quads": sum(p["quads"] for p in parts),
        "counted_nodes_props": shared,
        "store_quads": quads,
        "nquads_bytes": size,
        "store_bytes": sum(f.stat().st_size for f in store.rglob("*") if f.is_file()),
        "generate_s": generate_s,
        "load_s": load_s,
    }
    stamp.write_text(json.dumps(done))
    return store, {**done, "reused": False}


def query_cases(kg: igfkg.KnowledgeGraph) -> list[tuple[str, str, dict[str, str]]]:
    """(label, query, parameters): a common and a rare entity, a pair, a claim."""
    rows = kg.sparql(
        "SELECT ?e (COUNT(?s) AS ?n) WHERE { GRAPH <" + EVIDENCE_GRAPH + "> "
        "{ ?s <https://w3id.org/igfkg/mentionsEntity> ?e } } GROUP BY ?e ORDER BY ?n ?e"
    )
    counts = [(r["e"].value, int(r["n"].value)) for r in rows]  # type: ignore[index,union-attr]
    kb_counts = [(e, n) for e, n in counts if e.startswith(KB)]
    rare = kb_counts[0][0].replace(KB, "kb:")
    other = "kb:type-2-diabetes"
    claims = {c[0]: c for c in kg.reading_vocabulary().claims}
    mentioned = dict(counts)
    claim = max(
        claims, key=lambda c: min(mentioned.get(claims[c][1], 0), mentioned.get(claims[c][2], 0))
    )
    return [
        ("entity (common)", "evidence-sentences", {"entity": COMMON_ENTITY}),
        ("entity (rare)", "evidence-sentences", {"entity": rare}),
        ("entity + other", "evidence-sentences", {"entity": COMMON_ENTITY, "other": other}),
        ("claim", "evidence-sentences", {"claim": claim}),
        ("entity (common)", "candidate-statements", {"entity": COMMON_ENTITY}),
        ("entity (rare)", "candidate-statements", {"entity": rare}),
        ("", "claims-without-literature", {}),
    ]


def time_query(
    kg: igfkg.KnowledgeGraph,
    qid: str,
    params: dict[str, str],
    limit: int | None,
    repeat: int,
    slow: float,
) -> dict[str, Any]:
    """Rows, the first run's time and the median of ``repeat`` more (one more only, when the
    first took over ``slow`` seconds)."""
    t0 = time.perf_counter()
    rows = len(kg.query(qid, limit=limit, **params))
    cold = time.perf_counter() - t0
    warm = []
    for _ in range(repeat if cold <= slow else 1):
        t0 = time.perf_counter()
        kg.query(qid, limit=limit, **params)
        warm.append(time.perf_counter() - t0)
    return {"rows": rows, "cold_s": cold, "warm_s": statistics.median(warm)}


def part_queries(args: argparse.Namespace) -> dict[str, Any]:
    store, built = build_store(args.workdir, args.articles, args.workers)
    print(
        f"\nevidence store: {built['articles']:,} articles, {built['sentences']:,} evidence "
        f"sentences, {built['evidence_quads']:,} quads generated in {built['generate_s']:.0f} s, "
        f"bulk-loaded in {built['load_s']:.0f} s; {built['store_quads']:,} quads in the store"
        + (" (reused)" if built["reused"] else "")
    )
    kg = igfkg.open(f"oxigraph:{store}", read_only=True)
    cases = query_cases(kg)
    kg.backend.close()  # type: ignore[attr-defined]
    results = []
    for label, qid, params in cases:
        for limit in (20, None):
            # Cold: the first run on a store opened afresh (its caches empty; the OS's not).
            kg = igfkg.open(f"oxigraph:{store}", read_only=True)
            timing = time_query(kg, qid, params, limit, args.repeat, args.slow)
            kg.backend.close()  # type: ignore[attr-defined]
            results.append({"label": label, "query": qid, "params": params, "limit": limit,
                            **timing})  # fmt: skip
    # What `igfkg describe` shows of the literature: counts and the three newest sentences.
    for label, entity in (("common", COMMON_ENTITY), ("rare", cases[1][2]["entity"])):
        kg = igfkg.open(f"oxigraph:{store}", read_only=True)
        t0 = time.perf_counter()
        found = kg.describe(entity).literature
        cold = time.perf_counter() - t0
        t0 = time.perf_counter()
        kg.describe(entity)
        warm = time.perf_counter() - t0
        kg.backend.close()  # type: ignore[attr-defined]
        results.append({"label": label, "query": "describe", "params": {"entity": entity},
                        "limit": 3, "rows": found.sentences if found else 0, "cold_s": cold,
                        "warm_s": warm})  # fmt: skip
    print(f"\n| query ({args.articles:,} abstracts, on disk) | parameters | rows | "
          "cold s | warm s | target < 1 s |")  # fmt: skip
    print("|---|---|---:|---:|---:|---|")
    for r in results:
        page = {20: "first 20", None: "all", 3: "counts, newest 3"}[r["limit"]]
        params = ", ".join(f"{k}={v}" for k, v in r["params"].items()) or "-"
        ok = "PASS" if max(r["cold_s"], r["warm_s"]) < TARGET_QUERY_S else "MISS"
        print(f"| {r['query']} ({page}) | {params} | {r['rows']:,} | {r['cold_s']:.3f} "
              f"| {r['warm_s']:.3f} | {ok} |")  # fmt: skip
    return {"store": built, "queries": results}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--parts", default=",".join(PARTS), help="comma-separated: " + ", ".join(PARTS)
    )
    parser.add_argument("--real", type=Path, default=REAL, help="folder of PubMed XML files")
    parser.add_argument("--synthetic", type=int, default=2000, help="synthetic abstracts (part 1)")
    parser.add_argument("--mesh", action=argparse.BooleanOptionalAction, default=True,
                        help="also read with a vocabulary holding the MeSH tree")  # fmt: skip
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument(
        "--min-pass", type=int, default=2000, help="abstracts a timed pass reads at least"
    )
    parser.add_argument("--n", type=int, default=200_000, help="abstracts read on the workers")
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--interval", type=float, default=0.5, help="seconds between RSS samples")
    parser.add_argument("--articles", type=int, default=1_000_000, help="abstracts in the store")
    parser.add_argument(
        "--slow", type=float, default=30.0, help="seconds after which a query is run twice only"
    )
    parser.add_argument("--workdir", type=Path, default=Path("bench-read-work"))
    parser.add_argument("--json", type=Path)
    args = parser.parse_args()
    parts = args.parts.split(",")
    unknown = set(parts) - set(PARTS)
    if unknown:
        parser.error(f"unknown parts: {', '.join(sorted(unknown))}")
    args.workdir = args.workdir.resolve()
    args.workdir.mkdir(parents=True, exist_ok=True)
    results: dict[str, Any] = {
        "date": datetime.date.today().isoformat(),
        "machine": f"{platform.machine()}, {os.cpu_count()} cores, "
        f"Python {platform.python_version()}",
    }
    for part, func in (("read", part_read), ("throughput", part_throughput),
                       ("queries", part_queries)):  # fmt: skip
        if part in parts:
            results[part] = func(args)
            if args.json:
                args.json.write_text(json.dumps(results, indent=2))


if __name__ == "__main__":
    main()
