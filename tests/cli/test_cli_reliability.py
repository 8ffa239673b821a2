"""The ``wordvec`` command under bad input, faults and interruptions, run as a user runs it.

Each case of test_reliability.py that the command meets: one line on stderr, exit status 1 (2 for
usage errors, 130 for Ctrl-C), no traceback, no output or temporary file left behind; Ctrl-C
during ``train`` writes a checkpoint that ``train --resume`` continues bit-identically.
"""
from __future__ import annotations

import gzip
import os
import re
import resource
import shlex
import signal
import subprocess
import sys
import threading
import time
import zipfile
from pathlib import Path

import numpy as np
import pytest
from test_cli import assert_user_error, wordvec
from test_reliability import _CtrlCAt, _npy, _Payload, zipf_text

from wordvec.cli import main as cli
from wordvec.vectors.keyedvectors import KeyedVectors
from wordvec.errors import TrainingInterrupted
from wordvec.models.word2vec import Word2Vec

QUIET = ["--no-progress", "--threads", "1", "--dim", "8"]


def files_in(folder: Path) -> list[str]:
    return sorted(os.listdir(folder))


@pytest.fixture(scope="module")
def text(tmp_path_factory) -> Path:
    path = tmp_path_factory.mktemp("text") / "corpus.txt"
    path.write_text(zipf_text(20_000, n_words=60))
    return path


# ===================================================================== 1. corpus files

CORPUS_ERRORS = {
    "missing": (lambda d: None, r"corpus file 'c' does not exist$"),
    "directory": (lambda d: (d / "c").mkdir(), r"corpus directory 'c' holds no files$"),  # a directory's files are a corpus
    "empty": (lambda d: (d / "c").write_bytes(b""), r"the corpus is empty: no words to train on$"),
    "whitespace": (lambda d: (d / "c").write_bytes(b"  \r\n\t\n\f"), r"the corpus is empty: no words to train on$"),
    "min-count": (lambda d: (d / "c").write_text("a b c\nd a\n"),
                  r"no word occurs at least min_count=5 times: the corpus has 5 words \(4 distinct\); lower min_count$"),
    "truncated-gz": (lambda d: (d / "c").write_bytes(gzip.compress(zipf_text(50_000).encode())[:30_000]),
                     r"corpus file 'c' is truncated or corrupt: Compressed file ended before the end-of-stream"),
}


@pytest.mark.parametrize("case", CORPUS_ERRORS)
def test_bad_corpus_files(tmp_path, case):
    make, pattern = CORPUS_ERRORS[case]
    make(tmp_path)
    before = files_in(tmp_path)
    proc = wordvec("train", "c", "-o", "v.txt", "--no-progress", cwd=tmp_path)
    assert_user_error(proc, 1, "^wordvec: error: " + pattern)
    assert files_in(tmp_path) == before


@pytest.mark.skipif(os.name != "posix" or os.geteuid() == 0, reason="root reads files whatever their permissions")
def test_unreadable_corpus(tmp_path):
    (tmp_path / "c").write_text("a b\n")
    (tmp_path / "c").chmod(0)
    proc = wordvec("train", "c", "-o", "v.txt", "--no-progress", cwd=tmp_path)
    assert_user_error(proc, 1, r"^wordvec: error: corpus file 'c' is not readable \(permission denied\)$")


def test_undecodable_bytes_are_one_warning_line(tmp_path, text):
    data = text.read_bytes()[:60_000] + np.random.default_rng(0).integers(0, 256, 20_000, dtype=np.uint8).tobytes()
    (tmp_path / "junk.bin").write_bytes(data)
    invalid = data.decode("utf-8", "replace").count("\ufffd") - data.count("\ufffd".encode())
    proc = wordvec("train", "junk.bin", "-o", "v.txt", "--min-count", 1, *QUIET, cwd=tmp_path)
    assert proc.returncode == 0, proc.stderr
    assert proc.stderr == f"wordvec: warning: junk.bin: {invalid} invalid UTF-8 byte sequences replaced by U+FFFD\n"
    assert len(KeyedVectors.load_word2vec_format(tmp_path / "v.txt")) > 500  # 60 words, the rest is junk


def test_windows_line_endings_give_the_same_file(tmp_path, text):
    (tmp_path / "crlf.txt").write_bytes(text.read_bytes().replace(b"\n", b"\r\n"))
    for name in ("crlf.txt", text):
        proc = wordvec("train", name, "-o", f"{Path(name).stem}.bin", "--binary", *QUIET, cwd=tmp_path)
        assert proc.returncode == 0, proc.stderr
    assert (tmp_path / "crlf.bin").read_bytes() == (tmp_path / "corpus.bin").read_bytes()


