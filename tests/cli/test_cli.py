"""The ``wordvec`` command run as a user runs it (subprocesses): outputs, files, exit codes, errors.

Results are compared with a real gensim where it has the same operation; the training runs are
tiny (a synthetic corpus of 4,000 tokens, a few dimensions, one thread).
"""
from __future__ import annotations

import inspect
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

from wordvec.cli import common, main as cli, similar
from wordvec.errors import VectorFormatError
from wordvec.vectors.keyedvectors import KeyedVectors
from wordvec.models.word2vec import Word2Vec
from wordvec.plots.figures import DPI, FIGSIZE

SUBCOMMANDS = ["train", "eval", "query", "similar", "analogy", "print-word-vectors", "convert", "plot", "phrases", "glove", "sst"]

ANALOGIES = """\
: family
man woman king queen
boy girl prince princess
man woman boy girl
king queen boy girl
man woman unicorn mare
: colours
red green blue yellow
red blue green yellow
sky blue grass green
"""
PAIRS = """\
# word1\tword2\tscore
man\twoman\t8.3
king\tqueen\t8.6
boy\tgirl\t7.9
red\tgreen\t6.1
sky\tgrass\t2.5
king\tred\t0.9
prince\tyellow\t0.4
queen\tgirl\t5.2
blue\tunicorn\t3.0
princess\tboy\t4.4
"""


def wordvec(*args, stdin: str | bytes | None = None, cwd: Path | None = None) -> subprocess.CompletedProcess:
    """Run ``python -m wordvec.cli ARGS``; stdout/stderr as text."""
    data = stdin.encode() if isinstance(stdin, str) else stdin
    proc = subprocess.run(
        [sys.executable, "-m", "wordvec.cli", *map(str, args)], input=data, capture_output=True, cwd=cwd,
        timeout=300,
    )
    return subprocess.CompletedProcess(proc.args, proc.returncode, proc.stdout.decode(), proc.stderr.decode())


def assert_user_error(proc: subprocess.CompletedProcess, code: int, pattern: str) -> None:
    """Exit ``code``, stderr exactly one line ``wordvec: error: ...`` matching ``pattern``, no traceback."""
    assert proc.returncode == code, (proc.returncode, proc.stderr)
    lines = proc.stderr.strip().splitlines()
    assert len(lines) == 1, proc.stderr
    assert lines[0].startswith("wordvec: error: ") and re.search(pattern, lines[0]), lines[0]
    assert "Traceback" not in proc.stderr + proc.stdout


@pytest.fixture(scope="module")
def files(tmp_path_factory) -> dict[str, Path]:
    """Random 12-d vectors for the words of two small evaluation files, and a small corpus."""
    root = tmp_path_factory.mktemp("cli")
    words = sorted({w for line in ANALOGIES.splitlines() if not line.startswith(":") for w in line.split()}
                   - {"unicorn", "mare"})
    rng = np.random.default_rng(0)
    kv = KeyedVectors.from_vectors(words, rng.normal(size=(len(words), 12)))
    out = {"vectors": root / "vectors.txt", "analogies": root / "analogies.txt", "pairs": root / "pairs.tsv",
           "corpus": root / "corpus.txt"}
    kv.save_word2vec_format(out["vectors"])
    out["analogies"].write_text(ANALOGIES)
    out["pairs"].write_text(PAIRS)
    r = random.Random(0)
    vocab = [f"w{i}" for i in range(40)]
    weights = [1 / (i + 1) for i in range(40)]
    out["corpus"].write_text("\n".join(" ".join(r.choices(vocab, weights, k=10)) for _ in range(400)) + "\n")
    return out


def gensim_kv(path: Path, binary: bool = False):
    return gensim.models.KeyedVectors.load_word2vec_format(str(path), binary=binary)


# ------------------------------------------------------------------------------------ parser


def test_installed_entry_point_lists_the_subcommands():
    script = Path(sys.executable).parent / "wordvec"
    if not script.exists():
        pytest.skip("the wordvec script is not installed beside this Python")
    proc = subprocess.run([str(script), "--help"], capture_output=True, text=True, timeout=60)
    assert proc.returncode == 0
    for name in SUBCOMMANDS:
        assert name in proc.stdout


@pytest.mark.parametrize("command", SUBCOMMANDS)
def test_every_subcommand_has_help(command, capsys):
    with pytest.raises(SystemExit) as exit_info:
        cli.main([command, "--help"])
    assert exit_info.value.code == 0
    assert f"usage: wordvec {command}" in capsys.readouterr().out


def test_train_defaults_are_word2vecs():
    signature = inspect.signature(Word2Vec).parameters
    for name, value in common.TRAIN_DEFAULTS.items():
        assert signature[name].default == value, name
    assert signature["sg"].default == 0  # --cbow is the default, as in word2vec.c and gensim


