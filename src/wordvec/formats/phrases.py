"""Phrases model files (``Phrases.save`` / ``Phrases.load``): a NumPy ``.npz`` archive, read with
``allow_pickle=False`` (loading never runs code from the file).

Members: ``header`` (uint8, UTF-8 JSON: ``format`` "wordvec.Phrases", ``version`` 1, ``kind``
"Phrases" or "FrozenPhrases", the parameters, ``connector_words``, ``keys`` = n, and for a Phrases
``max_vocab_size``, ``progress_per``, ``corpus_word_count``, ``min_reduce``), ``key_bytes`` (uint8,
the UTF-8 keys back to back), ``offsets`` (int64 (n+1,), key i is ``key_bytes[offsets[i]:offsets[i+1]]``)
and ``values`` (int64 counts of a Phrases, float64 scores of a FrozenPhrases, (n,)).
"""
from __future__ import annotations

import json
import os
import zipfile
from typing import Any

import numpy as np

from ..errors import ModelFileError
from .atomic import atomic_write

_FORMAT = "wordvec.Phrases"
_VERSION = 1


def write_phrases_model(
    path: str | os.PathLike, header: dict[str, Any], key_bytes: np.ndarray, offsets: np.ndarray, values: np.ndarray
) -> None:
    """Write a phrases model file atomically (``header`` gets the format, version and key count)."""
    header = {**header, "format": _FORMAT, "version": _VERSION, "keys": int(values.shape[0])}
    text = json.dumps(header, ensure_ascii=False, allow_nan=True).encode("utf-8")
    with atomic_write(path, "wb") as f:
        np.savez(f, header=np.frombuffer(text, dtype=np.uint8), key_bytes=key_bytes, offsets=offsets, values=values)


def read_phrases_model(name: str) -> tuple[dict[str, Any], np.ndarray, np.ndarray, np.ndarray]:
    """(header, key_bytes, offsets, values) of a phrases model file, checked; see the module docstring."""
    def bad(what: str) -> ModelFileError:
        return ModelFileError(f"{name}: not a wordvec phrases model: {what}")

    try:
        with open(name, "rb") as f:
            magic = f.read(2)
    except OSError as exc:
        raise ModelFileError(f"{name}: cannot read ({exc.strerror or exc})") from None
    if magic[:1] == b"\x80":
        raise bad("it looks like a Python pickle (a gensim .save() file?); wordvec never loads pickles")
    try:
        with np.load(name, allow_pickle=False) as z:
            if not isinstance(z, np.lib.npyio.NpzFile):
                raise bad("not an .npz archive")
            arrays = {k: z[k] for k in ("header", "key_bytes", "offsets", "values")}
    except (OSError, ValueError, KeyError, EOFError, zipfile.BadZipFile) as exc:
        if isinstance(exc, ModelFileError):
            raise
        raise bad(f"{exc}") from None
    try:
        header = json.loads(arrays["header"].tobytes().decode("utf-8"))
    except (UnicodeDecodeError, ValueError) as exc:
        raise bad(f"bad header ({exc})") from None
    if not isinstance(header, dict) or header.get("format") != _FORMAT:
        raise bad("bad header")
    if header.get("version") != _VERSION:
        raise bad(f"unsupported version {header.get('version')!r}")
    kind = header.get("kind")
    number = (int, float)
    fields: dict[str, Any] = {"delimiter": str, "min_count": number, "threshold": number, "keys": int,
                              "connector_words": list}
    if kind == "Phrases":
        fields.update(max_vocab_size=int, progress_per=int, corpus_word_count=int, min_reduce=int)
        values_dtype = np.int64
    elif kind == "FrozenPhrases":
        values_dtype = np.float64
    else:
        raise bad(f"unknown kind {kind!r}")
    for field, typ in fields.items():
        if not isinstance(header.get(field), typ) or isinstance(header.get(field), bool):
            raise bad(f"header field {field!r} is {header.get(field)!r}")
    if not all(isinstance(w, str) for w in header["connector_words"]) or not header["delimiter"]:
        raise bad("bad connector words or delimiter")
    if not (header.get("scoring") in ("default", "npmi") or isinstance(header.get("scoring"), dict)):
        raise bad(f"bad scoring {header.get('scoring')!r}")
    n = header["keys"]
    key_bytes, offsets, values = arrays["key_bytes"], arrays["offsets"], arrays["values"]
    if (key_bytes.dtype != np.uint8 or key_bytes.ndim != 1 or offsets.dtype != np.int64 or offsets.shape != (n + 1,)
            or values.dtype != values_dtype or values.shape != (n,)):
        raise bad("arrays of the wrong type or shape")
    if offsets[0] != 0 or offsets[-1] != key_bytes.shape[0] or (n and np.any(np.diff(offsets) < 0)):
        raise bad("inconsistent key offsets")
    try:
        key_bytes.tobytes().decode("utf-8", "surrogatepass")
    except UnicodeDecodeError:
        raise bad("keys are not UTF-8") from None
    return header, key_bytes, offsets, values
