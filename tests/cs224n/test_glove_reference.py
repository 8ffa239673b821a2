"""The float64 GloVe reference: its gradient against finite differences, and glove.c's AdaGrad
step against a plain gradient step where the two must agree."""
from __future__ import annotations

import numpy as np
import pytest

from wordvec.cs224n.reference import glove_adagrad_step, glove_loss_and_gradient, glove_weight, gradcheck


def problem(seed: int, V: int = 5, d: int = 3, n: int = 9):
    rng = np.random.default_rng(seed)
    rows = rng.integers(0, V, n)
    cols = rng.integers(0, V, n)
    values = rng.uniform(0.2, 30.0, n)
    return rng.normal(size=(V, d)), rng.normal(size=(V, d)), rng.normal(size=V), rng.normal(size=V), rows, cols, values


def test_weight():
    assert glove_weight(10.0, 10.0) == 1.0 and glove_weight(50.0, 10.0) == 1.0
    assert glove_weight(5.0, 10.0, 0.75) == pytest.approx(0.5**0.75)


@pytest.mark.parametrize("seed", range(4))
def test_gradient_check(seed):
    W, C, b, c, rows, cols, values = problem(seed)
    V, d = W.shape
    sizes = [W.size, C.size, V, V]

    def f(theta):
        parts = np.split(theta, np.cumsum(sizes)[:-1])
        loss, dW, dC, db, dc = glove_loss_and_gradient(
            parts[0].reshape(V, d), parts[1].reshape(V, d), parts[2], parts[3], rows, cols, values, x_max=10.0
        )
        return loss, np.concatenate([dW.ravel(), dC.ravel(), db, dc])

    assert gradcheck(f, np.concatenate([W.ravel(), C.ravel(), b, c]), rtol=1e-6) < 1e-6


def test_first_adagrad_step_is_a_gradient_step():
    """With every squared sum at 1 and no clipping, glove.c's first step moves the vectors by
    -eta * gradient and the biases by -gradient (no eta on the biases in glove.c)."""
    W, C, b, c, rows, cols, values = problem(7)
    i, j, x = int(rows[0]), int(cols[0]), float(values[0])
    loss, dW, dC, db, dc = glove_loss_and_gradient(W, C, b, c, [i], [j], [x], x_max=10.0)
    W2, C2, b2, c2 = W.copy(), C.copy(), b.copy(), c.copy()
    G, Gc, Gb, Gbc = (np.ones_like(a) for a in (W, C, b, c))
    cost = glove_adagrad_step(W2, C2, b2, c2, G, Gc, Gb, Gbc, i, j, x, eta=0.05, x_max=10.0)
    assert cost == pytest.approx(loss)
    np.testing.assert_allclose(W2, W - 0.05 * dW, rtol=1e-12)
    np.testing.assert_allclose(C2, C - 0.05 * dC, rtol=1e-12)
    np.testing.assert_allclose(b2, b - db, rtol=1e-12)
    np.testing.assert_allclose(c2, c - dc, rtol=1e-12)
    np.testing.assert_allclose(G[i], 1 + (0.05 * dW[i]) ** 2)
    np.testing.assert_allclose(Gb[i], 1 + db[i] ** 2)
