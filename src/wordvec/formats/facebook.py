"""Facebook fastText's binary model format (``.bin``), read and written; its ``.vec`` text vectors.

Layout of a ``.bin`` (little-endian; fastText 0.9, file version 12), as fastText's own
``saveModel`` writes it:

==========================  ===============================================================
magic, version              int32 793712314, int32 12 (11 = older; supervised models of
                            version 11 have no character n-grams)
arguments                   int32 dim, ws, epoch, minCount, neg, wordNgrams, loss (1 hs,
                            2 ns, 3 softmax, 4 ova), model (1 cbow, 2 skipgram, 3 supervised),
                            bucket, minn, maxn, lrUpdateRate; float64 t (sampling threshold)
dictionary                  int32 size, nwords, nlabels; int64 ntokens, pruneidx_size
                            (-1: not pruned); ``size`` entries: UTF-8 word, NUL, int64
                            count, int8 type (0 word, 1 label), words first; then
                            pruneidx_size pairs of int32
input matrix                bool quantized; int64 rows (nwords + bucket), int64 cols (dim);
                            rows * cols float32, row-major
output matrix               bool quantized; int64 rows, int64 cols; float32 data
==========================  ===============================================================

Quantized models (``.ftz``) and pruned dictionaries are refused with one line saying so. Every
size read from a header is checked against the bytes left in the file before anything is
allocated, so a damaged or hostile file costs no more memory than its own size; every defect is
one :class:`~wordvec.errors.ModelFileError` naming the file, the byte offset and the field.

This module is the file codec alone (plain arrays in and out); the objects are built one layer
up: :func:`wordvec.vectors.fasttext_keyedvectors.load_facebook_vectors` and
:func:`wordvec.models.fasttext.load_facebook_model`. Written files are read by the ``fasttext`` package's ``load_model`` and gensim's
``load_facebook_model`` and give the same vectors for known and unknown words.
"""
from __future__ import annotations

import mmap as mmap_module
import os
import struct
from dataclasses import dataclass, field
from typing import Any, Sequence

import numpy as np

from ..errors import ModelFileError, ParameterError
from .atomic import atomic_write
from .word2vec import write_word2vec

__all__ = [
    "FacebookArgs", "FacebookModel", "FASTTEXT_MAGIC", "FASTTEXT_VERSION", "read_facebook_bin",
    "save_facebook_vectors", "write_facebook_bin", "write_facebook_vec",
]

FASTTEXT_MAGIC = 793712314
FASTTEXT_VERSION = 12
LOSSES = {1: "hs", 2: "ns", 3: "softmax", 4: "ova"}
MODELS = {1: "cbow", 2: "skipgram", 3: "supervised"}
_ARGS = struct.Struct("<12id")
_DICT_HEAD = struct.Struct("<3i2q")
_MATRIX_HEAD = struct.Struct("<2q")
_ENTRY_TAIL = struct.Struct("<qb")
_MAX_WORD_BYTES = 1 << 20


@dataclass
class FacebookArgs:
    """The training arguments a ``.bin`` stores (fastText's names in comments)."""

    dim: int = 100
    ws: int = 5
    epoch: int = 5
    min_count: int = 5  # minCount
    neg: int = 5
    word_ngrams: int = 1  # wordNgrams
    loss: str = "ns"  # hs, ns, softmax, ova
    model: str = "skipgram"  # cbow, skipgram, supervised
    bucket: int = 2000000
    minn: int = 3
    maxn: int = 6
    lr_update_rate: int = 100  # lrUpdateRate
    t: float = 1e-4


@dataclass
class FacebookModel:
    """Everything a ``.bin`` holds. ``words``/``counts`` are the vocabulary (the first ``nwords``
    dictionary entries), ``labels``/``label_counts`` the supervised labels; ``input_matrix`` is
    (nwords + bucket, dim) float32, ``output_matrix`` (rows, dim) float32."""

    args: FacebookArgs
    words: list[str]
    counts: np.ndarray
    ntokens: int
    input_matrix: np.ndarray
    output_matrix: np.ndarray
    labels: list[str] = field(default_factory=list)
    label_counts: np.ndarray = field(default_factory=lambda: np.zeros(0, dtype=np.int64))
    version: int = FASTTEXT_VERSION


