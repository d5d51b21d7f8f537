"""Writers of the property graph (:mod:`igfkg.release.propertygraph`): KGX TSV, KGX JSON Lines
and Neo4j bulk-import CSV. Each writes its two files at once while the records stream by.

- ``kgx``: ``nodes.tsv`` / ``edges.tsv``, KGX's columns, multivalued fields ``|``-separated,
  booleans ``true``/``false``, tabs and line breaks in values written as spaces.
- ``kgx-jsonl``: ``nodes.jsonl`` / ``edges.jsonl``, one JSON object per line, multivalued fields
  as lists, empty fields left out.
- ``neo4j``: ``nodes.csv`` (``id:ID``, ``:LABEL``, typed columns: ``string[]``, ``boolean``,
  ``long`` for the evidence counts) and ``relationships.csv``
  (``:START_ID``, ``:END_ID``, ``:TYPE``, ...) for ``neo4j-admin database import full`` with
  its default array delimiter ``;``.

:func:`write_folder` writes a folder whole: into a temporary folder beside it, then renamed.

>>> import igfkg, io
>>> files = {"nodes.tsv": io.StringIO(), "edges.tsv": io.StringIO()}
>>> counts = write(stream(igfkg.open()), "kgx", files)
>>> files["edges.tsv"].getvalue().splitlines()[0].split("\\t")[:4]
['id', 'subject', 'predicate', 'object']
>>> counts["nodes"] > 0 and counts["edges"] > 0
True
"""

from __future__ import annotations

import csv
import json
import shutil
import tempfile
from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import IO, TYPE_CHECKING

from igfkg.core.errors import OutputError
from igfkg.release.propertygraph import (
    EDGE_COLUMNS,
    EDGE_MULTIVALUED,
    NODE_COLUMNS,
    NODE_MULTIVALUED,
    Edge,
    Node,
    Value,
    stream,
)

if TYPE_CHECKING:
    from igfkg.store.port import GraphPort

__all__ = ["FILES", "FORMATS", "NEO4J_EDGE_HEADER", "NEO4J_NODE_HEADER", "write", "write_folder"]

FORMATS = ("kgx", "kgx-jsonl", "neo4j")
#: The two files of each format: nodes, edges.
FILES = {
    "kgx": ("nodes.tsv", "edges.tsv"),
    "kgx-jsonl": ("nodes.jsonl", "edges.jsonl"),
    "neo4j": ("nodes.csv", "relationships.csv"),
}
ARRAY_DELIMITER = ";"
_BOOLEAN = frozenset({"hedged", "major_topic"})
_COUNTS = frozenset({"evidence_sentences", "evidence_articles"})


def _neo4j_header(column: str, multivalued: frozenset[str]) -> str:
    if column in multivalued:
        return f"{column}:string[]"
    if column in _BOOLEAN:
        return f"{column}:boolean"
    if column in _COUNTS:
        return f"{column}:long"
    return column


#: ``nodes.csv``: the id, the labels (Biolink category without its prefix, and igfkg's class),
#: then the node columns but ``id``.
NEO4J_NODE_HEADER = (
    "id:ID",
    ":LABEL",
    *tuple(_neo4j_header(c, NODE_MULTIVALUED) for c in NODE_COLUMNS if c != "id"),
)
#: ``relationships.csv``: start, end, type (the Biolink predicate without its prefix), then the
#: edge columns (subject, predicate and object too, as properties).
NEO4J_EDGE_HEADER = (
    ":START_ID",
    ":END_ID",
    ":TYPE",
    *tuple(_neo4j_header(c, EDGE_MULTIVALUED) for c in EDGE_COLUMNS),
)


def _flat(text: str) -> str:
    return " ".join(text.split("\t")).replace("\r\n", " ").replace("\n", " ").replace("\r", " ")


def _tsv(value: Value) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int):
        return str(value)
    if isinstance(value, tuple):
        return "|".join(_flat(v).replace("|", " ") for v in value)
    return _flat(value)


