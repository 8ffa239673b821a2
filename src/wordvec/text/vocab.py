"""Vocabulary: word counts, pruning, subsampling thresholds, the noise distribution and Huffman codes.

Everything the training kernels need about words is prepared here as plain numpy arrays:

- ``counts`` (int64, V): corpus frequency of each kept word, sorted descending; ties are ordered
  as gensim 4 orders them, the word that first appeared later first, so that ``restrict_vocab``
  cut-offs agree with gensim's; the order never depends on Python's string-hash seed.
- ``trim_rule(word, count, min_count)``: gensim's per-word override of ``min_count``, returning
  :data:`RULE_KEEP`, :data:`RULE_DISCARD` or :data:`RULE_DEFAULT` (apply ``min_count``).
- ``keep_thresholds(sample)`` (int64, V): subsampling as in word2vec.c, a word of count f is kept
  with probability min(1, (sqrt(f / (s T)) + 1) (s T) / f), T = sum of counts, stored as
  round(p * 2**32) to compare with a 32-bit random number.
- ``alias_table(ns_exponent)``: Walker/Vose alias table for the noise distribution
  P(w) = f_w^a / sum f^a, sampled in O(1) with one random number.
- ``huffman()``: codes and inner-node indices (points) of the Huffman tree over the counts, for
  hierarchical softmax, built as gensim builds it or as word2vec.c (and fastText) do: both merge
  the two least frequent nodes, and differ only in which node goes first among equal counts.
- ``hash_table()``: an open-addressing table from the UTF-8 bytes of each word to its index, used
  by the compiled tokenizer to encode raw text without Python per word.
"""
from __future__ import annotations

import logging
from collections import Counter
from dataclasses import dataclass, field
from typing import Any, Callable, Iterable, Mapping

import numba
import numpy as np

from ..errors import CorpusError, ParameterError
from .tokens import build_hash_table

logger = logging.getLogger(__name__)

#: trim_rule results (gensim's values): apply min_count, drop the word, keep the word.
RULE_DEFAULT, RULE_DISCARD, RULE_KEEP = 0, 1, 2


def keep_word(word: str, count: int, min_count: int, trim_rule: Callable[[str, int, int], Any] | None = None) -> bool:
    """Whether ``word`` of ``count`` stays in the vocabulary: ``trim_rule``'s verdict
    (RULE_KEEP / RULE_DISCARD), else ``count >= min_count``."""
    if trim_rule is not None:
        verdict = trim_rule(word, count, min_count)
        if verdict == RULE_KEEP:
            return True
        if verdict == RULE_DISCARD:
            return False
    return count >= min_count


def _kept(words: list[str], counts: np.ndarray, min_count: int, trim_rule: Any) -> np.ndarray:
    """Indices (ascending) of the words that stay."""
    if trim_rule is None:
        return np.flatnonzero(counts >= min_count)
    return np.flatnonzero([keep_word(w, int(c), min_count, trim_rule) for w, c in zip(words, counts.tolist())])