# ---------------------------------------------------------------------------------- reading

class _Cursor:
    """Reads fixed-size fields from a buffer, each read checked against the end of the file."""

    def __init__(self, name: str, buf: Any) -> None:
        self.name, self.buf, self.pos, self.size = name, buf, 0, len(buf)

    def fail(self, what: str) -> ModelFileError:
        return ModelFileError(f"{self.name}: not a valid fastText .bin model: {what} (at byte {self.pos})")

    def need(self, nbytes: int, what: str) -> None:
        if nbytes > self.size - self.pos:
            raise self.fail(f"the file ends inside the {what} (needs {nbytes} bytes, {self.size - self.pos} left): truncated")

    def unpack(self, st: struct.Struct, what: str) -> tuple:
        self.need(st.size, what)
        values = st.unpack_from(self.buf, self.pos)
        self.pos += st.size
        return values

    def matrix(self, what: str, rows_expected: int | None, dim: int) -> np.ndarray:
        quantized = self.unpack(struct.Struct("<?"), f"{what} header")[0]
        if quantized:
            raise ModelFileError(
                f"{self.name}: a quantized fastText model (.ftz) cannot be loaded: only full .bin models are supported"
            )
        rows, cols = self.unpack(_MATRIX_HEAD, f"{what} header")
        if rows < 0 or cols < 0 or cols != dim or (rows_expected is not None and rows != rows_expected):
            want = f"{rows_expected} x {dim}" if rows_expected is not None else f"n x {dim}"
            raise self.fail(f"the {what} is {rows} x {cols}, expected {want}")
        nbytes = rows * cols * 4
        self.need(nbytes, what)
        out = np.frombuffer(self.buf, dtype="<f4", count=rows * cols, offset=self.pos).reshape(rows, cols)
        self.pos += nbytes
        return np.array(out, dtype=np.float32)  # an owned, writable, native-order copy


