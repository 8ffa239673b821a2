"""Reading .npz members a user may have been sent (wordvec.formats.npz): only the members asked
for, each header checked against the member's size before any data is read, no inflation beyond
what the header promises, no pickles, no nan or inf."""
from __future__ import annotations

import io
import struct
import tracemalloc
import zipfile

import numpy as np
import pytest

from wordvec.errors import ModelFileError
from wordvec.formats.npz import member_names, read_members


def _npy(array: np.ndarray) -> bytes:
    buf = io.BytesIO()
    np.lib.format.write_array(buf, array, allow_pickle=True)
    return buf.getvalue()


def _npy_header(dtype: str, shape: tuple) -> bytes:
    buf = io.BytesIO()
    np.lib.format.write_array_header_1_0(buf, {"descr": dtype, "fortran_order": False, "shape": shape})
    return buf.getvalue()


def test_round_trip_of_every_kind_of_array(tmp_path):
    arrays = {
        "f32": np.arange(12, dtype=np.float32).reshape(3, 4),
        "fortran": np.asfortranarray(np.arange(6, dtype=np.float64).reshape(2, 3)),
        "empty": np.zeros((0, 5), dtype=np.float32),
        "ints": np.array([1, 2, 3], dtype=np.int64),
        "scalar": np.array(7, dtype=np.uint64),
        "meta": np.frombuffer(b'{"a": 1}', dtype=np.uint8),
    }
    for save in (np.savez, np.savez_compressed):
        save(tmp_path / "a.npz", **arrays)
        got = read_members(tmp_path / "a.npz", list(arrays))
        for key, value in arrays.items():
            assert got[key].dtype == value.dtype and np.array_equal(got[key], value), key
        assert got["fortran"].flags.f_contiguous
    assert sorted(member_names(tmp_path / "a.npz")) == sorted(arrays)


def _zip(path, members: dict[str, bytes], declared: dict[str, int] | None = None, deflate: bool = True) -> None:
    """A zip archive of ``members``; ``declared`` overrides a member's declared uncompressed size."""
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED if deflate else zipfile.ZIP_STORED) as zf:
        for name, data in members.items():
            zf.writestr(name + ".npy", data)
    if declared:
        raw = bytearray(path.read_bytes())
        for name, size in declared.items():
            key = (name + ".npy").encode()
            for sig, size_at in ((b"PK\x03\x04", 22), (b"PK\x01\x02", 24)):
                start = 0
                while (i := raw.find(sig, start)) >= 0:
                    name_at = i + (30 if sig == b"PK\x03\x04" else 46)
                    if raw[name_at: name_at + len(key)] == key:
                        raw[i + size_at: i + size_at + 4] = struct.pack("<I", size)
                    start = i + 4
        path.write_bytes(bytes(raw))


def test_a_pickled_member_is_refused_and_never_runs(tmp_path):
    class Payload:
        def __reduce__(self):
            return (exec, ("open('PWNED', 'w').write('x')",))

    _zip(tmp_path / "p.npz", {"w": _npy(np.array([Payload()], dtype=object))})
    with pytest.raises(ModelFileError, match=r"p.npz: member 'w': holds Python objects \(a pickle\)"):
        read_members(tmp_path / "p.npz", ["w"])
    assert not (tmp_path / "PWNED").exists()


def test_a_header_larger_than_its_member_is_refused_before_allocating(tmp_path):
    data = _npy_header("<f4", (1 << 32, 4)) + b"\0" * 64  # declares 64 GiB, holds 64 bytes
    _zip(tmp_path / "h.npz", {"w": data})
    tracemalloc.start()
    try:
        with pytest.raises(ModelFileError, match=r"member 'w': the header declares a float32 array of shape "
                                                 r"\(4294967296, 4\) \(68,719,476,736 bytes\) but the member holds 64"):
            read_members(tmp_path / "h.npz", ["w"])
        assert tracemalloc.get_traced_memory()[1] < 1 << 24
    finally:
        tracemalloc.stop()


