"""The Word2Vec model: parameters, vocabulary, the training driver and the saved-model format.

Three layers: :class:`Word2Vec` validates parameters and holds the fitted state; its training
driver runs one epoch at a time (learning-rate schedule, progress, callbacks, loss history),
feeding chunks of the corpus to worker threads; the compiled kernels in :mod:`wordvec.kernels`
do the arithmetic without the GIL.

Learning rate: alpha decays linearly from ``alpha`` to ``min_alpha`` over epochs x total_words
(in-vocabulary words before subsampling), as word2vec.c and gensim do; each chunk of about 40k
words interpolates linearly inside the chunk.

Loss: ``loss_history[e]`` is epoch e's mean loss per training example, summed in float64 per
thread: an example is one (context word, center word) pair for skip-gram with negative sampling
or hierarchical softmax, one (center, context word) prediction for skip-gram with the exact
softmax, one window for CBOW. Its value does not depend on the number of workers.
"""
from __future__ import annotations

import json
import logging
import math
import os
import queue
import signal
import threading
import time
import zipfile
from pathlib import Path
from typing import Any, Callable, Iterable, Sequence

import numpy as np

from ..train import kernels
from ..formats.atomic import atomic_path
from ..text.corpus import TextBlocks, check_reiterable, count_sentences, count_text, encode_text, sentence_chunks
from ..errors import CorpusError, ModelFileError, ParameterError, TrainingError
from ..vectors.keyedvectors import KeyedVectors
from ..text.vocab import VocabCounter, Vocabulary

logger = logging.getLogger(__name__)

FORMAT = "wordvec-model"
FORMAT_VERSION = 1
#: Default starting learning rates (word2vec.c's).
SKIPGRAM_ALPHA = 0.025
CBOW_ALPHA = 0.05
#: Exact softmax: a mini-batch holds at most SOFTMAX_WINDOWS windows and SOFTMAX_STEP / alpha
#: (input, target) pairs. Every update of a batch is computed before any is applied, so a word
#: frequent in the batch gets the sum of many gradients at once; on SST, batches with
#: alpha x pairs around 150 diverged (window 10 at alpha 0.025, window 5 at 0.05) and 100 trained
#: like smaller batches (docs/benchmarks.md).
SOFTMAX_STEP = 100.0
SOFTMAX_WINDOWS = 1024
#: Windows ahead whose output rows the kernels prefetch (0: none).
LOOKAHEAD = 2


def default_workers() -> int:
    try:
        return max(1, len(os.sched_getaffinity(0)))
    except AttributeError:  # pragma: no cover - not Linux
        return max(1, os.cpu_count() or 1)


def _check_int(name: str, value: Any, low: int, high: int | None = None, allow_none: bool = False) -> None:
    if value is None and allow_none:
        return
    if isinstance(value, bool) or not isinstance(value, (int, np.integer)):
        raise ParameterError(f"{name} must be an integer, got {value!r}")
    if value < low or (high is not None and value > high):
        rng = f">= {low}" if high is None else f"in [{low}, {high}]"
        raise ParameterError(f"{name} must be {rng}, got {value!r}")


