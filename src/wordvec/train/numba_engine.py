"""The numba CPU engine: word2vec with negative sampling and/or hierarchical softmax, one
batch per worker thread, each trained by :func:`.kernels.train_chunk` without the GIL
(Hogwild: threads update the shared weights without locks, as word2vec.c and gensim do)."""
from __future__ import annotations

import math
from typing import Any

import numpy as np

from ..errors import ParameterError
from ..text.vocab import Vocabulary
from . import kernels
from .engine import Engine, negative_sampling_initial_loss
from .state import Tally

#: Windows ahead whose output rows the kernels prefetch (0: none).
LOOKAHEAD = 2


def lock_factors(model: Any, rows: int) -> np.ndarray:
    """The factor on each input row's updates, from ``model.wv.vectors_lockf`` (gensim's name):
    float32 (rows,), or (0,) when every factor is 1 (the kernels then skip the multiplication).
    One value applies to every row; 0 keeps a row as it is."""
    lockf = np.asarray(getattr(model.wv, "vectors_lockf", ()), dtype=np.float32).ravel()
    if lockf.size not in (0, 1, rows):
        raise ParameterError(
            f"wv.vectors_lockf has {lockf.size} entries for {rows} words: give one per word or a single value for all",
            "vectors_lockf",
        )
    if not np.isfinite(lockf).all():
        raise ParameterError("wv.vectors_lockf holds a non-finite value", "vectors_lockf")
    if lockf.size == 0 or (lockf == 1).all():
        return np.zeros(0, dtype=np.float32)
    if lockf.size == 1:
        return np.full(rows, lockf[0], dtype=np.float32)
    return np.ascontiguousarray(lockf)


def build_tables(
    vocab: Vocabulary, hs: bool, sample: float, ns_exponent: float, lockf: np.ndarray | None = None
) -> kernels.Tables:
    """The read-only arrays of a run: subsampling thresholds, the noise alias table, the
    Huffman codes (1-wide zeros without hs), the sigmoid tables and the input rows' lock
    factors (``lockf``, see :func:`lock_factors`; None: all 1)."""
    if hs:
        codes, points, lengths = vocab.huffman()
    else:
        codes = np.zeros((len(vocab), 1), dtype=np.uint8)
        points = np.zeros((len(vocab), 1), dtype=np.int32)
        lengths = np.zeros(len(vocab), dtype=np.int32)
    threshold, alias = vocab.alias_table(ns_exponent)
    sig, logsig = kernels.sigmoid_tables()
    return kernels.Tables(
        keep=vocab.keep_thresholds(sample), alias_threshold=threshold, alias_index=alias, codes=codes,
        points=points, code_lengths=lengths, sigmoid=sig, log_sigmoid=logsig,
        lockf=np.zeros(0, dtype=np.float32) if lockf is None else lockf,
    )


def kernel_config(model: Any, lookahead: int = LOOKAHEAD) -> kernels.KernelConfig:
    """The kernels' configuration from a model's parameters."""
    return kernels.KernelConfig(
        sg=int(model.sg), window=int(model.window), negative=int(model.negative), hs=int(model.hs),
        cbow_mean=int(model.cbow_mean), shared_negatives=int(bool(model.shared_negatives)), lookahead=int(lookahead),
        shrink_windows=int(bool(getattr(model, "shrink_windows", True))),
    )


def ensure_rng_states(model: Any, streams: int) -> np.ndarray:
    """The model's per-thread random states (uint64 (streams, 1)), extended from its seed if
    it has fewer (a model trained with fewer workers)."""
    states = model.rng_states
    if states.shape[0] < streams:
        extra = [kernels.rng_state(model.seed, i) for i in range(states.shape[0], streams)]
        model.rng_states = states = np.concatenate([states.reshape(-1, 1), np.stack(extra)])
    return states


def initial_loss(model: Any, tables: kernels.Tables) -> float:
    """Loss per example of untrained weights: (K+1) ln 2 for negative sampling plus the mean
    Huffman code length x ln 2 for hierarchical softmax."""
    loss = negative_sampling_initial_loss(model.negative) if model.negative else 0.0
    if model.hs:
        counts = model.vocab.counts.astype(np.float64)
        loss += float((tables.code_lengths * counts).sum() / max(counts.sum(), 1.0)) * math.log(2.0)
    return loss


def tally_of(stats: np.ndarray) -> Tally:
    """The :class:`Tally` of a kernel's stats array (float64 (N_STATS,))."""
    return Tally(loss=float(stats[kernels.LOSS]), examples=float(stats[kernels.EXAMPLES]),
                 trained_words=int(stats[kernels.TRAINED_WORDS]))


class NumbaEngine(Engine):
    """Trains a Word2Vec-like model (``wv.vectors``, ``syn1neg``, ``syn1``, its vocabulary and
    parameters) on ``model.workers`` threads; ``bags`` (:class:`.kernels.Bags`) makes each
    word's input the mean of its bag of rows of ``w_in`` (subword models), None one row per word.
    ``shard``: the rank of a distributed run, whose jobs then draw their own random numbers
    (:func:`.kernels.job_rng_state`)."""

    def __init__(self, model: Any, bags: kernels.Bags | None = None, w_in: np.ndarray | None = None,
                 shard: int = 0) -> None:
        self.model = model
        self.shard = int(shard)
        self.workers = int(model.workers)
        w_in = model.wv.vectors if w_in is None else w_in
        lockf = lock_factors(model, len(w_in))
        self.tables = build_tables(model.vocab, bool(model.hs), model.sample, model.ns_exponent, lockf)
        self.cfg = kernel_config(model)
        self.bags = bags
        self.w = kernels.Weights(w_in, model.syn1neg, model.syn1)
        self.rng = ensure_rng_states(model, self.workers)
        self.skip_loss = None if model.compute_loss else True

    def train(self, batch: Any, alpha0: float, alpha1: float, worker: int) -> Tally:
        stats = np.zeros(kernels.N_STATS, dtype=np.float64)
        kernels.train_chunk(
            batch.ids, batch.offsets, self.w, self.tables, self.cfg, alpha0, alpha1, self.rng[worker], stats, self.bags, self.skip_loss
        )
        return tally_of(stats)

    def seed_job(self, worker: int, epoch: int, position: int) -> None:
        self.rng[worker][0] = kernels.job_rng_state(self.model.seed, epoch, position, self.shard)

    def weights(self) -> dict[str, np.ndarray]:
        return {k: v for k, v in zip(("w_in", "w_ns", "w_hs"), self.w) if v.shape[0]}

    def initial_loss(self) -> float:
        return initial_loss(self.model, self.tables)