@pytest.mark.parametrize("argv,alpha", [
    ([], 0.05), (["--sg"], 0.025), (["--alpha", "0.01"], 0.01), (["--sg", "--alpha", "0.04"], 0.04),
])
def test_train_alpha_defaults_are_word2vec_cs(argv, alpha):
    """``wordvec train`` starts CBOW at word2vec.c's 0.05 where the Word2Vec class (gensim's
    default) starts both architectures at 0.025."""
    args = cli.build_parser().parse_args(["train", "corpus.txt", "-o", "v.txt", *argv])
    assert Word2Vec(**common.train_params(args)).alpha == alpha
    assert Word2Vec(sg=int("--sg" in argv)).alpha == 0.025


@pytest.mark.parametrize("argv,ns_exponent,shared", [
    (["--subwords", "--sg"], 0.5, False), (["--subwords"], 0.75, False), (["--sg"], 0.75, True),
    (["--subwords", "--sg", "--ns-exponent", "0.75", "--shared-negatives"], 0.75, True),
    (["--sg", "--per-pair-negatives", "--ns-exponent", "0.5"], 0.5, False),
])
def test_train_subwords_keeps_fasttexts_noise_defaults(argv, ns_exponent, shared):
    """``--subwords`` trains with FastText's noise words (drawn per prediction: a window's shared
    draw costs subword skip-gram 17 analogy points; count**0.5 for skip-gram, 0.75 for CBOW) unless
    the options say otherwise; without it, word2vec's (count**0.75, shared by the window)."""
    from wordvec import FastText

    args = cli.build_parser().parse_args(["train", "corpus.txt", "-o", "v.txt", *argv])
    params = common.train_params(args)
    model = (FastText if "min_n" in params else Word2Vec)(**params)
    assert (model.ns_exponent, model.shared_negatives) == (ns_exponent, shared)


@pytest.mark.parametrize("argv,eos", [(["--subwords"], True), (["--subwords", "--no-eos"], False)])
def test_train_subwords_line_end_word(argv, eos):
    """``--subwords`` trains fastText's line-end word ``</s>`` unless ``--no-eos``."""
    from wordvec import FastText

    args = cli.build_parser().parse_args(["train", "corpus.txt", "-o", "v.txt", *argv])
    assert FastText(**common.train_params(args)).eos is eos


def test_train_subwords_alpha_is_fasttexts():
    from wordvec.models.fasttext import FASTTEXT_ALPHA, FastText

    args = cli.build_parser().parse_args(["train", "corpus.txt", "-o", "v.txt", "--subwords"])
    assert "alpha" not in common.train_params(args)
    assert FastText(**common.train_params(args)).alpha == FASTTEXT_ALPHA


# ------------------------------------------------------------------------------------ train


def test_train_text_binary_stdin_and_model(files, tmp_path):
    common = ["--sg", "--dim", 8, "--epochs", 2, "--min-count", 1, "--threads", 1, "--seed", 3]
    text = wordvec("train", files["corpus"], "-o", tmp_path / "v.txt", "--save-model", tmp_path / "m.npz", *common)
    assert text.returncode == 0, text.stderr
    assert re.search(r"trained 8,000 words \(2 epochs\) in [\d.]+ s, [\d,]+ words/s, final loss \d+\.\d+; "
                     r"40 words x 8 dimensions", text.stdout), text.stdout
    assert "w/s" in text.stderr and "loss=" in text.stderr  # the progress bar
    binary = wordvec("train", "-", "-o", tmp_path / "v.bin", "--binary", "--no-progress", *common,
                     stdin=files["corpus"].read_text())
    assert binary.returncode == 0, binary.stderr
    assert binary.stderr == ""
    # real word2vec files, the same vectors (same seed, one thread) from the file and from stdin
    g_text, g_bin = gensim_kv(tmp_path / "v.txt"), gensim_kv(tmp_path / "v.bin", binary=True)
    assert g_text.index_to_key == g_bin.index_to_key and len(g_text) == 40
    np.testing.assert_allclose(g_text.vectors, g_bin.vectors, rtol=1e-6)
    model = Word2Vec.load(tmp_path / "m.npz")
    assert model.sg == 1 and model.vector_size == 8 and model.epochs == 2
    np.testing.assert_allclose(model.wv[g_text.index_to_key], g_text.vectors, rtol=1e-6)


