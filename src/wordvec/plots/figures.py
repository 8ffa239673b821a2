"""Pictures of word vectors: 2-D projections (PCA, t-SNE) in labelled scatter plots, loss curves.

Figures are drawn on matplotlib's Agg canvas without pyplot (no global state, no display needed)
and written atomically through :func:`wordvec.atomic.atomic_path`; the image format follows the
file name's extension (``.png``, ``.pdf``, ``.svg``, ...).
"""
from __future__ import annotations

import os
from pathlib import Path
from typing import Any, Sequence

import numpy as np

from ..formats.atomic import atomic_path
from ..errors import ParameterError, UnknownWordError

__all__ = ["pca_2d", "tsne_2d", "project_2d", "plot_words", "plot_loss_history", "check_method", "check_image_path"]

#: Figure size in inches and resolution: a ``.png`` is ``FIGSIZE * DPI`` pixels (800 x 800).
FIGSIZE = (8.0, 8.0)
DPI = 100

_METHODS = ("pca", "tsne")


def pca_2d(X: np.ndarray) -> np.ndarray:
    """Coordinates of the rows of ``X`` (n, d) on their first two principal axes, shape (n, 2), float64.

    With ``Xc = X - mean(X, axis=0)`` and the SVD ``Xc = U S V^T``, the result is ``Xc V[:, :2]``
    (= ``U[:, :2] S[:2]``): the 2-D linear projection that keeps the most variance. Each axis's
    sign is fixed so that its largest-magnitude coordinate is positive, which makes the picture
    deterministic. Missing axes (d < 2 or rank < 2) give zero columns.
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
    return coords


def check_method(method: str) -> None:
    """Raise ParameterError unless ``method`` is 'pca' or 'tsne' with scikit-learn installed."""
    if method not in _METHODS:
        raise ParameterError(f"method must be one of {_METHODS}, got {method!r}")
    if method == "tsne":
        _tsne_class()


def check_image_path(path: str | os.PathLike) -> None:
    """Raise ParameterError when matplotlib cannot write the format of ``path``'s extension."""
    from matplotlib.backend_bases import FigureCanvasBase

    fmt = Path(path).suffix[1:].lower()
    supported = FigureCanvasBase.get_supported_filetypes()
    if fmt and fmt not in supported:
        raise ParameterError(
            f"cannot write a figure to {str(path)!r}: unknown image format {fmt!r} "
            f"(use one of {', '.join(sorted(supported))})"
        )


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

    Uses scikit-learn's ``TSNE`` (an optional dependency) with PCA initialisation and a perplexity
    of ``min(30, (n - 1) / 3)`` so that it also works for a handful of words.
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


def _lookup(kv_or_vectors: Any, words: Sequence[str]) -> np.ndarray:
    """Rows for ``words``: from a KeyedVectors-like (``kv[word]``) or an array aligned with ``words``."""
    if isinstance(kv_or_vectors, np.ndarray) or isinstance(kv_or_vectors, (list, tuple)):
        X = np.asarray(kv_or_vectors, dtype=np.float64)
        if X.ndim != 2 or X.shape[0] != len(words):
            raise ParameterError(
                f"vectors must be a 2-D array with one row per word ({len(words)}), got shape {X.shape}"
            )
        return X
    missing = [w for w in words if w not in kv_or_vectors.key_to_index]
    if missing:
        raise UnknownWordError(f"word {missing[0]!r} is not in the vocabulary")
    return np.asarray(np.stack([np.asarray(kv_or_vectors[w]) for w in words]), dtype=np.float64)


def _save(fig: Any, path: str | os.PathLike) -> Path:
    path = Path(path)
    check_image_path(path)
    with atomic_path(path) as tmp:
        fig.savefig(tmp, dpi=DPI, format=path.suffix[1:].lower() or "png")
    return path


def plot_words(
    kv_or_vectors: Any,
    words: Sequence[str],
    path: str | os.PathLike,
    method: str = "pca",
    title: str | None = None,
    seed: int = 0,
) -> np.ndarray:
    """Scatter plot of ``words`` projected to 2-D, each point labelled with its word; returns the (n, 2) coordinates.

    ``kv_or_vectors`` is a KeyedVectors (every word must be in it, else ``UnknownWordError``, a KeyError) or an
    (n, d) array whose rows belong to ``words`` in order. The projection is fitted on these words
    only (as in the CS224N assignment), with ``method`` 'pca' or 'tsne'. The figure is 800 x 800
    pixels for raster formats and is written atomically to ``path``.
    """
    from matplotlib.figure import Figure

    words = [str(w) for w in words]
    if len(words) < 2:
        raise ParameterError(f"plot_words needs at least 2 words, got {len(words)}")
    check_method(method)
    check_image_path(path)
    X = _lookup(kv_or_vectors, words)
    fig = Figure(figsize=FIGSIZE, dpi=DPI)
    coords = project_2d(X, method=method, seed=seed)
    ax = fig.add_subplot()
    ax.scatter(coords[:, 0], coords[:, 1], s=18, color="tab:red", zorder=2)
    for (x, y), word in zip(coords, words):
        ax.annotate(word, (x, y), xytext=(3, 3), textcoords="offset points", fontsize=10)
    ax.margins(0.12)
    ax.grid(True, alpha=0.3)
    labels = {"pca": ("PC 1", "PC 2"), "tsne": ("t-SNE 1", "t-SNE 2")}[method]
    ax.set_xlabel(labels[0])
    ax.set_ylabel(labels[1])
    ax.set_title(title if title is not None else f"{len(words)} words, {method.upper()} projection")
    _save(fig, path)
    return coords


def plot_loss_history(
    losses: Sequence[float], path: str | os.PathLike, title: str | None = None, xlabel: str = "epoch"
) -> Path:
    """Line plot of a loss curve (``losses[i]`` at x = i + 1), written atomically to ``path``."""
    from matplotlib.figure import Figure

    y = np.asarray(losses, dtype=np.float64).ravel()
    if y.size == 0:
        raise ParameterError("plot_loss_history: losses is empty")
    fig = Figure(figsize=(8.0, 5.0), dpi=DPI)
    ax = fig.add_subplot()
    ax.plot(np.arange(1, y.size + 1), y, marker="o" if y.size <= 50 else None)
    ax.set_xlabel(xlabel)
    ax.set_ylabel("mean loss")
    ax.grid(True, alpha=0.3)
    ax.set_title(title if title is not None else "training loss")
    return _save(fig, path)
