"""--resume over a different or changed corpus is refused (size, modification time, first and last
blocks recorded in the checkpoint), a copy of the same text is accepted, and a flag insists."""
from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest
from test_cli import assert_user_error, wordvec
from test_reliability import _CtrlCAt, zipf_text

from wordvec.errors import CorpusError, ParameterError, TrainingInterrupted
from wordvec.models.word2vec import Word2Vec


@pytest.fixture
def checkpoint(tmp_path, monkeypatch) -> Path:
    corpus = tmp_path / "corpus.txt"
    corpus.write_text(zipf_text(60_000, n_words=80))
    m = Word2Vec(vector_size=8, workers=1, epochs=2, min_count=1)
    m.build_vocab(corpus_file=corpus)
    _CtrlCAt(monkeypatch, 1)
    with pytest.raises(TrainingInterrupted):
        m.train(corpus_file=corpus, total_words=m.corpus_total_words, epochs=m.epochs, checkpoint=tmp_path / "ck.npz")
    monkeypatch.undo()
    return tmp_path / "ck.npz"


def _refused(tmp_path, checkpoint, *extra, how: str) -> None:
    before = checkpoint.read_bytes()
    proc = wordvec("train", "--resume", checkpoint.name, "-o", "v.txt", "--no-progress", *extra, cwd=tmp_path)
    assert_user_error(proc, 1, r"^wordvec: error: the corpus '.*' is not the one the interrupted run started with: "
                               + how + r"; resuming over another text would not continue that run "
                               r"\(allow_changed_corpus=True, --allow-changed-corpus on the command line, insists\)$")
    assert checkpoint.read_bytes() == before and not (tmp_path / "v.txt").exists()


def test_a_corpus_changed_in_place_is_refused(checkpoint, tmp_path):
    corpus = tmp_path / "corpus.txt"
    data = corpus.read_bytes()
    stat = corpus.stat()
    corpus.write_bytes(data + b"one more line\n")
    _refused(tmp_path, checkpoint, how=rf"its size is {len(data) + 14:,} bytes, not {len(data):,}")
    corpus.write_bytes(b"X" + data[1:])
    _refused(tmp_path, checkpoint, how=rf"its first {min(len(data), 1 << 20):,} bytes differ")
    corpus.write_bytes(data)
    os.utime(corpus, ns=(stat.st_atime_ns, stat.st_mtime_ns + 5 * 10**9))
    _refused(tmp_path, checkpoint, how=r"it was modified since \(its modification time changed\)")


def test_another_corpus_is_refused_unless_insisted(checkpoint, tmp_path):
    (tmp_path / "other.txt").write_text(zipf_text(60_000, n_words=80, seed=5))
    _refused(tmp_path, checkpoint, "other.txt", how=r"its (size is [\d,]+ bytes, not [\d,]+|first [\d,]+ bytes differ)")
    proc = wordvec("train", "--resume", checkpoint.name, "other.txt", "-o", "v.txt", "--no-progress",
                   "--allow-changed-corpus", cwd=tmp_path)
    assert proc.returncode == 0, proc.stderr
    assert proc.stderr.startswith("wordvec: warning: resuming over a changed corpus 'other.txt' (")
    assert (tmp_path / "v.txt").exists() and not checkpoint.exists()


def test_a_copy_of_the_same_text_is_accepted(checkpoint, tmp_path):
    shutil.copy(tmp_path / "corpus.txt", tmp_path / "copy.txt")  # a new modification time, the same bytes
    os.utime(tmp_path / "copy.txt", ns=(1, 10**18))
    proc = wordvec("train", "--resume", checkpoint.name, "copy.txt", "-o", "v.txt", "--no-progress", cwd=tmp_path)
    assert proc.returncode == 0 and proc.stderr == "", proc.stderr


def test_the_library_refuses_too(checkpoint, tmp_path):
    (tmp_path / "corpus.txt").write_text(zipf_text(50_000, n_words=80, seed=9))
    model = Word2Vec.load(checkpoint)
    with pytest.raises(CorpusError, match=r"is not the one the interrupted run started with: its size is"):
        model.resume()
    with pytest.raises(ParameterError, match="allow_changed_corpus"):
        model.resume(allow_changed_corpus="yes")
    model.resume(allow_changed_corpus=True)
    assert model.pending_run is None and model.epochs_trained == 2
