"""Pictures of word vectors: labelled 2-D maps (PCA, t-SNE), the most frequent words, the
neighbours of a word, a similarity heatmap, analogy arrows and the training-loss curve.

Every function returns the matplotlib ``Figure`` (drawn on an Agg canvas without pyplot: no
global state, no display needed, it shows in a notebook) and writes a file only when ``path``
is given: atomically, in the format of the file name's extension (``.png``, ``.pdf``, ``.svg``,
...), at ``dpi``. ``figsize`` (inches), ``dpi`` and ``fontsize`` (points) set the size of
everything. Word labels never overlap (:mod:`wordvec.plots.labels`).
"""
from __future__ import annotations

import os
from pathlib import Path
from typing import Any, Sequence

import numpy as np

from ..errors import ParameterError, UnknownWordError
from ..formats.atomic import atomic_path
from .labels import attach_canvas, place_labels
from .projection import axis_labels, check_method, pca, project_2d

__all__ = [
    "plot_words", "plot_frequent_words", "plot_neighbours", "plot_similarity_heatmap", "plot_analogies",
    "plot_loss_history", "save_figure", "check_image_path", "FIGSIZE", "DPI", "FONTSIZE",
]

#: Default figure size in inches and resolution: a ``.png`` is ``FIGSIZE * DPI`` pixels (800 x 800).
FIGSIZE = (8.0, 8.0)
DPI = 100
#: Default size of word labels, in points.
FONTSIZE = 10.0


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


def save_figure(fig: Any, path: str | os.PathLike) -> Path:
    """Write ``fig`` to ``path`` atomically at the figure's dpi, in the format of the extension."""
    path = Path(path)
    check_image_path(path)
    attach_canvas(fig)
    with atomic_path(path) as tmp:
        fig.savefig(tmp, dpi=fig.dpi, format=path.suffix[1:].lower() or "png")
    return path


def _figure(
    figsize: Sequence[float] | None, dpi: float | None, default: tuple[float, float] = FIGSIZE, layout: str | None = None
) -> Any:
    from matplotlib.figure import Figure

    figsize = tuple(default if figsize is None else figsize)
    dpi = DPI if dpi is None else dpi
    if len(figsize) != 2 or not all(np.isfinite(v) and 0.5 <= v <= 100 for v in figsize):
        raise ParameterError(f"figsize must be (width, height) in inches between 0.5 and 100, got {figsize}")
    if not (np.isfinite(dpi) and 10 <= dpi <= 2000):
        raise ParameterError(f"dpi must be between 10 and 2000, got {dpi}")
    fig = Figure(figsize=figsize, dpi=dpi, layout=layout)
    attach_canvas(fig)
    return fig


def _check_fontsize(fontsize: float) -> float:
    if not (np.isfinite(fontsize) and 2 <= fontsize <= 200):
        raise ParameterError(f"fontsize must be between 2 and 200 points, got {fontsize}")
    return float(fontsize)


def _lookup(kv_or_vectors: Any, words: Sequence[str]) -> np.ndarray:
    """Rows for ``words``: from a KeyedVectors-like (``kv[word]``) or an array aligned with ``words``."""
    if isinstance(kv_or_vectors, (np.ndarray, list, tuple)):
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


def _unit(X: np.ndarray) -> np.ndarray:
    norms = np.linalg.norm(X, axis=1, keepdims=True)
    return X / np.where(norms > 0, norms, 1.0)


def _project(X: np.ndarray, method: str, seed: int) -> tuple[np.ndarray, tuple[str, str]]:
    if method == "pca":
        coords, ratio = pca(X)
        return coords, axis_labels("pca", ratio)
    return project_2d(X, method, seed), axis_labels(method)


def _frame(ax: Any, coords: np.ndarray, margin: float = 0.08) -> None:
    """Fix the axes limits around ``coords`` (labels are placed in pixels, so limits must not move)."""
    lo, hi = coords.min(axis=0), coords.max(axis=0)
    span = np.where(hi - lo > 0, hi - lo, 1.0)
    ax.set_xlim(lo[0] - margin * span[0], hi[0] + margin * span[0])
    ax.set_ylim(lo[1] - margin * span[1], hi[1] + margin * span[1])


def _finish(fig: Any, path: str | os.PathLike | None) -> Any:
    if path is not None:
        save_figure(fig, path)
    return fig