@dataclass
class Vocabulary:
    """Words sorted by descending count, with their counts and corpus statistics.

    ``paths`` optionally carries Huffman paths (codes, points, lengths) built elsewhere for
    exactly these words and counts (a model imported from gensim, whose hierarchical-softmax
    weights belong to gensim's tree); :meth:`huffman` then returns them. ``tree`` says how
    :meth:`huffman` builds the tree otherwise: ``"gensim"`` or ``"word2vec.c"`` (see there)."""

    words: list[str]
    counts: np.ndarray  # int64 (V,)
    raw_word_count: int = 0  # every token read, kept or not
    n_sentences: int = 0
    key_to_index: dict[str, int] = field(default_factory=dict)
    paths: tuple[np.ndarray, np.ndarray, np.ndarray] | None = None
    min_count: int = 1  # the min_count applied (raised by max_final_vocab): gensim's effective_min_count
    tree: str = "word2vec.c"

    def __post_init__(self) -> None:
        self.counts = np.asarray(self.counts, dtype=np.int64)
        if len(self.words) != len(self.counts):
            raise ValueError("words and counts differ in length")
        if not self.key_to_index:
            self.key_to_index = {w: i for i, w in enumerate(self.words)}

    def __len__(self) -> int:
        return len(self.words)

    @property
    def total_words(self) -> int:
        """Sum of the kept words' counts: the words per epoch the learning rate decays over."""
        return int(self.counts.sum())

    @classmethod
    def from_counts(
        cls,
        counter: Mapping[str, int],
        min_count: int = 5,
        max_final_vocab: int | None = None,
        raw_word_count: int | None = None,
        n_sentences: int = 0,
        trim_rule: Callable[[str, int, int], Any] | None = None,
        sorted_vocab: bool = True,
    ) -> "Vocabulary":
        """Keep words with count >= min_count (raised so that at most max_final_vocab remain),
        or as ``trim_rule`` decides; ``counter`` is in order of first appearance. Sorted by
        descending count with gensim's tie order, or left in order of first appearance when
        not ``sorted_vocab``.

        As gensim, the max_final_vocab threshold rises above the count of the
        (max_final_vocab + 1)-th most frequent word, so words that tie there are all dropped: never
        more than max_final_vocab words, possibly fewer. When that leaves none (the most frequent
        words tie), ParameterError blames max_final_vocab and says how large it must be."""
        words = list(counter.keys())
        counts = np.fromiter(counter.values(), dtype=np.int64, count=len(words))
        if raw_word_count is None:
            raw_word_count = int(counts.sum())
        if max_final_vocab is not None and np.count_nonzero(counts >= min_count) > max_final_vocab:
            ranked = np.sort(counts)[::-1]
            min_count = max(min_count, int(ranked[max_final_vocab]) + 1)
            logger.info("max_final_vocab=%d raised min_count to %d", max_final_vocab, min_count)
            if not np.any(counts >= min_count):
                tied = int(np.count_nonzero(counts >= ranked[max_final_vocab]))
                raise ParameterError(
                    f"max_final_vocab={max_final_vocab} keeps no word: the {tied:,} most frequent words all occur "
                    f"{int(ranked[max_final_vocab]):,} times and keeping only some of them would be arbitrary "
                    f"(gensim's rule); raise max_final_vocab to at least {tied:,} or leave it unset",
                    "max_final_vocab",
                )
        keep = _kept(words, counts, min_count, trim_rule)
        order = keep[np.lexsort((-np.arange(len(keep)), -counts[keep]))] if sorted_vocab else keep
        return cls(
            words=[words[i] for i in order],
            counts=counts[order],
            raw_word_count=int(raw_word_count),
            n_sentences=int(n_sentences),
            min_count=int(min_count),
        )

    def merged(self, other: "Vocabulary", min_count: int, trim_rule: Any = None) -> "Vocabulary":
        """Vocabulary for ``build_vocab(update=True)``: existing words keep their index (counts
        add up, whatever their count in ``other``); new words that pass min_count (or
        ``trim_rule``) are appended in ``other``'s order (gensim appends them in order of first
        appearance: give ``other`` unsorted). The applied ``min_count`` is kept."""
        counts = self.counts.copy()
        new_words, new_counts = [], []
        for w, c in zip(other.words, other.counts):
            i = self.key_to_index.get(w)
            if i is None:
                if keep_word(w, int(c), min_count, trim_rule):
                    new_words.append(w)
                    new_counts.append(int(c))
            else:
                counts[i] += c
        return Vocabulary(
            words=self.words + new_words,
            counts=np.concatenate([counts, np.asarray(new_counts, dtype=np.int64)]),
            raw_word_count=self.raw_word_count + other.raw_word_count,
            n_sentences=self.n_sentences + other.n_sentences,
            min_count=self.min_count,
            tree=self.tree,
        )

    def keep_thresholds(self, sample: float) -> np.ndarray:
        """int64 (V,): round(2**32 * keep probability); sample <= 0 keeps every word."""
        if sample <= 0 or len(self) == 0:
            return np.full(len(self), 2**32, dtype=np.int64)
        f = self.counts.astype(np.float64)
        st = sample * self.total_words
        p = np.minimum(1.0, (np.sqrt(f / st) + 1.0) * st / f)
        return np.round(p * 2.0**32).astype(np.int64)

    def noise_distribution(self, ns_exponent: float) -> np.ndarray:
        """float64 (V,): P(w) = count_w ** a / sum(count ** a)."""
        p = self.counts.astype(np.float64) ** ns_exponent
        return p / p.sum()

    def alias_table(self, ns_exponent: float) -> tuple[np.ndarray, np.ndarray]:
        """Alias table (threshold uint32 (V,), alias int32 (V,)) of the noise distribution.

        A draw takes bucket i uniformly and keeps it when a 32-bit uniform is below
        threshold[i], else returns alias[i]; the result is distributed exactly as
        noise_distribution (up to 2**-32 rounding)."""
        return _build_alias(self.noise_distribution(ns_exponent) * len(self))

    def huffman(self) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """The Huffman tree over the counts, as ``tree`` says.

        Returns codes uint8 (V, L), points int32 (V, L) and lengths int32 (V,): the path of word
        w from the root visits inner nodes points[w, :lengths[w]] (indices 0 .. V-2 into the
        hierarchical-softmax output matrix) and turns by codes[w, :lengths[w]] (0 or 1).

        Both constructions merge the two least frequent nodes into inner node a (a = 0, 1, ...;
        the first taken gets code 0, the second 1) until one root is left, and differ only in
        which node goes first among equal counts: gensim pops them from Python's heapq compared
        by count alone (ties fall as the heap's layout leaves them); word2vec.c (and fastText,
        which rebuilds the tree this way when it reads a ``.bin``) takes the words from the end
        of the (sorted) vocabulary and an inner node before a word on ties. gensim's
        construction does not need the vocabulary sorted."""
        if len(self) < 2:
            raise CorpusError("hierarchical softmax needs a vocabulary of at least 2 words")
        if self.paths is not None:
            return self.paths
        if self.tree == "gensim":
            return _build_huffman(len(self), *_merges_gensim(self.counts))
        if self.tree != "word2vec.c":
            raise ParameterError(f"tree must be 'gensim' or 'word2vec.c', got {self.tree!r}", "tree")
        return _build_huffman(len(self), *_merges_word2vec_c(self.counts))

    def hash_table(self) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """(table int32 (2**k,), word_bytes uint8, word_offsets int64 (V+1,)) for encode_text."""
        encoded = [w.encode("utf-8") for w in self.words]
        offsets = np.zeros(len(encoded) + 1, dtype=np.int64)
        np.cumsum([len(b) for b in encoded], out=offsets[1:])
        word_bytes = np.frombuffer(b"".join(encoded), dtype=np.uint8)
        size = 1 << max(4, int(2 * max(1, len(encoded)) - 1).bit_length())
        table = build_hash_table(word_bytes, offsets, size)
        return table, word_bytes, offsets


