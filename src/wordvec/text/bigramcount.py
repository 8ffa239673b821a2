"""Fast counting for :mod:`phrases`: tokens mapped to word ids, bigrams counted by id.

gensim's table maps strings (a unigram, or a bigram's tokens joined by the delimiter) to counts.
Counting it directly costs a string hash table lookup with a cache miss or three for every bigram.
Here each token is looked up in a small table of distinct words (mostly cache-resident; a token
of at most 7 bytes is found by its bytes packed into one int64, held in the slot itself, without
hashing or comparing bytes), and a bigram ``a b`` is counted in an open-addressing table (linear
probing, at most 2/3 full) keyed by the int64 ``id(a) << 32 | id(b)`` held in the slot itself (one
cache miss); a bigram with connector words in between is keyed by its ids' bytes in a
:class:`KeyTable`. :func:`materialize` then builds gensim's string table, merging the keys that
spell the same string (a token containing the delimiter), so the result is exact. With a one-byte
delimiter, :func:`export_ids` scores the phrases straight from the id counts, as gensim's
``export_phrases`` scores its string table, without building that table (about twice the memory of
the id counts): the keys of words without the delimiter each spell a distinct string, split back
into those words; the few keys holding a word that contains it (tokens joined by an earlier pass)
are spelled apart by :func:`collect_dirty` and merged with whatever spells the same string
(:class:`KeyStrings`).

While nothing is pruned the counts do not depend on this representation. The caller counts here
while words + pairs + sequences (an upper bound on the string table's size) stays within
``max_vocab_size``; past it, gensim's table may be pruned, so the caller materializes and counts the
rest of the corpus with :func:`phrasetable.count_bigrams`, which prunes exactly as gensim does.
"""
from __future__ import annotations

import numba
import numpy as np

from .phrasetable import KeyTable, bigram_score, is_connector, room_for_one_more
from .tokens import find_or_add, lookup, resized

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


@numba.njit(inline="always")
def _seq_dirty(sbytes, p0, p1, dirty):
    for p in range(p0, p1, 4):
        if dirty[_id_at(sbytes, p)]:
            return True
    return False


@numba.njit(nogil=True, cache=True)
def dirty_words(wbytes, woffsets, nw, d):
    """uint8 flags: whether word w contains the delimiter byte ``d``."""
    dirty = np.zeros(max(nw, 1), dtype=np.uint8)
    for w in range(nw):
        for p in range(woffsets[w], woffsets[w + 1]):
            if wbytes[p] == d:
                dirty[w] = 1
                break
    return dirty


@numba.njit(nogil=True, cache=True)
def dirty_size(wbytes, woffsets, wcounts, connector, nw, dirty, pkeys, sbytes, soffsets, ns):
    """(keys, bytes, longest key) of the keys that hold a word containing the delimiter (a bound
    for :func:`collect_dirty`'s table; the delimiter is one byte)."""
    keys = 0
    size = 0
    longest = 0
    for w in range(nw):
        if dirty[w] and not connector[w] and wcounts[w] > 0:
            keys += 1
            size += woffsets[w + 1] - woffsets[w]
            longest = max(longest, woffsets[w + 1] - woffsets[w])
    for h in range(pkeys.shape[0]):
        k = pkeys[h]
        if k >= 0 and (dirty[k >> 32] or dirty[k & 0xFFFFFFFF]):
            a, b = k >> 32, k & 0xFFFFFFFF
            length = woffsets[a + 1] - woffsets[a] + 1 + woffsets[b + 1] - woffsets[b]
            keys += 1
            size += length
            longest = max(longest, length)
    for x in range(ns):
        if _seq_dirty(sbytes, soffsets[x], soffsets[x + 1], dirty):
            length = -1
            for p in range(soffsets[x], soffsets[x + 1], 4):
                v = _id_at(sbytes, p)
                length += woffsets[v + 1] - woffsets[v] + 1
            keys += 1
            size += length
            longest = max(longest, length)
    return keys, size, longest


