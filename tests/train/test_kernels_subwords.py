"""The subword kernels against the float64 reference of the bag-averaged objective, step by step."""
from __future__ import annotations

import numpy as np
import pytest

from wordvec.cs224n.reference import bag_logistic_loss_and_gradient
from wordvec.text.subwords import vocabulary_bags
from wordvec.text.vocab import Vocabulary
from wordvec.train import kernels
from wordvec.train.subword_engine import with_gains

WORDS = ["walking", "talked", "jumps", "runner", "swims"]
D = 8
BUCKET = 40


def _setup(bucket=BUCKET, disjoint=False):
    """Bags of the words' n-grams in ``bucket`` rows, or with ``disjoint`` bags that share no
    row across words, word 0's repeating one (so that its gain is not 1)."""
    vocab = Vocabulary.from_counts({w: 10 - i for i, w in enumerate(WORDS)}, 1)
    bo, br = vocabulary_bags(vocab.words, 3, 5, bucket)
    if disjoint:
        sizes = np.diff(bo)
        br = np.concatenate([[w] + [len(WORDS) + 10 * w + k for k in range(sizes[w] % 7 + 2)] for w in range(len(WORDS))])
        br = np.insert(br, 2, br[1]).astype(np.int32)
        bo = np.concatenate([[0], np.cumsum([sizes[w] % 7 + 3 + (w == 0) for w in range(len(WORDS))])]).astype(np.int64)
        bucket = 10 * len(WORDS)
    codes, points, lengths = vocab.huffman()
    sig, logsig = kernels.sigmoid_tables()
    V = len(WORDS)
    tables = kernels.Tables(
        keep=np.full(V, 2**32, dtype=np.int64), alias_threshold=np.full(V, 2**32 - 1, dtype=np.uint32),
        alias_index=np.arange(V, dtype=np.int32), codes=codes, points=points, code_lengths=lengths,
        sigmoid=sig, log_sigmoid=logsig,
    )
    rng = np.random.default_rng(0)
    w_in = rng.normal(scale=0.3, size=(V + bucket, D)).astype(np.float32)
    w_hs = rng.normal(scale=0.3, size=(V - 1, D)).astype(np.float32)
    return kernels.Bags(bo, br), tables, w_in, w_hs


def _run(sentence, sg, per_pair, bags, tables, w_in, w_hs, alpha, window=1):
    w_in, w_hs = w_in.copy(), w_hs.copy()
    weights = kernels.Weights(w_in, np.zeros((0, D), np.float32), w_hs)
    cfg = kernels.KernelConfig(sg=sg, window=window, negative=0, hs=1, cbow_mean=1, shared_negatives=0, lookahead=1,
                               shrink_windows=0)
    stats = np.zeros(kernels.N_STATS)
    ids = np.asarray(sentence, dtype=np.int32)
    offsets = np.array([0, len(ids)], dtype=np.int64)
    if sg:
        kernels.train_chunk_center_bags(ids, offsets, weights, tables, cfg, alpha, alpha, kernels.rng_state(1, 0),
                                        stats, bags, per_pair)
    elif per_pair:
        kernels.train_chunk(ids, offsets, weights, tables, cfg, alpha, alpha, kernels.rng_state(1, 0), stats, bags)
    else:
        kernels.train_chunk_context_bags(ids, offsets, weights, tables, cfg, alpha, alpha, kernels.rng_state(1, 0),
                                         stats, bags)
    return w_in, w_hs, stats


def _reference(sentence, sg, bags, tables, w_in, w_hs, alpha, window=1):
    """fastText's updates in float64, windows of the full radius ``window``."""
    V, U = w_in.astype(np.float64), w_hs.astype(np.float64)
    loss = 0.0

    def bag(w):
        return bags.rows[bags.offsets[w]:bags.offsets[w + 1]]

    def path(w):
        n = tables.code_lengths[w]
        return tables.points[w, :n], 1 - tables.codes[w, :n]

    for pos, word in enumerate(sentence):
        ctx = [sentence[c] for c in range(pos - window, pos + window + 1) if c != pos and 0 <= c < len(sentence)]
        if sg:  # the center's bag predicts each context word, its rows updated after each
            for c in ctx:
                l, _, g_U, g_h = bag_logistic_loss_and_gradient(V, bag(word), U, *path(c))
                loss += l
                U -= alpha * g_U
                np.add.at(V, bag(word), -alpha * g_h)
        else:  # the mean over the context words' bags predicts the center
            rows_in = np.concatenate([bag(c) for c in ctx])
            l, _, g_U, g_h = bag_logistic_loss_and_gradient(V, rows_in, U, *path(word))
            loss += l
            U -= alpha * g_U
            np.add.at(V, rows_in, -alpha * g_h)
    return V, U, loss


@pytest.mark.parametrize("sg,per_pair", [(1, 0), (1, 1), (0, 1), (0, 0)],
                         ids=["sg-per-window", "sg-per-pair", "cbow-per-pair", "cbow-per-position"])
def test_kernel_steps_equal_the_float64_reference(sg, per_pair):
    # no two words share a row (one word repeats an n-gram: its gain is not 1), so that CBOW per
    # position, whose live positions see each other's updates late, is exact too
    bags, tables, w_in, w_hs = _setup(disjoint=True)
    bags = with_gains(bags, tables.lockf)
    owner = np.repeat(np.arange(len(WORDS)), np.diff(bags.offsets))
    assert len(np.unique(np.stack([owner, bags.rows]), axis=1)[0]) == len(np.unique(bags.rows))
    assert (bags.gain != 1).sum() == 1
    sentence = [0, 3, 1, 4, 0]  # "walking" twice: its bag is updated by two windows
    got_in, got_hs, stats = _run(sentence, sg, per_pair, bags, tables, w_in, w_hs, 0.1)
    ref_in, ref_hs, ref_loss = _reference(sentence, sg, bags, tables, w_in, w_hs, 0.1)
    assert np.abs(ref_in - w_in).max() > 1e-3  # the steps did something
    np.testing.assert_allclose(got_in, ref_in, atol=2e-5)
    np.testing.assert_allclose(got_hs, ref_hs, atol=2e-5)
    assert stats[kernels.LOSS] == pytest.approx(ref_loss, rel=1e-4)
    assert stats[kernels.EXAMPLES] == (8 if sg else 5)


