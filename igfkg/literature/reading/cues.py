"""Hedge, negation and direction cues of a sentence's statements about the names found in it.

Negation and hedging are found with negspacy's NegEx (Chapman et al. 2001): a cue before a name
("no", "did not", "may") or after it ("was not", "remains uncertain") puts the name in its
scope, up to a terminating word ("but", "however", "although") or the end of the sentence. The
negation cues are negspacy's clinical list adapted to research abstracts: clinical idioms that
mean something else in a paper (``declined``, ``versus``, ``rule out``) are dropped, research
ones (``failed to``, ``no significant``, ``not associated``) added, and "no change" counts as a
negation. The hedge cues are a list of speculation cues (``may``, ``suggest``, ``possibly``,
``uncertain``, ``not known``, ``experimentally``) run through the same algorithm. Direction
cues (increase, decrease, improve, impair) are words of the sentence, matched with spaCy's
PhraseMatcher. Each phrase matcher runs once over the abstract and its matches are taken
sentence by sentence (the same cues as matching each sentence alone, ~4x faster than copying
every sentence into a doc). Version :data:`VERSION` names these lists; change it when they
change.

>>> from igfkg.literature.reading.sentences import nlp
>>> doc = nlp()("IGF-I may lower glucose, but did not change insulin.")
>>> cues = Cues()
>>> [(s.hedged, s.negated, s.hedge_cues, s.negation_cues, s.directions)
...  for s in cues.mark(doc, [[(0, 5), (16, 23), (44, 51)]], [(0, 52)])]
[(True, True, ('may',), ('did not',), ('decrease',))]
"""

from __future__ import annotations

import itertools
from collections.abc import Sequence
from dataclasses import dataclass
from functools import cache
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from spacy.tokens import Doc

__all__ = ["VERSION", "Cues", "SentenceCues"]

VERSION = "1"

_CLINICAL_ONLY = {
    "declined", "denied", "denies", "denying", "versus", "evaluate for", "r/o", "ro", "free",
    "symptoms atypical", "doubt", "patient was not", "no complaints of",
    "rule out", "rules out", "ruled out", "rule him out", "rule her out", "rule patient out",
    "rule the patient out", "ruled him out", "ruled her out", "ruled patient out",
    "ruled the patient out", "was ruled out", "were ruled out",
    "no increase", "no significant change", "no change", "no definite change",
    "no suspicious change", "no interval change", "no significant interval change",
}  # fmt: skip
_NEGATION_BEFORE = [
    "did not",
    "does not",
    "do not",
    "has not",
    "have not",
    "had not",
    "was not",
    "were not",
    "could not",
    "cannot",
    "no significant",
    "not significantly",
    "failed to",
    "fail to",
    "fails to",
    "lack of",
    "lacked",
    "lacking",
    "neither",
    "nor",
    "none",
    "absence of",
    "absent",
    "no effect",
    "no change",
    "no increase",
    "no decrease",
    "no difference",
    "no association",
    "not associated",
    "independent of",
    "unrelated to",
]
_NEGATION_AFTER = [
    "did not",
    "does not",
    "do not",
    "was not",
    "were not",
    "has not",
    "have not",
    "had no",
    "has no",
    "have no",
    "failed to",
    "fails to",
    "remained unchanged",
    "were unchanged",
    "was unchanged",
    "unchanged",
    "unaffected",
    "not significantly",
    "no longer",
    "not associated",
    "was absent",
    "were absent",
]
# Cues that contain a negation word but speak of uncertainty (hedges, not negations).
_NOT_NEGATION = [
    "not known", "not clear", "not certain", "not yet known", "not well understood",
    "not fully understood", "not only", "no doubt", "not necessarily", "might not", "may not",
    "could not be excluded", "cannot be excluded", "cannot be ruled out", "not ruled out",
    "no further", "without further",
]  # fmt: skip
_HEDGES = [
    "may", "might", "could", "possibly", "possible", "possibility", "probably", "probable",
    "likely", "unlikely", "perhaps", "presumably", "putative", "putatively", "potential",
    "potentially", "suggest", "suggests", "suggested", "suggesting", "suggestive",
    "appear to", "appears to", "appeared to", "seem to", "seems to", "seemed to",
    "hypothesis", "hypothesize", "hypothesized", "hypothesise", "hypothesised", "speculate",
    "speculated", "uncertain", "uncertainty", "unclear", "unknown", "not known", "not clear",
    "not yet known", "remains to be", "remain to be", "whether", "experimentally",
    "conceivably", "might be", "may be", "cannot be excluded", "could not be excluded",
    "is thought to", "are thought to", "indicate that", "indicates that", "indicating that",
]  # fmt: skip
_HEDGE_PSEUDO = ["no doubt", "not unlikely"]
_TERMINATION = [
    "although", "apart from", "aside from", "but", "except", "however", "nevertheless",
    "still", "though", "whereas", "while", "yet", "which", "whereby", "in contrast",
    "conversely",
]  # fmt: skip
_DIRECTIONS = {
    "increase": [
        "increase", "increased", "increases", "increasing", "elevated", "elevation", "raised",
        "rise", "rises", "rose", "higher", "enhanced", "enhances", "enhance", "upregulated",
        "up-regulated", "stimulated", "stimulates", "augmented", "greater",
    ],
    "decrease": [
        "decrease", "decreased", "decreases", "decreasing", "reduced", "reduces", "reduce",
        "reduction", "lower", "lowered", "lowers", "declined", "decline", "fell", "fall",
        "diminished", "suppressed", "suppresses", "downregulated", "down-regulated",
        "inhibited", "inhibits", "attenuated", "less",
    ],
    "improve": [
        "improve", "improved", "improves", "improvement", "improving", "ameliorated",
        "ameliorates", "benefit", "benefits", "beneficial", "protective", "protects",
    ],
    "impair": [
        "impair", "impaired", "impairs", "impairment", "worsened", "worsening", "worse",
        "deteriorated", "deterioration", "harmful", "detrimental", "aggravated",
    ],
}  # fmt: skip


