"""Numerical checks of wordvec.cs224n.reference: every gradient against finite differences.

docs/derivations.md cites these tests by name for each result it derives.
"""
from __future__ import annotations

import re
import warnings
from pathlib import Path

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from scipy.stats import chisquare

from wordvec.errors import ModelFileError, ParameterError, TrainingError
from wordvec.cs224n.reference import (
    NegativeSampler,
    bind_negative_sampler,
    cbow,
    gradcheck,
    hierarchical_softmax_loss_and_gradient,
    naive_softmax_loss_and_gradient,
    neg_sampling_loss_and_gradient,
    relu,
    relu_grad,
    sgd,
    sigmoid,
    sigmoid_grad,
    skipgram,
    softmax,
)

SETTINGS = settings(max_examples=20, deadline=None)
seeds = st.integers(0, 2**32 - 1)
vocab_sizes = st.integers(2, 7)
dims = st.integers(1, 5)


def _pair(seed: int, V: int, d: int):
    rng = np.random.default_rng(seed)
    return rng.normal(size=d), int(rng.integers(V)), rng.normal(size=(V, d)), rng


def _wrt_center_and_outside(loss_fn, v_c, o, U, *extra):
    """gradcheck objectives for a pair loss as a function of v_c alone and of U alone."""

    def f_v(v):
        loss, grad_center_vec, _ = loss_fn(v, o, U, *extra)
        return loss, grad_center_vec

    def f_U(W):
        loss, _, grad_outside_vectors = loss_fn(v_c, o, W, *extra)
        return loss, grad_outside_vectors

    return f_v, f_U


# --- elementwise functions ---------------------------------------------------------------------


def _centered_difference(fn, x, eps=1e-6):
    return (fn(x + eps) - fn(x - eps)) / (2 * eps)


def test_sigmoid_grad_matches_finite_differences():
    x = np.linspace(-12, 12, 97)
    np.testing.assert_allclose(sigmoid_grad(x), _centered_difference(sigmoid, x), rtol=1e-7, atol=1e-10)
    np.testing.assert_allclose(sigmoid(x), 1 / (1 + np.exp(-x)), rtol=1e-14)


def test_relu_grad_matches_finite_differences_away_from_zero():
    x = np.concatenate([np.linspace(-5, -0.01, 20), np.linspace(0.01, 5, 20)])
    np.testing.assert_allclose(relu_grad(x), _centered_difference(relu, x), atol=1e-8)
    assert set(relu_grad(x)) == {0.0, 1.0}
    np.testing.assert_array_equal(relu(x), np.where(x > 0, x, 0))


def test_relu_grad_at_zero_is_zero():
    assert relu_grad(0.0) == 0.0
    np.testing.assert_array_equal(relu_grad(np.array([-0.0, 0.0, 1e-300, -1e-300])), [0.0, 0.0, 1.0, 0.0])


def test_softmax_and_sigmoid_stable_at_extremes():
    x = np.array([[1e4, -1e4, 0.0], [-1e4, -1e4, -1e4], [1e4, 1e4, -1e4]])
    with warnings.catch_warnings(), np.errstate(all="raise"):
        warnings.simplefilter("error")
        p = softmax(x)
        s = sigmoid(x)
        g = sigmoid_grad(x)
    np.testing.assert_allclose(p, [[1, 0, 0], [1 / 3, 1 / 3, 1 / 3], [0.5, 0.5, 0]])
    np.testing.assert_array_equal(s, [[1, 0, 0.5], [0, 0, 0], [1, 1, 0]])
    assert np.all(np.isfinite(g)) and g[0, 2] == 0.25
    np.testing.assert_allclose(softmax(x.T, axis=0), p.T)


def test_softmax_is_shift_invariant_and_normalised():
    rng = np.random.default_rng(3)
    x = rng.normal(size=(4, 6))
    p = softmax(x)
    np.testing.assert_allclose(p.sum(axis=-1), 1.0)
    np.testing.assert_allclose(p, np.exp(x) / np.exp(x).sum(axis=-1, keepdims=True))
    np.testing.assert_allclose(softmax(x + 100.0), p)


