"""Word2Vec's gensim API beyond training: vocabulary options, corpus statistics, the loss
contract, and gensim's extra methods, checked against gensim where it defines the answer."""
from __future__ import annotations

import logging

import numpy as np
import pytest
from gensim.models import Word2Vec as GensimWord2Vec
from gensim.test.utils import common_texts

from wordvec import RULE_DEFAULT, RULE_DISCARD, RULE_KEEP
from wordvec.errors import EmptyVocabularyError, ModelFileError, NotAModelError, SentenceError, UnsupportedModelError
from wordvec.models.word2vec import LineSentence, PathLineSentences, Text8Corpus, Word2Vec

CORPUS = common_texts * 20
FAST = dict(vector_size=8, workers=1, seed=3, epochs=2, sample=0)


def test_corpus_statistics_and_vocabulary_match_gensim():
    ours = Word2Vec(min_count=2, **FAST).build_vocab(CORPUS)
    theirs = GensimWord2Vec(min_count=2, vector_size=8, workers=1)
    theirs.build_vocab(CORPUS)
    assert (ours.corpus_count, ours.corpus_total_words) == (theirs.corpus_count, theirs.corpus_total_words) == (180, 580)
    assert ours.wv.index_to_key == theirs.wv.index_to_key  # ties ordered as gensim orders them
    for w in ours.wv.index_to_key:
        assert ours.wv.get_vecattr(w, "count") == theirs.wv.get_vecattr(w, "count")
    update = [["new", "words", "here"], ["new", "graph"]]
    ours.build_vocab(update, update=True)
    assert (ours.corpus_count, ours.corpus_total_words) == (2, 5)  # the latest scan, as gensim
    assert "new" in ours.wv


def test_huffman_code_and_point_are_gensims(tmp_path):
    from gensim.models.word2vec import LineSentence as GensimLineSentence
    from gensim.test.utils import datapath

    corpus = list(GensimLineSentence(datapath("lee_background.cor")))
    ours = Word2Vec(min_count=1, hs=1, negative=0, **FAST).build_vocab(corpus)
    theirs = GensimWord2Vec(min_count=1, hs=1, negative=0)
    theirs.build_vocab(corpus)
    assert ours.wv.index_to_key == theirs.wv.index_to_key
    for w in ours.wv.index_to_key:  # the same tree, ties included (most of Lee's words occur once)
        code, point = ours.wv.get_vecattr(w, "code"), ours.wv.get_vecattr(w, "point")
        assert code.dtype == np.uint8 and point.dtype == np.int32
        assert np.array_equal(code, theirs.wv.get_vecattr(w, "code")), w
        assert np.array_equal(point, theirs.wv.get_vecattr(w, "point")), w
    assert ours.syn1.shape == (len(theirs.wv), 8) and theirs.syn1.shape == (len(theirs.wv), 100)
    # the tree is the one training uses, and it survives saving
    ours.save(tmp_path / "m.npz")
    loaded = Word2Vec.load(tmp_path / "m.npz")
    assert np.array_equal(loaded.wv.get_vecattr("the", "code"), theirs.wv.get_vecattr("the", "code"))
    assert "code" not in ours.wv.expandos  # read from the tree's tables, not stored per word
    with pytest.raises(KeyError, match="'code'"):
        Word2Vec(min_count=1, negative=5, **FAST).build_vocab(corpus[:50]).wv.get_vecattr("the", "code")


