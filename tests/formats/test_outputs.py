"""The output policy (wordvec.formats.outputs) through the library's writers: symbolic links are
written through, FIFOs and character devices written in place and never replaced, read-only files
refused unless forced, an output never the same file as an input or another output, and temporary
files of a killed save cleaned on the next write."""
from __future__ import annotations

import logging
import os
import socket
import stat
import subprocess
import sys
import threading
from pathlib import Path

import numpy as np
import pytest

from wordvec.errors import OutputError
from wordvec.formats.atomic import atomic_write
from wordvec.formats.outputs import check_outputs, forcing, resolve_output, temp_prefix
from wordvec.plots.figures import plot_words
from wordvec.vectors.keyedvectors import KeyedVectors

posix = pytest.mark.skipif(os.name != "posix", reason="POSIX file types")


@pytest.fixture
def kv() -> KeyedVectors:
    rng = np.random.default_rng(0)
    return KeyedVectors.from_vectors([f"w{i}" for i in range(5)], rng.normal(size=(5, 4)).astype(np.float32))


def listing(folder: Path) -> list[str]:
    return sorted(os.listdir(folder))


@posix
def test_a_symlink_is_written_through(tmp_path, kv):
    (tmp_path / "real.txt").write_text("old")
    (tmp_path / "link.txt").symlink_to("real.txt")
    kv.save_word2vec_format(tmp_path / "link.txt")
    assert (tmp_path / "link.txt").is_symlink() and os.readlink(tmp_path / "link.txt") == "real.txt"
    assert (tmp_path / "real.txt").read_text().startswith("5 4\n")
    assert listing(tmp_path) == ["link.txt", "real.txt"]


@posix
def test_a_dangling_or_looping_symlink_is_refused(tmp_path, kv):
    (tmp_path / "dangling").symlink_to("nowhere/file.txt")
    with pytest.raises(OutputError, match=r"'.*dangling': it is a symbolic link to '.*nowhere/file.txt', which does not exist$"):
        kv.save_word2vec_format(tmp_path / "dangling")
    (tmp_path / "a").symlink_to("b")
    (tmp_path / "b").symlink_to("a")
    with pytest.raises(OutputError, match=r"it is a symbolic link to a loop of links$"):
        kv.save(tmp_path / "a")
    assert listing(tmp_path) == ["a", "b", "dangling"]


@posix
def test_a_fifo_is_written_in_place_and_stays_a_fifo(tmp_path, kv):
    fifo = tmp_path / "pipe"
    os.mkfifo(fifo)
    received: list[bytes] = []
    reader = threading.Thread(target=lambda: received.append(fifo.read_bytes()))
    reader.start()
    kv.save_word2vec_format(fifo, binary=True)
    reader.join(10)
    assert stat.S_ISFIFO(os.lstat(fifo).st_mode)
    assert received and received[0].startswith(b"5 4\n") and len(received[0]) == 4 + 5 * (3 + 16 + 1)
    assert listing(tmp_path) == ["pipe"]


@posix
def test_a_character_device_is_written_in_place(tmp_path, kv):
    before = os.stat("/dev/null")
    kv.save_word2vec_format("/dev/null")
    after = os.stat("/dev/null")
    assert stat.S_ISCHR(after.st_mode) and (after.st_ino, after.st_rdev) == (before.st_ino, before.st_rdev)
    assert resolve_output("/dev/null").stream


@posix
def test_a_socket_or_a_directory_is_refused(tmp_path, kv):
    sock = socket.socket(socket.AF_UNIX)
    try:
        sock.bind(str(tmp_path / "s"))
        with pytest.raises(OutputError, match=r"cannot write output '.*/s': it is a socket$"):
            resolve_output(tmp_path / "s")
    finally:
        sock.close()
    with pytest.raises(OutputError, match=r"it is a directory; give a file name$"):
        kv.save_word2vec_format(tmp_path)


