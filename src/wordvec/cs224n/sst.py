"""The CS224N word-vectors experiment on the Stanford Sentiment Treebank sentences.

Assignment 2 of Stanford's CS224N trains 10-dimensional skip-gram vectors with negative sampling
(K = 10 noise words, unigram^0.75) on the SST sentences: SGD with step 0.3, halved every 20,000
iterations, for 40,000 iterations; each iteration averages the gradient of 50 random windows
(center word uniform within a uniformly drawn sentence, window size C uniform in 1..5, words
subsampled with keep probability sqrt(1e-5 / frequency)). It then plots 24 chosen words on the
first two principal axes of their (center) vectors.

Two ways to run it:

- :func:`run_fast` (the default): the same training signal through the compiled engine,
  ``Word2Vec(sg=1, negative=10, vector_size=10, window=5, min_count=1, sample=1e-5)``. The engine
  also draws a window size in 1..5 around every kept token, so the assignment's 50 x 40,000 =
  2,000,000 windows become :func:`equivalent_epochs` passes over the corpus (32 for SST: about
  63,400 tokens survive subsampling per pass), giving the same number of (center, context)
  pairs. The step size: the assignment's loss is the *mean* over a batch of 50 windows, so each
  (center, context) pair moves the vectors by 0.3 / 50 = 0.006 times its gradient for 20,000
  iterations and 0.003 after, 0.0045 on average. The engine updates pair by pair with a step
  decaying linearly from ``alpha`` to ~0; ``alpha`` = :data:`FAST_ALPHA` = 0.009 gives the same
  average (the same total step length). Negatives are drawn per pair (``shared_negatives=False``)
  as in the assignment. One worker thread by default, so that a seed gives the same vectors
  every time; it takes a few seconds. Where the engine follows word2vec.c rather than the
  assignment: every kept token is a center once per pass (the assignment draws a sentence
  first, so words of short sentences are centers more often); the keep probability is
  sqrt(t/f) + t/f rather than sqrt(t/f); each context word's input vector predicts the center
  word (the assignment's center vector predicts each context word, the same pairs reversed).
- :func:`run_reference`: the assignment's algorithm itself with :mod:`wordvec.reference`
  (:func:`~wordvec.reference.sgd`, :func:`~wordvec.reference.skipgram`, negative sampling) and
  its data pipeline (:class:`CS224NWindows`). Pure numpy at about 4 iterations per second, so
  40,000 iterations take close to 3 hours; ``iterations`` shortens it (the step still halves
  every 20,000 iterations).

Both write ``word_vectors.txt`` (word2vec text format, the center/input vectors) and
``word_vectors.png`` (the PCA plot) into the output folder.
"""
from __future__ import annotations

import math
import os
import time
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Sequence

import numpy as np

from ..errors import ParameterError
from ..validation import check_int
from ..resources import sst_sentences

__all__ = [
    "PLOT_WORDS",
    "FAST_ALPHA",
    "SSTResult",
    "CS224NWindows",
    "equivalent_epochs",
    "output_dir",
    "run_fast",
    "run_reference",
    "run_sst",
]

#: The words CS224N's run.py plots.
PLOT_WORDS = (
    "great", "cool", "brilliant", "wonderful", "well", "amazing", "worth", "sweet", "enjoyable",
    "boring", "bad", "dumb", "annoying", "female", "male", "queen", "king", "man", "woman",
    "rain", "snow", "hail", "coffee", "tea",
)

DIM = 10
WINDOW = 5
NEGATIVES = 10
STEP = 0.3
ANNEAL_EVERY = 20_000
ITERATIONS = 40_000
BATCH = 50
SAMPLE = 1e-5
#: Linear-decay start step of the fast path: twice the assignment's mean per-pair step,
#: (0.3 / 50) * (1 + 0.5) / 2 = 0.0045, so that both take the same total step length.
FAST_ALPHA = 0.009

VECTORS_FILE = "word_vectors.txt"
PLOT_FILE = "word_vectors.png"


@dataclass
class SSTResult:
    """What a run produced: file paths, training figures, and the 2-D coordinates of the plot."""

    vectors_path: Path
    plot_path: Path
    method: str
    seconds: float
    windows: int
    final_loss: float
    coords: np.ndarray = field(repr=False)
    details: dict[str, Any] = field(default_factory=dict)

    def summary(self) -> str:
        """One line for people."""
        return (
            f"SST word vectors ({self.method}): {self.windows:,} windows in {self.seconds:.1f} s, "
            f"final loss {self.final_loss:.4f}; vectors -> {self.vectors_path}, plot -> {self.plot_path}"
        )


