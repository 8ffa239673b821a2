"""Compiled training kernels (numba): arrays and plain numbers in, arrays mutated in place.

One window of text is handled as a small dense problem kept in L1 cache. For the word w at a
position with context words c_1..c_B (dynamic window, after subsampling):

- skip-gram: the inputs are the B rows X = W_in[c_1..c_B], each predicting w;
- CBOW: the input is one row, h = sum or mean of W_in[c_1..c_B], predicting w.

Each objective scores the inputs against a few output rows with targets t_j in {0, 1}:

- negative sampling: rows W_ns[w] (t=1) and K noise words (t=0); with ``shared_negatives`` the
  K noise words are drawn once per window and shared by its B skip-gram inputs (Ji et al. 2016,
  "Parallelizing Word2Vec in Shared and Distributed Memory"), so every row is read once per window;
- hierarchical softmax: the inner nodes on w's Huffman path, t = 1 - code bit.

For each output row u_j: f_ij = x_i . u_j, g_ij = alpha (t_j - sigma(f_ij)), the input gradient
accumulates dx_i += g_ij u_j (old u_j), then u_j += sum_i g_ij x_i. The loss adds
-log sigma(f) (t=1) or -log sigma(-f) (t=0). Sigmoid and log-sigmoid are read from tables over
[-8, 8] with linear interpolation (abs. error < 1e-5) and computed exactly outside: unlike
gensim (which skips pairs with |f| > 6) and word2vec.c (which clips g there) every pair gets its
true gradient. Skip-gram inputs get dx_i; for CBOW every context row gets dh (word2vec.c's
convention for the mean, whose exact gradient would be dh / B; for the sum dh is exact).

Random numbers come from a splitmix64 stream whose state is passed in (uint64[1]) and written
back, so a run with one thread is reproducible. A sentence's windows and noise words depend on no
weights: they are drawn first (in the order a single loop would draw them) so that the output rows
of the windows ahead can be prefetched; on enmix the rows' cache misses were a third of the time.
"""
from __future__ import annotations

import math
from typing import NamedTuple

import llvmlite.binding
import llvmlite.ir
import numba
import numba.core.cgutils
import numba.extending
import numpy as np

FASTMATH = {"reassoc", "contract", "arcp", "nsz"}  # no nnan/ninf: divergence must stay visible
MAX_EXP = 8.0
TABLE_N = 1024
_SCALE = TABLE_N / (2 * MAX_EXP)

# cfg (int64 array) slots
SG, WINDOW, NEGATIVE, HS, CBOW_MEAN, SHARED_NEGATIVES, LOOKAHEAD = range(7)
N_CFG = 7
# stats (float64 array) slots
LOSS, EXAMPLES, TRAINED_WORDS = range(3)
N_STATS = 3


class Tables(NamedTuple):
    """Read-only arrays of one training run (see vocab.Vocabulary for their meaning)."""

    keep: np.ndarray  # int64 (V,) subsampling thresholds out of 2**32
    alias_threshold: np.ndarray  # uint32 (V,)
    alias_index: np.ndarray  # int32 (V,)
    codes: np.ndarray  # uint8 (V, L)
    points: np.ndarray  # int32 (V, L)
    code_lengths: np.ndarray  # int32 (V,)
    sigmoid: np.ndarray  # float32 (TABLE_N + 2,)
    log_sigmoid: np.ndarray  # float32 (TABLE_N + 2,)


class Weights(NamedTuple):
    """Trained matrices; the unused output matrix has 0 rows."""

    w_in: np.ndarray  # float32 (V, d) word vectors
    w_ns: np.ndarray  # float32 (V, d) negative-sampling output vectors
    w_hs: np.ndarray  # float32 (V - 1, d) hierarchical-softmax inner-node vectors


