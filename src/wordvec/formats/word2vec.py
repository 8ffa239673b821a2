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

Reading: compression (gzip, bzip2, xz) is told by the content, not the name, and decompressed as
the file is read (:mod:`wordvec.text.files`), so ``limit`` costs only the vectors it reads; a plain
file is memory-mapped; a FIFO, ``'-'`` (standard input) or an open binary file object is streamed.
Writing: a name ending in ``.gz`` or ``.bz2`` is compressed. Words are UTF-8 and kept whole (the C
tool cuts words at 100 bytes; we do not).

Decisions on unusual input (each has a test):

* A word cannot hold ASCII whitespace (space, tab, LF, CR, VT, FF) in these formats: readers
  split on it, and so does the corpus tokenizer, so trained words never hold it. Writing such a
  word raises :class:`VectorFormatError` naming it. Every other character round-trips, control
  bytes (NUL, ESC...) included: the readers' test for binary data in a text file looks only at
  what follows the word.
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
modified or truncated file, or one holding nan or inf, is refused with
:class:`~wordvec.errors.ModelFileError`. With ``mmap='r'`` the contents are neither hashed nor
checked for non-finite values (that would read the whole file, which memory mapping avoids); the
header and size are still checked. Saving writes the ``.npy`` first and the JSON
last, each atomically; the JSON records the checksum of the matrix it belongs to.
"""
from __future__ import annotations

import contextlib
import gzip
import bz2
import hashlib
import io
import json
import logging
import lzma
import mmap as mmap_module
import os
import re
import stat
import zlib
from pathlib import Path
from typing import IO, Any, Iterator, Sequence

import numpy as np

from .atomic import atomic_write
from .outputs import check_outputs
from ..errors import ModelFileError, ParameterError, TruncatedFileError, VectorDecodeError, VectorFormatError, WordvecError
from ..text.files import open_input
from ..validation import check_int

logger = logging.getLogger(__name__)

__all__ = [
    "read_word2vec", "write_word2vec", "read_vocab", "write_vocab", "save_native", "load_native", "is_native_file",
    "read_text", "open_vectors_source", "source_name", "NATIVE_FORMAT", "NATIVE_VERSION",
]

NATIVE_FORMAT = "wordvec.KeyedVectors"
NATIVE_VERSION = 1
MAX_DIMENSION = 2**31 - 1

_HEADER = re.compile(rb"\s*(\d{1,20})\s+(\d{1,20})\s*")
_FORBIDDEN_IN_WORD = re.compile(r"[ \t\n\r\v\f]")  # ASCII whitespace: where readers (and the tokenizer) split
_TEXT_NUMBER_BYTES = frozenset(b"0123456789.-+eE \t\r\n")
_WRITE_CHUNK_ROWS = 4096
_STREAM_BLOCK = 1 << 24  # bytes read from a stream at a time
_MAX_WORD_BYTES = 1 << 20  # a binary file's word longer than this is damage
_MAX_LINE_BYTES = 1 << 27  # a text file's line longer than this (d of about 8 million) is damage
_CONTROL_BYTES = re.compile(rb"[\x00-\x08\x0e-\x1f]")  # never in text files, common in float32 data


# ---------------------------------------------------------------------------------- reading files

def _describe_os_error(path: str, exc: BaseException) -> str:
    if isinstance(exc, FileNotFoundError):
        return f"{path}: no such file"
    if isinstance(exc, IsADirectoryError):
        return f"{path}: is a directory, not a file"
    if isinstance(exc, PermissionError):
        return f"{path}: permission denied"
    text = str(exc).lower()
    if isinstance(exc, (EOFError, zlib.error, lzma.LZMAError)) or "gzip" in text or "invalid data stream" in text:
        return f"{path}: compressed data is damaged or truncated ({exc})"
    if "standard input is closed" in text:
        return f"{path}: standard input is closed"
    return f"{path}: cannot read ({exc})"


def source_name(source: Any) -> str:
    """The name used in messages for a path or an open binary file object."""
    if hasattr(source, "read"):
        name = getattr(source, "name", None)
        return name if isinstance(name, str) else "<stream>"
    return os.fspath(source)


@contextlib.contextmanager
def open_vectors_source(source: Any, error_cls: type[WordvecError] = VectorFormatError) -> Iterator[IO[bytes]]:
    """A binary file object reading the decompressed content of ``source`` (a path, '-' for
    standard input, or an already open binary file object, used as is); OS and decompression
    errors become ``error_cls`` naming the file. See :func:`wordvec.text.files.open_input`."""
    name = source_name(source)
    try:
        if hasattr(source, "read"):
            yield source
        else:
            with open_input(source) as f:
                yield f
    except (OSError, EOFError, zlib.error, lzma.LZMAError) as exc:
        if isinstance(exc, WordvecError):
            raise
        raise error_cls(_describe_os_error(name, exc)) from exc


def _mapped(f: IO[bytes]) -> Any:
    """The content of ``f`` memory-mapped when it is a plain (uncompressed) regular file, else None."""
    if not isinstance(f, io.BufferedReader) or not isinstance(getattr(f, "raw", None), io.FileIO):
        return None
    try:
        st = os.fstat(f.fileno())
    except (OSError, ValueError):
        return None
    if not stat.S_ISREG(st.st_mode):
        return None
    if st.st_size == 0:
        return b""
    return mmap_module.mmap(f.fileno(), 0, access=mmap_module.ACCESS_READ)


def read_text(path: Any, error_cls: type[WordvecError], encoding: str = "utf8") -> str:
    """The text of a (possibly compressed) file; a decoding error names the line."""
    name = source_name(path)
    with open_vectors_source(path, error_cls) as f:
        data = f.read()
    try:
        return data.decode(encoding)
    except UnicodeDecodeError as exc:
        line = data[: exc.start].count(b"\n") + 1
        raise error_cls(f"{name}: line {line}: not valid {encoding} text ({exc.reason})") from exc
    except LookupError as exc:
        raise ParameterError(f"unknown encoding {encoding!r}") from exc


class _Window:
    """The bytes of a file addressed by absolute offset: all of a memory map, or a sliding window
    over a stream, read on demand (so reading the first ``limit`` vectors of a compressed file
    decompresses only what they need) and dropped once consumed."""

    def __init__(self, mapped: Any = None, stream: IO[bytes] | None = None) -> None:
        self.stream = stream
        self.buf: Any = mapped if stream is None else bytearray()
        self.base = 0
        self.eof = stream is None

    @property
    def end(self) -> int:
        return self.base + len(self.buf)

    def size(self) -> int | None:
        """The file's size if known (memory-mapped), else None."""
        return len(self.buf) if self.stream is None else None

    def fill(self, end: int) -> bool:
        """Read until ``end`` bytes are available (or the end of the file); True if they are."""
        while self.end < end and not self.eof:
            data = self.stream.read(max(1 << 16, end - self.end))  # type: ignore[union-attr]
            if not data:
                self.eof = True
            else:
                self.buf += data
        return self.end >= end

    def find(self, sub: bytes, start: int, max_len: int = 1 << 62) -> int:
        """Offset of ``sub`` at or after ``start`` and before ``start + max_len``, else -1."""
        stop = start + max_len
        pos = start
        while True:
            i = self.buf.find(sub, pos - self.base, min(stop, self.end) - self.base)
            if i >= 0:
                return self.base + i
            if self.end >= stop or self.eof:
                return -1
            pos = max(start, self.end - len(sub) + 1)
            self.fill(self.end + 1)

    def __getitem__(self, key: slice) -> bytes:
        return bytes(self.buf[key.start - self.base: key.stop - self.base])

    def byte(self, i: int) -> int:
        return self.buf[i - self.base]

    def release(self, before: int) -> None:
        """Forget the bytes before ``before`` (streams only; cheap when done in large steps)."""
        if self.stream is not None and before - self.base >= _STREAM_BLOCK:
            del self.buf[: before - self.base]
            self.base = before


