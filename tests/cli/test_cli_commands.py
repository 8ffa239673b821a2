"""The commands users of word2vec.c, fastText and gensim reach for, run as subprocesses: query
(batch from a pipe), print-word-vectors, convert, --limit, and train's file formats, flags,
vocabulary files, continued training and loss plot. Results are checked with gensim's readers
and its most_similar."""
from __future__ import annotations

import json
import random
import re
import subprocess
import sys
from pathlib import Path

import gensim
import numpy as np
import pytest
from matplotlib.image import imread

from wordvec.models.word2vec import Word2Vec
from wordvec.vectors.keyedvectors import KeyedVectors

WORDS = ["king", "queen", "man", "woman", "boy", "girl", "prince", "princess", "red", "green", "blue", "yellow",
         "sky", "grass", "well-known"]


def wordvec(*args, stdin: str | None = None, cwd: Path | None = None) -> subprocess.CompletedProcess:
    proc = subprocess.run([sys.executable, "-m", "wordvec.cli", *map(str, args)], input=stdin, capture_output=True,
                          text=True, cwd=cwd, timeout=300)
    assert "Traceback" not in proc.stderr, proc.stderr
    return proc


@pytest.fixture(scope="module")
def vectors(tmp_path_factory) -> Path:
    path = tmp_path_factory.mktemp("vectors") / "vectors.txt"
    rng = np.random.default_rng(0)
    KeyedVectors.from_vectors(WORDS, rng.normal(size=(len(WORDS), 12))).save_word2vec_format(path)
    return path


@pytest.fixture(scope="module")
def corpus(tmp_path_factory) -> Path:
    path = tmp_path_factory.mktemp("corpus") / "corpus.txt"
    r = random.Random(0)
    vocab = [f"w{i}" for i in range(40)]
    weights = [1 / (i + 1) for i in range(40)]
    path.write_text("\n".join(" ".join(r.choices(vocab, weights, k=10)) for _ in range(400)) + "\n")
    return path


TINY = ["--dim", 8, "--epochs", 1, "--min-count", 1, "--threads", 1, "--no-progress"]


# ------------------------------------------------------------------------------------ query


def test_query_batch_from_a_pipe_matches_gensim(vectors):
    g = gensim.models.KeyedVectors.load_word2vec_format(str(vectors))
    lines = ["king", "", "# a comment", "king queen", "man king woman", "king - man + woman", "well-known"]
    proc = wordvec("query", vectors, "-n", 3, "--json", stdin="\n".join(lines) + "\n")
    assert proc.returncode == 0 and proc.stderr == "", proc.stderr
    answers = [json.loads(line) for line in proc.stdout.splitlines()]
    assert [a["kind"] for a in answers] == ["neighbours", "similarity", "analogy", "neighbours", "neighbours"]
    expected = [
        g.most_similar("king", topn=3),
        None,
        g.most_similar(positive=["king", "woman"], negative=["man"], topn=3),
        g.most_similar(positive=["king", "woman"], negative=["man"], topn=3),
        g.most_similar("well-known", topn=3),  # a hyphen inside a word is not an operator
    ]
    for answer, want in zip(answers, expected):
        if want is None:
            assert answer["similarity"] == pytest.approx(float(g.similarity("king", "queen")), abs=1e-6)
        else:
            assert [w for w, _ in answer["neighbours"]] == [w for w, _ in want]
            np.testing.assert_allclose([s for _, s in answer["neighbours"]], [s for _, s in want], atol=1e-5)

    text = wordvec("query", vectors, "-n", 2, stdin="king\nking queen\nman king woman\n")
    assert text.returncode == 0
    blocks = text.stdout.split("\n\n")
    assert blocks[0].splitlines()[0] == "king" and len(blocks[0].splitlines()) == 3
    assert re.fullmatch(r"similarity\(king, queen\) = -?\d\.\d{4}", blocks[1].splitlines()[0])
    assert blocks[1].splitlines()[1] == "man : king :: woman : ?"


