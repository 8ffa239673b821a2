"""Reference implementation of the word2vec math in plain float64 numpy.

This module is the specification the fast engine is tested against: every loss here is
gradient-checked against finite differences in ``tests/test_reference.py`` and derived in
``docs/derivations.md``. It favours readability over speed.

Notation (as in CS224N): ``U`` (``outside_vectors``) holds one outside vector ``u_w`` per row,
shape ``(V, d)``; ``v_c`` (``center_vec``) is the center word's vector, shape ``(d,)``;
``o`` (``outside_idx``) is the index of the word to predict.

Randomness: :class:`NegativeSampler` without a seed, :func:`gradcheck` and :func:`sgd` all use
numpy's *global* random state (``np.random.get_state`` / ``set_state``), as CS224N did, so that
a gradient check evaluates a sampling loss on the same negatives every time and a resumed
:func:`sgd` run continues the same random stream as an uninterrupted one.
"""
from __future__ import annotations

import re
import zipfile
from pathlib import Path
from typing import Callable, Collection, Iterable, Mapping, Sequence

import numpy as np
from numpy.typing import ArrayLike, NDArray

from ..formats.atomic import atomic_write
from ..errors import ModelFileError, ParameterError, TrainingError
from ..validation import check_float, check_int

__all__ = [
    "sigmoid",
    "sigmoid_grad",
    "relu",
    "relu_grad",
    "softmax",
    "naive_softmax_loss_and_gradient",
    "neg_sampling_loss_and_gradient",
    "NegativeSampler",
    "bind_negative_sampler",
    "skipgram",
    "cbow",
    "gradcheck",
    "sgd",
    "bag_logistic_loss_and_gradient",
    "fasttext_bag_step",
]

#: ``(center_vec, outside_idx, outside_vectors) -> (loss, grad_center_vec, grad_outside_vectors)``
LossAndGradient = Callable[[NDArray, int, NDArray], "tuple[float, NDArray, NDArray]"]


# ---------------------------------------------------------------------------------------------
# Elementwise functions


def sigmoid(x: ArrayLike) -> NDArray | np.float64:
    """sigma(x) = 1 / (1 + exp(-x)), elementwise, same shape as ``x``, float64.

    Computed from exp(-|x|) so that no input overflows (sigma(-1e4) is 0.0, with no warning).
    """
    x = np.asarray(x, dtype=np.float64)
    with np.errstate(under="ignore"):  # exp(-1e4) is 0.0, rightly
        e = np.exp(-np.abs(x))
    return np.where(x >= 0, 1.0 / (1.0 + e), e / (1.0 + e))[()]


def sigmoid_grad(x: ArrayLike) -> NDArray | np.float64:
    """d sigma / dx = sigma(x) (1 - sigma(x)), elementwise, same shape as ``x``."""
    s = sigmoid(x)
    return s * (1.0 - s)


def relu(x: ArrayLike) -> NDArray | np.float64:
    """relu(x) = max(x, 0), elementwise, same shape as ``x``."""
    return np.maximum(np.asarray(x, dtype=np.float64), 0.0)[()]


def relu_grad(x: ArrayLike) -> NDArray | np.float64:
    """d relu / dx = 1 for x > 0, 0 for x < 0, and (by convention) 0 at x = 0."""
    return (np.asarray(x, dtype=np.float64) > 0).astype(np.float64)[()]


def softmax(x: ArrayLike, axis: int = -1) -> NDArray:
    """softmax(x)_i = exp(x_i) / sum_j exp(x_j) along ``axis``; same shape as ``x``.

    The maximum along ``axis`` is subtracted first (softmax is invariant to it), so inputs
    of +-1e4 neither overflow nor warn.
    """
    x = np.asarray(x, dtype=np.float64)
    with np.errstate(under="ignore"):
        e = np.exp(x - np.max(x, axis=axis, keepdims=True))
    return e / np.sum(e, axis=axis, keepdims=True)


def _neg_log_sigmoid(x: NDArray) -> NDArray:
    """-log sigma(x) = log(1 + exp(-x)), without overflow."""
    with np.errstate(under="ignore"):
        return np.logaddexp(0.0, -x)


# ---------------------------------------------------------------------------------------------
# Losses for one (center, outside) pair


