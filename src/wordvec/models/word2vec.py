"""The Word2Vec model: its parameters, vocabulary, weights and saved form.

The public class is a facade over the layers below it: :mod:`wordvec.text` counts the corpus
and builds the vocabulary, :mod:`wordvec.train.driver` runs training (schedule, threads,
progress, callbacks, checkpoints) on the engine the registry picks for the model
(:mod:`wordvec.train.builtins`: numba kernels, the exact softmax, PyTorch), and
:mod:`wordvec.formats.modelfile` writes and reads the model without pickle.

Learning rate: alpha decays linearly from ``alpha`` to ``min_alpha`` over epochs x total_words
(in-vocabulary words before subsampling), as word2vec.c and gensim do; each job of about 40k
words interpolates linearly inside the job.

Loss: ``loss_history[e]`` is epoch e's mean loss per training example, summed in float64: an
example is one (context word, center word) pair for skip-gram with negative sampling or
hierarchical softmax, one (center, context word) prediction for skip-gram with the exact
softmax, one window for CBOW. Its value does not depend on the number of workers.
"""
from __future__ import annotations

import logging
import os
import time
from pathlib import Path
from typing import Any, Iterable, Sequence

import numpy as np

from ..errors import (
    CorpusError, EmptyVocabularyError, ModelFileError, NotAModelError, ParameterError, UnsupportedModelError,
)
from ..formats import gensim_pickle
from .gensim_import import word2vec_from_gensim
from ..formats.modelfile import load_model_arrays, load_model_meta, save_model_file
from ..formats.word2vec import is_native_file
from ..memory import check_fits, weights_bytes
from ..text.fingerprint import corpus_fingerprint, fingerprint_difference
from ..text.corpus import TextBlocks, count_sentences, count_text, line_sentence_count
from ..text.readers import MAX_WORDS_IN_BATCH, LineSentence, PathLineSentences, Text8Corpus
from ..text.vocab import RULE_DEFAULT, RULE_DISCARD, RULE_KEEP, VocabCounter, Vocabulary
from ..train import builtins as _engines  # noqa: F401 - registers the engines
from ..train import kernels
from ..train.driver import CALLBACK_EVENTS, Driver
from ..train.engine import engine_for
from ..train.jobs import STREAMS, CorpusJobs, open_corpus_source
from ..train.state import EPOCH_WORDS, RunState
from ..validation import check_bool, check_choice, check_float, check_int
from ..vectors.keyedvectors import KeyedVectors
from . import inference

logger = logging.getLogger(__name__)

__all__ = [
    "Word2Vec", "LineSentence", "PathLineSentences", "Text8Corpus", "RULE_DEFAULT", "RULE_DISCARD", "RULE_KEEP",
    "MAX_WORDS_IN_BATCH",
]

#: The exact-softmax engine's matrices per word beside the weights (logits of a batch).
SOFTMAX_BATCH_ROWS = 1024


def default_workers() -> int:
    """The CPUs this process may run on."""
    try:
        return max(1, len(os.sched_getaffinity(0)))
    except AttributeError:  # pragma: no cover - not Linux
        return max(1, os.cpu_count() or 1)


class _class_only:  # noqa: N801 - used as a decorator, like classmethod
    """A classmethod that refuses to be reached from an instance: ``model.load(path)`` would
    return a new model and leave ``model`` as it was, which reads like an in-place load (gensim
    raises the same AttributeError)."""

    def __init__(self, func: Any) -> None:
        self.func = func
        self.__doc__ = func.__doc__
        self.__name__ = func.__name__

    def __get__(self, obj: Any, cls: type) -> Any:
        if obj is not None:
            raise AttributeError(
                f"{cls.__name__}.{self.__name__}() returns a new model and is called on the class: "
                f"model = {cls.__name__}.{self.__name__}(path)"
            )
        return self.func.__get__(cls, cls)


def zeros(shape: tuple[int, int]) -> np.ndarray:
    """float32 zeros in memory numpy allocates (and advises as huge pages, which suits the
    random row reads of training) rather than np.zeros' calloc pages, which it does not."""
    out = np.empty(shape, dtype=np.float32)
    out.fill(0.0)
    return out


