"""The exact-softmax engine: J = -log softmax(U h)[o] over the whole vocabulary, in
mini-batches of windows whose products are BLAS calls (threaded, GIL released).

A batch holds at most SOFTMAX_WINDOWS windows and SOFTMAX_STEP / alpha (input, target) pairs,
laid out as rows by :func:`.kernels.softmax_rows`: logits = H U^T, then G U and G^T H as BLAS
products; the row-wise softmax, loss and G by :func:`.kernels.softmax_gradient`, the batch's
rows shared among ``workers`` threads. Every update of a batch is computed before any is
applied, so a word frequent in the batch gets the sum of many gradients at once, where
sequential SGD would have seen its prediction saturate after a few. Two limits keep that sum
near what sequential SGD would do: alpha x pairs <= SOFTMAX_STEP (on SST, batches with alpha x
pairs around 150 diverged: window 10 at alpha 0.025, window 5 at 0.05), and no word is the input
or the target of more than ROW_STEP / alpha of a batch's pairs (:func:`.kernels.batch_end`):
without it a word that fills a stretch of text (Brown's formula placeholder "af" in enmix)
diverged CBOW at alpha 0.05 and 0.025 alike, since a batch of 100 / alpha pairs gives such a
word the same alpha x count at any alpha (docs/benchmarks.md).
"""
from __future__ import annotations

import math
from typing import Any

import numpy as np

from ..pool import ThreadMap
from . import kernels
from .engine import Engine
from .numba_engine import build_tables, ensure_rng_states, kernel_config, lock_factors
from .state import RunState, Tally

SOFTMAX_STEP = 100.0
SOFTMAX_WINDOWS = 1024
#: No word is the input or the target of more than ROW_STEP / alpha of a batch's pairs.
ROW_STEP = 1.0


class SoftmaxEngine(Engine):
    """Trains ``wv.vectors`` and ``syn1_softmax`` of a model with ``softmax=True``; one batch at
    a time (the driver's single worker), its products and softmax rows on ``model.workers``
    threads."""

    workers = 1

    def __init__(self, model: Any) -> None:
        self.model = model
        self.tables = build_tables(
            model.vocab, False, model.sample, model.ns_exponent, lock_factors(model, len(model.wv.vectors))
        )
        self.cfg = kernel_config(model)
        self.rng = ensure_rng_states(model, 1)
        V, d = model.syn1_softmax.shape
        B = SOFTMAX_WINDOWS
        self.H = np.empty((B, d), dtype=np.float32)
        self.P = np.empty((B, V), dtype=np.float32)
        self.dH = np.empty((B, d), dtype=np.float32)
        self.dU = np.empty((V, d), dtype=np.float32)
        self.in_uses = np.zeros(V, dtype=np.int32)
        self.out_uses = np.zeros(V, dtype=np.int32)
        self.row_max = np.empty(B, dtype=np.float32)
        self.in_off = np.empty(B + 1, dtype=np.int64)
        self.tg_off = np.empty(B + 1, dtype=np.int64)
        self.inputs = np.empty(B * 2 * model.window, dtype=np.int32)
        self.targets = np.empty_like(self.inputs)
        self.threads = max(1, min(int(model.workers), B))
        self.pool = ThreadMap(self.threads, name="wordvec-softmax")
        self.max_pairs = 1
        self.max_uses = 1

    def seed_job(self, worker: int, epoch: int, position: int) -> None:
        self.rng[0][0] = kernels.job_rng_state(self.model.seed, epoch, position)

    def begin_epoch(self, state: RunState) -> None:
        self.max_pairs = max(1, int(SOFTMAX_STEP / max(state.alpha0, 1e-9)))
        self.max_uses = max(1, int(ROW_STEP / max(state.alpha0, 1e-9)))

    def _gradient(self, rows: tuple[int, int], p: np.ndarray, alpha: float) -> float:
        return kernels.softmax_gradient(p, self.row_max, self.tg_off, self.targets, rows[0], rows[1], alpha)

    def train(self, batch: Any, alpha0: float, alpha1: float, worker: int) -> Tally:
        model = self.model
        U = model.syn1_softmax
        w_in = model.wv.vectors
        sg = bool(model.sg)
        mean = bool(model.cbow_mean)
        B = SOFTMAX_WINDOWS
        n_threads = self.threads
        centers, ctx_off, contexts = kernels.softmax_examples(batch.ids, batch.offsets, self.tables, self.cfg, self.rng[0])
        n = len(centers)
        loss = 0.0
        e1 = 0
        # Overflow shows as a non-finite loss, reported by the driver as divergence.
        with np.errstate(over="ignore", invalid="ignore"):
            while e1 < n:
                e0 = e1
                e1 = int(np.searchsorted(ctx_off, ctx_off[e0] + self.max_pairs, side="right")) - 1
                e1 = min(n, e0 + B, max(e1, e0 + 1))
                e1 = kernels.batch_end(sg, centers, ctx_off, contexts, e0, e1, self.max_uses, self.in_uses, self.out_uses)
                alpha = alpha0 + (alpha1 - alpha0) * (e0 / max(n, 1))
                r = kernels.softmax_rows(sg, centers, ctx_off, contexts, e0, e1, self.in_off, self.inputs, self.tg_off, self.targets)
                h, p, dh = self.H[:r], self.P[:r], self.dH[:r]
                kernels.gather_hidden(w_in, mean, self.in_off, self.inputs, r, h)
                np.dot(h, U.T, out=p)  # logits (r, V)
                np.max(p, axis=1, out=self.row_max[:r])
                bounds = [r * t // n_threads for t in range(n_threads + 1)]
                loss += sum(self.pool.map(self._gradient, zip(bounds[:-1], bounds[1:]), [p] * n_threads, [alpha] * n_threads))
                np.dot(p, U, out=dh)  # (r, d)
                np.dot(p.T, h, out=self.dU)  # (V, d)
                U -= self.dU
                kernels.scatter_hidden(w_in, self.in_off, self.inputs, r, dh, self.tables.lockf)
                if not math.isfinite(loss):
                    break
        return Tally(loss=loss, examples=float(ctx_off[-1] if sg else n), trained_words=n)

    def weights(self) -> dict[str, np.ndarray]:
        return {"w_in": self.model.wv.vectors, "w_sm": self.model.syn1_softmax}

    def initial_loss(self) -> float:
        return math.log(max(len(self.model.vocab), 2))

    def close(self) -> None:
        self.pool.close()
