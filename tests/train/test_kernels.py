"""The compiled kernels against wordvec.cs224n.reference, step for step.

A plain-Python float64 replay of ``train_chunk`` re-draws the kernel's random stream (splitmix64:
subsampling, dynamic window, alias-table negatives) and applies the updates with
``reference.neg_sampling_loss_and_gradient`` (negative sampling) and a per-row sigmoid loss
(the Huffman path of hierarchical softmax, and negatives drawn twice, which the kernel applies
row by row as word2vec.c does; checked against the reference and finite differences). The
kernel must land on the same weights (1e-5), loss, counters and RNG state. The exact-softmax
helpers are checked against ``reference.skipgram`` / ``reference.cbow`` with the naive softmax.
"""
from __future__ import annotations

from collections.abc import Iterator

import numpy as np
import pytest
from scipy import stats

from wordvec.train import kernels
from wordvec.train.kernels import primitives
from wordvec.cs224n import reference
from wordvec.text.corpus import sentence_chunks
from wordvec.models.word2vec import Word2Vec
from wordvec.text.vocab import Vocabulary

MASK64 = (1 << 64) - 1
ATOL = 1e-5

WORDS = list("abcdefghijkl")
COUNTS = [40, 30, 20, 15, 10, 8, 6, 5, 4, 3, 2, 1]


# ----------------------------------------------------------------------------- emulation helpers


class Stream:
    """The kernel's splitmix64 generator on Python ints."""

    def __init__(self, state: int) -> None:
        self.state = int(state)

    def next(self) -> int:
        self.state = (self.state + 0x9E3779B97F4A7C15) & MASK64
        z = self.state
        z = ((z ^ (z >> 30)) * 0xBF58476D1CE4E5B9) & MASK64
        z = ((z ^ (z >> 27)) * 0x94D049BB133111EB) & MASK64
        return z ^ (z >> 31)

    @staticmethod
    def below(r: int, n: int) -> int:
        return ((r & 0xFFFFFFFF) * n) >> 32

    def negative(self, tables: kernels.Tables) -> int:
        """One draw from the alias table, as the kernel does it."""
        r = self.next()
        b = self.below(r, len(tables.alias_threshold))
        if (r >> 32) >= int(tables.alias_threshold[b]):
            b = int(tables.alias_index[b])
        return b


def make_tables(vocab: Vocabulary, sample: float, ns_exponent: float = 0.75, hs: bool = True) -> kernels.Tables:
    if hs:
        codes, points, lengths = vocab.huffman()
    else:
        codes = np.zeros((len(vocab), 1), dtype=np.uint8)
        points = np.zeros((len(vocab), 1), dtype=np.int32)
        lengths = np.zeros(len(vocab), dtype=np.int32)
    threshold, alias = vocab.alias_table(ns_exponent)
    sig, logsig = kernels.sigmoid_tables()
    return kernels.Tables(vocab.keep_thresholds(sample), threshold, alias, codes, points, lengths, sig, logsig)


def windows(ids, offsets, tables, window, stream) -> Iterator[tuple[int, int, list[int]]]:
    """(sentence, center word, context words) in the kernel's order, consuming the stream lazily
    exactly as the kernel does (a keep draw per token, then a window draw per kept position)."""
    for s in range(len(offsets) - 1):
        sent = [int(w) for w in ids[offsets[s]:offsets[s + 1]] if (stream.next() & 0xFFFFFFFF) < tables.keep[w]]
        yield s, -1, sent  # announces the kept sentence (for the trained-words counter)
        for pos, word in enumerate(sent):
            reduced = window - stream.below(stream.next(), window)
            ctx = [sent[c] for c in range(max(0, pos - reduced), min(len(sent), pos + reduced + 1)) if c != pos]
            if ctx:
                yield s, word, ctx


def rows_loss_and_gradient(x, rows, targets, W):
    """Input x scored against output rows W[rows] with targets t_j in {0, 1}:
    J = sum_j -log sigma(s_j u_j . x), s_j = 2 t_j - 1 (hierarchical softmax: the Huffman path
    with t = 1 - code bit; negative sampling: rows [o, negatives], t = [1, 0, ...]).
    Returns (J, dJ/dx, dJ/dW) in float64; a repeated row gets the sum of its gradients."""
    rows = np.asarray(rows, dtype=np.intp)
    sign = 2.0 * np.asarray(targets, dtype=np.float64) - 1.0
    z = sign * (W[rows] @ x)
    coef = sign * (reference.sigmoid(z) - 1.0)
    grad_W = np.zeros_like(W)
    np.add.at(grad_W, rows, np.outer(coef, x))
    return float(np.sum(np.logaddexp(0.0, -z))), coef @ W[rows], grad_W


