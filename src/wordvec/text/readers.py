"""Sentence streams over text files, and gensim's tokenizing helpers, without gensim installed.

Readers (each a re-iterable of sentences, a sentence being a list of str tokens):

* :class:`LineSentence`: one sentence per line, tokens separated by whitespace, lines longer than
  ``max_sentence_length`` tokens cut into pieces of that many tokens (gensim's rule).
* :class:`PathLineSentences`: the same over several files: a directory's files in name order,
  one file, or a list of files.
* :class:`Text8Corpus`: a file of whitespace-separated tokens with no meaningful line breaks
  (text8), cut into sentences of ``max_sentence_length`` tokens.

All of them read bytes in blocks (plain, gzip or bzip2 files, detected from their first bytes
by :func:`wordvec.text.corpus.open_corpus`), decode UTF-8 strictly and split with
``str.split()`` (any Unicode whitespace), which is what gensim's readers do. Bytes that are not
UTF-8 raise :class:`~wordvec.errors.CorpusDecodeError` (also a ``UnicodeDecodeError``) naming the
file and line. Nothing is held in memory beyond one block and one sentence.

Tokenizers: :func:`simple_preprocess`, :func:`tokenize`, :func:`simple_tokenize`,
:func:`deaccent`, :func:`to_unicode` / :func:`to_utf8` follow gensim.utils's definitions: a token
is a maximal run of word characters that are not digits (letters and ``_``), ``simple_preprocess``
lowercases, keeps tokens of ``min_len..max_len`` characters and drops tokens starting with ``_``.
"""
from __future__ import annotations

import itertools
import logging
import os
import re
import unicodedata
from pathlib import Path
from typing import Any, Iterable, Iterator

from ..errors import CorpusDecodeError, CorpusError
from ..validation import check_int
from .corpus import open_corpus

logger = logging.getLogger(__name__)

__all__ = [
    "LineSentence", "PathLineSentences", "Text8Corpus", "MAX_WORDS_IN_BATCH", "simple_preprocess", "tokenize",
    "simple_tokenize", "deaccent", "to_unicode", "to_utf8", "any2unicode", "any2utf8",
]

#: gensim's default ``max_sentence_length`` (and batch size): 10000 tokens.
MAX_WORDS_IN_BATCH = 10000
_TEXT8_BLOCK = 1 << 20
_ALPHABETIC = re.compile(r"[^\W\d]+")  # word characters other than digits
_ASCII_SPACES = (b" ", b"\n", b"\t", b"\r", b"\x0b", b"\x0c")


def _decode(data: bytes, where: str, line: int | None = None) -> str:
    try:
        return data.decode("utf8")
    except UnicodeDecodeError as exc:
        at = f"line {line}" if line is not None else f"byte {exc.start} of a block"
        raise CorpusDecodeError(
            f"{where}: {at}: not valid UTF-8 ({exc.reason}); re-encode the file as UTF-8", exc
        ) from exc


def _check_file(path: Any) -> str:
    name = os.fspath(path)
    p = Path(name)
    if not p.exists():
        raise CorpusError(f"corpus file '{name}' does not exist")
    if p.is_dir():
        raise CorpusError(f"corpus path '{name}' is a directory, not a file (use PathLineSentences)")
    return name


def _pieces(tokens: list[str], size: int) -> Iterator[list[str]]:
    if len(tokens) <= size:
        if tokens:
            yield tokens
        return
    for i in range(0, len(tokens), size):
        yield tokens[i: i + size]


def _line_sentences(lines: Iterable[Any], where: str, size: int, limit: int | None) -> Iterator[list[str]]:
    for number, line in enumerate(itertools.islice(lines, limit), 1):
        text = line if isinstance(line, str) else _decode(line, where, number)
        yield from _pieces(text.split(), size)


class LineSentence:
    """Sentences of a text file, one per line, tokens split on whitespace (gensim's LineSentence).

    ``source`` is a path (plain, .gz or .bz2) or an open file object (text or binary, rewound with
    ``seek(0)`` at each pass). ``limit`` reads only the first ``limit`` lines. A line of more than
    ``max_sentence_length`` tokens yields several sentences; empty lines yield none.
    """

    def __init__(self, source: Any, max_sentence_length: int = MAX_WORDS_IN_BATCH, limit: int | None = None) -> None:
        self.source = source if hasattr(source, "seek") else _check_file(source)
        self.max_sentence_length = check_int("max_sentence_length", max_sentence_length, 1)
        self.limit = check_int("limit", limit, 0, allow_none=True)

    def __iter__(self) -> Iterator[list[str]]:
        if hasattr(self.source, "seek"):
            self.source.seek(0)
            where = getattr(self.source, "name", "<file object>")
            yield from _line_sentences(self.source, str(where), self.max_sentence_length, self.limit)
            return
        with open_corpus(self.source) as f:
            yield from _line_sentences(f, self.source, self.max_sentence_length, self.limit)

    def __repr__(self) -> str:
        return f"LineSentence({self.source!r})"


