"""The CBOW kernel of subword (fastText) models: each context word's bag is read once per position.

fastText's CBOW predicts the center word w from h = the mean of every row of every context
word's bag (R rows in all: each word's own row and its character n-gram rows), and adds the whole
gradient dh to every one of those rows; with 2-10 context words of ~11 rows each it reads and
writes ~66 random rows of a matrix far larger than the caches for every center word, which is
most of its time. A position of the sentence is a context word of up to 2 * window consecutive
centers, so here each position is handled once:

- **enter** (when it can first be in a window): S_p = the sum of its bag's rows, n_p its size;
- **each center** it is a context of: h = sum_p S_p / sum_p n_p over the window (or the plain sum
  with ``cbow_mean=0``); after the prediction G_p += dh, and S_p += n_p gain_p dh, which is exactly
  how far the rows' sum moves when each row receives dh (:class:`.config.Bags`' gain: repeated
  n-grams and lock factors), so the next centers see the position's updated rows;
- **leave** (after the last center that can reach it): every row of its bag receives G_p (times
  its lock factor).

The arithmetic is fastText's up to float rounding, except that a row shared by two positions of
the same window (the same word twice, a common n-gram) sees the other position's updates only when
that position leaves, as with rows other threads change (Hogwild). The random rows are read and
written once per position instead of once per center and context word. The exact order, for
comparison, is :func:`.chunk.train_chunk` over bags (``per_pair_updates``).

The live positions (at most 2 * window + 1) are kept in a ring in L1 cache. Windows and noise
words depend on no weights and are drawn first for each sentence (in the order
:func:`.chunk.train_chunk` draws them), so that the bag rows of the position entering
``cfg.lookahead`` steps ahead and the output rows of that window are prefetched.
"""
from __future__ import annotations

import numba
import numpy as np

from .config import FASTMATH
from .inputs import add_bag, prefetch_bag, scatter_word
from .outputs import hierarchical_softmax, plan_buffers, plan_windows, update_outputs
from .primitives import add_stats, axpy_rows, borrowed_arrays, borrowed_bags, longest_sentence, next_sentence, prefetch_row, scale_row, zero_row


@numba.njit(nogil=True, fastmath=FASTMATH, cache=True)
def train_chunk_context_bags(ids, offsets, weights, tables, cfg, alpha0, alpha1, rng, stats, bags, skip_loss=None):
    """CBOW over bags (fastText's CBOW, see the module docstring) on the sentences of one chunk
    (ids int32, offsets int64); alpha decays linearly from alpha0 to alpha1 over the chunk.
    ``bags`` is a :class:`.config.Bags` (with gains, or empty gains for all 1), ``skip_loss`` as
    :func:`.chunk.train_chunk`'s. Mutates weights and rng (uint64[1]); adds loss, examples
    (predictions) and trained words to stats (float64 (N_STATS,))."""
    weights, tables = borrowed_arrays(weights, tables)
    bags = borrowed_bags(bags)
    w_in = weights.w_in
    w_ns = weights.w_ns
    d = w_in.shape[1]
    radius = cfg.window
    negative = cfg.negative
    hs = cfg.hs != 0
    cbow_mean = cfg.cbow_mean != 0
    look = cfg.lookahead
    ring = 2 * radius + 1
    S = np.zeros((ring, d), dtype=np.float32)  # sums of the live positions' bag rows
    G = np.zeros((ring, d), dtype=np.float32)  # their pending gradients
    size = np.zeros(ring, dtype=np.int64)  # rows in each live bag
    moves = np.zeros(ring, dtype=np.float32)  # size * gain: how far the sum moves per unit of gradient
    used = np.zeros(ring, dtype=np.int64)  # whether a live position has a pending gradient
    gains = bags.gain.shape[0] > 0
    X = np.zeros((1, d), dtype=np.float32)
    dX = np.zeros((1, d), dtype=np.float32)
    g = np.empty(1, dtype=np.float32)
    targets = np.empty(max(1, tables.codes.shape[1]), dtype=np.float32)
    path = np.empty(max(1, tables.codes.shape[1]), dtype=np.int32)
    max_len = longest_sentence(offsets)
    sent = np.empty(max_len, dtype=np.int32)
    win_lo, win_hi, noise, noise_targets, n_noise = plan_buffers(max_len, negative, negative > 0)
    state = rng[0]
    loss = 0.0
    examples = 0.0
    trained = 0
    for s in range(offsets.shape[0] - 1):
        alpha, n, state = next_sentence(ids, offsets, s, alpha0, alpha1, tables.keep, sent, state)
        trained += n
        state = plan_windows(sent, n, radius, cfg.shrink_windows, negative > 0, w_ns.shape[0], negative, win_lo,
                             win_hi, noise, n_noise, noise_targets, tables, state)
        entered = 0
        for pos in range(n):
            while entered < n and entered <= pos + radius:
                r = entered % ring
                zero_row(S, r, d)
                size[r] = add_bag(w_in, bags, sent[entered], S, r, d)
                moves[r] = size[r] * (bags.gain[sent[entered]] if gains else np.float32(1.0))
                used[r] = 0
                entered += 1
            if look > 0:
                ahead = pos + radius + look
                if ahead < n:
                    prefetch_bag(w_in, bags, sent[ahead])
                nxt = pos + look
                if negative > 0 and nxt < n:
                    for j in range(n_noise[nxt]):
                        prefetch_row(w_ns, noise[nxt, j])
            lo, hi = win_lo[pos], win_hi[pos]
            if hi - lo > 1:
                rows = 0
                zero_row(X, 0, d)
                zero_row(dX, 0, d)
                for c in range(lo, hi):
                    if c != pos:
                        r = c % ring
                        axpy_rows(np.float32(1.0), S, r, X, 0, d)
                        rows += size[r]
                if cbow_mean and rows > 0:
                    scale_row(np.float32(1.0 / rows), X, 0, d)
                if negative > 0:
                    loss += update_outputs(X, 0, 1, w_ns, noise[pos], noise_targets, n_noise[pos], alpha, dX, g,
                                           tables, skip_loss)
                if hs:
                    loss += hierarchical_softmax(X, 1, sent[pos], weights.w_hs, alpha, dX, g, path, targets, tables,
                                                 skip_loss)
                examples += 1
                for c in range(lo, hi):
                    if c != pos:
                        r = c % ring
                        axpy_rows(np.float32(1.0), dX, 0, G, r, d)
                        axpy_rows(moves[r], dX, 0, S, r, d)
                        used[r] = 1
            leaving = pos - radius
            if leaving >= 0:
                _leave(w_in, bags, sent[leaving], G, used, leaving % ring, d, tables.lockf)
        for p in range(max(0, n - radius), n):
            _leave(w_in, bags, sent[p], G, used, p % ring, d, tables.lockf)
    rng[0] = state
    add_stats(stats, loss, examples, trained)


@numba.njit(inline="always")
def _leave(w_in, bags, word, G, used, r, d, lockf):
    """Add the pending gradient G[r] of a position leaving the window to its bag rows; clears it."""
    if used[r]:
        scatter_word(w_in, bags, word, G, r, d, lockf)
        zero_row(G, r, d)
        used[r] = 0
