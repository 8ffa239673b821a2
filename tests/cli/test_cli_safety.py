"""The ``wordvec`` command's promises on outputs, inputs and small edge cases, run as a user runs it:
nothing overwritten that should not be (inputs, other outputs, read-only files, devices, links),
pipes and standard input read or refused in one line, eval and sst edge cases, warnings and
memory errors as one line."""
from __future__ import annotations

import gzip
import json
import os
import resource
import stat
import subprocess
import sys
import threading
from pathlib import Path

import numpy as np
import pytest
from test_cli import assert_user_error
from test_reliability import zipf_text

from wordvec.formats.outputs import temp_prefix
from wordvec.vectors.keyedvectors import KeyedVectors

QUIET = ["--no-progress", "--threads", "1", "--dim", "8", "--epochs", "1", "--min-count", "1"]
posix = pytest.mark.skipif(os.name != "posix", reason="POSIX files and file descriptors")


def run(*args, cwd: Path, stdin: bytes | None = None, close_stdin: bool = False, limit_as: int | None = None):
    """``python -m wordvec.cli ARGS`` with text output; optionally stdin closed or RLIMIT_AS set."""
    def setup() -> None:
        if close_stdin:
            os.close(0)
        if limit_as is not None:
            resource.setrlimit(resource.RLIMIT_AS, (limit_as, limit_as))

    proc = subprocess.run(
        [sys.executable, "-m", "wordvec.cli", *map(str, args)], input=stdin, capture_output=True, cwd=cwd,
        timeout=300, preexec_fn=setup if (close_stdin or limit_as) else None,
        stdin=None if stdin is not None or close_stdin else subprocess.DEVNULL,
    )
    return subprocess.CompletedProcess(proc.args, proc.returncode, proc.stdout.decode(), proc.stderr.decode())


@pytest.fixture
def folder(tmp_path) -> Path:
    (tmp_path / "c.txt").write_text(zipf_text(3000, n_words=40))
    return tmp_path


def listing(folder: Path) -> list[str]:
    return sorted(os.listdir(folder))


def ok(proc: subprocess.CompletedProcess) -> None:
    assert proc.returncode == 0, proc.stderr
    assert "Traceback" not in proc.stderr


# ============================================================ outputs never destroy what they should not

@pytest.mark.parametrize("case", ["output-is-corpus", "model-is-output", "checkpoint-is-corpus", "matrix-is-checkpoint"])
def test_an_output_is_never_an_input_or_another_output(folder, case):
    os.link(folder / "c.txt", folder / "hard.txt")
    args, pattern = {
        "output-is-corpus": (["c.txt", "-o", "sub/../c.txt"], r"the output 'sub/\.\./c\.txt' is the corpus 'c\.txt': writing it "
                             r"would destroy the corpus; choose another output file$"),
        "model-is-output": (["c.txt", "-o", "v.txt", "--save-model", "sub/../v.txt"],
                            r"the model file 'sub/\.\./v\.txt' and the output 'v\.txt' are the same file"),
        "checkpoint-is-corpus": (["c.txt", "-o", "v.txt", "--checkpoint", "hard.txt"],
                                 r"the checkpoint 'hard\.txt' is the corpus 'c\.txt'"),
        "matrix-is-checkpoint": (["c.txt", "-o", "v", "--format", "native", "--checkpoint", "v.vectors.npy"],
                                 r"the output matrix 'v\.vectors\.npy' and the checkpoint 'v\.vectors\.npy' are the same"),
    }[case]
    (folder / "sub").mkdir()
    before = (folder / "c.txt").read_bytes()
    proc = run("train", *args, *QUIET, cwd=folder)
    assert_user_error(proc, 1, "^wordvec: error: " + pattern)
    assert (folder / "c.txt").read_bytes() == before
    assert listing(folder) == ["c.txt", "hard.txt", "sub"]


