"""PubMed/MEDLINE and MeSH ingest: counts per real file, replacement, deletion, bad input."""

from __future__ import annotations

import gzip
import re
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest

import igfkg
from igfkg.core.errors import DataFileError
from igfkg.graph import KnowledgeGraph
from igfkg.literature.index import INDEX_GRAPH
from igfkg.literature.ingest import PAIR_GRAPH, ingest_pubmed, source_graph
from igfkg.literature.mesh import ingest_mesh

from .conftest import DATA

# Unchanged copies of the shared real data (see tests/data/real/README.md), so the tests run
# without the shared folder.
SHARED = DATA / "real"
PUBMED_FILES = sorted((SHARED / "pubmed").glob("*.xml*"))
MEDLINE_FILES = sorted((SHARED / "medline").glob("*.txt"))
MESH_TREE = SHARED / "mesh" / "dhimmel__mesh2015_tree-numbers.tsv.gz"
QUALIFIERS = DATA / "mesh" / "meshrdf__qual2014.xml"

COUNTS = """
PREFIX igfkg: <https://w3id.org/igfkg/>
PREFIX meshv: <http://id.nlm.nih.gov/mesh/vocab#>
SELECT ?what (COUNT(*) AS ?n) WHERE {
  GRAPH ?g {
    { ?x a igfkg:JournalArticle . BIND("articles" AS ?what) }
    UNION { ?x igfkg:hasMeshDescriptor ?d . BIND("headings" AS ?what) }
    UNION { ?x igfkg:hasMeshDescriptorQualifierPair ?p . BIND("qualifiers" AS ?what) }
    UNION { ?x igfkg:hasMajorMeshDescriptor ?d . BIND("major" AS ?what) }
    UNION { ?x igfkg:hasMajorMeshDescriptorQualifierPair ?p . BIND("major" AS ?what) }
  }
} GROUP BY ?what
"""


def _file_counts(path: Path) -> dict[str, int]:
    """Counted independently of igfkg's parser, straight from the file."""
    counts = dict.fromkeys(("articles", "headings", "qualifiers", "major"), 0)
    if path.suffix == ".txt":
        # Continuation lines (six spaces) belong to the field above them.
        text = re.sub(r"\n      ", " ", path.read_text(encoding="utf-8"))
        for line in text.splitlines():
            if line.startswith("PMID- "):
                counts["articles"] += 1
            if line.startswith("MH  - "):
                counts["headings"] += 1
                counts["qualifiers"] += line.count("/")
                counts["major"] += line.count("*")
        return counts
    data = gzip.decompress(path.read_bytes()) if path.name.endswith(".gz") else path.read_bytes()
    root = ET.fromstring(data)
    latest = {}  # several versions of a PMID in one file: the last one counts
    for citation in root.iter("MedlineCitation"):
        latest.pop(citation.findtext("PMID"), None)
        latest[citation.findtext("PMID")] = citation
    for citation in latest.values():
        counts["articles"] += 1
        for mh in citation.findall("MeshHeadingList/MeshHeading"):
            counts["headings"] += 1
            names = [mh.find("DescriptorName"), *mh.findall("QualifierName")]
            counts["qualifiers"] += len(names) - 1
            counts["major"] += sum(n.get("MajorTopicYN") == "Y" for n in names if n is not None)
    return counts


def _store_counts(kg: KnowledgeGraph, path: Path) -> dict[str, int]:
    import pyoxigraph as ox

    graph = ox.NamedNode(source_graph(path))
    counts = dict.fromkeys(("articles", "headings", "qualifiers", "major"), 0)
    for row in kg.select(COUNTS.replace("GRAPH ?g", f"GRAPH {graph}")):
        counts[row["what"].value] = int(row["n"].value)  # type: ignore[union-attr]
    return counts


@pytest.fixture(scope="module")
def mesh_kg() -> KnowledgeGraph:
    kg = igfkg.open()
    ingest_mesh(kg, [MESH_TREE, QUALIFIERS])
    return kg


