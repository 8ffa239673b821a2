"""Shards of a corpus for data-parallel training (text.shards)."""
from __future__ import annotations

import gzip

import pytest

from wordvec.text import corpus
from wordvec.text import shards as shard_mod


def _tokens(blocks):
    return [t for b in blocks for t in b.split()]


def test_a_shard_without_whitespace_is_cut_at_the_token_cap(tmp_path, monkeypatch):
    """A whitespace-free shard is read in bounded blocks, not whole."""
    monkeypatch.setattr(corpus, "MAX_TOKEN_BYTES", 10_000)
    path = tmp_path / "c.txt"
    path.write_bytes(b"x" * 50_000)
    blocks = list(shard_mod.ShardBlocks(path, 0, 1, block_bytes=4096))
    assert max(map(len, blocks)) <= 10_000 + 4096 and b"".join(blocks) == b"x" * 50_000


@pytest.mark.parametrize("world", [1, 2, 3, 5])
def test_byte_range_shards_tile_the_corpus(tmp_path, monkeypatch, world):
    monkeypatch.setattr(shard_mod, "MAX_LINE_SCAN", 1000)
    long_line = b" ".join(b"w%d" % i for i in range(40000))  # a line > MAX_LINE_SCAN: cut at whitespace
    text = b"a b c\n\nd e\n" + long_line + b"\nf g h\nlast line without newline"
    path = tmp_path / "c.txt"
    path.write_bytes(text)
    shards = [shard_mod.ShardBlocks(path, r, world, block_bytes=4096) for r in range(world)]
    assert not shards[0].compressed
    ranges = [s.range for s in shards]
    assert ranges[0][0] == 0 and ranges[-1][1] == len(text)
    assert all(a[1] == b[0] for a, b in zip(ranges, ranges[1:]))
    pieces = [list(s) for s in shards]
    assert sum(map(len, pieces)) > world  # several blocks
    assert [t for p in pieces for t in _tokens(p)] == text.split()
    assert sum(s.bytes_read for s in shards) == len(text)


def test_compressed_corpus_is_shared_block_by_block(tmp_path):
    text = b"".join(b"line %d of the corpus\n" % i for i in range(5000))
    path = tmp_path / "c.txt.gz"
    path.write_bytes(gzip.compress(text))
    shards = [shard_mod.ShardBlocks(path, r, 3, block_bytes=1 << 14) for r in range(3)]
    assert shards[0].compressed
    pieces = [list(s) for s in shards]
    assert all(pieces)
    interleaved = [b for i in range(max(map(len, pieces))) for p in pieces if i < len(p) for b in [p[i]]]
    assert b"".join(interleaved) == text
