"""Fuzzing the word2vec readers: any bytes either load or raise the library's own error.

Never another exception, never a hang (hypothesis deadline), never an allocation sized by
what a header claims rather than by the file.
"""
from __future__ import annotations

import itertools

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from wordvec.errors import WordvecError
from wordvec.vectors.keyedvectors import KeyedVectors

FUZZ = settings(max_examples=150, deadline=2000, suppress_health_check=[HealthCheck.function_scoped_fixture])
_names = itertools.count()


def load(tmp_path, data: bytes, suffix: str = "", **kwargs):
    path = tmp_path / f"f{next(_names)}{suffix}"
    path.write_bytes(data)
    try:
        kv = KeyedVectors.load_word2vec_format(path, **kwargs)
    except WordvecError as exc:
        assert str(exc) and "\n" not in str(exc).strip()
        return None
    finally:
        path.unlink()
    assert kv.vectors.shape == (len(kv), kv.vector_size)
    assert np.isfinite(kv.vectors).all()
    assert len(set(kv.index_to_key)) == len(kv)
    return kv


MODES = [dict(binary=False), dict(binary=True), dict(no_header=True), dict(binary=False, limit=2),
         dict(binary=True, limit=1), dict(unicode_errors="replace")]


@FUZZ
@given(data=st.binary(max_size=600), mode=st.sampled_from(MODES), suffix=st.sampled_from(["", ".gz", ".bz2"]))
def test_arbitrary_bytes(tmp_path, data, mode, suffix):
    load(tmp_path, data, suffix, **mode)


header = st.tuples(
    st.one_of(st.integers(0, 5), st.integers(0, 10**13)), st.one_of(st.integers(0, 5), st.integers(0, 2**40))
).map(lambda nd: b"%d %d\n" % nd)
body_bytes = st.one_of(
    st.binary(max_size=300),
    st.lists(st.sampled_from([b"w", b"\xc3\xa9", b" ", b"\n", b"1", b"-", b".", b"e", b"nan", b"\t", b"\r",
                              b"\x00", b"9" * 30, b"1e400"]), max_size=80).map(b"".join),
)


@FUZZ
@given(head=header, body=body_bytes, mode=st.sampled_from(MODES))
def test_plausible_header_then_garbage(tmp_path, head, body, mode):
    load(tmp_path, head + body, **mode)


def _valid_file(binary: bool) -> bytes:
    rng = np.random.default_rng(0)
    vectors = rng.standard_normal((4, 3)).astype(np.float32)
    words = ["a", "bé", "c", "東"]
    if binary:
        return b"4 3\n" + b"".join(w.encode() + b" " + v.tobytes() + b"\n" for w, v in zip(words, vectors))
    return b"4 3\n" + b"".join(f"{w} {' '.join(map(repr, v.tolist()))}\n".encode() for w, v in zip(words, vectors))


@FUZZ
@given(binary=st.booleans(), cut=st.integers(0, 200), edits=st.lists(st.tuples(st.integers(0, 200), st.integers(0, 255)), max_size=4),
       insert=st.binary(max_size=8), at=st.integers(0, 200))
def test_mutated_valid_files(tmp_path, binary, cut, edits, insert, at):
    data = bytearray(_valid_file(binary))
    for pos, value in edits:
        if pos < len(data):
            data[pos] = value
    data[at:at] = insert
    data = bytes(data[: len(data) - cut]) if cut else bytes(data)
    load(tmp_path, data, binary=binary)


@pytest.mark.parametrize("binary", [False, True])
def test_valid_file_loads(tmp_path, binary):
    kv = load(tmp_path, _valid_file(binary), binary=binary)
    assert kv is not None and kv.index_to_key == ["a", "bé", "c", "東"]