def test_a_read_only_output_is_refused_unless_forced(folder):
    for name in ("v.txt", "m.npz"):
        (folder / name).write_text("keep")
        (folder / name).chmod(0o444)
    proc = run("train", "c.txt", "-o", "v.txt", *QUIET, cwd=folder)
    assert_user_error(proc, 1, r"^wordvec: error: cannot overwrite output 'v\.txt': the file is read-only "
                               r"\(--force or force=True replaces it\)$")
    proc = run("train", "c.txt", "-o", "new.txt", "--save-model", "m.npz", *QUIET, cwd=folder)
    assert_user_error(proc, 1, r"cannot overwrite model file 'm\.npz': the file is read-only")
    assert (folder / "v.txt").read_text() == "keep" and (folder / "m.npz").read_text() == "keep"
    assert listing(folder) == ["c.txt", "m.npz", "v.txt"]
    ok(run("train", "c.txt", "-o", "v.txt", "--save-model", "m.npz", "--force", *QUIET, cwd=folder))
    assert (folder / "v.txt").read_text().startswith("40 8\n")
    assert (folder / "m.npz").read_bytes()[:2] == b"PK"
    assert listing(folder) == ["c.txt", "m.npz", "v.txt"]


@posix
def test_devices_are_written_in_place_and_never_replaced(folder):
    before = os.stat("/dev/null")
    proc = run("train", "c.txt", "-o", "/dev/null", *QUIET, cwd=folder)
    ok(proc)
    after = os.stat("/dev/null")
    assert stat.S_ISCHR(after.st_mode) and (after.st_ino, after.st_rdev) == (before.st_ino, before.st_rdev)
    assert listing(folder) == ["c.txt"]
    proc = run("train", "c.txt", "-o", "/dev/stdout", *QUIET, cwd=folder)
    ok(proc)
    lines = proc.stdout.splitlines()
    assert lines[0] == "40 8" and len(lines) == 42 and lines[-1].startswith("trained ")


@posix
def test_a_symlinked_output_writes_its_target(folder):
    (folder / "real.txt").write_text("old")
    (folder / "link.txt").symlink_to("real.txt")
    (folder / "dangling.txt").symlink_to("gone/v.txt")
    ok(run("train", "c.txt", "-o", "link.txt", *QUIET, cwd=folder))
    assert (folder / "link.txt").is_symlink() and (folder / "real.txt").read_text().startswith("40 8\n")
    proc = run("train", "c.txt", "-o", "dangling.txt", *QUIET, cwd=folder)
    assert_user_error(proc, 1, r"cannot write output 'dangling\.txt': it is a symbolic link to '.*gone/v\.txt', "
                               r"which does not exist$")
    assert listing(folder) == ["c.txt", "dangling.txt", "link.txt", "real.txt"]


def test_temporary_files_of_a_killed_save_are_removed_and_named(folder):
    dead = subprocess.Popen([sys.executable, "-c", "pass"])
    dead.wait()
    leftover = temp_prefix(folder / "v.txt").rsplit(".", 2)[0] + f".{dead.pid}.k3j2h1g0.tmp.txt"
    (folder / leftover).write_bytes(b"half a file")
    proc = run("train", "c.txt", "-o", "v.txt", *QUIET, cwd=folder)
    ok(proc)
    assert listing(folder) == ["c.txt", "v.txt"]
    assert proc.stderr == (f"wordvec: warning: removed 1 temporary file(s) of an interrupted save of "
                           f"'v.txt': {leftover}\n")


def test_plot_follows_the_output_policy(folder):
    kv = KeyedVectors.from_vectors(["a", "b", "c"], np.eye(3, dtype=np.float32))
    kv.save_word2vec_format(folder / "v.txt")
    (folder / "p.png").write_bytes(b"old")
    (folder / "p.png").chmod(0o444)
    proc = run("plot", "words", "v.txt", "a", "b", "c", "-o", "p.png", cwd=folder)
    assert_user_error(proc, 1, r"^wordvec: error: cannot overwrite plot 'p\.png': the file is read-only")
    assert (folder / "p.png").read_bytes() == b"old"
    ok(run("plot", "words", "v.txt", "a", "b", "c", "-o", "p.png", "--force", cwd=folder))
    assert (folder / "p.png").read_bytes()[:4] == b"\x89PNG"


# ============================================================ inputs: pipes, standard input, compression