# --- naive softmax -----------------------------------------------------------------------------


@SETTINGS
@given(seed=seeds, V=vocab_sizes, d=dims)
def test_naive_softmax_loss_is_cross_entropy(seed, V, d):
    v_c, o, U, _ = _pair(seed, V, d)
    y = np.eye(V)[o]
    y_hat = np.exp(U @ v_c) / np.exp(U @ v_c).sum()
    loss, _, _ = naive_softmax_loss_and_gradient(v_c, o, U)
    assert loss == pytest.approx(-np.sum(y * np.log(y_hat)), rel=1e-12)


@SETTINGS
@given(seed=seeds, V=vocab_sizes, d=dims)
def test_naive_softmax_gradcheck(seed, V, d):
    v_c, o, U, _ = _pair(seed, V, d)
    f_v, f_U = _wrt_center_and_outside(naive_softmax_loss_and_gradient, v_c, o, U)
    assert gradcheck(f_v, v_c) < 1e-6
    assert gradcheck(f_U, U) < 1e-6


def test_naive_softmax_gradient_rows_match_closed_forms():
    v_c, o, U, _ = _pair(11, 6, 4)
    y_hat = softmax(U @ v_c)
    _, g_v, g_U = naive_softmax_loss_and_gradient(v_c, o, U)
    np.testing.assert_allclose(g_v, -U[o] + sum(y_hat[w] * U[w] for w in range(6)), rtol=1e-12)
    for w in range(6):
        expected = (y_hat[w] - 1.0) * v_c if w == o else y_hat[w] * v_c
        np.testing.assert_allclose(g_U[w], expected, rtol=1e-12)


def test_loss_inputs_are_validated():
    v_c, o, U, _ = _pair(0, 4, 3)
    with pytest.raises(ParameterError, match=r"outside_idx must be an integer in \[0, 3\], got 4"):
        naive_softmax_loss_and_gradient(v_c, 4, U)
    with pytest.raises(ParameterError, match=r"center_vec must have shape \(3,\)"):
        naive_softmax_loss_and_gradient(v_c[:2], o, U)
    with pytest.raises(ParameterError, match="neg_indices must be in"):
        neg_sampling_loss_and_gradient(v_c, o, U, [1, 9])


# --- negative sampling -------------------------------------------------------------------------


@SETTINGS
@given(seed=seeds, V=vocab_sizes, d=dims, K=st.integers(0, 6))
def test_neg_sampling_gradcheck(seed, V, d, K):
    v_c, o, U, rng = _pair(seed, V, d)
    neg = rng.integers(V, size=K)  # with replacement, may repeat and may hit o
    f_v, f_U = _wrt_center_and_outside(neg_sampling_loss_and_gradient, v_c, o, U, neg)
    assert gradcheck(f_v, v_c) < 1e-6
    assert gradcheck(f_U, U) < 1e-6


def test_neg_sampling_loss_formula():
    v_c, o, U, _ = _pair(5, 6, 4)
    neg = np.array([1, 4, 2])
    expected = -np.log(1 / (1 + np.exp(-U[o] @ v_c))) - sum(np.log(1 / (1 + np.exp(U[k] @ v_c))) for k in neg)
    loss, _, _ = neg_sampling_loss_and_gradient(v_c, o, U, neg)
    assert loss == pytest.approx(expected, rel=1e-12)


