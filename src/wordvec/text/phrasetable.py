"""Compiled phrase statistics: a table of byte-string keys, and the kernels that count, score and
join bigrams over token spans.

A *token stream* is ``(src uint8, starts int64 (t,), ends int64 (t,), sent int64 (s+1,))``: token
i is the UTF-8 bytes ``src[starts[i]:ends[i]]`` and sentence j is tokens ``sent[j]:sent[j+1]``.
Text blocks are cut into token streams by :func:`tokenize` (the corpus tokenizer's whitespace
rule), Python token lists by ``phrases.py`` (no tokenizing: the tokens are taken as given).

The counting table holds gensim's ``Phrases.vocab`` exactly: one key space for unigrams (a
non-connector token) and bigrams (the tokens from one non-connector word to the next, joined by
the delimiter, connector words in between), so a token that itself contains the delimiter shares
its key with the bigram it spells, as in gensim. Keys are kept in the order they were added.
"""
from __future__ import annotations

import math

import numba
import numpy as np

from .tokens import find_or_add, fnv1a, is_space, lookup, resized

#: Sentence ends in a token stream made by :func:`tokenize`.
CLOSED, OPEN = 0, 1

#: Scoring modes of the kernels: the two built-in formulas, or a frozen table of scores.
ORIGINAL, NPMI, FROZEN = 0, 1, 2

NEGATIVE_INFINITY = float("-inf")


def original_scorer(worda_count, wordb_count, bigram_count, len_vocab, min_count, corpus_word_count):
    r"""word2vec.c's bigram score :math:`\frac{(c_{ab} - min\_count) \cdot |V|}{c_a c_b}` (Mikolov et al.
    2013, eq. 6); -inf when a count is zero. ``corpus_word_count`` is unused."""
    denom = worda_count * wordb_count
    if denom == 0:
        return NEGATIVE_INFINITY
    return (bigram_count - min_count) / float(denom) * len_vocab


def npmi_scorer(worda_count, wordb_count, bigram_count, len_vocab, min_count, corpus_word_count):
    r"""Normalized pointwise mutual information (Bouma 2009), in [-1, 1]:
    :math:`\ln\frac{p_{ab}}{p_a p_b} / -\ln p_{ab}` with :math:`p_x = c_x / N`, N the corpus
    word count; -inf when ``bigram_count < min_count`` or a probability is zero. ``len_vocab`` is
    unused."""
    if bigram_count < min_count:
        return NEGATIVE_INFINITY
    n = float(corpus_word_count)
    pa = worda_count / n
    pb = wordb_count / n
    pab = bigram_count / n
    ratio = pab / (pa * pb)
    if ratio <= 0.0 or pab <= 0.0:
        return NEGATIVE_INFINITY
    return math.log(ratio) / -math.log(pab)


_original = numba.njit(inline="always")(original_scorer)
_npmi = numba.njit(inline="always")(npmi_scorer)


@numba.njit(inline="always")
def bigram_score(mode, worda_count, wordb_count, bigram_count, len_vocab, min_count, corpus_word_count):
    """The built-in score ``mode`` (ORIGINAL or NPMI) of a bigram from its counts."""
    if mode == ORIGINAL:
        return _original(worda_count, wordb_count, bigram_count, len_vocab, min_count, corpus_word_count)
    return _npmi(worda_count, wordb_count, bigram_count, len_vocab, min_count, corpus_word_count)


