"""The output side of the kernels: inputs X (rows of a small dense block) scored against a few
output rows with binary targets, as negative sampling and hierarchical softmax define them.

For each output row u_j with target t_j in {0, 1}: f_ij = x_i . u_j,
g_ij = alpha (t_j - sigma(f_ij)); the input gradient accumulates dx_i += g_ij u_j (old u_j),
then u_j += sum_i g_ij x_i. The loss adds -log sigma(f) (t=1) or -log sigma(-f) (t=0).
"""
from __future__ import annotations

import numba
import numpy as np

from .primitives import axpy_rows, below, dot_rows, rand, sig_logsig, sigmoid, window


@numba.njit(inline="always")
def update_outputs(X, i0, i1, W, rows, targets, m, alpha, dX, g, tables, skip_loss=None):
    """Score inputs X[i0:i1] against output rows W[rows[:m]] with targets; update W, add to dX.

    Returns the summed loss -sum_ij log sigma(+-f_ij) in float64. ``skip_loss`` None computes
    it; any other value (True) skips its arithmetic and returns 0. The choice is made when numba
    compiles for the argument's type, not by a branch in the loop (a runtime flag there cost
    skip-gram a third of its speed)."""
    d = X.shape[1]
    loss = 0.0
    for j in range(m):
        u = rows[j]
        t = targets[j]
        for i in range(i0, i1):
            f = dot_rows(X, i, W, u, d)
            if skip_loss is None:
                s, ls = sig_logsig(f, tables.sigmoid, tables.log_sigmoid)
                loss -= ls if t > 0.5 else ls - f
            else:
                s = sigmoid(f, tables.sigmoid)
            g[i] = np.float32(alpha * (t - s))
        if i1 - i0 == 1:  # one input (fastText's orientation, CBOW): both updates in one pass over u
            gi = g[i0]
            for k in range(d):
                uk = W[u, k]
                dX[i0, k] += gi * uk
                W[u, k] = uk + gi * X[i0, k]
            continue
        for i in range(i0, i1):
            axpy_rows(g[i], W, u, dX, i, d)
        for i in range(i0, i1):
            axpy_rows(g[i], X, i, W, u, d)
    return loss


@numba.njit(inline="always")
def draw_negatives(word, n_words, negative, rows, targets, tables, state):
    """rows[:m] = word, then K noise words (alias table; one equal to word is dropped), targets
    1, 0, ..., 0; returns (m, state)."""
    rows[0] = word
    targets[0] = 1.0
    m = 1
    for _ in range(negative):
        state, r = rand(state)
        b = below(r, n_words)
        if (r >> np.uint64(32)) >= tables.alias_threshold[b]:
            b = tables.alias_index[b]
        if b == word:
            continue
        rows[m] = b
        targets[m] = 0.0
        m += 1
    return m, state


@numba.njit(inline="always")
def plan_buffers(max_len, negative, draw):
    """The buffers :func:`plan_windows` fills for sentences of up to ``max_len`` words:
    (win_lo int64 (max_len,), win_hi int64 (max_len,), noise int32 (max_len, or 0 rows
    without ``draw``, negative + 1), noise_targets float32 (negative + 1,), n_noise int64
    (max_len,))."""
    win_lo = np.empty(max_len, dtype=np.int64)
    win_hi = np.empty(max_len, dtype=np.int64)
    noise = np.empty((max_len if draw else 0, negative + 1), dtype=np.int32)
    noise_targets = np.empty(negative + 1, dtype=np.float32)
    n_noise = np.zeros(max_len, dtype=np.int64)
    return win_lo, win_hi, noise, noise_targets, n_noise


@numba.njit(inline="always")
def plan_windows(sent, n, radius, shrink, draw, n_words, negative, win_lo, win_hi, noise, n_noise, noise_targets,
                 tables, state):
    """The windows of the n positions of ``sent`` ([win_lo[p], win_hi[p]), :func:`.primitives.window`)
    and, with ``draw``, one draw of noise words for each window holding a context word
    (noise[p, :n_noise[p]], :func:`draw_negatives`; targets in noise_targets), in the order a
    loop over the positions draws them; returns the random state. They depend on no weights, so
    a kernel draws a sentence's first and prefetches the rows of the windows ahead."""
    for pos in range(n):
        lo, hi, state = window(pos, n, radius, state, shrink)
        win_lo[pos] = lo
        win_hi[pos] = hi
        if draw and hi - lo > 1:
            n_noise[pos], state = draw_negatives(sent[pos], n_words, negative, noise[pos], noise_targets, tables, state)
    return state


@numba.njit(inline="always")
def negative_sampling(X, n_in, word, W, negative, alpha, dX, g, rows, targets, tables, state, skip_loss=None):
    """Negative sampling for each input X[i], i < n_in, predicting ``word`` with its own draw of
    K noise words (word2vec.c's per-pair negatives); returns (loss, state)."""
    loss = 0.0
    for i in range(n_in):
        m, state = draw_negatives(word, W.shape[0], negative, rows, targets, tables, state)
        loss += update_outputs(X, i, i + 1, W, rows, targets, m, alpha, dX, g, tables, skip_loss)
    return loss, state


@numba.njit(inline="always")
def hierarchical_softmax(X, n_in, word, W, alpha, dX, g, path, targets, tables, skip_loss=None):
    """Hierarchical-softmax step for inputs X[:n_in] predicting ``word`` along its Huffman path
    (target 1 - code bit at each inner node); returns the loss. ``path`` and ``targets`` are
    buffers of the code table's width (the path is copied, not viewed: see :func:`.primitives.axpy_rows`)."""
    n = tables.code_lengths[word]
    for j in range(n):
        path[j] = tables.points[word, j]
        targets[j] = 1.0 - tables.codes[word, j]
    return update_outputs(X, 0, n_in, W, path, targets, n, alpha, dX, g, tables, skip_loss)
