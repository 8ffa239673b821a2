"""Subword n-gram rows must equal those of the fastText package itself."""
from __future__ import annotations

import numpy as np
import pytest

from wordvec.errors import ParameterError
from wordvec.text.subwords import (
    char_ngrams, ft_hash, ngram_rows, subwords_enabled, vocabulary_bags, word_bag,
)

fasttext = pytest.importorskip("fasttext")

WORDS = (
    "the quick brown fox jumps over lazy dog naïve café résumé über straße ça Ωmega смысл слово "
    "東京 日本語 emoji🙂 a I x 🙂 ab ñ ŉ ǅ tschüß garçon"
).split()
UNSEEN = ["zebra", "naïveté", "Москва", "東", "🙂🙂", "q", "", "xyzzy-plugh", "<", ">", "a>b", "é"]


@pytest.fixture(scope="module")
def ft_model(tmp_path_factory):
    path = tmp_path_factory.mktemp("ft") / "corpus.txt"
    rng = np.random.default_rng(0)
    lines = [" ".join(rng.choice(WORDS, size=12)) for _ in range(60)]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return fasttext.train_unsupervised(
        str(path), model="skipgram", dim=8, epoch=1, minCount=1, minn=2, maxn=5, bucket=1000,
        thread=1, verbose=0,
    )


def test_hash_matches_fasttext_signed_char_quirk():
    # Reference values computed by hand from the definition (sign-extended bytes).
    assert ft_hash("") == 2166136261
    assert ft_hash("a") == ((2166136261 ^ 0x61) * 16777619) % 2**32
    assert ft_hash(b"\xc3") == ((2166136261 ^ 0xFFFFFFC3) * 16777619) % 2**32


def test_ids_equal_fasttext_for_vocabulary_and_unknown_words(ft_model):
    words = ft_model.get_words(include_freq=False)
    nwords = len(words)
    offsets, rows = vocabulary_bags(words, 2, 5, 1000)
    assert offsets.dtype == np.int64 and rows.dtype == np.int32 and offsets.shape == (nwords + 1,)
    non_ascii = 0
    for i, w in enumerate(words):
        strings, ids = ft_model.get_subwords(w)
        assert rows[offsets[i]:offsets[i + 1]].tolist() == ids.tolist(), w
        assert word_bag(w, i, 2, 5, 1000, nwords).tolist() == ids.tolist()
        if w != "</s>":
            assert [w] + char_ngrams(w, 2, 5) == list(strings)
        non_ascii += not w.isascii()
    assert non_ascii >= 10 and "</s>" in words  # fastText counts newlines as </s>, which has no n-grams
    for w in UNSEEN:
        strings, ids = ft_model.get_subwords(w)
        assert ngram_rows(w, 2, 5, 1000, nwords).tolist() == ids.tolist(), w
        assert char_ngrams(w, 2, 5) == list(strings), w


def test_no_subwords_means_own_row_only():
    for min_n, max_n, bucket in ((3, 0, 100), (4, 3, 100), (3, 6, 0)):
        assert not subwords_enabled(min_n, max_n, bucket)
        offsets, rows = vocabulary_bags(["a", "bc"], min_n, max_n, bucket)
        assert offsets.tolist() == [0, 1, 2] and rows.tolist() == [0, 1]
        assert ngram_rows("abc", min_n, max_n, bucket).size == 0


def test_rows_in_range_and_short_words():
    rows = ngram_rows("ab", 5, 6, 10, n_words=7)
    assert rows.size == 0  # "<ab>" has 4 characters
    rows = ngram_rows("someword", 3, 6, 10, n_words=7)
    assert rows.size == sum(len("<someword>") - n + 1 for n in range(3, 7))
    assert ((rows >= 7) & (rows < 17)).all()


def test_bad_parameters():
    with pytest.raises(ParameterError, match="bucket"):
        vocabulary_bags(["a"], 3, 6, -1)
    with pytest.raises(ParameterError, match="min_n"):
        ngram_rows("a", 1.5, 6, 10)