def hs_path(word: int, tables: kernels.Tables) -> tuple[np.ndarray, np.ndarray]:
    """(inner nodes, targets) of ``word``'s Huffman path."""
    n = tables.code_lengths[word]
    return tables.points[word, :n], 1.0 - tables.codes[word, :n]


class Replay:
    """float64 replay of kernels.train_chunk with the reference math (weights copied)."""

    def __init__(self, weights: kernels.Weights, tables: kernels.Tables, cfg: kernels.KernelConfig, state: int, bags=None) -> None:
        self.w_in, self.w_ns, self.w_hs = (w.astype(np.float64) for w in weights)
        self.tables = tables
        self.sg, self.window, self.negative, self.hs, self.mean, self.shared = (int(c) for c in cfg[:6])
        self.stream = Stream(state)
        self.bags = bags
        self.loss = self.examples = self.trained = 0.0
        self.pairs = 0  # (input, output row) pairs scored; the kernel's loss is exact to 1e-5 per pair
        self.repeated = self.distinct = 0  # negative-sampling groups with / without a repeated row

    def step(self, X, group, rows, targets, W, alpha, dX) -> None:
        """Inputs X[group] scored against W[rows]; dX gets -alpha dJ/dx, W moves by -alpha dJ/dW."""
        grad_sum = np.zeros_like(W)
        for i in group:
            if targets is None:  # negative sampling: the reference function itself
                pair_loss, g_x, g_W = reference.neg_sampling_loss_and_gradient(X[i], rows[0], W, rows[1:])
            else:
                pair_loss, g_x, g_W = rows_loss_and_gradient(X[i], rows, targets, W)
            self.loss += pair_loss
            self.pairs += len(rows)
            dX[i] -= alpha * g_x
            grad_sum += g_W
        W -= alpha * grad_sum

    def negative_sampling(self, X, word, alpha, dX) -> None:
        groups = [range(len(X))] if self.shared else [range(i, i + 1) for i in range(len(X))]
        for group in groups:
            draws = [self.stream.negative(self.tables) for _ in range(self.negative)]
            rows = [word] + [b for b in draws if b != word]
            if len(set(rows)) == len(rows):
                self.distinct += 1
                self.step(X, group, rows, None, self.w_ns, alpha, dX)
            else:  # the kernel updates row by row (word2vec.c's order): a repeat sees the first update
                self.repeated += 1
                for j, row in enumerate(rows):
                    self.step(X, group, [row], [float(j == 0)], self.w_ns, alpha, dX)

    def run(self, ids, offsets, alpha0: float, alpha1: float) -> "Replay":
        total = max(1, len(ids))
        for s, word, ctx in windows(ids, offsets, self.tables, self.window, self.stream):
            alpha = alpha0 + (alpha1 - alpha0) * (offsets[s] / total)
            if word < 0:
                self.trained += len(ctx)
                continue
            rows_of = [self.bag(c) for c in ctx]
            if self.sg:
                X = np.stack([self.w_in[r].mean(axis=0) for r in rows_of])
            else:
                union = np.concatenate(rows_of)
                h = self.w_in[union].mean(axis=0) if self.mean else self.w_in[union].sum(axis=0)
                X = h[None, :]
            dX = np.zeros_like(X)
            if self.negative:
                self.negative_sampling(X, word, alpha, dX)
            if self.hs:
                rows, targets = hs_path(word, self.tables)
                self.step(X, range(len(X)), rows, targets, self.w_hs, alpha, dX)
            self.examples += len(X)
            for i, rows in enumerate(rows_of):
                for r in rows:  # every row of the bag gets the input's gradient; CBOW: every context row gets dh
                    self.w_in[r] += dX[i if self.sg else 0]
        return self

    def bag(self, word: int) -> np.ndarray:
        if self.bags is None:
            return np.array([word])
        return self.bags.rows[self.bags.offsets[word] : self.bags.offsets[word + 1]]


def make_cfg(sg=1, window=2, negative=3, hs=0, cbow_mean=1, shared=1, lookahead=2) -> kernels.KernelConfig:
    return kernels.KernelConfig(sg, window, negative, hs, cbow_mean, shared, lookahead)


@pytest.fixture(scope="module")
def vocab() -> Vocabulary:
    return Vocabulary.from_counts(dict(zip(WORDS, COUNTS)), min_count=1)


def random_chunk(vocab: Vocabulary, seed: int, lengths=(7, 1, 9, 5)):
    rng = np.random.default_rng(seed)
    p = vocab.counts / vocab.counts.sum()
    ids = rng.choice(len(vocab), size=sum(lengths), p=p).astype(np.int32)
    offsets = np.concatenate([[0], np.cumsum(lengths)]).astype(np.int64)
    return ids, offsets