def test_min_count_zero_trim_rule_sorted_vocab_null_word():
    assert len(Word2Vec(min_count=0, **FAST).build_vocab([["a", "b"], ["a"]]).wv) == 2

    def rule(word, count, min_count):
        return {"human": RULE_DISCARD, "rare": RULE_KEEP}.get(word, RULE_DEFAULT)

    corpus = CORPUS + [["rare"]]
    ours = Word2Vec(min_count=25, **FAST).build_vocab(corpus, trim_rule=rule)
    theirs = GensimWord2Vec(min_count=25, vector_size=8)
    theirs.build_vocab(corpus, trim_rule=rule)
    assert Word2Vec(corpus, min_count=25, trim_rule=rule, **FAST).wv.index_to_key == theirs.wv.index_to_key
    assert ours.wv.index_to_key == theirs.wv.index_to_key and "rare" in ours.wv and "human" not in ours.wv
    unsorted = Word2Vec(min_count=1, sorted_vocab=0, **FAST).build_vocab(CORPUS)
    assert unsorted.wv.index_to_key[:3] == ["human", "interface", "computer"]  # first appearance
    nulled = Word2Vec(min_count=1, null_word=1, **FAST).build_vocab(CORPUS)
    assert nulled.wv.index_to_key[-1] == "\0" and nulled.wv.get_vecattr("\0", "count") == 1
    with pytest.raises(RuntimeError):  # EmptyVocabularyError is also gensim's RuntimeError
        Word2Vec([], **FAST)
    with pytest.raises(EmptyVocabularyError, match="min_count=1000"):
        Word2Vec(CORPUS, min_count=1000, **FAST)


def test_build_vocab_from_freq_keep_raw_vocab_and_scan_prepare():
    freq = {"a": 10, "b": 3, "c": 1}
    model = Word2Vec(min_count=2, **FAST).build_vocab_from_freq(freq, corpus_count=4, keep_raw_vocab=True)
    assert model.wv.index_to_key == ["a", "b"] and model.corpus_count == 4 and model.raw_vocab == freq
    assert Word2Vec(min_count=1, **FAST).build_vocab(CORPUS).raw_vocab == {}
    model = Word2Vec(min_count=2, max_final_vocab=4, **FAST)
    assert model.scan_vocab(common_texts) == (29, 9)
    report = model.prepare_vocab()
    assert (report["drop_unique"], report["retain_total"], report["num_retained_words"]) == (8, 13, 4)
    assert model.effective_min_count == 3


def test_training_loss_follows_gensims_contract():
    class EpochLosses:
        def __init__(self):
            self.previous, self.per_epoch = 0.0, []

        def on_epoch_end(self, model):
            total = model.get_latest_training_loss()
            self.per_epoch.append(total - self.previous)
            self.previous = total

    cb = EpochLosses()
    model = Word2Vec(min_count=1, sg=1, callbacks=[cb], **{**FAST, "epochs": 3}).build_vocab(CORPUS)
    model.train(CORPUS, total_examples=model.corpus_count, epochs=model.epochs)
    assert len(cb.per_epoch) == 3 and all(x > 0 for x in cb.per_epoch)
    assert model.get_latest_training_loss() == pytest.approx(sum(cb.per_epoch))
    model.train(CORPUS, total_examples=model.corpus_count, epochs=1, callbacks=[])
    assert model.get_latest_training_loss() < sum(cb.per_epoch)  # reset at each train() call


def test_shrink_windows_false_uses_full_windows():
    sentence = [["a", "b", "c", "d", "e", "f", "g"]]
    full = Word2Vec(min_count=1, sg=1, window=3, shrink_windows=False, **{**FAST, "epochs": 1}).build_vocab(sentence)
    full.train(sentence, total_examples=1, epochs=1)
    # 7 words, radius 3: each position pairs with every word within 3 -> 2*(3+5+6) + 6 = 34 pairs... counted:
    expected = sum(min(i, 3) + min(6 - i, 3) for i in range(7))
    assert full.running_training_loss / full.loss_history[-1] == pytest.approx(expected)
    dyn = Word2Vec(min_count=1, sg=1, window=3, **{**FAST, "epochs": 1}).build_vocab(sentence)
    dyn.train(sentence, total_examples=1, epochs=1)
    assert dyn.running_training_loss / dyn.loss_history[-1] < expected


