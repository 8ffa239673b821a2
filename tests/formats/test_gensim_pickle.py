"""Safe import of gensim-saved models: files written by the real gensim, and crafted pickles."""
from __future__ import annotations

import io
import os
import pickle
import pickletools

import numpy as np
import pytest

from wordvec.errors import ModelFileError, ParameterError
from wordvec.formats import gensim_pickle
from wordvec.formats.gensim_pickle import read_gensim, unpickle_restricted
from wordvec.vectors.keyedvectors import KeyedVectors

gensim_models = pytest.importorskip("gensim.models")

SENTENCES = [["the", "cat", "sat", "on", "the", "mat"], ["a", "dog", "sat", "on", "a", "log"],
             ["the", "dog", "and", "the", "cat"], ["naïve", "東京", "cat"]] * 15


def gensim_w2v(**kw):
    params = dict(vector_size=12, min_count=1, epochs=2, workers=1, seed=7)
    params.update(kw)
    return gensim_models.Word2Vec(SENTENCES, **params)


def assert_same_vocab(g_kv, kv):
    assert list(kv.index_to_key) == list(g_kv.index_to_key)
    np.testing.assert_array_equal(np.asarray(kv.vectors), g_kv.vectors)
    for word in g_kv.index_to_key:
        assert kv.get_vecattr(word, "count") == g_kv.get_vecattr(word, "count")


@pytest.mark.parametrize("sep_limit", [None, 0])
@pytest.mark.parametrize("kw", [dict(), dict(sg=1, hs=1, negative=0), dict(hs=1, negative=3, ns_exponent=0.5)])
def test_word2vec_file_same_state(tmp_path, sep_limit, kw):
    model = gensim_w2v(**kw)
    path = str(tmp_path / "w2v.model")
    model.save(path, **({} if sep_limit is None else {"sep_limit": sep_limit}))
    side = sorted(p.name for p in tmp_path.iterdir() if p.name.endswith(".npy"))
    if sep_limit == 0:
        assert "w2v.model.wv.vectors.npy" in side  # the arrays really were stored beside the pickle
    else:
        assert side == []
    got = read_gensim(path)
    assert got.kind == "Word2Vec"
    assert got.gensim_version and got.gensim_version.startswith("4.")
    assert got.keys == model.wv.index_to_key
    np.testing.assert_array_equal(got.vectors, model.wv.vectors)
    np.testing.assert_array_equal(got.counts, [model.wv.get_vecattr(w, "count") for w in model.wv.index_to_key])
    for name in ("syn1neg", "syn1"):
        ours, theirs = getattr(got, name), getattr(model, name, None)
        if theirs is None or not len(theirs):
            assert ours is None or not ours.size
        else:
            np.testing.assert_array_equal(ours, theirs)
    for name in ("vector_size", "window", "sg", "hs", "negative", "ns_exponent", "cbow_mean", "alpha", "min_alpha",
                 "sample", "epochs", "min_count", "seed", "corpus_count", "corpus_total_words", "max_final_vocab"):
        assert got.params[name] == getattr(model, name), name
    if model.hs:  # gensim's Huffman paths come through as integer arrays
        for i, word in enumerate(model.wv.index_to_key):
            np.testing.assert_array_equal(got.expandos["code"][i], model.wv.get_vecattr(word, "code"))
            np.testing.assert_array_equal(got.expandos["point"][i], model.wv.get_vecattr(word, "point"))
    # KeyedVectors.load of a whole model gives its word vectors.
    assert_same_vocab(model.wv, KeyedVectors.load(path))


