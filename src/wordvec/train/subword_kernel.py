"""Compiled training kernel for subword (fastText) models: the input of a word is a bag of rows.

The input matrix W_in has one row per vocabulary word followed by the n-gram buckets; the bag of
word w is ``bag_rows[bag_offsets[w]:bag_offsets[w+1]]`` (its own row, then its n-gram rows; see
:mod:`wordvec.text.subwords`). With h the mean of a bag's rows, every step is the
binary-logistic update of the word2vec kernels (:func:`wordvec.train.kernels.update_outputs`)
on the single input h, and every row of the bag then receives the whole input gradient dh (as
fastText does; :func:`wordvec.cs224n.reference.fasttext_bag_step` is the float64 reference).

- skip-gram: the bag of the center word predicts each context word (fastText's direction). With
  ``per_pair`` the bag is gathered and its gradient scattered for every context word, exactly
  fastText's order of updates; otherwise (the default) h is gathered once per window, the
  context words are predicted from it one after another, and the accumulated dh is scattered
  once. The input side (two passes over ~25 rows per bag for minn 3, maxn 6) then costs once per
  window instead of once per pair, which is most of fastText's time.
- CBOW: h is the mean over the concatenated bags of the context words (fastText), predicting the
  center; every row of every context bag gets dh.

Negative sampling draws K noise words per prediction (or, with ``shared_negatives``, once per
window for all the window's predictions); hierarchical softmax walks the target's Huffman path.
A separate kernel from the word2vec one, so that plain word2vec compiles without any of this.
"""
from __future__ import annotations

import numba
import numpy as np

from .kernels import (
    CBOW_MEAN, EXAMPLES, FASTMATH, HS, LOOKAHEAD, LOSS, NEGATIVE, SG, SHARED_NEGATIVES, TRAINED_WORDS, WINDOW,
    update_outputs,
)
from .kernels import _draw_negatives as draw_negatives  # TODO(restructure): public helpers
from .kernels import _prefetch_row as prefetch_row
from .kernels import _subsample as subsample
from .kernels import _window as window_bounds

PER_PAIR = 7  # cfg slot after the word2vec kernel's: 1 = gather/scatter the center bag per pair
N_CFG = 8


@numba.njit(inline="always")
def _gather(w_in, bag_offsets, bag_rows, word, h, d):
    for p in range(bag_offsets[word], bag_offsets[word + 1]):
        src = w_in[bag_rows[p]]
        for k in range(d):
            h[k] += src[k]
    return bag_offsets[word + 1] - bag_offsets[word]


@numba.njit(inline="always")
def _scatter(w_in, bag_offsets, bag_rows, word, dh, d):
    for p in range(bag_offsets[word], bag_offsets[word + 1]):
        dst = w_in[bag_rows[p]]
        for k in range(d):
            dst[k] += dh[k]


@numba.njit(inline="always")
def _predict(X, dX, g, word, w_ns, w_hs, negative, hs, alpha, rows, targets, tables, state, shared_rows,
             shared_targets, n_shared):
    """One prediction of ``word`` from X[0]; dX[0] accumulates. Returns (loss, state)."""
    loss = 0.0
    if negative > 0:
        if n_shared >= 0:
            rows[0] = word
            targets[0] = 1.0
            m = 1
            for j in range(1, n_shared + 1):
                if shared_rows[j] != word:
                    rows[m] = shared_rows[j]
                    targets[m] = 0.0
                    m += 1
        else:
            m, state = draw_negatives(word, w_ns.shape[0], negative, rows, targets, tables, state)
        loss += update_outputs(X, 0, 1, w_ns, rows, targets, m, alpha, dX, g, tables)
    if hs:
        n = tables.code_lengths[word]
        for j in range(n):
            targets[j] = 1.0 - tables.codes[word, j]
        loss += update_outputs(X, 0, 1, w_hs, tables.points[word], targets, n, alpha, dX, g, tables)
    return loss, state


