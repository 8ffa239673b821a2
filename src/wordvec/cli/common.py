"""What every ``wordvec`` command shares: error lines, the parser class, output checks, reading
and writing vector files, and the mapping from ``train`` options to ``Word2Vec`` parameters.

A command is a module ``cli/<command>.py`` with ``add_parser(subparsers)`` (adds its parser and
sets ``func=run``) and ``run(args) -> int`` (the exit status); ``cli/main.py`` lists the modules.
Helpers here are public so that other front ends (``python -m wordvec.distributed``) reuse them.
"""
from __future__ import annotations

import argparse
import logging
import os
import sys
from pathlib import Path
from typing import Any, Sequence

from ..errors import ParameterError, UnknownWordError, VectorFormatError, WordvecError
from ..formats.atomic import atomic_write
from ..formats.outputs import resolve_output

PROG = "wordvec"
EXIT_ERROR = 1
EXIT_USAGE = 2
EXIT_INTERRUPTED = 130
#: 128 + SIGTERM: what a shell reports for a process stopped by ``kill`` / ``docker stop``.
EXIT_TERMINATED = 143

#: Vector-file formats :func:`load_vectors` reads; 'auto' detects them from the content.
VECTOR_FORMATS = ("auto", "text", "binary", "native", "model", "fasttext")
#: Formats :func:`save_vectors` writes ('model' needs a whole Word2Vec, see ``train``).
OUTPUT_FORMATS = ("text", "binary", "native", "model", "fasttext")

#: File-name endings and the format they mean (a trailing .gz / .bz2 is looked through).
SUFFIX_FORMATS = {".bin": "binary", ".txt": "text", ".vec": "text", ".npz": "model", ".kv": "native", ".json": "native"}


# ----------------------------------------------------------------------------------- messages

def one_line(text: Any) -> str:
    """``text`` with every run of whitespace (newlines included) collapsed to one space."""
    return " ".join(str(text).split())


def error_message(exc: BaseException) -> str:
    """One line describing a user error (the exception's own message, made single-line)."""
    if isinstance(exc, OSError) and not isinstance(exc, WordvecError):
        what = exc.strerror or str(exc)
        if exc.filename is not None:
            return one_line(f"{exc.filename}: {what}")
        return one_line(what)
    if isinstance(exc, KeyError) and not isinstance(exc, WordvecError) and exc.args:
        return one_line(str(exc.args[0]))
    return one_line(str(exc) or type(exc).__name__)


def warn(message: str) -> None:
    """Print ``wordvec: warning: message`` on stderr."""
    print(f"{PROG}: warning: {one_line(message)}", file=sys.stderr)


def note(message: str) -> None:
    """Print ``wordvec: message`` on stderr (information that is not the command's output)."""
    print(f"{PROG}: {one_line(message)}", file=sys.stderr)


class Parser(argparse.ArgumentParser):
    """argparse with usage errors on one line: ``wordvec: error: <message> (see '<prog> --help')``."""

    def error(self, message: str) -> None:  # type: ignore[override]
        print(f"{PROG}: error: {one_line(message)} (see '{self.prog} --help')", file=sys.stderr)
        raise SystemExit(EXIT_USAGE)


class UsageError(Exception):
    """A combination of options the parser cannot check itself; exits with status 2."""


class WarningLines(logging.Handler):
    """Prints the library's warnings as ``wordvec: warning: ...`` lines."""

    def __init__(self) -> None:
        super().__init__(logging.WARNING)

    def emit(self, record: logging.LogRecord) -> None:
        warn(record.getMessage())


def positive_int(text: str) -> int:
    """argparse type: an integer >= 1."""
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected a positive integer, got {text!r}") from None
    if value < 1:
        raise argparse.ArgumentTypeError(f"expected a positive integer, got {value}")
    return value


def plural(n: int, word: str) -> str:
    """``"1 epoch"``, ``"2 epochs"``, ``"1,000 words"``."""
    return f"{n:,} {word}" if n == 1 else f"{n:,} {word}s"


# ----------------------------------------------------------------------------------- files

def check_output(path: str | os.PathLike, what: str = "output") -> Path:
    """Fail before any long computation when ``path`` cannot be written
    (:func:`wordvec.formats.outputs.resolve_output`'s policy)."""
    resolve_output(path, what)
    return Path(path)


def write_text(path: str | os.PathLike, text: str) -> None:
    """Write ``text`` and a newline to ``path`` atomically."""
    with atomic_write(path, "w") as f:
        f.write(text + "\n")


def format_from_name(path: str | os.PathLike) -> str | None:
    """The vector format a file name asks for (:data:`SUFFIX_FORMATS`), or None when it says nothing."""
    suffixes = [s.lower() for s in Path(path).suffixes]
    if suffixes and suffixes[-1] in (".gz", ".bz2"):
        suffixes.pop()
    return SUFFIX_FORMATS.get(suffixes[-1]) if suffixes else None


