"""Ingest PubMed/MEDLINE files into the store: one named graph per source file, atomic per file.

Each file is parsed completely before anything is written, so a file that fails to parse is
reported (file, line) and changes nothing. Articles are modelled like the seed article of the
KB. Re-ingesting an article replaces it, wherever it was; ``DeleteCitation`` removes articles.

A source file's graph is named after the file (:func:`source_graph`); another file of the same
name (another path) gets the name with ``~`` and a key of its path (:func:`graph_for`), so two
files never share a graph. Re-ingesting a path replaces its graph.

A file's changes land whole or not at all, also when the process is killed: a file that is new
to the store is bulk-loaded into its own graph, marked in the control graph, and everything
else (articles leaving other graphs, literature-index counts, the mark's removal) is one
transaction; recovery drops a marked graph. A file already in the store is compared with its
new version and only the difference is written, in one transaction. The one thing a killed
ingest may leave is the MeSH pair definitions a new file brings (they are written just before
its graph is loaded; the pair graph only grows, its definitions true whatever the articles).
"""

from __future__ import annotations

import hashlib
import os
import sys
import time
import urllib.parse
from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import Future, ProcessPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

import pyoxigraph as ox

from igfkg.core import sparql
from igfkg.core.errors import ConfigError
from igfkg.core.namespaces import GRAPH_SOURCES
from igfkg.core.rdfwriter import XSD, iri, literal
from igfkg.core.vocabulary import Vocabulary
from igfkg.literature.evidence import (
    SENTENCE_TYPE,
    activity_update,
    add_pending_evidence,
    change_updates,
    evidence_change,
    evidence_lines,
    has_evidence,
    is_read,
    pending_update,
)
from igfkg.literature.index import (
    INDEX_GRAPH,
    EntityMap,
    Match,
    drop_update,
    entity_map,
    entity_pair_counts,
    index_update,
    recount_updates,
)
from igfkg.literature.pubmed import Article, Deletion, read_records
from igfkg.store.base import load_bundled
from igfkg.store.oxigraph import OxigraphBackend

if TYPE_CHECKING:
    from igfkg.store.base import Backend
    from igfkg.store.port import GraphPort

__all__ = [
    "PAIR_GRAPH",
    "FileStats",
    "article_lines",
    "graph_for",
    "ingest_pubmed",
    "pair_lines",
    "source_graph",
    "source_key",
]

IGFKG = "https://w3id.org/igfkg/"
PUBMED = "http://www.ncbi.nlm.nih.gov/pubmed/"
MESH = "http://id.nlm.nih.gov/mesh/"
MESHV = "http://id.nlm.nih.gov/mesh/vocab#"
RDF = "http://www.w3.org/1999/02/22-rdf-syntax-ns#"
_TYPE = iri(RDF + "type")
_LABEL = iri("http://www.w3.org/2000/01/rdf-schema#label")
_TITLE = iri("http://purl.org/dc/terms/title")
_ISSUED = iri("http://purl.org/dc/terms/issued")
_SOURCE = iri("http://purl.org/dc/terms/source")
_PMID = iri("http://purl.org/ontology/bibo/pmid")
_DOI = iri("http://purl.org/ontology/bibo/doi")
_ARTICLE = iri(IGFKG + "JournalArticle")
_JOURNAL = iri(IGFKG + "Journal")
_HAS_DESCRIPTOR = iri(IGFKG + "hasMeshDescriptor")
_HAS_MAJOR_DESCRIPTOR = iri(IGFKG + "hasMajorMeshDescriptor")
_HAS_PAIR = iri(IGFKG + "hasMeshDescriptorQualifierPair")
_HAS_MAJOR_PAIR = iri(IGFKG + "hasMajorMeshDescriptorQualifierPair")
_PUBTYPE = iri(IGFKG + "publicationType")
_SUBSTANCE = iri(IGFKG + "hasSubstance")
_PUBLISHED_IN = iri(IGFKG + "publishedIn")
_HAS_DESC = iri(MESHV + "hasDescriptor")
_HAS_QUAL = iri(MESHV + "hasQualifier")
_HAS_DESC_NODE = ox.NamedNode(MESHV + "hasDescriptor")
_HAS_QUAL_NODE = ox.NamedNode(MESHV + "hasQualifier")
_DROP_GRAPH = sparql.load("igfkg.literature", "ingest-drop-graph")
_MESH_LOOKUP = sparql.load("igfkg.literature", "ingest-mesh-lookup")


def source_graph(path: Path) -> str:
    """The named graph of a source file: ``https://w3id.org/igfkg/graph/source/<file name>``
    (the first file of that name; see :func:`graph_for`).

    >>> source_graph(Path("dir1/pubmed24n0001.xml.gz"))
    'https://w3id.org/igfkg/graph/source/pubmed24n0001.xml.gz'
    """
    return GRAPH_SOURCES + urllib.parse.quote(path.name, safe="")


