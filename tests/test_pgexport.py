"""Property-graph exports (KGX TSV/JSONL, Neo4j CSV): valid Biolink (checked with bmt on the
packaged biolink-model, offline), provenance kept, hedged claims flagged, the Neo4j CSV loaded
into embedded Kùzu where canned Cypher answers equal the SPARQL golden answers."""

from __future__ import annotations

import csv
import importlib.resources
import json
import re
import subprocess
import sys
from collections import Counter
from pathlib import Path
from typing import Any

import pytest

import igfkg
from igfkg.graph import KnowledgeGraph
from igfkg.literature.ingest import ingest_pubmed
from igfkg.release.pgwriters import FILES, write_folder
from igfkg.release.propertygraph import EDGE_MULTIVALUED, NODE_MULTIVALUED

from .test_site_evidence import PMID, SYNTHETIC, read_store

ROOT = Path(__file__).resolve().parent.parent
DATA = ROOT / "tests" / "data"
GOLDEN = DATA / "golden"
CYPHER = DATA / "cypher"


@pytest.fixture(scope="module")
def toolkit() -> Any:
    bmt = pytest.importorskip("bmt")
    schema = importlib.resources.files("biolink_model") / "schema" / "biolink_model.yaml"
    # A local schema and an empty predicate map: no network.
    return bmt.Toolkit(schema=str(schema), predicate_map={"predicate mappings": []})


@pytest.fixture(scope="module")
def litkg() -> KnowledgeGraph:
    """The bundled graph with two real PubMed files ingested."""
    kg = igfkg.open()
    ingest_pubmed(
        kg, [DATA / "pubmed" / "metapub__37903272.xml", DATA / "pubmed" / "metapub__34751700.xml"]
    )
    return kg


@pytest.fixture(scope="module")
def exported(litkg: KnowledgeGraph, tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("pg")
    for fmt in FILES:
        write_folder(litkg, fmt, out / fmt)
    return out


def _tsv(path: Path) -> list[dict[str, str]]:
    with path.open(encoding="utf-8", newline="") as f:
        return list(csv.DictReader(f, delimiter="\t", quoting=csv.QUOTE_NONE))


def _jsonl(path: Path) -> list[dict[str, Any]]:
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines()]


def _normal(row: dict[str, Any], multivalued: frozenset[str]) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for key, value in row.items():
        if isinstance(value, bool):
            value = "true" if value else "false"
        elif isinstance(value, int):
            value = str(value)
        if key in multivalued:
            value = tuple(value) if isinstance(value, list) else tuple(value.split("|"))
            value = tuple(v for v in value if v)
        if value not in ("", ()):
            out[key] = value
    return out


def test_categories_and_predicates_are_valid_biolink(exported: Path, toolkit: Any) -> None:
    nodes, edges = _tsv(exported / "kgx" / "nodes.tsv"), _tsv(exported / "kgx" / "edges.tsv")
    categories = {c for n in nodes for c in n["category"].split("|")}
    predicates = {e["predicate"] for e in edges}
    assert "biolink:Article" in categories
    assert "biolink:Disease" in categories
    assert {"biolink:mentions", "biolink:has_adverse_event"} <= predicates
    for category in categories:
        assert toolkit.is_category(category), category
        element = toolkit.get_element(category)
        assert not element.abstract, category
        assert not element.deprecated, category
    for predicate in predicates:
        assert toolkit.is_predicate(predicate), predicate
        element = toolkit.get_element(predicate)
        assert not element.abstract, predicate
        assert not element.deprecated, predicate


def test_knowledge_level_and_agent_type_are_biolink_values(exported: Path, toolkit: Any) -> None:
    edges = _tsv(exported / "kgx" / "edges.tsv")
    levels = set(toolkit.view.get_enum("KnowledgeLevelEnum").permissible_values)
    agents = set(toolkit.view.get_enum("AgentTypeEnum").permissible_values)
    assert {e["knowledge_level"] for e in edges} <= levels
    assert {e["agent_type"] for e in edges} <= agents
    assert all(e["knowledge_level"] and e["agent_type"] for e in edges)
    curated = [e for e in edges if e["claim_id"]]
    assert {e["agent_type"] for e in curated} == {"manual_agent"}


def test_every_edge_joins_two_nodes_and_ids_are_unique(exported: Path) -> None:
    nodes, edges = _tsv(exported / "kgx" / "nodes.tsv"), _tsv(exported / "kgx" / "edges.tsv")
    ids = [n["id"] for n in nodes]
    assert len(ids) == len(set(ids))
    assert len({e["id"] for e in edges}) == len(edges)
    for e in edges:
        assert e["subject"] in set(ids), e
        assert e["object"] in set(ids), e


