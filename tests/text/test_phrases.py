"""Phrases / FrozenPhrases against a real gensim on the bundled SST sentences."""
from __future__ import annotations

import bz2
import gzip
import itertools
import json
import zipfile

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from gensim.models import phrases as gp
from gensim.models.word2vec import LineSentence

import wordvec
from wordvec.errors import CorpusError, ModelFileError, ParameterError
from wordvec.resources import sst_sentences
from wordvec.text.phrases import (
    ENGLISH_CONNECTOR_WORDS, FrozenPhrases, Phrases, learn_phrases, npmi_scorer, original_scorer, write_phrased,
)


@pytest.fixture(scope="module")
def sst() -> list[list[str]]:
    return sst_sentences()


@pytest.fixture(scope="module")
def sst_file(tmp_path_factory, sst) -> str:
    """The SST sentences as a .gz file, plus one line of 60,000 tokens (longer than a read block and
    than gensim's LineSentence limit of 10,000 tokens) and blank lines."""
    path = tmp_path_factory.mktemp("phrases") / "sst.txt.gz"
    long_line = " ".join(itertools.chain.from_iterable(sst))[: 330_000].rsplit(" ", 1)[0]
    with gzip.open(path, "wt", encoding="utf-8") as f:
        for s in sst[:6000]:
            f.write(" ".join(s) + "\n")
        f.write("\n  \n" + long_line + "\n")
        for s in sst[6000:]:
            f.write("\t".join(s) + "\r\n")
    return str(path)


def _same_model(ours: Phrases, theirs: gp.Phrases) -> None:
    assert ours.vocab == theirs.vocab
    assert ours.corpus_word_count == theirs.corpus_word_count
    assert ours.min_reduce == theirs.min_reduce
    exported = ours.export_phrases()
    assert exported == theirs.export_phrases()


PARAMS = [
    dict(min_count=5, threshold=10.0),
    dict(min_count=3, threshold=0.3, scoring="npmi"),
    dict(min_count=2, threshold=5.0, connector_words=ENGLISH_CONNECTOR_WORDS),
    dict(min_count=1, threshold=-0.2, scoring="npmi", connector_words=ENGLISH_CONNECTOR_WORDS, delimiter="--"),
]


@pytest.mark.parametrize("params", PARAMS, ids=["default", "npmi", "connectors", "npmi-connectors-delimiter"])
def test_counts_scores_and_joins_equal_gensim(sst, params):
    sst = sst[:5000]
    ours, theirs = Phrases(sst, **params), gp.Phrases(sst, **params)
    # frozen straight from the id counts, before anything builds gensim's string table (unless the
    # delimiter is longer than a byte)
    held = "delimiter" not in params
    assert (ours._ids is not None) == held and len(ours) == len(theirs.vocab)
    assert ours.freeze().phrasegrams == theirs.freeze().phrasegrams
    assert ours.export_phrases() == theirs.export_phrases() and (ours._ids is not None) == held
    _same_model(ours, theirs)
    assert ours._ids is None
    assert len(ours.export_phrases()) > 50
    joined = list(ours[sst])
    assert joined == list(theirs[sst])
    assert ours.find_phrases(sst) == theirs.find_phrases(sst)
    frozen, theirs_frozen = ours.freeze(), theirs.freeze()
    assert frozen.phrasegrams == theirs_frozen.phrasegrams
    assert list(frozen[sst]) == list(theirs_frozen[sst])
    if "delimiter" not in params:  # SST has "--" tokens: then gensim's frozen model differs, and so does ours
        assert list(frozen[sst]) == joined
    assert frozen.find_phrases(sst) == theirs_frozen.find_phrases(sst)
    assert frozen[sst[0]] == theirs_frozen[sst[0]]
    assert list(ours.analyze_sentence(sst[1])) == list(theirs.analyze_sentence(sst[1]))


def test_bank_of_america_forms_with_connector_words():
    text = [
        "i have an account at bank of america".split(),
        "bank of america is a bank".split(),
        "the eye of the beholder sees bank of america".split(),
        "in the eye of the beholder".split(),
    ] * 3
    params = dict(min_count=2, threshold=1.0, connector_words=ENGLISH_CONNECTOR_WORDS)
    ours, theirs = Phrases(text, **params), gp.Phrases(text, **params)
    _same_model(ours, theirs)
    assert "bank_of_america" in ours.export_phrases()
    assert "eye_of_the_beholder" in ours.export_phrases()
    assert ours["she works at bank of america".split()] == ["she", "works", "at", "bank_of_america"]
    assert list(ours[text]) == list(theirs[text])
    frozen = ours.freeze()
    assert frozen["she works at bank of america".split()] == ["she", "works", "at", "bank_of_america"]
    assert list(frozen[text]) == list(theirs.freeze()[text])
    without = Phrases(text, min_count=2, threshold=1.0)
    assert "bank_of_america" not in without.export_phrases()