def test_a_consistent_but_huge_member_is_refused_by_the_memory_budget(tmp_path, monkeypatch):
    from wordvec import memory

    header = _npy_header("<f4", (900_000_000, 1))  # 3.6 GB, the zip entry declaring as much
    _zip(tmp_path / "big.npz", {"w": header + b"\0" * 16}, declared={"w": len(header) + 3_600_000_000})
    monkeypatch.setattr(memory, "memory_budget", lambda: memory.Budget(1 << 30, "a test budget"))
    with pytest.raises(ModelFileError, match=r"member 'w' \(\(900000000, 1\) float32\) needs 3\.4 GiB, more than "
                                             r"the 1\.0 GiB of a test budget; the file is damaged"):
        read_members(tmp_path / "big.npz", ["w"])


def test_a_deflate_bomb_is_never_inflated_beyond_its_header(tmp_path):
    good = _npy(np.arange(4, dtype=np.float32))
    bomb = good + b"\0" * (1 << 30)  # 1 GiB of data after the declared array
    _zip(tmp_path / "b.npz", {"w": bomb}, declared={"w": len(good)})
    tracemalloc.start()
    try:
        with pytest.raises(ModelFileError, match=r"member 'w' is damaged"):  # CRC of the declared bytes disagrees
            read_members(tmp_path / "b.npz", ["w"])
        assert tracemalloc.get_traced_memory()[1] < 1 << 25
    finally:
        tracemalloc.stop()


def test_an_unused_huge_member_is_never_read(tmp_path):
    with zipfile.ZipFile(tmp_path / "u.npz", "w", zipfile.ZIP_DEFLATED) as zf:
        zf.writestr("w.npy", _npy(np.ones(3, dtype=np.float32)))
        with zf.open("junk.npy", "w", force_zip64=True) as f:
            f.write(_npy_header("<f4", (1 << 28,)))
            block = b"\0" * (1 << 24)
            for _ in range(64):  # 1 GiB, compressed to ~1 MB
                f.write(block)
    tracemalloc.start()
    try:
        got = read_members(tmp_path / "u.npz", ["w"])
        assert tracemalloc.get_traced_memory()[1] < 1 << 24
    finally:
        tracemalloc.stop()
    assert np.array_equal(got["w"], np.ones(3, dtype=np.float32))


@pytest.mark.parametrize("bad", [np.nan, np.inf, -np.inf])
def test_non_finite_values_are_refused(tmp_path, bad):
    w = np.ones((3, 2), dtype=np.float32)
    w[2, 1] = bad
    np.savez(tmp_path / "n.npz", w=w, counts=np.arange(3))
    with pytest.raises(ModelFileError, match=r"n.npz: member 'w': holds a non-finite value \(nan or inf\) at index \(2, 1\)"):
        read_members(tmp_path / "n.npz", ["w", "counts"])
    assert read_members(tmp_path / "n.npz", ["w"], finite=False)["w"].shape == (3, 2)


def test_the_callers_check_runs_before_the_data_is_read(tmp_path):
    np.savez(tmp_path / "c.npz", w=np.ones((5, 3), dtype=np.float32))
    seen = []

    def check(name, dtype, shape):
        seen.append((name, dtype, shape))
        if shape != (4, 3):
            raise ValueError(f"shape {shape} disagrees with the metadata's (4, 3)")

    with pytest.raises(ModelFileError, match=r"c.npz: member 'w': shape \(5, 3\) disagrees with the metadata's \(4, 3\)"):
        read_members(tmp_path / "c.npz", ["w"], check=check)
    assert seen == [("w", np.dtype(np.float32), (5, 3))]


def test_missing_members_and_files_that_are_not_archives(tmp_path):
    np.savez(tmp_path / "m.npz", w=np.ones(2))
    with pytest.raises(ModelFileError, match=r"m.npz: the member 'syn1' is missing"):
        read_members(tmp_path / "m.npz", ["w", "syn1"])
    assert list(read_members(tmp_path / "m.npz", ["w", "syn1"], optional=["syn1"])) == ["w"]
    (tmp_path / "t.npz").write_text("hello")
    with pytest.raises(ModelFileError, match=r"t.npz: not a readable wordvec model file \(not a valid zip archive"):
        read_members(tmp_path / "t.npz", ["w"])
    with pytest.raises(ModelFileError, match=r"nope.npz: no such file"):
        read_members(tmp_path / "nope.npz", ["w"])
    data = (tmp_path / "m.npz").read_bytes()
    (tmp_path / "cut.npz").write_bytes(data[: len(data) // 2])
    with pytest.raises(ModelFileError, match=r"cut.npz: not a readable"):
        read_members(tmp_path / "cut.npz", ["w"])