def test_duplicated_negative_counts_twice():
    v_c, o, U, _ = _pair(7, 5, 3)
    k = (o + 1) % 5
    loss1, g_v1, g_U1 = neg_sampling_loss_and_gradient(v_c, o, U, [k])
    loss2, g_v2, g_U2 = neg_sampling_loss_and_gradient(v_c, o, U, [k, k])
    loss0, g_v0, g_U0 = neg_sampling_loss_and_gradient(v_c, o, U, [])
    assert loss2 - loss0 == pytest.approx(2 * (loss1 - loss0), rel=1e-12)
    np.testing.assert_allclose(g_v2 - g_v0, 2 * (g_v1 - g_v0), rtol=1e-12)
    np.testing.assert_allclose(g_U2[k], 2 * sigmoid(U[k] @ v_c) * v_c, rtol=1e-12)
    np.testing.assert_allclose(g_U2[o], g_U0[o], rtol=1e-12)
    gradcheck(_wrt_center_and_outside(neg_sampling_loss_and_gradient, v_c, o, U, [k, k])[1], U)


COUNTS = np.array([1, 3, 10, 30, 100, 0, 7])


def _assert_frequencies(draws, probabilities):
    observed = np.bincount(draws, minlength=probabilities.size)
    assert np.all(observed[probabilities == 0] == 0)
    keep = probabilities > 0
    return chisquare(observed[keep], draws.size * probabilities[keep]).pvalue


def test_negative_sampler_frequencies_chisquare():
    sampler = NegativeSampler(COUNTS, power=0.75, seed=1)
    expected = np.where(COUNTS > 0, COUNTS**0.75, 0) / np.sum(COUNTS**0.75)
    np.testing.assert_allclose(sampler.probabilities, expected)
    draws = sampler.sample(20000)
    assert draws.dtype == np.int64 and draws.shape == (20000,)
    assert _assert_frequencies(draws, expected) > 1e-3
    assert _assert_frequencies(draws, COUNTS / COUNTS.sum()) < 1e-3  # the test can tell power 1 apart


def test_negative_sampler_exclude_is_honoured():
    sampler = NegativeSampler(COUNTS, seed=2)
    draws = sampler.sample(20000, exclude={3, 4})
    p = sampler.probabilities.copy()
    p[[3, 4]] = 0
    assert _assert_frequencies(draws, p / p.sum()) > 1e-3
    for exclude in (4, np.int64(4), [4], np.array([4, 0])):
        assert 4 not in sampler.sample(500, exclude=exclude)
    assert set(sampler.sample(50, exclude=[0, 1, 2, 3, 4])) == {6}


def test_negative_sampler_randomness_source():
    sampler = NegativeSampler(COUNTS)
    np.random.seed(5)
    a = sampler.sample(30)
    np.random.seed(5)
    np.testing.assert_array_equal(a, sampler.sample(30))  # unseeded: numpy's global state
    seeded = [NegativeSampler(COUNTS, seed=9).sample(30) for _ in range(2)]
    np.testing.assert_array_equal(*seeded)


@pytest.mark.parametrize(
    "counts, power, match",
    [
        ([[1, 2]], 0.75, "1-D"),
        ([], 0.75, "1-D"),
        ([1, -1], 0.75, r"counts\[1\] = -1"),
        ([1, np.nan], 0.75, r"counts\[1\] = nan"),
        ([0, 0], 0.75, "at least one positive"),
        ([1, 2], np.inf, "power must be"),
        ([1, 1e40], 40.0, "power must be"),
        ([1, 2], "x", "power must be"),
    ],
)
def test_negative_sampler_validates_inputs(counts, power, match):
    with pytest.raises(ParameterError, match=match):
        NegativeSampler(counts, power=power)


def test_negative_sampler_validates_sample_arguments():
    sampler = NegativeSampler([1, 2, 0], seed=0)
    with pytest.raises(ParameterError, match="k must be an integer >= 0, got -1"):
        sampler.sample(-1)
    with pytest.raises(ParameterError, match="k must be an integer >= 0, got 2.5"):
        sampler.sample(2.5)
    with pytest.raises(ParameterError, match=r"exclude must hold indices in \[0, 3\)"):
        sampler.sample(2, exclude=3)
    with pytest.raises(ParameterError, match="removes every word"):
        sampler.sample(2, exclude=[0, 1])
    with pytest.raises(ParameterError, match="collection of integers"):
        sampler.sample(2, exclude=[0.5])


