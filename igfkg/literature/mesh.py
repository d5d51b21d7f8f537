"""Ingest MeSH vocabulary files as NLM's MeSH RDF writes them, one named graph per file.

Reads descriptor XML (``desc20XX.xml[.gz]``), qualifier XML, supplementary-concept XML and the
tree-number table (``mesh_id mesh_name mesh_tree_number``). Writes, with NLM's IRIs and
vocabulary: type, ``rdfs:label``@en, ``meshv:identifier``, ``meshv:treeNumber`` (tree numbers
typed ``meshv:TreeNumber`` with ``meshv:parentTreeNumber``) and ``meshv:broaderDescriptor``
derived from the tree, so hierarchical queries work and the graph joins NLM's own MeSH RDF.
"""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

from igfkg.core.errors import DataFileError
from igfkg.core.rdfwriter import iri, literal
from igfkg.literature.ingest import (
    _Change,
    _diff,
    _updates,
    graph_for,
    ingestible,
    key_line,
    source_graph,
    source_key,
)
from igfkg.literature.pubmed import _CHUNK, _feed, events, open_guarded, text_lines

if TYPE_CHECKING:
    from igfkg.store.port import GraphPort

__all__ = ["MeshStats", "ingest_mesh", "parse_mesh_file"]

MESH = "http://id.nlm.nih.gov/mesh/"
MESHV = "http://id.nlm.nih.gov/mesh/vocab#"
_TYPE = iri("http://www.w3.org/1999/02/22-rdf-syntax-ns#type")
_LABEL = iri("http://www.w3.org/2000/01/rdf-schema#label")
_ID = iri(MESHV + "identifier")
_TREE = iri(MESHV + "treeNumber")
_PARENT = iri(MESHV + "parentTreeNumber")
_BROADER = iri(MESHV + "broaderDescriptor")
_TREE_TYPE = iri(MESHV + "TreeNumber")
_UI = re.compile(r"[DCQ][0-9]{6,9}")  # full matches only (re.fullmatch)
_TREE_NUMBER = re.compile(r"[A-Z][0-9]{2}(\.[0-9]{3})*")
_DESC_CLASS = {
    "1": "TopicalDescriptor",
    "2": "PublicationType",
    "3": "CheckTag",
    "4": "GeographicalDescriptor",
}
_SCR_CLASS = {"1": "SCR_Chemical", "2": "SCR_Protocol", "3": "SCR_Disease", "4": "SCR_Organism"}


@dataclass
class MeshStats:
    """What a MeSH file held."""

    path: str
    graph: str
    descriptors: int = 0
    qualifiers: int = 0
    supplementary: int = 0
    tree_numbers: int = 0
    ntriples: bytes = field(default=b"", repr=False)


@dataclass
class _Record:
    ui: str
    label: str
    kind: str
    trees: list[str] = field(default_factory=list)


def _check(path: Path, value: str, pattern: re.Pattern[str], what: str, line: int = 0) -> str:
    if not pattern.fullmatch(value):
        raise DataFileError(str(path), f"invalid {what} {value!r}", line or None)
    return value


_RECORD_SETS = ("DescriptorRecordSet", "QualifierRecordSet", "SupplementalRecordSet")


def _xml_records(path: Path) -> Iterator[_Record]:
    parser: ET.XMLPullParser[ET.Element] = ET.XMLPullParser(events=("start", "end"))
    root_tag = ""
    with open_guarded(path) as handle:
        record_start = 0
        try:
            while True:
                chunk = handle.read(_CHUNK)
                _feed(path, parser, chunk or None)
                for event, elem in events(parser):
                    if event == "start":
                        if not root_tag:
                            root_tag = elem.tag
                            if root_tag not in _RECORD_SETS:
                                raise DataFileError(
                                    str(path), f"not MeSH XML: root <{root_tag}>", 1
                                )
                        continue
                    record = _xml_record(path, elem)
                    if record is not None:
                        yield record
                        elem.clear()
                        record_start = handle.total
                if not chunk:
                    break
                if handle.total - record_start > handle.limits.max_record:
                    raise DataFileError(
                        str(path),
                        f"a record longer than {handle.limits.max_record} bytes "
                        "(IGFKG_INGEST_MAX_RECORD)",
                    )
        except ET.ParseError as error:
            line, column = error.position
            if "no element found" in str(error) and line <= 1 and column == 0:
                raise DataFileError(str(path), "empty file") from None
            raise DataFileError(str(path), f"malformed XML: {error.msg}", line, column) from None
    if not root_tag:
        raise DataFileError(str(path), "empty file")


def _xml_record(path: Path, elem: ET.Element) -> _Record | None:
    if elem.tag == "DescriptorRecord":
        ui = elem.findtext("DescriptorUI", "").strip()
        kind = _DESC_CLASS.get(elem.get("DescriptorClass", "1"), "TopicalDescriptor")
        name = elem.findtext("DescriptorName/String", "").strip()
        trees = [t.text.strip() for t in elem.findall("TreeNumberList/TreeNumber") if t.text]
    elif elem.tag == "QualifierRecord":
        ui = elem.findtext("QualifierUI", "").strip()
        kind, name = "Qualifier", elem.findtext("QualifierName/String", "").strip()
        trees = [t.text.strip() for t in elem.findall("TreeNumberList/TreeNumber") if t.text]
    elif elem.tag == "SupplementalRecord":
        ui = elem.findtext("SupplementalRecordUI", "").strip()
        kind = _SCR_CLASS.get(elem.get("SCRClass", "1"), "SCR_Chemical")
        name = elem.findtext("SupplementalRecordName/String", "").strip()
        trees = []
    else:
        return None
    return _Record(_check(path, ui, _UI, "MeSH UI"), name, kind, trees)


