"""KeyedVectors: gensim-compatible lookups and similarity queries, compared with a real gensim."""
from __future__ import annotations

import copy
from concurrent.futures import ThreadPoolExecutor

import numpy as np
import pytest
from gensim.models import KeyedVectors as GensimKV

from wordvec.errors import ParameterError, WordvecError
from wordvec.vectors.keyedvectors import KeyedVectors, UnknownWordError

N, D = 400, 16


def vectors(seed: int = 0, n: int = N, d: int = D) -> np.ndarray:
    return np.random.default_rng(seed).standard_normal((n, d)).astype(np.float32)


WORDS = [f"w{i}" for i in range(N)]


@pytest.fixture(scope="module")
def pair():
    v = vectors()
    kv = KeyedVectors.from_vectors(WORDS, v.copy(), counts=np.arange(N, 0, -1))
    g = GensimKV(D)
    g.add_vectors(WORDS, v.copy())
    return kv, g


def same_results(ours, theirs, atol=1e-5):
    assert [w for w, _ in ours] == [w for w, _ in theirs]
    np.testing.assert_allclose([s for _, s in ours], [s for _, s in theirs], atol=atol)


# ---------------------------------------------------------------------------------- construction

def test_from_vectors_keeps_a_float32_c_array():
    v = vectors()
    kv = KeyedVectors.from_vectors(WORDS, v)
    assert kv.vectors is v
    v[0] += 1  # the trainer updates the array in place
    np.testing.assert_array_equal(kv["w0"], v[0])
    for other in (v.astype(np.float64), np.asfortranarray(v), v[:, ::1][::1].T.copy().T):
        kv2 = KeyedVectors.from_vectors(WORDS, other)
        assert kv2.vectors is not other and kv2.vectors.dtype == np.float32 and kv2.vectors.flags.c_contiguous
        np.testing.assert_array_equal(kv2.vectors, v)


@pytest.mark.parametrize("keys, vecs, counts, message", [
    (["a", "a"], np.zeros((2, 2)), None, "duplicate key 'a' at positions 0 and 1"),
    (["a"], np.zeros((2, 2)), None, "got 1 keys for 2 vectors"),
    (["a", 3], np.zeros((2, 2)), None, "keys must be strings, got 3"),
    (["a"], np.zeros(2), None, "2-D array"),
    (["a"], np.zeros((1, 0)), None, "2-D array"),
    (["a", "b"], np.zeros((2, 2)), [1], "counts must be 2 non-negative integers"),
    (["a", "b"], np.zeros((2, 2)), [1, -1], "counts must be 2 non-negative integers"),
])
def test_from_vectors_validation(keys, vecs, counts, message):
    with pytest.raises(ParameterError, match=message):
        KeyedVectors.from_vectors(keys, vecs, counts=counts)


def test_lookup_api(pair):
    kv, g = pair
    assert len(kv) == N and kv.vector_size == D and kv.index_to_key[:2] == ["w0", "w1"]
    assert kv.key_to_index["w5"] == 5 == kv.get_index("w5") == kv.get_index(5)
    assert "w3" in kv and "nope" not in kv and kv.has_index_for("w3") and not kv.has_index_for([1])
    np.testing.assert_array_equal(kv["w7"], g["w7"])
    np.testing.assert_array_equal(kv[["w7", "w1"]], g[["w7", "w1"]])
    assert kv[["w7", "w1"]].shape == (2, D)
    np.testing.assert_allclose(kv.get_vector("w7", norm=True), g.get_vector("w7", norm=True), rtol=1e-6)
    with pytest.raises(ValueError):
        kv["w7"][0] = 1  # read-only view: the unit-vector cache cannot go stale through it
    assert kv.get_vecattr("w0", "count") == N and kv.get_vecattr("w399", "count") == 1
    assert kv.get_index("nope", default=-1) == -1
    assert str(kv) == f"KeyedVectors<vector_size={D}, {N} keys>"


