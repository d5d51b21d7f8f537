"""Precision and recall of the literature reader on the hand-labelled evaluation set
(``tests/data/reading/``): entity recognition (mentions: exact span and concept), and hedge and
negation detection (sentence flags). Run ``python -m tests.reading_quality`` to print the table
the README shows; ``tests/test_reading_quality.py`` keeps the figures from falling.

Abstracts are taken as ingest stores them (:func:`igfkg.literature.pubmed.read_records`; the
seed from the KB), so the evaluation reads exactly what ``igfkg read`` reads.

Hedge and negation are measured twice: given the hand-labelled mentions as the names whose scope
is judged (the cue detector alone, on the sentences with a labelled mention, as NegEx itself was
evaluated), and end to end (the reader's own mentions on the same sentences: a sentence the
reader finds no name in is never flagged). A sentence naming nothing is no evidence sentence, so
its hedges are not judged there; the cue lists themselves are measured on every sentence (is
there a hedge, a negation, whatever its scope).
"""

from __future__ import annotations

import csv
import hashlib
from dataclasses import dataclass
from pathlib import Path

import igfkg
from igfkg.core.namespaces import expand_curie
from igfkg.literature.pubmed import Article, read_records
from igfkg.literature.reading.reader import Reader
from igfkg.literature.reading.sentences import nlp, sentence_spans

DATA = Path(__file__).resolve().parent / "data"
LABELS = DATA / "reading" / "eval-sentences.tsv"
SEED_PMID = "15832492"


def _pubmed_dir() -> Path:
    shared = DATA.parent.parent.parent / "shared" / "data" / "pubmed"
    return shared if shared.is_dir() else DATA / "real" / "pubmed"


def abstracts(kg: igfkg.KnowledgeGraph) -> dict[tuple[str, str], str]:
    """The abstract of every labelled (source file, PMID), as ingest reads it."""
    wanted: dict[str, set[str]] = {}
    for row in _rows():
        wanted.setdefault(row["source_file"], set()).add(row["pmid"])
    out: dict[tuple[str, str], str] = {}
    for name, pmids in wanted.items():
        if name == "seed":
            query = "SELECT ?a WHERE { <http://www.ncbi.nlm.nih.gov/pubmed/15832492> <http://purl.org/dc/terms/abstract> ?a }"  # noqa: E501
            out[(name, SEED_PMID)] = kg.select(query).rows[0]["a"].value  # type: ignore[union-attr]
            continue
        for rec in read_records(_pubmed_dir() / name):
            if isinstance(rec, Article) and rec.pmid in pmids:
                out.setdefault((name, rec.pmid), rec.abstract)
    return out


def _rows() -> list[dict[str, str]]:
    with LABELS.open(encoding="utf-8", newline="") as handle:
        return list(csv.DictReader(handle, delimiter="\t"))


@dataclass
class Score:
    """Predictions that are right (of all predictions) and gold items found (of all gold
    items): precision, recall, F1. (The two counts differ only for overlapping spans.)"""

    right: int = 0
    predicted: int = 0
    found: int = 0
    gold: int = 0

    @property
    def precision(self) -> float:
        return self.right / self.predicted if self.predicted else 1.0

    @property
    def recall(self) -> float:
        return self.found / self.gold if self.gold else 1.0

    @property
    def f1(self) -> float:
        p, r = self.precision, self.recall
        return 2 * p * r / (p + r) if p + r else 0.0

    def add(self, predicted: bool, gold: bool) -> None:
        """One binary decision."""
        self.right += predicted and gold
        self.found += predicted and gold
        self.predicted += predicted
        self.gold += gold


@dataclass
class Quality:
    """The reader's scores on the evaluation set."""

    sentences: int
    mentions: Score
    mentions_overlap: Score
    hedge: Score
    negation: Score
    hedge_end_to_end: Score
    negation_end_to_end: Score
    scope_sentences: int
    hedge_cues: Score
    negation_cues: Score


def _gold_mentions(row: dict[str, str], start: int) -> list[tuple[int, int, str]]:
    out = []
    for item in filter(None, row["mentions"].split(";")):
        span, _, curie = item.partition("=")
        s, _, e = span.partition("-")
        out.append((start + int(s), start + int(e), expand_curie(curie) or curie))
    return out


