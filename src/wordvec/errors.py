"""The library's own exception types.

Every error caused by a user's input (a bad path, a bad parameter, a malformed file) is a
:class:`WordvecError`; the CLI prints its message on one line and exits non-zero. The
subclasses also derive from the builtin type a caller would naturally catch (ValueError,
OSError), so ``except ValueError`` keeps working for parameter errors.
"""


class WordvecError(Exception):
    """Base class of every error wordvec raises on purpose."""


class ParameterError(WordvecError, ValueError):
    """A parameter is outside its allowed range; the message names it and the range."""


class CorpusError(WordvecError, ValueError):
    """A corpus cannot be read or yields nothing to train on."""


class VectorFormatError(WordvecError, ValueError):
    """A word-vector file is malformed; the message names the file and the line or offset."""


class ModelFileError(WordvecError, ValueError):
    """A saved model file is missing, truncated, tampered with or of another format."""


class TrainingError(WordvecError, RuntimeError):
    """Training cannot go on (for example the loss or the vectors became non-finite)."""
