"""Word vectors keyed by word: lookup, similarity queries, analogies, evaluation, files.

:class:`KeyedVectors` keeps gensim 4's names and semantics (``index_to_key``, ``key_to_index``,
``vectors``, ``most_similar`` with 3CosAdd, ``most_similar_cosmul`` with 3CosMul, ...), so code
written for ``gensim.models.KeyedVectors`` works after changing the import. Differences are
deliberate and listed in the method docstrings (errors are :mod:`wordvec.errors` types, unknown
words raise :class:`UnknownWordError`, scalar results are Python floats, several queries can be
answered with one matrix product).

Unit vectors are computed once (under a lock, so concurrent queries are safe) and kept until
:meth:`KeyedVectors.reset_norms` or a new ``vectors`` array drops them. Queries never modify the
object, so any number of threads may query one instance at the same time.
"""
from __future__ import annotations

import itertools
import logging
import os
import threading
from numbers import Integral
from typing import Any, Callable, Iterable, Sequence

import numpy as np

from ..errors import EmptyInputError, ParameterError, UnknownWordError, VectorFormatError
from ..validation import check_int

logger = logging.getLogger(__name__)

__all__ = ["KeyedVectors", "UnknownWordError", "REAL", "pseudorandom_weak_vector"]

#: gensim's name for the vectors' default dtype.
REAL = np.float32
_KEY_TYPES = (str, int, np.integer)
_WEAK_PRNG = np.random.default_rng()
_COSMUL_EPSILON = 1e-6
_NORM_CHUNK_ROWS = 1 << 16


def _ensure_list(value: Any) -> list:
    """Wrap a single key or vector in a list; a 2-D array becomes a list of its rows (as gensim)."""
    if value is None:
        return []
    if isinstance(value, _KEY_TYPES) or (isinstance(value, np.ndarray) and value.ndim == 1):
        return [value]
    if isinstance(value, np.ndarray) and value.ndim == 2:
        return list(value)
    return list(value)


def _unitvec(vec: np.ndarray) -> np.ndarray:
    """``vec / ||vec||_2`` as float32; a zero vector stays zero."""
    vec = np.asarray(vec, dtype=np.float64)
    norm = np.sqrt(vec @ vec) if vec.size else 0.0
    return (vec / norm if norm > 0 else vec).astype(np.float32)


def _top_k(scores: np.ndarray, k: int) -> np.ndarray:
    from .topk import top_k  # numba: imported on first query only

    return top_k(scores, k)