@numba.njit(nogil=True, cache=True)
def collect_dirty(
    wbytes, woffsets, wcounts, connector, nw, wslots, dirty, pkeys, pcounts, sslots, sbytes, soffsets, scounts, ns,
    delim, scratch, dslots, dbytes, doffsets, dvalues, merged_pairs, merged_seqs,
):
    """gensim's string keys of the id keys that hold a word containing the (one-byte) delimiter:
    each spelled once into the table ``d*`` with the counts of every id key spelling it, plus the
    count of the key of words without the delimiter that spells the same string, if any (found by
    splitting the string at the delimiter, the only way such a key can spell it), which is then
    marked in ``merged_pairs`` / ``merged_seqs``. Returns (distinct strings, id keys spelled, keys merged)."""
    n = 0
    spelled = 0
    pair = np.empty(8, dtype=np.uint8)
    for w in range(nw):
        if dirty[w] and not connector[w] and wcounts[w] > 0:
            x, n = find_or_add(wbytes, woffsets[w], woffsets[w + 1], dslots, dbytes, doffsets, n)
            dvalues[x] += wcounts[w]
            spelled += 1
    for h in range(pkeys.shape[0]):
        k = pkeys[h]
        if k >= 0 and (dirty[k >> 32] or dirty[k & 0xFFFFFFFF]):
            a, b = k >> 32, k & 0xFFFFFFFF
            for j in range(4):
                pair[j] = (a >> (8 * j)) & 255
                pair[4 + j] = (b >> (8 * j)) & 255
            length = _spell(pair, 0, 8, wbytes, woffsets, delim, scratch)
            x, n = find_or_add(scratch, 0, length, dslots, dbytes, doffsets, n)
            dvalues[x] += np.int64(pcounts[h])
            spelled += 1
    for i in range(ns):
        if _seq_dirty(sbytes, soffsets[i], soffsets[i + 1], dirty):
            length = _spell(sbytes, soffsets[i], soffsets[i + 1], wbytes, woffsets, delim, scratch)
            x, n = find_or_add(scratch, 0, length, dslots, dbytes, doffsets, n)
            dvalues[x] += scounts[i]
            spelled += 1
    merged = 0
    d = delim[0]
    mask = pkeys.shape[0] - 1
    for x in range(n):
        a, b = doffsets[x], doffsets[x + 1]
        # split at the delimiter: the ids of the parts, as the key bytes of a sequence
        length = 0
        ok = True
        p = a
        while ok:
            q = p
            while q < b and dbytes[q] != d:
                q += 1
            w = lookup(dbytes, p, q, wslots, wbytes, woffsets)[1]
            if w < 0 or w >= nw:
                ok = False
                break
            for j in range(4):
                scratch[length] = (w >> (8 * j)) & 255
                length += 1
            if q == b:
                break
            p = q + 1
        if not ok:
            continue
        parts = length // 4
        first, last = _id_at(scratch, 0), _id_at(scratch, length - 4)
        if connector[first] or connector[last]:
            continue
        if parts == 2:
            key = (first << 32) | last
            h = _pair_slot(key, mask)
            while pkeys[h] >= 0 and pkeys[h] != key:
                h = (h + 1) & mask
            if pkeys[h] == key:
                dvalues[x] += np.int64(pcounts[h])
                merged_pairs[h] = 1
                merged += 1
        else:
            inner = True
            for p in range(4, length - 4, 4):
                if not connector[_id_at(scratch, p)]:
                    inner = False
            if inner:
                y = lookup(scratch, 0, length, sslots, sbytes, soffsets)[1]
                if y >= 0:
                    dvalues[x] += scounts[y]
                    merged_seqs[y] = 1
                    merged += 1
    return n, spelled, merged