@posix
def test_a_fifo_corpus_trains_like_the_file(folder):
    os.mkfifo(folder / "pipe")
    writer = threading.Thread(target=lambda: (folder / "pipe").write_bytes(gzip.compress((folder / "c.txt").read_bytes())))
    writer.start()
    ok(run("train", "pipe", "-o", "a.txt", *QUIET, cwd=folder))
    writer.join(10)
    ok(run("train", "c.txt", "-o", "b.txt", *QUIET, cwd=folder))
    assert (folder / "a.txt").read_bytes() == (folder / "b.txt").read_bytes()


@posix
def test_closed_standard_input_is_one_line(folder):
    proc = run("train", "-", "-o", "v.txt", *QUIET, cwd=folder, close_stdin=True)
    assert_user_error(proc, 1, r"^wordvec: error: cannot read the corpus from standard input: it is closed$")
    proc = run("similar", "-", "w1", cwd=folder, close_stdin=True)
    assert_user_error(proc, 1, r"^wordvec: error: -: standard input is closed$")
    assert listing(folder) == ["c.txt"]


@posix
@pytest.mark.parametrize("binary", [False, True])
def test_vectors_from_pipes_fifos_and_dev_stdin(folder, binary):
    ok(run("train", "c.txt", "-o", "v.bin", "--format", "binary" if binary else "text", *QUIET, cwd=folder))
    data = gzip.compress((folder / "v.bin").read_bytes())
    expected = run("similar", "v.bin", "w1", "-n", "3", cwd=folder)
    ok(expected)
    for source in ("-", "/dev/stdin"):
        proc = run("similar", source, "w1", "-n", "3", cwd=folder, stdin=data)
        ok(proc)
        assert proc.stdout == expected.stdout
    os.mkfifo(folder / "pipe")
    writer = threading.Thread(target=lambda: (folder / "pipe").write_bytes(data))
    writer.start()
    proc = run("similar", "pipe", "w1", "-n", "3", cwd=folder)
    writer.join(10)
    ok(proc)
    assert proc.stdout == expected.stdout


def test_native_vectors_from_a_pipe_are_one_line(folder):
    KeyedVectors.from_vectors(["a", "b"], np.eye(2, dtype=np.float32)).save(folder / "kv.json")
    proc = run("similar", "-", "a", cwd=folder, stdin=(folder / "kv.json").read_bytes())
    assert_user_error(proc, 1, r"^wordvec: error: -: a native file must be read from a regular file, not a pipe")


def test_a_corpus_starting_with_bzh_is_text(folder):
    (folder / "bzh.txt").write_text("BZh91 starts this text\n" + (folder / "c.txt").read_text())
    ok(run("train", "bzh.txt", "-o", "v.txt", *QUIET, cwd=folder))
    assert "BZh91" in KeyedVectors.load_word2vec_format(folder / "v.txt").key_to_index


# ============================================================ eval, sst, warnings, memory

@pytest.fixture
def vectors(folder) -> Path:
    KeyedVectors.from_vectors(["a", "b", "c"], np.array([[1, 0], [1, 1], [0, 1]], np.float32)).save_word2vec_format(
        folder / "v.txt")
    return folder / "v.txt"


def test_eval_with_fewer_than_two_known_pairs_reports_null(folder, vectors):
    (folder / "pairs.txt").write_text("a\tb\t1.0\nx\ty\t2.0\nq\tz\t3.0\n")
    proc = run("eval", "v.txt", "--similarity", "pairs.txt", "--json", cwd=folder)
    ok(proc)
    row = json.loads(proc.stdout)["similarity"][0]
    assert row["spearman"] is None and row["pearson"] is None and abs(row["oov_ratio"] - 200 / 3) < 1e-9
    assert proc.stderr == ("wordvec: warning: pairs.txt: 1 pair(s) of known words: correlations need at least 2, "
                           "reported as nan\n")


@pytest.mark.parametrize("score", ["nan", "inf", "-Infinity"])
def test_eval_refuses_a_non_finite_gold_score(folder, vectors, score):
    (folder / "pairs.txt").write_text(f"a\tb\t1.0\na\tc\t{score}\nb\tc\t3\n")
    proc = run("eval", "v.txt", "--similarity", "pairs.txt", cwd=folder)
    assert_user_error(proc, 1, rf"^wordvec: error: pairs\.txt: line 2: the score '{score}' is not a finite number$")


