"""The FastText model: word2vec whose input vectors are bags of character n-gram rows.

:class:`FastText` is :class:`~wordvec.Word2Vec` (same parameters, vocabulary, driver, threads,
loss history, Ctrl-C checkpoints, resume, continued training, save/load without pickle) with
gensim's ``FastText`` extras: ``min_n``, ``max_n``, ``bucket`` and ``word_ngrams``. Its input
matrix has ``V + bucket`` rows (the words', then the n-gram buckets'); the input of a word is the
mean of its bag (:mod:`wordvec.text.subwords`), and ``model.wv`` is a
:class:`~wordvec.FastTextKeyedVectors` that gives a vector for any word. Training runs on the
subword engine (:mod:`wordvec.train.subword_engine`): fastText's skip-gram (the center's bag
predicts each context word, the bag gathered once per window and followed through each update)
and CBOW (the mean over the context words' bags predicts the center, each context position's bag
gathered once and followed through the updates of every window it is in), or both in fastText's
own order of updates with ``per_pair_updates``.

``max_n < min_n``, ``max_n == 0`` or ``bucket == 0`` turns subwords off (``bucket`` becomes 0, as
in gensim): the model is then plain word2vec, trained by the word2vec kernel.

Facebook's format: :func:`load_facebook_model` / :func:`save_facebook_model` (and
``FastText.from_facebook`` / ``to_facebook``) read and write fastText ``.bin`` files, which
fastText itself and gensim load with the same vectors.
"""
from __future__ import annotations

import os
from typing import Any, Iterable, Sequence

import numpy as np

from ..errors import ParameterError
from ..formats.facebook import FacebookArgs, FacebookModel, read_facebook_bin, write_facebook_bin
from ..text.subwords import EOS, subwords_enabled
from ..text.vocab import Vocabulary
from ..train import kernels
from ..validation import check_bool, check_int
from ..vectors.fasttext_keyedvectors import FastTextKeyedVectors
from ..vectors.keyedvectors import KeyedVectors
from .word2vec import Word2Vec

__all__ = ["FastText", "load_facebook_model", "save_facebook_model"]

#: fastText's default learning rate, for skip-gram and CBOW alike.
FASTTEXT_ALPHA = 0.05
#: The default noise exponents (unigram counts to this power), skip-gram then CBOW: fastText's 0.5
#: for skip-gram, word2vec's and gensim's 0.75 for CBOW, each the better of the two on enmix
#: (docs/benchmarks.md, FastText).
NS_EXPONENTS = {1: 0.5, 0: 0.75}
#: Whether the n-gram buckets start at zero (else uniform in [-1/d, 1/d], as the word rows),
#: skip-gram then CBOW: each the better of the two on enmix (docs/benchmarks.md, FastText).
ZERO_BUCKETS = {1: True, 0: False}
_INIT_CHUNK_ROWS = 1 << 16