class KeyTable:
    """Distinct byte-string keys in order of insertion, one value each (int64 counts or float64
    scores), with an open-addressing hash table over them (FNV-1a, linear probing, at most half
    full). Compiled loops add keys while there is room; :meth:`reserve` makes room."""

    def __init__(self, dtype: type = np.int64, keys: int = 1 << 12, key_bytes: int = 1 << 16) -> None:
        self.n = 0
        self.slots = np.full(1 << max(4, (2 * keys).bit_length()), -1, dtype=np.int32)
        self.key_bytes = np.empty(key_bytes, dtype=np.uint8)
        self.offsets = np.zeros(keys + 1, dtype=np.int64)
        self.values = np.zeros(keys, dtype=dtype)

    @classmethod
    def from_arrays(cls, key_bytes: np.ndarray, offsets: np.ndarray, values: np.ndarray) -> "KeyTable":
        """A table over the keys ``key_bytes[offsets[i]:offsets[i+1]]`` (distinct) with ``values``."""
        n = values.shape[0]
        t = cls(values.dtype.type, keys=max(n, 1), key_bytes=max(int(offsets[n]), 1))
        t.key_bytes[: offsets[n]] = key_bytes[: offsets[n]]
        t.offsets[: n + 1] = offsets[: n + 1]
        t.values[:n] = values
        t.n = n
        t.rehash()
        return t

    @property
    def used_bytes(self) -> int:
        return int(self.offsets[self.n])

    def arrays(self) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
        return self.slots, self.key_bytes, self.offsets, self.values

    def reserve(self, keys: int, n_bytes: int) -> None:
        """Make room for ``keys`` more keys of ``n_bytes`` bytes in all (arrays grow by half at least)."""
        need = self.n + keys + 1
        if need > self.values.shape[0]:
            size = max(self.values.shape[0] * 3 // 2, need)
            self.offsets = resized(self.offsets, size + 1)
            self.values = resized(self.values, size)
        need_bytes = self.used_bytes + n_bytes
        if need_bytes > self.key_bytes.shape[0]:
            self.key_bytes = resized(self.key_bytes, max(self.key_bytes.shape[0] * 3 // 2, need_bytes))
        if 2 * need > self.slots.shape[0]:
            self.slots = np.empty(1 << (2 * need).bit_length(), dtype=np.int32)
            self.rehash()

    def rehash(self) -> None:
        _rehash(self.slots, self.key_bytes, self.offsets, self.n)

    def index(self, key: bytes) -> int:
        """The index of ``key``, or -1."""
        buf = np.frombuffer(key, dtype=np.uint8)
        return int(_index_of(buf, self.slots, self.key_bytes, self.offsets))

    def key(self, i: int) -> str:
        return self.key_bytes[self.offsets[i] : self.offsets[i + 1]].tobytes().decode("utf-8", "surrogatepass")

    def keys(self) -> list[str]:
        """All keys, decoded, in order of insertion."""
        raw = self.key_bytes[: self.used_bytes].tobytes()
        o = self.offsets[: self.n + 1].tolist()
        return [raw[o[i] : o[i + 1]].decode("utf-8", "surrogatepass") for i in range(self.n)]

    def subset(self, index: np.ndarray, values: np.ndarray) -> "KeyTable":
        """A new table of the keys ``index`` (int64, distinct) with ``values``, in that order."""
        key_bytes, offsets = _gather(self.key_bytes, self.offsets, index)
        return KeyTable.from_arrays(key_bytes, offsets, values)


@numba.njit(inline="always")
def room_for_one_more(keep, scores, m):
    """(keep, scores) with room for entry m: both copied to twice their length (int64, float64)
    when m has reached it, else as they are."""
    if m < keep.shape[0]:
        return keep, scores
    bigger = np.empty(2 * m, dtype=np.int64)
    bigger[:m] = keep
    wider = np.empty(2 * m, dtype=np.float64)
    wider[:m] = scores
    return bigger, wider


@numba.njit(nogil=True, cache=True)
def _rehash(slots, key_bytes, offsets, n):
    """Rebuild the hash table over keys 0..n-1 (distinct)."""
    slots[:] = -1
    for i in range(n):
        slot = lookup(key_bytes, offsets[i], offsets[i + 1], slots, key_bytes, offsets)[0]
        slots[slot] = i


@numba.njit(nogil=True, cache=True)
def _index_of(buf, slots, key_bytes, offsets):
    return lookup(buf, 0, buf.shape[0], slots, key_bytes, offsets)[1]


@numba.njit(nogil=True, cache=True)
def _gather(key_bytes, offsets, index):
    """The bytes and offsets of the keys ``index``, back to back."""
    m = index.shape[0]
    out_offsets = np.zeros(m + 1, dtype=np.int64)
    for j in range(m):
        i = index[j]
        out_offsets[j + 1] = out_offsets[j] + offsets[i + 1] - offsets[i]
    out = np.empty(out_offsets[m], dtype=np.uint8)
    for j in range(m):
        i = index[j]
        out[out_offsets[j] : out_offsets[j + 1]] = key_bytes[offsets[i] : offsets[i + 1]]
    return out, out_offsets


@numba.njit(nogil=True, cache=True)
def prune(slots, key_bytes, offsets, values, n, min_reduce):
    """Drop the keys counted fewer than ``min_reduce`` times (gensim's ``utils.prune_vocab``),
    keeping the others in order; returns the new number of keys."""
    m = 0
    pos = 0
    for i in range(n):
        if values[i] >= min_reduce:
            start = offsets[i]
            length = offsets[i + 1] - start
            if pos != start:
                for k in range(length):
                    key_bytes[pos + k] = key_bytes[start + k]
            offsets[m] = pos
            values[m] = values[i]
            pos += length
            m += 1
    offsets[m] = pos
    values[m:n] = 0
    _rehash(slots, key_bytes, offsets, m)
    return m


@numba.njit(nogil=True, cache=True)
def tokenize(buf, max_sentence_length):
    """Token stream of UTF-8 text: tokens are runs of non-whitespace bytes (ASCII whitespace), a
    sentence is a line's tokens, cut every ``max_sentence_length`` tokens (gensim's LineSentence
    rule; empty lines make no sentence). Returns ``(starts, ends, sent, last)``: ``last`` is OPEN
    when the final sentence may continue past ``buf`` (no newline after it), else CLOSED."""
    n = buf.shape[0]
    starts = np.empty(n // 2 + 1, dtype=np.int64)
    ends = np.empty(n // 2 + 1, dtype=np.int64)
    sent = np.empty(n // 2 + 2, dtype=np.int64)
    sent[0] = 0
    t = 0
    s = 0
    i = 0
    while i < n:
        c = buf[i]
        if c == 10:
            if t > sent[s]:
                s += 1
                sent[s] = t
            i += 1
            continue
        if is_space(c):
            i += 1
            continue
        if t - sent[s] == max_sentence_length:
            s += 1
            sent[s] = t
        starts[t] = i
        while i < n and not is_space(buf[i]):
            i += 1
        ends[t] = i
        t += 1
    last = CLOSED
    if t > sent[s]:
        s += 1
        sent[s] = t
        last = OPEN
    return starts[:t].copy(), ends[:t].copy(), sent[: s + 1].copy(), last  # (not views of n/2 slots)


@numba.njit(inline="always")
def is_connector(src, start, stop, connectors):
    c_slots, c_bytes, c_offsets, c_n = connectors
    return c_n > 0 and lookup(src, start, stop, c_slots, c_bytes, c_offsets)[1] >= 0


@numba.njit(inline="always")
def _join(src, starts, ends, first, last, delim, out, pos):
    """Write tokens first..last joined by ``delim`` into out[pos:]; returns the end position."""
    for i in range(first, last + 1):
        if i > first:
            for k in range(delim.shape[0]):
                out[pos] = delim[k]
                pos += 1
        for k in range(starts[i], ends[i]):
            out[pos] = src[k]
            pos += 1
    return pos


@numba.njit(nogil=True, cache=True)
def count_bigrams(
    src, starts, ends, sent, s0, connectors, delim, scratch,
    slots, key_bytes, offsets, values, n, max_vocab_size, min_reduce, check_empty,
):
    """Count the unigrams and bigrams of sentences s0, s0+1, ... as gensim's ``Phrases`` does.

    Every non-connector word counts as a unigram and, with the previous non-connector word of the
    sentence and the connector words between them, as a bigram key. After each sentence (each
    non-empty one unless ``check_empty``), while there are more than ``max_vocab_size`` keys, the
    keys counted fewer than ``min_reduce`` times are dropped and ``min_reduce`` grows by one.
    ``scratch`` (uint8) must hold the longest bigram key. Stops before a sentence whose keys might
    not fit. Returns ``(next sentence, keys, min_reduce, tokens read, keys needed, bytes needed)``.
    """
    n_sent = sent.shape[0] - 1
    words = 0
    dl = delim.shape[0]
    for s in range(s0, n_sent):
        a, b = sent[s], sent[s + 1]
        span = 0
        for i in range(a, b):
            span += ends[i] - starts[i]
        need_keys = 2 * (b - a)
        need_bytes = 3 * span + dl * (b - a)
        if (n + need_keys + 1 > values.shape[0] or offsets[n] + need_bytes > key_bytes.shape[0]
                or 2 * (n + need_keys + 1) > slots.shape[0]):
            return s, n, min_reduce, words, need_keys, need_bytes
        start = -1
        for i in range(a, b):
            if not is_connector(src, starts[i], ends[i], connectors):
                w, n = find_or_add(src, starts[i], ends[i], slots, key_bytes, offsets, n)
                values[w] += 1
                if start >= 0:
                    length = _join(src, starts, ends, start, i, delim, scratch, 0)
                    w, n = find_or_add(scratch, 0, length, slots, key_bytes, offsets, n)
                    values[w] += 1
                start = i
        words += b - a
        if (b > a or check_empty) and n > max_vocab_size:
            n = prune(slots, key_bytes, offsets, values, n, min_reduce)
            min_reduce += 1
    return n_sent, n, min_reduce, words, 0, 0


@numba.njit(inline="always")
def _score(mode, src, starts, ends, first, last, delim, scratch, slots, key_bytes, offsets, values, n_keys,
           min_count, corpus_word_count):
    """(key index, score) of the candidate phrase tokens first..last; index -1 when it is unknown
    or a part is. ``values`` are counts (ORIGINAL, NPMI) or scores (FROZEN)."""
    length = _join(src, starts, ends, first, last, delim, scratch, 0)
    if mode == FROZEN:
        w = lookup(scratch, 0, length, slots, key_bytes, offsets)[1]
        if w < 0:
            return -1, NEGATIVE_INFINITY
        return w, float(values[w])
    wa = lookup(src, starts[first], ends[first], slots, key_bytes, offsets)[1]
    if wa < 0 or values[wa] <= 0:
        return -1, NEGATIVE_INFINITY
    wb = lookup(src, starts[last], ends[last], slots, key_bytes, offsets)[1]
    if wb < 0 or values[wb] <= 0:
        return -1, NEGATIVE_INFINITY
    w = lookup(scratch, 0, length, slots, key_bytes, offsets)[1]
    if w < 0 or values[w] <= 0:
        return -1, NEGATIVE_INFINITY
    if mode == ORIGINAL:
        return w, _original(values[wa], values[wb], values[w], n_keys, min_count, corpus_word_count)
    return w, _npmi(values[wa], values[wb], values[w], n_keys, min_count, corpus_word_count)


@numba.njit(inline="always")
def token_hash(src, start, stop):
    """A 64-bit hash of the token src[start:stop]: its bytes packed and mixed when there are at
    most 8 of them (no loop of multiplies), else FNV-1a."""
    length = stop - start
    if length > 8:
        return fnv1a(src, start, stop)
    h = np.uint64(length) * np.uint64(0xC2B2AE3D27D4EB4F)
    for k in range(length):
        h ^= np.uint64(src[start + k]) << np.uint64(8 * k)
    h *= np.uint64(0x9E3779B97F4A7C15)
    return h ^ (h >> np.uint64(29))


@numba.njit(inline="always")
def _pair_hash(h_first, h_last):
    h = (h_first * np.uint64(0x9E3779B97F4A7C15)) ^ h_last
    h ^= h >> np.uint64(31)
    h *= np.uint64(0xBF58476D1CE4E5B9)
    return h ^ (h >> np.uint64(29))


@numba.njit(inline="always")
def _has_bit(bits, h):
    b = h & np.uint64(bits.shape[0] * 64 - 1)
    return (bits[b >> np.uint64(6)] >> (b & np.uint64(63))) & np.uint64(1) != 0


@numba.njit(nogil=True, cache=True)
def part_filter(key_bytes, offsets, n, delim):
    """A bit set (uint64 words) over the hashes of (first token, last token) of every way a key
    can be cut into tokens: a prefix ending where the delimiter occurs and a suffix starting after
    the same or a later occurrence. A candidate phrase whose bit is clear is none of the keys, so
    :func:`join_phrases` skips its lookup; a set bit may be a collision and is looked up as before."""
    dl = delim.shape[0]
    combos = 0
    for rep in range(2):
        if rep == 1:
            n_bits = 1 << 12
            while n_bits < 16 * combos and n_bits < 1 << 26:
                n_bits *= 2
            bits = np.zeros(n_bits // 64, dtype=np.uint64)
            mask = np.uint64(n_bits - 1)
        for i in range(n):
            a, b = offsets[i], offsets[i + 1]
            for p in range(a, b - dl + 1):
                if not _delim_at(key_bytes, p, delim):
                    continue
                h_first = token_hash(key_bytes, a, p)
                for q in range(p, b - dl + 1):
                    if _delim_at(key_bytes, q, delim):
                        if rep == 0:
                            combos += 1
                        else:
                            h = _pair_hash(h_first, token_hash(key_bytes, q + dl, b)) & mask
                            bits[h >> np.uint64(6)] |= np.uint64(1) << (h & np.uint64(63))
    return bits


@numba.njit(inline="always")
def _delim_at(key_bytes, p, delim):
    for k in range(delim.shape[0]):
        if key_bytes[p + k] != delim[k]:
            return False
    return True


@numba.njit(nogil=True, cache=True)
def join_phrases(
    src, starts, ends, sent, connectors, delim, scratch, mode, slots, key_bytes, offsets, values, n_keys,
    min_count, threshold, corpus_word_count, pair_bits,
):
    """gensim's ``analyze_sentence`` over every sentence: left to right, a non-connector word
    ends the candidate phrase begun at the previous non-connector word (connector words between
    them); a candidate scoring above ``threshold`` becomes one token and the next candidate starts
    after it. Returns ``(out, scores, out_sent)``: output token k is input token ``out[k]`` when
    ``out[k] >= 0``, else the phrase whose key index is ``-1 - out[k]``, with score ``scores[k]``
    (NaN for single tokens); output sentence j is ``out[out_sent[j]:out_sent[j+1]]``.

    As in gensim, an empty token cannot start a phrase and is dropped when one would start there.
    ``pair_bits`` is :func:`part_filter`'s bit set over the keys (FROZEN mode), or empty: then
    every candidate is looked up.
    """
    filtered = pair_bits.shape[0] > 0
    h_start = np.uint64(0)
    n_sent = sent.shape[0] - 1
    out = np.empty(starts.shape[0], dtype=np.int64)
    scores = np.empty(starts.shape[0], dtype=np.float64)
    out_sent = np.empty(n_sent + 1, dtype=np.int64)
    out_sent[0] = 0
    k = 0
    for s in range(n_sent):
        start = -1
        for i in range(sent[s], sent[s + 1]):
            active = start >= 0 and ends[start] > starts[start]
            if not is_connector(src, starts[i], ends[i], connectors):
                h = token_hash(src, starts[i], ends[i]) if filtered else np.uint64(0)
                if active and (not filtered or _has_bit(pair_bits, _pair_hash(h_start, h))):
                    w, score = _score(mode, src, starts, ends, start, i, delim, scratch, slots, key_bytes, offsets,
                                      values, n_keys, min_count, corpus_word_count)
                    if w >= 0 and (score > threshold if mode == FROZEN else not score <= threshold):
                        out[k] = -1 - w
                        scores[k] = score
                        k += 1
                        start = -1
                        continue
                if active:
                    for j in range(start, i):
                        out[k] = j
                        scores[k] = np.nan
                        k += 1
                start = i
                h_start = h
            elif not active:
                out[k] = i
                scores[k] = np.nan
                k += 1
        if start >= 0 and ends[start] > starts[start]:
            for j in range(start, sent[s + 1]):
                out[k] = j
                scores[k] = np.nan
                k += 1
        out_sent[s + 1] = k
    return out[:k], scores[:k], out_sent


@numba.njit(nogil=True, cache=True)
def write_lines(src, starts, ends, out, out_sent, key_bytes, offsets):
    """UTF-8 text of the joined sentences: one line each, tokens separated by one space, phrase
    tokens spelled by their keys."""
    size = 0
    for k in range(out.shape[0]):
        t = out[k]
        if t >= 0:
            size += ends[t] - starts[t] + 1
        else:
            size += offsets[-t] - offsets[-1 - t] + 1
    buf = np.empty(size + out_sent.shape[0], dtype=np.uint8)
    pos = 0
    for s in range(out_sent.shape[0] - 1):
        for k in range(out_sent[s], out_sent[s + 1]):
            if k > out_sent[s]:
                buf[pos] = 32
                pos += 1
            t = out[k]
            if t >= 0:
                a, b = starts[t], ends[t]
                buf[pos : pos + b - a] = src[a:b]
            else:
                a, b = offsets[-1 - t], offsets[-t]
                buf[pos : pos + b - a] = key_bytes[a:b]
            pos += b - a
        buf[pos] = 10
        pos += 1
    return buf[:pos]


@numba.njit(inline="always")
def _parts_counts(i, slots, key_bytes, offsets, values, delim):
    """Counts of the first and last parts of key i split at the delimiter as ``str.split`` splits
    (left to right, matches not overlapping); (0, 0) when it has no delimiter or a part is not
    counted."""
    a, b = offsets[i], offsets[i + 1]
    dl = delim.shape[0]
    first_end = -1
    last_start = -1
    p = a
    while p + dl <= b:
        same = True
        for k in range(dl):
            if key_bytes[p + k] != delim[k]:
                same = False
                break
        if same:
            if first_end < 0:
                first_end = p
            p += dl
            last_start = p
        else:
            p += 1
    if first_end < 0:
        return 0, 0
    wa = lookup(key_bytes, a, first_end, slots, key_bytes, offsets)[1]
    if wa < 0 or values[wa] <= 0:
        return 0, 0
    wb = lookup(key_bytes, last_start, b, slots, key_bytes, offsets)[1]
    if wb < 0 or values[wb] <= 0:
        return 0, 0
    return values[wa], values[wb]


@numba.njit(nogil=True, cache=True)
def phrase_candidates(slots, key_bytes, offsets, values, n, delim):
    """Every counted key containing the delimiter whose first and last parts are counted (gensim's
    ``export_phrases`` candidates): returns ``(index, count of the first part, of the last part)``."""
    index = np.empty(n, dtype=np.int64)
    ca = np.empty(n, dtype=np.int64)
    cb = np.empty(n, dtype=np.int64)
    m = 0
    for i in range(n):
        a, b = _parts_counts(i, slots, key_bytes, offsets, values, delim)
        if a > 0 and values[i] > 0:
            index[m] = i
            ca[m] = a
            cb[m] = b
            m += 1
    return index[:m], ca[:m], cb[:m]


@numba.njit(nogil=True, cache=True)
def export_scores(mode, slots, key_bytes, offsets, values, n, delim, min_count, threshold, corpus_word_count):
    """gensim's ``export_phrases`` with a built-in score: ``(index, scores)`` of the candidates of
    :func:`phrase_candidates` scoring above ``threshold`` (as gensim: not ``score <= threshold``),
    with len_vocab = n. The outputs grow as needed (no array of n candidates)."""
    keep = np.empty(1024, dtype=np.int64)
    scores = np.empty(1024, dtype=np.float64)
    m = 0
    for i in range(n):
        ca, cb = _parts_counts(i, slots, key_bytes, offsets, values, delim)
        c = values[i]
        if ca <= 0 or c <= 0:
            continue
        score = bigram_score(mode, ca, cb, c, n, min_count, corpus_word_count)
        if score <= threshold:
            continue
        keep, scores = room_for_one_more(keep, scores, m)
        keep[m] = i
        scores[m] = score
        m += 1
    return keep[:m].copy(), scores[:m].copy()


@numba.njit(nogil=True, cache=True)
def merge_counts(slots, key_bytes, offsets, values, n, o_bytes, o_offsets, o_values, o_n):
    """Add another table's o_n keys and counts (new keys appended in its order; room is
    guaranteed by the caller); returns the new number of keys."""
    for i in range(o_n):
        w, n = find_or_add(o_bytes, o_offsets[i], o_offsets[i + 1], slots, key_bytes, offsets, n)
        values[w] += o_values[i]
    return n


@numba.njit(nogil=True, cache=True)
def all_distinct(slots, key_bytes, offsets, n):
    """Whether the n keys are distinct (each key's lookup finds itself)."""
    for i in range(n):
        if lookup(key_bytes, offsets[i], offsets[i + 1], slots, key_bytes, offsets)[1] != i:
            return False
    return True
