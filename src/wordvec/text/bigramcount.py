"""Fast counting for :mod:`phrases`: tokens mapped to word ids, bigrams counted by id.

gensim's table maps strings (a unigram, or a bigram's tokens joined by the delimiter) to counts.
Counting it directly costs a string hash table lookup with a cache miss or three for every bigram.
Here each token is looked up in a small table of distinct words (mostly cache-resident; a token
of at most 7 bytes is found by its bytes packed into one int64, held in the slot itself, without
hashing or comparing bytes), and a bigram ``a b`` is counted in an open-addressing table (linear
probing, at most 2/3 full) keyed by the int64 ``id(a) << 32 | id(b)`` held in the slot itself (one
cache miss); a bigram with connector words in between is keyed by its ids' bytes in a
:class:`KeyTable`. :func:`materialize` then builds gensim's string table, merging the keys that
spell the same string (a token containing the delimiter), so the result is exact. When no word
contains the delimiter (:func:`distinct_spellings`), every key spells a distinct string and
:func:`export_ids` scores the phrases straight from the id counts, as gensim's ``export_phrases``
scores its string table, without building that table (three times the memory of the id counts).

While nothing is pruned the counts do not depend on this representation. The caller counts here
while words + pairs + sequences (an upper bound on the string table's size) stays within
``max_vocab_size``; past it, gensim's table may be pruned, so the caller materializes and counts the
rest of the corpus with :func:`phrasetable.count_bigrams`, which prunes exactly as gensim does.
"""
from __future__ import annotations

import numba
import numpy as np

from .phrasetable import KeyTable, bigram_score, is_connector, resized
from .tokens import find_or_add

#: :func:`count_ids` stops: all sentences counted, room needed, or the size bound passed.
DONE, GROW, SWITCH = 0, 1, 2

_EMPTY = np.int64(-1)

#: Pair counts are uint32 (12 bytes a slot with the key, not 16: the pair table is most of the
#: memory); a pair reaching this count ends the id counting (SWITCH) after its sentence, and the
#: string table, whose counts are int64, counts on.
PAIR_COUNT_CAP = (1 << 32) - 1


