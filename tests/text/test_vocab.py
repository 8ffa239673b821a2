"""Vocabulary: pruning and ordering, subsampling thresholds, the alias table, Huffman codes, the
hash table and 64-bit counts."""
from __future__ import annotations

import heapq
from collections import Counter

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from scipy import stats

from wordvec.errors import CorpusError, ParameterError
from wordvec.text.tokens import fnv1a
from wordvec.text.vocab import RULE_DEFAULT, RULE_KEEP, Vocabulary, VocabCounter


def keep_probability(counts: np.ndarray, sample: float) -> np.ndarray:
    """word2vec.c's keep probability, straight from the formula: (sqrt(f/(sT)) + 1) (sT) / f."""
    f = counts.astype(np.float64)
    st_ = sample * f.sum()
    return np.minimum(1.0, (np.sqrt(f / st_) + 1.0) * st_ / f)


def zipf_vocab(V: int = 300, seed: int = 0) -> Vocabulary:
    rng = np.random.default_rng(seed)
    counts = np.maximum(1, (1e5 / np.arange(1, V + 1) ** 1.1 * rng.uniform(0.8, 1.2, V)).astype(np.int64))
    return Vocabulary.from_counts({f"w{i}": int(c) for i, c in enumerate(counts)}, min_count=1)


# ----------------------------------------------------------------------------- ordering and pruning


def test_from_counts_sorts_by_count_ties_as_gensim():
    counter = Counter()
    for w in "d b a c b a e e e".split():  # d, c: 1 each; a, b: 2 each; e: 3
        counter[w] += 1
    v = Vocabulary.from_counts(counter, min_count=1)
    assert v.words == ["e", "a", "b", "c", "d"]  # ties: later first appearance first, as gensim 4
    assert v.counts.tolist() == [3, 2, 2, 1, 1] and v.counts.dtype == np.int64
    assert v.key_to_index == {w: i for i, w in enumerate(v.words)}
    assert Vocabulary.from_counts(counter, min_count=2).words == ["e", "a", "b"]
    assert Vocabulary.from_counts(counter, min_count=1, sorted_vocab=False).words == ["d", "b", "a", "c", "e"]
    assert v.raw_word_count == 9 == v.total_words


def test_vocabulary_order_equals_gensims():
    from gensim.models import Word2Vec as GensimWord2Vec

    rng = np.random.default_rng(4)
    words = [f"w{i}" for i in range(300)]
    sentences = [list(rng.choice(words, size=12, p=np.r_[np.full(50, 0.01), np.full(250, 0.5 / 250)])) for _ in range(200)]
    counter = Counter()
    for s in sentences:
        counter.update(s)
    for min_count in (1, 3):
        g = GensimWord2Vec(vector_size=4, min_count=min_count, workers=1)
        g.build_vocab(sentences)
        assert Vocabulary.from_counts(counter, min_count=min_count).words == g.wv.index_to_key


def test_trim_rule():
    from wordvec.text.vocab import RULE_DEFAULT, RULE_DISCARD, RULE_KEEP

    counter = Counter("a a a b b c d".split())

    def rule(word, count, min_count):
        return {"a": RULE_DISCARD, "d": RULE_KEEP}.get(word, RULE_DEFAULT)

    assert Vocabulary.from_counts(counter, min_count=2, trim_rule=rule).words == ["b", "d"]
    assert Vocabulary.from_counts(counter, min_count=2).merged(
        Vocabulary.from_counts(Counter("x y y".split()), min_count=1), 2, trim_rule=lambda w, c, m: RULE_KEEP
    ).words == ["a", "b", "y", "x"]  # new words in the order given (here sorted)


def test_from_counts_is_independent_of_insertion_order_up_to_ties():
    rng = np.random.default_rng(1)
    items = [(f"w{i}", int(c)) for i, c in enumerate(rng.integers(1, 50, 200))]
    a = Vocabulary.from_counts(dict(items), min_count=3)
    b = Vocabulary.from_counts(dict(items[::-1]), min_count=3)
    assert sorted(a.words) == sorted(b.words)
    assert a.counts.tolist() == b.counts.tolist() == sorted(a.counts.tolist(), reverse=True)


