"""wordvec.FastText: gensim's API, fastText's semantics, Word2Vec's run behaviours."""
from __future__ import annotations

import signal

import numpy as np
import pytest

from wordvec import FastText, FastTextKeyedVectors, Word2Vec, load_facebook_model, save_facebook_model
from wordvec.errors import ParameterError, TrainingInterrupted

fasttext = pytest.importorskip("fasttext")

STEM_LETTERS = "bcdfghklmnprstvz"
VOWELS = "aeiou"
SUFFIXES = ["", "s", "ing", "ed", "er", "ers"]
HELD_OUT = "ers"  # never in the corpus: composed from n-grams only


def _families(n_families=16, seed=0):
    rng = np.random.default_rng(seed)
    stems = set()
    while len(stems) < n_families:
        stems.add("".join(rng.choice(list(STEM_LETTERS)) + rng.choice(list(VOWELS)) for _ in range(3)))
    return sorted(stems)


@pytest.fixture(scope="module")
def corpus():
    """Sentences about one family each: its inflected words among the family's own topic words."""
    rng = np.random.default_rng(1)
    stems = _families()
    topics = {s: [f"t{i}x{j}" for j in range(6)] for i, s in enumerate(stems)}
    sentences = []
    for _ in range(2500):
        s = stems[rng.integers(len(stems))]
        words = [s + rng.choice(SUFFIXES[:-1]) if rng.random() < 0.4 else rng.choice(topics[s]) for _ in range(10)]
        sentences.append(words)
    return stems, sentences


FAST = dict(vector_size=24, min_count=2, workers=1, seed=3, bucket=5000, epochs=4)


@pytest.fixture(scope="module")
def sg_model(corpus):
    return FastText(corpus[1], sg=1, **FAST)


def test_gensim_api_and_vectors_for_any_word(sg_model, corpus):
    wv = sg_model.wv
    assert isinstance(wv, FastTextKeyedVectors) and isinstance(sg_model, Word2Vec)
    assert wv.vectors_ngrams.shape == (5000, 24) and wv.vectors_vocab.shape == (len(wv), 24)
    stem = corpus[0][0]
    unseen = stem + HELD_OUT
    assert unseen not in wv.key_to_index and unseen in wv and not wv.has_index_for(unseen)
    assert wv[unseen].shape == (24,) and np.isfinite(wv[unseen]).all()
    assert wv.most_similar(unseen, topn=3)
    assert len(sg_model.loss_history) == 4 and sg_model.loss_history[-1] < sg_model.loss_history[0]


@pytest.mark.parametrize("sg", [1, 0])
def test_unseen_words_land_in_their_family_far_above_chance(corpus, sg, sg_model):
    stems, sentences = corpus
    model = sg_model if sg else FastText(sentences, sg=0, **FAST)
    wv = model.wv
    centroids = np.stack([np.mean([wv.get_vector(s + x, norm=True) for x in SUFFIXES[:-1]], axis=0) for s in stems])
    centroids /= np.linalg.norm(centroids, axis=1, keepdims=True)
    hits = [int(np.argmax(centroids @ wv.get_vector(s + HELD_OUT, norm=True))) == i for i, s in enumerate(stems)]
    assert np.mean(hits) >= 0.75  # chance: 1/16


def test_per_pair_updates_same_quality(corpus):
    stems, sentences = corpus
    a = FastText(sentences, sg=1, per_pair_updates=True, **FAST)
    b = FastText(sentences, sg=1, **FAST)
    assert not np.array_equal(a.wv.vectors, b.wv.vectors)
    assert abs(a.loss_history[-1] - b.loss_history[-1]) < 0.05 * b.loss_history[-1]


def test_one_worker_is_deterministic(corpus, sg_model):
    again = FastText(corpus[1], sg=1, **FAST)
    assert np.array_equal(again.wv.input_matrix, sg_model.wv.input_matrix)
    assert np.array_equal(again.syn1neg, sg_model.syn1neg)