SOURCE_KEY = IGFKG + "sourceFileKey"
_SOURCE_KEY = ox.NamedNode(SOURCE_KEY)


def source_key(path: Path) -> str:
    """What tells source files apart: 16 hex digits of the SHA-256 of the resolved path (a
    file's content can change, its identity is where it is). Stored in the file's graph as
    ``<graph> igfkg:sourceFileKey "key"``."""
    return hashlib.sha256(str(path.resolve()).encode("utf-8")).hexdigest()[:16]


def key_line(graph: str, key: str) -> bytes:
    """The N-Triples line recording which file a graph holds."""
    return f"{ox.NamedNode(graph)} {_SOURCE_KEY} {ox.Literal(key)} .\n".encode()


def graph_for(match: Callable[..., Iterable[ox.Quad]], path: Path) -> str:
    """The graph of ``path`` in a store: the graph recording its key; else the file-name graph
    (:func:`source_graph`) when that is free or records no key (a store written before keys);
    else the file name followed by ``~`` and the key (another file of the same name)."""
    key = source_key(path)
    for quad in match(None, _SOURCE_KEY, ox.Literal(key), None):
        graph = quad.graph_name
        if isinstance(graph, ox.NamedNode) and quad.subject == graph:
            return graph.value
    plain = source_graph(path)
    node = ox.NamedNode(plain)
    if next(iter(match(node, _SOURCE_KEY, None, node)), None) is None:
        return plain
    return f"{plain}~{key}"


PAIR_GRAPH = IGFKG + "graph/mesh-pairs"
_ABSTRACT = iri("http://purl.org/dc/terms/abstract")
_LANGUAGE = iri("http://purl.org/dc/terms/language")
LANGUAGE = "http://id.loc.gov/vocabulary/iso639-2/"  # Library of Congress ISO 639-2 IRIs


def article_lines(
    rec: Article, journals: dict[str, str] | None = None, pairs: set[str] | None = None
) -> list[str]:
    """N-Triples lines for one article, in the KB's model of the seed article: each MeSH heading
    is a descriptor link, each of its qualifiers a link to NLM's descriptor/qualifier pair, and
    NLM's major-topic flags are the ``hasMajor...`` sub-properties of those links. The abstract
    is ``dcterms:abstract`` in English (NLM's abstract is the English one, structured sections
    as ``"LABEL: text"`` lines), each language ``dcterms:language`` with its ISO 639-2 IRI.

    With ``journals``, the journal's name is collected there instead of written (files write
    each journal once, :func:`journal_lines`); the pairs used are added to ``pairs`` (their
    definitions are written once per store, :func:`pair_lines`).
    """
    a = f"<{PUBMED}{rec.pmid}>"
    out = [
        f"{a} {_TYPE} {_ARTICLE} .",
        f'{a} {_PMID} "{rec.pmid}" .',
        f"{a} {_SOURCE} <https://pubmed.ncbi.nlm.nih.gov/{rec.pmid}/> .",
    ]
    add = out.append
    if rec.title:
        title = literal(rec.title)
        add(f"{a} {_TITLE} {title} .")
        add(f"{a} {_LABEL} {title} .")
    if rec.year:
        add(f'{a} {_ISSUED} "{rec.year}"^^<{XSD}gYear> .')
    if rec.doi:
        add(f"{a} {_DOI} {literal(rec.doi)} .")
    if rec.abstract:
        add(f"{a} {_ABSTRACT} {literal(rec.abstract, language='en')} .")
    for code in dict.fromkeys(rec.languages):
        add(f"{a} {_LANGUAGE} <{LANGUAGE}{code}> .")
    if rec.journal_id:
        j = f"<{IGFKG}journal/nlm/{rec.journal_id}>"
        add(f"{a} {_PUBLISHED_IN} {j} .")
        if journals is not None:
            journals.setdefault(rec.journal_id, rec.journal)
        else:
            out.extend(journal_lines({rec.journal_id: rec.journal}))
    for ui in dict.fromkeys(rec.publication_types):
        add(f"{a} {_PUBTYPE} <{MESH}{ui}> .")
    for ui in dict.fromkeys(rec.chemicals):
        add(f"{a} {_SUBSTANCE} <{MESH}{ui}> .")
    for h in rec.headings:
        d = h.descriptor
        add(f"{a} {_HAS_DESCRIPTOR} <{MESH}{d}> .")
        if h.descriptor_major:
            add(f"{a} {_HAS_MAJOR_DESCRIPTOR} <{MESH}{d}> .")
        for q, q_major in h.qualifiers:
            add(f"{a} {_HAS_PAIR} <{MESH}{d}{q}> .")
            if q_major:
                add(f"{a} {_HAS_MAJOR_PAIR} <{MESH}{d}{q}> .")
            if pairs is not None:
                pairs.add(d + q)
    return out