def _check_pair(center_vec: ArrayLike, outside_idx: int, outside_vectors: ArrayLike) -> tuple[NDArray, int, NDArray]:
    v_c = np.asarray(center_vec, dtype=np.float64)
    U = np.asarray(outside_vectors, dtype=np.float64)
    if U.ndim != 2:
        raise ParameterError(f"outside_vectors must be 2-D (V, d), got shape {U.shape}")
    if v_c.shape != (U.shape[1],):
        raise ParameterError(
            f"center_vec must have shape ({U.shape[1]},) to match outside_vectors {U.shape}, got {v_c.shape}"
        )
    o = check_int("outside_idx", outside_idx, 0, U.shape[0] - 1)
    return v_c, o, U


def naive_softmax_loss_and_gradient(
    center_vec: ArrayLike, outside_idx: int, outside_vectors: ArrayLike
) -> tuple[float, NDArray, NDArray]:
    """Loss and gradients of predicting word ``o`` from ``v_c`` with a full softmax.

    With y_hat = softmax(U v_c) (shape (V,)) and y the one-hot vector of ``o``:

    - J = -log y_hat[o] = -sum_w y_w log y_hat_w  (the cross-entropy of y and y_hat);
    - dJ/dv_c = U^T (y_hat - y), shape (d,);
    - dJ/dU = (y_hat - y) v_c^T, shape (V, d).
    """
    v_c, o, U = _check_pair(center_vec, outside_idx, outside_vectors)
    scores = U @ v_c
    shifted = scores - scores.max()
    with np.errstate(under="ignore"):
        log_y_hat = shifted - np.log(np.sum(np.exp(shifted)))
        delta = np.exp(log_y_hat)  # y_hat - y, once y is subtracted below
    delta[o] -= 1.0
    return float(-log_y_hat[o]), U.T @ delta, np.outer(delta, v_c)


def neg_sampling_loss_and_gradient(
    center_vec: ArrayLike, outside_idx: int, outside_vectors: ArrayLike, neg_indices: ArrayLike
) -> tuple[float, NDArray, NDArray]:
    """Negative-sampling loss and gradients for word ``o`` and the K given negatives k_1..k_K.

    - J = -log sigma(u_o . v_c) - sum_{i=1..K} log sigma(-u_{k_i} . v_c);
    - dJ/dv_c = (sigma(u_o . v_c) - 1) u_o + sum_i sigma(u_{k_i} . v_c) u_{k_i}, shape (d,);
    - dJ/du_o = (sigma(u_o . v_c) - 1) v_c; dJ/du_{k_i} = sigma(u_{k_i} . v_c) v_c, summed over
      every occurrence: a negative drawn twice counts twice, and a negative equal to ``o`` adds
      to row ``o``; all other rows are 0. Shape (V, d).

    ``neg_indices`` (shape (K,), K >= 0) is passed explicitly; see :func:`bind_negative_sampler`
    for a function that draws them.
    """
    v_c, o, U = _check_pair(center_vec, outside_idx, outside_vectors)
    neg = np.asarray(neg_indices)
    if neg.ndim != 1 or (neg.size and not np.issubdtype(neg.dtype, np.integer)):
        raise ParameterError(f"neg_indices must be a 1-D array of integers, got {neg_indices!r}")
    if neg.size and (neg.min() < 0 or neg.max() >= U.shape[0]):
        raise ParameterError(f"neg_indices must be in [0, {U.shape[0]}), got {neg.tolist()}")
    idx = np.concatenate([[o], neg]).astype(np.intp)
    sign = np.ones(idx.size)
    sign[1:] = -1.0
    z = sign * (U[idx] @ v_c)  # J = -sum_j log sigma(z_j)
    coef = sign * (sigmoid(z) - 1.0)  # dJ/d(u_j . v_c)
    grad_U = np.zeros_like(U)
    np.add.at(grad_U, idx, np.outer(coef, v_c))
    return float(np.sum(_neg_log_sigmoid(z))), coef @ U[idx], grad_U


