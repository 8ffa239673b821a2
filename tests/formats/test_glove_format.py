"""Stanford GloVe's files: binary co-occurrence records (round trips, errors on damaged files,
files of the real C ``cooccur`` when it can be built) and the header-less text vectors."""
from __future__ import annotations

import random
import shutil
import subprocess
from collections import Counter
from pathlib import Path

import numpy as np
import pytest

from wordvec.errors import CooccurrenceFormatError
from wordvec.formats.glove import (
    RECORD,
    iter_cooccurrence_records,
    read_cooccurrence,
    read_glove_vectors,
    write_cooccurrence,
    write_glove_vectors,
)
from wordvec.formats.word2vec import write_vocab
from wordvec.text.cooccurrence import Cooccurrence, count_cooccurrences, sentence_ids
from wordvec.text.vocab import Vocabulary

GLOVE_SOURCE = Path("/work/shared/peers/glove/src")


def small_matrix(symmetric: bool) -> tuple[Cooccurrence, Vocabulary]:
    rng = random.Random(1)
    lines = [[f"w{rng.randint(0, 15)}" for _ in range(rng.randint(1, 20))] for _ in range(60)]
    vocab = Vocabulary.from_counts(Counter(w for line in lines for w in line), 1)
    return count_cooccurrences(sentence_ids(lines, vocab), len(vocab), 5, symmetric, True), vocab


def dense(co: Cooccurrence) -> np.ndarray:
    return co.to_scipy().toarray()


@pytest.mark.parametrize("symmetric", [True, False])
def test_cooccurrence_round_trip(tmp_path, symmetric):
    co, _ = small_matrix(symmetric)
    path = tmp_path / "cooc.bin"
    assert write_cooccurrence(path, co) == co.nnz
    assert path.stat().st_size == 16 * co.nnz
    raw = np.fromfile(path, dtype=RECORD)
    assert raw["word1"].min() == 1 and raw["word2"].min() == 1  # 1-based as the C tool writes
    back = read_cooccurrence(path, n_words=co.n_words)
    assert np.array_equal(dense(back), dense(co))
    r, c, v = co.entries()
    assert len(back) == len(r)
    streamed = list(iter_cooccurrence_records(path, chunk_records=7))
    assert sum(len(p[0]) for p in streamed) == co.nnz


def test_truncated_file_is_refused(tmp_path):
    co, _ = small_matrix(True)
    path = tmp_path / "cooc.bin"
    write_cooccurrence(path, co)
    data = path.read_bytes()
    path.write_bytes(data[:-5])
    with pytest.raises(CooccurrenceFormatError, match=rf"truncated.*record {co.nnz} is incomplete"):
        read_cooccurrence(path)


@pytest.mark.parametrize(
    "record, message",
    [((0, 1, 1.0), "record 2: word ids 0, 1 out of range"), ((1, 99, 1.0), "out of range.*has 20 words"),
     ((1, 1, 0.0), "record 2: value 0.0 is not a finite positive"), ((1, 1, float("nan")), "not a finite")],
)
def test_bad_records_are_refused(tmp_path, record, message):
    rec = np.zeros(2, dtype=RECORD)
    rec[0] = (1, 2, 3.0)
    rec[1] = record
    path = tmp_path / "bad.bin"
    rec.tofile(path)
    with pytest.raises(CooccurrenceFormatError, match=message):
        read_cooccurrence(path, n_words=20)


def test_missing_file(tmp_path):
    with pytest.raises(CooccurrenceFormatError, match="cannot read"):
        read_cooccurrence(tmp_path / "nope.bin")


def test_glove_text_vectors_round_trip(tmp_path):
    words = ["the", "ünïcode", "x"]
    vectors = np.random.default_rng(0).normal(size=(3, 4)).astype(np.float32)
    path = tmp_path / "vectors.txt"
    write_glove_vectors(path, words, vectors)
    first = path.read_text(encoding="utf-8").splitlines()[0].split(" ")
    assert first[0] == "the" and len(first) == 5  # no header line
    back_words, back = read_glove_vectors(path)
    assert back_words == words and np.array_equal(back, vectors)


