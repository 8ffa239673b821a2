"""Model and checkpoint files read member by member (Word2Vec.load, wordvec train --resume): only
the arrays the model needs, each header checked against the metadata and the member's size before
reading, never inflated beyond it, nan and inf refused, every failure one line naming the file."""
from __future__ import annotations

import io
import struct
import subprocess
import sys
import tracemalloc
import zipfile
from pathlib import Path

import numpy as np
import pytest

from wordvec.errors import ModelFileError
from wordvec.models.word2vec import Word2Vec

SENTENCES = [["alpha", "beta", "gamma", "delta", "alpha", "beta"], ["gamma", "delta", "alpha", "epsilon"]] * 30


@pytest.fixture(scope="module")
def saved(tmp_path_factory) -> Path:
    path = tmp_path_factory.mktemp("model") / "m.npz"
    Word2Vec(SENTENCES, vector_size=8, min_count=1, epochs=1, workers=1, seed=1).save(path)
    return path


def _npy(array: np.ndarray) -> bytes:
    buf = io.BytesIO()
    np.lib.format.write_array(buf, array, allow_pickle=False)
    return buf.getvalue()


def _npy_header(dtype: str, shape: tuple) -> bytes:
    buf = io.BytesIO()
    np.lib.format.write_array_header_1_0(buf, {"descr": dtype, "fortran_order": False, "shape": shape})
    return buf.getvalue()


def _rewrite(src: Path, dst: Path, change, extra: dict[str, bytes] | None = None) -> None:
    with zipfile.ZipFile(src) as zin, zipfile.ZipFile(dst, "w", zipfile.ZIP_DEFLATED) as zout:
        for item in zin.infolist():
            data = change(item.filename[:-4], zin.read(item.filename))
            if data is not None:
                zout.writestr(item.filename, data)
        for name, data in (extra or {}).items():
            zout.writestr(name + ".npy", data)


def _declare(path: Path, member: str, size: int) -> None:
    """Make the zip entries of ``member`` declare ``size`` uncompressed bytes (a crafted file)."""
    raw = bytearray(path.read_bytes())
    key = (member + ".npy").encode()
    for sig, size_at, name_at in ((b"PK\x03\x04", 22, 30), (b"PK\x01\x02", 24, 46)):
        start = 0
        while (i := raw.find(sig, start)) >= 0:
            if raw[i + name_at: i + name_at + len(key)] == key:
                raw[i + size_at: i + size_at + 4] = struct.pack("<I", size)
            start = i + 4
    path.write_bytes(bytes(raw))


def _weights(saved: Path, name: str) -> np.ndarray:
    with zipfile.ZipFile(saved) as z:
        return np.load(io.BytesIO(z.read(name + ".npy")))


@pytest.mark.parametrize("member, bad", [("w_in", np.nan), ("syn1neg", np.inf), ("w_in", -np.inf)])
def test_non_finite_weights_are_refused(saved, tmp_path, member, bad):
    w = _weights(saved, member)
    w[3, 2] = bad
    _rewrite(saved, tmp_path / "nan.npz", lambda n, d: _npy(w) if n == member else d)
    with pytest.raises(ModelFileError, match=rf"^'.*nan\.npz' is not a valid wordvec model file: .*member '{member}': "
                                             r"holds a non-finite value \(nan or inf\) at index \(3, 2\)$"):
        Word2Vec.load(tmp_path / "nan.npz")


def test_a_header_disagreeing_with_the_metadata_is_refused_before_reading(saved, tmp_path):
    huge = _npy_header("<f4", (5, 1 << 30))  # 20 GiB declared, consistent with a crafted entry size
    _rewrite(saved, tmp_path / "huge.npz", lambda n, d: huge + b"\0" * 64 if n == "w_in" else d)
    _declare(tmp_path / "huge.npz", "w_in", len(huge) + 64)
    tracemalloc.start()
    try:
        with pytest.raises(ModelFileError, match=r"'.*huge\.npz' is not a valid wordvec model file: .*member 'w_in': "
                                                 r"the header declares a float32 array of shape \(5, 1073741824\)"):
            Word2Vec.load(tmp_path / "huge.npz")
        shape_only = _npy_header("<f4", (6, 8))
        _rewrite(saved, tmp_path / "shape.npz", lambda n, d: shape_only + b"\0" * 192 if n == "w_in" else d)
        with pytest.raises(ModelFileError, match=r"member 'w_in': array w_in has shape \(6, 8\) float32, expected "
                                                 r"\(5, 8\) float32"):
            Word2Vec.load(tmp_path / "shape.npz")
        assert tracemalloc.get_traced_memory()[1] < 1 << 24
    finally:
        tracemalloc.stop()


def test_a_deflate_bomb_is_not_inflated(saved, tmp_path):
    w = _npy(_weights(saved, "w_in"))
    _rewrite(saved, tmp_path / "bomb.npz", lambda n, d: w + b"\0" * (1 << 29) if n == "w_in" else d)  # +512 MiB
    _declare(tmp_path / "bomb.npz", "w_in", len(w))
    tracemalloc.start()
    try:
        with pytest.raises(ModelFileError, match=r"'.*bomb\.npz' is not a valid wordvec model file: .*member 'w_in' is "
                                                 r"damaged"):
            Word2Vec.load(tmp_path / "bomb.npz")
        assert tracemalloc.get_traced_memory()[1] < 1 << 24
    finally:
        tracemalloc.stop()


def test_an_unused_huge_member_is_never_read(saved, tmp_path):
    junk = _npy_header("<f4", (1 << 27,)) + b"\0" * (1 << 29)  # 512 MiB nobody needs
    _rewrite(saved, tmp_path / "junk.npz", lambda n, d: d, extra={"junk": junk})
    tracemalloc.start()
    try:
        model = Word2Vec.load(tmp_path / "junk.npz")
        assert tracemalloc.get_traced_memory()[1] < 1 << 24
    finally:
        tracemalloc.stop()
    assert model.wv.index_to_key == Word2Vec.load(saved).wv.index_to_key


def test_a_meta_member_that_is_not_bytes_is_refused(saved, tmp_path):
    _rewrite(saved, tmp_path / "meta.npz", lambda n, d: _npy(np.zeros(4)) if n == "meta" else d)
    with pytest.raises(ModelFileError, match=r"'.*meta\.npz' is not a readable wordvec model file \(.*the meta member is a "
                                             r"float64 array of shape \(4,\), not bytes\)$"):
        Word2Vec.load(tmp_path / "meta.npz")


def test_a_crafted_checkpoint_is_one_line_from_the_command(saved, tmp_path):
    w = _weights(saved, "w_in")
    w[0, 0] = np.nan
    _rewrite(saved, tmp_path / "ck.npz", lambda n, d: _npy(w) if n == "w_in" else d)
    proc = subprocess.run([sys.executable, "-m", "wordvec.cli", "train", "--resume", "ck.npz", "-o", "v.txt"],
                          cwd=tmp_path, capture_output=True, text=True, timeout=120)
    assert proc.returncode == 1 and "Traceback" not in proc.stderr
    assert proc.stderr.count("\n") == 1 and proc.stderr.startswith("wordvec: error: 'ck.npz' is not a valid wordvec model")
    assert "non-finite" in proc.stderr
    assert not (tmp_path / "v.txt").exists()