def hierarchical_softmax_loss_and_gradient(
    center_vec: ArrayLike, points: ArrayLike, codes: ArrayLike, inner_vectors: ArrayLike
) -> tuple[float, NDArray, NDArray]:
    """Hierarchical-softmax loss and gradients for a word whose Huffman path visits the inner
    nodes ``points`` (p_1..p_L, rows of ``inner_vectors`` (V-1, d)) with code bits ``codes``
    (c_1..c_L in {0, 1}): the word's probability is prod_j sigma((1 - 2 c_j) u_{p_j} . v_c).

    - J = -sum_j log sigma(s_j u_{p_j} . v_c), s_j = 1 - 2 c_j;
    - dJ/dv_c = sum_j (sigma(s_j u_{p_j} . v_c) - 1) s_j u_{p_j}, shape (d,);
    - dJ/du_{p_j} = (sigma(s_j u_{p_j} . v_c) - 1) s_j v_c, other rows 0; shape (V-1, d).
    """
    v_c = np.asarray(center_vec, dtype=np.float64)
    U = np.asarray(inner_vectors, dtype=np.float64)
    idx = np.asarray(points)
    bits = np.asarray(codes)
    if U.ndim != 2 or v_c.shape != (U.shape[1],):
        raise ParameterError(f"center_vec (d,) and inner_vectors (V-1, d) must agree, got {v_c.shape} and {U.shape}")
    if idx.ndim != 1 or idx.shape != bits.shape or (idx.size and (idx.min() < 0 or idx.max() >= U.shape[0])):
        raise ParameterError(f"points and codes must be 1-D of one length with points in [0, {U.shape[0]})")
    if bits.size and not np.isin(bits, (0, 1)).all():
        raise ParameterError(f"codes must be 0 or 1, got {bits.tolist()}")
    sign = 1.0 - 2.0 * bits.astype(np.float64)
    z = sign * (U[idx] @ v_c)
    coef = sign * (sigmoid(z) - 1.0)
    grad_U = np.zeros_like(U)
    np.add.at(grad_U, idx.astype(np.intp), np.outer(coef, v_c))
    return float(np.sum(_neg_log_sigmoid(z))), coef @ U[idx], grad_U


class NegativeSampler:
    """Draws word indices w with probability P(w) = c_w^power / sum_x c_x^power.

    ``counts`` (shape (V,)) are non-negative word counts; a word with count 0 is never drawn.
    ``power`` is 0.75 in word2vec (unigram^(3/4)). ``seed`` is an int or a
    ``numpy.random.Generator`` for a private stream, or None to draw from numpy's global random
    state (so that :func:`gradcheck` and :func:`sgd` can replay and checkpoint the draws).
    """

    def __init__(self, counts: ArrayLike, power: float = 0.75, seed: int | np.random.Generator | None = None):
        c = np.asarray(counts, dtype=np.float64)
        if c.ndim != 1 or c.size == 0:
            raise ParameterError(f"counts must be a non-empty 1-D array, got shape {c.shape}")
        bad = np.flatnonzero(~(np.isfinite(c) & (c >= 0)))
        if bad.size:
            raise ParameterError(f"counts must be finite and >= 0, got counts[{bad[0]}] = {c[bad[0]]}")
        if not np.any(c > 0):
            raise ParameterError("counts must have at least one positive count, got all zeros")
        try:
            power = float(power)
        except (TypeError, ValueError):
            power = float("nan")
        weights = np.zeros_like(c)
        with np.errstate(over="ignore"):
            weights[c > 0] = c[c > 0] ** power
        if not (np.isfinite(power) and np.isfinite(weights.sum())):
            raise ParameterError(f"power must be a finite number for which counts**power is finite, got {power!r}")
        #: P(w), shape (V,), sums to 1.
        self.probabilities = weights / weights.sum()
        self.power = power
        self._rng = None if seed is None else np.random.default_rng(seed)

    def sample(self, k: int, exclude: int | Collection[int] | None = None) -> NDArray[np.int64]:
        """Draw ``k`` indices (with replacement) from P restricted to words not in ``exclude``.

        The result, shape (k,), int64, follows P(w | w not in exclude) = P(w) / (1 - P(exclude)).
        """
        k = check_int("k", k, 0)
        p = self.probabilities
        if exclude is not None:
            items = list(exclude) if isinstance(exclude, Iterable) and not isinstance(exclude, np.ndarray) else exclude
            excl = np.atleast_1d(np.asarray(items))
            if excl.ndim != 1 or (excl.size and not np.issubdtype(excl.dtype, np.integer)):
                raise ParameterError(f"exclude must be an integer or a collection of integers, got {exclude!r}")
            if excl.size and (excl.min() < 0 or excl.max() >= p.size):
                raise ParameterError(f"exclude must hold indices in [0, {p.size}), got {excl.tolist()}")
            p = p.copy()
            p[excl.astype(np.intp)] = 0.0
            if not p.sum() > 0:
                raise ParameterError(f"exclude={excl.tolist()} removes every word that can be drawn")
            p /= p.sum()
        rng = np.random if self._rng is None else self._rng
        return np.asarray(rng.choice(p.size, size=k, p=p), dtype=np.int64)