def test_max_final_vocab_raises_min_count():
    counter = {"a": 10, "b": 8, "c": 8, "d": 5, "e": 3, "f": 1}
    v = Vocabulary.from_counts(counter, min_count=1, max_final_vocab=2)
    assert v.words == ["a"]  # 2 words would split the tie b/c: min_count becomes 9 (gensim's rule)
    assert Vocabulary.from_counts(counter, min_count=1, max_final_vocab=3).words == ["a", "c", "b"]
    assert Vocabulary.from_counts(counter, min_count=1, max_final_vocab=4).words == ["a", "c", "b", "d"]
    assert Vocabulary.from_counts(counter, min_count=1, max_final_vocab=10).words == list("acbdef")
    assert Vocabulary.from_counts(counter, min_count=4, max_final_vocab=10).words == list("acbd")


def test_vocab_counter_counts_tokens_and_prunes_like_word2vec_c():
    c = VocabCounter()
    c.update(["a", "b", "a"])
    c.update(iter(["c", "a"]), n_tokens=2)
    assert c.counts == Counter({"a": 3, "b": 1, "c": 1}) and c.raw_word_count == 5 and c.pruned_words == 0

    p = VocabCounter(max_vocab_size=3)
    p.update(["x", "x", "x", "y", "y", "z"])
    assert p.pruned_words == 0
    p.update(["w"])  # 4 distinct > 3: words with count <= 1 go, min_reduce becomes 2
    assert set(p.counts) == {"x", "y"} and p.pruned_words == 2 and p.min_reduce == 2
    p.update(["u", "v"])  # 4 distinct again: counts <= 2 go
    assert set(p.counts) == {"x"} and p.min_reduce == 3 and p.pruned_words == 5
    assert p.raw_word_count == 9


def test_vocab_counter_prunes_like_gensim_per_sentence():
    # gensim's _scan_vocab + utils.prune_vocab: after a sentence leaving more than max_vocab_size
    # words, drop count < min_reduce once (min_reduce from 1), then min_reduce += 1
    p = VocabCounter(max_vocab_size=2, pruning="gensim")
    for sentence, kept, min_reduce in (
        (["g", "s"], {"g": 1, "s": 1}, 1),
        (["g", "s"], {"g": 2, "s": 2}, 1),
        (["s", "e"], {"g": 2, "s": 3, "e": 1}, 2),  # 3 > 2 words, but none has count < 1
        (["g", "s"], {"g": 3, "s": 4}, 3),  # count < 2 goes
    ):
        p.update(sentence)
        assert (dict(p.counts), p.min_reduce) == (kept, min_reduce)
    assert p.pruned_words == 1
    kept_by_rule = VocabCounter(max_vocab_size=1, pruning="gensim", trim_rule=lambda w, c, m: RULE_KEEP if w == "r" else RULE_DEFAULT)
    kept_by_rule.update(["a", "r"])
    kept_by_rule.update(["a", "b"])
    assert dict(kept_by_rule.counts) == {"a": 2, "r": 1}
    with pytest.raises(ParameterError, match="pruning"):
        VocabCounter(3, pruning="fasttext")


def test_merged_keeps_old_indices_and_appends_new_words():
    old = Vocabulary.from_counts({"a": 5, "b": 4, "c": 3}, min_count=1, n_sentences=2)
    new = Vocabulary.from_counts({"c": 10, "z": 2, "y": 7, "b": 1, "q": 1}, min_count=1, n_sentences=3,
                                 sorted_vocab=False)
    m = old.merged(new, min_count=2)
    assert m.words == ["a", "b", "c", "z", "y"]  # appended in first appearance, as gensim
    assert m.counts.tolist() == [5, 5, 13, 2, 7]
    assert m.key_to_index["y"] == 4
    assert m.raw_word_count == old.raw_word_count + new.raw_word_count and m.n_sentences == 5


def test_vocabulary_rejects_mismatched_lengths():
    with pytest.raises(ValueError):
        Vocabulary(["a", "b"], np.array([1]))


# ----------------------------------------------------------------------------- subsampling


@pytest.mark.parametrize("sample", [1e-5, 1e-3, 0.1])
def test_keep_thresholds_follow_the_formula(sample):
    v = zipf_vocab()
    thr = v.keep_thresholds(sample)
    assert thr.dtype == np.int64 and thr.shape == (len(v),)
    p = keep_probability(v.counts, sample)
    np.testing.assert_array_less(np.abs(thr / 2.0**32 - p), 2.0**-32)
    assert np.all(np.diff(thr) >= 0)  # rarer words are kept at least as often
    assert np.all(thr[p == 1.0] == 2**32)  # always kept: the kernel tests r < thr with r < 2**32
    if sample == 0.1:
        assert np.any(p == 1.0)


def test_keep_thresholds_sample_zero_keeps_everything():
    v = zipf_vocab()
    assert np.all(v.keep_thresholds(0.0) == 2**32)
    assert Vocabulary([], np.zeros(0, np.int64)).keep_thresholds(1e-3).shape == (0,)


