"""Top-k selection per row of a score matrix: the k largest entries, largest first.

Used by similarity queries and analogy evaluation, where k is small (tens) and rows are long
(the vocabulary): a single pass keeping a sorted buffer of k beats a partial sort by far.
Ties go to the lower column index (for k > 64 only among the selected columns). NaN scores
come after all numbers.
"""
from __future__ import annotations

import numba
import numpy as np

_BUFFER_MAX_K = 64  # above this a partial sort (argpartition) is faster


@numba.njit(nogil=True, cache=True)
def _top_k_buffer(scores: np.ndarray, k: int, out: np.ndarray) -> None:
    rows, m = scores.shape
    vals = np.empty(k, dtype=np.float64)
    for r in range(rows):
        n = 0
        for j in range(m):
            v = scores[r, j]
            if v != v:  # NaN
                continue
            if n < k:
                p = n
                n += 1
            elif v > vals[k - 1]:
                p = k - 1
            else:
                continue
            while p > 0 and vals[p - 1] < v:
                vals[p] = vals[p - 1]
                out[r, p] = out[r, p - 1]
                p -= 1
            vals[p] = v
            out[r, p] = j
        for p in range(n, k):  # fewer than k numbers: fill with the NaN columns, in order
            out[r, p] = -1
        if n < k:
            p = n
            for j in range(m):
                if p < k and scores[r, j] != scores[r, j]:
                    out[r, p] = j
                    p += 1


def top_k(scores: np.ndarray, k: int) -> np.ndarray:
    """(rows, min(k, m)) int64 column indices of the largest scores of each row, largest first."""
    scores = np.asarray(scores)
    if scores.ndim != 2:
        raise ValueError(f"scores must be 2-D, got shape {scores.shape}")
    k = min(int(k), scores.shape[1])
    if k <= 0:
        return np.empty((scores.shape[0], 0), dtype=np.int64)
    if k > _BUFFER_MAX_K:
        neg = -scores
        part = np.argpartition(neg, k - 1, axis=1)[:, :k] if k < scores.shape[1] else np.argsort(neg, axis=1, kind="stable")
        order = np.lexsort((part, np.take_along_axis(neg, part, axis=1)), axis=1)
        return np.take_along_axis(part, order, axis=1).astype(np.int64)
    out = np.empty((scores.shape[0], k), dtype=np.int64)
    _top_k_buffer(np.ascontiguousarray(scores), k, out)
    return out
