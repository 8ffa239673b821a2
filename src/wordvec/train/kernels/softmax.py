"""The exact (naive) softmax, J = -log softmax(U h)[o], in mini-batches: windows laid out as
rows, hidden vectors gathered, the fused softmax / loss / logit-gradient pass, and the scatter of
the hidden gradients. The matrix products between them are BLAS calls made by the engine
(:mod:`wordvec.train.softmax_engine`).
"""
from __future__ import annotations

import numba
import numpy as np

from .config import FASTMATH
from .primitives import axpy_rows, exp_nonpositive, scale_row, subsample, window, zero_row


@numba.njit(nogil=True, cache=True)
def softmax_examples(ids, offsets, tables, cfg, rng):
    """Windows of one chunk for the exact softmax, after subsampling and dynamic windows.

    Returns (centers int32 (n,), ctx_offsets int64 (n+1,), contexts int32): example e is the
    word centers[e] with its context words contexts[ctx_offsets[e]:ctx_offsets[e+1]]."""
    radius = cfg.window
    state = rng[0]
    n_ids = ids.shape[0]
    centers = np.empty(n_ids, dtype=np.int32)
    ctx_off = np.empty(n_ids + 1, dtype=np.int64)
    contexts = np.empty(n_ids * 2 * radius, dtype=np.int32)
    sent = np.empty(n_ids, dtype=np.int32)
    ctx_off[0] = 0
    e = 0
    nc = 0
    for s in range(offsets.shape[0] - 1):
        n, state = subsample(ids, offsets[s], offsets[s + 1], tables.keep, sent, state)
        for pos in range(n):
            lo, hi, state = window(pos, n, radius, state, cfg.shrink_windows)
            if hi - lo <= 1:
                continue
            for c in range(lo, hi):
                if c != pos:
                    contexts[nc] = sent[c]
                    nc += 1
            centers[e] = sent[pos]
            e += 1
            ctx_off[e] = nc
    rng[0] = state
    return centers[:e].copy(), ctx_off[: e + 1].copy(), contexts[:nc].copy()


@numba.njit(nogil=True, cache=True)
def batch_end(sg, centers, ctx_off, contexts, e0, e1, max_uses, in_uses, out_uses):
    """The end e of the batch of examples e0..e (e0 < e <= e1) that stops before any word is
    the input or the target of more than ``max_uses`` of the batch's (input, target) pairs
    (always at least one example).

    Every update of a batch is computed from the same weights, so a word in k of its pairs moves
    by the sum of k gradients at once, where sequential SGD would have seen its prediction
    saturate after a few of them: a word that fills a stretch of text (Brown's formula
    placeholder "af") diverged the CBOW softmax at any alpha. A pair's input is the center
    (skip-gram) or a context word (CBOW), its target the other. ``in_uses`` and ``out_uses``
    are int32 scratch vectors of the vocabulary's length, zero on entry and left zero."""
    e = e0
    over = False
    while e < e1:
        lo, hi = ctx_off[e], ctx_off[e + 1]
        c = centers[e]
        over = False
        if sg:
            in_uses[c] += hi - lo
            over = in_uses[c] > max_uses
            for j in range(lo, hi):
                out_uses[contexts[j]] += 1
                over = over or out_uses[contexts[j]] > max_uses
        else:
            out_uses[c] += 1
            over = out_uses[c] > max_uses
            for j in range(lo, hi):
                in_uses[contexts[j]] += 1
                over = over or in_uses[contexts[j]] > max_uses
        e += 1
        if over:
            break
    counted = e
    if over and e > e0 + 1:
        e -= 1  # example e - 1 made a word exceed max_uses: it starts the next batch
    for k in range(e0, counted):
        in_uses[centers[k]] = 0
        out_uses[centers[k]] = 0
        for j in range(ctx_off[k], ctx_off[k + 1]):
            in_uses[contexts[j]] = 0
            out_uses[contexts[j]] = 0
    return e


