"""The literature reader: the seed abstract, the evidence graph, ingest --read, the queries."""

from __future__ import annotations

import itertools
import re
import shutil
from pathlib import Path

import pyoxigraph as ox
import pytest
from click.testing import CliRunner

import igfkg
from igfkg.cli import main
from igfkg.graph import KnowledgeGraph
from igfkg.literature.evidence import count_errors, evidence_change
from igfkg.literature.ingest import ingest_pubmed
from igfkg.literature.reading.rdf import EVIDENCE_GRAPH
from igfkg.literature.reading.reader import Reader, SentenceEvidence

from .conftest import DATA
from .hedges import broken_at, claims

SEED = "http://www.ncbi.nlm.nih.gov/pubmed/15832492"
KB = "https://w3id.org/igfkg/kb/"
EVG = ox.NamedNode(EVIDENCE_GRAPH)
_ABSTRACT = "PREFIX dcterms: <http://purl.org/dc/terms/> SELECT ?a WHERE { ?x dcterms:abstract ?a }"
_SEED_CLAIMS = """PREFIX igfkg: <https://w3id.org/igfkg/> PREFIX dcterms: <http://purl.org/dc/terms/>
SELECT ?id ?s ?o ?q WHERE {
  ?c dcterms:identifier ?id ; igfkg:claimSubject ?s ; igfkg:claimObject ?o ; igfkg:quote ?q ;
     dcterms:source ?source }"""


def _seed_abstract(kg: KnowledgeGraph) -> str:
    return kg.select(_ABSTRACT, {"x": ox.NamedNode(SEED)}).rows[0]["a"].value  # type: ignore[union-attr]


@pytest.fixture(scope="module")
def seed_reading() -> tuple[KnowledgeGraph, str, list[SentenceEvidence]]:
    kg = igfkg.open()
    text = _seed_abstract(kg)
    return kg, text, Reader(kg.reading_vocabulary()).read(text)


def test_the_seed_names_its_entities(
    seed_reading: tuple[KnowledgeGraph, str, list[SentenceEvidence]],
) -> None:
    _, text, sentences = seed_reading
    found = {c for s in sentences for m in s.mentions for c in m.concepts}
    for local in (
        "igf-1", "insulin", "mecasermin", "type-2-diabetes", "insulin-resistance", "oedema",
        "jaw-pain", "bells-palsy", "raised-intracranial-pressure", "neuropathic-ulcer",
        "gh-igf1-axis", "insulin-sensitivity", "dyslipidaemia",
    ):  # fmt: skip
        assert KB + local in found, local
    spans = {text[m.start : m.end] for s in sentences for m in s.mentions}
    assert {"rhIGF-1", "mecasermin", "edema", "Bell's palsy", "IGFBPs"} <= spans
    # Every mention lies in its sentence, and sentences do not overlap.
    for s in sentences:
        assert all(s.start <= m.start < m.end <= s.end for m in s.mentions)
    ends = [(s.start, s.end) for s in sentences]
    assert all(a[1] <= b[0] for a, b in itertools.pairwise(ends))


@pytest.mark.parametrize("cue", ["probably", "may", "uncertain", "not known", "experimentally"])
def test_the_seed_hedges_are_marked(
    seed_reading: tuple[KnowledgeGraph, str, list[SentenceEvidence]], cue: str
) -> None:
    _, text, sentences = seed_reading
    holding = [s for s in sentences if re.search(rf"\b{cue}\b", text[s.start : s.end], re.I)]
    assert holding, cue
    for s in holding:
        assert s.cues.hedged
        assert cue in {c.lower() for c in s.cues.hedge_cues}


def test_the_seed_sentences_link_to_their_claims(
    seed_reading: tuple[KnowledgeGraph, str, list[SentenceEvidence]],
) -> None:
    """A sentence naming both entities of a claim links to it; the seed's own claims are
    linked from the sentence holding their quote wherever that sentence names both."""
    kg, text, sentences = seed_reading
    linked = {c for s in sentences for c in s.claims}
    named_both = 0
    for row in kg.select(_SEED_CLAIMS, {"source": ox.NamedNode(SEED)}):
        claim, subject, obj, quote = (row[k].value for k in ("id", "s", "o", "q"))  # type: ignore[union-attr]
        at = text.find(quote)
        assert at >= 0, claim
        (holder,) = [s for s in sentences if s.start <= at < s.end] or [None]
        concepts = {c for m in holder.mentions for c in m.concepts} if holder else set()
        if subject in concepts and obj in concepts:
            named_both += 1
            assert claim in holder.claims, claim  # type: ignore[union-attr]
        else:
            assert holder is None or claim not in holder.claims
    assert named_both >= 40
    assert "igf-1-homologous-to-insulin" in linked
    assert "mecasermin-causes-oedema" in linked or any("oedema" in c for c in linked)
    # A pair a claim joins is never also a candidate statement.
    pairs = {frozenset(p) for s in sentences for p in s.candidates}
    assert frozenset((KB + "igf-1", KB + "insulin")) not in pairs


