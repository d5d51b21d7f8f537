"""Ingest PubMed/MEDLINE files into the store: one named graph per source file, atomic per file.

Each file is parsed completely before anything is written, so a file that fails to parse is
reported (file, line) and changes nothing. Articles are modelled like the seed article of the
KB. Re-ingesting an article replaces it, wherever it was; ``DeleteCitation`` removes articles.
A file's changes (deletions and insertions) are one transaction.
"""

from __future__ import annotations

import sys
import time
import urllib.parse
from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import Future, ProcessPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

import pyoxigraph as ox

from igfkg.backends import CONTROL_GRAPH, IN_PROGRESS, OxigraphBackend
from igfkg.pubmed import Article, Deletion, read_records
from igfkg.rdfwriter import XSD, iri, literal

if TYPE_CHECKING:
    from igfkg.graph import KnowledgeGraph

__all__ = ["FileStats", "article_lines", "ingest_pubmed", "source_graph"]

IGFKG = "https://w3id.org/igfkg/"
PUBMED = "http://www.ncbi.nlm.nih.gov/pubmed/"
MESH = "http://id.nlm.nih.gov/mesh/"
MESHV = "http://id.nlm.nih.gov/mesh/vocab#"
_TYPE = iri("http://www.w3.org/1999/02/22-rdf-syntax-ns#type")
_LABEL = iri("http://www.w3.org/2000/01/rdf-schema#label")
_TITLE = iri("http://purl.org/dc/terms/title")
_ISSUED = iri("http://purl.org/dc/terms/issued")
_SOURCE = iri("http://purl.org/dc/terms/source")
_PMID = iri("http://purl.org/ontology/bibo/pmid")
_DOI = iri("http://purl.org/ontology/bibo/doi")
_ARTICLE = iri(IGFKG + "JournalArticle")
_JOURNAL = iri(IGFKG + "Journal")
_HEADING = iri(IGFKG + "MeshHeading")
_HAS_HEADING = iri(IGFKG + "hasMeshHeading")
_PUBTYPE = iri(IGFKG + "publicationType")
_SUBSTANCE = iri(IGFKG + "hasSubstance")
_PUBLISHED_IN = iri(IGFKG + "publishedIn")
_MAJOR = iri(IGFKG + "majorTopic")
_DMAJOR = iri(IGFKG + "descriptorMajorTopic")
_QMAJOR = iri(IGFKG + "qualifierMajorTopic")
_HAS_DESC = iri(MESHV + "hasDescriptor")
_HAS_QUAL = iri(MESHV + "hasQualifier")
_TRUE = literal("true", XSD + "boolean")
_FALSE = literal("false", XSD + "boolean")


SOURCE_GRAPHS = IGFKG + "graph/source/"


def source_graph(path: Path) -> str:
    """The named graph of a source file: ``https://w3id.org/igfkg/graph/source/<file name>``."""
    return SOURCE_GRAPHS + urllib.parse.quote(path.name, safe="")


def _bool(flag: bool) -> str:
    return _TRUE if flag else _FALSE