@pytest.mark.parametrize(
    "args, code, pattern",
    [
        (["missing.txt", "-o", "v.txt"], 1, r"corpus file 'missing.txt' does not exist"),
        (["corpus.txt", "-o", "v.txt", "--dim", "0"], 1, r"vector_size must be .*got 0 \(option --dim\)"),
        (["corpus.txt", "-o", "v.txt", "--softmax", "--negative", "5"], 1, r"softmax=True"),
        (["corpus.txt", "-o", "nowhere/v.txt"], 1, r"folder 'nowhere' does not exist"),
        (["corpus.txt", "-o", "v.txt", "--dim", "ten"], 2, r"argument --dim/--size: invalid int value: 'ten'"),
        (["corpus.txt"], 2, r"required: -o/--output"),
    ],
)
def test_train_user_errors(files, tmp_path, args, code, pattern):
    (tmp_path / "corpus.txt").write_text(files["corpus"].read_text())
    proc = wordvec("train", *args, "--no-progress", cwd=tmp_path)
    assert_user_error(proc, code, pattern)
    assert not (tmp_path / "v.txt").exists()


# ------------------------------------------------------------------------------------ queries


def test_similar_and_analogy_match_gensim(files):
    g = gensim_kv(files["vectors"])
    proc = wordvec("similar", files["vectors"], "king", "-n", 4)
    assert proc.returncode == 0, proc.stderr
    rows = [line.split() for line in proc.stdout.splitlines()]
    expected = g.most_similar("king", topn=4)
    assert [r[1] for r in rows] == [w for w, _ in expected]
    np.testing.assert_allclose([float(r[2]) for r in rows], [s for _, s in expected], atol=1e-4)

    proc = wordvec("analogy", files["vectors"], "man", "king", "woman", "-n", 3)
    assert proc.returncode == 0, proc.stderr
    lines = proc.stdout.splitlines()
    assert lines[0] == "man : king :: woman : ?"
    expected = g.most_similar(positive=["king", "woman"], negative=["man"], topn=3)
    assert [line.split()[1] for line in lines[1:]] == [w for w, _ in expected]


def test_query_user_errors(files, tmp_path):
    assert_user_error(wordvec("similar", files["vectors"], "unicorn"), 1,
                      r"word 'unicorn' is not in the vocabulary of .*vectors.txt")
    assert_user_error(wordvec("analogy", files["vectors"], "man", "king", "mare"), 1, r"'mare'")
    assert_user_error(wordvec("similar", tmp_path / "none.txt", "king"), 1, r"none.txt: no such file")
    (tmp_path / "bad.txt").write_text("2 4\nking 1 2 3 4\nqueen 1 2 x 4\n")
    assert_user_error(wordvec("similar", tmp_path / "bad.txt", "king"), 1,
                      r"bad.txt: line 3: 'x' is not a number")
    assert_user_error(wordvec("similar", files["vectors"], "king", "-n", "0"), 2, r"argument -n")


# ------------------------------------------------------------------------------------ eval


def test_eval_json_matches_gensim(files):
    proc = wordvec("eval", files["vectors"], "--analogies", files["analogies"], "--similarity", files["pairs"],
                   "--json")
    assert proc.returncode == 0, proc.stderr
    report = json.loads(proc.stdout)
    g = gensim_kv(files["vectors"])
    accuracy, sections = g.evaluate_word_analogies(str(files["analogies"]))
    an = report["analogies"]
    assert an["questions"] == 8 and an["skipped"] == 1 and an["total"] == 7
    assert an["accuracy"] == pytest.approx(accuracy)
    assert [(s["section"], s["correct"], s["total"]) for s in an["sections"]] == [
        (s["section"], len(s["correct"]), len(s["correct"]) + len(s["incorrect"])) for s in sections[:-1]
    ]
    pearson, spearman, oov = g.evaluate_word_pairs(str(files["pairs"]))
    (sim,) = report["similarity"]
    assert sim["file"] == str(files["pairs"])
    assert sim["pearson"] == pytest.approx(pearson[0]) and sim["spearman"] == pytest.approx(spearman[0])
    assert sim["oov_ratio"] == pytest.approx(oov) == 10.0


def test_eval_table_on_the_bundled_sets(files):
    proc = wordvec("eval", files["vectors"])
    assert proc.returncode == 0, proc.stderr
    out = proc.stdout
    assert "analogies: questions-words.txt.gz" in out and "capital-common-countries" in out
    assert re.search(r"skipped \(unknown words\): [\d,]+ of 19,544 questions", out)
    assert re.search(r"wordsim353.tsv\s+\S+\s+\S+\s+[\d.]+%", out)
    assert "simlex999.txt" in out


def test_eval_user_errors(files, tmp_path):
    assert_user_error(wordvec("eval", files["vectors"], "--analogies", tmp_path / "no.txt"), 1,
                      r"evaluation file '.*no.txt' does not exist")
    (tmp_path / "page.html").write_text("<!DOCTYPE html><html><body>404</body></html>\n")
    assert_user_error(wordvec("eval", tmp_path / "page.html"), 1, r"HTML")


# ------------------------------------------------------------------------------------ files


