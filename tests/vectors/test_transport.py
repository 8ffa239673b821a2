"""The exact transport solver behind wmdistance, against brute force and POT."""
from __future__ import annotations

import itertools

import numpy as np
import pytest

from wordvec.errors import ParameterError
from wordvec.vectors.transport import emd


def test_assignment_equals_brute_force():
    # Uniform weights on n points each: an optimal plan is a permutation (Birkhoff).
    rng = np.random.default_rng(0)
    for n in (2, 3, 5):
        cost = rng.random((n, n))
        best = min(sum(cost[i, p[i]] for i in range(n)) for p in itertools.permutations(range(n))) / n
        assert emd(np.full(n, 1 / n), np.full(n, 1 / n), cost) == pytest.approx(best, rel=1e-9)


def test_forced_plans_and_scale():
    cost = np.array([[1.0, 2.0, 4.0]])
    assert emd([1.0], [0.5, 0.25, 0.25], cost) == pytest.approx(0.5 + 0.5 + 1.0)
    assert emd([0.5, 0.25, 0.25], [1.0], cost.T) == pytest.approx(2.0)
    assert emd([2.0, 2.0], [1.0, 3.0], np.array([[0.0, 1.0], [1.0, 0.0]])) == pytest.approx(1.0)


def test_matches_pot():
    ot = pytest.importorskip("ot")
    rng = np.random.default_rng(1)
    for n, m in ((4, 7), (12, 3), (30, 25)):
        a, b = rng.random(n), rng.random(m)
        a, b = a / a.sum(), b / b.sum()
        cost = rng.random((n, m)) * 3
        assert emd(a, b, cost) == pytest.approx(float(ot.emd2(a, b, cost)), rel=1e-7)


@pytest.mark.parametrize("a,b,cost", [
    ([1.0], [0.5], np.ones((1, 1))), ([-1.0, 2.0], [1.0], np.ones((2, 1))), ([1.0], [1.0], np.ones((2, 1))),
    ([1.0, 0.0], [1.0], np.array([[np.inf], [1.0]])), ([], [], np.ones((0, 0))),
])
def test_bad_input(a, b, cost):
    with pytest.raises(ParameterError):
        emd(a, b, cost)
