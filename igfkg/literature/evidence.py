"""Machine-read evidence in the store: the evidence graph of articles' sentences, kept in step
with the articles.

An article's evidence is every node the reader made from its abstract (sentences, their
mentions, their links to candidate statements and yearly evidence nodes:
:mod:`igfkg.literature.reading.rdf`). Replacing it compares what is there with the new reading
and writes only the difference, in the caller's transaction, so re-reading an unchanged
abstract writes nothing and re-ingesting or deleting an article changes its evidence in the
same transaction as its indexing. A store is *read* once its evidence graph names a reading
activity; from then on ingest reads every file it ingests.

The nodes shared by the corpus (candidate statements, yearly evidence) keep counts of their
sentences, hedged and negated sentences and articles, changed in the same transaction by what
the articles add and take away. A shared node is defined while it counts sentences and goes
with its last one. ``candidate-statements`` and ``describe`` answer from these numbers at a
million abstracts in hundredths of a second (``benchmarks/bench_read.py``).

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
from collections import Counter
from collections.abc import Iterable, Iterator
from concurrent.futures import Future, ProcessPoolExecutor
from dataclasses import dataclass
from functools import cache
from typing import TYPE_CHECKING

import pyoxigraph as ox

from igfkg.core import sparql
from igfkg.core.namespaces import EVIDENCE_FORMAT
from igfkg.core.progress import step
from igfkg.core.vocabulary import Vocabulary
from igfkg.literature.index import Match
from igfkg.literature.reading.rdf import (
    CANDIDATE,
    EVIDENCE_GRAPH,
    PUBMED,
    YEARLY,
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
    "count_errors",
    "count_lines",
    "evidence_change",
    "evidence_lines",
    "has_evidence",
    "is_current",
    "is_read",
    "line_counts",
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
_IN_YEARLY = (
    ox.NamedNode(IGFKG + "inYearlyEvidence"),
    ox.NamedNode(IGFKG + "inYearlyPairEvidence"),
)
_HEDGED = ox.NamedNode(IGFKG + "hedged")
_NEGATED = ox.NamedNode(IGFKG + "negated")
_TRUE = ox.Literal("true", datatype=ox.NamedNode("http://www.w3.org/2001/XMLSchema#boolean"))
_INTEGER = ox.NamedNode("http://www.w3.org/2001/XMLSchema#integer")
_SENTENCES = ox.NamedNode(IGFKG + "evidenceSentenceCount")
_ARTICLES = ox.NamedNode(IGFKG + "evidenceArticleCount")
_HEDGED_COUNT = ox.NamedNode(IGFKG + "hedgedSentenceCount")
_NEGATED_COUNT = ox.NamedNode(IGFKG + "negatedSentenceCount")
_COUNTS = (_SENTENCES, _ARTICLES, _HEDGED_COUNT, _NEGATED_COUNT)
_SHARED = (CANDIDATE, YEARLY)  # IRI prefixes of the nodes articles share
# Says the evidence graph keeps the counts of its shared nodes (a store read before they were
# all kept is read again from scratch, see `read_store`).
_FORMAT = ox.Quad(
    _GRAPH, ox.NamedNode(IGFKG + "evidenceFormat"), ox.Literal(EVIDENCE_FORMAT), _GRAPH
)
_GRAPHS = sparql.load("igfkg.literature", "read-graphs")
_ABSTRACTS = sparql.load("igfkg.literature", "read-abstracts")
_CLEAR = sparql.load("igfkg.literature", "evidence-clear")
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


def evidence_lines(vocabulary: Vocabulary, pmid: str, abstract: str, year: str = "") -> list[str]:
    """The N-Triples of one article's evidence (empty without an abstract); ``year``: its
    publication year, "" if unknown."""
    if not abstract:
        return []
    sentences = _reader(vocabulary).read(abstract)
    return article_evidence_lines(pmid, abstract, sentences, activity_iri(vocabulary), year)


def _digest(quad: ox.Quad | ox.Triple) -> bytes:
    triple = ox.Triple(quad.subject, quad.predicate, quad.object)
    return hashlib.blake2b(str(triple).encode(), digest_size=16).digest()


def evidence_change(
    match: Match, pmids: Iterable[str], lines: Iterable[str]
) -> tuple[set[ox.Quad], list[ox.Quad]]:
    """The quads to remove from and add to the evidence graph so that the evidence of
    ``pmids`` becomes ``lines`` (N-Triples of their new evidence; none: it goes).

    The shared nodes (candidate statements, yearly evidence) get their counts changed by what
    the articles' old and new evidence give them; one that gains its first sentence is defined
    (from ``lines``), one that loses its last goes."""
    old = [q for pmid in dict.fromkeys(pmids) for q in article_quads(match, pmid)]
    data = "\n".join(lines).encode()
    parsed: Iterable[ox.Triple | ox.Quad] = (
        ox.parse(data, format=ox.RdfFormat.N_TRIPLES) if data else ()
    )
    own: list[ox.Quad] = []
    defined: dict[ox.NamedNode, list[ox.Quad]] = {}
    for t in parsed:
        quad = ox.Quad(t.subject, t.predicate, t.object, _GRAPH)
        subject = t.subject
        if (
            isinstance(subject, ox.NamedNode)
            and subject.value.startswith(_SHARED)
            and t.predicate != _EVIDENCE_SENTENCE
        ):
            defined.setdefault(subject, []).append(quad)
            continue
        own.append(quad)
    if old:
        before = {_digest(q): q for q in old}
        after = {_digest(q): q for q in own}
        removed = {q for d, q in before.items() if d not in after}
        added = [q for d, q in after.items() if d not in before]
    else:  # nothing to compare with (a new article): every quad is new
        removed, added = set(), own
    delta = _counts(own)
    delta.subtract(_counts(old))
    gone, new = _count_change(match, delta, defined)
    return removed | gone, added + new


def _counts(quads: list[ox.Quad]) -> Counter[tuple[ox.NamedNode, ox.NamedNode]]:
    """What the evidence ``quads`` (of whole articles) give the shared nodes' counts: the
    sentences linked to each, how many of them are hedged and negated, their articles."""
    hedged: set[object] = set()
    negated: set[object] = set()
    article: dict[object, object] = {}
    for q in quads:
        if q.predicate == _HEDGED and q.object == _TRUE:
            hedged.add(q.subject)
        elif q.predicate == _NEGATED and q.object == _TRUE:
            negated.add(q.subject)
        elif q.predicate == _IN_ARTICLE:
            article[q.subject] = q.object
    out: Counter[tuple[ox.NamedNode, ox.NamedNode]] = Counter()
    articles: set[tuple[ox.NamedNode, object]] = set()
    sentence: object
    for q in quads:
        if q.predicate in _IN_YEARLY and isinstance(q.object, ox.NamedNode):
            node, sentence = q.object, q.subject
        elif q.predicate == _EVIDENCE_SENTENCE and isinstance(q.subject, ox.NamedNode):
            node, sentence = q.subject, q.object
        else:
            continue
        out[node, _SENTENCES] += 1
        out[node, _HEDGED_COUNT] += sentence in hedged
        out[node, _NEGATED_COUNT] += sentence in negated
        articles.add((node, article.get(sentence)))
    for node, _ in articles:
        out[node, _ARTICLES] += 1
    return out


def _count_change(
    match: Match,
    delta: Counter[tuple[ox.NamedNode, ox.NamedNode]],
    defined: dict[ox.NamedNode, list[ox.Quad]],
) -> tuple[set[ox.Quad], list[ox.Quad]]:
    """The quads changing the shared nodes' counts by ``delta``: a node's definition
    (``defined``, from the new lines) comes with its first sentence and goes with its last."""
    nodes: dict[ox.NamedNode, None] = dict.fromkeys(n for (n, _), d in delta.items() if d)
    removed: set[ox.Quad] = set()
    added: list[ox.Quad] = []
    for node in nodes:
        current = {}
        for prop in _COUNTS:
            quad = next(iter(match(node, prop, None, _GRAPH)), None)
            current[prop] = (quad, _value(quad))
        if current[_SENTENCES][1] + delta[node, _SENTENCES] <= 0:  # its last sentence goes
            removed.update(match(node, None, None, _GRAPH))
            continue
        first = current[_SENTENCES][1] == 0  # its first sentence comes
        if first:
            added += defined.get(node, [])
        for prop, (quad, value) in current.items():
            if not delta[node, prop] and not first:
                continue
            if quad is not None:
                removed.add(quad)
            added.append(ox.Quad(node, prop, _count(value + delta[node, prop]), _GRAPH))
    return removed, added


def line_counts(lines: Iterable[str]) -> Counter[tuple[str, str]]:
    """What evidence N-Triples of whole articles give the shared nodes' counts, keyed by node
    and count property IRI: for a bulk load that writes the counts itself
    (:func:`count_lines`), as ``benchmarks/bench_read.py`` does."""
    data = "\n".join(lines).encode()
    quads = [
        ox.Quad(t.subject, t.predicate, t.object, _GRAPH)
        for t in (ox.parse(data, format=ox.RdfFormat.N_TRIPLES) if data else ())
    ]
    return Counter({(n.value, p.value): v for (n, p), v in _counts(quads).items()})


def count_lines(counts: Counter[tuple[str, str]]) -> Iterator[str]:
    """N-Triples of the counts :func:`line_counts` gave (of every article of a store)."""
    for (node, prop), value in counts.items():
        yield f'<{node}> <{prop}> "{value}"^^<{_INTEGER.value}> .'


def count_errors(match: Match) -> list[str]:
    """How the shared nodes' counts differ from a recount of the whole evidence graph (empty
    when they agree), and shared nodes defined without sentences or counted without a type.
    Reads the whole graph into memory: a check for tests and small stores."""
    quads = list(match(None, None, None, _GRAPH))
    expected = _counts(quads)
    stored: Counter[tuple[ox.NamedNode, ox.NamedNode]] = Counter()
    typed = set()
    for q in quads:
        if not isinstance(q.subject, ox.NamedNode):
            continue
        if q.predicate in _COUNTS:
            stored[q.subject, q.predicate] = _value(q)
        elif q.predicate == _TYPE and q.subject.value.startswith(_SHARED):
            typed.add(q.subject)
    errors = [
        f"{node.value} {prop.value}: {stored[node, prop]} stored, {expected[node, prop]} counted"
        for node, prop in sorted(set(expected) | set(stored), key=str)
        if stored[node, prop] != expected[node, prop]
    ]
    counted = {node for node, prop in stored if prop == _SENTENCES and stored[node, prop] > 0}
    errors += [f"{n.value}: defined without sentences" for n in sorted(typed - counted, key=str)]
    errors += [f"{n.value}: counted without a type" for n in sorted(counted - typed, key=str)]
    return errors


def _value(quad: ox.Quad | None) -> int:
    """A count quad's value (0: none)."""
    return int(quad.object.value) if quad is not None and isinstance(quad.object, ox.Literal) else 0