def test_gensim_methods():
    ns = Word2Vec(CORPUS, min_count=1, negative=5, **FAST)
    assert [w for w, _ in ns.predict_output_word(["system", "human"], topn=3)] and len(
        ns.predict_output_word(["system", "human"], topn=3)) == 3
    assert ns.predict_output_word(["nothing", "known"]) is None
    with pytest.raises(RuntimeError):
        ns.score(CORPUS[:2])
    hs = Word2Vec(CORPUS, min_count=1, hs=1, negative=0, **FAST)
    scores = hs.score(CORPUS[:3], total_sentences=5)
    assert scores.shape == (5,) and (scores[:3] < 0).all() and (scores[3:] == 0).all()
    with pytest.raises(UnsupportedModelError):
        hs.predict_output_word(["system"])
    fresh = Word2Vec(min_count=1, **FAST)
    fresh.reset_from(ns)
    assert fresh.wv.index_to_key == ns.wv.index_to_key and fresh.corpus_count == ns.corpus_count
    assert not np.array_equal(fresh.wv.vectors, ns.wv.vectors) or fresh.seed == ns.seed
    report = ns.estimate_memory()
    assert report["vectors"] == len(ns.wv) * 8 * 4 == report["syn1neg"] and report["total"] == sum(
        v for k, v in report.items() if k != "total")


def test_options_saved_and_warnings(tmp_path, caplog):
    model = Word2Vec(CORPUS, min_count=1, hs=1, negative=2, comment="run 7", batch_words=500, shrink_windows=False,
                     **FAST)
    assert "Both hierarchical softmax and negative sampling are activated." in caplog.text
    model.save(tmp_path / "m.npz", sep_limit=0)  # gensim's storage options are accepted
    again = Word2Vec.load(tmp_path / "m.npz")
    assert (again.comment, again.batch_words, again.shrink_windows) == ("run 7", 500, False)
    assert (again.corpus_count, again.corpus_total_words) == (model.corpus_count, model.corpus_total_words)
    caplog.clear()
    with caplog.at_level(logging.WARNING):
        again.train(CORPUS, total_examples=again.corpus_count, epochs=1, start_alpha=0.02)
    assert "Effective 'alpha' higher than previous training cycles" in caplog.text


def test_readers_importable_from_the_model_module(tmp_path):
    path = tmp_path / "c.txt"
    path.write_text("a b c\nd e\n", encoding="utf8")
    assert list(LineSentence(path)) == [["a", "b", "c"], ["d", "e"]]
    assert list(PathLineSentences(tmp_path)) == [["a", "b", "c"], ["d", "e"]]
    assert list(Text8Corpus(path)) == [["a", "b", "c", "d", "e"]]
    model = Word2Vec(LineSentence(path), min_count=1, **FAST)
    assert len(model.wv) == 5


def test_corpus_file_may_be_a_directory_or_several_files(tmp_path):
    import gzip

    texts = [" ".join(s) for s in CORPUS]
    (tmp_path / "one.txt").write_text("\n".join(texts) + "\n", encoding="utf8")
    parts = tmp_path / "parts"
    parts.mkdir()
    (parts / "a.txt").write_text("\n".join(texts[:70]), encoding="utf8")  # no final newline: lines stay apart
    (parts / "b.txt.gz").write_bytes(gzip.compress(("\n".join(texts[70:]) + "\n").encode("utf8")))
    single = Word2Vec(corpus_file=tmp_path / "one.txt", min_count=1, **FAST)
    listed = Word2Vec(corpus_file=[parts / "a.txt", parts / "b.txt.gz"], min_count=1, **FAST)
    for several in (Word2Vec(corpus_file=parts, min_count=1, **FAST), listed):
        assert several.wv.index_to_key == single.wv.index_to_key
        np.testing.assert_array_equal(several.wv.expandos["count"], single.wv.expandos["count"])
        assert several.corpus_count == single.corpus_count
        # the same jobs (one per file here; a job's random draws follow its position) give the same model
        np.testing.assert_array_equal(several.wv.vectors, listed.wv.vectors)