def test_pruning_and_add_vocab_merge_as_gensim(sst):
    first, second = sst[:5000], sst[5000:9000]
    ours, theirs = Phrases(first, max_vocab_size=8000), gp.Phrases(first, max_vocab_size=8000)
    _same_model(ours, theirs)
    assert len(ours.vocab) < 8000 + 200  # pruned while counting (a sentence may overshoot)
    ours.add_vocab(second)
    theirs.add_vocab(second)
    _same_model(ours, theirs)
    assert ours.min_reduce > 1  # the merge pruned too
    assert list(ours[sst[:500]]) == list(theirs[sst[:500]])


def test_corpus_file_counts_as_gensim_line_sentence(sst_file):
    params = dict(min_count=3, threshold=8.0, connector_words=ENGLISH_CONNECTOR_WORDS)
    ours = Phrases(corpus_file=sst_file, **params)
    theirs = gp.Phrases(LineSentence(sst_file), **params)
    _same_model(ours, theirs)
    assert ours.find_phrases(corpus_file=sst_file) == theirs.find_phrases(LineSentence(sst_file))


def test_passes_and_output_equal_gensim_chained(sst_file, tmp_path):
    params = dict(min_count=4, threshold=6.0, connector_words=ENGLISH_CONNECTOR_WORDS)
    models = learn_phrases(sst_file, passes=2, **params)
    first = gp.Phrases(LineSentence(sst_file), **params).freeze()
    second = gp.Phrases(first[LineSentence(sst_file)], **params).freeze()
    assert models[0].phrasegrams == first.phrasegrams
    assert models[1].phrasegrams == second.phrasegrams
    longer = [p for p in models[1].phrasegrams if p.count("_") >= 2]
    assert longer  # the second pass joins phrases of phrases
    out = tmp_path / "joined.txt.bz2"
    stats = write_phrased(models, sst_file, out)
    expected = "".join(" ".join(s) + "\n" for s in second[first[LineSentence(sst_file)]])
    with bz2.open(out, "rt", encoding="utf-8") as f:
        text = f.read()
    assert text == expected
    assert stats["sentences"] == text.count("\n") and stats["tokens_out"] == len(text.split())
    assert stats["tokens_in"] == sum(map(len, LineSentence(sst_file)))


def test_chained_passes_on_sentences(sst):
    sst = sst[:4000]
    params = dict(min_count=3, threshold=5.0)
    bigram = Phrases(sst, **params)
    trigram = Phrases(bigram[sst], **params)
    g_bigram = gp.Phrases(sst, **params)
    g_trigram = gp.Phrases(g_bigram[sst], **params)
    _same_model(trigram, g_trigram)
    assert list(trigram[bigram[sst]]) == list(g_trigram[g_bigram[sst]])
    # A second pass's frozen model differs from the unfrozen one in gensim (its export splits a key
    # at every delimiter); ours does the same.
    assert list(trigram.freeze()[bigram[sst]]) == list(g_trigram.freeze()[g_bigram[sst]])


def test_non_ascii_and_odd_tokens_equal_gensim():
    words = ["café", "crème", "brûlée", "東京", "タワー", "a b", "x\ty", "naïve", "😀", "ok"]
    rng = np.random.default_rng(0)
    text = [[words[i] for i in rng.integers(0, len(words), rng.integers(0, 12))] for _ in range(100)]
    text += [["crème", "brûlée", "東京", "タワー"]] * 30 + [[]]
    params = dict(min_count=2, threshold=0.1, connector_words={"a b", "ok"})
    ours, theirs = Phrases(text, **params), gp.Phrases(text, **params)
    _same_model(ours, theirs)
    assert "crème_brûlée" in ours.export_phrases()
    assert list(ours[text]) == list(theirs[text])
    assert list(ours.freeze()[text]) == list(theirs.freeze()[text])


def ratio(worda_count, wordb_count, bigram_count, len_vocab, min_count, corpus_word_count):
    """A custom scorer (module level: gensim pickles it)."""
    return bigram_count / (worda_count + wordb_count - bigram_count)