class IdCounts:
    """The state of an id count, in two parts that two threads fill at once.

    The words (:meth:`map_words`, the reading thread): a KeyTable of distinct tokens, ids in order
    of first sight; ``connector[i]`` marks connector words; ``short`` maps the packed bytes of the
    words of at most 7 bytes to their ids (int64 pairs (key, id), key -1 empty, at most half full).
    The counts (:func:`count_ids`, the counting thread, on the ids of blocks already mapped):
    ``counts`` (int64, per word id; connector words are not counted), ``counted_words`` (words
    counted at least once), pairs (``pair_keys`` int64, -1 empty, ``pair_counts`` uint32: see
    :data:`PAIR_COUNT_CAP`), sequences (a
    KeyTable over int32 ids as bytes). A thread only replaces (grows) the arrays of its own part;
    the counting thread reads ``connector`` and the word bytes only for ids already mapped, which
    every copy holds."""

    def __init__(self) -> None:
        self.words = KeyTable(np.int64, keys=1 << 14, key_bytes=1 << 18)
        self.short = np.full(2 << 15, _EMPTY, dtype=np.int64)
        self.connector = np.zeros(self.words.values.shape[0], dtype=np.uint8)
        self.counts = np.zeros(1 << 14, dtype=np.int64)
        self.counted_words = 0
        self.pair_keys = np.full(1 << 16, _EMPTY, dtype=np.int64)
        self.pair_counts = np.zeros(1 << 16, dtype=np.uint32)
        self.pairs = 0
        self.sequences = KeyTable(np.int64, keys=1 << 10, key_bytes=1 << 14)

    def map_words(self, src: np.ndarray, starts: np.ndarray, ends: np.ndarray, connectors: tuple) -> tuple[np.ndarray, int]:
        """The word ids (int32) of the tokens of a stream, adding new words; and the number of
        words after it."""
        tokens = starts.shape[0]
        self.words.reserve(tokens, src.shape[0])
        if 4 * (self.words.n + tokens + 1) > self.short.shape[0]:
            size = self.short.shape[0] // 2
            while 4 * (self.words.n + tokens + 1) > 2 * size:
                size *= 2
            self.short = _rehash_short(self.short, size)
        if self.connector.shape[0] < self.words.values.shape[0]:
            grown = np.zeros(self.words.values.shape[0], dtype=np.uint8)
            grown[: self.connector.shape[0]] = self.connector
            self.connector = grown
        ids = np.empty(tokens, dtype=np.int32)
        w = self.words
        w.n = map_words(src, starts, ends, connectors, self.short, w.slots, w.key_bytes, w.offsets, self.connector,
                        w.n, ids)
        return ids, w.n

    def reserve_counts(self, words: int, tokens: int) -> None:
        """Room to count ``words`` word ids and a sentence of ``tokens`` tokens (counting thread)."""
        if self.counts.shape[0] < words:
            self.counts = resized(self.counts, max(words, self.counts.shape[0] * 3 // 2))
        if 3 * (self.pairs + tokens + 1) > 2 * self.pair_keys.shape[0]:
            size = self.pair_keys.shape[0]
            while 3 * (self.pairs + tokens + 1) > 2 * size:
                size *= 2
            self.pair_keys, self.pair_counts = _rehash_pairs(self.pair_keys, self.pair_counts, size)
        self.sequences.reserve(tokens, 4 * (2 * tokens + 1))

    def mapped(self, n_words: int | None) -> int:
        """``n_words``, or when None every word mapped (once the reading thread is done); with
        ``counts`` made to cover them."""
        n = self.words.n if n_words is None else n_words
        self.reserve_counts(n, 0)
        return n

    def count_arrays(self) -> tuple:
        s = self.sequences
        return (self.counts, self.counted_words, self.pair_keys, self.pair_counts, self.pairs, s.slots, s.key_bytes,
                s.offsets, s.values, s.n)


@numba.njit(inline="always")
def _pair_slot(key, mask):
    return np.int64((np.uint64(key) * np.uint64(0x9E3779B97F4A7C15)) >> np.uint64(32)) & mask


@numba.njit(nogil=True, cache=True)
def _rehash_pairs(keys, counts, size):
    new_keys = np.full(size, -1, dtype=np.int64)
    new_counts = np.zeros(size, dtype=counts.dtype)
    mask = size - 1
    for i in range(keys.shape[0]):
        k = keys[i]
        if k >= 0:
            h = _pair_slot(k, mask)
            while new_keys[h] >= 0:
                h = (h + 1) & mask
            new_keys[h] = k
            new_counts[h] = counts[i]
    return new_keys, new_counts


@numba.njit(inline="always")
def _packed(src, start, stop):
    """The bytes of a token of at most 7 bytes and its length in one non-negative int64 (distinct
    tokens, distinct keys)."""
    key = np.int64(stop - start) << 56
    for k in range(stop - start):
        key |= np.int64(src[start + k]) << (8 * k)
    return key


@numba.njit(nogil=True, cache=True)
def _rehash_short(short, size):
    new = np.full(2 * size, -1, dtype=np.int64)
    mask = size - 1
    for i in range(0, short.shape[0], 2):
        k = short[i]
        if k >= 0:
            h = _pair_slot(k, mask)
            while new[2 * h] >= 0:
                h = (h + 1) & mask
            new[2 * h] = k
            new[2 * h + 1] = short[i + 1]
    return new


@numba.njit(inline="always")
def _word_id(src, start, stop, short, wslots, wbytes, woffsets, nw):
    """find_or_add for the word table, through ``short`` for a token of at most 7 bytes."""
    if stop - start > 7:
        return find_or_add(src, start, stop, wslots, wbytes, woffsets, nw)
    key = _packed(src, start, stop)
    mask = short.shape[0] // 2 - 1
    h = _pair_slot(key, mask)
    while True:
        k = short[2 * h]
        if k == key:
            return short[2 * h + 1], nw
        if k < 0:
            w, nw = find_or_add(src, start, stop, wslots, wbytes, woffsets, nw)
            short[2 * h] = key
            short[2 * h + 1] = w
            return w, nw
        h = (h + 1) & mask


@numba.njit(nogil=True, cache=True)
def map_words(src, starts, ends, connectors, short, wslots, wbytes, woffsets, connector, nw, ids):
    """ids[i] = the id of token i, new words added (room for every token is guaranteed by the
    caller); returns the new number of words."""
    for i in range(starts.shape[0]):
        w, n2 = _word_id(src, starts[i], ends[i], short, wslots, wbytes, woffsets, nw)
        if n2 > nw:
            nw = n2
            connector[w] = 1 if is_connector(src, starts[i], ends[i], connectors) else 0
        ids[i] = w
    return nw


@numba.njit(nogil=True, cache=True)
def count_ids(
    ids, sent, s0, limit, connector, counts, counted, pkeys, pcounts, npairs, sslots, sbytes, soffsets, scounts, ns,
    idbytes, cap,
):
    """Count sentences s0, s0+1, ... of a mapped stream (``ids``, int32, one per token) by id (see
    the module docstring). ``idbytes`` (uint8) is scratch for 4x the longest sentence. Stops before
    a sentence whose pairs or sequences might not fit (GROW), or after the sentence that takes words
    + pairs + sequences past ``limit`` or a pair count to ``cap`` (SWITCH). Returns (status, next sentence, counted, npairs, ns,
    tokens)."""
    n_sent = sent.shape[0] - 1
    words = 0
    full = False
    mask = pkeys.shape[0] - 1
    for s in range(s0, n_sent):
        a, b = sent[s], sent[s + 1]
        t = b - a
        if (3 * (npairs + t + 1) > 2 * pkeys.shape[0] or ns + t + 1 > scounts.shape[0]
                or soffsets[ns] + 4 * (2 * t + 1) > sbytes.shape[0] or 2 * (ns + t + 1) > sslots.shape[0]):
            return GROW, s, counted, npairs, ns, words
        start = -1
        for i in range(a, b):
            w = ids[i]
            if connector[w]:
                continue
            if counts[w] == 0:
                counted += 1
            counts[w] += 1
            if start >= 0:
                if start == i - 1:
                    key = (np.int64(ids[start]) << 32) | np.int64(w)
                    h = _pair_slot(key, mask)
                    while True:
                        k = pkeys[h]
                        if k == key:
                            pcounts[h] += 1
                            full = full or pcounts[h] >= cap
                            break
                        if k < 0:
                            pkeys[h] = key
                            pcounts[h] = 1
                            npairs += 1
                            break
                        h = (h + 1) & mask
                else:
                    length = 0
                    for j in range(start, i + 1):
                        v = ids[j]
                        for k in range(4):
                            idbytes[length] = (v >> (8 * k)) & 255
                            length += 1
                    x, ns2 = find_or_add(idbytes, 0, length, sslots, sbytes, soffsets, ns)
                    if ns2 > ns:
                        scounts[x] = 0
                        ns = ns2
                    scounts[x] += 1
            start = i
        words += t
        if counted + npairs + ns > limit or full:
            return SWITCH, s + 1, counted, npairs, ns, words
    return DONE, n_sent, counted, npairs, ns, words


@numba.njit(nogil=True, cache=True)
def materialized_size(wbytes, woffsets, wcounts, connector, nw, pkeys, sbytes, soffsets, ns, dl):
    """(keys, bytes, longest key) bounding the string table :func:`materialize` builds."""
    keys = 0
    size = 0
    longest = 0
    for w in range(nw):
        if not connector[w] and wcounts[w] > 0:
            keys += 1
            size += woffsets[w + 1] - woffsets[w]
    for h in range(pkeys.shape[0]):
        k = pkeys[h]
        if k >= 0:
            a, b = k >> 32, k & 0xFFFFFFFF
            keys += 1
            length = woffsets[a + 1] - woffsets[a] + dl + woffsets[b + 1] - woffsets[b]
            size += length
            longest = max(longest, length)
    for x in range(ns):
        keys += 1
        length = 0
        for p in range(soffsets[x], soffsets[x + 1], 4):
            v = _id_at(sbytes, p)
            length += woffsets[v + 1] - woffsets[v] + dl
        size += length
        longest = max(longest, length)
    return keys, size, longest


@numba.njit(inline="always")
def _id_at(buf, p):
    return np.int64(buf[p]) | (np.int64(buf[p + 1]) << 8) | (np.int64(buf[p + 2]) << 16) | (np.int64(buf[p + 3]) << 24)


@numba.njit(inline="always")
def _spell(ids_bytes, p0, p1, wbytes, woffsets, delim, out):
    """The words of the ids in ids_bytes[p0:p1] joined by delim into out; returns the length."""
    length = 0
    for p in range(p0, p1, 4):
        if p > p0:
            for k in range(delim.shape[0]):
                out[length] = delim[k]
                length += 1
        v = _id_at(ids_bytes, p)
        for q in range(woffsets[v], woffsets[v + 1]):
            out[length] = wbytes[q]
            length += 1
    return length


@numba.njit(nogil=True, cache=True)
def distinct_spellings(wbytes, nw, woffsets, delim):
    """Whether distinct id sequences always spell distinct strings: the delimiter is one byte that
    no word contains (then joining is undone by splitting)."""
    if delim.shape[0] != 1:
        return False
    for p in range(woffsets[nw]):
        if wbytes[p] == delim[0]:
            return False
    return True


@numba.njit(inline="always")
def _add(src, start, stop, slots, key_bytes, offsets, n, dedupe):
    """find_or_add, or a plain append when the keys are known to be distinct (no hashing: the
    caller rehashes once at the end)."""
    if dedupe:
        return find_or_add(src, start, stop, slots, key_bytes, offsets, n)
    base = offsets[n]
    for k in range(stop - start):
        key_bytes[base + k] = src[start + k]
    offsets[n + 1] = base + stop - start
    return n, n + 1


@numba.njit(nogil=True, cache=True)
def materialize(
    wbytes, woffsets, wcounts, connector, nw, pkeys, pcounts, sbytes, soffsets, scounts, ns, delim, scratch,
    slots, key_bytes, offsets, values, n, dedupe,
):
    """Add the id counts to a string table (unigrams, then pairs, then sequences; with ``dedupe``,
    keys spelling the same string are merged, else they are appended and the caller rehashes).
    Room is guaranteed by the caller; returns the new number of keys."""
    for w in range(nw):
        if not connector[w] and wcounts[w] > 0:
            x, n = _add(wbytes, woffsets[w], woffsets[w + 1], slots, key_bytes, offsets, n, dedupe)
            values[x] += wcounts[w]
    pair = np.empty(8, dtype=np.uint8)
    for h in range(pkeys.shape[0]):
        k = pkeys[h]
        if k >= 0:
            a, b = k >> 32, k & 0xFFFFFFFF
            for j in range(4):
                pair[j] = (a >> (8 * j)) & 255
                pair[4 + j] = (b >> (8 * j)) & 255
            length = _spell(pair, 0, 8, wbytes, woffsets, delim, scratch)
            x, n = _add(scratch, 0, length, slots, key_bytes, offsets, n, dedupe)
            values[x] += np.int64(pcounts[h])
    for i in range(ns):
        length = _spell(sbytes, soffsets[i], soffsets[i + 1], wbytes, woffsets, delim, scratch)
        x, n = _add(scratch, 0, length, slots, key_bytes, offsets, n, dedupe)
        values[x] += scounts[i]
    return n


def to_table(counts: IdCounts, delim: np.ndarray, n_words: int | None = None) -> KeyTable:
    """gensim's string table of the id counts (exactly sized) of words ``0..n_words-1`` (all words
    when None; while the reading thread maps more, the words of the blocks counted so far)."""
    w, s = counts.words, counts.sequences
    nw = counts.mapped(n_words)
    keys, size, longest = materialized_size(w.key_bytes, w.offsets, counts.counts, counts.connector, nw,
                                            counts.pair_keys, s.key_bytes, s.offsets, s.n, delim.shape[0])
    table = KeyTable(np.int64, keys=max(keys, 1), key_bytes=max(size, 1))
    scratch = np.empty(longest + 1, dtype=np.uint8)
    dedupe = not spells_distinct(counts, delim, nw)
    table.n = materialize(w.key_bytes, w.offsets, counts.counts, counts.connector, nw, counts.pair_keys,
                          counts.pair_counts, s.key_bytes, s.offsets, s.values, s.n, delim, scratch, *table.arrays(),
                          0, dedupe)
    if not dedupe:
        table.rehash()
    return table


@numba.njit(nogil=True, cache=True)
def export_ids(
    mode, wbytes, woffsets, wcounts, pkeys, pcounts, sbytes, soffsets, scounts, ns, n_keys, delim, min_count,
    threshold, corpus_word_count,
):
    """gensim's ``export_phrases`` over id counts whose keys spell distinct strings (see
    :func:`distinct_spellings`): every pair and sequence scored from the counts of its first and
    last words (those of the parts gensim gets by splitting its key at the delimiter), ``len_vocab``
    = ``n_keys``, kept when not ``score <= threshold``. Returns the kept keys spelled
    ``(key_bytes, offsets, scores)``, pairs in slot order then sequences: the order of the table
    :func:`materialize` builds."""
    m = 0
    keep = np.empty(1024, dtype=np.int64)
    scores = np.empty(1024, dtype=np.float64)
    size = 0
    dl = delim.shape[0]
    n_slots = pkeys.shape[0]
    for x in range(n_slots + ns):
        if x < n_slots:
            k = pkeys[x]
            if k < 0:
                continue
            a, b, c = k >> 32, k & 0xFFFFFFFF, np.int64(pcounts[x])
            length = woffsets[a + 1] - woffsets[a] + dl + woffsets[b + 1] - woffsets[b]
        else:
            p0, p1 = soffsets[x - n_slots], soffsets[x - n_slots + 1]
            a, b, c = _id_at(sbytes, p0), _id_at(sbytes, p1 - 4), scounts[x - n_slots]
            length = -dl
            for p in range(p0, p1, 4):
                v = _id_at(sbytes, p)
                length += woffsets[v + 1] - woffsets[v] + dl
        if wcounts[a] <= 0 or wcounts[b] <= 0 or c <= 0:
            continue
        score = bigram_score(mode, wcounts[a], wcounts[b], c, n_keys, min_count, corpus_word_count)
        if score <= threshold:
            continue
        if m == keep.shape[0]:
            bigger = np.empty(2 * m, dtype=np.int64)
            bigger[:m] = keep
            keep = bigger
            wider = np.empty(2 * m, dtype=np.float64)
            wider[:m] = scores
            scores = wider
        keep[m] = x
        scores[m] = score
        size += length
        m += 1
    key_bytes = np.empty(size, dtype=np.uint8)
    offsets = np.zeros(m + 1, dtype=np.int64)
    pair = np.empty(8, dtype=np.uint8)
    for j in range(m):
        x = keep[j]
        if x < n_slots:
            k = pkeys[x]
            a, b = k >> 32, k & 0xFFFFFFFF
            for q in range(4):
                pair[q] = (a >> (8 * q)) & 255
                pair[4 + q] = (b >> (8 * q)) & 255
            length = _spell(pair, 0, 8, wbytes, woffsets, delim, key_bytes[offsets[j] :])
        else:
            x -= n_slots
            length = _spell(sbytes, soffsets[x], soffsets[x + 1], wbytes, woffsets, delim, key_bytes[offsets[j] :])
        offsets[j + 1] = offsets[j] + length
    return key_bytes, offsets, scores[:m].copy()


def key_count(counts: IdCounts) -> int:
    """The number of keys of gensim's string table of the id counts when they spell distinct strings."""
    return counts.counted_words + counts.pairs + counts.sequences.n


def spells_distinct(counts: IdCounts, delim: np.ndarray, n_words: int | None = None) -> bool:
    """Whether every key of the id counts (of words ``0..n_words-1``, all when None) spells a
    distinct string (see :func:`distinct_spellings`)."""
    n = counts.words.n if n_words is None else n_words
    return bool(distinct_spellings(counts.words.key_bytes, n, counts.words.offsets, delim))


def export_table(counts: IdCounts, mode: int, delim: np.ndarray, min_count: float, threshold: float,
                 corpus_word_count: float) -> KeyTable:
    """The phrases of id counts that spell distinct strings and their scores (float64), as a
    KeyTable: what ``export_phrases`` gives on the string table, without building it."""
    counts.mapped(None)
    w, s = counts.words, counts.sequences
    key_bytes, offsets, scores = export_ids(
        mode, w.key_bytes, w.offsets, counts.counts, counts.pair_keys, counts.pair_counts, s.key_bytes, s.offsets,
        s.values, s.n, key_count(counts), delim, float(min_count), float(threshold), float(corpus_word_count),
    )
    return KeyTable.from_arrays(key_bytes, offsets, scores)
