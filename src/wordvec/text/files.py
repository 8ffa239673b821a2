"""Opening input files: one opener for corpora and vector files, compression told by content.

:func:`open_input` returns a binary file object reading the decompressed content of a path, of
standard input ('-', ``/dev/stdin``), a FIFO or any other readable file. Compression is told
from the first bytes, never from the name, and streamed (nothing is decompressed ahead of what
the caller reads):

* gzip: ``1f 8b``;
* bzip2: ``BZh``, a block size digit ``1``-``9``, then the 48-bit magic of a block
  (``31 41 59 26 53 59``) or of the end of stream (``17 72 45 38 50 90``): a text that merely
  starts with "BZh" is read as text;
* xz: ``fd 37 7a 58 5a 00``.

Telling the compression consumes nothing: a seekable file is rewound; a FIFO or pipe gets its
first bytes handed back in front of the rest, so it is read once, from its start.

Errors are plain ``OSError`` (the caller words them for its kind of file); a closed standard
input is an ``OSError`` whose message says so.

:func:`open_text_input` also settles the text encoding (wordvec reads UTF-8): a UTF-8
byte-order mark is dropped; UTF-16 and UTF-32 text with a byte-order mark is decoded to UTF-8 as
it is read; text with many NUL bytes and no byte-order mark (UTF-16 without one, NUL-separated
words, binary data) is refused with :class:`TextEncodingError`, saying which it looks like.
"""
from __future__ import annotations

import bz2
import gzip
import io
import lzma
import os
import stat
import sys
from typing import BinaryIO

from ..errors import TextEncodingError

__all__ = [
    "open_input", "open_text_input", "read_ahead", "compression_of", "is_stdin", "is_regular_file",
    "TextEncodingError", "SNIFF_BYTES",
]

SNIFF_BYTES = 10
_BZIP2_BLOCK = b"\x31\x41\x59\x26\x53\x59"
_BZIP2_END = b"\x17\x72\x45\x38\x50\x90"
_XZ = b"\xfd7zXZ\x00"
_STDIN_NAMES = ("-", "/dev/stdin", "/dev/fd/0", "/proc/self/fd/0")


def compression_of(head: bytes) -> str | None:
    """'gzip', 'bzip2', 'xz' or None (plain) for a file starting with ``head`` (10 bytes suffice)."""
    if head[:2] == b"\x1f\x8b":
        return "gzip"
    if head[:3] == b"BZh" and head[3:4] in b"123456789" and len(head) >= 10 and head[4:10] in (_BZIP2_BLOCK, _BZIP2_END):
        return "bzip2"
    if head[:6] == _XZ:
        return "xz"
    return None


def is_stdin(path: str | os.PathLike) -> bool:
    """Whether ``path`` names standard input ('-' or /dev/stdin and its aliases)."""
    return os.fspath(path) in _STDIN_NAMES


def is_regular_file(path: str | os.PathLike) -> bool:
    """Whether ``path`` is a regular file (following links): not a FIFO, device or standard input."""
    if is_stdin(path):
        return False
    try:
        return stat.S_ISREG(os.stat(path).st_mode)
    except OSError:
        return False


class _Prefixed(io.RawIOBase):
    """A raw stream that returns ``head`` and then the rest of ``source`` (a non-seekable file)."""

    def __init__(self, head: bytes, source: BinaryIO, name: str | None = None) -> None:
        self._head = memoryview(head)
        self._source = source
        self.name = name if name is not None else getattr(source, "name", None)

    def readable(self) -> bool:
        return True

    def readinto(self, b) -> int:  # type: ignore[override]
        if self._head.nbytes:
            n = min(len(b), self._head.nbytes)
            b[:n] = self._head[:n]
            self._head = self._head[n:]
            return n
        data = self._source.read(len(b))
        b[: len(data)] = data
        return len(data)

    def fileno(self) -> int:
        return self._source.fileno()

    def close(self) -> None:
        try:
            self._source.close()
        finally:
            super().close()


class _OwnsSource:
    """Mixin: closing the decompressor also closes the file it reads."""

    _source: BinaryIO | None = None

    def close(self) -> None:
        try:
            super().close()  # type: ignore[misc]
        finally:
            if self._source is not None:
                self._source.close()


class _Gzip(_OwnsSource, gzip.GzipFile):
    pass


class _Bzip2(_OwnsSource, bz2.BZ2File):
    pass


class _Xz(_OwnsSource, lzma.LZMAFile):
    pass


def _open_raw(path: str | os.PathLike) -> BinaryIO:
    if is_stdin(path):
        if sys.stdin is None:
            raise OSError("standard input is closed")
        try:
            fd = os.dup(sys.stdin.fileno())
        except (OSError, ValueError, AttributeError):
            raise OSError("standard input is closed") from None
        return open(fd, "rb")
    return open(path, "rb")


