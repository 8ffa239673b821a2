"""word2vec text/binary files and the native format: round trips, gensim interop, bad input."""
from __future__ import annotations

import bz2
import gzip
import hashlib
import json
import logging
import os
import pickle
import re
import struct

import numpy as np
import pytest
from gensim.models import KeyedVectors as GensimKV
from hypothesis import given, settings
from hypothesis import strategies as st

from wordvec.formats import word2vec as io
from wordvec.errors import ModelFileError, ParameterError, VectorFormatError, WordvecError
from wordvec.vectors.keyedvectors import KeyedVectors

# Words that stress the formats: multi-byte UTF-8, a non-breaking space, > 100 bytes (the C
# tool's limit) made of multi-byte characters, emoji, a word that looks like a number.
WORDS = ["the", "naïve", "東京", "new\u00a0york", "ж" * 60, "🙂x", "-1.5", "a,b", "UPPER", "x"]


def make_kv(n_extra: int = 30, d: int = 7, seed: int = 0) -> KeyedVectors:
    rng = np.random.default_rng(seed)
    words = WORDS + [f"w{i}" for i in range(n_extra)]
    vectors = rng.standard_normal((len(words), d)).astype(np.float32)
    vectors[1, 0] = 1e-30  # tiny and
    vectors[2, 1] = -3.4e38  # huge values survive text
    return KeyedVectors.from_vectors(words, vectors, counts=np.arange(len(words), 0, -1) * 10)


def assert_same(kv_a, kv_b) -> None:
    assert list(kv_a.index_to_key) == list(kv_b.index_to_key)
    np.testing.assert_array_equal(np.asarray(kv_a.vectors), np.asarray(kv_b.vectors))


def raises_format(match: str):
    return pytest.raises(VectorFormatError, match=match)


# ---------------------------------------------------------------------------------- round trips

@pytest.mark.parametrize("binary", [False, True])
@pytest.mark.parametrize("suffix", ["", ".gz", ".bz2"])
def test_round_trip_exact(tmp_path, binary, suffix):
    kv = make_kv()
    assert len(WORDS[4].encode()) > 100
    path = tmp_path / f"v.bin{suffix}"
    kv.save_word2vec_format(path, binary=binary)
    if suffix == ".gz":
        assert path.read_bytes()[:2] == b"\x1f\x8b"
    if suffix == ".bz2":
        assert path.read_bytes()[:3] == b"BZh"
    loaded = KeyedVectors.load_word2vec_format(path, binary=binary)
    assert_same(kv, loaded)
    assert loaded.vectors.dtype == np.float32 and loaded.vectors.flags.c_contiguous
    # The format stores no counts: made-up decreasing counts keep the frequency order.
    assert [loaded.get_vecattr(w, "count") for w in loaded.index_to_key[:3]] == [len(kv), len(kv) - 1, len(kv) - 2]


def test_text_layout_is_the_c_tools(tmp_path):
    kv = KeyedVectors.from_vectors(["a", "b"], np.array([[0.5, -1], [2, 0.25]], dtype=np.float32))
    kv.save_word2vec_format(tmp_path / "v.txt")
    assert (tmp_path / "v.txt").read_bytes() == b"2 2\na 0.5 -1\nb 2 0.25\n"
    kv.save_word2vec_format(tmp_path / "v.bin", binary=True)
    body = b"a " + struct.pack("<2f", 0.5, -1) + b"\nb " + struct.pack("<2f", 2, 0.25) + b"\n"
    assert (tmp_path / "v.bin").read_bytes() == b"2 2\n" + body


def test_saving_sorts_by_count_like_gensim(tmp_path):
    kv = KeyedVectors.from_vectors(["a", "b", "c"], np.eye(3, dtype=np.float32), counts=[1, 5, 1])
    kv.save_word2vec_format(tmp_path / "v.txt")
    assert KeyedVectors.load_word2vec_format(tmp_path / "v.txt").index_to_key == ["b", "a", "c"]


