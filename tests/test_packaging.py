"""The wheel carries the ontology, shapes, queries, licences, notice and citation file, passes
``twine check`` with its sdist, and works outside the repository."""

from __future__ import annotations

import email
import os
import re
import subprocess
import sys
import tomllib
import zipfile
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
PYPROJECT = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]
LEGAL = ("LICENSE", "LICENSE-DATA", "NOTICE", "CITATION.cff")
# The installed wheel is what runs: no PYTHONPATH leading back to a source tree.
CLEAN_ENV = {k: v for k, v in os.environ.items() if k != "PYTHONPATH"}


@pytest.fixture(scope="module")
def dist(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The sdist, and the wheel built from it (as ``python -m build`` does)."""
    out = tmp_path_factory.mktemp("dist")
    subprocess.run(
        [sys.executable, "-m", "build", "--no-isolation", "--outdir", str(out), str(ROOT)],
        check=True,
        capture_output=True,
    )
    return out


@pytest.fixture(scope="module")
def wheel(dist: Path) -> Path:
    (path,) = dist.glob("igfkg-*.whl")
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


def test_twine_check_passes(dist: Path) -> None:
    files = sorted(str(p) for p in dist.iterdir())
    assert sorted(Path(f).suffix for f in files) == [".gz", ".whl"]
    result = subprocess.run(
        [sys.executable, "-m", "twine", "check", "--strict", *files],
        capture_output=True,
        text=True,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert result.stdout.count("PASSED") == 2


def test_wheel_carries_licences_notice_and_citation(wheel: Path) -> None:
    archive = zipfile.ZipFile(wheel)
    info = f"igfkg-{PYPROJECT['version']}.dist-info"
    for name in LEGAL:
        # igfkg/_data: what igfkg build copies into a release from an installed wheel
        assert archive.read(f"igfkg/_data/{name}") == (ROOT / name).read_bytes(), name
    for name in PYPROJECT["license-files"]:
        # the dist-info licences (PEP 639) that installers and PyPI show
        assert archive.read(f"{info}/licenses/{name}") == (ROOT / name).read_bytes(), name


def test_wheel_metadata_is_ready_to_publish(wheel: Path) -> None:
    info = f"igfkg-{PYPROJECT['version']}.dist-info"
    meta = email.message_from_bytes(zipfile.ZipFile(wheel).read(f"{info}/METADATA"))
    assert meta["Name"] == "igfkg"
    assert meta["Version"] == PYPROJECT["version"]
    assert meta["License-Expression"] == "MIT AND CC-BY-4.0"
    assert meta.get_all("License-File") == ["LICENSE", "LICENSE-DATA", "NOTICE"]
    assert meta["Requires-Python"] == ">=3.11"
    assert meta.get_all("Project-URL") == ["Homepage, https://w3id.org/igfkg/"]
    assert meta["Description-Content-Type"] == "text/markdown"
    assert meta.get_payload().startswith("# igfkg\n")
    classifiers = meta.get_all("Classifier")
    for expected in [
        "Programming Language :: Python :: 3.11",
        "Topic :: Scientific/Engineering :: Bio-Informatics",
        "Operating System :: OS Independent",
    ]:
        assert expected in classifiers
    # PEP 639: the licence is the License-Expression; licence classifiers are deprecated.
    assert not [c for c in classifiers if c.startswith("License ::")]
    assert "knowledge graph" in meta["Keywords"].split(",")


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
        env=CLEAN_ENV,
        check=True,
    )
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    probe = subprocess.run(
        [str(python), "-c", "import igfkg.core.resources as r; print(r.data_root())"],
        cwd=elsewhere,
        env=CLEAN_ENV,
        check=True,
        capture_output=True,
        text=True,
    )
    assert str(venv) in probe.stdout
    legal = subprocess.run(
        [str(python), "-c", "import igfkg.core.resources as r; print(*r.legal_files().values())"],
        cwd=elsewhere,
        env=CLEAN_ENV,
        check=True,
        capture_output=True,
        text=True,
    )
    for path in legal.stdout.split():  # read from the installed package, equal to the repo's
        assert str(venv) in path
        assert Path(path).read_bytes() == (ROOT / Path(path).name).read_bytes(), path
    result = subprocess.run(
        [str(venv / "bin" / "igfkg"), "query", "adverse-effects", "--format", "tsv"],
        cwd=elsewhere,
        env=CLEAN_ENV,
        check=True,
        capture_output=True,
        text=True,
    )
    expected = (ROOT / "tests" / "data" / "golden" / "adverse-effects.tsv").read_text()
    assert result.stdout == expected
    module = subprocess.run(
        [str(python), "-m", "igfkg", "queries"],
        cwd=elsewhere,
        env=CLEAN_ENV,
        check=True,
        capture_output=True,
        text=True,
    )
    assert "axis-members" in module.stdout
    version = subprocess.run(
        [str(venv / "bin" / "igfkg"), "--version"],
        cwd=elsewhere,
        env=CLEAN_ENV,
        check=True,
        capture_output=True,
        text=True,
    )
    assert version.stdout == f"igfkg, version {PYPROJECT['version']}\n"
    # The README's main command, from the installed wheel, prints what the README shows.
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    block = re.search(
        r"<!-- main-output -->\n```text\n(.*?)```\n<!-- /main-output -->", readme, re.S
    )
    assert block
    main = subprocess.run(
        [str(venv / "bin" / "igfkg"), "query", "adverse-effects"],
        cwd=elsewhere,
        env=CLEAN_ENV,
        check=True,
        capture_output=True,
        text=True,
    )
    assert main.stdout == block.group(1)
    # A release built from the installed wheel carries the licences, notice and citation file.
    release = tmp_path / "release"
    subprocess.run(
        [str(venv / "bin" / "igfkg"), "build", "--output", str(release)],
        cwd=elsewhere,
        env=CLEAN_ENV,
        check=True,
        capture_output=True,
    )
    for name in LEGAL:
        assert (release / name).read_bytes() == (ROOT / name).read_bytes(), name
