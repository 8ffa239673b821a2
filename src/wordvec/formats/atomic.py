"""Atomic file writes: write to a temporary file in the target's folder, then rename.

A failure in the middle (an exception, a full disk, Ctrl-C) leaves the previous file intact and
no half-written or temporary file behind. The file gets the permissions ``open()`` would give a
new file (0o666 minus the umask), or keeps those of the file it replaces. An OSError that names
no file (or the temporary one) is made to name ``path``.

Which paths may be written, and how, is :mod:`wordvec.formats.outputs`' policy: a symbolic link
is written through (its target replaced), a FIFO or character device is written in place without
a temporary file, a read-only file is refused unless ``force``, and temporary files left by a
killed save are removed first.
"""
from __future__ import annotations

import bz2
import contextlib
import gzip
import os
import stat
import tempfile
from pathlib import Path
from typing import IO, Iterator

from .outputs import clean_leftovers, resolve_output, temp_prefix


@contextlib.contextmanager
def atomic_write(
    path: str | os.PathLike, mode: str = "wb", encoding: str | None = None, force: bool | None = None
) -> Iterator[IO]:
    """Open a temporary file beside ``path``; on success fsync it and rename it to ``path``.

    ``mode`` is ``"wb"`` or ``"w"`` (text, ``encoding`` defaults to UTF-8). ``force`` replaces a
    read-only file (None: :func:`wordvec.formats.outputs.forcing`'s setting).
    """
    if mode not in ("wb", "w"):
        raise ValueError(f"atomic_write: mode must be 'wb' or 'w', got {mode!r}")
    with _atomic_path(Path(path), force) as tmp:
        fd = os.open(tmp, os.O_WRONLY | getattr(os, "O_BINARY", 0))
        if mode == "w":
            f = os.fdopen(fd, "w", encoding=encoding or "utf-8", newline="")
        else:
            f = os.fdopen(fd, "wb")
        with f:
            yield f


@contextlib.contextmanager
def atomic_write_compressed(path: str | os.PathLike, compresslevel: int = 9) -> Iterator[IO[bytes]]:
    """:func:`atomic_write` in binary mode, gzip- or bzip2-compressed when ``path`` ends in ``.gz``
    or ``.bz2`` (gzip without a stored name or time, so equal contents give equal files)."""
    suffix = Path(path).suffix.lower()
    with atomic_write(path, "wb") as raw:
        if suffix == ".gz":
            with gzip.GzipFile(filename="", mode="wb", fileobj=raw, mtime=0, compresslevel=compresslevel) as f:
                yield f
        elif suffix == ".bz2":
            with bz2.BZ2File(raw, "wb", compresslevel=compresslevel) as f:
                yield f
        else:
            yield raw


def atomic_path(path: str | os.PathLike, force: bool | None = None) -> contextlib.AbstractContextManager[Path]:
    """Yield a temporary path beside ``path`` for writers that need a file name (numpy, matplotlib).

    The temporary name keeps ``path``'s suffix so that format detection by extension works. For a
    FIFO or character device the path written in place is yielded.
    """
    return _atomic_path(Path(path), force)


@contextlib.contextmanager
def _atomic_path(given: Path, force: bool | None) -> Iterator[Path]:
    out = resolve_output(given, force=force)
    if out.stream:
        yield out.target
        return
    path = out.target
    folder = path.parent if str(path.parent) else Path(".")
    clean_leftovers(path)
    fd, tmp = tempfile.mkstemp(prefix=temp_prefix(path), suffix=f".tmp{path.suffix}", dir=folder)
    os.close(fd)
    try:
        yield Path(tmp)
        fd = os.open(tmp, os.O_RDWR)
        try:
            os.fsync(fd)
        finally:
            os.close(fd)
        os.chmod(tmp, _mode_for(path))
        os.replace(tmp, path)
    except BaseException as exc:
        with contextlib.suppress(OSError):
            os.unlink(tmp)
        if isinstance(exc, OSError) and exc.strerror and (exc.filename is None or os.fspath(exc.filename) == tmp):
            exc.filename = os.fspath(given)
        raise


def _mode_for(path: Path) -> int:
    """Permission bits for ``path``: those of the file it replaces, else 0o666 minus the umask."""
    try:
        return stat.S_IMODE(os.stat(path).st_mode)
    except OSError:
        return 0o666 & ~_umask()


def _umask() -> int:
    """The process umask, read without changing it where Linux allows (os.umask sets it)."""
    with contextlib.suppress(OSError, ValueError):
        with open("/proc/self/status", encoding="ascii") as f:
            for line in f:
                if line.startswith("Umask:"):
                    return int(line.split()[1], 8)
    mask = os.umask(0o22)
    os.umask(mask)
    return mask