class Word2Vec:
    """Word2vec (skip-gram or CBOW) trained with negative sampling, hierarchical softmax or the
    exact softmax, on all cores.

    Parameters follow gensim's ``Word2Vec`` (so switching is an import change), defaults
    included: ``alpha`` starts at 0.025 for skip-gram and CBOW alike, as in gensim, so gensim code
    trains on gensim's schedule. (``wordvec train`` starts CBOW at word2vec.c's 0.05, which on
    enmix scores 18.5% on the analogies against 13.6% at 0.025 in 5 epochs, docs/benchmarks.md;
    pass ``alpha=0.05`` for that.) In addition:

    softmax : bool
        Train with the exact (naive) softmax over the whole vocabulary, J = -log softmax(U h)[o],
        computed as batched matrix products. Needs ``hs=0, negative=0``.
    shared_negatives : bool
        Skip-gram with negative sampling draws the K noise words once per window and shares
        them among the window's context words (fewer memory round trips, same quality);
        False draws them per pair as word2vec.c does.
    compute_loss : bool
        Accumulate the loss (on by default; False skips the loss arithmetic in the kernels and
        ``loss_history`` then holds NaN).
    progress : bool
        Show a progress bar (epoch, loss, learning rate, words/s, ETA).
    device : str or None
        None trains with the numba CPU engine; "cuda" (or "cuda:N") trains with the PyTorch
        backend on a GPU, "cpu" with the same PyTorch code on the CPU (``pip install wordvec[torch]``).
    batch_size : int
        PyTorch backend: training pairs per batch.
    streams : int or None
        The reading order of a corpus file: each epoch reads it as ``streams`` runs of
        consecutive 256 KiB blocks, evenly spaced, side by side (one block of each in turn), so
        that every stage of training sees every part of the corpus. None: 8 (a compressed file is
        read by at most 2, each further run costing another decompression up to its start). A
        sentence iterable is read in its order.
    epoch_words : {"vocabulary", "all"}
        What an epoch's worth of training is. "vocabulary" (default; gensim's and word2vec.c's):
        one pass over the corpus, the learning rate decaying over its in-vocabulary words.
        "all" (fastText's): as many in-vocabulary words as the corpus has tokens of every kind
        (words under ``min_count`` and, for FastText with ``eos``, line ends included), so a
        run is longer than ``epochs`` passes by that ratio; the part beyond the last whole pass
        is read from the corpus's start again at the end of the schedule, as fastText's threads
        read on (:class:`~wordvec.train.driver.Driver`).

    gensim's other options are accepted with gensim's meaning: ``trim_rule`` (a callable
    ``(word, count, min_count) -> RULE_KEEP / RULE_DISCARD / RULE_DEFAULT`` applied to the
    corpus given here, as gensim; pass it to ``build_vocab`` otherwise; not saved), ``sorted_vocab`` (False keeps the words in order of first
    appearance), ``null_word`` (1 appends the word ``"\\0"`` with count 1), ``shrink_windows``
    (False: every window has the full radius) and ``min_count=0`` (keep every word). Options
    without effect here: ``batch_words`` (jobs are cut at about 40k words and at
    ``max_sentence_length``), ``hashfxn`` (initial vectors come from ``seed`` through NumPy's
    generator, not from hashing words), ``comment`` (kept and saved as a note).
    """

    #: Constructor parameters saved with the model (and restored by :meth:`load`).
    PARAMS = (
        "vector_size", "window", "min_count", "max_vocab_size", "max_final_vocab", "sample", "sg", "hs",
        "negative", "ns_exponent", "cbow_mean", "alpha", "min_alpha", "epochs", "workers", "seed", "softmax",
        "shared_negatives", "max_sentence_length", "compute_loss", "streams", "epoch_words",
    )
    #: Parameters added after model files were first written: a file without one loads with the
    #: constructor's default.
    ADDED_PARAMS = ("streams", "epoch_words")
    #: How hierarchical softmax's Huffman tree is built (see ``Vocabulary.huffman``): as gensim
    #: builds it, so that ``wv.get_vecattr(word, 'code')`` / ``'point'`` are gensim's.
    HUFFMAN_TREE = "gensim"
    #: gensim's options saved with the model (files without them load with the defaults).
    GENSIM_PARAMS = {"sorted_vocab": 1, "null_word": 0, "shrink_windows": True, "batch_words": MAX_WORDS_IN_BATCH,
                     "comment": None}

    def __init__(
        self,
        sentences: Iterable[Sequence[str]] | None = None,
        corpus_file: str | os.PathLike | None = None,
        vector_size: int = 100,
        window: int = 5,
        min_count: int = 5,
        max_vocab_size: int | None = None,
        max_final_vocab: int | None = None,
        sample: float = 1e-3,
        sg: int = 0,
        hs: int = 0,
        negative: int = 5,
        ns_exponent: float = 0.75,
        cbow_mean: int = 1,
        alpha: float = 0.025,
        min_alpha: float = 0.0001,
        epochs: int = 5,
        workers: int | None = None,
        seed: int = 1,
        callbacks: Sequence[Any] = (),
        softmax: bool = False,
        shared_negatives: bool = True,
        max_sentence_length: int = 10000,
        compute_loss: bool = True,
        progress: bool = False,
        device: str | None = None,
        batch_size: int = 4096,
        streams: int | None = None,
        epoch_words: str = "vocabulary",
        trim_rule: Any = None,
        sorted_vocab: int = 1,
        null_word: int = 0,
        shrink_windows: bool = True,
        batch_words: int = MAX_WORDS_IN_BATCH,
        hashfxn: Any = hash,
        comment: str | None = None,
    ) -> None:
        self.vector_size = vector_size
        self.window = window
        self.min_count = min_count
        self.max_vocab_size = max_vocab_size
        self.max_final_vocab = max_final_vocab
        self.sample = sample
        self.sg = int(sg) if isinstance(sg, bool) else sg
        self.hs = int(hs) if isinstance(hs, bool) else hs
        self.negative = negative
        self.ns_exponent = ns_exponent
        self.cbow_mean = int(cbow_mean) if isinstance(cbow_mean, bool) else cbow_mean
        self.alpha = alpha
        self.min_alpha = min_alpha
        self.epochs = epochs
        self.workers = default_workers() if workers is None else workers
        self.seed = seed
        self.callbacks = tuple(callbacks)
        self.softmax = softmax
        self.shared_negatives = shared_negatives
        self.max_sentence_length = max_sentence_length
        self.compute_loss = compute_loss
        self.progress = progress
        self.device = device
        self.batch_size = batch_size
        self.streams = streams
        self.epoch_words = epoch_words
        self.trim_rule = trim_rule
        self.sorted_vocab = sorted_vocab
        self.null_word = null_word
        self.shrink_windows = shrink_windows
        self.batch_words = batch_words
        self.hashfxn = hashfxn
        self.comment = comment
        self.validate()
        self.check_memory(1)

        self.vocab: Vocabulary | None = None
        self.wv = KeyedVectors(vector_size)
        self.syn1neg = zeros((0, vector_size))
        self.syn1 = zeros((0, vector_size))
        self.syn1_softmax = zeros((0, vector_size))
        self.loss_history: list[float] = []
        self.epochs_trained = 0
        self.training_summary: dict[str, Any] = {}
        self.running_training_loss = 0.0
        self.rng_states = np.zeros((0, 1), dtype=np.uint64)
        self.pending_run: RunState | None = None
        self.invalid_utf8 = 0
        self.pruned_words = 0
        #: Sentences and raw words of the latest vocabulary scan (gensim's names; the
        #: ``train(..., total_examples=model.corpus_count)`` idiom).
        self.corpus_count = 0
        self.corpus_total_words = 0
        #: In-vocabulary words of the latest scan: what the learning rate decays over per epoch.
        self.scan_words = 0
        #: {word: count} of the latest scan when build_vocab(keep_raw_vocab=True), else empty.
        self.raw_vocab: dict[str, int] = {}
        self.min_alpha_yet_reached = float(self.alpha)
        #: Why the latest vocabulary scan kept no word (None when it kept some).
        self.empty_vocab_reason: str | None = None
        self._routes: dict[tuple, int | None] = {}  # file_route's checks, by files, sizes and times

        if sentences is not None and corpus_file is not None:
            raise ParameterError("pass either sentences or corpus_file, not both")
        if trim_rule is not None and sentences is None and corpus_file is None:
            logger.warning("trim_rule applies to the vocabulary built here from a corpus; without one it is ignored "
                           "(pass it to build_vocab), as in gensim")
        if sentences is not None or corpus_file is not None:
            self.build_vocab(sentences, corpus_file=corpus_file, trim_rule=trim_rule)
            self.train(sentences, corpus_file=corpus_file, total_examples=self.corpus_count,
                       total_words=self.corpus_total_words, epochs=self.epochs)

    # ------------------------------------------------------------------ parameters
    def validate(self) -> None:
        """Check every parameter (ParameterError names the first bad one, its range and value)."""
        check_int("vector_size", self.vector_size, 1)
        check_int("window", self.window, 1, 10_000)
        check_int("min_count", self.min_count, 0)
        check_int("max_vocab_size", self.max_vocab_size, 1, allow_none=True)
        check_int("max_final_vocab", self.max_final_vocab, 1, allow_none=True)
        check_float("sample", self.sample, 0.0, 1.0)
        check_int("sg", self.sg, 0, 1)
        check_int("hs", self.hs, 0, 1)
        check_int("negative", self.negative, 0, 1000)
        check_float("ns_exponent", self.ns_exponent, -10.0, 10.0)
        check_int("cbow_mean", self.cbow_mean, 0, 1)
        check_float("alpha", self.alpha, 0.0, low_open=True)
        check_float("min_alpha", self.min_alpha, 0.0)
        check_int("epochs", self.epochs, 1, 1_000_000)
        check_int("workers", self.workers, 1, 1024)
        check_int("seed", self.seed, 0)
        check_int("max_sentence_length", self.max_sentence_length, 1)
        check_int("batch_size", self.batch_size, 1, 1 << 24)
        check_int("streams", self.streams, 1, 1 << 16, allow_none=True)
        check_choice("epoch_words", self.epoch_words, EPOCH_WORDS)
        check_bool("softmax", self.softmax)
        check_bool("shared_negatives", self.shared_negatives)
        check_bool("compute_loss", self.compute_loss)
        check_bool("progress", self.progress)
        check_bool("sorted_vocab", self.sorted_vocab)
        check_int("null_word", self.null_word, 0, 1)
        check_bool("shrink_windows", self.shrink_windows)
        check_int("batch_words", self.batch_words, 1)
        if not callable(self.hashfxn):
            raise ParameterError(f"hashfxn must be callable, got {self.hashfxn!r}", "hashfxn")
        if self.trim_rule is not None and not callable(self.trim_rule):
            raise ParameterError(f"trim_rule must be None or a callable (word, count, min_count), got {self.trim_rule!r}",
                                 "trim_rule")
        if self.comment is not None and not isinstance(self.comment, str):
            raise ParameterError(f"comment must be None or a string, got {self.comment!r}", "comment")
        if self.device is not None:
            from ..train.torch_engine import check_device

            check_device(self.device)
        if self.softmax and (self.hs or self.negative):
            raise ParameterError(
                f"softmax=True is an objective of its own: set hs=0 and negative=0 (got hs={self.hs}, "
                f"negative={self.negative})", "softmax",
            )
        if not self.softmax and not self.hs and not self.negative:
            raise ParameterError("nothing would be learned with hs=0 and negative=0: set negative > 0, hs=1 or softmax=True", "negative")
        for cb in self.callbacks:
            if not any(hasattr(cb, m) for m in CALLBACK_EVENTS):
                raise ParameterError(f"callback {cb!r} has none of {'/'.join(CALLBACK_EVENTS)}", "callbacks")

    def check_memory(self, n_words: int) -> None:
        """Refuse, before allocating, weight matrices that do not fit in the memory this process
        may use (the machine's, ``ulimit -v``, the cgroup limit: :mod:`wordvec.memory`)."""
        need = weights_bytes(n_words, self.vector_size, self.negative, self.hs, self.softmax, SOFTMAX_BATCH_ROWS)
        check_fits(need, f"vector_size={self.vector_size} with {n_words} words", param="vector_size")

    # ------------------------------------------------------------------ vocabulary
    def build_vocab(
        self,
        corpus_iterable: Iterable[Sequence[str]] | None = None,
        corpus_file: str | os.PathLike | None = None,
        update: bool = False,
        progress_per: int = 10000,
        keep_raw_vocab: bool = False,
        trim_rule: Any = None,
        **kwargs: Any,
    ) -> "Word2Vec":
        """Count the corpus, keep the words with count >= min_count (or as ``trim_rule``
        decides; as in gensim, the constructor's ``trim_rule`` is used only with the corpus given
        to the constructor) and initialise the weights.

        With ``update=True`` new words are added (existing words keep their vectors).
        ``keep_raw_vocab`` keeps the scan's ``{word: count}`` as ``raw_vocab``.
        ``progress_per`` (gensim's logging interval) and other gensim keyword arguments have no
        effect. As in gensim, a result without any word is kept (and logged):
        :meth:`check_vocabulary` and :meth:`train` then raise
        :class:`~wordvec.errors.EmptyVocabularyError` (also a ``RuntimeError``, as gensim's) saying why."""
        t0 = time.perf_counter()
        counter = self._count(corpus_iterable, corpus_file, trim_rule)
        self._set_counts(counter.counts, counter.raw_word_count, counter.n_sentences, update, keep_raw_vocab, trim_rule)
        logger.info(
            "vocabulary: %d words of %d distinct, %d tokens, %.1fs",
            len(self.wv), len(counter.counts), counter.raw_word_count, time.perf_counter() - t0,
        )
        return self

    def file_route(self, corpus_iterable: Any) -> tuple[list[str], int] | None:
        """(files, sentences) when ``corpus_iterable`` is a :class:`LineSentence` or
        :class:`PathLineSentences` over plain or compressed files whose sentences the compiled
        file reader (``corpus_file``) reads exactly as they would yield them (see
        :func:`~wordvec.text.corpus.line_sentence_count`), so that it is read that way, without
        Python per token; None otherwise (a file object, ``limit``, another
        ``max_sentence_length`` than the model's, ``max_vocab_size``, whose pruning differs
        between the two paths, or text the two would split differently). The check reads the
        files once and is remembered while their sizes and modification times stay."""
        if self.max_vocab_size is not None or not isinstance(corpus_iterable, (LineSentence, PathLineSentences)):
            return None
        if corpus_iterable.limit is not None or corpus_iterable.max_sentence_length != self.max_sentence_length:
            return None
        if isinstance(corpus_iterable, PathLineSentences):
            files = list(corpus_iterable.input_files)
        elif isinstance(corpus_iterable.source, (str, os.PathLike)):
            files = [os.fspath(corpus_iterable.source)]
        else:
            return None
        try:
            key = (self.max_sentence_length, *((f, os.stat(f).st_size, os.stat(f).st_mtime_ns) for f in files))
        except OSError:
            return None  # the reader reports it
        if key not in self._routes:
            self._routes = {key: line_sentence_count(files, self.max_sentence_length)}
        sentences = self._routes[key]
        return None if sentences is None else (files, sentences)

    def _count(self, corpus_iterable: Any, corpus_file: Any, trim_rule: Any = None) -> VocabCounter:
        """Count a corpus (sentences or a text file), pruning at max_vocab_size as gensim does
        for sentences (after each sentence, with ``trim_rule``) and as word2vec.c does for a text
        file (when the table is full): see :class:`~wordvec.text.vocab.VocabCounter`. A
        LineSentence that :meth:`file_route` accepts is counted as its files."""
        route = self.file_route(corpus_iterable) if corpus_file is None else None
        corpus = TextBlocks(route[0]) if route else open_corpus_source(corpus_iterable, corpus_file)
        pruning = "word2vec.c" if isinstance(corpus, TextBlocks) else "gensim"
        counter = VocabCounter(self.max_vocab_size, pruning, trim_rule)
        if isinstance(corpus, TextBlocks):
            count_text(corpus, counter, self.workers)
            if corpus.invalid_bytes:
                logger.warning("%s: %d invalid UTF-8 byte sequences replaced by U+FFFD", corpus.path, corpus.invalid_bytes)
            self.invalid_utf8 = corpus.invalid_bytes
            if route:
                counter.n_sentences = route[1]  # LineSentence's count, not the file's lines
        else:
            count_sentences(corpus, counter)
            self.invalid_utf8 = 0
        if counter.pruned_words:
            logger.warning(
                "max_vocab_size=%d: dropped %d rare distinct words while counting (%s's pruning)",
                self.max_vocab_size, counter.pruned_words, pruning,
            )
        self.pruned_words = counter.pruned_words
        return counter

    def scan_vocab(
        self, corpus_iterable: Any = None, corpus_file: Any = None, progress_per: int = 10000, workers: Any = None,
        trim_rule: Any = None,
    ) -> tuple[int, int]:
        """gensim's first half of :meth:`build_vocab`: count the corpus into ``raw_vocab`` and set
        ``corpus_count`` / ``corpus_total_words``; returns (total words, sentences)."""
        counter = self._count(corpus_iterable, corpus_file, trim_rule)
        self.raw_vocab = dict(counter.counts)
        self.corpus_count = counter.n_sentences
        self.corpus_total_words = counter.raw_word_count
        return counter.raw_word_count, counter.n_sentences

    def prepare_vocab(
        self, update: bool = False, keep_raw_vocab: bool = False, trim_rule: Any = None, min_count: int | None = None,
        sample: float | None = None, dry_run: bool = False,
    ) -> dict[str, Any]:
        """gensim's second half of :meth:`build_vocab`: apply min_count (``min_count`` overrides
        the model's), max_final_vocab and trim_rule to ``raw_vocab`` and, unless ``dry_run``, set
        the vocabulary and weights. Returns gensim's report: ``drop_unique``, ``retain_total``,
        ``num_retained_words``, ``downsample_unique``, ``downsample_total``."""
        if min_count is not None:
            self.min_count = check_int("min_count", min_count, 0)
        if sample is not None:
            self.sample = check_float("sample", sample, 0.0, 1.0)
        counts = self.raw_vocab
        if dry_run:
            vocab = Vocabulary.from_counts(counts, max(self.min_count, 1), self.max_final_vocab,
                                           trim_rule=trim_rule)
        else:
            self._set_counts(counts, self.corpus_total_words, self.corpus_count, update, keep_raw_vocab, trim_rule)
            vocab = self.vocab
        keep = vocab.keep_thresholds(self.sample).astype(np.float64) / 2.0**32
        return {
            "drop_unique": len(counts) - len(vocab) if not update else 0,
            "retain_total": int(vocab.counts.sum()),
            "num_retained_words": len(vocab),
            "downsample_unique": int(np.count_nonzero(keep < 1)),
            "downsample_total": int(round(float((keep * vocab.counts).sum()))),
        }

    @property
    def effective_min_count(self) -> int:
        """The min_count the vocabulary was built with (raised by max_final_vocab), gensim's name."""
        return self.vocab.min_count if self.vocab is not None else self.min_count

    def build_vocab_from_freq(
        self,
        word_freq: dict[str, int],
        keep_raw_vocab: bool = False,
        corpus_count: int | None = None,
        trim_rule: Any = None,
        update: bool = False,
    ) -> "Word2Vec":
        """Build the vocabulary from ``{word: count}`` instead of a corpus (gensim's method); the
        dict's order is taken as the order of first appearance. ``corpus_count`` sets the number
        of sentences (for ``train(total_examples=model.corpus_count)``)."""
        counts: dict[str, int] = {}
        for word, count in word_freq.items():
            if not isinstance(word, str):
                raise ParameterError(f"word_freq keys must be strings, got {word!r}", "word_freq")
            counts[word] = check_int(f"the count of {word!r}", count, 0)
        n_sentences = check_int("corpus_count", 0 if corpus_count is None else corpus_count, 0)
        self._set_counts(counts, sum(counts.values()), n_sentences, update, keep_raw_vocab, trim_rule)
        return self

    def sentence_end(self) -> str | None:
        """The word trained at the end of every sentence, counted once per sentence (fastText's
        ``</s>``, see :class:`~wordvec.FastText`); None for word2vec, as in gensim and word2vec.c."""
        return None

    def corpus_streams(self) -> int:
        """The runs a corpus file is read in side by side (``streams``, default
        :data:`~wordvec.train.jobs.STREAMS`)."""
        return STREAMS if self.streams is None else self.streams

    def closing_units(self, epochs: int) -> int:
        """In-vocabulary words a run of ``epochs`` trains after its epochs' passes: with
        ``epoch_words="all"``, epochs x (the latest scan's tokens of every kind, line ends
        counted when :meth:`sentence_end` is trained, minus its in-vocabulary words); else 0."""
        if self.epoch_words != "all":
            return 0
        tokens = self.corpus_total_words + (self.corpus_count if self.sentence_end_id() >= 0 else 0)
        return max(0, int(epochs) * (tokens - self.scan_words))

    def sentence_end_id(self) -> int:
        """The vocabulary id of :meth:`sentence_end`, or -1 (none, or not in the vocabulary)."""
        end = self.sentence_end()
        return -1 if end is None or self.vocab is None else int(self.vocab.key_to_index.get(end, -1))

    def _set_counts(
        self, counts: dict[str, int], raw_word_count: int, n_sentences: int, update: bool, keep_raw_vocab: bool,
        trim_rule: Any,
    ) -> None:
        """The vocabulary from a scan's ``{word: count}`` (in order of first appearance), with
        :meth:`sentence_end` counted once per sentence."""
        end = self.sentence_end()
        if end is not None and n_sentences:
            counts = {**counts, end: counts.get(end, 0) + int(n_sentences)}
        min_count = max(self.min_count, 1)
        vocab = Vocabulary.from_counts(  # an update's new words keep their order of first appearance, as gensim's
            counts, 1 if update else min_count, None if update else self.max_final_vocab,
            raw_word_count=raw_word_count, n_sentences=n_sentences, trim_rule=None if update else trim_rule,
            sorted_vocab=bool(self.sorted_vocab) and not update,
        )
        if update:
            if self.vocab is None:
                raise ParameterError("build_vocab(update=True) needs an existing vocabulary: call build_vocab first", "update")
            if self.max_final_vocab is not None and self.max_final_vocab < len(counts):  # gensim's rule on update
                ranked = np.sort(np.fromiter(counts.values(), dtype=np.int64, count=len(counts)))[::-1]
                min_count = max(min_count, int(ranked[self.max_final_vocab]) + 1)
            vocab = self.vocab.merged(vocab, min_count, trim_rule)
        elif len(vocab) == 0:  # as gensim: kept (and logged); train() and check_vocabulary() raise
            self.empty_vocab_reason = (
                f"no word occurs at least min_count={self.min_count} times: the corpus has "
                f"{raw_word_count} words ({len(counts)} distinct); lower min_count"
                if raw_word_count
                else "the corpus is empty: no words to train on"
            )
            logger.info("the vocabulary is empty: %s", self.empty_vocab_reason)
        elif self.null_word and "\0" not in vocab.key_to_index:
            vocab = Vocabulary(vocab.words + ["\0"], np.append(vocab.counts, 1), vocab.raw_word_count, vocab.n_sentences)
        if len(vocab):
            self.empty_vocab_reason = None
        self.set_vocabulary(vocab, update)
        self.corpus_count = int(n_sentences)
        self.corpus_total_words = int(raw_word_count)
        index = self.wv.key_to_index
        self.scan_words = int(sum(c for w, c in counts.items() if w in index))
        self.raw_vocab = dict(counts) if keep_raw_vocab else {}

    def set_vocabulary(self, vocab: Vocabulary, update: bool = False) -> None:
        """Use ``vocab`` and size the weights for it: new words get random input vectors from
        the seed, output rows start at zero; with ``update`` the existing words keep theirs."""
        self.check_memory(len(vocab))
        old = 0 if not update or self.vocab is None else len(self.vocab)
        n, d = len(vocab), self.vector_size
        rng = np.random.default_rng([self.seed, old])
        w_in = np.empty((n, d), dtype=np.float32)
        if old:
            w_in[:old] = self.wv.vectors
        w_in[old:] = (rng.random((n - old, d), dtype=np.float32) - 0.5) / d

        def grow(m: np.ndarray, rows: int, on: bool) -> np.ndarray:
            out = zeros((rows if on else 0, d))
            if on and old and m.shape[0]:
                out[: min(m.shape[0], rows)] = m[: min(m.shape[0], rows)]
            return out

        self.syn1neg = grow(self.syn1neg, n, bool(self.negative))
        # Huffman inner nodes change with the counts: the tree (and syn1) is rebuilt on update.
        # One row per word as gensim allocates it: the tree's n - 1 inner nodes, the last row unused.
        self.syn1 = zeros((n if self.hs else 0, d))
        self.syn1_softmax = grow(self.syn1_softmax, n, bool(self.softmax))
        self.wv = KeyedVectors.from_vectors(vocab.words, w_in, counts=vocab.counts)
        vocab.words, vocab.key_to_index = self.wv.index_to_key, self.wv.key_to_index  # one copy of the words
        vocab.tree = self.HUFFMAN_TREE
        self.vocab = vocab
        self.share_paths()
        if self.rng_states.shape[0] == 0:
            self.rng_states = np.stack([kernels.rng_state(self.seed, i) for i in range(max(self.workers, 1))])

    def check_vocabulary(self) -> None:
        """Raise what training would meet first: ParameterError without a vocabulary,
        :class:`~wordvec.errors.EmptyVocabularyError` (saying why) when it has no word."""
        if self.vocab is None:
            raise ParameterError("train() needs a vocabulary: call build_vocab() first")
        if len(self.vocab) == 0 or self.vocab.total_words == 0:
            raise EmptyVocabularyError(self.empty_vocab_reason or "the vocabulary is empty: nothing to train on")

    def share_paths(self) -> None:
        """Let ``wv.get_vecattr(word, 'code' / 'point')`` read the Huffman tree of a
        hierarchical-softmax model (gensim's per-word attributes), from the vocabulary's tables."""
        self.wv.huffman_paths = self.vocab.huffman if self.hs and self.vocab is not None and len(self.vocab) > 1 else None

    # ------------------------------------------------------------------ training
    def train(
        self,
        corpus_iterable: Iterable[Sequence[str]] | None = None,
        corpus_file: str | os.PathLike | None = None,
        total_examples: int | None = None,
        total_words: int | None = None,
        epochs: int | None = None,
        start_alpha: float | None = None,
        end_alpha: float | None = None,
        compute_loss: bool | None = None,
        callbacks: Sequence[Any] | None = None,
        progress: bool | None = None,
        checkpoint: str | os.PathLike | None = None,
        word_count: int = 0,
        queue_factor: int = 2,
        report_delay: float = 1.0,
        **kwargs: Any,
    ) -> tuple[int, int]:
        """Train ``epochs`` epochs over the corpus; returns (trained words, raw words) like gensim.

        As in gensim, ``epochs`` and one of ``total_examples`` (sentences) / ``total_words`` (raw
        words) are required (ValueError naming what is missing): after ``build_vocab`` on the
        same corpus, ``total_examples=model.corpus_count, epochs=model.epochs``. The learning
        rate decays over the in-vocabulary words of the latest vocabulary scan (the corpus given
        to ``build_vocab``, or the new sentences after ``build_vocab(update=True)``), so pass
        the scanned corpus; a warning says so when the totals given are not the scan's.
        ``word_count``, ``queue_factor``, ``report_delay`` (gensim's threading knobs) have no
        effect. As gensim, a warning is logged when a call starts above the lowest rate
        a previous call reached. On Ctrl-C, SIGTERM or SIGHUP the jobs being trained are
        finished, the model is left consistent and, when ``checkpoint`` is given, saved there
        with its position in the run; :class:`~wordvec.errors.TrainingInterrupted` is raised
        and :meth:`resume` continues the run exactly where it stopped."""
        self.check_vocabulary()
        missing = [m for m, absent in (
            ("total_examples (or total_words)", total_examples is None and total_words is None),
            ("epochs", epochs is None),
        ) if absent]
        if missing:
            raise ParameterError(
                f"train() needs {' and '.join(missing)}, as in gensim, for the learning-rate schedule and progress: "
                "after build_vocab on the same corpus, train(corpus, total_examples=model.corpus_count, "
                "epochs=model.epochs)", "total_examples" if total_examples is None and total_words is None else "epochs",
            )
        epochs = check_int("epochs", epochs, 1, 1_000_000)
        if total_examples is not None:
            check_int("total_examples", total_examples, 0)
        if total_words is not None:
            check_int("total_words", total_words, 0)
        if (total_examples is not None and total_examples != self.corpus_count) or (
            total_words is not None and total_words != self.corpus_total_words
        ):
            logger.warning(
                "train(): total_examples=%s, total_words=%s are not the latest vocabulary scan's (%d sentences, %d "
                "words): the learning rate decays over that scan's %d in-vocabulary words per epoch, so train on the "
                "corpus given to build_vocab", total_examples, total_words, self.corpus_count, self.corpus_total_words,
                self.scan_words,
            )
        start_alpha = self.alpha if start_alpha is None else start_alpha
        end_alpha = self.min_alpha if end_alpha is None else end_alpha
        check_float("start_alpha", start_alpha, 0.0, low_open=True)
        check_float("end_alpha", end_alpha, 0.0)
        if compute_loss is not None:
            self.compute_loss = check_bool("compute_loss", compute_loss)
        if self.hs and self.negative:
            logger.warning(
                "Both hierarchical softmax and negative sampling are activated. (hs=1, negative=%d: two output "
                "layers train side by side; set hs=0 or negative=0 unless that is what you want)", self.negative,
            )
        if start_alpha > self.min_alpha_yet_reached:
            logger.warning(
                "Effective 'alpha' higher than previous training cycles: this call starts at alpha=%g, a previous "
                "one reached %g", start_alpha, self.min_alpha_yet_reached,
            )
        self.min_alpha_yet_reached = min(self.min_alpha_yet_reached, float(end_alpha))
        state = RunState(
            epochs=epochs, alpha0=start_alpha, alpha1=end_alpha, closing_units=self.closing_units(epochs),
            streams=self.corpus_streams(),
            corpus_file=None if corpus_file is None or isinstance(corpus_file, (list, tuple)) else str(Path(corpus_file).resolve()),
            corpus_fingerprint=None if corpus_file is None or isinstance(corpus_file, (list, tuple)) else _fingerprint(corpus_file),
        )
        return self._run(corpus_iterable, corpus_file, state, callbacks, progress, checkpoint, begin=True)

    def resume(
        self,
        corpus_iterable: Iterable[Sequence[str]] | None = None,
        corpus_file: str | os.PathLike | None = None,
        callbacks: Sequence[Any] | None = None,
        progress: bool | None = None,
        checkpoint: str | os.PathLike | None = None,
        allow_changed_corpus: bool = False,
    ) -> tuple[int, int]:
        """Continue an interrupted ``train`` (from a checkpoint loaded with :meth:`load`) over the
        same corpus; with ``workers=1`` the result is bit-identical to an uninterrupted run.
        ``corpus_file`` defaults to the file the run was started with.

        The run recorded its corpus file's fingerprint (:mod:`wordvec.text.fingerprint`: size,
        modification time, hashes of the first and last MiB). A corpus that differs is refused
        with CorpusError saying how, unless ``allow_changed_corpus``; the modification time counts
        only for the very file the run started with (a copy or a re-piped standard input has a
        new one). The corpus given becomes the one a later checkpoint resumes from."""
        state = self.pending_run
        if state is None:
            raise ParameterError("nothing to resume: this model has no interrupted training run")
        allow_changed_corpus = check_bool("allow_changed_corpus", allow_changed_corpus)
        if corpus_iterable is None and corpus_file is None:
            corpus_file = state.corpus_file
            if corpus_file is None:
                raise ParameterError("the interrupted run trained on sentences: pass the same corpus_iterable to resume")
        if corpus_file is not None and state.corpus_fingerprint is not None:
            same_path = state.corpus_file == str(Path(corpus_file).resolve())
            diff = fingerprint_difference(state.corpus_fingerprint, corpus_file, check_mtime=same_path)
            if diff is not None and not allow_changed_corpus:
                raise CorpusError(
                    f"the corpus '{corpus_file}' is not the one the interrupted run started with: {diff}; resuming over "
                    "another text would not continue that run (allow_changed_corpus=True, --allow-changed-corpus on "
                    "the command line, insists)"
                )
            if diff is not None:
                logger.warning("resuming over a changed corpus '%s' (%s), as asked", corpus_file, diff)
        if corpus_file is not None:
            state.corpus_file = str(Path(corpus_file).resolve())
            state.corpus_fingerprint = _fingerprint(corpus_file)
        return self._run(corpus_iterable, corpus_file, state, callbacks, progress, checkpoint, begin=False)

    def _run(self, corpus_iterable, corpus_file, state, callbacks, progress, checkpoint, begin) -> tuple[int, int]:
        self.validate()
        route = self.file_route(corpus_iterable) if corpus_file is None else None
        corpus = TextBlocks(route[0]) if route else open_corpus_source(corpus_iterable, corpus_file)
        self.check_vocabulary()
        vocab = self.vocab
        if not self.wv.vectors.flags.writeable:
            raise ParameterError("the vectors are read-only (loaded with mmap='r'): load the model without mmap to train it",
                                 "mmap")
        driver = Driver(
            self, engine_for(self), CorpusJobs(corpus, vocab, self.max_sentence_length, self.sentence_end_id(),
                                            state.streams or self.corpus_streams()),
            state,
            units_per_epoch=self.scan_words or vocab.total_words, raw_per_epoch=self.corpus_total_words or vocab.raw_word_count,
            callbacks=self.callbacks if callbacks is None else tuple(callbacks),
            progress=self.progress if progress is None else progress, checkpoint=checkpoint,
        )
        driver.run(begin)
        return state.totals.trained_words, state.totals.raw_words

    def get_latest_training_loss(self) -> float:
        """gensim's contract: the loss summed over the current (or last) ``train()`` call so far,
        reset to 0 when a call starts and growing epoch by epoch (so a callback's "this value
        minus the previous one" is the epoch's loss). Float64, summed over training examples
        (see the module docstring); ``loss_history`` holds the per-epoch means."""
        return self.running_training_loss

    # ------------------------------------------------------------------ persistence
    def save(self, path: str | os.PathLike, *args: Any, force: bool | None = None, **kwargs: Any) -> None:
        """Save the full model (resumable) as an uncompressed .npz archive: the weight matrices,
        the RNG states and a JSON header with the parameters, vocabulary and history.
        Loading it never unpickles anything. ``force`` replaces a read-only file (see
        :mod:`wordvec.formats.outputs`). gensim's storage options (``separately``,
        ``sep_limit``, ``ignore``, ``pickle_protocol``) are accepted and have no effect: the
        archive always holds every array."""
        if self.vocab is None:
            raise ParameterError("cannot save a model without a vocabulary")
        meta = {
            "model": type(self).__name__,
            "params": {k: getattr(self, k) for k in self.PARAMS},
            "gensim_params": {k: getattr(self, k) for k in self.GENSIM_PARAMS},
            "corpus": {"count": self.corpus_count, "total_words": self.corpus_total_words, "scan_words": self.scan_words,
                       "min_alpha_yet_reached": self.min_alpha_yet_reached},
            "words": self.vocab.words,
            "raw_word_count": self.vocab.raw_word_count,
            "n_sentences": self.vocab.n_sentences,
            "huffman_tree": self.vocab.tree,
            # NaN (compute_loss=False, an epoch without examples) is stored as null: standard JSON.
            "loss_history": [x if np.isfinite(x) else None for x in self.loss_history],
            "epochs_trained": self.epochs_trained,
            "pending_run": None if self.pending_run is None else self.pending_run.to_json(),
        }
        arrays = {
            "counts": self.vocab.counts, "w_in": self.input_matrix(), "syn1neg": self.syn1neg, "syn1": self.syn1,
            "syn1_softmax": self.syn1_softmax, "rng": self.rng_states,
        }
        save_model_file(path, meta, arrays, force=force)

    @_class_only
    def load(cls, path: str | os.PathLike, mmap: str | None = None, **kwargs: Any) -> "Word2Vec":
        """Load a model written by :meth:`save`, or a gensim 4 ``Word2Vec.save()`` file (read by
        :func:`wordvec.formats.gensim_pickle.read_gensim`, which runs no code from the file;
        see :meth:`from_gensim`). A truncated or altered file raises ModelFileError; a file of
        word vectors only (``KeyedVectors.save``, wordvec's or gensim's) NotAModelError, also an
        ``AttributeError`` as in gensim.

        ``mmap='r'`` memory-maps the arrays gensim stored beside its file (the model then
        answers queries but cannot train); wordvec's own .npz archive is read into memory
        whatever ``mmap`` says."""
        if mmap not in (None, "r", "c", "r+"):
            raise ParameterError(f"mmap must be None, 'r', 'r+' or 'c', got {mmap!r}", "mmap")
        if gensim_pickle.is_pickle_file(path):
            return cls.from_gensim(gensim_pickle.read_gensim(path, mmap="r" if mmap == "r+" else mmap))
        if is_native_file(path):
            raise NotAModelError(f"'{path}' holds word vectors only (KeyedVectors.save), not a {cls.__name__} model: "
                                 "load it with KeyedVectors.load")
        meta = load_model_meta(path)
        path = Path(path)
        kind = meta.get("model", "Word2Vec")
        if kind != cls.__name__:  # a subclass's file (FastText) loads as that subclass
            pending, found = list(cls.__subclasses__()), None
            while pending and found is None:
                sub = pending.pop()
                found = sub if sub.__name__ == kind else None
                pending += sub.__subclasses__()
            if found is None:
                raise ModelFileError(f"'{path}' holds a {kind} model: load it with wordvec.{kind}.load")
            cls = found
        try:
            params = {k: meta["params"][k] for k in cls.PARAMS if k in meta["params"] or k not in cls.ADDED_PARAMS}
            params.update({k: meta.get("gensim_params", {}).get(k, v) for k, v in cls.GENSIM_PARAMS.items()})
            model = cls(**params)
            words = meta["words"]
            if not isinstance(words, list) or not all(isinstance(w, str) for w in words) or len(set(words)) != len(words):
                raise ValueError("the vocabulary is not a list of distinct strings")
            n, d = len(words), model.vector_size
            expect = {  # only these members are read, each checked before its data (formats.npz)
                "counts": ((n,), np.int64),
                "w_in": ((model.input_rows(n), d), np.float32),
                "syn1neg": ((n if model.negative else 0, d), np.float32),
                "syn1": ((None if model.hs else 0, d), np.float32),  # n rows; n - 1 in older files
                "syn1_softmax": ((n if model.softmax else 0, d), np.float32),
                "rng": ((None, 1), np.uint64),
            }
        except (KeyError, ValueError, TypeError, ParameterError) as e:
            raise ModelFileError(f"'{path}' is not a valid wordvec model file: {e}") from None
        arrays = load_model_arrays(path, expect)
        try:
            rng = arrays["rng"]
            history = meta["loss_history"]
            if not isinstance(history, list) or not all(
                x is None or isinstance(x, (int, float)) and not isinstance(x, bool) for x in history
            ):
                raise ValueError("loss_history is not a list of numbers")
            epochs_trained = meta["epochs_trained"]
            if isinstance(epochs_trained, bool) or not isinstance(epochs_trained, int) or epochs_trained < 0:
                raise ValueError("epochs_trained is not a count")
            pending = None if meta.get("pending_run") is None else RunState.from_json(meta["pending_run"])
            tree = meta.get("huffman_tree", "word2vec.c")  # the tree of files written before it was saved
            if tree not in ("gensim", "word2vec.c"):
                raise ValueError(f"unknown huffman_tree {tree!r}")
            vocab = Vocabulary(
                words=words, counts=arrays["counts"], raw_word_count=meta["raw_word_count"], n_sentences=meta["n_sentences"],
                tree=tree,
            )
        except (KeyError, ValueError, TypeError, ParameterError) as e:
            raise ModelFileError(f"'{path}' is not a valid wordvec model file: {e}") from None
        model.wv = model.make_vectors(words, np.ascontiguousarray(arrays["w_in"]), vocab.counts)
        vocab.words, vocab.key_to_index = model.wv.index_to_key, model.wv.key_to_index
        model.vocab = vocab
        model.share_paths()
        model.syn1neg = np.ascontiguousarray(arrays["syn1neg"])
        model.syn1 = hs_output(arrays["syn1"], n, bool(model.hs), path)
        model.syn1_softmax = np.ascontiguousarray(arrays["syn1_softmax"])
        model.rng_states = np.ascontiguousarray(rng)
        model.loss_history = [float("nan") if x is None else float(x) for x in history]
        model.epochs_trained = epochs_trained
        model.pending_run = pending
        corpus = meta.get("corpus") or {}
        model.corpus_count = int(corpus.get("count", vocab.n_sentences))
        model.corpus_total_words = int(corpus.get("total_words", vocab.raw_word_count))
        model.scan_words = int(corpus.get("scan_words", vocab.total_words))
        model.min_alpha_yet_reached = float(corpus.get("min_alpha_yet_reached", model.alpha))
        return model

    # The input matrix as saved: one row per word here; subclasses with more input rows (FastText's
    # n-gram buckets) override these three.
    def input_matrix(self) -> np.ndarray:
        """The trained input rows (``wv.vectors``: one per word)."""
        return self.wv.vectors

    def input_rows(self, n_words: int) -> int:
        """Rows of the input matrix for a vocabulary of ``n_words``."""
        return n_words

    def make_vectors(self, words: list[str], w_in: np.ndarray, counts: np.ndarray) -> KeyedVectors:
        """``wv`` for a vocabulary and its (loaded) input matrix."""
        return KeyedVectors.from_vectors(words, w_in, counts=counts)

    @classmethod
    def from_gensim(cls, g: Any) -> "Word2Vec":
        """A model from what a gensim 4 file holds (:class:`~wordvec.formats.gensim_pickle.GensimModel`):
        the same words in the same order with the same counts, the same vectors and output
        weights (and, for hierarchical softmax, gensim's Huffman tree, to which its weights
        belong), gensim's parameters (its ``alpha``, not wordvec's CBOW default) and
        ``vectors_lockf``; training continues from there. A KeyedVectors file has no output
        weights: load it with ``KeyedVectors.load``."""
        return word2vec_from_gensim(cls, g)

    # ------------------------------------------------------------------ gensim's other methods
    def predict_output_word(self, context_words_list: Sequence[str], topn: int = 10) -> list[tuple[str, float]] | None:
        """The ``topn`` most probable centre words for the bag of context words, as gensim: the
        softmax of the negative-sampling output layer over the mean (``cbow_mean``) or sum of
        the known context words' vectors (see :func:`wordvec.models.inference.predict_output_word`).
        Unknown words are ignored; None (and a warning) when none is known. Needs negative > 0
        (a ``RuntimeError``, as gensim)."""
        if not self.negative or self.syn1neg.shape[0] == 0:
            raise UnsupportedModelError("predict_output_word needs a model trained with negative sampling (negative > 0)")
        topn = check_int("topn", topn, 1)
        rows = [self.wv.get_index(w) for w in context_words_list if w in self.wv]
        if not rows:
            logger.warning("predict_output_word: none of the context words is in the vocabulary")
            return None
        best = inference.predict_output_word(self.wv.vectors, self.syn1neg, rows, bool(self.cbow_mean), topn)
        return [(self.wv.index_to_key[i], p) for i, p in best]

    def score(
        self, sentences: Iterable[Sequence[str]], total_sentences: int = 1000000, chunksize: int = 100,
        queue_factor: int = 2, report_delay: float = 1,
    ) -> np.ndarray:
        """Log-likelihood of each of the first ``total_sentences`` sentences under the trained
        hierarchical-softmax model (Taddy 2015; gensim's ``score``): float32 (total_sentences,),
        0 for sentences beyond the input. Unknown words are skipped. Needs hs=1 (a
        ``RuntimeError``, as gensim). See :func:`wordvec.models.inference.score_sentences`
        for the formula and how it differs from gensim's table lookup."""
        if self.vocab is None:
            raise UnsupportedModelError("score() needs a trained model: build the vocabulary and train first")
        if not self.hs:
            raise UnsupportedModelError("score() is defined for hierarchical softmax only: train with hs=1")
        total_sentences = check_int("total_sentences", total_sentences, 0)
        codes, points, lengths = self.vocab.huffman()
        index = self.wv.key_to_index
        rows = []
        for i, sentence in enumerate(sentences):
            if i >= total_sentences:
                break
            if isinstance(sentence, (str, bytes)):
                raise CorpusError(f"sentence {i} is a string: give each sentence as a list of tokens")
            rows.append([index[w] for w in sentence if w in index])
        out = np.zeros(total_sentences, dtype=np.float32)
        out[: len(rows)] = inference.score_sentences(
            rows, self.wv.vectors, self.syn1, codes, points, lengths, bool(self.sg), int(self.window), bool(self.cbow_mean)
        )
        return out

    def reset_from(self, other_model: "Word2Vec") -> None:
        """Take ``other_model``'s vocabulary (words, counts, corpus statistics) and start from
        fresh random weights, as gensim's ``reset_from``; this model's parameters are kept."""
        if other_model.vocab is None:
            raise ParameterError("reset_from needs a model with a vocabulary", "other_model")
        src = other_model.vocab
        vocab = Vocabulary(list(src.words), src.counts.copy(), src.raw_word_count, src.n_sentences)
        self.set_vocabulary(vocab, update=False)
        self.corpus_count = other_model.corpus_count
        self.corpus_total_words = other_model.corpus_total_words
        self.scan_words = other_model.scan_words

    def estimate_memory(self, vocab_size: int | None = None, report: dict | None = None) -> dict[str, int]:
        """Bytes the model's arrays take for ``vocab_size`` words (default: the vocabulary):
        ``vocab`` (words, index and counts, an estimate), ``vectors``, ``syn1neg``, ``syn1``,
        ``syn1_softmax`` (float32 (V, d) each, when used) and ``total``."""
        n = len(self.wv) if vocab_size is None else check_int("vocab_size", vocab_size, 0)
        report = {} if report is None else report
        row = self.vector_size * np.dtype(np.float32).itemsize
        report["vocab"] = n * (500 if self.hs else 200)
        report["vectors"] = n * row
        if self.negative:
            report["syn1neg"] = n * row
        if self.hs:
            report["syn1"] = n * row
        if self.softmax:
            report["syn1_softmax"] = n * row
        report["total"] = sum(v for k, v in report.items() if k != "total")
        return report

    def __repr__(self) -> str:
        n = 0 if self.vocab is None else len(self.vocab)
        mode = "sg" if self.sg else "cbow"
        obj = "softmax" if self.softmax else "+".join(x for x, on in (("hs", self.hs), (f"ns{self.negative}", self.negative)) if on)
        return f"Word2Vec<vocab={n}, vector_size={self.vector_size}, {mode}, {obj}, window={self.window}>"


def hs_output(syn1: np.ndarray, n: int, hs: bool, source: Any) -> np.ndarray:
    """Hierarchical softmax's output matrix as the model holds it, one row per word (the tree's
    ``n - 1`` inner nodes and gensim's unused last row), from a file's ``syn1``: ``n`` rows, or
    ``n - 1`` as files written before wordvec allocated the last row (padded with zeros)."""
    rows = n if hs else 0
    if len(syn1) == rows:
        return np.ascontiguousarray(syn1)
    if hs and len(syn1) == max(n - 1, 0):
        out = zeros((rows, syn1.shape[1]))
        out[: len(syn1)] = syn1
        return out
    raise ModelFileError(f"'{source}' is not a valid wordvec model file: array syn1 has {len(syn1)} rows for {n} words")


def _fingerprint(corpus_file: str | os.PathLike) -> dict | None:
    """The corpus file's fingerprint, None when it cannot be read (the corpus reader reports that)."""
    try:
        return corpus_fingerprint(corpus_file)
    except OSError:
        return None
