"""Word2Vec end to end: training on SST and planted-structure corpora, determinism, text files,
save / load / continue, vocabulary updates, parameter validation, and a comparison with gensim."""
from __future__ import annotations

import math
import os
import subprocess
import sys
import tracemalloc

import numpy as np
import pytest

from wordvec.train import kernels
from wordvec import resources
from wordvec.errors import CorpusError, ModelFileError, ParameterError
from wordvec.models.word2vec import Word2Vec

FAST = dict(vector_size=20, workers=1, seed=3)


@pytest.fixture(scope="module")
def sst() -> list[list[str]]:
    return resources.sst_sentences()


@pytest.fixture(scope="module")
def sst_small(sst) -> list[list[str]]:
    return sst[:2500]


# ----------------------------------------------------------------------------- quality criteria


def planted_corpus(n_topics: int = 8, per_topic: int = 10, n_sentences: int = 1500, seed: int = 0):
    """Sentences of 10 words drawn from one topic each: words of a topic share every context."""
    rng = np.random.default_rng(seed)
    topics = [[f"t{t}w{i}" for i in range(per_topic)] for t in range(n_topics)]
    return [list(rng.choice(topics[rng.integers(n_topics)], 10)) for _ in range(n_sentences)], topics


def nearest_neighbour_accuracy(model: Word2Vec, topics: list[list[str]]) -> float:
    """Fraction of the words whose nearest neighbour (cosine) is in their own topic."""
    words = [w for t in topics for w in t]
    label = {w: k for k, t in enumerate(topics) for w in t}
    v = model.wv.vectors[[model.wv.key_to_index[w] for w in words]].astype(np.float64)
    v /= np.linalg.norm(v, axis=1, keepdims=True)
    sim = v @ v.T
    np.fill_diagonal(sim, -np.inf)
    nearest = sim.argmax(axis=1)
    return float(np.mean([label[words[j]] == label[w] for w, j in zip(words, nearest)]))


def strong_pairs(sentences, key_to_index, n_pairs: int = 300, min_cooc: int = 10):
    """The n_pairs word pairs of highest PMI among pairs seen >= min_cooc times at distance 1-2."""
    V = len(key_to_index)
    ids = np.fromiter((key_to_index.get(w, -1) for s in sentences for w in [*s, None]), dtype=np.int64)
    codes = []
    for off in (1, 2):
        a, b = ids[:-off], ids[off:]
        ok = (a >= 0) & (b >= 0) & (a != b)
        codes.append(np.minimum(a, b)[ok] * V + np.maximum(a, b)[ok])
    pairs, cooc = np.unique(np.concatenate(codes), return_counts=True)
    a, b = pairs // V, pairs % V
    freq = np.bincount(ids[ids >= 0], minlength=V).astype(np.float64)
    pmi = np.log(cooc * freq.sum() / (freq[a] * freq[b]))
    top = np.flatnonzero(cooc >= min_cooc)[np.argsort(-pmi[cooc >= min_cooc], kind="stable")[:n_pairs]]
    return a[top], b[top]


def neighbour_percentile(vectors: np.ndarray, a: np.ndarray, b: np.ndarray) -> float:
    """Mean over the pairs (a, b) of the fraction of the vocabulary less similar to a than b is
    (cosine after removing the mean vector): 0.5 for random vectors, 1 when b is a's nearest."""
    v = vectors.astype(np.float64) - vectors.mean(axis=0)
    v /= np.linalg.norm(v, axis=1, keepdims=True)
    sim = v[a] @ v.T
    sim[np.arange(len(a)), a] = -np.inf
    target = sim[np.arange(len(a)), b]
    return float(np.mean(sim < target[:, None]))


# ----------------------------------------------------------------------------- SST: loss and quality

GENSIM_SETTINGS = dict(sg=1, negative=5, min_count=5, epochs=5, vector_size=50, window=5, sample=1e-3, workers=1, seed=1)


@pytest.fixture(scope="module")
def sst_sg(sst) -> Word2Vec:
    return Word2Vec(sst, **GENSIM_SETTINGS)