# ---------------------------------------------------------------------------------- word2vec reading

#: The first four bytes of a fastText ``.bin`` model (its magic number, little-endian int32).
FASTTEXT_SIGNATURE = (793712314).to_bytes(4, "little")


def detect_format(path: Any) -> str:
    """The format of a vector file from its content: 'fasttext', 'native', 'model', 'text' or 'binary'.

    A JSON object is a native ``KeyedVectors.save`` file, a zip archive a ``Word2Vec.save``
    model. Otherwise it is a word2vec file (plain or compressed): 'text' when the line after the
    ``"<n> <d>"`` header is a word followed by decimal numbers (how many is the reader's to
    check), else 'binary' (raw float32 bytes practically never read as decimal numbers). A file
    that is none of these is reported by the text reader.
    """
    with open_vectors_source(path, VectorFormatError) as f:
        return format_of(f.read(1 << 16))


def format_of(head: bytes) -> str:
    """:func:`detect_format` for the first 64 KiB of a file ('fasttext' for a fastText ``.bin``,
    which starts with fastText's signature)."""
    if head[:4] == FASTTEXT_SIGNATURE:
        return "fasttext"
    if head.lstrip()[:1] == b"{":
        return "native"
    if head[:4] == b"PK\x03\x04":
        return "model"
    header, _, rest = head.partition(b"\n")
    fields = header.split()
    if len(fields) != 2 or not all(x.isdigit() for x in fields):
        return "text"
    values = rest.split(b"\n", 1)[0].split()[1:]
    try:
        return "text" if values and [float(v) for v in values] else "binary"
    except ValueError:
        return "binary"


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