def test_vector_formats_are_detected(files, tmp_path):
    kv = common.load_vectors(files["vectors"])
    for name, fmt in [("v.bin", "binary"), ("v.txt.gz", "text"), ("v.json", "native"), ("v.bin.gz", "binary")]:
        common.save_vectors(kv, tmp_path / name, fmt)
        expected = "text" if name == "v.txt.gz" else fmt
        assert common.detect_vector_format(tmp_path / name) == expected, name
        loaded = common.load_vectors(tmp_path / name)
        assert loaded.index_to_key == kv.index_to_key
        np.testing.assert_allclose(loaded.vectors, kv.vectors, rtol=1e-6)
    model = Word2Vec(corpus_file=files["corpus"], vector_size=4, min_count=1, epochs=1, workers=1)
    model.save(tmp_path / "model.npz")
    assert common.detect_vector_format(tmp_path / "model.npz") == "model"
    np.testing.assert_array_equal(common.load_vectors(tmp_path / "model.npz").vectors, model.wv.vectors)
    # short values, repeated spaces, a C-tool trailing space: still text
    (tmp_path / "tiny.txt").write_text("2 2\na  1 0 \nb 0 1\n")
    assert common.detect_vector_format(tmp_path / "tiny.txt") == "text"
    # a malformed text file is reported as text, with its line
    (tmp_path / "short.txt").write_text("2 3\na 1 2\nb 0 1 2\n")
    with pytest.raises(VectorFormatError, match=r"short.txt: line 2: expected 3 values"):
        common.load_vectors(tmp_path / "short.txt")
    with pytest.raises(VectorFormatError, match="is a directory"):
        common.load_vectors(tmp_path)


# ------------------------------------------------------------------------------------ plot


def test_plot_command(files, tmp_path):
    out = tmp_path / "plot.png"
    proc = wordvec("plot", "words", files["vectors"], "king", "queen", "unicorn", "man", "woman", "-o", out)
    assert proc.returncode == 0, proc.stderr
    assert proc.stderr.strip() == "wordvec: warning: skipping 'unicorn': not in the vocabulary"
    assert "plotted 4 words" in proc.stdout
    assert imread(out).shape[:2] == (int(FIGSIZE[1] * DPI), int(FIGSIZE[0] * DPI))
    proc = wordvec("plot", "words", files["vectors"], "king", "unicorn", "-o", tmp_path / "two.png")
    assert proc.returncode == 1 and "need at least 2 known words" in proc.stderr
    assert "Traceback" not in proc.stderr and not (tmp_path / "two.png").exists()


def test_plot_tsne_needs_scikit_learn(files, tmp_path):
    try:
        import sklearn  # noqa: F401
    except ImportError:
        proc = wordvec("plot", "words", files["vectors"], "king", "queen", "man", "-o", tmp_path / "t.png", "--tsne")
        assert_user_error(proc, 1, r"needs scikit-learn")
    else:
        proc = wordvec("plot", "words", files["vectors"], "king", "queen", "man", "woman", "-o", tmp_path / "t.png", "--tsne")
        assert proc.returncode == 0 and imread(tmp_path / "t.png").shape[:2] == (800, 800)


# ------------------------------------------------------------------------------------ experiments


def test_sst_command_fast_and_reference(tmp_path):
    proc = wordvec("sst", "-o", tmp_path / "fast", "--iterations", 100, "--no-progress")
    assert proc.returncode == 0, proc.stderr
    assert "fast engine" in proc.stdout
    assert imread(tmp_path / "fast" / "word_vectors.png").shape[:2] == (800, 800)
    assert gensim_kv(tmp_path / "fast" / "word_vectors.txt").vector_size == 10
    proc = wordvec("sst", "-o", tmp_path / "ref", "--reference", "--iterations", 2, "--no-progress")
    assert proc.returncode == 0, proc.stderr
    assert "100 windows" in proc.stdout and "(reference)" in proc.stdout
    assert imread(tmp_path / "ref" / "word_vectors.png").shape[:2] == (800, 800)
    assert_user_error(wordvec("sst", "-o", tmp_path / "x", "--reference", "--alpha", 0.1), 1, r"--alpha")


# ------------------------------------------------------------------------------------ errors


def test_interrupt_exits_130(monkeypatch, capsys):
    def interrupted(args):
        raise KeyboardInterrupt

    monkeypatch.setattr(similar, "run", interrupted)
    assert cli.main(["similar", "v.txt", "w"]) == 130
    assert capsys.readouterr().err == "wordvec: interrupted\n"


def test_error_messages_are_one_line():
    assert common.error_message(FileNotFoundError(2, "No such file or directory", "x.txt")) == (
        "x.txt: No such file or directory"
    )
    assert common.error_message(KeyError("word 'a' not in vocabulary")) == "word 'a' not in vocabulary"
    assert common.error_message(ValueError("two\nlines")) == "two lines"