def journal_lines(journals: dict[str, str]) -> list[str]:
    """N-Triples for journals (NLM unique id -> name)."""
    out = []
    for jid, name in journals.items():
        j = f"<{IGFKG}journal/nlm/{jid}>"
        out.append(f"{j} {_TYPE} {_JOURNAL} .")
        if name:
            out.append(f"{j} {_LABEL} {literal(name)} .")
    return out


def pair_lines(pairs: Iterable[str]) -> bytes:
    """N-Triples defining NLM descriptor/qualifier pairs (``D...Q...``) as NLM's MeSH RDF does
    (their type, meshv:DescriptorQualifierPair, follows from igfkg:hasMeshDescriptorQualifierPair's
    range and is left to inference, which saves a third of these triples).

    >>> for line in pair_lines(["D003922Q000188"]).decode().splitlines():
    ...     print(line.replace("http://id.nlm.nih.gov/mesh/", "mesh:"))
    <mesh:D003922Q000188> <mesh:vocab#hasDescriptor> <mesh:D003922> .
    <mesh:D003922Q000188> <mesh:vocab#hasQualifier> <mesh:Q000188> .
    """
    lines = []
    for pair in pairs:
        cut = pair.index("Q", 1)
        lines.append(
            f"<{MESH}{pair}> {_HAS_DESC} <{MESH}{pair[:cut]}> .\n"
            f"<{MESH}{pair}> {_HAS_QUAL} <{MESH}{pair[cut:]}> .\n"
        )
    return "".join(lines).encode()


def pair_quads(pairs: Iterable[str]) -> list[ox.Quad]:
    """:func:`pair_lines` as quads of the pair graph."""
    graph = ox.NamedNode(PAIR_GRAPH)
    quads = []
    for pair in pairs:
        cut = pair.index("Q", 1)
        node = ox.NamedNode(MESH + pair)
        quads.append(ox.Quad(node, _HAS_DESC_NODE, ox.NamedNode(MESH + pair[:cut]), graph))
        quads.append(ox.Quad(node, _HAS_QUAL_NODE, ox.NamedNode(MESH + pair[cut:]), graph))
    return quads


def known_pairs(backend: Backend) -> set[str]:
    """The descriptor/qualifier pairs already defined in the store's pair graph."""
    graph = ox.NamedNode(PAIR_GRAPH)
    has_desc = ox.NamedNode(MESHV + "hasDescriptor")
    return {
        q.subject.value[len(MESH) :]
        for q in backend.match(None, has_desc, None, graph)
        if isinstance(q.subject, ox.NamedNode)
    }


@dataclass
class FileStats:
    """What one source file held and what was done with it."""

    path: str
    graph: str
    articles: int = 0
    headings: int = 0
    qualifiers: int = 0
    major_flags: int = 0
    deleted: list[str] = field(default_factory=list)
    pmids: list[str] = field(default_factory=list)
    kept: list[str] = field(default_factory=list)
    ntriples: bytes = b""
    pairs: set[str] = field(default_factory=set)
    entities: dict[str, frozenset[str]] = field(default_factory=dict)
    entity_digest: str = ""
    evidence: dict[str, list[str]] | None = None  # PMID -> evidence N-Triples, when reading
    evidence_sentences: int = 0
    seconds: float = 0.0