def _unit_rows(rows: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """(float64 L2 norms, float32 rows / norms) of a (k, d) block; zero rows stay zero."""
    norms = np.sqrt(np.einsum("ij,ij->i", rows, rows, dtype=np.float64))
    return norms, (rows / np.where(norms > 0, norms, 1)[:, None]).astype(np.float32)


def pseudorandom_weak_vector(size: int, seed_string: str | None = None, hashfxn: Any = hash) -> np.ndarray:
    """A (size,) float32 vector uniform in [-0.5 / size, 0.5 / size): small random initial weights
    (gensim's helper of the same name, same values). With ``seed_string`` it is a function of
    ``hashfxn(seed_string)`` (Python's ``hash`` of a str changes between runs unless
    PYTHONHASHSEED is set); without, it draws from a module-wide generator."""
    size = check_int("size", size, 1)
    rng = np.random.Generator(np.random.SFC64(hashfxn(seed_string) & 0xFFFFFFFF)) if seed_string else _WEAK_PRNG
    return (rng.random(size).astype(np.float32) - 0.5) / size


class KeyedVectors:
    """A vocabulary (``index_to_key``, ``key_to_index``) and one vector per word (``vectors``).

    ``vectors`` is a ``(len(self), vector_size)`` array (float32 unless ``dtype`` says otherwise),
    row ``i`` belonging to ``index_to_key[i]``. Index order is frequency order for vectors built by
    training or loaded from word2vec files, which is what ``restrict_vocab`` arguments rely on.
    Per-word attributes such as ``count`` live in ``expandos`` and are reached through
    :meth:`get_vecattr` / :meth:`set_vecattr`. A model trained with hierarchical softmax sets
    ``huffman_paths`` (a callable returning its tree's (codes, points, lengths) tables), through
    which ``get_vecattr(word, 'code')`` and ``'point'`` answer as gensim's per-word attributes.

    ``KeyedVectors(vector_size, count)`` preallocates ``count`` empty slots that :meth:`add_vector`
    fills in order, as in gensim; most code builds instances with :meth:`from_vectors` or a loader.
    """

    def __init__(self, vector_size: int, count: int = 0, dtype: Any = np.float32) -> None:
        self.vector_size = check_int("vector_size", vector_size, 1)
        count = check_int("count", count, 0)
        self.index_to_key: list = [None] * count
        self.key_to_index: dict = {}
        self.next_index = 0
        self.expandos: dict[str, np.ndarray] = {}
        self._lock = threading.Lock()
        self._vectors = np.zeros((count, self.vector_size), dtype=dtype)
        self._norms: np.ndarray | None = None
        self._normed: np.ndarray | None = None
        self.vectors_lockf = np.ones(1, dtype=np.float32)
        self.huffman_paths: Callable[[], tuple[np.ndarray, np.ndarray, np.ndarray]] | None = None
        self._paths: tuple[np.ndarray, np.ndarray, np.ndarray] | None = None

    @classmethod
    def from_vectors(
        cls, keys: Sequence[str], vectors: np.ndarray, counts: Sequence[int] | np.ndarray | None = None
    ) -> KeyedVectors:
        """Wrap ``vectors`` ((n, d) array) with the words ``keys`` (n distinct strings).

        A float32 C-contiguous array is kept as it is, not copied: whoever holds it (the trainer)
        may keep updating it in place and then call :meth:`reset_norms`. Other arrays are
        converted to float32. ``counts`` (n non-negative integers) become the ``count`` attribute.
        """
        if not isinstance(vectors, np.ndarray) or vectors.dtype != np.float32 or not vectors.flags.c_contiguous:
            vectors = np.ascontiguousarray(vectors, dtype=np.float32)
        return cls._from_parts(keys, vectors, counts)

    @classmethod
    def _from_parts(cls, keys: Sequence[str], vectors: np.ndarray, counts: Any) -> KeyedVectors:
        """Like :meth:`from_vectors` but keeps ``vectors`` whatever its (floating) dtype."""
        if vectors.ndim != 2 or vectors.shape[1] < 1:
            raise ParameterError(f"vectors must be a 2-D array (n_words, vector_size >= 1), got shape {vectors.shape}")
        keys = list(keys)
        if len(keys) != vectors.shape[0]:
            raise ParameterError(f"got {len(keys)} keys for {vectors.shape[0]} vectors")
        key_to_index: dict[str, int] = {}
        for i, key in enumerate(keys):
            if not isinstance(key, str):
                raise ParameterError(f"keys must be strings, got {key!r} at position {i}")
            if key_to_index.setdefault(key, i) != i:
                raise ParameterError(f"duplicate key {key!r} at positions {key_to_index[key]} and {i}")
        kv = cls(vectors.shape[1])
        kv.index_to_key = keys
        kv.key_to_index = key_to_index
        kv.next_index = len(keys)
        kv._vectors = vectors
        if counts is not None:
            counts = np.asarray(counts)
            if counts.shape != (len(keys),) or not np.issubdtype(counts.dtype, np.integer) or (counts < 0).any():
                raise ParameterError(f"counts must be {len(keys)} non-negative integers, got shape {counts.shape}")
            kv.expandos["count"] = counts.astype(np.int64)
        return kv

    # ------------------------------------------------------------------ storage and vocabulary

    @property
    def vectors(self) -> np.ndarray:
        """The (n, vector_size) matrix; assigning a new one drops the cached unit vectors."""
        return self._vectors

    @vectors.setter
    def vectors(self, value: np.ndarray) -> None:
        self._vectors = value
        self.reset_norms()

    @property
    def norms(self) -> np.ndarray | None:
        """L2 norm of each row of ``vectors`` once :meth:`fill_norms` ran, else None."""
        return self._norms

    @norms.setter
    def norms(self, value: None) -> None:
        if value is not None:
            raise ParameterError("norms can only be reset (set to None); they are computed by fill_norms()")
        self.reset_norms()

    def reset_norms(self) -> None:
        """Forget the cached norms and unit vectors (call after changing ``vectors`` in place)."""
        with self._lock:
            self._norms = None
            self._normed = None

    def fill_norms(self, force: bool = False) -> None:
        """Compute ``norms`` and the unit vectors ``vectors / norms`` once (again if ``force``).

        Computed in float64 (no overflow for huge values), stored as float32. Zero rows keep a zero unit vector (their cosine with anything is 0, not NaN).
        """
        with self._lock:
            if self._normed is None or force:
                self._compute_norms()

    def _compute_norms(self) -> np.ndarray:
        """Fill ``_norms`` and ``_normed`` from ``_vectors``; the caller holds the lock."""
        vectors = self._vectors
        norms = np.empty(len(vectors), dtype=np.float64)
        normed = np.empty(vectors.shape, dtype=np.float32)
        for start in range(0, len(vectors), _NORM_CHUNK_ROWS):  # float64 per chunk, not per matrix
            stop = start + _NORM_CHUNK_ROWS
            norms[start:stop], normed[start:stop] = _unit_rows(vectors[start:stop])
        normed.setflags(write=False)
        norms = norms.astype(vectors.dtype)
        self._norms = norms
        self._normed = normed
        return normed

    def get_normed_vectors(self) -> np.ndarray:
        """All vectors scaled to unit L2 length, (n, vector_size) float32, read-only (cached).

        Computed and returned under the lock, so a concurrent :meth:`reset_norms` (the end of
        ``train()``, :meth:`add_vector`) never makes it return None."""
        with self._lock:
            return self._normed if self._normed is not None else self._compute_norms()

    def unit_normalize_all(self) -> None:
        """Scale every row of ``vectors`` to unit length in place (training cannot sensibly go on)."""
        self._vectors[...] = self.get_normed_vectors()
        self.reset_norms()

    def init_sims(self, replace: bool = False) -> None:
        """Deprecated gensim spelling of :meth:`fill_norms` (``replace`` normalizes in place)."""
        self.fill_norms()
        if replace:
            self.unit_normalize_all()

    def __len__(self) -> int:
        return len(self.index_to_key)

    def __str__(self) -> str:
        return f"{type(self).__name__}<vector_size={self.vector_size}, {len(self)} keys>"

    __repr__ = __str__

    def __getstate__(self) -> dict:
        state = self.__dict__.copy()
        state.pop("_lock")
        state["_norms"] = state["_normed"] = None
        return state

    def __setstate__(self, state: dict) -> None:
        self.__dict__.update(state)
        self._lock = threading.Lock()

    def get_index(self, key: Any, default: int | None = None) -> int:
        """Row of ``key``; an int in range is taken as a row itself (as gensim).

        Raises :class:`UnknownWordError` ("word 'xyz' not in vocabulary") unless ``default`` is given.
        """
        if isinstance(key, _KEY_TYPES):
            val = self.key_to_index.get(key, -1)
            if val >= 0:
                return val
            if isinstance(key, (int, np.integer)) and not isinstance(key, bool) and 0 <= key < len(self.index_to_key):
                return int(key)
        if default is not None:
            return default
        raise UnknownWordError(f"word {key!r} not in vocabulary")

    def has_index_for(self, key: Any) -> bool:
        """True when :meth:`get_index` would find ``key``."""
        return self.get_index(key, -1) >= 0

    def __contains__(self, key: Any) -> bool:
        return self.has_index_for(key)

    def get_vector(self, key: Any, norm: bool = False) -> np.ndarray:
        """The (vector_size,) vector of ``key`` (unit length if ``norm``), a read-only view."""
        index = self.get_index(key)
        result = self.get_normed_vectors()[index] if norm else self._vectors[index]
        result = result.view()
        result.setflags(write=False)
        return result

    word_vec = get_vector

    def __getitem__(self, key_or_keys: Any) -> np.ndarray:
        """A word -> its (d,) vector; a list of words -> their (k, d) vectors (a copy)."""
        if isinstance(key_or_keys, _KEY_TYPES):
            return self.get_vector(key_or_keys)
        indices = [self.get_index(key) for key in key_or_keys]
        return self._vectors[np.asarray(indices, dtype=np.intp)]

    def allocate_vecattrs(self, attrs: Iterable[str] | None = None, types: Iterable[Any] | None = None) -> None:
        """Make the per-word attribute arrays (``expandos``) as long as ``index_to_key``."""
        if attrs is None:
            attrs = list(self.expandos)
            types = [self.expandos[a].dtype for a in attrs]
        size = len(self.index_to_key)
        for attr, t in zip(attrs, types):
            t = np.int64 if t is int else (object if t is str else t)
            old = self.expandos.get(attr)
            if old is None:
                self.expandos[attr] = np.zeros(size, dtype=t)
            elif len(old) != size:
                new = np.zeros(size, dtype=old.dtype)
                n = min(len(old), size)
                new[:n] = old[:n]
                self.expandos[attr] = new

    def set_vecattr(self, key: Any, attr: str, val: Any) -> None:
        """Store ``val`` as attribute ``attr`` (for example ``'count'``) of ``key``."""
        self.allocate_vecattrs([attr], [type(val)])
        self.expandos[attr][self.get_index(key)] = val

    def get_vecattr(self, key: Any, attr: str) -> Any:
        """Attribute ``attr`` of ``key``; KeyError names the attribute when none is stored.

        ``'code'`` (uint8 turns, root first) and ``'point'`` (int32 rows of the model's ``syn1``
        visited) of a hierarchical-softmax model are gensim's per-word Huffman attributes, read
        from the tree's tables (built on the first such lookup, kept while this object lives)
        instead of two arrays stored per word."""
        index = self.get_index(key)
        if attr not in self.expandos and attr in ("code", "point") and self.huffman_paths is not None:
            if self._paths is None:
                self._paths = self.huffman_paths()
            codes, points, lengths = self._paths
            if index < len(lengths):
                table = codes if attr == "code" else points
                return table[index, : lengths[index]].copy()
        if attr not in self.expandos:
            raise KeyError(f"no attribute {attr!r} is stored (have: {sorted(self.expandos)})")
        return self.expandos[attr][index]

    def add_vector(self, key: str, vector: np.ndarray) -> int:
        """Put ``key`` in the next preallocated slot (or append it); return its index."""
        target = self.next_index
        if target >= len(self) or self.index_to_key[target] is not None:
            target = len(self)
            self.add_vectors([key], np.asarray(vector).reshape(1, -1))
            self.next_index = target + 1
            return target
        if not isinstance(key, str):
            raise ParameterError(f"keys must be strings, got {key!r}")
        self.index_to_key[target] = key
        self.key_to_index[key] = target
        self._vectors[target] = vector
        self.next_index += 1
        self.reset_norms()
        return target

    def add_vectors(self, keys: Any, weights: Any, replace: bool = False) -> None:
        """Append new keys with their vectors (k, vector_size); keys already present keep their
        vector unless ``replace``. Appending reallocates ``vectors``."""
        if isinstance(keys, _KEY_TYPES):
            keys = [keys]
            weights = np.asarray(weights).reshape(1, -1)
        keys = list(keys)
        weights = np.asarray(weights, dtype=self._vectors.dtype)
        if weights.ndim != 2 or weights.shape != (len(keys), self.vector_size):
            raise ParameterError(
                f"weights must have shape ({len(keys)}, {self.vector_size}), got {weights.shape}"
            )
        new_rows: list[int] = []
        old_rows: list[int] = []
        old_indices: list[int] = []
        for j, key in enumerate(keys):
            if not isinstance(key, str):
                raise ParameterError(f"keys must be strings, got {key!r}")
            i = self.key_to_index.get(key)
            if i is None:
                self.key_to_index[key] = len(self.index_to_key)
                self.index_to_key.append(key)
                new_rows.append(j)
            elif replace:
                old_rows.append(j)
                old_indices.append(i)
        if new_rows:
            self._vectors = np.concatenate([self._vectors, weights[new_rows]])
            self.allocate_vecattrs()
        if old_rows:
            self._vectors[old_indices] = weights[old_rows]
        self.reset_norms()

    def __setitem__(self, keys: Any, weights: Any) -> None:
        """``kv[key] = vector`` / ``kv[keys] = vectors``: add or replace."""
        if not isinstance(keys, list):
            keys = [keys]
            weights = np.asarray(weights).reshape(1, -1)
        self.add_vectors(keys, weights, replace=True)

    def sort_by_descending_frequency(self) -> None:
        """Reorder words (and vectors, attributes) by decreasing ``count``, ties by decreasing
        index (gensim 4's order)."""
        if not len(self):
            return
        counts = np.asarray(self.expandos["count"], dtype=np.int64)
        order = np.lexsort((-np.arange(len(counts)), -counts))
        self.index_to_key = [self.index_to_key[i] for i in order]
        for attr in self.expandos:
            self.expandos[attr] = self.expandos[attr][order]
        if len(self._vectors):
            self._vectors = self._vectors[order]
        self.key_to_index = {key: i for i, key in enumerate(self.index_to_key)}
        self.reset_norms()

    # ------------------------------------------------------------------ similarity queries

    def get_mean_vector(
        self,
        keys: Any,
        weights: Any = None,
        pre_normalize: bool = True,
        post_normalize: bool = False,
        ignore_missing: bool = True,
    ) -> np.ndarray:
        """Weighted mean ``sum_i w_i v_i / sum_i |w_i|`` of the keys' vectors (unit vectors if
        ``pre_normalize``; arrays given among ``keys`` are used as they are), optionally scaled to
        unit length. Float32 (vector_size,)."""
        keys = _ensure_list(keys)
        if len(keys) == 0:
            raise ParameterError("cannot compute a mean vector of no keys")
        weights = np.ones(len(keys)) if weights is None else np.asarray(weights, dtype=np.float64)
        if weights.shape != (len(keys),):
            raise ParameterError(f"got {weights.shape[0] if weights.ndim else 1} weights for {len(keys)} keys")
        mean = np.zeros(self.vector_size, dtype=np.float64)
        total = 0.0
        for key, w in zip(keys, weights):
            if isinstance(key, np.ndarray):
                vec = key
            elif self.has_index_for(key):
                vec = self.get_vector(key, norm=pre_normalize)
            elif ignore_missing:
                continue
            else:
                raise UnknownWordError(f"word {key!r} not in vocabulary")
            if np.shape(vec) != (self.vector_size,):
                raise ParameterError(f"query vectors must have shape ({self.vector_size},), got {np.shape(vec)}")
            mean += w * vec
            total += abs(w)
        if total > 0:
            mean /= total
        return _unitvec(mean) if post_normalize else mean.astype(np.float32)

    def _clip(self, restrict_vocab: int | None, clip_start: int = 0, clip_end: int | None = None) -> tuple[int, int]:
        if restrict_vocab:
            return 0, int(restrict_vocab)
        return int(clip_start), len(self._vectors) if clip_end is None else int(clip_end)

    def _cosines(self, queries: np.ndarray, start: int, end: int) -> np.ndarray:
        """(q, end - start) products of query rows with the unit vectors of rows start:end."""
        return np.asarray(queries, dtype=np.float32) @ self.get_normed_vectors()[start:end].T

    def _top(
        self,
        queries: np.ndarray,
        excludes: Sequence[Sequence[int]],
        topn: int | None,
        start: int,
        end: int,
    ) -> list:
        """For each unit query row: the ``topn`` (word, cosine) pairs over rows start:end, skipping
        the rows in its exclude list, best first (ties: lower row first); all cosines if not topn.
        One matrix product for all queries."""
        sims = self._cosines(queries, start, end)
        if not topn:
            return list(sims)
        results = []
        for row, exclude, best in zip(sims, excludes, _top_k(sims, topn + max(map(len, excludes), default=0))):
            results.append(
                [(self.index_to_key[i + start], float(row[i])) for i in best.tolist() if (i + start) not in exclude][:topn]
            )
        return results

    def _weighted_keys(self, positive: Any, negative: Any) -> tuple[list, np.ndarray]:
        positive = _ensure_list(positive)
        negative = _ensure_list(negative)
        weight = np.concatenate((np.ones(len(positive)), -np.ones(len(negative))))
        keys = []
        for i, item in enumerate(positive + negative):
            if isinstance(item, (str, int, np.integer, np.ndarray)):
                keys.append(item)
            else:
                keys.append(item[0])
                weight[i] = item[1]
        return keys, weight

    def most_similar(
        self,
        positive: Any = None,
        negative: Any = None,
        topn: int | None = 10,
        clip_start: int = 0,
        clip_end: int | None = None,
        restrict_vocab: int | None = None,
        indexer: Any = None,
    ) -> list[tuple[str, float]] | np.ndarray:
        """The ``topn`` words nearest (cosine) to the 3CosAdd query, best first.

        The query is the unit-length weighted mean of the unit vectors of ``positive`` (weight +1)
        and ``negative`` (weight -1) words, or of vectors given directly; ``(word, weight)`` pairs
        set other weights. Input words are not returned. ``restrict_vocab=k`` searches the first
        k words only. ``topn=None`` returns the cosines with every word (float32 array).
        Unknown words raise :class:`UnknownWordError`.
        """
        if isinstance(topn, Integral) and topn < 1:
            return []
        keys, weight = self._weighted_keys(positive, negative)
        mean = self.get_mean_vector(keys, weight, pre_normalize=True, post_normalize=True, ignore_missing=False)
        if indexer is not None and isinstance(topn, int):
            return indexer.most_similar(mean, topn)
        exclude = [self.get_index(k) for k in keys if isinstance(k, _KEY_TYPES)]
        start, end = self._clip(restrict_vocab, clip_start, clip_end)
        return self._top(mean[None, :], [exclude], topn, start, end)[0]

    def similar_by_key(self, key: Any, topn: int | None = 10, restrict_vocab: int | None = None) -> list:
        """Words nearest to ``key``; a list of words gives a list of results (one matrix product)."""
        if isinstance(key, (list, tuple)):
            indices = [self.get_index(k) for k in key]
            start, end = self._clip(restrict_vocab)
            return self._top(self.get_normed_vectors()[indices], [[i] for i in indices], topn, start, end)
        return self.most_similar(positive=[key], topn=topn, restrict_vocab=restrict_vocab)

    similar_by_word = similar_by_key

    def similar_by_vector(self, vector: np.ndarray, topn: int | None = 10, restrict_vocab: int | None = None) -> list:
        """Words nearest (cosine) to ``vector``; a 2-D array of query rows gives one result list per
        row, all computed with one matrix product."""
        vector = np.asarray(vector)
        if vector.ndim == 2:
            if vector.shape[1] != self.vector_size:
                raise ParameterError(f"query vectors must have {self.vector_size} columns, got {vector.shape}")
            if isinstance(topn, Integral) and topn < 1:
                return [[] for _ in range(len(vector))]
            norms = np.linalg.norm(vector, axis=1, keepdims=True)
            queries = vector / np.where(norms > 0, norms, 1)
            start, end = self._clip(restrict_vocab)
            return self._top(queries, [[]] * len(vector), topn, start, end)
        return self.most_similar(positive=[vector], topn=topn, restrict_vocab=restrict_vocab)

    def most_similar_cosmul(
        self,
        positive: Any = None,
        negative: Any = None,
        topn: int | None = 10,
        restrict_vocab: int | None = None,
    ) -> list[tuple[str, float]] | np.ndarray:
        """The ``topn`` words maximizing 3CosMul (Levy & Goldberg 2014, eq. 4)::

            prod_{p in positive} (1 + cos(w, p)) / 2  /  (prod_{n in negative} (1 + cos(w, n)) / 2 + 1e-6)

        Vectors given directly are used as they are (pass unit vectors), as in gensim. Unlike
        gensim 4.4, ``restrict_vocab`` is honoured.
        """
        if isinstance(topn, Integral) and topn < 1:
            return []
        positive = _ensure_list(positive)
        negative = _ensure_list(negative)
        if not positive:
            raise ParameterError("cannot compute similarity with no positive input")
        exclude = {self.get_index(w) for w in positive + negative if isinstance(w, _KEY_TYPES)}
        terms = np.stack([
            self.get_vector(w, norm=True) if isinstance(w, _KEY_TYPES) else np.asarray(w, dtype=np.float32)
            for w in positive + negative
        ])
        start, end = self._clip(restrict_vocab)
        shifted = (1 + self._cosines(terms, start, end)) / 2  # (n_terms, n_words)
        dists = np.prod(shifted[: len(positive)], axis=0) / (np.prod(shifted[len(positive):], axis=0) + _COSMUL_EPSILON)
        if not topn:
            return dists
        best = _top_k(dists[None, :], topn + len(exclude))[0]
        return [(self.index_to_key[i + start], float(dists[i])) for i in best.tolist() if (i + start) not in exclude][:topn]

    @staticmethod
    def cosine_similarities(vector_1: np.ndarray, vectors_all: np.ndarray) -> np.ndarray:
        """Cosine of ``vector_1`` (d,) with each row of ``vectors_all`` (n, d) -> (n,)."""
        norm = np.linalg.norm(vector_1)
        all_norms = np.linalg.norm(vectors_all, axis=1)
        return (vectors_all @ vector_1) / (norm * all_norms)

    def distances(self, word_or_vector: Any, other_words: Iterable[Any] = ()) -> np.ndarray:
        """Cosine distances ``1 - cos`` from a word or vector to ``other_words`` (all words if empty)."""
        query = self.get_vector(word_or_vector) if isinstance(word_or_vector, _KEY_TYPES) else word_or_vector
        normed = self.get_normed_vectors()
        other_words = list(other_words)
        if other_words:
            normed = normed[[self.get_index(w) for w in other_words]]
        return 1 - normed @ _unitvec(query)

    def distance(self, w1: Any, w2: Any) -> float:
        """Cosine distance ``1 - similarity(w1, w2)``."""
        return 1 - self.similarity(w1, w2)

    def similarity(self, w1: Any, w2: Any) -> float:
        """Cosine similarity of two words (a Python float)."""
        normed = self.get_normed_vectors()
        return float(normed[self.get_index(w1)] @ normed[self.get_index(w2)])

    def n_similarity(self, ws1: Sequence[Any], ws2: Sequence[Any]) -> float:
        """Cosine of the means of two word lists' raw vectors.

        Unknown words are skipped, as gensim does (a list with no known word has a zero mean and
        similarity 0.0; an info line names the skipped words). An empty list raises
        :class:`~wordvec.errors.EmptyInputError` (also a ``ZeroDivisionError``, gensim's type).
        For two single words the result equals :meth:`similarity` exactly.
        """
        if not (len(ws1) and len(ws2)):
            raise EmptyInputError("n_similarity needs two non-empty word lists")
        missing = [w for w in itertools.chain(ws1, ws2) if not isinstance(w, np.ndarray) and not self.has_index_for(w)]
        if missing:
            logger.info("n_similarity: skipping %d words not in the vocabulary: %s", len(missing), missing[:10])
        means = np.stack([self.get_mean_vector(ws, pre_normalize=False) for ws in (ws1, ws2)])
        unit = _unit_rows(means)[1]
        return float(unit[0] @ unit[1])

    def wmdistance(self, document1: Sequence[str], document2: Sequence[str], norm: bool = True) -> float:
        """Word Mover's Distance between two token lists (Kusner et al., 2015).

        Each document is the histogram of its known words (frequency / length); moving one unit
        of mass from word i to word j costs the Euclidean distance of their vectors (unit vectors
        if ``norm``). The result is the cheapest transport, solved exactly by
        :func:`wordvec.vectors.transport.emd`. As gensim: unknown words are dropped (logged),
        a document left empty gives ``inf``, two documents made of the same single word give
        0.0. Unlike gensim, identical vectors everywhere give 0.0 (gensim returns ``inf``).
        """
        from scipy.spatial.distance import cdist

        from .transport import emd

        docs = []
        for doc in (document1, document2):
            if isinstance(doc, (str, bytes)):
                raise ParameterError("wmdistance needs token lists, got a string (split it into words first)")
            known = [w for w in doc if self.has_index_for(w)]
            if len(known) < len(doc):
                logger.info("wmdistance: dropped %d out-of-vocabulary tokens", len(doc) - len(known))
            docs.append(known)
        if not docs[0] or not docs[1]:
            logger.warning("wmdistance: at least one of the documents has no word in the vocabulary")
            return float("inf")
        hists = []
        for doc in docs:
            words, counts = np.unique(np.array([self.get_index(w) for w in doc]), return_counts=True)
            hists.append((words, counts / len(doc)))
        (w1, a), (w2, b) = hists
        if len(w1) == len(w2) == 1 and w1[0] == w2[0]:
            return 0.0
        source = self.get_normed_vectors() if norm else self._vectors
        cost = cdist(np.asarray(source[w1], dtype=np.float64), np.asarray(source[w2], dtype=np.float64))
        return emd(a, b, cost)

    def relative_cosine_similarity(self, wa: Any, wb: Any, topn: int = 10) -> float:
        """``similarity(wa, wb) / sum of the cosines of wa's topn nearest words`` (Leeuwenberg et
        al., 2016, eq. 1); above 1 / topn, wb is closer to wa than an average top-n neighbour."""
        sims = self.similar_by_word(wa, topn)
        if not sims:
            raise ParameterError("cannot compute a relative cosine similarity without any similar words (topn >= 1)")
        return self.similarity(wa, wb) / sum(sim for _, sim in sims)

    def vectors_for_all(self, keys: Iterable[Any], allow_inference: bool = True, copy_vecattrs: bool = False) -> KeyedVectors:
        """A new :class:`KeyedVectors` with the known ``keys`` (each once, in the order given) and
        copies of their vectors (same dtype); with ``copy_vecattrs`` their per-word attributes
        (``count``, ...) too, else made-up counts ``n - index`` as gensim. Unknown keys are skipped (``allow_inference`` has no effect: plain
        word2vec vectors cannot be inferred for unknown words)."""
        rows, seen = [], set()
        for key in keys:
            if key not in seen:
                seen.add(key)
                i = self.key_to_index.get(key, -1)
                if i >= 0:
                    rows.append(i)
        rows = np.asarray(rows, dtype=np.intp)
        made_up = np.arange(len(rows), 0, -1, dtype=np.int64)  # as load_word2vec_format (and gensim)
        kv = type(self)._from_parts([self.index_to_key[i] for i in rows], self._vectors[rows], made_up)
        if copy_vecattrs:
            for attr, values in self.expandos.items():
                kv.expandos[attr] = np.asarray(values)[rows]
        return kv

    def intersect_word2vec_format(
        self,
        fname: Any,
        lockf: float = 0.0,
        binary: bool = False,
        encoding: str = "utf8",
        unicode_errors: str = "strict",
    ) -> int:
        """Copy in the vectors of a C word2vec file for the words already in the vocabulary
        (others are ignored; no word is added) and set their ``vectors_lockf`` entries to ``lockf``.

        ``vectors_lockf`` scales each word's learning rate in later training (0.0: the vector
        stays as loaded, 1.0: trains normally); a length-1 ``vectors_lockf`` is first expanded
        to one entry per word. Returns the number of words merged (gensim returns None).
        """
        from ..formats import word2vec as io

        keys, vectors = io.read_word2vec(fname, binary=binary, unicode_errors=unicode_errors, encoding=encoding)
        if vectors.shape[1] != self.vector_size:
            raise ParameterError(
                f"incompatible vector size {vectors.shape[1]} in file {os.fspath(fname)} (these vectors have {self.vector_size})"
            )
        lockf_all = np.asarray(self.vectors_lockf, dtype=np.float32).ravel()
        if len(lockf_all) != len(self):
            lockf_all = np.full(len(self), lockf_all[0] if len(lockf_all) else 1.0, dtype=np.float32)
        mine, theirs = [], []
        for j, key in enumerate(keys):
            i = self.key_to_index.get(key, -1)
            if i >= 0:
                mine.append(i)
                theirs.append(j)
        self._vectors[mine] = vectors[theirs]
        lockf_all[mine] = lockf
        self.vectors_lockf = lockf_all
        self.reset_norms()
        logger.info("merged %d vectors into a %s matrix from %s", len(mine), self._vectors.shape, os.fspath(fname))
        return len(mine)

    def rank_by_centrality(self, words: Sequence[str], use_norm: bool = True) -> list[tuple[float, str]]:
        """``(cosine to the centroid, word)`` for the known ``words``, most central first."""
        used = [w for w in words if w in self]
        if len(used) != len(words):
            logger.warning("vectors for words %s are not present in the model, ignoring these words",
                           set(words) - set(used))
        if not used:
            raise ParameterError("cannot select a word from an empty list (no word is in the vocabulary)")
        vectors = np.vstack([self.get_vector(w, norm=use_norm) for w in used]).astype(np.float32)
        mean = self.get_mean_vector(vectors, post_normalize=True)
        dists = vectors @ mean
        return sorted(zip(dists.tolist(), used), reverse=True)

    def doesnt_match(self, words: Sequence[str]) -> str:
        """The word farthest (cosine) from the mean of the unit vectors of ``words``."""
        return self.rank_by_centrality(words)[-1][1]

    def most_similar_to_given(self, key1: Any, keys_list: Sequence[Any]) -> Any:
        """The key in ``keys_list`` most similar to ``key1``."""
        return keys_list[int(np.argmax([self.similarity(key1, key) for key in keys_list]))]

    def closer_than(self, key1: Any, key2: Any) -> list:
        """All words closer (cosine) to ``key1`` than ``key2`` is."""
        all_distances = self.distances(key1)
        i1, i2 = self.get_index(key1), self.get_index(key2)
        closer = np.flatnonzero(all_distances < all_distances[i2])
        return [self.index_to_key[i] for i in closer if i != i1]

    words_closer_than = closer_than

    def rank(self, key1: Any, key2: Any) -> int:
        """1 + the number of words closer to ``key1`` than ``key2``."""
        return len(self.closer_than(key1, key2)) + 1

    # ------------------------------------------------------------------ evaluation

    def evaluate_word_analogies(
        self,
        analogies: Any = None,
        restrict_vocab: int = 300000,
        case_insensitive: bool = True,
        dummy4unknown: bool = False,
        similarity_function: str = "most_similar",
    ) -> tuple[float, list[dict]]:
        """gensim's ``(accuracy, sections)`` on analogy questions (default: the bundled Google
        questions-words); :func:`wordvec.evaluation.score_word_analogies` also reports the number
        of questions skipped for unknown words."""
        from .evaluation import score_word_analogies

        result = score_word_analogies(
            self, analogies, restrict_vocab=restrict_vocab, case_insensitive=case_insensitive,
            dummy4unknown=dummy4unknown, similarity_function=similarity_function,
        )
        return result.accuracy, result.sections

    def evaluate_word_pairs(
        self,
        pairs: Any = None,
        delimiter: str = "\t",
        encoding: str = "utf8",
        restrict_vocab: int = 300000,
        case_insensitive: bool = True,
        dummy4unknown: bool = False,
    ) -> tuple[Any, Any, float]:
        """(pearson, spearman, oov_ratio %) against human similarity judgements (default: the bundled
        WordSim-353); see :func:`wordvec.evaluation.evaluate_word_pairs`."""
        from .evaluation import evaluate_word_pairs

        return evaluate_word_pairs(
            self, pairs, delimiter=delimiter, encoding=encoding, restrict_vocab=restrict_vocab,
            case_insensitive=case_insensitive, dummy4unknown=dummy4unknown,
        )

    # ------------------------------------------------------------------ files

    def save_word2vec_format(
        self,
        fname: Any,
        fvocab: Any = None,
        binary: bool = False,
        total_vec: int | None = None,
        write_header: bool = True,
        prefix: str = "",
        append: bool = False,
        sort_attr: str = "count",
        force: bool | None = None,
    ) -> None:
        """Write the C word2vec text or binary format (see :func:`wordvec.formats.word2vec.write_word2vec`);
        the arguments are gensim's, in gensim's order.

        Words are written by decreasing ``sort_attr`` when that attribute is stored (stable, as
        gensim), else in index order, each preceded by ``prefix``. ``fvocab`` also writes
        ``word count`` lines (C ``-save-vocab``). ``total_vec`` puts a larger count in the header
        and ``append=True`` adds to an existing file, to write one file in parts (gensim's
        Doc2Vec layout): the file is complete once the parts hold ``total_vec`` vectors.
        ``force`` replaces read-only files (see :mod:`wordvec.formats.outputs`).
        """
        from ..formats import word2vec as io

        if not isinstance(prefix, str):
            raise ParameterError(f"prefix must be a string, got {prefix!r}", "prefix")
        if sort_attr in self.expandos:
            values = np.asarray(self.expandos[sort_attr])
            order = np.argsort(-values, kind="stable")
        else:
            if fvocab is not None:
                raise ParameterError(f"cannot write a vocabulary file: no {sort_attr!r} attribute is stored")
            order = np.arange(len(self))
        keys = [prefix + self.index_to_key[i] for i in order]
        vectors = self._vectors if np.array_equal(order, np.arange(len(order))) else self._vectors[order]
        if fvocab is not None:
            from ..formats.outputs import check_outputs

            check_outputs({"vectors file": fname, "vocabulary file": fvocab}, force=force)
        io.write_word2vec(fname, keys, vectors, binary=binary, write_header=write_header, header_count=total_vec,
                          append=append, force=force)
        if fvocab is not None:
            io.write_vocab(fvocab, keys, np.asarray(self.expandos[sort_attr])[order], force=force)

    @classmethod
    def load_word2vec_format(
        cls,
        fname: Any,
        fvocab: Any = None,
        binary: bool = False,
        encoding: str = "utf8",
        unicode_errors: str = "strict",
        limit: int | None = None,
        datatype: Any = np.float32,
        no_header: bool = False,
    ) -> KeyedVectors:
        """Read a C word2vec text or binary file (see :func:`wordvec.io.read_word2vec`).

        Words get the made-up counts ``n - index`` (the format stores none) unless ``fvocab`` names
        a ``word count`` file. Malformed files raise :class:`~wordvec.errors.VectorFormatError`.
        """
        from ..formats import word2vec as io

        keys, vectors = io.read_word2vec(
            fname, binary=binary, limit=limit, unicode_errors=unicode_errors, no_header=no_header,
            encoding=encoding,
        )
        n = len(keys)
        if fvocab is not None:
            vocab = io.read_vocab(fvocab, unicode_errors=unicode_errors)
            counts = np.array([vocab.get(k, 0) for k in keys], dtype=np.int64)
        else:
            counts = np.arange(n, 0, -1, dtype=np.int64)
        kv = cls.from_vectors(keys, vectors, counts=counts)
        if np.dtype(datatype) != np.float32:
            with np.errstate(over="ignore", invalid="ignore"):
                converted = kv._vectors.astype(datatype)
            finite = np.isfinite(converted).all(axis=1)
            if not finite.all():
                i = int(np.flatnonzero(~finite)[0])
                raise VectorFormatError(
                    f"{os.fspath(fname)}: the vector of {keys[i]!r} does not fit in datatype "
                    f"{np.dtype(datatype).name} (largest magnitude {float(np.abs(vectors[i]).max()):.4g}); "
                    "use float32"
                )
            kv._vectors = converted
        return kv

    def save(self, fname: Any, force: bool | None = None) -> None:
        """Save in wordvec's native format (JSON metadata + .npy matrix, no pickle); see
        :func:`wordvec.io.save_native`. ``force`` replaces read-only files (see
        :mod:`wordvec.formats.outputs`)."""
        from ..formats import word2vec as io

        io.save_native(fname, self, force=force)

    @classmethod
    def load(cls, fname: Any, mmap: str | None = None) -> KeyedVectors:
        """Load a file written by :meth:`save`, or by gensim 4's ``KeyedVectors.save`` /
        ``Word2Vec.save`` (the model's ``wv``); ``mmap='r'`` memory-maps the matrix read-only.

        gensim's files are pickles: they are read by :func:`wordvec.formats.gensim_pickle.read_gensim`,
        which runs no code from the file, and keep gensim's vectors, word order and per-word
        attributes (``count``, ``sample_int``, ...) and ``vectors_lockf``.
        """
        from ..formats import gensim_pickle
        from ..formats import word2vec as io

        if gensim_pickle.is_pickle_file(fname):
            return cls.from_gensim(gensim_pickle.read_gensim(fname, mmap=mmap))
        keys, vectors, counts = io.load_native(fname, mmap=mmap)
        return cls._from_parts(keys, vectors, counts)

    @classmethod
    def from_gensim(cls, model: Any) -> KeyedVectors:
        """Word vectors of a :class:`wordvec.formats.gensim_pickle.GensimModel` (as read from a
        gensim file): same keys in the same order, same vectors (dtype kept), every numeric
        per-word attribute, and ``vectors_lockf`` when it is not the all-ones default."""
        kv = cls._from_parts(model.keys, model.vectors, None)
        for attr, values in model.expandos.items():
            if values.dtype.kind != "O":  # gensim's hierarchical-softmax paths are rebuilt by training
                kv.expandos[attr] = np.asarray(values)
        lockf = model.vectors_lockf
        if lockf is not None and not (lockf == 1).all():
            kv.vectors_lockf = np.asarray(lockf, dtype=np.float32)
        return kv
