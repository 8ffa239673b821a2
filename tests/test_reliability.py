"""Reliability of the library under bad input, faults and interruptions, case by case.

1. corpus files that are missing, unreadable, empty, undecodable, huge on one line, CRLF,
   truncated; 2. vocabulary pruning and 64-bit counts; 3. parameters at the edges; 4. divergence;
5./6. damaged model files; 7. failed and interrupted writes; 8. Ctrl-C during training and
resuming; 9. concurrent queries; and a fuzzer feeding arbitrary bytes to the corpus reader.
The ``wordvec`` command's side of these cases is in test_cli_reliability.py.
"""
from __future__ import annotations

import bz2
import contextlib
import errno
import gzip
import io as pyio
import json
import logging
import os
import re
import resource
import signal
import subprocess
import sys
import threading
import zipfile
from collections import Counter
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from wordvec.cli import common as cli_common
from wordvec.text import corpus, files
from wordvec.formats import word2vec as io
from wordvec.train import kernels
from wordvec.models import word2vec as model_module
from wordvec.formats.atomic import atomic_path, atomic_write
from wordvec.errors import CorpusError, ModelFileError, ParameterError, TrainingError, VectorFormatError, WordvecError
from wordvec.vectors.keyedvectors import KeyedVectors
from wordvec.errors import TrainingInterrupted
from wordvec.models.word2vec import Word2Vec
from wordvec.plots.figures import plot_loss_history, plot_words
from wordvec.text.vocab import VocabCounter, Vocabulary

TINY = dict(vector_size=8, min_count=1, epochs=1, workers=1, seed=1)
ASCII_WHITESPACE = rb"[ \t\n\v\f\r]+"


def zipf_text(n_tokens: int, n_words: int = 300, seed: int = 0, line: int = 12, prefix: str = "w") -> str:
    """Lines of ``line`` Zipf-distributed words w0, w1, ..."""
    rng = np.random.default_rng(seed)
    p = 1.0 / np.arange(1, n_words + 1)
    tokens = np.array([f"{prefix}{i}" for i in range(n_words)])[rng.choice(n_words, n_tokens, p=p / p.sum())]
    return "\n".join(" ".join(tokens[i: i + line]) for i in range(0, n_tokens, line)) + "\n"


def reference_counts(data: bytes) -> Counter:
    """Token counts of raw corpus bytes: UTF-8 decoded with replacement, split on ASCII whitespace."""
    text = data.decode("utf-8", "replace").encode("utf-8")
    return Counter(t.decode("utf-8") for t in re.split(ASCII_WHITESPACE, text) if t)


def only(path: Path, *names: str) -> None:
    """The folder of ``path`` holds exactly ``names`` (no temporary file left behind)."""
    assert sorted(os.listdir(path)) == sorted(names)


@pytest.fixture(scope="module")
def corpus_file(tmp_path_factory) -> Path:
    """150,000 words of long names: 2.6 MB, ten blocks of the corpus reader (chunks of an epoch)."""
    path = tmp_path_factory.mktemp("corpus") / "corpus.txt"
    path.write_text(zipf_text(150_000, prefix="vocabularyword"))
    return path


# ===================================================================== 1. corpus files


def test_missing_path_and_directory(tmp_path):
    with pytest.raises(CorpusError, match=r"^corpus file '.*missing\.txt' does not exist$"):
        Word2Vec(corpus_file=tmp_path / "missing.txt", **TINY)
    with pytest.raises(CorpusError, match=r"^corpus directory '.*' holds no files$"):  # its files would be the corpus
        Word2Vec(corpus_file=tmp_path, **TINY)


@pytest.mark.skipif(os.name != "posix" or os.geteuid() == 0, reason="root reads files whatever their permissions")
def test_unreadable_file(tmp_path):
    path = tmp_path / "secret.txt"
    path.write_text("a b c\n")
    path.chmod(0)
    try:
        with pytest.raises(CorpusError, match=r"^corpus file '.*secret\.txt' is not readable \(permission denied\)$"):
            Word2Vec(corpus_file=path, **TINY)
    finally:
        path.chmod(0o600)


def test_permission_denied_is_a_corpus_error(tmp_path, monkeypatch):
    """The same case where the tests run as root: open() itself is made to refuse."""
    path = tmp_path / "secret.txt"
    path.write_text("a b c\n")

    def refuse(file, *args, **kwargs):
        raise PermissionError(errno.EACCES, "Permission denied", str(file))

    monkeypatch.setattr(files, "open", refuse, raising=False)  # the one input opener
    with pytest.raises(CorpusError, match=r"^corpus file '.*secret\.txt' is not readable \(permission denied\)$"):
        Word2Vec(corpus_file=path, **TINY)


