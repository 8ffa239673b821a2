"""2-D projections of word vectors for pictures: PCA (with the share of variance each axis keeps)
and t-SNE (scikit-learn, optional)."""
from __future__ import annotations

from typing import Any

import numpy as np

from ..errors import ParameterError

__all__ = ["pca", "pca_2d", "tsne_2d", "project_2d", "check_method", "axis_labels", "METHODS"]

#: Projection methods: 'pca' (linear, deterministic) and 'tsne' (needs scikit-learn).
METHODS = ("pca", "tsne")


def pca(X: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Coordinates of the rows of ``X`` (n, d) on their first two principal axes and the fraction
    of the total variance each axis holds: ``(coords (n, 2) float64, ratio (2,) float64)``.

    With ``Xc = X - mean(X, axis=0)`` and the SVD ``Xc = U S V^T``, the coordinates are
    ``Xc V[:, :2]`` (= ``U[:, :2] S[:2]``), the 2-D linear projection that keeps the most variance,
    and ``ratio[j] = S[j]**2 / sum(S**2)``. Each axis's sign is fixed so that its largest-magnitude
    coordinate is positive, which makes the picture deterministic. Missing axes (d < 2 or rank < 2)
    give zero columns and a zero ratio.
    """
    X = np.asarray(X, dtype=np.float64)
    if X.ndim != 2 or X.shape[0] < 1:
        raise ParameterError(f"pca_2d: X must be a non-empty 2-D array, got shape {X.shape}")
    if not np.all(np.isfinite(X)):
        raise ParameterError("pca_2d: X contains NaN or infinite values")
    Xc = X - X.mean(axis=0)
    U, S, _ = np.linalg.svd(Xc, full_matrices=False)
    k = min(2, S.shape[0])
    coords = np.zeros((X.shape[0], 2))
    coords[:, :k] = U[:, :k] * S[:k]
    for j in range(2):
        col = coords[:, j]
        if col[np.argmax(np.abs(col))] < 0:
            coords[:, j] = -col
    total = float(np.sum(S**2))
    ratio = np.zeros(2)
    if total > 0:
        ratio[:k] = S[:k] ** 2 / total
    return coords, ratio


def pca_2d(X: np.ndarray) -> np.ndarray:
    """The (n, 2) coordinates of :func:`pca`."""
    return pca(X)[0]


def check_method(method: str) -> None:
    """Raise ParameterError unless ``method`` is 'pca' or 'tsne' with scikit-learn installed."""
    if method not in METHODS:
        raise ParameterError(f"method must be one of {METHODS}, got {method!r}")
    if method == "tsne":
        _tsne_class()


def _tsne_class() -> Any:
    try:
        from sklearn.manifold import TSNE
    except ImportError:
        raise ParameterError(
            "method 'tsne' needs scikit-learn, which is not installed (pip install scikit-learn)"
        ) from None
    return TSNE


def tsne_2d(X: np.ndarray, seed: int = 0) -> np.ndarray:
    """t-SNE embedding (van der Maaten & Hinton 2008) of the rows of ``X`` (n, d) in 2-D, shape (n, 2).

    Uses scikit-learn's ``TSNE`` (an optional dependency) with PCA
    initialisation and a perplexity of ``min(30, (n - 1) / 3)`` so that it also works for a
    handful of words.
    """
    TSNE = _tsne_class()
    X = np.asarray(X, dtype=np.float64)
    n = X.shape[0]
    if X.ndim != 2 or n < 2:
        raise ParameterError(f"tsne_2d: X must be a 2-D array with at least 2 rows, got shape {X.shape}")
    perplexity = max(min(30.0, (n - 1) / 3.0), 1.0)
    perplexity = min(perplexity, n - 1 - 1e-6)
    tsne = TSNE(n_components=2, perplexity=perplexity, init="pca", random_state=seed)
    return np.asarray(tsne.fit_transform(X), dtype=np.float64)


def project_2d(X: np.ndarray, method: str = "pca", seed: int = 0) -> np.ndarray:
    """Project the rows of ``X`` to 2-D with ``method`` 'pca' (:func:`pca_2d`) or 'tsne' (:func:`tsne_2d`)."""
    check_method(method)
    return pca_2d(X) if method == "pca" else tsne_2d(X, seed=seed)


def axis_labels(method: str, ratio: np.ndarray | None = None) -> tuple[str, str]:
    """What the two axes of a ``method`` projection show, e.g. ``"PC 1 (12.3% of variance)"``."""
    if method == "tsne":
        return "t-SNE dimension 1", "t-SNE dimension 2"
    if ratio is None:
        return "PC 1", "PC 2"
    return tuple(f"PC {j + 1} ({100 * ratio[j]:.1f}% of variance)" for j in range(2))  # type: ignore[return-value]
