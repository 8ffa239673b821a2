"""Forward passes of a trained word2vec model: output-word prediction and sentence scoring.

Both take the model's arrays, not the model, so any engine's weights can be used:

* :func:`predict_output_word`: the softmax over the vocabulary of the negative-sampling output
  layer given a bag of context words (gensim's ``Word2Vec.predict_output_word``).
* :func:`score_sentences`: the log-likelihood of each sentence under a hierarchical-softmax model
  (Taddy, "Document classification by inversion of distributed language representations",
  2015; gensim's ``Word2Vec.score``).
"""
from __future__ import annotations

from typing import Iterable, Sequence

import numpy as np

__all__ = ["predict_output_word", "score_sentences", "MAX_SCORED_WORDS"]

#: Known words of a sentence that are scored; the rest is ignored (gensim's MAX_SENTENCE_LEN).
MAX_SCORED_WORDS = 10000


def predict_output_word(
    vectors: np.ndarray, out_weights: np.ndarray, context: Sequence[int], cbow_mean: bool, topn: int
) -> list[tuple[int, float]]:
    """The ``topn`` most probable centre words given the context word rows ``context``.

    ``h = sum of vectors[context]`` (divided by ``len(context)`` if ``cbow_mean``); the
    probabilities are ``softmax(out_weights @ h)`` over all words (the negative-sampling output
    matrix read as a full softmax, as gensim does). Returns ``(row, probability)`` pairs, most
    probable first (ties: lower row first).
    """
    h = np.asarray(vectors[np.asarray(context, dtype=np.intp)], dtype=np.float64).sum(axis=0)
    if cbow_mean:
        h /= len(context)
    logits = np.asarray(out_weights, dtype=np.float64) @ h
    p = np.exp(logits - logits.max())
    p /= p.sum()
    topn = min(int(topn), len(p))
    best = np.argpartition(-p, topn - 1)[:topn] if topn < len(p) else np.arange(len(p))
    best = best[np.lexsort((best, -p[best]))]
    return [(int(i), float(p[i])) for i in best]


def _log_sigmoid(x: np.ndarray) -> np.ndarray:
    return -np.logaddexp(0.0, -x)


def score_sentences(
    sentences: Iterable[Sequence[int]],
    vectors: np.ndarray,
    inner: np.ndarray,
    codes: np.ndarray,
    points: np.ndarray,
    lengths: np.ndarray,
    sg: bool,
    window: int,
    cbow_mean: bool,
) -> np.ndarray:
    """Log-likelihood of each sentence (rows of known words) under hierarchical softmax, float32.

    For word ``w`` with Huffman path ``points[w, :lengths[w]]`` (rows of ``inner``) and turns
    ``codes[w, :lengths[w]]``, ``log P(w | h) = sum_b log sigma((1 - 2 code_b) inner[point_b] . h)``.
    Skip-gram sums it over every (word, context word) pair of the full window, ``h`` being the
    context word's vector; CBOW over the words, ``h`` being the sum (or mean, ``cbow_mean``) of
    the window's other vectors. No random window shrinking and no subsampling (scoring is
    deterministic). Only the first :data:`MAX_SCORED_WORDS` known words of a sentence count.

    Differences from gensim, which uses the training kernel's 1000-entry table of
    ``log sigma`` on [-6, 6] and drops every term outside it: the exact value is used here for
    every term, so scores agree with gensim's to about 1e-2 where all products lie in (-6, 6).
    """
    scores = []
    for sentence in sentences:
        ids = np.asarray(sentence, dtype=np.intp)[:MAX_SCORED_WORDS]
        total = 0.0
        n = len(ids)
        for i in range(n):
            w = ids[i]
            path = inner[points[w, : lengths[w]]].astype(np.float64)  # (L, d)
            sign = 1.0 - 2.0 * codes[w, : lengths[w]].astype(np.float64)  # (L,)
            lo, hi = max(0, i - window), min(n, i + window + 1)
            others = np.concatenate([ids[lo:i], ids[i + 1: hi]])
            ctx = vectors[others].astype(np.float64)  # (m, d)
            if sg:
                total += float(_log_sigmoid((ctx @ path.T) * sign).sum())
            else:  # a lone word has h = 0: each turn scores log(1/2), as in gensim
                h = ctx.sum(axis=0)
                if cbow_mean and len(others):
                    h /= len(others)
                total += float(_log_sigmoid((path @ h) * sign).sum())
        scores.append(total)
    return np.asarray(scores, dtype=np.float32)