def test_without_subwords_it_is_plain_word2vec(corpus):
    sentences = corpus[1]
    params = dict(vector_size=16, min_count=2, workers=1, seed=3, epochs=2, sg=1, alpha=0.025, shared_negatives=True,
                  ns_exponent=0.75)  # FastText's skip-gram default is fastText's 0.5
    ft = FastText(sentences, max_n=0, eos=False, **params)  # no line-end word: the same vocabulary
    w2v = Word2Vec(sentences, **params)
    assert ft.bucket == 0 and not ft.wv.subwords
    assert np.array_equal(ft.wv.vectors, w2v.wv.vectors)
    with pytest.raises(KeyError):
        ft.wv["neverseen"]


def test_save_load_continue_training_bit_identical(corpus, tmp_path):
    sentences = corpus[1][:800]
    straight = FastText(sentences, sg=1, **FAST)
    straight.train(sentences, total_examples=straight.corpus_count, epochs=1)
    saved = FastText(sentences, sg=1, **FAST)
    saved.save(tmp_path / "m.npz")
    loaded = FastText.load(tmp_path / "m.npz")
    assert isinstance(loaded, FastText) and (loaded.min_n, loaded.max_n, loaded.bucket) == (3, 6, 5000)
    assert np.array_equal(loaded.wv.input_matrix, saved.wv.input_matrix)
    np.testing.assert_array_equal(loaded.wv["zzzyyy"], saved.wv["zzzyyy"])
    loaded.train(sentences, total_examples=loaded.corpus_count, epochs=1)
    assert np.array_equal(loaded.wv.input_matrix, straight.wv.input_matrix)
    assert np.array_equal(loaded.wv.vectors, straight.wv.vectors)


def _uniform(rows, d):
    return np.abs(rows).max() <= 1 / d and np.abs(rows).min() > 0 and abs(rows.std() * d * np.sqrt(3) - 1) < 0.05


def test_initial_weights_words_uniform_buckets_zero_for_skipgram(corpus, sg_model):
    """Word rows uniform in [-1/d, 1/d]; the n-gram buckets zero for skip-gram (where most of
    fastText's start), uniform for CBOW; skip-gram's training then moves exactly the buckets of
    the n-grams in the vocabulary's bags."""
    model = FastText(sg=1, **FAST)
    model.build_vocab(corpus[1])
    d = model.vector_size
    words, buckets = model.wv.vectors_vocab, model.wv.vectors_ngrams
    assert _uniform(words, d) and not buckets.any()
    cbow = FastText(sg=0, **FAST)
    cbow.build_vocab(corpus[1])
    assert np.array_equal(cbow.wv.vectors_vocab, words) and _uniform(cbow.wv.vectors_ngrams, d)
    used = np.zeros(model.bucket, dtype=bool)
    rows = model.wv.bag_rows
    used[rows[rows >= len(words)] - len(words)] = True
    trained = sg_model.wv.vectors_ngrams
    assert np.abs(trained[used]).min(axis=1).all() and not trained[~used].any()


def test_build_vocab_update_keeps_rows_and_buckets(corpus):
    stems, sentences = corpus
    model = FastText(sentences[:500], sg=1, **FAST)
    before_vocab = model.wv.vectors_vocab.copy()
    before_ngrams = model.wv.vectors_ngrams.copy()
    new = [["brandnewword", "anothernewword"] * 3] * 5
    model.build_vocab(new, update=True)
    assert "brandnewword" in model.wv.key_to_index
    n_old = len(before_vocab)
    assert np.array_equal(model.wv.vectors_vocab[:n_old], before_vocab)
    assert np.array_equal(model.wv.vectors_ngrams, before_ngrams)
    model.train(new + sentences[:100], total_examples=len(new) + 100, epochs=1)
    assert np.isfinite(model.wv.vectors).all()


