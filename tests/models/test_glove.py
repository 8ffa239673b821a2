"""wordvec.GloVe end to end: neighbours on planted topics and on the bundled SST corpus, the loss,
float32 against float64, save / load / resume after Ctrl-C, co-occurrence reuse and the C tool's
files, parameter errors."""
from __future__ import annotations

import signal
import threading

import numpy as np
import pytest

import wordvec
from wordvec import resources
from wordvec.errors import CorpusError, ModelFileError, ParameterError, TrainingError, TrainingInterrupted
from wordvec.models.glove import GloVe
from wordvec.train import glove_engine

FAST = dict(vector_size=16, workers=1, seed=3, x_max=10.0)


@pytest.fixture(scope="module")
def sst() -> list[list[str]]:
    return resources.sst_sentences()


@pytest.fixture(scope="module")
def sst_model() -> GloVe:
    return GloVe(corpus_file=resources.default_corpus_path(), vector_size=50, window=8, epochs=10, workers=2, seed=1,
                 x_max=10.0)


def planted_corpus(n_topics: int = 6, per_topic: int = 8, n_sentences: int = 1500, seed: int = 0):
    """Sentences of 8 words from one topic and 3 from anywhere: words of a topic share their
    contexts, and every pair co-occurs (GloVe fits only the non-zero counts, so the topics must
    stand out by their counts, not by missing ones)."""
    rng = np.random.default_rng(seed)
    topics = [[f"t{t}w{i}" for i in range(per_topic)] for t in range(n_topics)]
    everyone = sum(topics, [])
    sentences = []
    for _ in range(n_sentences):
        s = list(rng.choice(topics[rng.integers(n_topics)], 8)) + list(rng.choice(everyone, 3))
        rng.shuffle(s)
        sentences.append(s)
    return sentences, topics


def test_planted_topics_are_neighbours():
    sentences, topics = planted_corpus()
    model = GloVe(sentences, min_count=1, epochs=10, **FAST)
    assert model.cooccurrence.nnz == 48 * 48
    hits = 0
    for topic in topics:
        for w in topic:
            hits += sum(n in topic for n, _ in model.wv.most_similar(w, topn=len(topic) - 1))
    assert hits / sum(len(t) * (len(t) - 1) for t in topics) > 0.95  # chance: 7 / 47


