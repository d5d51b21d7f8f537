"""Summaries of the machine-read evidence (the evidence graph ``igfkg read`` writes) for pages
and tables: per entity (:func:`entity_counts`, beside :mod:`igfkg.explore.describe`'s
``literature_evidence``), per curated claim (the sentences naming both its entities in articles
other than its own source) and per article (its sentences with the names found in them).
Machine-read evidence is never a claim: these say what the reader found, for people to judge.

>>> import igfkg
>>> kg = igfkg.open()
>>> is_read(kg), entity_counts(kg, kg.resolve("mecasermin"))
(False, (0, 0))
>>> stats = kg.read()
>>> is_read(kg), entity_counts(kg, kg.resolve("mecasermin"))
(True, (7, 1))
>>> claim_counts(kg)  # the seed is the source of every claim: no other article yet
{}
>>> found = article_evidence(kg, ox.NamedNode("http://www.ncbi.nlm.nih.gov/pubmed/15832492"))
>>> s = found[0]
>>> s.section, s.hedged, [(m.text, m.targets[0][0]) for m in s.mentions][:1]
('', False, [('Insulin-like growth factor-1', 'https://w3id.org/igfkg/kb/igf-1')])
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

import pyoxigraph as ox

from igfkg.core import sparql
from igfkg.explore.describe import EvidenceSentence, LiteratureEvidence

if TYPE_CHECKING:
    from igfkg.core.results import Term
    from igfkg.store.port import GraphPort

__all__ = [
    "ArticleSentence",
    "ClaimCounts",
    "Mention",
    "article_evidence",
    "claim_counts",
    "claim_evidence",
    "entity_counts",
    "is_read",
]

_IGFKG = "https://w3id.org/igfkg/"
_READ = sparql.load("igfkg.explore", "evidence-read")
_ENTITY_COUNTS = sparql.load("igfkg.explore", "describe-evidence-counts")
_CLAIM_COUNTS = sparql.load("igfkg.explore", "evidence-claim-counts")
_CLAIM_NEWEST = sparql.load("igfkg.explore", "evidence-claim-newest")
_ARTICLE_SENTENCES = sparql.load("igfkg.explore", "evidence-article-sentences")
_ARTICLE_DETAILS = sparql.load("igfkg.explore", "evidence-article-details")


def _text(term: Term | None) -> str:
    return "" if term is None else str(term.value)


def _int(term: Term | None) -> int:
    return int(term.value) if term is not None else 0


def _true(term: Term | None) -> bool:
    # "1" too: Virtuoso returns booleans as integers
    return term is not None and term.value in ("true", "1")


def _kb_first(target: tuple[str, str]) -> tuple[bool, str]:
    return not target[0].startswith(_IGFKG), target[0]


def is_read(kg: GraphPort) -> bool:
    """True if the store has been read (its evidence graph names a reading activity), on any
    backend."""
    return len(kg.select(_READ)) > 0


def entity_counts(kg: GraphPort, entity: ox.NamedNode) -> tuple[int, int]:
    """The machine-read sentences naming ``entity`` and the articles they are in (0, 0 for a
    store that has not been read): the counts of ``describe``'s literature summary."""
    row = next(iter(kg.select(_ENTITY_COUNTS, {"entity": entity})), None)
    if row is None:
        return 0, 0
    return _int(row["sentences"]), _int(row["articles"])


@dataclass(frozen=True)
class ClaimCounts:
    """The sentences naming both entities of a claim, in articles other than its source."""

    sentences: int
    articles: int
    hedged: int
    negated: int


def claim_counts(kg: GraphPort) -> dict[str, ClaimCounts]:
    """Every curated claim that sentences of articles other than its own source speak to (a
    sentence naming both its entities), by claim identifier. Claims without: not listed."""
    return {
        _text(row["claimId"]): ClaimCounts(
            _int(row["sentences"]),
            _int(row["articles"]),
            _int(row["hedgedSentences"]),
            _int(row["negatedSentences"]),
        )
        for row in kg.select(_CLAIM_COUNTS)
        if _int(row["sentences"]) > 0
    }