def output_format(path: str | os.PathLike, flag: str | None, default: str = "text", option: str = "--format") -> str:
    """The format to write ``path`` in: ``flag`` when given (with a warning when the name says
    another format), else the one the name says, else ``default``."""
    named = format_from_name(path)
    if flag is None:
        return named or default
    if named is not None and named != flag:
        warn(f"writing {flag} format to '{path}' although its name suggests {named} (as {option} says)")
    return flag


def detect_vector_format(path: str | os.PathLike) -> str:
    """The format of a vector file from its content: 'native', 'model', 'text' or 'binary'
    (:func:`wordvec.formats.word2vec.detect_format`)."""
    from ..formats.word2vec import detect_format

    return detect_format(path)


def load_vectors(path: str | os.PathLike, fmt: str = "auto", limit: int | None = None) -> Any:
    """Load word vectors as a KeyedVectors from any format :func:`detect_vector_format` knows;
    ``path`` may also be '-' (standard input), a FIFO or a device for word2vec text and binary.

    ``limit`` keeps only the first ``limit`` words of the file (the most frequent ones in files
    written by word2vec tools, which sort by decreasing count); word2vec files are not read past them.
    """
    from ..formats.word2vec import format_of, open_vectors_source
    from ..text.files import is_regular_file, is_stdin, read_ahead
    from ..vectors.keyedvectors import KeyedVectors

    if fmt not in VECTOR_FORMATS:
        raise ParameterError(f"vector format must be one of {VECTOR_FORMATS}, got {fmt!r}")
    if not is_stdin(path) and not is_regular_file(path):
        p = Path(path)
        if not p.exists():
            raise VectorFormatError(f"{p}: no such file")
        if p.is_dir():
            raise VectorFormatError(f"{p}: is a directory, not a vector file")
    if not is_regular_file(path):  # '-', a FIFO, a device: read as a stream, detection consumes nothing
        with open_vectors_source(path, VectorFormatError) as f:
            head, stream = read_ahead(f, 1 << 16, name=os.fspath(path))
            fmt = format_of(head) if fmt == "auto" else fmt
            if fmt in ("native", "model"):
                raise VectorFormatError(f"{os.fspath(path)}: a {fmt} file must be read from a regular file, "
                                        "not a pipe or device")
            return KeyedVectors.load_word2vec_format(stream, binary=(fmt == "binary"), limit=limit)
    path = Path(path)
    if fmt == "auto":
        fmt = detect_vector_format(path)
    if fmt in ("text", "binary"):
        return KeyedVectors.load_word2vec_format(path, binary=(fmt == "binary"), limit=limit)
    if fmt == "fasttext":
        from ..vectors.fasttext_keyedvectors import load_facebook_vectors

        return load_facebook_vectors(path)
    if fmt == "native":
        kv = KeyedVectors.load(path, mmap="r" if limit is not None else None)
    else:
        from ..models import fasttext  # noqa: F401 - so that a saved FastText loads as one
        from ..models.word2vec import Word2Vec

        kv = Word2Vec.load(path).wv
    return kv if limit is None or limit >= len(kv) else first_words(kv, limit)


def first_words(kv: Any, n: int) -> Any:
    """A KeyedVectors of the first ``n`` words of ``kv`` (copies; keeps the stored counts)."""
    import numpy as np

    from ..vectors.keyedvectors import KeyedVectors

    counts = kv.expandos.get("count")
    return KeyedVectors.from_vectors(
        list(kv.index_to_key[:n]), np.array(kv.vectors[:n]), counts=None if counts is None else np.asarray(counts[:n])
    )


def save_vectors(kv: Any, path: str | os.PathLike, fmt: str = "text") -> None:
    """Write ``kv`` as word2vec 'text' or 'binary', or in the 'native' format (JSON + .npy)."""
    if fmt == "native":
        kv.save(path)
    elif fmt in ("text", "binary"):
        kv.save_word2vec_format(path, binary=(fmt == "binary"))
    else:
        raise ParameterError(f"vectors alone can be written as 'text', 'binary' or 'native', not {fmt!r}")


def add_vectors_arguments(p: argparse.ArgumentParser, limit_help: str | None = None) -> None:
    """The VECTORS argument, ``--format`` and ``--limit`` of a command that reads a vector file."""
    p.add_argument("vectors", metavar="VECTORS", help="vector file (word2vec text or binary, native, or a saved model)")
    p.add_argument(
        "--format", choices=VECTOR_FORMATS, default="auto",
        help="format of VECTORS: word2vec text or binary, native (KeyedVectors.save), model "
        "(Word2Vec.save), fasttext (a fastText .bin: vectors for unknown words too); default: detected "
        "from the content",
    )
    p.add_argument("--limit", type=positive_int, default=None, metavar="N",
                   help=limit_help or "load only the first N words (the N most frequent in word2vec files)")


