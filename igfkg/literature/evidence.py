"""Machine-read evidence in the store: the evidence graph of articles' sentences, kept in step
with the articles.

An article's evidence is every node the reader made from its abstract (sentences, their
mentions and candidate statements: :mod:`igfkg.literature.reading.rdf`). Replacing it compares
what is there with the new reading and writes only the difference, in the caller's
transaction, so re-reading an unchanged abstract writes nothing and re-ingesting or deleting an
article changes its evidence in the same transaction as its indexing. A store is *read* once
its evidence graph names a reading activity; from then on ingest reads every file it ingests.

>>> import igfkg
>>> from igfkg.explore.vocabulary import reading_vocabulary
>>> kg = igfkg.open()
>>> stats = read_store(kg.backend, reading_vocabulary(kg))
>>> stats.articles, stats.sentences > 5, is_read(kg.backend.match)
(1, True, True)
>>> read_store(kg.backend, reading_vocabulary(kg)).changed  # nothing new to write
0
"""

from __future__ import annotations

import hashlib
import time
from collections.abc import Iterable, Iterator
from concurrent.futures import Future, ProcessPoolExecutor
from dataclasses import dataclass
from functools import cache
from typing import TYPE_CHECKING

import pyoxigraph as ox

from igfkg.core import sparql
from igfkg.core.progress import step
from igfkg.core.vocabulary import Vocabulary
from igfkg.literature.index import Match
from igfkg.literature.reading.rdf import (
    CANDIDATE,
    EVIDENCE_GRAPH,
    PUBMED,
    activity_iri,
    activity_lines,
    article_evidence_lines,
)

if TYPE_CHECKING:
    from igfkg.literature.reading.reader import Reader
    from igfkg.store.base import Backend

__all__ = [
    "ReadStats",
    "add_pending_evidence",
    "evidence_change",
    "evidence_lines",
    "has_evidence",
    "is_read",
    "pending_graphs",
    "read_store",
]

IGFKG = "https://w3id.org/igfkg/"
_GRAPH = ox.NamedNode(EVIDENCE_GRAPH)
_TYPE = ox.NamedNode("http://www.w3.org/1999/02/22-rdf-syntax-ns#type")
_ACTIVITY = ox.NamedNode(IGFKG + "ReadingActivity")
_IN_ARTICLE = ox.NamedNode(IGFKG + "inArticle")
_HAS_MENTION = ox.NamedNode(IGFKG + "hasMention")
_EVIDENCE_SENTENCE = ox.NamedNode(IGFKG + "evidenceSentence")
_CANDIDATE = ox.NamedNode(IGFKG + "CandidateStatement")
_GRAPHS = sparql.load("igfkg.literature", "read-graphs")
_ABSTRACTS = sparql.load("igfkg.literature", "read-abstracts")
_BATCH = 500  # articles per transaction of `read_store`


def is_read(match: Match) -> bool:
    """True if the store (its quad-pattern lookup, ``Backend.match``) has been read: its
    evidence graph names a reading activity."""
    return next(iter(match(None, _TYPE, _ACTIVITY, _GRAPH)), None) is not None


def has_evidence(match: Match, pmid: str) -> bool:
    """True if the evidence graph holds a sentence of the article."""
    article = ox.NamedNode(PUBMED + pmid)
    return next(iter(match(None, _IN_ARTICLE, article, _GRAPH)), None) is not None


_PENDING = ox.NamedNode(IGFKG + "evidencePending")


def pending_update(graph: str) -> str:
    """The update marking a source graph whose articles' evidence is still being added."""
    return sparql.insert_data([ox.Quad(ox.NamedNode(graph), _PENDING, ox.Literal("true"), _GRAPH)])


def pending_graphs(match: Match) -> list[str]:
    """The source graphs marked pending (an ingest stopped while adding their evidence)."""
    return sorted(
        q.subject.value
        for q in match(None, _PENDING, None, _GRAPH)
        if isinstance(q.subject, ox.NamedNode)
    )


def add_pending_evidence(backend: Backend, graph: str, evidence: dict[str, list[str]]) -> None:
    """Add the evidence of articles that had none, a batch of articles per transaction, and
    clear the graph's pending mark with the last batch."""
    match: Match = backend.match
    pmids = list(evidence)
    mark = sparql.delete_data([ox.Quad(ox.NamedNode(graph), _PENDING, ox.Literal("true"), _GRAPH)])
    for i in range(0, len(pmids), _BATCH):
        batch = pmids[i : i + _BATCH]
        removed, added = evidence_change(match, batch, _flat([evidence[p] for p in batch]))
        parts = change_updates(removed, added)
        if i + _BATCH >= len(pmids):
            parts.append(mark)
        backend.transact(parts)