class VocabCounter:
    """Counts tokens chunk by chunk, pruning rare words when max_vocab_size is set.

    ``pruning="word2vec.c"`` (ReduceVocab): while more than max_vocab_size distinct words are
    held, the words with count <= min_reduce are dropped and min_reduce grows by one.
    ``pruning="gensim"`` (``Word2Vec._scan_vocab`` with ``utils.prune_vocab``; give the tokens one
    sentence per :meth:`update`): after a sentence that leaves more than max_vocab_size distinct
    words, the words with count < min_reduce (min_reduce starts at 1) are dropped once, unless
    ``trim_rule`` keeps them, and min_reduce grows by one. Either way the number of distinct
    words dropped is reported so the caller can warn.
    """

    def __init__(self, max_vocab_size: int | None = None, pruning: str = "word2vec.c",
                 trim_rule: Callable[[str, int, int], Any] | None = None) -> None:
        if pruning not in ("word2vec.c", "gensim"):
            raise ParameterError(f"pruning must be 'word2vec.c' or 'gensim', got {pruning!r}", "pruning")
        self.counts: Counter = Counter()
        self.max_vocab_size = max_vocab_size
        self.pruning = pruning
        self.trim_rule = trim_rule
        self.min_reduce = 1
        self.pruned_words = 0
        self.raw_word_count = 0
        self.n_sentences = 0

    def update(self, tokens: Iterable[str], n_tokens: int | None = None) -> None:
        before = self.raw_word_count
        if n_tokens is None:
            tokens = list(tokens)
            n_tokens = len(tokens)
        self.counts.update(tokens)
        self.raw_word_count = before + n_tokens
        if self.max_vocab_size is not None and len(self.counts) > self.max_vocab_size:
            self._prune()

    def _prune(self) -> None:
        if self.pruning == "gensim":
            drop = [w for w, c in self.counts.items() if not keep_word(w, c, self.min_reduce, self.trim_rule)]
            for w in drop:
                del self.counts[w]
            self.pruned_words += len(drop)
            self.min_reduce += 1
            return
        while len(self.counts) > self.max_vocab_size:
            drop = [w for w, c in self.counts.items() if c <= self.min_reduce]
            for w in drop:
                del self.counts[w]
            self.pruned_words += len(drop)
            self.min_reduce += 1