def open_input(path: str | os.PathLike) -> BinaryIO:
    """A binary file object reading the decompressed content of ``path`` (see the module docstring).

    Raises OSError (FileNotFoundError, IsADirectoryError, PermissionError...) as ``open`` does.
    """
    f = _open_raw(path)
    try:
        if f.seekable():
            head = f.read(SNIFF_BYTES)
            f.seek(0)
            source: BinaryIO = f
        else:
            head = b""
            while len(head) < SNIFF_BYTES:
                more = f.read(SNIFF_BYTES - len(head))
                if not more:
                    break
                head += more
            source = io.BufferedReader(_Prefixed(head, f), buffer_size=1 << 16)  # type: ignore[assignment]
    except BaseException:
        f.close()
        raise
    kind = compression_of(head)
    if kind is None:
        return source
    opened = {"gzip": lambda: _Gzip(fileobj=source, mode="rb"), "bzip2": lambda: _Bzip2(source, mode="rb"),
              "xz": lambda: _Xz(source, mode="rb")}[kind]()
    opened._source = source
    return opened  # type: ignore[return-value]


def read_ahead(f: BinaryIO, n: int, name: str | None = None) -> tuple[bytes, BinaryIO]:
    """The first ``n`` bytes of ``f`` (fewer at its end) and a file object that reads ``f`` from
    where it was, those bytes included: format detection that consumes nothing, even on a pipe.
    ``name`` (default ``f.name``) is the new object's ``name``."""
    head = b""
    while len(head) < n:
        more = f.read(n - len(head))
        if not more:
            break
        head += more
    return head, io.BufferedReader(_Prefixed(head, f, name), buffer_size=1 << 16)  # type: ignore[return-value]


_BOMS = (  # longest first: the UTF-32 LE mark starts with the UTF-16 LE one
    (b"\xff\xfe\x00\x00", "utf-32", "UTF-32 (little-endian)"),
    (b"\x00\x00\xfe\xff", "utf-32", "UTF-32 (big-endian)"),
    (b"\xff\xfe", "utf-16", "UTF-16 (little-endian)"),
    (b"\xfe\xff", "utf-16", "UTF-16 (big-endian)"),
)
UTF8_BOM = b"\xef\xbb\xbf"
NUL_SNIFF_BYTES = 1 << 16
MAX_NUL_FRACTION = 0.01


class _Utf8From(io.RawIOBase):
    """UTF-8 bytes of a stream in another encoding (undecodable sequences become U+FFFD)."""

    def __init__(self, source: BinaryIO, encoding: str) -> None:
        self._text = io.TextIOWrapper(source, encoding=encoding, errors="replace", newline="")  # type: ignore[arg-type]
        self._pending = b""
        self.name = getattr(source, "name", None)

    def readable(self) -> bool:
        return True

    def readinto(self, b) -> int:  # type: ignore[override]
        while not self._pending:
            chunk = self._text.read(1 << 16)
            if not chunk:
                return 0
            self._pending = chunk.encode("utf-8")
        n = min(len(b), len(self._pending))
        b[:n] = self._pending[:n]
        self._pending = self._pending[n:]
        return n

    def close(self) -> None:
        try:
            self._text.close()
        finally:
            super().close()


def _nul_guess(head: bytes) -> str:
    odd = head[1::2].count(0)
    even = head[0::2].count(0)
    if odd > 4 * max(even, 1):
        return "UTF-16 (little-endian) text without a byte-order mark"
    if even > 4 * max(odd, 1):
        return "UTF-16 (big-endian) text without a byte-order mark"
    return "NUL-separated words or binary data"


def open_text_input(path: str | os.PathLike) -> tuple[BinaryIO, str | None, bool]:
    """:func:`open_input` for text read as UTF-8: returns ``(stream, note, verbatim)`` where
    ``note`` says what was done to the encoding (None when nothing was) and ``verbatim`` whether
    the stream's bytes are the file's own (not decompressed, not decoded, nothing skipped: byte
    offsets in the file are offsets in the stream). Raises TextEncodingError for NUL-heavy text
    without a byte-order mark (see the module docstring)."""
    f = open_input(path)
    try:
        verbatim = isinstance(f, io.BufferedReader) and isinstance(getattr(f, "raw", None), io.FileIO)
        head, stream = read_ahead(f, NUL_SNIFF_BYTES)
        for bom, encoding, label in _BOMS:
            if head.startswith(bom):
                decoded = io.BufferedReader(_Utf8From(stream, encoding), 1 << 16)
                return decoded, f"{label} text decoded to UTF-8", False  # type: ignore[return-value]
        if head.startswith(UTF8_BOM):
            stream.read(len(UTF8_BOM))
            return stream, "UTF-8 byte-order mark skipped", False
        nul = head.count(0)
        if head and nul > MAX_NUL_FRACTION * len(head):
            raise TextEncodingError(
                f"{100 * nul / len(head):.0f}% of its first {len(head):,} bytes are NUL: this looks like "
                f"{_nul_guess(head)}, not UTF-8 text; convert it to UTF-8 with one sentence per line "
                "(for example with iconv)"
            )
        return stream, None, verbatim
    except BaseException:
        f.close()
        raise
