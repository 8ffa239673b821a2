"""Word-word co-occurrence counts as Stanford GloVe's ``cooccur`` computes them, in bounded memory.

For every token t (the target, word j) and every in-vocabulary token at distance d = 1 .. window
to its left on the same line (the context, word i), X[i, j] grows by 1/d (``distance_weighting``)
or by 1; with ``symmetric`` X[j, i] grows by the same amount, so right contexts count too and X
is symmetric (a word next to itself adds twice to X[i, i]). As in the C tool, out-of-vocabulary
tokens are dropped before distances are measured, and windows never cross a newline.

Counting is compiled (numba) over the token ids of the compiled tokenizer (:func:`encode_text`)
into an open-addressing hash table of int64 keys ``i * n_words + j`` (a symmetric count stores
each unordered pair once, i <= j) and int64 values. Weights are summed in fixed point: d contributes
``scale // d`` with ``scale`` = lcm(1, ..., window) (window <= 22), so every sum is exact and
independent of the order of addition; above 22 the scale is 2**28 and each 1/d is rounded
(relative error below 1e-8). Without distance weighting the scale is 1. The value of an entry is
its integer sum / scale in float64.

Memory: the table doubles while it fits in the budget (16 bytes a slot at most 70% full, plus
room to grow or sort); when it is full its entries are sorted by key (LSD radix sort) and written
as a run to a temporary folder, and the table starts over. With several worker threads each
counts its own chunks into its own table (the budget is shared equally). At the end the runs are merged (a compiled k-way
merge reading each run through a small buffer), adding equal keys; the result equals the count
kept in memory exactly. The merged entries go to memory (:class:`Cooccurrence`) or, for a
matrix too large for memory, to a file in the C tool's binary record format.
"""
from __future__ import annotations

import math
import os
import shutil
import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import Callable, Iterable, Iterator, Sequence

import numba
import numpy as np

from ..errors import ParameterError
from ..pool import WorkerPool, iterate_ahead
from .corpus import TextBlocks, encode_text, sentence_chunks
from .vocab import Vocabulary

#: Windows up to this size are counted exactly (scale = lcm(1..window) < 2**28).
EXACT_WINDOW = 22
_ROUNDED_SCALE = 1 << 28
_EMPTY = np.int64(-1)
_MAX_LOAD = 0.7
#: Bytes the counter needs per hash-table slot: the table (16) and the buffer of the radix sort
#: of a full table before a spill (0.7 * 16) or the table it grows from (8).
_BYTES_PER_SLOT = 28
_MIN_SLOTS = 256
_NO_LIMIT = np.int64(1) << 62
_GIB = 1 << 30
_CHUNK = 1 << 16


def parse_memory(memory: float | int | str) -> int:
    """Bytes of a memory budget: a number below 1024 is in GiB (the C tool's ``-memory``), a
    larger one in bytes; a string may carry a unit ("512MB", "2GB", "64kB", "100B")."""
    if isinstance(memory, str):
        text = memory.strip().upper().replace("IB", "B")
        units = {"KB": 1 << 10, "MB": 1 << 20, "GB": 1 << 30, "TB": 1 << 40, "B": 1}
        for unit, factor in units.items():
            if text.endswith(unit):
                try:
                    value = float(text[: -len(unit)])
                except ValueError:
                    break
                return _check_memory(memory, value * factor)
        raise ParameterError(f"memory must be a number of GB or a size such as '512MB', got {memory!r}", "memory")
    if isinstance(memory, bool) or not isinstance(memory, (int, float, np.integer, np.floating)):
        raise ParameterError(f"memory must be a number of GB or a size such as '512MB', got {memory!r}", "memory")
    value = float(memory)
    return _check_memory(memory, value * _GIB if value < 1024 else value)