@numba.njit(cache=True)
def _build_alias(scaled: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    n = scaled.shape[0]
    prob = scaled.copy()
    alias = np.arange(n).astype(np.int32)
    small = np.empty(n, dtype=np.int64)
    large = np.empty(n, dtype=np.int64)
    ns = nl = 0
    for i in range(n):
        if prob[i] < 1.0:
            small[ns] = i
            ns += 1
        else:
            large[nl] = i
            nl += 1
    while ns > 0 and nl > 0:
        ns -= 1
        s = small[ns]
        l_ = large[nl - 1]
        alias[s] = l_
        prob[l_] = (prob[l_] + prob[s]) - 1.0
        if prob[l_] < 1.0:
            nl -= 1
            small[ns] = l_
            ns += 1
    threshold = np.empty(n, dtype=np.uint32)
    for i in range(n):
        p = min(prob[i], 1.0)
        threshold[i] = np.uint32(min(p * 4294967296.0, 4294967295.0))
    for k in range(nl):
        threshold[large[k]] = np.uint32(4294967295)
    for k in range(ns):
        threshold[small[k]] = np.uint32(4294967295)
    return threshold, alias


@numba.njit(inline="always")
def _smallest(count, pos1, pos2):
    """Take the smaller of the next word (pos1, walking down) and the next inner node (pos2)."""
    if pos1 >= 0 and count[pos1] < count[pos2]:
        return pos1, pos1 - 1, pos2
    return pos2, pos1, pos2 + 1


@numba.njit(cache=True)
def _merges_word2vec_c(counts: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """The nodes inner node a joins (first[a] code 0, second[a] code 1), as word2vec.c merges
    them: two queues, the words walked from the end of the (sorted) vocabulary and the inner
    nodes in order of creation, an inner node first on ties."""
    v = counts.shape[0]
    count = np.empty(2 * v, dtype=np.int64)
    count[:v] = counts
    count[v:] = np.int64(1) << 62
    first = np.empty(max(v - 1, 0), dtype=np.int64)
    second = np.empty(max(v - 1, 0), dtype=np.int64)
    pos1 = v - 1
    pos2 = v
    for a in range(v - 1):
        first[a], pos1, pos2 = _smallest(count, pos1, pos2)
        second[a], pos1, pos2 = _smallest(count, pos1, pos2)
        count[v + a] = count[first[a]] + count[second[a]]
    return first, second


@numba.njit(inline="always")
def _sift_down(heap, count, startpos, pos):
    """CPython heapq's _siftdown over node ids ordered by count alone (gensim's Heapitem.__lt__)."""
    newitem = heap[pos]
    while pos > startpos:
        parentpos = (pos - 1) >> 1
        parent = heap[parentpos]
        if count[newitem] < count[parent]:
            heap[pos] = parent
            pos = parentpos
            continue
        break
    heap[pos] = newitem


@numba.njit(inline="always")
def _sift_up(heap, count, endpos, pos):
    """CPython heapq's _siftup (see :func:`_sift_down`)."""
    startpos = pos
    newitem = heap[pos]
    childpos = 2 * pos + 1
    while childpos < endpos:
        rightpos = childpos + 1
        if rightpos < endpos and not count[heap[childpos]] < count[heap[rightpos]]:
            childpos = rightpos
        heap[pos] = heap[childpos]
        pos = childpos
        childpos = 2 * pos + 1
    heap[pos] = newitem
    _sift_down(heap, count, startpos, pos)


@numba.njit(cache=True)
def _merges_gensim(counts: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """The nodes inner node a joins, as gensim's ``_build_heap`` merges them: Python's heapq
    (heapify, then heappop twice and heappush the sum) over items compared by count alone, so
    ties fall as heapq's sift order leaves them; replayed step by step."""
    v = counts.shape[0]
    count = np.empty(2 * v, dtype=np.int64)
    count[:v] = counts
    heap = np.arange(v).astype(np.int64)
    first = np.empty(max(v - 1, 0), dtype=np.int64)
    second = np.empty(max(v - 1, 0), dtype=np.int64)
    size = v
    for i in range(v // 2 - 1, -1, -1):
        _sift_up(heap, count, size, i)
    for a in range(v - 1):
        for k in range(2):
            size -= 1
            top = heap[0]
            if size > 0:
                heap[0] = heap[size]
                _sift_up(heap, count, size, 0)
            else:
                top = heap[size]
            if k == 0:
                first[a] = top
            else:
                second[a] = top
        count[v + a] = count[first[a]] + count[second[a]]
        heap[size] = v + a
        size += 1
        _sift_down(heap, count, 0, size - 1)
    return first, second


@numba.njit(cache=True)
def _build_huffman(v: int, first: np.ndarray, second: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """(codes, points, lengths) of the tree in which inner node a (node v + a) joins first[a]
    (code 0) and second[a] (code 1); the root is the last inner node."""
    binary = np.zeros(2 * v, dtype=np.uint8)
    parent = np.zeros(2 * v, dtype=np.int64)
    for a in range(v - 1):
        parent[first[a]] = v + a
        parent[second[a]] = v + a
        binary[second[a]] = 1
    lengths = np.zeros(v, dtype=np.int32)
    for w in range(v):
        b = w
        n = 0
        while b != 2 * v - 2:
            n += 1
            b = parent[b]
        lengths[w] = n
    max_len = max(1, lengths.max())
    codes = np.zeros((v, max_len), dtype=np.uint8)
    points = np.zeros((v, max_len), dtype=np.int32)
    for w in range(v):
        b = w
        n = lengths[w]
        i = n - 1
        while b != 2 * v - 2:
            codes[w, i] = binary[b]
            points[w, i] = parent[b] - v
            b = parent[b]
            i -= 1
    return codes, points, lengths