def article_quads(match: Match, pmid: str) -> Iterator[ox.Quad]:
    """The evidence quads of one article: its sentences, their mentions, and the links of the
    candidate statements to its sentences."""
    for quad in match(None, _IN_ARTICLE, ox.NamedNode(PUBMED + pmid), _GRAPH):
        sentence = quad.subject
        if not isinstance(sentence, ox.NamedNode):
            continue
        yield from match(sentence, None, None, _GRAPH)
        for link in match(sentence, _HAS_MENTION, None, _GRAPH):
            if isinstance(link.object, ox.NamedNode):
                yield from match(link.object, None, None, _GRAPH)
        # Candidate statements are shared by the corpus: only the sentence's links are its own.
        yield from match(None, _EVIDENCE_SENTENCE, sentence, _GRAPH)


@cache
def _reader(vocabulary: Vocabulary) -> Reader:
    from igfkg.literature.reading.reader import Reader

    return Reader(vocabulary)


def evidence_lines(vocabulary: Vocabulary, pmid: str, abstract: str) -> list[str]:
    """The N-Triples of one article's evidence (empty without an abstract)."""
    if not abstract:
        return []
    sentences = _reader(vocabulary).read(abstract)
    return article_evidence_lines(pmid, abstract, sentences, activity_iri(vocabulary))


def _digest(quad: ox.Quad | ox.Triple) -> bytes:
    triple = ox.Triple(quad.subject, quad.predicate, quad.object)
    return hashlib.blake2b(str(triple).encode(), digest_size=16).digest()


def evidence_change(
    match: Match, pmids: Iterable[str], lines: Iterable[str]
) -> tuple[set[ox.Quad], list[ox.Quad]]:
    """The quads to remove from and add to the evidence graph so that the evidence of
    ``pmids`` becomes ``lines`` (N-Triples of their new evidence; none: it goes).

    Definitions of candidate statements among ``lines`` are added when the store lacks them
    and never removed: a candidate is shared by every article naming its pair (a candidate
    left without sentences is listed by no query)."""
    old = [q for pmid in dict.fromkeys(pmids) for q in article_quads(match, pmid)]
    data = "\n".join(lines).encode()
    parsed: Iterable[ox.Triple | ox.Quad] = (
        ox.parse(data, format=ox.RdfFormat.N_TRIPLES) if data else ()
    )
    own: list[ox.Quad] = []
    defined: dict[ox.NamedNode | ox.BlankNode | ox.Triple, bool] = {}
    added: list[ox.Quad] = []
    for t in parsed:
        quad = ox.Quad(t.subject, t.predicate, t.object, _GRAPH)
        subject: ox.NamedNode | ox.BlankNode | ox.Triple = t.subject
        if (
            isinstance(subject, ox.NamedNode)
            and subject.value.startswith(CANDIDATE)
            and t.predicate != _EVIDENCE_SENTENCE
        ):
            known = defined.get(subject)
            if known is None:
                known = defined[subject] = (
                    next(iter(match(subject, _TYPE, _CANDIDATE, _GRAPH)), None) is not None
                )
            if not known:
                added.append(quad)
            continue
        own.append(quad)
    if not old:  # nothing to compare with (a new article): every quad is new
        return set(), added + own
    before = {_digest(q): q for q in old}
    after = {_digest(q): q for q in own}
    removed = {q for d, q in before.items() if d not in after}
    added += [q for d, q in after.items() if d not in before]
    return removed, added


def activity_update(match: Match, vocabulary: Vocabulary) -> list[str]:
    """The update recording the reading activity, when the store does not hold it yet."""
    node = ox.NamedNode(activity_iri(vocabulary))
    if next(iter(match(node, _TYPE, _ACTIVITY, _GRAPH)), None) is not None:
        return []
    data = "\n".join(activity_lines(vocabulary)).encode()
    quads = [
        ox.Quad(t.subject, t.predicate, t.object, _GRAPH)
        for t in ox.parse(data, format=ox.RdfFormat.N_TRIPLES)
    ]
    return [sparql.insert_data(quads)]


def change_updates(removed: set[ox.Quad], added: list[ox.Quad]) -> list[str]:
    """SPARQL updates applying an :func:`evidence_change`."""
    parts = []
    if removed:
        parts.append(sparql.delete_data(removed))
    if added:
        parts.append(sparql.insert_data(added))
    return parts


