"""Word-vector files: the C word2vec text and binary formats, and wordvec's native format.

C word2vec formats (read and written compatibly with the original tool and with gensim)
----------------------------------------------------------------------------------------
Both start with an ASCII header line ``"<n_words> <dim>\\n"``.

* text: one line per word, ``word v_1 v_2 ... v_dim``, fields separated by spaces. The C tool
  writes each value as ``"%lf "`` (a trailing space); we write ``"%.9g"`` (enough digits to
  give back the same float32) without one. Both read back. GloVe files are the same without the
  header line (``no_header=True``).
* binary: per word ``word + b" "`` then ``dim`` little-endian float32 (``4 * dim`` bytes), then
  ``b"\\n"`` (the C tool writes it; gensim and older files omit it; both read back).

Paths ending in ``.gz`` or ``.bz2`` are (de)compressed; gzip data is also recognized by its magic
bytes. Words are UTF-8 and kept whole (the C tool cuts words at 100 bytes; we do not).

Decisions on unusual input (each has a test):

* A word cannot hold a space, tab, CR or LF in these formats (readers split on them): writing
  such a word raises :class:`VectorFormatError` naming it. Other characters, including
  non-breaking spaces and any non-ASCII text, round-trip.
* Duplicate words in a file: the first vector is kept and a warning names the word and line
  (gensim's behaviour; some published files contain duplicates).
* Non-finite values (nan, inf, or text numbers beyond float32 range) are refused when reading and
  writing: they make every similarity with that word meaningless.
* The header must agree with the body: fewer or more vectors than declared is an error (unless
  ``limit`` stops reading early). Counts are checked against the file size before anything is
  allocated, so a header claiming 10**12 words fails at once.

Every error is a :class:`~wordvec.errors.VectorFormatError` naming the file and the line
(text) or byte offset (binary) at fault.

Native format (``KeyedVectors.save`` / ``KeyedVectors.load``)
-------------------------------------------------------------
``path`` is a UTF-8 JSON file::

    {"format": "wordvec.KeyedVectors", "version": 1, "vector_size": d, "dtype": "float32",
     "shape": [n, d], "keys": [...n words...], "counts": [...n ints...] or null,
     "vectors_sha256": "<hex>", "vectors_bytes": <size of the .npy file>}

and ``path + ".vectors.npy"`` holds the (n, d) matrix in NumPy's ``.npy`` format. Loading never
unpickles (``allow_pickle=False``) and checks every JSON field's type, the ``.npy`` header
(dtype, shape, C order) and size, and, when the matrix is read into memory, its SHA-256, so a
modified or truncated file is refused with :class:`~wordvec.errors.ModelFileError`. With
``mmap='r'`` the contents are not hashed (that would read the whole file, which memory mapping
avoids); the header and size are still checked. Saving writes the ``.npy`` first and the JSON
last, each atomically; the JSON records the checksum of the matrix it belongs to.
"""
from __future__ import annotations

import bz2
import contextlib
import gzip
import hashlib
import json
import logging
import mmap as mmap_module
import os
import re
import zlib
from pathlib import Path
from typing import IO, Any, Iterator, Sequence

import numpy as np

from .atomic import atomic_write
from ..errors import ModelFileError, ParameterError, TruncatedFileError, VectorDecodeError, VectorFormatError, WordvecError
from ..validation import check_int

logger = logging.getLogger(__name__)

__all__ = [
    "read_word2vec", "write_word2vec", "read_vocab", "write_vocab", "save_native", "load_native",
    "read_text", "NATIVE_FORMAT", "NATIVE_VERSION",
]

NATIVE_FORMAT = "wordvec.KeyedVectors"
NATIVE_VERSION = 1
MAX_DIMENSION = 2**31 - 1

_HEADER = re.compile(rb"\s*(\d{1,20})\s+(\d{1,20})\s*")
_FORBIDDEN_IN_WORD = re.compile(r"[ \t\r\n]")
_TEXT_NUMBER_BYTES = frozenset(b"0123456789.-+eE \t\r\n")
_WRITE_CHUNK_ROWS = 4096
_GZIP_MAGIC = b"\x1f\x8b"
_CONTROL_BYTES = re.compile(rb"[\x00-\x08\x0e-\x1f]")  # never in text files, common in float32 data


# ---------------------------------------------------------------------------------- reading files