@pytest.mark.parametrize("content", [b"", b" \n\t\r\n\v\f  \r\n"], ids=["empty", "whitespace"])
def test_empty_and_whitespace_only_files(tmp_path, content):
    (tmp_path / "c.txt").write_bytes(content)
    with pytest.raises(CorpusError, match=r"^the corpus is empty: no words to train on$"):
        Word2Vec(corpus_file=tmp_path / "c.txt", **TINY)


def test_nothing_left_after_min_count(tmp_path):
    (tmp_path / "c.txt").write_text("a b c\nd a e\n")
    with pytest.raises(CorpusError) as info:
        Word2Vec(corpus_file=tmp_path / "c.txt", **{**TINY, "min_count": 5})
    assert str(info.value) == (
        "no word occurs at least min_count=5 times: the corpus has 6 words (5 distinct); lower min_count"
    )


def test_invalid_utf8_and_binary_junk_are_replaced_and_counted(tmp_path, caplog):
    rng = np.random.default_rng(1)
    text = bytearray(zipf_text(20_000, n_words=50).encode())
    text[::89] = b"\xff" * len(text[::89])  # lone invalid bytes inside words
    junk = rng.integers(0, 256, 30_000, dtype=np.uint8).tobytes()
    data = bytes(text) + junk + "\n€ café \xff".encode("latin-1", "replace") + b"\xe2\x82\n"
    path = tmp_path / "mixed.bin"
    path.write_bytes(data)
    expected_invalid = data.decode("utf-8", "replace").count("\ufffd") - data.count("\ufffd".encode())
    with caplog.at_level(logging.WARNING, logger="wordvec"):
        m = Word2Vec(corpus_file=path, **TINY)
    assert m.invalid_utf8 == expected_invalid > 1000
    assert f"{path}: {expected_invalid} invalid UTF-8 byte sequences replaced by U+FFFD" in caplog.text
    # the vocabulary is exactly the replacement-decoded text's tokens, with their counts
    assert dict(zip(m.vocab.words, m.vocab.counts.tolist())) == dict(reference_counts(data))
    assert np.isfinite(m.wv.vectors).all() and len(m.loss_history) == 1
    kv = m.wv
    kv.save_word2vec_format(tmp_path / "v.txt")  # every corpus word can be written and read back
    assert KeyedVectors.load_word2vec_format(tmp_path / "v.txt").index_to_key == kv.index_to_key


BIG_LINE_SCRIPT = r"""
import resource, sys, zlib
import numpy as np
from wordvec.models.word2vec import Word2Vec

path, small = sys.argv[1], sys.argv[2]
rng = np.random.default_rng(0)
unit = (" ".join(rng.choice([f"word{i:04d}" for i in range(200)], size=1000)) + " ").encode()
n = 100_000_000 // len(unit) + 1
z = zlib.compressobj(6, zlib.DEFLATED, 31)  # gzip: 100 MB of text in a few MB on disk
with open(path, "wb") as f:
    for _ in range(n):
        f.write(z.compress(unit))
    f.write(z.flush())
params = dict(vector_size=8, min_count=1, epochs=1, workers=2, sample=1e-5, seed=1)
Word2Vec(corpus_file=small, **{**params, "sample": 0})  # everything imported and compiled
before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
m = Word2Vec(corpus_file=path, **params)
after = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
print(n * len(unit), m.vocab.raw_word_count, len(m.vocab), len(set(unit.split())), m.vocab.n_sentences,
      (after - before) * 1024)
"""


def test_single_100m_character_line_trains_in_bounded_memory(tmp_path):
    """100 million characters, no newline (gzip-compressed): counted and trained in blocks; the
    peak resident memory grows by far less than the text (a reader holding the line, or its 11
    million words as Python strings, would need 100 MB to over 1 GB)."""
    (tmp_path / "small.txt").write_text("word0001 word0002 word0003\n" * 20)
    proc = subprocess.run(
        [sys.executable, "-c", BIG_LINE_SCRIPT, str(tmp_path / "line.gz"), str(tmp_path / "small.txt")],
        capture_output=True, text=True, timeout=300,
    )
    assert proc.returncode == 0, proc.stderr
    chars, words, vocab, distinct, sentences, growth = map(int, proc.stdout.split())
    assert chars >= 100_000_000 and words == chars // 9 and vocab == distinct and sentences == 0
    assert growth < 60 * 2**20, f"peak RSS grew by {growth / 2**20:.0f} MiB"