@pytest.fixture
def read_kg() -> KnowledgeGraph:
    kg = igfkg.open()
    kg.read()
    return kg


def _outside(kg: KnowledgeGraph) -> set[ox.Quad]:
    store = kg.backend.store  # type: ignore[attr-defined]
    return {q for q in store if q.graph_name != EVG}


def test_reading_writes_only_the_evidence_graph_and_again_nothing() -> None:
    kg = igfkg.open()
    before = _outside(kg)
    first = kg.read()
    assert first.articles == 1
    assert first.sentences >= 12
    assert first.changed > 500
    assert _outside(kg) == before
    assert kg.read().changed == 0
    assert kg.is_read()


def test_evidence_is_never_an_edge_and_no_inference_strips_a_hedge(read_kg: KnowledgeGraph) -> None:
    store = read_kg.backend.store  # type: ignore[attr-defined]
    kb_graph = ox.NamedNode("https://w3id.org/igfkg/graph/kb")
    entities = {
        q.subject
        for q in store.quads_for_pattern(None, None, None, kb_graph)
        if isinstance(q.subject, ox.NamedNode) and q.subject.value.startswith(KB)
    }
    for quad in store.quads_for_pattern(None, None, None, EVG):
        assert not (quad.subject in entities and quad.object in entities), quad
    read_kg.materialize()
    assert broken_at(read_kg, claims(read_kg)) == []
    # Mentions are no relations of the entity.
    assert not any("mention" in e.predicate for e in read_kg.neighbors("mecasermin"))


def test_describe_shows_the_literature(read_kg: KnowledgeGraph) -> None:
    d = read_kg.describe("mecasermin")
    assert d.literature is not None
    assert d.literature.sentences >= 5
    assert d.literature.hedged >= 1
    assert len(d.literature.newest) == 3
    # The counts are the yearly evidence sums: they agree with the sentences themselves.
    rows = read_kg.query("evidence-sentences", entity="mecasermin")
    assert d.literature.sentences == len(rows)
    assert d.literature.hedged == sum(r["hedged"].value == "true" for r in rows)  # type: ignore[union-attr]
    assert d.literature.articles == len({r["pmid"] for r in rows})
    assert [s.text for s in d.literature.newest] == [r["text"].value for r in rows][:3]  # type: ignore[union-attr]
    assert "machine-read" in d.text()
    assert igfkg.open().describe("mecasermin").literature is None


def test_evidence_queries(read_kg: KnowledgeGraph) -> None:
    every = read_kg.query("evidence-sentences")
    mecasermin = read_kg.query("evidence-sentences", entity="rhIGF-1")
    pair = read_kg.query("evidence-sentences", entity="mecasermin", other="jaw pain")
    claim = read_kg.query("evidence-sentences", claim="igf-1-homologous-to-insulin")
    assert len(every) == 13 > len(mecasermin) > len(pair) == 1
    assert {r["sentence"] for r in pair} <= {r["sentence"] for r in mecasermin}
    assert len(claim) == 1
    assert claim.rows[0]["text"].value.startswith("Insulin-like growth")  # type: ignore[union-attr]
    assert len(read_kg.query("evidence-sentences", claim="no-such-claim")) == 0
    hedged = [r for r in mecasermin if r["hedged"].value == "true"]  # type: ignore[union-attr]
    assert hedged
    assert all(r["pmid"].value == "15832492" for r in mecasermin)  # type: ignore[union-attr]
    # Candidates: co-named entities with no claim between them, never claimed pairs.
    candidates = read_kg.query("candidate-statements", entity="mecasermin")
    others = {r["other"].value for r in candidates}  # type: ignore[union-attr]
    assert KB + "insulin-resistance" in others
    assert KB + "jaw-pain" not in others  # mecasermin-causes-jaw-pain is a claim
    # The seed is the source of its claims: it is no literature for them.
    without = read_kg.query("claims-without-literature")
    assert len(without) == len(read_kg.query("claims"))


