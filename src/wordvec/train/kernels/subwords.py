"""The skip-gram kernel of subword (fastText) models: the center word's bag predicts its context.

fastText's skip-gram takes h = the mean of the center word's bag of rows (its own row and its
character n-gram rows, :mod:`wordvec.text.subwords`) and predicts each context word from it,
every row of the bag receiving the whole input gradient dh after each prediction. fastText thus
gathers and scatters the ~25 rows of the bag (minn 3, maxn 6) once per (center, context) pair,
which is most of its time. Adding dh to every row of the bag moves their mean by exactly
gain_w * dh (:class:`.config.Bags`; gain_w = 1 when the bag's rows are distinct and unlocked), so
the same sequence of h is followed without re-reading the rows: here, by default, h is gathered
once per window, moved by gain_w * dh after each prediction (each output row updated at once, as
always), and the window's summed dh is scattered once. The arithmetic is fastText's, up to float
rounding and to rows another thread changes within the window; the input side costs once per
window instead of once per pair. ``per_pair=1`` re-gathers and scatters for every pair as fastText
does (benchmarks/bench_train.py --subwords --per-pair-updates measures both; docs/benchmarks.md
has the figures).

Negative sampling draws K noise words per prediction, or with ``cfg.shared_negatives`` once per
window, shared by the window's predictions (a noise word equal to the predicted word is skipped);
hierarchical softmax walks each context word's Huffman path. CBOW needs no kernel of its own: the
word2vec kernel (:mod:`.chunk`) over bags is fastText's CBOW (the mean over the context words'
bags predicts the center, every row of every bag gets dh).
"""
from __future__ import annotations

import numba
import numpy as np

from .config import EXAMPLES, FASTMATH, LOSS, TRAINED_WORDS
from .inputs import bag_bounds, bag_row, gather_word, scatter_word
from .outputs import draw_negatives, update_outputs
from .primitives import prefetch_row, subsample, window


@numba.njit(inline="always")
def _predict(X, dX, g, word, weights, negative, hs, alpha, rows, targets, tables, state, noise, n_noise,
             skip_loss):
    """Predict ``word`` from X[0] (dX[0] accumulates); n_noise >= 0: the shared noise words
    noise[1:n_noise + 1], else K fresh ones. Returns (loss, state)."""
    loss = 0.0
    if negative > 0:
        if n_noise >= 0:
            rows[0] = word
            targets[0] = 1.0
            m = 1
            for j in range(1, n_noise + 1):
                if noise[j] != word:
                    rows[m] = noise[j]
                    targets[m] = 0.0
                    m += 1
        else:
            m, state = draw_negatives(word, weights.w_ns.shape[0], negative, rows, targets, tables, state)
        loss += update_outputs(X, 0, 1, weights.w_ns, rows, targets, m, alpha, dX, g, tables, skip_loss)
    if hs:
        n = tables.code_lengths[word]
        for j in range(n):
            targets[j] = 1.0 - tables.codes[word, j]
        loss += update_outputs(X, 0, 1, weights.w_hs, tables.points[word], targets, n, alpha, dX, g, tables, skip_loss)
    return loss, state


@numba.njit(nogil=True, fastmath=FASTMATH, cache=True)
def train_chunk_center_bags(ids, offsets, weights, tables, cfg, alpha0, alpha1, rng, stats, bags, per_pair, skip_loss=None):
    """Skip-gram over bags, fastText's orientation (the center's bag predicts each context word),
    on the sentences of one chunk (ids int32, offsets int64); alpha decays linearly from alpha0
    to alpha1 over the chunk. ``bags`` is a :class:`.config.Bags`, ``per_pair`` 0 (gather and
    scatter the center's bag once per window, h following each update by the bag's gain) or 1
    (gather and scatter once per prediction, as fastText);
    ``skip_loss`` as :func:`.chunk.train_chunk`'s.
    Mutates weights and rng (uint64[1]); adds loss, examples (predictions) and trained words to
    stats."""
    w_in = weights.w_in
    d = w_in.shape[1]
    radius = cfg.window
    negative = cfg.negative
    hs = cfg.hs != 0
    shared = cfg.shared_negatives != 0 and negative > 0
    look = cfg.lookahead > 0
    X = np.zeros((1, d), dtype=np.float32)
    dX = np.zeros((1, d), dtype=np.float32)
    dsum = np.zeros(d, dtype=np.float32)
    gains = bags.gain.shape[0] > 0
    g = np.empty(1, dtype=np.float32)
    n_rows = max(negative + 1, tables.codes.shape[1])
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
            lo, hi, state = window(pos, n, radius, state)
            if hi - lo <= 1:
                continue
            if look and pos + 1 < n:
                a, b = bag_bounds(bags, sent[pos + 1])
                for j in range(a, b):
                    prefetch_row(w_in[bag_row(bags, j)])
            n_noise = -1
            if shared:
                m, state = draw_negatives(word, weights.w_ns.shape[0], negative, noise, noise_targets, tables, state)
                n_noise = m - 1
            if per_pair:
                for c in range(lo, hi):
                    if c == pos:
                        continue
                    gather_word(w_in, bags, word, X[0], d)
                    for k in range(d):
                        dX[0, k] = 0.0
                    lo_, state = _predict(X, dX, g, sent[c], weights, negative, hs, alpha, rows, targets, tables,
                                          state, noise, n_noise, skip_loss)
                    loss += lo_
                    examples += 1
                    scatter_word(w_in, bags, word, dX[0], d, tables.lockf)
            else:
                gather_word(w_in, bags, word, X[0], d)
                gain = bags.gain[word] if gains else np.float32(1.0)
                for k in range(d):
                    dsum[k] = 0.0
                for c in range(lo, hi):
                    if c == pos:
                        continue
                    for k in range(d):
                        dX[0, k] = 0.0
                    lo_, state = _predict(X, dX, g, sent[c], weights, negative, hs, alpha, rows, targets, tables,
                                          state, noise, n_noise, skip_loss)
                    loss += lo_
                    examples += 1
                    for k in range(d):
                        X[0, k] += gain * dX[0, k]
                        dsum[k] += dX[0, k]
                scatter_word(w_in, bags, word, dsum, d, tables.lockf)
    rng[0] = state
    stats[LOSS] += loss
    stats[EXAMPLES] += examples
    stats[TRAINED_WORDS] += trained