def test_hedged_claims_are_flagged_never_asserted(exported: Path, litkg: KnowledgeGraph) -> None:
    edges = _tsv(exported / "kgx" / "edges.tsv")
    hedged = [e for e in edges if e["hedged"] == "true"]
    assert hedged
    assert all(e["knowledge_level"] != "knowledge_assertion" for e in hedged)
    assert all(e["certainty"] != "igfkg:Established" for e in hedged)
    asserted = [e for e in edges if e["hedged"] == "false"]
    assert all(e["certainty"] in ("igfkg:Established", "") for e in asserted)
    # The hedged claims are exactly those of the canned query (which needs a quote).
    golden = {r["?claim"] for r in _golden("hedged-claims")}
    assert {e["claim_id"] for e in hedged} == golden
    cues = {e["claim_id"]: set(e["hedge_cues"].split("|")) for e in hedged}
    for row in _golden("hedged-claims"):
        if row["?hedgeCue"]:
            assert row["?hedgeCue"] in cues[row["?claim"]]


def test_claims_keep_their_provenance(exported: Path) -> None:
    edges = {e["claim_id"]: e for e in _tsv(exported / "kgx" / "edges.tsv") if e["claim_id"]}
    jaw = edges["mecasermin-adverse-jaw-pain"]
    assert (jaw["subject"], jaw["predicate"], jaw["object"]) == (
        "kb:mecasermin",
        "biolink:has_adverse_event",
        "kb:jaw-pain",
    )
    assert jaw["publications"] == "PMID:15832492"
    assert jaw["primary_knowledge_source"] == "igfkg:dataset"
    assert "jaw pain" in jaw["supporting_text"]
    studies = [e for e in edges.values() if e["supporting_evidence"]]
    assert studies
    assert all(s.startswith("kb:") for e in studies for s in e["supporting_evidence"].split("|"))
    # Every claim of the canned query is an edge, but those whose object is no node (a literal,
    # or a value such as a change direction: a property of the subject, not a relation).
    iris = {n["iri"] for n in _tsv(exported / "kgx" / "nodes.tsv")}
    golden = _golden("claims")
    assert set(edges) == {r["?claim"] for r in golden if _term(r["?object"]) in iris}
    left_out = [r for r in golden if r["?claim"] not in edges]
    assert left_out
    assert {r["?predicate"].rsplit("/", 1)[1] for r in left_out} == {
        "changeDirection",
        "usedAsMonotherapy",
    }


def test_articles_mention_their_descriptors(exported: Path) -> None:
    nodes = {n["id"]: n for n in _tsv(exported / "kgx" / "nodes.tsv")}
    edges = _tsv(exported / "kgx" / "edges.tsv")
    assert nodes["PMID:37903272"]["category"] == "biolink:Article"
    assert nodes["PMID:15832492"]["xref"] == "doi:10.2165/00024677-200201060-00005"
    mentions = [e for e in edges if e["subject"] == "PMID:37903272"]
    assert mentions
    assert {e["predicate"] for e in mentions} == {"biolink:mentions"}
    assert {e["major_topic"] for e in mentions} <= {"true", "false"}
    assert all(e["knowledge_level"] == "knowledge_assertion" for e in mentions)


def test_tsv_and_jsonl_carry_the_same_content(exported: Path) -> None:
    for kind, multivalued in (("nodes", NODE_MULTIVALUED), ("edges", EDGE_MULTIVALUED)):
        tsv = [_normal(r, multivalued) for r in _tsv(exported / "kgx" / f"{kind}.tsv")]
        jsonl = [_normal(r, multivalued) for r in _jsonl(exported / "kgx-jsonl" / f"{kind}.jsonl")]
        assert tsv == jsonl, kind


def _golden(case: str) -> list[dict[str, str]]:
    rows = _tsv(GOLDEN / f"{case}.tsv")
    return [{k: _term(v) if k != "?object" else v for k, v in r.items()} for r in rows]


def _term(cell: str) -> str:
    """The IRI or literal text of a golden cell (N-Triples-like)."""
    if cell.startswith("<") and cell.endswith(">"):
        return cell[1:-1]
    match = re.match(r'^"(.*)"(?:@[a-zA-Z-]+|\^\^<[^>]*>)?$', cell)
    return match.group(1) if match else cell