def _check_float(name: str, value: Any, low: float, high: float | None = None, low_open: bool = False) -> None:
    if isinstance(value, bool) or not isinstance(value, (int, float, np.integer, np.floating)):
        raise ParameterError(f"{name} must be a number, got {value!r}")
    if not math.isfinite(value):
        raise ParameterError(f"{name} must be finite, got {value!r}")
    bad_low = value <= low if low_open else value < low
    if bad_low or (high is not None and value > high):
        lo = f"> {low}" if low_open else f">= {low}"
        raise ParameterError(f"{name} must be {lo}" + (f" and <= {high}" if high is not None else "") + f", got {value!r}")


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
        Accumulate the loss (cheap; on by default).
    progress : bool
        Show a progress bar (words/s, loss, ETA).
    device : str or None
        None trains with the numba CPU engine; "cuda" (or "cuda:N") trains with the PyTorch
        backend on a GPU, "cpu" with the same PyTorch code on the CPU (``pip install wordvec[torch]``).
    batch_size : int
        PyTorch backend: training pairs per batch.
    """

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
        self._validate()
        self._memory_check(1)

        self.vocab: Vocabulary | None = None
        self.wv = KeyedVectors(vector_size)
        self.syn1neg = np.zeros((0, vector_size), dtype=np.float32)
        self.syn1 = np.zeros((0, vector_size), dtype=np.float32)
        self.syn1_softmax = np.zeros((0, vector_size), dtype=np.float32)
        self.loss_history: list[float] = []
        self.epochs_trained = 0
        self.training_summary: dict[str, Any] = {}
        self.running_training_loss = 0.0
        self._rng = np.zeros((0, 1), dtype=np.uint64)
        self.pending_run: dict[str, Any] | None = None

        if sentences is not None and corpus_file is not None:
            raise ParameterError("pass either sentences or corpus_file, not both")
        if sentences is not None or corpus_file is not None:
            self.build_vocab(sentences, corpus_file=corpus_file, progress=progress)
            self.train(sentences, corpus_file=corpus_file, epochs=self.epochs)

    # ------------------------------------------------------------------ parameters
    def _validate(self) -> None:
        _check_int("vector_size", self.vector_size, 1)
        _check_int("window", self.window, 1, 10_000)
        _check_int("min_count", self.min_count, 1)
        _check_int("max_vocab_size", self.max_vocab_size, 1, allow_none=True)
        _check_int("max_final_vocab", self.max_final_vocab, 1, allow_none=True)
        _check_float("sample", self.sample, 0.0, 1.0)
        _check_int("sg", self.sg, 0, 1)
        _check_int("hs", self.hs, 0, 1)
        _check_int("negative", self.negative, 0, 1000)
        _check_float("ns_exponent", self.ns_exponent, -10.0, 10.0)
        _check_int("cbow_mean", self.cbow_mean, 0, 1)
        _check_float("alpha", self.alpha, 0.0, low_open=True)
        _check_float("min_alpha", self.min_alpha, 0.0)
        _check_int("epochs", self.epochs, 1, 1_000_000)
        _check_int("workers", self.workers, 1, 1024)
        _check_int("seed", self.seed, 0)
        _check_int("max_sentence_length", self.max_sentence_length, 1)
        _check_int("batch_size", self.batch_size, 1, 1 << 24)
        if self.device is not None:
            from ..train.torch_engine import check_device

            check_device(self.device)
        if not isinstance(self.softmax, (bool, np.bool_)):
            raise ParameterError(f"softmax must be True or False, got {self.softmax!r}")
        if self.softmax and (self.hs or self.negative):
            raise ParameterError(
                f"softmax=True is an objective of its own: set hs=0 and negative=0 (got hs={self.hs}, "
                f"negative={self.negative})"
            )
        if not self.softmax and not self.hs and not self.negative:
            raise ParameterError("nothing would be learned with hs=0 and negative=0: set negative > 0, hs=1 or softmax=True")
        for cb in self.callbacks:
            if not any(hasattr(cb, m) for m in _CALLBACK_EVENTS):
                raise ParameterError(f"callback {cb!r} has none of on_train_begin/on_epoch_begin/on_epoch_end/on_train_end")

    def _memory_check(self, n_words: int) -> None:
        """Refuse, before allocating, weight matrices that cannot fit in this machine's memory."""
        matrices = 1 + bool(self.negative) + bool(self.hs) + bool(self.softmax)
        need = matrices * n_words * self.vector_size * 4
        if self.softmax:
            need += SOFTMAX_WINDOWS * n_words * 4 + n_words * self.vector_size * 4
        try:
            avail = os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES")
        except (ValueError, OSError, AttributeError):  # pragma: no cover
            return
        if need > 0.8 * avail:
            raise ParameterError(
                f"vector_size={self.vector_size} with {n_words} words needs {need / 2**30:,.1f} GiB for the "
                f"weight matrices, more than this machine's {avail / 2**30:.1f} GiB; lower vector_size or the vocabulary"
            )

    # ------------------------------------------------------------------ vocabulary
    def _corpus(self, sentences: Any, corpus_file: Any) -> tuple[str, Any]:
        if sentences is not None and corpus_file is not None:
            raise ParameterError("pass either sentences (corpus_iterable) or corpus_file, not both")
        if corpus_file is not None:
            return "file", TextBlocks(corpus_file)
        if sentences is None:
            raise ParameterError("no corpus given: pass sentences (corpus_iterable) or corpus_file")
        check_reiterable(sentences)
        return "sentences", sentences

    def build_vocab(
        self,
        corpus_iterable: Iterable[Sequence[str]] | None = None,
        corpus_file: str | os.PathLike | None = None,
        update: bool = False,
        progress: bool = False,
    ) -> "Word2Vec":
        """Count the corpus, keep the words with count >= min_count and initialise the weights.

        With ``update=True`` new words are added (existing words keep their vectors)."""
        kind, corpus = self._corpus(corpus_iterable, corpus_file)
        counter = VocabCounter(self.max_vocab_size)
        t0 = time.perf_counter()
        if kind == "file":
            count_text(corpus, counter, self.workers)
            invalid = corpus.invalid_bytes
        else:
            count_sentences(corpus, counter)
            invalid = 0
        if invalid:
            logger.warning("%s: %d invalid UTF-8 byte sequences replaced by U+FFFD", corpus.path, invalid)
        if counter.pruned_words:
            logger.warning(
                "max_vocab_size=%d: dropped %d rare distinct words while counting (word2vec.c's pruning)",
                self.max_vocab_size,
                counter.pruned_words,
            )
        self.invalid_utf8 = invalid
        self.pruned_words = counter.pruned_words
        vocab = Vocabulary.from_counts(
            counter.counts,
            1 if update else self.min_count,
            None if update else self.max_final_vocab,
            raw_word_count=counter.raw_word_count,
            n_sentences=counter.n_sentences,
        )
        if update:
            if self.vocab is None:
                raise ParameterError("build_vocab(update=True) needs an existing vocabulary: call build_vocab first")
            vocab = self.vocab.merged(vocab, self.min_count)
        elif len(vocab) == 0:
            raise CorpusError(
                f"no word occurs at least min_count={self.min_count} times: the corpus has "
                f"{counter.raw_word_count} words ({len(counter.counts)} distinct); lower min_count"
                if counter.raw_word_count
                else "the corpus is empty: no words to train on"
            )
        self._memory_check(len(vocab))
        self._set_vocab(vocab, update)
        logger.info(
            "vocabulary: %d words of %d distinct, %d tokens, %.1fs",
            len(vocab),
            len(counter.counts),
            counter.raw_word_count,
            time.perf_counter() - t0,
        )
        return self

    def _set_vocab(self, vocab: Vocabulary, update: bool) -> None:
        old = 0 if not update else len(self.vocab)  # type: ignore[arg-type]
        n, d = len(vocab), self.vector_size
        rng = np.random.default_rng([self.seed, old])
        w_in = np.empty((n, d), dtype=np.float32)
        if old:
            w_in[:old] = self.wv.vectors
        w_in[old:] = (rng.random((n - old, d), dtype=np.float32) - 0.5) / d

        def grow(m: np.ndarray, rows: int, on: bool) -> np.ndarray:
            out = _zeros((rows if on else 0, d))
            if on and old and m.shape[0]:
                out[: min(m.shape[0], rows)] = m[: min(m.shape[0], rows)]
            return out

        self.syn1neg = grow(self.syn1neg, n, bool(self.negative))
        # Huffman inner nodes change with the counts: the tree (and syn1) is rebuilt on update.
        self.syn1 = _zeros((n - 1 if self.hs else 0, d))
        self.syn1_softmax = grow(self.syn1_softmax, n, bool(self.softmax))
        self.vocab = vocab
        self.wv = KeyedVectors.from_vectors(vocab.words, w_in, counts=vocab.counts)
        if self._rng.shape[0] == 0:
            self._rng = np.stack([kernels.rng_state(self.seed, i) for i in range(max(self.workers, 1))])

    # ------------------------------------------------------------------ training
    def _tables(self) -> kernels.Tables:
        vocab = self.vocab
        assert vocab is not None
        if self.hs:
            codes, points, lengths = vocab.huffman()
        else:
            codes = np.zeros((len(vocab), 1), dtype=np.uint8)
            points = np.zeros((len(vocab), 1), dtype=np.int32)
            lengths = np.zeros(len(vocab), dtype=np.int32)
        threshold, alias = vocab.alias_table(self.ns_exponent)
        sig, logsig = kernels.sigmoid_tables()
        return kernels.Tables(
            keep=vocab.keep_thresholds(self.sample),
            alias_threshold=threshold,
            alias_index=alias,
            codes=codes,
            points=points,
            code_lengths=lengths,
            sigmoid=sig,
            log_sigmoid=logsig,
        )

    def _cfg(self) -> np.ndarray:
        cfg = np.zeros(kernels.N_CFG, dtype=np.int64)
        cfg[kernels.SG] = self.sg
        cfg[kernels.WINDOW] = self.window
        cfg[kernels.NEGATIVE] = self.negative
        cfg[kernels.HS] = self.hs
        cfg[kernels.CBOW_MEAN] = self.cbow_mean
        cfg[kernels.SHARED_NEGATIVES] = int(bool(self.shared_negatives))
        cfg[kernels.LOOKAHEAD] = LOOKAHEAD
        return cfg

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
        **_ignored: Any,
    ) -> tuple[int, int]:
        """Train ``epochs`` epochs over the corpus; returns (trained words, raw words) like gensim.

        ``total_examples`` / ``total_words`` are accepted for gensim compatibility; the counts
        come from the vocabulary scan. On Ctrl-C (KeyboardInterrupt) the chunks being trained
        are finished, the model is left consistent and, when ``checkpoint`` is given, saved there
        with its position in the run; :class:`TrainingInterrupted` is raised and
        :meth:`resume` continues the run exactly where it stopped."""
        if self.vocab is None:
            raise ParameterError("train() needs a vocabulary: call build_vocab() first")
        epochs = self.epochs if epochs is None else epochs
        _check_int("epochs", epochs, 1, 1_000_000)
        start_alpha = self.alpha if start_alpha is None else start_alpha
        end_alpha = self.min_alpha if end_alpha is None else end_alpha
        _check_float("start_alpha", start_alpha, 0.0, low_open=True)
        _check_float("end_alpha", end_alpha, 0.0)
        if compute_loss is not None:
            self.compute_loss = compute_loss
        self.pending_run = {
            "epochs": epochs, "alpha0": start_alpha, "alpha1": end_alpha, "epoch": 0, "position": 0, "done": 0,
            "partial": [0.0] * 5, "totals": [0, 0, 0],
            "corpus_file": None if corpus_file is None else str(Path(corpus_file).resolve()),
        }
        return self._run(corpus_iterable, corpus_file, callbacks, progress, checkpoint, begin=True)

    def resume(
        self,
        corpus_iterable: Iterable[Sequence[str]] | None = None,
        corpus_file: str | os.PathLike | None = None,
        callbacks: Sequence[Any] | None = None,
        progress: bool | None = None,
        checkpoint: str | os.PathLike | None = None,
    ) -> tuple[int, int]:
        """Continue an interrupted ``train`` (from a checkpoint loaded with :meth:`load`) over the
        same corpus; with ``workers=1`` the result is bit-identical to an uninterrupted run.
        ``corpus_file`` defaults to the file the run was started with."""
        state = self.pending_run
        if not state:
            raise ParameterError("nothing to resume: this model has no interrupted training run")
        if corpus_iterable is None and corpus_file is None:
            corpus_file = state.get("corpus_file")
            if corpus_file is None:
                raise ParameterError("the interrupted run trained on sentences: pass the same corpus_iterable to resume")
        return self._run(corpus_iterable, corpus_file, callbacks, progress, checkpoint, begin=False)

    def _run(self, corpus_iterable, corpus_file, callbacks, progress, checkpoint, begin: bool) -> tuple[int, int]:
        state = self.pending_run
        callbacks = self.callbacks if callbacks is None else tuple(callbacks)
        show = self.progress if progress is None else progress
        kind, corpus = self._corpus(corpus_iterable, corpus_file)
        if self.vocab.total_words == 0:
            raise CorpusError("the vocabulary is empty: nothing to train on")
        if self.device is None:
            run = _Run(self, kind, corpus, state, show)
        else:
            from ..train.torch_engine import TorchRun

            run = TorchRun(self, kind, corpus, state, show)
        raw_before = state["totals"][0] + int(state["partial"][2])
        if begin:
            _notify(callbacks, "on_train_begin", self)
        t0 = time.perf_counter()
        run.interrupt.__enter__()  # a Ctrl-C between epochs also stops at the next epoch's start
        try:
            while state["epoch"] < state["epochs"]:
                if state["position"] == 0:
                    _notify(callbacks, "on_epoch_begin", self)
                try:
                    loss, examples = run.epoch()
                except KeyboardInterrupt:
                    if run.interrupt.hard:
                        self.pending_run = None
                        raise KeyboardInterrupt("training stopped at once by a second Ctrl-C: no checkpoint") from None
                    if checkpoint is not None:
                        self.save(checkpoint)
                    raise TrainingInterrupted(checkpoint, state["epoch"], state["epochs"]) from None
                if run.words_epoch == 0:
                    raise CorpusError("the corpus yielded no words in the vocabulary: nothing to train on")
                mean = loss / examples if examples else float("nan")
                self.loss_history.append(mean)
                self.running_training_loss = loss
                self.epochs_trained += 1
                self._check_finite(mean, state["alpha0"], state["alpha1"])
                logger.info("epoch %d: mean loss %.4f over %d examples", self.epochs_trained, mean, int(examples))
                state["epoch"] += 1
                state["position"] = 0
                state["partial"] = [0.0] * 5
                _notify(callbacks, "on_epoch_end", self)
        finally:
            run.interrupt.__exit__()
            run.close()
            self.wv.reset_norms()
        seconds = time.perf_counter() - t0
        raw, words, trained = state["totals"]
        self.pending_run = None
        self.training_summary = {
            "epochs": state["epochs"],
            "raw_words": raw,
            "words": words,
            "trained_words": trained,
            "seconds": seconds,
            "words_per_sec": (raw - raw_before) / seconds if seconds > 0 else float("inf"),
            "final_loss": self.loss_history[-1] if self.loss_history else float("nan"),
            "workers": 1 if self.softmax else self.workers,
        }
        _notify(callbacks, "on_train_end", self)
        return trained, raw

    def _check_finite(self, mean_loss: float, alpha: float, end_alpha: float = 0.0) -> None:
        """Raise TrainingError when the loss (NaN only when there was no example) or the vectors are not finite."""
        if math.isinf(mean_loss) or not np.isfinite(self.wv.vectors).all() or (
            math.isnan(mean_loss) and self.running_training_loss != 0.0
        ):
            if end_alpha > alpha:  # the rate grew towards min_alpha: name the culprit
                raise TrainingError(
                    f"training diverged (the loss or the vectors became non-finite): min_alpha={end_alpha} is too "
                    f"large (the learning rate grows from alpha={alpha} to it); lower min_alpha (word2vec's default is 0.0001)"
                )
            raise TrainingError(
                f"training diverged (the loss or the vectors became non-finite): alpha={alpha} is too large; "
                "lower alpha (word2vec's defaults are 0.025 for skip-gram, 0.05 for CBOW)"
            )

    def get_latest_training_loss(self) -> float:
        """Summed loss of the last epoch (float64; gensim returns a float32 running total)."""
        return self.running_training_loss

    # ------------------------------------------------------------------ persistence
    _PARAMS = (
        "vector_size", "window", "min_count", "max_vocab_size", "max_final_vocab", "sample", "sg", "hs",
        "negative", "ns_exponent", "cbow_mean", "alpha", "min_alpha", "epochs", "workers", "seed", "softmax",
        "shared_negatives", "max_sentence_length", "compute_loss",
    )

    def save(self, path: str | os.PathLike) -> None:
        """Save the full model (resumable) as an uncompressed .npz archive: the weight matrices,
        the RNG states and a JSON header with the parameters, vocabulary and history.
        Loading it never unpickles anything."""
        if self.vocab is None:
            raise ParameterError("cannot save a model without a vocabulary")
        meta = {
            "format": FORMAT,
            "version": FORMAT_VERSION,
            "params": {k: _plain(getattr(self, k)) for k in self._PARAMS},
            "words": self.vocab.words,
            "raw_word_count": self.vocab.raw_word_count,
            "n_sentences": self.vocab.n_sentences,
            "loss_history": self.loss_history,
            "epochs_trained": self.epochs_trained,
            "pending_run": self.pending_run,
        }
        arrays = {
            "meta": np.frombuffer(json.dumps(meta).encode("utf-8"), dtype=np.uint8),
            "counts": self.vocab.counts,
            "w_in": self.wv.vectors,
            "syn1neg": self.syn1neg,
            "syn1": self.syn1,
            "syn1_softmax": self.syn1_softmax,
            "rng": self._rng,
        }
        path = Path(path)
        with atomic_path(path) as tmp:
            with open(tmp, "wb") as f:
                np.savez(f, **arrays)

    @classmethod
    def load(cls, path: str | os.PathLike) -> "Word2Vec":
        """Load a model written by :meth:`save`; a truncated or altered file raises ModelFileError."""
        path = Path(path)
        if not path.is_file():
            raise ModelFileError(f"model file '{path}' does not exist")
        try:
            with np.load(path, allow_pickle=False) as z:
                arrays = {k: z[k] for k in z.files}
        except (zipfile.BadZipFile, ValueError, OSError, EOFError, KeyError) as e:
            raise ModelFileError(f"'{path}' is not a readable wordvec model file ({e})") from None
        try:
            meta = json.loads(bytes(arrays["meta"]).decode("utf-8"))
            if meta.get("format") != FORMAT:
                raise ValueError("not a wordvec model")
            if meta.get("version") != FORMAT_VERSION:
                raise ValueError(f"unsupported format version {meta.get('version')!r}")
            params = {k: meta["params"][k] for k in cls._PARAMS}
            model = cls(**params)
            words = meta["words"]
            counts = arrays["counts"]
            n, d = len(words), model.vector_size
            expect = {
                "counts": ((n,), np.int64),
                "w_in": ((n, d), np.float32),
                "syn1neg": ((n if model.negative else 0, d), np.float32),
                "syn1": ((n - 1 if model.hs else 0, d), np.float32),
                "syn1_softmax": ((n if model.softmax else 0, d), np.float32),
            }
            for name, (shape, dtype) in expect.items():
                a = arrays[name]
                if a.shape != shape or a.dtype != dtype:
                    raise ValueError(f"array {name} has shape {a.shape} {a.dtype}, expected {shape} {np.dtype(dtype)}")
            if not all(isinstance(w, str) for w in words) or len(set(words)) != n:
                raise ValueError("the vocabulary is not a list of distinct strings")
            rng = arrays["rng"]
            if rng.dtype != np.uint64 or rng.ndim != 2 or rng.shape[1] != 1:
                raise ValueError("bad RNG state array")
        except ModelFileError:
            raise
        except (KeyError, ValueError, TypeError, UnicodeDecodeError, ParameterError) as e:
            raise ModelFileError(f"'{path}' is not a valid wordvec model file: {e}") from None
        model.vocab = Vocabulary(
            words=words, counts=counts, raw_word_count=meta["raw_word_count"], n_sentences=meta["n_sentences"]
        )
        model.wv = KeyedVectors.from_vectors(words, np.ascontiguousarray(arrays["w_in"]), counts=counts)
        model.syn1neg = np.ascontiguousarray(arrays["syn1neg"])
        model.syn1 = np.ascontiguousarray(arrays["syn1"])
        model.syn1_softmax = np.ascontiguousarray(arrays["syn1_softmax"])
        model._rng = np.ascontiguousarray(rng)
        model.loss_history = [float(x) for x in meta["loss_history"]]
        model.epochs_trained = int(meta["epochs_trained"])
        model.pending_run = _check_run_state(meta.get("pending_run"), path)
        return model

    def __repr__(self) -> str:
        n = 0 if self.vocab is None else len(self.vocab)
        mode = "sg" if self.sg else "cbow"
        obj = "softmax" if self.softmax else "+".join(x for x, on in (("hs", self.hs), (f"ns{self.negative}", self.negative)) if on)
        return f"Word2Vec<vocab={n}, vector_size={self.vector_size}, {mode}, {obj}, window={self.window}>"