def _describe_os_error(path: str, exc: BaseException) -> str:
    if isinstance(exc, FileNotFoundError):
        return f"{path}: no such file"
    if isinstance(exc, IsADirectoryError):
        return f"{path}: is a directory, not a file"
    if isinstance(exc, PermissionError):
        return f"{path}: permission denied"
    if isinstance(exc, (EOFError, zlib.error)) or "gzip" in str(exc).lower() or "invalid data stream" in str(exc).lower():
        return f"{path}: compressed data is damaged or truncated ({exc})"
    return f"{path}: cannot read ({exc})"


def _compression(path: str) -> str | None:
    suffix = Path(path).suffix.lower()
    if suffix in (".gz", ".bz2"):
        return suffix
    try:
        with open(path, "rb") as f:
            return ".gz" if f.read(2) == _GZIP_MAGIC else None
    except OSError:
        return None  # reported by the caller's open


@contextlib.contextmanager
def _reading(path: Any, error_cls: type[WordvecError]) -> Iterator[IO[bytes]]:
    """A binary file object for ``path`` (decompressed if .gz/.bz2); OS and decompression errors
    become ``error_cls`` naming the file."""
    name = os.fspath(path)
    kind = _compression(name)
    try:
        opener = gzip.open if kind == ".gz" else bz2.open if kind == ".bz2" else open
        with opener(name, "rb") as f:
            yield f
    except (OSError, EOFError, zlib.error) as exc:
        raise error_cls(_describe_os_error(name, exc)) from exc


@contextlib.contextmanager
def _whole_file(path: Any, error_cls: type[WordvecError]) -> Iterator[Any]:
    """The whole content of ``path`` as a bytes-like object: memory-mapped when the file is not
    compressed (reading a prefix of a huge file costs only that prefix), else decompressed bytes."""
    name = os.fspath(path)
    if _compression(name) is None:
        try:
            with open(name, "rb") as f:
                if os.fstat(f.fileno()).st_size == 0:
                    yield b""
                    return
                buf = mmap_module.mmap(f.fileno(), 0, access=mmap_module.ACCESS_READ)
        except (OSError, ValueError) as exc:
            raise error_cls(_describe_os_error(name, exc)) from exc
        try:
            yield buf
        finally:
            with contextlib.suppress(BufferError):  # arrays still viewing it (an error's traceback)
                buf.close()
    else:
        with _reading(name, error_cls) as f:
            data = f.read()
        yield data


def read_text(path: Any, error_cls: type[WordvecError], encoding: str = "utf8") -> str:
    """The text of a (possibly compressed) file; a decoding error names the line."""
    name = os.fspath(path)
    with _reading(name, error_cls) as f:
        data = f.read()
    try:
        return data.decode(encoding)
    except UnicodeDecodeError as exc:
        line = data[: exc.start].count(b"\n") + 1
        raise error_cls(f"{name}: line {line}: not valid {encoding} text ({exc.reason})") from exc
    except LookupError as exc:
        raise ParameterError(f"unknown encoding {encoding!r}") from exc


# ---------------------------------------------------------------------------------- word2vec reading

def _sniff_not_vectors(name: str, head: bytes) -> None:
    """Raise for content that is clearly something else (HTML, JSON, pickle, npy)."""
    if head.startswith(b"\x93NUMPY"):
        raise VectorFormatError(f"{name}: this is a NumPy .npy file, not a word2vec file")
    if head.startswith(b"\x80") and len(head) > 1 and head[1] <= 5:
        raise VectorFormatError(
            f"{name}: this looks like a Python pickle (gensim .save()?), not a word2vec file; "
            "wordvec never loads pickles"
        )
    stripped = head.lstrip()
    fields = stripped.split(b"\n", 1)[0].split()
    if len(fields) > 1 and _all_floats(fields[1:]):
        return  # a header or a word and its numbers, whatever the word looks like
    if stripped[:9].lower().startswith((b"<!doctype", b"<html", b"<?xml", b"<head", b"<body")):
        raise VectorFormatError(f"{name}: this is an HTML/XML page, not a word-vector file (a failed download?)")
    if stripped.startswith(b"{"):
        raise VectorFormatError(f"{name}: this looks like JSON (a wordvec native file? use KeyedVectors.load)")


