"""The GloVe model (Pennington, Socher and Manning 2014): global vectors from co-occurrence counts.

One call does what Stanford's four C tools do through temporary files: count the vocabulary
(:mod:`wordvec.text.vocab`, the same rules and tokenizer as Word2Vec), count the co-occurrences
within a memory budget (:mod:`wordvec.text.cooccurrence`, as ``cooccur``), shuffle them, and
train with AdaGrad (:mod:`wordvec.train.kernels.glove`, as ``glove``) on the shared training
driver (progress, callbacks, loss history, Ctrl-C checkpoint and resume).

The model minimises J = sum over non-zero X_ij of 0.5 f(X_ij) (w_i . w~_j + b_i + b~_j - log X_ij)^2
with f(x) = min(1, (x / x_max) ** alpha). ``wv`` holds W + W~ (the paper's choice and the C
tool's default output); W, W~ and the biases are :attr:`GloVe.word_vectors`,
:attr:`GloVe.context_vectors`, :attr:`GloVe.word_biases`, :attr:`GloVe.context_biases`.
``loss_history[e]`` is epoch e's mean cost per entry (the figure glove.c prints).

The co-occurrence matrix is kept (:attr:`GloVe.cooccurrence`), saved with the model, written in
the C tool's binary format with :meth:`GloVe.save_cooccurrence`, and reused with
:meth:`GloVe.from_cooccurrence` (train several dimensions from one count, or train on counts
made by the C tool).
"""
from __future__ import annotations

import logging
import os
import time
from pathlib import Path
from typing import Any, Iterable, Sequence

import numpy as np

from ..errors import CorpusError, ModelFileError, ParameterError, TrainingError
from ..formats.glove import read_cooccurrence, write_cooccurrence
from ..formats.modelfile import load_model_file, save_model_file
from ..formats.word2vec import read_vocab, write_vocab
from ..text.cooccurrence import Cooccurrence, count_cooccurrences, parse_memory, sentence_ids, text_ids
from ..text.corpus import TextBlocks, count_sentences, count_text
from ..text.vocab import VocabCounter, Vocabulary
from ..train.driver import CALLBACK_EVENTS, Driver
from ..train.glove_engine import Entries, EntryJobs, GloVeEngine
from ..train.kernels.glove import init_params
from ..train.jobs import open_corpus_source
from ..train.state import RunState
from ..validation import check_bool, check_choice, check_float, check_int
from ..vectors.keyedvectors import KeyedVectors
from .word2vec import default_workers

logger = logging.getLogger(__name__)

MODEL_KIND = "glove"