@pytest.mark.parametrize("sep_limit", [None, 0])
def test_keyedvectors_file_answers_like_gensim(tmp_path, sep_limit):
    g_kv = gensim_w2v(vector_size=16, epochs=5).wv
    path = str(tmp_path / "vectors.kv")
    g_kv.save(path, **({} if sep_limit is None else {"sep_limit": sep_limit}))
    kv = KeyedVectors.load(path)
    assert_same_vocab(g_kv, kv)
    np.testing.assert_array_equal(kv.expandos["sample_int"], g_kv.expandos["sample_int"])
    ours = kv.most_similar("cat", topn=5)
    theirs = g_kv.most_similar("cat", topn=5)
    assert [w for w, _ in ours] == [w for w, _ in theirs]
    np.testing.assert_allclose([s for _, s in ours], [s for _, s in theirs], atol=1e-6)
    assert kv.similarity("cat", "dog") == pytest.approx(float(g_kv.similarity("cat", "dog")), abs=1e-6)
    if sep_limit == 0:  # memory-mapped side array
        mapped = KeyedVectors.load(path, mmap="r")
        assert isinstance(mapped.vectors, np.memmap)
        np.testing.assert_array_equal(mapped.vectors, g_kv.vectors)


@pytest.mark.parametrize("suffix", [".gz", ".bz2"])
def test_compressed_files_and_npz_side_arrays(tmp_path, suffix):
    model = gensim_w2v()
    path = str(tmp_path / ("w2v.model" + suffix))
    model.save(path, sep_limit=0)
    assert os.path.exists(path + ".wv.vectors.npz")
    got = read_gensim(path)
    np.testing.assert_array_equal(got.vectors, model.wv.vectors)
    np.testing.assert_array_equal(got.syn1neg, model.syn1neg)


def test_float64_vectors_and_pickle_protocols(tmp_path):
    g_kv = gensim_models.KeyedVectors(4, count=0, dtype=np.float64)
    g_kv.add_vectors(["x", "y", "z"], np.arange(12, dtype=np.float64).reshape(3, 4) / 7)
    for protocol in (2, 3, 4, 5):
        path = str(tmp_path / f"p{protocol}.kv")
        g_kv.save(path, pickle_protocol=protocol)
        kv = KeyedVectors.load(path)
        assert kv.vectors.dtype == np.float64
        np.testing.assert_array_equal(kv.vectors, g_kv.vectors)
        assert kv.index_to_key == ["x", "y", "z"]


def test_missing_side_file(tmp_path):
    model = gensim_w2v()
    path = str(tmp_path / "w2v.model")
    model.save(path, sep_limit=0)
    os.remove(path + ".syn1neg.npy")
    with pytest.raises(ModelFileError, match=r"syn1neg\.npy that gensim saved beside it is missing"):
        read_gensim(path)


def test_side_file_with_objects_is_not_unpickled(tmp_path):
    model = gensim_w2v()
    path = str(tmp_path / "w2v.model")
    model.save(path, sep_limit=0)
    marker = tmp_path / "code-ran"
    evil = np.empty(3, dtype=object)
    evil[0] = _Payload(str(marker))
    np.save(path + ".wv.vectors.npy", evil, allow_pickle=True)
    with pytest.raises(ModelFileError, match="vectors.npy"):
        read_gensim(path)
    assert not marker.exists()


def test_pre_4_files_are_refused_with_the_recipe():
    data = os.path.join(os.path.dirname(gensim_models.__file__), "..", "test", "test_data")
    for name in ("word2vec_old", "word2vec_pre_kv_py3", "model-from-gensim-3.8.0.w2v", "old_keyedvectors_320.dat",
                 "old_w2v_models/w2v_2.0.0.mdl", "word2vec_pre_kv_py2"):
        with pytest.raises(ModelFileError, match=r"before 4\.0; convert it with gensim 4 .*save\(new_path\)"):
            read_gensim(os.path.join(data, name))
    with pytest.raises(ModelFileError, match="gensim FastText .* Word2Vec and KeyedVectors files only"):
        read_gensim(os.path.join(data, "compatible-hash-true.model"))


# ---------------------------------------------------------------------------------- crafted pickles

