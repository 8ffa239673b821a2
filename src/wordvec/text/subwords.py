"""Character n-grams of words and their rows, exactly as fastText numbers them.

A word ``w`` is wrapped as ``<w>`` and cut into every run of ``n`` consecutive characters for
``min_n <= n <= max_n``, characters being UTF-8 code points (an n-gram never splits a multi-byte
character); the lone ``<`` and ``>`` are not n-grams. The n-gram's bytes are hashed with fastText's
32-bit FNV-1a::

    h = 2166136261;  for each byte b:  h = (h XOR sext(b)) * 16777619  (mod 2**32)

where ``sext`` sign-extends the byte as a C ``signed char`` would (bytes >= 0x80 become
0xFFFFFF80 | b): fastText hashes that way and every released model depends on it. The n-gram's row
in the input matrix is ``n_words + h % bucket``: n-gram rows follow the vocabulary rows.

The *bag* of a vocabulary word is its own row followed by its n-gram rows (repeats kept, in the
order above); the bag of an unknown word is its n-gram rows only. fastText's end-of-sentence token
``</s>`` has no n-grams. Subwords are off when ``bucket == 0``, ``max_n == 0`` or
``max_n < min_n``: every bag is then the word's own row.

:func:`vocabulary_bags` builds the bags of a whole vocabulary in one compiled pass, as CSR arrays
(``bag_offsets`` int64 (V+1,), ``bag_rows`` int32): the bag of word ``i`` is
``bag_rows[bag_offsets[i]:bag_offsets[i+1]]``.
"""
from __future__ import annotations

from typing import Sequence

import numba
import numpy as np

from ..errors import ParameterError

__all__ = [
    "EOS", "char_ngrams", "ft_hash", "ngram_rows", "subwords_enabled", "vocabulary_bags", "word_bag",
]

EOS = "</s>"
_EOS_BYTES = np.frombuffer(EOS.encode("utf-8"), dtype=np.uint8)
_FNV_OFFSET = np.uint32(2166136261)
_FNV_PRIME = np.uint32(16777619)


def subwords_enabled(min_n: int, max_n: int, bucket: int) -> bool:
    """Whether words get n-grams at all (fastText: ``maxn > 0``; here also ``bucket > 0`` and
    ``min_n <= max_n``, without which no n-gram exists)."""
    return bucket > 0 and max_n > 0 and min_n <= max_n


def _check(min_n: int, max_n: int, bucket: int) -> None:
    for name, value in (("min_n", min_n), ("max_n", max_n), ("bucket", bucket)):
        if isinstance(value, bool) or not isinstance(value, (int, np.integer)) or value < 0:
            raise ParameterError(f"{name} must be an integer >= 0, got {value!r}")
    if bucket > 2**31 - 1:
        raise ParameterError(f"bucket must be < 2**31, got {bucket!r}")


@numba.njit(inline="always")
def _step(h: np.uint32, byte: np.uint8) -> np.uint32:
    x = np.uint32(byte)
    if byte >= 0x80:
        x = x | np.uint32(0xFFFFFF00)
    return np.uint32((h ^ x) * _FNV_PRIME)


@numba.njit(cache=True)
def _ft_hash(buf: np.ndarray) -> np.uint32:
    h = _FNV_OFFSET
    for b in buf:
        h = _step(h, b)
    return h


def ft_hash(text: str | bytes) -> int:
    """fastText's 32-bit hash of ``text`` (UTF-8 bytes), an int in [0, 2**32)."""
    data = text.encode("utf-8") if isinstance(text, str) else bytes(text)
    return int(_ft_hash(np.frombuffer(data, dtype=np.uint8)))


@numba.njit(cache=True)
def _is_eos(word_bytes: np.ndarray, start: int, stop: int, eos: np.ndarray) -> bool:
    if stop - start != eos.shape[0]:
        return False
    for k in range(eos.shape[0]):
        if word_bytes[start + k] != eos[k]:
            return False
    return True


@numba.njit(cache=True)
def _ngrams_into(
    word_bytes: np.ndarray, start: int, stop: int, min_n: int, max_n: int, bucket: int,
    first_row: int, scratch: np.ndarray, out: np.ndarray, pos: int, write: bool,
) -> int:
    """Rows of the n-grams of ``<word_bytes[start:stop]>`` written to ``out[pos:]`` when ``write``;
    returns the new ``pos``. ``scratch`` holds at least stop - start + 2 bytes."""
    length = stop - start + 2
    scratch[0] = 60  # '<'
    for k in range(start, stop):
        scratch[k - start + 1] = word_bytes[k]
    scratch[length - 1] = 62  # '>'
    for i in range(length):
        if (scratch[i] & 0xC0) == 0x80:
            continue
        h = _FNV_OFFSET
        j = i
        n = 1
        while j < length and n <= max_n:
            h = _step(h, scratch[j])
            j += 1
            while j < length and (scratch[j] & 0xC0) == 0x80:
                h = _step(h, scratch[j])
                j += 1
            if n >= min_n and not (n == 1 and (i == 0 or j == length)):
                if write:
                    out[pos] = first_row + np.int64(h % np.uint32(bucket))
                pos += 1
            n += 1
    return pos


