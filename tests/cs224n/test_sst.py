"""wordvec.cs224n.sst: the CS224N experiment's data pipeline, the pair-count equivalence, both runs (tiny)."""
from __future__ import annotations

from collections import Counter

import numpy as np
import pytest
from matplotlib.image import imread

from wordvec.errors import ParameterError
from wordvec.vectors.keyedvectors import KeyedVectors
from wordvec.resources import sst_sentences
from wordvec.cs224n.sst import (
    BATCH,
    PLOT_WORDS,
    CS224NWindows,
    equivalent_epochs,
    run_fast,
    run_reference,
)


def test_equivalent_epochs_counts_kept_tokens():
    corpus = [["a", "b", "c"], ["a", "b"]]  # 5 tokens
    assert equivalent_epochs(corpus, windows=50, sample=0) == 10  # everything kept
    assert equivalent_epochs(corpus, windows=1, sample=0) == 1  # at least one pass
    # word2vec's keep probability for sample=1e-5 on SST: 63,424 kept tokens per pass expected
    assert equivalent_epochs(sst_sentences(), windows=40_000 * BATCH) == 32
    with pytest.raises(ParameterError, match="empty"):
        equivalent_epochs([[]], windows=10)


def test_windows_follow_the_cs224n_pipeline():
    sentences = [["solo"], list("abcdefg"), ["x", "x"]]
    data = CS224NWindows(sentences, sample=1.0)  # sqrt(1 / f) >= 1: every token kept
    assert data.words == ["solo", *"abcdefg", "x"]  # order of first appearance
    np.testing.assert_array_equal(data.counts, [1, 1, 1, 1, 1, 1, 1, 1, 2])
    np.random.seed(0)
    seen = Counter()
    for _ in range(400):
        center, context = data.random_context(2)
        # 'solo' has no context and 'x x' has only copies of the center: never drawn
        assert center in "abcdefg"
        i = "abcdefg".index(center)
        assert context == list("abcdefg"[max(0, i - 2):i] + "abcdefg"[i + 1:i + 3])
        seen[center] += 1
    assert set(seen) == set("abcdefg")


def test_subsampling_keeps_sqrt_t_over_f():
    sentences = [["the"] * 98 + ["cat", "dog"]]
    data = CS224NWindows(sentences, sample=1e-2)
    keep = np.sqrt(1e-2 / 0.98)
    np.testing.assert_allclose(data.keep_prob, [keep, 1.0, 1.0])  # f = 0.01 for cat and dog
    np.random.seed(1)
    lengths = np.array([len(data._sentence()) for _ in range(400)])
    # the 2 rare words always kept + Binomial(98, 0.101) copies of 'the': mean 11.9, sd 3.0
    assert lengths.min() >= 2 and abs(lengths.mean() - (2 + 98 * keep)) < 0.6


def test_run_fast_small(tmp_path):
    result = run_fast(tmp_path / "fast", iterations=2600)  # 130,000 windows: 2 epochs
    assert result.details["epochs"] == 2
    assert 0.8 * 130_000 < result.windows < 1.2 * 130_000
    loss = result.details["loss_history"]
    assert len(loss) == 2 and loss[1] < loss[0]
    kv = KeyedVectors.load_word2vec_format(result.vectors_path)
    assert kv.vector_size == 10 and len(kv) == len(set(w for s in sst_sentences() for w in s))
    assert all(w in kv for w in PLOT_WORDS)
    assert imread(result.plot_path).shape[:2] == (800, 800)
    assert result.coords.shape == (len(PLOT_WORDS), 2)
    # one worker thread: the same seed gives the same vectors
    again = run_fast(tmp_path / "again", iterations=2600)
    assert again.vectors_path.read_bytes() == result.vectors_path.read_bytes()


def test_run_reference_tiny(tmp_path):
    state = np.random.get_state()
    result = run_reference(tmp_path / "ref", iterations=3)
    after = np.random.get_state()
    assert all(np.array_equal(a, b) for a, b in zip(state, after))  # the global state is restored
    assert result.windows == 3 * BATCH and np.isfinite(result.final_loss)
    # the loss of 10-dim vectors near 0: about (1 + K) log 2 per (center, context) pair
    assert 5 < result.final_loss < 60
    kv = KeyedVectors.load_word2vec_format(result.vectors_path)
    assert kv.vector_size == 10 and all(w in kv for w in PLOT_WORDS)
    assert imread(result.plot_path).shape[:2] == (800, 800)
    again = run_reference(tmp_path / "again", iterations=3)
    assert again.vectors_path.read_bytes() == result.vectors_path.read_bytes()
    other_seed = run_reference(tmp_path / "other", iterations=3, seed=7)
    assert other_seed.vectors_path.read_bytes() != result.vectors_path.read_bytes()


def test_bad_arguments(tmp_path):
    with pytest.raises(ParameterError, match="iterations"):
        run_fast(tmp_path, iterations=0)
    (tmp_path / "file").write_text("x")
    with pytest.raises(ParameterError, match="not a folder"):
        run_reference(tmp_path / "file", iterations=1)