class _Payload:
    """Unpickling this with pickle.load creates a marker file: proof that code ran."""

    def __init__(self, marker: str) -> None:
        self.marker = marker

    def __reduce__(self):
        return (open, (self.marker, "w"))


def _kv_pickle(payload) -> bytes:
    """A real gensim KeyedVectors pickle with ``payload`` stored as one of its attributes."""
    g_kv = gensim_w2v().wv
    g_kv.comment = payload
    return pickle.dumps(g_kv, protocol=4)


def test_malicious_pickles_run_nothing(tmp_path):
    marker = tmp_path / "code-ran"
    path = tmp_path / "evil.kv"
    # Sanity: the plain payload does run under pickle.load, so the checks below mean something.
    pickle.loads(pickle.dumps(_Payload(str(tmp_path / "control"))))
    assert (tmp_path / "control").exists()
    cases = {
        "top level": pickle.dumps(_Payload(str(marker))),
        "inside a gensim record": _kv_pickle(_Payload(str(marker))),
        "protocol 2": pickle.dumps(_Payload(str(marker)), protocol=2),
    }
    for what, data in cases.items():
        path.write_bytes(data)
        with pytest.raises(ModelFileError, match=r"refused: the pickle asks for '(io|builtins)\.open'.*nothing in it was run"):
            KeyedVectors.load(path)
        assert not marker.exists(), what
    assert "\n" not in str(pytest.raises(ModelFileError, read_gensim, path).value)
    with pytest.raises(ModelFileError, match="refused"):  # gensim never writes protocols 0/1; still safe
        unpickle_restricted(pickle.dumps(_Payload(str(marker)), protocol=0))
    assert not marker.exists()


