"""The exact-softmax engine on text where one word fills a stretch of the corpus, as Brown's
formula placeholder "af" does in enmix: batches whose updates were all computed from the same
weights moved that word by the sum of a hundred gradients at once, and the CBOW softmax diverged
at word2vec.c's default alpha (and at any other: the batches hold 100 / alpha pairs)."""
from __future__ import annotations

import math

import numpy as np
import pytest

from wordvec.models.word2vec import Word2Vec


def bursty_corpus(share: float = 0.3) -> list[list[str]]:
    """3,000 Zipfian sentences of 20 words from 300; in sentences 1,000-1,599 "af" replaces a
    ``share`` of the words."""
    rng = np.random.default_rng(0)
    zipf = 1.0 / np.arange(1, 301)
    zipf /= zipf.sum()
    sentences = []
    for s in range(3000):
        words = [f"w{i}" for i in rng.choice(300, 20, p=zipf)]
        if 1000 <= s < 1600:
            words = ["af" if rng.random() < share else w for w in words]
        sentences.append(words)
    return sentences


def train(corpus: list[list[str]], **params) -> Word2Vec:
    model = Word2Vec(softmax=True, hs=0, negative=0, sample=0, min_count=1, vector_size=32, epochs=1, seed=1, **params)
    model.build_vocab(corpus)
    model.train(corpus, total_examples=len(corpus), epochs=1)  # raised TrainingError (divergence) before
    return model


@pytest.mark.parametrize("sg,alpha", [(0, 0.05), (0, 0.025), (1, 0.025)])
def test_softmax_trains_through_a_burst_of_one_word(sg, alpha):
    corpus = bursty_corpus()
    model = train(corpus, sg=sg, alpha=alpha, min_alpha=alpha, workers=1)
    assert model.loss_history[-1] < 0.8 * math.log(len(model.wv))  # learned: untrained weights give ln V
    assert np.abs(model.wv.vectors).max() < 10
    if sg == 0 and alpha == 0.05:  # threads share each batch's rows; the batches and updates are the same
        two = train(corpus, sg=sg, alpha=alpha, min_alpha=alpha, workers=2)
        np.testing.assert_allclose(two.wv.vectors, model.wv.vectors, atol=1e-5)