# ----------------------------------------------------------------------------- noise distribution


def alias_mass(threshold: np.ndarray, alias: np.ndarray) -> np.ndarray:
    """V * probability of each word under the sampling rule: bucket b uniform, keep b when a
    32-bit uniform is < threshold[b], else alias[b]."""
    t = threshold.astype(np.float64) / 2.0**32
    mass = t.copy()
    np.add.at(mass, alias, 1.0 - t)
    return mass


def alias_draws(threshold: np.ndarray, alias: np.ndarray, n: int, seed: int) -> np.ndarray:
    """n draws with the kernel's rule from 64 random bits: bucket from the low 32 bits
    (multiply-shift), acceptance test with the high 32 bits."""
    r = np.random.default_rng(seed).bit_generator.random_raw(n).astype(np.uint64)
    b = ((r & np.uint64(0xFFFFFFFF)) * np.uint64(len(threshold))) >> np.uint64(32)
    reject = (r >> np.uint64(32)) >= threshold[b]
    return np.where(reject, alias[b], b.astype(np.int64))


@pytest.mark.parametrize("exponent", [0.75, 1.0, 0.0, -0.5])
def test_alias_table_is_exact(exponent):
    v = zipf_vocab()
    threshold, alias = v.alias_table(exponent)
    assert threshold.dtype == np.uint32 and alias.dtype == np.int32
    assert alias.min() >= 0 and alias.max() < len(v)
    p = v.noise_distribution(exponent)
    assert p.sum() == pytest.approx(1.0)
    np.testing.assert_allclose(p, v.counts**exponent / np.sum(v.counts.astype(float) ** exponent))
    np.testing.assert_allclose(alias_mass(threshold, alias), len(v) * p, atol=1e-6)


@given(st.lists(st.integers(1, 10**6), min_size=1, max_size=60), st.sampled_from([0.75, 1.0, 0.5]))
@settings(max_examples=40, deadline=None)
def test_alias_table_is_exact_for_any_counts(counts, exponent):
    v = Vocabulary([f"w{i}" for i in range(len(counts))], np.sort(np.array(counts))[::-1])
    threshold, alias = v.alias_table(exponent)
    np.testing.assert_allclose(alias_mass(threshold, alias), len(v) * v.noise_distribution(exponent), atol=1e-6)


def test_alias_sampling_matches_noise_distribution():
    v = zipf_vocab(V=50)
    threshold, alias = v.alias_table(0.75)
    n = 400_000
    draws = alias_draws(threshold, alias, n, seed=123)
    observed = np.bincount(draws, minlength=len(v))
    result = stats.chisquare(observed, n * v.noise_distribution(0.75))
    assert result.pvalue > 1e-3
    # and the test has power: the unsmoothed unigram distribution is rejected
    assert stats.chisquare(observed, n * v.noise_distribution(1.0)).pvalue < 1e-10


# ----------------------------------------------------------------------------- Huffman


def huffman_cost(counts) -> int:
    """sum count * code length of an optimal prefix code: the sum of all merged weights."""
    heap = list(map(int, counts))
    heapq.heapify(heap)
    cost = 0
    while len(heap) > 1:
        merged = heapq.heappop(heap) + heapq.heappop(heap)
        cost += merged
        heapq.heappush(heap, merged)
    return cost


def check_huffman(v: Vocabulary) -> None:
    codes, points, lengths = v.huffman()
    V = len(v)
    assert codes.shape == points.shape and codes.shape[0] == V and lengths.shape == (V,)
    words = [tuple(codes[w, : lengths[w]].tolist()) for w in range(V)]
    assert all(set(c) <= {0, 1} for c in words)
    assert all(lengths > 0)
    assert int(np.sum(v.counts * lengths)) == huffman_cost(v.counts)  # optimal
    ordered = sorted(words)
    for a, b in zip(ordered, ordered[1:]):  # prefix-free: a prefix sorts just before its extensions
        assert b[: len(a)] != a
    node_of_prefix: dict[tuple, int] = {}
    for w in range(V):
        path = points[w, : lengths[w]]
        assert path.min() >= 0 and path.max() <= V - 2
        assert path[0] == V - 2  # the root
        for depth in range(lengths[w]):  # the inner node is a function of the code prefix
            assert node_of_prefix.setdefault(words[w][:depth], int(path[depth])) == path[depth]
    assert len(node_of_prefix) == V - 1  # every inner node is on some path, each once
    assert sorted(node_of_prefix.values()) == list(range(V - 1))