def test_runtime_warnings_are_one_line(folder, vectors):
    (folder / "pairs.txt").write_text("a\tb\t1.0\na\tc\t1.0\nb\tc\t1.0\n")  # constant scores: undefined correlation
    proc = run("eval", "v.txt", "--similarity", "pairs.txt", cwd=folder)
    ok(proc)
    lines = proc.stderr.splitlines()
    assert lines and all(line.startswith("wordvec: warning: ") for line in lines), proc.stderr
    assert "ConstantInputWarning" in lines[0] and len(lines) == 1


@pytest.mark.parametrize("args, pattern", [
    (["--seed", "-1"], r"seed must be an integer >= 0, got -1 \(option --seed\)$"),
    (["--alpha", "-1"], r"alpha must be > 0\.0, got -1\.0 \(option --alpha\)$"),
    (["--threads", "0"], r"workers must be an integer in \[1, \d+\], got 0 \(option --threads\)$"),
    (["--reference", "--seed", "-5"], r"seed must be an integer in \[0, 4294967295\], got -5 \(option --seed\)$"),
])
def test_sst_validates_before_creating_its_folder(folder, args, pattern):
    proc = run("sst", "-o", "out/sst", "--iterations", "1", "--no-progress", *args, cwd=folder)
    assert_user_error(proc, 1, "^wordvec: error: " + pattern)
    assert listing(folder) == ["c.txt"]


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="RLIMIT_AS semantics")
def test_memory_beyond_the_address_space_limit_is_one_line(folder):
    proc = run("train", "c.txt", "-o", "v.txt", "--no-progress", "--threads", "1", "--dim", "20000000", "--epochs", "1",
               "--min-count", "1", cwd=folder, limit_as=3 << 30)
    assert_user_error(proc, 1, r"^wordvec: error: .*needs [\d.,]+ GiB|^wordvec: error: out of memory")
    assert "address-space limit (ulimit -v)" in proc.stderr and "--dim" in proc.stderr
    assert listing(folder) == ["c.txt"]


# ============================================================ a failed final write keeps the finished work

@pytest.mark.skipif(not os.path.exists("/dev/full"), reason="needs /dev/full")
def test_a_full_disk_at_the_final_write_saves_the_model_and_says_where(folder):
    proc = run("train", "c.txt", "-o", "/dev/full", *QUIET, cwd=folder)
    assert_user_error(proc, 1, r"^wordvec: error: writing the vectors to '/dev/full' failed \(/dev/full: cannot write "
                               r"\(No space left on device\)\); the trained model was saved to 'full\.checkpoint\.npz'; "
                               r"write them with: wordvec train --resume full\.checkpoint\.npz -o /dev/full$")
    ok(run("train", "--resume", "full.checkpoint.npz", "-o", "rescued.txt", "--no-progress", cwd=folder))
    ok(run("train", "c.txt", "-o", "direct.txt", *QUIET, cwd=folder))
    assert (folder / "rescued.txt").read_bytes() == (folder / "direct.txt").read_bytes()
    assert (folder / "full.checkpoint.npz").exists()  # a finished model is kept: the user deletes it


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="/proc/PID/wchan")
def test_ctrl_c_during_the_final_write_saves_the_model(folder):
    import signal
    import time

    os.mkfifo(folder / "out")  # opening it for writing blocks until a reader comes: the final write waits there
    proc = subprocess.Popen([sys.executable, "-m", "wordvec.cli", "train", "c.txt", "-o", "out", *QUIET], cwd=folder,
                            stdin=subprocess.DEVNULL, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    for _ in range(600):
        time.sleep(0.1)
        with open(f"/proc/{proc.pid}/wchan") as f:
            if f.read() in ("wait_for_partner", "fifo_open", "pipe_wait"):
                break
    proc.send_signal(signal.SIGINT)
    _, err = proc.communicate(timeout=60)
    assert proc.returncode == 130, err
    assert err == ("wordvec: interrupted: writing the vectors to 'out' failed (interrupted); the trained model was "
                   "saved to 'out.checkpoint.npz'; write them with: wordvec train --resume out.checkpoint.npz -o out\n")
    ok(run("train", "--resume", "out.checkpoint.npz", "-o", "v.txt", "--no-progress", cwd=folder))
    assert KeyedVectors.load_word2vec_format(folder / "v.txt").vector_size == 8
