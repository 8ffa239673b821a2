"""Corpus readers and tokenizers: the same sentences and tokens as gensim's, streamed."""
from __future__ import annotations

import bz2
import gzip
import io

import pytest
from gensim import utils as gensim_utils
from gensim.models import word2vec as gensim_w2v
from hypothesis import given, settings
from hypothesis import strategies as st

import wordvec
from wordvec.errors import CorpusDecodeError, CorpusError, ParameterError
from wordvec.text import readers
from wordvec.text.readers import LineSentence, PathLineSentences, Text8Corpus

TEXT = (
    "the quick brown fox\n"
    "\n"
    "  jumps\tover the  lazy dog  \r\n"
    "naïve 東京 café\u00a0bar\u3000baz\n"
    + " ".join(f"w{i}" for i in range(25)) + "\n"
    "last line without newline"
)


def write(path, text: str, kind: str = "plain"):
    data = text.encode("utf8")
    if kind == "gz":
        data = gzip.compress(data)
    elif kind == "bz2":
        data = bz2.compress(data)
    path.write_bytes(data)
    return path


@pytest.mark.parametrize("kind", ["plain", "gz", "bz2"])
@pytest.mark.parametrize("max_len,limit", [(10000, None), (7, None), (1, 3), (4, 0)])
def test_line_sentence_matches_gensim(tmp_path, kind, max_len, limit):
    path = write(tmp_path / f"c.txt{'.' + kind if kind != 'plain' else ''}", TEXT, kind)
    ours = LineSentence(path, max_sentence_length=max_len, limit=limit)
    theirs = gensim_w2v.LineSentence(str(path), max_sentence_length=max_len, limit=limit)
    assert list(ours) == list(theirs)
    assert list(ours) == list(theirs)  # re-iterable


def test_line_sentence_file_objects():
    for f in (io.StringIO(TEXT), io.BytesIO(TEXT.encode("utf8"))):
        theirs = list(gensim_w2v.LineSentence(f))
        assert list(LineSentence(f)) == theirs
        assert list(LineSentence(f)) == theirs


def test_path_line_sentences(tmp_path):
    d = tmp_path / "corpus"
    d.mkdir()
    write(d / "b.txt", "second file\nmore words here\n")
    write(d / "a.txt.gz", "first file\n", "gz")
    write(d / "c.txt", TEXT)
    (d / "sub").mkdir()  # sub-directories are not read
    ours = PathLineSentences(d, max_sentence_length=5, limit=2)
    theirs = gensim_w2v.PathLineSentences(str(d / "a.txt.gz"), max_sentence_length=5, limit=2)
    assert [p.rsplit("/", 1)[1] for p in ours.input_files] == ["a.txt.gz", "b.txt", "c.txt"]
    first = list(ours)
    assert first[: len(list(theirs))] == list(theirs)
    expected = []
    for name in ("a.txt.gz", "b.txt", "c.txt"):
        expected += list(gensim_w2v.LineSentence(str(d / name), max_sentence_length=5, limit=2))
    assert first == expected
    # One file, or an explicit list of files in the given order.
    assert list(PathLineSentences(d / "b.txt")) == [["second", "file"], ["more", "words", "here"]]
    assert list(PathLineSentences([d / "b.txt", d / "a.txt.gz"])) == [
        ["second", "file"], ["more", "words", "here"], ["first", "file"]]


@pytest.mark.parametrize("max_len", [10000, 3, 1])
def test_text8_matches_gensim(tmp_path, monkeypatch, max_len):
    words = [f"tok{i % 97}é" for i in range(20000)]
    path = write(tmp_path / "text8", " " + " ".join(words) + " ")
    monkeypatch.setattr(readers, "_TEXT8_BLOCK", 1000)  # many block boundaries
    ours = list(Text8Corpus(path, max_sentence_length=max_len))
    assert ours == list(gensim_w2v.Text8Corpus(str(path), max_sentence_length=max_len))
    assert sum(map(len, ours)) == len(words)


def test_text8_block_ending_in_a_line_break(tmp_path, monkeypatch):
    # gensim joins "bb" and "cc" here (its block cut ignores line breaks); we keep them apart.
    monkeypatch.setattr(readers, "_TEXT8_BLOCK", 6)
    path = write(tmp_path / "t", "aa bb\ncc dd")
    assert list(Text8Corpus(path)) == [["aa", "bb", "cc", "dd"]]


def test_errors_name_the_problem(tmp_path):
    with pytest.raises(CorpusError, match="does not exist"):
        LineSentence(tmp_path / "missing.txt")
    with pytest.raises(CorpusError, match="is a directory"):
        LineSentence(tmp_path)
    with pytest.raises(CorpusError, match="neither a file nor a directory"):
        PathLineSentences(tmp_path / "missing")
    with pytest.raises(ParameterError, match="max_sentence_length"):
        LineSentence(write(tmp_path / "ok", "a b"), max_sentence_length=0)
    bad = tmp_path / "bad.txt"
    bad.write_bytes(b"fine line\nbad \xff byte\n")
    with pytest.raises(CorpusDecodeError, match=r"bad\.txt: line 2: not valid UTF-8") as info:
        list(LineSentence(bad))
    assert isinstance(info.value, UnicodeDecodeError)  # what gensim code catches
    with pytest.raises(UnicodeDecodeError):
        list(Text8Corpus(bad))


TEXTS = st.text(alphabet=st.characters(blacklist_categories=("Cs",)), max_size=60) | st.sampled_from([
    "Hello, World! naïve café _under __x x_y 123abc abc123 ÀÉÎõü Ǆ ﬁ tschüß",
    "Ελληνικά кириллица 東京 ١٢٣ a1b2c3 tab\there new\nline",
    "x" * 20 + " " + "y" * 15 + " z",
])


@settings(max_examples=200, deadline=None)
@given(TEXTS, st.booleans(), st.integers(0, 4), st.integers(1, 20))
def test_tokenizers_match_gensim(text, deacc, min_len, max_len):
    assert wordvec.simple_preprocess(text, deacc, min_len, max_len) == gensim_utils.simple_preprocess(
        text, deacc, min_len, max_len)
    assert list(wordvec.tokenize(text, lowercase=True)) == list(gensim_utils.tokenize(text, lowercase=True))
    assert list(readers.simple_tokenize(text)) == list(gensim_utils.simple_tokenize(text))
    assert readers.deaccent(text) == gensim_utils.deaccent(text)
    assert readers.to_utf8(text) == gensim_utils.to_utf8(text)


def test_simple_preprocess_bytes():
    data = "Grüße aus Köln \xff".encode("latin1")
    assert wordvec.simple_preprocess(data) == gensim_utils.simple_preprocess(data)


def test_public_names():
    names = dir(wordvec)
    for name in ("Word2Vec", "KeyedVectors", "LineSentence", "PathLineSentences", "Text8Corpus",
                 "simple_preprocess", "WordvecError"):
        assert name in names
        assert getattr(wordvec, name) is not None
    assert "importlib" not in names
    with pytest.raises(AttributeError, match="no attribute 'nope'"):
        wordvec.nope  # noqa: B018