# ===================================================================== 3. parameters

BAD_VALUES = ["0", "-1", "nan", "inf", "1e400", "ten", "99999999999999"]
OPTIONS = {"--dim": "vector_size", "--window": "window", "--min-count": "min_count", "--sample": "sample",
           "--negative": "negative", "--alpha": "alpha", "--min-alpha": "min_alpha", "--epochs": "epochs",
           "--threads": "workers", "--seed": "seed"}
VALID = {("--sample", "0"), ("--min-alpha", "0"), ("--seed", "0"), ("--seed", "99999999999999"),
         ("--min-count", "0")}  # min_count=0 keeps every word, as gensim
FLOAT_OPTIONS = {"--sample", "--alpha", "--min-alpha"}


@pytest.mark.parametrize("option", OPTIONS)
def test_bad_values_are_one_line(option, text, tmp_path, capsys):
    """Every training option at 0, -1, NaN, inf, 1e400, a word and 10**14: valid, or one line and
    exit status 2 (argparse: not a number of the option's type) or 1 (out of range, including
    alpha and min_alpha large enough to diverge) naming the option or its parameter."""
    out = tmp_path / "v.txt"
    for value in BAD_VALUES:
        try:
            code = cli.main(["train", str(text), "-o", str(out), "--no-progress", "--threads", "1", option, value])
        except SystemExit as exc:
            code = exc.code
        err = capsys.readouterr().err
        if (option, value) in VALID:
            assert code == 0 and out.exists(), (value, err)
            out.unlink()
            continue
        not_a_number = value == "ten" or (value in ("nan", "inf", "1e400") and option not in FLOAT_OPTIONS)
        assert code == (2 if not_a_number else 1), (value, err)
        assert err.count("\n") == 1 and err.startswith("wordvec: error: ") and "Traceback" not in err, err
        assert option in err or OPTIONS[option] in err, err
        assert files_in(tmp_path) == []


def test_absurd_dimension_says_how_much_memory_it_needs(tmp_path, text):
    proc = wordvec("train", text, "-o", "v.txt", "--dim", 10**9, "--no-progress", cwd=tmp_path)
    assert_user_error(proc, 1, r"^wordvec: error: vector_size=1000000000 with 60 words needs [\d,.]+ GiB, more than "
                      r"the [\d,.]+ GiB of (this machine's memory|the address-space limit \(ulimit -v\)|the memory left "
                      r"under this process's cgroup limit \(container or job\)); lower vector_size \(--dim\), raise "
                      r"min_count \(--min-count\) or set max_vocab_size \(option --dim\)$")
    assert files_in(tmp_path) == []


# ===================================================================== 4. divergence


def test_divergence_writes_nothing(tmp_path, text):
    proc = wordvec("train", text, "-o", "v.txt", "--alpha", "1e3", *QUIET, cwd=tmp_path)
    assert_user_error(proc, 1, r"^wordvec: error: training diverged \(the loss or the vectors became non-finite\): "
                      r"alpha=1000.0 is too large; lower alpha \(the defaults are 0.025, and 0.05 for CBOW in wordvec train, "
                      r"as word2vec.c\)$")
    assert files_in(tmp_path) == []


# ===================================================================== 5./6. model files