def test_ctrl_c_checkpoint_and_resume_bit_identical(corpus, tmp_path):
    sentences = corpus[1][:600]
    straight = FastText(sentences, sg=0, **{**FAST, "epochs": 3})

    class CtrlCAfterFirstEpoch:
        def on_epoch_end(self, model):
            if model.epochs_trained == 1:
                signal.raise_signal(signal.SIGINT)

    m = FastText(sg=0, **{**FAST, "epochs": 3})
    m.build_vocab(sentences)
    with pytest.raises(TrainingInterrupted):
        m.train(sentences, total_examples=m.corpus_count, epochs=m.epochs, checkpoint=tmp_path / "ckpt.npz",
                callbacks=[CtrlCAfterFirstEpoch()])
    loaded = FastText.load(tmp_path / "ckpt.npz")
    loaded.resume(sentences)
    assert np.array_equal(loaded.wv.input_matrix, straight.wv.input_matrix)
    assert loaded.loss_history == straight.loss_history


def test_facebook_bin_round_trips_through_fasttext_and_gensim(sg_model, tmp_path):
    from gensim.models.fasttext import load_facebook_model as gensim_load

    path = tmp_path / "model.bin"
    save_facebook_model(sg_model, path)
    words = sg_model.wv.index_to_key[:50] + ["zzqqxx", "unseenword"]
    ours = sg_model.wv[words]
    ft = fasttext.load_model(str(path))
    np.testing.assert_allclose(np.stack([ft.get_word_vector(w) for w in words]), ours, atol=1e-6)
    g = gensim_load(str(path)).wv
    assert words[0] == "</s>"  # the line-end word: fastText gives it no n-grams, gensim does
    np.testing.assert_allclose(np.stack([g[w] for w in words[1:]]), ours[1:], atol=1e-6)
    back = load_facebook_model(path)
    assert isinstance(back, FastText) and back.sg == 1 and back.wv.index_to_key == sg_model.wv.index_to_key
    np.testing.assert_allclose(back.wv[words], ours, atol=1e-6)
    np.testing.assert_array_equal(back.syn1neg, sg_model.syn1neg)


def test_fasttext_trained_bin_continues_training(tmp_path, corpus):
    text = tmp_path / "c.txt"
    text.write_text("\n".join(" ".join(s) for s in corpus[1][:400]) + "\n")
    ft = fasttext.train_unsupervised(str(text), dim=12, epoch=1, minCount=2, minn=3, maxn=5, bucket=3000, thread=1,
                                     verbose=0)
    ft.save_model(str(tmp_path / "ft.bin"))
    model = load_facebook_model(tmp_path / "ft.bin", workers=1)
    np.testing.assert_allclose(model.wv["unseenword"], ft.get_word_vector("unseenword"), atol=1e-6)
    before = model.wv.input_matrix.copy()
    model.train(corpus[1][:400], total_examples=400, epochs=1)
    assert not np.array_equal(before, model.wv.input_matrix) and np.isfinite(model.wv.input_matrix).all()


@pytest.mark.parametrize("kwargs", [dict(word_ngrams=2), dict(min_n=-1), dict(bucket=-5), dict(softmax=True, negative=0)])
def test_bad_parameters(kwargs):
    with pytest.raises(ParameterError):
        FastText(**kwargs)


def _fasttext_tree(counts):
    """fastText's HierarchicalSoftmaxLoss::buildTree, transcribed: (paths leaf->root, codes)."""
    n = len(counts)
    count = list(counts) + [1e15] * (n - 1)
    parent, binary = [-1] * (2 * n - 1), [False] * (2 * n - 1)
    leaf, node = n - 1, n
    for i in range(n, 2 * n - 1):
        mini = []
        for _ in range(2):
            if leaf >= 0 and count[leaf] < count[node]:
                mini.append(leaf)
                leaf -= 1
            else:
                mini.append(node)
                node += 1
        count[i] = count[mini[0]] + count[mini[1]]
        parent[mini[0]] = parent[mini[1]] = i
        binary[mini[1]] = True
    paths, codes = [], []
    for i in range(n):
        p, c, j = [], [], i
        while parent[j] != -1:
            p.append(parent[j] - n)
            c.append(int(binary[j]))
            j = parent[j]
        paths.append(p)
        codes.append(c)
    return paths, codes


