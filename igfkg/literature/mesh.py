"""Ingest MeSH vocabulary files as NLM's MeSH RDF writes them, one named graph per file.

Reads descriptor XML (``desc20XX.xml[.gz]``), qualifier XML, supplementary-concept XML and the
tree-number table (``mesh_id mesh_name mesh_tree_number``). Writes, with NLM's IRIs and
vocabulary: type, ``rdfs:label``@en, ``meshv:identifier``, ``meshv:treeNumber`` (tree numbers
typed ``meshv:TreeNumber`` with ``meshv:parentTreeNumber``) and ``meshv:broaderDescriptor``
derived from the tree, so hierarchical queries work and the graph joins NLM's own MeSH RDF.
"""

from __future__ import annotations

import csv
import io
import re
import xml.etree.ElementTree as ET
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

import pyoxigraph as ox

from igfkg.core.errors import DataFileError
from igfkg.core.rdfwriter import iri, literal
from igfkg.literature.ingest import source_graph
from igfkg.literature.pubmed import _open
from igfkg.store.backends import OxigraphBackend

if TYPE_CHECKING:
    from igfkg.graph import KnowledgeGraph

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
_UI = re.compile(r"^[DCQ][0-9]{6,9}$")
_TREE_NUMBER = re.compile(r"^[A-Z][0-9]{2}(\.[0-9]{3})*$")
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
    if not pattern.match(value):
        raise DataFileError(str(path), f"invalid {what} {value!r}", line or None)
    return value


def _xml_records(path: Path) -> Iterator[_Record]:
    with _open(path) as handle:
        root_tag = ""
        try:
            for event, elem in ET.iterparse(handle, events=("start", "end")):
                if event == "start":
                    if not root_tag:
                        root_tag = elem.tag
                        if root_tag not in (
                            "DescriptorRecordSet",
                            "QualifierRecordSet",
                            "SupplementalRecordSet",
                        ):
                            raise DataFileError(str(path), f"not MeSH XML: root <{root_tag}>", 1)
                    continue
                if elem.tag == "DescriptorRecord":
                    ui = elem.findtext("DescriptorUI", "").strip()
                    kind = _DESC_CLASS.get(elem.get("DescriptorClass", "1"), "TopicalDescriptor")
                    name = elem.findtext("DescriptorName/String", "").strip()
                    trees = [
                        t.text.strip() for t in elem.findall("TreeNumberList/TreeNumber") if t.text
                    ]
                elif elem.tag == "QualifierRecord":
                    ui = elem.findtext("QualifierUI", "").strip()
                    kind, name = "Qualifier", elem.findtext("QualifierName/String", "").strip()
                    trees = [
                        t.text.strip() for t in elem.findall("TreeNumberList/TreeNumber") if t.text
                    ]
                elif elem.tag == "SupplementalRecord":
                    ui = elem.findtext("SupplementalRecordUI", "").strip()
                    kind = _SCR_CLASS.get(elem.get("SCRClass", "1"), "SCR_Chemical")
                    name = elem.findtext("SupplementalRecordName/String", "").strip()
                    trees = []
                else:
                    continue
                yield _Record(_check(path, ui, _UI, "MeSH UI"), name, kind, trees)
                elem.clear()
        except ET.ParseError as error:
            line, column = error.position
            raise DataFileError(str(path), f"malformed XML: {error.msg}", line, column) from None
        except (EOFError, OSError) as error:
            raise DataFileError(str(path), f"truncated or unreadable: {error}") from None
        if not root_tag:
            raise DataFileError(str(path), "empty file")


def _tsv_records(path: Path) -> Iterator[_Record]:
    with _open(path) as raw:
        text = io.TextIOWrapper(raw, encoding="utf-8")
        reader = csv.reader(text, delimiter="\t")
        header = next(reader, None)
        if header != ["mesh_id", "mesh_name", "mesh_tree_number"]:
            raise DataFileError(
                str(path),
                f"expected header mesh_id, mesh_name, mesh_tree_number, got {header!r}",
                1,
            )
        records: dict[str, _Record] = {}
        for number, row in enumerate(reader, 2):
            if len(row) != 3:
                raise DataFileError(str(path), f"expected 3 columns, got {len(row)}", number)
            ui = _check(path, row[0], _UI, "MeSH UI", number)
            tree = _check(path, row[2], _TREE_NUMBER, "tree number", number)
            kind = "PublicationType" if tree.startswith("V") else "TopicalDescriptor"
            rec = records.setdefault(ui, _Record(ui, row[1], kind))
            rec.trees.append(tree)
        yield from records.values()


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


def ingest_mesh(kg: KnowledgeGraph, paths: list[Path]) -> list[MeshStats]:
    """Ingest MeSH files, each replacing its own named graph atomically."""
    backend = kg.backend
    if not isinstance(backend, OxigraphBackend):
        raise ValueError("ingest writes to the embedded Oxigraph store (oxigraph: or --store)")
    parsed = [parse_mesh_file(p) for p in paths]  # every file parses before anything is written
    for stats in parsed:
        graph = ox.NamedNode(stats.graph)
        if next(iter(backend.store.quads_for_pattern(None, None, None, graph)), None) is None:
            backend.store.load(input=stats.ntriples, format=ox.RdfFormat.N_TRIPLES, to_graph=graph)
        else:
            backend.store.update(
                f"DROP SILENT GRAPH <{stats.graph}> ;\n"
                f"INSERT DATA {{ GRAPH <{stats.graph}> {{\n"
                f"{stats.ntriples.decode('utf-8')}\n}} }}"
            )
        stats.ntriples = b""
    kg._changed()
    from igfkg.literature.index import ensure_index

    ensure_index(kg)  # the MeSH tree decides which descriptors count for which entity
    return parsed
