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
hierarchical softmax walks each context word's Huffman path. The windows and noise words of a
sentence are drawn before it is trained, so that the bag rows and output rows of the window
``cfg.lookahead`` positions ahead are prefetched while this one computes: the output rows are
random reads in a matrix larger than the caches. CBOW is :mod:`.context_bags` (or, in fastText's
order, the word2vec kernel :mod:`.chunk` over bags).
"""
from __future__ import annotations

import numba
import numpy as np

from .config import FASTMATH
from .inputs import gather_word, prefetch_bag, scatter_word
from .outputs import draw_negatives, hierarchical_softmax, update_outputs
from .primitives import add_stats, borrowed_arrays, borrowed_bags, longest_sentence, next_sentence, prefetch_row, window, zero_row


@numba.njit(inline="always")
def _plan_window(pos, sent, n, radius, shrink, negative, shared, n_words, plan, plan_m, noise, noise_targets,
                 tables, state):
    """Draw the window of position pos and, with negative sampling, the output rows of each of
    its predictions: plan[k, :plan_m[k]] = the k-th context word then its noise words (fresh K,
    or the window's shared draw without the context word itself). Returns (lo, hi, state)."""
    lo, hi, state = window(pos, n, radius, state, shrink)
    if negative == 0 or hi - lo <= 1:
        return lo, hi, state
    if shared:
        m0, state = draw_negatives(sent[pos], n_words, negative, noise, noise_targets, tables, state)
    k = 0
    for c in range(lo, hi):
        if c == pos:
            continue
        word = sent[c]
        if shared:
            plan[k, 0] = word
            m = 1
            for j in range(1, m0):
                if noise[j] != word:
                    plan[k, m] = noise[j]
                    m += 1
        else:
            m, state = draw_negatives(word, n_words, negative, plan[k], noise_targets, tables, state)
        plan_m[k] = m
        k += 1
    return lo, hi, state


@numba.njit(inline="always")
def _predict(X, dX, g, word, weights, negative, hs, alpha, rows, m, ns_targets, path, targets, tables, skip_loss):
    """Predict ``word`` from X[0] (dX[0] accumulates): negative sampling against the output rows
    rows[:m] (word, then its noise words), and/or hierarchical softmax along word's path.
    Returns the loss."""
    loss = 0.0
    if negative > 0:
        loss += update_outputs(X, 0, 1, weights.w_ns, rows, ns_targets, m, alpha, dX, g, tables, skip_loss)
    if hs:
        loss += hierarchical_softmax(X, 1, word, weights.w_hs, alpha, dX, g, path, targets, tables, skip_loss)
    return loss


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
    weights, tables = borrowed_arrays(weights, tables)
    bags = borrowed_bags(bags)
    w_in = weights.w_in
    w_ns = weights.w_ns
    d = w_in.shape[1]
    radius = cfg.window
    negative = cfg.negative
    hs = cfg.hs != 0
    shared = cfg.shared_negatives != 0 and negative > 0
    look = cfg.lookahead
    width = 2 * radius
    X = np.zeros((1, d), dtype=np.float32)
    dX = np.zeros((1, d), dtype=np.float32)
    dsum = np.zeros((1, d), dtype=np.float32)
    gains = bags.gain.shape[0] > 0
    g = np.empty(1, dtype=np.float32)
    targets = np.empty(max(1, tables.codes.shape[1]), dtype=np.float32)
    path = np.empty(max(1, tables.codes.shape[1]), dtype=np.int32)
    ns_targets = np.zeros(negative + 1, dtype=np.float32)
    ns_targets[0] = 1.0
    noise = np.empty(negative + 1, dtype=np.int32)
    noise_targets = np.empty(negative + 1, dtype=np.float32)
    max_len = longest_sentence(offsets)
    sent = np.empty(max_len, dtype=np.int32)
    # Windows and noise words depend on no weights: each sentence's are drawn first (in the
    # order one loop would draw them) so that the rows of window pos + look can be prefetched.
    win_lo = np.empty(max_len, dtype=np.int64)
    win_hi = np.empty(max_len, dtype=np.int64)
    plan = np.empty((max_len if negative > 0 else 1, width, negative + 1), dtype=np.int32)
    plan_m = np.zeros((max_len, width), dtype=np.int64)
    state = rng[0]
    loss = 0.0
    examples = 0.0
    trained = 0
    for s in range(offsets.shape[0] - 1):
        alpha, n, state = next_sentence(ids, offsets, s, alpha0, alpha1, tables.keep, sent, state)
        trained += n
        for pos in range(n):
            win_lo[pos], win_hi[pos], state = _plan_window(
                pos, sent, n, radius, cfg.shrink_windows, negative, shared, w_ns.shape[0],
                plan[pos if negative > 0 else 0], plan_m[pos], noise, noise_targets, tables, state,
            )
        for pos in range(n):
            word = sent[pos]
            lo, hi = win_lo[pos], win_hi[pos]
            nxt = pos + look
            if look > 0 and nxt < n:
                prefetch_bag(w_in, bags, sent[nxt])
                if negative > 0:
                    for k in range(win_hi[nxt] - win_lo[nxt] - 1):
                        for j in range(plan_m[nxt, k]):
                            prefetch_row(w_ns, plan[nxt, k, j])
            if hi - lo <= 1:
                continue
            if not per_pair:
                gather_word(w_in, bags, word, X, 0, d)
                gain = bags.gain[word] if gains else np.float32(1.0)
                zero_row(dsum, 0, d)
            k = 0
            for c in range(lo, hi):
                if c == pos:
                    continue
                if per_pair:
                    gather_word(w_in, bags, word, X, 0, d)
                zero_row(dX, 0, d)
                loss += _predict(X, dX, g, sent[c], weights, negative, hs, alpha,
                                 plan[pos if negative > 0 else 0, k], plan_m[pos, k], ns_targets, path, targets,
                                 tables, skip_loss)
                examples += 1
                k += 1
                if per_pair:
                    scatter_word(w_in, bags, word, dX, 0, d, tables.lockf)
                else:
                    for j in range(d):
                        X[0, j] += gain * dX[0, j]
                        dsum[0, j] += dX[0, j]
            if not per_pair:
                scatter_word(w_in, bags, word, dsum, 0, d, tables.lockf)
    rng[0] = state
    add_stats(stats, loss, examples, trained)
