"""Word vectors with character n-grams: a vector for any word, as gensim's and fastText's.

:class:`FastTextKeyedVectors` holds one input matrix of ``V + bucket`` rows (``vectors_vocab``,
the vocabulary rows, and ``vectors_ngrams``, the n-gram buckets, are views of it, so a trainer
updates both in place) and the bags of :mod:`wordvec.text.subwords`. The vector of a word is the
mean of its bag's rows: its own row and its n-gram rows for a vocabulary word (precomputed in
``vectors`` by :meth:`FastTextKeyedVectors.adjust_vectors`), its n-gram rows alone for any other
word. A word that is not in the vocabulary and has no n-gram of a length in [min_n, max_n]
(only possible for very short words with a large min_n, or with subwords off) has no vector:
:class:`~wordvec.vectors.keyedvectors.UnknownWordError`, a KeyError, as gensim raises for a
model without n-grams. (gensim 4.4 returns the zero vector for such a word when it has buckets;
a zero vector only produces NaN cosines, so an error is the useful answer.)

``word in wv`` is True when ``wv[word]`` has a vector (a vocabulary word or one with n-grams);
``wv.has_index_for(word)`` and ``wv.key_to_index`` answer for the vocabulary alone, as in gensim.
Similarity queries (``most_similar``, ``similarity``, ``distances``, ``n_similarity``,
``doesnt_match``, ``closer_than``, ``rank``, ...) accept unknown words; results are drawn from the
vocabulary. The evaluations keep gensim's definition (questions with words outside the searched
vocabulary are skipped), so their figures compare with gensim's.
"""
from __future__ import annotations

from typing import Any, Sequence

import numba
import numpy as np

from ..errors import ParameterError
from ..formats.facebook import read_facebook_bin, save_facebook_vectors
from ..text.subwords import ngram_rows, subwords_enabled, vocabulary_bags
from .keyedvectors import KeyedVectors, UnknownWordError, check_int

__all__ = ["FastTextKeyedVectors", "compose_bags", "load_facebook_vectors"]


@numba.njit(cache=True, parallel=False)
def compose_bags(matrix: np.ndarray, bag_offsets: np.ndarray, bag_rows: np.ndarray, out: np.ndarray) -> None:
    """``out[i] = mean(matrix[bag_rows[bag_offsets[i]:bag_offsets[i+1]]])`` (float32 sum, then times
    1/n as fastText); an empty bag gives a zero row."""
    d = matrix.shape[1]
    for i in range(bag_offsets.shape[0] - 1):
        start, stop = bag_offsets[i], bag_offsets[i + 1]
        for k in range(d):
            out[i, k] = 0.0
        for p in range(start, stop):
            row = bag_rows[p]
            for k in range(d):
                out[i, k] += matrix[row, k]
        if stop > start:
            scale = np.float32(1.0) / np.float32(stop - start)
            for k in range(d):
                out[i, k] *= scale