def sigmoid_tables() -> tuple[np.ndarray, np.ndarray]:
    """sigma and log sigma at x_k = -MAX_EXP + k / _SCALE, k = 0 .. TABLE_N (+1 pad), float32."""
    x = -MAX_EXP + np.arange(TABLE_N + 2, dtype=np.float64) / _SCALE
    sig = 1.0 / (1.0 + np.exp(-x))
    logsig = -np.logaddexp(0.0, -x)
    return sig.astype(np.float32), logsig.astype(np.float32)


def rng_state(seed: int, stream: int) -> np.ndarray:
    """Independent uint64[1] state for thread ``stream`` of a run seeded with ``seed``."""
    mix = np.random.SeedSequence([int(seed) & 0xFFFFFFFF, int(stream)]).generate_state(1, np.uint64)
    return mix.astype(np.uint64)


# LLVM 15 made pointers opaque, which renamed the intrinsic's overload.
_PREFETCH_INTRINSIC = "llvm.prefetch.p0" if llvmlite.binding.llvm_version_info >= (15,) else "llvm.prefetch.p0i8"


@numba.extending.intrinsic
def _prefetch(typingctx, arr, k):
    """Hint the CPU to load the cache line holding arr[k] (1-D array) for writing; no effect on
    results. Lets the random output rows of the next windows load while this one computes."""
    if not (isinstance(arr, numba.types.Array) and arr.ndim == 1 and isinstance(k, numba.types.Integer)):
        return None

    def codegen(context, builder, signature, args):
        aryty = signature.args[0]
        ary = context.make_array(aryty)(context, builder, args[0])
        ptr = numba.core.cgutils.get_item_pointer(context, builder, aryty, ary, [args[1]])
        i8p = llvmlite.ir.IntType(8).as_pointer()
        i32 = llvmlite.ir.IntType(32)
        fnty = llvmlite.ir.FunctionType(llvmlite.ir.VoidType(), [i8p, i32, i32, i32])
        fn = numba.core.cgutils.get_or_insert_function(builder.module, fnty, _PREFETCH_INTRINSIC)
        rw, locality, data = (llvmlite.ir.Constant(i32, v) for v in (1, 3, 1))
        builder.call(fn, [builder.bitcast(ptr, i8p), rw, locality, data])
        return context.get_dummy_value()

    return numba.types.void(arr, k), codegen


@numba.extending.intrinsic
def _bits_to_float32(typingctx, bits):
    """Reinterpret int32 bits as a float32 (LLVM bitcast; vectorizes)."""
    if bits != numba.types.int32:
        return None

    def codegen(context, builder, signature, args):
        return builder.bitcast(args[0], llvmlite.ir.FloatType())

    return numba.types.float32(numba.types.int32), codegen


@numba.njit(inline="always")
def _prefetch_row(row):
    for k in range(0, row.shape[0], 16):
        _prefetch(row, k)


@numba.njit(inline="always")
def _rand(state):
    """splitmix64: (new state, 64 random bits)."""
    state = state + np.uint64(0x9E3779B97F4A7C15)
    z = state
    z = (z ^ (z >> np.uint64(30))) * np.uint64(0xBF58476D1CE4E5B9)
    z = (z ^ (z >> np.uint64(27))) * np.uint64(0x94D049BB133111EB)
    return state, z ^ (z >> np.uint64(31))


@numba.njit(inline="always")
def _below(r, n):
    """Map 32 random bits r to [0, n) (Lemire's multiply-shift)."""
    return np.int64(((r & np.uint64(0xFFFFFFFF)) * np.uint64(n)) >> np.uint64(32))


@numba.njit(inline="always")
def _sig_logsig(f, sig_t, logsig_t):
    """(sigma(f), log sigma(f)) as float64."""
    if f <= -MAX_EXP or f >= MAX_EXP:
        if f > 0:
            e = np.exp(-f)
            return 1.0 / (1.0 + e), -np.log1p(e)
        e = np.exp(f)
        return e / (1.0 + e), f - np.log1p(e)
    t = (f + MAX_EXP) * _SCALE
    k = int(t)
    fr = t - k
    s = sig_t[k] + fr * (sig_t[k + 1] - sig_t[k])
    ls = logsig_t[k] + fr * (logsig_t[k + 1] - logsig_t[k])
    return s, ls