def _neo4j(value: Value) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int):
        return str(value)
    if isinstance(value, tuple):
        for v in value:
            if ARRAY_DELIMITER in v:
                raise OutputError(
                    f"{v!r}: a list value holds the Neo4j array delimiter {ARRAY_DELIMITER!r}"
                )
        return ARRAY_DELIMITER.join(value)
    return value


def _labels(node: Node) -> str:
    labels = [c.split(":", 1)[-1] for c in node.category]
    if node.igfkg_type:
        labels.append(node.igfkg_type.split(":", 1)[-1])
    return ARRAY_DELIMITER.join(dict.fromkeys(labels))


def _json(fields: Mapping[str, Value]) -> str:
    out = {
        k: list(v) if isinstance(v, tuple) else v
        for k, v in fields.items()
        if v is not None and v != "" and v != ()
    }
    return json.dumps(out, ensure_ascii=False, sort_keys=False)


def write(records: Iterable[Node | Edge], fmt: str, files: Mapping[str, IO[str]]) -> dict[str, int]:
    """Write ``records`` in ``fmt`` to the two open text files named as in :data:`FILES`;
    return the number of nodes and edges written."""
    nodes_name, edges_name = FILES[fmt]
    nodes_out, edges_out = files[nodes_name], files[edges_name]
    counts = {"nodes": 0, "edges": 0}
    if fmt == "kgx":
        nodes_out.write("\t".join(NODE_COLUMNS) + "\n")
        edges_out.write("\t".join(EDGE_COLUMNS) + "\n")
        for r in records:
            out, key = (nodes_out, "nodes") if isinstance(r, Node) else (edges_out, "edges")
            out.write("\t".join(_tsv(v) for v in r.fields().values()) + "\n")
            counts[key] += 1
    elif fmt == "kgx-jsonl":
        for r in records:
            out, key = (nodes_out, "nodes") if isinstance(r, Node) else (edges_out, "edges")
            out.write(_json(r.fields()) + "\n")
            counts[key] += 1
    elif fmt == "neo4j":
        node_csv = csv.writer(nodes_out, lineterminator="\n")
        edge_csv = csv.writer(edges_out, lineterminator="\n")
        node_csv.writerow(NEO4J_NODE_HEADER)
        edge_csv.writerow(NEO4J_EDGE_HEADER)
        for r in records:
            if isinstance(r, Node):
                values = [v for k, v in r.fields().items() if k != "id"]
                node_csv.writerow([r.id, _labels(r), *(_neo4j(v) for v in values)])
                counts["nodes"] += 1
            else:
                ends = [r.subject, r.object, r.predicate.split(":", 1)[-1]]
                edge_csv.writerow(ends + [_neo4j(v) for v in r.fields().values()])
                counts["edges"] += 1
    else:
        raise OutputError(f"{fmt!r}: not a property-graph format ({', '.join(FORMATS)})")
    return counts


def write_folder(kg: GraphPort, fmt: str, output: Path, *, force: bool = False) -> dict[str, int]:
    """Export ``kg`` in ``fmt`` to the folder
    ``output`` (new or empty, or any folder with ``force``), written whole: in a temporary
    folder beside it, then renamed into place."""
    if fmt not in FILES:
        raise OutputError(f"{fmt!r}: not a property-graph format ({', '.join(FORMATS)})")
    output = Path(output)
    if output.exists() and (not output.is_dir() or (any(output.iterdir()) and not force)):
        raise OutputError(
            f"{output}: exists and is not an empty folder; pass --force to replace it"
        )
    output.parent.mkdir(parents=True, exist_ok=True)
    work = Path(tempfile.mkdtemp(prefix=".igfkg-export-", dir=output.parent))
    try:
        names = FILES[fmt]
        handles = {n: (work / n).open("w", encoding="utf-8", newline="") for n in names}
        try:
            counts = write(stream(kg), fmt, handles)
        finally:
            for handle in handles.values():
                handle.close()
        work.chmod(0o755)
        if output.exists():
            shutil.rmtree(output)
        work.rename(output)
    finally:
        if work.exists():
            shutil.rmtree(work)
    return counts