def parse_file(
    path: Path,
    lookup: dict[str, str] | None = None,
    mapping: EntityMap | None = None,
    vocabulary: Vocabulary | None = None,
) -> FileStats:
    """Parse one file completely into N-Triples (raises DataFileError on bad input). With
    ``mapping`` (descriptor -> KB entities, :mod:`igfkg.literature.index`), the entities each
    article is indexed for are collected for the literature index, on the worker; with
    ``vocabulary``, each abstract is read (:mod:`igfkg.literature.evidence`), on the worker."""
    start = time.perf_counter()
    stats = FileStats(str(path), source_graph(path))
    stats.entity_digest = mapping.digest if mapping is not None else ""
    # A file may hold several versions of one PMID (PMID Version="2"): the last one wins.
    latest: dict[str, tuple[str, int, int, int, tuple[str, ...]]] = {}
    abstracts: dict[str, tuple[str, str]] = {}  # PMID -> abstract, year
    journals: dict[str, str] = {}
    for rec in read_records(path, lookup):
        if isinstance(rec, Deletion):
            stats.deleted.extend(rec.pmids)
            for pmid in rec.pmids:
                latest.pop(pmid, None)
            continue
        qualifiers = majors = 0
        for h in rec.headings:
            qualifiers += len(h.qualifiers)
            majors += h.descriptor_major
            for _, major in h.qualifiers:
                majors += major
        latest.pop(rec.pmid, None)
        lines = article_lines(rec, journals, stats.pairs)
        descriptors = tuple(h.descriptor for h in rec.headings)
        latest[rec.pmid] = ("\n".join(lines), len(rec.headings), qualifiers, majors, descriptors)
        abstracts[rec.pmid] = (rec.abstract, rec.year)
    for pmid, (_, headings, qualifiers, majors, descriptors) in latest.items():
        stats.pmids.append(pmid)
        if mapping is not None:
            found = frozenset().union(*(mapping.entities.get(MESH + d, ()) for d in descriptors))
            if found:
                stats.entities[pmid] = found
        stats.articles += 1
        stats.headings += headings
        stats.qualifiers += qualifiers
        stats.major_flags += majors
    if vocabulary is not None:
        stats.evidence = {}
        for pmid in latest:
            read = evidence_lines(vocabulary, pmid, *abstracts[pmid])
            if read:
                stats.evidence[pmid] = read
                stats.evidence_sentences += sum(line.endswith(SENTENCE_TYPE) for line in read)
    chunks = [lines for lines, *_ in latest.values()]
    if chunks:
        chunks.extend(journal_lines(journals))
    stats.ntriples = ("\n".join(chunks) + "\n").encode("utf-8") if chunks else b""
    stats.seconds = time.perf_counter() - start
    return stats


_TYPE_NODE = ox.NamedNode(RDF + "type")
_ARTICLE_NODE = ox.NamedNode(IGFKG + "JournalArticle")
_KB = ox.NamedNode(IGFKG + "graph/kb")


def _locate(
    match: Match, pmids: Iterable[str], deleted: Iterable[str], graph: str
) -> tuple[list[str], dict[str, list[ox.NamedNode]]]:
    """The file's PMIDs whose article is in the curated knowledge base, and, per other source
    graph, the articles of the file (or of its deletions) that it holds."""
    curated: list[str] = []
    elsewhere: dict[str, list[ox.NamedNode]] = {}
    for pmid in dict.fromkeys([*pmids, *deleted]):
        node = ox.NamedNode(PUBMED + pmid)
        if next(iter(match(node, None, None, None)), None) is None:
            continue
        if next(iter(match(node, None, None, _KB)), None) is not None:
            curated.append(pmid)
        for quad in match(node, _TYPE_NODE, _ARTICLE_NODE, None):
            name = quad.graph_name
            if isinstance(name, ox.NamedNode) and name.value != graph and _ingested(quad):
                elsewhere.setdefault(name.value, []).append(node)
    deleted_only = set(deleted) - set(pmids)
    return [pmid for pmid in curated if pmid not in deleted_only], elsewhere


def _ingested(quad: ox.Quad) -> bool:
    graph = quad.graph_name
    return isinstance(graph, ox.NamedNode) and graph.value.startswith(GRAPH_SOURCES)


@dataclass
class _Change:
    """What one file changes, before it is written."""

    graph: str
    removed: set[ox.Quad] = field(default_factory=set)  # quads leaving the store
    dropped: list[str] = field(default_factory=list)  # other graphs left without articles
    added: ox.Store | None = None  # quads of an existing graph's new version not there yet
    touched: list[str] = field(default_factory=list)  # graphs whose counts change


def _view(match: Match, change: _Change) -> Match:
    """The store as it will be after ``change``, for quad-pattern lookups."""
    removed, dropped, added = change.removed, set(change.dropped), change.added

    def after(
        s: ox.NamedNode | None,
        p: ox.NamedNode | None,
        o: ox.NamedNode | None,
        g: ox.NamedNode | None,
    ) -> Iterator[ox.Quad]:
        if g is None or g.value not in dropped:
            for quad in match(s, p, o, g):
                if quad in removed or getattr(quad.graph_name, "value", "") in dropped:
                    continue
                yield quad
        if added is not None:
            yield from added.quads_for_pattern(s, p, o, g)

    return after


def _elsewhere(match: Match, change: _Change, elsewhere: dict[str, list[ox.NamedNode]]) -> None:
    """Remove the file's articles from the other source graphs holding them; a graph left
    without articles is dropped whole (its journals and key went with its last article)."""
    for name, articles in sorted(elsewhere.items()):
        graph = ox.NamedNode(name)
        leaving = set(articles)
        remaining = (
            q.subject
            for q in match(None, _TYPE_NODE, _ARTICLE_NODE, graph)
            if q.subject not in leaving
        )
        if next(remaining, None) is None:
            change.dropped.append(name)
            continue
        for article in articles:
            change.removed.update(match(article, None, None, graph))
        change.touched.append(name)