def claim_evidence(
    kg: GraphPort, claim_id: str, counts: ClaimCounts | None = None
) -> LiteratureEvidence | None:
    """The counts (``counts`` if already read with :func:`claim_counts`) and the newest
    sentences naming both entities of the claim, in articles other than its source; None when
    there are none."""
    bound = {"claimId": ox.Literal(claim_id)}
    if counts is None:
        row = next(iter(kg.select(_CLAIM_COUNTS, bound)), None)
        if row is None:
            return None
        counts = ClaimCounts(
            _int(row["sentences"]),
            _int(row["articles"]),
            _int(row["hedgedSentences"]),
            _int(row["negatedSentences"]),
        )
    if counts.sentences == 0:
        return None
    newest = tuple(
        EvidenceSentence(
            _text(r["pmid"]),
            _text(r["year"]),
            _text(r["text"]),
            _true(r["hedged"]),
            _true(r["negated"]),
        )
        for r in kg.select(_CLAIM_NEWEST, bound)
    )
    return LiteratureEvidence(
        counts.sentences, counts.articles, counts.hedged, counts.negated, newest
    )


@dataclass(frozen=True)
class Mention:
    """A name the reader found: its text, offsets in the abstract, and what it names
    (``(iri, label)`` each: a KB entity, a MeSH descriptor, or both)."""

    text: str
    begin: int
    end: int
    targets: tuple[tuple[str, str], ...]


@dataclass(frozen=True)
class ArticleSentence:
    """A machine-read sentence of an article: offsets in the abstract, section, text, flags and
    cues, the claims whose entities it names, and its mentions."""

    begin: int
    end: int
    section: str
    text: str
    hedged: bool
    negated: bool
    hedge_cues: tuple[str, ...] = ()
    negation_cues: tuple[str, ...] = ()
    directions: tuple[str, ...] = ()
    claims: tuple[str, ...] = ()
    mentions: tuple[Mention, ...] = ()

    def parts(self) -> list[tuple[str, Mention | None]]:
        """The text cut at its mentions: (piece, the mention it is, or None), in order. A
        mention overlapping an earlier one, or whose offsets do not fit the text, is not cut.

        >>> s = ArticleSentence(10, 24, "", "IGF-1 and GH.", False, False,
        ...                     mentions=(Mention("GH", 20, 22, ()),))
        >>> [(p, m is not None) for p, m in s.parts()]
        [('IGF-1 and ', False), ('GH', True), ('.', False)]
        """
        out: list[tuple[str, Mention | None]] = []
        at = 0
        for m in sorted(self.mentions, key=lambda m: (m.begin, -m.end)):
            start, stop = m.begin - self.begin, m.end - self.begin
            if start < at or stop > len(self.text) or self.text[start:stop] != m.text:
                continue
            if start > at:
                out.append((self.text[at:start], None))
            out.append((m.text, m))
            at = stop
        if at < len(self.text):
            out.append((self.text[at:], None))
        return out


def article_evidence(kg: GraphPort, article: ox.NamedNode) -> list[ArticleSentence]:
    """The machine-read sentences of ``article``'s abstract, in order, with what the reader
    found in each (none for an article not read or naming nothing)."""
    bound = {"article": article}
    details: dict[str, dict[str, list[tuple[str, str]]]] = {}
    mentions: dict[str, dict[tuple[int, int], dict[str, str]]] = {}
    for row in kg.select(_ARTICLE_DETAILS, bound):
        sentence, kind = _text(row["sentence"]), _text(row["kind"])
        value, label = _text(row["value"]), _text(row["label"])
        if kind == "mention":
            key = (_int(row["begin"]), _int(row["end"]))
            targets = mentions.setdefault(sentence, {}).setdefault(key, {})
            targets.setdefault(value, label)
        else:
            found = details.setdefault(sentence, {}).setdefault(kind, [])
            if all(v != value for v, _ in found):
                found.append((value, label))
    out = []
    for row in kg.select(_ARTICLE_SENTENCES, bound):
        sentence = _text(row["sentence"])
        more = details.get(sentence, {})
        begin, text = _int(row["begin"]), _text(row["text"])
        out.append(
            ArticleSentence(
                begin,
                _int(row["end"]),
                _text(row["section"]),
                text,
                _true(row["hedged"]),
                _true(row["negated"]),
                tuple(sorted(v for v, _ in more.get("hedge", ()))),
                tuple(sorted(v for v, _ in more.get("negation", ()))),
                tuple(sorted(label or v for v, label in more.get("direction", ()))),
                tuple(sorted(v for v, _ in more.get("claim", ()))),
                tuple(
                    Mention(
                        text[start - begin : stop - begin],
                        start,
                        stop,
                        tuple(sorted(targets.items(), key=_kb_first)),
                    )
                    for (start, stop), targets in sorted(mentions.get(sentence, {}).items())
                ),
            )
        )
    return out
