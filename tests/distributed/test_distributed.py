"""Distributed training: corpus shards, and real 2-process jobs on this machine (gloo on the
loopback interface): same vocabulary on every rank, single-process quality, and a crashed or
hung worker failing the job with one clear error in bounded time."""
from __future__ import annotations

import gzip
import os
import re
import socket
import subprocess
import sys
import time

import numpy as np
import pytest

pytest.importorskip("torch")

from wordvec.distributed import command  # noqa: E402
from wordvec.distributed import training as distributed  # noqa: E402
from wordvec import resources  # noqa: E402
from wordvec.vectors.keyedvectors import KeyedVectors  # noqa: E402
from wordvec.models.word2vec import Word2Vec  # noqa: E402

TRAIN = ["--sg", "--dim", "30", "--epochs", "5", "--min-count", "5", "--threads", "1"]


def _tokens(blocks):
    return [t for b in blocks for t in b.split()]


@pytest.fixture(scope="module")
def sst_txt(tmp_path_factory):
    """The bundled SST corpus uncompressed, so the ranks read byte ranges."""
    path = tmp_path_factory.mktemp("dist") / "sst.txt"
    with gzip.open(resources.default_corpus_path(), "rb") as f:
        path.write_bytes(f.read())
    return path


def _structure(kv, words):
    v = np.stack([kv.get_vector(w, norm=True) for w in words])
    return (v @ v.T)[np.triu_indices(len(words), 1)]


def test_two_workers_share_the_vocabulary_and_reach_single_process_quality(sst_txt, tmp_path):
    out = tmp_path / "vectors.txt"
    cmd = [sys.executable, "-m", "torch.distributed.run", "--standalone", "--nproc-per-node", "2",
           "-m", "wordvec.distributed", "train", str(sst_txt), "-o", str(out), *TRAIN, "--sync-every", "20000"]
    proc = subprocess.run(cmd, capture_output=True, text=True, timeout=120)
    assert proc.returncode == 0, proc.stderr[-3000:]
    digests = dict(re.findall(r"rank (\d)/2: vocabulary of \d+ words, digest (\w+)", proc.stderr))
    assert sorted(digests) == ["0", "1"]

    params = dict(vector_size=30, epochs=5, min_count=5, workers=1, sg=1)
    single = Word2Vec(corpus_file=sst_txt, seed=1, **params)
    assert set(digests.values()) == {distributed.vocabulary_digest(single.vocab)}
    other_seed = Word2Vec(corpus_file=sst_txt, seed=7, **params)
    kv = KeyedVectors.load_word2vec_format(out)
    assert kv.index_to_key == single.wv.index_to_key
    words = single.wv.index_to_key[:300]
    noise = np.corrcoef(_structure(single.wv, words), _structure(other_seed.wv, words))[0, 1]
    agree = np.corrcoef(_structure(single.wv, words), _structure(kv, words))[0, 1]
    assert agree > noise - 0.05, (agree, noise)
    loss = float(re.findall(r"final loss ([\d.]+)", proc.stdout)[0])
    assert loss == pytest.approx(single.loss_history[-1], rel=0.02)


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


# Rank 1 runs the real command with the averaging step replaced: at its second round it exits
# (a crash) or stops answering (a hang).
_FAULTY = """
import os, sys, time
import wordvec.distributed.training as d
import wordvec.distributed.command as command
real, calls = d.Averager.__call__, [0]
def faulty(self, tensors):
    calls[0] += 1
    if calls[0] == 2:
        os._exit(1) if sys.argv[1] == "crash" else time.sleep(3600)
    return real(self, tensors)
d.Averager.__call__ = faulty
sys.exit(command.main(sys.argv[2:]))
"""