@numba.njit(cache=True)
def _bags(
    word_bytes: np.ndarray, offsets: np.ndarray, min_n: int, max_n: int, bucket: int,
    with_words: bool, first_row: int, eos: np.ndarray,
) -> tuple:
    n_words = offsets.shape[0] - 1
    longest = 0
    for w in range(n_words):
        longest = max(longest, offsets[w + 1] - offsets[w])
    scratch = np.empty(longest + 2, dtype=np.uint8)
    dummy = np.empty(0, dtype=np.int32)
    bag_offsets = np.zeros(n_words + 1, dtype=np.int64)
    own = 1 if with_words else 0
    for w in range(n_words):
        count = own
        if not _is_eos(word_bytes, offsets[w], offsets[w + 1], eos):
            count = _ngrams_into(word_bytes, offsets[w], offsets[w + 1], min_n, max_n, bucket,
                                 first_row, scratch, dummy, count, False)
        bag_offsets[w + 1] = bag_offsets[w] + count
    rows = np.empty(bag_offsets[n_words], dtype=np.int32)
    for w in range(n_words):
        pos = bag_offsets[w]
        if with_words:
            rows[pos] = w
            pos += 1
        if not _is_eos(word_bytes, offsets[w], offsets[w + 1], eos):
            _ngrams_into(word_bytes, offsets[w], offsets[w + 1], min_n, max_n, bucket,
                         first_row, scratch, rows, pos, True)
    return bag_offsets, rows


def _encode(words: Sequence[str]) -> tuple[np.ndarray, np.ndarray]:
    encoded = [w.encode("utf-8") for w in words]
    offsets = np.zeros(len(encoded) + 1, dtype=np.int64)
    np.cumsum([len(b) for b in encoded], out=offsets[1:])
    return np.frombuffer(b"".join(encoded), dtype=np.uint8), offsets


def vocabulary_bags(words: Sequence[str], min_n: int, max_n: int, bucket: int) -> tuple[np.ndarray, np.ndarray]:
    """The bags of the vocabulary ``words`` (word ``i`` owns row ``i``; n-gram rows start at
    ``len(words)``): ``(bag_offsets int64 (V+1,), bag_rows int32)``. Without subwords every bag
    is the word's own row."""
    _check(min_n, max_n, bucket)
    word_bytes, offsets = _encode(words)
    if not subwords_enabled(min_n, max_n, bucket):
        return np.arange(len(words) + 1, dtype=np.int64), np.arange(len(words), dtype=np.int32)
    return _bags(word_bytes, offsets, int(min_n), int(max_n), int(bucket), True, len(words), _EOS_BYTES)


def ngram_rows(word: str, min_n: int, max_n: int, bucket: int, n_words: int = 0) -> np.ndarray:
    """The n-gram rows (int32) of ``word``, ``n_words + hash % bucket`` each, in fastText's order
    with repeats; empty without subwords, for ``</s>``, or when ``<word>`` is shorter than min_n."""
    _check(min_n, max_n, bucket)
    if not subwords_enabled(min_n, max_n, bucket) or word == EOS:
        return np.empty(0, dtype=np.int32)
    word_bytes, offsets = _encode([word])
    return _bags(word_bytes, offsets, int(min_n), int(max_n), int(bucket), False, int(n_words), _EOS_BYTES)[1]


def word_bag(word: str, index: int | None, min_n: int, max_n: int, bucket: int, n_words: int) -> np.ndarray:
    """The bag of ``word``: ``[index] + n-gram rows`` for a vocabulary word (``index`` its row),
    the n-gram rows alone for an unknown one (``index=None``)."""
    rows = ngram_rows(word, min_n, max_n, bucket, n_words)
    if index is None:
        return rows
    return np.concatenate((np.array([index], dtype=np.int32), rows))


def char_ngrams(word: str, min_n: int, max_n: int) -> list[str]:
    """The n-gram strings of ``<word>`` in the order of :func:`ngram_rows` (for inspection)."""
    if max_n <= 0 or min_n > max_n or word == EOS:
        return []
    chars = "<" + word + ">"
    return [
        chars[i:i + n]
        for i in range(len(chars))
        for n in range(max(min_n, 1), max_n + 1)
        if i + n <= len(chars) and not (n == 1 and (i == 0 or i + n == len(chars)))
    ]