def test_sst_neighbours_share_contexts(sst_model):
    """Measurable criterion: the nearest neighbour (cosine of W + W~) of each of the 1,000 most
    frequent words should be among the 10% of these words whose contexts are most like its own
    (cosine of their rows of the positive PMI of the counts) far more often than the 10% chance."""
    model = sst_model
    n = 1000
    X = model.cooccurrence.to_scipy().toarray()
    total, marginals = X.sum(), X.sum(axis=1)
    with np.errstate(divide="ignore"):
        ppmi = np.maximum(np.log(X[:n] * total / np.outer(marginals[:n], marginals)), 0.0)
    ppmi /= np.linalg.norm(ppmi, axis=1, keepdims=True)
    shared = ppmi @ ppmi.T
    np.fill_diagonal(shared, -np.inf)
    words = model.wv.index_to_key[:n]
    nearest = np.array([model.wv.key_to_index[model.wv.most_similar(w, topn=1, restrict_vocab=n)[0][0]] for w in words])
    rank = (shared > shared[np.arange(n), nearest][:, None]).sum(axis=1)
    assert np.mean(rank < n // 10) > 0.3  # measured 0.46


def test_sst_training_lowers_the_cost_and_fits_the_counts(sst_model):
    history = sst_model.loss_history
    assert len(history) == 10 and all(b < a for a, b in zip(history, history[1:]))
    # w_i . w~_j + b_i + b~_j approximates log X_ij for the frequent pairs (weight f = 1)
    co = sst_model.cooccurrence
    r, c, v = co.entries()
    big = v > 10
    W, C = sst_model.word_vectors.astype(np.float64), sst_model.context_vectors.astype(np.float64)
    pred = np.einsum("kd,kd->k", W[r[big]], C[c[big]]) + sst_model.word_biases[r[big]] + sst_model.context_biases[c[big]]
    assert np.corrcoef(pred, np.log(v[big]))[0, 1] > 0.8  # measured 0.875
    np.testing.assert_allclose(sst_model.wv.vectors, W + C, rtol=1e-5, atol=1e-6)  # wv is W + W~


def test_glove_is_exported_lazily():
    assert wordvec.GloVe is GloVe


def test_float32_matches_float64_quality(sst):
    kw = dict(min_count=3, epochs=5, **FAST)
    a = GloVe(sst[:3000], **kw)
    b = GloVe(sst[:3000], dtype="float64", **kw)
    assert b.params.dtype == np.float64 and a.params.dtype == np.float32
    assert a.loss_history[-1] == pytest.approx(b.loss_history[-1], rel=1e-3)
    np.testing.assert_allclose(a.params, b.params, atol=5e-3)


def test_workers_1_is_deterministic(sst):
    a = GloVe(sst[:2000], min_count=3, epochs=2, **FAST)
    b = GloVe(sst[:2000], min_count=3, epochs=2, **FAST)
    assert np.array_equal(a.params, b.params) and a.loss_history == b.loss_history


def test_save_load_and_cooccurrence_reuse(sst, tmp_path):
    model = GloVe(sst[:2000], min_count=3, epochs=2, **FAST)
    path = tmp_path / "glove.npz"
    model.save(path)
    loaded = GloVe.load(path)
    assert np.array_equal(loaded.params, model.params) and np.array_equal(loaded.gradsq, model.gradsq)
    assert np.array_equal(loaded.wv.vectors, model.wv.vectors) and loaded.wv.index_to_key == model.wv.index_to_key
    assert loaded.loss_history == model.loss_history and loaded.epochs_trained == 2
    assert np.array_equal(loaded.cooccurrence.values, model.cooccurrence.values)
    # one count, another dimension
    other = GloVe.from_cooccurrence(loaded.cooccurrence, loaded.vocab, vector_size=8, epochs=2, workers=1, x_max=10.0)
    other.train()
    assert other.wv.vectors.shape == (len(model.vocab), 8) and other.loss_history[-1] < other.loss_history[0] * 1.01
    # in the C tool's format, with its vocab file
    n = model.save_cooccurrence(tmp_path / "cooc.bin")
    assert n == model.cooccurrence.nnz
    assert (tmp_path / "cooc.bin.vocab").read_text().split("\n")[0] == f"{model.vocab.words[0]} {model.vocab.counts[0]}"
    again = GloVe.from_cooccurrence(tmp_path / "cooc.bin", epochs=2, **FAST)
    assert again.vocab.words == model.vocab.words
    assert np.array_equal(again.cooccurrence.to_scipy().toarray(), model.cooccurrence.to_scipy().toarray())
    again.train()
    fresh = GloVe.from_cooccurrence(model.cooccurrence, model.vocab, epochs=2, **FAST)
    fresh.train()
    # same entries, stored whole rather than as a triangle: another shuffled order, the same fit
    np.testing.assert_allclose(again.loss_history, fresh.loss_history, rtol=0.02)
    model.save(tmp_path / "small.npz", cooccurrence=False)
    assert GloVe.load(tmp_path / "small.npz").cooccurrence is None


def test_damaged_model_file_is_refused(sst, tmp_path):
    model = GloVe(sst[:500], min_count=3, epochs=1, **FAST)
    path = tmp_path / "glove.npz"
    model.save(path)
    path.write_bytes(path.read_bytes()[:1000])
    with pytest.raises(ModelFileError):
        GloVe.load(path)


def test_ctrl_c_checkpoints_and_resume_is_bit_identical(sst, tmp_path, monkeypatch):
    kw = dict(min_count=3, epochs=3, **FAST)
    straight = GloVe(sst[:3000], **kw)
    monkeypatch.setattr(glove_engine, "JOB_ENTRIES", 4096)
    straight_small_jobs = GloVe(sst[:3000], **kw)
    assert np.array_equal(straight.params, straight_small_jobs.params)  # one worker: jobs do not matter

    model = GloVe(**kw)
    model.build_vocab(sst[:3000])
    model.build_cooccurrence(sst[:3000])
    n_jobs = -(-len(model.training_entries()) // 4096)
    calls = {"n": 0}
    real = glove_engine.adagrad_entries

    def spy(*args):
        calls["n"] += 1
        if calls["n"] == n_jobs + 2:  # the 2nd job of the 2nd epoch
            signal.pthread_kill(threading.main_thread().ident, signal.SIGINT)
        return real(*args)

    monkeypatch.setattr(glove_engine, "adagrad_entries", spy)
    with pytest.raises(TrainingInterrupted):
        model.train(checkpoint=tmp_path / "ckpt.npz")
    monkeypatch.setattr(glove_engine, "adagrad_entries", real)
    loaded = GloVe.load(tmp_path / "ckpt.npz")
    assert loaded.pending_run.epoch == 1 and loaded.pending_run.position >= 2
    loaded.resume()
    assert loaded.pending_run is None and loaded.epochs_trained == 3
    assert np.array_equal(loaded.params, straight.params)
    assert loaded.loss_history == straight_small_jobs.loss_history  # the same jobs: the same sums


def test_parameter_errors():
    for bad in (dict(vector_size=0), dict(window=0), dict(x_max=0), dict(alpha=-1), dict(learning_rate=0),
                dict(memory="lots"), dict(dtype="float16"), dict(symmetric="yes"), dict(workers=0)):
        with pytest.raises(ParameterError):
            GloVe(**bad)
    with pytest.raises(ParameterError, match="build_vocab"):
        GloVe().train()
    with pytest.raises(CorpusError, match="min_count"):
        GloVe([["a", "b"]], min_count=5)
    with pytest.raises(CorpusError, match="co-occur"):
        GloVe([["a"], ["a"], ["b"]], min_count=1, epochs=1)


def test_asymmetric_left_context_counts(sst):
    model = GloVe(sst[:1000], min_count=3, epochs=1, symmetric=False, window=3, **{k: v for k, v in FAST.items()})
    assert not model.cooccurrence.symmetric
    assert model.cooccurrence.nnz == len(model.training_entries())


def test_callbacks_see_each_epoch(sst):
    seen = []

    class Record:
        def on_epoch_end(self, model):
            seen.append((model.epochs_trained, model.loss_history[-1]))

    model = GloVe(sst[:1000], min_count=3, epochs=3, callbacks=[Record()], **FAST)
    assert seen == list(zip([1, 2, 3], model.loss_history))
    assert model.training_summary["epochs"] == 3


def test_divergence_names_the_learning_rate(sst):
    with pytest.raises(TrainingError, match=r"GloVe training diverged \(a weight reached .*\): learning_rate=100.0 is "
                                            r"too large; lower learning_rate"):
        GloVe(sst[:2000], min_count=3, epochs=3, learning_rate=100.0, **FAST)