def _parse_header(name: str, line: bytes, binary: bool) -> tuple[int, int]:
    m = _HEADER.fullmatch(line)
    if m is None:
        shown = line[:60].decode("utf8", "replace")
        fields = line.split()
        hint = ""
        if not binary and len(fields) > 2 and _all_floats(fields[1:]):
            hint = (f" — it holds a word and {len(fields) - 1} numbers: a file without a header "
                    "(GloVe style)? Load it with no_header=True")
        elif b"\x00" in line or not _is_utf8(line):
            hint = " — the file looks binary or damaged"
        raise VectorFormatError(f"{name}: line 1: expected a header '<n_words> <dimension>', got {shown!r}{hint}")
    n, d = int(m.group(1)), int(m.group(2))
    if not 1 <= d <= MAX_DIMENSION:
        raise VectorFormatError(f"{name}: line 1: the dimension in the header must be in 1..{MAX_DIMENSION}, got {d}")
    return n, d


def _all_floats(fields: Sequence[bytes]) -> bool:
    try:
        for f in fields:
            float(f)
    except ValueError:
        return False
    return True


def _is_utf8(data: bytes) -> bool:
    try:
        data.decode("utf8")
    except UnicodeDecodeError:
        return False
    return True


def _binary_hint(line: bytes) -> str:
    if _CONTROL_BYTES.search(line):
        return " (the line holds binary data: is this a binary file? pass binary=True)"
    return ""


def _decode_words(
    name: str, words: list[bytes], unicode_errors: str, encoding: str, where: Any
) -> list[str]:
    """Decode all words at once; on failure name the first bad one's place (``where(i)``)."""
    try:
        joined = b"\n".join(words).decode(encoding, unicode_errors)
    except UnicodeDecodeError:
        for i, w in enumerate(words):
            try:
                w.decode(encoding, unicode_errors)
            except UnicodeDecodeError as exc:
                raise VectorDecodeError(
                    f"{name}: {where(i)}: the word is not valid {encoding} ({exc.reason}); "
                    "pass unicode_errors='replace' to load it anyway", exc,
                ) from exc
        raise  # pragma: no cover - joined decoding failed but no single word does
    except LookupError as exc:
        raise ParameterError(f"unknown encoding {encoding!r} or unicode_errors {unicode_errors!r}") from exc
    return joined.split("\n") if words else []


def _drop_duplicates(name: str, keys: list[str], vectors: np.ndarray, where: Any) -> tuple[list[str], np.ndarray]:
    """Keep the first vector of each word (as gensim), warning about the others."""
    seen: dict[str, int] = {}
    keep = []
    for i, key in enumerate(keys):
        if key in seen:
            logger.warning("%s: %s: duplicate word %r (first at %s); keeping the first vector",
                           name, where(i), key, where(seen[key]))
        else:
            seen[key] = i
            keep.append(i)
    if len(keep) == len(keys):
        return keys, vectors
    return [keys[i] for i in keep], np.ascontiguousarray(vectors[keep])


def _check_finite(name: str, vectors: np.ndarray, keys_raw: list[bytes], where: Any) -> None:
    finite = np.isfinite(vectors).all(axis=1)
    if not finite.all():
        i = int(np.flatnonzero(~finite)[0])
        word = keys_raw[i].decode("utf8", "replace")
        raise VectorFormatError(
            f"{name}: {where(i)}: the vector of {word!r} holds a non-finite value (nan, inf or beyond float32 range)"
        )


def read_word2vec(
    path: Any,
    binary: bool = False,
    limit: int | None = None,
    unicode_errors: str = "strict",
    no_header: bool = False,
    encoding: str = "utf8",
) -> tuple[list[str], np.ndarray]:
    """Read a C word2vec text or binary file -> (words, (n, d) float32 C-contiguous vectors).

    ``limit`` reads only the first ``limit`` vectors (the rest of the file is not looked at).
    ``no_header=True`` reads text files without the ``"n d"`` line (GloVe). ``unicode_errors``
    is passed to ``bytes.decode`` for the words ('replace' loads files whose words the C tool cut
    in the middle of a UTF-8 character). Malformed input raises VectorFormatError naming the
    file and the line or byte offset.
    """
    name = os.fspath(path)
    limit = check_int("limit", limit, 1, allow_none=True)
    if binary:
        if no_header:
            raise ParameterError("no_header=True works only with text files (binary=False)")
        with _whole_file(name, VectorFormatError) as data:
            return _read_binary(name, data, limit, unicode_errors, encoding)
    return _read_text(name, limit, unicode_errors, encoding, no_header)