class GloVe:
    """GloVe word vectors trained on all cores from a corpus (``sentences``: a re-iterable of
    token lists, or ``corpus_file``: a text file, plain or compressed).

    Parameters (Stanford's tool's names in brackets):

    vector_size : int  [-vector-size]
    window : int  [-window-size] context words on each side (left only when not ``symmetric``).
    min_count, max_vocab_size, max_final_vocab : the vocabulary rules of :class:`Word2Vec`
        (``vocab_count -min-count``; ``max_final_vocab`` keeps the most frequent words).
    x_max, alpha : float  [-x-max, -alpha] the weighting f(x) = min(1, (x / x_max) ** alpha).
    learning_rate : float  [-eta] AdaGrad's initial step.
    epochs : int  [-iter]
    symmetric : bool  [-symmetric] count right contexts too.
    distance_weighting : bool  [-distance-weighting] a word at distance d counts 1/d.
    memory : float, int or str  [-memory] the co-occurrence counting budget: GB as a number
        below 1024, bytes above, or a string such as "512MB" (see :func:`parse_memory`).
    workers : int  [-threads]
    seed : int  [-seed] weights and the shuffle of the entries.
    dtype : "float32" (default) or "float64" (glove.c's precision).
    grad_clip : float  [-grad-clip]
    tmp_dir : folder for the spilled co-occurrence runs (default: the system's temporary folder).
    """

    PARAMS = (
        "vector_size", "window", "min_count", "max_vocab_size", "max_final_vocab", "x_max", "alpha",
        "learning_rate", "epochs", "symmetric", "distance_weighting", "memory", "workers", "seed", "dtype",
        "grad_clip",
    )

    def __init__(
        self,
        sentences: Iterable[Sequence[str]] | None = None,
        corpus_file: str | os.PathLike | None = None,
        vector_size: int = 100,
        window: int = 10,
        min_count: int = 5,
        max_vocab_size: int | None = None,
        max_final_vocab: int | None = None,
        x_max: float = 100.0,
        alpha: float = 0.75,
        learning_rate: float = 0.05,
        epochs: int = 25,
        symmetric: bool = True,
        distance_weighting: bool = True,
        memory: float | int | str = 4.0,
        workers: int | None = None,
        seed: int = 1,
        callbacks: Sequence[Any] = (),
        progress: bool = False,
        dtype: str = "float32",
        grad_clip: float = 100.0,
        tmp_dir: str | os.PathLike | None = None,
    ) -> None:
        self.vector_size = vector_size
        self.window = window
        self.min_count = min_count
        self.max_vocab_size = max_vocab_size
        self.max_final_vocab = max_final_vocab
        self.x_max = x_max
        self.alpha = alpha
        self.learning_rate = learning_rate
        self.epochs = epochs
        self.symmetric = symmetric
        self.distance_weighting = distance_weighting
        self.memory = memory
        self.workers = default_workers() if workers is None else workers
        self.seed = seed
        self.callbacks = tuple(callbacks)
        self.progress = progress
        self.dtype = dtype
        self.grad_clip = grad_clip
        self.tmp_dir = tmp_dir
        self.validate()

        self.vocab: Vocabulary | None = None
        self.cooccurrence: Cooccurrence | None = None
        self.params = np.zeros((2, 0, vector_size + 1), dtype=self.dtype)
        self.gradsq = np.ones_like(self.params)
        self.wv = KeyedVectors(vector_size)
        self.loss_history: list[float] = []
        self.epochs_trained = 0
        self.running_training_loss = 0.0
        self.training_summary: dict[str, Any] = {}
        self.counting_summary: dict[str, Any] = {}
        self.pending_run: RunState | None = None
        self._entries: tuple[tuple, Entries] | None = None

        if sentences is not None or corpus_file is not None:
            self.build_vocab(sentences, corpus_file)
            self.train(sentences, corpus_file)

    # ------------------------------------------------------------------ parameters
    def validate(self) -> None:
        check_int("vector_size", self.vector_size, 1)
        check_int("window", self.window, 1, 10_000)
        check_int("min_count", self.min_count, 1)
        check_int("max_vocab_size", self.max_vocab_size, 1, allow_none=True)
        check_int("max_final_vocab", self.max_final_vocab, 1, allow_none=True)
        check_float("x_max", self.x_max, 0.0, low_open=True)
        check_float("alpha", self.alpha, 0.0)
        check_float("learning_rate", self.learning_rate, 0.0, low_open=True)
        check_int("epochs", self.epochs, 1, 1_000_000)
        self.symmetric = check_bool("symmetric", self.symmetric)
        self.distance_weighting = check_bool("distance_weighting", self.distance_weighting)
        parse_memory(self.memory)
        check_int("workers", self.workers, 1, 1024)
        check_int("seed", self.seed, 0, 2**63 - 1)
        check_choice("dtype", self.dtype, ("float32", "float64"))
        check_float("grad_clip", self.grad_clip, 0.0, low_open=True)
        for cb in self.callbacks:
            if not any(hasattr(cb, m) for m in CALLBACK_EVENTS):
                raise ParameterError(f"callback {cb!r} has none of {', '.join(CALLBACK_EVENTS)}", "callbacks")

    # ------------------------------------------------------------------ vocabulary and counts
    def build_vocab(
        self, corpus_iterable: Iterable[Sequence[str]] | None = None, corpus_file: str | os.PathLike | None = None
    ) -> "GloVe":
        """Count the corpus's words, keep those with count >= min_count and initialise the weights."""
        corpus = open_corpus_source(corpus_iterable, corpus_file)
        counter = VocabCounter(self.max_vocab_size)
        t0 = time.perf_counter()
        if isinstance(corpus, TextBlocks):
            count_text(corpus, counter, self.workers)
            if corpus.invalid_bytes:
                logger.warning("%s: %d invalid UTF-8 byte sequences replaced by U+FFFD", corpus.path, corpus.invalid_bytes)
        else:
            count_sentences(corpus, counter)
        vocab = Vocabulary.from_counts(
            counter.counts, self.min_count, self.max_final_vocab,
            raw_word_count=counter.raw_word_count, n_sentences=counter.n_sentences,
        )
        if len(vocab) == 0:
            raise CorpusError(
                f"no word occurs at least min_count={self.min_count} times: the corpus has "
                f"{counter.raw_word_count} words ({len(counter.counts)} distinct); lower min_count"
                if counter.raw_word_count
                else "the corpus is empty: no words to train on"
            )
        self.set_vocabulary(vocab)
        self.counting_summary["vocab_seconds"] = time.perf_counter() - t0
        logger.info("vocabulary: %d words of %d distinct, %d tokens", len(vocab), len(counter.counts), counter.raw_word_count)
        return self

    def set_vocabulary(self, vocab: Vocabulary) -> None:
        """Use ``vocab``: fresh weights (glove.c's initialisation from the seed), no counts yet."""
        self.vocab = vocab
        self.cooccurrence = None
        self._entries = None
        self.params, self.gradsq = init_params(len(vocab), self.vector_size, self.seed, np.dtype(self.dtype).type)
        self.wv = KeyedVectors.from_vectors(vocab.words, self._word_plus_context(), counts=vocab.counts)
        vocab.words, vocab.key_to_index = self.wv.index_to_key, self.wv.key_to_index
        self.loss_history = []
        self.epochs_trained = 0
        self.pending_run = None

    def build_cooccurrence(
        self, corpus_iterable: Iterable[Sequence[str]] | None = None, corpus_file: str | os.PathLike | None = None
    ) -> Cooccurrence:
        """Count the co-occurrences of the corpus for the vocabulary (within ``memory``)."""
        if self.vocab is None:
            raise ParameterError("build_cooccurrence() needs a vocabulary: call build_vocab() first")
        corpus = open_corpus_source(corpus_iterable, corpus_file)
        chunks = text_ids(corpus, self.vocab) if isinstance(corpus, TextBlocks) else sentence_ids(corpus, self.vocab)
        t0 = time.perf_counter()
        self.cooccurrence = count_cooccurrences(
            chunks, len(self.vocab), self.window, self.symmetric, self.distance_weighting, self.memory, self.tmp_dir,
            self.workers,
        )
        self._entries = None
        self.counting_summary.update(cooccurrence_seconds=time.perf_counter() - t0, nonzeros=self.cooccurrence.nnz)
        logger.info("co-occurrences: %d non-zero entries, %.1fs", self.cooccurrence.nnz, time.perf_counter() - t0)
        return self.cooccurrence

    # ------------------------------------------------------------------ training
    def train(
        self,
        corpus_iterable: Iterable[Sequence[str]] | None = None,
        corpus_file: str | os.PathLike | None = None,
        epochs: int | None = None,
        learning_rate: float | None = None,
        callbacks: Sequence[Any] | None = None,
        progress: bool | None = None,
        checkpoint: str | os.PathLike | None = None,
    ) -> tuple[int, int]:
        """Train ``epochs`` AdaGrad passes over the co-occurrences (counted from the corpus first
        when the model has none); returns (entries trained, entries per epoch x epochs).

        Training continues from the current weights. On Ctrl-C, SIGTERM or SIGHUP the jobs in
        flight finish, the model is saved to ``checkpoint`` (with its co-occurrences) and
        :class:`~wordvec.errors.TrainingInterrupted` is raised; :meth:`resume` continues."""
        if self.vocab is None:
            raise ParameterError("train() needs a vocabulary: call build_vocab() first (or use from_cooccurrence)")
        if self.cooccurrence is None:
            if corpus_iterable is None and corpus_file is None:
                raise ParameterError("train() needs the corpus to count co-occurrences (or a model from from_cooccurrence)")
            self.build_cooccurrence(corpus_iterable, corpus_file)
        epochs = check_int("epochs", self.epochs if epochs is None else epochs, 1, 1_000_000)
        rate = check_float("learning_rate", self.learning_rate if learning_rate is None else learning_rate, 0.0, low_open=True)
        state = RunState(epochs=epochs, alpha0=rate, alpha1=rate)
        return self._run(state, callbacks, progress, checkpoint, begin=True)

    def resume(
        self,
        callbacks: Sequence[Any] | None = None,
        progress: bool | None = None,
        checkpoint: str | os.PathLike | None = None,
    ) -> tuple[int, int]:
        """Continue an interrupted :meth:`train` (from a checkpoint loaded with :meth:`load`)."""
        if self.pending_run is None:
            raise ParameterError("nothing to resume: this model has no interrupted training run")
        return self._run(self.pending_run, callbacks, progress, checkpoint, begin=False)

    def _run(self, state: RunState, callbacks, progress, checkpoint, begin: bool) -> tuple[int, int]:
        self.validate()
        entries = self.training_entries()
        if len(entries) == 0:
            raise CorpusError("no two vocabulary words co-occur within the window: nothing to train on")
        engine = GloVeEngine(self.params, self.gradsq, entries, self.grad_clip, self.workers, self._refresh_wv)
        driver = Driver(
            self, engine, EntryJobs(len(entries)), state, units_per_epoch=len(entries), raw_per_epoch=len(entries),
            callbacks=self.callbacks if callbacks is None else tuple(callbacks),
            progress=self.progress if progress is None else progress, checkpoint=checkpoint,
        )
        try:
            driver.run(begin)
        except TrainingError as e:  # the driver's advice names word2vec's alpha: restate it for GloVe
            what = str(e).partition("training diverged (")[2].partition("): ")[0] or str(e)
            raise TrainingError(
                f"GloVe training diverged ({what}): learning_rate={state.alpha0} is too large; lower "
                "learning_rate (glove.c's default is 0.05)"
            ) from None
        return state.totals.trained_words, len(entries) * state.epochs

    def training_entries(self) -> Entries:
        """Every non-zero of X with log x and f(x), shuffled by the seed (built once, cached)."""
        if self.cooccurrence is None:
            raise ParameterError("the model has no co-occurrences")
        key = (id(self.cooccurrence), self.x_max, self.alpha, self.dtype, self.seed)
        if self._entries is None or self._entries[0] != key:
            rows, cols, values = self.cooccurrence.entries()
            self._entries = (key, Entries.build(rows, cols, values, self.x_max, self.alpha, np.dtype(self.dtype).type, self.seed))
        return self._entries[1]

    def _word_plus_context(self) -> np.ndarray:
        d = self.vector_size
        return np.ascontiguousarray(self.params[0, :, :d] + self.params[1, :, :d], dtype=np.float32)

    def _refresh_wv(self) -> None:
        self.wv.vectors[:] = self._word_plus_context()
        self.wv.reset_norms()

    def get_latest_training_loss(self) -> float:
        """Summed cost of the last epoch."""
        return self.running_training_loss

    # ------------------------------------------------------------------ the learned matrices
    @property
    def word_vectors(self) -> np.ndarray:
        """W (V, d): the word vectors (a view of the trained parameters)."""
        return self.params[0, :, :-1]

    @property
    def context_vectors(self) -> np.ndarray:
        """W~ (V, d): the context vectors."""
        return self.params[1, :, :-1]

    @property
    def word_biases(self) -> np.ndarray:
        """b (V,)."""
        return self.params[0, :, -1]

    @property
    def context_biases(self) -> np.ndarray:
        """b~ (V,)."""
        return self.params[1, :, -1]

    # ------------------------------------------------------------------ co-occurrence files
    def save_cooccurrence(self, path: str | os.PathLike, vocab_path: str | os.PathLike | None = None) -> int:
        """Write the co-occurrences in the C tool's binary records (1-based ids) and the
        vocabulary as ``word count`` lines (``vocab_count``'s output) to ``vocab_path``
        (default: ``path`` + ".vocab"); returns the number of records."""
        if self.cooccurrence is None or self.vocab is None:
            raise ParameterError("the model has no co-occurrences to save")
        write_vocab(vocab_path or f"{os.fspath(path)}.vocab", self.vocab.words, self.vocab.counts)
        return write_cooccurrence(path, self.cooccurrence)

    @classmethod
    def from_cooccurrence(
        cls,
        cooccurrence: Cooccurrence | str | os.PathLike,
        vocab: Vocabulary | Sequence[str] | str | os.PathLike | None = None,
        **params: Any,
    ) -> "GloVe":
        """A model ready to :meth:`train` on given co-occurrences: a :class:`Cooccurrence` or a
        file of the C tool's records, with its vocabulary (a :class:`Vocabulary`, a list of
        words, or a ``word count`` file; default for a file: its path + ".vocab")."""
        model = cls(**params)
        if vocab is None:
            if isinstance(cooccurrence, Cooccurrence):
                raise ParameterError("from_cooccurrence needs the vocabulary of the matrix", "vocab")
            vocab = f"{os.fspath(cooccurrence)}.vocab"
        if isinstance(vocab, (str, os.PathLike)):
            counts = read_vocab(vocab)
            vocab = Vocabulary(list(counts), np.fromiter(counts.values(), dtype=np.int64, count=len(counts)))
        elif not isinstance(vocab, Vocabulary):
            words = list(vocab)
            vocab = Vocabulary(words, np.zeros(len(words), dtype=np.int64))
        if not isinstance(cooccurrence, Cooccurrence):
            cooccurrence = read_cooccurrence(cooccurrence, n_words=len(vocab))
        if cooccurrence.n_words != len(vocab):
            raise ParameterError(
                f"the co-occurrence matrix has {cooccurrence.n_words} words, the vocabulary {len(vocab)}", "vocab"
            )
        model.set_vocabulary(vocab)
        model.cooccurrence = cooccurrence
        return model

    # ------------------------------------------------------------------ persistence
    def save(self, path: str | os.PathLike, cooccurrence: bool = True) -> None:
        """Save the model (parameters, vocabulary, W, W~, biases, AdaGrad sums, history, an
        interrupted run and, unless ``cooccurrence=False``, the co-occurrences, which resuming
        needs) as an .npz archive; loading it never unpickles anything."""
        if self.vocab is None:
            raise ParameterError("cannot save a model without a vocabulary")
        params = {k: getattr(self, k) for k in self.PARAMS}
        meta = {
            "model": MODEL_KIND,
            "params": params,
            "words": self.vocab.words,
            "raw_word_count": self.vocab.raw_word_count,
            "n_sentences": self.vocab.n_sentences,
            "loss_history": self.loss_history,
            "epochs_trained": self.epochs_trained,
            "pending_run": None if self.pending_run is None else self.pending_run.to_json(),
        }
        arrays = {"counts": self.vocab.counts, "params": self.params, "gradsq": self.gradsq}
        co = self.cooccurrence
        if cooccurrence and co is not None:
            meta["cooccurrence"] = {"symmetric": co.symmetric, "window": co.window, "distance_weighting": co.distance_weighting}
            arrays.update(co_rows=co.rows, co_cols=co.cols, co_values=co.values)
        save_model_file(path, meta, arrays)

    @classmethod
    def load(cls, path: str | os.PathLike) -> "GloVe":
        """Load a model written by :meth:`save`; a truncated or altered file raises ModelFileError."""
        meta, arrays = load_model_file(path)
        path = Path(path)
        try:
            if meta.get("model") != MODEL_KIND:
                raise ValueError("it holds no GloVe model")
            model = cls(**{k: meta["params"][k] for k in cls.PARAMS})
            words = meta["words"]
            if not isinstance(words, list) or not all(isinstance(w, str) for w in words) or len(set(words)) != len(words):
                raise ValueError("the vocabulary is not a list of distinct strings")
            n, d = len(words), model.vector_size
            shape = (2, n, d + 1)
            for name in ("params", "gradsq"):
                a = arrays[name]
                if a.shape != shape or a.dtype != np.dtype(model.dtype):
                    raise ValueError(f"array {name} has shape {a.shape} {a.dtype}, expected {shape} {model.dtype}")
            counts = arrays["counts"]
            if counts.shape != (n,) or counts.dtype != np.int64:
                raise ValueError("bad counts array")
            history = meta["loss_history"]
            if not isinstance(history, list) or not all(isinstance(x, (int, float)) and not isinstance(x, bool) for x in history):
                raise ValueError("loss_history is not a list of numbers")
            epochs_trained = meta["epochs_trained"]
            if isinstance(epochs_trained, bool) or not isinstance(epochs_trained, int) or epochs_trained < 0:
                raise ValueError("epochs_trained is not a count")
            pending = None if meta.get("pending_run") is None else RunState.from_json(meta["pending_run"])
            co = None
            if meta.get("cooccurrence") is not None:
                info = meta["cooccurrence"]
                rows, cols, values = arrays["co_rows"], arrays["co_cols"], arrays["co_values"]
                if not (rows.dtype == cols.dtype == np.int32 and values.dtype == np.float64
                        and rows.shape == cols.shape == values.shape and rows.ndim == 1):
                    raise ValueError("bad co-occurrence arrays")
                if rows.size and (min(rows.min(), cols.min()) < 0 or max(rows.max(), cols.max()) >= n
                                  or not (np.isfinite(values).all() and (values > 0).all())):
                    raise ValueError("co-occurrence entries out of range")
                co = Cooccurrence(rows, cols, values, n, bool(info["symmetric"]), int(info["window"]),
                                  bool(info["distance_weighting"]))
            if pending is not None and co is None:
                raise ValueError("an interrupted run was saved without its co-occurrences")
            vocab = Vocabulary(words, counts, raw_word_count=meta["raw_word_count"], n_sentences=meta["n_sentences"])
        except (KeyError, ValueError, TypeError, ParameterError) as e:
            raise ModelFileError(f"'{path}' is not a valid wordvec GloVe model file: {e}") from None
        model.set_vocabulary(vocab)
        model.params = np.ascontiguousarray(arrays["params"])
        model.gradsq = np.ascontiguousarray(arrays["gradsq"])
        model._refresh_wv()
        model.cooccurrence = co
        model.loss_history = [float(x) for x in history]
        model.epochs_trained = epochs_trained
        model.pending_run = pending
        return model

    def __repr__(self) -> str:
        n = 0 if self.vocab is None else len(self.vocab)
        return f"GloVe<vocab={n}, vector_size={self.vector_size}, window={self.window}, x_max={self.x_max}>"
