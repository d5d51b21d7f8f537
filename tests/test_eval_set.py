"""The literature reader's hand-labelled evaluation set (tests/data/reading/) against the real
records: every sentence recomputed from the PubMed files (and the seed abstract of the KB) has the
recorded sha, every mention lies inside its sentence and spells what was labelled, every concept
is one of the current KB, and the set keeps the size and mix the labelling guidelines promise."""

from __future__ import annotations

import csv
import gzip
import hashlib
import importlib.util
import subprocess
import sys
import xml.etree.ElementTree as ET
from collections import Counter
from types import ModuleType

import pyoxigraph as ox
import pytest
import rdflib

from igfkg.core.namespaces import compact
from igfkg.graph import KnowledgeGraph
from igfkg.literature.reading.sentences import sentences

from .conftest import DATA

ROOT = DATA.parent.parent
READING = DATA / "reading"
SHARED = ROOT.parent / "shared" / "data" / "pubmed"
# The shared data folder next to the repository; else the unchanged copies of it in tests/data.
PUBMED = SHARED if SHARED.is_dir() else DATA / "real" / "pubmed"
ENTITY = "https://w3id.org/igfkg/Entity"
SEED_IRI = "http://www.ncbi.nlm.nih.gov/pubmed/15832492"


def _abstract(article: ET.Element) -> str:
    sections = []
    for elem in article.findall("MedlineCitation/Article/Abstract/AbstractText"):
        text = " ".join("".join(elem.itertext()).split())
        if text:
            label = elem.get("Label")
            sections.append(f"{label}: {text}" if label else text)
    return "\n".join(sections)


@pytest.fixture(scope="module")
def abstracts() -> dict[tuple[str, str], str]:
    """(source file, PMID) → abstract text, for every PubMed record and the seed."""
    graph = rdflib.Graph().parse(ROOT / "ontology" / "kb" / "article.ttl")
    out = {("seed", "15832492"): str(graph.value(rdflib.URIRef(SEED_IRI), rdflib.DCTERMS.abstract))}
    for path in sorted(PUBMED.glob("*.xml*")):
        data = gzip.decompress(path.read_bytes()) if path.suffix == ".gz" else path.read_bytes()
        for article in ET.fromstring(data).iter("PubmedArticle"):
            out[(path.name, article.findtext("MedlineCitation/PMID") or "")] = _abstract(article)
    return out


@pytest.fixture(scope="module")
def rows() -> list[dict[str, str]]:
    with (READING / "eval-sentences.tsv").open(encoding="utf-8", newline="") as f:
        return list(csv.DictReader(f, delimiter="\t"))


@pytest.fixture(scope="module")
def script() -> ModuleType:
    name = "scripts_eval_set"
    spec = importlib.util.spec_from_file_location(name, ROOT / "scripts" / "eval_set.py")
    assert spec is not None
    assert spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[name] = module  # dataclasses look their module up there
    spec.loader.exec_module(module)
    return module


def _mentions(row: dict[str, str]) -> list[tuple[int, int, str]]:
    out = []
    for item in filter(None, row["mentions"].split(";")):
        span, _, curie = item.partition("=")
        start, _, end = span.partition("-")
        out.append((int(start), int(end), curie))
    return out


def test_every_sentence_is_the_recorded_one(
    rows: list[dict[str, str]], abstracts: dict[tuple[str, str], str]
) -> None:
    cut = {key: {(s, e) for s, e, _ in sentences(text)} for key, text in abstracts.items()}
    for row in rows:
        key = (row["source_file"], row["pmid"])
        start, end = int(row["start"]), int(row["end"])
        assert (start, end) in cut[key], row
        text = abstracts[key][start:end]
        assert hashlib.sha256(text.encode("utf-8")).hexdigest()[:12] == row["sha"], row