def test_unknown_words_raise_a_clear_key_error(pair):
    kv, _ = pair
    calls = [lambda: kv["xyz"], lambda: kv[["w1", "xyz"]], lambda: kv.most_similar("xyz"),
             lambda: kv.most_similar(positive=["w1"], negative=["xyz"]), lambda: kv.similarity("w1", "xyz"),
             lambda: kv.most_similar_cosmul("xyz"), lambda: kv.get_vecattr("xyz", "count"),
             lambda: kv.distances("w1", ["xyz"])]
    for call in calls:
        with pytest.raises(KeyError) as info:
            call()
        assert isinstance(info.value, UnknownWordError) and isinstance(info.value, WordvecError)
        assert str(info.value) == "word 'xyz' not in vocabulary"


def test_vecattr(pair):
    kv = KeyedVectors.from_vectors(["a", "b"], np.ones((2, 3)))
    kv.set_vecattr("b", "count", 7)
    assert kv.get_vecattr("b", "count") == 7 and kv.get_vecattr("a", "count") == 0
    with pytest.raises(KeyError, match="no attribute 'tag'"):
        kv.get_vecattr("a", "tag")


def test_add_vectors_and_setitem():
    kv = KeyedVectors.from_vectors(["a", "b"], np.eye(2, 3, dtype=np.float32), counts=[5, 3])
    kv.most_similar("a")  # fill the cache
    kv.add_vectors(["c", "a"], np.full((2, 3), 2.0))
    assert kv.index_to_key == ["a", "b", "c"] and kv.get_vecattr("c", "count") == 0
    np.testing.assert_array_equal(kv["a"], [1, 0, 0])  # kept unless replace
    kv["a"] = np.array([0, 0, 3.0])
    np.testing.assert_array_equal(kv["a"], [0, 0, 3])
    assert kv.most_similar("a", topn=1)[0][0] == "c"  # the cache was dropped
    with pytest.raises(ParameterError, match=r"shape \(1, 3\)"):
        kv.add_vectors(["d"], np.ones((1, 2)))
    pre = KeyedVectors(3, count=2)
    assert pre.add_vector("x", np.ones(3)) == 0 and pre.add_vector("y", np.zeros(3)) == 1
    assert pre.add_vector("z", np.ones(3)) == 2 and pre.index_to_key == ["x", "y", "z"]


def test_sort_by_descending_frequency():
    kv = KeyedVectors.from_vectors(["a", "b", "c"], np.eye(3, dtype=np.float32), counts=[1, 3, 2])
    kv.sort_by_descending_frequency()
    assert kv.index_to_key == ["b", "c", "a"] and kv.key_to_index["a"] == 2
    np.testing.assert_array_equal(kv["b"], [0, 1, 0])


# ---------------------------------------------------------------------------------- queries vs gensim

@pytest.mark.parametrize("kwargs", [
    dict(positive="w1"),
    dict(positive=["w1", "w2"], negative=["w3"]),
    dict(positive=["w1", "w2"], negative="w3", topn=25),
    dict(positive=[("w1", 2.0), "w4"], negative=[("w9", -0.5)]),
    dict(positive=["w10"], restrict_vocab=50),
    dict(positive=["w10"], clip_start=20, clip_end=300),
    dict(positive=["w10", "w10"]),
    dict(positive=[vectors(7, 1)[0]], negative=["w2"]),
    dict(positive=5),
])
def test_most_similar_matches_gensim(pair, kwargs):
    kv, g = pair
    same_results(kv.most_similar(**kwargs), g.most_similar(**kwargs))


