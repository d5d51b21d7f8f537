"""`export --output` and `build --output` write only regular files or new paths, whole, never
into a device, FIFO or directory (reached directly or through a symbolic link), and replace a
read-only file only with --force. (Tests run as root, who may write any file: read-only is
decided from the mode bits.)"""

from __future__ import annotations

import os
import stat
from pathlib import Path

import pytest
from click.testing import CliRunner

from igfkg.cli import main


def _run(*args: str) -> tuple[int, str]:
    result = CliRunner().invoke(main, list(args))
    return result.exit_code, result.output


def test_export_writes_a_new_file_whole(tmp_path: Path) -> None:
    out = tmp_path / "kb.nt"
    code, output = _run("export", "--format", "nt", "--output", str(out))
    assert code == 0, output
    assert out.read_text(encoding="utf-8").count(" .\n") > 1000
    assert [p.name for p in tmp_path.iterdir()] == ["kb.nt"]  # no temporary file left


def test_export_refuses_a_read_only_file_without_force(tmp_path: Path) -> None:
    out = tmp_path / "kb.nt"
    out.write_text("keep me\n")
    out.chmod(0o444)
    code, output = _run("export", "--format", "nt", "--output", str(out))
    assert code == 2
    assert output.count("\n") == 1
    assert "read-only file (mode 0444)" in output
    assert "--force" in output
    assert out.read_text() == "keep me\n"
    code, output = _run("export", "--format", "nt", "--output", str(out), "--force")
    assert code == 0, output
    assert out.read_text(encoding="utf-8") != "keep me\n"
    assert stat.S_IMODE(out.stat().st_mode) == 0o444  # the mode is kept


def _fifo(tmp: Path) -> Path:
    fifo = tmp / "fifo"
    os.mkfifo(fifo)
    return fifo


@pytest.mark.parametrize("kind", ["fifo", "fifo-link", "devnull-link", "directory", "dir-link"])
def test_export_never_writes_into_a_special_file(tmp_path: Path, kind: str) -> None:
    if kind == "fifo":
        target = _fifo(tmp_path)
    elif kind == "fifo-link":
        target = tmp_path / "link.nt"
        target.symlink_to(_fifo(tmp_path))
    elif kind == "devnull-link":  # a device, through a link in tmp (no real device touched)
        target = tmp_path / "null.nt"
        target.symlink_to(os.devnull)
    elif kind == "directory":
        target = tmp_path / "folder"
        target.mkdir()
    else:
        (tmp_path / "folder").mkdir()
        target = tmp_path / "dir.nt"
        target.symlink_to(tmp_path / "folder")
    before = {p.name: os.lstat(p).st_mode for p in tmp_path.iterdir()}
    code, output = _run("export", "--format", "nt", "--output", str(target))
    assert code == 2, output
    assert output.startswith("igfkg: error: ")
    assert output.count("\n") == 1
    assert "not a regular file" in output
    assert {p.name: os.lstat(p).st_mode for p in tmp_path.iterdir()} == before
    assert stat.S_ISCHR(os.stat(os.devnull).st_mode)


def test_export_to_a_link_replaces_the_file_it_points_to(tmp_path: Path) -> None:
    real = tmp_path / "real.nt"
    real.write_text("old\n")
    link = tmp_path / "link.nt"
    link.symlink_to(real)
    code, output = _run("export", "--format", "nt", "--output", str(link))
    assert code == 0, output
    assert link.is_symlink()
    assert real.read_text(encoding="utf-8").count(" .\n") > 1000


def test_build_refuses_special_and_read_only_targets(tmp_path: Path) -> None:
    release = tmp_path / "release"
    code, output = _run("build", "--output", str(release))
    assert code == 0, output
    void = release / "void.ttl"
    before = void.read_bytes()
    void.chmod(0o444)
    code, output = _run("build", "--output", str(release))
    assert code == 2, output
    assert "void.ttl: read-only file" in output, output
    assert void.read_bytes() == before
    void.chmod(0o644)
    nq = release / "igfkg.nq"
    nq.unlink()
    os.mkfifo(nq)
    stamp = (release / "igfkg.nt").stat().st_mtime_ns
    code, output = _run("build", "--output", str(release))
    assert code == 2, output
    assert "igfkg.nq: a FIFO, not a regular file" in output, output
    assert (release / "igfkg.nt").stat().st_mtime_ns == stamp  # nothing written
    link = tmp_path / "null"
    link.symlink_to(os.devnull)
    code, output = _run("build", "--output", str(link))
    assert code == 2, output
    assert "not a folder" in output, output
    assert stat.S_ISCHR(os.stat(os.devnull).st_mode)