def test_query_keeps_going_after_a_bad_line(vectors):
    proc = wordvec("query", vectors, "-n", 1, "--json", stdin="unicorn\na b c d\nking + - queen\nqueen\n")
    assert proc.returncode == 1  # some queries could not be answered
    answers = [json.loads(line) for line in proc.stdout.splitlines()]
    assert "not in the vocabulary" in answers[0]["error"] and "4 words" in answers[1]["error"]
    assert "two operators" in answers[2]["error"] and answers[3]["kind"] == "neighbours"
    errors = proc.stderr.strip().splitlines()
    assert len(errors) == 3 and all(e.startswith("wordvec: ") for e in errors)


def test_query_arguments_and_limit(vectors):
    proc = wordvec("query", vectors, "king", "girl", "--limit", 4, "-n", 10, "--json")
    answers = [json.loads(line) for line in proc.stdout.splitlines()]
    assert [w for w, _ in answers[0]["neighbours"]] and {w for w, _ in answers[0]["neighbours"]} <= set(WORDS[:4])
    assert "not in the vocabulary" in answers[1]["error"] and proc.returncode == 1


# ------------------------------------------------------------------------------------ print-word-vectors


def test_print_word_vectors(vectors, tmp_path):
    kv = KeyedVectors.load_word2vec_format(vectors)
    proc = wordvec("print-word-vectors", vectors, stdin="queen king\n\nman\n")
    assert proc.returncode == 0 and proc.stderr == ""
    rows = [line.split(" ") for line in proc.stdout.splitlines()]
    assert [r[0] for r in rows] == ["queen", "king", "man"]
    np.testing.assert_array_equal(np.array([[float(x) for x in r[1:]] for r in rows], dtype=np.float32),
                                  kv[["queen", "king", "man"]])

    proc = wordvec("print-word-vectors", vectors, "--header", stdin="boy unicorn girl\n")
    assert proc.returncode == 1 and "'unicorn' is not in the vocabulary" in proc.stderr
    (tmp_path / "two.txt").write_text(proc.stdout)
    g = gensim.models.KeyedVectors.load_word2vec_format(str(tmp_path / "two.txt"))
    assert g.index_to_key == ["boy", "girl"]
    np.testing.assert_array_equal(g.vectors, kv[["boy", "girl"]])


# ------------------------------------------------------------------------------------ convert


def test_convert_round_trips_through_every_format(vectors, tmp_path):
    kv = KeyedVectors.load_word2vec_format(vectors)
    assert wordvec("convert", vectors, tmp_path / "v.bin").returncode == 0
    g = gensim.models.KeyedVectors.load_word2vec_format(str(tmp_path / "v.bin"), binary=True)
    assert g.index_to_key == kv.index_to_key
    np.testing.assert_array_equal(g.vectors, kv.vectors)
    assert wordvec("convert", tmp_path / "v.bin", tmp_path / "v.kv").returncode == 0
    proc = wordvec("convert", tmp_path / "v.kv", tmp_path / "back.vec.gz", "--limit", 5)
    assert proc.returncode == 0 and "5 words x 12 dimensions" in proc.stdout
    back = gensim.models.KeyedVectors.load_word2vec_format(str(tmp_path / "back.vec.gz"))
    assert back.index_to_key == kv.index_to_key[:5]
    np.testing.assert_array_equal(back.vectors, kv.vectors[:5])
    native = KeyedVectors.load(tmp_path / "v.kv")
    np.testing.assert_array_equal(native.vectors, kv.vectors)


def test_convert_warnings_and_errors(vectors, tmp_path):
    proc = wordvec("convert", vectors, tmp_path / "odd.bin", "--to", "text")
    assert proc.returncode == 0
    assert proc.stderr.strip() == (f"wordvec: warning: writing text format to '{tmp_path / 'odd.bin'}' although "
                                   "its name suggests binary (as --to says)")
    assert (tmp_path / "odd.bin").read_text().startswith("15 12\n")
    proc = wordvec("convert", vectors, tmp_path / "m.npz")
    assert proc.returncode == 1 and "holds a whole trained model" in proc.stderr and not (tmp_path / "m.npz").exists()
    proc = wordvec("convert", vectors, vectors)
    assert proc.returncode == 1 and "is the input file" in proc.stderr


def test_limit_on_commands_reading_vectors(vectors, tmp_path):
    proc = wordvec("similar", vectors, "king", "--limit", 3)
    assert proc.returncode == 0 and {line.split()[1] for line in proc.stdout.splitlines()} == {"queen", "man"}
    proc = wordvec("eval", vectors, "--limit", 8, "--json")
    assert proc.returncode == 0 and json.loads(proc.stdout)["words"] == 8
    proc = wordvec("similar", vectors, "girl", "--limit", 3)
    assert proc.returncode == 1 and "'girl' is not in the vocabulary" in proc.stderr