def test_strings_as_sentences_warn_and_count_characters_as_gensim(caplog):
    corpus = ["human", "machine"] * 3
    with caplog.at_level(logging.WARNING):
        ours = Word2Vec(min_count=1, **FAST).build_vocab(corpus)
    assert "Each 'sentences' item should be a list of words (usually unicode strings)." in caplog.text
    theirs = GensimWord2Vec(min_count=1, vector_size=8)
    theirs.build_vocab(corpus)
    assert ours.wv.index_to_key == theirs.wv.index_to_key and ours.corpus_total_words == theirs.corpus_total_words
    for bad, message in (([["a"], None], "sentence 1 is None"), ([["a", 3]], "sentence 0, token 1 is 3"),
                         ([b"a b"], "sentence 0 is a bytes string")):
        with pytest.raises(SentenceError, match=message):
            Word2Vec(min_count=1, **FAST).build_vocab(bad)


def test_empty_vocabulary_is_kept_by_build_vocab_and_refused_by_train():
    # gensim's build_vocab keeps an empty vocabulary; training it raises (a RuntimeError)
    model = Word2Vec(**FAST).build_vocab([["a", "b"], ["a"]])  # min_count=5
    assert len(model.wv) == 0
    reason = r"^no word occurs at least min_count=5 times: the corpus has 3 words \(2 distinct\); lower min_count$"
    with pytest.raises(EmptyVocabularyError, match=reason):
        model.check_vocabulary()
    with pytest.raises(RuntimeError, match=reason):
        model.train([["a", "b"]], total_examples=1, epochs=1)
    model.build_vocab([["a", "b"]] * 5)
    model.check_vocabulary()
    assert model.empty_vocab_reason is None and len(model.wv) == 2


def test_loading_word_vectors_as_a_model_is_an_attribute_error(tmp_path):
    model = Word2Vec(CORPUS, min_count=1, **FAST)
    model.wv.save(tmp_path / "vectors.kv")
    theirs = GensimWord2Vec(CORPUS, min_count=1, vector_size=8, workers=1)
    theirs.wv.save(str(tmp_path / "gensim.kv"))
    for name in ("vectors.kv", "gensim.kv"):
        with pytest.raises(AttributeError, match="KeyedVectors.load") as info:
            Word2Vec.load(tmp_path / name)
        assert isinstance(info.value, ModelFileError) and isinstance(info.value, NotAModelError)


PRUNE_CORPUS = [["graph", "system"], ["graph", "system"], ["system", "eps"], ["graph", "system"],
                ["minors", "survey", "minors", "survey", "minors"]]


def test_max_vocab_size_prunes_sentences_as_gensim_and_files_as_word2vec_c(tmp_path):
    def counts(m):
        return {w: int(m.wv.get_vecattr(w, "count")) for w in m.wv.index_to_key}

    rng = np.random.default_rng(0)
    zipf = [[f"w{int(x)}" for x in rng.zipf(1.3, size=int(rng.integers(1, 12)))] for _ in range(400)]
    for corpus, max_vocab_size in ((PRUNE_CORPUS[:4], 2), (PRUNE_CORPUS, 2), (zipf, 30), (zipf, 7)):
        ours = Word2Vec(min_count=1, max_vocab_size=max_vocab_size, **FAST).build_vocab(corpus)
        theirs = GensimWord2Vec(min_count=1, max_vocab_size=max_vocab_size, vector_size=8)
        theirs.build_vocab(corpus)
        assert counts(ours) == counts(theirs) and ours.wv.index_to_key == theirs.wv.index_to_key
    assert counts(Word2Vec(min_count=1, max_vocab_size=2, **FAST).build_vocab(PRUNE_CORPUS)) == {
        "system": 4, "graph": 3, "minors": 3}
    # a text file is counted by blocks and pruned as word2vec.c's ReduceVocab (count <= min_reduce
    # while the table is over max_vocab_size): here only the most frequent word survives
    path = tmp_path / "c.txt"
    path.write_text("".join(" ".join(s) + "\n" for s in PRUNE_CORPUS), encoding="utf8")
    assert counts(Word2Vec(min_count=1, max_vocab_size=2, **FAST).build_vocab(corpus_file=path)) == {"system": 4}