def test_claims_with_literature_leave_the_gap_list() -> None:
    """An article other than the claim's source naming both entities takes the claim off
    claims-without-literature. (A test store only: a real record's PMID carries the seed's
    text here, which no real record says.)"""
    kg = igfkg.open()
    text = _seed_abstract(kg)
    other = ox.NamedNode("http://www.ncbi.nlm.nih.gov/pubmed/34751700")
    kg.backend.store.extend(  # type: ignore[attr-defined]
        [
            ox.Quad(
                other,
                ox.NamedNode("http://purl.org/dc/terms/abstract"),
                ox.Literal(text),
                ox.NamedNode("https://w3id.org/igfkg/graph/source/test"),
            ),
            ox.Quad(
                other,
                ox.NamedNode("http://www.w3.org/1999/02/22-rdf-syntax-ns#type"),
                ox.NamedNode("https://w3id.org/igfkg/JournalArticle"),
                ox.NamedNode("https://w3id.org/igfkg/graph/source/test"),
            ),
        ]
    )
    kg.changed()
    kg.read()
    without = {r["claim"].value for r in kg.query("claims-without-literature")}  # type: ignore[union-attr]
    assert "igf-1-homologous-to-insulin" not in without
    assert "axis-dysfunction-is-alteration" in without
    assert len(without) < len(kg.query("claims"))


def _copy(src: Path, dst: Path, old: str = "", new: str = "") -> Path:
    text = src.read_text(encoding="utf-8")
    if old:
        assert old in text
        text = text.replace(old, new)
    dst.write_text(text, encoding="utf-8")
    return dst


def _sentences_of(kg: KnowledgeGraph, pmid: str) -> set[str]:
    in_article = ox.NamedNode("https://w3id.org/igfkg/inArticle")
    anchor = ox.NamedNode("http://persistence.uni-leipzig.org/nlp2rdf/ontologies/nif-core#anchorOf")
    article = ox.NamedNode("http://www.ncbi.nlm.nih.gov/pubmed/" + pmid)
    out = set()
    for q in kg.backend.match(None, in_article, article, EVG):
        for t in kg.backend.match(q.subject, anchor, None, EVG):
            out.add(t.object.value)
    return out


def test_ingest_reads_and_reingest_and_delete_update_the_evidence(tmp_path: Path) -> None:
    kg = igfkg.open()
    kg.read()
    vocabulary = kg.reading_vocabulary()
    record = DATA / "pubmed" / "metapub__34751700.xml"
    ingest_pubmed(kg, [_copy(record, tmp_path / "a.xml")], workers=1, vocabulary=vocabulary)
    first = _sentences_of(kg, "34751700")
    assert first
    assert any("insulin" in s for s in first)
    # The same file again: nothing changes.
    before = set(kg.backend.store)  # type: ignore[attr-defined]
    ingest_pubmed(kg, [tmp_path / "a.xml"], workers=1, vocabulary=vocabulary)
    assert set(kg.backend.store) == before  # type: ignore[attr-defined]
    # A changed abstract: its evidence follows; the sentence that changed is gone.
    changed = sorted(first)[0]
    edited = changed.replace("insulin", "glucagon", 1) if "insulin" in changed else changed + " x"
    _copy(record, tmp_path / "a.xml", changed.split(" (")[0][:40], edited.split(" (")[0][:40])
    ingest_pubmed(kg, [tmp_path / "a.xml"], workers=1, vocabulary=vocabulary)
    assert changed not in _sentences_of(kg, "34751700")
    assert count_errors(kg.backend.match) == []
    # A DeleteCitation removes the article's evidence with the article.
    ingest_pubmed(kg, [DATA / "pubmed" / "metapub__37903272.xml"], workers=1, vocabulary=vocabulary)
    assert _sentences_of(kg, "37903272")
    assert count_errors(kg.backend.match) == []
    ingest_pubmed(kg, [DATA / "pubmed-delete-37903272.xml"], workers=1, vocabulary=vocabulary)
    assert _sentences_of(kg, "37903272") == set()
    assert count_errors(kg.backend.match) == []
    # What is left is exactly what a fresh reading gives.
    assert kg.read().changed == 0


def test_a_read_store_stays_consistent_when_ingest_does_not_read(tmp_path: Path) -> None:
    """Without a vocabulary, ingest into a read store removes the evidence it cannot re-read
    (never leaves a stale reading); igfkg read brings it back."""
    kg = igfkg.open()
    kg.read()
    record = DATA / "pubmed" / "metapub__34751700.xml"
    ingest_pubmed(
        kg, [_copy(record, tmp_path / "a.xml")], workers=1, vocabulary=kg.reading_vocabulary()
    )
    assert _sentences_of(kg, "34751700")
    _copy(
        record,
        tmp_path / "a.xml",
        "<AbstractText",
        "<AbstractText>Changed.</AbstractText><AbstractText",
    )
    ingest_pubmed(kg, [tmp_path / "a.xml"], workers=1)
    assert _sentences_of(kg, "34751700") == set()
    assert count_errors(kg.backend.match) == []
    assert kg.read().changed > 0
    assert _sentences_of(kg, "34751700")
    assert count_errors(kg.backend.match) == []
    removed, added = evidence_change(kg.backend.match, ["34751700"], [])
    assert removed
    assert not added