def _read_binary(name: str, data: Any, limit: int | None, unicode_errors: str, encoding: str) -> tuple[list[str], np.ndarray]:
    size = len(data)
    if size == 0:
        raise VectorFormatError(f"{name}: the file is empty")
    _sniff_not_vectors(name, bytes(data[:1024]))
    end_header = data.find(b"\n", 0, 256)
    if end_header < 0:
        raise VectorFormatError(f"{name}: line 1: no header line '<n_words> <dimension>' (no newline in the first 256 bytes)")
    n, d = _parse_header(name, bytes(data[:end_header]), binary=True)
    start = end_header + 1
    m = n if limit is None else min(n, limit)
    record = 4 * d
    if m * (record + 2) > size - start:
        raise TruncatedFileError(
            f"{name}: the header declares {n} vectors of dimension {d} (at least {m * (record + 2)} bytes for "
            f"{m} of them) but only {size - start} bytes follow it: the file is truncated or the header is wrong"
        )
    vectors = np.empty((m, d), dtype=np.float32)
    words: list[bytes] = []
    offsets: list[int] = []
    pos = start
    for i in range(m):
        while pos < size and data[pos] == 10:  # the newline after the previous vector, if written
            pos += 1
        space = data.find(b" ", pos)
        if space < 0 or space + 1 + record > size:
            raise TruncatedFileError(
                f"{name}: byte offset {pos}: file ends inside vector {i + 1} of {n}: the file is truncated "
                "or the header count is wrong"
            )
        word = bytes(data[pos:space])
        if not word or b"\n" in word:
            raise VectorFormatError(
                f"{name}: byte offset {pos}: expected a word then a space at vector {i + 1} of {n}, found "
                f"{word[:40]!r}: wrong dimension in the header, a damaged file, or a text file (pass binary=False)?"
            )
        raw = bytes(data[space + 1: space + 1 + record])
        if i == 0 and set(raw) <= _TEXT_NUMBER_BYTES:
            raise VectorFormatError(
                f"{name}: byte offset {space + 1}: the first vector is written as text, not binary: pass binary=False"
            )
        vectors[i] = np.frombuffer(raw, dtype="<f4")
        words.append(word)
        offsets.append(pos)
        pos = space + 1 + record
    if limit is None:
        rest = bytes(data[pos: pos + 64])
        if rest.strip() or (len(data) - pos > 64 and bytes(data[pos:]).strip()):
            raise VectorFormatError(
                f"{name}: byte offset {pos}: more data after the {n} vectors the header declares "
                "(the header count disagrees with the body)"
            )

    def where(i: int) -> str:
        return f"byte offset {offsets[i]}"

    _check_finite(name, vectors, words, where)
    keys = _decode_words(name, words, unicode_errors, encoding, where)
    return _drop_duplicates(name, keys, vectors, where)


def _line_values(name: str, line: bytes, line_no: int, d: int, hint: str = "") -> list[float]:
    """Python parse of one text line's values, raising a precise error for a bad line."""
    word, _, rest = line.partition(b" ")
    fields = rest.split()
    extra = _binary_hint(line) or hint
    if not line.strip():
        raise VectorFormatError(f"{name}: line {line_no}: empty line")
    if not word:
        raise VectorFormatError(f"{name}: line {line_no}: the line starts with a space (empty word){extra}")
    if not fields:
        shown = word[:40].decode("utf8", "replace")
        raise VectorFormatError(f"{name}: line {line_no}: the word {shown!r} has no vector values{extra}")
    if len(fields) != d:
        raise VectorFormatError(f"{name}: line {line_no}: expected {d} values after the word, found {len(fields)}{extra}")
    try:
        return [float(f) for f in fields]
    except ValueError:
        bad = next(f for f in fields if not _all_floats([f]))
        shown = bad[:30].decode("utf8", "replace")
        raise VectorFormatError(f"{name}: line {line_no}: {shown!r} is not a number{extra}") from None