@numba.njit(inline="always")
def _dot(a, b, d):
    s = np.float32(0.0)
    for k in range(d):
        s += a[k] * b[k]
    return s


@numba.njit(inline="always")
def _axpy(alpha, x, y, d):
    for k in range(d):
        y[k] += alpha * x[k]


@numba.njit(inline="always")
def _subsample(ids, start, stop, keep, out, state):
    """Copy ids[start:stop] into out, keeping word w with probability keep[w] / 2**32; (n kept, state)."""
    n = 0
    for p in range(start, stop):
        w = ids[p]
        state, r = _rand(state)
        if np.int64(r & np.uint64(0xFFFFFFFF)) < keep[w]:
            out[n] = w
            n += 1
    return n, state


@numba.njit(inline="always")
def _window(pos, n, window, state):
    """Dynamic window around pos in a sentence of n words: (lo, hi, state), effective size window - b."""
    state, r = _rand(state)
    reduced = window - _below(r, window)
    return max(0, pos - reduced), min(n, pos + reduced + 1), state


@numba.njit(fastmath=FASTMATH)
def update_outputs(X, i0, i1, W, rows, targets, m, alpha, dX, g, tables):
    """Score inputs X[i0:i1] against output rows W[rows[:m]] with targets; update W, add to dX.

    Returns the summed loss -sum_ij log sigma(+-f_ij) in float64."""
    d = X.shape[1]
    loss = 0.0
    for j in range(m):
        u = W[rows[j]]
        t = targets[j]
        for i in range(i0, i1):
            f = _dot(X[i], u, d)
            s, ls = _sig_logsig(f, tables.sigmoid, tables.log_sigmoid)
            g[i] = np.float32(alpha * (t - s))
            loss -= ls if t > 0.5 else ls - f
        for i in range(i0, i1):
            _axpy(g[i], u, dX[i], d)
        for i in range(i0, i1):
            _axpy(g[i], X[i], u, d)
    return loss


@numba.njit(inline="always")
def _draw_negatives(word, n_words, negative, rows, targets, tables, state):
    """rows[:m] = word, then K noise words (alias table; one equal to word is dropped), targets
    1, 0, ..., 0; returns (m, state)."""
    rows[0] = word
    targets[0] = 1.0
    m = 1
    for _ in range(negative):
        state, r = _rand(state)
        b = _below(r, n_words)
        if (r >> np.uint64(32)) >= tables.alias_threshold[b]:
            b = tables.alias_index[b]
        if b == word:
            continue
        rows[m] = b
        targets[m] = 0.0
        m += 1
    return m, state


@numba.njit(fastmath=FASTMATH)
def negative_sampling(X, n_in, word, W, negative, shared, alpha, dX, g, rows, targets, tables, state):
    """Negative-sampling step for inputs X[:n_in] predicting ``word``; returns (loss, state)."""
    loss = 0.0
    groups = 1 if shared else n_in
    for grp in range(groups):
        i0 = 0 if shared else grp
        i1 = n_in if shared else grp + 1
        m, state = _draw_negatives(word, W.shape[0], negative, rows, targets, tables, state)
        loss += update_outputs(X, i0, i1, W, rows, targets, m, alpha, dX, g, tables)
    return loss, state


@numba.njit(fastmath=FASTMATH)
def hierarchical_softmax(X, n_in, word, W, alpha, dX, g, targets, tables):
    """Hierarchical-softmax step for inputs X[:n_in] predicting ``word``; returns the loss."""
    n = tables.code_lengths[word]
    for j in range(n):
        targets[j] = 1.0 - tables.codes[word, j]
    return update_outputs(X, 0, n_in, W, tables.points[word], targets, n, alpha, dX, g, tables)


