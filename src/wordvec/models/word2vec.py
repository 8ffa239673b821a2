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

from ..errors import CorpusError, ModelFileError, ParameterError
from ..formats.modelfile import load_model_arrays, load_model_meta, save_model_file
from ..memory import check_fits, weights_bytes
from ..text.fingerprint import corpus_fingerprint, fingerprint_difference
from ..text.corpus import TextBlocks, count_sentences, count_text
from ..text.vocab import VocabCounter, Vocabulary
from ..train import builtins as _engines  # noqa: F401 - registers the engines
from ..train import kernels
from ..train.driver import CALLBACK_EVENTS, Driver
from ..train.engine import engine_for
from ..train.jobs import CorpusJobs, open_corpus_source
from ..train.state import RunState
from ..validation import check_bool, check_float, check_int
from ..vectors.keyedvectors import KeyedVectors

logger = logging.getLogger(__name__)

#: Default starting learning rates (word2vec.c's).
SKIPGRAM_ALPHA = 0.025
CBOW_ALPHA = 0.05
#: The exact-softmax engine's matrices per word beside the weights (logits of a batch).
SOFTMAX_BATCH_ROWS = 1024


def default_workers() -> int:
    """The CPUs this process may run on."""
    try:
        return max(1, len(os.sched_getaffinity(0)))
    except AttributeError:  # pragma: no cover - not Linux
        return max(1, os.cpu_count() or 1)


def zeros(shape: tuple[int, int]) -> np.ndarray:
    """float32 zeros in memory numpy allocates (and advises as huge pages, which suits the
    random row reads of training) rather than np.zeros' calloc pages, which it does not."""
    out = np.empty(shape, dtype=np.float32)
    out.fill(0.0)
    return out