def _scatter_figure(coords, labels, title, method_labels, figsize, dpi, fontsize) -> tuple[Any, Any]:
    fig = _figure(figsize, dpi)
    ax = fig.add_subplot()
    ax.set_xlabel(method_labels[0], fontsize=fontsize)
    ax.set_ylabel(method_labels[1], fontsize=fontsize)
    ax.set_title(title, fontsize=fontsize * 1.2)
    ax.tick_params(labelsize=fontsize * 0.8)
    ax.grid(True, alpha=0.3)
    _frame(ax, coords)
    fig.tight_layout()
    return fig, ax


def plot_words(
    kv_or_vectors: Any,
    words: Sequence[str],
    path: str | os.PathLike | None = None,
    method: str = "pca",
    title: str | None = None,
    seed: int = 0,
    figsize: Sequence[float] | None = None,
    dpi: float | None = None,
    fontsize: float = FONTSIZE,
) -> Any:
    """Scatter plot of ``words`` projected to 2-D, every point labelled with its word; returns the Figure.

    ``kv_or_vectors`` is a KeyedVectors (every word must be in it, else ``UnknownWordError``, a KeyError) or an
    (n, d) array whose rows belong to ``words`` in order. The projection is fitted on these words
    only (as in the CS224N assignment), with ``method`` 'pca' (axes labelled with the share of the
    variance each principal component keeps) or 'tsne'.
    """
    words = [str(w) for w in words]
    if len(words) < 2:
        raise ParameterError(f"plot_words needs at least 2 words, got {len(words)}")
    check_method(method)
    fontsize = _check_fontsize(fontsize)
    if path is not None:
        check_image_path(path)
    X = _lookup(kv_or_vectors, words)
    coords, names = _project(X, method, seed)
    title = title if title is not None else f"{len(words)} words, {'PCA' if method == 'pca' else 't-SNE'}"
    fig, ax = _scatter_figure(coords, words, title, names, figsize, dpi, fontsize)
    ax.scatter(coords[:, 0], coords[:, 1], s=18, color="tab:red", zorder=3)
    place_labels(ax, coords, words, fontsize=fontsize)
    return _finish(fig, path)


def plot_frequent_words(
    kv: Any,
    n: int = 300,
    path: str | os.PathLike | None = None,
    method: str = "pca",
    max_labels: int | None = None,
    title: str | None = None,
    seed: int = 0,
    figsize: Sequence[float] | None = None,
    dpi: float | None = None,
    fontsize: float = 9.0,
) -> Any:
    """A map of the ``n`` most frequent words of ``kv`` (its first ``n``: word2vec files and models
    are sorted by decreasing count); returns the Figure.

    The projection ('pca' or 'tsne') is fitted on the unit vectors of these ``n`` words. Labels go
    to the most frequent words first, as many as fit without overlapping (at most ``max_labels``,
    default all); the unlabelled words stay as grey dots.
    """
    check_method(method)
    fontsize = _check_fontsize(fontsize)
    n = min(int(n), len(kv))
    if n < 2:
        raise ParameterError(f"plot_frequent_words needs at least 2 words, got {n}")
    if path is not None:
        check_image_path(path)
    words = list(kv.index_to_key[:n])
    coords, names = _project(_unit(_lookup(kv, words)), method, seed)
    title = title if title is not None else f"the {n} most frequent words, {'PCA' if method == 'pca' else 't-SNE'}"
    fig, ax = _scatter_figure(coords, words, title, names, figsize, dpi, fontsize)
    ax.scatter(coords[:, 0], coords[:, 1], s=6, color="0.6", zorder=2)
    k = n if max_labels is None else min(max_labels, n)
    texts = place_labels(ax, coords[:k], words[:k], fontsize=fontsize, optional=True,
                         max_distance=0.8 * fontsize * fig.dpi / 72, marker_radius=2.5, avoid=coords[k:])
    shown = {t.get_text() for t in texts}
    keep = np.array([w in shown for w in words])
    ax.scatter(coords[keep, 0], coords[keep, 1], s=10, color="tab:blue", zorder=3)
    ax.text(0.99, 0.01, f"{len(shown)} of {n} words labelled", transform=ax.transAxes, ha="right", va="bottom",
            fontsize=fontsize * 0.8, color="0.4")
    return _finish(fig, path)


