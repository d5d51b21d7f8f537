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
    "evidence_change",
    "evidence_lines",
    "is_read",
    "read_store",
]

IGFKG = "https://w3id.org/igfkg/"
_GRAPH = ox.NamedNode(EVIDENCE_GRAPH)
_TYPE = ox.NamedNode("http://www.w3.org/1999/02/22-rdf-syntax-ns#type")
_ACTIVITY = ox.NamedNode(IGFKG + "ReadingActivity")
_IN_ARTICLE = ox.NamedNode(IGFKG + "inArticle")
_HAS_MENTION = ox.NamedNode(IGFKG + "hasMention")
_EVIDENCE_SENTENCE = ox.NamedNode(IGFKG + "evidenceSentence")
_GRAPHS = sparql.load("igfkg.literature", "read-graphs")
_ABSTRACTS = sparql.load("igfkg.literature", "read-abstracts")
_BATCH = 500  # articles per transaction of `read_store`


def is_read(match: Match) -> bool:
    """True if the store (its quad-pattern lookup, ``Backend.match``) has been read: its
    evidence graph names a reading activity."""
    return next(iter(match(None, _TYPE, _ACTIVITY, _GRAPH)), None) is not None


def article_quads(match: Match, pmid: str) -> Iterator[ox.Quad]:
    """The evidence quads of one article: its sentences, their mentions and candidates."""
    for quad in match(None, _IN_ARTICLE, ox.NamedNode(PUBMED + pmid), _GRAPH):
        sentence = quad.subject
        if not isinstance(sentence, ox.NamedNode):
            continue
        yield from match(sentence, None, None, _GRAPH)
        for link in match(sentence, _HAS_MENTION, None, _GRAPH):
            if isinstance(link.object, ox.NamedNode):
                yield from match(link.object, None, None, _GRAPH)
        for link in match(None, _EVIDENCE_SENTENCE, sentence, _GRAPH):
            if isinstance(link.subject, ox.NamedNode):
                yield from match(link.subject, None, None, _GRAPH)


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
    ``pmids`` becomes ``lines`` (N-Triples of their new evidence; none: it goes)."""
    old = {_digest(q): q for pmid in dict.fromkeys(pmids) for q in article_quads(match, pmid)}
    data = "\n".join(lines).encode()
    new: dict[bytes, ox.Quad] = {}
    for t in ox.parse(data, format=ox.RdfFormat.N_TRIPLES) if data else ():
        new[_digest(t)] = ox.Quad(t.subject, t.predicate, t.object, _GRAPH)
    removed = {q for d, q in old.items() if d not in new}
    added = [q for d, q in new.items() if d not in old]
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


def _abstracts(backend: Backend) -> Iterator[list[tuple[str, str]]]:
    """The (PMID, abstract) pairs of the store's articles, in batches, a graph at a time (so
    memory holds one graph's abstracts, never the corpus)."""
    graphs = [row["g"] for row in backend.select(_GRAPHS)]
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


def read_store(backend: Backend, vocabulary: Vocabulary, *, workers: int = 1) -> ReadStats:
    """Read every article abstract in the store into the evidence graph, a batch of articles
    per transaction; evidence of articles no longer in the store is removed. Reading is spread
    over ``workers`` processes."""
    start = time.perf_counter()
    stats = ReadStats()
    match: Match = backend.match
    seen: set[str] = set()
    backend.transact(activity_update(match, vocabulary))
    for batch, lines in _lines(vocabulary, _abstracts(backend), workers):
        removed, added = evidence_change(match, [p for p, _ in batch], _flat(lines))
        stats.articles += len(batch)
        stats.sentences += sum(_sentences(ls) for ls in lines)
        stats.changed += len(removed) + len(added)
        seen.update(p for p, _ in batch)
        if removed or added:
            backend.transact(change_updates(removed, added))
        step("reading abstracts", stats.articles)
    gone = [pmid for pmid in _read_pmids(match) if pmid not in seen]
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
