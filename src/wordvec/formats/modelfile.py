"""The saved-model file: an uncompressed ``.npz`` archive holding named numpy arrays and a
``meta`` member, UTF-8 JSON (the parameters, vocabulary, history and the position of an
interrupted run). Written atomically (:mod:`wordvec.formats.outputs`' policy). Read member by
member (:mod:`wordvec.formats.npz`): the meta first, then only the arrays the model needs, each
checked against the shapes the meta implies, the member's size and the memory budget before a
byte of it is read, never inflated beyond its header, nan and inf refused, no pickle ever loaded.

Format versions: 1 stored a run's tallies as bare lists, 2 as named fields (both are read).
"""
from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any

import numpy as np

from ..errors import ModelFileError
from .atomic import atomic_path
from .npz import member_names, read_members

FORMAT = "wordvec-model"
FORMAT_VERSION = 2
READABLE_VERSIONS = (1, 2)


def _plain(v: Any) -> Any:
    if isinstance(v, np.generic):
        return v.item()
    raise TypeError(f"{type(v).__name__} is not JSON serializable")


def save_model_file(
    path: str | os.PathLike, meta: dict[str, Any], arrays: dict[str, np.ndarray], force: bool | None = None
) -> None:
    """Write ``arrays`` and ``meta`` (JSON-able; numpy scalars become numbers) to ``path``
    atomically: a crash or a full disk leaves any previous file intact. ``force`` replaces a
    read-only file (see :mod:`wordvec.formats.outputs`)."""
    header = {"format": FORMAT, "version": FORMAT_VERSION, **meta}
    members = {"meta": np.frombuffer(json.dumps(header, default=_plain).encode("utf-8"), dtype=np.uint8), **arrays}
    with atomic_path(Path(path), force) as tmp:
        with open(tmp, "wb") as f:
            np.savez(f, **members)


def load_model_meta(path: str | os.PathLike) -> dict[str, Any]:
    """The ``meta`` member of a model file, parsed and checked to be a wordvec model of a readable
    version; no other member is read. ModelFileError (one line naming the file) otherwise."""
    path = Path(path)
    if not path.is_file():
        raise ModelFileError(f"model file '{path}' does not exist")

    def check(name: str, dtype: np.dtype, shape: tuple[int, ...]) -> None:
        if dtype != np.uint8 or len(shape) != 1:
            raise ValueError(f"the meta member is a {dtype} array of shape {shape}, not bytes")

    try:
        raw = read_members(path, ["meta"], check=check, finite=False)["meta"]
    except ModelFileError as e:
        raise ModelFileError(f"'{path}' is not a readable wordvec model file ({e})") from None
    try:
        meta = json.loads(bytes(raw).decode("utf-8"), parse_constant=_reject_constant)
        if not isinstance(meta, dict) or meta.get("format") != FORMAT:
            raise ValueError("not a wordvec model")
        if meta.get("version") not in READABLE_VERSIONS:
            raise ValueError(f"unsupported format version {meta.get('version')!r}")
    except (ValueError, UnicodeDecodeError, RecursionError) as e:
        raise ModelFileError(f"'{path}' is not a valid wordvec model file: {e}") from None
    return meta


#: An array's expected shape (None: any length on that axis) and dtype.
ArraySpec = tuple[tuple[Any, ...], Any]


def load_model_arrays(path: str | os.PathLike, spec: dict[str, ArraySpec]) -> dict[str, np.ndarray]:
    """The arrays named in ``spec`` and only those, each refused before its data is read when its
    header disagrees with the spec, with the member's size or with the memory budget, and after
    when it holds nan or inf (see :mod:`wordvec.formats.npz`)."""
    def check(name: str, dtype: np.dtype, shape: tuple[int, ...]) -> None:
        want_shape, want_dtype = spec[name]
        if (dtype != np.dtype(want_dtype) or len(shape) != len(want_shape)
                or any(w is not None and w != s for w, s in zip(want_shape, shape))):
            shown = tuple("any" if w is None else w for w in want_shape)
            raise ValueError(f"array {name} has shape {shape} {dtype}, expected {shown} {np.dtype(want_dtype)}")

    path = Path(path)
    try:
        return read_members(path, list(spec), check=check)
    except ModelFileError as e:
        raise ModelFileError(f"'{path}' is not a valid wordvec model file: {e}") from None


def load_model_file(path: str | os.PathLike) -> tuple[dict[str, Any], dict[str, np.ndarray]]:
    """(meta, arrays) of a model file with every array member (each read as
    :func:`load_model_arrays` reads them); loaders that know which arrays they need call
    :func:`load_model_meta` and :func:`load_model_arrays` instead."""
    meta = load_model_meta(path)
    names = [n for n in member_names(path) if n != "meta"]
    try:
        arrays = read_members(path, names)
    except ModelFileError as e:
        raise ModelFileError(f"'{Path(path)}' is not a valid wordvec model file: {e}") from None
    return meta, arrays


def _reject_constant(token: str) -> None:
    raise ValueError(f"non-standard JSON constant {token}")