class FastText(Word2Vec):
    """fastText's subword model with gensim's ``FastText`` API (see the module docstring).

    All :class:`~wordvec.Word2Vec` parameters apply, with ``alpha`` defaulting to fastText's 0.05
    for both architectures, ``ns_exponent`` to fastText's 0.5 for skip-gram and to word2vec's
    0.75 for CBOW (fastText uses 0.5 for both, gensim 0.75; on enmix 0.5 scored about 0.5
    analogy points higher with skip-gram and 0.75 about 1.9 points higher with CBOW,
    docs/benchmarks.md), ``shared_negatives`` to False (noise words drawn per prediction, as
    fastText: sharing them across a window cost 17 points of analogy accuracy on enmix with
    subwords), and the corpus read as fastText reads it: ``streams=None`` reads a corpus file as
    one run per worker thread side by side, as fastText's threads each start at their own offset
    of the file, and ``epoch_words="all"`` makes a run as long as fastText's (epochs x every token
    read, words under ``min_count`` and line ends included, counted in in-vocabulary words: on
    enmix 1.9% more than 5 passes). On enmix, skip-gram with 2 threads, these two choices took
    WS353 from 0.520 to 0.538 and SimLex from 0.236 to 0.243 (medians of 7 and 28 runs; fastText's
    0.538 and 0.243) and the analogies from 53.05% to 52.57% (fastText's 53.52%);
    ``streams=8, epoch_words="vocabulary"`` reads as :class:`~wordvec.Word2Vec` does
    (docs/benchmarks.md, "Reading as fastText reads"). Skip-gram's n-gram buckets start at zero,
    as most of fastText's do (:meth:`set_vocabulary`): the default's medians over 41 runs are then
    53.16%, 0.540 and 0.248 (fastText's over 33: 53.46%, 0.533 and 0.242). Plus:

    min_n, max_n : int
        Lengths (in characters) of the n-grams of ``<word>`` that make a word's bag (3 and 6).
    bucket : int
        Number of hashed n-gram rows (2,000,000, fastText's and gensim's default).
    word_ngrams : int
        Must be 1: word n-grams are a feature of fastText's supervised classifier, which gensim
        ignores as well.
    eos : bool
        True (default): fastText's line-end word ``</s>`` is in the vocabulary with one count per
        sentence (so mostly subsampled away, as a frequent word) and is trained at the end of
        every sentence, the last words of a line having it as context, as fastText reads a line
        end; like fastText, it has no n-grams. On enmix it raised skip-gram's WS353 median by
        about 0.01, single seeds by -0.011 to +0.033 (docs/benchmarks.md). False: no such word,
        as gensim's ``FastText``, whose vocabulary is then wordvec's.
    per_pair_updates : bool
        Gather and scatter the bags as fastText does: skip-gram, the center's bag for every
        (center, context) pair; CBOW, every context word's bag for every center. False (default):
        skip-gram gathers the center's bag once per window and CBOW each position's bag once,
        follow the bags' sums through every update as the scatter would move them, and scatter
        the summed gradient once: the same arithmetic up to float rounding, except that CBOW sees
        a row shared by two positions of one window (a word repeated, a common n-gram) move late,
        as with rows another thread updates (:mod:`wordvec.train.kernels.subwords`,
        :mod:`wordvec.train.kernels.context_bags`; docs/benchmarks.md measures both).
    """

    PARAMS = Word2Vec.PARAMS + ("min_n", "max_n", "bucket", "word_ngrams", "per_pair_updates", "eos")
    #: fastText's tree (word2vec.c's), which fastText rebuilds from the counts when it reads a .bin.
    HUFFMAN_TREE = "word2vec.c"

    def __init__(
        self,
        sentences: Iterable[Sequence[str]] | None = None,
        corpus_file: str | os.PathLike | None = None,
        *,
        min_n: int = 3,
        max_n: int = 6,
        bucket: int = 2000000,
        word_ngrams: int = 1,
        per_pair_updates: bool = False,
        eos: bool = True,
        streams: int | None = None,
        epoch_words: str = "all",
        alpha: float | None = None,
        ns_exponent: float | None = None,
        shared_negatives: bool = False,
        **kwargs: Any,
    ) -> None:
        self.min_n = min_n
        self.max_n = max_n
        self.word_ngrams = word_ngrams
        self.per_pair_updates = per_pair_updates
        self.eos = eos
        self.bucket = bucket
        if ns_exponent is None:
            ns_exponent = NS_EXPONENTS[1 if kwargs.get("sg") else 0]
        super().__init__(None, None, alpha=FASTTEXT_ALPHA if alpha is None else alpha, ns_exponent=ns_exponent,
                         shared_negatives=shared_negatives, streams=streams, epoch_words=epoch_words, **kwargs)
        if not subwords_enabled(self.min_n, self.max_n, self.bucket):
            self.bucket = 0  # gensim's convention: no n-grams, no buckets
        self.wv = FastTextKeyedVectors(self.vector_size, self.min_n, self.max_n, self.bucket)
        if sentences is not None and corpus_file is not None:
            raise ParameterError("pass either sentences or corpus_file, not both")
        if sentences is not None or corpus_file is not None:
            self.build_vocab(sentences, corpus_file=corpus_file)
            self.train(sentences, corpus_file=corpus_file, total_examples=self.corpus_count,
                       total_words=self.corpus_total_words, epochs=self.epochs)

    # ------------------------------------------------------------------ parameters
    def validate(self) -> None:
        super().validate()
        check_int("min_n", self.min_n, 0, 1000)
        check_int("max_n", self.max_n, 0, 1000)
        check_int("bucket", self.bucket, 0, 2**31 - 1)
        check_int("word_ngrams", self.word_ngrams, 1, 1)
        check_bool("per_pair_updates", self.per_pair_updates)
        check_bool("eos", self.eos)
        if self.softmax:
            raise ParameterError("FastText trains with negative sampling or hierarchical softmax, not softmax=True", "softmax")
        if self.device is not None:
            raise ParameterError("FastText trains on the CPU engine only: leave device=None", "device")

    def corpus_streams(self) -> int:
        """``streams``, or one run per worker thread (fastText's threads' reading)."""
        return self.workers if self.streams is None else self.streams

    def sentence_end(self) -> str | None:
        """With ``eos``, fastText's line-end word ``</s>`` (:data:`wordvec.text.subwords.EOS`,
        which has no n-grams), counted once per sentence and trained at the end of each."""
        return EOS if self.eos else None

    @property
    def subwords(self) -> bool:
        """Whether words have n-gram rows (False: plain word2vec)."""
        return subwords_enabled(self.min_n, self.max_n, self.bucket)

    def check_memory(self, n_words: int) -> None:
        super().check_memory(n_words + getattr(self, "bucket", 0))

    # ------------------------------------------------------------------ vocabulary and weights
    def set_vocabulary(self, vocab: Vocabulary, update: bool = False) -> None:
        """Size the weights for ``vocab``: rows of new words are uniform in [-1/d, 1/d] and, at
        first, the n-gram buckets are zero for skip-gram and uniform for CBOW; with ``update`` the
        known words and the buckets keep theirs.

        The buckets start where most of fastText's do: fastText 0.9.2 fills only the first T/10
        of its input matrix's elements with uniform values (T threads; with 2 threads its words
        and the first 18% of 2M buckets) and leaves the rest zero. An n-gram seen in few words is
        then the sum of its updates, without noise of a word row's size. On enmix with 2 workers
        (25 runs each way) zero buckets gained skip-gram 0.33 analogy points and cost CBOW 1.2
        (4 runs each), hence :data:`ZERO_BUCKETS` (docs/benchmarks.md, "Where the n-gram buckets
        start")."""
        old_wv = self.wv
        old = 0 if not update or self.vocab is None else len(self.vocab)
        if old:
            old_words = old_wv.vectors_vocab.copy()
            self.wv = KeyedVectors.from_vectors(old_wv.index_to_key, old_words)  # what Word2Vec's update reads
        super().set_vocabulary(vocab, update)
        if not self.subwords:  # plain word2vec, initialised as Word2Vec initialises it
            self.wv = FastTextKeyedVectors.from_matrix(vocab.words, self.wv.vectors, self.min_n, self.max_n, 0,
                                                       counts=vocab.counts)
            vocab.words, vocab.key_to_index = self.wv.index_to_key, self.wv.key_to_index
            return
        n, d, buckets = len(vocab), self.vector_size, self.bucket
        matrix = np.empty((n + buckets, d), dtype=np.float32)
        rng = np.random.default_rng([self.seed, old, 1])
        stop = n
        if old:
            matrix[:old] = old_wv.vectors_vocab
            matrix[n:] = old_wv.vectors_ngrams
        elif ZERO_BUCKETS[1 if self.sg else 0]:
            matrix[n:] = 0
        else:
            stop = n + buckets
        for a in range(old, stop, _INIT_CHUNK_ROWS):
            b = min(stop, a + _INIT_CHUNK_ROWS)
            matrix[a:b] = (rng.random((b - a, d), dtype=np.float32) * 2 - 1) / d
        self.wv = FastTextKeyedVectors.from_matrix(vocab.words, matrix, self.min_n, self.max_n, buckets,
                                                   counts=vocab.counts)
        vocab.words, vocab.key_to_index = self.wv.index_to_key, self.wv.key_to_index

    def subword_bags(self) -> kernels.Bags | None:
        """The vocabulary's bags for the kernels (None without subwords: one row per word)."""
        if not self.subwords:
            return None
        return kernels.Bags(self.wv.bag_offsets, self.wv.bag_rows)

    # the model file keeps the whole input matrix (words and n-gram buckets)
    def input_matrix(self) -> np.ndarray:
        return self.wv.input_matrix

    def input_rows(self, n_words: int) -> int:
        return n_words + self.bucket

    def make_vectors(self, words: list[str], w_in: np.ndarray, counts: np.ndarray) -> FastTextKeyedVectors:
        return FastTextKeyedVectors.from_matrix(words, w_in, self.min_n, self.max_n, self.bucket, counts=counts)

    # ------------------------------------------------------------------ Facebook's format
    def to_facebook(self, lr_update_rate: int = 100, word_ngrams: int = 1) -> FacebookModel:
        """The model as fastText's :class:`~wordvec.formats.facebook.FacebookModel` (what a .bin holds)."""
        if self.vocab is None:
            raise ParameterError("cannot export a model without a vocabulary: build_vocab and train first")
        d, n = self.vector_size, len(self.vocab)
        if self.negative:
            output = self.syn1neg
            loss = "ns"
        else:  # fastText's tree is word2vec.c's; its code bit is the label, ours 1 - bit
            output = np.zeros((n, d), dtype=np.float32)
            output[: n - 1] = -self.syn1[: n - 1]
            loss = "hs"
        args = FacebookArgs(
            dim=d, ws=self.window, epoch=self.epochs, min_count=self.min_count, neg=self.negative,
            word_ngrams=word_ngrams, loss=loss, model="skipgram" if self.sg else "cbow", bucket=self.bucket,
            minn=self.min_n, maxn=self.max_n if self.subwords else 0, lr_update_rate=lr_update_rate, t=self.sample,
        )
        return FacebookModel(args=args, words=list(self.vocab.words), counts=np.asarray(self.vocab.counts),
                             ntokens=int(self.vocab.raw_word_count), input_matrix=self.wv.input_matrix,
                             output_matrix=np.ascontiguousarray(output))

    @classmethod
    def from_facebook(cls, fb: FacebookModel, source: str = "model", **overrides: Any) -> "FastText":
        """A trainable model from a fastText ``.bin``'s content (skip-gram or CBOW models)."""
        a = fb.args
        if a.model == "supervised":
            raise ParameterError(f"{source}: a supervised fastText classifier cannot be loaded as a FastText "
                                 "word-vector model (load_facebook_vectors reads its word vectors)")
        if a.loss not in ("ns", "hs"):
            raise ParameterError(f"{source}: trained with the {a.loss} loss; FastText trains with ns or hs only")
        params = dict(vector_size=a.dim, window=max(1, a.ws), epochs=max(1, a.epoch), min_count=max(1, a.min_count),
                      negative=a.neg if a.loss == "ns" else 0, hs=int(a.loss == "hs"), sg=int(a.model == "skipgram"),
                      min_n=a.minn, max_n=a.maxn, bucket=a.bucket, sample=min(1.0, a.t))
        params.update(overrides)
        model = cls(**params)
        vocab = Vocabulary(words=list(fb.words), counts=np.asarray(fb.counts, dtype=np.int64),
                           raw_word_count=int(fb.ntokens), n_sentences=0)
        Word2Vec.set_vocabulary(model, vocab)
        n = len(vocab)
        matrix = fb.input_matrix[: n + model.bucket]  # without n-grams (maxn 0) the bucket rows are unused
        model.wv = FastTextKeyedVectors.from_matrix(vocab.words, np.ascontiguousarray(matrix), model.min_n,
                                                    model.max_n, model.bucket, counts=vocab.counts)
        vocab.words, vocab.key_to_index = model.wv.index_to_key, model.wv.key_to_index
        if model.negative:
            model.syn1neg = np.ascontiguousarray(fb.output_matrix, dtype=np.float32)
        else:
            model.syn1 = np.ascontiguousarray(-fb.output_matrix[:n], dtype=np.float32)  # the last row unused
        return model

    def __repr__(self) -> str:
        return super().__repr__().replace("Word2Vec<", "FastText<", 1)[:-1] + (
            f", min_n={self.min_n}, max_n={self.max_n}, bucket={self.bucket}>")


def load_facebook_model(path: str | os.PathLike, **overrides: Any) -> FastText:
    """A fastText ``.bin`` model as a trainable :class:`FastText` (gensim's function): continue
    training with ``build_vocab(..., update=True)`` and ``train``. Parameters the file does not
    hold (workers, seed, alpha, ...) take FastText's defaults unless given as keywords."""
    return FastText.from_facebook(read_facebook_bin(path), source=os.fspath(path), **overrides)


def save_facebook_model(model: FastText, path: str | os.PathLike, encoding: str = "utf-8", lr_update_rate: int = 100,
                        word_ngrams: int = 1) -> None:
    """Write ``model`` as a fastText ``.bin`` (gensim's signature) that the ``fasttext`` package
    and gensim load with the same vectors; ``encoding`` must be UTF-8, the only one fastText reads."""
    if str(encoding).replace("-", "").lower() != "utf8":
        raise ParameterError(f"encoding must be 'utf-8' (fastText reads UTF-8 only), got {encoding!r}", "encoding")
    write_facebook_bin(path, model.to_facebook(lr_update_rate=lr_update_rate, word_ngrams=word_ngrams))