def test_most_similar_topn_none_and_zero(pair):
    kv, g = pair
    np.testing.assert_allclose(kv.most_similar("w3", topn=None), g.most_similar("w3", topn=None), atol=1e-6)
    np.testing.assert_allclose(kv.most_similar("w3", topn=None, restrict_vocab=30),
                               g.most_similar("w3", topn=None, restrict_vocab=30), atol=1e-6)
    assert kv.most_similar("w3", topn=0) == [] == g.most_similar("w3", topn=0)
    with pytest.raises(ParameterError, match="no keys"):
        kv.most_similar(positive=[])


@pytest.mark.parametrize("kwargs", [
    dict(positive=["w1", "w2"], negative=["w3"]),
    dict(positive="w5", negative="w6"),
    dict(positive=["w1", "w2", "w8"]),
])
@pytest.mark.filterwarnings("ignore:Call to deprecated `init_sims`")
def test_most_similar_cosmul_matches_gensim(pair, kwargs):
    kv, g = pair
    same_results(kv.most_similar_cosmul(**kwargs, topn=20), g.most_similar_cosmul(**kwargs, topn=20), atol=1e-5)
    ours = kv.most_similar_cosmul(**kwargs, topn=None)
    np.testing.assert_allclose(ours, g.most_similar_cosmul(**kwargs, topn=None), rtol=1e-5)
    # restrict_vocab is honoured (gensim 4.4 ignores it): same scores, first 40 words only
    restricted = kv.most_similar_cosmul(**kwargs, topn=None, restrict_vocab=40)
    np.testing.assert_array_equal(restricted, ours[:40])


def test_scalar_queries_match_gensim(pair):
    kv, g = pair
    assert kv.similarity("w1", "w2") == pytest.approx(float(g.similarity("w1", "w2")), abs=1e-6)
    assert isinstance(kv.similarity("w1", "w2"), float)
    assert kv.distance("w1", "w2") == pytest.approx(float(g.distance("w1", "w2")), abs=1e-6)
    assert kv.similarity("w1", "w1") == pytest.approx(1.0, abs=1e-6)
    assert kv.n_similarity(["w1", "w3"], ["w2", "w9"]) == pytest.approx(
        float(g.n_similarity(["w1", "w3"], ["w2", "w9"])), abs=1e-6)
    words = ["w1", "w2", "w3", "w4", "w5"]
    assert kv.doesnt_match(words) == g.doesnt_match(words)
    assert kv.doesnt_match(words + ["unknown"]) == g.doesnt_match(words)
    for a, b in (("w1", "w2"), ("w7", "w300"), ("w0", "w0")):
        assert kv.rank(a, b) == g.rank(a, b)
        assert kv.closer_than(a, b) == g.closer_than(a, b)
    np.testing.assert_allclose(kv.distances("w4"), g.distances("w4"), atol=1e-6)
    np.testing.assert_allclose(kv.distances("w4", ["w1", "w9"]), g.distances("w4", ["w1", "w9"]), atol=1e-6)
    vec = vectors(3, 1)[0]
    np.testing.assert_allclose(kv.distances(vec), g.distances(vec), atol=1e-6)
    assert kv.most_similar_to_given("w1", ["w2", "w3", "w4"]) == g.most_similar_to_given("w1", ["w2", "w3", "w4"])
    same_results(kv.similar_by_word("w8", topn=5), g.similar_by_word("w8", topn=5))
    same_results(kv.similar_by_vector(vec, topn=5, restrict_vocab=100), g.similar_by_vector(vec, topn=5, restrict_vocab=100))
    np.testing.assert_allclose(kv.get_normed_vectors(), g.get_normed_vectors(), atol=1e-6)
    kv.fill_norms()
    g.fill_norms()
    np.testing.assert_allclose(kv.norms, g.norms, rtol=1e-6)
    with pytest.raises(ParameterError):
        kv.n_similarity([], ["w1"])
    with pytest.raises(ZeroDivisionError):  # gensim's type, for code that catches it
        kv.n_similarity(["w1"], [])