def random_weights(V: int, d: int, seed: int, scale: float = 0.3) -> kernels.Weights:
    rng = np.random.default_rng(seed)
    return kernels.Weights(
        *(np.ascontiguousarray(rng.normal(scale=scale, size=shape), dtype=np.float32) for shape in ((V, d), (V, d), (V - 1, d)))
    )


# ----------------------------------------------------------------------------- sigmoid tables


def test_sigmoid_tables_interpolation_error_below_1e5():
    sig_t, logsig_t = kernels.sigmoid_tables()
    xs = np.concatenate([np.linspace(-12.0, 12.0, 4001), [-8.0, 8.0, -7.99999, 7.99999, 0.0, -50.0, 50.0]])
    got = np.array([primitives.sig_logsig(float(x), sig_t, logsig_t) for x in xs])
    exact_sig = reference.sigmoid(xs)
    exact_logsig = -np.logaddexp(0.0, -xs)
    assert np.max(np.abs(got[:, 0] - exact_sig)) < 1e-5
    assert np.max(np.abs(got[:, 1] - exact_logsig)) < 1e-5
    outside = np.abs(xs) >= kernels.MAX_EXP
    np.testing.assert_allclose(got[outside, 1], exact_logsig[outside], rtol=1e-12)  # exact beyond the table


def test_vector_exp_relative_error_and_clamp():
    x = np.concatenate([np.linspace(-100.0, 0.0, 200_001), -np.logspace(-8, 0, 1001), [0.0, -87.0, -87.5, -1e30]])
    x = x.astype(np.float32)
    got = np.array([primitives.exp_nonpositive(np.float32(v)) for v in x[::50]] + [primitives.exp_nonpositive(v) for v in x[-4:]])
    xs = np.concatenate([x[::50], x[-4:]]).astype(np.float64)
    inside = xs >= -87.0
    rel = np.abs(got[inside] - np.exp(xs[inside])) / np.exp(xs[inside])
    assert np.all(rel < 3e-7 + 1e-7 * np.abs(xs[inside]))
    assert got[np.flatnonzero(xs == 0.0)[0]] == 1.0
    assert np.all((got[~inside] > 0) & (got[~inside] <= np.exp(-86.9)))  # clamped: tiny, never 0 or nan


# ----------------------------------------------------------------------------- update_outputs (shared core)


@pytest.mark.parametrize("scale", [0.3, 3.0])  # 3.0: many |u.x| > 8, the exact (non-table) branch
def test_update_outputs_equals_reference_negative_sampling_step(vocab, scale):
    rng = np.random.default_rng(7)
    d, n_in, alpha = 6, 3, 0.05
    V = len(vocab)
    X = rng.normal(scale=scale, size=(n_in, d)).astype(np.float32)
    W = rng.normal(scale=scale, size=(V, d)).astype(np.float32)
    word, negs = 2, [5, 0, 9]
    rows = np.array([word, *negs, -1], dtype=np.int32)
    targets = np.array([1, 0, 0, 0, 0], dtype=np.float32)
    dX = np.zeros_like(X)
    g = np.zeros(n_in, dtype=np.float32)
    W0 = W.astype(np.float64)
    loss = kernels.update_outputs(X, 0, n_in, W, rows, targets, 4, alpha, dX, g, make_tables(vocab, 0.0))

    ref_loss, grad_W = 0.0, np.zeros_like(W0)
    for i in range(n_in):
        pair_loss, g_x, g_W = reference.neg_sampling_loss_and_gradient(X[i].astype(np.float64), word, W0, negs)
        ref_loss += pair_loss
        grad_W += g_W
        np.testing.assert_allclose(dX[i], -alpha * g_x, atol=ATOL * scale)
    np.testing.assert_allclose(W, W0 - alpha * grad_W, atol=ATOL * scale, rtol=1e-6)
    np.testing.assert_allclose(loss, ref_loss, rtol=1e-6, atol=ATOL * n_in * 4)
    untouched = np.setdiff1d(np.arange(V), [word, *negs])
    assert np.array_equal(W[untouched], W0[untouched].astype(np.float32))


