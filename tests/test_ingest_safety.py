"""Ingest keeps every source apart and writes nothing bad: graph names unique per source file,
identifiers checked with full matches, hostile input bounded, unreadable encodings refused —
each a one-line error naming the file (and line and value), exit 2, nothing written."""

from __future__ import annotations

import gzip
import re
import time
from pathlib import Path

import pyoxigraph as ox
import pytest
from click.testing import CliRunner

import igfkg
from igfkg.cli import main
from igfkg.core.errors import DataFileError
from igfkg.core.namespaces import GRAPH_SOURCES
from igfkg.literature.ingest import PAIR_GRAPH, ingest_pubmed, source_graph, source_key
from igfkg.literature.mesh import ingest_mesh

from .conftest import DATA

ONE = DATA / "pubmed" / "metapub__36577847.xml"
OTHER = DATA / "pubmed" / "metapub__37903272.xml"


def _articles_by_graph(kg: igfkg.KnowledgeGraph) -> dict[str, set[str]]:
    out: dict[str, set[str]] = {}
    q = "SELECT ?g ?a WHERE { GRAPH ?g { ?a a <https://w3id.org/igfkg/JournalArticle> } }"
    for row in kg.select(q):
        graph, article = row["g"], row["a"]
        assert graph is not None
        assert article is not None
        if graph.value.startswith(GRAPH_SOURCES):
            out.setdefault(graph.value, set()).add(article.value.rsplit("/", 1)[1])
    return out


def _copy(source: Path, target: Path) -> Path:
    target.parent.mkdir(parents=True, exist_ok=True)
    target.write_bytes(source.read_bytes())
    return target


# 1. Source graphs are unique per source file.


def test_same_name_in_two_folders_keeps_both(tmp_path: Path) -> None:
    first = _copy(ONE, tmp_path / "dir1" / "batch.xml")
    second = _copy(OTHER, tmp_path / "dir2" / "batch.xml")
    kg = igfkg.open()
    ingest_pubmed(kg, [first])
    ingest_pubmed(kg, [second])
    plain = source_graph(first)
    assert _articles_by_graph(kg) == {
        plain: {"36577847"},
        f"{plain}~{source_key(second)}": {"37903272"},
    }
    ingest_pubmed(kg, [second, first])  # re-ingesting either path replaces its own graph
    assert set(_articles_by_graph(kg)) == {plain, f"{plain}~{source_key(second)}"}
    # The key says which file a graph holds.
    key = ox.Literal(source_key(first))
    found = kg.backend.match(None, ox.NamedNode("https://w3id.org/igfkg/sourceFileKey"), None, None)
    assert {(q.graph_name.value, q.object) for q in found} >= {(plain, key)}  # type: ignore[union-attr]


def test_moved_file_replaces_its_articles_and_the_old_graph_goes(tmp_path: Path) -> None:
    first = _copy(ONE, tmp_path / "dir1" / "batch.xml")
    kg = igfkg.open()
    ingest_pubmed(kg, [first])
    size = len(kg)
    moved = _copy(ONE, tmp_path / "dir3" / "batch.xml")
    first.unlink()
    ingest_pubmed(kg, [moved])
    graphs = _articles_by_graph(kg)
    assert graphs == {f"{source_graph(moved)}~{source_key(moved)}": {"36577847"}}
    assert len(kg) == size  # the same quads, under the new graph; the old one is dropped


def test_nquads_shards_of_same_named_files_do_not_collide(tmp_path: Path) -> None:
    first = _copy(ONE, tmp_path / "dir1" / "batch.xml")
    second = _copy(OTHER, tmp_path / "dir2" / "batch.xml")
    out = tmp_path / "nq"
    result = CliRunner().invoke(
        main, ["ingest", "pubmed", "--nquads", str(out), str(first), str(second)]
    )
    assert result.exit_code == 0, result.output
    shards = sorted(p.name for p in out.glob("*.nq"))
    assert shards == sorted(["batch.xml.nq", f"batch.xml~{source_key(second)}.nq"])
    loaded = igfkg.open()
    for shard in out.glob("*.nq"):
        loaded.load(shard, graph="https://w3id.org/igfkg/graph/unused")
    assert set().union(*_articles_by_graph(loaded).values()) == {"36577847", "37903272"}


# 3. Identifiers: full matches; every IRI checked; nothing written.


def _ui_with_newline(tmp: Path) -> Path:
    data = ONE.read_bytes()
    match = re.search(rb'<DescriptorName UI="(D[0-9]+)"', data)
    assert match is not None
    bad = data.replace(match.group(0), match.group(0)[:-1] + b'&#10;"', 1)
    path = tmp / "newline.xml"
    path.write_bytes(bad)
    line = bad[: bad.index(b"&#10;")].count(b"\n") + 1
    return path, match.group(1).decode(), line  # type: ignore[return-value]


