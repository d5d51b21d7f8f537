"""Safe output files: written whole (a temporary file in the same folder, then renamed over the
target), only to regular files or new paths, never into a device, FIFO or directory, and not
over a read-only file unless forced.

>>> import tempfile
>>> folder = Path(tempfile.mkdtemp())
>>> write_output(folder / "out.ttl", b"data")
>>> (folder / "out.ttl").read_bytes()
b'data'
>>> (folder / "out.ttl").chmod(0o444)
>>> write_output(folder / "out.ttl", b"new")  # doctest: +ELLIPSIS
Traceback (most recent call last):
...
igfkg.core.errors.OutputError: .../out.ttl: read-only file (mode 0444); pass --force to replace it
>>> write_output(folder / "out.ttl", b"new", force=True)
>>> (folder / "out.ttl").read_bytes(), oct((folder / "out.ttl").stat().st_mode & 0o777)
(b'new', '0o444')
"""

from __future__ import annotations

import os
import stat
import tempfile
from pathlib import Path

from igfkg.core.errors import OutputError

__all__ = ["check_output", "check_output_dir", "write_output"]

_KINDS = {
    stat.S_IFCHR: "a character device",
    stat.S_IFBLK: "a block device",
    stat.S_IFIFO: "a FIFO",
    stat.S_IFSOCK: "a socket",
    stat.S_IFDIR: "a directory",
}


def check_output(path: Path, *, force: bool = False) -> Path:
    """The file to replace for ``path`` (symbolic links followed), after checking that it is a
    regular file or does not exist yet, that its folder exists, and that it is writable by its
    mode bits (or ``force``). Raises OutputError naming the path."""
    target = Path(os.path.realpath(path))
    try:
        info = os.stat(target)
    except FileNotFoundError:
        if not target.parent.is_dir():
            raise OutputError(f"{path}: folder {target.parent} does not exist") from None
        return target
    kind = stat.S_IFMT(info.st_mode)
    if kind != stat.S_IFREG:
        what = _KINDS.get(kind, "not a regular file")
        raise OutputError(f"{path}: {what}, not a regular file; igfkg writes only regular files")
    if not info.st_mode & (stat.S_IWUSR | stat.S_IWGRP | stat.S_IWOTH) and not force:
        mode = f"{stat.S_IMODE(info.st_mode):04o}"
        raise OutputError(f"{path}: read-only file (mode {mode}); pass --force to replace it")
    return target


def check_output_dir(path: Path) -> Path:
    """``path`` as a folder to write into: an existing folder or a new path (created)."""
    target = Path(os.path.realpath(path))
    if target.exists() and not target.is_dir():
        kind = _KINDS.get(stat.S_IFMT(os.stat(target).st_mode), "a regular file")
        raise OutputError(f"{path}: {kind}, not a folder")
    target.mkdir(parents=True, exist_ok=True)
    return target


def write_output(path: Path, data: bytes, *, force: bool = False) -> None:
    """Write ``data`` to ``path`` whole, after :func:`check_output` (a replaced file keeps its
    mode; a new one gets the usual mode for the umask)."""
    target = check_output(path, force=force)
    try:
        mode = stat.S_IMODE(os.stat(target).st_mode)
    except FileNotFoundError:
        umask = os.umask(0)
        os.umask(umask)
        mode = 0o666 & ~umask
    fd, tmp = tempfile.mkstemp(dir=target.parent, prefix=f".{target.name}.", suffix=".part")
    try:
        with os.fdopen(fd, "wb") as out:
            out.write(data)
            out.flush()
            os.fsync(out.fileno())
        os.chmod(tmp, mode)
        os.replace(tmp, target)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