def bind_negative_sampler(sampler: NegativeSampler, k: int) -> LossAndGradient:
    """A loss of the 3-argument signature of :func:`naive_softmax_loss_and_gradient`.

    Each call draws K = ``k`` negatives from ``sampler`` excluding ``outside_idx`` and returns
    :func:`neg_sampling_loss_and_gradient` on them.
    """
    k = check_int("k", k, 0)

    def loss_and_gradient(center_vec: ArrayLike, outside_idx: int, outside_vectors: ArrayLike):
        negatives = sampler.sample(k, exclude=outside_idx)
        return neg_sampling_loss_and_gradient(center_vec, outside_idx, outside_vectors, negatives)

    return loss_and_gradient


# ---------------------------------------------------------------------------------------------
# Models: one window


def _window_inputs(
    center_word: str, outside_words: Sequence[str], word2ind: Mapping[str, int], center_vectors: ArrayLike,
    outside_vectors: ArrayLike,
) -> tuple[int, list[int], NDArray, NDArray]:
    """(c, context indices, C, U) for a window, C and U as float64 arrays."""
    missing = [w for w in [center_word, *outside_words] if w not in word2ind]
    if missing:
        raise ParameterError(f"word {missing[0]!r} is not in word2ind")
    C = np.asarray(center_vectors, dtype=np.float64)
    U = np.asarray(outside_vectors, dtype=np.float64)
    return word2ind[center_word], [word2ind[w] for w in outside_words], C, U


def skipgram(
    center_word: str,
    window_size: int,
    outside_words: Sequence[str],
    word2ind: Mapping[str, int],
    center_vectors: ArrayLike,
    outside_vectors: ArrayLike,
    loss_and_gradient: LossAndGradient = naive_softmax_loss_and_gradient,
) -> tuple[float, NDArray, NDArray]:
    """Skip-gram on one window: J = sum_{w in outside_words} J_pair(v_c, w, U).

    ``center_vectors`` (V, d) holds the v vectors (row c is v_c), ``outside_vectors`` (V, d) the
    u vectors. Returns J, dJ/d center_vectors (only row c non-zero: the sum of the pairs'
    dJ/dv_c) and dJ/dU (the sum of the pairs' dJ/dU). ``window_size`` is informative only (the
    CS224N signature); ``outside_words`` is the context itself, repeats counted each time.
    """
    c, context, C, U = _window_inputs(center_word, outside_words, word2ind, center_vectors, outside_vectors)
    loss = 0.0
    grad_C = np.zeros_like(C)
    grad_U = np.zeros_like(U)
    for o in context:
        pair_loss, g_v, g_U = loss_and_gradient(C[c], o, U)
        loss += pair_loss
        grad_C[c] += g_v
        grad_U += g_U
    return loss, grad_C, grad_U


def cbow(
    center_word: str,
    window_size: int,
    outside_words: Sequence[str],
    word2ind: Mapping[str, int],
    center_vectors: ArrayLike,
    outside_vectors: ArrayLike,
    loss_and_gradient: LossAndGradient = naive_softmax_loss_and_gradient,
) -> tuple[float, NDArray, NDArray]:
    """CBOW on one window: the mean of the context words' vectors predicts the center word.

    With h = (1/n) sum_{j=1..n} v_{w_j} over the n = len(outside_words) context words (rows of
    ``center_vectors``), J = J_pair(h, c, U). Then dJ/dv_{w_j} = (1/n) dJ/dh for each occurrence
    (a word appearing twice gets it twice) and dJ/dU is the pair's. Shapes as in
    :func:`skipgram`; ``window_size`` is informative only. An empty context is an error.
    """
    if len(outside_words) == 0:
        raise ParameterError("cbow needs at least one outside word, got none")
    c, context, C, U = _window_inputs(center_word, outside_words, word2ind, center_vectors, outside_vectors)
    loss, g_h, grad_U = loss_and_gradient(C[context].mean(axis=0), c, U)
    grad_C = np.zeros_like(C)
    np.add.at(grad_C, context, g_h / len(context))
    return loss, grad_C, grad_U