def test_fvocab_round_trip(tmp_path):
    kv = make_kv()
    kv.save_word2vec_format(tmp_path / "v.txt", fvocab=tmp_path / "vocab.txt")
    loaded = KeyedVectors.load_word2vec_format(tmp_path / "v.txt", fvocab=tmp_path / "vocab.txt")
    np.testing.assert_array_equal(loaded.expandos["count"], kv.expandos["count"])
    (tmp_path / "bad.txt").write_text("a 1\nb x\n")
    with raises_format(r"bad\.txt: line 2"):
        KeyedVectors.load_word2vec_format(tmp_path / "v.txt", fvocab=tmp_path / "bad.txt")


def test_datatype(tmp_path):
    make_kv().save_word2vec_format(tmp_path / "v.txt")
    assert KeyedVectors.load_word2vec_format(tmp_path / "v.txt", datatype=np.float64).vectors.dtype == np.float64


# ---------------------------------------------------------------------------------- gensim interop

@pytest.mark.parametrize("binary", [False, True])
def test_files_written_by_wordvec_load_in_gensim(tmp_path, binary):
    kv = make_kv()
    kv.save_word2vec_format(tmp_path / "v", binary=binary)
    assert_same(kv, GensimKV.load_word2vec_format(str(tmp_path / "v"), binary=binary))


@pytest.mark.parametrize("binary", [False, True])
def test_files_written_by_gensim_load_in_wordvec(tmp_path, binary):
    kv = make_kv()
    g = GensimKV(kv.vector_size)
    g.add_vectors(kv.index_to_key, kv.vectors)
    g.save_word2vec_format(str(tmp_path / "g"), binary=binary)
    if binary:  # gensim writes no newline after each binary vector (older C files neither)
        assert (tmp_path / "g").read_bytes().count(b"\n") < len(kv) // 2
    assert_same(kv, KeyedVectors.load_word2vec_format(tmp_path / "g", binary=binary))


# ---------------------------------------------------------------------------------- text variants

def c_tool_text(words, vectors, newline=b"\n") -> bytes:
    """What word2vec.c writes: "%s " then "%lf " per value, then "\\n"."""
    out = [b"%d %d" % vectors.shape + newline]
    for w, row in zip(words, vectors):
        out.append(w.encode() + b" " + b"".join(b"%lf " % v for v in row) + newline)
    return b"".join(out)


@pytest.mark.parametrize("newline", [b"\n", b"\r\n"])
def test_c_tool_text_with_trailing_space(tmp_path, newline):
    vectors = np.array([[0.123456, -1.0], [3.5, 0.0]])
    (tmp_path / "c.txt").write_bytes(c_tool_text(["a", "b"], vectors, newline))
    kv = KeyedVectors.load_word2vec_format(tmp_path / "c.txt")
    assert kv.index_to_key == ["a", "b"]
    np.testing.assert_array_equal(kv.vectors, vectors.astype(np.float32))
    assert_same(kv, GensimKV.load_word2vec_format(str(tmp_path / "c.txt")))


@settings(max_examples=60, deadline=None)
@given(st.lists(st.floats(-(2.0**120), 2.0**120, width=32), min_size=6, max_size=6),
       st.sampled_from(["%r", "%.9g", "%lf", "%.3e", "%.17g", "%.20f", "%E"]))
def test_text_numbers_parse_exactly_as_python_float(tmp_path_factory, values, fmt):
    tokens = [fmt % v for v in values]
    path = tmp_path_factory.mktemp("num") / "v.txt"
    path.write_text(f"2 3\na {' '.join(tokens[:3])}\nb {' '.join(tokens[3:])}\n")
    kv = KeyedVectors.load_word2vec_format(path)
    expected = np.array([float(t) for t in tokens]).astype(np.float32).reshape(2, 3)
    np.testing.assert_array_equal(kv.vectors, expected)