def test_update_outputs_rows_subset_only():
    """i0..i1 restricts the inputs: rows outside it get no gradient and do not move u."""
    V = 3
    vocab = Vocabulary(["x", "y", "z"], np.array([3, 2, 1]))
    tables = make_tables(vocab, 0.0)
    X = np.ones((3, 6), dtype=np.float32)
    W = np.full((V, 6), 0.1, dtype=np.float32)
    dX = np.zeros_like(X)
    g = np.zeros(3, dtype=np.float32)
    rows = np.array([1, 0, 0, 0, 0], dtype=np.int32)
    targets = np.array([1, 0, 0, 0, 0], dtype=np.float32)
    loss = kernels.update_outputs(X, 1, 2, W, rows, targets, 1, 0.5, dX, g, tables)
    f = 0.6
    assert loss == pytest.approx(np.logaddexp(0.0, -f), abs=ATOL)
    assert np.all(dX[[0, 2]] == 0) and np.all(dX[1] != 0)
    np.testing.assert_allclose(W[1], 0.1 + 0.5 * (1 - reference.sigmoid(f)), atol=ATOL)
    assert np.all(W[[0, 2]] == np.float32(0.1))


# ----------------------------------------------------------------------------- hierarchical softmax path loss


def test_rows_loss_is_the_reference_and_passes_gradcheck(vocab):
    """The per-row loss the replay uses for hierarchical softmax (and for repeated negatives) is
    the reference negative-sampling loss for targets [1, 0, ...], its gradients pass finite
    differences, and over the Huffman paths it is a proper distribution."""
    tables = make_tables(vocab, 0.0)
    rng = np.random.default_rng(3)
    W = rng.normal(size=(len(vocab), 4))
    x = rng.normal(size=4)
    rows = [2, 7, 0, 7]
    ours = rows_loss_and_gradient(x, rows, [1, 0, 0, 0], W)
    theirs = reference.neg_sampling_loss_and_gradient(x, rows[0], W, rows[1:])
    assert ours[0] == pytest.approx(theirs[0], rel=1e-12)
    np.testing.assert_allclose(ours[1], theirs[1], rtol=1e-12)
    np.testing.assert_allclose(ours[2], theirs[2], rtol=1e-12)
    Wh = W[:-1]
    for word in (0, 5, len(vocab) - 1):
        path, targets = hs_path(word, tables)
        reference.gradcheck(lambda v: rows_loss_and_gradient(v, path, targets, Wh)[:2], x)
        reference.gradcheck(lambda M: rows_loss_and_gradient(x, path, targets, M)[::2], Wh)
    total = sum(np.exp(-rows_loss_and_gradient(x, *hs_path(w, tables), Wh)[0]) for w in range(len(vocab)))
    assert total == pytest.approx(1.0, abs=1e-12)


# ----------------------------------------------------------------------------- train_chunk, whole chunks

CONFIGS = {
    "sg-ns-shared": dict(sg=1, negative=3, shared=1),
    "sg-ns-per-pair": dict(sg=1, negative=3, shared=0),
    "sg-hs": dict(sg=1, negative=0, hs=1),
    "sg-hs+ns": dict(sg=1, negative=2, hs=1, shared=0),
    "sg-hs+ns-shared": dict(sg=1, negative=2, hs=1, shared=1),
    "cbow-mean-ns": dict(sg=0, negative=3, cbow_mean=1),
    "cbow-sum-ns": dict(sg=0, negative=3, cbow_mean=0),
    "cbow-mean-hs": dict(sg=0, negative=0, hs=1),
    "cbow-hs+ns": dict(sg=0, negative=4, hs=1),
}


@pytest.mark.parametrize("name", list(CONFIGS))
@pytest.mark.parametrize("sample", [0.0, 0.05])
def test_train_chunk_equals_reference_replay(vocab, name, sample):
    cfg = make_cfg(**CONFIGS[name])
    tables = make_tables(vocab, sample, hs=bool(cfg.hs))
    ids, offsets = random_chunk(vocab, seed=11)
    weights = random_weights(len(vocab), 8, seed=5)
    before = tuple(w.copy() for w in weights)
    rng = kernels.rng_state(42, 0)
    state0 = int(rng[0])
    stats_ = np.zeros(kernels.N_STATS)
    kernels.train_chunk(ids, offsets, weights, tables, cfg, 0.05, 0.01, rng, stats_)

    replay = Replay(before, tables, cfg, state0).run(ids, offsets, 0.05, 0.01)
    assert int(rng[0]) == replay.stream.state  # same random draws, in the same order
    assert stats_[kernels.TRAINED_WORDS] == replay.trained
    assert stats_[kernels.EXAMPLES] == replay.examples > 0
    assert stats_[kernels.LOSS] == pytest.approx(replay.loss, abs=ATOL * replay.pairs)
    np.testing.assert_allclose(weights.w_in, replay.w_in, atol=ATOL)
    np.testing.assert_allclose(weights.w_ns, replay.w_ns, atol=ATOL)
    np.testing.assert_allclose(weights.w_hs, replay.w_hs, atol=ATOL)
    assert not np.array_equal(weights.w_in, before[0])  # something was learned
    if cfg.negative:
        assert replay.distinct > 0  # the reference step itself was compared
    if sample:
        assert replay.trained < len(ids)  # subsampling dropped some words