# ------------------------------------------------------------------------------------ train


def test_output_format_follows_the_file_name(corpus, tmp_path):
    proc = wordvec("train", corpus, "-o", tmp_path / "v.bin", *TINY)
    assert proc.returncode == 0, proc.stderr
    assert "(1 epoch)" in proc.stdout and "vectors (binary) written" in proc.stdout
    assert len(gensim.models.KeyedVectors.load_word2vec_format(str(tmp_path / "v.bin"), binary=True)) == 40
    proc = wordvec("train", corpus, "-o", tmp_path / "v.vec", *TINY)
    assert "vectors (text) written" in proc.stdout
    assert len(gensim.models.KeyedVectors.load_word2vec_format(str(tmp_path / "v.vec"))) == 40
    proc = wordvec("train", corpus, "-o", tmp_path / "m.npz", *TINY)
    assert proc.returncode == 0 and "the model written" in proc.stdout
    assert len(Word2Vec.load(tmp_path / "m.npz").wv) == 40
    proc = wordvec("train", corpus, "-o", tmp_path / "t.bin", "--format", "text", *TINY)
    assert proc.returncode == 0
    assert "warning: writing text format to" in proc.stderr and "suggests binary (as --format says)" in proc.stderr
    assert (tmp_path / "t.bin").read_text().startswith("40 8\n")


def test_no_corpus_says_which_one_it_trains_on(tmp_path):
    proc = wordvec("train", "-o", tmp_path / "v.txt", "--dim", 4, "--epochs", 1, "--no-progress",
                   "--max-final-vocab", 50)
    assert proc.returncode == 0, proc.stderr
    assert re.fullmatch(r"wordvec: no CORPUS given: training on the bundled SST sentences \(.*sst_sentences\.txt\.gz\)\n",
                        proc.stderr)


def test_every_parameter_flag_reaches_the_model(corpus, tmp_path):
    proc = wordvec("train", corpus, "-o", tmp_path / "m.npz", "--dim", 6, "--window", 3, "--min-count", 2,
                   "--max-vocab-size", 1000, "--max-final-vocab", 20, "--sample", 0.01, "--negative", 3,
                   "--ns-exponent", 0.5, "--cbow-mean", 0, "--alpha", 0.03, "--min-alpha", 0.001, "--epochs", 2,
                   "--seed", 7, "--per-pair-negatives", "--sg", "--max-sentence-length", 50, "--batch-size", 128,
                   "--threads", 1, "--no-progress")
    assert proc.returncode == 0, proc.stderr
    m = Word2Vec.load(tmp_path / "m.npz")
    got = {k: getattr(m, k) for k in ("vector_size", "window", "min_count", "max_vocab_size", "max_final_vocab",
                                      "sample", "negative", "ns_exponent", "cbow_mean", "alpha", "min_alpha",
                                      "epochs", "seed", "shared_negatives", "sg", "max_sentence_length")}
    assert got == dict(vector_size=6, window=3, min_count=2, max_vocab_size=1000, max_final_vocab=20, sample=0.01,
                       negative=3, ns_exponent=0.5, cbow_mean=0, alpha=0.03, min_alpha=0.001, epochs=2, seed=7,
                       shared_negatives=False, sg=1, max_sentence_length=50)  # batch_size is not saved
    assert len(m.wv) == 20
    proc = wordvec("train", corpus, "-o", tmp_path / "v.txt", "--ns-exponent", 99, *TINY)
    assert proc.returncode == 1 and "(option --ns-exponent)" in proc.stderr