# ---------------------------------------------------------------------------------------------
# Gradient check


def gradcheck(
    f: Callable[[NDArray], "tuple[float, ArrayLike]"], x: ArrayLike, eps: float = 1e-6, rtol: float = 1e-5
) -> float:
    """Compare f's analytic gradient with centered finite differences; return the worst error.

    ``f(x)`` returns (value, grad) with grad of x's shape. For every element i,
    num_i = (f(x + eps e_i) - f(x - eps e_i)) / (2 eps) and the relative error is
    |num_i - grad_i| / max(1, |num_i|, |grad_i|) (absolute for small gradients). Raises
    ValueError naming the multi-index, numeric and analytic values at the first element whose
    error exceeds ``rtol``; otherwise returns the largest error.

    ``f`` is evaluated on a float64 copy of ``x`` (``x`` itself is never modified), each time
    from the same numpy global random state, so a loss that samples through it (an unseeded
    :class:`NegativeSampler`) sees the same draws; the global state is restored on return.
    """
    eps = check_float("eps", eps, 0.0, low_open=True)
    rtol = check_float("rtol", rtol, 0.0, low_open=True)
    x = np.array(x, dtype=np.float64)
    state = np.random.get_state()
    try:
        _, grad = f(x)
        grad = np.asarray(grad, dtype=np.float64)
        if grad.shape != x.shape:
            raise ValueError(f"gradcheck: f returned a gradient of shape {grad.shape} for x of shape {x.shape}")
        worst = 0.0
        for ix in np.ndindex(x.shape):
            old = x[ix]
            values = []
            for shift in (eps, -eps):
                x[ix] = old + shift
                np.random.set_state(state)
                values.append(float(f(x)[0]))
            x[ix] = old
            num = (values[0] - values[1]) / (2 * eps)
            ana = grad[ix]
            err = abs(num - ana) / max(1.0, abs(num), abs(ana))
            if not err <= rtol:
                raise ValueError(
                    f"gradcheck: wrong gradient at index {ix}: numeric {num:.10g}, analytic {ana:.10g} "
                    f"(relative error {err:.3g} > rtol {rtol:g})"
                )
            worst = max(worst, err)
        return worst
    finally:
        np.random.set_state(state)


# ---------------------------------------------------------------------------------------------
# Stochastic gradient descent with checkpoints

_CHECKPOINT = re.compile(r"^sgd_(\d+)\.npz$")


def _checkpoint_path(folder: Path, iteration: int) -> Path:
    return folder / f"sgd_{iteration:010d}.npz"


def _save_checkpoint(folder: Path, iteration: int, x: NDArray, step: float, ema: float) -> None:
    kind, keys, pos, has_gauss, cached = np.random.get_state()
    with atomic_write(_checkpoint_path(folder, iteration), "wb") as f:
        np.savez(
            f,
            iteration=np.int64(iteration),
            x=x,
            step=np.float64(step),
            ema=np.float64(ema),
            rng_keys=keys,
            rng_pos=np.int64(pos),
            rng_has_gauss=np.int64(has_gauss),
            rng_cached_gaussian=np.float64(cached),
        )


def _latest_checkpoint(folder: Path, max_iteration: int) -> Path | None:
    found = [(int(m.group(1)), p) for p in folder.iterdir() if (m := _CHECKPOINT.match(p.name))]
    found = [item for item in found if item[0] <= max_iteration]
    return max(found)[1] if found else None