def test_batched_queries_equal_single_ones(pair):
    kv, _ = pair
    queries = vectors(11, 6)
    batched = kv.similar_by_vector(queries, topn=7, restrict_vocab=200)
    assert len(batched) == 6
    for q, result in zip(queries, batched):
        same_results(result, kv.similar_by_vector(q, topn=7, restrict_vocab=200), atol=1e-6)
    words = ["w3", "w30", "w300"]
    for w, result in zip(words, kv.similar_by_word(words, topn=4)):
        same_results(result, kv.most_similar(w, topn=4), atol=1e-6)
        assert w not in [x for x, _ in result]
    assert kv.similar_by_vector(queries, topn=0) == [[]] * 6
    with pytest.raises(ParameterError, match="16 columns"):
        kv.similar_by_vector(np.ones((2, 3)))


def test_zero_vector_has_cosine_zero_not_nan():
    v = np.eye(3, dtype=np.float32)
    v[2] = 0
    kv = KeyedVectors.from_vectors(["a", "b", "z"], v)
    assert kv.similarity("a", "z") == 0.0
    assert np.isfinite(kv.most_similar("a", topn=None)).all()
    assert kv.norms[2] == 0


def test_normed_vectors_cached_until_reset():
    v = vectors(2)
    kv = KeyedVectors.from_vectors(WORDS, v)
    normed = kv.get_normed_vectors()
    assert kv.get_normed_vectors() is normed and not normed.flags.writeable
    np.testing.assert_allclose(np.linalg.norm(normed, axis=1), 1, rtol=1e-6)
    before = kv.most_similar("w0", topn=3)
    v[:] = vectors(3)  # training in place
    assert kv.most_similar("w0", topn=3) == before  # stale until told
    kv.reset_norms()
    fresh = KeyedVectors.from_vectors(WORDS, v.copy())
    assert kv.most_similar("w0", topn=3) == fresh.most_similar("w0", topn=3) != before
    v[:] = vectors(4)
    kv.fill_norms(force=True)
    assert kv.most_similar("w0", topn=3) == KeyedVectors.from_vectors(WORDS, v.copy()).most_similar("w0", topn=3)
    kv.vectors = vectors(5)  # a new array drops the cache too
    assert kv.most_similar("w0", topn=3) == KeyedVectors.from_vectors(WORDS, vectors(5)).most_similar("w0", topn=3)
    kv.norms = None
    assert kv.norms is None
    with pytest.raises(ParameterError):
        kv.norms = np.ones(N)


def test_unit_normalize_all():
    kv = KeyedVectors.from_vectors(WORDS, vectors(1) * 3)
    kv.unit_normalize_all()
    np.testing.assert_allclose(np.linalg.norm(kv.vectors, axis=1), 1, rtol=1e-6)


def test_concurrent_queries_equal_serial_ones():
    kv = KeyedVectors.from_vectors(WORDS, vectors(9))  # no cache yet: threads race to fill it
    tasks = [("w%d" % (i % N), i % 3) for i in range(120)]

    def query(task):
        word, kind = task
        if kind == 0:
            return kv.most_similar(word, topn=5)
        if kind == 1:
            return kv.most_similar_cosmul(positive=[word, "w1"], negative=["w2"], topn=5)
        return kv.similarity(word, "w3")

    with ThreadPoolExecutor(max_workers=8) as pool:
        concurrent = list(pool.map(query, tasks))
    serial = [query(t) for t in tasks]
    assert concurrent == serial


def test_copy_and_pickle_state():
    kv = KeyedVectors.from_vectors(WORDS, vectors(1), counts=np.arange(N))
    kv.fill_norms()
    clone = copy.deepcopy(kv)
    assert clone.index_to_key == kv.index_to_key and clone.norms is None
    assert clone.most_similar("w1", topn=3) == kv.most_similar("w1", topn=3)