def plot_neighbours(
    kv: Any,
    word: str,
    topn: int = 15,
    path: str | os.PathLike | None = None,
    title: str | None = None,
    figsize: Sequence[float] | None = None,
    dpi: float | None = None,
    fontsize: float = FONTSIZE,
) -> Any:
    """The ``topn`` nearest neighbours of ``word`` around it; returns the Figure.

    Each neighbour sits at a distance from the centre equal to its cosine distance
    ``1 - cos(word, neighbour)`` (the rings are labelled with cosine similarity), in the direction
    its unit vector differs from ``word``'s, projected on the first two principal axes of those
    differences: neighbours that resemble each other point the same way.
    """
    fontsize = _check_fontsize(fontsize)
    if word not in kv.key_to_index:
        raise UnknownWordError(f"word {word!r} is not in the vocabulary")
    if path is not None:
        check_image_path(path)
    found = kv.most_similar(positive=[word], topn=int(topn))
    if not found:
        raise ParameterError(f"{word!r} has no neighbours to plot")
    names = [w for w, _ in found]
    sims = np.array([s for _, s in found])
    U = _unit(_lookup(kv, [word, *names]))
    directions = pca(U[1:] - U[0])[0] if len(names) > 1 else np.array([[1.0, 0.0]])
    angle = np.arctan2(directions[:, 1], directions[:, 0])
    radius = 1.0 - sims
    coords = np.column_stack([radius * np.cos(angle), radius * np.sin(angle)])
    fig = _figure(figsize, dpi)
    ax = fig.add_subplot()
    ax.set_aspect("equal")
    rmax = float(radius.max()) * 1.25 or 1.0
    ax.set_xlim(-rmax, rmax)
    ax.set_ylim(-rmax, rmax)
    digits = _digits(sims)
    for level in _ring_levels(float(sims.min())):
        r = 1.0 - level
        ax.add_patch(_circle(r))
        ax.text(0, r, f"cos {level:.{digits}f}", ha="center", va="bottom", fontsize=fontsize * 0.7, color="0.5")
    ax.set_xticks([])
    ax.set_yticks([])
    ax.set_xlabel("distance from the centre = 1 - cosine similarity; direction: PCA of the differences",
                  fontsize=fontsize * 0.8)
    ax.set_title(title if title is not None else f"the {len(names)} nearest neighbours of {word!r}",
                 fontsize=fontsize * 1.2)
    fig.tight_layout()
    for (x, y) in coords:
        ax.plot([0, x], [0, y], color="0.8", lw=0.6, zorder=1)
    sc = ax.scatter(coords[:, 0], coords[:, 1], c=sims, cmap="viridis", s=24, zorder=3)
    ax.scatter([0], [0], s=60, color="tab:red", zorder=4)
    cbar = fig.colorbar(sc, ax=ax, shrink=0.6, pad=0.02)
    cbar.set_label("cosine similarity", fontsize=fontsize * 0.8)
    labels = [f"{w} {s:.{digits}f}" for w, s in found]
    place_labels(ax, np.vstack([[0.0, 0.0], coords]), [word, *labels], fontsize=fontsize)
    return _finish(fig, path)


def _ring_levels(lowest: float) -> list[float]:
    """Round cosine similarities between ``lowest`` and 1 worth a ring (3 to 5 of them)."""
    from matplotlib.ticker import MaxNLocator

    levels = MaxNLocator(4).tick_values(lowest, 1.0)
    return [float(v) for v in levels if lowest <= v < 1.0]


def _digits(sims: np.ndarray) -> int:
    """Decimals that tell the similarities apart: 2, or more when they are close together."""
    spread = float(sims.max() - sims.min())
    return int(min(4, max(2, 1 - np.floor(np.log10(spread))))) if spread > 0 else 2


def _circle(r: float) -> Any:
    from matplotlib.patches import Circle

    return Circle((0, 0), r, fill=False, color="0.85", lw=0.8, zorder=0)


def plot_similarity_heatmap(
    kv: Any,
    words: Sequence[str],
    path: str | os.PathLike | None = None,
    title: str | None = None,
    annotate: bool | None = None,
    figsize: Sequence[float] | None = None,
    dpi: float | None = None,
    fontsize: float = FONTSIZE,
) -> Any:
    """The matrix of cosine similarities between ``words`` as a heatmap (blue -1 ... red +1);
    returns the Figure. Cells show their value when ``annotate`` (default: up to 20 words)."""
    words = [str(w) for w in words]
    if len(words) < 2:
        raise ParameterError(f"plot_similarity_heatmap needs at least 2 words, got {len(words)}")
    fontsize = _check_fontsize(fontsize)
    if path is not None:
        check_image_path(path)
    U = _unit(_lookup(kv, words))
    S = np.clip(U @ U.T, -1.0, 1.0)
    fig = _figure(figsize, dpi, layout="constrained")
    ax = fig.add_subplot()
    im = ax.imshow(S, cmap="RdBu_r", vmin=-1, vmax=1)
    ax.set_xticks(range(len(words)), words, rotation=60, ha="right", rotation_mode="anchor", fontsize=fontsize)
    ax.set_yticks(range(len(words)), words, fontsize=fontsize)
    if annotate if annotate is not None else len(words) <= 20:
        for i in range(len(words)):
            for j in range(len(words)):
                ax.text(j, i, f"{np.round(S[i, j], 2) + 0.0:.2f}", ha="center", va="center", fontsize=fontsize * 0.7,
                        color="white" if abs(S[i, j]) > 0.6 else "black")
    cbar = fig.colorbar(im, ax=ax, shrink=0.8)
    cbar.set_label("cosine similarity", fontsize=fontsize)
    ax.set_title(title if title is not None else f"cosine similarity of {len(words)} words", fontsize=fontsize * 1.2)
    return _finish(fig, path)


