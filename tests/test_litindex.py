"""The literature index behind claim-literature-support: always equal to the direct query (the
oracle, which joins every claim's article sets in SPARQL), through ingest, replacement,
deletion, MeSH tree changes, arbitrary updates and on-disk stores."""

from __future__ import annotations

from pathlib import Path

import pytest

import igfkg
from igfkg.graph import KnowledgeGraph
from igfkg.literature.index import INDEX_GRAPH, ensure_index
from igfkg.literature.ingest import ingest_pubmed, ingest_pubmed_store, source_graph
from igfkg.literature.mesh import ingest_mesh

from .conftest import DATA

ORACLE = (DATA / "oracle" / "claim-literature-support-exact.rq").read_text(encoding="utf-8")
TREE = DATA / "mesh" / "tree-subset.tsv"
IGF1, INSULIN, DM, T1D, T2D, HUMANS = (
    "D007334", "D007328", "D003920", "D003922", "D003924", "D006801"
)  # fmt: skip


def articles_xml(path: Path, articles: dict[int, list[str]], deleted: tuple[int, ...] = ()) -> Path:
    """A PubMed XML file with the given PMIDs and descriptor UIs (and DeleteCitation PMIDs)."""
    records = []
    for pmid, descriptors in articles.items():
        headings = "".join(
            f'<MeshHeading><DescriptorName UI="{d}" MajorTopicYN="N">x</DescriptorName>'
            "</MeshHeading>"
            for d in descriptors
        )
        records.append(
            f'<PubmedArticle><MedlineCitation><PMID Version="1">{pmid}</PMID><Article>'
            f"<ArticleTitle>Article {pmid}.</ArticleTitle></Article>"
            f"<MeshHeadingList>{headings}</MeshHeadingList></MedlineCitation></PubmedArticle>"
        )
    if deleted:
        pmids = "".join(f'<PMID Version="1">{p}</PMID>' for p in deleted)
        records.append(f"<DeleteCitation>{pmids}</DeleteCitation>")
    path.write_text(f"<PubmedArticleSet>{''.join(records)}</PubmedArticleSet>", encoding="utf-8")
    return path


def support(kg: KnowledgeGraph) -> str:
    return kg.query("claim-literature-support").serialize("tsv")


def assert_matches_oracle(kg: KnowledgeGraph) -> str:
    got = support(kg)
    assert got == kg.select(ORACLE).serialize("tsv")
    return got


def count_for(tsv: str, claim: str) -> int:
    for line in tsv.splitlines()[1:]:
        cells = line.split("\t")
        if cells[0] == f'"{claim}"':
            return int(cells[-1].split('"')[1])
    return 0


FIRST = {1: [IGF1, T2D, HUMANS], 2: [IGF1, DM], 3: [INSULIN, T1D], 4: [T2D], 5: [IGF1, T1D]}


@pytest.fixture
def kg(tmp_path: Path) -> KnowledgeGraph:
    kg = igfkg.open()
    ingest_mesh(kg, [TREE])
    ingest_pubmed(kg, [articles_xml(tmp_path / "first.xml", FIRST)], workers=1)
    return kg


def test_ingest_keeps_the_index_current_and_equal_to_the_oracle(kg: KnowledgeGraph) -> None:
    assert ensure_index(kg) == 0  # nothing left to recount after ingest
    got = assert_matches_oracle(kg)
    # The seed article (in the KB) plus articles 1, 2 and 5 (IGF-I with diabetes or narrower).
    assert count_for(got, "diabetes-reduced-plasma-igf-1") == 4
    assert count_for(got, "mecasermin-studied-in-type-2-diabetes") == 2


def test_replacement_moves_counts_between_graphs(kg: KnowledgeGraph, tmp_path: Path) -> None:
    before = support(kg)
    # Article 1 comes back in another file without IGF-I; article 6 is new.
    second = articles_xml(tmp_path / "second.xml", {1: [T2D], 6: [IGF1, T1D]})
    ingest_pubmed(kg, [second], workers=1)
    assert ensure_index(kg) == 0
    after = assert_matches_oracle(kg)
    for claim, change in (
        ("mecasermin-studied-in-type-2-diabetes", -1),
        ("mecasermin-studied-in-type-1-diabetes", +1),
        ("diabetes-reduced-plasma-igf-1", 0),
    ):
        assert count_for(after, claim) == count_for(before, claim) + change


