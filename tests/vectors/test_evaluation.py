"""Analogy and word-pair evaluation: gensim's numbers exactly, on the bundled files."""
from __future__ import annotations

import gzip
import logging

import numpy as np
import pytest
from gensim.models import KeyedVectors as GensimKV

from wordvec import resources
from wordvec.errors import ParameterError, WordvecError
from wordvec.vectors.evaluation import EvaluationFileError, score_word_analogies
from wordvec.vectors.keyedvectors import KeyedVectors

QUESTIONS = str(resources.datapath(resources.QUESTIONS_WORDS))
WORDSIM = str(resources.datapath(resources.WORDSIM353))
SIMLEX = str(resources.datapath(resources.SIMLEX999))


def analogy_lines() -> list[str]:
    with gzip.open(QUESTIONS, "rt", encoding="utf8") as f:
        return f.read().splitlines()


def structured_vectors(d: int = 24, seed: int = 0) -> tuple[list[str], np.ndarray]:
    """The analogy and word-pair words (lowercase, plus some capitalized variants with their own
    vectors, which case folding must skip), random vectors with per-section offsets planted on
    about half the pairs, so that many but not all analogies are right. A few words are dropped
    (unknown), the order is shuffled (so restrict_vocab matters)."""
    rng = np.random.default_rng(seed)
    words: dict[str, None] = {}
    lines = analogy_lines()
    for line in lines:
        if not line.startswith(":"):
            for w in line.split():
                words[w.lower()] = None
                if rng.random() < 0.1:
                    words[w] = None
    for path in (WORDSIM, SIMLEX):
        for line in open(path, encoding="utf8"):
            if not line.startswith("#"):
                for w in line.split("\t")[:2]:
                    words[w] = None
    vocab = [w for w in words if rng.random() > 0.03]
    rng.shuffle(vocab)
    index = {w: i for i, w in enumerate(vocab)}
    vecs = rng.standard_normal((len(vocab), d)).astype(np.float32)
    offset = None
    for line in lines:
        if line.startswith(":"):
            offset = rng.standard_normal(d).astype(np.float32) * 2.5
            continue
        a, b = (w.lower() for w in line.split()[:2])
        if a in index and b in index and rng.random() < 0.3:
            vecs[index[b]] = vecs[index[a]] + offset + 0.8 * rng.standard_normal(d).astype(np.float32)
    return vocab, vecs


@pytest.fixture(scope="module")
def models():
    words, vecs = structured_vectors()
    kv = KeyedVectors.from_vectors(words, vecs.copy())
    g = GensimKV(vecs.shape[1])
    g.add_vectors(words, vecs.copy())
    return kv, g


@pytest.mark.parametrize("kwargs", [
    dict(),
    dict(case_insensitive=False),
    dict(restrict_vocab=700, dummy4unknown=True),
])
def test_analogies_equal_gensims(models, kwargs):
    kv, g = models
    accuracy, sections = kv.evaluate_word_analogies(**kwargs)
    g_accuracy, g_sections = g.evaluate_word_analogies(QUESTIONS, **kwargs)
    assert accuracy == g_accuracy
    assert sections == g_sections  # every section, every question, in order
    total = sections[-1]
    assert len(total["correct"]) > 50 and len(total["incorrect"]) > 50
    assert sections[-1]["section"] == "Total accuracy" and len(sections) == 15


def test_analogy_counts(models, caplog):
    kv, _ = models
    vocab = {w.upper() for w in kv.index_to_key}
    quads = [line.upper().split() for line in analogy_lines() if not line.startswith(":")]
    oov = sum(1 for q in quads if any(w not in vocab for w in q))
    with caplog.at_level(logging.INFO, logger="wordvec.vectors.evaluation"):
        result = score_word_analogies(kv)
    assert result.questions == len(quads) == 19544
    assert result.oov == result.skipped == oov > 0
    total = result.sections[-1]
    assert len(total["correct"]) + len(total["incorrect"]) == len(quads) - oov
    assert result.oov_ratio == pytest.approx(100 * oov / len(quads))
    assert f"{oov} analogies containing OOV words were skipped" in caplog.text
    dummy = score_word_analogies(kv, dummy4unknown=True)
    assert dummy.skipped == 0 and len(dummy.sections[-1]["incorrect"]) == len(total["incorrect"]) + oov


def test_evaluation_does_not_modify_the_model(models):
    kv, _ = models
    key_to_index, index_to_key, vecs = kv.key_to_index, list(kv.index_to_key), kv.vectors.copy()
    kv.evaluate_word_analogies(restrict_vocab=500)
    kv.evaluate_word_pairs()
    assert kv.key_to_index is key_to_index and kv.index_to_key == index_to_key
    np.testing.assert_array_equal(kv.vectors, vecs)


@pytest.mark.parametrize("path", [WORDSIM, SIMLEX])
@pytest.mark.parametrize("kwargs", [dict(), dict(case_insensitive=False, dummy4unknown=True), dict(restrict_vocab=900)])
def test_word_pairs_equal_gensims(models, path, kwargs):
    kv, g = models
    pearson, spearman, oov = kv.evaluate_word_pairs(path, **kwargs)
    g_pearson, g_spearman, g_oov = g.evaluate_word_pairs(path, **kwargs)
    np.testing.assert_allclose(tuple(pearson), tuple(g_pearson), rtol=1e-6, atol=1e-9)
    np.testing.assert_allclose(tuple(spearman), tuple(g_spearman), rtol=1e-6, atol=1e-9)
    assert oov == g_oov and oov > 0