def test_sst_skipgram_loss_decreases_every_epoch(sst_sg):
    h = sst_sg.loss_history
    assert len(h) == 5 and all(math.isfinite(x) for x in h)
    assert all(later < earlier for earlier, later in zip(h, h[1:])), h
    assert h[-1] < 0.9 * h[0]
    s = sst_sg.training_summary
    v = sst_sg.vocab
    assert s["epochs"] == 5 and s["raw_words"] == 5 * v.raw_word_count == 5 * 227_245
    assert s["words"] == 5 * v.total_words
    assert 0.3 * s["words"] < s["trained_words"] < s["words"]  # subsampling at 1e-3 drops frequent words
    assert s["final_loss"] == h[-1] and sst_sg.epochs_trained == 5
    assert sst_sg.get_latest_training_loss() > 0


def test_sst_cbow_loss_decreases_every_epoch(sst):
    m = Word2Vec(sst, sg=0, epochs=3, **FAST)
    h = m.loss_history
    assert len(h) == 3 and h[0] > h[1] > h[2] and h[2] < 0.9 * h[0]


def test_sst_neighbours_far_better_than_chance(sst, sst_sg):
    a, b = strong_pairs(sst, sst_sg.wv.key_to_index)
    assert len(a) == 300
    trained = neighbour_percentile(sst_sg.wv.vectors, a, b)
    untrained = neighbour_percentile(np.random.default_rng(0).normal(size=sst_sg.wv.vectors.shape), a, b)
    assert abs(untrained - 0.5) < 0.05
    assert trained > 0.8  # strongly associated words rank in the top fifth of each other's neighbours


def test_gensim_same_vocabulary_and_comparable_quality(sst, sst_sg):
    gensim = pytest.importorskip("gensim")
    g = gensim.models.Word2Vec(sst, **GENSIM_SETTINGS)
    ours = sst_sg.wv
    theirs = {w: g.wv.get_vecattr(w, "count") for w in g.wv.index_to_key}
    assert dict(zip(ours.index_to_key, sst_sg.vocab.counts.tolist())) == theirs
    assert sst_sg.vocab.counts.tolist() == [theirs[w] for w in g.wv.index_to_key]  # same descending order
    counts = sst_sg.vocab.counts
    unique = np.flatnonzero(np.bincount(counts)[counts] == 1)  # words whose count no other word has
    assert [ours.index_to_key[i] for i in unique] == [g.wv.index_to_key[i] for i in unique]
    assert sst_sg.vocab.raw_word_count == g.corpus_total_words and sst_sg.vocab.n_sentences == g.corpus_count

    a, b = strong_pairs(sst, ours.key_to_index)
    ours_score = neighbour_percentile(ours.vectors, a, b)
    theirs_score = neighbour_percentile(g.wv[ours.index_to_key], a, b)
    assert theirs_score > 0.8  # the criterion is meaningful
    assert ours_score > theirs_score - 0.1, (ours_score, theirs_score)


# ----------------------------------------------------------------------------- objectives on a planted corpus


@pytest.fixture(scope="module")
def planted():
    return planted_corpus()


@pytest.mark.parametrize(
    "params",
    [
        dict(sg=1, negative=5),
        dict(sg=0, negative=5),
        dict(sg=1, hs=1, negative=0),
        dict(sg=0, hs=1, negative=0),
        dict(sg=1, hs=1, negative=5),
        dict(sg=0, hs=1, negative=3, cbow_mean=0, alpha=0.01),
        dict(sg=1, softmax=True, negative=0),
        dict(sg=0, softmax=True, negative=0),
        dict(sg=1, negative=5, shared_negatives=False),
    ],
    ids=lambda p: "-".join(f"{k}={v}" for k, v in p.items()),
)
def test_every_objective_learns_the_planted_topics(planted, params):
    sentences, topics = planted
    m = Word2Vec(sentences, min_count=1, sample=0, window=3, epochs=4, **FAST, **params)
    h = m.loss_history
    assert h[-1] < h[0] and all(math.isfinite(x) for x in h), h
    assert nearest_neighbour_accuracy(m, topics) >= 0.9  # chance: 9 / 79


def test_hs_and_negative_sampling_losses_add_up(planted):
    sentences, _ = planted
    common = dict(sentences=sentences, min_count=1, sample=0, window=3, epochs=1, **FAST)
    both = Word2Vec(hs=1, negative=5, **common).loss_history[0]
    hs = Word2Vec(hs=1, negative=0, **common).loss_history[0]
    ns = Word2Vec(hs=0, negative=5, **common).loss_history[0]
    assert both == pytest.approx(hs + ns, rel=0.15)  # per example: the two objectives' losses summed


