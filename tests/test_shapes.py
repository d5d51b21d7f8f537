"""SHACL shapes: the KB conforms; each shape rejects its own violating fixture, naming the node."""

from __future__ import annotations

import csv
from collections import defaultdict
from pathlib import Path

import pytest
import rdflib

from igfkg.core import resources
from igfkg.core.namespaces import compact, expand_curie
from igfkg.graph import KnowledgeGraph, validate_files
from igfkg.quality.validation import read_rdf, shapes_graph, validate_graph

from .conftest import DATA

SHAPES = DATA / "shapes"
SH = rdflib.Namespace("http://www.w3.org/ns/shacl#")
SHAPES_NS = "https://w3id.org/igfkg/shapes/"


def _focus_key(focus: str, focus_name: str) -> str:
    if focus_name.startswith("claim "):
        return "claim:" + focus_name.removeprefix("claim ")
    if focus_name.startswith("_:"):
        return "_:"
    return focus


def _expected(focus: str) -> str:
    if focus.startswith(("claim:", "_:", "http")):
        return focus
    return expand_curie(focus) or focus


def _manifest() -> dict[str, set[tuple[str, str]]]:
    cases: dict[str, set[tuple[str, str]]] = defaultdict(set)
    with (SHAPES / "manifest.tsv").open(encoding="utf-8") as handle:
        for row in csv.DictReader(handle, delimiter="\t"):
            cases[row["file"]].add((row["shape"], _expected(row["focus"])))
    return cases


MANIFEST = _manifest()


def _constraining_shapes() -> set[str]:
    """Shapes that can be the source of a result: property shapes and node shapes with
    constraints of their own (not only targets and property shapes)."""
    g = shapes_graph()
    own = [SH.pattern, SH.nodeKind, SH.sparql, SH["class"], SH.datatype, SH["in"]]
    names = {str(s) for s in g.subjects(rdflib.RDF.type, SH.PropertyShape)}
    for s in g.subjects(rdflib.RDF.type, SH.NodeShape):
        if any(g.value(s, p) is not None for p in own):
            names.add(str(s))
    return {n.removeprefix(SHAPES_NS) for n in names}


@pytest.mark.parametrize("engine", ["pyshacl", "fast"])
def test_bundled_graph_conforms(kg: KnowledgeGraph, engine: str) -> None:
    report = validate_graph(kg, engine=engine)
    assert report.conforms, report.text()


def test_valid_fixture_conforms() -> None:
    report = validate_files([SHAPES / "valid.ttl"])
    assert report.conforms, report.text()


def test_every_shape_has_a_violating_fixture() -> None:
    covered = {shape for expected in MANIFEST.values() for shape, _ in expected}
    assert _constraining_shapes() == covered
    assert {p.name for p in SHAPES.glob("*.ttl")} - {"valid.ttl"} == set(MANIFEST)


@pytest.mark.parametrize("engine", ["pyshacl", "fast"])
@pytest.mark.parametrize("fixture", sorted(MANIFEST))
def test_fixture_violates_exactly_its_shape(fixture: str, engine: str) -> None:
    """Both engines, the reference and the fast path, report exactly the expected results."""
    report = validate_files([SHAPES / fixture], engine)
    assert not report.conforms
    found = {
        (v.shape.removeprefix(SHAPES_NS), _focus_key(v.focus, v.focus_name))
        for v in report.violations
    }
    assert found == MANIFEST[fixture], report.text()
    assert all(v.message for v in report.violations)


@pytest.mark.parametrize(
    ("fixture", "words"),
    [
        ("ClaimQuoteInSourceShape.ttl", "not verbatim"),
        ("ClaimSourceShape.ttl", "source"),
        ("ArticleDescriptorShape.ttl", "MeSH descriptor IRI"),
        ("EntityMappingShape.ttl", "MeSH"),
        ("ClaimCertaintyShape.ttl", "closed list"),
    ],
)
def test_report_is_readable_and_names_the_node(fixture: str, words: str) -> None:
    report = validate_files([SHAPES / fixture])
    text = report.text()
    assert words in text
    (expected_focus,) = {focus for _, focus in MANIFEST[fixture]}
    shown = expected_focus.replace("claim:", "claim ")
    if shown.startswith("http"):
        shown = compact(shown)
    assert shown in text


def test_shapes_use_only_declared_terms() -> None:
    """Every igfkg: class and property the shapes constrain exists in the ontology."""
    ontology = rdflib.Graph()
    for path in resources.ontology_files():
        ontology.parse(path)
    declared = {str(s) for s in ontology.subjects()}
    g = shapes_graph()
    used = {
        str(o)
        for p in (SH.targetClass, SH.path, SH["class"])
        for o in g.objects(None, p)
        if str(o).startswith("https://w3id.org/igfkg/")
    }
    assert used
    assert used <= declared, used - declared


def test_read_rdf_reports_file_and_line(tmp_path: Path) -> None:
    bad = tmp_path / "bad.ttl"
    bad.write_text("@prefix ex: <http://example.org/> .\nex:a ex:b .\n", encoding="utf-8")
    with pytest.raises(ValueError, match=r"bad\.ttl:2:"):
        read_rdf([bad])