@pytest.fixture(scope="module")
def kuzu_db(tmp_path_factory: pytest.TempPathFactory) -> Any:
    """The bundled graph's Neo4j export loaded into embedded Kùzu: one node table ``Node`` and
    one relationship table ``Rel``; ``:LABEL`` becomes column ``labels`` and ``:TYPE`` column
    ``type`` (Kùzu's tables are fixed by their schema), ``string[]`` columns stay
    ``;``-separated strings (split in Cypher with ``string_split``), ``boolean`` ones BOOLEAN."""
    kuzu = pytest.importorskip("kuzu")
    out = tmp_path_factory.mktemp("neo4j")
    write_folder(igfkg.open(), "neo4j", out / "csv")
    db = kuzu.Database(str(out / "kuzu"))
    conn = kuzu.Connection(db)
    nodes, rels = out / "csv" / "nodes.csv", out / "csv" / "relationships.csv"
    node_cols = _kuzu_columns(nodes)
    node_cols[0] = node_cols[0] + " PRIMARY KEY"
    conn.execute(f"CREATE NODE TABLE Node({', '.join(node_cols)})")
    rel_cols = _kuzu_columns(rels)[2:]
    conn.execute(f"CREATE REL TABLE Rel(FROM Node TO Node, {', '.join(rel_cols)})")
    conn.execute(f"COPY Node FROM '{nodes.as_posix()}' (header=true)")
    conn.execute(f"COPY Rel FROM '{rels.as_posix()}' (header=true)")
    return conn, nodes, rels


def _kuzu_columns(path: Path) -> list[str]:
    with path.open(encoding="utf-8", newline="") as f:
        header = next(csv.reader(f))
    out = []
    for column in header:
        name, _, kind = column.partition(":")
        name = {":LABEL": "labels", ":TYPE": "type"}.get(column, name) or kind.lower()
        out.append(f"{name} {({'boolean': 'BOOLEAN', 'long': 'INT64'}).get(kind, 'STRING')}")
    return out


def _cypher(conn: Any, name: str, **params: str) -> set[tuple[Any, ...]]:
    result = conn.execute((CYPHER / f"{name}.cypher").read_text(encoding="utf-8"), params)
    return {tuple(row) for row in result.get_all()}


def test_neo4j_csv_loads_into_kuzu_with_its_counts(kuzu_db: Any) -> None:
    conn, nodes, rels = kuzu_db
    with nodes.open(encoding="utf-8", newline="") as f:
        node_rows = list(csv.DictReader(f))
    with rels.open(encoding="utf-8", newline="") as f:
        rel_rows = list(csv.DictReader(f))
    labels = Counter(lab for r in node_rows for lab in r[":LABEL"].split(";"))
    types = Counter(r[":TYPE"] for r in rel_rows)
    got_labels: Counter[str] = Counter()
    for (value,) in conn.execute("MATCH (n:Node) RETURN n.labels").get_all():
        got_labels.update(value.split(";"))
    assert got_labels == labels
    got_types = dict(conn.execute("MATCH ()-[r:Rel]->() RETURN r.type, count(*)").get_all())
    assert got_types == dict(types)
    hedged = conn.execute("MATCH ()-[r:Rel]->() WHERE r.hedged RETURN count(*)").get_all()
    assert hedged[0][0] == sum(r["hedged:boolean"] == "true" for r in rel_rows) > 0
    # evidence counts are integers: 0 on the entities of an unread graph, none on articles
    counts = dict(
        conn.execute(
            "MATCH (n:Node) WHERE n.id IN ['kb:mecasermin', 'PMID:15832492'] "
            "RETURN n.id, n.evidence_sentences"
        ).get_all()
    )
    assert counts == {"kb:mecasermin": 0, "PMID:15832492": None}


def test_cypher_answers_equal_the_sparql_golden_answers(kuzu_db: Any) -> None:
    conn = kuzu_db[0]
    expected = {
        "adverse-effects": {(r["?drug"], r["?effect"]) for r in _golden("adverse-effects")},
        "adverse-effects-labels": {(r["?effectLabel"],) for r in _golden("adverse-effects")},
        "hedged-claims": {(r["?claim"],) for r in _golden("hedged-claims")},
        "axis-members": {(r["?axis"], r["?member"]) for r in _golden("axis-members")},
        "claims": {
            (r["?claim"], r["?subject"], _term(r["?object"]))
            for r in _golden("claims")
            if r["?object"].startswith("<") and not r["?predicate"].endswith("/changeDirection")
        },
        "mesh-headings": {(r["?article"], r["?descriptor"]) for r in _golden("mesh-headings")},
    }
    params = {"axis-members": {"axis": "kb:gh-igf1-axis"}}
    for name, want in expected.items():
        assert want, name
        assert _cypher(conn, name, **params.get(name, {})) == want, name
    insulin = {(r["?axis"], r["?member"]) for r in _golden("axis-members--insulin-system")}
    assert insulin
    assert _cypher(conn, "axis-members", axis="kb:insulin-system") == insulin


