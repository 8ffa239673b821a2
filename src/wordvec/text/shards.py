"""Shards of a text corpus for data-parallel training: rank r of w reads only its part.

A plain-text file is cut into ``world`` byte ranges, each moved forward to the next line start
(or, in a line longer than MAX_LINE_SCAN, the next whitespace), so a rank seeks to its range and
reads nothing else; a compressed file cannot be seeked, so every rank decompresses it and keeps
the blocks ``i`` with ``i % world == rank``. Blocks are cut by :meth:`TextBlocks.cut` either way
(a whitespace-free run is cut every MAX_TOKEN_BYTES).
"""
from __future__ import annotations

import os
from typing import Any, Iterator

from .corpus import BLOCK_BYTES, TextBlocks
from .tokens import WHITESPACE

#: Bytes scanned for a line start before falling back to a whitespace boundary.
MAX_LINE_SCAN = 1 << 20


def boundary(f: Any, pos: int, size: int) -> int:
    """The first line start at or after byte ``pos`` of the open file ``f`` of ``size`` bytes;
    in a line longer than MAX_LINE_SCAN, the first token start after it (so a one-line corpus
    such as text8 still splits)."""
    if pos <= 0:
        return 0
    if pos >= size:
        return size
    f.seek(pos - 1)
    data = f.read(MAX_LINE_SCAN)
    nl = data.find(b"\n")
    if nl >= 0:
        return pos + nl
    for i, c in enumerate(data):
        if c in WHITESPACE:
            return pos + i
    return min(size, pos - 1 + len(data))


def shard_range(path: str | os.PathLike, rank: int, world: int) -> tuple[int, int]:
    """Byte range [start, stop) of shard ``rank`` of ``world`` in an uncompressed file: the
    ranges tile the file and each starts at a line start (see :func:`boundary`)."""
    size = os.path.getsize(path)
    with open(path, "rb") as f:
        return boundary(f, size * rank // world, size), boundary(f, size * (rank + 1) // world, size)


class ShardBlocks(TextBlocks):
    """Re-iterable blocks of shard ``rank`` of ``world`` of a text corpus; ``bytes_read`` is
    the size of the last full pass."""

    def __init__(self, path: str | os.PathLike, rank: int, world: int, block_bytes: int = BLOCK_BYTES) -> None:
        super().__init__(path, block_bytes)
        self.rank, self.world = rank, world
        self.compressed = not self.verbatim  # compressed or decoded: blocks are dealt out, not byte ranges
        self.range = None if self.compressed else shard_range(self.path, rank, world)
        self.bytes_read = 0

    def blocks(self, start_block: int = 0) -> Iterator[bytes]:
        self.bytes_read = 0
        own = 0
        for i, block in enumerate(super().blocks()):
            if self.compressed and i % self.world != self.rank:
                continue
            self.bytes_read += len(block)
            if own >= start_block:
                yield block
            own += 1

    def reads(self) -> Iterator[bytes]:
        if self.compressed:
            yield from super().reads()
            return
        start, stop = self.range  # type: ignore[misc]
        with open(self.path, "rb") as f:
            f.seek(start)
            pos = start
            while pos < stop:
                data = f.read(min(self.block_bytes, stop - pos))
                if not data:
                    return
                pos += len(data)
                yield data