class FastTextKeyedVectors(KeyedVectors):
    """Vectors for a vocabulary plus hashed character n-grams (gensim's ``FastTextKeyedVectors``).

    ``FastTextKeyedVectors(vector_size, min_n, max_n, bucket, count=0)`` as gensim; code mostly
    builds instances with :meth:`from_matrix` (a trainer, a file reader). Attributes: ``min_n``,
    ``max_n``, ``bucket``; ``vectors_vocab`` (V, d) and ``vectors_ngrams`` (bucket, d), views of
    ``input_matrix`` (V + bucket, d); ``vectors`` (V, d), the composed vectors of the vocabulary;
    ``bag_offsets`` int64 (V+1,) and ``bag_rows`` int32, the vocabulary's bags as rows of
    ``input_matrix``. After changing ``input_matrix`` in place call :meth:`adjust_vectors`.
    """

    def __init__(self, vector_size: int, min_n: int, max_n: int, bucket: int, count: int = 0, dtype: Any = np.float32) -> None:
        super().__init__(vector_size, count, dtype)
        self.min_n = check_int("min_n", min_n, 0)
        self.max_n = check_int("max_n", max_n, 0)
        self.bucket = check_int("bucket", bucket, 0)
        if self.bucket > 2**31 - 1 - count:
            raise ParameterError(f"bucket must be < 2**31 - vocabulary size, got {bucket!r}")
        self.input_matrix = np.zeros((count + self.bucket, self.vector_size), dtype=np.float32)
        self.bag_offsets, self.bag_rows = vocabulary_bags([], self.min_n, self.max_n, self.bucket)

    @classmethod
    def from_matrix(
        cls,
        keys: Sequence[str],
        input_matrix: np.ndarray,
        min_n: int,
        max_n: int,
        bucket: int,
        counts: Sequence[int] | np.ndarray | None = None,
    ) -> FastTextKeyedVectors:
        """Wrap ``input_matrix`` ((len(keys) + bucket, d) float32, kept without copying when
        C-contiguous float32): rows 0..V-1 belong to ``keys``, the rest are the n-gram buckets."""
        keys = list(keys)
        matrix = input_matrix
        if not isinstance(matrix, np.ndarray) or matrix.dtype != np.float32 or not matrix.flags.c_contiguous:
            matrix = np.ascontiguousarray(matrix, dtype=np.float32)
        if matrix.ndim != 2 or matrix.shape[0] != len(keys) + bucket or matrix.shape[1] < 1:
            raise ParameterError(
                f"input_matrix must have shape ({len(keys)} words + {bucket} buckets, d), got {matrix.shape}"
            )
        base = KeyedVectors.from_vectors(keys, np.zeros((len(keys), matrix.shape[1]), dtype=np.float32), counts)
        kv = cls(matrix.shape[1], min_n, max_n, bucket)
        kv.index_to_key, kv.key_to_index, kv.next_index = base.index_to_key, base.key_to_index, base.next_index
        kv.expandos = base.expandos
        kv.input_matrix = matrix
        kv.bag_offsets, kv.bag_rows = vocabulary_bags(keys, kv.min_n, kv.max_n, kv.bucket)
        kv._vectors = base.vectors
        kv.adjust_vectors()
        return kv

    # ------------------------------------------------------------------ storage

    @property
    def vectors_vocab(self) -> np.ndarray:
        """The vocabulary's own rows of ``input_matrix`` (a view), (V, d)."""
        return self.input_matrix[: len(self.index_to_key)]

    @vectors_vocab.setter
    def vectors_vocab(self, value: np.ndarray) -> None:
        self.vectors_vocab[...] = value
        self.adjust_vectors()

    @property
    def vectors_ngrams(self) -> np.ndarray:
        """The n-gram bucket rows of ``input_matrix`` (a view), (bucket, d)."""
        return self.input_matrix[len(self.index_to_key):]

    @vectors_ngrams.setter
    def vectors_ngrams(self, value: np.ndarray) -> None:
        self.vectors_ngrams[...] = value
        self.adjust_vectors()

    @property
    def subwords(self) -> bool:
        """Whether words have n-grams (``bucket > 0``, ``max_n > 0``, ``min_n <= max_n``)."""
        return subwords_enabled(self.min_n, self.max_n, self.bucket)

    def adjust_vectors(self) -> None:
        """Recompute ``vectors`` (each vocabulary word's bag mean) from ``input_matrix``."""
        n = len(self.index_to_key)
        if self._vectors.shape != (n, self.vector_size) or self._vectors.dtype != np.float32:
            self._vectors = np.zeros((n, self.vector_size), dtype=np.float32)
        compose_bags(self.input_matrix, self.bag_offsets, self.bag_rows, self._vectors)
        self.reset_norms()

    def ngram_rows(self, word: str) -> np.ndarray:
        """Rows (int32) of ``input_matrix`` holding the n-grams of ``word``, fastText's order."""
        return ngram_rows(word, self.min_n, self.max_n, self.bucket, len(self.index_to_key))

    def bag(self, word: str) -> np.ndarray:
        """Rows averaged for ``word``: its own row (if in the vocabulary) then its n-gram rows."""
        index = self.get_index(word, -1) if isinstance(word, str) else -1
        rows = self.ngram_rows(word) if isinstance(word, str) else np.empty(0, dtype=np.int32)
        if index >= 0:
            return np.concatenate((np.array([index], dtype=np.int32), rows))
        return rows

    def sort_by_descending_frequency(self) -> None:
        """Reorder the vocabulary by decreasing ``count`` (ties by index), moving the words' own
        rows of ``input_matrix`` with them and renumbering the bags."""
        if not len(self) or "count" not in self.expandos:
            return
        counts = np.asarray(self.expandos["count"], dtype=np.int64)
        order = np.lexsort((np.arange(len(counts)), -counts))
        n = len(self.index_to_key)
        self.input_matrix[:n] = self.input_matrix[order]
        self.index_to_key = [self.index_to_key[i] for i in order]
        self.key_to_index = {key: i for i, key in enumerate(self.index_to_key)}
        for attr in self.expandos:
            self.expandos[attr] = self.expandos[attr][order]
        self.bag_offsets, self.bag_rows = vocabulary_bags(self.index_to_key, self.min_n, self.max_n, self.bucket)
        self.adjust_vectors()

    def add_vector(self, key: str, vector: np.ndarray) -> int:
        """Not supported: a new word shifts every n-gram row; add words with
        ``FastText.build_vocab(..., update=True)``."""
        raise ParameterError("FastTextKeyedVectors cannot add words one by one (the n-gram rows follow the "
                             "vocabulary's): use FastText.build_vocab(sentences, update=True)")

    def add_vectors(self, keys: Any, weights: Any, replace: bool = False) -> None:
        """Not supported (see :meth:`add_vector`)."""
        self.add_vector(keys, weights)

    # ------------------------------------------------------------------ lookup

    def __contains__(self, key: Any) -> bool:
        """True when ``self[key]`` gives a vector: a vocabulary word or a word with n-grams."""
        if self.has_index_for(key):
            return True
        return isinstance(key, str) and self.ngram_rows(key).size > 0

    def get_vector(self, key: Any, norm: bool = False) -> np.ndarray:
        """The (d,) vector of any word: its precomputed vector when in the vocabulary, else the
        mean of its n-gram rows (unit length if ``norm``). A word with neither raises
        :class:`UnknownWordError`."""
        if self.has_index_for(key):
            return super().get_vector(key, norm=norm)
        rows = self.ngram_rows(key) if isinstance(key, str) else np.empty(0, dtype=np.int32)
        if rows.size == 0:
            reason = "subwords are off" if not self.subwords else f"it has no character n-grams of length {self.min_n}..{self.max_n}"
            raise UnknownWordError(f"word {key!r} not in vocabulary and {reason}: cannot compose a vector")
        vec = np.zeros(self.vector_size, dtype=np.float32)
        for row in rows.tolist():
            vec += self.input_matrix[row]
        vec *= np.float32(1.0) / np.float32(rows.size)
        if norm:
            length = float(np.linalg.norm(vec))
            if length > 0:
                vec /= np.float32(length)
        return vec

    word_vec = get_vector

    def __getitem__(self, key_or_keys: Any) -> np.ndarray:
        """A word -> its (d,) vector; a list of words -> their (k, d) vectors (a copy)."""
        if isinstance(key_or_keys, (str, int, np.integer)):
            return self.get_vector(key_or_keys)
        return np.stack([self.get_vector(k) for k in key_or_keys]) if len(key_or_keys) else np.zeros((0, self.vector_size), np.float32)

    # ------------------------------------------------------------------ queries with unknown words

    def _resolve(self, item: Any, norm: bool) -> Any:
        """A key outside the vocabulary becomes its composed vector (unit if ``norm``); others,
        vectors and ``(key, weight)`` pairs pass through with the same resolution."""
        if isinstance(item, tuple) and len(item) == 2:
            return (self._resolve(item[0], norm), item[1])
        if isinstance(item, str) and not self.has_index_for(item):
            return self.get_vector(item, norm=norm)
        return item

    def _resolve_all(self, items: Any, norm: bool) -> Any:
        if items is None or isinstance(items, np.ndarray):
            return items
        if isinstance(items, (str, int, np.integer)):
            items = [items]
        return [self._resolve(item, norm) for item in items]

    def get_mean_vector(self, keys: Any, weights: Any = None, pre_normalize: bool = True,
                        post_normalize: bool = False, ignore_missing: bool = True) -> np.ndarray:
        """As :meth:`KeyedVectors.get_mean_vector`, any word with n-grams counting as known."""
        if isinstance(keys, (str, int, np.integer)):
            keys = [keys]
        if not isinstance(keys, np.ndarray):
            keys = [self._resolve(k, pre_normalize) if (isinstance(k, str) and k in self) else k for k in keys]
        return super().get_mean_vector(keys, weights, pre_normalize, post_normalize, ignore_missing)

    def get_sentence_vector(self, sentence: Sequence[str] | str) -> np.ndarray:
        """Mean of the unit vectors of the words of ``sentence`` (a list of words, or a string
        split on whitespace), words without a vector skipped (gensim's and fastText's definition)."""
        words = sentence.split() if isinstance(sentence, str) else list(sentence)
        return self.get_mean_vector(words)

    def most_similar(self, positive: Any = None, negative: Any = None, topn: int | None = 10,
                     clip_start: int = 0, clip_end: int | None = None, restrict_vocab: int | None = None,
                     indexer: Any = None) -> Any:
        """As :meth:`KeyedVectors.most_similar`; unknown words enter by their composed vectors."""
        return super().most_similar(self._resolve_all(positive, True), self._resolve_all(negative, True), topn,
                                    clip_start, clip_end, restrict_vocab, indexer)

    def most_similar_cosmul(self, positive: Any = None, negative: Any = None, topn: int | None = 10,
                            restrict_vocab: int | None = None) -> Any:
        """As :meth:`KeyedVectors.most_similar_cosmul`; unknown words enter by their unit vectors."""
        return super().most_similar_cosmul(self._resolve_all(positive, True), self._resolve_all(negative, True),
                                           topn, restrict_vocab)

    def similar_by_key(self, key: Any, topn: int | None = 10, restrict_vocab: int | None = None) -> list:
        """Words nearest to ``key`` (known or not); a list of words gives a list of results."""
        if isinstance(key, (list, tuple)) and not all(self.has_index_for(k) for k in key):
            return [self.most_similar(positive=[k], topn=topn, restrict_vocab=restrict_vocab) for k in key]
        return super().similar_by_key(key, topn, restrict_vocab)

    similar_by_word = similar_by_key

    def similarity(self, w1: Any, w2: Any) -> float:
        """Cosine similarity of two words, known or not (a Python float)."""
        return float(self.get_vector(w1, norm=True) @ self.get_vector(w2, norm=True))

    def distances(self, word_or_vector: Any, other_words: Any = ()) -> np.ndarray:
        """Cosine distances ``1 - cos`` from a word (known or not) or vector to ``other_words``
        (any words; all vocabulary words if empty)."""
        query = word_or_vector
        if isinstance(word_or_vector, (str, int, np.integer)):
            query = self.get_vector(word_or_vector)
        other_words = list(other_words)
        if all(self.has_index_for(w) for w in other_words):
            return super().distances(query, other_words)
        query = np.asarray(query, dtype=np.float64)
        query = query / (np.linalg.norm(query) or 1.0)
        others = np.stack([self.get_vector(w, norm=True) for w in other_words])
        return 1 - others @ query.astype(np.float32)

    def closer_than(self, key1: Any, key2: Any) -> list:
        """All vocabulary words closer (cosine) to ``key1`` than ``key2`` is (either may be unknown)."""
        all_distances = self.distances(key1)
        threshold = 1 - self.similarity(key1, key2)
        i1 = self.get_index(key1, -1)
        closer = np.flatnonzero(all_distances < threshold)
        return [self.index_to_key[i] for i in closer if i != i1 and self.index_to_key[i] != key2]

    words_closer_than = closer_than

    # ------------------------------------------------------------------ files

    def save(self, fname: Any) -> None:
        """Save as a Facebook fastText ``.bin`` holding the vocabulary and input matrix (no output
        layer: the file can answer vector queries anywhere fastText's format is read, but cannot
        continue training). Use :meth:`wordvec.FastText.save` for a trainable model."""
        save_facebook_vectors(self, fname)

    @classmethod
    def load(cls, fname: Any, mmap: str | None = None) -> FastTextKeyedVectors:
        """Load vectors from a Facebook fastText ``.bin`` (see :func:`load_facebook_vectors`);
        ``mmap`` is accepted for the base signature and ignored (the matrix is read into memory)."""
        return load_facebook_vectors(fname)


def load_facebook_vectors(path: Any) -> FastTextKeyedVectors:
    """The vectors of a Facebook fastText ``.bin`` model (gensim's function): vectors for any word,
    composed from the stored n-gram buckets as fastText does. Bad files raise
    :class:`~wordvec.errors.ModelFileError`; quantized ``.ftz`` models are refused."""
    fb = read_facebook_bin(path)
    return FastTextKeyedVectors.from_matrix(
        fb.words, fb.input_matrix, fb.args.minn, fb.args.maxn, fb.args.bucket, counts=fb.counts,
    )