def test_glove_file_without_header(tmp_path):
    (tmp_path / "glove.txt").write_text("the 0.1 0.2 0.3\nof -1 2 3.5\nand 1 1 1\n")
    with raises_format(r"glove\.txt: line 1: .*no_header=True"):
        KeyedVectors.load_word2vec_format(tmp_path / "glove.txt")
    kv = KeyedVectors.load_word2vec_format(tmp_path / "glove.txt", no_header=True)
    assert kv.index_to_key == ["the", "of", "and"] and kv.vector_size == 3
    assert_same(kv, GensimKV.load_word2vec_format(str(tmp_path / "glove.txt"), no_header=True))
    assert KeyedVectors.load_word2vec_format(tmp_path / "glove.txt", no_header=True, limit=2).index_to_key == ["the", "of"]
    kv.save_word2vec_format(tmp_path / "out.txt", write_header=False)
    assert (tmp_path / "out.txt").read_text().startswith("the 0.1")
    with pytest.raises(ParameterError, match="no_header"):
        KeyedVectors.load_word2vec_format(tmp_path / "glove.txt", no_header=True, binary=True)


def test_no_header_on_a_file_with_header_says_so(tmp_path):
    (tmp_path / "v.txt").write_text("2 3\na 1 2 3\nb 1 2 3\n")
    with raises_format(r"line 2: expected 1 values.*drop no_header"):
        KeyedVectors.load_word2vec_format(tmp_path / "v.txt", no_header=True)


@pytest.mark.parametrize("binary", [False, True])
def test_html_page(tmp_path, binary):
    (tmp_path / "vectors.bin").write_text("<!DOCTYPE html>\n<html><head><title>404</title></head></html>\n")
    with raises_format(r"vectors\.bin: .*HTML"):
        KeyedVectors.load_word2vec_format(tmp_path / "vectors.bin", binary=binary)


@pytest.mark.parametrize("word", ["new york", "tab\there", "line\nbreak", "cr\rx", ""])
@pytest.mark.parametrize("binary", [False, True])
def test_words_the_format_cannot_hold_are_refused(tmp_path, word, binary):
    kv = KeyedVectors.from_vectors(["ok", word], np.ones((2, 3), dtype=np.float32))
    with raises_format(r"v: cannot write the word " + re.escape(repr(word))):
        kv.save_word2vec_format(tmp_path / "v", binary=binary)
    assert not (tmp_path / "v").exists()


def test_unicode_errors(tmp_path):
    # The C tool cuts words at 100 bytes, possibly inside a UTF-8 character.
    (tmp_path / "v.txt").write_bytes(b"2 2\nok 1 2\n" + "é".encode()[:1] + b"x 3 4\n")
    with raises_format(r"line 3: the word is not valid utf8.*unicode_errors='replace'"):
        KeyedVectors.load_word2vec_format(tmp_path / "v.txt")
    kv = KeyedVectors.load_word2vec_format(tmp_path / "v.txt", unicode_errors="replace")
    assert kv.index_to_key == ["ok", "\ufffdx"]


# ---------------------------------------------------------------------------------- binary variants

def binary_file(words, vectors, newline: bool, header: bytes | None = None) -> bytes:
    out = [header if header is not None else b"%d %d\n" % vectors.shape]
    for w, row in zip(words, vectors):
        out.append(w.encode() + b" " + row.astype("<f4").tobytes() + (b"\n" if newline else b""))
    return b"".join(out)


@pytest.mark.parametrize("newline", [True, False])
def test_binary_with_and_without_newline(tmp_path, newline):
    kv = make_kv()
    (tmp_path / "v.bin").write_bytes(binary_file(kv.index_to_key, kv.vectors, newline))
    assert_same(kv, KeyedVectors.load_word2vec_format(tmp_path / "v.bin", binary=True))
    assert KeyedVectors.load_word2vec_format(tmp_path / "v.bin", binary=True, limit=3).index_to_key == WORDS[:3]


