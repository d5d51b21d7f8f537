"""The README shows real output and the current catalog."""

from __future__ import annotations

import re
from pathlib import Path

from click.testing import CliRunner

from igfkg.cli import main
from igfkg.explore.catalog import catalog

README = (Path(__file__).resolve().parent.parent / "README.md").read_text(encoding="utf-8")


def _block(name: str) -> str:
    m = re.search(rf"<!-- {name} -->\n(.*?)<!-- /{name} -->", README, re.S)
    assert m, name
    return m.group(1)


def test_readme_catalog_is_generated() -> None:
    assert _block("catalog") == catalog().to_markdown()


def test_readme_main_output_is_real() -> None:
    result = CliRunner().invoke(main, ["query", "adverse-effects"])
    assert result.exit_code == 0
    assert _block("main-output") == f"```text\n{result.stdout}```\n"


def test_readme_test_command_is_what_ci_runs() -> None:
    ci = (Path(__file__).resolve().parent.parent / ".ci" / "run").read_text(encoding="utf-8")
    assert "bash scripts/test.sh" in README
    assert "scripts/test.sh" in ci


def test_readme_axis_diagram_is_generated() -> None:
    import igfkg

    drawn = igfkg.open().axis_diagram(format="mermaid").decode("utf-8")
    assert _block("axis-diagram") == f"```mermaid\n{drawn}```\n"