def output_dir(path: str | os.PathLike) -> Path:
    """Create the folder ``path`` (and its parents) unless it exists; error if it is a file."""
    out = Path(path)
    if out.exists() and not out.is_dir():
        raise ParameterError(f"output folder '{out}' exists and is not a folder")
    out.mkdir(parents=True, exist_ok=True)
    return out


def equivalent_epochs(sentences: Sequence[Sequence[str]], windows: int, sample: float = SAMPLE) -> int:
    """Passes over ``sentences`` in which the engine trains about ``windows`` windows (>= 1).

    A pass trains one window per token kept by subsampling, so the result is
    round(windows / E[kept tokens per pass]), with E[kept] = sum_w count_w p_keep(w) and
    p_keep the engine's (word2vec.c's) keep probability for ``sample``, every word in the
    vocabulary (min_count 1).
    """
    from ..text.vocab import Vocabulary

    vocab = Vocabulary.from_counts(Counter(w for s in sentences for w in s), min_count=1)
    if len(vocab) == 0:
        raise ParameterError("equivalent_epochs: the corpus is empty")
    kept = float(np.sum(vocab.counts * (vocab.keep_thresholds(sample) / 2.0**32)))
    return max(1, round(windows / kept))


def _plot(kv: Any, out: Path, title: str) -> tuple[Path, np.ndarray]:
    from ..plots.figures import plot_words
    from ..plots.projection import pca_2d

    path = out / PLOT_FILE
    plot_words(kv, PLOT_WORDS, path, method="pca", title=title)
    return path, pca_2d(kv[PLOT_WORDS])


def run_fast(
    out_dir: str | os.PathLike,
    iterations: int = ITERATIONS,
    alpha: float = FAST_ALPHA,
    seed: int = 1,
    workers: int | None = 1,
    progress: bool = False,
) -> SSTResult:
    """Train the assignment's vectors with the compiled engine (see the module docstring) and plot them.

    ``iterations`` x 50 windows set the number of epochs (:func:`equivalent_epochs`). With one
    worker thread (the default; about 6 s) a seed always gives the same vectors; more threads
    are faster but their updates interleave differently from run to run.
    """
    from ..models.word2vec import Word2Vec

    iterations = check_int("iterations", iterations, 1)
    sentences = sst_sentences()
    epochs = equivalent_epochs(sentences, iterations * BATCH)
    model = Word2Vec(  # validates every parameter before the output folder is created
        sg=1, hs=0, negative=NEGATIVES, vector_size=DIM, window=WINDOW, min_count=1,
        sample=SAMPLE, alpha=alpha, epochs=epochs, seed=seed, workers=workers, shared_negatives=False,
        progress=progress,
    )
    out = output_dir(out_dir)
    t0 = time.perf_counter()
    model.build_vocab(sentences)
    model.train(sentences, total_examples=model.corpus_count, epochs=epochs)
    seconds = time.perf_counter() - t0
    vectors_path = out / VECTORS_FILE
    model.wv.save_word2vec_format(vectors_path)
    summary = model.training_summary
    plot_path, coords = _plot(
        model.wv, out, f"SST skip-gram, d={DIM}, K={NEGATIVES}: {summary['trained_words']:,} windows (fast engine)"
    )
    return SSTResult(
        vectors_path=vectors_path, plot_path=plot_path, method="fast engine", seconds=seconds,
        windows=int(summary["trained_words"]), final_loss=float(summary["final_loss"]), coords=coords,
        details={"epochs": epochs, "alpha": alpha, "loss_history": list(model.loss_history), **summary},
    )


class CS224NWindows:
    """CS224N's ``StanfordSentiment`` data pipeline over tokenized sentences.

    Words are indexed in order of first appearance; a token of a word with frequency
    f = count / total is kept with probability min(1, sqrt(1e-5 / f)). A window is drawn as in
    ``getRandomContext(C)``: a uniformly random sentence, subsampled, redrawn while it has fewer
    than 2 tokens (the assignment precomputes 30 subsampled copies of the corpus and drops such
    sentences; drawing fresh copies on demand gives the same distribution without the memory);
    then a uniform center position, the up to C tokens on each side, minus copies of the center
    word, the whole draw repeated while that context is empty. Randomness: numpy's global state.
    """

    def __init__(self, sentences: Sequence[Sequence[str]], sample: float = SAMPLE) -> None:
        word2ind: dict[str, int] = {}
        encoded = []
        for s in sentences:
            ids = [word2ind.setdefault(w, len(word2ind)) for w in s]
            if ids:
                encoded.append(np.asarray(ids, dtype=np.int64))
        if not encoded:
            raise ParameterError("CS224NWindows: the corpus is empty")
        self.word2ind = word2ind
        self.words = list(word2ind)
        self.counts = np.bincount(np.concatenate(encoded), minlength=len(word2ind)).astype(np.int64)
        freq = self.counts / self.counts.sum()
        #: Probability of keeping each word's tokens, (V,) float64.
        self.keep_prob = np.minimum(1.0, np.sqrt(sample / freq))
        self._sentences = encoded

    def _sentence(self) -> np.ndarray:
        while True:
            s = self._sentences[np.random.randint(len(self._sentences))]
            kept = s[np.random.random_sample(s.size) < self.keep_prob[s]]
            if kept.size > 1:
                return kept

    def random_context(self, C: int) -> tuple[str, list[str]]:
        """(center word, context words) of one random window of size ``C``."""
        while True:
            sent = self._sentence()
            i = np.random.randint(sent.size)
            center = sent[i]
            context = np.concatenate([sent[max(0, i - C):i], sent[i + 1:i + C + 1]])
            context = context[context != center]
            if context.size:
                return self.words[center], [self.words[j] for j in context]