def _read_text(name: str, limit: int | None, unicode_errors: str, encoding: str, no_header: bool) -> tuple[list[str], np.ndarray]:
    from . import textparse

    with _whole_file(name, VectorFormatError) as data:
        size = len(data)
        if size == 0:
            raise VectorFormatError(f"{name}: the file is empty")
        _sniff_not_vectors(name, bytes(data[:1024]))
        nl = data.find(b"\n")
        first_line = bytes(data[: nl if nl >= 0 else size])
        hint = ""
        if no_header:
            n = None
            start, first = 0, 1
            d = len(first_line.partition(b" ")[2].split())
            if not first_line.strip():
                raise VectorFormatError(f"{name}: line 1: empty line")
            if d == 0:
                _line_values(name, first_line, 1, 1)
            if _HEADER.fullmatch(first_line):
                hint = " (line 1 looks like a '<n_words> <dimension>' header: drop no_header=True?)"
            want = -1 if limit is None else limit
        else:
            if not first_line.strip():
                raise VectorFormatError(f"{name}: line 1: expected a header '<n_words> <dimension>', got an empty line")
            n, d = _parse_header(name, first_line, binary=False)
            start, first = (nl + 1 if nl >= 0 else size), 2
            end = data.find(b"\n", start, start + 4096)
            if _CONTROL_BYTES.search(bytes(data[start: end if end >= 0 else start + 4096])):
                raise VectorFormatError(
                    f"{name}: line 2: binary data in a text file: is this a binary word2vec file? pass binary=True"
                )
            want = -1 if limit is None else min(n, limit)
        buf = np.frombuffer(data, dtype=np.uint8)
        n_lines = textparse.count_lines(buf, start, want)
        if n_lines * (2 * d) > size - start + n_lines:
            # Not enough bytes for n_lines lines of d values: some line is bad; find it without allocating.
            for j, line in enumerate(bytes(data[start:]).split(b"\n")):
                _line_values(name, line, first + j, d, hint)
        vectors = np.empty((n_lines, d), dtype=np.float32)
        word_start = np.empty(n_lines, dtype=np.int64)
        word_end = np.empty(n_lines, dtype=np.int64)
        line_start = np.empty(n_lines, dtype=np.int64)
        flags = np.empty(n_lines, dtype=np.uint8)
        textparse.parse_lines(buf, start, n_lines, vectors, word_start, word_end, line_start, flags, textparse.POW10)
        del buf
        while n_lines and flags[n_lines - 1] == textparse.LINE_BLANK:
            n_lines -= 1
        if n is not None:
            m = n if limit is None else min(n, limit)
            hint = _binary_hint(bytes(data[start: start + 4096]))
            if n_lines < m:
                raise TruncatedFileError(
                    f"{name}: the header declares {n} vectors but the file ends after {n_lines} "
                    f"(at line {n_lines + 1}): the file is truncated or the header count is wrong{hint}"
                )
            if n_lines > n:
                raise VectorFormatError(
                    f"{name}: line {n + 2}: more vectors than the {n} the header declares "
                    f"(the header count disagrees with the body){hint}"
                )
        elif n_lines == 0:
            raise VectorFormatError(f"{name}: the file is empty")
        vectors = vectors[:n_lines]
        for j in np.flatnonzero(flags[:n_lines]).tolist():
            end = data.find(b"\n", int(line_start[j]))
            line = bytes(data[int(line_start[j]): end if end >= 0 else size])
            with np.errstate(over="ignore"):
                vectors[j] = np.asarray(_line_values(name, line, first + j, d, hint), dtype=np.float64)
        words = [bytes(data[s:e]) for s, e in zip(word_start[:n_lines].tolist(), word_end[:n_lines].tolist())]

    def where(i: int) -> str:
        return f"line {first + i}"

    _check_finite(name, vectors, words, where)
    keys = _decode_words(name, words, unicode_errors, encoding, where)
    return _drop_duplicates(name, keys, vectors, where)


# ---------------------------------------------------------------------------------- word2vec writing

@contextlib.contextmanager
def _writing(path: Any) -> Iterator[IO[bytes]]:
    """Atomically write ``path``, compressing for .gz / .bz2 names."""
    name = os.fspath(path)
    suffix = Path(name).suffix.lower()
    try:
        with atomic_write(name, "wb") as raw:
            if suffix == ".gz":
                with gzip.GzipFile(filename="", mode="wb", fileobj=raw, mtime=0) as f:
                    yield f
            elif suffix == ".bz2":
                with bz2.BZ2File(raw, "wb") as f:
                    yield f
            else:
                yield raw
    except OSError as exc:
        raise VectorFormatError(f"{name}: cannot write ({exc.strerror or exc})") from exc


def _encode_words(name: str, keys: Sequence[Any]) -> list[bytes]:
    out = []
    for i, key in enumerate(keys):
        if not isinstance(key, str):
            raise VectorFormatError(f"{name}: cannot write word {i} ({key!r}): words must be strings")
        if not key or _FORBIDDEN_IN_WORD.search(key):
            raise VectorFormatError(
                f"{name}: cannot write the word {key!r} in the word2vec format: a word must be non-empty and hold no "
                "space, tab or newline (readers split on them)"
            )
        out.append(key.encode("utf8"))
    return out


