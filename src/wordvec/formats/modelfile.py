"""The saved-model file: an uncompressed ``.npz`` archive holding named numpy arrays and a
``meta`` member, UTF-8 JSON (the parameters, vocabulary, history and the position of an
interrupted run). Written atomically; read with ``allow_pickle=False``, so loading a file a
user was sent never executes code. The model classes check the arrays against their parameters.

Format versions: 1 stored a run's tallies as bare lists, 2 as named fields (both are read).
"""
from __future__ import annotations

import json
import os
import zipfile
from pathlib import Path
from typing import Any

import numpy as np

from ..errors import ModelFileError
from .atomic import atomic_path

FORMAT = "wordvec-model"
FORMAT_VERSION = 2
READABLE_VERSIONS = (1, 2)


def _plain(v: Any) -> Any:
    if isinstance(v, np.generic):
        return v.item()
    raise TypeError(f"{type(v).__name__} is not JSON serializable")


def save_model_file(path: str | os.PathLike, meta: dict[str, Any], arrays: dict[str, np.ndarray]) -> None:
    """Write ``arrays`` and ``meta`` (JSON-able; numpy scalars become numbers) to ``path``
    atomically: a crash or a full disk leaves any previous file intact."""
    header = {"format": FORMAT, "version": FORMAT_VERSION, **meta}
    members = {"meta": np.frombuffer(json.dumps(header, default=_plain).encode("utf-8"), dtype=np.uint8), **arrays}
    with atomic_path(Path(path)) as tmp:
        with open(tmp, "wb") as f:
            np.savez(f, **members)


def load_model_file(path: str | os.PathLike) -> tuple[dict[str, Any], dict[str, np.ndarray]]:
    """(meta, arrays) of a model file; ModelFileError (one line naming the file) when it is
    missing, not a wordvec model file, of an unknown version or unreadable."""
    path = Path(path)
    if not path.is_file():
        raise ModelFileError(f"model file '{path}' does not exist")
    try:
        with np.load(path, allow_pickle=False) as z:
            arrays = {k: z[k] for k in z.files}
    except (zipfile.BadZipFile, ValueError, OSError, EOFError, KeyError) as e:
        raise ModelFileError(f"'{path}' is not a readable wordvec model file ({e})") from None
    try:
        if "meta" not in arrays:
            raise ValueError("it has no meta member")
        meta = json.loads(bytes(arrays.pop("meta")).decode("utf-8"))
        if not isinstance(meta, dict) or meta.get("format") != FORMAT:
            raise ValueError("not a wordvec model")
        if meta.get("version") not in READABLE_VERSIONS:
            raise ValueError(f"unsupported format version {meta.get('version')!r}")
    except (ValueError, UnicodeDecodeError) as e:
        raise ModelFileError(f"'{path}' is not a valid wordvec model file: {e}") from None
    return meta, arrays
