"""The command line as a newcomer meets it: every command's help has an example, ``query
--help`` lists the queries and their parameters, ``-p`` means ``--param`` wherever it exists,
``-v`` says what a command does without changing its answer, long work reports progress in
whole lines, and shell completion knows the query ids."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import click
import pytest

from igfkg.cli import main
from igfkg.explore.catalog import catalog

from .conftest import DATA


def _commands() -> list[tuple[str, click.Command]]:
    out: list[tuple[str, click.Command]] = [("", main)]
    ctx = click.Context(main)
    for name in main.list_commands(ctx):
        command = main.get_command(ctx, name)
        assert command is not None
        out.append((name, command))
        if isinstance(command, click.Group):
            sub = click.Context(command)
            for child in command.list_commands(sub):
                found = command.get_command(sub, child)
                assert found is not None
                out.append((f"{name} {child}", found))
    return out


def run(*args: str, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "igfkg", *args],
        capture_output=True,
        text=True,
        check=False,
        env={**os.environ, **(env or {})},
    )


@pytest.mark.parametrize(("name", "command"), _commands(), ids=lambda c: str(c) or "igfkg")
def test_every_command_help_has_an_example(name: str, command: click.Command) -> None:
    done = run(*name.split(), "--help")
    assert done.returncode == 0, done.stderr
    assert "Example" in done.stdout, name
    assert "igfkg " in done.stdout.split("Example", 1)[1]


def test_p_means_param_everywhere() -> None:
    for name, command in _commands():
        for param in command.params:
            if isinstance(param, click.Option) and "-p" in param.opts:
                assert param.name == "params", (name, param.opts)


def test_query_help_lists_every_query_and_its_parameters() -> None:
    text = " ".join(run("query", "--help").stdout.split())
    for query in catalog():
        assert query.id in text
        for param in query.params:
            assert param.name in text


def test_verbose_says_what_it_does_and_keeps_the_answer() -> None:
    quiet = run("query", "adverse-effects")
    loud = run("-v", "query", "adverse-effects")
    assert loud.returncode == quiet.returncode == 0
    assert loud.stdout == quiet.stdout
    assert "igfkg: opened the bundled graph in memory" in loud.stderr
    assert "igfkg: query adverse-effects with the defaults: 8 rows in" in loud.stderr
    assert quiet.stderr == ""


def test_long_work_reports_progress_in_whole_lines(tmp_path: Path) -> None:
    store = tmp_path / "store"
    done = run("--store", str(store), "ingest", "pubmed", str(DATA / "pubmed" / "seed-like.xml"))
    assert done.returncode == 0, done.stderr
    done = run(
        "-v", "--store", str(store), "ingest", "mesh", str(DATA / "mesh" / "tree-subset.tsv")
    )
    assert done.returncode == 0, done.stderr
    progress = [line for line in done.stderr.splitlines() if "literature index" in line]
    assert progress, done.stderr
    assert progress[-1].startswith("igfkg: literature index: graphs recounted: ")
    assert progress[-1].endswith("(100%)")
    assert all("\r" not in line for line in done.stderr.splitlines())
    assert "tree numbers" in done.stdout  # the answer stays on standard output


def test_shell_completion_knows_query_ids() -> None:
    script = shutil.which("igfkg")
    assert script is not None, "the igfkg command is installed with the package"
    env = {**os.environ, "_IGFKG_COMPLETE": "bash_complete", "COMP_WORDS": "igfkg query adv",
           "COMP_CWORD": "2"}  # fmt: skip
    done = subprocess.run([script], capture_output=True, text=True, env=env, check=False)
    assert "plain,adverse-effects" in done.stdout.splitlines()
    env["_IGFKG_COMPLETE"] = "bash_source"
    source = subprocess.run([script], capture_output=True, text=True, env=env, check=False)
    assert "_igfkg_completion()" in source.stdout