def _read(name: str, buf: Any) -> FacebookModel:
    cur = _Cursor(name, buf)
    if buf[:2] == b"\x1f\x8b":
        raise cur.fail("the file is gzip-compressed; decompress it first")
    magic, version = cur.unpack(struct.Struct("<2i"), "file signature")
    if magic != FASTTEXT_MAGIC:
        raise ModelFileError(f"{name}: not a fastText .bin model (wrong signature; a .vec text file reads with "
                             "KeyedVectors.load_word2vec_format)")
    if not 0 < version <= FASTTEXT_VERSION:
        raise cur.fail(f"file version {version} is not supported (this reader knows versions up to {FASTTEXT_VERSION})")
    (dim, ws, epoch, min_count, neg, word_ngrams, loss, model, bucket, minn, maxn, lr_update_rate,
     t) = cur.unpack(_ARGS, "arguments")
    if loss not in LOSSES or model not in MODELS:
        raise cur.fail(f"unknown loss {loss} or model {model} in the arguments")
    for what, value, low in (("dim", dim, 1), ("bucket", bucket, 0), ("minn", minn, 0), ("maxn", maxn, 0),
                             ("ws", ws, 0), ("epoch", epoch, 0), ("neg", neg, 0), ("wordNgrams", word_ngrams, 0)):
        if value < low:
            raise cur.fail(f"argument {what} is {value}")
    if version == 11 and model == 3:
        maxn = 0  # fastText: supervised models of version 11 were trained without n-grams
    args = FacebookArgs(dim, ws, epoch, min_count, neg, word_ngrams, LOSSES[loss], MODELS[model], bucket, minn,
                        maxn, lr_update_rate, float(t))
    size, nwords, nlabels, ntokens, pruneidx_size = cur.unpack(_DICT_HEAD, "dictionary header")
    if min(size, nwords, nlabels) < 0 or size != nwords + nlabels or ntokens < 0 or pruneidx_size < -1:
        raise cur.fail(f"inconsistent dictionary header (size {size}, nwords {nwords}, nlabels {nlabels}, "
                       f"ntokens {ntokens}, pruneidx_size {pruneidx_size})")
    cur.need(size * (1 + _ENTRY_TAIL.size), "dictionary")  # every entry takes at least 10 bytes
    raw_words, counts, types = [], np.empty(size, dtype=np.int64), np.empty(size, dtype=np.int8)
    pos = cur.pos
    for i in range(size):
        end = buf.find(b"\0", pos, min(cur.size, pos + _MAX_WORD_BYTES + 1))
        if end < 0 or end + 1 + _ENTRY_TAIL.size > cur.size:
            cur.pos = pos
            raise cur.fail(f"dictionary entry {i} is cut off or has no terminating NUL byte")
        raw_words.append(bytes(buf[pos:end]))
        counts[i], types[i] = _ENTRY_TAIL.unpack_from(buf, end + 1)
        pos = end + 1 + _ENTRY_TAIL.size
    cur.pos = pos
    if size and (np.any(types[:nwords] != 0) or np.any(types[nwords:] != 1) or np.any(counts < 0)):
        raise cur.fail("dictionary entries have unknown types, labels before words, or negative counts")
    try:
        words = [w.decode("utf-8") for w in raw_words]
    except UnicodeDecodeError:
        words = [w.decode("utf-8", errors="replace") for w in raw_words]  # fastText itself accepts any bytes
    if len(set(words)) != len(words):
        raise cur.fail("the dictionary holds a word twice")
    if pruneidx_size > 0:
        raise ModelFileError(f"{name}: this fastText model has a pruned dictionary (a quantized-model feature); "
                             "only full .bin models are supported")
    input_matrix = cur.matrix("input matrix", nwords + bucket, dim)
    output_rows = nlabels if model == 3 else nwords
    output_matrix = cur.matrix("output matrix", output_rows, dim)
    if cur.pos != cur.size:
        raise cur.fail(f"{cur.size - cur.pos} unexpected bytes after the output matrix")
    return FacebookModel(
        args=args, words=words[:nwords], counts=counts[:nwords].copy(), ntokens=int(ntokens),
        input_matrix=input_matrix, output_matrix=output_matrix, labels=words[nwords:],
        label_counts=counts[nwords:].copy(), version=int(version),
    )


def read_facebook_bin(path: Any) -> FacebookModel:
    """Read a fastText ``.bin`` model file (see the module docstring); never trusts a size field
    before checking it against the file. Errors are :class:`~wordvec.errors.ModelFileError`."""
    name = os.fspath(path)
    try:
        with open(name, "rb") as f:
            if os.fstat(f.fileno()).st_size == 0:
                raise ModelFileError(f"{name}: the file is empty, not a fastText .bin model")
            buf = mmap_module.mmap(f.fileno(), 0, access=mmap_module.ACCESS_READ)
    except IsADirectoryError as exc:
        raise ModelFileError(f"{name}: is a directory, not a file") from exc
    except FileNotFoundError as exc:
        raise ModelFileError(f"{name}: no such file") from exc
    except (OSError, ValueError) as exc:
        raise ModelFileError(f"{name}: cannot read ({getattr(exc, 'strerror', None) or exc})") from exc
    try:
        return _read(name, buf)
    finally:
        buf.close()


# ---------------------------------------------------------------------------------- writing

def _encode_words(name: str, words: Sequence[str]) -> list[bytes]:
    encoded = []
    for i, w in enumerate(words):
        if not isinstance(w, str):
            raise ParameterError(f"cannot write {name}: word {i} is {w!r}, not a string")
        b = w.encode("utf-8")
        if not b or any(c in b for c in b" \n\r\t\v\f\0"):
            raise ParameterError(f"cannot write {name}: word {w!r} is empty or contains whitespace or NUL, "
                                 "which fastText's format cannot hold")
        encoded.append(b)
    return encoded