def test_the_gain_is_how_far_the_bag_mean_moves():
    rng = np.random.default_rng(3)
    rows = np.array([4, 7, 4, 1, 9, 4, 7, 2], dtype=np.int32)  # duplicates, as colliding n-grams give
    offsets = np.array([0, 3, 5, 8], dtype=np.int64)
    lockf = rng.uniform(0, 2, size=10).astype(np.float32)
    lockf[9] = 0.0
    for lf in (np.zeros(0, np.float32), lockf):
        gain = with_gains(kernels.Bags(offsets, rows), lf).gain
        for w in range(3):
            W = rng.normal(size=(10, 4))
            bag = rows[offsets[w]:offsets[w + 1]]
            dx = rng.normal(size=4)
            before = W[bag].mean(axis=0)
            np.add.at(W, bag, (lf[bag, None] if lf.size else 1.0) * dx)
            np.testing.assert_allclose(W[bag].mean(axis=0) - before, gain[w] * dx, rtol=1e-6)
    assert gain.dtype == np.float32 and gain[1] != 1.0


def test_per_window_without_the_gain_departs_from_fastText_order():
    bags, tables, w_in, w_hs = _setup()
    assert len(np.unique(bags.rows[bags.offsets[0]:bags.offsets[1]])) < bags.offsets[1] - bags.offsets[0]
    ref = _reference([0, 3, 1], 1, bags, tables, w_in, w_hs, 0.1)[0]
    right = _run([0, 3, 1], 1, 0, with_gains(bags, tables.lockf), tables, w_in, w_hs, 0.1)[0]
    wrong = _run([0, 3, 1], 1, 0, bags, tables, w_in, w_hs, 0.1)[0]  # gain taken as 1
    np.testing.assert_allclose(right, ref, atol=2e-5)
    assert np.abs(wrong - ref).max() > 1e-4


def test_cbow_per_position_sees_a_shared_row_late_and_only_that():
    """With window 2, "walking" at positions 0 and 2 is context of center 1 twice and of
    centers 3 and 4 once more each: fastText's order moves its rows between the centers, the
    per-position kernel only when each position leaves. The departure is of second order in the
    learning rate; without repeats (previous test) there is none."""
    bags, tables, w_in, w_hs = _setup(disjoint=True)
    bags = with_gains(bags, tables.lockf)
    sentence = [0, 3, 0, 1, 4]
    for alpha in (0.02, 0.04):
        ref_in = _reference(sentence, 0, bags, tables, w_in, w_hs, alpha, window=2)[0]
        got_in = _run(sentence, 0, 0, bags, tables, w_in, w_hs, alpha, window=2)[0]
        exact = _run(sentence, 0, 1, bags, tables, w_in, w_hs, alpha, window=2)[0]
        np.testing.assert_allclose(exact, ref_in, atol=2e-5)
        step = np.abs(ref_in - w_in).max()
        gap = np.abs(got_in - ref_in).max()
        assert 1e-6 < gap < 0.05 * step
        if alpha == 0.02:
            gap_small = gap
    assert gap > 3 * gap_small  # second order: doubling alpha about quadruples it


def test_cbow_per_position_equals_fastText_order_with_negative_sampling():
    """Negative sampling and dynamic windows: the per-position kernel draws the same windows and
    noise words as the word2vec kernel over bags (fastText's order) and, with no row shared by
    two words, makes the same updates."""
    bags, tables, w_in, _ = _setup(disjoint=True)
    bags = with_gains(bags, tables.lockf)
    V = len(WORDS)
    tables = tables._replace(alias_threshold=np.full(V, 2**32 - 1, dtype=np.uint32))  # uniform noise
    rng = np.random.default_rng(5)
    w_ns = rng.normal(scale=0.3, size=(V, D)).astype(np.float32)
    cfg = kernels.KernelConfig(sg=0, window=2, negative=3, hs=0, cbow_mean=1, shared_negatives=0, lookahead=2)
    ids = np.array([0, 3, 1, 4, 2, 0, 3], dtype=np.int32)  # no word twice among 2 * window + 1 live positions
    offsets = np.array([0, 7], dtype=np.int64)
    out = []
    for kernel in (kernels.train_chunk, kernels.train_chunk_context_bags):
        weights = kernels.Weights(w_in.copy(), w_ns.copy(), np.zeros((0, D), np.float32))
        stats = np.zeros(kernels.N_STATS)
        rng_state = kernels.rng_state(3, 0)
        kernel(ids, offsets, weights, tables, cfg, 0.1, 0.05, rng_state, stats, bags)
        out.append((weights, stats, rng_state))
    (a, sa, ra), (b, sb, rb) = out
    assert np.abs(a.w_in - w_in).max() > 1e-3
    np.testing.assert_allclose(b.w_in, a.w_in, atol=2e-6)
    np.testing.assert_allclose(b.w_ns, a.w_ns, atol=2e-6)
    np.testing.assert_allclose(sb, sa, rtol=1e-6)
    assert ra[0] == rb[0]  # the same draws