def _count(value: int) -> ox.Literal:
    return ox.Literal(str(value), datatype=_INTEGER)


def activity_update(match: Match, vocabulary: Vocabulary) -> list[str]:
    """The update recording the reading activity (and that the graph keeps its counts), when
    the store does not hold it yet."""
    node = ox.NamedNode(activity_iri(vocabulary))
    if next(iter(match(node, _TYPE, _ACTIVITY, _GRAPH)), None) is not None:
        return []
    data = "\n".join(activity_lines(vocabulary)).encode()
    quads = [
        ox.Quad(t.subject, t.predicate, t.object, _GRAPH)
        for t in ox.parse(data, format=ox.RdfFormat.N_TRIPLES)
    ]
    return [sparql.insert_data([*quads, _FORMAT])]


def is_current(match: Match) -> bool:
    """False if the store was read by an igfkg that kept no counts in its evidence graph
    (before the evidence format it now writes): such evidence is read again from scratch."""
    return not is_read(match) or next(iter(match(*_FORMAT)), None) is not None


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


Abstract = tuple[str, str, str]  # PMID, abstract, publication year ("" if unknown)


def _read_batch(vocabulary: Vocabulary, batch: list[Abstract]) -> list[list[str]]:
    return [evidence_lines(vocabulary, pmid, text, year) for pmid, text, year in batch]


