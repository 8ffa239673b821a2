"""Corpus streaming: the compiled tokenizer against a pure-Python split, text blocks of plain,
gzip and bzip2 files, sentence chunks and the one-shot-iterator guard."""
from __future__ import annotations

import bz2
import gzip
import io
import itertools
import random
from collections import Counter

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from wordvec.text.corpus import (
    line_sentence_count,
    TextBlocks,
    check_reiterable,
    compact_ids,
    count_sentences,
    interleaved_order,
    count_text,
    encode_text,
    open_corpus,
    sentence_chunks,
)
from wordvec.errors import CorpusError
from wordvec.text.vocab import VocabCounter, Vocabulary


def encode(text: bytes, words: list[str], max_sentence_length: int = 10000) -> tuple[list[list[str]], int]:
    """encode_text on ``text`` with vocabulary ``words``, decoded back to words."""
    v = Vocabulary(list(words), np.arange(len(words), 0, -1))
    table, word_bytes, word_offsets = v.hash_table()
    ids, offsets, n_raw = encode_text(np.frombuffer(text, dtype=np.uint8), table, word_bytes, word_offsets, max_sentence_length)
    assert ids.dtype == np.int32 and offsets.dtype == np.int64 and offsets[0] == 0 and offsets[-1] == len(ids)
    return [[words[i] for i in ids[offsets[j]:offsets[j + 1]]] for j in range(len(offsets) - 1)], n_raw


def split_reference(text: bytes, words, max_sentence_length: int) -> tuple[list[list[str]], int]:
    """The documented rule in plain Python: lines split at b"\\n", tokens are runs of non-ASCII-
    whitespace bytes, each line cut every max_sentence_length tokens read, unknown tokens dropped,
    empty sentences dropped."""
    known = {w.encode("utf-8") for w in words}
    sentences, n_raw = [], 0
    for line in text.split(b"\n"):
        tokens = line.split()  # bytes.split: ASCII whitespace only
        n_raw += len(tokens)
        for k in range(0, len(tokens), max_sentence_length):
            sentence = [t.decode("utf-8") for t in tokens[k:k + max_sentence_length] if t in known]
            if sentence:
                sentences.append(sentence)
    return sentences, n_raw


# ----------------------------------------------------------------------------- encode_text

WORDS = ["the", "cat", "sat", "été", "日本", "a", "ab", "abc"]


@pytest.mark.parametrize(
    "text,msl,expected,n_raw",
    [
        (b"the cat\tsat\n", 100, [["the", "cat", "sat"]], 3),
        (b"the cat\r\nsat a\r\n", 100, [["the", "cat"], ["sat", "a"]], 4),
        (b"  the   cat  \n\n\n   \nsat", 100, [["the", "cat"], ["sat"]], 3),
        (b"dog the bird cat fish\n", 100, [["the", "cat"]], 5),
        (b"dog bird\nthe\n", 100, [["the"]], 3),  # a line of unknown words makes no sentence
        (b"the cat sat a ab abc the\n", 3, [["the", "cat", "sat"], ["a", "ab", "abc"], ["the"]], 7),
        (b"the X cat sat Y a ab\n", 3, [["the", "cat"], ["sat", "a"], ["ab"]], 7),  # unknowns count as read
        (b"X Y Z the\n", 3, [["the"]], 4),
        (b"the cat\nsat a ab abc", 2, [["the", "cat"], ["sat", "a"], ["ab", "abc"]], 6),
        ("été 日本 caf\u00e9 the\n".encode(), 100, [["été", "日本", "the"]], 4),
        (b"ab abc abcd a b\n", 100, [["ab", "abc", "a"]], 5),  # prefixes are different words
        (b"the\x0bcat\x0csat\ra", 100, [["the", "cat", "sat", "a"]], 4),
        ("the\u00a0cat a\x1cb".encode(), 100, [], 2),  # non-ASCII / non-whitespace separators join
        (b"", 100, [], 0),
        (b"\n\n \t\r\n", 100, [], 0),
    ],
)
def test_encode_text_tricky_inputs(text, msl, expected, n_raw):
    assert encode(text, WORDS, msl) == (expected, n_raw)
    assert split_reference(text, WORDS, msl) == (expected, n_raw)


