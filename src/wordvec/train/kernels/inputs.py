"""The input side of the kernels over bags of rows.

A word's input vector is the mean of the rows of its bag (``config.Bags``: CSR offsets and row
ids), and the gradient of that input goes whole to every row of the bag (fastText's convention;
word2vec.c's for CBOW's mean). ``bags=None`` is plain word2vec, the bag of one (row w): numba
compiles that case separately and prunes the indirection, so it costs nothing.
"""
from __future__ import annotations

import numba
import numpy as np

from .primitives import axpy


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
def gather_word(w_in, bags, word, x, d):
    """x = the mean of ``word``'s bag rows (x overwritten); returns the number of rows."""
    if bags is None:
        src = w_in[word]
        for k in range(d):
            x[k] = src[k]
        return 1
    a, b = bag_bounds(bags, word)
    for k in range(d):
        x[k] = 0.0
    for j in range(a, b):
        axpy(np.float32(1.0), w_in[bag_row(bags, j)], x, d)
    if b - a > 1:
        inv = np.float32(1.0 / (b - a))
        for k in range(d):
            x[k] *= inv
    return b - a


@numba.njit(inline="always")
def gather_words(w_in, bags, words, n, x, mean, d):
    """x += the sum of the rows of the bags of words[:n] (the union of their bags), then x is
    divided by the number of rows when ``mean``; the caller zeroes x."""
    if bags is None:
        for i in range(n):
            axpy(np.float32(1.0), w_in[words[i]], x, d)
        if mean and n > 0:
            inv = np.float32(1.0 / n)
            for k in range(d):
                x[k] *= inv
        return
    rows = 0
    for i in range(n):
        a, b = bag_bounds(bags, words[i])
        rows += b - a
        for j in range(a, b):
            axpy(np.float32(1.0), w_in[bag_row(bags, j)], x, d)
    if mean and rows > 0:
        inv = np.float32(1.0 / rows)
        for k in range(d):
            x[k] *= inv


@numba.njit(inline="always")
def scatter_word(w_in, bags, word, dx, d, lockf):
    """Add dx to every row of ``word``'s bag, times the row's lock factor ``lockf[row]`` when
    ``lockf`` is not empty (0: the row never changes)."""
    if bags is None:
        if lockf.shape[0] == 0:
            axpy(np.float32(1.0), dx, w_in[word], d)
        elif lockf[word] != 0:
            axpy(lockf[word], dx, w_in[word], d)
        return
    a, b = bag_bounds(bags, word)
    for j in range(a, b):
        row = bag_row(bags, j)
        if lockf.shape[0] == 0:
            axpy(np.float32(1.0), dx, w_in[row], d)
        elif lockf[row] != 0:
            axpy(lockf[row], dx, w_in[row], d)
