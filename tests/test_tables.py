"""Tables: claims.tsv and entities.tsv, read by pandas with the types of their CSVW metadata;
awkward text (tabs, line breaks, | and quotes) round-trips."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path
from typing import Any

import pandas as pd
import pytest

import igfkg
from igfkg.core.namespaces import compact
from igfkg.graph import KnowledgeGraph
from igfkg.release.tables import CLAIMS, ENTITIES, METADATA, split_values, write_tables

from .test_site_evidence import PMID, read_store

QUOTE = 'A quote\twith a tab,\na line break, a | bar, "double quotes" and a \\ backslash'
_QUOTE_TTL = (
    QUOTE.replace("\\", "\\\\").replace('"', '\\"').replace("\t", "\\t").replace("\n", "\\n")
)
ODD_CLAIM = """
@prefix igfkg: <https://w3id.org/igfkg/> .
@prefix kb: <https://w3id.org/igfkg/kb/> .
@prefix dcterms: <http://purl.org/dc/terms/> .
@prefix rdfs: <http://www.w3.org/2000/01/rdf-schema#> .
@prefix skos: <http://www.w3.org/2004/02/skos/core#> .
[] igfkg:claimSubject kb:igf-1 ;
   igfkg:claimPredicate igfkg:contributesTo ;
   igfkg:claimObject kb:odd-thing ;
   dcterms:identifier "odd-claim" ;
   igfkg:certainty igfkg:Possible ;
   igfkg:hedgeCue "may|might", "back\\\\slash", "may" ;
   igfkg:quote "QUOTE" ;
   dcterms:source <http://www.ncbi.nlm.nih.gov/pubmed/15832492> ;
   igfkg:supportingEvidence kb:study-acerini-1997-hba1c-12w .
kb:odd-thing rdfs:label "NA" ; a igfkg:Phenotype ;
   skos:altLabel "pipe | synonym", "null", "  spaced  " .