def test_encode_text_cuts_long_lines_at_10000_tokens():
    text = b" ".join([b"the"] * 25_000) + b"\n" + b"cat " * 3
    sentences, n_raw = encode(text, WORDS)
    assert [len(s) for s in sentences] == [10_000, 10_000, 5_000, 3] and n_raw == 25_003


_PIECES = ["the", "cat", "été", "日本", "a", "ab", "x", "zz\u00a0", "\x1c", "\ufffd"]
_SEPARATORS = [" ", "  ", "\t", "\n", "\r\n", "\n\n", "\x0b", "\x0c", "\r"]


@given(
    st.lists(st.tuples(st.sampled_from(_PIECES), st.sampled_from(_SEPARATORS)), max_size=60),
    st.integers(1, 6),
    st.data(),
)
@settings(max_examples=150, deadline=None)
def test_encode_text_equals_python_split(parts, msl, data):
    text = "".join(a + b for a, b in parts).encode("utf-8")
    tokens = sorted({t.decode("utf-8") for t in text.split()})
    words = data.draw(st.lists(st.sampled_from(tokens), unique=True)) if tokens else []
    words = words or ["unused"]
    assert encode(text, words, msl) == split_reference(text, words, msl)


# ----------------------------------------------------------------------------- compact_ids, sentence_chunks


def compact_reference(sentences: list[list[int]], msl: int) -> list[list[int]]:
    out = []
    for s in sentences:
        for k in range(0, len(s), msl):
            kept = [w for w in s[k:k + msl] if w >= 0]
            if kept:
                out.append(kept)
    return out


def sentences_of(ids, offsets) -> list[list[int]]:
    return [ids[offsets[j]:offsets[j + 1]].tolist() for j in range(len(offsets) - 1)]


@given(st.lists(st.lists(st.integers(-1, 4), max_size=12), max_size=12), st.integers(1, 5))
@settings(max_examples=150, deadline=None)
def test_compact_ids_drops_unknown_and_cuts(sentences, msl):
    raw = np.array(list(itertools.chain.from_iterable(sentences)), dtype=np.int32)
    lengths = np.array([len(s) for s in sentences], dtype=np.int64)
    ids, offsets = compact_ids(raw, lengths, msl)
    assert sentences_of(ids, offsets) == compact_reference(sentences, msl)


def test_sentence_chunks_cover_the_corpus_in_order():
    rng = np.random.default_rng(0)
    vocab = {f"w{i}": i for i in range(20)}
    corpus = [[f"w{j}" for j in rng.integers(0, 25, rng.integers(0, 15))] for _ in range(300)]
    chunks = list(sentence_chunks(corpus, vocab, max_sentence_length=4, chunk_words=50))
    assert len(chunks) > 10
    assert all(ids.dtype == np.int32 and offsets.dtype == np.int64 for ids, offsets, _, _ in chunks)
    got = [s for ids, offsets, _, _ in chunks for s in sentences_of(ids, offsets)]
    as_ids = [[vocab.get(w, -1) for w in s] for s in corpus]
    assert got == compact_reference(as_ids, 4)
    assert sum(raw for _, _, raw, _ in chunks) == sum(map(len, corpus))
    assert chunks[-1][3] == len(corpus)  # sentences consumed, cumulative
    consumed = [c for *_, c in chunks]
    assert consumed == sorted(consumed)
    resumed = list(sentence_chunks(corpus, vocab, 4, chunk_words=50, skip_sentences=consumed[4]))
    assert [s for ids, offsets, _, _ in resumed for s in sentences_of(ids, offsets)] == compact_reference(
        as_ids[consumed[4]:], 4
    )


# ----------------------------------------------------------------------------- check_reiterable


class Reiterable:
    def __iter__(self):
        return iter([["a", "b"]])


