"""GloVe training kernels (numba): AdaGrad over co-occurrence entries, as Stanford's glove.c.

Parameters live in one array ``params`` of shape (2, V, d + 1): ``params[0, i] = (w_i, b_i)``,
the word vector and bias of word i, and ``params[1, j] = (w~_j, b~_j)``, the context vector and
bias of word j; ``gradsq`` (same shape) holds AdaGrad's sums of squared steps, initialised to 1.
float32 or float64 (the kernels are compiled for each).

For an entry X_ij = x with f(x) = min(1, (x / x_max) ** alpha), precomputed per entry with
log x (:func:`entry_terms`), the cost is J_ij = 0.5 f(x) (w_i . w~_j + b_i + b~_j - log x)^2.
One step, with diff = w_i . w~_j + b_i + b~_j - log x and fdiff = f(x) diff:

    u = eta * clip(fdiff * w~_j),  w_i -= u / sqrt(G_w),  G_w += u^2   (per component)
    v = eta * clip(fdiff * w_i),   w~_j -= v / sqrt(G~),  G~ += v^2    (old w_i)
    b_i -= fdiff / sqrt(G_b),  G_b += fdiff^2;  the same for b~_j

clip(g) = min(max(g, -grad_clip), grad_clip). As in glove.c the vector steps and squared sums
hold the learning rate eta, the bias steps do not, each step uses the sums before it is added,
an entry whose diff is not finite is skipped, and a vector step whose components do not sum to
a finite number is not applied (its squared sums are). Threads run these kernels on disjoint
slices of the shuffled entries without locks (Hogwild, as glove.c's pthreads do).
"""
from __future__ import annotations

import math

import numba
import numpy as np

from .config import FASTMATH
from .primitives import borrowed, prefetch_row, rand

#: Entries ahead whose four rows (W, W~ and their AdaGrad sums) are prefetched.
LOOKAHEAD = 4


def init_params(n_words: int, dim: int, seed: int, dtype: type = np.float32) -> tuple[np.ndarray, np.ndarray]:
    """(params, gradsq) of shape (2, n_words, dim + 1): params uniform in [-0.5, 0.5) / dim (as
    glove.c, biases included), gradsq all ones."""
    rng = np.random.default_rng(seed)
    params = ((rng.random((2, n_words, dim + 1)) - 0.5) / dim).astype(dtype)
    gradsq = np.ones((2, n_words, dim + 1), dtype=dtype)
    return params, gradsq


def entry_terms(values: np.ndarray, x_max: float, alpha: float, dtype: type = np.float32) -> tuple[np.ndarray, np.ndarray]:
    """(log x, f(x)) per entry in ``dtype``: f(x) = (x / x_max) ** alpha below x_max, else 1."""
    x = np.asarray(values, dtype=np.float64)
    f = np.minimum(1.0, (x / x_max) ** alpha)
    f[x > x_max] = 1.0
    return np.log(x).astype(dtype), f.astype(dtype)


@numba.njit(inline="always", fastmath=FASTMATH, error_model="numpy")
def _adagrad_steps(t, g, d):
    """t[b] = t[b] / sqrt(g[b]) and g[b] += (old t[b])^2 for b < d; returns the sum of the steps."""
    s = t[0] * 0
    for b in range(d):
        tb = t[b]
        step = tb / math.sqrt(g[b])
        g[b] += tb * tb
        t[b] = step
        s += step
    return s


@numba.njit(nogil=True, fastmath=FASTMATH, error_model="numpy", cache=True)
def adagrad_entries(rows, cols, log_x, f_x, start, stop, params, gradsq, eta, grad_clip):
    """AdaGrad steps over entries start..stop-1 in order (module doc); returns the summed cost
    sum 0.5 f(x) diff^2 (float64, over the entries not skipped) and mutates params, gradsq.

    ``eta`` and ``grad_clip`` must have params' dtype (np.float32(eta) for float32 params) so
    that the arithmetic stays in that precision."""
    params = borrowed(params)  # shared by the threads: see primitives.borrowed
    gradsq = borrowed(gradsq)
    d = params.shape[2] - 1
    t_w = np.empty(d, dtype=params.dtype)
    t_c = np.empty(d, dtype=params.dtype)
    cost = 0.0
    for k in range(start, stop):
        if k + LOOKAHEAD < stop:
            prefetch_row(params[0], rows[k + LOOKAHEAD])
            prefetch_row(params[1], cols[k + LOOKAHEAD])
            prefetch_row(gradsq[0], rows[k + LOOKAHEAD])
            prefetch_row(gradsq[1], cols[k + LOOKAHEAD])
        i = rows[k]
        j = cols[k]
        w = params[0, i]
        c = params[1, j]
        gw = gradsq[0, i]
        gc = gradsq[1, j]
        diff = w[d] + c[d] - log_x[k]
        for b in range(d):
            diff += w[b] * c[b]
        fdiff = f_x[k] * diff
        if not (math.isfinite(diff) and math.isfinite(fdiff)):
            continue
        cost += 0.5 * fdiff * diff
        # Loops of two or three arrays each, so that LLVM vectorizes them (alias checks).
        for b in range(d):
            t_w[b] = min(max(fdiff * c[b], -grad_clip), grad_clip) * eta
        for b in range(d):
            t_c[b] = min(max(fdiff * w[b], -grad_clip), grad_clip) * eta
        s_w = _adagrad_steps(t_w, gw, d)
        s_c = _adagrad_steps(t_c, gc, d)
        if math.isfinite(s_w) and math.isfinite(s_c):
            for b in range(d):
                w[b] -= t_w[b]
            for b in range(d):
                c[b] -= t_c[b]
        u_w = fdiff / math.sqrt(gw[d])
        u_c = fdiff / math.sqrt(gc[d])
        if math.isfinite(u_w):
            w[d] -= u_w
        if math.isfinite(u_c):
            c[d] -= u_c
        f2 = fdiff * fdiff
        gw[d] += f2
        gc[d] += f2
    return cost


@numba.njit(nogil=True, fastmath=FASTMATH, error_model="numpy", cache=True)
def glove_cost(rows, cols, log_x, f_x, params):
    """sum over entries of 0.5 f(x) (w_i . w~_j + b_i + b~_j - log x)^2 (float64), no update."""
    d = params.shape[2] - 1
    cost = 0.0
    for k in range(rows.shape[0]):
        w = params[0, rows[k]]
        c = params[1, cols[k]]
        diff = np.float64(w[d]) + c[d] - log_x[k]
        for b in range(d):
            diff += np.float64(w[b]) * c[b]
        cost += 0.5 * f_x[k] * diff * diff
    return cost


@numba.njit(nogil=True, cache=True)
def shuffle_entries(rows, cols, log_x, f_x, seed):
    """Fisher-Yates shuffle of the four entry arrays together, in place (splitmix64 stream)."""
    state = np.uint64(seed)
    for i in range(rows.shape[0] - 1, 0, -1):
        state, z = rand(state)
        j = np.int64(z % np.uint64(i + 1))
        rows[i], rows[j] = rows[j], rows[i]
        cols[i], cols[j] = cols[j], cols[i]
        log_x[i], log_x[j] = log_x[j], log_x[i]
        f_x[i], f_x[j] = f_x[j], f_x[i]