_CALLBACK_EVENTS = ("on_train_begin", "on_epoch_begin", "on_epoch_end", "on_train_end")


def _zeros(shape: tuple[int, int]) -> np.ndarray:
    """float32 zeros in memory numpy allocates (and advises as huge pages, which suits the
    random row reads of training) rather than np.zeros' calloc pages, which it does not."""
    out = np.empty(shape, dtype=np.float32)
    out.fill(0.0)
    return out


def _notify(callbacks: Sequence[Any], event: str, model: Word2Vec) -> None:
    """Call ``event`` (one of _CALLBACK_EVENTS) on every callback that defines it, on this thread."""
    for cb in callbacks:
        method = getattr(cb, event, None)
        if method is not None:
            method(model)


def _check_run_state(state: Any, path: Path) -> dict | None:
    """Validate the saved position of an interrupted run (JSON from a file a user may have been sent)."""
    if state is None:
        return None
    try:
        ok = (
            isinstance(state, dict)
            and all(isinstance(state[k], int) and state[k] >= 0 for k in ("epochs", "epoch", "position", "done"))
            and all(isinstance(state[k], (int, float)) for k in ("alpha0", "alpha1"))
            and len(state["partial"]) == 5 and all(isinstance(x, (int, float)) for x in state["partial"])
            and len(state["totals"]) == 3 and all(isinstance(x, int) for x in state["totals"])
            and (state["corpus_file"] is None or isinstance(state["corpus_file"], str))
            and state["epoch"] < state["epochs"]
        )
    except (KeyError, TypeError):
        ok = False
    if not ok:
        raise ModelFileError(f"'{path}' is not a valid wordvec model file: bad training-run state")
    state["partial"] = [float(x) for x in state["partial"]]
    return state


