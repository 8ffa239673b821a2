"""The compiled GloVe AdaGrad kernel replayed against the float64 reference of glove.c's step."""
from __future__ import annotations

import threading

import numpy as np
import pytest

from wordvec.cs224n.reference import glove_adagrad_step, glove_loss_and_gradient
from wordvec.train.kernels.glove import adagrad_entries, entry_terms, glove_cost, init_params, shuffle_entries


def entries(seed: int, V: int, n: int):
    rng = np.random.default_rng(seed)
    rows = rng.integers(0, V, n).astype(np.int32)
    cols = rng.integers(0, V, n).astype(np.int32)
    values = rng.choice([0.5, 1.0, 3.0, 12.0, 150.0], n) * rng.uniform(0.5, 1.5, n)
    return rows, cols, values


def reference_run(params, gradsq, rows, cols, values, eta, x_max, alpha, clip):
    P = params.astype(np.float64)
    G = gradsq.astype(np.float64)
    W, b, C, c = P[0, :, :-1].copy(), P[0, :, -1].copy(), P[1, :, :-1].copy(), P[1, :, -1].copy()
    GW, Gb, GC, Gc = G[0, :, :-1].copy(), G[0, :, -1].copy(), G[1, :, :-1].copy(), G[1, :, -1].copy()
    cost = 0.0
    for i, j, x in zip(rows, cols, values):
        cost += glove_adagrad_step(W, C, b, c, GW, GC, Gb, Gc, int(i), int(j), float(x), eta, x_max, alpha, clip)
    out = np.empty_like(P)
    out[0, :, :-1], out[0, :, -1], out[1, :, :-1], out[1, :, -1] = W, b, C, c
    gout = np.empty_like(G)
    gout[0, :, :-1], gout[0, :, -1], gout[1, :, :-1], gout[1, :, -1] = GW, Gb, GC, Gc
    return cost, out, gout


@pytest.mark.parametrize("clip", [100.0, 0.01])
def test_one_step_equals_the_reference(clip):
    rows, cols, values = entries(0, 6, 1)
    params, gradsq = init_params(6, 8, seed=3, dtype=np.float64)
    params *= 40  # large enough that the small clip bites
    log_x, f_x = entry_terms(values, 10.0, 0.75, np.float64)
    cost, ref, gref = reference_run(params, gradsq, rows, cols, values, 0.05, 10.0, 0.75, clip)
    got = adagrad_entries(rows, cols, log_x, f_x, 0, 1, params, gradsq, 0.05, clip)
    assert got == pytest.approx(cost, rel=1e-12)
    np.testing.assert_allclose(params, ref, rtol=1e-12, atol=1e-15)
    np.testing.assert_allclose(gradsq, gref, rtol=1e-12)


@pytest.mark.parametrize("dtype, rtol", [(np.float64, 1e-11), (np.float32, 2e-4)])
def test_a_sequence_of_steps_equals_the_reference(dtype, rtol):
    rows, cols, values = entries(1, 7, 60)
    rows[:5] = cols[:5] = 2  # diagonal entries: a word and its own context vector
    params, gradsq = init_params(7, 16, seed=1, dtype=dtype)
    cost, ref, gref = reference_run(params, gradsq, rows, cols, values, 0.05, 10.0, 0.75, 100.0)
    log_x, f_x = entry_terms(values, 10.0, 0.75, dtype)
    got = adagrad_entries(rows, cols, log_x, f_x, 0, len(rows), params, gradsq, dtype(0.05), dtype(100.0))
    assert got == pytest.approx(cost, rel=rtol)
    np.testing.assert_allclose(params, ref, rtol=rtol, atol=rtol * 1e-2)
    np.testing.assert_allclose(gradsq, gref, rtol=rtol)


def test_non_finite_entries_are_skipped():
    rows, cols, values = entries(2, 4, 3)
    params, gradsq = init_params(4, 5, seed=0, dtype=np.float64)
    log_x, f_x = entry_terms(values, 10.0, 0.75, np.float64)
    log_x[1] = np.inf
    before = params.copy()
    cost, ref, _ = reference_run(params, gradsq, rows[[0, 2]], cols[[0, 2]], values[[0, 2]], 0.05, 10.0, 0.75, 100.0)
    got = adagrad_entries(rows, cols, log_x, f_x, 0, 3, params, gradsq, 0.05, 100.0)
    assert got == pytest.approx(cost) and np.isfinite(params).all() and not np.array_equal(params, before)
    np.testing.assert_allclose(params, ref, rtol=1e-12)


def test_cost_equals_the_reference_objective():
    rows, cols, values = entries(3, 9, 40)
    params, _ = init_params(9, 4, seed=2, dtype=np.float32)
    log_x, f_x = entry_terms(values, 10.0, 0.75, np.float32)
    P = params.astype(np.float64)
    loss = glove_loss_and_gradient(P[0, :, :-1], P[1, :, :-1], P[0, :, -1], P[1, :, -1], rows, cols, values, 10.0, 0.75)[0]
    assert glove_cost(rows, cols, log_x, f_x, params) == pytest.approx(loss, rel=1e-5)


def test_init_and_entry_terms():
    params, gradsq = init_params(10, 50, seed=4)
    assert params.shape == (2, 10, 51) and params.dtype == np.float32
    assert np.abs(params).max() <= 0.5 / 50 and (gradsq == 1).all()
    log_x, f_x = entry_terms(np.array([1.0, 5.0, 10.0, 20.0]), 10.0, 0.5)
    np.testing.assert_allclose(f_x, [0.1**0.5, 0.5**0.5, 1.0, 1.0], rtol=1e-6)
    np.testing.assert_allclose(log_x, np.log([1.0, 5.0, 10.0, 20.0]), rtol=1e-6)


def test_shuffle_is_a_seeded_permutation():
    n = 1000
    a = [np.arange(n, dtype=np.int32), np.arange(n, dtype=np.int32), np.arange(n, dtype=np.float32), np.arange(n, dtype=np.float32)]
    b = [x.copy() for x in a]
    shuffle_entries(*a, 5)
    shuffle_entries(*b, 5)
    assert all(np.array_equal(x, y) for x, y in zip(a, b))
    assert sorted(a[0].tolist()) == list(range(n)) and not np.array_equal(a[0], np.arange(n))
    assert np.array_equal(a[0], a[2].astype(np.int32))  # the arrays move together


def test_hogwild_threads_lower_the_cost():
    rng = np.random.default_rng(0)
    V, d = 200, 10
    truth = rng.normal(size=(V, d)) / 2
    rows, cols = (a.ravel().astype(np.int32) for a in np.meshgrid(np.arange(V), np.arange(V)))
    values = np.exp(np.einsum("kd,kd->k", truth[rows], truth[cols]))
    log_x, f_x = entry_terms(values, 1.0, 0.75)
    shuffle_entries(rows, cols, log_x, f_x, 1)
    params, gradsq = init_params(V, d, seed=0)
    first = glove_cost(rows, cols, log_x, f_x, params)
    for _ in range(5):
        threads = [
            threading.Thread(target=adagrad_entries, args=(rows, cols, log_x, f_x, k * len(rows) // 2,
                             (k + 1) * len(rows) // 2, params, gradsq, np.float32(0.05), np.float32(100.0)))
            for k in range(2)
        ]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
    assert glove_cost(rows, cols, log_x, f_x, params) < 0.2 * first