def article_lines(rec: Article) -> Iterator[str]:
    """N-Triples lines for one article, in the KB's model of the seed article."""
    a = iri(PUBMED + rec.pmid)
    yield f"{a} {_TYPE} {_ARTICLE} ."
    yield f"{a} {_PMID} {literal(rec.pmid)} ."
    yield f"{a} {_SOURCE} <https://pubmed.ncbi.nlm.nih.gov/{rec.pmid}/> ."
    if rec.title:
        title = literal(rec.title)
        yield f"{a} {_TITLE} {title} ."
        yield f"{a} {_LABEL} {title} ."
    if rec.year:
        yield f"{a} {_ISSUED} {literal(rec.year, XSD + 'gYear')} ."
    if rec.doi:
        yield f"{a} {_DOI} {literal(rec.doi)} ."
    if rec.journal_id:
        j = iri(IGFKG + "journal/nlm/" + rec.journal_id)
        yield f"{a} {_PUBLISHED_IN} {j} ."
        yield f"{j} {_TYPE} {_JOURNAL} ."
        if rec.journal:
            yield f"{j} {_LABEL} {literal(rec.journal)} ."
    for ui in dict.fromkeys(rec.publication_types):
        yield f"{a} {_PUBTYPE} <{MESH}{ui}> ."
    for ui in dict.fromkeys(rec.chemicals):
        yield f"{a} {_SUBSTANCE} <{MESH}{ui}> ."
    base = f"{IGFKG}pubmed/{rec.pmid}/mesh/"
    for h in rec.headings:
        pairs: list[tuple[str, bool | None]] = list(h.qualifiers) or [("", None)]
        for q, q_major in pairs:
            node = iri(base + h.descriptor + q)
            yield f"{a} {_HAS_HEADING} {node} ."
            yield f"{node} {_TYPE} {_HEADING} ."
            yield f"{node} {_HAS_DESC} <{MESH}{h.descriptor}> ."
            yield f"{node} {_MAJOR} {_bool(h.descriptor_major or bool(q_major))} ."
            yield f"{node} {_DMAJOR} {_bool(h.descriptor_major)} ."
            if q:
                yield f"{node} {_HAS_QUAL} <{MESH}{q}> ."
                yield f"{node} {_QMAJOR} {_bool(bool(q_major))} ."


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
    seconds: float = 0.0


def parse_file(path: Path, lookup: dict[str, str] | None = None) -> FileStats:
    """Parse one file completely into N-Triples (raises DataFileError on bad input)."""
    start = time.perf_counter()
    stats = FileStats(str(path), source_graph(path))
    # A file may hold several versions of one PMID (PMID Version="2"): the last one wins.
    latest: dict[str, tuple[str, int, int, int]] = {}
    for rec in read_records(path, lookup):
        if isinstance(rec, Deletion):
            stats.deleted.extend(rec.pmids)
            for pmid in rec.pmids:
                latest.pop(pmid, None)
            continue
        qualifiers = sum(len(h.qualifiers) for h in rec.headings)
        majors = sum(h.descriptor_major + sum(m for _, m in h.qualifiers) for h in rec.headings)
        latest.pop(rec.pmid, None)
        latest[rec.pmid] = ("\n".join(article_lines(rec)), len(rec.headings), qualifiers, majors)
    for pmid, (_, headings, qualifiers, majors) in latest.items():
        stats.pmids.append(pmid)
        stats.articles += 1
        stats.headings += headings
        stats.qualifiers += qualifiers
        stats.major_flags += majors
    chunks = [lines for lines, *_ in latest.values()]
    stats.ntriples = ("\n".join(chunks) + "\n").encode("utf-8") if chunks else b""
    stats.seconds = time.perf_counter() - start
    return stats


def _existing(store: ox.Store, pmids: Iterable[str]) -> list[ox.NamedNode]:
    rdf_type = ox.NamedNode("http://www.w3.org/1999/02/22-rdf-syntax-ns#type")
    found = []
    for pmid in dict.fromkeys(pmids):
        node = ox.NamedNode(PUBMED + pmid)
        if next(iter(store.quads_for_pattern(node, rdf_type, None, None)), None) is not None:
            found.append(node)
    return found


def _curated(store: ox.Store, pmids: Iterable[str]) -> list[str]:
    """The PMIDs whose article is part of the curated knowledge base."""
    kb = ox.NamedNode(IGFKG + "graph/kb")
    return [
        pmid
        for pmid in pmids
        if next(iter(store.quads_for_pattern(ox.NamedNode(PUBMED + pmid), None, None, kb)), None)
    ]


def _article_quads(store: ox.Store, article: ox.NamedNode) -> list[ox.Quad]:
    """The quads of an ingested article and its headings, in source graphs only: ingest never
    touches the curated KB or the ontology."""
    has_heading = ox.NamedNode(IGFKG + "hasMeshHeading")
    quads = [q for q in store.quads_for_pattern(article, None, None, None) if _ingested(q)]
    for q in list(quads):
        if q.predicate == has_heading and isinstance(q.object, ox.NamedNode):
            quads.extend(
                x for x in store.quads_for_pattern(q.object, None, None, None) if _ingested(x)
            )
    return quads