# ----------------------------------------------------------------------------- determinism and threads


def test_workers_1_is_bit_identical_and_independent_of_the_hash_seed(sst_small, tmp_path):
    params = dict(sg=1, epochs=2, vector_size=16, workers=1, seed=11)
    a = Word2Vec(sst_small, **params)
    b = Word2Vec(sst_small, **params)
    assert a.wv.index_to_key == b.wv.index_to_key
    assert np.array_equal(a.wv.vectors, b.wv.vectors) and np.array_equal(a.syn1neg, b.syn1neg)
    assert a.loss_history == b.loss_history

    out = tmp_path / "vectors.npy"
    script = (
        "import sys, numpy as np\n"
        "from wordvec import resources\nfrom wordvec.models.word2vec import Word2Vec\n"
        f"m = Word2Vec(resources.sst_sentences()[:{len(sst_small)}], **{params!r})\n"
        f"np.save({str(out)!r}, m.wv.vectors)\n"
        "print(hash('wordvec')); print('\\n'.join(m.wv.index_to_key[:200]))\n"
    )
    seed = "1" if hash("wordvec") != _hash_with_seed("1") else "2"
    env = {**os.environ, "PYTHONHASHSEED": seed}
    run = subprocess.run([sys.executable, "-c", script], env=env, capture_output=True, text=True, timeout=300)
    assert run.returncode == 0, run.stderr
    lines = run.stdout.split("\n")
    assert int(lines[0]) != hash("wordvec")  # really another string-hash seed
    assert lines[1:201] == a.wv.index_to_key[:200]
    assert np.array_equal(np.load(out), a.wv.vectors)


def _hash_with_seed(seed: str) -> int:
    run = subprocess.run(
        [sys.executable, "-c", "print(hash('wordvec'))"], env={**os.environ, "PYTHONHASHSEED": seed},
        capture_output=True, text=True, check=True,
    )
    return int(run.stdout)


def test_other_seed_gives_other_vectors(sst_small):
    a = Word2Vec(sst_small, epochs=1, **{**FAST, "seed": 1})
    b = Word2Vec(sst_small, epochs=1, **{**FAST, "seed": 2})
    assert not np.array_equal(a.wv.vectors, b.wv.vectors)


def test_loss_per_example_same_with_one_or_two_workers(sst):
    params = dict(sg=1, epochs=2, vector_size=30, seed=5)
    one = Word2Vec(sst, workers=1, **params)
    two = Word2Vec(sst, workers=2, **params)
    assert two.training_summary["workers"] == 2
    for l1, l2 in zip(one.loss_history, two.loss_history):
        assert l2 == pytest.approx(l1, rel=0.03)
    assert one.training_summary["trained_words"] == pytest.approx(two.training_summary["trained_words"], rel=0.01)


# ----------------------------------------------------------------------------- text files


def test_text8_style_single_line_file_trains_in_sentences_of_max_length(tmp_path, monkeypatch):
    rng = np.random.default_rng(0)
    vocab = np.array([f"w{i:04d}" for i in range(2000)])
    p = 1.0 / np.arange(1, 2001)
    tokens = vocab[rng.choice(2000, size=600_000, p=p / p.sum())]
    path = tmp_path / "text8"
    path.write_bytes(" ".join(tokens).encode())  # ~3.6 MB, one line, no newline
    assert path.stat().st_size > 3_000_000

    seen = []
    real = kernels.train_chunk

    def spy(ids, offsets, *rest):
        seen.append(np.diff(offsets))
        return real(ids, offsets, *rest)

    monkeypatch.setattr(kernels, "train_chunk", spy)
    m = Word2Vec(corpus_file=path, sg=0, epochs=1, max_sentence_length=1000, vector_size=20, workers=2, seed=1)
    lengths = np.concatenate(seen)
    assert len(seen) >= 10  # the line was streamed in blocks, not read whole
    assert lengths.max() == 1000 and np.mean(lengths == 1000) > 0.95
    assert lengths.sum() == m.vocab.total_words == 600_000
    assert m.vocab.raw_word_count == 600_000 and m.training_summary["raw_words"] == 600_000
    assert len(m.loss_history) == 1 and math.isfinite(m.loss_history[0])