@pytest.mark.parametrize("fault", ["crash", "hang"])
def test_a_failed_worker_fails_the_job_with_one_clear_error(sst_txt, tmp_path, fault):
    out = tmp_path / "vectors.txt"
    args = ["train", str(sst_txt), "-o", str(out), *TRAIN, "--sync-every", "20000", "--timeout", "8"]
    port = str(_free_port())
    procs = []
    t0 = time.monotonic()
    for rank in (0, 1):
        env = dict(os.environ, RANK=str(rank), WORLD_SIZE="2", LOCAL_RANK=str(rank), LOCAL_WORLD_SIZE="2",
                   MASTER_ADDR="127.0.0.1", MASTER_PORT=port)
        cmd = [sys.executable, "-m", "wordvec.distributed", *args] if rank == 0 else [sys.executable, "-c", _FAULTY, fault, *args]
        procs.append(subprocess.Popen(cmd, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True))
    try:
        _, err = procs[0].communicate(timeout=90)
    finally:
        for p in procs:
            p.kill()
            p.communicate()
    assert time.monotonic() - t0 < 60
    assert procs[0].returncode == 1
    assert "Traceback" not in err
    last = err.strip().splitlines()[-1]
    assert last.startswith("wordvec.distributed: error: rank 0: averaging the weights failed: another worker")
    assert ("Timed out" in last) == (fault == "hang"), last
    assert not out.exists()


@pytest.mark.parametrize("objective", [["--hs"], ["--softmax", "--min-count", "20"], ["--cbow", "--combine", "mean"]])
def test_single_worker_without_torchrun(sst_txt, tmp_path, capsys, objective):
    """Without torchrun the command trains as one worker (a world of 1), in this process."""
    out = tmp_path / "v.bin"
    argv = ["train", str(sst_txt), "-o", str(out), "--dim", "10", "--epochs", "1", "--threads", "1", "--binary", *objective]
    assert command.main(argv) == 0
    kv = KeyedVectors.load_word2vec_format(out, binary=True)
    assert kv.vector_size == 10 and len(kv) > 1000
    assert "1 workers; vectors (binary) written to" in capsys.readouterr().out


def test_user_errors_are_one_line(sst_txt, tmp_path, capsys):
    assert command.main(["train", str(tmp_path / "missing.txt"), "-o", str(tmp_path / "v.txt")]) == 1
    assert command.main(["train", "-", "-o", str(tmp_path / "v.txt")]) == 1
    assert command.main(["train", str(sst_txt), "-o", str(tmp_path / "no" / "v.txt")]) == 1
    assert command.main(["train", str(sst_txt), "-o", str(tmp_path / "v.txt"), "--resume", "x.npz"]) == 1
    assert command.main(["train", str(sst_txt), "-o", str(sst_txt)]) == 1  # the output may not be the corpus
    err = capsys.readouterr().err.strip().splitlines()
    assert err == [
        f"wordvec.distributed: error: corpus file '{tmp_path / 'missing.txt'}' does not exist",
        "wordvec.distributed: error: distributed training reads a corpus file, not standard input: save it to a file first",
        f"wordvec.distributed: error: cannot write output '{tmp_path / 'no' / 'v.txt'}': folder '{tmp_path / 'no'}' does not exist",
        "wordvec.distributed: error: --resume is not supported by distributed training: a stopped job starts again",
        f"wordvec.distributed: error: the output '{sst_txt}' is the corpus '{sst_txt}': writing it would destroy the "
        "corpus; choose another output file",
    ]
    assert not list(tmp_path.glob("v.txt*"))


@pytest.mark.parametrize("engine", ["numba", "torch"])
def test_ranks_draw_their_own_random_numbers(engine):
    """Each rank's shard counts its job positions from 0: the rank enters the job's random state,
    so two ranks do not draw the same windows, subsampling and noise words for their k-th jobs;
    rank 0 draws what a single-process run draws."""
    from wordvec.train.numba_engine import NumbaEngine
    from wordvec.train.torch_engine import TorchEngine

    model = Word2Vec([["a", "b", "c", "a"]] * 20, vector_size=8, min_count=1, workers=1, seed=7, epochs=1)
    if engine == "numba":
        engines = [NumbaEngine(model)] + [NumbaEngine(model, shard=k) for k in (0, 1, 2)]
    else:
        engines = [TorchEngine(model, device="cpu")] + [TorchEngine(model, device="cpu", shard=k) for k in (0, 1, 2)]
    states = []
    for e in engines:
        e.seed_job(0, 3, 5)
        states.append(int(e.rng[0][0]))
    single, rank0, rank1, rank2 = states
    assert single == rank0
    assert len({rank0, rank1, rank2}) == 3


def test_fasttexts_run_length_is_refused_in_one_line(tmp_path):
    from wordvec.errors import ParameterError

    path = tmp_path / "c.txt"
    path.write_text("a b c\n")
    with pytest.raises(ParameterError, match="epoch_words must be 'vocabulary', got 'all'"):
        distributed.train_distributed(Word2Vec(epoch_words="all", workers=1), path)
