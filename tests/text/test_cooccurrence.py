"""Co-occurrence counting against a plain Python count, the spill-and-merge path against the
in-memory one, lines longer than a text block, and the memory-budget parser."""
from __future__ import annotations

import random
from collections import Counter, defaultdict
from fractions import Fraction

import numpy as np
import pytest

from wordvec.errors import ParameterError
from wordvec.text.corpus import TextBlocks
from wordvec.text.cooccurrence import (
    Cooccurrence,
    CooccurrenceCounter,
    count_cooccurrences,
    parse_memory,
    sentence_ids,
    text_ids,
    with_context,
)
from wordvec.text.vocab import Vocabulary


def random_corpus(seed: int, n_lines: int = 120, n_words: int = 25) -> list[list[str]]:
    rng = random.Random(seed)
    words = [f"w{i}" for i in range(n_words)]
    return [
        [rng.choice(words[: rng.randint(1, n_words)]) for _ in range(rng.randint(0, 30))] for _ in range(n_lines)
    ]


def vocab_of(lines: list[list[str]], min_count: int = 3) -> Vocabulary:
    return Vocabulary.from_counts(Counter(w for line in lines for w in line), min_count)


def python_count(lines, vocab, window, symmetric, weighting) -> dict[tuple[int, int], Fraction]:
    """cooccur's rule, written plainly: out-of-vocabulary words dropped first, then every target
    with each of the ``window`` words to its left on its line."""
    X: dict[tuple[int, int], Fraction] = defaultdict(Fraction)
    for line in lines:
        ids = [vocab.key_to_index[w] for w in line if w in vocab.key_to_index]
        for p, target in enumerate(ids):
            for q in range(max(0, p - window), p):
                add = Fraction(1, p - q) if weighting else Fraction(1)
                X[ids[q], target] += add
                if symmetric:
                    X[target, ids[q]] += add
    return X


def as_dict(co: Cooccurrence) -> dict[tuple[int, int], float]:
    r, c, v = co.entries()
    out = {(int(a), int(b)): float(x) for a, b, x in zip(r, c, v)}
    assert len(out) == co.nnz == len(r)
    return out


def assert_same(co: Cooccurrence, ref: dict) -> None:
    got = as_dict(co)
    assert set(got) == set(ref)
    for key, value in ref.items():
        assert got[key] == pytest.approx(float(value), rel=1e-14), key


@pytest.mark.parametrize("symmetric", [True, False])
@pytest.mark.parametrize("weighting", [True, False])
@pytest.mark.parametrize("window", [1, 2, 5, 15])
def test_counts_equal_a_plain_python_count(symmetric, weighting, window):
    lines = random_corpus(window + 10 * symmetric + 100 * weighting)
    vocab = vocab_of(lines)
    co = count_cooccurrences(sentence_ids(lines, vocab), len(vocab), window, symmetric, weighting)
    assert_same(co, python_count(lines, vocab, window, symmetric, weighting))
    # sorted, upper triangle when symmetric
    keys = co.rows.astype(np.int64) * len(vocab) + co.cols
    assert np.all(np.diff(keys) > 0)
    assert not symmetric or np.all(co.rows <= co.cols)


def test_weights_are_exact_rationals_and_symmetric_diagonal_counts_twice():
    vocab = Vocabulary(["a", "b"], [3, 1])
    co = count_cooccurrences(sentence_ids([["a", "b", "a", "a"]], vocab), 2, 3, True, True)
    X = co.to_scipy().toarray()
    # a-a pairs at distances 1 (positions 2,3), 2 (0,2), 3 (0,3): each adds 2 to X[a, a]
    assert X[0, 0] == 2 * (1 + 1 / 2 + 1 / 3)
    assert X[0, 1] == X[1, 0] == 1 + 1 + 1 / 2  # b-a at distances 1, 2 and a-b at 1
    co = count_cooccurrences(sentence_ids([["a", "b", "a", "a"]], vocab), 2, 3, False, True)
    X = co.to_scipy().toarray()
    assert X[0, 1] == 1.0 and X[1, 0] == 1 + 1 / 2  # left context a of b; b left of the two later a's


def test_long_windows_are_rounded_closely():
    lines = random_corpus(7, n_lines=40)
    vocab = vocab_of(lines)
    co = count_cooccurrences(sentence_ids(lines, vocab), len(vocab), 30, True, True)
    ref = python_count(lines, vocab, 30, True, True)
    got = as_dict(co)
    assert set(got) == set(ref)
    assert max(abs(got[k] / float(v) - 1) for k, v in ref.items()) < 1e-7