@numba.njit(inline="always")
def _part_count(key_bytes, start, stop, wslots, wbytes, woffsets, wcounts, nw):
    w = lookup(key_bytes, start, stop, wslots, wbytes, woffsets)[1]
    return wcounts[w] if 0 <= w < nw else 0


@numba.njit(nogil=True, cache=True)
def export_ids(
    mode, wbytes, woffsets, wcounts, nw, wslots, dirty, pkeys, pcounts, merged_pairs, sbytes, soffsets, scounts,
    merged_seqs, ns, dbytes, doffsets, dvalues, nd, n_keys, delim, min_count, threshold, corpus_word_count,
):
    """gensim's ``export_phrases`` over id counts with a one-byte delimiter: every key that holds
    the delimiter scored from the counts of the first and last parts gensim gets by splitting it
    there, ``len_vocab`` = ``n_keys``, kept when not ``score <= threshold``. The keys of words
    without the delimiter (pairs, sequences, not merged into a string of :func:`collect_dirty`)
    split into their words; the strings of :func:`collect_dirty` are split as bytes. Returns the kept
    keys spelled ``(key_bytes, offsets, scores)``: pairs in slot order, sequences, those strings."""
    m = 0
    keep = np.empty(1024, dtype=np.int64)
    scores = np.empty(1024, dtype=np.float64)
    size = 0
    dl = delim.shape[0]
    n_slots = pkeys.shape[0]
    for x in range(n_slots + ns + nd):
        if x < n_slots:
            k = pkeys[x]
            if k < 0 or merged_pairs[x]:
                continue
            a, b = k >> 32, k & 0xFFFFFFFF
            if dirty[a] or dirty[b]:
                continue
            ca, cb, c = wcounts[a], wcounts[b], np.int64(pcounts[x])
            length = woffsets[a + 1] - woffsets[a] + dl + woffsets[b + 1] - woffsets[b]
        elif x < n_slots + ns:
            y = x - n_slots
            p0, p1 = soffsets[y], soffsets[y + 1]
            if merged_seqs[y] or _seq_dirty(sbytes, p0, p1, dirty):
                continue
            ca, cb, c = wcounts[_id_at(sbytes, p0)], wcounts[_id_at(sbytes, p1 - 4)], scounts[y]
            length = -dl
            for p in range(p0, p1, 4):
                v = _id_at(sbytes, p)
                length += woffsets[v + 1] - woffsets[v] + dl
        else:
            y = x - n_slots - ns
            a, b = doffsets[y], doffsets[y + 1]
            first_end = a
            while dbytes[first_end] != delim[0]:
                first_end += 1
            last_start = b
            while dbytes[last_start - 1] != delim[0]:
                last_start -= 1
            ca = _part_count(dbytes, a, first_end, wslots, wbytes, woffsets, wcounts, nw)
            cb = _part_count(dbytes, last_start, b, wslots, wbytes, woffsets, wcounts, nw)
            c = dvalues[y]
            length = b - a
        if ca <= 0 or cb <= 0 or c <= 0:
            continue
        score = bigram_score(mode, ca, cb, c, n_keys, min_count, corpus_word_count)
        if score <= threshold:
            continue
        keep, scores = room_for_one_more(keep, scores, m)
        keep[m] = x
        scores[m] = score
        size += length
        m += 1
    key_bytes = np.empty(size, dtype=np.uint8)
    offsets = np.zeros(m + 1, dtype=np.int64)
    pair = np.empty(8, dtype=np.uint8)
    for j in range(m):
        x = keep[j]
        out = key_bytes[offsets[j] :]
        if x < n_slots:
            k = pkeys[x]
            a, b = k >> 32, k & 0xFFFFFFFF
            for q in range(4):
                pair[q] = (a >> (8 * q)) & 255
                pair[4 + q] = (b >> (8 * q)) & 255
            length = _spell(pair, 0, 8, wbytes, woffsets, delim, out)
        elif x < n_slots + ns:
            y = x - n_slots
            length = _spell(sbytes, soffsets[y], soffsets[y + 1], wbytes, woffsets, delim, out)
        else:
            y = x - n_slots - ns
            length = doffsets[y + 1] - doffsets[y]
            out[:length] = dbytes[doffsets[y] : doffsets[y + 1]]
        offsets[j + 1] = offsets[j] + length
    return key_bytes, offsets, scores[:m].copy()