def _ingested(quad: ox.Quad) -> bool:
    graph = quad.graph_name
    return isinstance(graph, ox.NamedNode) and graph.value.startswith(SOURCE_GRAPHS)


def write_file(store: ox.Store, stats: FileStats, *, bulk: bool = False) -> None:
    """Apply one parsed file to the store: a single transaction, or with ``bulk`` (persistent
    stores, new articles only) Oxigraph's bulk loader, which is several times faster on disk
    but not transactional. The N-Triples are igfkg's own, built from validated identifiers and
    escaped literals, so they are loaded without re-validating IRIs (``lenient``)."""
    stats.kept = _curated(store, stats.pmids)
    if stats.kept:
        # The curated KB is authoritative for its own articles (the seed): ingest skips them.
        prefixes = tuple(
            prefix
            for pmid in stats.kept
            for prefix in (f"<{PUBMED}{pmid}>".encode(), f"<{IGFKG}pubmed/{pmid}/".encode())
        )
        stats.ntriples = b"\n".join(
            line for line in stats.ntriples.split(b"\n") if not line.startswith(prefixes)
        )
    replaced = _existing(store, [*stats.pmids, *stats.deleted])
    if not replaced:
        if stats.ntriples and bulk:
            # The bulk loader is not transactional: mark the graph first, so that a killed
            # ingest is rolled back (the graph dropped) when the store is next opened.
            marker = f"GRAPH <{CONTROL_GRAPH}> {{ <{stats.graph}> <{IN_PROGRESS}> true }}"
            store.update(f"INSERT DATA {{ {marker} }}")
            store.bulk_load(
                input=stats.ntriples,
                format=ox.RdfFormat.N_TRIPLES,
                to_graph=ox.NamedNode(stats.graph),
                lenient=True,
            )
            store.flush()
            store.update(f"DELETE DATA {{ {marker} }}")
        elif stats.ntriples:
            store.load(
                input=stats.ntriples,
                format=ox.RdfFormat.N_TRIPLES,
                to_graph=ox.NamedNode(stats.graph),
                lenient=True,
            )
        return
    removals = {q for node in replaced for q in _article_quads(store, node)}
    parts = []
    if removals:
        body = "\n".join(
            f"GRAPH {q.graph_name} {{ {q.subject} {q.predicate} {q.object} }}"
            if not isinstance(q.graph_name, ox.DefaultGraph)
            else f"{q.subject} {q.predicate} {q.object} ."
            for q in removals
        )
        parts.append(f"DELETE DATA {{\n{body}\n}}")
    if stats.ntriples:
        parts.append(
            f"INSERT DATA {{ GRAPH <{stats.graph}> {{\n{stats.ntriples.decode('utf-8')}\n}} }}"
        )
    store.update(" ;\n".join(parts))


def write_nquads(outdir: Path, stats: FileStats) -> Path:
    """Write one parsed file as N-Quads (its graph named) for a store's bulk loader, atomically;
    its DeleteCitation PMIDs go to a ``.deleted`` file beside it."""
    outdir.mkdir(parents=True, exist_ok=True)
    name = Path(stats.path).name
    target = outdir / f"{name}.nq"
    tail = f" <{stats.graph}> .".encode()
    lines = (line[:-2] + tail for line in stats.ntriples.split(b"\n") if line.endswith(b" ."))
    tmp = target.with_name(target.name + ".part")
    with tmp.open("wb") as out:
        for line in lines:
            out.write(line + b"\n")
    tmp.replace(target)
    if stats.deleted:
        (outdir / f"{name}.deleted").write_text("\n".join(stats.deleted) + "\n")
    return target


def export_nquads(
    paths: list[Path],
    outdir: Path,
    *,
    workers: int = 2,
    progress: bool | None = None,
    lookup: dict[str, str] | None = None,
) -> list[FileStats]:
    """Parse files into sharded N-Quads (one ``.nq`` per source file) without a store."""
    return _drive(
        paths, lookup, lambda stats: write_nquads(outdir, stats), workers=workers, progress=progress
    )


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


