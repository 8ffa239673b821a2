"""The word2vec kernel: one chunk of sentences trained with negative sampling and/or
hierarchical softmax, skip-gram or CBOW, over plain word rows or bags of rows.

One window of text is handled as a small dense problem kept in L1 cache. For the word w at a
position with context words c_1..c_B (dynamic window, after subsampling):

- skip-gram: the inputs are the B rows X_i = input(c_i), each predicting w (word2vec.c's
  orientation);
- CBOW: the input is one row, h = sum or mean of the context words' input rows, predicting w.

input(c) is W_in[c] for word2vec, the mean of c's bag of rows with bags (:mod:`.inputs`). The
output side is :mod:`.outputs`. With ``shared_negatives`` the K noise words are drawn once per
window and shared by its B skip-gram inputs (Ji et al. 2016, "Parallelizing Word2Vec in Shared
and Distributed Memory"), so every output row is read once per window. Skip-gram inputs get
dx_i; for CBOW every context row gets dh (word2vec.c's convention for the mean, whose exact
gradient would be dh / B; for the sum dh is exact).

Random numbers come from a splitmix64 stream whose state is passed in (uint64[1]) and written
back, so a run with one thread is reproducible. A sentence's windows and noise words depend on no
weights: they are drawn first (in the order a single loop would draw them) so that the output rows
of the windows ahead can be prefetched; on enmix the rows' cache misses were a third of the time.
"""
from __future__ import annotations

import numba
import numpy as np

from .config import FASTMATH
from .inputs import gather_word, gather_words, prefetch_bag, scatter_word
from .outputs import hierarchical_softmax, negative_sampling, plan_buffers, plan_windows, update_outputs
from .primitives import add_stats, borrowed_arrays, longest_sentence, next_sentence, prefetch_row, window, zero_row


@numba.njit(nogil=True, fastmath=FASTMATH, cache=True)
def train_chunk(ids, offsets, weights, tables, cfg, alpha0, alpha1, rng, stats, bags=None, skip_loss=None):
    """Train on the sentences of one chunk (ids int32, offsets int64) with negative sampling
    and/or hierarchical softmax; alpha decays linearly from alpha0 to alpha1 over the chunk.

    ``cfg`` is a :class:`.config.KernelConfig`, ``bags`` a :class:`.config.Bags` or None (one
    row per word), ``skip_loss`` None (compute the loss) or True (skip its arithmetic; see
    :func:`.outputs.update_outputs`). Mutates weights, rng (uint64[1]) and adds loss, examples and trained words
    to stats (float64 (N_STATS,))."""
    weights, tables = borrowed_arrays(weights, tables)
    w_in = weights.w_in
    d = w_in.shape[1]
    sg = cfg.sg != 0
    radius = cfg.window
    negative = cfg.negative
    hs = cfg.hs != 0
    cbow_mean = cfg.cbow_mean != 0
    shared = cfg.shared_negatives != 0
    look = cfg.lookahead
    width = 2 * radius
    X = np.empty((width, d), dtype=np.float32)
    dX = np.empty((width, d), dtype=np.float32)
    g = np.empty(width, dtype=np.float32)
    ctx = np.empty(width, dtype=np.int32)
    n_rows = max(negative + 1, tables.codes.shape[1])
    rows = np.empty(n_rows, dtype=np.int32)
    targets = np.empty(n_rows, dtype=np.float32)
    max_len = longest_sentence(offsets)
    sent = np.empty(max_len, dtype=np.int32)
    # One draw of noise words per window (CBOW, or shared skip-gram negatives). The windows and
    # these draws depend on no weights, so each sentence's are drawn first, in the same stream
    # order as one loop would, and the rows of window pos + cfg.lookahead are prefetched at pos.
    early = negative > 0 and (shared or not sg)
    ahead = early or negative == 0  # per-pair draws interleave with the windows: drawn in the loop
    win_lo, win_hi, noise, noise_targets, n_noise = plan_buffers(max_len, negative, early)
    state = rng[0]
    w_ns = weights.w_ns
    loss = 0.0
    examples = 0.0
    trained = 0
    for s in range(offsets.shape[0] - 1):
        alpha, n, state = next_sentence(ids, offsets, s, alpha0, alpha1, tables.keep, sent, state)
        trained += n
        if ahead:
            state = plan_windows(sent, n, radius, cfg.shrink_windows, early, w_ns.shape[0], negative, win_lo, win_hi,
                                 noise, n_noise, noise_targets, tables, state)
        for pos in range(n):
            word = sent[pos]
            if ahead:
                lo, hi = win_lo[pos], win_hi[pos]
                nxt = pos + look
                if look > 0 and nxt < n:
                    prefetch_bag(w_in, bags, sent[win_hi[nxt] - 1])
                    if early:
                        for j in range(n_noise[nxt]):
                            prefetch_row(w_ns, noise[nxt, j])
            else:
                lo, hi, state = window(pos, n, radius, state, cfg.shrink_windows)
            b = 0
            for c in range(lo, hi):
                if c != pos:
                    ctx[b] = sent[c]
                    b += 1
            if b == 0:
                continue
            if sg:
                n_in = b
                for i in range(b):
                    gather_word(w_in, bags, ctx[i], X, i, d)
                    zero_row(dX, i, d)
            else:
                n_in = 1
                zero_row(X, 0, d)
                zero_row(dX, 0, d)
                gather_words(w_in, bags, ctx, b, X, 0, cbow_mean, d)
            if early:
                loss += update_outputs(
                    X, 0, n_in, w_ns, noise[pos], noise_targets, n_noise[pos], alpha, dX, g, tables, skip_loss
                )
            elif negative > 0:
                lo_, state = negative_sampling(X, n_in, word, w_ns, negative, alpha, dX, g, rows, targets, tables, state, skip_loss)
                loss += lo_
            if hs:
                loss += hierarchical_softmax(X, n_in, word, weights.w_hs, alpha, dX, g, rows, targets, tables, skip_loss)
            examples += n_in
            for i in range(b):
                scatter_word(w_in, bags, ctx[i], dX, i if sg else 0, d, tables.lockf)
    rng[0] = state
    add_stats(stats, loss, examples, trained)
