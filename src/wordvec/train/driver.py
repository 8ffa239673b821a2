"""The training driver: one run of any model on any engine.

It owns what every run shares: the epoch loop, the linear learning-rate schedule over epochs x
units (in-vocabulary words for word2vec) plus the run's closing units (fastText's run length: a
stretch read from the corpus's start after the last epoch's pass), the worker threads that train
the jobs of a job source on an engine (:mod:`.engine`), the progress bar, callbacks (called on
the calling thread), the loss history, divergence checks, the summary, and stop signals: Ctrl-C, SIGTERM or
SIGHUP finish the jobs in flight, save a resumable checkpoint if asked, and raise
:class:`~wordvec.errors.TrainingInterrupted`; a second signal stops at once.

The model is any object with the public fields ``loss_history``, ``epochs_trained``,
``running_training_loss`` (the loss summed over the current run's epochs so far, gensim's
contract), ``training_summary``, ``pending_run`` (the run's
:class:`~.state.RunState` while it is not finished), a ``save(path)`` method and ``wv`` (whose
``reset_norms()`` is called after training).
"""
from __future__ import annotations

import logging
import math
import threading
import time
from typing import Any, Callable, Sequence

import numpy as np

from ..errors import CorpusError, TrainingError, TrainingInterrupted
from ..pool import WorkerPool
from .engine import Engine
from .interrupts import DeferredInterrupt
from .jobs import SYNC
from .progress import Progress
from .state import RunState, Tally

logger = logging.getLogger(__name__)

CALLBACK_EVENTS = ("on_train_begin", "on_epoch_begin", "on_epoch_end", "on_train_end")
#: An epoch whose mean loss exceeds DIVERGED_LOSS x the loss of untrained weights diverged.
DIVERGED_LOSS = 4.0
#: Weights whose largest magnitude exceeds this diverged (trained vectors stay within about 10).
DIVERGED_WEIGHT = 1e4


def notify(callbacks: Sequence[Any], event: str, model: Any) -> None:
    """Call ``event`` (one of CALLBACK_EVENTS) on every callback that defines it, on this thread."""
    for cb in callbacks:
        method = getattr(cb, event, None)
        if method is not None:
            method(model)


