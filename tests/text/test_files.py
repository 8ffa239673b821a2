"""The input opener shared by corpora and vector files: compression told by content (the full bzip2
magic), pipes sniffed without losing a byte, standard input, a closed standard input."""
from __future__ import annotations

import bz2
import gzip
import lzma
import os
import subprocess
import sys
import threading

import pytest

from wordvec.text.files import (
    TextEncodingError, compression_of, is_regular_file, is_stdin, open_input, open_text_input, read_ahead,
)

TEXT = b"the quick brown fox\njumps over the lazy dog\n" * 50


@pytest.mark.parametrize("name, compress", [("gzip", gzip.compress), ("bzip2", bz2.compress), ("xz", lzma.compress),
                                            (None, lambda b: b)])
def test_compression_is_told_by_content_not_by_name(tmp_path, name, compress):
    path = tmp_path / "misleading.txt.gz"  # the name lies for all but gzip
    path.write_bytes(compress(TEXT))
    assert compression_of(path.read_bytes()[:10]) == name
    with open_input(path) as f:
        assert f.read() == TEXT


@pytest.mark.parametrize("start", [b"BZh", b"BZh9", b"BZh9 AY&SY", b"BZh0\x31\x41\x59\x26\x53\x59"])
def test_text_starting_with_bzh_is_text(tmp_path, start):
    path = tmp_path / "c.txt"
    path.write_bytes(start + b" is a word\n")
    assert compression_of(path.read_bytes()[:10]) is None
    with open_input(path) as f:
        assert f.read() == start + b" is a word\n"


def test_empty_bzip2_stream_is_bzip2(tmp_path):
    data = bz2.compress(b"")
    assert compression_of(data[:10]) == "bzip2"
    (tmp_path / "e").write_bytes(data)
    with open_input(tmp_path / "e") as f:
        assert f.read() == b""


@pytest.mark.skipif(os.name != "posix", reason="FIFOs")
@pytest.mark.parametrize("compress", [gzip.compress, lambda b: b])
def test_a_fifo_is_read_once_from_its_start(tmp_path, compress):
    fifo = tmp_path / "pipe"
    os.mkfifo(fifo)
    writer = threading.Thread(target=lambda: fifo.write_bytes(compress(TEXT)))
    writer.start()
    assert not is_regular_file(fifo)
    with open_input(fifo) as f:
        assert f.read() == TEXT
    writer.join(10)


def test_read_ahead_gives_the_bytes_back(tmp_path):
    path = tmp_path / "c.gz"
    path.write_bytes(gzip.compress(TEXT))
    with open_input(path) as f:
        head, again = read_ahead(f, 7, name="c.gz")
        assert head == TEXT[:7] and again.name == "c.gz"
        assert again.read() == TEXT


def test_standard_input_and_its_aliases():
    code = ("import sys; from wordvec.text.files import open_input; "
            "print(open_input(sys.argv[1]).read().decode(), end='')")
    for name in ("-", "/dev/stdin"):
        assert is_stdin(name)
        proc = subprocess.run([sys.executable, "-c", code, name], input=gzip.compress(b"abc\n"), capture_output=True)
        assert proc.returncode == 0 and proc.stdout == b"abc\n", proc.stderr
    proc = subprocess.run([sys.executable, "-c", code, "-"], stdin=subprocess.DEVNULL, capture_output=True)
    assert proc.stdout == b""


@pytest.mark.skipif(os.name != "posix", reason="closing a file descriptor for the child")
def test_closed_standard_input_is_an_oserror_saying_so():
    code = ("from wordvec.text.files import open_input\ntry:\n    open_input('-')\n"
            "except OSError as e:\n    print(e)")
    proc = subprocess.run(f"{sys.executable} -c \"{code}\" <&-", shell=True, capture_output=True, text=True)
    assert proc.stdout.strip() == "standard input is closed", proc.stderr


# ------------------------------------------------------------------------- text encodings

@pytest.mark.parametrize("encoding, note", [
    ("utf-16", "UTF-16 (little-endian) text decoded to UTF-8"),
    ("utf-16-be", None), ("utf-32", "UTF-32 (little-endian) text decoded to UTF-8"), ("utf-8-sig", "UTF-8 byte-order mark skipped"),
])
def test_byte_order_marks_are_decoded_saying_so(tmp_path, encoding, note):
    text = "naïve café\r\nthe end ✓\n" * 3000
    data = text.encode(encoding)
    if encoding == "utf-16-be":
        data = b"\xfe\xff" + data
        note = "UTF-16 (big-endian) text decoded to UTF-8"
    (tmp_path / "c.gz").write_bytes(gzip.compress(data))
    stream, got_note, verbatim = open_text_input(tmp_path / "c.gz")
    assert not verbatim
    with stream:
        assert stream.read() == text.encode("utf-8")
    assert got_note == note


@pytest.mark.parametrize("data, looks_like", [
    ("plain words here\n".encode("utf-16-le") * 100, "UTF-16 \\(little-endian\\) text without a byte-order mark"),
    ("plain words here\n".encode("utf-16-be") * 100, "UTF-16 \\(big-endian\\) text without a byte-order mark"),
    (b"\0".join([b"word"] * 500), "NUL-separated words or binary data"),
])
def test_nul_heavy_text_without_a_mark_is_refused_saying_what_it_looks_like(tmp_path, data, looks_like):
    (tmp_path / "c").write_bytes(data)
    with pytest.raises(TextEncodingError, match=rf"^\d+% of its first [\d,]+ bytes are NUL: this looks like {looks_like}"):
        open_text_input(tmp_path / "c")


def test_utf8_text_passes_untouched(tmp_path):
    (tmp_path / "c").write_bytes(TEXT + b"\xff broken utf-8 stays for the reader to count\n")
    stream, note, verbatim = open_text_input(tmp_path / "c")
    with stream:
        assert stream.read() == TEXT + b"\xff broken utf-8 stays for the reader to count\n" and note is None
    assert verbatim
    (tmp_path / "c.gz").write_bytes(gzip.compress(TEXT))
    stream, note, verbatim = open_text_input(tmp_path / "c.gz")
    stream.close()
    assert not verbatim and note is None
