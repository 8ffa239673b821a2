"""``wordvec phrases`` run as a user runs it: output equal to gensim's chained Phrases, fed to
``wordvec train``, compressed files, one-line errors."""
from __future__ import annotations

import bz2
import gzip
import re
import subprocess
import sys
from pathlib import Path

import pytest
from gensim.models import phrases as gp
from gensim.models.word2vec import LineSentence

from wordvec.resources import default_corpus_path, sst_sentences
from wordvec.vectors.keyedvectors import KeyedVectors


def wordvec(*args) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "wordvec.cli", *map(str, args)], capture_output=True, text=True,
                          timeout=600)


def one_line_error(proc: subprocess.CompletedProcess, code: int, pattern: str) -> None:
    assert proc.returncode == code, (proc.returncode, proc.stderr)
    lines = proc.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("wordvec: error: ") and re.search(pattern, lines[0]), proc.stderr
    assert "Traceback" not in proc.stderr


@pytest.fixture(scope="module")
def corpus(tmp_path_factory) -> Path:
    """The first 6,000 SST sentences as a .bz2 file."""
    path = tmp_path_factory.mktemp("cli-phrases") / "sst.txt.bz2"
    with bz2.open(path, "wt", encoding="utf-8") as f:
        f.writelines(" ".join(s) + "\n" for s in sst_sentences()[:6000])
    return path


def test_two_passes_equal_gensim_and_train_reads_the_output(corpus, tmp_path):
    out = tmp_path / "joined.txt.gz"
    proc = wordvec("phrases", corpus, "-o", out, "--min-count", 3, "--threshold", 5, "--passes", 2,
                   "--connector-words", "english")
    assert proc.returncode == 0, proc.stderr
    assert "pass 2:" in proc.stderr and f"wrote {out}" in proc.stderr
    params = dict(min_count=3, threshold=5.0, connector_words=gp.ENGLISH_CONNECTOR_WORDS)
    first = gp.Phrases(LineSentence(str(corpus)), **params).freeze()
    second = gp.Phrases(first[LineSentence(str(corpus))], **params).freeze()
    expected = "".join(" ".join(s) + "\n" for s in second[first[LineSentence(str(corpus))]])
    with gzip.open(out, "rt", encoding="utf-8") as f:
        text = f.read()
    assert text == expected
    assert "new_york" in text.split() or any("_" in t for t in text.split())

    vectors = tmp_path / "vectors.txt"
    proc = wordvec("train", out, "-o", vectors, "--dim", 8, "--epochs", 1, "--min-count", 5, "--threads", 1,
                   "--no-progress")
    assert proc.returncode == 0, proc.stderr
    kv = KeyedVectors.load_word2vec_format(vectors)
    joined = [w for w in kv.index_to_key if "_" in w]
    assert joined, "the phrase tokens made it into the vectors"


def test_npmi_plain_output(tmp_path):
    out = tmp_path / "joined.txt"
    proc = wordvec("phrases", default_corpus_path(), "-o", out, "--scoring", "npmi", "--threshold", "0.4")
    assert proc.returncode == 0, proc.stderr
    theirs = gp.Phrases(LineSentence(str(default_corpus_path())), scoring="npmi", threshold=0.4).freeze()
    assert out.read_text(encoding="utf-8") == "".join(
        " ".join(s) + "\n" for s in theirs[LineSentence(str(default_corpus_path()))])


def test_user_errors_are_one_line(corpus, tmp_path):
    one_line_error(wordvec("phrases", tmp_path / "missing.txt", "-o", tmp_path / "o.txt"), 1, "does not exist")
    one_line_error(wordvec("phrases", corpus, "-o", tmp_path / "no" / "o.txt"), 1, "no such folder")
    one_line_error(wordvec("phrases", corpus, "-o", tmp_path / "o.txt", "--threshold", "x"), 2, "--threshold")
    one_line_error(wordvec("phrases", corpus, "-o", tmp_path / "o.txt", "--passes", "0"), 2, "--passes")
    one_line_error(wordvec("phrases", corpus, "-o", tmp_path / "o.txt", "--scoring", "npmi", "--threshold", "3"),
                   1, "between -1 and 1")
    one_line_error(wordvec("phrases", corpus, "-o", tmp_path / "o.txt", "--connector-words", "french"), 2,
                   "connector-words")
    assert not (tmp_path / "o.txt").exists()


def test_standard_input_corpus(corpus, tmp_path):
    """'-' reads the corpus from standard input (compressed or not), with the file's result."""
    from_file, from_stdin = tmp_path / "file.txt", tmp_path / "stdin.txt"
    args = ("-o", "--min-count", 3, "--threshold", 5, "--passes", 2)
    assert wordvec("phrases", corpus, args[0], from_file, *args[1:]).returncode == 0
    proc = subprocess.run([sys.executable, "-m", "wordvec.cli", "phrases", "-", "-o", str(from_stdin),
                           *map(str, args[1:])], input=corpus.read_bytes(), capture_output=True, timeout=600)
    assert proc.returncode == 0, proc.stderr
    assert from_stdin.read_bytes() == from_file.read_bytes()
    assert "_" in from_stdin.read_text(encoding="utf-8")