@pytest.mark.parametrize("tree", ["word2vec.c", "gensim"])
def test_huffman_codes_are_optimal_prefix_free(tree):
    v = zipf_vocab()
    v.tree = tree
    check_huffman(v)
    check_huffman(Vocabulary(["a", "b"], np.array([5, 5]), tree=tree))
    v = Vocabulary(list("abcd"), np.array([8, 4, 2, 2]), tree=tree)
    codes, points, lengths = v.huffman()
    assert lengths.tolist() == [1, 2, 3, 3]


@given(st.lists(st.integers(1, 10**12), min_size=2, max_size=80), st.sampled_from(["word2vec.c", "gensim"]))
@settings(max_examples=40, deadline=None)
def test_huffman_optimal_for_any_counts(counts, tree):
    counts = np.sort(np.array(counts, dtype=np.int64))[::-1]
    check_huffman(Vocabulary([f"w{i}" for i in range(len(counts))], counts, tree=tree))


@given(st.lists(st.integers(1, 6), min_size=2, max_size=120))
@settings(max_examples=30, deadline=None)
def test_gensim_tree_is_gensims_for_any_counts_in_any_order(counts):
    # many ties (counts 1..6), vocabulary not sorted: gensim's heap decides every tie
    gensim_word2vec = pytest.importorskip("gensim.models.word2vec")
    g = gensim_word2vec.Word2Vec(min_count=1, hs=1, negative=0, sorted_vocab=0)
    g.build_vocab_from_freq({f"w{i}": c for i, c in enumerate(counts)})
    v = Vocabulary(list(g.wv.index_to_key), [g.wv.get_vecattr(i, "count") for i in range(len(g.wv))], tree="gensim")
    check_huffman(v)
    codes, points, lengths = v.huffman()
    for i in range(len(v)):
        assert codes[i, : lengths[i]].tolist() == g.wv.get_vecattr(i, "code").tolist()
        assert points[i, : lengths[i]].tolist() == g.wv.get_vecattr(i, "point").tolist()


def test_huffman_needs_two_words():
    with pytest.raises(CorpusError, match="at least 2 words"):
        Vocabulary(["a"], np.array([3])).huffman()


# ----------------------------------------------------------------------------- hash table


def test_hash_table_finds_every_word_by_probing():
    words = ["a", "ab", "", "été", "日本", "b" * 300] + [f"w{i}" for i in range(500)]
    words.remove("")
    v = Vocabulary(words, np.arange(len(words), 0, -1))
    table, word_bytes, offsets = v.hash_table()
    size = len(table)
    assert size & (size - 1) == 0 and size >= 2 * len(words)
    assert np.count_nonzero(table >= 0) == len(words)
    for i, w in enumerate(words):
        b = np.frombuffer(w.encode(), dtype=np.uint8)
        assert bytes(word_bytes[offsets[i]:offsets[i + 1]]) == w.encode()
        slot = int(fnv1a(b, 0, len(b))) & (size - 1)
        while table[slot] != i:
            assert table[slot] >= 0, f"{w!r} not reachable from its hash slot"
            slot = (slot + 1) & (size - 1)


# ----------------------------------------------------------------------------- 64-bit counts


def test_counts_beyond_2_31_are_exact():
    big = {"the": 3 * 2**31 + 7, "of": 2**32 + 1, "and": 2**31, "rare": 5, "rarer": 1}
    counter = VocabCounter()
    for _ in range(3):
        counter.counts.update(big)
        counter.raw_word_count += sum(big.values())
    v = Vocabulary.from_counts(counter.counts, min_count=4, raw_word_count=counter.raw_word_count)
    expected = [3 * c for c in big.values()]
    assert v.counts.dtype == np.int64
    assert v.counts.tolist() == sorted(expected[:4], reverse=True)
    assert v.total_words == sum(expected[:4]) > 2**35
    assert v.raw_word_count == sum(expected)
    p = keep_probability(v.counts, 1e-3)
    thr = v.keep_thresholds(1e-3)
    assert np.all((thr > 0) & (thr <= 2**32))
    np.testing.assert_array_less(np.abs(thr / 2.0**32 - p), 2.0**-32)
    threshold, alias = v.alias_table(0.75)
    np.testing.assert_allclose(alias_mass(threshold, alias), len(v) * v.noise_distribution(0.75), atol=1e-6)
    check_huffman(v)
    merged = v.merged(v, min_count=1)
    assert merged.total_words == 2 * v.total_words and merged.counts.dtype == np.int64