def _text_chunks(words: list[bytes], vectors: np.ndarray) -> Iterator[bytes]:
    """Text lines ``word v1 ... vd\\n`` with ``%.9g`` values (float32 round-trips exactly)."""
    fmt = " ".join(["%.9g"] * vectors.shape[1])
    for start in range(0, len(words), _WRITE_CHUNK_ROWS):
        rows = vectors[start: start + _WRITE_CHUNK_ROWS].astype(np.float64).tolist()
        lines = [w + b" " + (fmt % tuple(r)).encode("ascii") for w, r in zip(words[start:], rows)]
        yield b"\n".join(lines) + b"\n"


def _binary_chunks(words: list[bytes], vectors: np.ndarray) -> Iterator[bytes]:
    """Records ``word + b' ' + float32 LE bytes + b'\\n'`` (the C tool's layout)."""
    for start in range(0, len(words), _WRITE_CHUNK_ROWS):
        block = np.ascontiguousarray(vectors[start: start + _WRITE_CHUNK_ROWS], dtype="<f4")
        yield b"".join(w + b" " + row.tobytes() + b"\n" for w, row in zip(words[start:], block))


def write_word2vec(
    path: Any,
    keys: Sequence[str],
    vectors: np.ndarray,
    binary: bool = False,
    write_header: bool = True,
    header_count: int | None = None,
    append: bool = False,
) -> None:
    """Write words and their (n, d) vectors in the C word2vec text or binary format, atomically.

    ``write_header=False`` (text only) writes GloVe-style files. Words that the format cannot
    hold and non-finite values raise VectorFormatError before anything is written.
    ``header_count`` (>= n) declares more vectors than written and ``append=True`` adds to the
    end of an existing plain file instead (not atomic; a binary file may then omit the header):
    together they write one file in several parts, as gensim's ``total_vec`` / ``append``.
    """
    name = os.fspath(path)
    vectors = np.asarray(vectors)
    if vectors.ndim != 2 or vectors.shape[0] != len(keys):
        raise ParameterError(f"need one row per word: {len(keys)} words, vectors of shape {vectors.shape}")
    if binary and not write_header and not append:
        raise ParameterError("write_header=False works only with text files (binary=False) or when appending")
    if header_count is not None and check_int("total_vec", header_count, 0) < len(keys):
        raise ParameterError(f"total_vec={header_count} is less than the {len(keys)} vectors written", "total_vec")
    if append and Path(name).suffix.lower() in (".gz", ".bz2"):
        raise ParameterError("append=True works with uncompressed files only", "append")
    words = _encode_words(name, keys)
    finite = np.isfinite(vectors).all(axis=1)
    if not finite.all():
        bad = keys[int(np.flatnonzero(~finite)[0])]
        raise VectorFormatError(f"{name}: cannot write the vector of {bad!r}: it holds a non-finite value")
    chunks = _binary_chunks if binary else _text_chunks
    with _appending(name) if append else _writing(name) as f:
        if write_header:
            f.write(f"{len(words) if header_count is None else header_count} {vectors.shape[1]}\n".encode("ascii"))
        for chunk in chunks(words, vectors):
            f.write(chunk)


@contextlib.contextmanager
def _appending(path: str) -> Iterator[IO[bytes]]:
    try:
        with open(path, "ab") as f:
            yield f
    except OSError as exc:
        raise VectorFormatError(f"{path}: cannot write ({exc.strerror or exc})") from exc


def write_vocab(path: Any, keys: Sequence[str], counts: Sequence[int]) -> None:
    """Write ``word count`` lines (the C tool's ``-save-vocab`` file), atomically."""
    words = _encode_words(os.fspath(path), keys)
    with _writing(path) as f:
        f.write(b"".join(w + b" %d\n" % int(c) for w, c in zip(words, counts)))


def read_vocab(path: Any, unicode_errors: str = "strict") -> dict[str, int]:
    """Read a ``word count`` file -> {word: count}; a malformed line raises naming it."""
    name = os.fspath(path)
    with _reading(name, VectorFormatError) as f:
        data = f.read()
    counts: dict[str, int] = {}
    for line_no, line in enumerate(data.split(b"\n"), 1):
        fields = line.split()
        if not fields:
            continue
        if len(fields) != 2 or not fields[1].isdigit():
            raise VectorFormatError(f"{name}: line {line_no}: expected 'word count', got {line[:60]!r}")
        try:
            counts[fields[0].decode("utf8", unicode_errors)] = int(fields[1])
        except UnicodeDecodeError as exc:
            raise VectorDecodeError(f"{name}: line {line_no}: the word is not valid UTF-8 ({exc.reason})", exc) from exc
    return counts


