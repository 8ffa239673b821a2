"""Stanford GloVe's files: binary co-occurrence records and text word vectors.

Co-occurrence records (``cooccur`` writes them, ``shuffle`` and ``glove`` read them): a file is a
sequence of 16-byte little-endian records ``int32 word1, int32 word2, float64 value``, with no
header. Word ids are 1-based ranks in the vocabulary file (``vocab_count``'s ``word count``
lines); X[word1 - 1, word2 - 1] = value. ``cooccur`` writes each (word1, word2) once, sorted;
``shuffle`` permutes the records. Here a symmetric matrix is written whole (both triangles,
each off-diagonal entry followed later by its mirror), and reading accepts any order and sums
repeated pairs.

Reading is streamed (:func:`iter_cooccurrence_records` holds one chunk at a time) and refuses,
naming the file and the record, a size that is not a whole number of records (a truncated
file), an id below 1 or above the vocabulary, and a value that is not finite and positive
(GloVe takes its logarithm).

Word vectors: GloVe's text format is the word2vec text format without the header line (``word
v_1 ... v_d`` per line); reading and writing reuse :mod:`wordvec.formats.word2vec`.
"""
from __future__ import annotations

import os
import tempfile
from typing import Iterator, Sequence

import numpy as np

from ..errors import CooccurrenceFormatError
from ..text.cooccurrence import Cooccurrence
from .atomic import atomic_write
from .word2vec import read_word2vec, write_word2vec

#: One record of the C tool: int32 word1, int32 word2, float64 value (1-based ids).
RECORD = np.dtype([("word1", "<i4"), ("word2", "<i4"), ("value", "<f8")])
_CHUNK = 1 << 20


def write_cooccurrence(path: str | os.PathLike, matrix: Cooccurrence) -> int:
    """Write every non-zero of ``matrix`` as C-tool records (1-based ids), atomically; returns
    the number of records."""
    name = os.fspath(path)
    n = 0
    try:
        with atomic_write(name, "wb") as f:
            with CooccurrenceWriter(f, matrix.symmetric) as w:
                for a in range(0, len(matrix), _CHUNK):
                    b = a + _CHUNK
                    w(matrix.rows[a:b], matrix.cols[a:b], matrix.values[a:b])
                n = w.records
    except OSError as exc:
        raise CooccurrenceFormatError(f"{name}: cannot write ({exc.strerror or exc})") from exc
    return n


class CooccurrenceWriter:
    """Writes pieces ``(rows, cols, values)`` of stored entries to an open binary file as
    records; with ``symmetric`` the off-diagonal entries' mirrors are written too (they are
    gathered in a temporary file, appended on close, so memory stays bounded)."""

    def __init__(self, f, symmetric: bool) -> None:
        self.f = f
        self.symmetric = symmetric
        self.records = 0
        self._mirror = None
        if symmetric:
            self._mirror = tempfile.TemporaryFile()

    def __enter__(self) -> "CooccurrenceWriter":
        return self

    def __call__(self, rows: np.ndarray, cols: np.ndarray, values: np.ndarray) -> None:
        self.f.write(_records(rows, cols, values).tobytes())
        self.records += len(rows)
        if self._mirror is not None:
            off = rows != cols
            self._mirror.write(_records(cols[off], rows[off], values[off]).tobytes())
            self.records += int(np.count_nonzero(off))

    def __exit__(self, exc_type, *_: object) -> None:
        if self._mirror is None:
            return
        try:
            if exc_type is None:
                self._mirror.seek(0)
                while chunk := self._mirror.read(_CHUNK * RECORD.itemsize):
                    self.f.write(chunk)
        finally:
            self._mirror.close()


def _records(rows: np.ndarray, cols: np.ndarray, values: np.ndarray) -> np.ndarray:
    rec = np.empty(len(rows), dtype=RECORD)
    rec["word1"] = rows
    rec["word1"] += 1
    rec["word2"] = cols
    rec["word2"] += 1
    rec["value"] = values
    return rec


def iter_cooccurrence_records(
    path: str | os.PathLike, n_words: int | None = None, chunk_records: int = _CHUNK
) -> Iterator[tuple[np.ndarray, np.ndarray, np.ndarray]]:
    """Stream a C-tool co-occurrence file as chunks (rows int32, cols int32, values float64),
    0-based ids; checks as in the module doc (ids against ``n_words`` when given)."""
    name = os.fspath(path)
    try:
        size = os.path.getsize(name)
        f = open(name, "rb")
    except OSError as exc:
        raise CooccurrenceFormatError(f"{name}: cannot read ({exc.strerror or exc})") from exc
    with f:
        if size % RECORD.itemsize:
            raise CooccurrenceFormatError(
                f"{name}: truncated: {size} bytes is not a whole number of {RECORD.itemsize}-byte records "
                f"(int32 word1, int32 word2, float64 value); record {size // RECORD.itemsize + 1} is incomplete"
            )
        first = 0
        while True:
            rec = np.fromfile(f, dtype=RECORD, count=chunk_records)
            if rec.shape[0] == 0:
                return
            rows = rec["word1"].astype(np.int32) - 1
            cols = rec["word2"].astype(np.int32) - 1
            values = rec["value"].astype(np.float64)
            top = np.iinfo(np.int32).max if n_words is None else n_words
            bad = (rows < 0) | (cols < 0) | (rows >= top) | (cols >= top)
            if bad.any():
                i = int(np.flatnonzero(bad)[0])
                limit = "" if n_words is None else f" (the vocabulary has {n_words} words)"
                raise CooccurrenceFormatError(
                    f"{name}: record {first + i + 1}: word ids {rows[i] + 1}, {cols[i] + 1} out of range: ids run from 1"
                    f"{limit}; is this a co-occurrence file?"
                )
            bad = ~(np.isfinite(values) & (values > 0))
            if bad.any():
                i = int(np.flatnonzero(bad)[0])
                raise CooccurrenceFormatError(
                    f"{name}: record {first + i + 1}: value {float(values[i])!r} is not a finite positive count"
                )
            yield rows, cols, values
            first += rec.shape[0]


def read_cooccurrence(path: str | os.PathLike, n_words: int | None = None, **meta: object) -> Cooccurrence:
    """Read a C-tool co-occurrence file into a (general) :class:`Cooccurrence`; ``n_words``
    defaults to the largest id in the file. Extra keywords (window, ...) are recorded."""
    parts = list(iter_cooccurrence_records(path, n_words))
    rows = np.concatenate([p[0] for p in parts]) if parts else np.zeros(0, dtype=np.int32)
    cols = np.concatenate([p[1] for p in parts]) if parts else np.zeros(0, dtype=np.int32)
    values = np.concatenate([p[2] for p in parts]) if parts else np.zeros(0)
    del parts
    if n_words is None:
        n_words = int(max(rows.max(initial=-1), cols.max(initial=-1))) + 1
    return Cooccurrence.from_entries(rows, cols, values, n_words, **meta)


def write_glove_vectors(path: str | os.PathLike, words: Sequence[str], vectors: np.ndarray) -> None:
    """Write ``word v_1 ... v_d`` lines with no header (GloVe's text format), atomically."""
    write_word2vec(path, words, vectors, binary=False, write_header=False)


def read_glove_vectors(path: str | os.PathLike, limit: int | None = None) -> tuple[list[str], np.ndarray]:
    """Read GloVe's text format -> (words, (n, d) float32 vectors)."""
    return read_word2vec(path, binary=False, limit=limit, no_header=True)
