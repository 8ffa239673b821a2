"""The input side of the kernels over bags of rows.

A word's input vector is the mean of the rows of its bag (``config.Bags``: CSR offsets and row
ids), and the gradient of that input goes whole to every row of the bag (fastText's convention;
word2vec.c's for CBOW's mean). ``bags=None`` is plain word2vec, the bag of one (row w): numba
compiles that case separately and prunes the indirection, so it costs nothing.

The helpers read and write rows of 2-D arrays by index (:func:`.primitives.axpy_rows`): the
kernels' small dense blocks X, dX are (n, d) arrays and a vector is one of their rows.
"""
from __future__ import annotations

import numba
import numpy as np

from .primitives import axpy_rows, prefetch_row, scale_row, zero_row


@numba.njit(inline="always")
def bag_bounds(bags, word):
    """[start, stop) of ``word``'s rows in the bag arrays (the bag of one: word, word + 1)."""
    if bags is None:
        return word, word + 1
    return bags.offsets[word], bags.offsets[word + 1]


@numba.njit(inline="always")
def bag_row(bags, j):
    """The row id at position j of the bag arrays (the bag of one: j itself)."""
    if bags is None:
        return j
    return bags.rows[j]


@numba.njit(inline="always")
def add_bag(w_in, bags, word, X, i, d):
    """X[i] += the sum of ``word``'s bag rows; returns the number of rows."""
    a, b = bag_bounds(bags, word)
    for j in range(a, b):
        axpy_rows(np.float32(1.0), w_in, bag_row(bags, j), X, i, d)
    return b - a


@numba.njit(inline="always")
def prefetch_bag(w_in, bags, word):
    """Prefetch every row of ``word``'s bag (:func:`.primitives.prefetch_row`)."""
    a, b = bag_bounds(bags, word)
    for j in range(a, b):
        prefetch_row(w_in, bag_row(bags, j))


@numba.njit(inline="always")
def gather_word(w_in, bags, word, X, i, d):
    """X[i] = the mean of ``word``'s bag rows (X[i] overwritten); returns the number of rows."""
    zero_row(X, i, d)
    n = add_bag(w_in, bags, word, X, i, d)
    if n > 1:
        scale_row(np.float32(1.0 / n), X, i, d)
    return n


@numba.njit(inline="always")
def gather_words(w_in, bags, words, n, X, i, mean, d):
    """X[i] += the sum of the rows of the bags of words[:n] (the union of their bags), then
    X[i] is divided by the number of rows when ``mean``; the caller zeroes X[i]."""
    rows = 0
    for t in range(n):
        rows += add_bag(w_in, bags, words[t], X, i, d)
    if mean and rows > 0:
        scale_row(np.float32(1.0 / rows), X, i, d)


@numba.njit(inline="always")
def scatter_word(w_in, bags, word, dX, i, d, lockf):
    """Add dX[i] to every row of ``word``'s bag, times the row's lock factor ``lockf[row]`` when
    ``lockf`` is not empty (0: the row never changes)."""
    a, b = bag_bounds(bags, word)
    for j in range(a, b):
        row = bag_row(bags, j)
        if lockf.shape[0] == 0:
            axpy_rows(np.float32(1.0), dX, i, w_in, row, d)
        elif lockf[row] != 0:
            axpy_rows(lockf[row], dX, i, w_in, row, d)
