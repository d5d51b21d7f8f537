"""Abstracts and languages of ingested PubMed/MEDLINE records: exact text, section labels,
language IRIs, replacement on re-ingest, codes that are not ISO 639-2 skipped."""

from __future__ import annotations

import gzip
import random
import re
import xml.etree.ElementTree as ET
from pathlib import Path

import pyoxigraph as ox
import pytest

import igfkg
from igfkg.graph import KnowledgeGraph
from igfkg.literature.ingest import ingest_pubmed, source_graph
from igfkg.literature.mesh import ingest_mesh
from igfkg.literature.pubmed import Article, _normalised, read_records

from .conftest import DATA

REAL = DATA / "real"
PUBMED = "http://www.ncbi.nlm.nih.gov/pubmed/"
LOC = "http://id.loc.gov/vocabulary/iso639-2/"
ABSTRACTS = """SELECT ?g ?abstract WHERE {
  GRAPH ?g { ?article <http://purl.org/dc/terms/abstract> ?abstract } }"""
LANGUAGES = """SELECT ?language WHERE {
  GRAPH ?g { ?article <http://purl.org/dc/terms/language> ?language } }"""

# PMID 27797938 (biopython__pubmed4.xml), written out by hand from its four labelled
# AbstractText elements: <i>TERT</i>, p<sub>trend</sub> and r<sup>2</sup>&lt; lose their markup,
# and the CopyrightInformation after them is not part of the abstract.
PMID_27797938 = (
    "OBJECTIVE: Telomere shortening occurs as an early event in pancreatic tumorigenesis, and "
    "genetic variants at the telomerase reverse transcriptase (TERT) gene region have been "
    "associated with pancreatic cancer risk. However, it is unknown whether prediagnostic "
    "leucocyte telomere length is associated with subsequent risk of pancreatic cancer.\n"
    "DESIGN: We measured prediagnostic leucocyte telomere length in 386 pancreatic cancer cases "
    "and 896 matched controls from five prospective US cohorts. ORs and 95% CIs were calculated "
    "using conditional logistic regression. Matching factors included year of birth, cohort "
    "(which also matches on sex), smoking status, fasting status and month/year of blood "
    "collection. We additionally examined single-nucleotide polymorphisms (SNPs) at the TERT "
    "region in relation to pancreatic cancer risk and leucocyte telomere length using logistic "
    "and linear regression, respectively.\n"
    "RESULTS: Shorter prediagnostic leucocyte telomere length was associated with higher risk of "
    "pancreatic cancer (comparing extreme quintiles of telomere length, OR 1.72; 95% CI 1.07 to "
    "2.78; ptrend=0.048). Results remained unchanged after adjustment for diabetes, body mass "
    "index and physical activity. Three SNPs at TERT (linkage disequilibrium r2<0.25) were "
    "associated with pancreatic cancer risk, including rs401681 (per minor allele OR 1.33; 95% "
    "CI 1.12 to 1.59; p=0.002), rs2736100 (per minor allele OR 1.36; 95% CI 1.13 to 1.63; "
    "p=0.001) and rs2736098 (per minor allele OR 0.75; 95% CI 0.63 to 0.90; p=0.002). The minor "
    "allele for rs401681 was associated with shorter telomere length (p=0.023).\n"
    "CONCLUSIONS: Prediagnostic leucocyte telomere length and genetic variants at the TERT gene "
    "region were associated with risk of pancreatic cancer."
)


def _articles(path: Path) -> dict[str, Article]:
    return {r.pmid: r for r in read_records(path) if isinstance(r, Article)}


def _stored(kg: KnowledgeGraph, pmid: str) -> list[tuple[str, ox.Literal]]:
    """(graph, literal) of every dcterms:abstract of the article, in any graph."""
    rows = kg.select(ABSTRACTS, {"article": ox.NamedNode(PUBMED + pmid)})
    return [(r["g"].value, r["abstract"]) for r in rows]  # type: ignore[union-attr,misc]


def _languages(kg: KnowledgeGraph, pmid: str) -> set[str]:
    rows = kg.select(LANGUAGES, {"article": ox.NamedNode(PUBMED + pmid)})
    return {r["language"].value for r in rows}  # type: ignore[union-attr]


def _expected(citation: ET.Element) -> tuple[str, list[str]]:
    """The abstract and language codes of a MedlineCitation by the documented rule, written
    independently of igfkg's streaming parser (whole-file ElementTree)."""
    sections = []
    for part in citation.findall("Article/Abstract/AbstractText"):
        text = " ".join("".join(part.itertext()).split())
        if text:
            label = part.get("Label")
            sections.append(f"{label}: {text}" if label else text)
    codes = [
        code
        for code in (lang.text or "" for lang in citation.findall("Article/Language"))
        if re.fullmatch("[a-z]{3}", code)
    ]
    return "\n".join(sections), codes