def random_bags(V: int, n_rows: int, seed: int) -> kernels.Bags:
    """Each word's own row plus 0-4 random rows of ``n_rows - V`` extra rows (as subword models
    lay out a word's row and its n-gram buckets)."""
    rng = np.random.default_rng(seed)
    sizes = rng.integers(0, 5, V)
    rows = [np.concatenate([[w], V + rng.integers(0, n_rows - V, k)]) for w, k in enumerate(sizes)]
    offsets = np.concatenate([[0], np.cumsum([len(r) for r in rows])]).astype(np.int64)
    return kernels.Bags(offsets, np.concatenate(rows).astype(np.int32))


@pytest.mark.parametrize("name", list(CONFIGS))
def test_train_chunk_over_bags_equals_reference_replay(vocab, name):
    """Inputs as bags of rows: a word's input is the mean of its bag, its gradient goes to every row."""
    cfg = make_cfg(**CONFIGS[name])
    tables = make_tables(vocab, 0.0, hs=bool(cfg.hs))
    ids, offsets = random_chunk(vocab, seed=12)
    V, d = len(vocab), 8
    bags = random_bags(V, V + 6, seed=2)
    rng_ = np.random.default_rng(9)
    weights = kernels.Weights(
        np.ascontiguousarray(rng_.normal(scale=0.3, size=(V + 6, d)), dtype=np.float32),
        *random_weights(V, d, seed=5)[1:],
    )
    before = tuple(w.copy() for w in weights)
    rng = kernels.rng_state(42, 0)
    state0 = int(rng[0])
    stats_ = np.zeros(kernels.N_STATS)
    kernels.train_chunk(ids, offsets, weights, tables, cfg, 0.05, 0.01, rng, stats_, bags)
    replay = Replay(before, tables, cfg, state0, bags=bags).run(ids, offsets, 0.05, 0.01)
    assert int(rng[0]) == replay.stream.state
    assert stats_[kernels.LOSS] == pytest.approx(replay.loss, abs=ATOL * replay.pairs)
    np.testing.assert_allclose(weights.w_in, replay.w_in, atol=ATOL)
    np.testing.assert_allclose(weights.w_ns, replay.w_ns, atol=ATOL)
    np.testing.assert_allclose(weights.w_hs, replay.w_hs, atol=ATOL)
    assert not np.array_equal(weights.w_in[V:], before[0][V:])  # the extra rows were trained


@pytest.mark.parametrize("name", list(CONFIGS))
def test_bags_of_one_equal_plain_rows(vocab, name):
    """Bags holding only each word's own row give bit-identical results to the plain kernel."""
    tables = make_tables(vocab, 0.02, hs=bool(CONFIGS[name].get("hs")))
    ids, offsets = random_chunk(vocab, seed=3)
    identity = kernels.Bags(np.arange(len(vocab) + 1, dtype=np.int64), np.arange(len(vocab), dtype=np.int32))
    out = []
    for bags in (None, identity):
        weights = random_weights(len(vocab), 8, seed=5)
        rng = kernels.rng_state(7, 0)
        stats_ = np.zeros(kernels.N_STATS)
        kernels.train_chunk(ids, offsets, weights, tables, make_cfg(**CONFIGS[name]), 0.05, 0.01, rng, stats_, bags)
        out.append((weights, int(rng[0]), stats_))
    assert out[0][1] == out[1][1]
    np.testing.assert_allclose(out[0][2], out[1][2], rtol=1e-12)
    for a, b in zip(out[0][0], out[1][0]):
        np.testing.assert_allclose(a, b, rtol=1e-6, atol=1e-7)


@pytest.mark.parametrize("name", list(CONFIGS))
def test_compute_loss_off_skips_only_the_loss(vocab, name):
    """skip_loss=True (compute_loss=False) reports no loss and trains the same weights."""
    tables = make_tables(vocab, 0.02, hs=bool(CONFIGS[name].get("hs")))
    ids, offsets = random_chunk(vocab, seed=3)
    out = []
    for skip_loss in (None, True):
        weights = random_weights(len(vocab), 8, seed=5)
        stats_ = np.zeros(kernels.N_STATS)
        kernels.train_chunk(ids, offsets, weights, tables, make_cfg(**CONFIGS[name]), 0.05, 0.01,
                            kernels.rng_state(7, 0), stats_, None, skip_loss)
        out.append((weights, stats_))
    assert out[0][1][kernels.LOSS] > 0 and out[1][1][kernels.LOSS] == 0.0
    assert out[0][1][kernels.EXAMPLES] == out[1][1][kernels.EXAMPLES]
    for a, b in zip(out[0][0], out[1][0]):
        np.testing.assert_allclose(a, b, rtol=1e-6, atol=1e-7)