def _values_part(line: bytes) -> bytes:
    """What follows the word: decimal numbers in a text file, raw float32 bytes in a binary one
    (a word itself may hold control bytes)."""
    return line.partition(b" ")[2]


def _binary_hint(line: bytes) -> str:
    if _CONTROL_BYTES.search(_values_part(line)):
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

    ``path`` is a path (a plain file is memory-mapped; a compressed file, a FIFO or '-' for
    standard input is streamed) or an open binary file object. ``limit`` reads only the first
    ``limit`` vectors: the rest of the file is neither read nor decompressed. ``no_header=True``
    reads text files without the ``"n d"`` line (GloVe). ``unicode_errors`` is passed to
    ``bytes.decode`` for the words ('replace' loads files whose words the C tool cut in the
    middle of a UTF-8 character). Malformed input raises VectorFormatError naming the file and
    the line or byte offset.
    """
    name = source_name(path)
    limit = check_int("limit", limit, 1, allow_none=True)
    if binary and no_header:
        raise ParameterError("no_header=True works only with text files (binary=False)")
    with open_vectors_source(path) as f:
        mapped = _mapped(f)
        window = _Window(mapped=mapped) if mapped is not None else _Window(stream=f)
        try:
            if binary:
                return _read_binary(name, window, limit, unicode_errors, encoding)
            return _read_text(name, window, limit, unicode_errors, encoding, no_header)
        finally:
            if isinstance(mapped, mmap_module.mmap):
                with contextlib.suppress(BufferError):  # arrays still viewing it (an error's traceback)
                    mapped.close()


def _read_binary(name: str, data: _Window, limit: int | None, unicode_errors: str, encoding: str) -> tuple[list[str], np.ndarray]:
    data.fill(1024)
    if data.end == 0:
        raise VectorFormatError(f"{name}: the file is empty")
    _sniff_not_vectors(name, data[0:min(1024, data.end)])
    end_header = data.find(b"\n", 0, 256)
    if end_header < 0:
        raise VectorFormatError(f"{name}: line 1: no header line '<n_words> <dimension>' (no newline in the first 256 bytes)")
    n, d = _parse_header(name, data[0:end_header], binary=True)
    start = end_header + 1
    m = n if limit is None else min(n, limit)
    record = 4 * d
    size = data.size()
    if size is not None and m * (record + 2) > size - start:
        raise TruncatedFileError(
            f"{name}: the header declares {n} vectors of dimension {d} (at least {m * (record + 2)} bytes for "
            f"{m} of them) but only {size - start} bytes follow it: the file is truncated or the header is wrong"
        )
    # A stream's length is unknown: grow the matrix as vectors arrive, so a lying header allocates nothing.
    vectors = np.empty((m if size is not None else min(m, 1 + _STREAM_BLOCK // record), d), dtype=np.float32)
    words: list[bytes] = []
    offsets: list[int] = []
    pos = start
    buf, base, end = data.buf, data.base, data.end  # the window, re-read after it changes
    for i in range(m):
        while True:  # skip the newline after the previous vector, if written
            if pos >= end:
                if not data.fill(pos + 1):
                    break
                buf, base, end = data.buf, data.base, data.end
            if buf[pos - base] != 10:
                break
            pos += 1
        space = buf.find(b" ", pos - base, (end if end < pos + _MAX_WORD_BYTES else pos + _MAX_WORD_BYTES) - base)
        if space >= 0:
            space += base
        else:
            space = data.find(b" ", pos, _MAX_WORD_BYTES)
            if space < 0 and data.fill(pos + _MAX_WORD_BYTES):
                raise VectorFormatError(
                    f"{name}: byte offset {pos}: no space within {_MAX_WORD_BYTES} bytes at vector {i + 1} of {n}: "
                    "a damaged file, or a text file (pass binary=False)?"
                )
            buf, base, end = data.buf, data.base, data.end
        stop = space + 1 + record
        if space < 0 or stop > end:
            if space < 0 or not data.fill(stop):
                raise TruncatedFileError(
                    f"{name}: byte offset {pos}: file ends inside vector {i + 1} of {n}: the file is truncated "
                    "or the header count is wrong"
                )
            buf, base, end = data.buf, data.base, data.end
        word = bytes(buf[pos - base: space - base])
        if not word or b"\n" in word:
            raise VectorFormatError(
                f"{name}: byte offset {pos}: expected a word then a space at vector {i + 1} of {n}, found "
                f"{word[:40]!r}: wrong dimension in the header, a damaged file, or a text file (pass binary=False)?"
            )
        raw = buf[space + 1 - base: stop - base]
        if i == 0 and set(raw) <= _TEXT_NUMBER_BYTES:
            raise VectorFormatError(
                f"{name}: byte offset {space + 1}: the first vector is written as text, not binary: pass binary=False"
            )
        if i == len(vectors):
            vectors = np.concatenate([vectors, np.empty((min(m, 2 * i) - i, d), dtype=np.float32)])
        vectors[i] = np.frombuffer(raw, dtype="<f4")
        words.append(word)
        offsets.append(pos)
        pos = stop
        if data.stream is not None and pos - base >= _STREAM_BLOCK:
            data.release(pos)
            buf, base, end = data.buf, data.base, data.end
    vectors = vectors[:m]
    if limit is None:
        while data.fill(pos + 1):
            rest = data[pos:data.end]
            if rest.strip():
                raise VectorFormatError(
                    f"{name}: byte offset {pos + len(rest) - len(rest.lstrip())}: more data after the {n} vectors the "
                    "header declares (the header count disagrees with the body)"
                )
            pos = data.end
            data.release(pos)

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


def _line_end(name: str, data: _Window, pos: int, line_no: int) -> int:
    """Offset of the newline ending the line at ``pos`` (-1: the file ends first); a line longer
    than _MAX_LINE_BYTES is an error, so a stream without newlines is never read whole."""
    nl = data.find(b"\n", pos, _MAX_LINE_BYTES)
    if nl < 0 and data.fill(pos + _MAX_LINE_BYTES):
        raise VectorFormatError(
            f"{name}: line {line_no}: longer than {_MAX_LINE_BYTES >> 20} MiB: not a word2vec text file, or damaged"
        )
    return nl


def _text_block_end(name: str, data: _Window, pos: int, line_no: int) -> int:
    """End of the next block of whole lines from ``pos``: all of a memory map; about
    _STREAM_BLOCK bytes of a stream, cut after a newline (or at the end of the file)."""
    if data.stream is None:
        return data.end
    data.fill(pos + _STREAM_BLOCK)
    if data.eof:
        return data.end
    cut = data.buf.rfind(b"\n", pos - data.base)
    if cut >= 0:
        return data.base + cut + 1
    nl = _line_end(name, data, pos, line_no)  # a line longer than a block
    return nl + 1 if nl >= 0 else data.end


def _read_text(
    name: str, data: _Window, limit: int | None, unicode_errors: str, encoding: str, no_header: bool
) -> tuple[list[str], np.ndarray]:
    from . import textparse

    data.fill(4096)
    if data.end == 0:
        raise VectorFormatError(f"{name}: the file is empty")
    _sniff_not_vectors(name, data[0:min(1024, data.end)])
    nl = _line_end(name, data, 0, 1)
    first_line = data[0: nl if nl >= 0 else data.end]
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
        start, first = (nl + 1 if nl >= 0 else data.end), 2
        data.fill(start + 4096)
        end = data.find(b"\n", start, 4096)
        if _CONTROL_BYTES.search(_values_part(data[start: end if end >= 0 else min(start + 4096, data.end)])):
            raise VectorFormatError(
                f"{name}: line 2: binary data in a text file: is this a binary word2vec file? pass binary=True"
            )
        want = -1 if limit is None else min(n, limit)
    data.fill(start + 4096)
    body_hint = _binary_hint(data[start: min(start + 4096, data.end)].split(b"\n", 1)[0])
    parts: list[np.ndarray] = []
    words: list[bytes] = []
    total = 0  # vectors read
    line_no = first  # of the block's first line
    blank_from = None  # first line of a run of blank lines not yet followed by a vector
    pos = start
    while want != 0:
        block_end = _text_block_end(name, data, pos, line_no)
        if block_end <= pos:
            break
        buf = np.frombuffer(data.buf, dtype=np.uint8)[pos - data.base: block_end - data.base]
        k = textparse.count_lines(buf, 0, want)
        if k * (2 * d) > len(buf) + k:
            # Not enough bytes for k lines of d values: some line is bad; find it without allocating.
            for j, line in enumerate(bytes(buf).split(b"\n")):
                _line_values(name, line, line_no + j, d, hint)
        vectors = np.empty((k, d), dtype=np.float32)
        word_start = np.empty(k, dtype=np.int64)
        word_end = np.empty(k, dtype=np.int64)
        line_start = np.empty(k, dtype=np.int64)
        flags = np.empty(k, dtype=np.uint8)
        textparse.parse_lines(buf, 0, k, vectors, word_start, word_end, line_start, flags, textparse.POW10)
        del buf
        t = k
        while t and flags[t - 1] == textparse.LINE_BLANK:
            t -= 1
        if t and blank_from is not None:
            raise VectorFormatError(f"{name}: line {blank_from}: empty line")
        if t < k and blank_from is None:
            blank_from = line_no + t
        for j in np.flatnonzero(flags[:t]).tolist():
            s = pos + int(line_start[j])
            e = data.find(b"\n", s, block_end - s)
            line = data[s: e if e >= 0 else block_end]
            with np.errstate(over="ignore"):
                vectors[j] = np.asarray(_line_values(name, line, line_no + j, d, hint), dtype=np.float64)
        words += [data[pos + s: pos + e] for s, e in zip(word_start[:t].tolist(), word_end[:t].tolist())]
        parts.append(vectors[:t])
        total += t
        if n is not None and limit is None and total > n:
            raise VectorFormatError(
                f"{name}: line {n + 2}: more vectors than the {n} the header declares "
                f"(the header count disagrees with the body){body_hint}"
            )
        line_no += k
        if want > 0:
            want -= k
        pos = block_end
        data.release(pos)
        if data.stream is None:
            break
    if n is not None:
        m = n if limit is None else min(n, limit)
        if total < m:
            raise TruncatedFileError(
                f"{name}: the header declares {n} vectors but the file ends after {total} "
                f"(at line {total + 1}): the file is truncated or the header count is wrong{body_hint}"
            )
    elif total == 0:
        raise VectorFormatError(f"{name}: the file is empty")
    vectors = parts[0] if len(parts) == 1 else np.concatenate(parts) if parts else np.empty((0, d), np.float32)

    def where(i: int) -> str:
        return f"line {first + i}"

    _check_finite(name, vectors, words, where)
    keys = _decode_words(name, words, unicode_errors, encoding, where)
    return _drop_duplicates(name, keys, vectors, where)


# ---------------------------------------------------------------------------------- word2vec writing

@contextlib.contextmanager
def _writing(path: Any, force: bool | None = None) -> Iterator[IO[bytes]]:
    """Atomically write ``path``, compressing for .gz / .bz2 names."""
    name = os.fspath(path)
    suffix = Path(name).suffix.lower()
    try:
        with atomic_write(name, "wb", force=force) as raw:
            if suffix == ".gz":
                with gzip.GzipFile(filename="", mode="wb", fileobj=raw, mtime=0) as f:
                    yield f
            elif suffix == ".bz2":
                with bz2.BZ2File(raw, "wb") as f:
                    yield f
            else:
                yield raw
    except WordvecError:
        raise
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
                "whitespace (space, tab, newline, CR, VT or FF: readers split words there)"
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
    force: bool | None = None,
) -> None:
    """Write words and their (n, d) vectors in the C word2vec text or binary format, atomically.

    ``write_header=False`` (text only) writes GloVe-style files. Words that the format cannot
    hold and non-finite values raise VectorFormatError before anything is written. ``force``
    replaces a read-only file (see :mod:`wordvec.formats.outputs`).
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
    with _appending(name) if append else _writing(name, force) as f:
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