# --- skip-gram and CBOW ------------------------------------------------------------------------


def _window(seed: int, V: int, d: int, n: int):
    rng = np.random.default_rng(seed)
    words = [f"w{i}" for i in range(V)]
    word2ind = {w: i for i, w in enumerate(words)}
    center = words[rng.integers(V)]
    context = [words[i] for i in rng.integers(V, size=n)]  # repeats allowed
    W = rng.normal(scale=0.7, size=(2 * V, d))  # rows [:V] center vectors, [V:] outside vectors
    return center, context, word2ind, W


def _window_objective(model, center, context, word2ind, V, loss_fn):
    """The window loss as a function of the stacked (2V, d) matrix [center_vectors; outside_vectors]."""

    def f(W):
        loss, g_center, g_outside = model(center, len(context), context, word2ind, W[:V], W[V:], loss_fn)
        return loss, np.vstack([g_center, g_outside])

    return f


def _loss_fn(kind: str, V: int):
    if kind == "naive":
        return naive_softmax_loss_and_gradient
    return bind_negative_sampler(NegativeSampler(np.arange(1, V + 1)), k=3)


@pytest.mark.parametrize("loss_kind", ["naive", "negative"])
@pytest.mark.parametrize("model", [skipgram, cbow], ids=["skipgram", "cbow"])
@SETTINGS
@given(seed=seeds, V=vocab_sizes, d=dims, n=st.integers(1, 4))
def test_window_model_gradcheck(model, loss_kind, seed, V, d, n):
    """Both models, with the full softmax and with negative sampling through a bound sampler."""
    center, context, word2ind, W = _window(seed, V, d, n)
    np.random.seed(seed)
    f = _window_objective(model, center, context, word2ind, V, _loss_fn(loss_kind, V))
    assert gradcheck(f, W) < 1e-6


def test_skipgram_loss_is_sum_over_outside_words():
    center, context, word2ind, W = _window(4, 6, 3, 4)
    C, U = W[:6], W[6:]
    loss, g_center, _ = skipgram(center, 2, context, word2ind, C, U)
    pairs = [naive_softmax_loss_and_gradient(C[word2ind[center]], word2ind[w], U) for w in context]
    assert loss == pytest.approx(sum(p[0] for p in pairs), rel=1e-12)
    assert np.count_nonzero(np.abs(g_center).sum(axis=1)) == 1  # only the center word's row


def test_cbow_predicts_center_from_mean_of_context():
    word2ind = {"a": 0, "b": 1, "c": 2, "d": 3}
    rng = np.random.default_rng(8)
    C, U = rng.normal(size=(4, 3)), rng.normal(size=(4, 3))
    loss, g_center, g_outside = cbow("a", 2, ["b", "c", "c"], word2ind, C, U)
    h = (C[1] + 2 * C[2]) / 3
    ref_loss, g_h, ref_g_outside = naive_softmax_loss_and_gradient(h, 0, U)
    assert loss == pytest.approx(ref_loss, rel=1e-12)
    np.testing.assert_allclose(g_center, np.stack([0 * g_h, g_h / 3, 2 * g_h / 3, 0 * g_h]), rtol=1e-12)
    np.testing.assert_allclose(g_outside, ref_g_outside, rtol=1e-12)


def test_models_validate_words():
    word2ind = {"a": 0, "b": 1}
    C = U = np.zeros((2, 2))
    with pytest.raises(ParameterError, match="'zz' is not in word2ind"):
        skipgram("a", 1, ["b", "zz"], word2ind, C, U)
    with pytest.raises(ParameterError, match="at least one outside word"):
        cbow("a", 1, [], word2ind, C, U)


# --- gradcheck ---------------------------------------------------------------------------------


