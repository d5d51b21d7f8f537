"""The graph as tables: ``claims.tsv`` (one row per claim) and ``entities.tsv`` (one row per
knowledge-base entity), described by a W3C CSV on the Web metadata file
(``tables.csv-metadata.json``: columns, datatypes, the dialect, the list separator).

The rule for cells (the CSVW dialect of the metadata): UTF-8, a tab between cells, one header
row, lines end with ``\\n``; a cell that holds a tab, a line break or a double quote is put in
double quotes with its double quotes doubled (as in CSV), so any text survives, and every other
cell is written as it is. Booleans are ``true``/``false``; an empty cell is no value. A cell of
several values (CSVW ``separator``) joins them, sorted, with ``|``; within each value ``\\`` is
written ``\\\\`` and ``|`` is written ``\\|`` (:func:`split_values` reads it back). IRIs and
CURIEs never hold either character.

>>> join_values(["a|b", "c"])
'a\\\\|b|c'
>>> split_values(join_values(["a|b", "back\\\\slash", ""])) == ["a|b", "back\\\\slash", ""]
True
>>> cell('say "hi"\\tthere')
'"say ""hi""\\tthere"'
"""

from __future__ import annotations

import json
import shutil
import tempfile
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pyoxigraph as ox

from igfkg.core import sparql
from igfkg.core.errors import OutputError
from igfkg.core.namespaces import compact
from igfkg.core.tsv import cell, join_values, split_values
from igfkg.explore.describe import literature_evidence
from igfkg.explore.evidence import claim_counts

if TYPE_CHECKING:
    from igfkg.store.port import GraphPort

__all__ = [
    "CLAIMS",
    "ENTITIES",
    "METADATA",
    "cell",
    "join_values",
    "metadata",
    "split_values",
    "tables",
    "write_tables",
]

CLAIMS = "claims.tsv"
ENTITIES = "entities.tsv"
METADATA = "tables.csv-metadata.json"
_ESTABLISHED = "https://w3id.org/igfkg/Established"


@dataclass(frozen=True)
class Column:
    """A column: name, CSVW datatype, several values (``|``) or one, and what it holds."""

    name: str
    datatype: str
    description: str
    multi: bool = False


_CLAIM_COLUMNS = [
    Column("claim_id", "string", "The claim's identifier (dcterms:identifier)."),
    Column("subject_iri", "anyURI", "The claim's subject."),
    Column("subject_curie", "string", "The subject as a CURIE (or its IRI)."),
    Column("subject_label", "string", "The subject's label."),
    Column("predicate_iri", "anyURI", "The claim's predicate."),
    Column("predicate_curie", "string", "The predicate as a CURIE (or its IRI)."),
    Column("predicate_label", "string", "The predicate's label."),
    Column("object_iri", "anyURI", "The claim's object; empty when the object is a value."),
    Column("object_curie", "string", "The object as a CURIE (or its IRI)."),
    Column("object_label", "string", "The object's label, or the value (e.g. true) itself."),
    Column("certainty", "string", "How certain the source is (established, probable, ...)."),
    Column("hedged", "boolean", "true unless the source states the claim without hedge."),
    Column("hedge_words", "string", "The hedging words the source uses.", multi=True),
    Column("quote", "string", "The source's words, verbatim."),
    Column("source_iri", "anyURI", "The source article."),
    Column("source_pmid", "string", "Its PubMed identifier."),
    Column("source_doi", "string", "Its DOI."),
    Column("studies", "string", "CURIEs of the primary studies behind the claim.", multi=True),
    Column("evidence", "string", "CURIEs of the study findings the claim cites.", multi=True),
    Column(
        "evidence_sentences",
        "integer",
        "Machine-read sentences of ingested abstracts other than the claim's source that name"
        " both its entities (igfkg read; 0 when not read). Not claims: for readers to judge.",
    ),
]
_MATCHES = ("exact", "close", "broad", "narrow", "related")
_ENTITY_COLUMNS = [
    Column("iri", "anyURI", "The entity."),
    Column("curie", "string", "The entity as a CURIE."),
    Column("label", "string", "Its label (rdfs:label)."),
    Column("types", "string", "CURIEs of its classes (owl:NamedIndividual left out).", multi=True),
    Column("synonyms", "string", "Its exact synonyms (skos:altLabel).", multi=True),
    *[
        Column(f"{m}_mappings", "string", f"CURIEs it is a skos:{m}Match of.", multi=True)
        for m in _MATCHES
    ],
    Column(
        "evidence_sentences",
        "integer",
        "Machine-read sentences of ingested abstracts that name the entity (igfkg read; 0 when"
        " not read). Not claims: for readers to judge.",
    ),
    Column("evidence_articles", "integer", "The articles those sentences are in."),
    Column(
        "newest_evidence_pmid",
        "string",
        "The PubMed identifier of the article of the newest such sentence (empty if none).",
    ),
]
_SCHEMAS = {CLAIMS: _CLAIM_COLUMNS, ENTITIES: _ENTITY_COLUMNS}
_KEYS = {CLAIMS: "claim_id", ENTITIES: "iri"}
_TITLES = {
    CLAIMS: "igfkg claims: one row per claim, with certainty, hedge, quote, source and studies",
    ENTITIES: "igfkg entities: one row per knowledge-base entity, with types, synonyms, mappings",
}