def _load_checkpoint(path: Path, shape: tuple[int, ...]) -> tuple[int, NDArray, float, float]:
    """Read (iteration, x, step, ema) from ``path`` and restore numpy's global random state."""
    try:
        with np.load(path, allow_pickle=False) as z:
            iteration, x, step, ema = int(z["iteration"]), z["x"].astype(np.float64), float(z["step"]), float(z["ema"])
            state = (
                "MT19937", z["rng_keys"], int(z["rng_pos"]), int(z["rng_has_gauss"]), float(z["rng_cached_gaussian"])
            )
    except (OSError, ValueError, KeyError, EOFError, zipfile.BadZipFile) as e:
        raise ModelFileError(f"sgd checkpoint {path} cannot be read: {e}") from None
    if x.shape != shape:
        raise ModelFileError(f"sgd checkpoint {path} holds x of shape {x.shape}, expected {shape}")
    np.random.set_state(state)
    return iteration, x, step, ema


def sgd(
    f: Callable[[NDArray], "tuple[float, ArrayLike]"],
    x0: ArrayLike,
    step: float,
    iterations: int,
    anneal_every: int = 20000,
    anneal_factor: float = 0.5,
    checkpoint_dir: str | Path | None = None,
    checkpoint_every: int = 5000,
    print_every: int | None = 10,
) -> NDArray:
    """Minimise f by stochastic gradient descent, as in CS224N assignment 2; return the final x.

    For t = 1..``iterations``: (loss, g) = f(x); x <- x - step g;
    ema <- loss (t = 1) or 0.95 ema + 0.05 loss, printed as ``iter t: ema`` every ``print_every``
    iterations (None or 0: never); step <- anneal_factor * step every ``anneal_every`` iterations.
    x is a float64 copy of ``x0`` (``x0`` is not modified). A non-finite loss raises
    :class:`~wordvec.errors.TrainingError`.

    With ``checkpoint_dir``, a checkpoint ``sgd_<t>.npz`` (t, x, step, ema and numpy's global
    random state as arrays) is written atomically every ``checkpoint_every`` iterations and
    after the last one, and a run starts from the latest checkpoint there with t <= iterations
    (``x0`` is then ignored). Since f's randomness must come from numpy's global random state
    (seed it before the first run, e.g. ``np.random.seed(0)``), a resumed run gives the same
    final x as an uninterrupted one.
    """
    step = check_float("step", step, 0.0, low_open=True)
    anneal_factor = check_float("anneal_factor", anneal_factor, 0.0, low_open=True)
    iterations = check_int("iterations", iterations, 0)
    anneal_every = check_int("anneal_every", anneal_every, 1)
    checkpoint_every = check_int("checkpoint_every", checkpoint_every, 1)
    print_every = check_int("print_every", print_every, 1) if print_every else 0

    x = np.array(x0, dtype=np.float64)
    start, ema = 0, float("nan")
    folder = None
    if checkpoint_dir is not None:
        folder = Path(checkpoint_dir)
        folder.mkdir(parents=True, exist_ok=True)
        latest = _latest_checkpoint(folder, iterations)
        if latest is not None:
            start, x, step, ema = _load_checkpoint(latest, x.shape)

    for t in range(start + 1, iterations + 1):
        loss, grad = f(x)
        loss = float(loss)
        if not np.isfinite(loss):
            raise TrainingError(f"sgd: the loss became {loss} at iteration {t}")
        x -= step * np.asarray(grad, dtype=np.float64)
        ema = loss if t == 1 else 0.95 * ema + 0.05 * loss
        if print_every and t % print_every == 0:
            print(f"iter {t}: {ema:.6f}")
        if t % anneal_every == 0:
            step *= anneal_factor
        if folder is not None and (t % checkpoint_every == 0 or t == iterations):
            _save_checkpoint(folder, t, x, step, ema)
    return x


# ---------------------------------------------------------------------------------------------
# Subword models (fastText): the input is the mean of a bag of rows


