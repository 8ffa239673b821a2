"""A corpus file's fingerprint: enough to tell, when resuming a run, that the file is the same.

``{"size", "mtime_ns", "head_sha256", "tail_sha256"}``: the size in bytes, the modification
time, and SHA-256 hashes of the first and the last ``BLOCK`` bytes (the whole file when smaller).
Computing it reads at most 2 MiB whatever the corpus's size. A file edited in place keeps neither
its modification time nor, usually, its size; one replaced by another file differs in its first or
last block. A file copied elsewhere (``cp`` without ``-p``) has a new modification time only:
:func:`fingerprint_difference` reports it unless ``check_mtime=False`` (used for standard input
spooled to a temporary file, whose time is always new).
"""
from __future__ import annotations

import hashlib
import os
from typing import Any

__all__ = ["corpus_fingerprint", "fingerprint_difference", "BLOCK"]

BLOCK = 1 << 20
_KEYS = ("size", "mtime_ns", "head_sha256", "tail_sha256")


def corpus_fingerprint(path: str | os.PathLike) -> dict[str, Any]:
    """The fingerprint of the file ``path`` (see the module docstring); OSError if unreadable."""
    with open(path, "rb") as f:
        st = os.fstat(f.fileno())
        head = f.read(BLOCK)
        if st.st_size > BLOCK:
            f.seek(max(st.st_size - BLOCK, 0))
            tail = f.read(BLOCK)
        else:
            tail = head
    return {
        "size": int(st.st_size),
        "mtime_ns": int(st.st_mtime_ns),
        "head_sha256": hashlib.sha256(head).hexdigest(),
        "tail_sha256": hashlib.sha256(tail).hexdigest(),
    }


def fingerprint_difference(recorded: Any, path: str | os.PathLike, check_mtime: bool = True) -> str | None:
    """How the file ``path`` differs from the ``recorded`` fingerprint, in words; None if it does
    not. A malformed record is reported as a difference."""
    if not isinstance(recorded, dict) or not all(k in recorded for k in _KEYS):
        return "the checkpoint's record of its corpus is missing or malformed"
    try:
        now = corpus_fingerprint(path)
    except OSError as exc:
        return f"it cannot be read ({exc.strerror or exc})"
    if now["size"] != recorded["size"]:
        return f"its size is {now['size']:,} bytes, not {recorded['size']:,}"
    if now["head_sha256"] != recorded["head_sha256"]:
        return f"its first {min(BLOCK, now['size']):,} bytes differ"
    if now["tail_sha256"] != recorded["tail_sha256"]:
        return f"its last {min(BLOCK, now['size']):,} bytes differ"
    if check_mtime and now["mtime_ns"] != recorded["mtime_ns"]:
        return "it was modified since (its modification time changed)"
    return None
