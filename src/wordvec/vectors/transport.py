"""Exact optimal transport (earth mover's distance) between two small discrete distributions.

Used by :meth:`KeyedVectors.wmdistance <wordvec.vectors.keyedvectors.KeyedVectors.wmdistance>`
(Word Mover's Distance, Kusner et al. 2015): the documents' word histograms are the two
distributions and the distances between word vectors the ground cost.

The transport problem is solved as the linear program

    minimize  sum_ij C_ij T_ij   subject to  T >= 0,  sum_j T_ij = a_i,  sum_i T_ij = b_j

with SciPy's HiGHS solver (dual simplex), exact up to its 1e-9 feasibility tolerance, so no
optimal-transport library is needed. Sizes are the documents' distinct words (tens to a few
hundred), for which this takes milliseconds.
"""
from __future__ import annotations

import numpy as np
from scipy import sparse
from scipy.optimize import linprog

from ..errors import ParameterError

__all__ = ["emd"]


def emd(a: np.ndarray, b: np.ndarray, cost: np.ndarray) -> float:
    """The minimal cost of moving distribution ``a`` (n,) onto ``b`` (m,) with ground costs
    ``cost`` (n, m): ``min_T <C, T>`` over non-negative plans whose rows sum to ``a`` and columns
    to ``b``. ``a`` and ``b`` must be non-negative with equal sums (both are rescaled to sum 1,
    and the result scaled back)."""
    a = np.asarray(a, dtype=np.float64)
    b = np.asarray(b, dtype=np.float64)
    cost = np.asarray(cost, dtype=np.float64)
    n, m = len(a), len(b)
    if a.ndim != 1 or b.ndim != 1 or cost.shape != (n, m) or not n or not m:
        raise ParameterError(f"emd needs a (n,), b (m,) and cost (n, m), got {a.shape}, {b.shape}, {cost.shape}")
    if (a < 0).any() or (b < 0).any() or not np.isfinite(cost).all():
        raise ParameterError("emd needs non-negative weights and finite costs")
    total = a.sum()
    if total <= 0 or not np.isclose(total, b.sum(), rtol=1e-9, atol=0):
        raise ParameterError(f"emd needs weights with equal positive sums, got {total} and {b.sum()}")
    a, b = a / total, b / b.sum()
    if n == 1 or m == 1:  # a single source or sink: the plan is forced
        return float((cost * (b[None, :] if n == 1 else a[:, None])).sum() * total)
    rows = sparse.kron(sparse.identity(n), np.ones((1, m)))  # sum_j T_ij
    cols = sparse.kron(np.ones((1, n)), sparse.identity(m))  # sum_i T_ij
    result = linprog(
        cost.ravel(), A_eq=sparse.vstack([rows, cols]).tocsr(), b_eq=np.concatenate([a, b]),
        bounds=(0, None), method="highs-ds",
    )
    if result.status != 0:  # pragma: no cover - a balanced transport problem is always feasible
        raise ParameterError(f"the transport problem could not be solved: {result.message}")
    return float(result.fun * total)
