"""Word2vec files read as streams (compressed files, FIFOs, standard input) and what a word may hold.

A compressed file is decompressed only as far as ``limit`` needs; a stream read in many blocks
gives the same vectors and the same errors (same line numbers) as the memory-mapped file; the
writer refuses exactly the words the readers could not give back; non-finite values in native
files and a ``datatype`` too narrow for the values are refused."""
from __future__ import annotations

import gzip
import hashlib
import json
import os
import threading
import tracemalloc
import zlib

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from wordvec.errors import ModelFileError, VectorFormatError
from wordvec.formats import word2vec as w2v
from wordvec.vectors.keyedvectors import KeyedVectors


def _vectors(n: int = 40, d: int = 6, seed: int = 0) -> tuple[list[str], np.ndarray]:
    rng = np.random.default_rng(seed)
    return [f"w{i}é" for i in range(n)], rng.normal(size=(n, d)).astype(np.float32)


def _bomb(path, head: bytes, junk: bytes, total: int) -> None:
    """A gzip file: ``head`` then ``junk`` repeated up to ``total`` bytes (inflates ~1000x)."""
    comp = zlib.compressobj(1, zlib.DEFLATED, 31)
    with open(path, "wb") as f:
        f.write(comp.compress(head))
        block = junk * ((4 << 20) // len(junk))
        for _ in range(total // len(block)):
            f.write(comp.compress(block))
        f.write(comp.flush())


@pytest.mark.parametrize("binary", [False, True])
def test_limit_reads_only_what_it_needs_of_a_compressed_file(tmp_path, binary):
    keys, vecs = _vectors(3, 4)
    plain = tmp_path / "v"
    w2v.write_word2vec(plain, keys, vecs, binary=binary)
    body = plain.read_bytes().split(b"\n", 1)[1]
    path = tmp_path / "bomb.gz"
    _bomb(path, b"100000000 4\n" + body, b"x" if binary else b"junk 1 2 3 4\n", 1 << 29)  # 512 MiB inflated
    assert path.stat().st_size < 8 << 20
    w2v.read_word2vec(plain, binary=binary, limit=1)  # load the compiled parser outside the measure
    tracemalloc.start()
    try:
        got, vectors = w2v.read_word2vec(path, binary=binary, limit=2)
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert got == keys[:2] and np.array_equal(vectors, vecs[:2])
    assert peak < 64 << 20, peak


def test_a_stream_without_newlines_is_never_read_whole(tmp_path):
    path = tmp_path / "noline.gz"
    _bomb(path, b"3 4\nw", b"x", 1 << 29)  # one 512 MiB line
    tracemalloc.start()
    try:
        with pytest.raises(VectorFormatError, match=r"noline.gz: line 2: longer than 128 MiB: not a word2vec text file"):
            w2v.read_word2vec(path, limit=1)
        _bomb(path, b"", b"3", 1 << 29)  # a header line that never ends
        with pytest.raises(VectorFormatError, match=r"noline.gz: line 1: longer than 128 MiB"):
            w2v.read_word2vec(path)
        assert tracemalloc.get_traced_memory()[1] < 400 << 20
    finally:
        tracemalloc.stop()


@pytest.fixture
def small_blocks(monkeypatch):
    """Stream blocks of 64 bytes: every file below spans many blocks, with lines cut across them."""
    monkeypatch.setattr(w2v, "_STREAM_BLOCK", 64)


def _both(tmp_path, data: bytes, **kw):
    """Read ``data`` memory-mapped and gzip-streamed: (result or error message) of each."""
    out = []
    for name, content in (("v.txt", data), ("v.txt.gz", gzip.compress(data))):
        (tmp_path / name).write_bytes(content)
        try:
            keys, vectors = w2v.read_word2vec(tmp_path / name, **kw)
            out.append((keys, vectors.tobytes()))
        except VectorFormatError as exc:
            out.append(str(exc).replace(str(tmp_path / name), "FILE"))
    return out


@pytest.mark.parametrize("case", ["ok", "trailing-blank", "blank-inside", "extra", "short", "bad-number", "limit"])
def test_streams_read_as_the_memory_map_does(tmp_path, small_blocks, case):
    keys, vecs = _vectors()
    w2v.write_word2vec(tmp_path / "src.txt", keys, vecs)
    lines = (tmp_path / "src.txt").read_bytes().split(b"\n")[:-1]
    kw = {}
    if case == "trailing-blank":
        lines += [b"", b"  "]
    elif case == "blank-inside":
        lines.insert(17, b"")
    elif case == "extra":
        lines.append(lines[5])
    elif case == "short":
        lines = lines[:30]
    elif case == "bad-number":
        lines[25] = lines[25].replace(b" ", b" x", 1)
    elif case == "limit":
        kw["limit"] = 13
    mapped, streamed = _both(tmp_path, b"\n".join(lines) + b"\n", **kw)
    assert mapped == streamed
    if case in ("ok", "trailing-blank"):
        assert mapped[0] == keys and mapped[1] == vecs.tobytes()
    elif case == "limit":
        assert mapped[0] == keys[:13]
    else:
        assert isinstance(mapped, str) and mapped.startswith("FILE: ")
        expected = {"blank-inside": "line 18: empty line", "extra": "line 42: more vectors",
                    "short": "the file ends after 29", "bad-number": "line 26: 'x"}[case]
        assert expected in mapped, mapped


def test_binary_stream_in_small_blocks(tmp_path, small_blocks):
    keys, vecs = _vectors(50, 7)
    w2v.write_word2vec(tmp_path / "v.bin", keys, vecs, binary=True)
    (tmp_path / "v.bin.gz").write_bytes(gzip.compress((tmp_path / "v.bin").read_bytes()))
    got, vectors = w2v.read_word2vec(tmp_path / "v.bin.gz", binary=True)
    assert got == keys and np.array_equal(vectors, vecs)
    (tmp_path / "cut").write_bytes((tmp_path / "v.bin").read_bytes()[:-40])
    (tmp_path / "cut.gz").write_bytes(gzip.compress((tmp_path / "cut").read_bytes()))
    messages = []
    for name in ("cut", "cut.gz"):
        with pytest.raises(VectorFormatError, match=r"byte offset \d+: file ends inside vector 49 of 50") as info:
            w2v.read_word2vec(tmp_path / name, binary=True)
        messages.append(str(info.value).replace(name + ":", ":"))
    assert messages[0] == messages[1]


@pytest.mark.skipif(os.name != "posix", reason="FIFOs")
@pytest.mark.parametrize("binary", [False, True])
def test_vectors_from_a_fifo(tmp_path, binary):
    keys, vecs = _vectors()
    w2v.write_word2vec(tmp_path / "v", keys, vecs, binary=binary)
    fifo = tmp_path / "pipe"
    os.mkfifo(fifo)
    writer = threading.Thread(target=lambda: fifo.write_bytes(gzip.compress((tmp_path / "v").read_bytes())))
    writer.start()
    kv = KeyedVectors.load_word2vec_format(fifo, binary=binary)
    writer.join(10)
    assert kv.index_to_key == keys and np.array_equal(kv.vectors, vecs)


# ------------------------------------------------------------------------- what a word may hold

@settings(max_examples=200, deadline=None)
@given(word=st.text(min_size=0, max_size=6) | st.binary(min_size=1, max_size=6).map(lambda b: b.decode("latin-1")))
def test_the_writer_refuses_exactly_the_words_the_reader_cannot_give_back(tmp_path_factory, word):
    folder = tmp_path_factory.mktemp("words")
    if word in ("anchor", "zzz"):
        return
    keys = ["anchor", word, "zzz"]  # the word on line 3 and, first, on line 2 (where binary data is looked for)
    vecs = np.ones((3, 3), dtype=np.float32)
    for order in (keys, [word, "anchor", "zzz"]):
        for binary in (False, True):
            path = folder / f"v{int(binary)}"
            try:
                w2v.write_word2vec(path, order, vecs, binary=binary)
            except VectorFormatError as exc:
                assert "cannot write the word" in str(exc)
                assert not path.exists()
                assert word == "" or any(c in " \t\n\r\v\f" for c in word), repr(word)
                continue
            got, _ = w2v.read_word2vec(path, binary=binary)
            assert got == order, (binary, word)


@pytest.mark.parametrize("word", ["a\x00b", "\x00", "bell\x07", "esc\x1b[0m", "del\x7f", "fs\x1c", "nel\x85", "\u2028"])
def test_words_with_control_bytes_round_trip_even_on_line_2(tmp_path, word):
    kv = KeyedVectors.from_vectors([word, "ok"], np.ones((2, 2), dtype=np.float32))
    for binary in (False, True):
        kv.save_word2vec_format(tmp_path / "v", binary=binary)
        assert KeyedVectors.load_word2vec_format(tmp_path / "v", binary=binary).index_to_key == [word, "ok"]


@pytest.mark.parametrize("word", ["a b", "tab\t", "vt\x0b", "ff\x0c", "cr\r", "nl\n", ""])
def test_words_with_whitespace_are_refused_naming_the_word(tmp_path, word):
    kv = KeyedVectors.from_vectors(["ok", word], np.ones((2, 2), dtype=np.float32))
    for binary in (False, True):
        with pytest.raises(VectorFormatError, match=r"cannot write the word .* must be non-empty and hold no whitespace"):
            kv.save_word2vec_format(tmp_path / "v", binary=binary)
    assert not os.listdir(tmp_path)
    kv.save(tmp_path / "native.json")  # the native format holds any string
    assert KeyedVectors.load(tmp_path / "native.json").index_to_key == ["ok", word]


# ------------------------------------------------------------------------- non-finite values

def test_non_finite_values_in_a_native_file_are_refused(tmp_path):
    keys, vecs = _vectors(4, 3)
    kv = KeyedVectors.from_vectors(keys, vecs)
    path = tmp_path / "kv.json"
    kv.save(path)
    npy = tmp_path / "kv.json.vectors.npy"
    for bad in (np.nan, np.inf, -np.inf):
        tampered = vecs.copy()
        tampered[2, 1] = bad
        with open(npy, "wb") as f:
            np.lib.format.write_array(f, tampered, allow_pickle=False)
        meta = json.loads(path.read_text())
        meta["vectors_sha256"] = hashlib.sha256(npy.read_bytes()).hexdigest()
        meta["vectors_bytes"] = npy.stat().st_size
        path.write_text(json.dumps(meta))
        with pytest.raises(ModelFileError, match=r"kv.json.vectors.npy: the vector of 'w2é' holds a non-finite value"):
            KeyedVectors.load(path)
    kv.vectors[0, 0] = np.nan
    with pytest.raises(ModelFileError, match=r"cannot save the vector of 'w0é': it holds a non-finite value"):
        kv.save(tmp_path / "other.json")
    assert not (tmp_path / "other.json").exists() and not (tmp_path / "other.json.vectors.npy").exists()


def test_a_datatype_too_narrow_for_the_values_is_an_error(tmp_path):
    keys, vecs = _vectors(3, 2)
    vecs[1, 0] = 3e38
    w2v.write_word2vec(tmp_path / "v.txt", keys, vecs)
    with pytest.raises(VectorFormatError, match=r"v.txt: the vector of 'w1é' does not fit in datatype float16 "
                                                r"\(largest magnitude 3e\+38\); use float32"):
        KeyedVectors.load_word2vec_format(tmp_path / "v.txt", datatype=np.float16)
    kv = KeyedVectors.load_word2vec_format(tmp_path / "v.txt", datatype=np.float64)
    assert kv.vectors.dtype == np.float64 and kv.vectors[1, 0] == np.float32(3e38)
    vecs[1, 0] = 1.0
    w2v.write_word2vec(tmp_path / "v.txt", keys, vecs)
    assert KeyedVectors.load_word2vec_format(tmp_path / "v.txt", datatype=np.float16).vectors.dtype == np.float16
