"""wordvec.plots.figures: the PCA projection against an eigendecomposition, and real image files."""
from __future__ import annotations

import importlib.util
from pathlib import Path

import matplotlib.image
import numpy as np
import pytest
from matplotlib.figure import Figure

from wordvec.errors import ParameterError
from wordvec.vectors.keyedvectors import KeyedVectors
from wordvec.plots.figures import DPI, FIGSIZE, plot_loss_history, plot_words
from wordvec.plots.projection import pca, pca_2d, project_2d

HAS_SKLEARN = importlib.util.find_spec("sklearn") is not None
WORDS = ["king", "queen", "man", "woman", "apple", "pear"]


def _kv(seed: int = 0, d: int = 7) -> KeyedVectors:
    rng = np.random.default_rng(seed)
    return KeyedVectors.from_vectors(WORDS, rng.normal(size=(len(WORDS), d)))


def _png_size(path: Path) -> tuple[int, int]:
    """(width, height) from the PNG signature and IHDR chunk."""
    data = path.read_bytes()
    assert data[:8] == b"\x89PNG\r\n\x1a\n" and data[12:16] == b"IHDR"
    return int.from_bytes(data[16:20], "big"), int.from_bytes(data[20:24], "big")


@pytest.mark.parametrize("shape", [(30, 6), (5, 40), (3, 2)])
def test_pca_2d_is_the_projection_on_the_top_two_eigenvectors(shape):
    rng = np.random.default_rng(shape[0])
    X = rng.normal(size=shape) * np.linspace(3, 0.5, shape[1]) + 4.0
    Xc = X - X.mean(axis=0)
    evals, evecs = np.linalg.eigh(Xc.T @ Xc)
    top = evecs[:, np.argsort(evals)[::-1][:2]]
    expected = Xc @ top
    got = pca_2d(X)
    assert got.shape == (shape[0], 2)
    for j in range(2):  # equal up to each axis's sign
        sign = np.sign(expected[:, j] @ got[:, j])
        np.testing.assert_allclose(got[:, j], sign * expected[:, j], atol=1e-9)
        assert got[np.argmax(np.abs(got[:, j])), j] > 0  # the sign convention
    np.testing.assert_allclose(got.mean(axis=0), 0, atol=1e-9)


def test_pca_2d_keeps_distances_of_planar_data():
    rng = np.random.default_rng(1)
    plane = rng.normal(size=(12, 2)) * [5.0, 2.0]
    rotation, _ = np.linalg.qr(rng.normal(size=(6, 6)))
    X = np.hstack([plane, np.zeros((12, 4))]) @ rotation + 3.0
    got = pca_2d(X)
    dist = lambda P: np.linalg.norm(P[:, None] - P[None], axis=-1)  # noqa: E731
    np.testing.assert_allclose(dist(got), dist(X), atol=1e-9)


def test_pca_2d_degenerate_inputs():
    np.testing.assert_array_equal(pca_2d(np.ones((1, 4))), np.zeros((1, 2)))
    one_dim = pca_2d(np.array([[1.0], [3.0], [-2.0]]))
    np.testing.assert_allclose(np.abs(one_dim[:, 0]), [1 / 3, 7 / 3, 8 / 3])  # |x - mean|
    np.testing.assert_array_equal(one_dim[:, 1], 0)
    with pytest.raises(ParameterError, match="NaN"):
        pca_2d(np.array([[0.0, np.nan], [1.0, 2.0]]))
    with pytest.raises(ParameterError, match="2-D"):
        pca_2d(np.zeros(3))
    with pytest.raises(ParameterError, match="method"):
        project_2d(np.zeros((3, 3)), method="umap")


def test_plot_words_writes_a_png_of_the_documented_size(tmp_path):
    kv = _kv()
    path = tmp_path / "words.png"
    fig = plot_words(kv, WORDS[:4], path, title="four words")
    coords = fig.axes[0].collections[0].get_offsets()
    assert _png_size(path) == (int(FIGSIZE[0] * DPI), int(FIGSIZE[1] * DPI))
    image = matplotlib.image.imread(path)
    assert image.shape[:2] == (800, 800) and image.std() > 0  # something was drawn
    np.testing.assert_allclose(coords, pca_2d(kv[WORDS[:4]]))
    assert sorted(p.name for p in tmp_path.iterdir()) == ["words.png"]  # no temporary file left