def bag_logistic_loss_and_gradient(
    input_vectors: ArrayLike, bag: ArrayLike, output_vectors: ArrayLike, targets: ArrayLike, labels: ArrayLike
) -> tuple[float, NDArray, NDArray, NDArray]:
    """Binary-logistic loss of a bag of input rows against output rows, and its gradients.

    ``bag`` (n >= 1 row indices of ``input_vectors`` V, repeats allowed) gives the hidden vector
    h = (1/n) sum_{i} V[bag_i]. Each target t_j (a row of ``output_vectors`` U) has a label
    y_j in {0, 1}, sign s_j = 2 y_j - 1:

    - J = -sum_j log sigma(s_j u_{t_j} . h);
    - dJ/dh = sum_j (sigma(u_{t_j} . h) - y_j) u_{t_j}, shape (d,);
    - dJ/dV[r] = (m_r / n) dJ/dh, m_r = occurrences of r in the bag; shape of V;
    - dJ/dU[t] = sum_{j: t_j = t} (sigma(u_t . h) - y_j) h; shape of U.

    Negative sampling is targets (o, k_1..k_K) with labels (1, 0..0); hierarchical softmax is the
    inner nodes of the word's Huffman path with labels 1 - code (word2vec.c's convention). A
    skip-gram step uses the center word's bag (its row and n-gram rows); a CBOW step uses the
    concatenation of the context words' bags, so h is the mean over all of their rows.

    Returns (J, dJ/dV, dJ/dU, dJ/dh).
    """
    V = np.asarray(input_vectors, dtype=np.float64)
    U = np.asarray(output_vectors, dtype=np.float64)
    bag = np.asarray(bag)
    t = np.asarray(targets)
    y = np.asarray(labels, dtype=np.float64)
    if V.ndim != 2 or U.ndim != 2 or V.shape[1] != U.shape[1]:
        raise ParameterError(f"input and output vectors must be (n, d) with one d, got {V.shape} and {U.shape}")
    if bag.ndim != 1 or bag.size == 0 or not np.issubdtype(bag.dtype, np.integer) or bag.min() < 0 or bag.max() >= len(V):
        raise ParameterError(f"bag must be a non-empty 1-D array of rows in [0, {len(V)}), got {bag!r}")
    if t.ndim != 1 or t.shape != y.shape or (t.size and (not np.issubdtype(t.dtype, np.integer) or t.min() < 0 or t.max() >= len(U))):
        raise ParameterError(f"targets must be 1-D rows in [0, {len(U)}) with one label each, got {t!r}, {y!r}")
    if not np.all((y == 0) | (y == 1)):
        raise ParameterError(f"labels must be 0 or 1, got {y!r}")
    h = V[bag].mean(axis=0)
    z = U[t] @ h
    s = 2 * y - 1
    coef = sigmoid(z) - y  # dJ/dz_j
    grad_h = coef @ U[t]
    grad_V = np.zeros_like(V)
    np.add.at(grad_V, bag, grad_h / bag.size)
    grad_U = np.zeros_like(U)
    np.add.at(grad_U, t, np.outer(coef, h))
    return float(np.sum(_neg_log_sigmoid(s * z))), grad_V, grad_U, grad_h


def fasttext_bag_step(
    input_vectors: ArrayLike, bag: ArrayLike, output_vectors: ArrayLike, targets: ArrayLike, labels: ArrayLike,
    lr: float,
) -> tuple[NDArray, NDArray]:
    """fastText's SGD step for one prediction from a bag; returns the new (V, U) (float64 copies).

    With g = dJ/dh and dJ/dU from :func:`bag_logistic_loss_and_gradient` at the old (V, U):
    U <- U - lr dJ/dU, and every occurrence of a row r in the bag gets V[r] <- V[r] - lr g. Each
    row thus moves by lr m_r g, n times the step along the true gradient (m_r / n) g. fastText
    scales the input side this way for word vectors (only its supervised models divide by n;
    gensim does the same for skip-gram and divides by n for CBOW); the compiled kernels follow
    fastText.
    """
    lr = check_float("lr", lr, 0.0, low_open=True)
    _, _, grad_U, grad_h = bag_logistic_loss_and_gradient(input_vectors, bag, output_vectors, targets, labels)
    V = np.array(input_vectors, dtype=np.float64)
    U = np.array(output_vectors, dtype=np.float64) - lr * grad_U
    np.add.at(V, np.asarray(bag), -lr * grad_h)
    return V, U


# GloVe (Pennington, Socher and Manning 2014)


def glove_weight(x: ArrayLike, x_max: float = 100.0, alpha: float = 0.75) -> NDArray | np.float64:
    """f(x) = (x / x_max) ** alpha for x < x_max, else 1, elementwise, float64."""
    x = np.asarray(x, dtype=np.float64)
    return np.where(x < x_max, (x / x_max) ** alpha, 1.0)[()]