def test_custom_scorer_equals_gensim(sst):
    small = sst[:3000]
    ours = Phrases(small, min_count=2, threshold=0.2, scoring=ratio)
    theirs = gp.Phrases(small, min_count=2, threshold=0.2, scoring=ratio)
    _same_model(ours, theirs)
    assert list(ours[small]) == list(theirs[small])
    assert list(ours.freeze()[small]) == list(theirs.freeze()[small])
    assert ours.find_phrases(small) == theirs.find_phrases(small)


def test_scorer_functions_equal_gensim():
    for args in [(10, 20, 5, 1000, 2, 5000), (3, 3, 3, 50, 1, 90), (7, 9, 1, 10, 5, 100), (7, 9, 1, 10, 1.5, 100)]:
        assert original_scorer(*args) == gp.original_scorer(*args)
        assert npmi_scorer(*args) == gp.npmi_scorer(*args)
    assert original_scorer(0, 4, 1, 10, 1, 10) == gp.original_scorer(0, 4, 1, 10, 1, 10) == float("-inf")


def test_lazy_corpus_and_single_sentences(sst):
    model = Phrases(sst[:2000], min_count=2, threshold=3.0)
    theirs = gp.Phrases(sst[:2000], min_count=2, threshold=3.0)
    corpus = model[sst[:50]]
    assert len(corpus) == 50
    assert list(corpus) == list(corpus)  # re-iterable
    generated = model[(s for s in sst[:50])]
    assert list(generated) == list(corpus)
    assert model[[]] == theirs[[]] == []
    assert model[iter(sst[3])] == theirs[sst[3]]
    with pytest.raises(CorpusError):
        Phrases(["a sentence as a string", "another"])
    with pytest.raises(CorpusError):
        Phrases([[1, 2, 3]])


def test_parameter_errors():
    with pytest.raises(ParameterError, match="min_count"):
        Phrases(min_count=0)
    with pytest.raises(ParameterError, match="threshold"):
        Phrases(threshold=0)
    with pytest.raises(ParameterError, match="between -1 and 1"):
        Phrases(scoring="npmi", threshold=2)
    with pytest.raises(ParameterError, match="scoring"):
        Phrases(scoring="pmi")
    with pytest.raises(ParameterError, match="lacks the parameters"):
        Phrases(scoring=lambda a, b: 0.0)
    with pytest.raises(ParameterError, match="max_vocab_size"):
        Phrases(max_vocab_size=0)
    with pytest.raises(ParameterError):
        learn_phrases("x", passes=0)


def test_save_load_round_trip(sst, tmp_path):
    model = Phrases(sst, min_count=3, threshold=6.0, connector_words=ENGLISH_CONNECTOR_WORDS)
    model.save(tmp_path / "p.npz")
    loaded = Phrases.load(tmp_path / "p.npz")
    assert isinstance(loaded, Phrases)
    assert loaded.vocab == model.vocab and loaded.export_phrases() == model.export_phrases()
    assert (loaded.corpus_word_count, loaded.connector_words, loaded.min_reduce) == (
        model.corpus_word_count, model.connector_words, model.min_reduce)
    loaded.add_vocab(sst[:100])  # still trainable
    frozen = model.freeze()
    frozen.save(tmp_path / "f.npz")
    again = FrozenPhrases.load(tmp_path / "f.npz")
    assert isinstance(again, FrozenPhrases)
    assert again.phrasegrams == frozen.phrasegrams
    assert list(again[sst[:300]]) == list(model[sst[:300]])


def test_load_refuses_pickles_and_damaged_files(sst, tmp_path):
    gensim_model = tmp_path / "gensim.pkl"
    gp.Phrases(sst[:100]).save(str(gensim_model))
    with pytest.raises(ModelFileError, match="pickle"):
        Phrases.load(gensim_model)
    model = Phrases(sst[:300], min_count=1, threshold=1.0)
    model.save(tmp_path / "p.npz")
    with np.load(tmp_path / "p.npz") as z:
        arrays = {k: z[k] for k in z.files}
    arrays["offsets"] = arrays["offsets"][::-1].copy()
    with open(tmp_path / "bad.npz", "wb") as f:
        np.savez(f, **arrays)
    with pytest.raises(ModelFileError, match="offsets"):
        Phrases.load(tmp_path / "bad.npz")
    (tmp_path / "junk.npz").write_bytes(b"not a zip")
    with pytest.raises(ModelFileError):
        Phrases.load(tmp_path / "junk.npz")

    def mine(worda_count, wordb_count, bigram_count, len_vocab, min_count, corpus_word_count):
        return 1.0

    custom = Phrases(sst[:100], scoring=mine)
    custom.save(tmp_path / "c.npz")
    with pytest.raises(ModelFileError, match="scoring"):
        Phrases.load(tmp_path / "c.npz")
    assert Phrases.load(tmp_path / "c.npz", scoring=mine).scoring is mine
    assert FrozenPhrases.load(tmp_path / "c.npz", scoring=mine).vocab == custom.vocab
    with zipfile.ZipFile(tmp_path / "c.npz") as z:
        header = json.loads(np.lib.format.read_array(z.open("header.npy")).tobytes())
    assert header["scoring"]["function"].endswith("mine")
    assert not any(name.endswith(".pkl") for name in zipfile.ZipFile(tmp_path / "c.npz").namelist())
    with pytest.raises(ModelFileError):
        Phrases.load(tmp_path / "missing.npz")