def test_reingesting_a_changed_file_recounts_it(kg: KnowledgeGraph, tmp_path: Path) -> None:
    articles_xml(tmp_path / "first.xml", {1: [T2D], 7: [IGF1, DM]})
    ingest_pubmed(kg, [tmp_path / "first.xml"], workers=1)
    assert ensure_index(kg) == 0
    assert_matches_oracle(kg)


def test_deletion_lowers_the_counts(kg: KnowledgeGraph, tmp_path: Path) -> None:
    before = support(kg)
    ingest_pubmed(kg, [articles_xml(tmp_path / "del.xml", {}, deleted=(2, 5))], workers=1)
    assert ensure_index(kg) == 0
    after = assert_matches_oracle(kg)
    claim = "diabetes-reduced-plasma-igf-1"
    assert count_for(after, claim) == count_for(before, claim) - 2


def test_loading_the_mesh_tree_later_recounts(tmp_path: Path) -> None:
    kg = igfkg.open()
    gestational = "D016640"  # Diabetes, Gestational: not among the KB's MeSH terms
    ingest_pubmed(kg, [articles_xml(tmp_path / "a.xml", {8: [IGF1, gestational]})], workers=1)
    claim = "diabetes-reduced-plasma-igf-1"
    assert count_for(assert_matches_oracle(kg), claim) == 1  # the seed article only
    # Rows of the real MeSH 2015 tree table (tests/data/real/mesh/).
    tree = tmp_path / "tree.tsv"
    tree.write_text(
        "mesh_id\tmesh_name\tmesh_tree_number\n"
        "D003920\tDiabetes Mellitus\tC18.452.394.750\n"
        "D016640\tDiabetes, Gestational\tC18.452.394.750.448\n",
        encoding="utf-8",
    )
    ingest_mesh(kg, [tree])  # now gestational diabetes counts as diabetes
    assert ensure_index(kg) == 0
    assert count_for(assert_matches_oracle(kg), claim) == 2


def test_updates_and_loads_are_recounted(kg: KnowledgeGraph, tmp_path: Path) -> None:
    support(kg)  # checked current once: igfkg's own writes must make it look again
    graph = source_graph(tmp_path / "first.xml")
    kg.update(f"DROP GRAPH <{graph}>")
    assert count_for(assert_matches_oracle(kg), "diabetes-reduced-plasma-igf-1") == 1
    extra = tmp_path / "extra.ttl"
    extra.write_text(
        "<http://www.ncbi.nlm.nih.gov/pubmed/9> <https://w3id.org/igfkg/hasMeshDescriptor> "
        f"<http://id.nlm.nih.gov/mesh/{IGF1}>, <http://id.nlm.nih.gov/mesh/{T1D}> .\n",
        encoding="utf-8",
    )
    kg.load(extra, graph="https://w3id.org/igfkg/graph/extra")
    assert count_for(assert_matches_oracle(kg), "diabetes-reduced-plasma-igf-1") == 2


def test_counts_of_a_dropped_graph_go(kg: KnowledgeGraph, tmp_path: Path) -> None:
    graph = source_graph(tmp_path / "first.xml")
    kg.backend.update(f"DROP GRAPH <{graph}>")  # behind igfkg's back: only the graph is gone
    assert_matches_oracle(kg)
    derived = "<http://www.w3.org/ns/prov#wasDerivedFrom>"
    ask = f"ASK {{ GRAPH <{INDEX_GRAPH}> {{ ?c {derived} <{graph}> }} }}"
    assert not bool(kg.select(ask))