def test_plot_words_accepts_an_array_and_other_formats(tmp_path):
    X = np.arange(12.0).reshape(4, 3) ** 2
    plot_words(X, ["a", "b", "c", "d"], tmp_path / "p.svg")
    assert b"<svg" in (tmp_path / "p.svg").read_bytes()[:500]
    with pytest.raises(ParameterError, match="one row per word"):
        plot_words(X, ["a", "b"], tmp_path / "q.png")


def test_plot_words_errors_leave_no_file(tmp_path):
    kv = _kv()
    with pytest.raises(KeyError, match="'nope'"):
        plot_words(kv, ["king", "nope"], tmp_path / "a.png")
    with pytest.raises(ParameterError, match="at least 2 words"):
        plot_words(kv, ["king"], tmp_path / "a.png")
    with pytest.raises(ParameterError, match="unknown image format 'xyz'"):
        plot_words(kv, WORDS, tmp_path / "a.xyz")
    assert list(tmp_path.iterdir()) == []


def test_a_failed_save_keeps_the_previous_image(tmp_path, monkeypatch):
    path = tmp_path / "words.png"
    plot_words(_kv(), WORDS, path)
    before = path.read_bytes()

    def broken_savefig(self, fname, **kwargs):
        Path(fname).write_bytes(b"half an image")
        raise OSError("disk full")

    monkeypatch.setattr(Figure, "savefig", broken_savefig)
    with pytest.raises(OSError, match="disk full"):
        plot_words(_kv(seed=1), WORDS, path)
    assert path.read_bytes() == before
    assert [p.name for p in tmp_path.iterdir()] == ["words.png"]


@pytest.mark.skipif(HAS_SKLEARN, reason="scikit-learn is installed")
def test_tsne_without_scikit_learn_is_a_clear_error(tmp_path):
    with pytest.raises(ParameterError, match="scikit-learn"):
        plot_words(_kv(), WORDS, tmp_path / "t.png", method="tsne")
    assert list(tmp_path.iterdir()) == []


@pytest.mark.skipif(not HAS_SKLEARN, reason="scikit-learn is not installed")
def test_tsne_plot(tmp_path):
    fig = plot_words(_kv(), WORDS, tmp_path / "t.png", method="tsne")
    coords = np.asarray(fig.axes[0].collections[0].get_offsets())
    assert fig.axes[0].get_xlabel() == "t-SNE dimension 1"
    assert coords.shape == (len(WORDS), 2) and np.isfinite(coords).all()
    assert _png_size(tmp_path / "t.png") == (800, 800)


def test_plot_loss_history(tmp_path):
    path = tmp_path / "loss.png"
    fig = plot_loss_history([3.0, 2.5, 2.2], path)
    assert _png_size(path) == (800, 500)
    ax = fig.axes[0]
    fig.canvas.draw()
    ticks = [t for t in ax.get_xticks() if ax.get_xlim()[0] <= t <= ax.get_xlim()[1]]
    assert ticks and all(float(t).is_integer() for t in ticks)  # whole epochs only
    assert ax.get_xlabel() == "epoch" and ax.get_ylabel() == "mean loss per training example"
    with pytest.raises(ParameterError, match="empty"):
        plot_loss_history([], tmp_path / "none.png")


def test_pca_explained_variance_is_the_share_of_each_component():
    rng = np.random.default_rng(3)
    X = rng.normal(size=(50, 5)) * [4.0, 2.0, 1.0, 0.5, 0.1]
    _, ratio = pca(X)
    evals = np.sort(np.linalg.eigvalsh(np.cov(X.T)))[::-1]
    np.testing.assert_allclose(ratio, evals[:2] / evals.sum(), rtol=1e-9)


def test_plot_words_labels_axes_with_the_variance_and_writes_nothing_unasked(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    kv = _kv()
    fig = plot_words(kv, WORDS)
    _, ratio = pca(kv[WORDS])
    ax = fig.axes[0]
    assert ax.get_xlabel() == f"PC 1 ({100 * ratio[0]:.1f}% of variance)"
    assert ax.get_ylabel() == f"PC 2 ({100 * ratio[1]:.1f}% of variance)"
    assert list(tmp_path.iterdir()) == []


def test_figure_size_dpi_and_font_size(tmp_path):
    fig = plot_words(_kv(), WORDS, tmp_path / "s.png", figsize=(4, 3), dpi=50, fontsize=7)
    assert _png_size(tmp_path / "s.png") == (200, 150)
    assert {t.get_fontsize() for t in fig.axes[0].texts} == {7.0}
    with pytest.raises(ParameterError, match="dpi"):
        plot_words(_kv(), WORDS, dpi=0)
    with pytest.raises(ParameterError, match="fontsize"):
        plot_words(_kv(), WORDS, fontsize=-1)