def _plain(v: Any) -> Any:
    if isinstance(v, np.generic):
        return v.item()
    return v


class _DeferredInterrupt:
    """While training on the main thread, Ctrl-C only raises a flag that the driver checks at
    job boundaries (so the model is consistent when it stops); a second Ctrl-C stops at once."""

    def __init__(self) -> None:
        self.flag = threading.Event()
        self.hard = False  # a second Ctrl-C: stopped mid-job, the model is not at a job boundary
        self._old: Any = None
        self._depth = 0

    def __enter__(self) -> "_DeferredInterrupt":
        self._depth += 1
        if threading.current_thread() is threading.main_thread() and signal.getsignal(signal.SIGINT) is signal.default_int_handler:
            self._old = signal.signal(signal.SIGINT, self._handle)
        return self

    def _handle(self, signum: int, frame: Any) -> None:
        if self.flag.is_set():
            self.hard = True
            signal.signal(signal.SIGINT, self._old)
            raise KeyboardInterrupt
        self.flag.set()

    def check(self) -> None:
        if self.flag.is_set():
            raise KeyboardInterrupt

    def __exit__(self, *exc: Any) -> None:
        self._depth -= 1
        if self._old is not None and self._depth == 0:
            signal.signal(signal.SIGINT, self._old)
            self._old = None