@numba.njit(nogil=True, fastmath=FASTMATH, cache=True)
def train_chunk(ids, offsets, weights, tables, cfg, alpha0, alpha1, rng, stats):
    """Train on the sentences of one chunk (ids int32, offsets int64) with negative sampling
    and/or hierarchical softmax; alpha decays linearly from alpha0 to alpha1 over the chunk.

    Mutates weights, rng (uint64[1]) and adds loss, examples and trained words to stats."""
    w_in = weights.w_in
    d = w_in.shape[1]
    sg = cfg[SG] != 0
    window = cfg[WINDOW]
    negative = cfg[NEGATIVE]
    hs = cfg[HS] != 0
    cbow_mean = cfg[CBOW_MEAN] != 0
    shared = cfg[SHARED_NEGATIVES] != 0
    look = cfg[LOOKAHEAD]
    width = 2 * window
    X = np.empty((width, d), dtype=np.float32)
    dX = np.empty((width, d), dtype=np.float32)
    g = np.empty(width, dtype=np.float32)
    ctx = np.empty(width, dtype=np.int32)
    n_rows = max(negative + 1, tables.codes.shape[1])
    rows = np.empty(n_rows, dtype=np.int32)
    targets = np.empty(n_rows, dtype=np.float32)
    max_len = 0
    for s in range(offsets.shape[0] - 1):
        max_len = max(max_len, offsets[s + 1] - offsets[s])
    sent = np.empty(max_len, dtype=np.int32)
    # One draw of noise words per window (CBOW, or shared skip-gram negatives). The windows and
    # these draws depend on no weights, so each sentence's are drawn first, in the same stream
    # order as one loop would, and the rows of window pos + cfg[LOOKAHEAD] are prefetched at pos.
    early = negative > 0 and (shared or not sg)
    ahead = early or negative == 0  # per-pair draws interleave with the windows: drawn in the loop
    win_lo = np.empty(max_len, dtype=np.int64)
    win_hi = np.empty(max_len, dtype=np.int64)
    noise = np.empty((max_len if early else 0, negative + 1), dtype=np.int32)
    noise_targets = np.empty(negative + 1, dtype=np.float32)
    n_noise = np.zeros(max_len, dtype=np.int64)
    state = rng[0]
    total = max(1, ids.shape[0])
    w_ns = weights.w_ns
    loss = 0.0
    examples = 0.0
    trained = 0
    for s in range(offsets.shape[0] - 1):
        alpha = alpha0 + (alpha1 - alpha0) * (offsets[s] / total)
        n, state = _subsample(ids, offsets[s], offsets[s + 1], tables.keep, sent, state)
        trained += n
        if ahead:
            for pos in range(n):
                lo, hi, state = _window(pos, n, window, state)
                win_lo[pos] = lo
                win_hi[pos] = hi
                if early and hi - lo > 1:
                    n_noise[pos], state = _draw_negatives(
                        sent[pos], w_ns.shape[0], negative, noise[pos], noise_targets, tables, state
                    )
        for pos in range(n):
            word = sent[pos]
            if ahead:
                lo, hi = win_lo[pos], win_hi[pos]
                nxt = pos + look
                if look > 0 and nxt < n:
                    _prefetch_row(w_in[sent[win_hi[nxt] - 1]])
                    if early:
                        for j in range(n_noise[nxt]):
                            _prefetch_row(w_ns[noise[nxt, j]])
            else:
                lo, hi, state = _window(pos, n, window, state)
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
                    src = w_in[ctx[i]]
                    for k in range(d):
                        X[i, k] = src[k]
                        dX[i, k] = 0.0
            else:
                n_in = 1
                for k in range(d):
                    X[0, k] = 0.0
                    dX[0, k] = 0.0
                for i in range(b):
                    _axpy(np.float32(1.0), w_in[ctx[i]], X[0], d)
                if cbow_mean:
                    inv = np.float32(1.0 / b)
                    for k in range(d):
                        X[0, k] *= inv
            if early:
                loss += update_outputs(X, 0, n_in, w_ns, noise[pos], noise_targets, n_noise[pos], alpha, dX, g, tables)
            elif negative > 0:
                lo_, state = negative_sampling(X, n_in, word, w_ns, negative, False, alpha, dX, g, rows, targets, tables, state)
                loss += lo_
            if hs:
                loss += hierarchical_softmax(X, n_in, word, weights.w_hs, alpha, dX, g, targets, tables)
            examples += n_in
            if sg:
                for i in range(b):
                    _axpy(np.float32(1.0), dX[i], w_in[ctx[i]], d)
            else:
                for i in range(b):
                    _axpy(np.float32(1.0), dX[0], w_in[ctx[i]], d)
    rng[0] = state
    stats[LOSS] += loss
    stats[EXAMPLES] += examples
    stats[TRAINED_WORDS] += trained