def _digest(quad: ox.Quad) -> bytes:
    return hashlib.blake2b(str(quad).encode(), digest_size=16).digest()


def _diff(match: Match, change: _Change, ntriples: bytes) -> None:
    """Compare a graph with its new version (N-Triples): its quads that go are added to
    ``change.removed``, those that come to ``change.added`` (an in-memory pyoxigraph store,
    for the lookups of :func:`_view`). Compared by 128-bit digests, so that memory holds
    digests, not two copies of the graph; a second pass picks the quads."""
    graph = ox.NamedNode(change.graph)
    data = b"".join(_quads(ntriples, change.graph))
    old = {_digest(q) for q in match(None, None, None, graph)}
    new = {_digest(q) for q in ox.parse(data, format=ox.RdfFormat.N_QUADS, lenient=True)}
    going, coming = old - new, new - old
    del old, new
    if going:
        change.removed.update(q for q in match(None, None, None, graph) if _digest(q) in going)
    if coming:
        change.added = ox.Store()
        change.added.extend(
            q
            for q in ox.parse(data, format=ox.RdfFormat.N_QUADS, lenient=True)
            if _digest(q) in coming
        )


def _updates(change: _Change) -> list[str]:
    """The SPARQL updates removing ``change.removed`` and adding ``change.added``."""
    parts = []
    if change.removed:
        parts.append(sparql.delete_data(change.removed))
    if change.added is not None:
        parts.append(sparql.insert_data(change.added))
    return parts


def write_file(
    backend: Backend,
    stats: FileStats,
    *,
    bulk: bool = False,
    pairs: set[str] | None = None,
    mapping: EntityMap | None = None,
    vocabulary: Vocabulary | None = None,
) -> None:
    """Apply one parsed file to the store, whole or not at all (see the module's docstring).
    With ``bulk`` (persistent stores), a file new to the store goes through the backend's bulk
    loader (``Backend.bulk_load``), several times faster on disk. The N-Triples are igfkg's
    own, built from checked identifiers (every IRI checked when parsed) and escaped literals,
    so they are loaded without re-validating IRIs.

    Definitions of descriptor/qualifier pairs not yet in the store (``pairs``: those known to
    be there, updated here) are added in the file's transaction, or, for a file new to the
    store, just before; they are vocabulary, true whatever happens to the file, never removed
    by ingest.

    The literature index is kept current with ``mapping`` (:mod:`igfkg.literature.index`), in
    the same transaction: a new graph is counted from the parsed records, graphs that lost or
    kept older articles are recounted from the store as it will be. Without ``mapping`` their
    counts are only marked out of date.

    The evidence of the file's articles and deletions (:mod:`igfkg.literature.evidence`)
    changes in the same transaction: with ``vocabulary`` (the file was read, ``stats.evidence``)
    it becomes the new reading; without, on a store that has been read, it is removed (read
    again with ``igfkg read``)."""
    match: Match = backend.match
    known = known_pairs(backend) if pairs is None else pairs
    new_pairs = stats.pairs - known
    stats.graph = graph_for(match, Path(stats.path))
    stats.kept, elsewhere = _locate(match, stats.pmids, stats.deleted, stats.graph)
    if stats.kept:
        # The curated KB is authoritative for its own articles (the seed): ingest skips them.
        prefixes = tuple(f"<{PUBMED}{pmid}> ".encode() for pmid in stats.kept)
        stats.ntriples = b"\n".join(
            line for line in stats.ntriples.split(b"\n") if not line.startswith(prefixes)
        )
    if set(stats.pmids) - set(stats.kept):
        key = key_line(stats.graph, source_key(Path(stats.path)))
        stats.ntriples = stats.ntriples.rstrip(b"\n") + b"\n" + key
    else:
        stats.ntriples = b""  # no article of its own: the file has no graph
    existed = backend.has_graph(stats.graph)
    change = _Change(stats.graph)
    _elsewhere(match, change, elsewhere)
    marked = False
    if existed:
        _diff(match, change, stats.ntriples)
        if change.removed or change.added is not None or not _counted(match, stats.graph, mapping):
            change.touched.insert(0, stats.graph)
    elif stats.ntriples:
        if new_pairs:
            # Before the file's graph, in a transaction of their own: written after a bulk
            # load (in the file's transaction) they cost twice as long, the store being busy
            # compacting the bulk-loaded files; loaded, not written as SPARQL, they cost a
            # fifth. So a killed ingest may leave these definitions (true whatever happens to
            # articles; the pair graph only grows).
            backend.add_ntriples(pair_lines(sorted(new_pairs)), PAIR_GRAPH)
            known |= new_pairs
            new_pairs = set()
        marked = _load_new(backend, stats, bulk)
        change.touched.insert(0, stats.graph)
    # One transaction. The index updates (counted from the store as it will be) go first:
    # their WHERE clauses read the index graph, which is slow behind many pending writes.
    parts = [drop_update(name) for name in change.dropped]
    parts += _index_updates(match, stats, change, mapping, fresh=marked or not existed)
    parts += [sparql.fill(_DROP_GRAPH, graph=ox.NamedNode(name)) for name in change.dropped]
    parts += _updates(change)
    if new_pairs:
        parts.append(sparql.insert_data(pair_quads(sorted(new_pairs))))
    evidence, deferred = _evidence_updates(match, stats, vocabulary)
    parts += evidence
    backend.transact(parts, finished=stats.graph if marked else None)
    known |= new_pairs
    if deferred:
        add_pending_evidence(backend, stats.graph, deferred)