def test_truncated_binary(tmp_path):
    kv = make_kv()
    data = binary_file(kv.index_to_key, kv.vectors, True)
    (tmp_path / "v.bin").write_bytes(data[:-10])
    with raises_format(r"v\.bin: byte offset \d+: file ends inside vector 40 of 40: the file is truncated"):
        KeyedVectors.load_word2vec_format(tmp_path / "v.bin", binary=True)
    (tmp_path / "v.bin").write_bytes(data[: len(data) // 2])
    with raises_format(r"v\.bin: the header declares 40 vectors .* truncated"):
        KeyedVectors.load_word2vec_format(tmp_path / "v.bin", binary=True)
    # limit reads only what it needs
    assert len(KeyedVectors.load_word2vec_format(tmp_path / "v.bin", binary=True, limit=5)) == 5


def test_header_disagrees_with_body(tmp_path):
    kv = make_kv(n_extra=0)
    n = len(kv)
    data = binary_file(kv.index_to_key, kv.vectors, True, header=b"%d 7\n" % (n - 1))
    (tmp_path / "more.bin").write_bytes(data)
    with raises_format(rf"more\.bin: byte offset \d+: more data after the {n - 1} vectors"):
        KeyedVectors.load_word2vec_format(tmp_path / "more.bin", binary=True)
    assert len(KeyedVectors.load_word2vec_format(tmp_path / "more.bin", binary=True, limit=n - 1)) == n - 1
    lines = ["a 1 2", "b 3 4", "c 5 6"]
    (tmp_path / "fewer.txt").write_text("4 2\n" + "\n".join(lines) + "\n")
    with raises_format(r"fewer\.txt: the header declares 4 vectors but the file ends after 3 \(at line 4\)"):
        KeyedVectors.load_word2vec_format(tmp_path / "fewer.txt")
    (tmp_path / "more.txt").write_text("2 2\n" + "\n".join(lines) + "\n\n\n")
    with raises_format(r"more\.txt: line 4: more vectors than the 2"):
        KeyedVectors.load_word2vec_format(tmp_path / "more.txt")
    assert KeyedVectors.load_word2vec_format(tmp_path / "more.txt", limit=2).index_to_key == ["a", "b"]


def test_wrong_dimension_on_one_line(tmp_path):
    (tmp_path / "v.txt").write_text("3 3\na 1 2 3\nb 1 2\nc 1 2 3\n")
    with raises_format(r"v\.txt: line 3: expected 3 values after the word, found 2"):
        KeyedVectors.load_word2vec_format(tmp_path / "v.txt")
    (tmp_path / "v.txt").write_text("3 3\na 1 2 3\nb 1 2 3 4\nc 1 2 3\n")
    with raises_format(r"line 3: expected 3 values after the word, found 4"):
        KeyedVectors.load_word2vec_format(tmp_path / "v.txt")
    (tmp_path / "v.txt").write_text("3 3\na 1 2 3\nb 1 2 3\nc 1 two 3\n")
    with raises_format(r"line 4: 'two' is not a number"):
        KeyedVectors.load_word2vec_format(tmp_path / "v.txt")
    (tmp_path / "v.txt").write_text("3 3\na 1 2 3\n\nc 1 2 3\n")
    with raises_format(r"line 3: empty line"):
        KeyedVectors.load_word2vec_format(tmp_path / "v.txt")
    # a binary file whose header has the wrong dimension
    kv = make_kv(n_extra=0)
    (tmp_path / "v.bin").write_bytes(binary_file(kv.index_to_key, kv.vectors, True, header=b"10 6\n"))
    with raises_format(r"v\.bin: byte offset \d+: expected a word then a space"):
        KeyedVectors.load_word2vec_format(tmp_path / "v.bin", binary=True)


@pytest.mark.parametrize("binary", [False, True])
def test_duplicate_words_keep_the_first_like_gensim(tmp_path, caplog, binary):
    words = ["a", "b", "a", "c"]
    vectors = np.arange(12, dtype=np.float32).reshape(4, 3)
    if binary:
        (tmp_path / "v").write_bytes(binary_file(words, vectors, True))
    else:
        (tmp_path / "v").write_text("4 3\n" + "".join(f"{w} {' '.join(map(str, r))}\n" for w, r in zip(words, vectors)))
    with caplog.at_level(logging.WARNING, logger="wordvec.formats.word2vec"):
        kv = KeyedVectors.load_word2vec_format(tmp_path / "v", binary=binary)
    assert kv.index_to_key == ["a", "b", "c"]
    np.testing.assert_array_equal(kv["a"], vectors[0])
    assert "duplicate word 'a'" in caplog.text and ("line 4" in caplog.text or "byte offset" in caplog.text)
    g = GensimKV.load_word2vec_format(str(tmp_path / "v"), binary=binary)
    assert g.index_to_key == ["a", "b", "c", None]  # gensim leaves an empty slot per duplicate
    np.testing.assert_array_equal(g.vectors[:3], kv.vectors)


@pytest.mark.parametrize("binary", [False, True])
def test_empty_and_missing_files(tmp_path, binary):
    (tmp_path / "empty").write_bytes(b"")
    with raises_format(r"empty: the file is empty"):
        KeyedVectors.load_word2vec_format(tmp_path / "empty", binary=binary)
    with raises_format(r"nope: no such file"):
        KeyedVectors.load_word2vec_format(tmp_path / "nope", binary=binary)
    with raises_format(r"is a directory"):
        KeyedVectors.load_word2vec_format(tmp_path, binary=binary)
    (tmp_path / "zero").write_bytes(b"0 5\n")
    kv = KeyedVectors.load_word2vec_format(tmp_path / "zero", binary=binary)
    assert len(kv) == 0 and kv.vector_size == 5


def test_text_read_as_binary_and_binary_read_as_text(tmp_path):
    kv = make_kv()
    kv.save_word2vec_format(tmp_path / "v.txt")
    kv.save_word2vec_format(tmp_path / "v.bin", binary=True)
    with raises_format(r"v\.txt: byte offset \d+: .*pass binary=False"):
        KeyedVectors.load_word2vec_format(tmp_path / "v.txt", binary=True)
    with raises_format(r"v\.bin: line \d+: .*pass binary=True"):
        KeyedVectors.load_word2vec_format(tmp_path / "v.bin", binary=False)


def test_non_finite_values_are_refused(tmp_path):
    for bad in ("nan", "inf", "-Infinity", "1e39"):
        (tmp_path / "v.txt").write_text(f"2 2\na 1 2\nb 3 {bad}\n")
        with raises_format(r"v\.txt: line 3: the vector of 'b' holds a non-finite value"):
            KeyedVectors.load_word2vec_format(tmp_path / "v.txt")
    kv = make_kv(n_extra=0)
    (tmp_path / "v.bin").write_bytes(binary_file(kv.index_to_key, np.full((10, 7), np.inf), True))
    with raises_format(r"v\.bin: byte offset 5: the vector of 'the' holds a non-finite"):
        KeyedVectors.load_word2vec_format(tmp_path / "v.bin", binary=True)
    kv.vectors[3, 2] = np.nan
    with raises_format(r"out\.txt: cannot write the vector of 'new\\xa0york': it holds a non-finite value"):
        kv.save_word2vec_format(tmp_path / "out.txt")
    assert not (tmp_path / "out.txt").exists()


def test_limit(tmp_path):
    kv = make_kv()
    kv.save_word2vec_format(tmp_path / "v.txt")
    kv.save_word2vec_format(tmp_path / "v.bin.gz", binary=True)
    for path, binary in ((tmp_path / "v.txt", False), (tmp_path / "v.bin.gz", True)):
        loaded = KeyedVectors.load_word2vec_format(path, binary=binary, limit=4)
        assert loaded.index_to_key == kv.index_to_key[:4]
        np.testing.assert_array_equal(loaded.vectors, kv.vectors[:4])
        assert len(KeyedVectors.load_word2vec_format(path, binary=binary, limit=10**9)) == len(kv)
    # the part after the limit is not parsed
    with open(tmp_path / "v.txt", "ab") as f:
        f.write(b"garbage \x00\xff\n")
    assert len(KeyedVectors.load_word2vec_format(tmp_path / "v.txt", limit=4)) == 4
    for bad in (0, -1, 2.5, True):
        with pytest.raises(ParameterError, match="limit"):
            KeyedVectors.load_word2vec_format(tmp_path / "v.txt", limit=bad)


def test_header_claiming_huge_counts_does_not_allocate(tmp_path):
    import tracemalloc

    (tmp_path / "v.bin").write_bytes(b"1000000000000 100\nword " + b"\x00" * 400 + b"\n")
    (tmp_path / "v.txt").write_bytes(b"1000000000000 100\nword " + b"1 " * 100 + b"\n")
    (tmp_path / "d.txt").write_bytes(b"1 1000000000\nword 1 2 3\n")
    tracemalloc.start()
    try:
        with raises_format("header declares 1000000000000 vectors"):
            KeyedVectors.load_word2vec_format(tmp_path / "v.bin", binary=True)
        with raises_format("header declares 1000000000000 vectors"):
            KeyedVectors.load_word2vec_format(tmp_path / "v.txt")
        with raises_format("line 2: expected 1000000000 values after the word, found 3"):
            KeyedVectors.load_word2vec_format(tmp_path / "d.txt")
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert peak < 5_000_000


def test_other_file_kinds_are_named(tmp_path):
    (tmp_path / "p.bin").write_bytes(pickle.dumps({"a": 1}))
    with raises_format("pickle"):
        KeyedVectors.load_word2vec_format(tmp_path / "p.bin", binary=True)
    np.save(tmp_path / "m.npy", np.zeros(3))
    with raises_format("NumPy"):
        KeyedVectors.load_word2vec_format(tmp_path / "m.npy")
    (tmp_path / "bad.gz").write_bytes(gzip.compress(b"2 2\na 1 2\nb 3 4\n")[:-12])
    with raises_format(r"bad\.gz: compressed data is damaged or truncated"):
        KeyedVectors.load_word2vec_format(tmp_path / "bad.gz")
    (tmp_path / "nogz").write_bytes(gzip.compress(b"2 2\na 1 2\nb 3 4\n"))  # gzip without .gz name
    assert KeyedVectors.load_word2vec_format(tmp_path / "nogz").index_to_key == ["a", "b"]
    (tmp_path / "v.bz2").write_bytes(bz2.compress(b"1 2\na 1 2\n"))
    assert KeyedVectors.load_word2vec_format(tmp_path / "v.bz2").index_to_key == ["a"]


# ---------------------------------------------------------------------------------- atomic writes

@pytest.mark.parametrize("binary", [False, True])
def test_failed_write_leaves_previous_file_intact(tmp_path, monkeypatch, binary):
    path = tmp_path / "v.txt"
    path.write_bytes(b"previous content")
    kv = make_kv(n_extra=5000)
    chunks = io._binary_chunks if binary else io._text_chunks

    def failing(words, vectors):
        gen = chunks(words, vectors)
        yield next(gen)
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(io, "_binary_chunks" if binary else "_text_chunks", failing)
    with raises_format(r"v\.txt: cannot write \(No space left on device\)"):
        kv.save_word2vec_format(path, binary=binary)
    assert path.read_bytes() == b"previous content"
    assert os.listdir(tmp_path) == ["v.txt"]


def test_failed_native_save_leaves_previous_files_intact(tmp_path, monkeypatch):
    path = tmp_path / "kv.json"
    old = make_kv(seed=1)
    old.save(path)
    before = {p.name: p.read_bytes() for p in tmp_path.iterdir()}

    def failing(self, data):
        raise OSError(5, "Input/output error")

    monkeypatch.setattr(io._HashingWriter, "write", failing)
    with pytest.raises(ModelFileError, match=r"kv\.json: cannot write \(Input/output error\)"):
        make_kv(seed=2).save(path)
    assert {p.name: p.read_bytes() for p in tmp_path.iterdir()} == before
    assert_same(KeyedVectors.load(path), old)


# ---------------------------------------------------------------------------------- native format

def test_native_round_trip(tmp_path):
    kv = make_kv()
    kv.save(tmp_path / "kv.json")
    assert sorted(os.listdir(tmp_path)) == ["kv.json", "kv.json.vectors.npy"]
    meta = json.loads((tmp_path / "kv.json").read_text(encoding="utf8"))
    assert meta["format"] == "wordvec.KeyedVectors" and meta["version"] == 1 and meta["shape"] == [40, 7]
    assert meta["vectors_sha256"] == hashlib.sha256((tmp_path / "kv.json.vectors.npy").read_bytes()).hexdigest()
    loaded = KeyedVectors.load(tmp_path / "kv.json")
    assert_same(kv, loaded)
    np.testing.assert_array_equal(loaded.expandos["count"], kv.expandos["count"])
    mapped = KeyedVectors.load(tmp_path / "kv.json", mmap="r")
    assert isinstance(mapped.vectors, np.memmap) and not mapped.vectors.flags.writeable
    assert_same(kv, mapped)
    assert mapped.most_similar("the", topn=3) == kv.most_similar("the", topn=3)
    with pytest.raises(ParameterError, match="mmap"):
        KeyedVectors.load(tmp_path / "kv.json", mmap="w+")
    # no counts, other dtype
    plain = KeyedVectors.from_vectors(["a"], np.ones((1, 2)))
    plain.vectors = plain.vectors.astype(np.float64)
    plain.save(tmp_path / "p.json")
    back = KeyedVectors.load(tmp_path / "p.json")
    assert back.vectors.dtype == np.float64 and "count" not in back.expandos


def test_native_tampered_or_truncated(tmp_path):
    path = tmp_path / "kv.json"
    make_kv().save(path)
    npy = tmp_path / "kv.json.vectors.npy"
    good = npy.read_bytes()
    npy.write_bytes(good[:-1] + bytes([good[-1] ^ 1]))
    with pytest.raises(ModelFileError, match=r"kv\.json\.vectors\.npy: checksum mismatch"):
        KeyedVectors.load(path)
    KeyedVectors.load(path, mmap="r")  # documented: mmap checks header and size only
    npy.write_bytes(good[:-8])
    with pytest.raises(ModelFileError, match=r"has \d+ bytes, the metadata says \d+: truncated or modified"):
        KeyedVectors.load(path, mmap="r")
    npy.unlink()
    with pytest.raises(ModelFileError, match="matrix file is missing"):
        KeyedVectors.load(path)
    with pytest.raises(ModelFileError, match="no such file"):
        KeyedVectors.load(tmp_path / "nothing.json")


def _meta(path):
    return json.loads(path.read_text(encoding="utf8"))


@pytest.mark.parametrize("change, message", [
    (lambda m: m.update(format="gensim"), "'format' is 'gensim'"),
    (lambda m: m.update(version=2), "unsupported version 2"),
    (lambda m: m.update(version=True), "unsupported version True"),
    (lambda m: m.update(shape=[40, "7"]), "'shape' must be two non-negative integers"),
    (lambda m: m.update(vector_size=8), "'vector_size' 8 disagrees"),
    (lambda m: m.update(dtype="object"), "'dtype' must be one of"),
    (lambda m: m.update(dtype="float64"), r"the metadata says float64"),
    (lambda m: m["keys"].__setitem__(0, 3), "'keys' must be a list of 40 strings"),
    (lambda m: m["keys"].__setitem__(1, m["keys"][0]), "duplicate key 'the'"),
    (lambda m: m.update(keys={"a": 1}), "'keys' must be a list"),
    (lambda m: m["counts"].__setitem__(0, -1), "'counts' must be null or a list"),
    (lambda m: m["counts"].__setitem__(0, 1.5), "'counts' must be null or a list"),
    (lambda m: m.update(vectors_sha256=None), "'vectors_sha256' must be 64 hex digits"),
    (lambda m: m.update(vectors_bytes="12"), "'vectors_bytes' must be a non-negative integer"),
    (lambda m: m.clear(), "'format' is None"),
])
def test_native_json_with_unexpected_content(tmp_path, change, message):
    path = tmp_path / "kv.json"
    make_kv().save(path)
    meta = _meta(path)
    change(meta)
    path.write_text(json.dumps(meta), encoding="utf8")
    with pytest.raises(ModelFileError, match=message):
        KeyedVectors.load(path)


@pytest.mark.parametrize("content", [b"[1, 2]", b'{"a": NaN}', b"\xff\xfe", b"", b"{" * 100000, pickle.dumps([1])])
def test_native_json_not_json(tmp_path, content):
    (tmp_path / "kv.json").write_bytes(content)
    with pytest.raises(ModelFileError, match=r"kv\.json: "):
        KeyedVectors.load(tmp_path / "kv.json")


class _Payload:
    """Unpickling this creates a marker file: proof that code ran."""

    def __init__(self, marker: str) -> None:
        self.marker = marker

    def __reduce__(self):
        return (open, (self.marker, "w"))


def test_native_loading_never_runs_code(tmp_path):
    marker = tmp_path / "code-ran"
    path = tmp_path / "kv.json"
    make_kv(n_extra=0).save(path)
    npy = tmp_path / "kv.json.vectors.npy"
    evil = np.empty((10, 7), dtype=object)
    evil[0, 0] = _Payload(str(marker))
    with open(npy, "wb") as f:
        np.lib.format.write_array(f, evil, allow_pickle=True)
    meta = _meta(path)
    data = npy.read_bytes()
    meta.update(vectors_sha256=hashlib.sha256(data).hexdigest(), vectors_bytes=len(data))
    for dtype in ("float32", "object"):
        meta["dtype"] = dtype
        path.write_text(json.dumps(meta), encoding="utf8")
        for mmap in (None, "r"):
            with pytest.raises(ModelFileError):
                KeyedVectors.load(path, mmap=mmap)
    assert not marker.exists()
    # A pickle given as the JSON file is refused without being unpickled.
    path.write_bytes(pickle.dumps(_Payload(str(marker))))
    with pytest.raises(ModelFileError, match="pickle"):
        KeyedVectors.load(path)
    assert not marker.exists()


def test_native_save_refuses_unfilled_slots(tmp_path):
    kv = KeyedVectors(3, count=2)
    kv.add_vector("a", np.ones(3))
    with pytest.raises(ParameterError, match="not a string"):
        kv.save(tmp_path / "kv.json")
    assert not (tmp_path / "kv.json").exists()


def test_errors_are_wordvec_errors():
    assert issubclass(VectorFormatError, WordvecError) and issubclass(ModelFileError, WordvecError)


def test_html_like_words_are_still_words(tmp_path):
    (tmp_path / "glove.txt").write_text("<html> 0.1 0.2\n{ 1 2\n")
    kv = KeyedVectors.load_word2vec_format(tmp_path / "glove.txt", no_header=True)
    assert kv.index_to_key == ["<html>", "{"]


@pytest.mark.parametrize("binary", [False, True])
def test_truncated_and_undecodable_files_raise_the_builtin_types_gensim_code_catches(tmp_path, binary):
    path = tmp_path / "kv.bin"
    make_kv(n_extra=5).save_word2vec_format(path, binary=binary)
    data = path.read_bytes()
    header, rest = data.split(b"\n", 1)
    n, d = map(int, header.split())
    path.write_bytes(f"{n + 1} {d}\n".encode() + rest)  # the header promises one vector more
    with pytest.raises(EOFError) as info:
        KeyedVectors.load_word2vec_format(path, binary=binary)
    assert isinstance(info.value, VectorFormatError) and "truncated" in str(info.value)
    bad = tmp_path / "bad.txt"
    bad.write_bytes(b"2 2\nok 1 2\nb\xffd 3 4\n")
    with pytest.raises(UnicodeDecodeError) as info:
        KeyedVectors.load_word2vec_format(bad)
    assert isinstance(info.value, VectorFormatError) and str(info.value).startswith(f"{bad}: line 3: the word is not valid")