def write_facebook_bin(path: Any, fb: FacebookModel) -> None:
    """Write ``fb`` as a fastText ``.bin`` (version 12), atomically."""
    name = os.fspath(path)
    a = fb.args
    dim = int(a.dim)
    words = _encode_words(name, fb.words)
    labels = _encode_words(name, fb.labels)
    nwords = len(words)
    inv_losses = {v: k for k, v in LOSSES.items()}
    inv_models = {v: k for k, v in MODELS.items()}
    if a.loss not in inv_losses or a.model not in inv_models:
        raise ParameterError(f"cannot write {name}: loss {a.loss!r} / model {a.model!r} unknown to fastText")
    if fb.input_matrix.shape != (nwords + a.bucket, dim):
        raise ParameterError(f"cannot write {name}: input matrix {fb.input_matrix.shape}, expected {(nwords + a.bucket, dim)}")
    out_rows = len(labels) if a.model == "supervised" else nwords
    if fb.output_matrix.shape != (out_rows, dim):
        raise ParameterError(f"cannot write {name}: output matrix {fb.output_matrix.shape}, expected {(out_rows, dim)}")
    counts = np.asarray(fb.counts, dtype=np.int64)
    label_counts = np.asarray(fb.label_counts, dtype=np.int64)
    head = struct.pack("<2i", FASTTEXT_MAGIC, FASTTEXT_VERSION) + _ARGS.pack(
        dim, a.ws, a.epoch, a.min_count, a.neg, a.word_ngrams, inv_losses[a.loss], inv_models[a.model], a.bucket,
        a.minn, a.maxn, a.lr_update_rate, float(a.t),
    ) + _DICT_HEAD.pack(nwords + len(labels), nwords, len(labels), int(fb.ntokens), -1)
    try:
        with atomic_write(name, "wb") as f:
            f.write(head)
            entries = [w + b"\0" + _ENTRY_TAIL.pack(int(c), 0) for w, c in zip(words, counts.tolist())]
            entries += [w + b"\0" + _ENTRY_TAIL.pack(int(c), 1) for w, c in zip(labels, label_counts.tolist())]
            f.write(b"".join(entries))
            for matrix in (fb.input_matrix, fb.output_matrix):
                f.write(struct.pack("<?", False) + _MATRIX_HEAD.pack(*matrix.shape))
                data = np.ascontiguousarray(matrix, dtype="<f4")
                for start in range(0, len(data), 1 << 16):
                    f.write(data[start:start + (1 << 16)].tobytes())
    except OSError as exc:
        raise ModelFileError(f"{name}: cannot write ({exc.strerror or exc})") from exc


def _kv_counts(kv: Any) -> np.ndarray:
    counts = kv.expandos.get("count")
    if counts is None:
        return np.arange(len(kv), 0, -1, dtype=np.int64)
    return np.asarray(counts, dtype=np.int64)


def save_facebook_vectors(kv: Any, path: Any) -> None:
    """Write a :class:`~wordvec.FastTextKeyedVectors` as a ``.bin`` with a zero output layer (the
    vectors are complete; training cannot meaningfully continue from it)."""
    counts = _kv_counts(kv)
    args = FacebookArgs(dim=kv.vector_size, bucket=kv.bucket, minn=kv.min_n, maxn=kv.max_n, min_count=1)
    fb = FacebookModel(args=args, words=list(kv.index_to_key), counts=counts, ntokens=int(counts.sum()),
                       input_matrix=kv.input_matrix,
                       output_matrix=np.zeros((len(kv), kv.vector_size), dtype=np.float32))
    write_facebook_bin(path, fb)


def write_facebook_vec(kv: Any, path: Any) -> None:
    """Write the vocabulary's composed vectors as fastText's ``.vec`` (word2vec text format, in
    vocabulary order), which fastText, gensim and :meth:`KeyedVectors.load_word2vec_format` read."""
    write_word2vec(path, list(kv.index_to_key), kv.vectors, binary=False, write_header=True)