@pytest.mark.parametrize("name", list(CONFIGS))
def test_prefetching_changes_nothing(vocab, name):
    """The lookahead only prefetches rows: results are bit-identical with and without it."""
    tables = make_tables(vocab, 0.02, hs=bool(CONFIGS[name].get("hs")))
    ids, offsets = random_chunk(vocab, seed=3)
    out = []
    for lookahead in (0, 1, 3):
        weights = random_weights(len(vocab), 8, seed=5)
        rng = kernels.rng_state(7, 0)
        stats_ = np.zeros(kernels.N_STATS)
        kernels.train_chunk(ids, offsets, weights, tables, make_cfg(**CONFIGS[name], lookahead=lookahead), 0.05, 0.01, rng, stats_)
        out.append((weights, int(rng[0]), stats_))
    for weights, state, stats_ in out[1:]:
        assert state == out[0][1]
        assert np.array_equal(stats_, out[0][2])
        for a, b in zip(weights, out[0][0]):
            assert np.array_equal(a, b)


@pytest.mark.parametrize(
    "params",
    [dict(sg=1, negative=4, sample=0.02), dict(sg=0, hs=1, negative=2, sample=0.0, window=3)],
    ids=["sg-ns", "cbow-hs+ns"],
)
def test_word2vec_epoch_is_the_replayed_kernel(vocab, params):
    """One epoch of Word2Vec (workers=1) on a one-chunk corpus: the driver hands the kernel the
    vocabulary's tables, the configuration and the alpha schedule from alpha to min_alpha."""
    rng = np.random.default_rng(0)
    corpus = [list(rng.choice(WORDS, rng.integers(1, 9))) for _ in range(40)]
    m = Word2Vec(vector_size=6, min_count=1, workers=1, seed=4, alpha=0.05, min_alpha=0.01, **params)
    m.build_vocab(corpus)
    before = kernels.Weights(m.wv.vectors.copy(), m.syn1neg.copy(), m.syn1.copy())
    state0 = int(m.rng_states[0, 0])
    m.train(corpus, total_examples=m.corpus_count, epochs=1)
    ((ids, offsets, _, _),) = sentence_chunks(corpus, m.vocab.key_to_index, m.max_sentence_length)
    tables = make_tables(m.vocab, m.sample, hs=bool(m.hs))
    cfg = make_cfg(sg=m.sg, window=m.window, negative=m.negative, hs=m.hs, cbow_mean=m.cbow_mean, shared=1)
    replay = Replay(before, tables, cfg, state0).run(ids, offsets, 0.05, 0.01)
    np.testing.assert_allclose(m.wv.vectors, replay.w_in, atol=ATOL)
    np.testing.assert_allclose(m.syn1neg, replay.w_ns, atol=ATOL)
    np.testing.assert_allclose(m.syn1, replay.w_hs, atol=ATOL)
    assert m.loss_history == [pytest.approx(replay.loss / replay.examples, rel=1e-5)]
    assert m.training_summary["trained_words"] == replay.trained
    assert int(m.rng_states[0, 0]) == replay.stream.state


def test_train_chunk_skipgram_single_window_by_hand(vocab):
    """Sentence [a, b], window 1, no subsampling: two pairs, each input = the context row."""
    cfg = make_cfg(sg=1, window=1, negative=2, shared=1)
    tables = make_tables(vocab, 0.0, hs=False)
    weights = random_weights(len(vocab), 5, seed=9)
    before = tuple(w.astype(np.float64) for w in weights)
    rng = kernels.rng_state(5, 0)  # a seed whose four negatives are distinct and skip nothing
    stream = Stream(int(rng[0]))
    stats_ = np.zeros(kernels.N_STATS)
    kernels.train_chunk(
        np.array([0, 1], dtype=np.int32), np.array([0, 2], dtype=np.int64), weights, tables, cfg, 0.1, 0.1, rng, stats_
    )
    stream.next(), stream.next(), stream.next()  # two keep draws, one window draw (position 0)
    negs0 = [b for b in (stream.negative(tables), stream.negative(tables)) if b != 0]
    w_in, w_ns = before[0].copy(), before[1].copy()
    l0, gx0, gW0 = reference.neg_sampling_loss_and_gradient(w_in[1], 0, w_ns, negs0)  # context b predicts a
    w_in[1] -= 0.1 * gx0
    w_ns -= 0.1 * gW0
    stream.next()  # window draw (position 1)
    negs1 = [b for b in (stream.negative(tables), stream.negative(tables)) if b != 1]
    assert len(set(negs0)) == len(set(negs1)) == 2
    l1, gx1, gW1 = reference.neg_sampling_loss_and_gradient(w_in[0], 1, w_ns, negs1)  # context a predicts b
    w_in[0] -= 0.1 * gx1
    w_ns -= 0.1 * gW1
    np.testing.assert_allclose(weights.w_in, w_in, atol=ATOL)
    np.testing.assert_allclose(weights.w_ns, w_ns, atol=ATOL)
    assert stats_[kernels.LOSS] == pytest.approx(l0 + l1, abs=2 * 3 * ATOL)
    assert list(stats_[1:]) == [2.0, 2.0]
    assert int(rng[0]) == stream.state


