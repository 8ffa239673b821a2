"""``wordvec train`` stopped by a scheduler (SIGTERM: SLURM preemption, ``docker stop``, Kubernetes)
and resumed, run as a user runs it; and what the progress bar and the summaries say."""
from __future__ import annotations

import re
import shlex
import signal
import subprocess
import sys

from test_cli_reliability import _Stderr, files_in

from wordvec.models.word2vec import Word2Vec
from wordvec.resources import default_corpus_path

TRAIN = ["--dim", "16", "--epochs", "8", "--threads", "1", "--seed", "5"]


def wordvec(*args, cwd) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "wordvec.cli", *map(str, args)], cwd=cwd, capture_output=True,
                          text=True, timeout=300)


def test_sigterm_checkpoints_exits_143_and_resume_gives_the_same_vectors(tmp_path):
    corpus = default_corpus_path()
    proc = subprocess.Popen([sys.executable, "-m", "wordvec.cli", "train", str(corpus), "-o", "v.bin", *TRAIN],
                            cwd=tmp_path, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    err = _Stderr(proc)
    err.wait_for_percent(proc, 20)  # into the second epoch
    proc.send_signal(signal.SIGTERM)
    assert proc.wait(timeout=60) == 128 + signal.SIGTERM
    stderr = err.text()
    assert "Traceback" not in stderr and proc.stdout.read() == b""
    bars = re.split(r"[\r\n]+", stderr.strip())
    last = bars[-1]
    assert last == ("wordvec: terminated: checkpoint written to v.bin.checkpoint.npz; continue with: "
                    "wordvec train --resume v.bin.checkpoint.npz -o v.bin"), stderr
    # the bar named the epoch being trained and showed a running loss and the rate from epoch 1 on
    first_epoch = [b for b in bars if re.search(r"epoch 1/8.*\d+%\|", b)]
    assert first_epoch and any("loss=" in b and "lr=" in b for b in first_epoch), bars[:5]
    assert any(re.search(r"epoch 2/8", b) for b in bars)
    assert files_in(tmp_path) == ["v.bin.checkpoint.npz"]
    state = Word2Vec.load(tmp_path / "v.bin.checkpoint.npz").pending_run
    assert 1 <= state.epoch < 8

    command = shlex.split(last.split("continue with: ")[1])
    resumed = wordvec(*command[1:], "--no-progress", cwd=tmp_path)
    assert resumed.returncode == 0 and resumed.stderr == "", resumed.stderr
    # the summary reports the words and the time of this run only: the epochs it trained
    m = re.match(r"trained ([\d,]+) words \(resumed in epoch (\d) of 8\) in ", resumed.stdout)
    assert m, resumed.stdout
    assert int(m.group(2)) == state.epoch + 1
    assert int(m.group(1).replace(",", "")) < 8 * 227_245 - state.epoch * 227_245 + 227_245
    assert files_in(tmp_path) == ["v.bin"]

    straight = wordvec("train", corpus, "-o", "straight.bin", *TRAIN, "--no-progress", cwd=tmp_path)
    assert straight.returncode == 0, straight.stderr
    assert re.match(r"trained 1,817,960 words \(8 epochs\) in ", straight.stdout), straight.stdout
    assert (tmp_path / "v.bin").read_bytes() == (tmp_path / "straight.bin").read_bytes()