class Driver:
    """Runs ``state`` of ``model`` to its end (or to a stop signal).

    ``source`` gives the jobs (see :mod:`.jobs`); ``units_per_epoch`` is what the schedule
    decays over per epoch; ``raw_per_epoch`` sizes the progress bar. The schedule decays over
    ``epochs x units_per_epoch + state.closing_units``: after the last epoch's pass the jobs are
    read again from the corpus's start (pass after pass if need be) until the closing units
    have been trained, as part of the last epoch (its loss, callbacks and checkpoints); the job
    that crosses the end is cut (``batch.head(units)``) and later ones are skipped. fastText runs
    so: its epochs count every token read (words under min_count and line ends too) while its
    progress counts in-vocabulary ones. Distributed training
    passes ``sync`` (called where the source yields SYNC and at each epoch's end, with no job
    in flight) and ``combine`` (turns this process's epoch tally into the job's)."""

    def __init__(
        self,
        model: Any,
        engine: Engine,
        source: Any,
        state: RunState,
        units_per_epoch: int,
        raw_per_epoch: int = 0,
        callbacks: Sequence[Any] = (),
        progress: bool = False,
        checkpoint: Any = None,
        sync: Callable[[], None] | None = None,
        combine: Callable[[Tally], Tally] | None = None,
    ) -> None:
        self.model = model
        self.engine = engine
        self.source = source
        self.state = state
        self.units_per_epoch = max(1, int(units_per_epoch))
        self.total_units = state.epochs * self.units_per_epoch + state.closing_units
        self.callbacks = tuple(callbacks)
        self.checkpoint = checkpoint
        self.sync = sync
        self.combine = combine
        self.interrupt = DeferredInterrupt()
        self.lock = threading.Lock()
        self.diverging = threading.Event()
        self.progress = None
        if progress:
            per_epoch = max(int(raw_per_epoch), 1)
            closing = state.closing_units * per_epoch // self.units_per_epoch
            self.progress = Progress(state.epochs, per_epoch, state.epoch * per_epoch + state.partial.raw_words, closing)

    # -------------------------------------------------------------- the run
    def run(self, begin: bool) -> Tally:
        """Train the remaining epochs; returns this call's tally (raw, words, trained)."""
        model, state = self.model, self.state
        model.pending_run = state
        span = Tally()
        before = Tally()
        before.add(state.totals)
        before.add(state.partial)
        if begin:
            model.running_training_loss = 0.0
            notify(self.callbacks, "on_train_begin", model)
        t0 = time.perf_counter()
        if self.progress is not None:
            self.progress.epoch(state.epoch)
        self.interrupt.__enter__()  # a signal between epochs also stops at the next epoch's start
        try:
            while state.epoch < state.epochs:
                if state.position == 0 and not state.closing:
                    state.done = state.epoch * self.units_per_epoch
                    state.partial = Tally()
                    notify(self.callbacks, "on_epoch_begin", model)
                try:
                    self.interrupt.check()
                    self.engine.begin_epoch(state)
                    try:
                        if not state.closing:
                            self._feed()
                            self.interrupt.check()
                        if state.epoch == state.epochs - 1 and state.closing_units and not self.diverging.is_set():
                            self._train_closing()
                            self.interrupt.check()
                        if self.sync is not None:
                            self.sync()
                    finally:
                        self.engine.end_epoch()
                except KeyboardInterrupt:
                    self._stopped()
                self._end_epoch()
                notify(self.callbacks, "on_epoch_end", model)
        except Exception:
            model.pending_run = None  # a failed run cannot be resumed
            raise
        finally:
            self.interrupt.__exit__()
            self.engine.close()
            if self.progress is not None:
                self.progress.close()
            model.wv.reset_norms()
        seconds = time.perf_counter() - t0
        totals = state.totals
        span.raw_words = totals.raw_words - before.raw_words
        span.words = totals.words - before.words
        span.trained_words = totals.trained_words - before.trained_words
        model.pending_run = None
        model.training_summary = {
            "epochs": state.epochs,
            "raw_words": totals.raw_words,
            "words": totals.words,
            "trained_words": totals.trained_words,
            "span_raw_words": span.raw_words,
            "seconds": seconds,
            "words_per_sec": span.raw_words / seconds if seconds > 0 else float("inf"),
            "final_loss": model.loss_history[-1] if model.loss_history else float("nan"),
            "workers": getattr(model, "workers", self.engine.workers),
        }
        notify(self.callbacks, "on_train_end", model)
        return span

    def _stopped(self) -> None:
        """A stop signal arrived: save the checkpoint and raise TrainingInterrupted."""
        state = self.state
        if self.interrupt.hard:
            self.model.pending_run = None
            raise KeyboardInterrupt("training stopped at once by a second interrupt: no checkpoint") from None
        if self.checkpoint is not None:
            self.model.save(self.checkpoint)
        raise TrainingInterrupted(self.checkpoint, state.epoch, state.epochs, self.interrupt.signum or 2) from None

    # -------------------------------------------------------------- one epoch
    def _feed(self, until: Callable[[], bool] | None = None) -> bool:
        """Feed the rest of the current pass's jobs to the engine's worker threads; stop feeding
        at a stop signal, a failure, a non-finite loss or once ``until()`` holds (the jobs in
        flight finish). True when the pass's jobs ran out."""
        state = self.state
        pool = WorkerPool(self._work, self.engine.workers)
        try:
            for job, after in self.source.jobs(state.position):
                if self.interrupt.flag.is_set() or self.diverging.is_set() or (until is not None and until()):
                    return False
                if job is SYNC:
                    pool.close()
                    pool = WorkerPool(self._work, self.engine.workers)
                    if self.sync is not None:
                        self.sync()
                    state.position = after
                    continue
                if not pool.submit((job, state.position + (state.closing << 32))):
                    return False
                state.position = after
            return True
        finally:
            pool.close()

    def _train_closing(self) -> None:
        """The closing stretch: the corpus's jobs again from its start, pass after pass, until
        the schedule's last units are handed out. Its jobs draw their random numbers at
        positions ``(closing pass) << 32 + position``, apart from the epoch's."""
        state = self.state
        if not state.closing:
            state.closing, state.position = 1, 0
        while not self._handed_out():
            before = state.done
            if not self._feed(until=self._handed_out) or state.done == before:
                return  # stopped, all handed out, or a pass without words
            state.closing += 1
            state.position = 0

    def _handed_out(self) -> bool:
        """Whether every unit of the schedule has been handed out to a job."""
        return self.state.done >= self.total_units

    def _work(self, worker: int, item: tuple[Any, int]) -> None:
        job, position = item
        state = self.state
        if state.closing and self._handed_out():
            return  # queued before the closing stretch's last units were handed out
        self.engine.seed_job(worker, self.model.epochs_trained, position)
        batch = self.source.encode(job)
        with self.lock:
            done = state.done
            units = batch.units
            if state.closing:
                left = self.total_units - done
                if left <= 0:
                    return
                units = min(units, left)
            state.done = done + units
        if units < batch.units:
            batch = batch.head(units)
        a0 = state.alpha_at(done, self.total_units)
        a1 = state.alpha_at(done + units, self.total_units)
        tally = self.engine.train(batch, a0, a1, worker)
        tally.raw_words += batch.raw
        tally.words += units
        if not math.isfinite(tally.loss):
            self.diverging.set()
        with self.lock:
            state.partial.add(tally)
            if self.progress is not None:
                self.progress.update(batch.raw, state.partial.mean_loss, a1)

    def _end_epoch(self) -> None:
        state, model = self.state, self.model
        tally = self.combine(state.partial) if self.combine is not None else state.partial
        if tally.words == 0:
            raise CorpusError("the corpus yielded no words in the vocabulary: nothing to train on")
        if tally.examples == 0 and tally.trained_words >= tally.words:
            raise CorpusError(
                f"the corpus yielded {tally.words} words but no training example: no sentence has two words "
                "within a window (one word per line? NUL-separated text? max_sentence_length=1?)"
            )
        if tally.examples == 0:  # subsampling left no pair: a tiny corpus; gensim trains nothing either
            logger.warning(
                "epoch %d: no training example: subsampling (sample=%s) kept %d of the corpus's %d words and no two "
                "within a window; the weights did not change (lower sample for so small a corpus)",
                model.epochs_trained + 1, getattr(model, "sample", None), tally.trained_words, tally.words,
            )
        compute_loss = getattr(model, "compute_loss", True)
        mean = tally.mean_loss if compute_loss and tally.examples else float("nan")
        model.loss_history.append(mean)
        model.running_training_loss += tally.loss
        model.epochs_trained += 1
        self._check_divergence(mean if compute_loss and tally.examples else 0.0)
        logger.info("epoch %d: mean loss %.4f over %d examples", model.epochs_trained, mean, int(tally.examples))
        state.totals.add(Tally(raw_words=tally.raw_words, words=tally.words, trained_words=tally.trained_words))
        state.epoch += 1
        state.position = state.closing = 0
        state.partial = Tally()
        if self.progress is not None and state.epoch < state.epochs:
            self.progress.epoch(state.epoch)

    def _check_divergence(self, mean_loss: float) -> None:
        """Raise TrainingError when the loss is not finite or far above that of untrained
        weights, or when a weight is not finite or huge; the message names the rate to lower."""
        weights = self.engine.weights()
        # max(w.max(), -w.min()) reads each matrix twice without np.abs's full-size temporary (800 MB
        # for FastText's 2M n-gram rows); a NaN propagates through both (Python's max would
        # drop it depending on the order, hence the explicit test).
        extremes = [max(float(w.max()), -float(w.min())) for w in weights.values() if w.size]
        largest = float("nan") if any(math.isnan(x) for x in extremes) else max(extremes, default=0.0)
        baseline = self.engine.initial_loss()
        if math.isfinite(mean_loss) and mean_loss <= DIVERGED_LOSS * baseline and largest <= DIVERGED_WEIGHT:
            return
        what = (
            f"the mean loss per example reached {mean_loss:.4g} (untrained weights give {baseline:.3g})"
            if math.isfinite(largest) and largest <= DIVERGED_WEIGHT and math.isfinite(mean_loss)
            else "the loss or the vectors became non-finite" if not (math.isfinite(largest) and math.isfinite(mean_loss))
            else f"a weight reached {largest:.3g}"
        )
        a0, a1 = self.state.alpha0, self.state.alpha1
        if a1 > a0:
            raise TrainingError(
                f"training diverged ({what}): min_alpha={a1} is too large (the learning rate grows from "
                f"alpha={a0} to it); lower min_alpha (word2vec's default is 0.0001)"
            )
        raise TrainingError(
            f"training diverged ({what}): alpha={a0} is too large; lower alpha (the defaults are 0.025, and "
            "0.05 for CBOW in wordvec train, as word2vec.c)"
        )