def negation_termset() -> dict[str, list[str]]:
    """NegEx's cue lists for negation in research abstracts (see the module docstring)."""
    from negspacy.termsets import termset

    base: dict[str, list[str]] = termset("en_clinical").get_patterns()  # type: ignore[no-untyped-call]

    def keep(cues: list[str]) -> list[str]:
        return [c for c in cues if c not in _CLINICAL_ONLY]

    return {
        "pseudo_negations": sorted({*keep(base["pseudo_negations"]), *_NOT_NEGATION}),
        "preceding_negations": sorted({*keep(base["preceding_negations"]), *_NEGATION_BEFORE}),
        "following_negations": sorted({*keep(base["following_negations"]), *_NEGATION_AFTER}),
        "termination": sorted({*base["termination"], *_TERMINATION}),
    }


def hedge_termset() -> dict[str, list[str]]:
    """The hedge cues as a NegEx termset: a hedge before or after a name puts it in scope."""
    return {
        "pseudo_negations": _HEDGE_PSEUDO,
        "preceding_negations": _HEDGES,
        "following_negations": _HEDGES,
        "termination": _TERMINATION,
    }


@dataclass(frozen=True, slots=True)
class SentenceCues:
    """The cues of one sentence: flags, the cue words found (as written) and directions."""

    hedged: bool
    negated: bool
    hedge_cues: tuple[str, ...]
    negation_cues: tuple[str, ...]
    directions: tuple[str, ...]


@cache
def _components() -> tuple[Any, Any, Any]:
    from negspacy.negation import Negex
    from spacy.matcher import PhraseMatcher

    from igfkg.literature.reading.sentences import nlp

    pipeline = nlp()
    negation = Negex(pipeline, "igfkg_negation", negation_termset(), extension_name="negex")
    hedge = Negex(pipeline, "igfkg_hedge", hedge_termset(), extension_name="hedged")
    directions = PhraseMatcher(pipeline.vocab, attr="LOWER")
    for kind, words in _DIRECTIONS.items():
        directions.add(kind, [pipeline.make_doc(word) for word in words])
    return negation, hedge, directions


def _longest(matches: list[tuple[int, int, int]]) -> list[tuple[int, int, int]]:
    """The matches not inside a longer one ("did not" holds "not")."""
    return [
        m
        for m in matches
        if not any(o[1] <= m[1] and m[2] <= o[2] and o[2] - o[1] > m[2] - m[1] for o in matches)
    ]


Match = tuple[int, int, int]  # (match id, first token, token after the last)