@pytest.mark.parametrize("ok", [[["a"]], (["a"],), Reiterable()])
def test_check_reiterable_accepts_reiterables(ok):
    check_reiterable(ok)


@pytest.mark.parametrize(
    "bad,match",
    [
        ((s for s in [["a"]]), "one-shot"),
        (iter([["a"]]), "one-shot"),
        (map(list, ["ab"]), "one-shot"),
        (io.StringIO("a b\n"), "one-shot"),
        ("a b c", "string"),
    ],
)
def test_check_reiterable_refuses_one_shot_iterators(bad, match):
    with pytest.raises(CorpusError, match=match):
        check_reiterable(bad)


def test_count_sentences_takes_a_string_as_characters_with_gensims_warning(caplog):
    counter = VocabCounter()
    count_sentences([["the"], "cat", "ta"], counter)
    assert counter.counts == {"the": 1, "c": 1, "a": 2, "t": 2} and counter.raw_word_count == 6
    assert caplog.text.count("Each 'sentences' item should be a list of words (usually unicode strings).") == 1
    assert "Sentence 1 is instead plain <class 'str'>" in caplog.text


@pytest.mark.parametrize("bad,message", [
    ([["a"], None], "sentence 1 is None, not a list of tokens"),
    ([["a"], ["b"], (t for t in "ab")], "sentence 2 is a one-shot generator"),
    ([["a"], ["b", 3]], "sentence 1, token 1 is 3 of type int: tokens must be strings"),
    ([["a", ["x"]]], r"sentence 0, token 1 is \['x'\] of type list"),
    ([["a"], b"b c"], "sentence 1 is a bytes string"),
])
def test_count_sentences_names_a_malformed_sentence(bad, message):
    with pytest.raises(CorpusError, match=message):
        count_sentences(bad, VocabCounter())


# ----------------------------------------------------------------------------- TextBlocks


def write(path, data: bytes, kind: str = "plain"):
    opener = {"plain": open, "gz": gzip.open, "bz2": bz2.open}[kind]
    with opener(path, "wb") as f:
        f.write(data)
    return path


def lines_text(seed: int = 0, n: int = 400, max_words: int = 30) -> bytes:
    rng = np.random.default_rng(seed)
    vocab = ["the", "cat", "sat", "on", "mat", "été", "日本語", "a"]
    return "".join(" ".join(rng.choice(vocab, rng.integers(0, max_words))) + "\n" for _ in range(n)).encode()


@pytest.mark.parametrize("kind", ["plain", "gz", "bz2"])
def test_blocks_end_at_newlines_and_cover_the_file(tmp_path, kind):
    short = lines_text(max_words=10)  # lines of < 100 bytes: every block ends at a newline
    blocks = list(TextBlocks(write(tmp_path / f"s.{kind}", short, kind), block_bytes=100))
    assert len(blocks) > 20 and b"".join(blocks) == short
    assert all(b.endswith(b"\n") for b in blocks)
    assert list(TextBlocks(write(tmp_path / "plain", short), block_bytes=100)) == blocks  # same as plain
    data = lines_text()  # some lines longer than a block: those are cut at a space
    blocks = list(TextBlocks(write(tmp_path / f"c.{kind}", data, kind), block_bytes=97))
    assert b"".join(blocks) == data
    assert all(b.endswith(b"\n") or (b"\n" not in b and b.endswith(b" ")) for b in blocks[:-1])
    assert any(not b.endswith(b"\n") for b in blocks)


def test_single_long_line_is_cut_at_whitespace(tmp_path):
    rng = np.random.default_rng(1)
    words = ["alpha", "été", "b", "日本語", "zzzzzzzzzzzz"]
    data = " ".join(rng.choice(words, 3000)).encode()  # one line, no newline
    blocks = list(TextBlocks(write(tmp_path / "one.txt", data), block_bytes=100))
    assert len(blocks) > 100 and b"".join(blocks) == data
    assert all(b.endswith(b" ") for b in blocks[:-1])  # cut just after a space: no token split
    assert [t for b in blocks for t in b.split()] == data.split()
    assert all(len(b) <= 100 + 100 for b in blocks)
    for b in blocks:
        b.decode("utf-8")  # never cuts inside a character


