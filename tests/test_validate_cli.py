"""``igfkg validate DATA --shapes SHAPES``: any data against any shapes, the report as text, as
the W3C report graph (Turtle, JSON-LD) or as plain JSON, with exit codes 0/1/2; and
``kg.validate(shapes=...)``."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest
import rdflib
from click.testing import CliRunner

import igfkg
from igfkg.cli import main
from igfkg.quality.fastshacl import UnsupportedShapeError
from igfkg.quality.shacl import validate

SH = rdflib.Namespace("http://www.w3.org/ns/shacl#")
EX = "http://example.org/"

SHAPES = f"""
@prefix sh: <http://www.w3.org/ns/shacl#> . @prefix ex: <{EX}> .
@prefix xsd: <http://www.w3.org/2001/XMLSchema#> .
ex:PersonShape a sh:NodeShape ; sh:targetClass ex:Person ;
  sh:property [ sh:path ex:age ; sh:datatype xsd:integer ; sh:maxCount 1 ] ;
  sh:property [ sh:path ( ex:knows ex:name ) ; sh:minCount 1 ; sh:message "needs a named friend" ] ;
  sh:property [ sh:path [ sh:inversePath ex:parent ] ; sh:maxCount 0 ; sh:severity sh:Warning ] .
"""
BAD = f"""@prefix ex: <{EX}> .
ex:a a ex:Person ; ex:age "x", 3 . ex:c ex:parent ex:a .
"""
GOOD = f"""@prefix ex: <{EX}> .
ex:a a ex:Person ; ex:age 3 ; ex:knows [ ex:name "b" ] .
"""
#: (focus, component, severity, value) of each result BAD must give, in N-Triples / sh: terms.
EXPECTED = sorted(
    [
        (f"<{EX}a>", "sh:DatatypeConstraintComponent", "sh:Violation", '"x"'),
        (f"<{EX}a>", "sh:MaxCountConstraintComponent", "sh:Violation", None),
        (f"<{EX}a>", "sh:MinCountConstraintComponent", "sh:Violation", None),
        (f"<{EX}a>", "sh:MaxCountConstraintComponent", "sh:Warning", None),
    ],
    key=str,
)


def run(*args: str) -> tuple[int, str, str]:
    result = CliRunner().invoke(main, list(args))
    return result.exit_code, result.stdout, result.stderr


@pytest.fixture
def files(tmp_path: Path) -> dict[str, Path]:
    out = {}
    for name, text in (("shapes.ttl", SHAPES), ("bad.ttl", BAD), ("good.ttl", GOOD)):
        out[name] = tmp_path / name
        out[name].write_text(text, encoding="utf-8")
    return out


@pytest.mark.parametrize("engine", ["pyshacl", "auto"])
def test_conforms_exit_0_not_conforms_exit_1(files: dict[str, Path], engine: str) -> None:
    shapes = str(files["shapes.ttl"])
    code, out, _ = run("validate", str(files["good.ttl"]), "--shapes", shapes, "--engine", engine)
    assert code == 0, out
    assert out.startswith("Conforms: yes (0 results)")
    code, out, _ = run("validate", str(files["bad.ttl"]), "--shapes", shapes, "--engine", engine)
    assert code == 1, out
    assert out.startswith("Conforms: no (4 results: 3 violations, 1 warning)")


def test_text_report_for_people(files: dict[str, Path]) -> None:
    shapes = str(files["shapes.ttl"])
    code, out, _ = run("validate", str(files["bad.ttl"]), "--shapes", shapes, "--engine", "pyshacl")
    assert code == 1
    assert out.splitlines()[1] == "Engine: pyshacl for every shape"
    blocks = out.split("\n\n")[1:]
    assert len(blocks) == 4
    datatype = next(b for b in blocks if "sh:DatatypeConstraintComponent" in b)
    assert datatype.splitlines() == [
        f"Violation  <{EX}PersonShape> / property <{EX}age>",
        f"    focus node: <{EX}a>",
        f"    path:       <{EX}age>",
        '    value:      "x"',
        "    component:  sh:DatatypeConstraintComponent",
        "    message:    Value is not Literal with datatype xsd:integer",
    ]
    assert f"    path:       (<{EX}knows>/<{EX}name>)" in out
    assert f"Warning  <{EX}PersonShape> / property ^<{EX}parent>" in out
    assert "    message:    needs a named friend" in out


def _from_json(text: str) -> tuple[bool, list[tuple[str, str, str, str | None]], dict[str, str]]:
    doc = json.loads(text)
    rows = [
        (r["focusNode"], r["sourceConstraintComponent"], r["resultSeverity"], r["value"])
        for r in doc["results"]
    ]
    return doc["conforms"], sorted(rows, key=str), doc["engines"]


def _from_rdf(text: str, fmt: str) -> tuple[bool, list[tuple[str, str, str, str | None]]]:
    g = rdflib.Graph().parse(data=text, format=fmt)
    (report,) = g.subjects(rdflib.RDF.type, SH.ValidationReport)
    conforms = g.value(report, SH.conforms)
    assert conforms is not None
    rows = []
    for result in g.objects(report, SH.result):
        assert (result, rdflib.RDF.type, SH.ValidationResult) in g
        value = g.value(result, SH.value)
        rows.append(
            (
                f"<{g.value(result, SH.focusNode)}>",
                "sh:" + str(g.value(result, SH.sourceConstraintComponent)).removeprefix(str(SH)),
                "sh:" + str(g.value(result, SH.resultSeverity)).removeprefix(str(SH)),
                None if value is None else value.n3(),
            )
        )
        path = g.value(result, SH.resultPath)
        assert path is not None
        if isinstance(path, rdflib.BNode):  # the path expression travels with the report
            inverse = g.value(path, SH.inversePath)
            steps = list(rdflib.collection.Collection(g, path)) if inverse is None else []
            assert inverse == rdflib.URIRef(EX + "parent") or steps == [
                rdflib.URIRef(EX + "knows"),
                rdflib.URIRef(EX + "name"),
            ]
    assert isinstance(conforms, rdflib.Literal)
    return bool(conforms.toPython()), sorted(rows, key=str)


@pytest.mark.filterwarnings("ignore:ConjunctiveGraph is deprecated:DeprecationWarning")
def test_every_format_parses_back_with_the_same_results(files: dict[str, Path]) -> None:
    shapes = str(files["shapes.ttl"])
    args = ["validate", str(files["bad.ttl"]), "--shapes", shapes, "--engine", "pyshacl"]
    code, out, _ = run(*args, "--format", "json")
    assert code == 1
    conforms, rows, engines = _from_json(out)
    assert (conforms, rows) == (False, EXPECTED)
    assert engines == {f"<{EX}PersonShape>": "pyshacl"}
    paths = sorted(r["resultPath"] for r in json.loads(out)["results"])
    assert paths == [f"(<{EX}knows>/<{EX}name>)", f"<{EX}age>", f"<{EX}age>", f"^<{EX}parent>"]
    for fmt, parser in (("ttl", "turtle"), ("jsonld", "json-ld")):
        code, out, _ = run(*args, "--format", fmt)
        assert code == 1
        assert _from_rdf(out, parser) == (False, EXPECTED), fmt
    code, out, _ = run(*args, "--format", "jsonld")
    doc = json.loads(out)
    assert doc["@context"]["sh"] == str(SH)  # compact names: sh:focusNode, ...
    assert "sh:ValidationResult" in out
    code, out, _ = run(*args, "--format", "ttl")
    assert "@prefix sh: <http://www.w3.org/ns/shacl#>" in out
    readers: list[tuple[str, str | None]] = [
        ("json", None),
        ("ttl", "turtle"),
        ("jsonld", "json-ld"),
    ]
    for name, reader in readers:
        code, out, _ = run("validate", str(files["good.ttl"]), "--shapes", shapes, "--format", name)
        assert code == 0
        parsed = _from_json(out)[:2] if reader is None else _from_rdf(out, reader)
        assert parsed == (True, [])


@pytest.mark.parametrize("which", ["data", "shapes"])
def test_syntax_error_is_one_line_exit_2(files: dict[str, Path], which: str) -> None:
    broken = files["bad.ttl"].with_name("broken.ttl")
    broken.write_text(f"@prefix ex: <{EX}> .\n\nex:a ex:b ex:c ;\n", encoding="utf-8")
    data = broken if which == "data" else files["good.ttl"]
    shapes = broken if which == "shapes" else files["shapes.ttl"]
    code, out, err = run("validate", str(data), "--shapes", str(shapes))
    assert (code, out) == (2, "")
    assert err.count("\n") == 1
    assert err.startswith("igfkg: error: ")
    assert "broken.ttl:4:" in err


def test_missing_shapes_file_exit_2(files: dict[str, Path]) -> None:
    code, _, err = run("validate", str(files["good.ttl"]), "--shapes", "/nonexistent/s.ttl")
    assert code == 2
    assert err.count("\n") == 1
    assert "s.ttl" in err


ILL_FORMED = {
    "count": ('sh:property [ sh:path ex:age ; sh:minCount "many" ] .', "minCount"),
    "sparql": ('sh:sparql [ sh:select "SELECT nonsense WHERE {}" ] .', "does not parse"),
    "no-path": ("sh:property [ sh:minCount 1 ] .", "PropertyShape"),
}


@pytest.mark.parametrize("case", sorted(ILL_FORMED))
def test_ill_formed_shapes_exit_2_one_line(files: dict[str, Path], case: str) -> None:
    """Run as a process: pySHACL logs its own errors to stderr, which must stay one line."""
    body, named = ILL_FORMED[case]
    ill = files["shapes.ttl"].with_name("ill.ttl")
    ill.write_text(
        f"@prefix sh: <http://www.w3.org/ns/shacl#> . @prefix ex: <{EX}> .\n"
        f"ex:S a sh:NodeShape ; sh:targetClass ex:Person ;\n  {body}\n",
        encoding="utf-8",
    )
    args = ["validate", str(files["bad.ttl"]), "--shapes", str(ill), "--engine", "pyshacl"]
    done = subprocess.run(
        [sys.executable, "-m", "igfkg", *args], capture_output=True, text=True, check=False
    )
    assert (done.returncode, done.stdout) == (2, "")
    assert done.stderr.count("\n") == 1, done.stderr
    assert done.stderr.startswith("igfkg: error: ill-formed shapes: ")
    assert named in done.stderr


def test_recursive_shapes_warn_in_one_line(files: dict[str, Path]) -> None:
    recursive = files["shapes.ttl"].with_name("recursive.ttl")
    recursive.write_text(
        f"@prefix sh: <http://www.w3.org/ns/shacl#> . @prefix ex: <{EX}> .\n"
        "ex:S a sh:NodeShape ; sh:targetClass ex:Person ; sh:node ex:S .\n",
        encoding="utf-8",
    )
    args = ["validate", str(files["good.ttl"]), "--shapes", str(recursive), "--engine", "pyshacl"]
    code, out, err = run(*args)
    assert code == 0
    assert out.startswith("Conforms: yes")
    assert err.count("\n") == 1
    assert err.startswith("igfkg: warning: ")
    assert "Recursive" in err


def test_fast_engine_refusal_exit_2_names_the_construct(files: dict[str, Path]) -> None:
    """A SPARQL-based target (SHACL Advanced Features) is outside the compiled subset."""
    shapes = files["shapes.ttl"].with_name("target.ttl")
    shapes.write_text(
        f"@prefix sh: <http://www.w3.org/ns/shacl#> . @prefix ex: <{EX}> .\n"
        "ex:S a sh:NodeShape ;\n"
        "  sh:target [ a sh:SPARQLTarget ; sh:select 'SELECT ?this WHERE { ?this ?p ?o }' ] ;\n"
        "  sh:property [ sh:path ex:name ; sh:minCount 1 ] .\n",
        encoding="utf-8",
    )
    graph = rdflib.Graph().parse(shapes, format="turtle")
    with pytest.raises(UnsupportedShapeError) as refusal:
        validate(rdflib.Graph().parse(files["good.ttl"]), graph, engine="fast")
    code, out, err = run(
        "validate", str(files["good.ttl"]), "--shapes", str(shapes), "--engine", "fast"
    )
    assert (code, out) == (2, "")
    assert err.count("\n") == 1
    assert err.startswith("igfkg: error: ")
    # The engine's own words, naming the shape and the construct (blank-node ids differ).
    assert "sh:target" in str(refusal.value)
    assert "<http://example.org/S>: sh:target " in err
    assert err.rstrip().endswith("is not compiled")
    code, _, _ = run("validate", str(files["good.ttl"]), "--shapes", str(shapes))
    assert code == 1  # auto validates it (with pySHACL): ex:a has no ex:name


def test_with_ontology_supplies_the_class_hierarchy(tmp_path: Path) -> None:
    shapes = tmp_path / "hormone.ttl"
    shapes.write_text(
        "@prefix sh: <http://www.w3.org/ns/shacl#> . @prefix igfkg: <https://w3id.org/igfkg/> .\n"
        "<urn:s> a sh:NodeShape ; sh:targetClass igfkg:Hormone ;\n"
        "  sh:property [ sh:path igfkg:secretedBy ; sh:minCount 1 ] .\n",
        encoding="utf-8",
    )
    data = tmp_path / "data.nt"
    data.write_text(
        "<urn:x> <http://www.w3.org/1999/02/22-rdf-syntax-ns#type> "
        "<https://w3id.org/igfkg/PeptideHormone> .\n",
        encoding="utf-8",
    )
    args = ["validate", str(data), "--shapes", str(shapes), "--format", "json"]
    code, out, _ = run(*args)
    assert (code, json.loads(out)["results"]) == (0, [])  # no hierarchy: not a target
    code, out, _ = run(*args, "--with-ontology")
    assert code == 1
    assert [r["focusNode"] for r in json.loads(out)["results"]] == ["<urn:x>"]


def test_bundled_shapes_as_w3c_report() -> None:
    from .conftest import DATA

    fixture = str(DATA / "shapes" / "ClaimQuoteInSourceShape.ttl")
    code, out, _ = run("validate", fixture, "--format", "json", "--engine", "pyshacl")
    assert code == 1
    shapes = {r["sourceShape"] for r in json.loads(out)["results"]}
    assert "<https://w3id.org/igfkg/shapes/ClaimQuoteInSourceShape>" in shapes
    code, out, _ = run("validate", "--format", "ttl", "--engine", "pyshacl")
    assert code == 0
    assert _from_rdf(out, "turtle") == (True, [])


def test_kg_validate_with_shapes(files: dict[str, Path]) -> None:
    kg = igfkg.open("oxigraph:", bundled=False)
    kg.load(files["bad.ttl"], graph="https://example.org/g1")
    by_path = kg.validate(shapes=[files["shapes.ttl"]], engine="pyshacl")
    graph = rdflib.Graph().parse(files["shapes.ttl"], format="turtle")
    by_graph = kg.validate(shapes=graph, engine="pyshacl")
    for report in (by_path, by_graph):
        assert report.conforms is False
        rows = sorted(
            (
                f"<{r.focus}>",
                "sh:" + r.component.removeprefix(str(SH)),
                "sh:" + r.severity.removeprefix(str(SH)),
                None if r.value is None else r.value.n3(),
            )
            for r in report.results
        )
        assert sorted(rows, key=str) == EXPECTED
    # The union of the named graphs: a friend with a name in another graph satisfies the path.
    fix = files["bad.ttl"].with_name("fix.ttl")
    fix.write_text(f'<{EX}a> <{EX}knows> [ <{EX}name> "b" ] .\n', encoding="utf-8")
    kg.load(fix, graph="https://example.org/g2")
    results = kg.validate(shapes=graph, engine="pyshacl").results
    assert len(results) == 3
    assert str(SH.MinCountConstraintComponent) not in {r.component for r in results}
    assert kg.validate().conforms  # without shapes: the bundled shapes, as before


def test_store_against_user_shapes(tmp_path: Path) -> None:
    """Without DATA, --shapes validates the store's graphs (here the bundled graph)."""
    shapes = tmp_path / "drugs.ttl"
    shapes.write_text(
        "@prefix sh: <http://www.w3.org/ns/shacl#> .\n"
        "<urn:s> a sh:NodeShape ; sh:targetClass <https://w3id.org/igfkg/Drug> ;\n"
        "  sh:property [ sh:path <https://w3id.org/igfkg/atcCode> ; sh:minCount 1 ] ;\n"
        "  sh:property [ sh:path <https://w3id.org/igfkg/hasAdverseEffect> ; sh:minCount 1 ] .\n",
        encoding="utf-8",
    )
    code, out, _ = run("validate", "--shapes", str(shapes), "--format", "json")
    assert code == 1
    kg = igfkg.open()
    without = kg.select(
        "SELECT ?d WHERE { ?d a <https://w3id.org/igfkg/Drug> "
        "FILTER NOT EXISTS { ?d <https://w3id.org/igfkg/hasAdverseEffect> ?e } }"
    )
    expected = sorted(f"<{d.value}>" for d in (row["d"] for row in without) if d is not None)
    assert len(expected) > 0
    adverse = "<https://w3id.org/igfkg/hasAdverseEffect>"
    results = json.loads(out)["results"]
    assert sorted(r["focusNode"] for r in results if r["resultPath"] == adverse) == expected