def test_damaged_or_crafted_model_files(tmp_path, text):
    Word2Vec(corpus_file=text, vector_size=8, workers=1, epochs=1).save(tmp_path / "m.npz")
    raw = (tmp_path / "m.npz").read_bytes()
    (tmp_path / "cut.npz").write_bytes(raw[: len(raw) // 2])
    marker = tmp_path / "code-ran"
    evil = np.empty((3, 8), dtype=object)
    evil[0, 0] = _Payload(str(marker))
    with zipfile.ZipFile(tmp_path / "m.npz") as zin, zipfile.ZipFile(tmp_path / "evil.npz", "w") as zout:
        for name in zin.namelist():
            zout.writestr(name, _npy(evil) if name == "w_in.npy" else zin.read(name))
    for name in ("cut.npz", "evil.npz"):
        for args in (["similar", name, "w1"], ["eval", name], ["train", "--resume", name, "-o", "v.txt"]):
            proc = wordvec(*args, cwd=tmp_path)
            assert_user_error(proc, 1, rf"^wordvec: error: '{re.escape(name)}' is not a (readable|valid) wordvec model file")
    assert not marker.exists() and not (tmp_path / "v.txt").exists()


# ===================================================================== 7. atomic writes


def _limit_file_size():
    signal.signal(signal.SIGXFSZ, signal.SIG_IGN)  # then writes past the limit fail with EFBIG
    resource.setrlimit(resource.RLIMIT_FSIZE, (16 * 1024, resource.RLIM_INFINITY))


def test_disk_full_keeps_previous_outputs(tmp_path, text):
    big = [*QUIET, "--dim", "40"]  # text vectors of 29 KB, binary 10 KB, model 21 KB: the limit is 16 KB
    ok = wordvec("train", text, "-o", "v.txt", "--seed", 1, *big, cwd=tmp_path)  # the previous file
    assert ok.returncode == 0, ok.stderr
    before = (tmp_path / "v.txt").read_bytes()
    (tmp_path / "p.png").write_bytes(b"previous image")
    commands = {
        "train": (["train", str(text), "-o", "v.txt", "--seed", 2, *big],
                  r"writing the vectors to 'v\.txt' failed \(v\.txt: cannot write \(File too large\)\) and the trained "
                  r"model could not be saved either \('v\.txt\.checkpoint\.npz': File too large; '.*': File too large\)$"),
        "model": (["train", str(text), "-o", "v2.bin", "--binary", "--save-model", "m.npz", *big],
                  r"saving the model to 'm\.npz' failed \(File too large\) and the trained model could not be saved"),
        "plot": (["plot", "words", "v.txt", "w1", "w2", "w3", "-o", "p.png"], r"p\.png: File too large$"),
    }
    for args, pattern in commands.values():
        proc = subprocess.run([sys.executable, "-m", "wordvec.cli", *map(str, args)], cwd=tmp_path,
                              capture_output=True, text=True, timeout=120, preexec_fn=_limit_file_size)
        assert_user_error(proc, 1, "^wordvec: error: " + pattern)
    assert (tmp_path / "v.txt").read_bytes() == before and (tmp_path / "p.png").read_bytes() == b"previous image"
    assert files_in(tmp_path) == ["p.png", "v.txt", "v2.bin"]  # the vectors before the model: written


# ===================================================================== 8. interruption


class _Stderr:
    """Collects a process's stderr in a thread (a progress bar writes it without newlines)."""

    def __init__(self, proc: subprocess.Popen) -> None:
        self.data = b""
        self._thread = threading.Thread(target=self._read, args=(proc.stderr,), daemon=True)
        self._thread.start()

    def _read(self, pipe) -> None:
        while chunk := os.read(pipe.fileno(), 4096):
            self.data += chunk

    def wait_for_percent(self, proc: subprocess.Popen, percent: int, timeout: float = 120) -> None:
        end = time.monotonic() + timeout
        while time.monotonic() < end and proc.poll() is None:
            done = [int(p) for p in re.findall(rb"(\d+)%\|", self.data)]
            if done and done[-1] >= percent:
                return
            time.sleep(0.02)
        raise AssertionError(f"training did not reach {percent}%: {self.data[-500:]!r}")

    def text(self) -> str:
        self._thread.join(timeout=30)
        return self.data.decode()


TRAIN = ["--dim", "16", "--epochs", "20", "--threads", "1", "--seed", "5", "--format", "binary"]


def test_ctrl_c_checkpoints_and_resume_is_bit_identical(tmp_path):
    """SIGINT a few percent into a run on the bundled corpus: it stops at once with exit status
    130 and one line saying how to continue; running that command finishes the run, and the
    vectors are byte for byte those of an uninterrupted run with the same seed."""
    proc = subprocess.Popen([sys.executable, "-m", "wordvec.cli", "train", "-o", "v.bin", *TRAIN], cwd=tmp_path,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    err = _Stderr(proc)
    err.wait_for_percent(proc, 3)
    proc.send_signal(signal.SIGINT)
    sent = time.monotonic()
    assert proc.wait(timeout=60) == 130
    stopped_after = time.monotonic() - sent
    stderr = err.text()
    last = re.split(r"[\r\n]+", stderr.strip())[-1]
    assert last == ("wordvec: interrupted: checkpoint written to v.bin.checkpoint.npz; continue with: "
                    "wordvec train --resume v.bin.checkpoint.npz -o v.bin"), stderr  # .bin: binary
    assert "Traceback" not in stderr and proc.stdout.read() == b""
    assert files_in(tmp_path) == ["v.bin.checkpoint.npz"]
    state = Word2Vec.load(tmp_path / "v.bin.checkpoint.npz").pending_run
    assert state.epochs == 20 and state.epoch < 10, (state, stopped_after)  # stopped soon after the signal

    command = shlex.split(last.split("continue with: ")[1])
    assert command[0] == "wordvec"
    resumed = wordvec(*command[1:], "--no-progress", cwd=tmp_path)
    assert resumed.returncode == 0 and resumed.stderr == "", resumed.stderr
    m = re.match(r"trained ([\d,]+) words \(resumed in epoch (\d+) of 20\) in ", resumed.stdout)
    assert m and int(m.group(1).replace(",", "")) < 4_544_900, resumed.stdout  # this process's words only
    assert files_in(tmp_path) == ["v.bin"]  # the checkpoint is removed once the vectors are written

    straight = wordvec("train", "-o", "straight.bin", *TRAIN, "--no-progress", cwd=tmp_path)
    assert straight.returncode == 0, straight.stderr
    assert (tmp_path / "v.bin").read_bytes() == (tmp_path / "straight.bin").read_bytes()


@pytest.fixture
def checkpoint(tmp_path, text, monkeypatch) -> Path:
    """A checkpoint of a run over ``text`` interrupted in its first epoch (as ``train`` writes it)."""
    corpus = tmp_path / "corpus.txt"
    corpus.write_bytes(text.read_bytes() * 10)
    m = Word2Vec(vector_size=8, workers=1, epochs=2)
    m.build_vocab(corpus_file=corpus)
    _CtrlCAt(monkeypatch, 1)
    with pytest.raises(TrainingInterrupted):
        m.train(corpus_file=corpus, total_words=m.corpus_total_words, epochs=m.epochs,
                checkpoint=tmp_path / "v.txt.checkpoint.npz")
    monkeypatch.undo()
    return tmp_path / "v.txt.checkpoint.npz"


def test_resume_errors(checkpoint, tmp_path):
    proc = wordvec("train", "--resume", checkpoint.name, "-o", "v.txt", "--epochs", 3, cwd=tmp_path)
    assert_user_error(proc, 2, r"^wordvec: error: --epochs cannot be given with --resume: the run continues with "
                      r"the parameters saved in the checkpoint \(see 'wordvec train --help'\)$")
    (tmp_path / "corpus.txt").rename(tmp_path / "moved.txt")
    proc = wordvec("train", "--resume", checkpoint.name, "-o", "v.txt", cwd=tmp_path)
    assert_user_error(proc, 1, r"^wordvec: error: the corpus of the interrupted run, '.*corpus\.txt', does not "
                      r"exist any more; give it as CORPUS$")
    done = Word2Vec(corpus_file=tmp_path / "moved.txt", vector_size=8, workers=1, epochs=1)
    done.save(tmp_path / "done.npz")
    proc = wordvec("train", "--resume", "done.npz", "-o", "done.txt", cwd=tmp_path)  # a finished model: its vectors
    assert proc.returncode == 0 and proc.stdout.startswith("the finished model in done.npz: "), proc.stderr
    assert "'done.npz' holds a run that already completed (1 epoch trained): writing its outputs" in proc.stderr
    assert KeyedVectors.load_word2vec_format(tmp_path / "done.txt").index_to_key == done.wv.index_to_key
    (tmp_path / "done.txt").unlink()
    proc = wordvec("train", "moved.txt", "-o", "v.txt", "--checkpoint", "v.txt", cwd=tmp_path)
    assert_user_error(proc, 1, r"^wordvec: error: the checkpoint 'v.txt' and the output 'v.txt' are the same file; give them "
                      r"different names$")
    assert files_in(tmp_path) == ["done.npz", "moved.txt", "v.txt.checkpoint.npz"]
    proc = wordvec("train", "--resume", checkpoint.name, "-o", "v.txt", "moved.txt", "--no-progress", cwd=tmp_path)
    assert proc.returncode == 0 and re.match(r"trained [\d,]+ words \(resumed in epoch 1 of 2\)", proc.stdout), proc.stderr
    assert files_in(tmp_path) == ["done.npz", "moved.txt", "v.txt"]


def test_a_new_run_warns_about_an_earlier_checkpoint(checkpoint, tmp_path):
    before = checkpoint.read_bytes()
    proc = wordvec("train", "corpus.txt", "-o", "v.txt", *QUIET, cwd=tmp_path)
    assert proc.returncode == 0, proc.stderr
    assert proc.stderr == ("wordvec: warning: 'v.txt.checkpoint.npz' holds an earlier interrupted run; this run "
                           "starts over (continue that one with --resume v.txt.checkpoint.npz)\n")
    assert checkpoint.read_bytes() == before
