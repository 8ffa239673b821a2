"""The CLI on fastText .bin models: detected by content, unknown words answered, bad files one line."""
from __future__ import annotations

import json
import subprocess
import sys

import numpy as np
import pytest

fasttext = pytest.importorskip("fasttext")

VOCAB = "walk walked walking walks talk talked talking talks run running runs jump jumped jumping".split()


def wordvec(*args, stdin=None):
    return subprocess.run([sys.executable, "-m", "wordvec.cli", *map(str, args)], input=stdin, capture_output=True,
                          text=True, timeout=300)


@pytest.fixture(scope="module")
def model_bin(tmp_path_factory):
    folder = tmp_path_factory.mktemp("cliftx")
    rng = np.random.default_rng(5)
    corpus = folder / "c.txt"
    corpus.write_text("\n".join(" ".join(rng.choice(VOCAB, 10)) for _ in range(60)) + "\n", encoding="utf-8")
    model = fasttext.train_unsupervised(str(corpus), dim=6, epoch=1, minCount=1, minn=3, maxn=5, bucket=200,
                                        thread=1, verbose=0)
    path = folder / "m.bin"
    model.save_model(str(path))
    return path, model


def test_print_word_vectors_matches_fasttext_for_known_and_unknown_words(model_bin):
    path, model = model_bin
    result = wordvec("print-word-vectors", path, stdin="walking walker\ntalkative\n")
    assert result.returncode == 0, result.stderr
    lines = result.stdout.splitlines()
    assert [line.split()[0] for line in lines] == ["walking", "walker", "talkative"]
    for line in lines:
        word, *values = line.split()
        np.testing.assert_allclose(np.array(values, dtype=float), model.get_word_vector(word), atol=1e-4)


def test_similar_and_analogy_accept_unknown_words(model_bin):
    path, _ = model_bin
    result = wordvec("similar", path, "walker", "-n", "3")
    assert result.returncode == 0, result.stderr
    assert len(result.stdout.splitlines()) == 3
    result = wordvec("analogy", path, "walk", "walker", "talk", "-n", "2")
    assert result.returncode == 0, result.stderr


def test_bad_bin_is_one_line_error(model_bin, tmp_path):
    bad = tmp_path / "cut.bin"
    bad.write_bytes(model_bin[0].read_bytes()[:500])
    result = wordvec("similar", bad, "walk")
    assert result.returncode == 1 and result.stdout == ""
    assert result.stderr.count("\n") == 1 and "truncated" in result.stderr and "Traceback" not in result.stderr


def test_train_subwords_writes_a_fasttext_bin_that_fasttext_reads(tmp_path):
    rng = np.random.default_rng(6)
    corpus = tmp_path / "c.txt"
    corpus.write_text("\n".join(" ".join(rng.choice(VOCAB, 10)) for _ in range(80)) + "\n", encoding="utf-8")
    out = tmp_path / "v.bin"
    result = wordvec("train", corpus, "-o", out, "--subwords", "--minn", "2", "--maxn", "4", "--bucket", "500",
                     "--dim", "8", "--min-count", "1", "--epochs", "1", "--threads", "1", "--format", "fasttext",
                     "--no-progress", "--save-model", tmp_path / "m.npz")
    assert result.returncode == 0, result.stderr
    ft = fasttext.load_model(str(out))
    assert ft.get_dimension() == 8 and ft.get_subwords("walkers")[1].size > 0
    printed = wordvec("print-word-vectors", out, stdin="walkers\n")
    np.testing.assert_allclose(np.array(printed.stdout.split()[1:], dtype=float), ft.get_word_vector("walkers"),
                               atol=1e-4)
    similar = wordvec("similar", tmp_path / "m.npz", "walkers", "-n", "2")  # the saved FastText model
    assert similar.returncode == 0 and len(similar.stdout.splitlines()) == 2, similar.stderr
    text = tmp_path / "v.txt"
    assert wordvec("train", corpus, "-o", text, "--subwords", "--dim", "8", "--min-count", "1", "--epochs", "1",
                   "--no-progress").returncode == 0
    bad = wordvec("train", corpus, "-o", tmp_path / "x.bin", "--format", "fasttext", "--no-progress")
    assert bad.returncode == 2 and "--subwords" in bad.stderr
    bad = wordvec("train", corpus, "-o", tmp_path / "x.txt", "--subwords", "--bucket", "-3", "--no-progress")
    assert bad.returncode != 0 and "--bucket" in bad.stderr and "Traceback" not in bad.stderr


def test_unknown_word_without_trained_ngrams_is_one_line_error(tmp_path):
    """With skip-gram's buckets starting at zero, a word none of whose n-grams training reached
    has a zero vector: similar, analogy and query refuse it in one line instead of listing
    arbitrary words at similarity 0."""
    from wordvec import FastText, save_facebook_model

    rng = np.random.default_rng(2)
    sentences = [list(rng.choice(VOCAB, 10)) for _ in range(60)]
    model = FastText(sentences, sg=1, vector_size=6, min_count=1, min_n=3, max_n=5, bucket=100000, epochs=1, workers=1)
    path = tmp_path / "sg.bin"
    save_facebook_model(model, path)
    blank, partial = "qxzvy", "walkzz"
    assert not model.wv[blank].any() and model.wv[partial].any()
    result = wordvec("similar", path, blank)
    assert result.returncode == 1 and result.stdout == "" and result.stderr.count("\n") == 1
    assert f"'{blank}' is not in the vocabulary of {path} and none of its n-grams was trained" in result.stderr
    assert wordvec("similar", path, partial, "-n", "2").returncode == 0
    assert wordvec("analogy", path, "walk", blank, "talk").returncode == 1
    result = wordvec("query", path, "--json", stdin=f"{blank}\n{partial}\n")
    answers = [json.loads(line) for line in result.stdout.splitlines()]
    assert "none of its n-grams was trained" in answers[0]["error"] and len(answers[1]["neighbours"]) > 0