def glove_loss_and_gradient(
    W: ArrayLike,
    W_ctx: ArrayLike,
    b: ArrayLike,
    b_ctx: ArrayLike,
    rows: ArrayLike,
    cols: ArrayLike,
    values: ArrayLike,
    x_max: float = 100.0,
    alpha: float = 0.75,
) -> tuple[float, NDArray, NDArray, NDArray, NDArray]:
    """GloVe's weighted least squares over the non-zero entries X[rows[k], cols[k]] = values[k]:

        J = sum_k 0.5 f(x_k) (w_i . w~_j + b_i + b~_j - log x_k)^2,   i = rows[k], j = cols[k]

    with word vectors W (V, d), context vectors W_ctx (V, d) and biases b, b_ctx (V,). With
    e_k = f(x_k) (w_i . w~_j + b_i + b~_j - log x_k): dJ/dw_i = sum e_k w~_j, dJ/dw~_j = sum e_k w_i,
    dJ/db_i = dJ/db~_j = sum e_k (sums over the entries of row i or column j).
    Returns (J, dW, dW_ctx, db, db_ctx), float64."""
    W = np.asarray(W, dtype=np.float64)
    C = np.asarray(W_ctx, dtype=np.float64)
    b = np.asarray(b, dtype=np.float64)
    c = np.asarray(b_ctx, dtype=np.float64)
    i = np.asarray(rows, dtype=np.int64)
    j = np.asarray(cols, dtype=np.int64)
    x = np.asarray(values, dtype=np.float64)
    if W.shape != C.shape or b.shape != (W.shape[0],) or c.shape != b.shape:
        raise ParameterError(f"W {W.shape}, W_ctx {C.shape}, b {b.shape}, b_ctx {c.shape} do not agree")
    if not (i.shape == j.shape == x.shape) or np.any(x <= 0):
        raise ParameterError("rows, cols and values must have one shape, values > 0")
    diff = np.einsum("kd,kd->k", W[i], C[j]) + b[i] + c[j] - np.log(x)
    e = glove_weight(x, x_max, alpha) * diff
    loss = float(0.5 * np.sum(e * diff))
    dW = np.zeros_like(W)
    dC = np.zeros_like(C)
    np.add.at(dW, i, e[:, None] * C[j])
    np.add.at(dC, j, e[:, None] * W[i])
    db = np.bincount(i, weights=e, minlength=W.shape[0])
    dc = np.bincount(j, weights=e, minlength=W.shape[0])
    return loss, dW, dC, db, dc


def glove_adagrad_step(
    W: NDArray,
    W_ctx: NDArray,
    b: NDArray,
    b_ctx: NDArray,
    G: NDArray,
    G_ctx: NDArray,
    Gb: NDArray,
    Gb_ctx: NDArray,
    i: int,
    j: int,
    x: float,
    eta: float = 0.05,
    x_max: float = 100.0,
    alpha: float = 0.75,
    grad_clip: float = 100.0,
) -> float:
    """One AdaGrad step of Stanford's glove.c on the entry X[i, j] = x, in place (float64 arrays);
    returns the entry's cost 0.5 f(x) diff^2 before the step.

    With e = f(x) diff, the gradient of that cost is e w~_j for w_i, e w_i for w~_j and e for
    each bias (:func:`glove_loss_and_gradient`). glove.c scales the vector gradients by eta and
    clips them to [-grad_clip, grad_clip] first (u = eta clip(e w~_j)), steps by u / sqrt(G) with
    the squared sums G from before the step, then adds u^2 to G; the biases step by e / sqrt(G_b)
    without eta and add e^2. Every G starts at 1."""
    w, c = W[i].copy(), W_ctx[j].copy()
    diff = float(w @ c + b[i] + b_ctx[j] - np.log(x))
    e = float(glove_weight(x, x_max, alpha)) * diff
    u_w = eta * np.clip(e * c, -grad_clip, grad_clip)
    u_c = eta * np.clip(e * w, -grad_clip, grad_clip)
    W[i] -= u_w / np.sqrt(G[i])
    W_ctx[j] -= u_c / np.sqrt(G_ctx[j])
    G[i] += u_w**2
    G_ctx[j] += u_c**2
    b[i] -= e / np.sqrt(Gb[i])
    b_ctx[j] -= e / np.sqrt(Gb_ctx[j])
    Gb[i] += e * e
    Gb_ctx[j] += e * e
    return 0.5 * e * diff