class PathLineSentences:
    """:class:`LineSentence` over several files, one after the other.

    ``source`` is a directory (its files, not sub-directories, in name order), one file, or a
    list of files (in the given order). ``limit`` applies to each file. ``input_files`` lists
    the files that will be read.
    """

    def __init__(self, source: Any, max_sentence_length: int = MAX_WORDS_IN_BATCH, limit: int | None = None) -> None:
        self.max_sentence_length = check_int("max_sentence_length", max_sentence_length, 1)
        self.limit = check_int("limit", limit, 0, allow_none=True)
        if isinstance(source, (str, os.PathLike)):
            path = Path(source)
            if path.is_dir():
                files = sorted(str(p) for p in path.iterdir() if p.is_file())
                if not files:
                    raise CorpusError(f"corpus directory '{os.fspath(source)}' holds no files")
                logger.info("reading %d files of %s", len(files), os.fspath(source))
            elif path.exists():
                files = [os.fspath(source)]
            else:
                raise CorpusError(f"corpus path '{os.fspath(source)}' is neither a file nor a directory")
        else:
            files = [os.fspath(p) for p in source]
            if not files:
                raise CorpusError("PathLineSentences needs at least one file")
            files = [_check_file(p) for p in files]
        self.source = source
        self.input_files = files

    def __iter__(self) -> Iterator[list[str]]:
        for name in self.input_files:
            with open_corpus(name) as f:
                yield from _line_sentences(f, name, self.max_sentence_length, self.limit)

    def __repr__(self) -> str:
        return f"PathLineSentences({len(self.input_files)} files)"


class Text8Corpus:
    """The tokens of a file split on whitespace (line breaks included), yielded as sentences of
    ``max_sentence_length`` tokens (the last one shorter): the text8 / enwik layout.

    Read in 1 MiB blocks cut at the last ASCII whitespace, so memory stays bounded however long
    the file's single line is. (gensim's reader glues two tokens together when a block ends in a
    line break after the last space; this one does not.)
    """

    def __init__(self, fname: Any, max_sentence_length: int = MAX_WORDS_IN_BATCH) -> None:
        self.fname = _check_file(fname)
        self.max_sentence_length = check_int("max_sentence_length", max_sentence_length, 1)

    def _tokens(self) -> Iterator[list[str]]:
        rest = b""
        with open_corpus(self.fname) as f:
            while True:
                block = f.read(_TEXT8_BLOCK)
                if not block:
                    break
                data = rest + block
                cut = max(data.rfind(c) for c in _ASCII_SPACES) + 1
                rest = data[cut:]
                if cut:
                    yield _decode(data[:cut], self.fname).split()
        if rest:
            yield _decode(rest, self.fname).split()

    def __iter__(self) -> Iterator[list[str]]:
        size = self.max_sentence_length
        sentence: list[str] = []
        for tokens in self._tokens():
            sentence.extend(tokens)
            if len(sentence) >= size:
                full = len(sentence) - len(sentence) % size
                for i in range(0, full, size):
                    yield sentence[i: i + size]
                sentence = sentence[full:]
        if sentence:
            yield sentence

    def __repr__(self) -> str:
        return f"Text8Corpus({self.fname!r})"


# ---------------------------------------------------------------------------------- tokenizing

def to_unicode(text: Any, encoding: str = "utf8", errors: str = "strict") -> str:
    """``text`` as str: bytes are decoded with ``encoding`` / ``errors``, str is returned as is."""
    if isinstance(text, str):
        return text
    return str(text, encoding, errors=errors)


any2unicode = to_unicode


def to_utf8(text: Any, errors: str = "strict", encoding: str = "utf8") -> bytes:
    """``text`` as UTF-8 bytes (bytes in ``encoding`` are decoded first, so the result is valid UTF-8)."""
    if isinstance(text, str):
        return text.encode("utf8")
    return str(text, encoding, errors=errors).encode("utf8")


any2utf8 = to_utf8


def deaccent(text: Any) -> str:
    """``text`` without combining marks (accents): NFD, drop category Mn, NFC (``"naïve"`` -> ``"naive"``)."""
    text = to_unicode(text)
    decomposed = unicodedata.normalize("NFD", text)
    return unicodedata.normalize("NFC", "".join(c for c in decomposed if unicodedata.category(c) != "Mn"))


def simple_tokenize(text: str) -> Iterator[str]:
    """Maximal runs of word characters other than digits (letters, marks, ``_``) in ``text``."""
    for m in _ALPHABETIC.finditer(text):
        yield m.group()


def tokenize(
    text: Any,
    lowercase: bool = False,
    deacc: bool = False,
    encoding: str = "utf8",
    errors: str = "strict",
    to_lower: bool = False,
    lower: bool = False,
) -> Iterator[str]:
    """Tokens of ``text`` (str or bytes) as :func:`simple_tokenize` finds them, after optional
    lowercasing (``lowercase`` / ``to_lower`` / ``lower``) and accent removal (``deacc``)."""
    text = to_unicode(text, encoding, errors=errors)
    if lowercase or to_lower or lower:
        text = text.lower()
    if deacc:
        text = deaccent(text)
    return simple_tokenize(text)


def simple_preprocess(doc: Any, deacc: bool = False, min_len: int = 2, max_len: int = 15) -> list[str]:
    """Lowercase tokens of ``doc`` with ``min_len <= len(token) <= max_len`` characters, not
    starting with ``_``; undecodable bytes are dropped (gensim's simple_preprocess)."""
    return [
        t for t in tokenize(doc, lower=True, deacc=deacc, errors="ignore")
        if min_len <= len(t) <= max_len and not t.startswith("_")
    ]