class TrainingInterrupted(KeyboardInterrupt):
    """Training stopped on Ctrl-C after finishing the chunks in flight; ``checkpoint`` is where
    the resumable model was saved (None when no checkpoint path was given)."""

    def __init__(self, checkpoint: str | os.PathLike | None, epoch: int, epochs: int) -> None:
        self.checkpoint = None if checkpoint is None else str(checkpoint)
        self.epoch = epoch
        self.epochs = epochs
        where = f"; checkpoint written to {self.checkpoint}" if checkpoint is not None else ""
        super().__init__(f"training interrupted in epoch {epoch + 1} of {epochs}{where}")


class _Run:
    """One training run: the schedule, the worker threads, progress and counters.

    ``state`` (a JSON-able dict kept on the model as ``pending_run``) is the run's position:
    epoch, jobs or sentences done in that epoch, words whose learning rate was assigned and the
    epoch's partial sums, so an interrupted run can be saved and resumed exactly."""

    def __init__(self, model: Word2Vec, kind: str, corpus: Any, state: dict, show: bool):
        self.model = model
        self.kind = kind
        self.corpus = corpus
        self.state = state
        vocab = model.vocab
        assert vocab is not None
        self.words_per_epoch = vocab.total_words
        self.total = max(1, state["epochs"] * self.words_per_epoch)
        self.tables = model._tables()
        self.cfg = model._cfg()
        self.weights = kernels.Weights(model.wv.vectors, model.syn1neg, model.syn1)
        if model._rng.shape[0] < model.workers:
            extra = [kernels.rng_state(model.seed, i) for i in range(model._rng.shape[0], model.workers)]
            model._rng = np.concatenate([model._rng, np.stack(extra)])
        self.hash = vocab.hash_table() if kind == "file" else None
        self.lock = threading.Lock()
        self.interrupt = _DeferredInterrupt()
        self.bar = None
        if show:
            from tqdm.auto import tqdm

            per_epoch = max(vocab.raw_word_count, 1)
            self.bar = tqdm(
                total=state["epochs"] * per_epoch,
                initial=min(state["epochs"] * per_epoch, state["epoch"] * per_epoch + int(state["partial"][2])),
                unit="w", unit_scale=True, desc="training", smoothing=0.1, dynamic_ncols=True,
            )

    def alpha_at(self, words: int) -> float:
        a0, a1 = self.state["alpha0"], self.state["alpha1"]
        return a0 - (a0 - a1) * min(1.0, words / self.total)

    def jobs(self, position: int):
        """(job, position after it) from ``position`` (blocks or sentences done) on."""
        if self.kind == "file":
            for i, block in enumerate(self.corpus.blocks(start_block=position)):
                yield ("text", block), position + i + 1
        else:
            for ids, offsets, raw, consumed in sentence_chunks(
                self.corpus, self.model.vocab.key_to_index, self.model.max_sentence_length, skip_sentences=position
            ):
                yield ("ids", ids, offsets, raw), position + consumed

    def encode(self, job):
        if job[0] == "text":
            table, word_bytes, word_offsets = self.hash
            return encode_text(
                np.frombuffer(job[1], dtype=np.uint8), table, word_bytes, word_offsets, self.model.max_sentence_length
            )
        return job[1], job[2], job[3]

    def reserve(self, n_words: int) -> tuple[float, float]:
        with self.lock:
            done = self.state["done"]
            self.state["done"] = done + n_words
        return self.alpha_at(done), self.alpha_at(done + n_words)

    def account(self, raw: int, words: int, trained: int) -> None:
        with self.lock:
            p = self.state["partial"]
            p[2] += raw
            p[3] += words
            p[4] += trained
            if self.bar is not None:
                self.bar.update(raw)

    def epoch(self) -> tuple[float, float]:
        """Train the rest of the current epoch; returns its (summed loss, examples)."""
        state = self.state
        if state["position"] == 0:
            state["done"] = state["epoch"] * self.words_per_epoch
            state["partial"] = [0.0] * 5
        try:
            with self.interrupt:
                self.interrupt.check()
                if self.model.softmax:
                    self._softmax_epoch()
                else:
                    self._threaded_epoch()
                self.interrupt.check()
        finally:
            p = state["partial"]
            self.words_epoch = int(p[3])
        loss, examples, raw, words, trained = state["partial"]
        totals = state["totals"]
        state["totals"] = [totals[0] + int(raw), totals[1] + int(words), totals[2] + int(trained)]
        if self.bar is not None:
            self.bar.set_postfix(
                loss=f"{loss / max(examples, 1):.4f}", epoch=f"{state['epoch'] + 1}/{state['epochs']}", refresh=False
            )
        return loss, examples

    def _threaded_epoch(self) -> None:
        model = self.model
        n = model.workers
        stats = np.zeros((n, kernels.N_STATS), dtype=np.float64)
        q: queue.Queue = queue.Queue(maxsize=2 * n)
        errors: list[BaseException] = []
        abort = threading.Event()

        def worker(i: int) -> None:
            rng = model._rng[i]
            try:
                while True:
                    job = q.get()
                    if job is None:
                        return
                    if abort.is_set():
                        continue
                    ids, offsets, raw = self.encode(job)
                    a0, a1 = self.reserve(len(ids))
                    before = stats[i, kernels.TRAINED_WORDS]
                    kernels.train_chunk(ids, offsets, self.weights, self.tables, self.cfg, a0, a1, rng, stats[i])
                    if not math.isfinite(stats[i, kernels.LOSS]):
                        abort.set()
                    self.account(raw, len(ids), int(stats[i, kernels.TRAINED_WORDS] - before))
            except BaseException as e:  # noqa: BLE001 - re-raised on the calling thread
                errors.append(e)
                abort.set()
                while q.get() is not None:
                    pass

        threads = [threading.Thread(target=worker, args=(i,), daemon=True, name=f"wordvec-{i}") for i in range(n)]
        for t in threads:
            t.start()
        position = self.state["position"]
        try:
            for job, after in self.jobs(position):
                if abort.is_set() or self.interrupt.flag.is_set():
                    break
                q.put(job)
                position = after
        finally:
            # On Ctrl-C the jobs already queued are still trained, so the run stops at a job boundary.
            for _ in threads:
                q.put(None)
            for t in threads:
                t.join()
            total = stats.sum(axis=0)
            p = self.state["partial"]
            p[0] += float(total[kernels.LOSS])
            p[1] += float(total[kernels.EXAMPLES])
            self.state["position"] = position
        if errors:
            raise errors[0]

    def _softmax_epoch(self) -> None:
        """Exact softmax in mini-batches (at most SOFTMAX_WINDOWS windows, SOFTMAX_STEP / alpha pairs)
        laid out as rows by ``kernels.softmax_rows``: logits = H U^T, then G U and G^T H as BLAS
        products (threaded, GIL released); the row-wise softmax, loss and G by
        ``kernels.softmax_gradient``, the batch's rows shared among ``workers`` threads."""
        from concurrent.futures import ThreadPoolExecutor

        model = self.model
        U = model.syn1_softmax
        w_in = model.wv.vectors
        V, d = U.shape
        B = SOFTMAX_WINDOWS
        H = np.empty((B, d), dtype=np.float32)
        P = np.empty((B, V), dtype=np.float32)
        dH = np.empty((B, d), dtype=np.float32)
        dU = np.empty((V, d), dtype=np.float32)
        row_max = np.empty(B, dtype=np.float32)
        in_off = np.empty(B + 1, dtype=np.int64)
        tg_off = np.empty(B + 1, dtype=np.int64)
        max_pairs = max(1, int(SOFTMAX_STEP / max(self.state["alpha0"], 1e-9)))
        inputs = np.empty(B * 2 * model.window, dtype=np.int32)
        targets = np.empty_like(inputs)
        sg = bool(model.sg)
        mean = bool(model.cbow_mean)
        rng = model._rng[0]
        p_ = self.state["partial"]
        n_threads = max(1, min(model.workers, B))

        def gradient(rows: tuple[int, int], p: np.ndarray, alpha: float) -> float:
            return kernels.softmax_gradient(p, row_max, tg_off, targets, rows[0], rows[1], alpha)

        # Overflow shows as a non-finite loss, reported by the caller as divergence.
        with ThreadPoolExecutor(n_threads, thread_name_prefix="wordvec-softmax") as pool, np.errstate(over="ignore", invalid="ignore"):
            for job, after in self.jobs(self.state["position"]):
                ids, offsets, raw = self.encode(job)
                centers, ctx_off, contexts = kernels.softmax_examples(ids, offsets, self.tables, self.cfg, rng)
                a0, a1 = self.reserve(len(ids))
                n = len(centers)
                loss = 0.0
                e1 = 0
                while e1 < n:
                    e0 = e1
                    e1 = int(np.searchsorted(ctx_off, ctx_off[e0] + max_pairs, side="right")) - 1
                    e1 = min(n, e0 + B, max(e1, e0 + 1))
                    alpha = a0 + (a1 - a0) * (e0 / max(n, 1))
                    r = kernels.softmax_rows(sg, centers, ctx_off, contexts, e0, e1, in_off, inputs, tg_off, targets)
                    h, p, dh = H[:r], P[:r], dH[:r]
                    kernels.gather_hidden(w_in, mean, in_off, inputs, r, h)
                    np.dot(h, U.T, out=p)  # logits (r, V)
                    np.max(p, axis=1, out=row_max[:r])
                    bounds = [r * t // n_threads for t in range(n_threads + 1)]
                    loss += sum(pool.map(gradient, zip(bounds[:-1], bounds[1:]), [p] * n_threads, [alpha] * n_threads))
                    np.dot(p, U, out=dh)  # (r, d)
                    np.dot(p.T, h, out=dU)  # (V, d)
                    U -= dU
                    kernels.scatter_hidden(w_in, in_off, inputs, r, dh)
                p_[0] += loss
                p_[1] += float(ctx_off[-1] if sg else n)
                self.account(raw, len(ids), n)
                self.state["position"] = after
                if not math.isfinite(loss) or self.interrupt.flag.is_set():
                    break

    def close(self) -> None:
        if self.bar is not None:
            self.bar.close()
            self.bar = None
