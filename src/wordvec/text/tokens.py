"""Bytes-level token rules shared by every reader: what whitespace is, and the hash table from a
word's UTF-8 bytes to its index that the compiled tokenizer and counter look words up in.

A token is a run of bytes other than ASCII whitespace (space, \\t, \\n, \\v, \\f, \\r: so
Windows line endings work); a newline ends a sentence.
"""
from __future__ import annotations

import numba
import numpy as np

#: The ASCII whitespace bytes that separate tokens.
WHITESPACE = b" \t\n\v\f\r"


@numba.njit(inline="always")
def is_space(c: np.uint8) -> bool:
    """True for the bytes of WHITESPACE (32 and 9..13)."""
    return c == 32 or (9 <= c <= 13)


def last_boundary(buf: bytes) -> int:
    """Index just past the last newline of ``buf``, else past its last whitespace byte, else -1."""
    nl = buf.rfind(b"\n")
    if nl >= 0:
        return nl + 1
    ws = max(buf.rfind(bytes([c])) for c in WHITESPACE)
    return ws + 1 if ws >= 0 else -1


@numba.njit(inline="always")
def fnv1a(buf: np.ndarray, start: int, stop: int) -> np.uint64:
    """64-bit FNV-1a hash of buf[start:stop] (uint8)."""
    h = np.uint64(14695981039346656037)
    for i in range(start, stop):
        h = (h ^ np.uint64(buf[i])) * np.uint64(1099511628211)
    return h


@numba.njit(cache=True)
def build_hash_table(word_bytes: np.ndarray, offsets: np.ndarray, size: int) -> np.ndarray:
    """Open-addressing table (int32 (size,), size a power of two, -1 empty) over the words
    word_bytes[offsets[i]:offsets[i+1]]: FNV-1a, linear probing."""
    table = np.full(size, -1, dtype=np.int32)
    mask = np.uint64(size - 1)
    for w in range(offsets.shape[0] - 1):
        slot = fnv1a(word_bytes, offsets[w], offsets[w + 1]) & mask
        while table[slot] >= 0:
            slot = (slot + np.uint64(1)) & mask
        table[slot] = w
    return table


@numba.njit(inline="always")
def lookup(src, start, stop, table, word_bytes, offsets):
    """(slot, index) of the word src[start:stop] in a table built by :func:`build_hash_table`
    over word_bytes/offsets; index -1 and the empty slot where it would go if absent."""
    mask = np.uint64(table.shape[0] - 1)
    length = stop - start
    slot = fnv1a(src, start, stop) & mask
    while True:
        w = table[slot]
        if w < 0:
            return slot, -1
        ws = offsets[w]
        if offsets[w + 1] - ws == length:
            same = True
            for k in range(length):
                if word_bytes[ws + k] != src[start + k]:
                    same = False
                    break
            if same:
                return slot, w
        slot = (slot + np.uint64(1)) & mask


@numba.njit(inline="always")
def find_or_add(src, start, stop, table, word_bytes, offsets, n):
    """Index of the word src[start:stop] in a table as :func:`lookup`'s, adding it as word n if
    new; returns (index, new word count). The caller guarantees room for one more word."""
    slot, w = lookup(src, start, stop, table, word_bytes, offsets)
    if w >= 0:
        return w, n
    table[slot] = n
    base = offsets[n]
    for k in range(stop - start):
        word_bytes[base + k] = src[start + k]
    offsets[n + 1] = base + stop - start
    return n, n + 1


def resized(a: np.ndarray, size: int) -> np.ndarray:
    """A copy of ``a`` of length ``size``, zero-filled past ``a``."""
    out = np.zeros(size, dtype=a.dtype)
    out[: a.shape[0]] = a
    return out