@posix
def test_a_read_only_file_is_refused_unless_forced(tmp_path, kv):
    target = tmp_path / "v.txt"
    target.write_text("keep me")
    target.chmod(0o444)
    for write in (lambda: kv.save_word2vec_format(target), lambda: kv.save(target)):
        with pytest.raises(OutputError, match=r"cannot overwrite .*'.*v.txt': the file is read-only \(--force"):
            write()
    assert target.read_text() == "keep me" and listing(tmp_path) == ["v.txt"]
    kv.save_word2vec_format(target, force=True)
    assert target.read_text().startswith("5 4\n")
    assert stat.S_IMODE(target.stat().st_mode) == 0o444  # replaced, keeping its permissions (as cp -f)
    with forcing():
        kv.save_word2vec_format(target, binary=True)
    assert target.read_bytes().startswith(b"5 4\nw0 ")


def test_an_output_may_not_be_an_input_or_another_output(tmp_path):
    corpus = tmp_path / "corpus.txt"
    corpus.write_text("a b c\n")
    os.link(corpus, tmp_path / "hardlink.txt")
    with pytest.raises(OutputError, match=r"^the output '.*hardlink.txt' is the corpus '.*corpus.txt': writing it "
                                          r"would destroy the corpus; choose another output file$"):
        check_outputs({"output": tmp_path / "hardlink.txt"}, {"corpus": corpus})
    spelled = tmp_path / "sub" / ".." / "new.txt"
    (tmp_path / "sub").mkdir()
    with pytest.raises(OutputError, match=r"the model file '.*new.txt' and the output '.*new.txt' are the same file"):
        check_outputs({"output": tmp_path / "new.txt", "model file": spelled}, {"corpus": corpus})
    if os.name == "posix":
        (tmp_path / "alias").symlink_to("corpus.txt")
        with pytest.raises(OutputError, match=r"the checkpoint '.*alias' is the corpus"):
            check_outputs({"checkpoint": tmp_path / "alias"}, {"corpus": corpus})
    checked = check_outputs({"output": tmp_path / "v.txt", "model": None, "null": "/dev/null", "null2": "/dev/null"},
                            {"corpus": "-"})
    assert set(checked) == {"output", "null", "null2"}
    assert corpus.read_text() == "a b c\n"


def _dead_pid() -> int:
    proc = subprocess.Popen([sys.executable, "-c", "pass"])
    proc.wait()
    return proc.pid


def test_temporary_files_of_a_killed_save_are_removed_on_the_next_write(tmp_path, kv, caplog):
    target = tmp_path / "v.txt"
    dead = temp_prefix(target).rsplit(".", 2)[0] + f".{_dead_pid()}.abc123.tmp.txt"
    live = temp_prefix(target).rsplit(".", 2)[0] + f".{os.getppid()}.abc123.tmp.txt"
    older = ".v.k2j4h5g6.tmp.txt"  # an older wordvec's name: cannot tell whether its writer still runs
    other = ".unrelated.tmp.txt"
    for name in (dead, live, older, other):
        (tmp_path / name).write_bytes(b"partial")
    with caplog.at_level(logging.WARNING, logger="wordvec"):
        kv.save_word2vec_format(target)
    assert listing(tmp_path) == sorted([live, older, other, "v.txt"])
    messages = [r.getMessage() for r in caplog.records]
    assert any("removed 1 temporary file(s) of an interrupted save" in m and dead in m for m in messages), messages
    assert any(older in m and "delete them if not" in m for m in messages), messages


def test_an_error_during_the_write_leaves_nothing_behind(tmp_path):
    target = tmp_path / "v.txt"
    target.write_text("old")
    with pytest.raises(RuntimeError):
        with atomic_write(target, "w") as f:
            f.write("new")
            raise RuntimeError("boom")
    assert target.read_text() == "old" and listing(tmp_path) == ["v.txt"]


@posix
def test_plots_follow_the_same_policy(tmp_path, kv):
    (tmp_path / "real.png").write_bytes(b"")
    (tmp_path / "link.png").symlink_to("real.png")
    plot_words(kv, ["w0", "w1", "w2"], tmp_path / "link.png")
    assert (tmp_path / "link.png").is_symlink() and (tmp_path / "real.png").read_bytes()[:4] == b"\x89PNG"
    (tmp_path / "ro.png").write_bytes(b"x")
    (tmp_path / "ro.png").chmod(0o444)
    with pytest.raises(OutputError, match="read-only"):
        plot_words(kv, ["w0", "w1"], tmp_path / "ro.png")
    assert (tmp_path / "ro.png").read_bytes() == b"x"