def _abstracts(backend: Backend, only: list[str] | None = None) -> Iterator[list[Abstract]]:
    """The (PMID, abstract, year) of the store's articles (of the graphs ``only``), in
    batches, a graph at a time (so memory holds one graph's abstracts, never the corpus)."""
    graphs = [row["g"] for row in backend.select(_GRAPHS)]
    if only is not None:
        graphs = [g for g in graphs if g is not None and g.value in only]
    for graph in graphs:
        if not isinstance(graph, ox.NamedNode):
            continue
        pairs = []
        for row in backend.select(sparql.fill(_ABSTRACTS, g=graph)):
            article, text, year = row["article"], row["abstract"], row["year"]
            if article is not None and text is not None and article.value.startswith(PUBMED):
                issued = year.value[:4] if year is not None else ""
                pmid = article.value[len(PUBMED) :]
                pairs.append((pmid, text.value, issued if issued.isdigit() else ""))
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
    if not is_current(match):
        backend.transact([_CLEAR])
        graphs = None
    backend.transact(activity_update(match, vocabulary))
    marks = [g for g in pending_graphs(match) if graphs is None or g in graphs]
    for batch, lines in _lines(vocabulary, _abstracts(backend, graphs), workers):
        removed, added = evidence_change(match, [p for p, *_ in batch], _flat(lines))
        stats.articles += len(batch)
        stats.sentences += sum(_sentences(ls) for ls in lines)
        stats.changed += len(removed) + len(added)
        seen.update(p for p, *_ in batch)
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
    vocabulary: Vocabulary, batches: Iterator[list[Abstract]], workers: int
) -> Iterator[tuple[list[Abstract], list[list[str]]]]:
    """Each batch with its evidence lines, read on ``workers`` processes (at most two batches
    a worker in flight, so memory stays flat)."""
    if workers <= 1:
        for batch in batches:
            yield batch, _read_batch(vocabulary, batch)
        return
    with ProcessPoolExecutor(max_workers=workers) as pool:
        pending: list[tuple[list[Abstract], Future[list[list[str]]]]] = []
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