_HEADER = ["mesh_id", "mesh_name", "mesh_tree_number"]


def _tsv_records(path: Path) -> Iterator[_Record]:
    """The tree-number table: tab-separated, UTF-8, no quoting (a field opening with a quote,
    as a CSV writer quotes a value holding a tab or a newline, is refused with its line)."""
    records: dict[str, _Record] = {}
    for number, line in text_lines(path):
        row = line.split("\t")
        if number == 1:
            if row != _HEADER:
                raise DataFileError(
                    str(path),
                    f"expected header mesh_id, mesh_name, mesh_tree_number, got {row!r}",
                    1,
                )
            continue
        if not line:
            continue
        for value in row:
            if value.startswith('"'):
                raise DataFileError(
                    str(path),
                    f"quoted field {value!r}: the table is tab-separated without quoting",
                    number,
                )
        if len(row) != 3:
            raise DataFileError(
                str(path), f"expected 3 columns, got {len(row)}: {line[:80]!r}", number
            )
        ui = _check(path, row[0], _UI, "MeSH UI", number)
        tree = _check(path, row[2], _TREE_NUMBER, "tree number", number)
        kind = "PublicationType" if tree.startswith("V") else "TopicalDescriptor"
        rec = records.setdefault(ui, _Record(ui, row[1], kind))
        rec.trees.append(tree)
    if not records and not _seen_header(path):
        raise DataFileError(str(path), "empty file")
    yield from records.values()


def _seen_header(path: Path) -> bool:
    return any(True for _ in text_lines(path))


def parse_mesh_file(path: Path) -> MeshStats:
    """Parse a MeSH file completely into N-Triples (DataFileError on bad input)."""
    stats = MeshStats(str(path), source_graph(path))
    name = path.name.lower()
    records = list(_tsv_records(path) if name.endswith((".tsv", ".tsv.gz")) else _xml_records(path))
    by_tree = {t: r.ui for r in records for t in r.trees if r.kind != "Qualifier"}
    lines: list[str] = []
    trees: set[str] = set()
    for rec in records:
        node = iri(MESH + rec.ui)
        lines.append(f"{node} {_TYPE} {iri(MESHV + rec.kind)} .")
        lines.append(f"{node} {_LABEL} {literal(rec.label, language='en')} .")
        lines.append(f"{node} {_ID} {literal(rec.ui)} .")
        if rec.kind == "Qualifier":
            stats.qualifiers += 1
        elif rec.kind.startswith("SCR_"):
            stats.supplementary += 1
        else:
            stats.descriptors += 1
        broader = set()
        for tree in rec.trees:
            _check(path, tree, _TREE_NUMBER, "tree number")
            lines.append(f"{node} {_TREE} {iri(MESH + tree)} .")
            trees.add(tree)
            parent = tree.rsplit(".", 1)[0] if "." in tree else ""
            if parent and parent in by_tree and rec.kind != "Qualifier":
                broader.add(by_tree[parent])
        lines += [f"{node} {_BROADER} {iri(MESH + b)} ." for b in sorted(broader)]
    for tree in sorted(trees):
        node = iri(MESH + tree)
        lines.append(f"{node} {_TYPE} {_TREE_TYPE} .")
        lines.append(f"{node} {_LABEL} {literal(tree, language='en')} .")
        if "." in tree:
            lines.append(f"{node} {_PARENT} {iri(MESH + tree.rsplit('.', 1)[0])} .")
    stats.tree_numbers = len(trees)
    stats.ntriples = ("\n".join(lines) + "\n").encode("utf-8")
    return stats


def ingest_mesh(kg: GraphPort, paths: list[Path]) -> list[MeshStats]:
    """Ingest MeSH files, each replacing its own named graph atomically."""
    backend = kg.backend
    ingestible(backend)
    parsed = [parse_mesh_file(p) for p in paths]  # every file parses before anything is written
    for stats in parsed:
        # The file's graph (another file of the same name gets its own), replaced by the new
        # version's difference with the old one, in one transaction.
        stats.graph = graph_for(backend.match, Path(stats.path))
        data = stats.ntriples + key_line(stats.graph, source_key(Path(stats.path)))
        if (
            not backend.has_graph(stats.graph)
            and backend.capabilities.bulk_writes
            and (not backend.capabilities.private)
        ):
            # On disk, a new graph goes through the bulk loader (7 s -> 1 s for the MeSH tree),
            # marked so that a crash before the closing transaction drops it on the next open.
            backend.bulk_load(data, stats.graph)
            backend.transact([], finished=stats.graph)
        elif not backend.has_graph(stats.graph):
            backend.load_data(data, "nt", stats.graph)
        else:
            change = _Change(stats.graph)
            _diff(backend.match, change, data)
            backend.transact(_updates(change))
        stats.ntriples = b""
    kg.changed()
    from igfkg.literature.index import ensure_index

    ensure_index(kg)  # the MeSH tree decides which descriptors count for which entity
    return parsed