def test_hierarchical_softmax_tree_is_fasttexts_so_hs_models_convert(corpus, tmp_path):
    model = FastText(corpus[1][:800], sg=1, hs=1, negative=0, **FAST)
    codes, points, lengths = model.vocab.huffman()
    paths, ft_codes = _fasttext_tree(model.vocab.counts.tolist())
    for w in range(len(model.vocab)):
        n = lengths[w]
        assert points[w, :n].tolist()[::-1] == paths[w] and codes[w, :n].tolist()[::-1] == ft_codes[w]
    path = tmp_path / "hs.bin"
    save_facebook_model(model, path)
    ft = fasttext.load_model(str(path))
    assert ft.f.getArgs().loss.name == "hs"
    np.testing.assert_allclose(ft.get_word_vector("zzqqxx"), model.wv["zzqqxx"], atol=1e-6)
    back = load_facebook_model(path)
    np.testing.assert_array_equal(back.syn1, model.syn1)  # fastText's label is the code bit: stored negated


def test_fasttext_bin_without_ngrams_loads_as_plain_word2vec(tmp_path, corpus):
    text = tmp_path / "c.txt"
    text.write_text("\n".join(" ".join(s) for s in corpus[1][:300]) + "\n")
    ft = fasttext.train_unsupervised(str(text), model="cbow", dim=8, epoch=1, minCount=2, maxn=0, bucket=1000,
                                     thread=1, verbose=0)
    ft.save_model(str(tmp_path / "ft.bin"))
    model = load_facebook_model(tmp_path / "ft.bin")
    assert model.sg == 0 and model.bucket == 0 and not model.subwords
    word = model.wv.index_to_key[3]
    np.testing.assert_allclose(model.wv[word], ft.get_word_vector(word), atol=1e-6)
    with pytest.raises(KeyError):
        model.wv["zzqqxx"]


def test_model_files_name_their_class(corpus, tmp_path):
    from wordvec.errors import ModelFileError

    sentences = corpus[1][:200]
    FastText(sentences, sg=1, **FAST).save(tmp_path / "ft.npz")
    assert isinstance(Word2Vec.load(tmp_path / "ft.npz"), FastText)  # a subclass's file loads as the subclass
    Word2Vec(sentences, vector_size=8, min_count=2, workers=1, epochs=1).save(tmp_path / "w2v.npz")
    with pytest.raises(ModelFileError, match="Word2Vec model"):
        FastText.load(tmp_path / "w2v.npz")


def test_line_end_word_as_fasttext(corpus, sg_model, tmp_path):
    """``eos`` (default): fastText's ``</s>`` is a word counted once per sentence, without
    n-grams, trained at every sentence end; a text file gives the same counts as its sentences."""
    sentences = corpus[1]
    kv = sg_model.wv
    assert kv.get_vecattr("</s>", "count") == len(sentences) == sg_model.corpus_count
    eos = kv.key_to_index["</s>"]
    assert kv.bag_offsets[eos + 1] - kv.bag_offsets[eos] == 1  # its own row only
    untrained = FastText(sg=1, **FAST)
    untrained.build_vocab(sentences)
    assert not np.allclose(untrained.wv.input_matrix[eos], sg_model.wv.input_matrix[eos])  # it was trained
    path = tmp_path / "corpus.txt"
    path.write_text("".join(" ".join(s) + "\n" for s in sentences))
    from_file = FastText(sg=1, **FAST)
    from_file.build_vocab(corpus_file=path)
    assert from_file.wv.index_to_key == kv.index_to_key
    assert from_file.vocab.counts.tolist() == sg_model.vocab.counts.tolist()
    plain = FastText(sg=1, eos=False, **FAST)
    plain.build_vocab(sentences)
    assert "</s>" not in plain.wv.key_to_index and len(plain.wv) == len(kv) - 1
    with pytest.raises(ParameterError, match="eos"):
        FastText(eos="yes").build_vocab(sentences)