def test_token_longer_than_the_block_is_kept_whole(tmp_path):
    data = b"short " + b"x" * 1000 + b" tail\nend"
    blocks = list(TextBlocks(write(tmp_path / "long.txt", data), block_bytes=64))
    assert b"".join(blocks) == data
    assert b"x" * 1000 in [t for b in blocks for t in b.split()]


def test_invalid_utf8_is_replaced_and_counted(tmp_path):
    data = b"ok \xff\xfe bad\ncaf\xc3\xa9 \xe2\x82\nliteral \xef\xbf\xbd fine\n"
    tb = TextBlocks(write(tmp_path / "bad.txt", data))
    blocks = list(tb)
    assert tb.invalid_bytes == 3  # \xff, \xfe, truncated \xe2\x82; a literal U+FFFD is not counted
    text = b"".join(blocks).decode("utf-8")
    assert text.split() == ["ok", "\ufffd\ufffd", "bad", "café", "\ufffd", "literal", "\ufffd", "fine"]
    list(tb)
    assert tb.invalid_bytes == 3  # per pass, not accumulated
    counter = VocabCounter()
    count_text(tb, counter)
    assert counter.counts["\ufffd"] == 2 and counter.raw_word_count == 8 and counter.n_sentences == 3


def test_blocks_resume_from_a_block_index(tmp_path):
    tb = TextBlocks(write(tmp_path / "c.txt", lines_text(2)), block_bytes=128)
    blocks = list(tb)
    assert list(tb.blocks(start_block=5)) == blocks[5:]