def test_windows_line_endings_give_the_same_vocabulary_and_vectors(tmp_path):
    text = zipf_text(30_000, n_words=80)
    (tmp_path / "lf.txt").write_bytes(text.encode())
    (tmp_path / "crlf.txt").write_bytes(text.replace("\n", "\r\n").encode())
    params = dict(TINY, epochs=2, min_count=2)
    lf, crlf = Word2Vec(corpus_file=tmp_path / "lf.txt", **params), Word2Vec(corpus_file=tmp_path / "crlf.txt", **params)
    assert crlf.vocab.words == lf.vocab.words and not any("\r" in w for w in crlf.vocab.words)
    assert np.array_equal(crlf.vocab.counts, lf.vocab.counts) and crlf.vocab.n_sentences == lf.vocab.n_sentences
    assert np.array_equal(crlf.wv.vectors, lf.wv.vectors)
    assert crlf.loss_history == lf.loss_history


def _cut(data: bytes) -> bytes:
    return data[: len(data) * 2 // 3]


def _flip(data: bytes) -> bytes:
    mid = len(data) // 2
    return data[:mid] + bytes([data[mid] ^ 0x55]) + data[mid + 1:]


@pytest.mark.parametrize(
    "compress, damage",
    [(gzip.compress, _cut), (gzip.compress, _flip), (bz2.compress, _cut), (bz2.compress, _flip)],
    ids=["gz-truncated", "gz-corrupt", "bz2-truncated", "bz2-corrupt"],
)
def test_damaged_compressed_corpus_names_the_file(tmp_path, compress, damage):
    path = tmp_path / "corpus.gz"
    path.write_bytes(damage(compress(zipf_text(100_000).encode())))
    with pytest.raises(CorpusError, match=r"^corpus file '.*corpus\.gz' is truncated or corrupt: "):
        Word2Vec(corpus_file=path, **TINY)


# ===================================================================== 2. vocabulary


def test_max_vocab_size_prunes_as_word2vec_c():
    """word2vec.c's ReduceVocab: while over the limit, drop the words seen <= min_reduce times
    and raise min_reduce by one; min_reduce persists, so words pruned once lose their counts."""
    c = VocabCounter(max_vocab_size=2)
    c.update("a a b c".split())
    assert dict(c.counts) == {"a": 2} and c.min_reduce == 2 and c.pruned_words == 2
    c.update("b b b d".split())
    assert dict(c.counts) == {"b": 3} and c.min_reduce == 3 and c.pruned_words == 4
    c = VocabCounter(max_vocab_size=2)
    c.update(list("aaaaabbbccdde"))  # {a:5 b:3 c:2 d:2 e:1}: two rounds (<= 1, then <= 2)
    assert dict(c.counts) == {"a": 5, "b": 3} and c.min_reduce == 3 and c.pruned_words == 3
    assert c.raw_word_count == 13


def test_max_vocab_size_warns_how_many_words_were_dropped(caplog):
    # a:6 b:3 c:2 d e f: one count each; gensim prunes after a sentence, from count < 1
    # (nothing), then count < 2 (d e f)
    sentences = [list("aaaaabbbccdef"), ["a"]]
    with caplog.at_level(logging.WARNING, logger="wordvec"):
        m = Word2Vec(sentences, max_vocab_size=3, sample=0, **TINY)
    assert m.vocab.words == ["a", "b", "c"] and m.pruned_words == 3
    assert "max_vocab_size=3: dropped 3 rare distinct words while counting" in caplog.text
    caplog.clear()
    Word2Vec(sentences, sample=0, **TINY)
    assert "dropped" not in caplog.text


def test_counts_beyond_32_bits(tmp_path):
    big = {"the": 7 * 2**32 + 5, "of": 3 * 2**32, "cat": 2**31 + 1, "zebra": 2}
    counter = VocabCounter()
    counter.update(big, n_tokens=sum(big.values()))
    assert counter.raw_word_count == sum(big.values()) > 2**35
    vocab = Vocabulary.from_counts(counter.counts, min_count=1, raw_word_count=counter.raw_word_count)
    assert vocab.words == ["the", "of", "cat", "zebra"] and vocab.counts.tolist() == list(big.values())
    assert vocab.total_words == sum(big.values())
    keep = vocab.keep_thresholds(1e-3)
    assert keep.tolist() == sorted(keep.tolist()) and 0 < keep[0] < keep[-1] == 2**32  # frequent: kept less
    p = vocab.noise_distribution(0.75)
    threshold, alias = vocab.alias_table(0.75)
    # the alias table's distribution, exactly: P(i) = (threshold_i + sum of the others aliased to i) / (V 2^32)
    t = threshold.astype(np.float64) / 2**32
    q = (t + np.bincount(alias, weights=1 - t, minlength=len(p))) / len(p)
    np.testing.assert_allclose(q, p, rtol=1e-6, atol=1e-9)
    codes, points, lengths = vocab.huffman()
    assert lengths.tolist() == [1, 2, 3, 3] and np.sum(0.5 ** lengths) == 1.0  # a full prefix code
    # a model with such counts saves and loads them exactly
    m = Word2Vec(**TINY)
    m.set_vocabulary(vocab)
    m.save(tmp_path / "m.npz")
    back = Word2Vec.load(tmp_path / "m.npz")
    assert back.vocab.counts.tolist() == list(big.values()) and back.vocab.raw_word_count == counter.raw_word_count
    m.wv.save_word2vec_format(tmp_path / "v.txt", fvocab=tmp_path / "vocab.txt")
    assert io.read_vocab(tmp_path / "vocab.txt") == big


# ===================================================================== 3. parameters

SENTENCES = [["a", "b", "c", "d", "a", "b"], ["c", "d", "e", "a"]] * 20
EDGE_VALUES = {"zero": 0, "negative": -1, "nan": float("nan"), "string": "1", "huge": 10**12}
# the parameters that accept a value, and what happens then (everything else: ParameterError naming it)
ACCEPTED = {
    ("min_count", "huge"): CorpusError,  # no word that frequent
    ("min_count", "zero"): None,  # keep every word, as gensim
    ("max_vocab_size", "huge"): None,
    ("max_final_vocab", "huge"): None,
    ("sample", "zero"): None,
    ("sg", "zero"): None,
    ("hs", "zero"): None,
    ("ns_exponent", "zero"): None,
    ("ns_exponent", "negative"): None,
    ("cbow_mean", "zero"): None,
    ("alpha", "huge"): TrainingError,  # or finite garbage: see test_divergence_*
    ("min_alpha", "zero"): None,
    ("min_alpha", "huge"): TrainingError,
    ("seed", "zero"): None,
    ("seed", "huge"): None,
    ("max_sentence_length", "huge"): None,
}
NUMERIC = ["vector_size", "window", "min_count", "max_vocab_size", "max_final_vocab", "sample", "sg", "hs",
           "negative", "ns_exponent", "cbow_mean", "alpha", "min_alpha", "epochs", "workers", "seed",
           "max_sentence_length"]
CASES = [(name, kind) for name in NUMERIC for kind in EDGE_VALUES]


@pytest.mark.parametrize("name, kind", CASES, ids=[f"{n}-{k}" for n, k in CASES])
def test_every_numeric_parameter_at_its_edges(name, kind):
    value = EDGE_VALUES[kind]
    outcome = ACCEPTED.get((name, kind), ParameterError)
    params = {"sample": 0, **TINY, name: value}
    if outcome is None:
        m = Word2Vec(SENTENCES, **params)
        assert np.isfinite(m.wv.vectors).all() and m.epochs_trained == 1
        return
    try:
        m = Word2Vec(SENTENCES, **params)
    except outcome as exc:
        message = str(exc)
    else:  # a learning rate that large may also leave (finite) garbage on 200 words
        assert outcome is TrainingError and np.isfinite(m.wv.vectors).all()
        return
    if outcome is TrainingError:
        assert f"{name}={value} is too large" in message, message
    assert "\n" not in message
    if outcome is ParameterError:
        wanted = "nothing would be learned" if (name, kind) == ("negative", "zero") else name
        assert wanted in message, message
        if wanted == name:
            assert repr(value) in message or f"{name}={value}" in message, message


def test_absurd_vector_size_refused_before_allocating_with_the_memory_needed():
    import tracemalloc

    tracemalloc.start()
    try:
        with pytest.raises(ParameterError, match=r"^vector_size=1000000000 with \d+ words needs [\d,.]+ GiB") as info:
            Word2Vec(SENTENCES, **{**TINY, "vector_size": 10**9})
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert peak < 2**27, peak
    assert "lower vector_size" in str(info.value)


def test_window_larger_than_any_sentence_is_fine():
    wide = Word2Vec(SENTENCES, **{**TINY, "window": 10_000, "epochs": 3, "sample": 0})
    assert np.isfinite(wide.wv.vectors).all()
    assert wide.loss_history[-1] < wide.loss_history[0]


# ===================================================================== 4. divergence


@pytest.mark.parametrize("params", [dict(sg=1), dict(sg=0), dict(sg=1, hs=1, negative=0)], ids=["sg", "cbow", "hs"])
def test_divergence_stops_with_an_error_naming_alpha(corpus_file, params):
    m = Word2Vec(**{**TINY, **params, "alpha": 1e3, "epochs": 3})
    m.build_vocab(corpus_file=corpus_file)
    with pytest.raises(TrainingError, match=r"^training diverged \(the loss or the vectors became non-finite\): "
                       r"alpha=1000.0 is too large; lower alpha"):
        m.train(corpus_file=corpus_file, total_words=m.corpus_total_words, epochs=m.epochs)
    assert m.epochs_trained == 1  # stopped in the first epoch, not after all three
    with pytest.raises(VectorFormatError, match="non-finite"):  # NaN vectors are never written
        m.wv.save_word2vec_format(corpus_file.parent / "never.txt")
    assert not (corpus_file.parent / "never.txt").exists()


def test_divergence_from_a_growing_learning_rate_names_min_alpha(corpus_file):
    with pytest.raises(TrainingError, match=r"min_alpha=1000000.0 is too large \(the learning rate grows from alpha=0.025"):  # the default
        Word2Vec(corpus_file=corpus_file, **{**TINY, "min_alpha": 1e6})


# ===================================================================== 5./6. model files


@pytest.fixture(scope="module")
def saved_model(tmp_path_factory) -> Path:
    path = tmp_path_factory.mktemp("model") / "m.npz"
    Word2Vec(SENTENCES, **TINY).save(path)
    return path


def _rewrite_members(src: Path, dst: Path, change) -> None:
    with zipfile.ZipFile(src) as zin, zipfile.ZipFile(dst, "w") as zout:
        for item in zin.infolist():
            data = change(item.filename, zin.read(item.filename))
            if data is not None:
                zout.writestr(item.filename, data)


class _Payload:
    """Unpickling this creates a marker file: proof that code ran."""

    def __init__(self, marker: str) -> None:
        self.marker = marker

    def __reduce__(self):
        return (open, (self.marker, "w"))


def _npy(array: np.ndarray) -> bytes:
    buf = pyio.BytesIO()
    np.lib.format.write_array(buf, array, allow_pickle=True)
    return buf.getvalue()


def _meta_edit(change):
    def edit(name, data):
        if name != "meta.npy":
            return data
        meta = json.loads(np.load(pyio.BytesIO(data)).tobytes())
        change(meta)
        return _npy(np.frombuffer(json.dumps(meta).encode(), dtype=np.uint8))
    return edit


def test_model_file_tampering_is_refused(saved_model, tmp_path):
    raw = saved_model.read_bytes()
    w_in = raw.find(b"w_in.npy")
    cases = {
        "truncated.npz": lambda: tmp_path.joinpath("truncated.npz").write_bytes(raw[: len(raw) - 100]),
        "flipped.npz": lambda: tmp_path.joinpath("flipped.npz").write_bytes(
            raw[: w_in + 200] + bytes([raw[w_in + 200] ^ 1]) + raw[w_in + 201:]),
        "no-rng.npz": lambda: _rewrite_members(saved_model, tmp_path / "no-rng.npz",
                                               lambda n, d: None if n == "rng.npy" else d),
        "short-vectors.npz": lambda: _rewrite_members(saved_model, tmp_path / "short-vectors.npz",
                                                      lambda n, d: _npy(np.zeros((2, 8), np.float32)) if n == "w_in.npy" else d),
        "words.npz": lambda: _rewrite_members(saved_model, tmp_path / "words.npz",
                                              _meta_edit(lambda m: m["words"].__setitem__(1, m["words"][0]))),
        "params.npz": lambda: _rewrite_members(saved_model, tmp_path / "params.npz",
                                               _meta_edit(lambda m: m["params"].__setitem__("window", -3))),
        "run.npz": lambda: _rewrite_members(saved_model, tmp_path / "run.npz",
                                            _meta_edit(lambda m: m.__setitem__("pending_run", {"epoch": "x"}))),
    }
    for name, make in cases.items():
        make()
        with pytest.raises(ModelFileError, match=re.escape(name)):
            Word2Vec.load(tmp_path / name)


def test_pickled_object_arrays_in_a_model_file_never_run(saved_model, tmp_path):
    marker = tmp_path / "code-ran"
    evil = np.empty((5, 8), dtype=object)
    evil[0, 0] = _Payload(str(marker))
    for member in ("w_in.npy", "meta.npy", "counts.npy"):
        path = tmp_path / f"evil-{member}.npz"
        _rewrite_members(saved_model, path, lambda n, d: _npy(evil) if n == member else d)
        with pytest.raises(ModelFileError, match="evil"):
            Word2Vec.load(path)
    assert not marker.exists()


# ===================================================================== 7. atomic writes


@contextlib.contextmanager
def umask(mask: int):
    old = os.umask(mask)
    try:
        yield
    finally:
        os.umask(old)


def test_written_files_get_the_umask_permissions(tmp_path):
    with umask(0o027):
        with atomic_write(tmp_path / "a.txt", "w") as f:
            f.write("x")
        with atomic_path(tmp_path / "b.npy") as tmp:
            np.save(tmp, np.zeros(2))
        Word2Vec(SENTENCES, **TINY).save(tmp_path / "m.npz")
        KeyedVectors.from_vectors(["a", "b"], np.eye(2)).save(tmp_path / "kv.json")
    modes = {p.name: p.stat().st_mode & 0o777 for p in tmp_path.iterdir()}
    assert modes == dict.fromkeys(["a.txt", "b.npy", "m.npz", "kv.json", "kv.json.vectors.npy"], 0o640)
    with umask(0o022):
        with atomic_write(tmp_path / "c.txt", "w") as f:
            f.write("x")
        assert (tmp_path / "c.txt").stat().st_mode & 0o777 == 0o644
        (tmp_path / "a.txt").chmod(0o600)  # a replaced file keeps its permissions
        with atomic_write(tmp_path / "a.txt", "w") as f:
            f.write("y")
    assert (tmp_path / "a.txt").stat().st_mode & 0o777 == 0o600 and (tmp_path / "a.txt").read_text() == "y"


def test_a_failed_model_save_keeps_the_previous_file(tmp_path, monkeypatch):
    path = tmp_path / "m.npz"
    old = Word2Vec(SENTENCES, **TINY)
    old.save(path)
    before = path.read_bytes()

    def disk_full(file, **arrays):
        file.write(b"PK\x03\x04 half an archive")
        raise OSError(errno.ENOSPC, "No space left on device")

    monkeypatch.setattr(np, "savez", disk_full)
    with pytest.raises(OSError, match=r"No space left on device: '.*m\.npz'$"):
        Word2Vec(SENTENCES, **{**TINY, "seed": 2}).save(path)
    assert path.read_bytes() == before
    only(tmp_path, "m.npz")


def test_an_interrupted_atomic_write_leaves_nothing(tmp_path):
    (tmp_path / "v.txt").write_text("previous")
    with pytest.raises(KeyboardInterrupt):
        with atomic_write(tmp_path / "v.txt", "w") as f:
            f.write("half")
            raise KeyboardInterrupt
    assert (tmp_path / "v.txt").read_text() == "previous"
    only(tmp_path, "v.txt")


@pytest.fixture
def file_size_limit():
    """Writes beyond 16 KiB fail with EFBIG ('File too large') while the test runs: a full disk."""
    old_limit = resource.getrlimit(resource.RLIMIT_FSIZE)
    old_handler = signal.signal(signal.SIGXFSZ, signal.SIG_IGN)

    @contextlib.contextmanager
    def limited():
        resource.setrlimit(resource.RLIMIT_FSIZE, (16 * 1024, old_limit[1]))
        try:
            yield
        finally:
            resource.setrlimit(resource.RLIMIT_FSIZE, old_limit)

    try:
        yield limited
    finally:
        signal.signal(signal.SIGXFSZ, old_handler)


def _big_kv() -> KeyedVectors:
    return KeyedVectors.from_vectors([f"w{i}" for i in range(3000)], np.random.default_rng(0).random((3000, 20)))


WRITERS = {
    "text": (["v.txt"], lambda d: _big_kv().save_word2vec_format(d / "v.txt"), VectorFormatError),
    "binary": (["v.bin"], lambda d: _big_kv().save_word2vec_format(d / "v.bin", binary=True), VectorFormatError),
    "gzip": (["v.txt.gz"], lambda d: _big_kv().save_word2vec_format(d / "v.txt.gz"), VectorFormatError),
    "native": (["kv.json", "kv.json.vectors.npy"], lambda d: _big_kv().save(d / "kv.json"), ModelFileError),
    "model": (["m.npz"], lambda d: Word2Vec([[f"w{i}" for i in range(3000)]], **TINY).save(d / "m.npz"), OSError),
    "words-plot": (["p.png"], lambda d: plot_words(_big_kv(), ["w1", "w2", "w3"], d / "p.png"), OSError),
    "loss-plot": (["l.png"], lambda d: plot_loss_history(np.linspace(5, 1, 40), d / "l.png"), OSError),
    "cli-text": (["eval.json"], lambda d: cli_common.write_text(d / "eval.json", "x" * 100_000), OSError),
}


@pytest.mark.parametrize("writer", WRITERS)
def test_disk_full_mid_write_keeps_the_previous_file(tmp_path, file_size_limit, writer):
    names, write, error = WRITERS[writer]
    if writer == "model":
        write(tmp_path)  # a valid previous model (and everything compiled before the limit)
    previous = {}
    for name in names:
        if writer != "model":
            (tmp_path / name).write_bytes(b"previous " + name.encode())
        previous[name] = (tmp_path / name).read_bytes()
    with file_size_limit():
        with pytest.raises(error) as info:
            write(tmp_path)
    assert "File too large" in str(info.value)
    assert names[0] in str(info.value) or (error is ModelFileError and "kv.json" in str(info.value))
    assert {n: (tmp_path / n).read_bytes() for n in names} == previous
    only(tmp_path, *names)


# ===================================================================== 8. interruption


class _CtrlCAt:
    """Patches kernels.train_chunk to deliver SIGINT to the main thread at the given calls
    (counted from 1), as a user's Ctrl-C in the middle of training."""

    def __init__(self, monkeypatch, *calls: int) -> None:
        self.calls, self.n = set(calls), 0
        real = kernels.train_chunk

        def spy(*args):
            self.n += 1
            if self.n in self.calls:
                signal.pthread_kill(threading.main_thread().ident, signal.SIGINT)
            return real(*args)

        monkeypatch.setattr(kernels, "train_chunk", spy)


PARAMS = dict(vector_size=16, min_count=2, epochs=3, workers=1, seed=7, sg=1)


@pytest.fixture(scope="module")
def straight(corpus_file) -> Word2Vec:
    return Word2Vec(corpus_file=corpus_file, **PARAMS)


def test_ctrl_c_mid_epoch_checkpoints_and_resume_is_bit_identical(corpus_file, straight, tmp_path, monkeypatch):
    m = Word2Vec(**PARAMS)
    m.build_vocab(corpus_file=corpus_file)
    blocks = len(list(corpus.TextBlocks(corpus_file)))  # the chunks of an epoch (10)
    _CtrlCAt(monkeypatch, blocks + 4)  # the 4th chunk of the 2nd epoch
    with pytest.raises(TrainingInterrupted) as info:
        m.train(corpus_file=corpus_file, total_words=m.corpus_total_words, epochs=m.epochs, checkpoint=tmp_path / "ckpt.npz")
    monkeypatch.undo()
    assert isinstance(info.value, KeyboardInterrupt)
    assert info.value.checkpoint == str(tmp_path / "ckpt.npz") and info.value.epoch == 1
    assert "training interrupted in epoch 2 of 3; checkpoint written to" in str(info.value)
    only(tmp_path, "ckpt.npz")
    loaded = Word2Vec.load(tmp_path / "ckpt.npz")
    run = loaded.pending_run
    assert run.epoch == 1 and 4 <= run.position < blocks and run.corpus_file == str(corpus_file.resolve())
    assert signal.getsignal(signal.SIGINT) is signal.default_int_handler  # the handler was given back
    loaded.resume()
    assert loaded.pending_run is None and loaded.epochs_trained == 3
    assert np.array_equal(loaded.wv.vectors, straight.wv.vectors)
    assert np.array_equal(loaded.syn1neg, straight.syn1neg)
    assert loaded.loss_history == straight.loss_history
    assert loaded.training_summary["raw_words"] == straight.training_summary["raw_words"]


def test_ctrl_c_between_epochs_is_not_lost(corpus_file, straight, tmp_path):
    class CtrlCAfterFirstEpoch:
        def on_epoch_end(self, model):
            if model.epochs_trained == 1:
                signal.raise_signal(signal.SIGINT)

    m = Word2Vec(**PARAMS)
    m.build_vocab(corpus_file=corpus_file)
    with pytest.raises(TrainingInterrupted):
        m.train(corpus_file=corpus_file, total_words=m.corpus_total_words, epochs=m.epochs, checkpoint=tmp_path / "ckpt.npz", callbacks=[CtrlCAfterFirstEpoch()])
    loaded = Word2Vec.load(tmp_path / "ckpt.npz")
    assert (loaded.pending_run.epoch, loaded.pending_run.position, loaded.epochs_trained) == (1, 0, 1)
    loaded.resume()
    assert np.array_equal(loaded.wv.vectors, straight.wv.vectors)


def test_resume_with_two_workers_is_as_good(corpus_file, tmp_path, monkeypatch):
    params = {**PARAMS, "workers": 2}
    m = Word2Vec(**params)
    m.build_vocab(corpus_file=corpus_file)
    _CtrlCAt(monkeypatch, 6)
    with pytest.raises(TrainingInterrupted):
        m.train(corpus_file=corpus_file, total_words=m.corpus_total_words, epochs=m.epochs, checkpoint=tmp_path / "ckpt.npz")
    monkeypatch.undo()
    resumed = Word2Vec.load(tmp_path / "ckpt.npz")
    resumed.resume()
    reference = Word2Vec(corpus_file=corpus_file, **params)
    assert resumed.training_summary["raw_words"] == reference.training_summary["raw_words"]
    np.testing.assert_allclose(resumed.loss_history, reference.loss_history, rtol=0.01)


def test_a_failed_checkpoint_write_keeps_the_previous_checkpoint(corpus_file, tmp_path, monkeypatch):
    ckpt = tmp_path / "ckpt.npz"
    ckpt.write_bytes(b"an older checkpoint")
    m = Word2Vec(**PARAMS)
    m.build_vocab(corpus_file=corpus_file)
    _CtrlCAt(monkeypatch, 2)

    def disk_full(file, **arrays):
        raise OSError(errno.ENOSPC, "No space left on device")

    monkeypatch.setattr(np, "savez", disk_full)
    with pytest.raises(OSError, match=r"No space left on device: '.*ckpt\.npz'"):
        m.train(corpus_file=corpus_file, total_words=m.corpus_total_words, epochs=m.epochs, checkpoint=ckpt)
    assert ckpt.read_bytes() == b"an older checkpoint"
    only(tmp_path, "ckpt.npz")


# ===================================================================== 9. concurrency


def test_concurrent_queries_of_every_kind_equal_serial_ones():
    """test_keyedvectors covers most_similar, most_similar_cosmul and similarity; these are the rest."""
    rng = np.random.default_rng(5)
    words = [f"w{i}" for i in range(300)]
    kv = KeyedVectors.from_vectors(words, rng.standard_normal((300, 12)).astype(np.float32))
    probe = rng.standard_normal(12).astype(np.float32)
    queries = [
        lambda i: kv.doesnt_match([words[i], words[i + 1], words[i + 2], words[i + 3]]),
        lambda i: kv.n_similarity(words[i: i + 3], words[i + 3: i + 5]),
        lambda i: kv.distances(words[i], words[:20]).tolist(),
        lambda i: kv.rank(words[i], words[i + 1]),
        lambda i: kv.closer_than(words[i], words[i + 1]),
        lambda i: kv.similar_by_vector(probe * (i + 1), topn=5),
        lambda i: kv.most_similar(positive=[words[i], words[i + 2]], negative=[words[i + 1]], topn=4),
        lambda i: kv.rank_by_centrality(words[i: i + 6]),
        lambda i: kv.most_similar_to_given(words[i], words[i + 1: i + 9]),
    ]
    tasks = [(q, i) for i in range(0, 280, 7) for q in range(len(queries))]

    def run(task):
        q, i = task
        return queries[q](i)

    with ThreadPoolExecutor(max_workers=8) as pool:
        concurrent = list(pool.map(run, tasks))
    assert concurrent == [run(t) for t in tasks]


# ===================================================================== fuzzing


@settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    data=st.one_of(
        st.binary(max_size=400),
        st.binary(max_size=200).map(lambda b: b"\x1f\x8b" + b),  # claims to be gzip
        st.binary(max_size=200).map(lambda b: b"BZh" + b),  # claims to be bzip2
        st.lists(st.sampled_from([b"a", b"b ", b"\n", b"\r\n", b"\xff", b"\xe2\x82", b"\x00", b"\x1c", b"\t"]),
                 max_size=80).map(b"".join),
    ),
    sg=st.integers(0, 1),
)
def test_arbitrary_bytes_train_or_raise_a_wordvec_error(tmp_path, data, sg):
    path = tmp_path / "fuzz.txt"
    path.write_bytes(data)
    try:
        m = Word2Vec(corpus_file=path, **{**TINY, "sg": sg, "epochs": 2})
    except WordvecError:
        return
    assert np.isfinite(m.wv.vectors).all()
    if not data.startswith((b"\x1f\x8b", b"BZh")):
        assert dict(zip(m.vocab.words, m.vocab.counts.tolist())) == dict(reference_counts(data))