def _mesh_lookup(kg: KnowledgeGraph) -> dict[str, str]:
    q = """SELECT ?ui ?label WHERE {
      ?d <http://id.nlm.nih.gov/mesh/vocab#identifier> ?ui ;
         <http://www.w3.org/2000/01/rdf-schema#label> ?label }"""
    out: dict[str, str] = {}
    for row in kg.select(q):
        ui, label = row["ui"], row["label"]
        if ui is not None and label is not None:
            out.setdefault(f"{ui.value[0]}|{label.value.casefold()}", ui.value)
    return out


def _parsed(paths: list[Path], lookup: dict[str, str] | None, workers: int) -> Iterator[FileStats]:
    """Parsed files in order; with several workers, at most ``workers`` files in flight."""
    if workers <= 1 or len(paths) <= 1:
        for path in paths:
            yield parse_file(path, lookup)
        return
    with ProcessPoolExecutor(max_workers=workers) as pool:
        pending: list[Future[FileStats]] = []
        queue = iter(paths)
        for path in queue:
            pending.append(pool.submit(parse_file, path, lookup))
            if len(pending) >= workers:
                break
        while pending:
            done = pending.pop(0).result()
            nxt = next(queue, None)
            if nxt is not None:
                pending.append(pool.submit(parse_file, nxt, lookup))
            yield done


def _drive(
    paths: list[Path],
    lookup: dict[str, str] | None,
    write: Callable[[FileStats], object],
    *,
    workers: int,
    progress: bool | None,
    on_file: Callable[[FileStats], object] | None = None,
) -> list[FileStats]:
    """Parse files (in order, on ``workers`` processes), hand each to ``write``, then drop its
    N-Triples so memory stays flat; report progress and each finished file."""
    bar = Progress(len(paths), progress)
    done: list[FileStats] = []
    try:
        for stats in _parsed(paths, lookup, workers):
            write(stats)
            stats.ntriples = b""
            bar.update(stats)
            done.append(stats)
            if on_file is not None:
                on_file(stats)
    finally:
        bar.close()
    return done


def ingest_pubmed_store(
    path: Path,
    paths: list[Path],
    *,
    workers: int = 2,
    progress: bool | None = None,
    on_file: Callable[[FileStats], object] | None = None,
) -> list[FileStats]:
    """Ingest into the on-disk store at ``path``, holding it only while writing each file, so
    other igfkg processes can read between files (they wait for the store, then see whole
    files only)."""
    from igfkg.graph import open as open_graph
    from igfkg.pubmed import is_medline

    def graph() -> KnowledgeGraph:
        return open_graph(f"oxigraph:{path}")

    lookup = None
    if any(is_medline(p) for p in paths):
        kg = graph()
        lookup = _mesh_lookup(kg)
        kg.backend.close()  # type: ignore[attr-defined]
        del kg

    def write(stats: FileStats) -> None:
        kg = graph()
        try:
            write_file(kg.backend.store, stats, bulk=True)  # type: ignore[attr-defined]
        finally:
            kg.backend.close()  # type: ignore[attr-defined]

    return _drive(paths, lookup, write, workers=workers, progress=progress, on_file=on_file)


def ingest_pubmed(
    kg: KnowledgeGraph,
    paths: list[Path],
    *,
    workers: int = 2,
    progress: bool | None = None,
    on_file: Callable[[FileStats], object] | None = None,
) -> list[FileStats]:
    """Ingest PubMed XML / MEDLINE files, each atomically into its own named graph."""
    backend = kg.backend
    if not isinstance(backend, OxigraphBackend):
        raise ValueError("ingest writes to the embedded Oxigraph store (oxigraph: or --store)")
    from igfkg.pubmed import is_medline

    lookup = _mesh_lookup(kg) if any(is_medline(p) for p in paths) else None

    def write(stats: FileStats) -> None:
        write_file(backend.store, stats, bulk=backend.path is not None)

    try:
        return _drive(paths, lookup, write, workers=workers, progress=progress, on_file=on_file)
    finally:
        kg._resolved.clear()