# ---------------------------------------------------------------------------------- native format

def _native_vectors_path(path: Any) -> Path:
    path = Path(path)
    return path.with_name(path.name + ".vectors.npy")


class _HashingWriter:
    """A write-only file wrapper that hashes and counts what passes through."""

    def __init__(self, f: IO[bytes]) -> None:
        self._f = f
        self.sha256 = hashlib.sha256()
        self.size = 0

    def write(self, data: Any) -> int:
        view = memoryview(data).cast("B")
        self.sha256.update(view)
        self.size += view.nbytes
        return self._f.write(view)


def save_native(path: Any, kv: Any) -> None:
    """Write ``kv`` as ``path`` (JSON metadata) + ``path.vectors.npy`` (the matrix); see the module
    docstring for the layout. Both files are written atomically, the matrix first."""
    keys = list(kv.index_to_key)
    for i, key in enumerate(keys):
        if not isinstance(key, str):
            raise ParameterError(f"cannot save: key {i} is {key!r}, not a string (an unfilled slot?)")
    vectors = np.ascontiguousarray(kv.vectors)
    if vectors.shape != (len(keys), kv.vector_size):
        raise ParameterError(f"cannot save: vectors of shape {vectors.shape} for {len(keys)} keys")
    counts = kv.expandos.get("count")
    npy = _native_vectors_path(path)
    try:
        with atomic_write(npy, "wb") as f:
            hashing = _HashingWriter(f)
            np.lib.format.write_array(hashing, vectors, allow_pickle=False)
        meta = {
            "format": NATIVE_FORMAT,
            "version": NATIVE_VERSION,
            "vector_size": int(kv.vector_size),
            "dtype": vectors.dtype.name,
            "shape": [int(s) for s in vectors.shape],
            "keys": keys,
            "counts": None if counts is None else [int(c) for c in counts],
            "vectors_sha256": hashing.sha256.hexdigest(),
            "vectors_bytes": hashing.size,
        }
        with atomic_write(path, "w") as f:
            json.dump(meta, f, ensure_ascii=False, allow_nan=False)
    except OSError as exc:
        raise ModelFileError(f"{os.fspath(path)}: cannot write ({exc.strerror or exc})") from exc


_NATIVE_DTYPES = ("float16", "float32", "float64")


def _is_int(x: Any) -> bool:
    return type(x) is int


def _validate_meta(name: str, meta: Any) -> tuple[list[str], tuple[int, int], str, list[int] | None]:
    def bad(what: str) -> ModelFileError:
        return ModelFileError(f"{name}: not a valid wordvec native file: {what}")

    if not isinstance(meta, dict):
        raise bad(f"the JSON holds a {type(meta).__name__}, not an object")
    if meta.get("format") != NATIVE_FORMAT:
        raise bad(f"'format' is {meta.get('format')!r}, expected {NATIVE_FORMAT!r}")
    if not _is_int(meta.get("version")) or meta["version"] != NATIVE_VERSION:
        raise bad(f"unsupported version {meta.get('version')!r} (this wordvec reads version {NATIVE_VERSION})")
    shape = meta.get("shape")
    if not (isinstance(shape, list) and len(shape) == 2 and all(_is_int(s) and s >= 0 for s in shape)):
        raise bad(f"'shape' must be two non-negative integers, got {shape!r}")
    n, d = shape
    if meta.get("vector_size") != d or not _is_int(meta.get("vector_size")) or d < 1:
        raise bad(f"'vector_size' {meta.get('vector_size')!r} disagrees with shape {shape}")
    dtype = meta.get("dtype")
    if dtype not in _NATIVE_DTYPES:
        raise bad(f"'dtype' must be one of {_NATIVE_DTYPES}, got {dtype!r}")
    keys = meta.get("keys")
    if not (isinstance(keys, list) and len(keys) == n and all(isinstance(k, str) for k in keys)):
        raise bad(f"'keys' must be a list of {n} strings")
    if len(set(keys)) != n:
        dup = next(k for k, c in _count(keys) if c > 1)
        raise bad(f"duplicate key {dup!r}")
    counts = meta.get("counts")
    if counts is not None and not (
        isinstance(counts, list) and len(counts) == n and all(_is_int(c) and 0 <= c < 2**63 for c in counts)
    ):
        raise bad(f"'counts' must be null or a list of {n} non-negative integers")
    sha = meta.get("vectors_sha256")
    if not (isinstance(sha, str) and re.fullmatch(r"[0-9a-f]{64}", sha)):
        raise bad("'vectors_sha256' must be 64 hex digits")
    if not _is_int(meta.get("vectors_bytes")) or meta["vectors_bytes"] < 0:
        raise bad("'vectors_bytes' must be a non-negative integer")
    return keys, (n, d), dtype, counts