class Word2Vec:
    """Word2vec (skip-gram or CBOW) trained with negative sampling, hierarchical softmax or the
    exact softmax, on all cores.

    Parameters follow gensim's ``Word2Vec`` (so switching is an import change), except that
    ``alpha`` defaults to word2vec.c's rate for the architecture: 0.025 for skip-gram, 0.05 for
    CBOW (gensim uses 0.025 for both; on enmix CBOW at 0.05 scores 18.5% on the analogies
    against 13.6% at 0.025, docs/benchmarks.md). In addition:

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
    """

    #: Constructor parameters saved with the model (and restored by :meth:`load`).
    PARAMS = (
        "vector_size", "window", "min_count", "max_vocab_size", "max_final_vocab", "sample", "sg", "hs",
        "negative", "ns_exponent", "cbow_mean", "alpha", "min_alpha", "epochs", "workers", "seed", "softmax",
        "shared_negatives", "max_sentence_length", "compute_loss",
    )

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
        alpha: float | None = None,
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
        self.alpha = (CBOW_ALPHA if self.sg == 0 else SKIPGRAM_ALPHA) if alpha is None else alpha
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

        if sentences is not None and corpus_file is not None:
            raise ParameterError("pass either sentences or corpus_file, not both")
        if sentences is not None or corpus_file is not None:
            self.build_vocab(sentences, corpus_file=corpus_file)
            self.train(sentences, corpus_file=corpus_file, epochs=self.epochs)

    # ------------------------------------------------------------------ parameters
    def validate(self) -> None:
        """Check every parameter (ParameterError names the first bad one, its range and value)."""
        check_int("vector_size", self.vector_size, 1)
        check_int("window", self.window, 1, 10_000)
        check_int("min_count", self.min_count, 1)
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
        check_bool("softmax", self.softmax)
        check_bool("shared_negatives", self.shared_negatives)
        check_bool("compute_loss", self.compute_loss)
        check_bool("progress", self.progress)
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
    ) -> "Word2Vec":
        """Count the corpus, keep the words with count >= min_count and initialise the weights.

        With ``update=True`` new words are added (existing words keep their vectors)."""
        corpus = open_corpus_source(corpus_iterable, corpus_file)
        counter = VocabCounter(self.max_vocab_size)
        t0 = time.perf_counter()
        if isinstance(corpus, TextBlocks):
            count_text(corpus, counter, self.workers)
            if corpus.invalid_bytes:
                logger.warning("%s: %d invalid UTF-8 byte sequences replaced by U+FFFD", corpus.path, corpus.invalid_bytes)
            self.invalid_utf8 = corpus.invalid_bytes
        else:
            count_sentences(corpus, counter)
            self.invalid_utf8 = 0
        if counter.pruned_words:
            logger.warning(
                "max_vocab_size=%d: dropped %d rare distinct words while counting (word2vec.c's pruning)",
                self.max_vocab_size, counter.pruned_words,
            )
        self.pruned_words = counter.pruned_words
        vocab = Vocabulary.from_counts(
            counter.counts, 1 if update else self.min_count, None if update else self.max_final_vocab,
            raw_word_count=counter.raw_word_count, n_sentences=counter.n_sentences,
        )
        if update:
            if self.vocab is None:
                raise ParameterError("build_vocab(update=True) needs an existing vocabulary: call build_vocab first", "update")
            vocab = self.vocab.merged(vocab, self.min_count)
        elif len(vocab) == 0:
            raise CorpusError(
                f"no word occurs at least min_count={self.min_count} times: the corpus has "
                f"{counter.raw_word_count} words ({len(counter.counts)} distinct); lower min_count"
                if counter.raw_word_count
                else "the corpus is empty: no words to train on"
            )
        self.set_vocabulary(vocab, update)
        logger.info(
            "vocabulary: %d words of %d distinct, %d tokens, %.1fs",
            len(vocab), len(counter.counts), counter.raw_word_count, time.perf_counter() - t0,
        )
        return self

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
        self.syn1 = zeros((n - 1 if self.hs else 0, d))
        self.syn1_softmax = grow(self.syn1_softmax, n, bool(self.softmax))
        self.wv = KeyedVectors.from_vectors(vocab.words, w_in, counts=vocab.counts)
        vocab.words, vocab.key_to_index = self.wv.index_to_key, self.wv.key_to_index  # one copy of the words
        self.vocab = vocab
        if self.rng_states.shape[0] == 0:
            self.rng_states = np.stack([kernels.rng_state(self.seed, i) for i in range(max(self.workers, 1))])

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
    ) -> tuple[int, int]:
        """Train ``epochs`` epochs over the corpus; returns (trained words, raw words) like gensim.

        ``total_examples`` / ``total_words`` are accepted for gensim compatibility; the counts
        come from the vocabulary scan. On Ctrl-C, SIGTERM or SIGHUP the jobs being trained are
        finished, the model is left consistent and, when ``checkpoint`` is given, saved there
        with its position in the run; :class:`~wordvec.errors.TrainingInterrupted` is raised
        and :meth:`resume` continues the run exactly where it stopped."""
        if self.vocab is None:
            raise ParameterError("train() needs a vocabulary: call build_vocab() first")
        epochs = check_int("epochs", self.epochs if epochs is None else epochs, 1, 1_000_000)
        start_alpha = self.alpha if start_alpha is None else start_alpha
        end_alpha = self.min_alpha if end_alpha is None else end_alpha
        check_float("start_alpha", start_alpha, 0.0, low_open=True)
        check_float("end_alpha", end_alpha, 0.0)
        if compute_loss is not None:
            self.compute_loss = check_bool("compute_loss", compute_loss)
        state = RunState(
            epochs=epochs, alpha0=start_alpha, alpha1=end_alpha,
            corpus_file=None if corpus_file is None else str(Path(corpus_file).resolve()),
            corpus_fingerprint=None if corpus_file is None else _fingerprint(corpus_file),
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
        corpus = open_corpus_source(corpus_iterable, corpus_file)
        vocab = self.vocab
        if vocab is None or vocab.total_words == 0:
            raise CorpusError("the vocabulary is empty: nothing to train on")
        driver = Driver(
            self, engine_for(self), CorpusJobs(corpus, vocab, self.max_sentence_length), state,
            units_per_epoch=vocab.total_words, raw_per_epoch=vocab.raw_word_count,
            callbacks=self.callbacks if callbacks is None else tuple(callbacks),
            progress=self.progress if progress is None else progress, checkpoint=checkpoint,
        )
        driver.run(begin)
        return state.totals.trained_words, state.totals.raw_words

    def get_latest_training_loss(self) -> float:
        """Summed loss of the last epoch (float64; gensim returns a float32 running total)."""
        return self.running_training_loss

    # ------------------------------------------------------------------ persistence
    def save(self, path: str | os.PathLike, force: bool | None = None) -> None:
        """Save the full model (resumable) as an uncompressed .npz archive: the weight matrices,
        the RNG states and a JSON header with the parameters, vocabulary and history.
        Loading it never unpickles anything. ``force`` replaces a read-only file (see
        :mod:`wordvec.formats.outputs`)."""
        if self.vocab is None:
            raise ParameterError("cannot save a model without a vocabulary")
        meta = {
            "model": type(self).__name__,
            "params": {k: getattr(self, k) for k in self.PARAMS},
            "words": self.vocab.words,
            "raw_word_count": self.vocab.raw_word_count,
            "n_sentences": self.vocab.n_sentences,
            "loss_history": self.loss_history,
            "epochs_trained": self.epochs_trained,
            "pending_run": None if self.pending_run is None else self.pending_run.to_json(),
        }
        arrays = {
            "counts": self.vocab.counts, "w_in": self.input_matrix(), "syn1neg": self.syn1neg, "syn1": self.syn1,
            "syn1_softmax": self.syn1_softmax, "rng": self.rng_states,
        }
        save_model_file(path, meta, arrays, force=force)

    @classmethod
    def load(cls, path: str | os.PathLike) -> "Word2Vec":
        """Load a model written by :meth:`save`; a truncated or altered file raises ModelFileError.
        A file saved by a subclass (``FastText``) loads as that subclass once its module is imported."""
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
            params = {k: meta["params"][k] for k in cls.PARAMS}
            model = cls(**params)
            words = meta["words"]
            if not isinstance(words, list) or not all(isinstance(w, str) for w in words) or len(set(words)) != len(words):
                raise ValueError("the vocabulary is not a list of distinct strings")
            n, d = len(words), model.vector_size
            expect = {  # only these members are read, each checked before its data (formats.npz)
                "counts": ((n,), np.int64),
                "w_in": ((model.input_rows(n), d), np.float32),
                "syn1neg": ((n if model.negative else 0, d), np.float32),
                "syn1": ((n - 1 if model.hs else 0, d), np.float32),
                "syn1_softmax": ((n if model.softmax else 0, d), np.float32),
                "rng": ((None, 1), np.uint64),
            }
        except (KeyError, ValueError, TypeError, ParameterError) as e:
            raise ModelFileError(f"'{path}' is not a valid wordvec model file: {e}") from None
        arrays = load_model_arrays(path, expect)
        try:
            rng = arrays["rng"]
            history = meta["loss_history"]
            if not isinstance(history, list) or not all(isinstance(x, (int, float)) and not isinstance(x, bool) for x in history):
                raise ValueError("loss_history is not a list of numbers")
            epochs_trained = meta["epochs_trained"]
            if isinstance(epochs_trained, bool) or not isinstance(epochs_trained, int) or epochs_trained < 0:
                raise ValueError("epochs_trained is not a count")
            pending = None if meta.get("pending_run") is None else RunState.from_json(meta["pending_run"])
            vocab = Vocabulary(
                words=words, counts=arrays["counts"], raw_word_count=meta["raw_word_count"], n_sentences=meta["n_sentences"]
            )
        except (KeyError, ValueError, TypeError, ParameterError) as e:
            raise ModelFileError(f"'{path}' is not a valid wordvec model file: {e}") from None
        model.wv = model.make_vectors(words, np.ascontiguousarray(arrays["w_in"]), vocab.counts)
        vocab.words, vocab.key_to_index = model.wv.index_to_key, model.wv.key_to_index
        model.vocab = vocab
        model.syn1neg = np.ascontiguousarray(arrays["syn1neg"])
        model.syn1 = np.ascontiguousarray(arrays["syn1"])
        model.syn1_softmax = np.ascontiguousarray(arrays["syn1_softmax"])
        model.rng_states = np.ascontiguousarray(rng)
        model.loss_history = [float(x) for x in history]
        model.epochs_trained = epochs_trained
        model.pending_run = pending
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

    def __repr__(self) -> str:
        n = 0 if self.vocab is None else len(self.vocab)
        mode = "sg" if self.sg else "cbow"
        obj = "softmax" if self.softmax else "+".join(x for x, on in (("hs", self.hs), (f"ns{self.negative}", self.negative)) if on)
        return f"Word2Vec<vocab={n}, vector_size={self.vector_size}, {mode}, {obj}, window={self.window}>"


def _fingerprint(corpus_file: str | os.PathLike) -> dict | None:
    """The corpus file's fingerprint, None when it cannot be read (the corpus reader reports that)."""
    try:
        return corpus_fingerprint(corpus_file)
    except OSError:
        return None
