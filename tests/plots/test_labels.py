"""Word labels on the drawn figures: measured with the renderer, no two overlap, every label is
inside the axes and next to its point (or joined to it by a leader line)."""
from __future__ import annotations

import numpy as np
import pytest
from matplotlib.text import Text

from wordvec.plots.figures import plot_analogies, plot_frequent_words, plot_neighbours, plot_words
from wordvec.plots.labels import overlapping_pairs
from wordvec.vectors.keyedvectors import KeyedVectors


def _clustered_kv(n: int, d: int = 20, seed: int = 0, spread: float = 0.4) -> KeyedVectors:
    """n words in 4 clusters; tight ones (small ``spread``) are the hard case: many labels compete
    for the same spots."""
    rng = np.random.default_rng(seed)
    centres = rng.normal(size=(4, d)) * 3
    X = centres[np.arange(n) % 4] + rng.normal(size=(n, d)) * spread
    words = [f"{w}{i}" for i, w in zip(range(n), ["word", "longerword", "w", "middle"] * n)]
    return KeyedVectors.from_vectors(words, X)


def _drawn_labels(fig):
    fig.canvas.draw()
    renderer = fig.canvas.get_renderer()
    ax = fig.axes[0]
    texts = [t for t in ax.texts if hasattr(t, "xy") and t.get_text()]  # annotations with text: the labels
    # Text's own extent: an Annotation's would include its leader line
    boxes = np.array([[b.x0, b.y0, b.x1, b.y1] for b in (Text.get_window_extent(t, renderer) for t in texts)])
    return ax, texts, boxes


def _own_overlaps(boxes):
    pairs = []
    for i in range(len(boxes)):
        for j in range(i + 1, len(boxes)):
            a, b = boxes[i], boxes[j]
            if min(a[2], b[2]) > max(a[0], b[0]) and min(a[3], b[3]) > max(a[1], b[1]):
                pairs.append((i, j))
    return pairs


@pytest.mark.parametrize("spread", [0.4, 3.0])
@pytest.mark.parametrize("n", [20, 80])
def test_no_two_word_labels_overlap(n, spread, tmp_path):
    kv = _clustered_kv(n, spread=spread)
    words = list(kv.index_to_key)
    fig = plot_words(kv, words, tmp_path / f"w{n}.png")
    ax, texts, boxes = _drawn_labels(fig)
    assert sorted(t.get_text() for t in texts) == sorted(words)  # every word is labelled
    assert _own_overlaps(boxes) == [] == overlapping_pairs(boxes)
    frame = ax.bbox
    assert (boxes[:, 0] >= frame.x0).all() and (boxes[:, 2] <= frame.x1).all()
    assert (boxes[:, 1] >= frame.y0).all() and (boxes[:, 3] <= frame.y1).all()
    points = ax.transData.transform(np.array([t.xy for t in texts]))
    gap_x = np.maximum(0, np.maximum(boxes[:, 0] - points[:, 0], points[:, 0] - boxes[:, 2]))
    gap_y = np.maximum(0, np.maximum(boxes[:, 1] - points[:, 1], points[:, 1] - boxes[:, 3]))
    gap = np.hypot(gap_x, gap_y)
    led = np.array([t.arrow_patch is not None for t in texts])
    size = 10 * fig.dpi / 72
    assert (gap[~led] <= 1.2 * size).all()  # unled labels sit right beside their point
    if spread > 1:  # points spread out: nearly every label right beside its point
        assert led.mean() < 0.2, f"{led.sum()} of {n} labels needed a leader line"
    far = np.hypot(frame.width, frame.height) / 4
    assert (gap <= far).all()  # even in a crowd, no label is sent across the picture


def test_the_measure_sees_overlaps():
    boxes = np.array([[0, 0, 10, 10], [9, 9, 20, 20], [20.5, 0, 30, 5], [0, 10, 5, 12]])
    assert overlapping_pairs(boxes) == [(0, 1)] == _own_overlaps(boxes)


def test_frequent_words_map_labels_a_readable_subset(tmp_path):
    kv = _clustered_kv(400)
    fig = plot_frequent_words(kv, 300, tmp_path / "map.png")
    ax, texts, boxes = _drawn_labels(fig)
    shown = [t.get_text() for t in texts]
    assert 20 <= len(shown) < 300 and _own_overlaps(boxes) == []
    assert shown == [w for w in kv.index_to_key[:300] if w in set(shown)]  # the most frequent first
    assert shown[0] == kv.index_to_key[0]
    assert len(ax.collections[0].get_offsets()) == 300  # fitted on and drawn: the 300 most frequent
    assert f"{len(shown)} of 300 words labelled" in [t.get_text() for t in ax.texts]


def test_neighbours_and_analogies_labels_do_not_overlap(tmp_path):
    kv = _clustered_kv(80)
    fig = plot_neighbours(kv, "word0", topn=20)
    ax, texts, boxes = _drawn_labels(fig)
    assert len(texts) == 21 and _own_overlaps(boxes) == []
    found = kv.most_similar("word0", topn=20)
    centre = ax.transData.transform([(0.0, 0.0)])[0]
    for (word, sim), t in zip(found, texts[1:]):
        assert t.get_text().startswith(word + " ")
        assert np.isclose(np.hypot(*t.xy), 1 - sim)  # distance from the centre = cosine distance
    assert np.allclose(ax.transData.transform([texts[0].xy])[0], centre)
    pairs = [(f"word{i}", f"longerword{i + 1}") for i in range(0, 40, 4)]
    fig = plot_analogies(kv, pairs, tmp_path / "a.png")
    ax, texts, boxes = _drawn_labels(fig)
    assert len(texts) == 20 and _own_overlaps(boxes) == []
    arrows = [t for t in ax.texts if not t.get_text()]  # annotations without text: the arrows
    at = dict(zip([t.get_text() for t in texts], [t.xy for t in texts]))
    assert [(tuple(a.xyann), tuple(a.xy)) for a in arrows] == [(tuple(at[a]), tuple(at[b])) for a, b in pairs]
