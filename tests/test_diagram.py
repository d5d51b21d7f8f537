"""Neighbourhood diagrams: hedged claims drawn apart, bounded size, escaped labels, every
format, and clear errors (unknown entity, bad options, Graphviz missing)."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

import igfkg
from igfkg.core.errors import ParameterError, StoreError
from igfkg.explore.diagram import neighbourhood, render, to_dot, to_mermaid
from igfkg.graph import KnowledgeGraph


def test_hedged_claims_are_dashed_and_say_their_certainty(oxkg: KnowledgeGraph) -> None:
    d = neighbourhood(oxkg.backend, oxkg.resolve("IGF-1"))
    dot = to_dot(d)
    hedged = [line for line in dot.splitlines() if "style=dashed" in line]
    assert hedged
    assert any("experimental only" in line for line in hedged)
    plain = [line for line in dot.splitlines() if "->" in line and "style=dashed" not in line]
    assert plain
    mermaid = to_mermaid(d)
    assert mermaid.count("-.->") == len(hedged)


def test_svg_shows_every_node(oxkg: KnowledgeGraph) -> None:
    d = neighbourhood(oxkg.backend, oxkg.resolve("jaw pain"))
    svg = render(d, "svg").decode("utf-8")
    assert svg.lstrip().startswith("<?xml")
    assert "<svg" in svg
    for label in d.nodes.values():
        assert label in svg


def test_size_is_bounded_and_says_what_was_left_out(oxkg: KnowledgeGraph) -> None:
    full = neighbourhood(oxkg.backend, oxkg.resolve("mecasermin"), max_nodes=200)
    small = neighbourhood(oxkg.backend, oxkg.resolve("mecasermin"), max_nodes=5)
    assert len(full.nodes) > 5
    assert len(small.nodes) == 5
    assert small.left_out == len(full.nodes) - 5
    assert all(e.subject in small.nodes and e.object in small.nodes for e in small.edges)
    assert f"{small.left_out} more neighbours not shown" in to_dot(small)
    deeper = neighbourhood(oxkg.backend, oxkg.resolve("jaw pain"), depth=2, max_nodes=200)
    assert len(deeper.nodes) > len(neighbourhood(oxkg.backend, oxkg.resolve("jaw pain")).nodes)


def test_labels_with_markup_and_quotes_are_escaped(tmp_path: Path) -> None:
    kg = igfkg.open()
    data = tmp_path / "odd.ttl"
    data.write_text(
        "<https://w3id.org/igfkg/kb/odd> <http://www.w3.org/2000/01/rdf-schema#label> "
        '"<script>alert(\\"x\\")</script> \\\\ odd"@en ;\n'
        "  <https://w3id.org/igfkg/hasAdverseEffect> <https://w3id.org/igfkg/kb/jaw-pain> .\n",
        encoding="utf-8",
    )
    kg.load(data, graph="https://w3id.org/igfkg/graph/odd")
    d = neighbourhood(kg.backend, kg.resolve("https://w3id.org/igfkg/kb/odd"))
    svg = render(d, "svg").decode("utf-8")
    assert "<script>" not in svg
    assert "&lt;script&gt;" in svg
    mermaid = to_mermaid(d)
    assert "<script>" not in mermaid
    assert "#lt;script#gt;alert(#quot;x#quot;)" in mermaid


def test_bad_options_are_refused(oxkg: KnowledgeGraph) -> None:
    with pytest.raises(ParameterError, match="depth"):
        neighbourhood(oxkg.backend, oxkg.resolve("IGF-1"), depth=4)
    with pytest.raises(ParameterError, match="format"):
        oxkg.diagram("IGF-1", format="gif")


def _cli(*args: str, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[bytes]:
    return subprocess.run(
        [sys.executable, "-m", "igfkg", "diagram", *args],
        capture_output=True,
        env={**os.environ, **(env or {})},
        check=False,
    )


def test_cli_writes_each_format(tmp_path: Path) -> None:
    png = tmp_path / "igf1.png"
    done = _cli("IGF-1", "--format", "png", "--output", str(png))
    assert done.returncode == 0, done.stderr
    assert png.read_bytes().startswith(b"\x89PNG\r\n\x1a\n")
    dot = _cli("IGF-1", "--format", "dot", "--depth", "2")
    assert dot.returncode == 0
    assert dot.stdout.startswith(b"digraph neighbourhood {")


def test_cli_errors_are_one_line() -> None:
    unknown = _cli("no such entity at all")
    assert unknown.returncode == 2
    assert unknown.stderr.decode().count("\n") == 1
    assert "Traceback" not in unknown.stderr.decode()
    missing = _cli("IGF-1", "--format", "svg", env={"PATH": "/nonexistent"})
    assert missing.returncode == 3, missing.stderr
    assert "Graphviz" in missing.stderr.decode()
    assert missing.stderr.decode().count("\n") == 1


def test_missing_graphviz_is_an_environment_error(
    oxkg: KnowledgeGraph, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("PATH", "/nonexistent")
    with pytest.raises(StoreError, match="Graphviz"):
        oxkg.diagram("IGF-1", format="svg")
    assert oxkg.diagram("IGF-1", format="dot").startswith(b"digraph")


def test_axis_picture_has_members_disturbances_and_the_drug(oxkg: KnowledgeGraph) -> None:
    from igfkg.explore.diagram import axis_diagram

    d = axis_diagram(oxkg.backend)
    labels = set(d.nodes.values())
    assert {
        "growth hormone",
        "insulin-like growth factor 1",
        "growth hormone receptor",
        "IGF binding protein 3",
        "acid-labile subunit",
        "increased growth hormone secretion",
        "reduced plasma IGF-1",
        "mecasermin",
        "glycaemic control",
    } <= labels
    assert not any(e.predicate.endswith("hasAdverseEffect") for e in d.edges)
    dot = to_dot(d)
    assert any(
        "improves (probable)" in line and "style=dashed" in line for line in dot.splitlines()
    )
    assert any(
        "is recombinant form of" in line and "dashed" not in line for line in dot.splitlines()
    )


def test_cli_axis_or_entity() -> None:
    assert _cli("--axis", "--format", "dot").stdout.startswith(b"digraph")
    assert _cli("--axis", "IGF-1", "--format", "dot").returncode == 2
    assert _cli("--format", "dot").returncode == 2