def require_words(kv: Any, words: Sequence[str], source: Any = None) -> None:
    """Raise UnknownWordError (a KeyError) naming the first of ``words`` without a usable vector
    in ``kv`` (of ``source``, when given): not in the vocabulary and, for a fastText model, with
    no n-grams or only n-grams no training reached, whose composed vector is zero (its
    neighbours would be arbitrary words at similarity 0)."""
    where = "" if source is None else f" of {source}"
    for w in words:
        if w not in kv:  # a fastText model composes vectors for unknown words
            raise UnknownWordError(f"word {w!r} is not in the vocabulary{where}")
        if not kv.has_index_for(w) and not kv.get_vector(w).any():
            raise UnknownWordError(f"word {w!r} is not in the vocabulary{where} and none of its n-grams was "
                                   "trained: its vector is zero")


# ----------------------------------------------------------------------------------- training

#: ``train`` options and the ``Word2Vec`` parameters they set, with Word2Vec's defaults
#: (tests/cli/test_cli.py checks these against Word2Vec's signature); ``--alpha`` defaults to
#: word2vec.c's rate instead (see :func:`train_params`).
TRAIN_DEFAULTS = {
    "vector_size": 100,
    "window": 5,
    "min_count": 5,
    "max_vocab_size": None,
    "max_final_vocab": None,
    "sample": 1e-3,
    "negative": 5,
    "ns_exponent": 0.75,
    "cbow_mean": 1,
    "min_alpha": 0.0001,
    "epochs": 5,
    "seed": 1,
    "shared_negatives": True,
    "max_sentence_length": 10000,
    "device": None,
    "batch_size": 4096,
}

#: The ``train`` option of each Word2Vec parameter, named in parameter errors.
TRAIN_OPTIONS = {
    "vector_size": "--dim", "window": "--window", "min_count": "--min-count", "sample": "--sample",
    "max_vocab_size": "--max-vocab-size", "max_final_vocab": "--max-final-vocab",
    "negative": "--negative", "ns_exponent": "--ns-exponent", "cbow_mean": "--cbow-mean",
    "alpha": "--alpha", "min_alpha": "--min-alpha", "epochs": "--epochs", "workers": "--threads",
    "seed": "--seed", "max_sentence_length": "--max-sentence-length", "device": "--device",
    "batch_size": "--batch-size", "min_n": "--minn", "max_n": "--maxn", "bucket": "--bucket", "eos": "--no-eos",
    "streams": "--streams", "epoch_words": "--epoch-words",
}

#: word2vec.c's starting rate for CBOW, ``wordvec train``'s default without ``--sg`` (its users
#: come from word2vec.c); the ``Word2Vec`` class starts both architectures at gensim's 0.025,
#: which is also word2vec.c's rate for skip-gram.
CBOW_ALPHA = 0.05


def train_params(args: argparse.Namespace) -> dict[str, Any]:
    """The ``Word2Vec`` keyword arguments the ``train`` options in ``args`` ask for: the class's
    defaults, except that CBOW without ``--alpha`` starts at word2vec.c's :data:`CBOW_ALPHA`
    (``--subwords`` keeps ``FastText``'s own defaults: fastText's rate, noise words drawn per
    prediction, the noise exponent of the architecture)."""
    params = {key: getattr(args, key) for key in TRAIN_DEFAULTS if hasattr(args, key)}
    for key in ("ns_exponent", "shared_negatives"):  # options left out: the class's default
        if params.get(key, 0) is None:
            del params[key]
    subwords = getattr(args, "subwords", False)
    if args.alpha is not None:
        params["alpha"] = args.alpha
    elif not args.sg and not subwords:
        params["alpha"] = CBOW_ALPHA
    params["sg"] = int(args.sg)
    params["hs"] = int(args.hs)
    params["softmax"] = args.softmax
    params["workers"] = args.threads
    if subwords:
        params.update(min_n=args.minn, max_n=args.maxn, bucket=args.bucket, eos=getattr(args, "eos", True))
    for key in ("streams", "epoch_words"):  # left out: the class's default
        if getattr(args, key, None) is not None:
            params[key] = getattr(args, key)
    if args.negative is None:  # --hs or --softmax alone mean that objective only (as word2vec.c)
        params["negative"] = 0 if (args.hs or args.softmax) else TRAIN_DEFAULTS["negative"]
    return params


def option_error(exc: ParameterError) -> ParameterError:
    """``exc`` with the ``train`` option of the parameter it names appended: ``(option --dim)``."""
    option = TRAIN_OPTIONS.get(exc.param or "")
    return ParameterError(f"{exc} (option {option})" if option else str(exc), exc.param)


def training_line(model: Any, resumed_in: int | None = None) -> str:
    """One line summing up a finished run: words, epochs, time, speed, final loss, vocabulary.

    After a resumed run (``resumed_in``: the 0-based epoch it resumed in) the words, time and
    speed are those of this process's part of the run, and the line says where it resumed."""
    s = model.training_summary
    words = s.get("span_raw_words", s["raw_words"])
    span = plural(s["epochs"], "epoch") if resumed_in is None else f"resumed in epoch {resumed_in + 1} of {s['epochs']}"
    return (
        f"trained {words:,} words ({span}) in {s['seconds']:.1f} s, "
        f"{s['words_per_sec']:,.0f} words/s, final loss {s['final_loss']:.4f}; "
        f"{len(model.wv):,} words x {model.wv.vector_size} dimensions"
    )
