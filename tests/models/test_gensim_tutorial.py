"""gensim's Word2Vec tutorial, step by step, with ``gensim`` swapped for ``wordvec``.

Each block follows the tutorial (gensim's docs/src/auto_examples/tutorials/run_word2vec.py): the
code is the tutorial's with only the imports changed; only the corpus location (gensim's bundled
Lee corpus) and the sizes of assertions are ours.
"""
from __future__ import annotations

import logging
import os
import tempfile

import numpy as np
import pytest

gensim_test_utils = pytest.importorskip("gensim.test.utils")
datapath = gensim_test_utils.datapath

import wordvec  # noqa: E402  (the tutorial's `import gensim.models`)
from wordvec import simple_preprocess  # noqa: E402  (the tutorial's `from gensim import utils`)


class MyCorpus:
    """An iterator that yields sentences (lists of str)."""

    def __iter__(self):
        corpus_path = datapath("lee_background.cor")
        for line in open(corpus_path):
            # assume there's one document per line, tokens separated by whitespace
            yield simple_preprocess(line)


@pytest.fixture(scope="module")
def model():
    sentences = MyCorpus()
    return wordvec.Word2Vec(sentences=sentences, seed=1, workers=1)


def test_query_the_model(model):
    vec_king = model.wv["king"]
    assert vec_king.shape == (100,)
    for index, word in enumerate(model.wv.index_to_key):
        if index == 10:
            break
        assert isinstance(word, str) and len(word) > 0
    with pytest.raises(KeyError):
        model.wv["cameroon"]
    # (the tutorial asks these of GoogleNews vectors; on the Lee corpus we ask about its own words)
    pairs = [("police", "officers"), ("police", "government"), ("police", "australia"), ("police", "fire")]
    for w1, w2 in pairs:
        assert -1.0 <= model.wv.similarity(w1, w2) <= 1.0
    assert len(model.wv.most_similar(positive=["police", "government"], topn=5)) == 5
    words = ["fire", "water", "police", "government", "australia"]
    assert model.wv.doesnt_match(words) in words


def test_evaluate(model):
    pearson, spearman, oov = model.wv.evaluate_word_pairs(datapath("wordsim353.tsv"))
    assert 0 <= oov <= 100
    score, sections = model.wv.evaluate_word_analogies(datapath("questions-words.txt"))
    assert 0.0 <= score <= 1.0 and sections[-1]["section"] == "Total accuracy"


def test_save_and_load(model):
    with tempfile.NamedTemporaryFile(prefix="gensim-model-", delete=False) as tmp:
        temporary_filepath = tmp.name
        model.save(temporary_filepath)
        new_model = wordvec.Word2Vec.load(temporary_filepath)
    np.testing.assert_array_equal(new_model.wv.vectors, model.wv.vectors)
    assert new_model.wv.index_to_key == model.wv.index_to_key
    for name in os.listdir(os.path.dirname(temporary_filepath)):
        if name.startswith(os.path.basename(temporary_filepath)):
            os.remove(os.path.join(os.path.dirname(temporary_filepath), name))


def test_training_parameters():
    sentences = list(MyCorpus())
    assert len(wordvec.Word2Vec(sentences, min_count=10, epochs=1).wv) < len(wordvec.Word2Vec(sentences, epochs=1).wv)
    assert wordvec.Word2Vec(sentences, vector_size=200, epochs=1).wv.vector_size == 200
    wordvec.Word2Vec(sentences, workers=4, epochs=1)


def test_online_training():
    sentences = MyCorpus()
    model = wordvec.Word2Vec(min_count=1)
    model.build_vocab(sentences)
    model.train(sentences, total_examples=model.corpus_count, epochs=model.epochs)
    before = len(model.wv)
    old = model.wv["king"].copy()
    more_sentences = [
        ["Advanced", "users", "can", "load", "a", "model", "and", "continue", "training", "it", "with", "more",
         "sentences"],
    ]
    model.build_vocab(more_sentences, update=True)
    model.train(more_sentences, total_examples=model.corpus_count, epochs=model.epochs)
    assert "Advanced" in model.wv and len(model.wv) > before
    assert model.wv["king"].shape == old.shape


def test_training_loss():
    sentences = MyCorpus()
    model_with_loss = wordvec.Word2Vec(sentences, min_count=1, compute_loss=True, hs=0, sg=1, seed=42)
    training_loss = model_with_loss.get_latest_training_loss()
    assert training_loss > 0
