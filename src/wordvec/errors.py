"""Every exception class wordvec raises on purpose.

Every error caused by a user's input (a bad path, a bad parameter, a malformed file) is a
:class:`WordvecError`; the CLI prints its message on one line and exits non-zero. The
subclasses also derive from the builtin type a caller would naturally catch (ValueError,
KeyError, RuntimeError), so ``except ValueError`` keeps working for parameter errors.
"""
from __future__ import annotations

import os


class WordvecError(Exception):
    """Base class of every error wordvec raises on purpose."""


class ParameterError(WordvecError, ValueError):
    """A parameter is outside its allowed range; the message names it and the range, and
    ``param`` holds the parameter's name when one parameter is to blame (the CLI maps it to
    its option)."""

    def __init__(self, message: str, param: str | None = None) -> None:
        super().__init__(message)
        self.param = param


class CorpusError(WordvecError, ValueError):
    """A corpus cannot be read or yields nothing to train on."""


class VectorFormatError(WordvecError, ValueError):
    """A word-vector file is malformed; the message names the file and the line or offset."""


class ModelFileError(WordvecError, ValueError):
    """A saved model file is missing, truncated, tampered with or of another format."""


class EvaluationFileError(WordvecError, ValueError):
    """An evaluation file (analogies, word pairs) cannot be read or holds nothing usable."""


class UnknownWordError(WordvecError, KeyError):
    """A word (key) is not in the vocabulary; the message names it."""

    def __str__(self) -> str:  # KeyError would quote the whole message
        return str(self.args[0]) if self.args else ""


class TrainingError(WordvecError, RuntimeError):
    """Training cannot go on (for example the loss or the vectors diverged)."""


class TrainingInterrupted(KeyboardInterrupt):
    """Training stopped on a signal (Ctrl-C, SIGTERM, SIGHUP) after finishing the jobs in flight;
    ``checkpoint`` is where the resumable model was saved (None when no checkpoint path was
    given) and ``signum`` the signal that stopped it."""

    def __init__(self, checkpoint: str | os.PathLike | None, epoch: int, epochs: int, signum: int = 2) -> None:
        self.checkpoint = None if checkpoint is None else str(checkpoint)
        self.epoch = epoch
        self.epochs = epochs
        self.signum = signum
        where = f"; checkpoint written to {self.checkpoint}" if checkpoint is not None else ""
        super().__init__(f"training interrupted in epoch {epoch + 1} of {epochs}{where}")


class CooccurrenceFormatError(WordvecError, ValueError):
    """A co-occurrence file is malformed; the message names the file and the record at fault."""
