"""The literature reader: an abstract in, its evidence sentences out.

A :class:`Vocabulary` is what the reader knows: names (labels and synonyms of the graph's
entities and of MeSH descriptors, as the name resolver knows them) with the concepts each
stands for, and the curated claims (subject, object). :meth:`Reader.read` splits the abstract
into sentences, finds the names in each, marks hedge, negation and direction cues, and links
a sentence naming both entities of a claim to the claim; two entities named together with no
claim between them form a candidate statement.

>>> vocab = Vocabulary(
...     names=(("IGF-I", ("kb:igf-1",)), ("insulin resistance", ("kb:ir",)),
...            ("glucose", ("kb:glucose",))),
...     claims=(("kb:claim-1", "kb:igf-1", "kb:ir"),),
... )
>>> text = "RESULTS: IGF-I may reduce insulin resistance.\\nCONCLUSIONS: Glucose did not change."
>>> for s in Reader(vocab).read(text):
...     print(s.section, s.cues.hedged, s.cues.negated, s.claims, s.candidates)
RESULTS True False ('kb:claim-1',) ()
CONCLUSIONS False True () ()
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from igfkg.core.vocabulary import Vocabulary
from igfkg.literature.reading.cues import VERSION as CUES_VERSION
from igfkg.literature.reading.cues import Cues, SentenceCues
from igfkg.literature.reading.matcher import Matcher, Mention
from igfkg.literature.reading.sentences import nlp, sentence_spans

__all__ = ["VERSION", "Reader", "SentenceEvidence", "Vocabulary"]

# The reading method's version: the sentence rules, the matcher's rules and the cue lists.
VERSION = f"1.{CUES_VERSION}"

_IGFKG = "https://w3id.org/igfkg/"
# A section label of a structured abstract, at the start of a line: "RESULTS: ".
_SECTION = re.compile(r"([A-Z][A-Z0-9 ,&/()-]{0,60}[A-Z)]): ")


@dataclass(frozen=True)
class SentenceEvidence:
    """One sentence that names something: offsets in the abstract, section label, mentions
    (offsets in the abstract), cues, linked claims and candidate pairs (entity IRIs, in the
    order the sentence names them)."""

    start: int
    end: int
    section: str
    mentions: tuple[Mention, ...]
    cues: SentenceCues
    claims: tuple[str, ...] = ()
    candidates: tuple[tuple[str, str], ...] = field(default=())


class Reader:
    """Reads abstracts with one vocabulary (build once, read many)."""

    def __init__(self, vocabulary: Vocabulary) -> None:
        self.vocabulary = vocabulary
        self.matcher = Matcher(vocabulary.names, first=(_IGFKG,))
        self.cues = Cues()
        self.nlp = nlp()
        self.claims: dict[frozenset[str], list[tuple[str, str, str]]] = {}
        for claim in vocabulary.claims:
            self.claims.setdefault(frozenset(claim[1:]), []).append(claim)

    def read(self, text: str) -> list[SentenceEvidence]:
        """The evidence sentences of an abstract (those naming at least one concept)."""
        doc = self.nlp(text)
        spans: list[tuple[int, int]] = []
        found: list[list[Mention]] = []
        for start, end in sentence_spans(doc, text):
            mentions = [
                Mention(m.start + start, m.end + start, m.concepts)
                for m in self.matcher.find(text[start:end])
            ]
            if mentions:
                spans.append((start, end))
                found.append(mentions)
        if not spans:
            return []
        marks = self.cues.mark(doc, [[(m.start, m.end) for m in ms] for ms in found], spans)
        return [
            self._sentence(text, span, mentions, cues)
            for span, mentions, cues in zip(spans, found, marks, strict=True)
        ]

    def _sentence(
        self, text: str, span: tuple[int, int], mentions: list[Mention], cues: SentenceCues
    ) -> SentenceEvidence:
        start, end = span
        line = text.rfind("\n", 0, start) + 1
        section = _SECTION.match(text, line)
        concepts = {c for m in mentions for c in m.concepts}
        claims: set[str] = set()
        for pair, linked in self.claims.items():
            if len(pair) == 2 and pair <= concepts:
                claims.update(claim for claim, _, _ in linked)
        entities = list(dict.fromkeys(m.concepts[0] for m in mentions))
        candidates = []
        for i, a in enumerate(entities):
            for b in entities[i + 1 :]:
                if not self._claimed(a, b, mentions):
                    candidates.append((a, b))
        return SentenceEvidence(
            start,
            end,
            section.group(1) if section else "",
            tuple(mentions),
            cues,
            tuple(sorted(claims)),
            tuple(candidates),
        )

    def _claimed(self, a: str, b: str, mentions: list[Mention]) -> bool:
        """True if a curated claim joins a concept of ``a``'s mentions and one of ``b``'s."""
        first = {c for m in mentions if m.concepts[0] == a for c in m.concepts}
        second = {c for m in mentions if m.concepts[0] == b for c in m.concepts}
        return any(frozenset((x, y)) in self.claims for x in first for y in second if x != y)
