"""Corpus streaming: raw text files and sentence iterables turned into int32 token-id chunks.

A training chunk is ``(ids int32 (n,), offsets int64 (s+1,), raw_words)``: the in-vocabulary
token ids of s sentences back to back, sentence j being ids[offsets[j]:offsets[j+1]], and the
number of tokens read (in vocabulary or not). Words missing from the vocabulary are dropped;
sentences are cut every ``max_sentence_length`` tokens read (gensim's LineSentence rule), so a
text8-style file of one 100M-character line trains in bounded memory.

Text files (plain, gzip or bzip2, detected from their first bytes) are read in binary blocks cut
at a newline (or, in a line longer than the block, at the last whitespace); tokens are runs of
bytes other than ASCII whitespace (space, \\t, \\n, \\v, \\f, \\r: so Windows line endings work).
Bytes that are not valid UTF-8 are replaced by U+FFFD and counted. Encoding a block is a compiled
loop over its bytes with a hash table of the vocabulary (no Python per word), run by the training
threads without the GIL.
"""
from __future__ import annotations

import bz2
import gzip
import io
import itertools
import os
import zlib
from collections import Counter
from pathlib import Path
from typing import BinaryIO, Iterable, Iterator

import numba
import numpy as np

from .errors import CorpusError
from .vocab import VocabCounter, fnv1a

BLOCK_BYTES = 1 << 18
MAX_TOKEN_BYTES = 1 << 24
_WHITESPACE = b" \t\n\v\f\r"


def open_corpus(path: str | os.PathLike) -> BinaryIO:
    """Open a corpus file for binary reading, decompressing gzip or bzip2 transparently."""
    p = Path(path)
    if not p.exists():
        raise CorpusError(f"corpus file '{p}' does not exist")
    if p.is_dir():
        raise CorpusError(f"corpus path '{p}' is a directory, not a file")
    try:
        f = open(p, "rb")
    except PermissionError:
        raise CorpusError(f"corpus file '{p}' is not readable (permission denied)") from None
    except OSError as e:
        raise CorpusError(f"cannot open corpus file '{p}': {e.strerror or e}") from None
    magic = f.read(3)
    f.seek(0)
    if magic[:2] == b"\x1f\x8b":
        return gzip.GzipFile(fileobj=f, mode="rb")  # type: ignore[return-value]
    if magic == b"BZh":
        return bz2.BZ2File(f, mode="rb")  # type: ignore[return-value]
    return f


class TextBlocks:
    """Re-iterable blocks of a text file, each ending at a token boundary, valid UTF-8.

    ``invalid_bytes`` counts the replacement characters introduced by the last full pass.
    """

    def __init__(self, path: str | os.PathLike, block_bytes: int = BLOCK_BYTES) -> None:
        self.path = Path(path)
        self.block_bytes = block_bytes
        self.invalid_bytes = 0
        with open_corpus(self.path):
            pass

    def __iter__(self) -> Iterator[bytes]:
        return self.blocks()

    def blocks(self, start_block: int = 0) -> Iterator[bytes]:
        """Yield the blocks in order, skipping the first ``start_block`` (for resuming)."""
        self.invalid_bytes = 0
        index = 0
        with open_corpus(self.path) as f:
            rest = b""
            while True:
                try:
                    data = f.read(self.block_bytes)
                except (EOFError, OSError, zlib.error) as e:
                    raise CorpusError(f"corpus file '{self.path}' is truncated or corrupt: {e}") from None
                if not data:
                    break
                buf = rest + data
                cut = _last_boundary(buf)
                if cut < 0:
                    if len(buf) < MAX_TOKEN_BYTES:
                        rest = buf
                        continue
                    cut = len(buf)
                rest = buf[cut:]
                if index >= start_block:
                    yield self._clean(buf[:cut])
                index += 1
            if rest and index >= start_block:
                yield self._clean(rest)

    def _clean(self, block: bytes) -> bytes:
        if block.isascii():
            return block
        text = block.decode("utf-8", "replace")
        bad = text.count("\ufffd") - block.count("\ufffd".encode())
        self.invalid_bytes += bad
        return text.encode("utf-8") if bad else block


def _last_boundary(buf: bytes) -> int:
    """Index just past the last newline, else past the last whitespace byte, else -1."""
    nl = buf.rfind(b"\n")
    if nl >= 0:
        return nl + 1
    ws = max(buf.rfind(c) for c in (b" ", b"\t", b"\r", b"\v", b"\f"))
    return ws + 1 if ws >= 0 else -1


def count_text(blocks: TextBlocks, counter: VocabCounter) -> None:
    """Count the tokens and sentences of a text corpus into ``counter`` (keys become str).

    Tokens are counted as bytes (C speed) and decoded once per distinct word at the end; the
    blocks are valid UTF-8, so decoding is one-to-one."""
    for block in blocks:
        tokens = block.split()
        counter.update(tokens, len(tokens))
        counter.n_sentences += block.count(b"\n")
    counter.counts = Counter({k.decode("utf-8"): v for k, v in counter.counts.items()})


def count_sentences(sentences: Iterable[list[str]], counter: VocabCounter) -> None:
    """Count the tokens of an iterable of token lists into ``counter``."""
    batch: list[list[str]] = []
    n = 0
    for sentence in sentences:
        if isinstance(sentence, (str, bytes)):
            raise CorpusError(
                "sentences must be an iterable of token lists, got an iterable of strings "
                "(split each sentence into words first)"
            )
        batch.append(sentence)
        n += len(sentence)
        if n >= 100_000:
            counter.update(itertools.chain.from_iterable(batch), n)
            counter.n_sentences += len(batch)
            batch, n = [], 0
    counter.update(itertools.chain.from_iterable(batch), n)
    counter.n_sentences += len(batch)