def test_on_disk_ingest_keeps_the_index(tmp_path: Path) -> None:
    store = tmp_path / "store"
    kg = igfkg.open(f"oxigraph:{store}")
    ingest_mesh(kg, [TREE])
    kg.backend.close()  # type: ignore[attr-defined]
    first = articles_xml(tmp_path / "first.xml", FIRST)
    second = articles_xml(tmp_path / "second.xml", {1: [T2D], 6: [IGF1, T2D]}, deleted=(3,))
    ingest_pubmed_store(store, [first, second], workers=2, progress=False)
    kg = igfkg.open(f"oxigraph:{store}")
    try:
        assert ensure_index(kg) == 0
        assert count_for(assert_matches_oracle(kg), "diabetes-reduced-plasma-igf-1") == 4
    finally:
        kg.backend.close()  # type: ignore[attr-defined]


def test_rdflib_backend_counts_the_kb() -> None:
    kg = igfkg.open("rdflib:")
    got = assert_matches_oracle(kg)
    assert count_for(got, "mecasermin-is-recombinant-igf-1") == 1


def test_index_conforms_to_the_shapes(kg: KnowledgeGraph) -> None:
    support(kg)
    report = kg.validate()
    assert report.conforms, report


def test_an_article_in_two_graphs_counts_once_with_all_its_descriptors(
    kg: KnowledgeGraph, tmp_path: Path
) -> None:
    before = support(kg)
    extra = tmp_path / "extra.ttl"  # article 4 (type 2 diabetes) gets IGF-I in another graph
    extra.write_text(
        "<http://www.ncbi.nlm.nih.gov/pubmed/4> <https://w3id.org/igfkg/hasMeshDescriptor> "
        f"<http://id.nlm.nih.gov/mesh/{IGF1}> .\n",
        encoding="utf-8",
    )
    kg.load(extra, graph="https://w3id.org/igfkg/graph/aaa")  # sorts before the source graph
    after = assert_matches_oracle(kg)
    claim = "mecasermin-studied-in-type-2-diabetes"
    assert count_for(after, claim) == count_for(before, claim) + 1


def test_cli_index_counts_a_bulk_loaded_store_once(tmp_path: Path) -> None:
    import pyoxigraph as ox
    from click.testing import CliRunner

    from igfkg.cli import main
    from igfkg.literature.ingest import export_nquads

    shards = tmp_path / "nq"
    export_nquads([articles_xml(tmp_path / "first.xml", FIRST)], shards, workers=1)
    store = tmp_path / "store"
    igfkg.open(f"oxigraph:{store}").backend.close()  # type: ignore[attr-defined]
    raw = ox.Store(str(store))  # a bulk load straight into the store, as a KG engineer would
    raw.bulk_load(path=str(shards / "first.xml.nq"), format=ox.RdfFormat.N_QUADS)
    del raw
    runner = CliRunner()
    first = runner.invoke(main, ["--store", str(store), "index"])
    assert first.exit_code == 0, first.output
    # ontology, KB and the bulk-loaded source graph: nothing had counted them yet
    assert first.output.startswith("3 graphs counted")
    again = runner.invoke(main, ["--store", str(store), "index"])
    assert again.output.startswith("0 graphs counted")
    kg = igfkg.open(f"oxigraph:{store}")
    try:
        assert count_for(assert_matches_oracle(kg), "diabetes-reduced-plasma-igf-1") == 4
    finally:
        kg.backend.close()  # type: ignore[attr-defined]


def test_a_new_mapping_recounts_every_graph(kg: KnowledgeGraph) -> None:
    support(kg)
    # Map an unmapped entity to IGF-I's descriptor: the mapping digest changes.
    kg.update(
        "INSERT DATA { GRAPH <https://w3id.org/igfkg/graph/kb> { "
        "<https://w3id.org/igfkg/kb/igf-2> <http://www.w3.org/2004/02/skos/core#closeMatch> "
        f"<http://id.nlm.nih.gov/mesh/{IGF1}> }} }}"
    )
    assert ensure_index(kg) >= 2  # the KB graph and the ingested file at least
    assert_matches_oracle(kg)