def _evidence_updates(
    match: Match, stats: FileStats, vocabulary: Vocabulary | None
) -> tuple[list[str], dict[str, list[str]]]:
    """The updates of the file's transaction bringing the evidence of its articles and
    deletions up to date, and the evidence of articles that had none, to add after it.

    Articles with evidence in the store get exactly their new reading in the transaction (a
    re-ingested file: the difference, usually little). Articles without (a new file: most of
    its evidence) get theirs in batches after it (:func:`add_pending_evidence`): one
    transaction of a whole file's evidence took 39 s and 4.9 GB for 10,000 synthetic
    abstracts on disk. The transaction marks the file's graph as pending until the batches are
    done, so a killed ingest leaves a mark (which the next ingest or ``igfkg read`` reads
    again), never evidence that is wrong."""
    if stats.evidence is None and not is_read(match):
        return [], {}
    kept = set(stats.kept)
    affected = [p for p in dict.fromkeys([*stats.pmids, *stats.deleted]) if p not in kept]
    found = stats.evidence or {}
    present = [p for p in affected if has_evidence(match, p)]
    lines = (line for pmid in present for line in found.get(pmid, ()))
    removed, added = evidence_change(match, present, lines)
    parts = change_updates(removed, added)
    deferred = {p: found[p] for p in affected if p in found and p not in set(present)}
    if (added or deferred) and vocabulary is not None:
        parts = activity_update(match, vocabulary) + parts
    if deferred:
        parts.append(pending_update(stats.graph))
    return parts, deferred


def _counted(match: Match, graph: str, mapping: EntityMap | None) -> bool:
    """True if ``graph``'s counts are in the index, counted with ``mapping``."""
    if mapping is None:
        return False
    mark = ox.NamedNode(IGFKG + "literatureIndexDigest")
    digest = ox.Literal(mapping.digest)
    found = match(ox.NamedNode(graph), mark, None, ox.NamedNode(INDEX_GRAPH))
    return any(q.object == digest for q in found)  # a graph has one mark


def _index_updates(
    match: Match,
    stats: FileStats,
    change: _Change,
    mapping: EntityMap | None,
    *,
    fresh: bool,
) -> list[str]:
    """The index updates of ``change``: a new graph counted from the parsed records when
    nothing else changes, otherwise the touched graphs recounted from the store as it will be
    (or, without a mapping, their counts dropped, to be recounted when next needed)."""
    if not change.touched:
        return []
    if mapping is None:
        return [drop_update(name) for name in change.touched]
    alone = change.touched == [stats.graph] and not change.dropped and not change.removed
    if fresh and alone and stats.entity_digest == mapping.digest:
        kept = set(stats.kept)
        counts = entity_pair_counts(
            found for pmid, found in stats.entities.items() if pmid not in kept
        )
        return [index_update(stats.graph, counts, mapping.digest)]
    return recount_updates(_view(match, change), change.touched, mapping)


def _load_new(backend: Backend, stats: FileStats, bulk: bool) -> bool:
    """Load the N-Triples of a file new to the store into its graph; True if the graph was
    marked (the bulk loader is not transactional: the mark makes the next open drop the
    graph if the process dies before the file's transaction removes it)."""
    if bulk:
        backend.bulk_load(stats.ntriples, stats.graph)
        return True
    backend.add_ntriples(stats.ntriples, stats.graph)
    return False


def _quads(ntriples: bytes, graph: str) -> Iterator[bytes]:
    tail = f" <{graph}> .\n".encode()
    return (line[:-2] + tail for line in ntriples.split(b"\n") if line.endswith(b" ."))