def test_cli_read_and_ingest_read(tmp_path: Path) -> None:
    store = tmp_path / "db"
    runner = CliRunner()
    result = runner.invoke(main, ["--store", str(store), "read"])
    assert result.exit_code == 0, result.output
    assert re.match(r"1 articles read\t1[0-9] evidence sentences\t\d+ quads changed", result.output)
    shutil.copy(DATA / "pubmed" / "metapub__34751700.xml", tmp_path / "a.xml")
    # A read store reads what it ingests, --read or not.
    result = runner.invoke(
        main, ["--store", str(store), "ingest", "pubmed", str(tmp_path / "a.xml")]
    )
    assert result.exit_code == 0, result.output
    assert re.search(r"\t[1-9]\d* evidence sentences$", result.output.strip())
    result = runner.invoke(main, ["--store", str(store), "read"])
    assert "\t0 quads changed\t" in result.output
    result = runner.invoke(
        main,
        ["ingest", "pubmed", "--read", "--nquads", str(tmp_path / "q"), str(tmp_path / "a.xml")],
    )
    assert result.exit_code == 2
    assert "--read" in result.output


def test_a_read_store_conforms_to_the_shapes_and_they_check_the_evidence() -> None:
    kg = igfkg.open()
    kg.read()
    assert kg.validate().conforms
    sentence = ox.NamedNode("https://w3id.org/igfkg/evidence/15832492/0-195")
    hedged = ox.NamedNode("https://w3id.org/igfkg/hedged")
    kg.backend.store.add(ox.Quad(sentence, hedged, ox.Literal("maybe"), EVG))  # type: ignore[attr-defined]
    kg.changed()
    report = kg.validate()
    assert not report.conforms
    assert {v.shape.rsplit("/", 1)[1] for v in report.violations} == {"EvidenceHedgedShape"}


def test_an_ingest_stopped_while_adding_evidence_is_finished_by_the_next(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A new file's evidence is added after its transaction, under a pending mark: stopped
    there, the store holds the articles and no wrong evidence, and the next ingest reads it."""
    from igfkg.literature import evidence, ingest

    kg = igfkg.open()
    kg.read()
    vocabulary = kg.reading_vocabulary()
    record = _copy(DATA / "pubmed" / "metapub__34751700.xml", tmp_path / "a.xml")

    def stopped(*args: object) -> None:
        raise KeyboardInterrupt

    monkeypatch.setattr(ingest, "add_pending_evidence", stopped)
    with pytest.raises(KeyboardInterrupt):
        ingest_pubmed(kg, [record], workers=1, vocabulary=vocabulary)
    assert _sentences_of(kg, "34751700") == set()
    assert evidence.pending_graphs(kg.backend.match)
    monkeypatch.undo()
    ingest_pubmed(kg, [DATA / "pubmed" / "metapub__37903272.xml"], workers=1, vocabulary=vocabulary)
    assert _sentences_of(kg, "34751700")
    assert _sentences_of(kg, "37903272")
    assert evidence.pending_graphs(kg.backend.match) == []
    assert kg.read().changed == 0
    assert count_errors(kg.backend.match) == []


def test_a_store_read_before_the_counts_is_read_again(tmp_path: Path) -> None:
    """Evidence written by an igfkg that kept no counts (no format mark) is read again from
    scratch by the next reading, so the canned queries never read missing counts."""
    kg = igfkg.open()
    kg.read()
    full = kg.query("evidence-sentences", entity="mecasermin").serialize("tsv")
    fmt = ox.NamedNode("https://w3id.org/igfkg/evidenceFormat")
    counted = ox.NamedNode("https://w3id.org/igfkg/evidenceSentenceCount")
    for q in [*kg.backend.match(None, fmt, None, EVG), *kg.backend.match(None, counted, None, EVG)]:
        kg.backend.store.remove(q)  # type: ignore[attr-defined]
    kg.changed()
    assert count_errors(kg.backend.match)
    assert kg.read().changed > 0
    assert count_errors(kg.backend.match) == []
    assert kg.query("evidence-sentences", entity="mecasermin").serialize("tsv") == full