def test_a_ui_with_a_trailing_newline_is_refused_with_file_line_value(tmp_path: Path) -> None:
    path, ui, line = _ui_with_newline(tmp_path)  # type: ignore[misc]
    kg = igfkg.open()
    before = sorted(map(str, kg.backend.quads()))
    with pytest.raises(DataFileError) as error:
        ingest_pubmed(kg, [path], workers=1)
    assert str(error.value) == (f"{path}:{line}: PMID 36577847: invalid descriptor UI '{ui}\\n'")
    assert sorted(map(str, kg.backend.quads())) == before
    store = tmp_path / "store"
    result = CliRunner().invoke(main, ["--store", str(store), "ingest", "pubmed", str(path)])
    assert result.exit_code == 2
    assert result.output == f"igfkg: error: {error.value}\n"
    kg = igfkg.open(f"oxigraph:{store}")
    assert not any("\n" in str(q.subject) + str(q.object) for q in kg.backend.quads())
    assert not any(str(q.graph_name) == f"<{PAIR_GRAPH}>" for q in kg.backend.quads())


@pytest.mark.parametrize(
    ("old", "new", "what"),
    [
        (b">36577847</PMID>", b">36577847\n</PMID>", None),  # whitespace in text is trimmed
        (b'UI="Q', b'UI="Q000000\nQ', "qualifier UI"),
        (b'<PublicationType UI="D', b'<PublicationType UI="\nD', "publication type UI"),
    ],
)
def test_identifiers_are_full_matches(tmp_path: Path, old: bytes, new: bytes, what: str) -> None:
    data = ONE.read_bytes()
    assert old in data
    path = tmp_path / "x.xml"
    path.write_bytes(data.replace(old, new, 1))
    kg = igfkg.open()
    if what is None:
        (stats,) = ingest_pubmed(kg, [path])
        assert stats.pmids == ["36577847"]
        return
    with pytest.raises(DataFileError, match=rf"x\.xml:\d+: PMID 36577847: invalid {what} "):
        ingest_pubmed(kg, [path])


def test_medline_identifiers_are_full_matches(tmp_path: Path) -> None:
    path = tmp_path / "bad.txt"
    path.write_bytes(b"PMID- 123\nTI  - Title\n\nPMID- 12a\nTI  - Other\n")
    with pytest.raises(DataFileError, match=r"bad\.txt:4: invalid PMID '12a'"):
        ingest_pubmed(igfkg.open(), [path])


# 5. Bounded input.


def _gz(path: Path, parts: list[bytes], repeat: bytes, times: int) -> Path:
    with gzip.open(path, "wb", compresslevel=9) as out:
        out.write(parts[0])
        for _ in range(times):
            out.write(repeat)
        out.write(parts[1])
    return path


def _run_store(tmp: Path, path: Path, env: dict[str, str]) -> tuple[int, str]:
    result = CliRunner().invoke(
        main, ["--store", str(tmp / "store"), "ingest", "pubmed", str(path)], env=env
    )
    return result.exit_code, result.output


HEAD = ONE.read_bytes()[: ONE.read_bytes().index(b"<ArticleTitle>") + len(b"<ArticleTitle>")]
TAIL = ONE.read_bytes()[ONE.read_bytes().index(b"</ArticleTitle>") :]


@pytest.mark.parametrize(
    ("name", "parts", "repeat", "env", "message"),
    [
        (
            "comment.xml.gz",  # a comment of 8 MiB: quadratic to parse, refused at once
            [b"<PubmedArticleSet><!--", b"--></PubmedArticleSet>"],
            b"a" * 1024,
            {},
            "a text, comment or tag longer than 1048576 bytes (IGFKG_INGEST_MAX_TOKEN)",
        ),
        (
            "title.xml.gz",
            [HEAD, TAIL],
            b"word " * 200,
            {"IGFKG_INGEST_MAX_TOKEN": "256K"},
            "a text, comment or tag longer than 262144 bytes (IGFKG_INGEST_MAX_TOKEN)",
        ),
        (
            "record.xml.gz",  # many small elements in one record
            [HEAD.replace(b"<ArticleTitle>", b""), TAIL.replace(b"</ArticleTitle>", b"")],
            b"<i>x</i>" * 100,
            {"IGFKG_INGEST_MAX_RECORD": "1M"},
            "a record (or the text between two) longer than 1048576 bytes "
            "(IGFKG_INGEST_MAX_RECORD)",
        ),
        (
            "bomb.xml.gz",  # 8 MiB of records' worth of whitespace from a tiny gzip
            [b"<PubmedArticleSet>", b"</PubmedArticleSet>"],
            b"<x/>" + b" " * 1020,
            {"IGFKG_INGEST_MAX_BYTES": "4M", "IGFKG_INGEST_MAX_RECORD": "64M"},
            "more than 4194304 bytes (decompressed) (IGFKG_INGEST_MAX_BYTES)",
        ),
    ],
)
def test_hostile_files_are_bounded(
    tmp_path: Path, name: str, parts: list[bytes], repeat: bytes, env: dict[str, str], message: str
) -> None:
    path = _gz(tmp_path / name, parts, repeat, 8 * 1024)
    assert path.stat().st_size < 200_000
    start = time.perf_counter()
    code, output = _run_store(tmp_path, path, env)
    assert time.perf_counter() - start < 20
    assert code == 2, output
    assert output == f"igfkg: error: {path}: {message}\n"
    kg = igfkg.open(f"oxigraph:{tmp_path / 'store'}")
    assert not any(str(q.graph_name).startswith(f"<{GRAPH_SOURCES}") for q in kg.backend.quads())


