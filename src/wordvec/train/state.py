"""The position and tallies of a training run, and its learning-rate schedule.

A run's :class:`RunState` is JSON-able (a model saves it as ``pending_run`` in checkpoints), so
an interrupted run resumes exactly where it stopped: epoch, jobs done in that epoch, schedule
units whose learning rate was handed out, the epoch's partial tally and the run's totals.
"""
from __future__ import annotations

import math
from dataclasses import asdict, dataclass, field, fields
from typing import Any

#: What an epoch's worth of training is (the models' ``epoch_words``): one pass over the corpus's
#: in-vocabulary words, or as many in-vocabulary words as it has tokens of every kind (fastText's).
EPOCH_WORDS = ("vocabulary", "all")


@dataclass
class Tally:
    """Sums over jobs: loss (float64, summed per example), examples (predictions scored), raw
    words (tokens read), words (in-vocabulary tokens: the schedule's units) and trained words
    (kept by subsampling)."""

    loss: float = 0.0
    examples: float = 0.0
    raw_words: int = 0
    words: int = 0
    trained_words: int = 0

    def add(self, other: "Tally") -> None:
        self.loss += other.loss
        self.examples += other.examples
        self.raw_words += other.raw_words
        self.words += other.words
        self.trained_words += other.trained_words

    @property
    def mean_loss(self) -> float:
        """Loss per example (NaN without examples)."""
        return self.loss / self.examples if self.examples else float("nan")


@dataclass
class RunState:
    """Where a run of ``epochs`` epochs with a learning rate decaying linearly from ``alpha0`` to
    ``alpha1`` stands. ``position`` counts the jobs of the current epoch already trained,
    ``done`` the schedule units (words) whose rate has been handed out, over the whole run.

    ``closing_units`` more units follow the last epoch's pass, read from the start of the
    corpus again and scheduled after the epochs' units (fastText's run length, see
    :class:`~wordvec.train.driver.Driver`); ``closing`` is 0 until that stretch starts, then the
    number of passes it has begun (``position`` then counts that pass's jobs). ``streams`` is the
    reading order of a corpus file the run started with (positions count jobs in that order, so
    a resumed run keeps it whatever its worker count; None: the model's)."""

    epochs: int
    alpha0: float
    alpha1: float
    epoch: int = 0
    position: int = 0
    done: int = 0
    closing_units: int = 0
    closing: int = 0
    partial: Tally = field(default_factory=Tally)
    totals: Tally = field(default_factory=Tally)
    corpus_file: str | None = None
    corpus_fingerprint: dict | None = None
    streams: int | None = None

    def alpha_at(self, units: float, total_units: float) -> float:
        """The learning rate after ``units`` of ``total_units``: alpha0 -> alpha1 linearly."""
        return self.alpha0 - (self.alpha0 - self.alpha1) * min(1.0, units / max(total_units, 1.0))

    def to_json(self) -> dict[str, Any]:
        return asdict(self)

    @classmethod
    def from_json(cls, obj: Any) -> "RunState":
        """Rebuild a state from :meth:`to_json`'s output read from a file a user may have been
        sent; ValueError names what is wrong."""
        if not isinstance(obj, dict):
            raise ValueError("the training-run state is not an object")
        known = {f.name for f in fields(cls)}
        if set(obj) - known:
            raise ValueError(f"unknown training-run fields {sorted(set(obj) - known)}")
        try:
            state = cls(
                epochs=_count(obj["epochs"], "epochs", 1),
                alpha0=_number(obj["alpha0"], "alpha0"),
                alpha1=_number(obj["alpha1"], "alpha1"),
                epoch=_count(obj["epoch"], "epoch"),
                position=_count(obj["position"], "position"),
                done=_count(obj["done"], "done"),
                closing_units=_count(obj.get("closing_units", 0), "closing_units"),
                closing=_count(obj.get("closing", 0), "closing"),
                partial=_tally(obj["partial"]),
                totals=_tally(obj["totals"]),
                corpus_file=obj.get("corpus_file"),
                corpus_fingerprint=obj.get("corpus_fingerprint"),
                streams=None if obj.get("streams") is None else _count(obj["streams"], "streams", 1),
            )
        except KeyError as e:
            raise ValueError(f"the training-run state lacks {e}") from None
        if state.epoch >= state.epochs:
            raise ValueError(f"epoch {state.epoch} is not below epochs {state.epochs}")
        if state.closing and (state.epoch != state.epochs - 1 or not state.closing_units):
            raise ValueError("the run's closing stretch follows its last epoch, and only a run with closing units has one")
        if state.alpha0 <= 0 or state.alpha1 < 0:
            raise ValueError("the learning rates must be alpha0 > 0 and alpha1 >= 0")
        if state.corpus_file is not None and not isinstance(state.corpus_file, str):
            raise ValueError("corpus_file is not a string")
        if state.corpus_fingerprint is not None and not isinstance(state.corpus_fingerprint, dict):
            raise ValueError("corpus_fingerprint is not an object")
        return state


def _count(x: Any, name: str, low: int = 0) -> int:
    if isinstance(x, bool) or not isinstance(x, int) or x < low:
        raise ValueError(f"{name} must be an integer >= {low}, got {x!r}")
    return x


def _number(x: Any, name: str) -> float:
    if isinstance(x, bool) or not isinstance(x, (int, float)) or not math.isfinite(x):
        raise ValueError(f"{name} must be a finite number, got {x!r}")
    return x


def _tally(obj: Any) -> Tally:
    if isinstance(obj, list) and len(obj) in (3, 5):  # format version 1: bare lists
        names = ("loss", "examples", "raw_words", "words", "trained_words")[5 - len(obj):]
        obj = {"loss": 0.0, "examples": 0.0, **dict(zip(names, obj))}
        obj.update({k: int(obj[k]) for k in ("raw_words", "words", "trained_words") if isinstance(obj[k], float) and obj[k].is_integer()})
    if not isinstance(obj, dict) or set(obj) != {f.name for f in fields(Tally)}:
        raise ValueError("a tally of the training-run state is malformed")
    loss = obj["loss"]
    if isinstance(loss, bool) or not isinstance(loss, (int, float)) or math.isinf(loss):
        raise ValueError(f"loss must be a number, got {loss!r}")
    return Tally(
        loss=float(loss),
        examples=_number(obj["examples"], "examples"),
        raw_words=_count(obj["raw_words"], "raw_words"),
        words=_count(obj["words"], "words"),
        trained_words=_count(obj["trained_words"], "trained_words"),
    )
