"""GloVe on the shared driver: the job source (slices of the shuffled co-occurrence entries) and
the engine (AdaGrad kernels of :mod:`.kernels.glove` on the driver's worker threads, Hogwild).

An epoch is one pass over every non-zero entry of X, in an order shuffled once per run from the
seed (glove.c shuffles once too, with its ``shuffle`` tool, and passes over that order each
iteration). A job is a slice of JOB_ENTRIES entries; its ``units`` and ``raw`` count entries,
so the progress bar counts entries and the driver's schedule (kept constant: AdaGrad adapts the
step) hands every job the same learning rate. The loss is the mean cost per entry,
0.5 f(x) (w_i . w~_j + b_i + b~_j - log x)^2: the figure glove.c prints each iteration.
"""
from __future__ import annotations

from typing import Any, Iterator, NamedTuple

import numpy as np

from .engine import Engine
from .kernels.glove import adagrad_entries, entry_terms, shuffle_entries
from .state import Tally

#: Entries per job: small enough for the progress bar and a prompt stop, large enough that the
#: Python around each kernel call costs nothing.
JOB_ENTRIES = 1 << 18


class Entries(NamedTuple):
    """Training entries in their shuffled order: rows, cols (int32), log x and f(x) (dtype)."""

    rows: np.ndarray
    cols: np.ndarray
    log_x: np.ndarray
    f_x: np.ndarray

    @classmethod
    def build(cls, rows: np.ndarray, cols: np.ndarray, values: np.ndarray, x_max: float, alpha: float,
              dtype: Any, seed: int) -> "Entries":
        """Entries of X (all non-zeros, copied) shuffled by ``seed``."""
        rows = np.array(rows, dtype=np.int32)
        cols = np.array(cols, dtype=np.int32)
        log_x, f_x = entry_terms(values, x_max, alpha, dtype)
        shuffle_entries(rows, cols, log_x, f_x, seed)
        return cls(rows, cols, log_x, f_x)

    def __len__(self) -> int:
        return int(self.rows.shape[0])


class EntrySlice(NamedTuple):
    """Job and batch: entries start .. stop - 1."""

    start: int
    stop: int

    @property
    def units(self) -> int:
        return self.stop - self.start

    @property
    def raw(self) -> int:
        return self.stop - self.start


class EntryJobs:
    """Job source over ``n`` entries: position p is the p-th slice of ``job_entries``."""

    def __init__(self, n: int, job_entries: int | None = None) -> None:
        self.n = int(n)
        self.job_entries = int(JOB_ENTRIES if job_entries is None else job_entries)
        self.path = None

    def jobs(self, position: int) -> Iterator[tuple[EntrySlice, int]]:
        for p, start in enumerate(range(position * self.job_entries, self.n, self.job_entries), position):
            yield EntrySlice(start, min(self.n, start + self.job_entries)), p + 1

    def encode(self, job: EntrySlice) -> EntrySlice:
        return job


class GloVeEngine(Engine):
    """Trains ``params`` (2, V, d + 1) with AdaGrad sums ``gradsq`` on ``entries`` from
    ``workers`` threads; ``on_epoch_end`` is called after each epoch (the model refreshes its
    word vectors W + W~ there)."""

    def __init__(self, params: np.ndarray, gradsq: np.ndarray, entries: Entries, grad_clip: float, workers: int,
                 on_epoch_end: Any = None) -> None:
        self.params = params
        self.gradsq = gradsq
        self.entries = entries
        self.grad_clip = params.dtype.type(grad_clip)
        self.workers = int(workers)
        self.on_epoch_end = on_epoch_end
        self._initial = None

    def train(self, batch: EntrySlice, alpha0: float, alpha1: float, worker: int) -> Tally:
        e = self.entries
        cost = adagrad_entries(
            e.rows, e.cols, e.log_x, e.f_x, batch.start, batch.stop, self.params, self.gradsq,
            self.params.dtype.type(alpha0), self.grad_clip,
        )
        return Tally(loss=float(cost), examples=float(batch.units), trained_words=batch.units)

    def weights(self) -> dict[str, np.ndarray]:
        return {"params": self.params}

    def initial_loss(self) -> float:
        """Mean cost of near-zero weights: mean 0.5 f(x) (log x)^2."""
        if self._initial is None:
            e = self.entries
            self._initial = float(np.mean(0.5 * e.f_x.astype(np.float64) * e.log_x.astype(np.float64) ** 2)) if len(e) else 0.0
        return self._initial

    def end_epoch(self) -> None:
        if self.on_epoch_end is not None:
            self.on_epoch_end()
