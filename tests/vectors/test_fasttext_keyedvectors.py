"""FastTextKeyedVectors: vectors for any word with gensim's and fastText's semantics."""
from __future__ import annotations

import numpy as np
import pytest

from wordvec.errors import ParameterError
from wordvec.vectors.fasttext_keyedvectors import FastTextKeyedVectors, load_facebook_vectors
from wordvec.vectors.keyedvectors import KeyedVectors, UnknownWordError

fasttext = pytest.importorskip("fasttext")

VOCAB = "walk walked walking walks talk talked talking talks run running runs jump jumped jumping".split()


@pytest.fixture(scope="module")
def trained(tmp_path_factory):
    folder = tmp_path_factory.mktemp("ftkv")
    rng = np.random.default_rng(2)
    corpus = folder / "corpus.txt"
    corpus.write_text("\n".join(" ".join(rng.choice(VOCAB, 12)) for _ in range(100)) + "\n", encoding="utf-8")
    model = fasttext.train_unsupervised(str(corpus), model="skipgram", dim=12, epoch=3, minCount=1, minn=3,
                                        maxn=5, bucket=300, thread=1, verbose=0)
    path = folder / "m.bin"
    model.save_model(str(path))
    return model, path, load_facebook_vectors(path)


def test_is_a_keyedvectors_with_views(trained):
    _, _, kv = trained
    assert isinstance(kv, KeyedVectors)
    n = len(kv)
    assert kv.vectors_vocab.shape == (n, 12) and kv.vectors_ngrams.shape == (300, 12)
    assert np.shares_memory(kv.vectors_vocab, kv.input_matrix) and np.shares_memory(kv.vectors_ngrams, kv.input_matrix)
    i = kv.get_index("walking")
    bag = kv.bag("walking")
    assert bag[0] == i and len(bag) == 1 + sum(len("<walking>") - k + 1 for k in (3, 4, 5))
    np.testing.assert_allclose(kv["walking"], kv.input_matrix[bag].mean(axis=0), atol=1e-6)


def test_unknown_words_match_fasttext_and_gensim(trained, tmp_path):
    from gensim.models.fasttext import load_facebook_vectors as gensim_load

    model, path, kv = trained
    gensim_kv = gensim_load(str(path))
    for w in ["walker", "talkative", "jumpings", "runner", "ju", "xyz"]:
        assert w not in kv.key_to_index and not kv.has_index_for(w) and w in kv
        np.testing.assert_allclose(kv[w], model.get_word_vector(w), atol=1e-6)
        np.testing.assert_allclose(kv.get_vector(w), gensim_kv.get_vector(w), atol=1e-6)
        np.testing.assert_allclose(kv.get_vector(w, norm=True), gensim_kv.get_vector(w, norm=True), atol=1e-6)
    for w in ["walk", "jumping"]:
        np.testing.assert_allclose(kv[w], gensim_kv[w], atol=1e-6)


def test_queries_accept_unknown_words_as_gensim(trained):
    from gensim.models.fasttext import load_facebook_vectors as gensim_load

    _, path, kv = trained
    gensim_kv = gensim_load(str(path))
    for positive, negative in ((["walker"], []), (["talkers", "walk"], ["jumpy"]), ([("runner", 2.0)], ["walk"])):
        ours = kv.most_similar(positive=positive, negative=negative, topn=5)
        theirs = gensim_kv.most_similar(positive=positive, negative=negative, topn=5)
        assert [w for w, _ in ours] == [w for w, _ in theirs]
        # gensim composes fastText's "</s>" from n-grams; fastText and wordvec use its own row alone
        np.testing.assert_allclose([s for w, s in ours if w != "</s>"], [s for w, s in theirs if w != "</s>"], atol=1e-5)
    assert kv.similarity("walker", "talker") == pytest.approx(gensim_kv.similarity("walker", "talker"), abs=1e-5)
    assert kv.similarity("walker", "walker") == pytest.approx(1.0, abs=1e-5)
    assert kv.n_similarity(["walker", "run"], ["talker"]) == pytest.approx(
        gensim_kv.n_similarity(["walker", "run"], ["talker"]), abs=1e-5)
    d = kv.distances("walker", ["walk", "talkative"])
    assert d.shape == (2,) and d[0] == pytest.approx(1 - kv.similarity("walker", "walk"), abs=1e-5)
    assert kv.doesnt_match(["walk", "walked", "walker", "jumpings"]) in {"walk", "walked", "walker", "jumpings"}
    assert all(w in kv.key_to_index for w in kv.closer_than("walker", "jump"))
    assert kv.most_similar_cosmul(positive=["walker"], topn=3)[0][0] in kv.key_to_index