@pytest.mark.parametrize("seed", [0, 1, 2])
def test_most_similar_equals_brute_force_numpy(seed):
    """3CosAdd by hand: mean of the unit vectors (+1 positive, -1 negative), cosine with every unit
    vector, inputs excluded, sorted descending; restrict_vocab keeps the first N words."""
    rng = np.random.default_rng(seed)
    n, d = 300, 16
    vectors = rng.standard_normal((n, d)).astype(np.float32)
    keys = [f"k{i}" for i in range(n)]
    kv = KeyedVectors.from_vectors(keys, vectors)
    pos, neg = [5, 17], [42]
    unit = vectors.astype(np.float64) / np.linalg.norm(vectors, axis=1, keepdims=True)
    query = (unit[pos].sum(axis=0) - unit[neg].sum(axis=0)) / 3
    query /= np.linalg.norm(query)
    for restrict in (None, 100):
        m = n if restrict is None else restrict
        sims = unit[:m] @ query
        order = [i for i in np.argsort(-sims, kind="stable") if i not in pos + neg][:10]
        got = kv.most_similar(positive=[keys[i] for i in pos], negative=[keys[i] for i in neg], topn=10,
                              restrict_vocab=restrict)
        assert [k for k, _ in got] == [keys[i] for i in order]
        np.testing.assert_allclose([s for _, s in got], sims[order], atol=1e-5)


# ---------------------------------------------------------------------------------- gensim's long tail

def test_n_similarity_skips_unknown_words_as_gensim(pair):
    kv, g = pair
    for ws1, ws2 in ((["w1", "xyz"], ["w2"]), (["w1", "w5", "nope"], ["w2", "zzz", "w9"]), (["xyz"], ["w1"])):
        assert kv.n_similarity(ws1, ws2) == pytest.approx(float(g.n_similarity(ws1, ws2)), abs=1e-6)
    for a, b in (("w1", "w2"), ("w3", "w399"), ("w5", "w5")):
        assert kv.n_similarity([a], [b]) == kv.similarity(a, b)  # exactly, as gensim's own tests expect


def test_wmdistance_matches_gensim(pair):
    pytest.importorskip("ot")  # gensim's wmdistance needs POT
    kv, g = pair
    rng = np.random.default_rng(5)
    docs = [list(rng.choice(WORDS[:60], size=rng.integers(1, 12))) for _ in range(12)]
    docs += [["w1"], ["w1", "w1"], ["w1", "unknown"], ["w2", "w1", "w2"]]
    for d1 in docs:
        for d2 in docs[::3]:
            for norm in (True, False):
                assert kv.wmdistance(d1, d2, norm=norm) == pytest.approx(g.wmdistance(d1, d2, norm=norm), rel=1e-6, abs=1e-9)
    assert kv.wmdistance(["w1", "w2"], ["w2", "w1"]) == pytest.approx(0.0, abs=1e-9)
    assert kv.wmdistance(["w1"], ["w1", "w1"]) == 0.0
    assert kv.wmdistance(["unknown"], ["w1"]) == float("inf")
    assert kv.wmdistance(["w1", "w2"], ["w3"]) == pytest.approx(
        (np.linalg.norm(kv.get_vector("w1", norm=True) - kv.get_vector("w3", norm=True))
         + np.linalg.norm(kv.get_vector("w2", norm=True) - kv.get_vector("w3", norm=True))) / 2, rel=1e-6)
    with pytest.raises(ParameterError, match="token lists"):
        kv.wmdistance("a sentence", ["w1"])


def test_relative_cosine_similarity_matches_gensim(pair):
    kv, g = pair
    for a, b, topn in (("w1", "w2", 10), ("w3", "w4", 1), ("w7", "w300", 25)):
        assert kv.relative_cosine_similarity(a, b, topn) == pytest.approx(
            float(g.relative_cosine_similarity(a, b, topn)), rel=1e-5)
    with pytest.raises(ParameterError):
        kv.relative_cosine_similarity("w1", "w2", topn=0)