def test_allowed_names_cannot_be_misused():
    # An allowed constructor given something other than what numpy writes is refused.
    evil_dtype = pickle.dumps(np.dtype([("a", "<f4")]))
    with pytest.raises(ModelFileError, match="not a readable gensim file"):
        unpickle_restricted(evil_dtype)
    # A reference kept by name (builtins.hash) cannot be called.
    op = pickle.PROTO + b"\x04" + b"\x8c\x08builtins\x8c\x04hash\x93" + b"K\x01\x85R."
    with pytest.raises(ModelFileError):
        unpickle_restricted(op)
    # Persistent references are refused.
    with pytest.raises(ModelFileError, match="persistent"):
        unpickle_restricted(b"\x80\x04K\x01Q.")
    # Deep nesting and truncation give one clear error.
    with pytest.raises(ModelFileError):
        unpickle_restricted(b"\x80\x04" + b"]" * 10 + b"\x94")
    data = _kv_pickle(None)
    with pytest.raises(ModelFileError):
        unpickle_restricted(data[: len(data) // 2])


def test_globals_of_a_real_file(tmp_path, monkeypatch):
    """What a real gensim file asks for is all on the allow-list, and is what the docs describe."""
    asked = set()

    class Recording(dict):
        def get(self, key, default=None):
            asked.add(key)
            return super().get(key, default)

    monkeypatch.setattr(gensim_pickle, "ALLOWED_GLOBALS", Recording(gensim_pickle.ALLOWED_GLOBALS))
    model = gensim_w2v(hs=1)
    path = tmp_path / "w2v.model"
    model.save(str(path))
    read_gensim(path)
    modules = {m for m, _ in asked}
    assert {("gensim.models.word2vec", "Word2Vec"), ("gensim.models.keyedvectors", "KeyedVectors"),
            ("builtins", "hash")} <= asked
    assert modules <= {"gensim.models.word2vec", "gensim.models.keyedvectors", "gensim.utils", "builtins",
                       "collections", "numpy", "numpy.core.multiarray", "numpy._core.multiarray",
                       "numpy.random._pickle", "numpy.random._mt19937"}


# ---------------------------------------------------------------------------------- Word2Vec.load

@pytest.mark.parametrize("kw", [dict(), dict(sg=1, hs=1, negative=0), dict(hs=1, negative=3, cbow_mean=0)])
def test_word2vec_load_continues_training(tmp_path, kw):
    from wordvec.models.word2vec import Word2Vec

    g = gensim_w2v(epochs=40, sample=0, **kw)
    path = str(tmp_path / "w2v.model")
    g.save(path, sep_limit=0)
    model = Word2Vec.load(path)
    assert model.wv.index_to_key == g.wv.index_to_key
    np.testing.assert_array_equal(model.wv.vectors, g.wv.vectors)
    np.testing.assert_array_equal(model.wv.expandos["count"], g.wv.expandos["count"])
    for name in ("sg", "hs", "negative", "window", "alpha", "min_alpha", "epochs", "cbow_mean", "sample", "ns_exponent"):
        assert getattr(model, name) == getattr(g, name), name
    assert (model.corpus_count, model.corpus_total_words) == (g.corpus_count, g.corpus_total_words)
    if g.negative:
        np.testing.assert_array_equal(model.syn1neg, g.syn1neg)
        ours = model.predict_output_word(["cat", "sat"], topn=3)
        theirs = g.predict_output_word(["cat", "sat"], topn=3)
        assert [w for w, _ in ours] == [w for w, _ in theirs]
    if g.hs:  # gensim's own tree is used, so its inner-node weights keep their meaning
        np.testing.assert_array_equal(model.syn1, g.syn1)
        np.testing.assert_allclose(model.score(SENTENCES[:4], total_sentences=4), g.score(SENTENCES[:4], total_sentences=4),
                                   rtol=6e-2)  # gensim reads log sigma from a coarse table
    # Training goes on from gensim's state: the loss of one more epoch is well below that of the
    # same vectors with untrained (zero) output weights.
    def epoch_loss(m):  # (a vanishing rate: the loss of the weights as they are)
        m.train(SENTENCES, total_examples=m.corpus_count, epochs=1, start_alpha=1e-9, end_alpha=1e-9)
        return m.loss_history[-1]

    loss = epoch_loss(model)
    model.train(SENTENCES, total_examples=model.corpus_count, epochs=1)
    assert not np.array_equal(model.wv.vectors, g.wv.vectors)
    untrained = Word2Vec.load(path)
    untrained.syn1neg[...] = 0
    untrained.syn1[...] = 0
    assert loss < 0.9 * epoch_loss(untrained)
    if g.hs:  # the tree read from gensim's file is the one wordvec builds from the counts
        stored, rebuilt = Word2Vec.load(path), Word2Vec.load(path)
        rebuilt.vocab.paths = None
        for a, b in zip(stored.vocab.huffman(), rebuilt.vocab.huffman()):
            np.testing.assert_array_equal(a, b)
        assert epoch_loss(rebuilt) == loss
    # and round-trips through wordvec's own format
    model.save(tmp_path / "ours.npz")
    again = Word2Vec.load(tmp_path / "ours.npz")
    np.testing.assert_array_equal(again.wv.vectors, model.wv.vectors)


def test_word2vec_load_mmap_and_keyedvectors_file(tmp_path):
    from wordvec.models.word2vec import Word2Vec

    g = gensim_w2v()
    path = str(tmp_path / "w2v.model")
    g.save(path, sep_limit=0)
    mapped = Word2Vec.load(path, mmap="r")
    np.testing.assert_array_equal(mapped.wv.vectors, g.wv.vectors)
    assert mapped.wv.most_similar("cat", topn=2)[0][0] == g.wv.most_similar("cat", topn=2)[0][0]
    with pytest.raises(ParameterError, match="read-only"):
        mapped.train(SENTENCES, total_examples=mapped.corpus_count, epochs=1)
    g.wv.save(str(tmp_path / "vectors.kv"))
    with pytest.raises(ModelFileError, match="KeyedVectors.load"):
        Word2Vec.load(tmp_path / "vectors.kv")
