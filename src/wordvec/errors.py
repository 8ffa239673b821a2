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


class OutputError(WordvecError, OSError):
    """An output path may not be written: a read-only file, a device, an input of the same command."""


class TextEncodingError(WordvecError, ValueError):
    """The input is not UTF-8 text and cannot be decoded safely; the message says what it looks like."""


class WorkRescued(WordvecError):
    """A final write failed and the work was saved elsewhere (``path``; None if even that failed).
    ``interrupted`` tells a Ctrl-C from an error."""

    def __init__(self, message: str, path: "os.PathLike | None", interrupted: bool) -> None:
        super().__init__(message)
        self.path = path
        self.interrupted = interrupted


class TextDecodeError(WordvecError, UnicodeDecodeError):
    """Bytes that are not valid text in the expected encoding; also a ``UnicodeDecodeError`` (what
    gensim code catches), with wordvec's message (file and line) as its text."""

    def __init__(self, message: str, cause: UnicodeDecodeError) -> None:
        UnicodeDecodeError.__init__(self, cause.encoding, cause.object, cause.start, cause.end, cause.reason)
        self.message = message

    def __str__(self) -> str:
        return self.message

    def __reduce__(self):  # picklable across processes, as other exceptions
        return (_rebuild_decode_error, (type(self), self.message, self.encoding, self.object, self.start, self.end,
                                        self.reason))


def _rebuild_decode_error(cls, message, encoding, obj, start, end, reason):
    return cls(message, UnicodeDecodeError(encoding, obj, start, end, reason))


class VectorDecodeError(VectorFormatError, TextDecodeError):
    """A word in a vector file is not valid text (``unicode_errors='strict'``)."""


class CorpusDecodeError(CorpusError, TextDecodeError):
    """A corpus line is not valid text in the reader's encoding."""


class TruncatedFileError(VectorFormatError, EOFError):
    """A vector file ends before the vectors its header declares; also an ``EOFError`` (gensim's type)."""


class NotAModelError(ModelFileError, AttributeError):
    """A model loader was given a file of word vectors only (KeyedVectors); also an
    ``AttributeError`` (gensim's type: its loaded object lacks the model's attributes)."""


class EmptyVocabularyError(CorpusError, RuntimeError):
    """No word survives the vocabulary rules (min_count, trim_rule, ...); also a ``RuntimeError``
    (gensim raises one when training an empty vocabulary)."""


class EmptyInputError(ParameterError, ZeroDivisionError):
    """A computation got an empty list where it needs at least one item; also a
    ``ZeroDivisionError`` (what gensim raises for an empty mean)."""


class UnsupportedModelError(ParameterError, RuntimeError):
    """The method called needs a model configured otherwise (``score`` needs hierarchical softmax,
    ``predict_output_word`` negative sampling); also a ``RuntimeError``, gensim's type."""


class SentenceError(CorpusError, TypeError):
    """A sentence is not a list of str tokens (a string, None, a generator, a non-string token);
    the message names its position. Also a ``TypeError``, what gensim code expects."""


class CooccurrenceFormatError(WordvecError, ValueError):
    """A co-occurrence file is malformed; the message names the file and the record at fault."""