def write_nquads(outdir: Path, stats: FileStats, pairs: set[str] | None = None) -> Path:
    """Write one parsed file as N-Quads (its graph named, ``stats.graph``, with its key) for a
    store's bulk loader, atomically, as ``<graph's local name>.nq``; its DeleteCitation PMIDs
    go to a ``.deleted`` file beside it. Definitions of the descriptor/qualifier pairs not in
    ``pairs`` (those already written; updated here) go to the pair graph in the same shard."""
    outdir.mkdir(parents=True, exist_ok=True)
    name = urllib.parse.unquote(stats.graph.removeprefix(GRAPH_SOURCES))
    target = outdir / f"{name}.nq"
    new_pairs = stats.pairs - pairs if pairs is not None else stats.pairs
    tmp = target.with_name(target.name + ".part")
    with tmp.open("wb") as out:
        out.writelines(_quads(pair_lines(sorted(new_pairs)), PAIR_GRAPH))
        out.writelines(_quads(stats.ntriples, stats.graph))
        if stats.ntriples:
            out.writelines(_quads(key_line(stats.graph, source_key(Path(stats.path))), stats.graph))
    tmp.replace(target)
    if stats.deleted:
        (outdir / f"{name}.deleted").write_text("\n".join(stats.deleted) + "\n")
    if pairs is not None:
        pairs |= new_pairs
    return target


def export_nquads(
    paths: list[Path],
    outdir: Path,
    *,
    workers: int = 2,
    progress: bool | None = None,
    lookup: dict[str, str] | None = None,
) -> list[FileStats]:
    """Parse files into sharded N-Quads (one ``.nq`` per source file) without a store. Files
    of the same name from different paths get different graphs (and shards), as in a store."""
    written: set[str] = set()
    keys: dict[str, str] = {}  # graph name -> the key of the file it holds

    def write(stats: FileStats) -> None:
        key = source_key(Path(stats.path))
        plain = source_graph(Path(stats.path))
        stats.graph = plain if keys.setdefault(plain, key) == key else f"{plain}~{key}"
        write_nquads(outdir, stats, written)

    return _drive(paths, lookup, write, workers=workers, progress=progress)


class Progress:
    """A one-line progress report on a terminal (records, rate); silent when not a TTY."""

    def __init__(self, total_files: int, enabled: bool | None = None) -> None:
        self.enabled = sys.stderr.isatty() if enabled is None else enabled
        self.total = total_files
        self.files = 0
        self.records = 0
        self.start = time.perf_counter()

    def update(self, stats: FileStats) -> None:
        self.files += 1
        self.records += stats.articles
        if self.enabled:
            rate = self.records / max(time.perf_counter() - self.start, 1e-9)
            sys.stderr.write(
                f"\r{self.files}/{self.total} files  {self.records:,} records  "
                f"{rate:,.0f} records/s"
            )
            sys.stderr.flush()

    def close(self) -> None:
        if self.enabled:
            sys.stderr.write("\n")


def _mesh_lookup(backend: Backend) -> dict[str, str]:
    out: dict[str, str] = {}
    for row in backend.select(_MESH_LOOKUP):
        ui, label = row["ui"], row["label"]
        if ui is not None and label is not None:
            out.setdefault(f"{ui.value[0]}|{label.value.casefold()}", ui.value)
    return out


def _lower_priority() -> None:
    """Parsing workers yield the CPU to the process writing the store, the pipeline's
    bottleneck (100k articles in memory: 13.7k records/s, 12.5k at equal priority)."""
    os.nice(10)


def _parsed(
    paths: list[Path],
    lookup: dict[str, str] | None,
    workers: int,
    mapping: EntityMap | None = None,
    vocabulary: Vocabulary | None = None,
) -> Iterator[FileStats]:
    """Parsed files in order; with several workers, at most ``workers + 1`` files in flight, so
    that the next file is ready when the writer is."""
    if workers <= 1 or len(paths) <= 1:
        for path in paths:
            yield parse_file(path, lookup, mapping, vocabulary)
        return
    with ProcessPoolExecutor(max_workers=workers, initializer=_lower_priority) as pool:
        pending: list[Future[FileStats]] = []
        queue = iter(paths)
        for path in queue:
            pending.append(pool.submit(parse_file, path, lookup, mapping, vocabulary))
            if len(pending) > workers:
                break
        while pending:
            done = pending.pop(0).result()
            nxt = next(queue, None)
            if nxt is not None:
                pending.append(pool.submit(parse_file, nxt, lookup, mapping, vocabulary))
            yield done


