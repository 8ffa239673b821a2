"""predict_output_word and HS sentence scores, computed on gensim's own trained arrays."""
from __future__ import annotations

import numpy as np
import pytest
from gensim.models import Word2Vec as GensimWord2Vec
from gensim.test.utils import common_texts

from wordvec.models.inference import predict_output_word, score_sentences

SENTENCES = common_texts * 20


def _paths(wv):
    n = len(wv)
    lengths = np.array([len(wv.get_vecattr(i, "code")) for i in range(n)], dtype=np.int32)
    codes = np.zeros((n, lengths.max()), dtype=np.uint8)
    points = np.zeros((n, lengths.max()), dtype=np.int32)
    for i in range(n):
        codes[i, : lengths[i]] = wv.get_vecattr(i, "code")
        points[i, : lengths[i]] = wv.get_vecattr(i, "point")
    return codes, points, lengths


@pytest.mark.parametrize("cbow_mean", [0, 1])
def test_predict_output_word_matches_gensim(cbow_mean):
    g = GensimWord2Vec(SENTENCES, vector_size=8, min_count=1, negative=5, cbow_mean=cbow_mean, seed=1, workers=1,
                       epochs=3)
    for context in (["system", "human"], ["graph"], ["trees", "graph", "minors", "survey"]):
        rows = [g.wv.get_index(w) for w in context]
        ours = predict_output_word(g.wv.vectors, g.syn1neg, rows, cbow_mean, 5)
        theirs = g.predict_output_word(context, topn=5)
        assert [g.wv.index_to_key[i] for i, _ in ours] == [w for w, _ in theirs]
        np.testing.assert_allclose([p for _, p in ours], [p for _, p in theirs], rtol=1e-5)
    everything = predict_output_word(g.wv.vectors, g.syn1neg, [0], cbow_mean, 100)
    assert len(everything) == len(g.wv) and sum(p for _, p in everything) == pytest.approx(1.0)


@pytest.mark.parametrize("sg", [0, 1])
def test_hs_scores_match_gensim(sg):
    g = GensimWord2Vec(SENTENCES, vector_size=8, min_count=1, hs=1, negative=0, sg=sg, seed=1, workers=1, epochs=3,
                       window=3)
    codes, points, lengths = _paths(g.wv)
    texts = common_texts + [["graph"], ["unknownword", "trees", "graph"]]
    theirs = g.score(texts, total_sentences=len(texts))
    rows = [[g.wv.get_index(w) for w in s if w in g.wv] for s in texts]
    ours = score_sentences(rows, g.wv.vectors, g.syn1, codes, points, lengths, sg, g.window, g.cbow_mean)
    assert ours.dtype == np.float32 and ours.shape == (len(texts),)
    # gensim reads log sigma from a table, rounding x down to its 0.012-wide bins: ~2% lower.
    np.testing.assert_allclose(ours, theirs, rtol=3e-2, atol=1e-3)
    assert (ours <= 0).all() and (ours >= theirs - 1e-4).all()


def test_score_by_hand():
    # Two words, tree with one inner node: word 0 turns left (code 0), word 1 right (code 1).
    vectors = np.array([[1.0, 0.0], [0.0, 2.0]], dtype=np.float32)
    inner = np.array([[0.5, 0.25]], dtype=np.float32)
    codes = np.array([[0], [1]], dtype=np.uint8)
    points = np.zeros((2, 1), dtype=np.int32)
    lengths = np.ones(2, dtype=np.int32)
    log_sig = lambda x: -np.log1p(np.exp(-x))  # noqa: E731
    sg = score_sentences([[0, 1]], vectors, inner, codes, points, lengths, True, 5, True)
    # P(0 | v1) = sigma(inner . v1) = sigma(0.5); P(1 | v0) = sigma(-(inner . v0)) = sigma(-0.5)
    assert sg[0] == pytest.approx(log_sig(0.5) + log_sig(-0.5), rel=1e-6)
    cbow = score_sentences([[0, 1, 1]], vectors, inner, codes, points, lengths, False, 1, True)
    # word 0: h = v1; word 1 (pos 1): h = mean(v0, v1); word 1 (pos 2): h = v1
    expected = log_sig(0.5) + log_sig(-(0.5 + 0.5) / 2) + log_sig(-0.5)
    assert cbow[0] == pytest.approx(expected, rel=1e-6)