@dataclass
class ReadStats:
    """What a reading did."""

    articles: int = 0
    sentences: int = 0
    changed: int = 0  # quads removed or added
    seconds: float = 0.0


def _read_batch(vocabulary: Vocabulary, batch: list[tuple[str, str]]) -> list[list[str]]:
    return [evidence_lines(vocabulary, pmid, text) for pmid, text in batch]


def _abstracts(backend: Backend, only: list[str] | None = None) -> Iterator[list[tuple[str, str]]]:
    """The (PMID, abstract) pairs of the store's articles (of the graphs ``only``), in
    batches, a graph at a time (so memory holds one graph's abstracts, never the corpus)."""
    graphs = [row["g"] for row in backend.select(_GRAPHS)]
    if only is not None:
        graphs = [g for g in graphs if g is not None and g.value in only]
    for graph in graphs:
        if not isinstance(graph, ox.NamedNode):
            continue
        pairs = []
        for row in backend.select(sparql.fill(_ABSTRACTS, g=graph)):
            article, text = row["article"], row["abstract"]
            if article is not None and text is not None and article.value.startswith(PUBMED):
                pairs.append((article.value[len(PUBMED) :], text.value))
        for i in range(0, len(pairs), _BATCH):
            yield pairs[i : i + _BATCH]


def read_store(
    backend: Backend,
    vocabulary: Vocabulary,
    *,
    workers: int = 1,
    graphs: list[str] | None = None,
) -> ReadStats:
    """Read every article abstract in the store (or in the source ``graphs`` only) into the
    evidence graph, a batch of articles per transaction; a full reading also removes the
    evidence of articles no longer in the store. Reading is spread over ``workers``
    processes. The graphs read lose their pending marks (:func:`add_pending_evidence`)."""
    start = time.perf_counter()
    stats = ReadStats()
    match: Match = backend.match
    seen: set[str] = set()
    backend.transact(activity_update(match, vocabulary))
    marks = [g for g in pending_graphs(match) if graphs is None or g in graphs]
    for batch, lines in _lines(vocabulary, _abstracts(backend, graphs), workers):
        removed, added = evidence_change(match, [p for p, _ in batch], _flat(lines))
        stats.articles += len(batch)
        stats.sentences += sum(_sentences(ls) for ls in lines)
        stats.changed += len(removed) + len(added)
        seen.update(p for p, _ in batch)
        if removed or added:
            backend.transact(change_updates(removed, added))
        step("reading abstracts", stats.articles)
    gone = [pmid for pmid in _read_pmids(match) if pmid not in seen] if graphs is None else []
    if marks:
        backend.transact(
            [
                sparql.delete_data(
                    [ox.Quad(ox.NamedNode(g), _PENDING, ox.Literal("true"), _GRAPH) for g in marks]
                )
            ]
        )
    if gone:
        removed, _ = evidence_change(match, gone, [])
        stats.changed += len(removed)
        backend.transact(change_updates(removed, []))
    stats.seconds = time.perf_counter() - start
    return stats


def _flat(lines: list[list[str]]) -> Iterator[str]:
    for chunk in lines:
        yield from chunk


SENTENCE_TYPE = f"<{IGFKG}EvidenceSentence> ."


def _sentences(lines: list[str]) -> int:
    return sum(line.endswith(SENTENCE_TYPE) for line in lines)


def _lines(
    vocabulary: Vocabulary, batches: Iterator[list[tuple[str, str]]], workers: int
) -> Iterator[tuple[list[tuple[str, str]], list[list[str]]]]:
    """Each batch with its evidence lines, read on ``workers`` processes (at most two batches
    a worker in flight, so memory stays flat)."""
    if workers <= 1:
        for batch in batches:
            yield batch, _read_batch(vocabulary, batch)
        return
    with ProcessPoolExecutor(max_workers=workers) as pool:
        pending: list[tuple[list[tuple[str, str]], Future[list[list[str]]]]] = []
        for batch in batches:
            pending.append((batch, pool.submit(_read_batch, vocabulary, batch)))
            if len(pending) >= 2 * workers:
                done, future = pending.pop(0)
                yield done, future.result()
        for done, future in pending:
            yield done, future.result()


def _read_pmids(match: Match) -> set[str]:
    """The PMIDs the evidence graph holds sentences of."""
    return {
        q.object.value[len(PUBMED) :]
        for q in match(None, _IN_ARTICLE, None, _GRAPH)
        if isinstance(q.object, ox.NamedNode)
    }