@pytest.mark.parametrize("copy_vecattrs", [False, True])
def test_vectors_for_all_matches_gensim(pair, copy_vecattrs):
    kv, g = pair
    for word, count in zip(WORDS, range(N, 0, -1)):
        g.set_vecattr(word, "count", count)
    keys = ["w5", "unknown", "w1", "w5", "w399", "w0"]
    ours = kv.vectors_for_all(keys, copy_vecattrs=copy_vecattrs)
    theirs = g.vectors_for_all(keys, copy_vecattrs=copy_vecattrs)
    assert ours.index_to_key == theirs.index_to_key == ["w5", "w1", "w399", "w0"]
    np.testing.assert_array_equal(ours.vectors, theirs.vectors)
    assert ours.vectors.dtype == kv.vectors.dtype
    np.testing.assert_array_equal(ours.expandos["count"], theirs.expandos["count"])
    ours.vectors[0, 0] += 1  # a copy, not a view
    assert kv["w5"][0] != ours.vectors[0, 0]


@pytest.mark.parametrize("binary", [False, True])
def test_intersect_word2vec_format_matches_gensim(tmp_path, pair, binary):
    _, g0 = pair
    other = KeyedVectors.from_vectors(["w3", "new", "w1"], vectors(9, 3))
    path = tmp_path / "other.bin"
    other.save_word2vec_format(path, binary=binary)
    text = _write(tmp_path, other)  # gensim 4.4's binary branch fails on NumPy 2 (np.fromstring)
    kv = KeyedVectors.from_vectors(WORDS, vectors())
    g = GensimKV(D)
    g.add_vectors(WORDS, vectors())
    g.vectors_lockf = np.ones(len(g), dtype=np.float32)
    assert kv.intersect_word2vec_format(path, lockf=0.0, binary=binary) == 2
    g.intersect_word2vec_format(str(text), lockf=0.0)
    np.testing.assert_array_equal(kv.vectors, g.vectors)
    np.testing.assert_array_equal(kv.vectors_lockf, g.vectors_lockf)
    assert "new" not in kv and kv.vectors_lockf[kv.get_index("w3")] == 0.0 and kv.vectors_lockf[0] == 1.0
    np.testing.assert_array_equal(kv["w3"], other["w3"])
    assert kv.most_similar("w3", topn=3)[0][0] == g.most_similar("w3", topn=3)[0][0]  # norms were reset
    with pytest.raises(ParameterError, match="incompatible vector size 5"):
        KeyedVectors.from_vectors(["a"], np.ones((1, 4))).intersect_word2vec_format(
            _write(tmp_path, KeyedVectors.from_vectors(["a"], np.ones((1, 5)))))


def _write(tmp_path, kv):
    path = tmp_path / "kv.txt"
    kv.save_word2vec_format(path)
    return path


@pytest.mark.parametrize("binary", [False, True])
def test_save_word2vec_format_in_parts_as_gensim(tmp_path, binary):
    path = tmp_path / "both.bin"
    words = KeyedVectors.from_vectors(["a", "b", "c"], vectors(1, 3), counts=[5, 4, 3])
    docs = KeyedVectors.from_vectors(["0", "1"], vectors(2, 2))
    words.save_word2vec_format(path, binary=binary, total_vec=5)
    docs.save_word2vec_format(path, binary=binary, prefix="*dt_", append=True, write_header=False)
    both = KeyedVectors.load_word2vec_format(path, binary=binary)
    assert both.index_to_key == ["a", "b", "c", "*dt_0", "*dt_1"]
    np.testing.assert_array_equal(both.vectors, np.vstack([words.vectors, docs.vectors]))
    theirs = GensimKV.load_word2vec_format(str(path), binary=binary)
    assert theirs.index_to_key == both.index_to_key
    with pytest.raises(ParameterError, match="total_vec=2 is less than the 3 vectors"):
        words.save_word2vec_format(tmp_path / "x.txt", total_vec=2)