def test_default_pairs_file_is_wordsim353(models):
    kv, _ = models
    assert kv.evaluate_word_pairs()[2] == kv.evaluate_word_pairs(WORDSIM)[2]


# ---------------------------------------------------------------------------------- small, checkable files

def toy() -> KeyedVectors:
    words = ["man", "woman", "king", "queen", "apple", "Queen"]
    v = np.array([[1, 0, 0], [1, 1, 0], [1, 0, 1], [1, 1, 1], [0, 0, 1], [-1, -1, -1]], dtype=np.float32)
    return KeyedVectors.from_vectors(words, v)


def test_toy_analogies(tmp_path):
    (tmp_path / "q.txt").write_text(
        ": royal\nman woman king queen\nman king woman queen\nbad line\nman woman king apple\n"
        ": unknown\nman woman king prince\n\n", encoding="utf8")
    kv = toy()
    accuracy, sections = kv.evaluate_word_analogies(tmp_path / "q.txt")
    assert sections[0] == {"section": "royal",
                           "correct": [("MAN", "WOMAN", "KING", "QUEEN"), ("MAN", "KING", "WOMAN", "QUEEN")],
                           "incorrect": [("MAN", "WOMAN", "KING", "APPLE")]}
    assert sections[1] == {"section": "unknown", "correct": [], "incorrect": []}
    assert accuracy == pytest.approx(2 / 3)
    g = GensimKV(3)
    g.add_vectors(kv.index_to_key, kv.vectors)
    assert (accuracy, sections) == g.evaluate_word_analogies(str(tmp_path / "q.txt"))
    # gzip-compressed analogy files
    (tmp_path / "q.txt.gz").write_bytes(gzip.compress((tmp_path / "q.txt").read_bytes()))
    assert kv.evaluate_word_analogies(tmp_path / "q.txt.gz") == (accuracy, sections)


def test_cosmul_analogies_equal_single_queries(models, tmp_path):
    kv, _ = models
    lines = analogy_lines()[:1500]
    wanted = {w.lower() for line in lines for w in line.split()}
    lower = [w for w in kv.index_to_key if w in wanted][:650]
    small = KeyedVectors.from_vectors(lower, kv[lower])
    (tmp_path / "q.txt").write_text("\n".join(lines) + "\n", encoding="utf8")
    result = score_word_analogies(small, tmp_path / "q.txt", restrict_vocab=600,
                                  similarity_function="most_similar_cosmul")
    expected = {"correct": [], "incorrect": []}
    ok = set(w.upper() for w in lower[:600])
    for line in lines:
        quad = line.upper().split()
        if line.startswith(":") or any(w not in ok for w in quad):
            continue
        a, b, c, d = (w.lower() for w in quad)
        top = small.most_similar_cosmul(positive=[b, c], negative=[a], topn=1, restrict_vocab=600)[0][0]
        expected["correct" if top == d else "incorrect"].append(tuple(quad))
    total = result.sections[-1]
    assert total["correct"] == expected["correct"] and total["incorrect"] == expected["incorrect"]
    assert len(expected["correct"]) > 10 and len(expected["incorrect"]) > 10


def test_toy_word_pairs(tmp_path):
    (tmp_path / "p.csv").write_text(
        "# comment\nman,woman,1\nking,queen,2\nman,apple,0.5\nking,prince,3\nnot a pair\nman,king,x\n", encoding="utf8")
    kv = toy()
    pearson, spearman, oov = kv.evaluate_word_pairs(tmp_path / "p.csv", delimiter=",")
    cosines = [kv.similarity("man", "woman"), kv.similarity("king", "queen"), kv.similarity("man", "apple")]
    from scipy import stats

    assert tuple(pearson) == pytest.approx(tuple(stats.pearsonr([1, 2, 0.5], cosines)))
    assert spearman[0] == pytest.approx(stats.spearmanr([1, 2, 0.5], cosines)[0])
    assert oov == 25.0


def test_bad_evaluation_files(tmp_path):
    kv = toy()
    (tmp_path / "noheader.txt").write_text("man woman king queen\n")
    with pytest.raises(EvaluationFileError, match=r"noheader\.txt: line 1: a question before the first ': section'"):
        kv.evaluate_word_analogies(tmp_path / "noheader.txt")
    (tmp_path / "empty.txt").write_text("")
    with pytest.raises(EvaluationFileError, match="no analogy questions"):
        kv.evaluate_word_analogies(tmp_path / "empty.txt")
    with pytest.raises(EvaluationFileError, match="no usable word pairs"):
        kv.evaluate_word_pairs(tmp_path / "empty.txt")
    with pytest.raises(EvaluationFileError, match=r"missing\.txt: no such file"):
        kv.evaluate_word_analogies(tmp_path / "missing.txt")
    (tmp_path / "latin1.txt").write_bytes(": s\ncaf\xe9 a b c\n".encode("latin-1"))
    with pytest.raises(EvaluationFileError, match=r"latin1\.txt: line 2: not valid utf8"):
        kv.evaluate_word_analogies(tmp_path / "latin1.txt")
    with pytest.raises(ParameterError, match="similarity_function"):
        kv.evaluate_word_analogies(similarity_function="cosine")
    with pytest.raises(ParameterError, match="restrict_vocab"):
        kv.evaluate_word_pairs(restrict_vocab=0)
    assert issubclass(EvaluationFileError, WordvecError)