def test_open_corpus_errors_name_the_path(tmp_path):
    with pytest.raises(CorpusError, match="missing.txt.*does not exist"):
        TextBlocks(tmp_path / "missing.txt")
    with pytest.raises(CorpusError, match="is a directory"):
        open_corpus(tmp_path)
    data = gzip.compress(lines_text(3))
    (tmp_path / "cut.gz").write_bytes(data[: len(data) // 2])
    with pytest.raises(CorpusError, match="cut.gz.*truncated or corrupt"):  # when opened (read ahead) or read
        list(TextBlocks(tmp_path / "cut.gz", block_bytes=256))


def test_count_text_counts_tokens_and_lines(tmp_path):
    data = lines_text(4)
    counter = VocabCounter()
    count_text(TextBlocks(write(tmp_path / "c.gz", data, "gz"), block_bytes=200), counter)
    tokens = data.decode().split()
    assert counter.counts == Counter(tokens)
    assert counter.raw_word_count == len(tokens) and counter.n_sentences == data.count(b"\n")


def first_occurrence_counts(data: bytes) -> list[tuple[str, int]]:
    """Counter of the tokens (bytes.split rule) in order of first occurrence, decoded."""
    return list(Counter(t.decode("utf-8") for t in data.split()).items())


@given(
    st.lists(st.tuples(st.sampled_from(_PIECES), st.sampled_from(_SEPARATORS)), max_size=80),
    st.integers(1, 3),
    st.sampled_from([64, 4096]),
)
@settings(max_examples=100, deadline=None)
def test_compiled_count_equals_a_sequential_python_count(tmp_path_factory, parts, workers, block_bytes):
    data = "".join(a + b for a, b in parts).encode("utf-8")
    path = tmp_path_factory.mktemp("c") / "c.txt"
    path.write_bytes(data)
    counter = VocabCounter()
    count_text(TextBlocks(path, block_bytes=block_bytes), counter, workers=workers)
    assert list(counter.counts.items()) == first_occurrence_counts(data)  # same words, counts and order
    assert counter.raw_word_count == len(data.split()) and counter.n_sentences == data.count(b"\n")


@pytest.mark.parametrize("workers", [1, 2, 4])
def test_compiled_count_grows_past_its_initial_tables(tmp_path, workers):
    """100,000 distinct words (the tables start at 32,768) and a 300 kB token."""
    rng = np.random.default_rng(0)
    words = [f"w{i}é" for i in rng.permutation(100_000)]
    lines = [" ".join(words[i:i + 50]) for i in range(0, len(words), 50)]
    lines.insert(700, "x" * 300_000)
    lines += [" ".join(words[:5000])] * 3
    data = ("\n".join(lines) + "\n").encode("utf-8")
    path = tmp_path / "big.txt"
    path.write_bytes(data)
    counter = VocabCounter()
    count_text(TextBlocks(path, block_bytes=1 << 16), counter, workers=workers)
    assert list(counter.counts.items()) == first_occurrence_counts(data)
    assert counter.counts["x" * 300_000] == 1 and counter.counts[words[0]] == 4


def test_count_with_max_vocab_size_prunes_like_word2vec_c(tmp_path):
    data = b"a a a b b c d e\n" * 3
    path = tmp_path / "p.txt"
    path.write_bytes(data)
    counter = VocabCounter(max_vocab_size=3)
    count_text(TextBlocks(path), counter, workers=2)
    assert counter.pruned_words > 0 and set(counter.counts) <= {"a", "b", "c", "d", "e"}
    assert len(counter.counts) <= 3 and counter.counts["a"] == 9


@pytest.mark.parametrize("suffix", [".txt", ".txt.gz"])
@pytest.mark.parametrize("streams", [1, 2, 3, 8])
def test_interleaved_reads_every_block_once_in_the_streams_order(tmp_path, suffix, streams):
    rng = random.Random(streams)
    text = "".join(" ".join(rng.choice(["a", "bb", "ccc"]) for _ in range(rng.randint(1, 30))) + "\n" for _ in range(3000))
    path = tmp_path / f"c{suffix}"
    with (gzip.open if suffix.endswith(".gz") else open)(path, "wt") as f:
        f.write(text)
    sequential = list(TextBlocks(path, block_bytes=2048).blocks())
    order, bounds = interleaved_order(len(sequential), streams)
    assert len(sequential) > 20 and len(bounds) == min(streams, len(sequential)) + 1
    nxt = list(bounds[:-1])
    expected = []
    for run in order:
        expected.append(sequential[nxt[run]])
        nxt[run] += 1
    assert nxt == list(bounds[1:])
    blocks = TextBlocks(path, block_bytes=2048)
    assert list(blocks.interleaved(streams)) == expected
    assert b"".join(sorted(expected)) == b"".join(sorted(sequential))
    for start in (1, 7, len(expected) - 1):  # resuming from a position of that order
        assert list(blocks.interleaved(streams, start)) == expected[start:]


def test_interleaved_refuses_a_file_that_shrank_after_counting(tmp_path):
    path = tmp_path / "c.txt"
    path.write_text("word another\n" * 5000)
    blocks = TextBlocks(path, block_bytes=2048)
    assert blocks.block_count() > 4
    path.write_text("word another\n" * 100)
    with pytest.raises(CorpusError, match="changed while it was read"):
        list(blocks.interleaved(4))


@given(st.text(alphabet=st.sampled_from(["a", "b", "é", "\u2019", "\u3001", " ", "\t", "\n", "\r", "\v", "\u00a0", "\x1f", "\u2003", "\u3000"]), max_size=60),
       st.integers(1, 4))
@settings(max_examples=60, deadline=None)
def test_line_sentence_count_is_line_sentences_count_or_none(tmp_path_factory, text, size):
    from wordvec.text.readers import LineSentence

    path = tmp_path_factory.mktemp("ls") / "t.txt"
    path.write_bytes(text.encode("utf8"))
    n = line_sentence_count([path], size)
    sentences = list(LineSentence(path, max_sentence_length=size))
    if any(c in text for c in "\u00a0\x1f\u2003\u3000"):  # str.split splits there, the file reader does not
        assert n is None
        return
    assert n == len(sentences)
    counter = VocabCounter()
    count_text(TextBlocks(path), counter)  # the file reader's tokens are LineSentence's
    assert counter.counts == Counter(w for s in sentences for w in s)
    assert counter.raw_word_count == sum(map(len, sentences))