def test_train_chunk_is_deterministic_and_rng_advances(vocab):
    cfg = make_cfg(sg=1, negative=3)
    tables = make_tables(vocab, 0.01, hs=False)
    ids, offsets = random_chunk(vocab, seed=1)
    results = []
    for _ in range(2):
        weights = random_weights(len(vocab), 8, seed=5)
        rng = kernels.rng_state(42, 0)
        kernels.train_chunk(ids, offsets, weights, tables, cfg, 0.05, 0.01, rng, np.zeros(kernels.N_STATS))
        results.append((weights, int(rng[0])))
    assert results[0][1] == results[1][1] != int(kernels.rng_state(42, 0)[0])
    for a, b in zip(results[0][0], results[1][0]):
        assert np.array_equal(a, b)


def test_rng_states_differ_per_stream_and_seed():
    states = {int(kernels.rng_state(seed, stream)[0]) for seed in (1, 2) for stream in range(4)}
    assert len(states) == 8


# ----------------------------------------------------------------------------- subsampling in the stream


def test_subsampling_keep_rate_in_train_chunk():
    """TRAINED_WORDS over a long chunk of one word is Binomial(n, keep probability)."""
    counts = np.array([10**6, 2 * 10**5, 5 * 10**4, 10**4, 10**3], dtype=np.int64)
    vocab = Vocabulary([f"w{i}" for i in range(len(counts))], counts)
    sample = 1e-3
    tables = make_tables(vocab, sample, hs=False)
    st = sample * counts.sum()
    p = np.minimum(1.0, (np.sqrt(counts / st) + 1) * st / counts)
    assert np.all(p[:3] < 0.5) and p[-1] == 1.0
    n = 200_000
    cfg = make_cfg(sg=1, window=1, negative=0, hs=0)
    weights = kernels.Weights(np.zeros((len(vocab), 2), np.float32), np.zeros((0, 2), np.float32), np.zeros((0, 2), np.float32))
    rng = kernels.rng_state(2024, 0)
    z = []
    for w in range(len(vocab)):
        stats_ = np.zeros(kernels.N_STATS)
        ids = np.full(n, w, dtype=np.int32)
        offsets = np.arange(0, n + 1, 1000, dtype=np.int64)
        kernels.train_chunk(ids, offsets, weights, tables, cfg, 0.025, 0.025, rng, stats_)
        kept = stats_[kernels.TRAINED_WORDS]
        if p[w] == 1.0:
            assert kept == n
        else:
            z.append((kept - n * p[w]) / np.sqrt(n * p[w] * (1 - p[w])))
    assert stats.chi2.sf(np.sum(np.square(z)), df=len(z)) > 1e-3


# ----------------------------------------------------------------------------- exact softmax


def emulate_softmax_examples(ids, offsets, tables, window, state):
    stream = Stream(state)
    examples = [(word, ctx) for _, word, ctx in windows(ids, offsets, tables, window, stream) if word >= 0]
    return examples, stream.state