def test_text_says_which_engine_validated_which_shapes() -> None:
    """When auto mixes engines, the text report lists the shapes of each."""
    from igfkg.quality.shacl import Report, Result
    from igfkg.quality.validation import render_report

    result = Result(
        focus=rdflib.URIRef(EX + "a"),
        shape=rdflib.URIRef(EX + "B"),
        component=str(SH.ClassConstraintComponent),
        value=rdflib.Literal(5),
    )
    report = Report(False, [result], rdflib.Graph(), {EX + "A": "compiled", EX + "B": "pyshacl"})
    text = render_report(report, "text")
    assert text.splitlines()[:3] == [
        "Conforms: no (1 result: 1 violation)",
        f"Engine: compiled for <{EX}A>",
        f"Engine: pyshacl for <{EX}B>",
    ]
    assert '    value:      "5"^^xsd:integer' in text
    doc = json.loads(render_report(report, "json"))
    assert doc["engines"] == {f"<{EX}A>": "compiled", f"<{EX}B>": "pyshacl"}
    assert doc["results"][0]["value"] == '"5"^^<http://www.w3.org/2001/XMLSchema#integer>'


def test_literals_stay_on_one_line() -> None:
    from igfkg.quality.shacl import Report, Result
    from igfkg.quality.validation import render_report

    value = rdflib.Literal('two\nlines "quoted"', lang="en")
    result = Result(
        rdflib.URIRef(EX + "a"),
        rdflib.URIRef(EX + "S"),
        str(SH.PatternConstraintComponent),
        value=value,
    )
    report = Report(False, [result], rdflib.Graph(), {EX + "S": "pyshacl"})
    assert '    value:      "two\\nlines \\"quoted\\""@en\n' in render_report(report, "text")
    (row,) = json.loads(render_report(report, "json"))["results"]
    assert row["value"] == '"two\\nlines \\"quoted\\""@en'
    graph = rdflib.Graph().parse(data=f"<{EX}s> <{EX}p> {row['value']} .", format="nt")
    assert graph.value(rdflib.URIRef(EX + "s"), rdflib.URIRef(EX + "p")) == value  # N-Triples