def _count(items: Sequence[str]) -> Iterator[tuple[str, int]]:
    seen: dict[str, int] = {}
    for k in items:
        seen[k] = seen.get(k, 0) + 1
    return iter(seen.items())


def _check_npy_header(npy: str, dtype: str, shape: tuple[int, int]) -> None:
    """Read the .npy header only and check it describes a C-ordered ``dtype`` array of ``shape``."""
    with open(npy, "rb") as f:
        try:
            version = np.lib.format.read_magic(f)
            if version == (1, 0):
                header = np.lib.format.read_array_header_1_0(f)
            elif version == (2, 0):
                header = np.lib.format.read_array_header_2_0(f)
            else:
                raise ValueError(f"unsupported .npy version {version}")
        except (ValueError, EOFError, SyntaxError, TypeError) as exc:
            raise ModelFileError(f"{npy}: not a valid .npy file ({exc})") from exc
    got_shape, fortran, got_dtype = header
    if got_dtype.hasobject or got_dtype != np.dtype(dtype) or tuple(got_shape) != shape or fortran:
        raise ModelFileError(
            f"{npy}: the matrix is {got_dtype} {tuple(got_shape)}{' (Fortran order)' if fortran else ''}, "
            f"but the metadata says {dtype} {shape}: the files do not belong together or were modified"
        )


def _sha256_file(path: str) -> str:
    h = hashlib.sha256()
    with open(path, "rb") as f:
        for block in iter(lambda: f.read(1 << 20), b""):
            h.update(block)
    return h.hexdigest()


def load_native(path: Any, mmap: str | None = None) -> tuple[list[str], np.ndarray, np.ndarray | None]:
    """Read a native file pair -> (keys, vectors, counts or None); never runs code from the files.

    ``mmap='r'`` (or ``'c'``, copy-on-write) memory-maps the matrix; its contents are then not
    hashed, only the header and size are checked.
    """
    name = os.fspath(path)
    if mmap not in (None, "r", "c"):
        raise ParameterError(f"mmap must be None, 'r' or 'c', got {mmap!r}")
    try:
        with open(name, "rb") as f:
            raw = f.read()
    except OSError as exc:
        raise ModelFileError(_describe_os_error(name, exc)) from exc
    if raw[:1] == b"\x80":
        raise ModelFileError(f"{name}: this looks like a Python pickle (a gensim .save() file?); wordvec never "
                             "loads pickles — convert it with gensim's save_word2vec_format")
    try:
        meta = json.loads(raw.decode("utf8"), parse_constant=_reject_constant)
    except (UnicodeDecodeError, ValueError, RecursionError) as exc:
        raise ModelFileError(f"{name}: not a wordvec native file (not valid JSON: {exc})") from exc
    keys, shape, dtype, counts = _validate_meta(name, meta)
    npy = str(_native_vectors_path(name))
    try:
        size = os.path.getsize(npy)
    except OSError as exc:
        raise ModelFileError(f"{name}: its matrix file is missing or unreadable ({_describe_os_error(npy, exc)})") from exc
    if size != meta["vectors_bytes"]:
        raise ModelFileError(
            f"{npy}: the file has {size} bytes, the metadata says {meta['vectors_bytes']}: truncated or modified"
        )
    _check_npy_header(npy, dtype, shape)
    if mmap is None and _sha256_file(npy) != meta["vectors_sha256"]:
        raise ModelFileError(f"{npy}: checksum mismatch: the matrix was modified or damaged after saving")
    try:
        vectors = np.load(npy, mmap_mode=mmap, allow_pickle=False)
    except (ValueError, OSError, EOFError) as exc:
        raise ModelFileError(f"{npy}: cannot read the matrix ({exc})") from exc
    if vectors.dtype != np.dtype(dtype) or vectors.shape != shape or not vectors.flags.c_contiguous:
        raise ModelFileError(f"{npy}: the matrix does not match its metadata")  # pragma: no cover
    return keys, vectors, None if counts is None else np.asarray(counts, dtype=np.int64)


def _reject_constant(token: str) -> None:
    raise ValueError(f"non-standard JSON constant {token}")