def _drive(
    paths: list[Path],
    lookup: dict[str, str] | None,
    write: Callable[[FileStats], object],
    *,
    workers: int,
    progress: bool | None,
    on_file: Callable[[FileStats], object] | None = None,
    mapping: EntityMap | None = None,
    vocabulary: Vocabulary | None = None,
) -> list[FileStats]:
    """Parse (and with ``vocabulary`` read) files in order, on ``workers`` processes, hand
    each to ``write``, then drop its N-Triples so memory stays flat; report progress and each
    finished file."""
    bar = Progress(len(paths), progress)
    done: list[FileStats] = []
    try:
        for stats in _parsed(paths, lookup, workers, mapping, vocabulary):
            write(stats)
            stats.ntriples, stats.pairs, stats.entities = b"", set(), {}
            stats.evidence = None if stats.evidence is None else {}
            bar.update(stats)
            done.append(stats)
            if on_file is not None:
                on_file(stats)
    finally:
        bar.close()
    return done


def _open_store(path: Path, *, seeded: bool = False) -> OxigraphBackend:
    """The on-disk store at ``path`` (waiting while another process holds it). With ``seeded``,
    an empty store first gets the bundled ontology and KB, as :func:`igfkg.open` gives them
    (the KB's MeSH mappings decide what the literature index counts)."""
    backend = OxigraphBackend(path)
    if seeded and backend.is_empty():
        load_bundled(backend)
    return backend


def ingestible(backend: Backend) -> None:
    """Refuse a backend ingest cannot write to (one without a bulk loader and transactions)."""
    if not backend.capabilities.bulk_writes:
        raise ConfigError(
            f"ingest writes to the embedded Oxigraph store (oxigraph: or --store), "
            f"not to the {backend.capabilities.engine} backend"
        )


def _finish_pending(backend: Backend, vocabulary: Vocabulary | None) -> None:
    """Read the graphs an earlier ingest left pending (stopped while adding evidence), or the
    whole store if an earlier igfkg read it (:func:`~igfkg.literature.evidence.is_current`)."""
    if vocabulary is None:
        return
    from igfkg.literature.evidence import is_current, pending_graphs, read_store

    if not is_current(backend.match):
        read_store(backend, vocabulary)
        return
    pending = pending_graphs(backend.match)
    if pending:
        read_store(backend, vocabulary, graphs=pending)


def ingest_pubmed_store(
    path: Path,
    paths: list[Path],
    *,
    workers: int = 2,
    progress: bool | None = None,
    on_file: Callable[[FileStats], object] | None = None,
    vocabulary: Vocabulary | None = None,
) -> list[FileStats]:
    """Ingest into the on-disk store at ``path``, holding it only while writing each file, so
    other igfkg processes can read between files (they wait for the store, then see whole
    files only). With ``vocabulary``, each file's abstracts are read into the evidence graph
    in the file's transaction (see :func:`write_file`)."""
    from igfkg.literature.pubmed import is_medline

    backend = _open_store(path, seeded=True)
    try:
        lookup = _mesh_lookup(backend) if any(is_medline(p) for p in paths) else None
        pairs = known_pairs(backend)
        mapping = entity_map(backend)
        _finish_pending(backend, vocabulary)
    finally:
        backend.close()
    del backend

    def write(stats: FileStats) -> None:
        backend = _open_store(path)
        try:
            write_file(
                backend, stats, bulk=True, pairs=pairs, mapping=mapping, vocabulary=vocabulary
            )
        finally:
            backend.close()

    return _drive(
        paths,
        lookup,
        write,
        workers=workers,
        progress=progress,
        on_file=on_file,
        mapping=mapping,
        vocabulary=vocabulary,
    )


def ingest_pubmed(
    kg: GraphPort,
    paths: list[Path],
    *,
    workers: int = 2,
    progress: bool | None = None,
    on_file: Callable[[FileStats], object] | None = None,
    vocabulary: Vocabulary | None = None,
) -> list[FileStats]:
    """Ingest PubMed XML / MEDLINE files, each atomically into its own named graph; with
    ``vocabulary``, reading their abstracts into the evidence graph (:func:`write_file`)."""
    backend = kg.backend
    ingestible(backend)
    from igfkg.literature.pubmed import is_medline

    lookup = _mesh_lookup(backend) if any(is_medline(p) for p in paths) else None
    pairs = known_pairs(backend)
    mapping = entity_map(backend)
    _finish_pending(backend, vocabulary)
    # A store shared with other processes (on disk) outlives a crash: new files go through
    # the bulk loader, marked until their transaction; a private one dies with the process.
    bulk = not backend.capabilities.private

    def write(stats: FileStats) -> None:
        write_file(backend, stats, bulk=bulk, pairs=pairs, mapping=mapping, vocabulary=vocabulary)

    try:
        return _drive(
            paths,
            lookup,
            write,
            workers=workers,
            progress=progress,
            on_file=on_file,
            mapping=mapping,
            vocabulary=vocabulary,
        )
    finally:
        kg.changed()