@pytest.fixture(scope="module")
def mesh_kg() -> KnowledgeGraph:
    kg = igfkg.open()
    ingest_mesh(
        kg,
        [
            REAL / "mesh" / "dhimmel__mesh2015_tree-numbers.tsv.gz",
            DATA / "mesh" / "meshrdf__qual2014.xml",
        ],
    )
    return kg


def test_structured_abstract_keeps_its_labels_exactly() -> None:
    path = REAL / "pubmed" / "biopython__pubmed4.xml"
    rec = _articles(path)["27797938"]
    assert rec.abstract == PMID_27797938
    labels = [line.split(": ", 1)[0] for line in rec.abstract.split("\n")]
    assert labels == ["OBJECTIVE", "DESIGN", "RESULTS", "CONCLUSIONS"]
    assert "BMJ" not in rec.abstract  # CopyrightInformation is left out
    kg = igfkg.open()
    ingest_pubmed(kg, [path])
    ((graph, value),) = _stored(kg, "27797938")
    assert graph == source_graph(path)
    assert (value.value, value.language) == (PMID_27797938, "en")
    assert _languages(kg, "27797938") == {LOC + "eng"}


def test_unlabelled_and_unlabelled_label() -> None:
    records = _articles(DATA / "pubmed" / "metapub__37903272.xml")
    text = records["37903272"].abstract
    assert text.startswith("Diabetic retinopathy (DR) is a neurovascular complication of diabetes.")
    assert "\n" not in text
    assert ": " not in text[:40]
    # NLM's own label "UNLABELLED" is a label like any other.
    merged = _articles(REAL / "pubmed" / "metapub__pmid_fixtures_merged_163.xml.gz")
    assert merged["38329942"].abstract.startswith("UNLABELLED: Imbalanced gut microbiota (GM)")
    # No Abstract element: no abstract, and no triple.
    assert merged["36577847"].abstract == ""
    kg = igfkg.open()
    ingest_pubmed(kg, [DATA / "pubmed" / "metapub__36577847.xml"])
    assert _stored(kg, "36577847") == []
    assert _languages(kg, "36577847") == {LOC + "eng"}


@pytest.mark.parametrize("path", sorted((REAL / "pubmed").glob("*.xml*")), ids=lambda p: p.name)
def test_every_real_record_by_the_rule(path: Path) -> None:
    data = gzip.decompress(path.read_bytes()) if path.name.endswith(".gz") else path.read_bytes()
    expected = {}
    for citation in ET.fromstring(data).iter("MedlineCitation"):
        expected[citation.findtext("PMID")] = _expected(citation)  # the last version wins
    found = {pmid: (r.abstract, r.languages) for pmid, r in _articles(path).items()}
    assert found == expected


def test_abstract_and_language_in_the_store_for_a_whole_file() -> None:
    path = REAL / "pubmed" / "tipplerow__pubmed20n0002.xml.gz"
    kg = igfkg.open()
    ingest_pubmed(kg, [path])
    records = _articles(path)
    assert {c for r in records.values() for c in r.languages} == {"eng", "fre", "pol", "rus"}
    for pmid, rec in records.items():
        stored = _stored(kg, pmid)
        assert [(v.value, v.language) for _, v in stored] == (
            [(rec.abstract, "en")] if rec.abstract else []
        )
        assert _languages(kg, pmid) == {LOC + code for code in rec.languages}
    # A Russian article's abstract is NLM's English one.
    assert records["30978"].languages == ["rus"]
    assert records["30978"].abstract


def test_medline_ab_and_la(mesh_kg: KnowledgeGraph) -> None:
    path = REAL / "medline" / "biopython__pubmed_result2.txt"
    # AB from the file itself: continuation lines (six spaces) joined, white space normalised.
    text = re.sub(r"\n      ", " ", path.read_text(encoding="utf-8"))
    by_pmid: dict[str, str] = {}
    pmid = ""
    for line in text.splitlines():
        if line.startswith("PMID- "):
            pmid = line[6:].strip()
        elif line.startswith("AB  - "):
            by_pmid[pmid] = " ".join(line[6:].split())
    assert len(by_pmid) == 4
    kg = mesh_kg
    ingest_pubmed(kg, [path], workers=1)
    for pmid, abstract in by_pmid.items():
        ((_, value),) = _stored(kg, pmid)
        assert (value.value, value.language) == (abstract, "en")
        assert _languages(kg, pmid) == {LOC + "eng"}
    first = _stored(kg, "16403221")[0][1].value
    assert first.startswith("BACKGROUND: Benchmarking algorithms in structural bioinformatics")
    assert "often involves the construction of datasets" in first  # across a line break
    assert "The ASTRAL compendium provides" in first  # a trailing space before the break