@pytest.mark.parametrize("symmetric", [True, False])
def test_spill_and_merge_equals_in_memory(tmp_path, symmetric):
    lines = random_corpus(3, n_lines=400, n_words=60)
    vocab = vocab_of(lines, 1)
    whole = count_cooccurrences(sentence_ids(lines, vocab), len(vocab), 6, symmetric, True)
    small = CooccurrenceCounter(len(vocab), 6, symmetric, True, memory_bytes=parse_memory("8kB"), tmp_dir=tmp_path)
    for ids, offsets, start in with_context(sentence_ids(lines, vocab), 6):
        small.add(ids, offsets, start)
    spilled = small.finish()
    assert small.runs_written >= 5
    assert list(tmp_path.iterdir()) == []  # runs removed
    assert np.array_equal(spilled.rows, whole.rows)
    assert np.array_equal(spilled.cols, whole.cols)
    assert np.array_equal(spilled.values, whole.values)  # exact: fixed-point sums


def test_sink_streams_the_merged_entries(tmp_path):
    lines = random_corpus(4, n_lines=200)
    vocab = vocab_of(lines, 1)
    whole = count_cooccurrences(sentence_ids(lines, vocab), len(vocab), 4, True, False)
    counter = CooccurrenceCounter(len(vocab), 4, True, False, memory_bytes=8192, tmp_dir=tmp_path)
    for chunk in with_context(sentence_ids(lines, vocab), 4):
        counter.add(*chunk)
    pieces = []
    assert counter.finish(lambda r, c, v: pieces.append((r.copy(), c.copy(), v.copy()))) is None
    assert np.array_equal(np.concatenate([p[0] for p in pieces]), whole.rows)
    assert np.array_equal(np.concatenate([p[2] for p in pieces]), whole.values)


def test_text_file_matches_lines_and_lines_may_span_blocks(tmp_path):
    lines = random_corpus(5, n_lines=30)
    lines.append(["w1", "w2", "w3"] * 40)  # a line far longer than a block
    path = tmp_path / "c.txt"
    text = "\n".join("  ".join(line) for line in lines) + "\n\n"
    path.write_text(text.replace("w7 ", "oov "))
    edited = [[("oov" if w == "w7" and k < len(line) - 1 else w) for k, w in enumerate(line)] for line in lines]
    vocab = vocab_of(edited)
    ref = python_count(edited, vocab, 4, True, True)
    for block_bytes in (1 << 18, 64):
        blocks = TextBlocks(path, block_bytes=block_bytes)
        for workers in (1, 2):
            co = count_cooccurrences(text_ids(blocks, vocab), len(vocab), 4, True, True, workers=workers)
            assert_same(co, ref)


@pytest.mark.parametrize("memory", [4.0, "16kB"])
def test_threads_count_the_same(memory):
    lines = random_corpus(11, n_lines=600, n_words=80)
    vocab = vocab_of(lines, 1)
    one = count_cooccurrences(sentence_ids(lines, vocab), len(vocab), 5, True, True)
    for workers in (2, 3):
        chunks = sentence_ids(lines, vocab, chunk_words=300)
        many = count_cooccurrences(chunks, len(vocab), 5, True, True, memory=memory, workers=workers)
        assert np.array_equal(many.rows, one.rows) and np.array_equal(many.cols, one.cols)
        assert np.array_equal(many.values, one.values)


def test_from_entries_sorts_and_sums():
    co = Cooccurrence.from_entries(np.array([2, 0, 2, 1]), np.array([1, 0, 1, 2]), np.array([1.0, 2.0, 0.5, 3.0]), 3)
    assert co.rows.tolist() == [0, 1, 2] and co.cols.tolist() == [0, 2, 1]
    assert co.values.tolist() == [2.0, 3.0, 1.5] and not co.symmetric


def test_parse_memory():
    assert parse_memory(4) == 4 << 30
    assert parse_memory(0.5) == 1 << 29
    assert parse_memory(10_000_000) == 10_000_000
    assert parse_memory("512MB") == 512 << 20
    assert parse_memory("64 kB") == 64 << 10
    assert parse_memory("2GiB") == 2 << 30
    for bad in ("lots", -1, 0, float("nan"), True, "1B", None):
        with pytest.raises(ParameterError, match="memory"):
            parse_memory(bad)


def test_memory_budget_bounds_the_table():
    lines = random_corpus(9, n_lines=2000, n_words=1000)
    vocab = vocab_of(lines, 1)
    counter = CooccurrenceCounter(len(vocab), 10, True, True, memory_bytes=1 << 20)
    for chunk in with_context(sentence_ids(lines, vocab), 10):
        counter.add(*chunk)
        assert counter.table.nbytes * 28 / 16 <= 1 << 20
    counter.close()