class KeyStrings:
    """How the id keys of a finished count spell gensim's string keys, for a one-byte delimiter
    (:func:`collect_dirty`): ``dirty`` (per word), the strings of the keys that hold a word
    containing the delimiter (``table``), which keys of clean words they absorbed (``merged_pairs``,
    ``merged_seqs``), and ``n_keys``, the size of gensim's table."""

    def __init__(self, counts: "IdCounts", delim: np.ndarray) -> None:
        w, s = counts.words, counts.sequences
        nw = counts.mapped(None)
        self.dirty = dirty_words(w.key_bytes, w.offsets, nw, delim[0])
        self.merged_pairs = np.zeros(counts.pair_keys.shape[0], dtype=np.uint8)
        self.merged_seqs = np.zeros(max(s.n, 1), dtype=np.uint8)
        keys, size, longest = 0, 0, 0
        if self.dirty.any():
            keys, size, longest = dirty_size(w.key_bytes, w.offsets, counts.counts, counts.connector, nw, self.dirty,
                                             counts.pair_keys, s.key_bytes, s.offsets, s.n)
        self.table = KeyTable(np.int64, keys=max(keys, 1), key_bytes=max(size, 1))
        spelled = merged = 0
        if keys:
            scratch = np.empty(max(longest, 4 * (longest + 1)) + 8, dtype=np.uint8)
            self.table.n, spelled, merged = collect_dirty(
                w.key_bytes, w.offsets, counts.counts, counts.connector, nw, w.slots, self.dirty, counts.pair_keys,
                counts.pair_counts, s.slots, s.key_bytes, s.offsets, s.values, s.n, delim, scratch, *self.table.arrays(),
                self.merged_pairs, self.merged_seqs,
            )
        self.n_keys = key_count(counts) - spelled + self.table.n - merged


def key_count(counts: IdCounts) -> int:
    """words + pairs + sequences: the number of keys of gensim's string table of the id counts
    when they spell distinct strings, else a bound."""
    return counts.counted_words + counts.pairs + counts.sequences.n


def spells_distinct(counts: IdCounts, delim: np.ndarray, n_words: int | None = None) -> bool:
    """Whether every key of the id counts (of words ``0..n_words-1``, all when None) spells a
    distinct string (see :func:`distinct_spellings`)."""
    n = counts.words.n if n_words is None else n_words
    return bool(distinct_spellings(counts.words.key_bytes, n, counts.words.offsets, delim))


def export_table(counts: IdCounts, strings: KeyStrings, mode: int, delim: np.ndarray, min_count: float,
                 threshold: float, corpus_word_count: float) -> KeyTable:
    """The phrases of the id counts (one-byte delimiter) and their scores (float64), as a KeyTable:
    what ``export_phrases`` gives on gensim's string table, without building it."""
    nw = counts.mapped(None)
    w, s, d = counts.words, counts.sequences, strings.table
    key_bytes, offsets, scores = export_ids(
        mode, w.key_bytes, w.offsets, counts.counts, nw, w.slots, strings.dirty, counts.pair_keys, counts.pair_counts,
        strings.merged_pairs, s.key_bytes, s.offsets, s.values, strings.merged_seqs, s.n, d.key_bytes, d.offsets,
        d.values, d.n, strings.n_keys, delim, float(min_count), float(threshold), float(corpus_word_count),
    )
    return KeyTable.from_arrays(key_bytes, offsets, scores)
