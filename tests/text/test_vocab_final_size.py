"""max_final_vocab with tied counts: at most max_final_vocab words (gensim's rule, compared with a
real gensim), and when the tie leaves none, an error that blames max_final_vocab, not min_count."""
from __future__ import annotations

import pytest
from gensim.models import Word2Vec as GensimWord2Vec

from wordvec.errors import ParameterError
from wordvec.models.word2vec import Word2Vec

SENTENCES = [["a", "b", "c", "d"]] * 3 + [["e", "f"], ["g", "h", "g"]]


@pytest.mark.parametrize("max_final_vocab", [4, 5, 6, 7, 100])
def test_at_most_max_final_vocab_words_as_gensim(max_final_vocab):
    ours = Word2Vec(min_count=1, max_final_vocab=max_final_vocab, vector_size=4, workers=1)
    ours.build_vocab(SENTENCES)
    theirs = GensimWord2Vec(min_count=1, max_final_vocab=max_final_vocab, vector_size=4, workers=1)
    theirs.build_vocab(SENTENCES)
    assert len(ours.wv) <= max_final_vocab
    assert sorted(ours.wv.index_to_key) == sorted(theirs.wv.index_to_key)


@pytest.mark.parametrize("max_final_vocab", [1, 2, 3])
def test_a_tie_that_leaves_nothing_blames_max_final_vocab(max_final_vocab):
    with pytest.raises(ParameterError, match=rf"^max_final_vocab={max_final_vocab} keeps no word: the 4 most frequent "
                                             r"words all occur 3 times and keeping only some of them would be arbitrary "
                                             r"\(gensim's rule\); raise max_final_vocab to at least 4 or leave it unset$") as info:
        Word2Vec(min_count=1, max_final_vocab=max_final_vocab, vector_size=4, workers=1).build_vocab(SENTENCES)
    assert info.value.param == "max_final_vocab"
    assert "min_count" not in str(info.value)