def evaluate() -> Quality:
    """Read every labelled abstract and score the reader against the labels."""
    kg = igfkg.open()
    reader = Reader(kg.reading_vocabulary())
    texts = abstracts(kg)
    mentions, overlap = Score(), Score()
    hedge, negation, hedge_e2e, negation_e2e = Score(), Score(), Score(), Score()
    hedge_cues, negation_cues = Score(), Score()
    rows = _rows()
    scoped = 0
    for row in rows:
        text = texts[(row["source_file"], row["pmid"])]
        start, end = int(row["start"]), int(row["end"])
        sentence = text[start:end]
        digest = hashlib.sha256(sentence.encode("utf-8")).hexdigest()[:12]
        if digest != row["sha"]:
            raise AssertionError(f"{row['pmid']} {start}-{end}: not the labelled sentence")
        gold = _gold_mentions(row, start)
        found = [s for s in reader.read(text) if (s.start, s.end) == (start, end)]
        predicted = [(m.start, m.end, m.concepts) for s in found for m in s.mentions]
        gold_left = list(gold)
        for s, e, concepts in predicted:
            hit = next((g for g in gold_left if (g[0], g[1]) == (s, e) and g[2] in concepts), None)
            mentions.predicted += 1
            if hit is not None:
                mentions.right += 1
                mentions.found += 1
                gold_left.remove(hit)
        mentions.gold += len(gold)
        overlap.predicted += len(predicted)
        overlap.right += sum(any(g[0] < e and s < g[1] for g in gold) for s, e, _ in predicted)
        overlap.gold += len(gold)
        overlap.found += sum(any(s < g[1] and g[0] < e for s, e, _ in predicted) for g in gold)
        gold_hedged, gold_negated = row["hedged"] == "1", row["negated"] == "1"
        doc = nlp()(text)
        hedges_found, negations_found = reader.cues.cues_in(doc, start, end)
        hedge_cues.add(bool(hedges_found), gold_hedged)
        negation_cues.add(bool(negations_found), gold_negated)
        if gold:
            scoped += 1
            cues = found[0].cues if found else None
            hedge_e2e.add(bool(cues and cues.hedged), gold_hedged)
            negation_e2e.add(bool(cues and cues.negated), gold_negated)
            sentence_spans(doc)
            (marked,) = reader.cues.mark(doc, [[(g[0], g[1]) for g in gold]], [(start, end)])
            hedge.add(marked.hedged, gold_hedged)
            negation.add(marked.negated, gold_negated)
    return Quality(
        len(rows),
        mentions,
        overlap,
        hedge,
        negation,
        hedge_e2e,
        negation_e2e,
        scoped,
        hedge_cues,
        negation_cues,
    )


def table(q: Quality) -> str:
    """The README's table of the figures."""
    lines = [
        "| task | precision | recall | F1 | on |",
        "|---|---|---|---|---|",
    ]

    def line(name: str, s: Score, on: str) -> None:
        lines.append(
            f"| {name} | {s.precision:.2f} ({s.right}/{s.predicted}) | {s.recall:.2f} "
            f"({s.found}/{s.gold}) | {s.f1:.2f} | {on} |"
        )

    line("entity mentions (exact span and concept)", q.mentions, f"{q.mentions.gold} mentions")
    line("entity mentions (overlapping span)", q.mentions_overlap, f"{q.mentions.gold} mentions")
    on = f"{q.scope_sentences} sentences with a labelled mention"
    line("hedge detection (given the mentions)", q.hedge, on)
    line("negation detection (given the mentions)", q.negation, on)
    line("hedge detection (end to end)", q.hedge_end_to_end, on)
    line("negation detection (end to end)", q.negation_end_to_end, on)
    every = f"all {q.sentences} sentences"
    line("hedge cue in the sentence (no scope)", q.hedge_cues, every)
    line("negation cue in the sentence (no scope)", q.negation_cues, every)
    return "\n".join(lines)


if __name__ == "__main__":
    print(table(evaluate()))