""".replace("QUOTE", _QUOTE_TTL)


def read_table(folder: Path, name: str) -> pd.DataFrame:
    """A table read by pandas with the dtypes its CSVW metadata gives."""
    meta = json.loads((folder / METADATA).read_text(encoding="utf-8"))
    dialect = meta["dialect"]
    (table,) = [t for t in meta["tables"] if t["url"] == name]
    dtypes: dict[str, Any] = {}
    for column in table["tableSchema"]["columns"]:
        datatype = column["datatype"]
        base = datatype["base"] if isinstance(datatype, dict) else datatype
        dtypes[column["name"]] = {
            "string": "string",
            "anyURI": "string",
            "boolean": "boolean",
            "integer": "Int64",
        }[base]
    frame = pd.read_csv(
        folder / name,
        sep=dialect["delimiter"],
        quotechar=dialect["quoteChar"],
        doublequote=dialect["doubleQuote"],
        encoding=dialect["encoding"],
        dtype=dtypes,
        keep_default_na=False,
        na_values=[""],  # CSVW's null: the empty cell
        true_values=["true"],
        false_values=["false"],
    )
    assert list(frame.columns) == [c["name"] for c in table["tableSchema"]["columns"]]
    return frame


@pytest.fixture(scope="module")
def odd(tmp_path_factory: pytest.TempPathFactory) -> tuple[KnowledgeGraph, Path]:
    folder = tmp_path_factory.mktemp("odd")
    (folder / "odd.ttl").write_text(ODD_CLAIM, encoding="utf-8")
    kg = igfkg.open()
    kg.load(folder / "odd.ttl", graph="https://example.org/odd")
    write_tables(kg, folder / "tables")
    return kg, folder / "tables"


def _values(cell: object) -> list[str]:
    return [] if pd.isna(cell) else split_values(str(cell))


def test_claims_table_types_and_round_trip(odd: tuple[KnowledgeGraph, Path]) -> None:
    kg, folder = odd
    claims = read_table(folder, CLAIMS)
    assert claims["hedged"].dtype == "boolean"
    assert claims["claim_id"].is_unique
    ids = {r["id"].value for r in kg.sparql(
        "SELECT DISTINCT ?id WHERE { ?c <https://w3id.org/igfkg/claimSubject> ?s ;"
        " <http://purl.org/dc/terms/identifier> ?id }")}  # fmt: skip
    assert set(claims["claim_id"]) == ids
    row = claims.set_index("claim_id").loc["odd-claim"]
    assert row["quote"] == QUOTE
    assert _values(row["hedge_words"]) == ["back\\slash", "may", "may|might"]
    assert bool(row["hedged"]) is True
    assert row["certainty"] == "possible"
    assert row["object_curie"] == "kb:odd-thing"
    assert row["object_label"] == "NA"  # text, not a missing value
    assert row["source_pmid"] == "15832492"
    assert _values(row["studies"]) == ["kb:study-acerini-1997"]
    assert _values(row["evidence"]) == ["kb:study-acerini-1997-hba1c-12w"]
    # hedged is exactly "not established", for every claim of the KB
    assert ((claims["certainty"] != "established") == claims["hedged"]).all()
    assert claims["hedged"].sum() >= 15
    assert (~claims["hedged"]).sum() >= 50
    # a literal object: no IRI, the value in the label column
    alone = claims.set_index("claim_id").loc["mecasermin-alone"]
    assert pd.isna(alone["object_iri"])
    assert alone["object_label"] == "true"


def test_entities_table(odd: tuple[KnowledgeGraph, Path]) -> None:
    kg, folder = odd
    entities = read_table(folder, ENTITIES).set_index("curie")
    assert entities.index.is_unique
    igf1 = entities.loc["kb:igf-1"]
    assert igf1["iri"] == "https://w3id.org/igfkg/kb/igf-1"
    assert "UniProtKB:P05019" in _values(igf1["exact_mappings"])
    exact = kg.sparql(
        "SELECT ?s ?o WHERE { ?s <http://www.w3.org/2004/02/skos/core#exactMatch> ?o ;"
        " <http://www.w3.org/2000/01/rdf-schema#label> ?l FILTER(STRSTARTS(STR(?s),"
        ' "https://w3id.org/igfkg/kb/")) }'
    )
    listed = {
        (iri, value)
        for iri, cell in zip(entities["iri"], entities["exact_mappings"], strict=True)
        for value in _values(cell)
    }
    assert listed == {(r["s"].value, compact(r["o"].value)) for r in exact}
    odd_row = entities.loc["kb:odd-thing"]
    assert odd_row["label"] == "NA"
    assert _values(odd_row["synonyms"]) == ["  spaced  ", "null", "pipe | synonym"]
    assert _values(odd_row["types"]) == ["igfkg:Phenotype"]
    # every multi-valued cell splits into sorted, distinct values
    for column in ("types", "synonyms", "exact_mappings", "close_mappings"):
        for cell in entities[column]:
            values = _values(cell)
            assert values == sorted(set(values))


def test_export_tables_command(tmp_path: Path) -> None:
    def run(*args: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            [sys.executable, "-m", "igfkg", "export", "--format", "tables", *args],
            capture_output=True,
            text=True,
        )

    out = tmp_path / "t"
    assert run("-o", str(out)).returncode == 0
    assert sorted(p.name for p in out.iterdir()) == sorted([CLAIMS, ENTITIES, METADATA])
    claims = read_table(out, CLAIMS)
    assert len(claims) > 60
    done = run("-o", str(out))
    assert done.returncode == 2
    assert done.stderr.startswith("igfkg: error:")
    assert "--force" in done.stderr
    (out / "stray.txt").write_text("x")
    assert run("-o", str(out), "--force").returncode == 0
    assert not (out / "stray.txt").exists()  # the folder is replaced whole
    assert run().returncode == 2  # a folder is needed


def test_unread_tables_have_zero_evidence(odd: tuple[KnowledgeGraph, Path]) -> None:
    _, folder = odd
    entities = read_table(folder, ENTITIES)
    assert entities["evidence_sentences"].dtype == "Int64"
    assert (entities["evidence_sentences"] == 0).all()
    assert (entities["evidence_articles"] == 0).all()
    assert entities["newest_evidence_pmid"].isna().all()
    assert (read_table(folder, CLAIMS)["evidence_sentences"] == 0).all()


def test_tables_of_a_read_store_count_the_evidence(tmp_path: Path) -> None:
    kg = read_store()
    write_tables(kg, tmp_path / "t")
    entities = read_table(tmp_path / "t", ENTITIES).set_index("curie")
    # the counts, from the canned query's rows (another query)
    rows = kg.query("evidence-sentences", entity="mecasermin")
    mecasermin = entities.loc["kb:mecasermin"]
    assert mecasermin["evidence_sentences"] == len(rows) > 0
    pmids = [r["pmid"].value for r in rows]  # type: ignore[union-attr]
    assert mecasermin["evidence_articles"] == len(set(pmids)) == 2
    assert mecasermin["newest_evidence_pmid"] == pmids[0] == PMID
    assert entities.loc["kb:jaw-pain", "evidence_sentences"] > 0
    assert entities.loc["kb:jaw-pain", "newest_evidence_pmid"] == PMID
    never = entities.loc["kb:study-acerini-1997"]
    assert (never["evidence_sentences"], never["evidence_articles"]) == (0, 0)
    assert pd.isna(never["newest_evidence_pmid"])
    claims = read_table(tmp_path / "t", CLAIMS).set_index("claim_id")
    # the sentences naming both entities, but those of the claim's source (the seed)
    both = kg.query("evidence-sentences", claim="mecasermin-adverse-jaw-pain")
    other = [r for r in both if r["pmid"].value != "15832492"]  # type: ignore[union-attr]
    assert len(both) > len(other) == 2
    assert claims.loc["mecasermin-adverse-jaw-pain", "evidence_sentences"] == len(other)
    # a claim with none is exactly a claim claims-without-literature lists
    without = {r["claim"].value for r in kg.query("claims-without-literature")}  # type: ignore[union-attr]
    assert set(claims.index[claims["evidence_sentences"] == 0]) == without & set(claims.index)
    meta = json.loads((tmp_path / "t" / METADATA).read_text(encoding="utf-8"))
    columns = {
        (t["url"], c["name"]): c["datatype"]
        for t in meta["tables"]
        for c in t["tableSchema"]["columns"]
    }
    assert columns[(ENTITIES, "evidence_sentences")] == "integer"
    assert columns[(ENTITIES, "newest_evidence_pmid")] == "string"
    assert columns[(CLAIMS, "evidence_sentences")] == "integer"