def test_mentions_and_cues_lie_in_their_sentence(
    rows: list[dict[str, str]], abstracts: dict[tuple[str, str], str]
) -> None:
    for row in rows:
        text = abstracts[(row["source_file"], row["pmid"])][int(row["start"]) : int(row["end"])]
        spans = _mentions(row)
        labelled = row["mention_texts"].split(";") if row["mention_texts"] else []
        assert len(labelled) == len(spans), row
        for (start, end, _), spelled in zip(spans, labelled, strict=True):
            assert 0 <= start < end <= len(text), row
            assert text[start:end] == spelled, row
        for flag, cues in (("hedged", "hedge_cues"), ("negated", "negation_cues")):
            listed = [c for c in row[cues].split(";") if c]
            assert row[flag] == ("1" if listed else "0"), row
            assert all(cue.casefold() in text.casefold() for cue in listed), row


def test_concepts_are_those_of_the_current_kb(
    rows: list[dict[str, str]], oxkg: KnowledgeGraph
) -> None:
    idx = oxkg.name_index()

    def below_entity(cls: str, seen: frozenset[str] = frozenset()) -> bool:
        parents = idx.parents.get(cls, set()) - seen
        return cls == ENTITY or any(below_entity(p, seen | {cls}) for p in parents)

    entities = {compact(i) for i, types in idx.types.items() if any(map(below_entity, types))}
    query = (ROOT / "scripts" / "eval_set_mesh.rq").read_text(encoding="utf-8")
    mapped: dict[str, set[str]] = {}
    for row in oxkg.select(query):
        descriptor, entity = row["descriptor"], row["entity"]
        assert isinstance(descriptor, ox.NamedNode)
        names = mapped.setdefault(compact(descriptor.value), set())
        if entity is not None and compact(entity.value) in entities:
            names.add(compact(entity.value))
    used = {curie for row in rows for _, _, curie in _mentions(row)}
    for curie in used:
        if curie.startswith("kb:"):
            assert curie in entities, curie
        else:  # a MeSH descriptor of the store that no KB entity skos:exactMatches
            assert mapped.get(curie) == set(), curie
    # the concept list written for the labellers is the current KB's
    done = subprocess.run(
        [sys.executable, str(ROOT / "scripts" / "eval_set.py"), "concepts", "--check"], check=False
    )
    assert done.returncode == 0, "run: python scripts/eval_set.py concepts"


def test_size_and_mix(
    rows: list[dict[str, str]], abstracts: dict[tuple[str, str], str], script: ModuleType
) -> None:
    assert len(rows) >= 200
    assert sum(1 for r in rows if r["mentions"]) >= 60
    assert sum(r["hedged"] == "1" for r in rows) >= 25
    assert sum(r["negated"] == "1" for r in rows) >= 20
    selection = Counter(r["selection"] for r in rows)
    assert selection["other"] >= 0.3 * len(rows)
    assert len({(r["source_file"], r["pmid"], r["start"]) for r in rows}) == len(rows)
    # whole abstracts: every sentence of every chosen abstract, the seed's included
    chosen = {(r["source_file"], r["pmid"]) for r in rows}
    assert ("seed", "15832492") in chosen
    for key in chosen:
        starts = {int(r["start"]) for r in rows if (r["source_file"], r["pmid"]) == key}
        assert starts == {s for s, _, _ in sentences(abstracts[key])}, key
    # every on-topic abstract is there (once, from the first file holding its PMID), and the
    # fill ("other") is off-topic
    why = {(r["source_file"], r["pmid"]): r["selection"] for r in rows}
    for rec in script.records(PUBMED).values():
        key = (rec.source_file, rec.pmid)
        if rec.topic:
            assert why.get(key) in ("seed", "topic"), rec.pmid
        else:
            assert why.get(key, "other") == "other", rec.pmid


def test_the_script_verifies_the_set() -> None:
    done = subprocess.run(
        [sys.executable, str(ROOT / "scripts" / "eval_set.py")],
        check=False,
        capture_output=True,
        text=True,
    )
    assert done.returncode == 0, done.stderr
    assert "every sha, span, cue and concept verified" in done.stdout
    assert done.stderr == ""
