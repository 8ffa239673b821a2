"""The engine interface: what trains a model's weights on batches, and the registry that picks
an engine for a model.

The driver (:mod:`.driver`) owns the run: it cuts the corpus into jobs, hands each job's batch
to ``Engine.train`` on one of ``Engine.workers`` threads with the learning rates at the batch's
start and end, adds the returned :class:`~.state.Tally` up, and around each epoch calls
``begin_epoch`` / ``end_epoch``. An engine owns how: the numba kernels (:mod:`.numba_engine`),
the exact softmax in BLAS batches (:mod:`.softmax_engine`), PyTorch (:mod:`.torch_engine`).
A new engine subclasses :class:`Engine` and is registered with :func:`register_engine`.
"""
from __future__ import annotations

import math
from abc import ABC, abstractmethod
from typing import Any, Callable

import numpy as np

from .state import RunState, Tally


class Engine(ABC):
    """Trains weights on batches: ``train(batch, alpha0, alpha1, worker)`` with the rate decaying
    linearly from alpha0 to alpha1 over the batch, returning its loss, examples and trained
    words. Called concurrently from ``workers`` threads (worker = 0 .. workers - 1)."""

    #: Batches trained at once (the driver's worker threads).
    workers: int = 1

    @abstractmethod
    def train(self, batch: Any, alpha0: float, alpha1: float, worker: int) -> Tally:
        """Train one batch; mutates the weights."""

    @abstractmethod
    def weights(self) -> dict[str, np.ndarray]:
        """The trained matrices by name, as the host arrays the model holds (current after
        ``end_epoch``)."""

    @abstractmethod
    def initial_loss(self) -> float:
        """The loss per example of untrained weights (about (K+1) ln 2 for negative sampling,
        ln V for the softmax): an epoch's mean loss far above it means divergence."""

    def seed_job(self, worker: int, epoch: int, position: int) -> None:
        """Called on worker thread ``worker`` before it trains the job at ``position`` of epoch
        ``epoch`` (counted over the model's life): engines that draw random numbers start the
        job from a state that depends on these alone (:func:`.kernels.job_rng_state`), not on
        the thread; the default draws nothing."""

    def begin_epoch(self, state: RunState) -> None:
        """Called before an epoch's first batch (also when resuming mid-epoch) with the run's
        state (its learning rates, epoch and position)."""

    def end_epoch(self) -> None:
        """Called after an epoch's last batch (or when stopped): make ``weights()`` current."""

    def tensors(self) -> dict[str, Any] | None:
        """The trained matrices as torch tensors sharing memory with what trains (for
        distributed averaging), or None when ``weights()`` is that memory."""
        return None

    def close(self) -> None:
        """Release threads or device memory at the end of the run."""


EngineFactory = Callable[[Any], Engine]
_REGISTRY: list[tuple[str, Callable[[Any], bool], EngineFactory]] = []


def register_engine(name: str, applies: Callable[[Any], bool], factory: EngineFactory) -> None:
    """Make ``factory(model)`` the engine of the models for which ``applies(model)``; engines
    registered later take precedence."""
    _REGISTRY.insert(0, (name, applies, factory))


def engine_for(model: Any) -> Engine:
    """The engine registered for ``model`` (see :func:`register_engine`)."""
    for _name, applies, factory in _REGISTRY:
        if applies(model):
            return factory(model)
    raise LookupError(f"no training engine for {model!r}")


def engine_names() -> list[str]:
    return [name for name, _a, _f in _REGISTRY]


def negative_sampling_initial_loss(negative: int) -> float:
    """-log sigma(0) for the word and each of K noise words: (K + 1) ln 2."""
    return (negative + 1) * math.log(2.0)