def test_build_vocab_update_appends_new_words_as_gensim():
    first = [["a", "b", "a"], ["b", "c"]] * 3
    update = [["n1", "z", "a"], ["y", "y", "z", "y"], ["x", "n1", "n1", "b"]] * 2
    for params in ({}, {"max_final_vocab": 3}):
        ours = Word2Vec(min_count=2, **FAST, **params).build_vocab(first)
        ours.build_vocab(update, update=True)
        theirs = GensimWord2Vec(min_count=2, vector_size=8, **params)
        theirs.build_vocab(first)
        theirs.build_vocab(update, update=True)
        assert ours.wv.index_to_key == theirs.wv.index_to_key, params  # new words in first appearance
        assert [ours.wv.get_vecattr(w, "count") for w in ours.wv.index_to_key] == [
            theirs.wv.get_vecattr(w, "count") for w in theirs.wv.index_to_key]


def test_line_sentence_of_plain_files_is_read_by_the_file_reader_when_identical(tmp_path, monkeypatch):
    import gzip

    from wordvec.text.corpus import line_sentence_count

    lines = [" ".join(s) for s in CORPUS] + ["", "  ", " ".join(["graph", "trees"] * 7)]  # blank lines, a long line
    text = "\n".join(lines) + "\n\ttrees  minors\r\nsurvey"  # tabs, CR LF, no final newline
    path = tmp_path / "c.txt"
    path.write_text(text, encoding="utf8")
    (tmp_path / "d.txt.gz").write_bytes(gzip.compress(text.encode("utf8")))
    params = dict(min_count=1, max_sentence_length=5, **FAST)
    for corpus, files in ((LineSentence(path, max_sentence_length=5), [path]),
                          (PathLineSentences(tmp_path, max_sentence_length=5), [path, tmp_path / "d.txt.gz"])):
        sentences = list(corpus)
        assert line_sentence_count(files, 5) == len(sentences)

        def not_in_python(self):
            raise AssertionError("the sentences were read in Python")

        with monkeypatch.context() as m:
            m.setattr(type(corpus), "__iter__", not_in_python)
            routed = Word2Vec(corpus, **params)
        by_file = Word2Vec(corpus_file=files, **params)
        in_python = Word2Vec(sentences, **params)
        # the same vocabulary, counts and sentence count as LineSentence's sentences give ...
        assert routed.wv.index_to_key == in_python.wv.index_to_key
        assert routed.wv.expandos["count"].tolist() == in_python.wv.expandos["count"].tolist()
        assert (routed.corpus_count, routed.corpus_total_words) == (len(sentences), in_python.corpus_total_words)
        # ... trained by the file reader: the very model corpus_file gives
        np.testing.assert_array_equal(routed.wv.vectors, by_file.wv.vectors)
    # where str.split and the file reader would differ, the sentences are read in Python
    for odd in ("graph\u00a0trees".encode("utf8"), b"graph\x1ctrees", b"bad \xff byte", "\u3000x".encode("utf8")):
        (tmp_path / "o.txt").write_bytes(b"human interface\n" + odd + b"\n")
        assert line_sentence_count([tmp_path / "o.txt"], 10000) is None
    (tmp_path / "o.txt").write_text("human interface\ngraph\u00a0trees\n" * 3, encoding="utf8")
    odd = Word2Vec(LineSentence(tmp_path / "o.txt"), min_count=1, **FAST)
    assert "graph" in odd.wv and "graph\u00a0trees" not in odd.wv  # split as str.split splits
    np.testing.assert_array_equal(odd.wv.vectors, Word2Vec(list(LineSentence(tmp_path / "o.txt")), min_count=1,
                                                           **FAST).wv.vectors)
    assert Word2Vec(max_vocab_size=10).file_route(LineSentence(path)) is None  # pruning differs
    assert Word2Vec().file_route(LineSentence(path, limit=3)) is None
    assert Word2Vec().file_route(LineSentence(path))[1] == len(list(LineSentence(path)))
