"""Corpus fingerprints: a changed, replaced or touched corpus is told apart from the same one."""
from __future__ import annotations

import os
import shutil

from wordvec.text.fingerprint import BLOCK, corpus_fingerprint, fingerprint_difference


def test_same_file_and_each_kind_of_change(tmp_path):
    path = tmp_path / "c.txt"
    data = bytes(range(256)) * (3 * BLOCK // 256)
    path.write_bytes(data)
    fp = corpus_fingerprint(path)
    assert fp["size"] == len(data) and fingerprint_difference(fp, path) is None
    path.write_bytes(data + b"x")
    assert fingerprint_difference(fp, path) == f"its size is {len(data) + 1:,} bytes, not {len(data):,}"
    path.write_bytes(b"y" + data[1:])
    assert fingerprint_difference(fp, path) == f"its first {BLOCK:,} bytes differ"
    path.write_bytes(data[:-1] + b"y")
    assert fingerprint_difference(fp, path) == f"its last {BLOCK:,} bytes differ"
    path.write_bytes(data)
    os.utime(path, ns=(fp["mtime_ns"] + 10**9, fp["mtime_ns"] + 10**9))
    assert fingerprint_difference(fp, path) == "it was modified since (its modification time changed)"
    assert fingerprint_difference(fp, path, check_mtime=False) is None
    shutil.copy2(path, tmp_path / "copy.txt")
    assert fingerprint_difference(corpus_fingerprint(path), tmp_path / "copy.txt") is None


def test_small_files_missing_files_and_bad_records(tmp_path):
    path = tmp_path / "small.txt"
    path.write_text("a b c\n")
    fp = corpus_fingerprint(path)
    assert fp["head_sha256"] == fp["tail_sha256"]
    assert fingerprint_difference(fp, tmp_path / "gone.txt").startswith("it cannot be read (")
    assert fingerprint_difference({"size": 1}, path) == "the checkpoint's record of its corpus is missing or malformed"
    assert fingerprint_difference(None, path) == "the checkpoint's record of its corpus is missing or malformed"
