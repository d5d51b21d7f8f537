"""The package's layers: imports run one way, fixed SPARQL lives in packaged .rq files that
parse, and generated SPARQL is built from RDF terms only."""

from __future__ import annotations

import ast
import re
import shutil
import subprocess
from pathlib import Path

import pyoxigraph as ox
import pytest
from rdflib.plugins.sparql.parser import parseQuery, parseUpdate

from igfkg.core import sparql

PACKAGE = Path(__file__).resolve().parent.parent / "igfkg"
RQ_FILES = sorted(PACKAGE.rglob("sparql/*.rq"))
# The SHACL compiler generates SPARQL from shapes: its templates are structure, and every term
# in them goes through igfkg.core.sparql.term (checked IRIs and literals, never blank nodes).
GENERATORS = {
    "quality/fastshacl.py",
    # the SHACL compiler: its query templates are structure, terms bound via sparql.term
    "quality/shacl/compiled.py",
}
_KEYWORDS = re.compile(r"\b(SELECT|ASK|CONSTRUCT|DESCRIBE|INSERT|DELETE)\b[^\n]*\{")


def _filled(text: str) -> str:
    return re.sub(r"\$\{\w+\}", "<urn:igfkg:placeholder>", text)


def _is_update(text: str) -> bool:
    try:
        parseUpdate(text)
    except Exception:
        return False
    return True


def test_there_are_packaged_queries() -> None:
    assert len(RQ_FILES) >= 25


@pytest.mark.parametrize("path", RQ_FILES, ids=lambda p: str(p.relative_to(PACKAGE)))
def test_packaged_sparql_parses_in_both_engines(path: Path) -> None:
    text = _filled(path.read_text(encoding="utf-8"))
    store = ox.Store()
    if _is_update(text):
        store.update(text)  # on an empty store: parses and runs
    else:
        parseQuery(text)
        store.query(text, use_default_graph_as_union=True)


@pytest.mark.parametrize("path", RQ_FILES, ids=lambda p: str(p.relative_to(PACKAGE)))
def test_packaged_sparql_is_used(path: Path) -> None:
    package = ".".join(path.parent.parent.relative_to(PACKAGE.parent).parts)
    call = f'sparql.load("{package}", "{path.stem}")'
    sources = (p.read_text(encoding="utf-8") for p in path.parent.parent.rglob("*.py"))
    assert any(call in source for source in sources), f"nothing loads {path.name}"


def _inline_sparql(path: Path) -> list[int]:
    """Lines of string constants (not docstrings) that hold SPARQL."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    docstrings = {
        id(node.body[0].value)
        for node in ast.walk(tree)
        if isinstance(node, ast.Module | ast.ClassDef | ast.FunctionDef | ast.AsyncFunctionDef)
        and node.body
        and isinstance(node.body[0], ast.Expr)
        and isinstance(node.body[0].value, ast.Constant)
    }
    return [
        node.lineno
        for node in ast.walk(tree)
        if isinstance(node, ast.Constant)
        and isinstance(node.value, str)
        and id(node) not in docstrings
        and _KEYWORDS.search(node.value)
    ]


def test_no_sparql_inside_python_modules() -> None:
    found = {
        str(path.relative_to(PACKAGE)): lines
        for path in sorted(PACKAGE.rglob("*.py"))
        if str(path.relative_to(PACKAGE)) not in GENERATORS and (lines := _inline_sparql(path))
    }
    assert found == {}


def test_inline_sparql_detector_sees_a_query(tmp_path: Path) -> None:
    module = tmp_path / "m.py"
    module.write_text(
        '"""Doc: SELECT ?x WHERE { ?x ?p ?o }"""\nQ = "SELECT ?x WHERE { ?x ?p ?o }"\n'
    )
    assert _inline_sparql(module) == [2]


def test_fill_refuses_text_and_blank_nodes() -> None:
    with pytest.raises(TypeError):
        sparql.fill("ASK { ${s} ?p ?o }", s="<http://x/a>")  # type: ignore[arg-type]
    with pytest.raises(TypeError):
        sparql.fill("ASK { ${s} ?p ?o }", s=ox.BlankNode("b0"))  # type: ignore[arg-type]
    with pytest.raises(KeyError):
        sparql.fill("ASK { ${s} ?p ?o }")


def test_insert_data_round_trips_hostile_literals() -> None:
    g = ox.NamedNode("http://x/g")
    quad = ox.Quad(
        ox.NamedNode("http://x/a"), ox.NamedNode("http://x/p"), ox.Literal('"} ; DROP ALL #\n'), g
    )
    store = ox.Store()
    store.update(sparql.insert_data([quad]))
    assert list(store) == [quad]
    store.update(sparql.delete_data([quad]))
    assert len(store) == 0


def test_imports_run_one_way() -> None:
    lint = shutil.which("lint-imports")
    assert lint is not None, "import-linter is a dev dependency"
    out = subprocess.run([lint], capture_output=True, text=True, cwd=PACKAGE.parent)
    assert out.returncode == 0, out.stdout[-2000:]
