"""A Word2Vec from what a gensim 4 ``save()`` file holds (read without running code by
:mod:`wordvec.formats.gensim_pickle`): the same words, counts, vectors, output weights and, for
hierarchical softmax, gensim's own Huffman tree, so that training continues where gensim stopped."""
from __future__ import annotations

import logging
from typing import Any

import numpy as np

from ..errors import ModelFileError, NotAModelError, ParameterError
from ..text.vocab import Vocabulary
from ..train import kernels
from ..vectors.keyedvectors import KeyedVectors

logger = logging.getLogger(__name__)


def gensim_paths(codes: Any, points: Any, n: int) -> tuple[np.ndarray, np.ndarray, np.ndarray] | None:
    """gensim's per-word Huffman paths (object arrays of code / point arrays) as the kernels'
    (codes uint8 (n, L), points int32 (n, L), lengths int32 (n,)); None when absent or unusable."""
    if codes is None or points is None or len(codes) != n or len(points) != n or n < 2:
        return None
    lengths = np.array([len(c) for c in codes], dtype=np.int32)
    if (lengths != np.array([len(q) for q in points])).any() or (lengths < 1).any():
        return None
    out_codes = np.zeros((n, lengths.max()), dtype=np.uint8)
    out_points = np.zeros((n, lengths.max()), dtype=np.int32)
    for i in range(n):
        out_codes[i, : lengths[i]] = codes[i]
        out_points[i, : lengths[i]] = points[i]
    if out_codes.max() > 1 or out_points.max() > n - 2 or out_points.min() < 0:
        return None
    return out_codes, out_points, lengths


def imported_output(m: np.ndarray | None, rows: int, d: int, used: bool, name: str) -> np.ndarray:
    """An imported output matrix as float32 (rows, d) in writable memory (zeros when the file has none)."""
    out = np.empty((rows if used else 0, d), dtype=np.float32)
    out.fill(0.0)
    if used and m is not None and len(m):
        if m.shape != (rows, d):
            raise ModelFileError(f"the gensim model's {name} has shape {m.shape}, expected {(rows, d)}")
        out[...] = m
    return out


def word2vec_from_gensim(cls: Any, g: Any) -> Any:
    """An instance of ``cls`` (Word2Vec) from a :class:`~wordvec.formats.gensim_pickle.GensimModel`
    (see ``Word2Vec.from_gensim``)."""
    if g.kind != "Word2Vec":
        raise NotAModelError("the file holds gensim KeyedVectors (word vectors only): load it with KeyedVectors.load")
    p = dict(g.params)
    names = ("vector_size", "window", "min_count", "max_vocab_size", "max_final_vocab", "sample", "sg", "hs",
             "negative", "ns_exponent", "cbow_mean", "alpha", "min_alpha", "epochs", "workers", "seed",
             "sorted_vocab", "null_word", "shrink_windows", "batch_words", "compute_loss", "comment")
    kwargs = {k: p[k] for k in names if p.get(k) is not None}
    kwargs["vector_size"] = g.vectors.shape[1]
    kwargs["compute_loss"] = True
    try:
        model = cls(**kwargs)
    except ParameterError as e:
        raise ModelFileError(f"the gensim model's parameters are not usable here: {e}") from None
    counts = g.counts if g.counts is not None else np.arange(len(g.keys), 0, -1, dtype=np.int64)
    paths = None
    if model.hs:
        paths = gensim_paths(g.expandos.get("code"), g.expandos.get("point"), len(g.keys))
    vocab = Vocabulary(
        words=list(g.keys), counts=counts, raw_word_count=int(p.get("corpus_total_words") or counts.sum()),
        n_sentences=int(p.get("corpus_count") or 0), paths=paths, tree="gensim",
    )
    n, d = g.vectors.shape
    model.check_memory(n)
    model.wv = KeyedVectors.from_gensim(g)
    if model.wv.vectors.dtype != np.float32:
        model.wv.vectors = np.ascontiguousarray(model.wv.vectors, dtype=np.float32)
    vocab.words, vocab.key_to_index = model.wv.index_to_key, model.wv.key_to_index
    model.vocab = vocab
    model.share_paths()
    model.syn1neg = imported_output(g.syn1neg, n, d, bool(model.negative), "syn1neg")
    syn1 = g.syn1
    if syn1 is not None and len(syn1) == n - 1:  # the inner nodes only: add the unused last row
        syn1 = np.concatenate([syn1, np.zeros((1, d), dtype=syn1.dtype)])
    model.syn1 = imported_output(syn1, n, d, bool(model.hs), "syn1")
    model.rng_states = np.stack([kernels.rng_state(model.seed, i) for i in range(max(model.workers, 1))])
    model.corpus_count = vocab.n_sentences
    model.corpus_total_words = vocab.raw_word_count
    model.scan_words = vocab.total_words
    model.min_alpha_yet_reached = float(p.get("min_alpha_yet_reached") or model.alpha)
    model.epochs_trained = int(p.get("train_count") or 0) * model.epochs
    logger.info("imported gensim %s Word2Vec: %d words, vector_size %d", g.gensim_version or "4.x", n, d)
    return model