def test_medline_line_and_record_bounds(tmp_path: Path) -> None:
    path = tmp_path / "long.txt"
    path.write_bytes(b"PMID- 1\nTI  - " + b"x" * 300_000 + b"\n")
    code, output = _run_store(tmp_path, path, {"IGFKG_INGEST_MAX_TOKEN": "128K"})
    assert (code, output) == (
        2,
        f"igfkg: error: {path}: a line longer than 131072 bytes (IGFKG_INGEST_MAX_TOKEN)\n",
    )


def test_bad_limit_setting_is_a_one_line_error(tmp_path: Path) -> None:
    code, output = _run_store(tmp_path, ONE, {"IGFKG_INGEST_MAX_TOKEN": "lots"})
    assert code == 2
    assert output.startswith("igfkg: error: IGFKG_INGEST_MAX_TOKEN='lots': not a size")


def test_defaults_pass_a_baseline_sized_file(tmp_path: Path) -> None:
    """The default limits pass a file the size of a PubMed baseline file's records (the largest
    real records are well under a megabyte; a baseline file is ~150-200 MB of XML)."""
    from igfkg.core.config import settings

    limits = settings()
    assert limits.ingest_max_bytes >= 1 << 30
    assert limits.ingest_max_record >= 8 << 20
    text = b"<Abstract><AbstractText>" + b"long text " * 80_000 + b"</AbstractText></Abstract>"
    big_record = ONE.read_bytes().replace(b"</ArticleTitle>", b"</ArticleTitle>" + text, 1)
    path = tmp_path / "big.xml"
    path.write_bytes(big_record)
    (stats,) = ingest_pubmed(igfkg.open(), [path])
    assert stats.articles == 1


# 6. Encodings and the MeSH tree table.


def test_unknown_xml_encoding_is_a_one_line_error(tmp_path: Path) -> None:
    path = tmp_path / "enc.xml"
    path.write_bytes(b'<?xml version="1.0" encoding="x-nonsense"?>\n<PubmedArticleSet/>\n')
    code, output = _run_store(tmp_path, path, {})
    assert (code, output) == (
        2,
        f"igfkg: error: {path}:1: cannot read the XML: unknown encoding: x-nonsense\n",
    )


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (
            "mesh_id\tmesh_name\tmesh_tree_number\nD000001\tCalcimycin\tD03.438\n"
            "D000002\tCaf\xe9\tD03.439\n".encode("latin-1"),
            r"tree\.tsv:3: not UTF-8 text: .*Caf\\xe9",
        ),
        (
            b'mesh_id\tmesh_name\tmesh_tree_number\nD000001\t"Calci\nmycin"\tD03.438\n',
            r"""tree\.tsv:2: quoted field '"Calci': the table is tab-separated without quoting""",
        ),
        (
            b"mesh_id\tmesh_name\tmesh_tree_number\nD000001\tCalcimycin\tD03.438\n"
            b"D000001\n\tX\tD03.440\n",
            r"tree\.tsv:3: expected 3 columns, got 1: 'D000001'",
        ),
    ],
)
def test_mesh_table_in_latin1_or_with_quoted_newlines(
    tmp_path: Path, data: bytes, message: str
) -> None:
    path = tmp_path / "tree.tsv"
    path.write_bytes(data)
    kg = igfkg.open()
    before = len(kg)
    with pytest.raises(DataFileError, match=message):
        ingest_mesh(kg, [path])
    assert len(kg) == before
    store = tmp_path / "store"
    result = CliRunner().invoke(main, ["--store", str(store), "ingest", "mesh", str(path)])
    assert result.exit_code == 2
    assert result.output.count("\n") == 1
    assert re.search(message, result.output)


def test_mesh_xml_ui_with_newline_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "desc.xml"
    path.write_text(
        "<DescriptorRecordSet><DescriptorRecord><DescriptorUI>D003920&#10;</DescriptorUI>"
        "<DescriptorName><String>Diabetes</String></DescriptorName></DescriptorRecord>"
        "</DescriptorRecordSet>"
    )
    # findtext().strip() removes the newline: what is checked is what is written.
    kg = igfkg.open()
    (stats,) = ingest_mesh(kg, [path])
    assert stats.descriptors == 1
    assert all("\n" not in str(q.subject) for q in kg.backend.quads())
    path.write_text(path.read_text().replace("D003920&#10;", "D003920&#10;x"))
    with pytest.raises(DataFileError, match=r"desc\.xml: invalid MeSH UI 'D003920\\nx'"):
        ingest_mesh(igfkg.open(), [path])
