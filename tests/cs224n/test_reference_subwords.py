"""The float64 reference of the bag-averaged (fastText) objective, gradient-checked."""
from __future__ import annotations

import numpy as np
import pytest

from wordvec.cs224n.reference import bag_logistic_loss_and_gradient, fasttext_bag_step, gradcheck
from wordvec.errors import ParameterError


@pytest.mark.parametrize("seed", [0, 1, 2])
def test_bag_gradients_pass_gradcheck(seed):
    rng = np.random.default_rng(seed)
    V = rng.normal(size=(9, 4))
    U = rng.normal(size=(6, 4))
    bag = np.array([2, 5, 7, 5, 0])  # a repeated n-gram row counts twice
    targets = np.array([1, 3, 1, 4])  # a repeated target counts twice
    labels = np.array([1, 0, 0, 1])

    def f_V(x):
        loss, g_V, _, _ = bag_logistic_loss_and_gradient(x, bag, U, targets, labels)
        return loss, g_V

    def f_U(x):
        loss, _, g_U, _ = bag_logistic_loss_and_gradient(V, bag, x, targets, labels)
        return loss, g_U

    assert gradcheck(f_V, V) < 1e-6
    assert gradcheck(f_U, U) < 1e-6
    _, g_V, _, g_h = bag_logistic_loss_and_gradient(V, bag, U, targets, labels)
    np.testing.assert_allclose(g_V[5], 2 * g_h / 5)
    assert not g_V[[1, 3, 4, 6, 8]].any()


def test_single_row_bag_is_word2vec_negative_sampling():
    from wordvec.cs224n.reference import neg_sampling_loss_and_gradient

    rng = np.random.default_rng(3)
    V, U = rng.normal(size=(5, 3)), rng.normal(size=(5, 3))
    loss, g_V, g_U, g_h = bag_logistic_loss_and_gradient(V, [2], U, [1, 4, 0], [1, 0, 0])
    ref_loss, ref_v, ref_U = neg_sampling_loss_and_gradient(V[2], 1, U, np.array([4, 0]))
    assert loss == pytest.approx(ref_loss)
    np.testing.assert_allclose(g_h, ref_v)
    np.testing.assert_allclose(g_V[2], ref_v)
    np.testing.assert_allclose(g_U, ref_U)


def test_fasttext_step_moves_every_bag_row_by_the_hidden_gradient():
    rng = np.random.default_rng(4)
    V, U = rng.normal(size=(6, 3)), rng.normal(size=(4, 3))
    bag = np.array([0, 3, 3])
    _, _, g_U, g_h = bag_logistic_loss_and_gradient(V, bag, U, [2, 1], [1, 0])
    V2, U2 = fasttext_bag_step(V, bag, U, [2, 1], [1, 0], lr=0.1)
    np.testing.assert_allclose(V2[0], V[0] - 0.1 * g_h)
    np.testing.assert_allclose(V2[3], V[3] - 0.2 * g_h)
    np.testing.assert_allclose(U2, U - 0.1 * g_U)
    np.testing.assert_array_equal(V2[[1, 2, 4, 5]], V[[1, 2, 4, 5]])
    loss0 = bag_logistic_loss_and_gradient(V, bag, U, [2, 1], [1, 0])[0]
    assert bag_logistic_loss_and_gradient(V2, bag, U2, [2, 1], [1, 0])[0] < loss0


def test_bad_inputs():
    V, U = np.zeros((3, 2)), np.zeros((3, 2))
    for bag, targets, labels in (([], [0], [1]), ([3], [0], [1]), ([0], [5], [1]), ([0], [0], [2]), ([0], [0, 1], [1])):
        with pytest.raises(ParameterError):
            bag_logistic_loss_and_gradient(V, bag, U, targets, labels)
