"""gensim's vectors_lockf: a per-word factor on the input vectors' updates, honoured by the kernels."""
from __future__ import annotations

import numpy as np
import pytest

from wordvec.errors import ParameterError
from wordvec.models.word2vec import Word2Vec

CORPUS = [["a", "b", "c", "a", "d", "b"], ["c", "d", "a"], ["b", "a", "c"]] * 10


def _model(**kw):
    params = dict(vector_size=6, min_count=1, window=2, sample=0, epochs=1, workers=1, seed=3)
    params.update(kw)
    model = Word2Vec(**params)
    model.build_vocab(CORPUS)
    return model


@pytest.mark.parametrize("kw", [dict(sg=1, negative=3), dict(sg=0, negative=3), dict(sg=1, hs=1, negative=0),
                                dict(sg=0, hs=1, negative=2), dict(softmax=True, negative=0)])
def test_lock_factor_scales_updates_and_zero_freezes(kw):
    one = [["a", "b", "a", "b", "c", "d"]]
    base = _model(**kw)
    start = base.wv.vectors.copy()
    for _ in range(2):  # output rows start at 0: the first pass may leave the inputs unchanged
        base.train(one, total_examples=1, epochs=1)
    half = _model(**kw)
    half.wv.vectors_lockf = np.full(len(half.wv), 0.5, dtype=np.float32)
    for _ in range(2):
        half.train(one, total_examples=1, epochs=1)
    # One short sentence: the output rows follow the same path in both runs (they do not depend on
    # the lock factor) and the input steps halve, up to second-order terms (a step's effect on a
    # later step of the same row, ~1e-4 relative here) and float32 rounding of start + step.
    step = base.wv.vectors - start
    assert (np.abs(step).max(axis=1) > 0).all()
    np.testing.assert_allclose(half.wv.vectors - start, 0.5 * step, rtol=0, atol=5e-3 * np.abs(step).max())

    frozen = _model(**kw)
    frozen.wv.vectors_lockf = np.ones(len(frozen.wv), dtype=np.float32)
    frozen.wv.vectors_lockf[0] = 0.0
    locked0, free1 = frozen.wv.vectors[0].copy(), frozen.wv.vectors[1].copy()
    frozen.train(CORPUS, total_examples=len(CORPUS), epochs=3)
    np.testing.assert_array_equal(frozen.wv.vectors[0], locked0)
    assert not np.array_equal(frozen.wv.vectors[1], free1)


def test_scalar_lock_factor_and_bad_lengths():
    model = _model(negative=2)
    start = model.wv.vectors.copy()
    model.wv.vectors_lockf = np.zeros(1, dtype=np.float32)  # one value for every word
    model.train(CORPUS, total_examples=len(CORPUS), epochs=1)
    np.testing.assert_array_equal(model.wv.vectors, start)
    model.wv.vectors_lockf = np.ones(3, dtype=np.float32)
    with pytest.raises(ParameterError, match="vectors_lockf has 3 entries for 4 words"):
        model.train(CORPUS, total_examples=len(CORPUS), epochs=1)


def test_intersected_vectors_stay_locked_through_training(tmp_path):
    """gensim's recipe: merge pre-trained vectors with lockf=0.0, then train; they must not move."""
    from wordvec.vectors.keyedvectors import KeyedVectors

    pre = KeyedVectors.from_vectors(["a", "c", "zzz"], np.full((3, 6), 0.25, dtype=np.float32))
    pre.save_word2vec_format(tmp_path / "pre.txt")
    model = _model(negative=3)
    assert model.wv.intersect_word2vec_format(tmp_path / "pre.txt", lockf=0.0) == 2
    model.train(CORPUS, total_examples=model.corpus_count, epochs=3)
    np.testing.assert_array_equal(model.wv["a"], np.full(6, 0.25, dtype=np.float32))
    np.testing.assert_array_equal(model.wv["c"], np.full(6, 0.25, dtype=np.float32))
    assert not np.allclose(model.wv["b"], 0.25)
