"""The subword engine: the numba engine for models whose inputs are bags of rows (FastText).

A model plugs in by having ``subword_bags()`` (a :class:`.kernels.Bags`, or None for one row per
word) and ``wv.input_matrix`` (the rows the bags point into). Skip-gram runs fastText's
orientation with :func:`.kernels.train_chunk_center_bags` (the center's bag gathered once per
window and followed by its gain, :func:`with_gains`), CBOW with
:func:`.kernels.train_chunk_context_bags` (each position's bag gathered once and followed by its
gain); with ``model.per_pair_updates`` both in fastText's order (skip-gram per pair, CBOW the
word2vec kernel over the bags). Without bags the model is plain word2vec and runs the word2vec
kernel as it is. After every epoch the model's composed word vectors are recomputed
(``wv.adjust_vectors()``), so callbacks and checkpoints see current vectors.
"""
from __future__ import annotations

from typing import Any

import numpy as np

from . import kernels
from .numba_engine import NumbaEngine, tally_of
from .state import Tally


class SubwordEngine(NumbaEngine):
    """:class:`.numba_engine.NumbaEngine` over the model's bags of rows (see the module docstring)."""

    def __init__(self, model: Any) -> None:
        super().__init__(model, bags=model.subword_bags(), w_in=model.wv.input_matrix)
        self.per_pair = int(bool(model.per_pair_updates))
        self.center_bags = self.bags is not None and bool(model.sg)
        self.context_bags = self.bags is not None and not model.sg and not self.per_pair
        if self.center_bags or self.context_bags:
            self.bags = with_gains(self.bags, self.tables.lockf)

    def train(self, batch: Any, alpha0: float, alpha1: float, worker: int) -> Tally:
        stats = np.zeros(kernels.N_STATS, dtype=np.float64)
        if self.center_bags:
            kernels.train_chunk_center_bags(
                batch.ids, batch.offsets, self.w, self.tables, self.cfg, alpha0, alpha1, self.rng[worker], stats,
                self.bags, self.per_pair, self.skip_loss,
            )
        elif self.context_bags:
            kernels.train_chunk_context_bags(
                batch.ids, batch.offsets, self.w, self.tables, self.cfg, alpha0, alpha1, self.rng[worker], stats,
                self.bags, self.skip_loss,
            )
        else:
            return super().train(batch, alpha0, alpha1, worker)
        return tally_of(stats)

    def end_epoch(self) -> None:
        super().end_epoch()
        self.model.wv.adjust_vectors()


def with_gains(bags: kernels.Bags, lockf: np.ndarray) -> kernels.Bags:
    """``bags`` with their gains: when every row r of word w's bag receives lockf[r] * dx (once
    per position it holds in the bag), the bag's mean moves by gain_w * dx with
    gain_w = (1/n_w) * sum over the n_w positions of m_w(r) * lockf[r], m_w(r) being how many
    positions of the bag hold r (fastText repeats an n-gram that occurs twice in a word).
    float32 (V,); ``lockf`` empty means all 1."""
    sizes = np.diff(bags.offsets)
    owner = np.repeat(np.arange(len(sizes), dtype=np.int64), sizes)
    key = owner * (int(bags.rows.max(initial=0)) + 1) + bags.rows
    _, where, counts = np.unique(key, return_inverse=True, return_counts=True)
    weight = counts[where].astype(np.float64)
    if lockf.shape[0]:
        weight *= lockf[bags.rows]
    gain = np.bincount(owner, weights=weight, minlength=len(sizes)) / np.maximum(sizes, 1)
    return kernels.Bags(bags.offsets, bags.rows, gain.astype(np.float32))


def uses_subword_engine(model: Any) -> bool:
    """Whether ``model`` trains on this engine (it exposes its bags of rows)."""
    return callable(getattr(model, "subword_bags", None))