def metadata() -> dict[str, Any]:
    """The CSVW metadata of the tables."""
    return {
        "@context": ["http://www.w3.org/ns/csvw", {"@language": "en"}],
        "dc:title": "igfkg tables",
        "dc:license": {"@id": "https://creativecommons.org/licenses/by/4.0/"},
        "dialect": {
            "encoding": "utf-8",
            "delimiter": "\t",
            "quoteChar": '"',
            "doubleQuote": True,
            "header": True,
            "lineTerminators": ["\n"],
            "trim": False,
        },
        "tables": [
            {
                "url": name,
                "dc:title": _TITLES[name],
                "tableSchema": {
                    "columns": [
                        {
                            "name": c.name,
                            "titles": c.name,
                            "datatype": (
                                {"base": "boolean", "format": "true|false"}
                                if c.datatype == "boolean"
                                else c.datatype
                            ),
                            **({"separator": "|"} if c.multi else {}),
                            **({"required": True} if c.name == _KEYS[name] else {}),
                            "dc:description": c.description,
                        }
                        for c in columns
                    ],
                    "primaryKey": _KEYS[name],
                },
            }
            for name, columns in _SCHEMAS.items()
        ],
    }


def _tsv(columns: Sequence[Column], rows: Iterable[dict[str, Any]]) -> bytes:
    lines = ["\t".join(c.name for c in columns)]
    for row in rows:
        out = []
        for c in columns:
            value = row.get(c.name)
            if c.multi:
                text = join_values(sorted(set(value or ())))
            elif isinstance(value, bool):
                text = "true" if value else "false"
            elif isinstance(value, int):
                text = str(value)
            else:
                text = value or ""
            out.append(cell(text))
        lines.append("\t".join(out))
    return ("\n".join(lines) + "\n").encode("utf-8")


def _labels(kg: GraphPort) -> dict[str, str]:
    labels: dict[str, str] = {}
    for row in kg.select(sparql.load("igfkg.release", "build-labels")):
        s, label = row["s"], row["l"]
        if isinstance(s, ox.NamedNode) and label is not None:
            labels.setdefault(s.value, label.value)
    return labels


def _term(prefix: str, term: Any, labels: dict[str, str]) -> dict[str, str]:
    if isinstance(term, ox.NamedNode):
        return {
            f"{prefix}_iri": term.value,
            f"{prefix}_curie": compact(term.value),
            f"{prefix}_label": labels.get(term.value, ""),
        }
    return {f"{prefix}_label": "" if term is None else str(term.value)}


def _text(term: Any) -> str:
    """A term's value ("" for none)."""
    return "" if term is None else str(term.value)


def _curie(term: Any) -> str:
    return compact(term.value) if isinstance(term, ox.NamedNode) else str(term.value)