def test_save_vocab_continue_and_plot_loss(corpus, tmp_path):
    proc = wordvec("train", corpus, "-o", tmp_path / "v.txt", "--save-model", tmp_path / "m.npz",
                   "--save-vocab", tmp_path / "vocab.txt", "--plot-loss", tmp_path / "loss.png", *TINY)
    assert proc.returncode == 0, proc.stderr
    counts: dict[str, int] = {}
    for token in corpus.read_text().split():
        counts[token] = counts.get(token, 0) + 1
    rows = [line.split() for line in (tmp_path / "vocab.txt").read_text().splitlines()]
    assert {w: int(c) for w, c in rows} == counts
    assert [int(c) for _, c in rows] == sorted(counts.values(), reverse=True)
    assert imread(tmp_path / "loss.png").shape[:2] == (500, 800)

    new = tmp_path / "new.txt"
    new.write_text("w0 fresh w1 fresh w2 fresh newer\n" * 30)
    before = Word2Vec.load(tmp_path / "m.npz")
    proc = wordvec("train", new, "--continue", tmp_path / "m.npz", "-o", tmp_path / "more.npz", "--epochs", 2,
                   "--threads", 1, "--no-progress")
    assert proc.returncode == 0, proc.stderr
    after = Word2Vec.load(tmp_path / "more.npz")
    assert len(after.wv) == 42 and {"fresh", "newer"} <= set(after.wv.index_to_key)
    assert after.epochs_trained == before.epochs_trained + 2
    assert not np.allclose(after.wv["w0"], before.wv["w0"])  # a known word of the new text trains further
    unseen = [w for w in before.wv.index_to_key if w not in {"w0", "w1", "w2"}]
    np.testing.assert_array_equal(after.wv[unseen], before.wv[unseen])  # the others keep their vectors
    proc = wordvec("train", new, "--continue", tmp_path / "m.npz", "-o", tmp_path / "x.txt", "--dim", 9)
    assert proc.returncode == 2 and "--dim cannot be given with --continue" in proc.stderr


def test_resume_of_a_finished_run_says_it_completed(corpus, tmp_path):
    """A finished model (what a failed final write rescues) is not trained again: the command
    says the run already completed and writes its outputs."""
    assert wordvec("train", corpus, "-o", tmp_path / "m.npz", *TINY).returncode == 0
    proc = wordvec("train", "--resume", tmp_path / "m.npz", "-o", tmp_path / "v.txt", "--no-progress")
    assert proc.returncode == 0, proc.stderr
    assert "holds a run that already completed (1 epoch trained): writing its outputs" in proc.stderr
    assert (tmp_path / "v.txt").exists() and (tmp_path / "m.npz").exists()


# ------------------------------------------------------------------------------------ plot


@pytest.mark.parametrize(
    "kind, args, size",
    [
        ("words", ["king", "queen", "man", "woman", "--figsize", 4, 3, "--dpi", 50], (150, 200)),
        ("map", ["-n", 12], (800, 800)),
        ("neighbours", ["king", "-n", 5], (800, 800)),
        ("heatmap", ["king", "queen", "man", "--fontsize", 14], (800, 800)),
        ("analogies", ["man:woman", "king:queen"], (800, 800)),
    ],
)
def test_plot_subcommands(vectors, tmp_path, kind, args, size):
    out = tmp_path / f"{kind}.png"
    proc = wordvec("plot", kind, vectors, *args, "-o", out)
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout.startswith("plotted ") and str(out) in proc.stdout
    image = imread(out)
    assert image.shape[:2] == size and image.std() > 0


def test_plot_loss_of_a_model_and_errors(corpus, vectors, tmp_path):
    assert wordvec("train", corpus, "-o", tmp_path / "m.npz", *TINY).returncode == 0
    proc = wordvec("plot", "loss", tmp_path / "m.npz", "-o", tmp_path / "loss.svg")
    assert proc.returncode == 0 and b"<svg" in (tmp_path / "loss.svg").read_bytes()[:500]
    proc = wordvec("plot", "analogies", vectors, "man-woman", "-o", tmp_path / "a.png")
    assert proc.returncode == 1 and "a pair is written A:B" in proc.stderr
    proc = wordvec("plot", "words", vectors, "king", "queen", "-o", tmp_path / "a.xyz")
    assert proc.returncode == 1 and "unknown image format 'xyz'" in proc.stderr