def test_corpus_file_and_sentences_give_the_same_vocabulary(tmp_path, sst_small):
    path = tmp_path / "sst.txt"
    path.write_text("\n".join(" ".join(s) for s in sst_small) + "\n", encoding="utf-8")
    from_file = Word2Vec(min_count=2, **FAST).build_vocab(corpus_file=path)
    from_list = Word2Vec(min_count=2, **FAST).build_vocab(sst_small)
    assert from_file.vocab.words == from_list.vocab.words
    assert np.array_equal(from_file.vocab.counts, from_list.vocab.counts)
    assert from_file.vocab.n_sentences == from_list.vocab.n_sentences == len(sst_small)
    assert np.array_equal(from_file.wv.vectors, from_list.wv.vectors)  # same initialisation


# ----------------------------------------------------------------------------- save, load, continue


@pytest.mark.parametrize(
    "params",
    [dict(sg=1, negative=5), dict(sg=0, hs=1, negative=3), dict(sg=1, softmax=True, negative=0)],
    ids=["sg-ns", "cbow-hs-ns", "softmax"],
)
def test_save_load_round_trip_and_resume_bit_identical(sst_small, tmp_path, params):
    corpus = sst_small[:1500]
    common = dict(min_count=3, epochs=2, **FAST, **params)
    straight = Word2Vec(corpus, **common)
    straight.train(corpus, total_examples=straight.corpus_count, epochs=1)

    saved = Word2Vec(corpus, **common)
    path = tmp_path / "model.npz"
    saved.save(path)
    assert sorted(os.listdir(tmp_path)) == ["model.npz"]  # no temporary left behind
    loaded = Word2Vec.load(path)
    for name in ("syn1neg", "syn1", "syn1_softmax", "rng_states"):
        a, b = getattr(saved, name), getattr(loaded, name)
        assert a.dtype == b.dtype and np.array_equal(a, b), name
    assert np.array_equal(saved.wv.vectors, loaded.wv.vectors)
    assert loaded.wv.index_to_key == saved.wv.index_to_key == loaded.vocab.words
    assert np.array_equal(loaded.vocab.counts, saved.vocab.counts)
    assert (loaded.vocab.raw_word_count, loaded.vocab.n_sentences) == (saved.vocab.raw_word_count, saved.vocab.n_sentences)
    assert loaded.loss_history == saved.loss_history and loaded.epochs_trained == 2
    for k in Word2Vec.PARAMS:
        assert getattr(loaded, k) == getattr(saved, k), k

    loaded.train(corpus, total_examples=loaded.corpus_count, epochs=1)
    assert np.array_equal(loaded.wv.vectors, straight.wv.vectors)
    for name in ("syn1neg", "syn1", "syn1_softmax"):
        assert np.array_equal(getattr(loaded, name), getattr(straight, name)), name
    assert loaded.loss_history == straight.loss_history and len(loaded.loss_history) == 3


def test_hs_output_has_one_row_per_word_and_older_files_load(sst_small, tmp_path):
    # gensim's shape: (len(wv), d), the tree's len(wv) - 1 inner nodes and an unused last row.
    m = Word2Vec(sst_small[:600], min_count=2, epochs=1, hs=1, negative=0, **FAST)
    n = len(m.wv)
    assert m.syn1.shape == (n, 20) and not m.syn1[-1].any() and m.syn1[:-1].any()
    assert m.estimate_memory()["syn1"] == n * 20 * 4
    m.build_vocab([["zzfresh", "zzword"]] * 3, update=True)
    assert m.syn1.shape == (len(m.wv), 20) == (n + 2, 20)
    # A file written when syn1 had n - 1 rows loads, padded with the unused row, and trains on.
    m = Word2Vec(sst_small[:600], min_count=2, epochs=1, hs=1, negative=0, **FAST)
    m.save(tmp_path / "m.npz")
    with np.load(tmp_path / "m.npz") as z:
        members = {k: z[k] for k in z.files}
    members["syn1"] = members["syn1"][:-1]
    np.savez(tmp_path / "old.npz", **members)
    old = Word2Vec.load(tmp_path / "old.npz")
    assert old.syn1.shape == (n, 20) and np.array_equal(old.syn1, m.syn1)
    old.train(sst_small[:600], total_examples=old.corpus_count, epochs=1)
    members["syn1"] = members["syn1"][:-1]
    np.savez(tmp_path / "bad.npz", **members)
    with pytest.raises(ModelFileError, match=f"syn1 has {n - 2} rows for {n} words"):
        Word2Vec.load(tmp_path / "bad.npz")