def _check_memory(memory: object, n_bytes: float) -> int:
    if not math.isfinite(n_bytes) or n_bytes < _MIN_SLOTS * _BYTES_PER_SLOT:
        raise ParameterError(
            f"memory must be finite and at least {_MIN_SLOTS * _BYTES_PER_SLOT} bytes, got {memory!r}", "memory"
        )
    return int(n_bytes)


def weight_scale(window: int, distance_weighting: bool) -> tuple[int, np.ndarray]:
    """(scale, weights int64 (window + 1,)): distance d adds weights[d] = scale / d (or 1)."""
    if not distance_weighting:
        return 1, np.ones(window + 1, dtype=np.int64)
    scale = math.lcm(*range(1, window + 1)) if window <= EXACT_WINDOW else _ROUNDED_SCALE
    d = np.arange(1, window + 1, dtype=np.float64)
    weights = np.zeros(window + 1, dtype=np.int64)
    weights[1:] = np.rint(scale / d).astype(np.int64)
    return scale, weights


@dataclass
class Cooccurrence:
    """A co-occurrence matrix X (n_words x n_words) as sorted non-zero entries.

    ``rows``, ``cols`` (int32) and ``values`` (float64) are sorted by (row, col). A symmetric
    matrix stores its upper triangle (row <= col) only; :meth:`entries` gives every non-zero."""

    rows: np.ndarray
    cols: np.ndarray
    values: np.ndarray
    n_words: int
    symmetric: bool
    window: int = 0
    distance_weighting: bool = True

    def __len__(self) -> int:
        return int(self.rows.shape[0])

    @classmethod
    def from_entries(
        cls, rows: np.ndarray, cols: np.ndarray, values: np.ndarray, n_words: int, **meta: object
    ) -> "Cooccurrence":
        """A general (not symmetric) matrix from entries in any order, equal (row, col) summed."""
        rows = np.asarray(rows, dtype=np.int64)
        pairs = np.empty((rows.shape[0], 2), dtype=np.int64)
        pairs[:, 0] = rows * n_words + np.asarray(cols, dtype=np.int64)
        pairs[:, 1] = np.ascontiguousarray(values, dtype=np.float64).view(np.int64)
        bits = max(1, int(n_words * n_words - 1).bit_length())
        _radix_sort(pairs, np.empty_like(pairs), pairs.shape[0], bits)
        keys = pairs[:, 0].copy()
        vals = pairs[:, 1].copy().view(np.float64)
        del pairs
        n = _sum_equal_keys(keys, vals)
        return cls(
            rows=(keys[:n] // n_words).astype(np.int32),
            cols=(keys[:n] % n_words).astype(np.int32),
            values=vals[:n].copy(),
            n_words=int(n_words),
            symmetric=False,
            **meta,  # type: ignore[arg-type]
        )

    @property
    def nnz(self) -> int:
        """Non-zero entries of the whole matrix (a symmetric one counts both triangles)."""
        if not self.symmetric:
            return len(self)
        return 2 * len(self) - int(np.count_nonzero(self.rows == self.cols))

    def entries(self) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """(rows int32, cols int32, values float64) of every non-zero of X; for a symmetric
        matrix the stored triangle first, then the mirror of its off-diagonal entries."""
        if not self.symmetric:
            return self.rows, self.cols, self.values
        off = self.rows != self.cols
        return (
            np.concatenate([self.rows, self.cols[off]]),
            np.concatenate([self.cols, self.rows[off]]),
            np.concatenate([self.values, self.values[off]]),
        )

    def to_scipy(self):
        """X as a scipy.sparse CSR matrix (float64)."""
        import scipy.sparse

        r, c, v = self.entries()
        return scipy.sparse.csr_matrix((v, (r, c)), shape=(self.n_words, self.n_words))


# ------------------------------------------------------------------------------- id sources

def text_ids(blocks: TextBlocks, vocab: Vocabulary) -> Iterator[tuple[np.ndarray, np.ndarray, bool]]:
    """(ids int32, offsets int64, continues) per block of a text corpus: line j of the block is
    ids[offsets[j]:offsets[j+1]] (in-vocabulary tokens only); ``continues`` says that the first
    line goes on the last line of the previous block (a line longer than a block)."""
    table, word_bytes, word_offsets = vocab.hash_table()
    open_line = False
    for block in blocks:
        buf = np.frombuffer(block, dtype=np.uint8)
        ids, offsets, _ = encode_text(buf, table, word_bytes, word_offsets, _NO_LIMIT)
        lead = len(block) - len(block.lstrip())
        continues = open_line and b"\n" not in block[:lead]
        open_line = not block.endswith(b"\n")
        yield ids, offsets, continues


def sentence_ids(
    sentences: Iterable[list[str]], vocab: Vocabulary, chunk_words: int = 50_000
) -> Iterator[tuple[np.ndarray, np.ndarray, bool]]:
    """(ids, offsets, False) per chunk of about ``chunk_words`` tokens of an iterable of token
    lists, each list a line."""
    for ids, offsets, _, _ in sentence_chunks(sentences, vocab.key_to_index, int(_NO_LIMIT), chunk_words):
        yield ids, offsets, False


# ------------------------------------------------------------------------------- counter

class CooccurrenceCounter:
    """Accumulates co-occurrences chunk by chunk within ``memory_bytes``; see the module doc.

    ``add(ids, offsets, start)`` counts the lines of one chunk (see :func:`with_context`);
    :meth:`finish` merges what was counted and spilled and returns the :class:`Cooccurrence`
    (or streams it to a sink). Temporary runs live in a private folder under ``tmp_dir`` removed by :meth:`close`."""

    def __init__(
        self,
        n_words: int,
        window: int = 10,
        symmetric: bool = True,
        distance_weighting: bool = True,
        memory_bytes: int = 4 * _GIB,
        tmp_dir: str | os.PathLike | None = None,
    ) -> None:
        if n_words >= 1 << 31:
            raise ParameterError(f"the vocabulary is too large for int32 word ids: {n_words} words")
        self.n_words = int(n_words)
        self.window = int(window)
        self.symmetric = bool(symmetric)
        self.distance_weighting = bool(distance_weighting)
        self.scale, self.weights = weight_scale(self.window, self.distance_weighting)
        self.memory_bytes = int(memory_bytes)
        self.max_slots = max(_MIN_SLOTS, 1 << int(self.memory_bytes // _BYTES_PER_SLOT).bit_length() - 1)
        self.table = np.full((min(self.max_slots, 1 << 16), 2), _EMPTY, dtype=np.int64)
        self.used = 0
        self.tmp_root = tmp_dir
        self.tmp: Path | None = None
        self.runs: list[Path] = []
        self.runs_written = 0

    # counting -----------------------------------------------------------------------------
    def add(self, ids: np.ndarray, offsets: np.ndarray, start: int = 0) -> None:
        """Count the lines ids[offsets[k]:offsets[k+1]] of one chunk, the targets from position
        ``start`` on (the ids before it are the context carried from the previous chunk)."""
        ids = np.asarray(ids, dtype=np.int32)
        offsets = np.asarray(offsets, dtype=np.int64)
        s, p = 0, int(start)
        n_lines = offsets.shape[0] - 1
        while True:
            limit = int(_MAX_LOAD * self.table.shape[0])
            shift = 64 - (self.table.shape[0].bit_length() - 1)
            s, p, self.used = _count_pairs(
                ids, offsets, s, p, self.window, self.symmetric, self.weights, self.n_words, self.table, self.used,
                limit, shift,
            )
            if s >= n_lines:
                break
            self._make_room()

    def _make_room(self) -> None:
        """Double the table while the budget allows, else spill it as a sorted run."""
        if 2 * self.table.shape[0] <= self.max_slots:
            bigger = np.full((2 * self.table.shape[0], 2), _EMPTY, dtype=np.int64)
            _rehash(self.table, bigger, 64 - (bigger.shape[0].bit_length() - 1))
            self.table = bigger
            return
        self._spill()

    def _sort_table(self) -> int:
        """Compact the table's n entries to its front, sorted by key; returns n."""
        n = _compact(self.table)
        bits = max(1, int(self.n_words * self.n_words - 1).bit_length())
        _radix_sort(self.table, np.empty((n, 2), dtype=np.int64), n, bits)
        return n

    def _spill(self) -> None:
        if self.tmp is None:
            self.tmp = Path(tempfile.mkdtemp(prefix="wordvec-cooccur-", dir=self.tmp_root))
        n = self._sort_table()
        path = self.tmp / f"run-{len(self.runs):05d}.bin"
        self.table[:n].tofile(path)
        self.runs.append(path)
        self.runs_written += 1
        self.table.fill(_EMPTY)
        self.used = 0

    # result -------------------------------------------------------------------------------
    def finish(
        self,
        sink: Callable[[np.ndarray, np.ndarray, np.ndarray], None] | None = None,
        others: Sequence["CooccurrenceCounter"] = (),
    ) -> Cooccurrence | None:
        """Merge everything counted (here and by ``others``, counters of the same settings fed
        other chunks). Without ``sink`` returns the :class:`Cooccurrence`; with it, calls
        ``sink(rows int32, cols int32, values float64)`` on consecutive pieces of the entries
        :class:`Cooccurrence` would hold (sorted, the upper triangle if symmetric) and returns
        None: a matrix larger than memory can go straight to a file."""
        counters = [self, *others]
        try:
            spilled = any(c.runs for c in counters)
            sources: list = []
            for c in counters:
                if spilled:
                    if c.used:
                        c._spill()
                    c.table = np.zeros((0, 2), dtype=np.int64)
                    sources += c.runs
                else:
                    sources.append(c.table[: c._sort_table()])
            size = sum(p.stat().st_size // 16 if isinstance(p, Path) else p.shape[0] for p in sources)
            out = sink or _Entries(size)
            if len(sources) == 1 and not spilled:
                table = sources[0]
                for a in range(0, table.shape[0], _CHUNK):
                    b = min(table.shape[0], a + _CHUNK)
                    self._emit(out, table[a:b, 0], table[a:b, 1])
            else:
                _merge(sources, lambda k, v: self._emit(out, k, v), self.memory_bytes * len(counters))
            del sources
            for c in counters:
                c.table = np.zeros((0, 2), dtype=np.int64)
            if sink is not None:
                return None
            rows, cols, values = out.arrays()
            return Cooccurrence(
                rows=rows,
                cols=cols,
                values=values,
                n_words=self.n_words,
                symmetric=self.symmetric,
                window=self.window,
                distance_weighting=self.distance_weighting,
            )
        finally:
            for c in counters:
                c.close()

    def _emit(self, sink: Callable, keys: np.ndarray, vals: np.ndarray) -> None:
        sink((keys // self.n_words).astype(np.int32), (keys % self.n_words).astype(np.int32), vals / float(self.scale))

    def close(self) -> None:
        """Remove the temporary runs (idempotent)."""
        if self.tmp is not None:
            shutil.rmtree(self.tmp, ignore_errors=True)
            self.tmp = None
            self.runs = []

    def __del__(self) -> None:
        self.close()


class _Entries:
    """Sink filling (rows int32, cols int32, values float64) of at most ``capacity`` entries."""

    def __init__(self, capacity: int) -> None:
        self.rows = np.empty(capacity, dtype=np.int32)
        self.cols = np.empty(capacity, dtype=np.int32)
        self.values = np.empty(capacity, dtype=np.float64)
        self.n = 0

    def __call__(self, rows: np.ndarray, cols: np.ndarray, values: np.ndarray) -> None:
        a, b = self.n, self.n + rows.shape[0]
        self.rows[a:b] = rows
        self.cols[a:b] = cols
        self.values[a:b] = values
        self.n = b

    def arrays(self) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        for a in (self.rows, self.cols, self.values):
            a.resize(self.n, refcheck=False)
        return self.rows, self.cols, self.values


class _Source:
    """Sorted (key, value) int64 pairs read piece by piece from a run file or an array."""

    def __init__(self, source: Path | np.ndarray) -> None:
        self.file = open(source, "rb") if isinstance(source, Path) else None
        self.array = None if isinstance(source, Path) else source
        self.pos = 0

    def fill(self, buf: np.ndarray) -> int:
        """Copy the next pairs into buf ((m, 2) int64); returns how many (0 at the end)."""
        if self.file is not None:
            data = np.fromfile(self.file, dtype=np.int64, count=buf.size)
            n = data.shape[0] // 2
            buf[:n] = data[: 2 * n].reshape(n, 2)
            return n
        assert self.array is not None
        n = min(buf.shape[0], self.array.shape[0] - self.pos)
        buf[:n] = self.array[self.pos : self.pos + n]
        self.pos += n
        return n

    def close(self) -> None:
        if self.file is not None:
            self.file.close()


def _merge(sources: list, sink: Callable[[np.ndarray, np.ndarray], None], memory_bytes: int) -> None:
    """k-way merge of sorted runs (files or arrays), each read through a buffer, equal keys summed."""
    k = len(sources)
    per_run = min(1 << 20, max(64, memory_bytes // (2 * 16 * (k + 1))))
    readers = [_Source(s) for s in sources]
    try:
        bufs = np.zeros((k, per_run, 2), dtype=np.int64)
        lens = np.zeros(k, dtype=np.int64)
        pos = np.zeros(k, dtype=np.int64)
        for r in range(k):
            lens[r] = readers[r].fill(bufs[r])
        heap = np.zeros(k, dtype=np.int64)
        n_heap = _heap_init(heap, bufs, pos, lens > 0)
        out = np.zeros((per_run, 2), dtype=np.int64)
        n_out = 0
        while True:
            n_heap, n_out, empty = _merge_step(heap, n_heap, bufs, pos, lens, out, n_out)
            if empty >= 0:
                lens[empty] = readers[empty].fill(bufs[empty])
                pos[empty] = 0
                if lens[empty] > 0:
                    n_heap = _heap_push(heap, n_heap, empty, bufs, pos)
                continue
            if n_heap == 0:
                if n_out:
                    sink(out[:n_out, 0], out[:n_out, 1])
                return
            # output full: hand on all but the last entry (it may still grow)
            sink(out[: n_out - 1, 0], out[: n_out - 1, 1])
            out[0] = out[n_out - 1]
            n_out = 1
    finally:
        for reader in readers:
            reader.close()


def with_context(
    chunks: Iterable[tuple[np.ndarray, np.ndarray, bool]], window: int
) -> Iterator[tuple[np.ndarray, np.ndarray, int]]:
    """Make chunks independent: (ids, offsets, continues) -> (ids, offsets, start) where a chunk
    whose first line continues the previous chunk's last line gets that line's last ``window``
    ids in front as context, its targets starting at ``start``."""
    carry = np.zeros(0, dtype=np.int32)
    for ids, offsets, continues in chunks:
        if offsets.shape[0] < 2:
            if not continues:
                carry = carry[:0]
            continue
        start = 0
        if continues and carry.shape[0]:
            start = carry.shape[0]
            ids = np.concatenate([carry, ids])
            offsets = offsets + start
            offsets[0] = 0
        carry = ids[offsets[-2] : offsets[-1]][-window:].copy()
        yield ids, offsets, start


def count_cooccurrences(
    chunks: Iterable[tuple[np.ndarray, np.ndarray, bool]],
    n_words: int,
    window: int = 10,
    symmetric: bool = True,
    distance_weighting: bool = True,
    memory: float | int | str = 4.0,
    tmp_dir: str | os.PathLike | None = None,
    workers: int = 1,
) -> Cooccurrence:
    """Count the co-occurrences of chunks from :func:`text_ids` or :func:`sentence_ids`.

    ``memory`` bounds the counting structures (see :func:`parse_memory`), shared equally by the
    ``workers`` threads, each counting its own chunks into its own table; ``tmp_dir`` holds the
    spilled runs (default: the system's temporary folder). The result does not depend on
    ``workers`` or ``memory`` (sums in fixed point are exact)."""
    budget = parse_memory(memory)
    n = max(1, int(workers))
    counters = [
        CooccurrenceCounter(n_words, window, symmetric, distance_weighting, budget // n, tmp_dir) for _ in range(n)
    ]
    try:
        jobs = with_context(iterate_ahead(chunks, name="wordvec-cooccur-read"), window)
        if n == 1:
            for ids, offsets, start in jobs:
                counters[0].add(ids, offsets, start)
        else:
            pool = WorkerPool(lambda w, job: counters[w].add(*job), n, name="wordvec-cooccur")
            try:
                for job in jobs:
                    if not pool.submit(job):
                        break
            finally:
                pool.close()
        result = counters[0].finish(others=counters[1:])
    finally:
        for c in counters:
            c.close()
    assert result is not None
    return result


# ------------------------------------------------------------------------------- kernels

@numba.njit(inline="always")
def _slot(key, shift):
    return np.int64((np.uint64(key) * np.uint64(0x9E3779B97F4A7C15)) >> np.uint64(shift))


@numba.njit(nogil=True, cache=True)
def _count_pairs(ids, offsets, s, p, window, symmetric, weights, n_words, table, used, limit, shift):
    """Add the pairs of lines s.. (from token p) into table; stops before a target whose pairs
    might push the table past ``limit`` entries. Returns (s, p, used) where it stopped."""
    mask = table.shape[0] - 1
    n_lines = offsets.shape[0] - 1
    while s < n_lines:
        start = offsets[s]
        stop = offsets[s + 1]
        if p < start:
            p = start
        while p < stop:
            if used + window > limit:
                return s, p, used
            w2 = np.int64(ids[p])
            lo = max(start, p - window)
            for q in range(p - 1, lo - 1, -1):
                w1 = np.int64(ids[q])
                add = weights[p - q]
                if symmetric:
                    if w1 == w2:
                        add *= 2
                    key = w2 * n_words + w1 if w1 > w2 else w1 * n_words + w2
                else:
                    key = w1 * n_words + w2
                slot = _slot(key, shift)
                while True:
                    k = table[slot, 0]
                    if k == key:
                        table[slot, 1] += add
                        break
                    if k == -1:
                        table[slot, 0] = key
                        table[slot, 1] = add
                        used += 1
                        break
                    slot = (slot + 1) & mask
            p += 1
        s += 1
    return s, p, used


@numba.njit(nogil=True, cache=True)
def _rehash(old, new, shift):
    mask = new.shape[0] - 1
    for a in range(old.shape[0]):
        key = old[a, 0]
        if key == -1:
            continue
        slot = _slot(key, shift)
        while new[slot, 0] != -1:
            slot = (slot + 1) & mask
        new[slot, 0] = key
        new[slot, 1] = old[a, 1]


@numba.njit(nogil=True, cache=True)
def _compact(table):
    """Move the occupied slots to the front (the table is no longer a hash table); returns n."""
    n = 0
    for a in range(table.shape[0]):
        if table[a, 0] != -1:
            table[n, 0] = table[a, 0]
            table[n, 1] = table[a, 1]
            n += 1
    for a in range(n, table.shape[0]):
        table[a, 0] = -1
    return n


@numba.njit(nogil=True, cache=True)
def _radix_sort(a, tmp, n, bits):
    """Sort the rows a[:n] of an (m, 2) int64 array by their first column (non-negative, below
    2**bits): LSD radix sort with 11-bit digits through ``tmp`` ((>= n, 2) int64)."""
    radix = 11
    mask = (1 << radix) - 1
    counts = np.zeros(1 << radix, dtype=np.int64)
    src = a
    dst = tmp
    passes = (bits + radix - 1) // radix
    for p in range(passes):
        shift = p * radix
        counts[:] = 0
        for i in range(n):
            counts[(src[i, 0] >> shift) & mask] += 1
        total = 0
        for d in range(1 << radix):
            c = counts[d]
            counts[d] = total
            total += c
        for i in range(n):
            d = (src[i, 0] >> shift) & mask
            k = counts[d]
            dst[k, 0] = src[i, 0]
            dst[k, 1] = src[i, 1]
            counts[d] = k + 1
        src, dst = dst, src
    if passes % 2 == 1:
        for i in range(n):
            a[i, 0] = tmp[i, 0]
            a[i, 1] = tmp[i, 1]


@numba.njit(nogil=True, cache=True)
def _sum_equal_keys(keys, vals):
    """Merge the runs of equal keys of sorted keys, summing their vals; the m distinct keys and
    sums move to the front; returns m."""
    n = keys.shape[0]
    if n == 0:
        return 0
    m = 0
    for i in range(1, n):
        if keys[i] == keys[m]:
            vals[m] += vals[i]
        else:
            m += 1
            keys[m] = keys[i]
            vals[m] = vals[i]
    return m + 1


@numba.njit(inline="always")
def _head(bufs, pos, r):
    return bufs[r, pos[r], 0]


@numba.njit(nogil=True, cache=True)
def _heap_push(heap, n, r, bufs, pos):
    """Push run r (keyed by its current head) onto the min-heap heap[:n]; returns n + 1."""
    j = n
    heap[j] = r
    key = _head(bufs, pos, r)
    while j > 0:
        parent = (j - 1) >> 1
        if _head(bufs, pos, heap[parent]) <= key:
            break
        heap[j] = heap[parent]
        j = parent
    heap[j] = r
    return n + 1


@numba.njit(nogil=True, cache=True)
def _sift_down(heap, n, bufs, pos):
    r = heap[0]
    key = _head(bufs, pos, r)
    j = 0
    while True:
        c = 2 * j + 1
        if c >= n:
            break
        if c + 1 < n and _head(bufs, pos, heap[c + 1]) < _head(bufs, pos, heap[c]):
            c += 1
        if _head(bufs, pos, heap[c]) >= key:
            break
        heap[j] = heap[c]
        j = c
    heap[j] = r


@numba.njit(nogil=True, cache=True)
def _heap_init(heap, bufs, pos, live):
    n = 0
    for r in range(live.shape[0]):
        if live[r]:
            n = _heap_push(heap, n, r, bufs, pos)
    return n


@numba.njit(nogil=True, cache=True)
def _merge_step(heap, n_heap, bufs, pos, lens, out, n_out):
    """Pop the smallest head into out (summing an equal key) until a run's buffer runs dry
    (returns its index, removed from the heap, to refill) or out is full (returns -1 with
    n_out == len(out)) or every run is done (n_heap == 0)."""
    cap = out.shape[0]
    while n_heap > 0:
        if n_out == cap:
            return n_heap, n_out, -1
        r = heap[0]
        key = bufs[r, pos[r], 0]
        val = bufs[r, pos[r], 1]
        if n_out > 0 and out[n_out - 1, 0] == key:
            out[n_out - 1, 1] += val
        else:
            out[n_out, 0] = key
            out[n_out, 1] = val
            n_out += 1
        pos[r] += 1
        if pos[r] < lens[r]:
            _sift_down(heap, n_heap, bufs, pos)
        else:
            n_heap -= 1
            heap[0] = heap[n_heap]
            if n_heap > 0:
                _sift_down(heap, n_heap, bufs, pos)
            return n_heap, n_out, r
    return n_heap, n_out, -1