def _negations(negex: Any, matches: list[Match], lo: int, hi: int) -> tuple[list[Match], ...]:
    """NegEx's preceding, following and terminating cues of the sentence of tokens [lo, hi), as
    negspacy's ``Negex.process_negations`` finds them in the sentence alone (a cue inside a
    pseudo-cue is none), from its phrase matcher's ``matches`` over the whole doc (so the doc
    is matched once, not copied sentence by sentence); offsets relative to the sentence."""
    strings = negex.nlp.vocab.strings
    inside = [(m, s - lo, e - lo) for m, s, e in matches if lo <= s and e <= hi]
    pseudo = [(s, e) for m, s, e in inside if strings[m] == "pseudo"]
    kinds: dict[str, list[Match]] = {"Preceding": [], "Following": [], "Termination": []}
    for m, s, e in inside:
        kind = kinds.get(strings[m])
        if kind is not None and not any(ps <= s <= pe for ps, pe in pseudo):
            kind.append((m, s, e))
    return kinds["Preceding"], kinds["Following"], kinds["Termination"]


class Cues:
    """Marks the sentences of a spaCy doc, given the names found in each."""

    def __init__(self) -> None:
        self.negation, self.hedge, self.directions = _components()

    def _scoped(
        self, negex: Any, matches: list[Match], doc: Doc, sentence: tuple[int, int], names: Any
    ) -> set[str]:
        """The cues (as written) whose NegEx scope holds one of ``names`` (token spans)."""
        first, stop = sentence
        preceding, following, terminating = _negations(negex, matches, first, stop)
        preceding, following = _longest(preceding), _longest(following)
        bounds = sorted({0, stop - first, *(t[1] for t in terminating)})
        found: set[str] = set()
        for lo, hi in itertools.pairwise(bounds):
            for start, end in names:
                s, e = start - first, end - first
                if not (lo <= s < hi and lo < e <= hi):
                    continue
                for _, cs, ce in preceding:
                    if lo <= cs < hi and cs < s:
                        found.add(doc[first + cs : first + ce].text)
                for _, cs, ce in following:
                    if lo <= cs < hi and ce > e:
                        found.add(doc[first + cs : first + ce].text)
        return found

    def cues_in(self, doc: Doc, start: int, end: int) -> tuple[set[str], set[str]]:
        """The hedge and the negation cues anywhere in the text ``start``–``end`` of ``doc``
        (character offsets), whatever their scope: what the cue lists recognise."""
        span = doc.char_span(start, end, alignment_mode="expand")
        if span is None:
            return set(), set()
        sub = span.as_doc()
        out: list[set[str]] = []
        for negex in (self.hedge, self.negation):
            preceding, following, _ = negex.process_negations(sub)
            out.append({sub[s:e].text for _, s, e in _longest(preceding + following)})
        return out[0], out[1]

    def mark(
        self,
        doc: Doc,
        mentions: Sequence[Sequence[tuple[int, int]]],
        sentences: Sequence[tuple[int, int]],
    ) -> list[SentenceCues]:
        """The cues of each sentence (character spans of ``doc``) with its mentions (character
        spans); a sentence without mentions gets no flags."""
        out = []
        matched: tuple[list[Match], list[Match], list[Match]] | None = None
        for (start, end), names in zip(sentences, mentions, strict=True):
            span = doc.char_span(start, end, alignment_mode="expand")
            tokens = []
            for s, e in names:
                token_span = doc.char_span(s, e, alignment_mode="expand")
                if token_span is not None:
                    tokens.append((token_span.start, token_span.end))
            if span is None or not tokens:
                out.append(SentenceCues(False, False, (), (), ()))
                continue
            if matched is None:  # each phrase matcher runs once per doc
                matched = (
                    list(self.hedge.matcher(doc)),
                    list(self.negation.matcher(doc)),
                    list(self.directions(doc)),
                )
            hedge_matches, negation_matches, direction_matches = matched
            bounds = (span.start, span.end)
            hedges = self._scoped(self.hedge, hedge_matches, doc, bounds, tokens)
            negations = self._scoped(self.negation, negation_matches, doc, bounds, tokens)
            kinds = {
                doc.vocab.strings[m]
                for m, s, e in direction_matches
                if span.start <= s and e <= span.end
            }
            out.append(
                SentenceCues(
                    bool(hedges),
                    bool(negations),
                    tuple(sorted(hedges, key=str.lower)),
                    tuple(sorted(negations, key=str.lower)),
                    tuple(k for k in _DIRECTIONS if k in kinds),
                )
            )
        return out
