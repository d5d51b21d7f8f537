"""The wheel carries the ontology, shapes and queries and works outside the repository."""

from __future__ import annotations

import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent


@pytest.fixture(scope="module")
def wheel(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("dist")
    subprocess.run(
        [
            sys.executable,
            "-m",
            "build",
            "--wheel",
            "--no-isolation",
            "--outdir",
            str(out),
            str(ROOT),
        ],
        check=True,
        capture_output=True,
    )
    (path,) = out.glob("igfkg-*.whl")
    return path


def test_wheel_contents(wheel: Path) -> None:
    names = set(zipfile.ZipFile(wheel).namelist())
    for required in [
        "igfkg/py.typed",
        "igfkg/_data/ontology/igfkg.ttl",
        "igfkg/_data/ontology/kb/claims.ttl",
        "igfkg/_data/shapes/igfkg-shapes.ttl",
        "igfkg/_data/queries/adverse-effects.rq",
        "igfkg/web/templates/ontology-doc.html",
        "igfkg/web/sparql/ontology-doc.rq",
    ]:
        assert required in names


def test_installed_wheel_runs_a_query_outside_the_repo(wheel: Path, tmp_path: Path) -> None:
    venv = tmp_path / "venv"
    # Dependencies come from the running environment; the wheel itself is installed fresh.
    subprocess.run([sys.executable, "-m", "venv", "--system-site-packages", str(venv)], check=True)
    python = venv / "bin" / "python"
    subprocess.run(
        [
            str(python),
            "-m",
            "pip",
            "install",
            "--quiet",
            "--no-deps",
            "--force-reinstall",
            "--disable-pip-version-check",
            str(wheel),
        ],
        check=True,
    )
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    probe = subprocess.run(
        [str(python), "-c", "import igfkg.core.resources as r; print(r.data_root())"],
        cwd=elsewhere,
        check=True,
        capture_output=True,
        text=True,
    )
    assert str(venv) in probe.stdout
    result = subprocess.run(
        [str(venv / "bin" / "igfkg"), "query", "adverse-effects", "--format", "tsv"],
        cwd=elsewhere,
        check=True,
        capture_output=True,
        text=True,
    )
    expected = (ROOT / "tests" / "data" / "golden" / "adverse-effects.tsv").read_text()
    assert result.stdout == expected
    module = subprocess.run(
        [str(python), "-m", "igfkg", "queries"],
        cwd=elsewhere,
        check=True,
        capture_output=True,
        text=True,
    )
    assert "axis-members" in module.stdout