def claims_rows(kg: GraphPort) -> list[dict[str, Any]]:
    """The rows of ``claims.tsv``."""
    labels = _labels(kg)
    rows: dict[str, dict[str, Any]] = {}
    for r in kg.select(sparql.load("igfkg.release", "tables-claims")):
        claim = _text(r["claim"])
        if claim in rows:
            continue
        certainty = r["certainty"]
        row: dict[str, Any] = {
            "claim_id": claim,
            **_term("subject", r["subject"], labels),
            **_term("predicate", r["predicate"], labels),
            **_term("object", r["object"], labels),
            "certainty": ""
            if certainty is None
            else labels.get(certainty.value, _curie(certainty)),
            "hedged": certainty is None or certainty.value != _ESTABLISHED,
            "quote": _text(r["quote"]),
            "source_iri": _text(r["source"]),
            "source_pmid": _text(r["pmid"]),
            "source_doi": _text(r["doi"]),
        }
        rows[claim] = row
    for r in kg.select(sparql.load("igfkg.release", "tables-claim-values")):
        values = rows.get(_text(r["claim"]))
        if values is not None:
            values.setdefault(_text(r["field"]), []).append(_curie(r["value"]))
    counts = claim_counts(kg)
    for claim, row in rows.items():
        found = counts.get(claim)
        row["evidence_sentences"] = found.sentences if found is not None else 0
    return [rows[k] for k in sorted(rows)]


def entities_rows(kg: GraphPort) -> list[dict[str, Any]]:
    """The rows of ``entities.tsv``."""
    skos = "http://www.w3.org/2004/02/skos/core#"
    fields = {
        "http://www.w3.org/1999/02/22-rdf-syntax-ns#type": "types",
        skos + "altLabel": "synonyms",
        **{f"{skos}{m}Match": f"{m}_mappings" for m in _MATCHES},
    }
    rows: dict[str, dict[str, Any]] = {}
    for r in kg.select(sparql.load("igfkg.release", "tables-entities")):
        iri, prop, value = _text(r["entity"]), _text(r["property"]), r["value"]
        row = rows.setdefault(iri, {"iri": iri, "curie": compact(iri)})
        if prop == "http://www.w3.org/2000/01/rdf-schema#label":
            row.setdefault("label", _text(value))
        elif _text(value) != "http://www.w3.org/2002/07/owl#NamedIndividual":
            row.setdefault(fields[prop], []).append(_curie(value))
    for iri, row in rows.items():
        found = literature_evidence(kg, ox.NamedNode(iri))
        row["evidence_sentences"] = found.sentences if found is not None else 0
        row["evidence_articles"] = found.articles if found is not None else 0
        newest = found.newest[0].pmid if found is not None and found.newest else ""
        row["newest_evidence_pmid"] = newest
    return [rows[k] for k in sorted(rows)]


def tables(kg: GraphPort) -> dict[str, bytes]:
    """The files of the tables folder by name: the two TSV files and their CSVW metadata."""
    text = json.dumps(metadata(), indent=2, ensure_ascii=False) + "\n"
    return {
        CLAIMS: _tsv(_CLAIM_COLUMNS, claims_rows(kg)),
        ENTITIES: _tsv(_ENTITY_COLUMNS, entities_rows(kg)),
        METADATA: text.encode("utf-8"),
    }


def write_tables(kg: GraphPort, output: Path, *, force: bool = False) -> list[str]:
    """Write the tables folder ``output`` whole (a new or empty folder, or any folder with
    ``force``): made in a temporary folder beside it, then renamed into place."""
    output = Path(output)
    if output.exists() and (not output.is_dir() or (any(output.iterdir()) and not force)):
        raise OutputError(
            f"{output}: exists and is not an empty folder; pass --force to replace it"
        )
    files = tables(kg)
    output.parent.mkdir(parents=True, exist_ok=True)
    work = Path(tempfile.mkdtemp(prefix=".igfkg-tables-", dir=output.parent))
    try:
        for name, data in files.items():
            (work / name).write_bytes(data)
        if output.exists():
            shutil.rmtree(output)
        work.rename(output)
    finally:
        if work.exists():
            shutil.rmtree(work)
    return sorted(files)