@numba.njit(nogil=True, cache=True)
def softmax_examples(ids, offsets, tables, cfg, rng):
    """Windows of one chunk for the exact softmax, after subsampling and dynamic windows.

    Returns (centers int32 (n,), ctx_offsets int64 (n+1,), contexts int32): example e is the
    word centers[e] with its context words contexts[ctx_offsets[e]:ctx_offsets[e+1]]."""
    window = cfg[WINDOW]
    state = rng[0]
    n_ids = ids.shape[0]
    centers = np.empty(n_ids, dtype=np.int32)
    ctx_off = np.empty(n_ids + 1, dtype=np.int64)
    contexts = np.empty(n_ids * 2 * window, dtype=np.int32)
    sent = np.empty(n_ids, dtype=np.int32)
    ctx_off[0] = 0
    e = 0
    nc = 0
    for s in range(offsets.shape[0] - 1):
        n, state = _subsample(ids, offsets[s], offsets[s + 1], tables.keep, sent, state)
        for pos in range(n):
            lo, hi, state = _window(pos, n, window, state)
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
        h = H[i]
        for k in range(d):
            h[k] = 0.0
        for j in range(in_off[i], in_off[i + 1]):
            _axpy(np.float32(1.0), w_in[inputs[j]], h, d)
        if mean and in_off[i + 1] - in_off[i] > 1:
            inv = np.float32(1.0 / (in_off[i + 1] - in_off[i]))
            for k in range(d):
                h[k] *= inv


_LOG2E = np.float32(1.4426950408889634)
_EXP2_POLY = tuple(np.float32(np.log(2.0) ** k / math.factorial(k)) for k in range(7))


@numba.njit(inline="always", fastmath=FASTMATH)
def _exp_nonpositive(x):
    """exp(x) for float32 x <= 0 with relative error < 3e-7 + 1e-7 |x| (x clamped at -87):
    2^n p(f) with x log2(e) = n + f, |f| <= 1/2, p the degree-6 Taylor polynomial of 2^f.
    Written so that LLVM vectorizes it: numba has no vector exp without Intel's SVML, and the
    scalar libm call made the exact softmax's exp pass several times slower."""
    t = max(x, np.float32(-87.0)) * _LOG2E
    n = np.floor(t + np.float32(0.5))
    f = t - n
    c = _EXP2_POLY
    p = c[6]
    p = p * f + c[5]
    p = p * f + c[4]
    p = p * f + c[3]
    p = p * f + c[2]
    p = p * f + c[1]
    p = p * f + c[0]
    return p * _bits_to_float32(np.int32((np.int64(n) + 127) << 23))


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
            x = _exp_nonpositive(row[k] - m)
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
def scatter_hidden(w_in, in_off, inputs, n_rows, dH):
    """W_in[w] -= dH[i] for every input w of row i < n_rows (word2vec.c's CBOW convention:
    each context row gets the whole dh, also for the mean)."""
    d = w_in.shape[1]
    for i in range(n_rows):
        for j in range(in_off[i], in_off[i + 1]):
            _axpy(np.float32(-1.0), dH[i], w_in[inputs[j]], d)
