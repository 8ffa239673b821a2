"""``wordvec glove`` run as a user runs it (subprocesses): vectors in every format, co-occurrence
files written and reused, one-line errors, Ctrl-C and --resume."""
from __future__ import annotations

import re
import signal
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

from wordvec import resources
from wordvec.cli.main import main
from wordvec.formats.glove import read_cooccurrence, read_glove_vectors
from wordvec.models.glove import GloVe
from wordvec.vectors.keyedvectors import KeyedVectors


def wordvec(*args) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "wordvec.cli", *map(str, args)], capture_output=True, text=True,
                          timeout=300)


@pytest.fixture(scope="module")
def corpus(tmp_path_factory) -> Path:
    path = tmp_path_factory.mktemp("corpus") / "sst.txt"
    path.write_text("\n".join(" ".join(s) for s in resources.sst_sentences()[:3000]) + "\n")
    return path


def test_train_save_cooccurrence_and_reuse_it(corpus, tmp_path):
    out, cooc, model = tmp_path / "v.txt", tmp_path / "c.bin", tmp_path / "m.npz"
    proc = wordvec("glove", corpus, "-o", out, "--dim", 12, "--epochs", 2, "--x-max", 10, "--threads", 1,
                   "--save-cooccurrence", cooc, "--save-model", model, "--no-progress")
    assert proc.returncode == 0, proc.stderr
    assert "vectors (text) written to" in proc.stdout and proc.stderr == ""
    kv = KeyedVectors.load_word2vec_format(out)
    saved = GloVe.load(model)
    assert kv.index_to_key == saved.wv.index_to_key and np.allclose(kv.vectors, saved.wv.vectors, atol=1e-6)
    assert (tmp_path / "c.bin.vocab").exists()
    assert np.array_equal(read_cooccurrence(cooc, len(kv)).to_scipy().toarray(), saved.cooccurrence.to_scipy().toarray())

    again = tmp_path / "g.txt"
    proc = wordvec("glove", "--cooccurrence", cooc, "-o", again, "--format", "glove", "--dim", 5, "--epochs", 1,
                   "--no-progress")
    assert proc.returncode == 0, proc.stderr
    words, vectors = read_glove_vectors(again)
    assert words == kv.index_to_key and vectors.shape == (len(words), 5)


def run_in_process(capsys, *args) -> tuple[int, str, str]:
    code = main([str(a) for a in args])
    captured = capsys.readouterr()
    return code, captured.out, captured.err


@pytest.mark.parametrize(
    "args, message",
    [(["--memory", "lots"], r"memory must be .* \(option --memory\)"),
     (["--x-max", "-1"], r"x_max must be > 0.0, got -1.0 \(option --x-max\)"),
     (["--epochs", "0"], r"epochs must be .*option --epochs"),
     (["--vocab", "v.txt"], "--vocab goes with --cooccurrence")],
)
def test_errors_are_one_line(corpus, tmp_path, capsys, args, message):
    code, out, err = run_in_process(capsys, "glove", corpus, "-o", tmp_path / "v.txt", *args)
    assert code == 1 and out == ""
    lines = err.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("wordvec: error: ")
    assert re.search(message, lines[0]), lines[0]
    assert not (tmp_path / "v.txt").exists()


def test_missing_inputs(tmp_path, capsys):
    code, _, err = run_in_process(capsys, "glove", tmp_path / "none.txt", "-o", tmp_path / "v.txt")
    assert code == 1 and "does not exist" in err
    (tmp_path / "c.bin").write_bytes(b"\x01" * 20)
    (tmp_path / "c.bin.vocab").write_text("a 3\nb 2\n")
    code, _, err = run_in_process(capsys, "glove", "--cooccurrence", tmp_path / "c.bin", "-o", tmp_path / "v.txt")
    assert code == 1 and "truncated" in err and len(err.splitlines()) == 1


def test_an_output_may_not_be_an_input(corpus, tmp_path, capsys):
    """The output policy of ``train`` holds for ``glove``: the corpus is never overwritten."""
    text = tmp_path / "c.txt"
    text.write_bytes(Path(corpus).read_bytes())
    before = text.read_bytes()
    code, _, err = run_in_process(capsys, "glove", text, "-o", text, "--epochs", 1, "--min-count", 1)
    assert code == 1 and "is the corpus" in err and len(err.splitlines()) == 1
    code, _, err = run_in_process(capsys, "glove", text, "-o", tmp_path / "v.txt", "--save-model", tmp_path / "v.txt")
    assert code == 1 and "same file" in err
    assert text.read_bytes() == before and not (tmp_path / "v.txt").exists()


def test_ctrl_c_writes_a_checkpoint_that_resume_finishes(corpus, tmp_path):
    out = tmp_path / "v.txt"
    proc = subprocess.Popen([sys.executable, "-m", "wordvec.cli", "glove", str(corpus), "-o", str(out), "--dim", "20",
                             "--epochs", "100000", "--threads", "1"], stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    checkpoint = Path(str(out) + ".checkpoint.npz")
    seen = b""
    while b"training epoch" not in seen:  # the progress bar: training has begun
        byte = proc.stderr.read(1)
        assert byte, seen
        seen += byte
    proc.send_signal(signal.SIGINT)
    _, rest = proc.communicate(timeout=120)
    err = (seen + rest).decode()
    assert proc.returncode == 130, err
    assert "checkpoint written to" in err and "--resume" in err and checkpoint.exists()
    run = GloVe.load(checkpoint).pending_run
    assert run is not None and run.epochs == 100000
    model = GloVe.load(checkpoint)
    done = model.epochs_trained
    # finish quickly: the resumed run keeps the checkpoint's epochs, so shorten it for the test
    model.pending_run.epochs = done + 1
    model.save(checkpoint)
    proc = wordvec("glove", "--resume", checkpoint, "-o", out, "--no-progress")
    assert proc.returncode == 0, proc.stderr
    assert out.exists() and not checkpoint.exists()
    assert KeyedVectors.load_word2vec_format(out).vectors.shape[1] == 20