def test_cli_export_writes_a_folder_whole(tmp_path: Path) -> None:
    def run(*args: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            [sys.executable, "-m", "igfkg", "export", *args],
            capture_output=True,
            text=True,
            cwd=tmp_path,
            timeout=300,
        )

    done = run("--format", "neo4j", "-o", "out")
    assert done.returncode == 0, done.stderr
    assert sorted(p.name for p in (tmp_path / "out").iterdir()) == sorted(FILES["neo4j"])
    again = run("--format", "kgx", "-o", "out")
    assert again.returncode == 2
    assert again.stderr.startswith("igfkg: error: ")
    assert "--force" in again.stderr
    assert sorted(p.name for p in (tmp_path / "out").iterdir()) == sorted(FILES["neo4j"])
    forced = run("--format", "kgx", "-o", "out", "--force")
    assert forced.returncode == 0, forced.stderr
    assert sorted(p.name for p in (tmp_path / "out").iterdir()) == sorted(FILES["kgx"])
    missing = run("--format", "kgx-jsonl")
    assert missing.returncode == 2
    assert "-o DIR" in missing.stderr
    assert [p.name for p in tmp_path.iterdir()] == ["out"]  # no temporary folder left


def test_release_holds_the_property_graphs_listed_in_void(tmp_path: Path) -> None:
    import hashlib

    import pyoxigraph as ox

    from igfkg.release.build import build

    names = {a.name: a.sha256 for a in build(igfkg.open(), tmp_path / "release")}
    wanted = [f"kgx/{n}" for n in FILES["kgx"] + FILES["kgx-jsonl"]]
    wanted += [f"neo4j/{n}" for n in FILES["neo4j"]]
    void = (tmp_path / "release" / "void.ttl").read_bytes()
    listed = {
        str(t.object.value)
        for t in ox.parse(void, format=ox.RdfFormat.TURTLE)
        if t.predicate.value == "http://spdx.org/rdf/terms#checksumValue"
    }
    for name in wanted:
        data = (tmp_path / "release" / name).read_bytes()
        assert hashlib.sha256(data).hexdigest() == names[name] in listed, name
    direct = tmp_path / "direct"
    write_folder(igfkg.open(), "kgx", direct)
    assert (direct / "edges.tsv").read_bytes() == (tmp_path / "release/kgx/edges.tsv").read_bytes()


def test_read_evidence_is_node_counts_never_edges(tmp_path: Path) -> None:
    """On a read store the KB nodes carry their evidence counts (as the tables do); the
    machine-read sentences, mentions and candidate statements add no edge."""
    kg = read_store()
    for fmt in FILES:
        write_folder(kg, fmt, tmp_path / fmt)
    nodes = {n["id"]: n for n in _tsv(tmp_path / "kgx" / "nodes.tsv")}
    rows = kg.query("evidence-sentences", entity="mecasermin")
    pmids = {r["pmid"].value for r in rows}  # type: ignore[union-attr]
    mecasermin = nodes["kb:mecasermin"]
    assert int(mecasermin["evidence_sentences"]) == len(rows) > 0
    assert int(mecasermin["evidence_articles"]) == len(pmids) == 2
    assert nodes["kb:acid-labile-subunit"]["evidence_sentences"] == "0"
    assert nodes[f"PMID:{PMID}"]["evidence_sentences"] == ""  # articles: no count
    jsonl = {n["id"]: n for n in _jsonl(tmp_path / "kgx-jsonl" / "nodes.jsonl")}
    assert jsonl["kb:mecasermin"]["evidence_sentences"] == len(rows)
    assert "evidence_sentences" not in jsonl[f"PMID:{PMID}"]
    with (tmp_path / "neo4j" / "nodes.csv").open(encoding="utf-8", newline="") as f:
        neo4j = {r["id:ID"]: r for r in csv.DictReader(f)}
    assert neo4j["kb:mecasermin"]["evidence_sentences:long"] == str(len(rows))
    # The same graph and record, not read: the same edges, every one.
    unread = igfkg.open()
    ingest_pubmed(unread, [SYNTHETIC], workers=1)
    assert not unread.is_read()
    write_folder(unread, "kgx", tmp_path / "unread")
    edges = _tsv(tmp_path / "kgx" / "edges.tsv")
    assert edges == _tsv(tmp_path / "unread" / "edges.tsv")
    assert len(edges) > 50
    unread_nodes = {n["id"]: n for n in _tsv(tmp_path / "unread" / "nodes.tsv")}
    assert set(unread_nodes) == set(nodes)
    assert unread_nodes["kb:mecasermin"]["evidence_sentences"] == "0"