def test_model_without_loss_saves_and_loads(sst_small, tmp_path):
    # compute_loss=False leaves NaN in loss_history; the file's JSON must stay standard and load.
    m = Word2Vec(sst_small[:300], min_count=2, epochs=2, compute_loss=False, **FAST)
    assert all(math.isnan(x) for x in m.loss_history)
    m.save(tmp_path / "m.npz")
    loaded = Word2Vec.load(tmp_path / "m.npz")
    assert len(loaded.loss_history) == 2 and all(math.isnan(x) for x in loaded.loss_history)
    assert np.array_equal(loaded.wv.vectors, m.wv.vectors)


def test_load_refuses_damaged_files(sst_small, tmp_path):
    m = Word2Vec(sst_small[:300], min_count=2, epochs=1, **FAST)
    path = tmp_path / "m.npz"
    m.save(path)
    data = path.read_bytes()
    (tmp_path / "cut.npz").write_bytes(data[: len(data) // 2])
    (tmp_path / "text.npz").write_text("not a model")
    np.savez(tmp_path / "other.npz", x=np.zeros(3))
    for name in ("cut.npz", "text.npz", "other.npz", "missing.npz"):
        with pytest.raises(ModelFileError, match=name):
            Word2Vec.load(tmp_path / name)


def test_build_vocab_update_keeps_old_vectors_and_adds_words(sst_small):
    old_corpus = sst_small[:1200]
    new_corpus = sst_small[1200:2400] + [["zzfresh", "zzfresh", "zzword"]] * 4
    m = Word2Vec(old_corpus, min_count=3, epochs=1, **FAST)
    words = list(m.wv.index_to_key)
    vectors, syn1neg = m.wv.vectors.copy(), m.syn1neg.copy()
    m.build_vocab(new_corpus, update=True)
    n = len(words)
    assert m.wv.index_to_key[:n] == words and len(m.wv.index_to_key) > n + 2
    assert {"zzfresh", "zzword"} <= set(m.wv.index_to_key[n:])
    assert np.array_equal(m.wv.vectors[:n], vectors) and np.array_equal(m.syn1neg[:n], syn1neg)
    assert np.all(m.syn1neg[n:] == 0) and np.all(np.abs(m.wv.vectors[n:]) <= 0.5 / m.vector_size)
    m.train(new_corpus, total_examples=m.corpus_count, epochs=1)
    assert not np.array_equal(m.wv.vectors[:n], vectors) and len(m.loss_history) == 2
    assert m.wv.vectors.shape == (len(m.vocab), m.vector_size)


def test_build_vocab_update_adds_every_count_of_existing_words():
    m = Word2Vec([["a"] * 5 + ["b"] * 5], min_count=3, sample=0, epochs=1, **FAST)
    m.build_vocab([["a"] + ["c"] * 4], update=True)
    # gensim: {'a': 6, 'b': 5, 'c': 4}: an existing word's counts always add up
    assert dict(zip(m.vocab.words, m.vocab.counts.tolist())) == {"a": 6, "b": 5, "c": 4}


# ----------------------------------------------------------------------------- validation

BAD_PARAMS = [
    ("vector_size", 0), ("vector_size", -5), ("vector_size", 2.5), ("vector_size", "100"), ("vector_size", None),
    ("window", 0), ("window", -1), ("window", 1.5),
    ("min_count", -1), ("min_count", -2), ("min_count", "5"),
    ("sample", -0.1), ("sample", float("nan")), ("sample", 1.5), ("sample", "1e-3"),
    ("sg", 2), ("sg", -1), ("sg", "1"),
    ("hs", 2), ("hs", 0.5),
    ("negative", -1), ("negative", 2.0),
    ("ns_exponent", float("nan")), ("ns_exponent", float("inf")), ("ns_exponent", "0.75"),
    ("cbow_mean", 2),
    ("alpha", 0), ("alpha", -0.01), ("alpha", float("nan")), ("alpha", float("inf")), ("alpha", "0.025"),
    ("min_alpha", -1e-4), ("min_alpha", float("nan")),
    ("epochs", 0), ("epochs", -1), ("epochs", 3.0),
    ("workers", 0), ("workers", -2), ("workers", 1.5),
    ("seed", -1), ("seed", 1.5),
    ("max_sentence_length", 0),
    ("max_vocab_size", 0), ("max_final_vocab", -3),
    ("softmax", "yes"),
]


@pytest.mark.parametrize("name,value", BAD_PARAMS, ids=[f"{n}={v!r}" for n, v in BAD_PARAMS])
def test_invalid_parameter_raises_parameter_error_naming_it(name, value):
    with pytest.raises(ParameterError, match=name) as info:
        Word2Vec(**{name: value})
    assert repr(value)[:6] in str(info.value) or str(value)[:6] in str(info.value)  # quotes the bad value
    assert "\n" not in str(info.value)


def test_default_alpha_is_gensims_for_both_architectures_and_explicit_alpha_wins():
    corpus = [["a", "b", "c"]] * 5
    assert Word2Vec(corpus, sg=1, min_count=1, epochs=1, workers=1, sample=0).alpha == 0.025
    assert Word2Vec(corpus, sg=0, min_count=1, epochs=1, workers=1, sample=0).alpha == 0.025
    assert Word2Vec(corpus, sg=0, alpha=0.05, min_count=1, epochs=1, workers=1, sample=0).alpha == 0.05



@pytest.mark.parametrize(
    "params,match",
    [
        (dict(hs=0, negative=0), "nothing would be learned"),
        (dict(hs=0, negative=0, softmax=False), "negative"),
        (dict(softmax=True), "softmax"),
        (dict(softmax=True, hs=1, negative=0), "hs=1"),
        (dict(callbacks=[object()]), "callback"),
    ],
)
def test_inconsistent_objectives_refused(params, match):
    with pytest.raises(ParameterError, match=match):
        Word2Vec(**params)


def test_train_arguments_validated(sst_small):
    m = Word2Vec(min_count=2, **FAST)
    with pytest.raises(ParameterError, match="build_vocab"):
        m.train(sst_small)
    m.build_vocab(sst_small[:100])
    totals = dict(total_examples=m.corpus_count, epochs=1)
    for kwargs, name in ((dict(epochs=0), "epochs"), (dict(start_alpha=-1.0), "start_alpha"), (dict(end_alpha=float("nan")), "end_alpha")):
        with pytest.raises(ParameterError, match=name):
            m.train(sst_small[:100], **{**totals, **kwargs})
    with pytest.raises(ParameterError, match="not both"):
        m.train(sst_small[:100], corpus_file="x.txt", **totals)
    with pytest.raises(ParameterError, match="no corpus"):
        m.train(**totals)
    # gensim's contract: epochs and total_examples or total_words, each named when missing
    for kwargs, missing in ((dict(epochs=1), r"total_examples \(or total_words\)"), (dict(total_examples=100), "epochs"),
                            (dict(total_words=500), "epochs"), ({}, r"total_examples \(or total_words\) and epochs")):
        with pytest.raises(ParameterError, match=f"^train\\(\\) needs {missing}, as in gensim"):
            m.train(sst_small[:100], **kwargs)
    m.train(sst_small[:100], total_words=m.corpus_total_words, epochs=1)


def test_huge_model_refused_before_allocating():
    """vector_size at its maximum with a vocabulary too big for this machine's memory: the
    error gives the memory needed, and nothing of that size was allocated."""
    vector_size = 100_000
    avail = os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES")
    n_words = int(0.8 * avail / (2 * vector_size * 4)) + 1000
    corpus = [[f"w{i}" for i in range(j, min(n_words, j + 10_000))] for j in range(0, n_words, 10_000)]
    m = Word2Vec(vector_size=vector_size, min_count=1, workers=1)
    tracemalloc.start()
    try:
        with pytest.raises(ParameterError, match=r"vector_size=100000 with \d+ words needs [\d.,]+ GiB") as info:
            m.build_vocab(corpus)
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert peak < 2**30
    assert f"{n_words} words" in str(info.value)
    assert m.vocab is None  # the model is unchanged


def test_absurd_vector_size_refused_with_the_memory_it_needs():
    """vector_size=10**9 on a 12-word corpus: refused by build_vocab, naming the memory, before allocating."""
    tracemalloc.start()
    try:
        with pytest.raises(ParameterError, match=r"vector_size=1000000000 with 12 words needs 89\.4 GiB"):
            Word2Vec([[f"w{i}" for i in range(12)]], vector_size=10**9, min_count=1, workers=1)
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert peak < 2**26


def test_one_shot_generator_refused(sst_small):
    with pytest.raises(CorpusError, match="one-shot"):
        Word2Vec((s for s in sst_small), **FAST)
    with pytest.raises(ParameterError, match="not both"):
        Word2Vec(sst_small, corpus_file="corpus.txt", **FAST)


def test_empty_corpus_refused(tmp_path):
    with pytest.raises(CorpusError, match="empty"):
        Word2Vec([], **FAST)
    with pytest.raises(CorpusError, match="empty"):
        Word2Vec([[], []], **FAST)
    (tmp_path / "empty.txt").write_bytes(b"\n \n")
    with pytest.raises(CorpusError, match="empty"):
        Word2Vec(corpus_file=tmp_path / "empty.txt", **FAST)
    with pytest.raises(CorpusError, match="does not exist"):
        Word2Vec(corpus_file=tmp_path / "missing.txt", **FAST)


def test_epoch_without_examples_is_an_error_naming_the_cause():
    """Every sentence has one word: nothing is learned, which must not pass for a trained model
    (gensim would return the random initial vectors)."""
    corpus = [["a"], ["b"], ["a"]]
    m = Word2Vec(min_count=1, sample=0, epochs=1, **FAST).build_vocab(corpus)
    with pytest.raises(CorpusError, match=r"3 words but no training example.*one word per line"):
        m.train(corpus, total_examples=3, epochs=1)
    assert m.loss_history == [] and m.pending_run is None


def test_epoch_emptied_by_subsampling_is_a_warning(caplog):
    """A corpus so small that subsampling leaves no pair trains nothing, as in gensim (whose own
    tests train on 9 sentences with the default sample): a warning says so."""
    corpus = [["a", "b", "c"], ["a", "b"]]
    m = Word2Vec(min_count=1, sample=1e-3, epochs=2, **FAST).build_vocab(corpus)
    before = m.wv.vectors.copy()
    m.train(corpus, total_examples=2, epochs=2)
    assert "no training example: subsampling" in caplog.text
    assert len(m.loss_history) == 2 and all(np.isnan(x) for x in m.loss_history)
    np.testing.assert_array_equal(m.wv.vectors, before)


def test_nothing_left_after_min_count_says_how_many_words():
    with pytest.raises(CorpusError, match=r"min_count=5.*\b7 words\b.*\b4 distinct\b"):
        Word2Vec([["a", "b", "c"], ["a", "b", "d", "a"]], min_count=5, **FAST)


def test_random_draws_follow_the_job_not_the_thread():
    # One job per epoch: whichever of the worker threads takes it draws the same numbers, so
    # the model does not depend on the number of workers (and gensim's tiny-corpus tests, where
    # subsampling decides whether anything trains, give the same result every run).
    corpus = [["human", "interface", "computer"], ["survey", "user", "computer", "system", "response", "time"],
              ["eps", "user", "interface", "system"], ["system", "human", "system", "eps"]] * 3
    params = dict(min_count=1, vector_size=8, sample=0, epochs=3)
    models = [Word2Vec(corpus, seed=5, workers=w, **params) for w in (1, 3, 3, 2)]
    for m in models[1:]:
        np.testing.assert_array_equal(m.wv.vectors, models[0].wv.vectors)
        np.testing.assert_array_equal(m.syn1neg, models[0].syn1neg)
        assert m.loss_history == models[0].loss_history and not math.isnan(m.loss_history[0])
    other_seed = Word2Vec(corpus, seed=6, workers=1, **params)
    assert not np.array_equal(other_seed.syn1neg, models[0].syn1neg)