def test_sentence_vector_matches_fasttext(trained):
    model, _, kv = trained
    sentence = "walker talks jumpily"
    np.testing.assert_allclose(kv.get_sentence_vector(sentence), model.get_sentence_vector(sentence), atol=1e-6)
    np.testing.assert_allclose(kv.get_sentence_vector(sentence.split()), model.get_sentence_vector(sentence), atol=1e-6)


def test_words_without_ngrams_raise_keyerror():
    kv = FastTextKeyedVectors.from_matrix(["ab"], np.ones((1 + 5, 4)), 5, 6, 5)
    assert "ab" in kv and "cd" not in kv  # "<cd>" is shorter than min_n
    np.testing.assert_allclose(kv["ab"], 1.0)
    with pytest.raises(KeyError, match="'cd'"):
        kv["cd"]
    with pytest.raises(UnknownWordError):
        kv.similarity("ab", "cd")
    off = FastTextKeyedVectors.from_matrix(["ab"], np.ones((1, 4)), 3, 0, 0)
    assert "abc" not in off and not off.subwords
    with pytest.raises(KeyError, match="subwords are off"):
        off["abc"]


def test_adjust_after_in_place_change_and_bad_shapes():
    kv = FastTextKeyedVectors.from_matrix(["hello"], np.zeros((1 + 7, 3)), 3, 4, 7)
    kv.input_matrix[...] = np.arange(24, dtype=np.float32).reshape(8, 3)
    kv.adjust_vectors()
    np.testing.assert_allclose(kv["hello"], kv.input_matrix[kv.bag("hello")].mean(axis=0), rtol=1e-6)
    kv.vectors_ngrams = np.zeros((7, 3))
    np.testing.assert_allclose(kv["hello"], kv.input_matrix[0] / len(kv.bag("hello")), rtol=1e-6)
    with pytest.raises(ParameterError, match="input_matrix"):
        FastTextKeyedVectors.from_matrix(["a"], np.zeros((3, 3)), 3, 4, 7)


def test_sorting_moves_rows_and_bags_and_adding_words_is_refused(trained):
    _, _, loaded = trained
    kv = FastTextKeyedVectors.from_matrix(loaded.index_to_key, loaded.input_matrix.copy(), 3, 5, 300,
                                          counts=np.arange(1, len(loaded) + 1))
    before = {w: kv[w].copy() for w in kv.index_to_key + ["walker"]}
    kv.sort_by_descending_frequency()
    assert kv.index_to_key == loaded.index_to_key[::-1]
    for w, v in before.items():
        np.testing.assert_allclose(kv[w], v, atol=1e-6)
    with pytest.raises(ParameterError, match="build_vocab"):
        kv.add_vector("new", np.zeros(12))


def test_save_and_load_keep_unknown_word_vectors(trained, tmp_path):
    _, _, kv = trained
    kv.save(tmp_path / "kv.bin")
    back = FastTextKeyedVectors.load(tmp_path / "kv.bin")
    assert back.index_to_key == kv.index_to_key and (back.min_n, back.max_n, back.bucket) == (3, 5, 300)
    for w in ["walking", "walker", "xyz"]:
        np.testing.assert_array_equal(back[w], kv[w])
    assert fasttext.load_model(str(tmp_path / "kv.bin")).get_word_vector("walker") == pytest.approx(kv["walker"], abs=1e-6)