def _record(abstract: str, languages: list[str]) -> str:
    langs = "".join(f"<Language>{code}</Language>" for code in languages)
    return (
        '<PubmedArticleSet><PubmedArticle><MedlineCitation Status="MEDLINE" Owner="NLM">'
        '<PMID Version="1">90000001</PMID><Article PubModel="Print">'
        "<ArticleTitle>A title.</ArticleTitle>"
        f"{abstract}{langs}</Article></MedlineCitation></PubmedArticle></PubmedArticleSet>"
    )


def test_codes_that_are_not_iso_639_2_are_skipped(tmp_path: Path) -> None:
    path = tmp_path / "langs.xml"
    bad = ["English", "EN", "en", "ENG", "e1g", "engl", ""]
    path.write_text(_record("", ["eng", *bad, "ger", "eng"]), encoding="utf-8")
    assert _articles(path)["90000001"].languages == ["eng", "ger", "eng"]
    kg = igfkg.open()
    (stats,) = ingest_pubmed(kg, [path])
    assert stats.articles == 1
    assert _languages(kg, "90000001") == {LOC + "eng", LOC + "ger"}
    medline = tmp_path / "langs.txt"
    medline.write_text(
        "PMID- 90000002\nTI  - A title.\nAB  - An abstract  that goes\n      on.\n"
        "LA  - English\nLA  - fre\nLA  - Eng\n",
        encoding="utf-8",
    )
    (rec,) = read_records(medline)
    assert isinstance(rec, Article)
    assert (rec.abstract, rec.languages) == ("An abstract that goes on.", ["fre"])


def test_the_fast_normalisation_is_the_split_join() -> None:
    """The shortcut for already-normalised ASCII text gives what ``_text`` gives, always."""
    rng = random.Random(18)
    alphabet = ["a", "b", " ", "  ", "\n", "\t", "\r", "\x0b", "\x0c", "\x1c", "\x1f", "\xa0"]
    alphabet += ["\u2009", "\u3000", "\x85", "é", "."]
    texts = ["", " ", "a", "a b", " a", "a ", "a  b"]
    texts += ["".join(rng.choices(alphabet, k=rng.randint(0, 12))) for _ in range(20_000)]
    for path in sorted((REAL / "pubmed").glob("*.xml*")):
        data = gzip.decompress(path.read_bytes()) if path.suffix == ".gz" else path.read_bytes()
        texts += ["".join(e.itertext()) for e in ET.fromstring(data).iter("AbstractText")]
    for text in texts:
        assert _normalised(text) == " ".join(text.split()), repr(text)


@pytest.mark.parametrize("store", ["memory", "disk"])
def test_reingest_replaces_the_abstract(tmp_path: Path, store: str) -> None:
    kg = igfkg.open("oxigraph:" + (str(tmp_path / "store") if store == "disk" else ""))
    source = (DATA / "pubmed" / "metapub__37903272.xml").read_text(encoding="utf-8")
    old = _articles(DATA / "pubmed" / "metapub__37903272.xml")["37903272"].abstract
    path = tmp_path / "file.xml"
    path.write_text(source, encoding="utf-8")
    ingest_pubmed(kg, [path])
    assert [v.value for _, v in _stored(kg, "37903272")] == [old]
    revised = re.sub(
        r"<AbstractText>.*?</AbstractText>",
        '<AbstractText Label="RESULTS">Revised   "text".</AbstractText>',
        source,
        flags=re.S,
    )
    path.write_text(revised, encoding="utf-8")
    ingest_pubmed(kg, [path])
    assert [v.value for _, v in _stored(kg, "37903272")] == ['RESULTS: Revised "text".']
    # The article moves to another file: still one abstract, that file's.
    other = tmp_path / "other.xml"
    other.write_text(source, encoding="utf-8")
    ingest_pubmed(kg, [other])
    assert _stored(kg, "37903272") == [(source_graph(other), ox.Literal(old, language="en"))]
    # A version without an abstract leaves none.
    other.write_text(re.sub(r"<Abstract>.*?</Abstract>", "", source, flags=re.S), encoding="utf-8")
    ingest_pubmed(kg, [other])
    assert _stored(kg, "37903272") == []
    assert kg.validate().conforms


def test_the_curated_abstract_stays_the_only_one(tmp_path: Path) -> None:
    """The seed's record with an abstract: the KB keeps its own abstract, ingest adds none."""
    text = (DATA / "pubmed" / "seed-like.xml").read_text(encoding="utf-8")
    path = tmp_path / "seed-with-abstract.xml"
    path.write_text(
        text.replace(
            "</ArticleTitle>",
            "</ArticleTitle><Abstract><AbstractText>Another text.</AbstractText></Abstract>",
            1,
        ),
        encoding="utf-8",
    )
    assert _articles(path)["15832492"].abstract == "Another text."
    kg = igfkg.open()
    ingest_pubmed(kg, [path])
    ((graph, value),) = _stored(kg, "15832492")
    assert graph == "https://w3id.org/igfkg/graph/kb"
    assert value.value.startswith("Insulin-like growth factor-1 (IGF-1)")