@pytest.mark.parametrize("sg,cbow_mean", [(1, 1), (0, 1), (0, 0)])
def test_softmax_batch_step_equals_reference(vocab, sg, cbow_mean):
    V, d, alpha = len(vocab), 6, 0.05
    tables = make_tables(vocab, 0.05, hs=False)
    cfg = make_cfg(sg=sg, window=2, negative=0, cbow_mean=cbow_mean)
    ids, offsets = random_chunk(vocab, seed=4)
    rng = kernels.rng_state(8, 0)
    state0 = int(rng[0])
    centers, ctx_off, contexts = kernels.softmax_examples(ids, offsets, tables, cfg, rng)
    expected, state = emulate_softmax_examples(ids, offsets, tables, 2, state0)
    assert int(rng[0]) == state
    assert centers.tolist() == [w for w, _ in expected]
    assert [contexts[ctx_off[e]:ctx_off[e + 1]].tolist() for e in range(len(centers))] == [c for _, c in expected]

    w = random_weights(V, d, seed=2, scale=0.5)
    w_in, U = w.w_in.copy(), w.w_ns.copy()
    C0, U0 = w_in.astype(np.float64), U.astype(np.float64)
    n = len(centers)
    in_off, tg_off = np.empty(n + 1, np.int64), np.empty(n + 1, np.int64)
    inputs, targets = np.empty(len(contexts) + n, np.int32), np.empty(len(contexts) + n, np.int32)
    r = kernels.softmax_rows(sg, centers, ctx_off, contexts, 0, n, in_off, inputs, tg_off, targets)
    assert r == (len(set(centers.tolist())) if sg else n)  # skip-gram merges windows sharing a center
    H = np.empty((r, d), dtype=np.float32)
    kernels.gather_hidden(w_in, bool(cbow_mean), in_off, inputs, r, H)
    P = H @ U.T
    half = r // 2  # two calls on row ranges, as two threads share a batch
    row_max = P.max(axis=1)
    loss = kernels.softmax_gradient(P, row_max, tg_off, targets, 0, half, alpha)
    loss += kernels.softmax_gradient(P, row_max, tg_off, targets, half, r, alpha)
    dH, dU = P @ U, P.T @ H
    U -= dU
    kernels.scatter_hidden(w_in, in_off, inputs, r, dH, np.zeros(0, dtype=np.float32))

    word2ind = {i: i for i in range(V)}  # the reference takes "words"; ours are indices
    ref_loss, grad_C, grad_U = 0.0, np.zeros_like(C0), np.zeros_like(U0)
    for c, ctx in expected:
        if sg:  # center predicts each context word
            lo, gC, gU = reference.skipgram(c, 2, ctx, word2ind, C0, U0, reference.naive_softmax_loss_and_gradient)
        elif cbow_mean:  # reference.cbow gives each context row dJ/dh / n; the convention applies dJ/dh itself
            lo, gC, gU = reference.cbow(c, 2, ctx, word2ind, C0, U0, reference.naive_softmax_loss_and_gradient)
            gC = gC * len(ctx)
        else:
            lo, g_h, gU = reference.naive_softmax_loss_and_gradient(C0[ctx].sum(axis=0), c, U0)
            gC = np.zeros_like(C0)
            np.add.at(gC, ctx, g_h)
        ref_loss += lo
        grad_C += gC
        grad_U += gU
    assert loss == pytest.approx(ref_loss, rel=1e-5)
    np.testing.assert_allclose(w_in, C0 - alpha * grad_C, atol=ATOL)
    np.testing.assert_allclose(U, U0 - alpha * grad_U, atol=ATOL)


def batch_uses(sg, centers, ctx_off, contexts, e0, e1):
    """The most pairs any word is the input, and the target, of in examples e0..e1 (by hand)."""
    ins, outs = {}, {}
    for e in range(e0, e1):
        ctx = contexts[ctx_off[e]:ctx_off[e + 1]].tolist()
        c = int(centers[e])
        if sg:
            ins[c] = ins.get(c, 0) + len(ctx)
            for w in ctx:
                outs[w] = outs.get(w, 0) + 1
        else:
            outs[c] = outs.get(c, 0) + 1
            for w in ctx:
                ins[w] = ins.get(w, 0) + 1
    return max(ins.values(), default=0), max(outs.values(), default=0)


@pytest.mark.parametrize("sg", [0, 1])
@pytest.mark.parametrize("max_uses", [1, 3, 8, 1000])
def test_softmax_batch_end_stops_before_a_word_exceeds_max_uses(sg, max_uses):
    rng = np.random.default_rng(max_uses + 10 * sg)
    n, V = 60, 12
    ctx_off = np.concatenate([[0], np.cumsum(rng.integers(1, 6, n))]).astype(np.int64)
    contexts = rng.integers(0, V, ctx_off[-1]).astype(np.int32)
    centers = rng.integers(0, V, n).astype(np.int32)
    in_uses, out_uses = np.zeros(V, np.int32), np.zeros(V, np.int32)
    e0, ends = 0, []
    while e0 < n:
        e = kernels.batch_end(sg, centers, ctx_off, contexts, e0, n, max_uses, in_uses, out_uses)
        assert e0 < e <= n
        assert not in_uses.any() and not out_uses.any()  # the scratch counts are left zero
        if e - e0 > 1:
            assert max(batch_uses(sg, centers, ctx_off, contexts, e0, e)) <= max_uses
        if e < n:  # the next example would make a word exceed max_uses
            assert max(batch_uses(sg, centers, ctx_off, contexts, e0, e + 1)) > max_uses
        ends.append(e)
        e0 = e
    assert (ends == [n]) == (max_uses == 1000)
    assert kernels.batch_end(sg, centers, ctx_off, contexts, 5, 9, 1000, in_uses, out_uses) == 9  # the bound given