def plot_analogies(
    kv_or_vectors: Any,
    pairs: Sequence[tuple[str, str]],
    path: str | os.PathLike | None = None,
    method: str = "pca",
    title: str | None = None,
    seed: int = 0,
    figsize: Sequence[float] | None = None,
    dpi: float | None = None,
    fontsize: float = FONTSIZE,
) -> Any:
    """Arrows from the first to the second word of each pair (man -> woman, king -> queen) in a
    2-D projection fitted on the words of the pairs; returns the Figure. Parallel arrows of
    similar length are what a good analogy looks like. ``kv_or_vectors`` may be a KeyedVectors
    or a dict-like ``word -> vector``."""
    pairs = [(str(a), str(b)) for a, b in pairs]
    if not pairs:
        raise ParameterError("plot_analogies needs at least one pair of words")
    check_method(method)
    fontsize = _check_fontsize(fontsize)
    if path is not None:
        check_image_path(path)
    words = list(dict.fromkeys(w for pair in pairs for w in pair))
    if len(words) < 2:
        raise ParameterError("plot_analogies needs at least 2 distinct words")
    coords, names = _project(_unit(_lookup(kv_or_vectors, words)), method, seed)
    at = {w: coords[i] for i, w in enumerate(words)}
    title = title if title is not None else f"{len(pairs)} word pairs, {'PCA' if method == 'pca' else 't-SNE'}"
    fig, ax = _scatter_figure(coords, words, title, names, figsize, dpi, fontsize)
    colors = [f"C{i % 10}" for i in range(len(pairs))]
    for (a, b), color in zip(pairs, colors):
        ax.annotate("", xy=tuple(at[b]), xytext=tuple(at[a]),
                    arrowprops=dict(arrowstyle="-|>", color=color, lw=1.5, shrinkA=3, shrinkB=3), zorder=2)
    ax.scatter(coords[:, 0], coords[:, 1], s=16, color="0.2", zorder=3)
    t = np.linspace(0.1, 0.9, 17)[:, None]
    along = np.vstack([at[a] + t * (at[b] - at[a]) for a, b in pairs])  # labels keep off the arrows
    place_labels(ax, coords, words, fontsize=fontsize, avoid=along)
    return _finish(fig, path)


def plot_loss_history(
    losses: Sequence[float],
    path: str | os.PathLike | None = None,
    title: str | None = None,
    xlabel: str = "epoch",
    ylabel: str = "mean loss per training example",
    figsize: Sequence[float] | None = None,
    dpi: float | None = None,
    fontsize: float = FONTSIZE,
) -> Any:
    """The loss curve (``losses[i]`` at epoch i + 1, whole-epoch ticks); returns the Figure.

    ``Word2Vec.loss_history`` holds each epoch's mean loss per training example (per (word,
    context) pair for skip-gram, per window for CBOW), which ``ylabel`` names by default."""
    from matplotlib.ticker import MaxNLocator

    y = np.asarray(losses, dtype=np.float64).ravel()
    if y.size == 0:
        raise ParameterError("plot_loss_history: losses is empty")
    fontsize = _check_fontsize(fontsize)
    if path is not None:
        check_image_path(path)
    fig = _figure(figsize, dpi, default=(8.0, 5.0))
    ax = fig.add_subplot()
    x = np.arange(1, y.size + 1)
    ax.plot(x, y, marker="o" if y.size <= 50 else None, color="tab:blue")
    ax.xaxis.set_major_locator(MaxNLocator(integer=True))
    if y.size == 1:
        ax.set_xlim(0.5, 1.5)
    ax.set_xlabel(xlabel, fontsize=fontsize)
    ax.set_ylabel(ylabel, fontsize=fontsize)
    ax.tick_params(labelsize=fontsize * 0.8)
    ax.grid(True, alpha=0.3)
    ax.set_title(title if title is not None else "training loss", fontsize=fontsize * 1.2)
    fig.tight_layout()
    return _finish(fig, path)