@numba.njit(nogil=True, fastmath=FASTMATH, cache=True)
def train_chunk_subwords(ids, offsets, bag_offsets, bag_rows, weights, tables, cfg, alpha0, alpha1, rng, stats):
    """Train on the sentences of one chunk (ids int32, offsets int64) with bags of rows as
    inputs; alpha decays linearly from alpha0 to alpha1 over the chunk. Mutates weights, rng
    (uint64[1]) and adds loss, examples (predictions) and trained words to stats."""
    w_in = weights.w_in
    w_ns = weights.w_ns
    w_hs = weights.w_hs
    d = w_in.shape[1]
    sg = cfg[SG] != 0
    window = cfg[WINDOW]
    negative = cfg[NEGATIVE]
    hs = cfg[HS] != 0
    mean = cfg[CBOW_MEAN] != 0 or sg
    shared = cfg[SHARED_NEGATIVES] != 0 and negative > 0
    per_pair = cfg[PER_PAIR] != 0 and sg
    look = cfg[LOOKAHEAD]
    X = np.zeros((1, d), dtype=np.float32)
    dX = np.zeros((1, d), dtype=np.float32)
    g = np.empty(1, dtype=np.float32)
    n_rows = max(2 * negative + 2, tables.codes.shape[1])
    rows = np.empty(n_rows, dtype=np.int32)
    targets = np.empty(n_rows, dtype=np.float32)
    noise = np.empty(negative + 1, dtype=np.int32)
    noise_targets = np.empty(negative + 1, dtype=np.float32)
    max_len = 0
    for s in range(offsets.shape[0] - 1):
        max_len = max(max_len, offsets[s + 1] - offsets[s])
    sent = np.empty(max_len, dtype=np.int32)
    state = rng[0]
    total = max(1, ids.shape[0])
    loss = 0.0
    examples = 0.0
    trained = 0
    for s in range(offsets.shape[0] - 1):
        alpha = alpha0 + (alpha1 - alpha0) * (offsets[s] / total)
        n, state = subsample(ids, offsets[s], offsets[s + 1], tables.keep, sent, state)
        trained += n
        for pos in range(n):
            word = sent[pos]
            lo, hi, state = window_bounds(pos, n, window, state)
            if hi - lo <= 1:
                continue
            if look > 0 and pos + 1 < n:
                nxt = sent[pos + 1]
                for p in range(bag_offsets[nxt], bag_offsets[nxt + 1]):
                    prefetch_row(w_in[bag_rows[p]])
            n_shared = -1
            if shared:
                m, state = draw_negatives(word, w_ns.shape[0], negative, noise, noise_targets, tables, state)
                n_shared = m - 1  # noise[1:m]
            if sg:
                if per_pair:
                    for c in range(lo, hi):
                        if c == pos:
                            continue
                        for k in range(d):
                            X[0, k] = 0.0
                            dX[0, k] = 0.0
                        nb = _gather(w_in, bag_offsets, bag_rows, word, X[0], d)
                        inv = np.float32(1.0 / nb)
                        for k in range(d):
                            X[0, k] *= inv
                        lo_, state = _predict(X, dX, g, sent[c], w_ns, w_hs, negative, hs, alpha, rows, targets,
                                              tables, state, noise, noise_targets, n_shared)
                        loss += lo_
                        examples += 1
                        _scatter(w_in, bag_offsets, bag_rows, word, dX[0], d)
                else:
                    for k in range(d):
                        X[0, k] = 0.0
                        dX[0, k] = 0.0
                    nb = _gather(w_in, bag_offsets, bag_rows, word, X[0], d)
                    inv = np.float32(1.0 / nb)
                    for k in range(d):
                        X[0, k] *= inv
                    for c in range(lo, hi):
                        if c == pos:
                            continue
                        lo_, state = _predict(X, dX, g, sent[c], w_ns, w_hs, negative, hs, alpha, rows, targets,
                                              tables, state, noise, noise_targets, n_shared)
                        loss += lo_
                        examples += 1
                    _scatter(w_in, bag_offsets, bag_rows, word, dX[0], d)
            else:
                for k in range(d):
                    X[0, k] = 0.0
                    dX[0, k] = 0.0
                nb = 0
                for c in range(lo, hi):
                    if c != pos:
                        nb += _gather(w_in, bag_offsets, bag_rows, sent[c], X[0], d)
                if mean:
                    inv = np.float32(1.0 / nb)
                    for k in range(d):
                        X[0, k] *= inv
                lo_, state = _predict(X, dX, g, word, w_ns, w_hs, negative, hs, alpha, rows, targets, tables,
                                      state, noise, noise_targets, n_shared)
                loss += lo_
                examples += 1
                for c in range(lo, hi):
                    if c != pos:
                        _scatter(w_in, bag_offsets, bag_rows, sent[c], dX[0], d)
    rng[0] = state
    stats[LOSS] += loss
    stats[EXAMPLES] += examples
    stats[TRAINED_WORDS] += trained