def write_vocab(path: Any, keys: Sequence[str], counts: Sequence[int], force: bool | None = None) -> None:
    """Write ``word count`` lines (the C tool's ``-save-vocab`` file), atomically."""
    words = _encode_words(os.fspath(path), keys)
    with _writing(path, force) as f:
        f.write(b"".join(w + b" %d\n" % int(c) for w, c in zip(words, counts)))


def read_vocab(path: Any, unicode_errors: str = "strict") -> dict[str, int]:
    """Read a ``word count`` file -> {word: count}; a malformed line raises naming it."""
    name = os.fspath(path)
    with open_vectors_source(name, VectorFormatError) as f:
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


def save_native(path: Any, kv: Any, force: bool | None = None) -> None:
    """Write ``kv`` as ``path`` (JSON metadata) + ``path.vectors.npy`` (the matrix); see the module
    docstring for the layout. Both files are written atomically, the matrix first; ``force``
    replaces read-only files (see :mod:`wordvec.formats.outputs`)."""
    keys = list(kv.index_to_key)
    for i, key in enumerate(keys):
        if not isinstance(key, str):
            raise ParameterError(f"cannot save: key {i} is {key!r}, not a string (an unfilled slot?)")
    vectors = np.ascontiguousarray(kv.vectors)
    if vectors.shape != (len(keys), kv.vector_size):
        raise ParameterError(f"cannot save: vectors of shape {vectors.shape} for {len(keys)} keys")
    counts = kv.expandos.get("count")
    npy = _native_vectors_path(path)
    check_outputs({"vectors file": path, "matrix file": npy}, force=force)
    if not np.isfinite(vectors).all():
        bad = keys[int(np.flatnonzero(~np.isfinite(vectors).all(axis=1))[0])]
        raise ModelFileError(f"{os.fspath(path)}: cannot save the vector of {bad!r}: it holds a non-finite value")
    try:
        with atomic_write(npy, "wb", force=force) as f:
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
        with atomic_write(path, "w", force=force) as f:
            json.dump(meta, f, ensure_ascii=False, allow_nan=False)
    except WordvecError:
        raise
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


def is_native_file(path: Any) -> bool:
    """True when ``path`` starts as :func:`save_native` writes its metadata (without reading further)."""
    try:
        with open(os.fspath(path), "rb") as f:
            head = f.read(64)
    except OSError:
        return False
    return head.startswith(json.dumps({"format": NATIVE_FORMAT})[:-1].encode("utf-8"))


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
    if mmap is None:
        finite = np.isfinite(vectors).all(axis=1)
        if not finite.all():
            i = int(np.flatnonzero(~finite)[0])
            raise ModelFileError(f"{npy}: the vector of {keys[i]!r} holds a non-finite value (nan or inf)")
    return keys, vectors, None if counts is None else np.asarray(counts, dtype=np.int64)


def _reject_constant(token: str) -> None:
    raise ValueError(f"non-standard JSON constant {token}")