def test_shared_data_is_there() -> None:
    assert len(PUBMED_FILES) >= 15
    assert len(MEDLINE_FILES) == 3


@pytest.mark.parametrize("path", PUBMED_FILES + MEDLINE_FILES, ids=lambda p: p.name)
def test_every_real_file_lands_with_its_counts(mesh_kg: KnowledgeGraph, path: Path) -> None:
    kg = igfkg.open()
    if path.suffix == ".txt":
        kg = mesh_kg
    (stats,) = ingest_pubmed(kg, [path], workers=1)
    expected = _file_counts(path)
    assert _store_counts(kg, path) == expected
    assert (stats.articles, stats.headings, stats.qualifiers, stats.major_flags) == (
        expected["articles"],
        expected["headings"],
        expected["qualifiers"],
        expected["major"],
    )


def test_deletecitation_deletes() -> None:
    kg = igfkg.open()
    ingest_pubmed(kg, [DATA / "pubmed" / "metapub__37903272.xml"])
    ask = "ASK { <http://www.ncbi.nlm.nih.gov/pubmed/37903272> ?p ?o }"
    assert bool(kg.select(ask))
    delete = DATA / "pubmed-delete-37903272.xml"
    (stats,) = ingest_pubmed(kg, [delete])
    assert stats.deleted == ["37903272"]
    assert not bool(kg.select(ask))
    indexed = (
        "ASK { GRAPH ?g { ?a <https://w3id.org/igfkg/hasMeshDescriptor> ?d } "
        "FILTER(STRSTARTS(STR(?g), 'https://w3id.org/igfkg/graph/source/')) }"
    )
    assert not bool(kg.select(indexed))


def test_deletion_never_touches_the_curated_kb(tmp_path: Path) -> None:
    kg = igfkg.open()
    before = kg.query("mesh-headings").serialize("tsv")
    (stats,) = ingest_pubmed(kg, [DATA / "pubmed" / "seed-like.xml"])
    assert stats.kept == ["15832492"]  # the curated KB is authoritative for its own article
    delete = tmp_path / "delete-seed.xml"
    delete.write_text(
        "<PubmedArticleSet><DeleteCitation><PMID Version='1'>15832492</PMID>"
        "</DeleteCitation></PubmedArticleSet>",
        encoding="utf-8",
    )
    ingest_pubmed(kg, [delete])
    assert kg.query("mesh-headings").serialize("tsv") == before
    assert kg.validate().conforms


def test_reingest_replaces_without_duplicates() -> None:
    kg = igfkg.open()
    path = DATA / "pubmed" / "metapub__36577847.xml"
    ingest_pubmed(kg, [path])
    size = len(kg)
    ingest_pubmed(kg, [path])
    assert len(kg) == size


def test_newer_version_replaces_older(tmp_path: Path) -> None:
    kg = igfkg.open()
    old = DATA / "pubmed" / "metapub__36577847.xml"
    ingest_pubmed(kg, [old])
    newer = tmp_path / "update.xml"
    text = old.read_text(encoding="utf-8")
    text = re.sub(
        r"<ArticleTitle>.*?</ArticleTitle>",
        "<ArticleTitle>Revised title.</ArticleTitle>",
        text,
        flags=re.S,
    )
    text = re.sub(r"<MeshHeadingList>.*</MeshHeadingList>", "", text, flags=re.S)
    newer.write_text(text, encoding="utf-8")
    ingest_pubmed(kg, [newer])
    q = """SELECT ?g ?t WHERE { GRAPH ?g { <http://www.ncbi.nlm.nih.gov/pubmed/36577847>
           <http://purl.org/dc/terms/title> ?t } }"""
    rows = [(r["g"].value, r["t"].value) for r in kg.select(q)]  # type: ignore[union-attr]
    assert rows == [(source_graph(newer), "Revised title.")]
    assert len(kg.query("mesh-headings", article="PMID:36577847")) == 0


