"""Corpora through Word2Vec(corpus_file=...): UTF-16/32 with a byte-order mark decoded (saying so),
NUL-heavy text refused (saying what it looks like), pipes refused in one line naming the file, a
text starting with "BZh" read as text."""
from __future__ import annotations

import logging
import os
import threading

import pytest

from wordvec.errors import CorpusError
from wordvec.models.word2vec import Word2Vec

SENTENCES = ["the cat sat on the mat", "the dog ate the bone", "a cat and a dog", "naïve café crème"] * 50
PARAMS = dict(vector_size=4, min_count=1, epochs=1, workers=1, seed=3)


def _vocab(path) -> list[str]:
    model = Word2Vec(**PARAMS)
    model.build_vocab(corpus_file=path)
    return list(model.wv.index_to_key)


@pytest.mark.parametrize("encoding, label", [("utf-16", "UTF-16 (little-endian)"), ("utf-32", "UTF-32 (little-endian)"),
                                             ("utf-8-sig", None)])
def test_a_byte_order_mark_is_decoded_and_reported(tmp_path, caplog, encoding, label):
    text = "\n".join(SENTENCES) + "\n"
    (tmp_path / "utf8.txt").write_text(text, encoding="utf-8")
    (tmp_path / "other.txt").write_text(text, encoding=encoding)
    with caplog.at_level(logging.WARNING, logger="wordvec"):
        got = _vocab(tmp_path / "other.txt")
    assert got == _vocab(tmp_path / "utf8.txt")
    note = f"{label} text decoded to UTF-8" if label else "UTF-8 byte-order mark skipped"
    assert [r.getMessage() for r in caplog.records] == [f"{tmp_path / 'other.txt'}: {note}"]


@pytest.mark.parametrize("encoding, looks_like", [("utf-16-le", "UTF-16 \\(little-endian\\) text without a byte-order mark"),
                                                  ("utf-16-be", "UTF-16 \\(big-endian\\) text without a byte-order mark")])
def test_utf16_without_a_mark_is_refused(tmp_path, encoding, looks_like):
    (tmp_path / "c.txt").write_bytes(("\n".join(SENTENCES) + "\n").encode(encoding))
    with pytest.raises(CorpusError, match=rf"^corpus file '.*c\.txt': \d+% of its first [\d,]+ bytes are NUL: this "
                                          rf"looks like {looks_like}, not UTF-8 text"):
        Word2Vec(corpus_file=tmp_path / "c.txt", **PARAMS)


def test_nul_separated_words_are_refused(tmp_path):
    (tmp_path / "c.txt").write_bytes(b"\0".join(" ".join(SENTENCES).encode().split()))
    with pytest.raises(CorpusError, match=r"looks like NUL-separated words or binary data"):
        Word2Vec(corpus_file=tmp_path / "c.txt", **PARAMS)


@pytest.mark.skipif(os.name != "posix", reason="FIFOs")
def test_a_fifo_corpus_is_one_line_naming_it(tmp_path):
    os.mkfifo(tmp_path / "pipe")
    with pytest.raises(CorpusError, match=r"^corpus file '.*pipe' is a pipe or a device: training reads the corpus once "
                                          r"per epoch; save it to a file first"):
        Word2Vec(corpus_file=tmp_path / "pipe", **PARAMS)
    # nothing was opened: a writer would still block (checked without hanging: open non-blocking fails)
    with pytest.raises(OSError):
        os.open(tmp_path / "pipe", os.O_WRONLY | os.O_NONBLOCK)


def test_text_starting_with_bzh_is_text(tmp_path):
    (tmp_path / "c.txt").write_text("BZh91 is a word\n" + "\n".join(SENTENCES) + "\n")
    assert "BZh91" in _vocab(tmp_path / "c.txt")