def test_gradcheck_detects_wrong_gradient():
    x = np.random.default_rng(0).normal(size=(3, 4))
    before = x.copy()

    def f(z):
        grad = 2 * z
        grad[1, 2] += 1e-3
        return np.sum(z**2), grad

    with pytest.raises(ValueError, match=r"index \(1, 2\): numeric \S+, analytic \S+") as info:
        gradcheck(f, x)
    numeric, analytic = re.search(r"numeric (\S+), analytic (\S+) ", str(info.value)).groups()
    assert float(numeric) == pytest.approx(2 * x[1, 2], abs=1e-8)
    assert float(analytic) == pytest.approx(2 * x[1, 2] + 1e-3, abs=1e-8)
    np.testing.assert_array_equal(x, before)
    assert gradcheck(lambda z: (np.sum(z**2), 2 * z), x) < 1e-8
    np.testing.assert_array_equal(x, before)


def test_gradcheck_replays_global_random_state():
    np.random.seed(1)
    state = np.random.get_state()[1].copy()

    def f(z):  # a random but z-independent shift: only consistent if every call sees the same draw
        r = np.random.normal()
        return np.sum(r * z), np.full_like(z, r)

    gradcheck(f, np.ones(4))
    np.testing.assert_array_equal(np.random.get_state()[1], state)


# --- sgd ---------------------------------------------------------------------------------------

TARGET = np.arange(6.0).reshape(2, 3)
X0 = np.zeros((2, 3))


def _noisy_quadratic(calls: list):
    """0.5 ||x - T||^2 with a gradient perturbed by numpy's global random state."""

    def f(x):
        calls.append(1)
        return 0.5 * np.sum((x - TARGET) ** 2), (x - TARGET) + 0.5 * np.random.normal(size=x.shape)

    return f


SGD_ARGS = dict(step=0.1, anneal_every=12, anneal_factor=0.5, checkpoint_every=10, print_every=0)


def test_sgd_resumes_to_same_result(tmp_path: Path):
    np.random.seed(7)
    x_plain = sgd(_noisy_quadratic([]), X0, iterations=30, **SGD_ARGS)
    np.random.seed(7)
    x_full = sgd(_noisy_quadratic([]), X0, iterations=30, checkpoint_dir=tmp_path / "full", **SGD_ARGS)
    np.testing.assert_array_equal(x_full, x_plain)

    np.random.seed(7)
    sgd(_noisy_quadratic([]), X0, iterations=25, checkpoint_dir=tmp_path / "cut", **SGD_ARGS)
    assert sorted(p.name for p in (tmp_path / "cut").iterdir()) == [
        "sgd_0000000010.npz", "sgd_0000000020.npz", "sgd_0000000025.npz"]
    np.random.seed(12345)  # the resumed run must restore the stream saved at iteration 25
    calls: list = []
    x_resumed = sgd(_noisy_quadratic(calls), X0, iterations=30, checkpoint_dir=tmp_path / "cut", **SGD_ARGS)
    assert len(calls) == 5
    np.testing.assert_array_equal(x_resumed, x_full)
    np.testing.assert_array_equal(X0, 0.0)
    assert np.abs(x_full - TARGET).max() < 1.0


def test_sgd_checkpoint_write_is_atomic(tmp_path: Path, monkeypatch):
    real_savez = np.savez
    saved: list = []

    def savez_then_fail(file, **arrays):
        if saved:
            file.write(b"PK\x03\x04 half a checkpoint")
            raise OSError("simulated disk full")
        saved.append(1)
        real_savez(file, **arrays)

    monkeypatch.setattr(np, "savez", savez_then_fail)
    np.random.seed(3)
    with pytest.raises(OSError, match="simulated disk full"):
        sgd(_noisy_quadratic([]), X0, iterations=20, checkpoint_dir=tmp_path, **SGD_ARGS)
    assert [p.name for p in tmp_path.iterdir()] == ["sgd_0000000010.npz"]  # no partial or temp file
    monkeypatch.undo()

    x_resumed = sgd(_noisy_quadratic([]), X0, iterations=20, checkpoint_dir=tmp_path, **SGD_ARGS)
    np.random.seed(3)
    np.testing.assert_array_equal(x_resumed, sgd(_noisy_quadratic([]), X0, iterations=20, **SGD_ARGS))


