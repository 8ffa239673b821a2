"""Reading arrays out of ``.npz`` archives (numpy's zip of ``.npy`` members) that a user may have
been sent: only the members asked for, each checked before a byte of its data is read.

``np.load(path)[name]`` trusts the archive: it reads any member in full, inflates a deflated
member as far as its data goes, and takes the ``.npy`` header's shape as given. A crafted file can
then allocate gigabytes (a header declaring a 16 GiB array, a deflate bomb, a huge member nobody
uses). :func:`read_members` instead, for each member asked for:

1. reads the ``.npy`` magic and header (at most ``MAX_HEADER_BYTES``), refusing object dtypes
   (pickles) and unknown versions;
2. computes the data size the header promises (shape x item size) and requires the zip entry's
   declared uncompressed size to be exactly header + data: a member cannot inflate beyond it;
3. lets the caller check the dtype and shape against the file's metadata (``check``);
4. checks the size against the memory budget (:func:`wordvec.memory.check_fits`);
5. reads exactly that many bytes into a preallocated array (the zip CRC is verified at the end);
6. refuses nan and inf in floating-point arrays.

Every failure is a :class:`~wordvec.errors.ModelFileError` naming the file and the member.
"""
from __future__ import annotations

import math
import os
import zipfile
import zlib
from typing import Callable, Iterable

import numpy as np

from ..errors import ModelFileError, ParameterError
from ..memory import check_fits

__all__ = ["read_members", "member_names", "MAX_HEADER_BYTES"]

MAX_HEADER_BYTES = 1 << 16
_READ_CHUNK = 1 << 24


def member_names(path: str | os.PathLike) -> list[str]:
    """The array names in an .npz archive (its ``<name>.npy`` members), without reading them."""
    name = os.fspath(path)
    with _open_zip(name) as zf:
        return [n[:-4] for n in zf.namelist() if n.endswith(".npy")]


def _open_zip(name: str) -> zipfile.ZipFile:
    try:
        return zipfile.ZipFile(name)
    except FileNotFoundError:
        raise ModelFileError(f"{name}: no such file") from None
    except IsADirectoryError:
        raise ModelFileError(f"{name}: is a directory, not a model file") from None
    except (zipfile.BadZipFile, zipfile.LargeZipFile, OSError, ValueError, EOFError) as exc:
        raise ModelFileError(f"{name}: not a readable wordvec model file (not a valid zip archive: {exc})") from None


def read_members(
    path: str | os.PathLike,
    names: Iterable[str],
    check: Callable[[str, np.dtype, tuple[int, ...]], None] | None = None,
    optional: Iterable[str] = (),
    finite: bool = True,
) -> dict[str, np.ndarray]:
    """Read the arrays ``names`` of an .npz archive, each verified as the module docstring says.

    ``check(name, dtype, shape)`` may raise (a ModelFileError, or a ValueError turned into one)
    to refuse a member before its data is read. Names in ``optional`` may be missing. With
    ``finite``, floating-point arrays holding nan or inf are refused.
    """
    name = os.fspath(path)
    optional = set(optional)
    out: dict[str, np.ndarray] = {}
    with _open_zip(name) as zf:
        for member in names:
            try:
                info = zf.getinfo(member + ".npy")
            except KeyError:
                if member in optional:
                    continue
                raise ModelFileError(f"{name}: the member '{member}' is missing: truncated or not a wordvec model file") from None
            try:
                out[member] = _read_member(name, zf, info, member, check, finite)
            except (zipfile.BadZipFile, zlib.error, EOFError, OSError, NotImplementedError, RuntimeError) as exc:
                raise ModelFileError(f"{name}: member '{member}' is damaged ({exc})") from None
    return out


def _read_member(
    name: str, zf: zipfile.ZipFile, info: zipfile.ZipInfo, member: str,
    check: Callable[[str, np.dtype, tuple[int, ...]], None] | None, finite: bool,
) -> np.ndarray:
    def bad(what: str) -> ModelFileError:
        return ModelFileError(f"{name}: member '{member}': {what}")

    with zf.open(info) as f:
        try:
            version = np.lib.format.read_magic(f)
            if version == (1, 0):
                shape, fortran, dtype = np.lib.format.read_array_header_1_0(f, max_header_size=MAX_HEADER_BYTES)
            elif version in ((2, 0), (3, 0)):
                shape, fortran, dtype = np.lib.format.read_array_header_2_0(f, max_header_size=MAX_HEADER_BYTES)
            else:
                raise ValueError(f"unsupported .npy version {version}")
        except (ValueError, EOFError, SyntaxError, TypeError) as exc:
            raise bad(f"not a valid .npy array ({exc})") from None
        if dtype.hasobject:
            raise bad("holds Python objects (a pickle); wordvec never loads pickles")
        if not all(isinstance(s, int) and s >= 0 for s in shape):
            raise bad(f"invalid shape {shape!r}")
        data_bytes = math.prod(shape) * dtype.itemsize
        offset = f.tell()
        if info.file_size != offset + data_bytes:
            raise bad(
                f"the header declares a {dtype} array of shape {tuple(shape)} ({data_bytes:,} bytes) but the member "
                f"holds {info.file_size - offset:,}: damaged or crafted"
            )
        if check is not None:
            try:
                check(member, dtype, tuple(shape))
            except ModelFileError:
                raise
            except ValueError as exc:
                raise bad(str(exc)) from None
        try:
            check_fits(data_bytes, f"{name}: member '{member}' ({tuple(shape)} {dtype})",
                       "the file is damaged, crafted, or needs a larger machine")
        except ParameterError as exc:
            raise ModelFileError(str(exc)) from None
        array = np.empty(shape, dtype=dtype, order="F" if fortran else "C")
        view = memoryview(array.reshape(-1, order="A")).cast("B") if data_bytes else memoryview(b"")
        done = 0
        while done < data_bytes:
            n = f.readinto(view[done: done + _READ_CHUNK])
            if not n:
                raise bad(f"ends after {done:,} of {data_bytes:,} bytes")
            done += n
        if f.read(1):  # pragma: no cover - zipfile stops at file_size
            raise bad("holds more data than its header declares")
    if finite and array.dtype.kind in "fc" and array.size and not np.isfinite(array).all():
        index = np.unravel_index(int(np.flatnonzero(~np.isfinite(array.reshape(-1, order="A")))[0]), array.shape,
                                 order="F" if fortran else "C")
        raise bad(f"holds a non-finite value (nan or inf) at index {tuple(int(i) for i in index)}")
    return array