@numba.njit(inline="always")
def _is_space(c: np.uint8) -> bool:
    return c == 32 or (9 <= c <= 13)


@numba.njit(nogil=True, cache=True)
def encode_text(
    buf: np.ndarray,
    table: np.ndarray,
    word_bytes: np.ndarray,
    word_offsets: np.ndarray,
    max_sentence_length: int,
) -> tuple[np.ndarray, np.ndarray, int]:
    """Token ids (int32), sentence offsets (int64) and tokens read, from UTF-8 bytes (uint8)."""
    n = buf.shape[0]
    ids = np.empty(n // 2 + 1, dtype=np.int32)
    offsets = np.empty(n // 2 + 2, dtype=np.int64)
    offsets[0] = 0
    n_ids = 0
    n_sent = 0
    n_raw = 0
    in_sentence = 0
    mask = np.uint64(table.shape[0] - 1)
    i = 0
    while i < n:
        c = buf[i]
        if c == 10:
            if n_ids > offsets[n_sent]:
                n_sent += 1
                offsets[n_sent] = n_ids
            in_sentence = 0
            i += 1
            continue
        if _is_space(c):
            i += 1
            continue
        start = i
        while i < n and not _is_space(buf[i]):
            i += 1
        n_raw += 1
        if in_sentence == max_sentence_length:
            if n_ids > offsets[n_sent]:
                n_sent += 1
                offsets[n_sent] = n_ids
            in_sentence = 0
        in_sentence += 1
        length = i - start
        slot = fnv1a(buf, start, i) & mask
        while True:
            w = table[slot]
            if w < 0:
                break
            ws = word_offsets[w]
            if word_offsets[w + 1] - ws == length:
                same = True
                for k in range(length):
                    if word_bytes[ws + k] != buf[start + k]:
                        same = False
                        break
                if same:
                    ids[n_ids] = w
                    n_ids += 1
                    break
            slot = (slot + np.uint64(1)) & mask
    if n_ids > offsets[n_sent]:
        n_sent += 1
        offsets[n_sent] = n_ids
    return ids[:n_ids].copy(), offsets[: n_sent + 1].copy(), n_raw


@numba.njit(nogil=True, cache=True)
def compact_ids(raw: np.ndarray, lengths: np.ndarray, max_sentence_length: int) -> tuple[np.ndarray, np.ndarray]:
    """Drop ids < 0 (unknown words) and cut sentences every max_sentence_length tokens.

    raw int32 (n,) holds the ids of sentences of ``lengths`` (int64) tokens back to back."""
    ids = np.empty(raw.shape[0], dtype=np.int32)
    offsets = np.empty(raw.shape[0] + lengths.shape[0] + 1, dtype=np.int64)
    offsets[0] = 0
    n_ids = 0
    n_sent = 0
    pos = 0
    for s in range(lengths.shape[0]):
        for k in range(lengths[s]):
            if k > 0 and k % max_sentence_length == 0 and n_ids > offsets[n_sent]:
                n_sent += 1
                offsets[n_sent] = n_ids
            w = raw[pos + k]
            if w >= 0:
                ids[n_ids] = w
                n_ids += 1
        pos += lengths[s]
        if n_ids > offsets[n_sent]:
            n_sent += 1
            offsets[n_sent] = n_ids
    return ids[:n_ids].copy(), offsets[: n_sent + 1].copy()


def sentence_chunks(
    sentences: Iterable[list[str]],
    key_to_index: dict[str, int],
    max_sentence_length: int,
    chunk_words: int = 50_000,
    skip_sentences: int = 0,
) -> Iterator[tuple[np.ndarray, np.ndarray, int, int]]:
    """Encode token lists into chunks (ids, offsets, raw_words, sentences_consumed)."""
    get = key_to_index.get
    batch: list[list[str]] = []
    n = 0
    consumed = 0
    for sentence in itertools.islice(sentences, skip_sentences, None):
        batch.append(sentence)
        n += len(sentence)
        if n >= chunk_words:
            consumed += len(batch)
            yield (*_encode_batch(batch, n, get, max_sentence_length), n, consumed)
            batch, n = [], 0
    if batch:
        consumed += len(batch)
        yield (*_encode_batch(batch, n, get, max_sentence_length), n, consumed)


def _encode_batch(batch, n, get, max_sentence_length):
    raw = np.fromiter(
        map(get, itertools.chain.from_iterable(batch), itertools.repeat(-1)), dtype=np.int32, count=n
    )
    lengths = np.fromiter(map(len, batch), dtype=np.int64, count=len(batch))
    return compact_ids(raw, lengths, max_sentence_length)


def check_reiterable(sentences: object) -> None:
    """Refuse one-shot iterators: training reads the corpus once per epoch plus once for the vocabulary."""
    if isinstance(sentences, (str, bytes)):
        raise CorpusError("sentences must be an iterable of token lists, got a string")
    if isinstance(sentences, io.IOBase) or iter(sentences) is sentences:  # type: ignore[call-overload]
        raise CorpusError(
            "sentences is a one-shot iterator (e.g. a generator): it would be empty after the first pass; "
            "pass a list or a re-iterable object whose __iter__ starts over (or use corpus_file)"
        )