@pytest.mark.skipif(sys.platform == "win32", reason="needs a pseudo-terminal")
def test_query_on_a_terminal_prompts_until_ctrl_d(vectors):
    import os
    import pty
    import select
    import time

    pid, fd = pty.fork()
    if pid == 0:  # the child: the command on a terminal
        os.execv(sys.executable, [sys.executable, "-m", "wordvec.cli", "query", str(vectors), "-n", "2"])

    def read_until(marker: bytes, timeout: float = 60) -> str:
        out, end = b"", time.monotonic() + timeout
        while time.monotonic() < end and not out.endswith(marker):
            if select.select([fd], [], [], 0.2)[0]:
                try:
                    chunk = os.read(fd, 4096)
                except OSError:
                    break
                if not chunk:
                    break
                out += chunk
        return out.decode().replace("\r\n", "\n")

    banner = read_until(b"query> ")
    assert "15 words x 12 dimensions" in banner and "Ctrl-D ends" in banner
    os.write(fd, b"king queen\n")
    assert re.search(r"similarity\(king, queen\) = -?\d\.\d{4}\n", read_until(b"query> "))
    os.write(fd, b"unicorn\n")
    assert "word 'unicorn' is not in the vocabulary" in read_until(b"query> ")
    os.write(fd, b"\x04")  # Ctrl-D
    read_until(b"\n", timeout=10)
    _, status = os.waitpid(pid, 0)
    assert os.waitstatus_to_exitcode(status) == 0  # an unknown word typed on a terminal is no failure


def test_read_vocab_trains_on_the_words_of_the_file(corpus, tmp_path):
    (tmp_path / "vocab.txt").write_text("w0 500\nw1 300\nw2 200\nw3 2\nnever 100\n")
    proc = wordvec("train", corpus, "-o", tmp_path / "m.npz", "--read-vocab", tmp_path / "vocab.txt",
                   *TINY[:4], "--min-count", 3, "--threads", 1, "--no-progress")
    assert proc.returncode == 0, proc.stderr
    m = Word2Vec.load(tmp_path / "m.npz")
    assert m.wv.index_to_key == ["w0", "w1", "w2", "never"]  # the file's words and counts, min_count applied
    assert list(m.vocab.counts) == [500, 300, 200, 100]
    assert m.loss_history and np.isfinite(m.loss_history[-1])
    saved = wordvec("train", corpus, "-o", tmp_path / "v.txt", "--save-vocab", tmp_path / "saved.txt", *TINY)
    assert saved.returncode == 0
    again = wordvec("train", corpus, "-o", tmp_path / "again.txt", "--read-vocab", tmp_path / "saved.txt", *TINY,
                    "--seed", 1)
    assert again.returncode == 0
    # the same vocabulary read back trains the very same vectors as counting the corpus
    assert (tmp_path / "again.txt").read_bytes() == (tmp_path / "v.txt").read_bytes()


def test_device_flag_trains_with_the_torch_backend(corpus, tmp_path):
    pytest.importorskip("torch")
    proc = wordvec("train", corpus, "-o", tmp_path / "m.npz", "--device", "cpu", "--batch-size", 512, *TINY)
    assert proc.returncode == 0, proc.stderr
    m = Word2Vec.load(tmp_path / "m.npz")
    assert len(m.wv) == 40 and np.isfinite(m.loss_history[-1])
    numba = wordvec("train", corpus, "-o", tmp_path / "n.npz", *TINY)
    assert numba.returncode == 0
    # the device is a run-time choice (not saved); the PyTorch backend draws other random numbers
    assert not np.array_equal(Word2Vec.load(tmp_path / "n.npz").wv.vectors, m.wv.vectors)


def test_plot_titles_name_the_vectors_file(vectors, tmp_path, monkeypatch):
    from wordvec.cli import main as cli
    from wordvec.plots import figures

    drawn = []
    monkeypatch.setattr(figures, "save_figure", lambda fig, path: drawn.append(fig))
    for kind, args in [("words", ["king", "queen", "man"]), ("map", ["-n", 10]), ("neighbours", ["king", "-n", 4]),
                       ("heatmap", ["king", "queen"]), ("analogies", ["man:woman", "king:queen"])]:
        assert cli.main(["plot", kind, str(vectors), *map(str, args), "-o", str(tmp_path / "x.png")]) == 0
    titles = [fig.axes[0].get_title() for fig in drawn]
    assert len(titles) == 5 and all("vectors.txt" in t for t in titles), titles
    assert titles[0] == "3 words from vectors.txt (PCA)"
    assert drawn[0].axes[0].get_xlabel().startswith("PC 1 (") and "% of variance)" in drawn[0].axes[0].get_xlabel()