def run_reference(
    out_dir: str | os.PathLike,
    iterations: int = ITERATIONS,
    seed: int = 31415,
    progress: bool = False,
) -> SSTResult:
    """Run the assignment's own algorithm (see the module docstring) and plot the center vectors.

    Initialisation as in CS224N: center vectors uniform in [-0.5, 0.5) / d, outside vectors 0.
    The run is seeded with ``seed`` through numpy's global random state, which is restored after.
    """
    from ..vectors.keyedvectors import KeyedVectors
    from .reference import NegativeSampler, bind_negative_sampler, sgd, skipgram

    iterations = check_int("iterations", iterations, 1)
    seed = check_int("seed", seed, 0, 2**32 - 1)  # numpy's global generator
    out = output_dir(out_dir)
    data = CS224NWindows(sst_sentences())
    V = len(data.words)
    loss_fn = bind_negative_sampler(NegativeSampler(data.counts, power=0.75), NEGATIVES)
    bar = None
    if progress:
        from tqdm.auto import tqdm

        bar = tqdm(total=iterations, unit="it", desc="reference sgd")
    ema = [math.nan]  # the loss's moving average, as sgd prints it

    def batch_loss(x: np.ndarray) -> tuple[float, np.ndarray]:
        """Mean skip-gram loss of BATCH random windows and its gradient w.r.t. x = [C; U], (2V, d)."""
        loss = 0.0
        grad = np.zeros_like(x)
        centers, outside = x[:V], x[V:]
        for _ in range(BATCH):
            c = np.random.randint(1, WINDOW + 1)
            center, context = data.random_context(c)
            j, g_c, g_u = skipgram(center, c, context, data.word2ind, centers, outside, loss_fn)
            loss += j / BATCH
            grad[:V] += g_c / BATCH
            grad[V:] += g_u / BATCH
        ema[0] = loss if math.isnan(ema[0]) else 0.95 * ema[0] + 0.05 * loss
        if bar is not None:
            bar.update(1)
            bar.set_postfix(loss=f"{ema[0]:.4f}")
        return loss, grad

    state = np.random.get_state()
    t0 = time.perf_counter()
    try:
        np.random.seed(seed)
        x0 = np.concatenate([(np.random.rand(V, DIM) - 0.5) / DIM, np.zeros((V, DIM))])
        x = sgd(batch_loss, x0, STEP, iterations, anneal_every=ANNEAL_EVERY, print_every=None)
    finally:
        np.random.set_state(state)
        if bar is not None:
            bar.close()
    seconds = time.perf_counter() - t0
    kv = KeyedVectors.from_vectors(data.words, x[:V], counts=data.counts)
    vectors_path = out / VECTORS_FILE
    kv.save_word2vec_format(vectors_path)
    plot_path, coords = _plot(
        kv, out, f"SST skip-gram, d={DIM}, K={NEGATIVES}: {iterations:,} SGD iterations (reference)"
    )
    return SSTResult(
        vectors_path=vectors_path, plot_path=plot_path, method="reference", seconds=seconds,
        windows=iterations * BATCH, final_loss=ema[0], coords=coords,
        details={"iterations": iterations, "step": STEP, "anneal_every": ANNEAL_EVERY},
    )


def run_sst(
    out_dir: str | os.PathLike,
    reference: bool = False,
    iterations: int = ITERATIONS,
    seed: int | None = None,
    progress: bool = False,
    **kwargs: Any,
) -> SSTResult:
    """:func:`run_reference` if ``reference`` else :func:`run_fast`, with their default seeds unless given."""
    if seed is not None:
        kwargs["seed"] = seed
    if reference:
        return run_reference(out_dir, iterations=iterations, progress=progress, **kwargs)
    return run_fast(out_dir, iterations=iterations, progress=progress, **kwargs)