def _build_c_tools(tmp_path: Path) -> Path | None:
    gcc = shutil.which("gcc") or shutil.which("cc")
    if gcc is None or not (GLOVE_SOURCE / "cooccur.c").exists():
        return None
    out = tmp_path / "cooccur"
    cmd = [gcc, "-O1", str(GLOVE_SOURCE / "cooccur.c"), str(GLOVE_SOURCE / "common.c"), "-o", str(out), "-lm"]
    if subprocess.run(cmd, capture_output=True, timeout=120).returncode != 0:
        return None
    return out


@pytest.mark.parametrize("symmetric, weighting, window", [(1, 1, 5), (0, 1, 3), (1, 0, 2)])
def test_file_of_the_c_cooccur_reads_identically(tmp_path, symmetric, weighting, window):
    cooccur = _build_c_tools(tmp_path)
    if cooccur is None:
        pytest.skip("Stanford GloVe's source or a C compiler is not available")
    rng = random.Random(window)
    lines = [[f"w{min(rng.randint(0, 40), rng.randint(0, 40))}" for _ in range(rng.randint(0, 25))] for _ in range(300)]
    corpus = tmp_path / "corpus.txt"
    corpus.write_text("\n".join(" ".join(line) for line in lines) + "\n")
    vocab = Vocabulary.from_counts(Counter(w for line in lines for w in line), 3)
    write_vocab(tmp_path / "vocab.txt", vocab.words, vocab.counts)  # so that the ids agree
    # A small -max-product sends most pairs through cooccur's sorted overflow files and their
    # merge (with every pair in its dense array and an empty overflow file, cooccur's merge
    # reads a stale record and doubles the first entry).
    with open(corpus, "rb") as fin, open(tmp_path / "c.bin", "wb") as fout:
        subprocess.run(
            [str(cooccur), "-verbose", "0", "-vocab-file", str(tmp_path / "vocab.txt"), "-window-size", str(window),
             "-symmetric", str(symmetric), "-distance-weighting", str(weighting), "-max-product", "6", "-overflow-length", "3000",
             "-overflow-file", str(tmp_path / "overflow")],
            stdin=fin, stdout=fout, stderr=subprocess.DEVNULL, check=True, timeout=60,
        )
    theirs = read_cooccurrence(tmp_path / "c.bin", n_words=len(vocab))
    ours = count_cooccurrences(sentence_ids(lines, vocab), len(vocab), window, bool(symmetric), bool(weighting))
    r, c, v = ours.entries()
    assert len(theirs) == len(r)
    np.testing.assert_allclose(dense(theirs), dense(ours), rtol=1e-13, atol=0)
    # and ours, written in their format, reads back the same
    write_cooccurrence(tmp_path / "ours.bin", ours)
    assert np.array_equal(dense(read_cooccurrence(tmp_path / "ours.bin", n_words=len(vocab))), dense(ours))


def test_counts_stream_straight_to_a_file(tmp_path):
    """A matrix larger than memory: the merged runs go to the file as they come."""
    from wordvec.formats.glove import CooccurrenceWriter
    from wordvec.text.cooccurrence import CooccurrenceCounter, with_context

    rng = random.Random(1)
    lines = [[f"w{rng.randint(0, 60)}" for _ in range(rng.randint(1, 20))] for _ in range(300)]
    vocab = Vocabulary.from_counts(Counter(w for line in lines for w in line), 1)
    co = count_cooccurrences(sentence_ids(lines, vocab), len(vocab), 5, True, True)
    counter = CooccurrenceCounter(len(vocab), 5, True, True, memory_bytes=8192, tmp_dir=tmp_path)
    for chunk in with_context(sentence_ids(lines, vocab), 5):
        counter.add(*chunk)
    with open(tmp_path / "streamed.bin", "wb") as f, CooccurrenceWriter(f, symmetric=True) as writer:
        counter.finish(writer)
    assert counter.runs_written > 1 and writer.records == co.nnz
    assert np.array_equal(dense(read_cooccurrence(tmp_path / "streamed.bin", len(vocab))), dense(co))