def test_exported_from_the_package():
    assert wordvec.Phrases is Phrases and wordvec.FrozenPhrases is FrozenPhrases
    assert wordvec.ENGLISH_CONNECTOR_WORDS == gp.ENGLISH_CONNECTOR_WORDS
    assert wordvec.original_scorer is original_scorer and wordvec.npmi_scorer is npmi_scorer


WORDS = ["a", "b", "c", "d", "of", "the", "x_y", "x", "y", "_", "é", "", "-", "a-", "-b", "---"]


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    text=st.lists(st.lists(st.sampled_from(WORDS), max_size=9), max_size=40),
    more=st.lists(st.lists(st.sampled_from(WORDS), max_size=9), max_size=10),
    min_count=st.integers(1, 3),
    threshold=st.sampled_from([0.01, 0.5, 2.0]),
    scoring=st.sampled_from(["default", "npmi"]),
    max_vocab_size=st.sampled_from([3, 8, 30, 10**6]),
    connectors=st.booleans(),
    delimiter=st.sampled_from(["_", "--"]),
)
def test_random_corpora_equal_gensim(text, more, min_count, threshold, scoring, max_vocab_size, connectors, delimiter):
    params = dict(min_count=min_count, threshold=threshold if scoring == "default" else threshold / 4,
                  scoring=scoring, max_vocab_size=max_vocab_size, delimiter=delimiter,
                  connector_words={"of", "the"} if connectors else frozenset())
    ours, theirs = Phrases(text, **params), gp.Phrases(text, **params)
    if max_vocab_size == 10**6:  # never switched to strings: counts held by id, phrases read from them
        assert (ours._ids is not None) == (delimiter == "_")
    assert len(ours) == len(theirs.vocab)
    assert ours.freeze().phrasegrams == theirs.freeze().phrasegrams
    ours.add_vocab(more)
    theirs.add_vocab(more)
    _same_model(ours, theirs)
    sentences = text + more
    assert list(ours[sentences]) == list(theirs[sentences])
    assert list(ours.freeze()[sentences]) == list(theirs.freeze()[sentences])
    assert ours.find_phrases(sentences) == theirs.find_phrases(sentences)


def test_progress_is_logged_every_progress_per_sentences(sst_file, caplog):
    with caplog.at_level("INFO", logger="wordvec.text.phrases"):
        Phrases(corpus_file=sst_file, progress_per=2000)
    lines = [r.getMessage() for r in caplog.records if r.getMessage().startswith("PROGRESS")]
    at = [int(line.split("#")[1].split(",")[0]) for line in lines]
    assert len(at) >= 3 and at == sorted(at)
    assert all(b // 2000 > a // 2000 for a, b in zip(at, at[1:]))  # one line per multiple passed at most
    caplog.clear()
    with caplog.at_level("INFO", logger="wordvec.text.phrases"):
        Phrases(corpus_file=sst_file, progress_per=10**9)
    assert not any(r.getMessage().startswith("PROGRESS") for r in caplog.records)
    with pytest.raises(ParameterError, match="progress_per"):
        Phrases(progress_per=0)


def test_a_pair_count_reaching_the_cap_switches_to_the_string_table(sst, monkeypatch):
    """Pair counts held by id are uint32: a pair counted PAIR_COUNT_CAP times ends the id counting
    and the string table (int64 counts) counts on, with gensim's result (the cap lowered to 3 here)."""
    from wordvec.text import bigramcount

    monkeypatch.setattr(bigramcount, "PAIR_COUNT_CAP", 3)
    sst = sst[:3000]
    ours, theirs = Phrases(sst, min_count=2, threshold=2.0), gp.Phrases(sst, min_count=2, threshold=2.0)
    assert ours._ids is None  # switched while counting
    assert max(theirs.vocab[k] for k in theirs.export_phrases()) > 3
    assert ours.freeze().phrasegrams == theirs.freeze().phrasegrams
    _same_model(ours, theirs)