def test_sgd_rejects_unreadable_checkpoint(tmp_path: Path):
    (tmp_path / "sgd_0000000005.npz").write_bytes(b"not a zip file")
    with pytest.raises(ModelFileError, match="sgd_0000000005.npz"):
        sgd(_noisy_quadratic([]), X0, iterations=10, checkpoint_dir=tmp_path, **SGD_ARGS)
    np.savez(tmp_path / "sgd_0000000006.npz", iteration=6, x=np.zeros(3))
    with pytest.raises(ModelFileError, match="sgd_0000000006.npz"):
        sgd(_noisy_quadratic([]), X0, iterations=10, checkpoint_dir=tmp_path, **SGD_ARGS)


def test_sgd_anneals_step():
    x = sgd(lambda z: (0.0, np.ones_like(z)), np.zeros(1), step=1.0, iterations=7, anneal_every=3, print_every=None)
    assert x[0] == -(1 + 1 + 1 + 0.5 + 0.5 + 0.5 + 0.25)


def test_sgd_stops_on_non_finite_loss():
    losses = iter([1.0, 2.0, np.inf, 4.0])
    with pytest.raises(TrainingError, match="loss became inf at iteration 3"):
        sgd(lambda z: (next(losses), np.zeros_like(z)), np.zeros(1), step=0.5, iterations=4, print_every=0)


def test_sgd_prints_moving_average(capsys):
    losses = iter([1.0, 2.0, 3.0, 4.0])
    sgd(lambda z: (next(losses), np.zeros_like(z)), np.zeros(2), step=0.1, iterations=4, print_every=2)
    assert capsys.readouterr().out == "iter 2: 1.050000\niter 4: 1.290125\n"


@pytest.mark.parametrize(
    "kwargs, match",
    [
        (dict(step=0.0), "step must be > 0.0, got 0.0"),
        (dict(step="fast"), "step must be"),
        (dict(anneal_factor=np.nan), "anneal_factor must be"),
        (dict(iterations=-1), "iterations must be"),
        (dict(anneal_every=0), "anneal_every must be"),
        (dict(checkpoint_every=1.5), "checkpoint_every must be"),
    ],
)
def test_sgd_validates_parameters(kwargs, match):
    args = dict(step=0.1, iterations=3) | kwargs
    with pytest.raises(ParameterError, match=match):
        sgd(lambda z: (0.0, z), np.zeros(2), **args)


# --- hierarchical softmax ----------------------------------------------------------------------


@pytest.mark.parametrize("seed, V, d", [(0, 8, 3), (1, 33, 5)])
def test_hierarchical_softmax_gradcheck_and_probabilities(seed, V, d):
    """The gradients match finite differences, and over a real Huffman tree the path
    probabilities of all words sum to 1 (the loss is a proper softmax over the leaves)."""
    from wordvec.text.vocab import Vocabulary

    rng = np.random.default_rng(seed)
    counts = rng.integers(1, 100, V)
    vocab = Vocabulary([f"w{i}" for i in range(V)], np.sort(counts)[::-1])
    codes, points, lengths = vocab.huffman()
    v_c = rng.normal(size=d)
    U = rng.normal(size=(V - 1, d))
    w = int(rng.integers(V))
    p, c = points[w, : lengths[w]], codes[w, : lengths[w]]
    assert gradcheck(lambda x: hierarchical_softmax_loss_and_gradient(x, p, c, U)[:2], v_c) < 1e-6
    assert gradcheck(lambda x: (hierarchical_softmax_loss_and_gradient(v_c, p, c, x)[0],
                                hierarchical_softmax_loss_and_gradient(v_c, p, c, x)[2]), U) < 1e-6
    total = sum(np.exp(-hierarchical_softmax_loss_and_gradient(v_c, points[k, : lengths[k]], codes[k, : lengths[k]], U)[0])
                for k in range(V))
    assert total == pytest.approx(1.0, abs=1e-12)