def _bad_files(tmp: Path) -> dict[str, tuple[Path, str]]:
    good = (DATA / "pubmed" / "metapub__36577847.xml").read_bytes()
    cases: dict[str, tuple[Path, bytes, str]] = {
        "malformed": (
            tmp / "malformed.xml",
            good.replace(b"</ArticleTitle>", b"</Title>", 1),
            r"malformed\.xml:\d+:\d+: malformed XML",
        ),
        "truncated": (tmp / "truncated.xml", good[: len(good) // 2], r"truncated\.xml:\d+"),
        "truncated-gz": (
            tmp / "truncated.xml.gz",
            gzip.compress(good)[:200],
            r"truncated\.xml\.gz: truncated",
        ),
        "empty": (tmp / "empty.xml", b"", r"empty\.xml: empty file"),
        "not-pubmed": (tmp / "other.xml", b"<rdf:RDF xmlns:rdf='x'/>", r"other\.xml:1: not PubMed"),
        "bad-pmid": (
            tmp / "badpmid.xml",
            good.replace(b">36577847</PMID>", b">36577847x</PMID>"),
            r"invalid PMID '36577847x'",
        ),
        "medline-unknown": (
            tmp / "unknown.txt",
            b"PMID- 1\nTI  - A title\nMH  - *Not A Real Heading\n",
            r"unknown\.txt:3: MeSH descriptor 'Not A Real Heading'",
        ),
    }
    out = {}
    for name, (path, data, pattern) in cases.items():
        path.write_bytes(data)
        out[name] = (path, pattern)
    return out


@pytest.mark.parametrize(
    "case",
    [
        "malformed",
        "truncated",
        "truncated-gz",
        "empty",
        "not-pubmed",
        "bad-pmid",
        "medline-unknown",
    ],
)
def test_bad_files_give_clear_errors_and_change_nothing(tmp_path: Path, case: str) -> None:
    kg = igfkg.open()
    ingest_pubmed(kg, [DATA / "pubmed" / "metapub__34751700.xml"])
    before = sorted(map(str, kg.backend.quads()))
    path, pattern = _bad_files(tmp_path)[case]
    good_first = DATA / "pubmed" / "metapub__37903272.xml"
    with pytest.raises(DataFileError, match=pattern):
        ingest_pubmed(kg, [path], workers=1)
    assert sorted(map(str, kg.backend.quads())) == before  # a bad file changes nothing
    with pytest.raises(DataFileError, match=pattern):
        ingest_pubmed(kg, [good_first, path], workers=2)  # parsed in parallel
    # Files before it in the same call have landed (their graph, the MeSH pairs they use and
    # their literature index counts).
    after = set(map(str, kg.backend.quads()))
    added = after - set(before)
    assert set(before) <= after
    assert any("37903272" in q for q in added)
    derived = (f"<{PAIR_GRAPH}>", f"<{INDEX_GRAPH}>")
    assert all("37903272" in q or q.endswith(derived) for q in added)


def test_parallel_and_serial_ingest_agree() -> None:
    files = sorted((DATA / "pubmed").glob("metapub__*.xml"))
    one, two = igfkg.open(), igfkg.open()
    ingest_pubmed(one, files, workers=1)
    ingest_pubmed(two, files, workers=2)

    def ingested(kg: KnowledgeGraph) -> list[str]:
        graphs = ("/graph/source/", "/graph/mesh-pairs")
        return sorted(
            str(q) for q in kg.backend.quads() if any(g in str(q.graph_name) for g in graphs)
        )

    assert len(ingested(one)) > 80
    assert ingested(one) == ingested(two)


def test_ingested_articles_conform_to_the_shapes() -> None:
    kg = igfkg.open()
    ingest_pubmed(kg, sorted((DATA / "pubmed").glob("*.xml")))
    report = kg.validate()
    assert report.conforms, report.text()


def test_mesh_ingest_counts_and_hierarchy(mesh_kg: KnowledgeGraph) -> None:
    q = """SELECT (COUNT(DISTINCT ?d) AS ?n) WHERE {
      GRAPH <https://w3id.org/igfkg/graph/source/dhimmel__mesh2015_tree-numbers.tsv.gz> {
        ?d <http://id.nlm.nih.gov/mesh/vocab#identifier> ?id } }"""
    rows = mesh_kg.select(q).rows
    lines = gzip.decompress(MESH_TREE.read_bytes()).decode("utf-8").splitlines()[1:]
    assert int(rows[0][0].value) == len({line.split("\t")[0] for line in lines})  # type: ignore[union-attr]
    assert "http://id.nlm.nih.gov/mesh/D003920" in mesh_kg.ancestors(
        "<http://id.nlm.nih.gov/mesh/D003930>"
    )


def test_mesh_ingest_joins_nlm_mesh_rdf(tmp_path: Path) -> None:
    kg = igfkg.open()
    desc = SHARED / "mesh" / "meshrdf__desc-samples.xml"
    ingest_mesh(kg, [desc, QUALIFIERS])
    kg.load(SHARED / "mesh" / "meshrdf__samples.nt", graph="http://id.nlm.nih.gov/mesh")
    q = """PREFIX meshv: <http://id.nlm.nih.gov/mesh/vocab#>
    PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>
    SELECT ?d (COUNT(DISTINCT ?label) AS ?labels) (COUNT(DISTINCT ?type) AS ?types)
           (COUNT(DISTINCT ?g) AS ?graphs) WHERE {
      GRAPH ?g { ?d meshv:identifier ?id ; rdfs:label ?label ; a ?type }
      FILTER(?type != <http://www.w3.org/2002/07/owl#NamedIndividual>)
    } GROUP BY ?d"""
    rows = kg.select(q).rows
    joined = [r for r in rows if int(r["graphs"].value) > 1]  # type: ignore[union-attr]
    assert len(joined) > 20  # the same descriptors, from NLM's RDF and from igfkg's ingest
    for row in joined:
        assert row["labels"].value == "1", row  # type: ignore[union-attr]
        assert row["types"].value == "1", row  # type: ignore[union-attr]
    broader = """ASK { GRAPH <https://w3id.org/igfkg/graph/source/meshrdf__desc-samples.xml> {
      <http://id.nlm.nih.gov/mesh/D048909> <http://id.nlm.nih.gov/mesh/vocab#broaderDescriptor>
      <http://id.nlm.nih.gov/mesh/D003920> } }"""
    assert bool(kg.select(broader))


def test_mesh_bad_files(tmp_path: Path) -> None:
    kg = igfkg.open()
    bad = tmp_path / "tree.tsv"
    bad.write_text("mesh_id\tmesh_name\tmesh_tree_number\nD000001\tCalcimycin\tD03.438.x\n")
    before = len(kg)
    with pytest.raises(DataFileError, match=r"tree\.tsv:2: invalid tree number"):
        ingest_mesh(kg, [QUALIFIERS, bad])
    assert len(kg) == before


def test_cli_ingest_is_quiet_when_piped(tmp_path: Path) -> None:
    from click.testing import CliRunner

    from igfkg.cli import main

    store = str(tmp_path / "store")
    files = [str(p) for p in sorted((DATA / "pubmed").glob("*.xml"))]
    result = CliRunner().invoke(main, ["--store", store, "ingest", "pubmed", *files])
    assert result.exit_code == 0, result.output
    assert "\r" not in result.output
    assert "metapub__37903272.xml\t1 articles\t9 headings\t0 deletions" in result.output
    result = CliRunner().invoke(
        main,
        [
            "--store",
            store,
            "query",
            "articles-by-mesh",
            "-p",
            "descriptor=MESH:D003930",
            "--format",
            "csv",
        ],
    )
    assert "37903272" in result.output


def test_nquads_output_loads_like_an_ingest(tmp_path: Path) -> None:
    from click.testing import CliRunner

    from igfkg.cli import main

    files = [str(p) for p in sorted((DATA / "pubmed").glob("metapub__*.xml"))]
    result = CliRunner().invoke(main, ["ingest", "pubmed", "--nquads", str(tmp_path), *files])
    assert result.exit_code == 0, result.output
    shards = sorted(tmp_path.glob("*.nq"))
    assert [p.name for p in shards] == [Path(f).name + ".nq" for f in files]
    bulk, ingested = igfkg.open(), igfkg.open()
    for shard in shards:
        bulk.load(shard, graph="https://w3id.org/igfkg/graph/unused")
    ingest_pubmed(ingested, [Path(f) for f in files])

    def source(kg: KnowledgeGraph) -> list[str]:
        graphs = ("/graph/source/", "/graph/mesh-pairs")
        return sorted(
            str(q) for q in kg.backend.quads() if any(g in str(q.graph_name) for g in graphs)
        )

    assert source(bulk) == source(ingested)
    # Each pair is defined once across the shards, in the pair graph.
    lines = [line for shard in shards for line in shard.read_text().splitlines()]
    pair_lines = [line for line in lines if line.endswith(f"<{PAIR_GRAPH}> .")]
    assert pair_lines
    assert len(pair_lines) == len(set(pair_lines))


def test_pairs_are_defined_once_and_survive_deletion() -> None:
    kg = igfkg.open()
    files = sorted((DATA / "pubmed").glob("metapub__*.xml"))
    ingest_pubmed(kg, files)
    ingest_pubmed(kg, files)  # re-ingest: nothing new to define
    used = """SELECT DISTINCT ?pair WHERE {
      GRAPH ?g { ?a igfkg:hasMeshDescriptorQualifierPair ?pair }
      FILTER(STRSTARTS(STR(?g), "https://w3id.org/igfkg/graph/source/")) }"""
    defined = f"""SELECT ?pair ?d ?q WHERE {{ GRAPH <{PAIR_GRAPH}> {{
      ?pair meshv:hasDescriptor ?d ; meshv:hasQualifier ?q }} }}"""
    prefixes = (
        "PREFIX igfkg: <https://w3id.org/igfkg/>\n"
        "PREFIX meshv: <http://id.nlm.nih.gov/mesh/vocab#>\n"
    )
    pairs = {r["pair"] for r in kg.select(prefixes + used)}
    rows = list(kg.select(prefixes + defined))
    assert pairs
    assert {r["pair"] for r in rows} == pairs
    assert len(rows) == len(pairs)  # one descriptor and one qualifier each
    for r in rows:
        assert r["pair"].value == r["d"].value + r["q"].value.rsplit("/", 1)[1]
    ingest_pubmed(kg, [DATA / "pubmed-delete-37903272.xml"])
    assert len(list(kg.select(prefixes + defined))) == len(rows)


def test_mesh_ingest_on_disk_is_bulk_loaded_whole_and_unmarked(tmp_path: Path) -> None:
    """On disk a new MeSH graph goes through the bulk loader: the same triples as in memory,
    and no in-progress mark left (a marked graph would be dropped on the next open)."""
    from igfkg.store.oxigraph import _MARKER

    memory = igfkg.open(bundled=False)
    ingest_mesh(memory, [QUALIFIERS])
    disk = igfkg.open(f"oxigraph:{tmp_path / 'store'}", bundled=False)
    ingest_mesh(disk, [QUALIFIERS])
    store = disk.backend.store  # type: ignore[attr-defined]
    assert not list(store.quads_for_pattern(None, _MARKER, None, None))
    graph = "https://w3id.org/igfkg/graph/source/" + QUALIFIERS.name
    quads = {str(q) for q in memory.backend.store.quads_for_pattern(None, None, None, None)}  # type: ignore[attr-defined]
    on_disk = {str(q) for q in store.quads_for_pattern(None, None, None, None)}
    assert len([q for q in on_disk if graph in q]) > 100
    assert on_disk == quads