@pytest.mark.filterwarnings("ignore:ConjunctiveGraph is deprecated:DeprecationWarning")
@pytest.mark.parametrize(
    "fixture", ["EntityMappingShape", "EntityLabelShape", "ClaimQuoteInSourceShape"]
)
def test_rdf_report_of_a_bad_fixture_says_what_the_text_says(fixture: str) -> None:
    """The W3C report (ttl, jsonld) and the JSON of a known-bad fixture: does not conform, with
    the shapes and focus nodes the text report and the fixture manifest name."""
    import csv

    from igfkg.core.namespaces import compact, expand_curie

    from .conftest import DATA

    path = DATA / "shapes" / f"{fixture}.ttl"
    with (DATA / "shapes" / "manifest.tsv").open(encoding="utf-8") as handle:
        wanted = {
            (r["shape"], r["focus"]) for r in csv.DictReader(handle, delimiter="\t")
            if r["file"] == path.name
        }  # fmt: skip

    def name(node: rdflib.term.Node) -> str:  # a focus node as the text report names it
        if isinstance(node, rdflib.BNode):
            return "claim"  # a claim node: the text names it by its identifier, RDF cannot
        return compact(str(node))

    code, text, _ = run("validate", str(path))
    assert code == 1
    lines = [line.split() for line in text.splitlines() if line.startswith("VIOLATION ")]
    said = {(words[1].rstrip(":"), words[2]) for words in lines}
    assert {s.removeprefix("shapes:") for s, _ in said} == {s for s, _ in wanted}
    for fmt, parser in (("ttl", "turtle"), ("jsonld", "json-ld")):
        code, out, _ = run("validate", str(path), "--format", fmt)
        assert code == 1, fmt
        g = rdflib.Graph().parse(data=out, format=parser)
        (report,) = g.subjects(rdflib.RDF.type, SH.ValidationReport)
        assert g.value(report, SH.conforms) == rdflib.Literal(False)
        results = list(g.objects(report, SH.result))
        got = {
            (compact(str(g.value(r, SH.sourceShape))), name(g.value(r, SH.focusNode)))
            for r in results
        }
        assert got == said, fmt
        for r in results:
            assert g.value(r, SH.resultSeverity) == SH.Violation
            assert g.value(r, SH.sourceConstraintComponent) is not None
            assert g.value(r, SH.resultMessage) is not None
        for focus in (f for _, f in wanted if not f.startswith("claim")):
            assert (None, SH.focusNode, rdflib.URIRef(expand_curie(focus) or focus)) in g
    code, out, _ = run("validate", str(path), "--format", "json")
    doc = json.loads(out)
    assert (code, doc["conforms"]) == (1, False)
    assert {compact(r["sourceShape"].strip("<>")) for r in doc["results"]} == {s for s, _ in said}