@numba.njit(nogil=True, cache=True)
def softmax_rows(sg, centers, ctx_off, contexts, e0, e1, in_off, inputs, tg_off, targets):
    """Lay out examples e0..e1 as the rows of one exact-softmax batch; returns the row count r.

    Row i has the input words inputs[in_off[i]:in_off[i+1]] (its hidden vector is their sum or
    mean) and the target words targets[tg_off[i]:tg_off[i+1]] it predicts. CBOW: one row per
    window, inputs the context, target the center. Skip-gram: one row per distinct center word,
    targets the contexts of all its windows in the batch. The weights do not change within a
    batch, so windows sharing a center share h, the logits and softmax p, and their summed
    gradient is the row's, alpha (n_targets p - sum_t y_t): merging them is exact and saves a
    quarter of the products on SST. Arrays: in_off/tg_off int64 (>= e1-e0+1,), inputs/targets
    int32 (>= ctx_off[e1]-ctx_off[e0] and >= e1-e0)."""
    r = 0
    in_off[0] = 0
    tg_off[0] = 0
    ni = 0
    nt = 0
    if sg:
        order = np.argsort(centers[e0:e1], kind="mergesort")
        j = 0
        while j < e1 - e0:
            word = centers[e0 + order[j]]
            inputs[ni] = word
            ni += 1
            while j < e1 - e0 and centers[e0 + order[j]] == word:
                e = e0 + order[j]
                for c in range(ctx_off[e], ctx_off[e + 1]):
                    targets[nt] = contexts[c]
                    nt += 1
                j += 1
            r += 1
            in_off[r] = ni
            tg_off[r] = nt
    else:
        for e in range(e0, e1):
            for c in range(ctx_off[e], ctx_off[e + 1]):
                inputs[ni] = contexts[c]
                ni += 1
            targets[nt] = centers[e]
            nt += 1
            r += 1
            in_off[r] = ni
            tg_off[r] = nt
    return r


@numba.njit(nogil=True, fastmath=FASTMATH, cache=True)
def gather_hidden(w_in, mean, in_off, inputs, n_rows, H):
    """H[i] = sum (or mean, if ``mean``) of W_in over row i's inputs, for i < n_rows."""
    d = w_in.shape[1]
    for i in range(n_rows):
        zero_row(H, i, d)
        for j in range(in_off[i], in_off[i + 1]):
            axpy_rows(np.float32(1.0), w_in, inputs[j], H, i, d)
        if mean and in_off[i + 1] - in_off[i] > 1:
            scale_row(np.float32(1.0 / (in_off[i + 1] - in_off[i])), H, i, d)


@numba.njit(nogil=True, fastmath=FASTMATH, cache=True)
def softmax_gradient(P, row_max, tg_off, targets, r0, r1, alpha):
    """Turn the logits in rows r0..r1 of P (n, V) into the scaled logit gradient in place and
    return their summed loss -sum_targets log p[target] (float64).

    p = softmax(logits) with m = row_max[i] >= the row's largest logit; row i predicts its
    n_i targets t: G_i = alpha (n_i p - sum_t y_t), loss n_i (log sum_k exp(l_k - m) + m) -
    sum_t l_t, exact also where p[t] underflows. Rows are independent: threads may share a
    batch by rows."""
    loss = 0.0
    V = P.shape[1]
    for i in range(r0, r1):
        row = P[i]
        m = row_max[i]
        lo, hi = tg_off[i], tg_off[i + 1]
        for j in range(lo, hi):
            loss -= row[targets[j]]
        s = np.float32(0.0)
        for k in range(V):
            x = exp_nonpositive(row[k] - m)
            row[k] = x
            s += x
        loss += (hi - lo) * (np.log(np.float64(s)) + m)
        scale = np.float32(alpha * (hi - lo) / s)
        for k in range(V):
            row[k] *= scale
        for j in range(lo, hi):
            row[targets[j]] -= np.float32(alpha)
    return loss


@numba.njit(nogil=True, fastmath=FASTMATH, cache=True)
def scatter_hidden(w_in, in_off, inputs, n_rows, dH, lockf):
    """W_in[w] -= lockf[w] dH[i] for every input w of row i < n_rows (word2vec.c's CBOW
    convention: each context row gets the whole dh, also for the mean); an empty ``lockf``
    means factors of 1."""
    d = w_in.shape[1]
    for i in range(n_rows):
        for j in range(in_off[i], in_off[i + 1]):
            w = inputs[j]
            if lockf.shape[0] == 0:
                axpy_rows(np.float32(-1.0), dH, i, w_in, w, d)
            elif lockf[w] != 0:
                axpy_rows(-lockf[w], dH, i, w_in, w, d)
