"""What the kernels are given: the run's configuration, read-only tables and trained weights.

Everything here is plain data (named tuples of ints and numpy arrays) so that numba can compile
the kernels for it; the kernels themselves live in the sibling modules.
"""
from __future__ import annotations

from typing import NamedTuple

import numpy as np

#: LLVM fast-math flags of the kernels: no nnan/ninf, so that divergence stays visible.
FASTMATH = {"reassoc", "contract", "arcp", "nsz"}
#: Sigmoid tables cover [-MAX_EXP, MAX_EXP] with TABLE_N intervals.
MAX_EXP = 8.0
TABLE_N = 1024
SCALE = TABLE_N / (2 * MAX_EXP)

# stats (float64 array) slots a kernel adds to
LOSS, EXAMPLES, TRAINED_WORDS = range(3)
N_STATS = 3


class KernelConfig(NamedTuple):
    """The integers that select what a kernel computes (numba compiles it for this tuple type)."""

    sg: int  # 1 skip-gram, 0 CBOW
    window: int  # largest window radius (dynamic windows shrink it)
    negative: int  # noise words per prediction (0: no negative sampling)
    hs: int  # 1: hierarchical softmax
    cbow_mean: int  # 1: CBOW averages its inputs, 0: sums them
    shared_negatives: int  # 1: skip-gram draws K noise words per window, 0: per (context, center) pair
    lookahead: int  # windows ahead whose rows are prefetched (0: none)
    shrink_windows: int = 1  # 1: radius drawn uniformly in [1, window] per position; 0: always window


class Tables(NamedTuple):
    """Read-only arrays of one training run (see text.vocab.Vocabulary for their meaning)."""

    keep: np.ndarray  # int64 (V,) subsampling thresholds out of 2**32
    alias_threshold: np.ndarray  # uint32 (V,)
    alias_index: np.ndarray  # int32 (V,)
    codes: np.ndarray  # uint8 (V, L)
    points: np.ndarray  # int32 (V, L)
    code_lengths: np.ndarray  # int32 (V,)
    sigmoid: np.ndarray  # float32 (TABLE_N + 2,)
    log_sigmoid: np.ndarray  # float32 (TABLE_N + 2,)
    lockf: np.ndarray = np.zeros(0, dtype=np.float32)  # float32 (R,) factor on each input row's updates, or (0,): all 1


class Weights(NamedTuple):
    """Trained matrices; an unused output matrix has 0 rows.

    ``w_in`` holds the input rows: one per word for word2vec, or (with bags) the rows the words'
    bags point into, e.g. a word's own row and its character n-gram rows."""

    w_in: np.ndarray  # float32 (R, d) input rows
    w_ns: np.ndarray  # float32 (V, d) negative-sampling output vectors
    w_hs: np.ndarray  # float32 (V, d) hierarchical-softmax inner-node vectors (rows 0..V-2; the last unused)


class Bags(NamedTuple):
    """The input rows of each word as CSR: word w's input vector is the mean of
    w_in[rows[offsets[w]:offsets[w + 1]]] and its gradient goes to every one of those rows
    (``gain`` says how far that moves the mean, so a kernel can follow it without re-reading).
    Plain word2vec passes ``None`` instead (the bag of one: row w), compiled separately so that
    it pays nothing for the indirection."""

    offsets: np.ndarray  # int64 (V + 1,)
    rows: np.ndarray  # int32 (offsets[-1],)
    #: float32 (V,): how much the mean of word w's bag moves when every row of the bag receives
    #: dx (times its lock factor): (1/n_w) sum over the bag's positions of the row's multiplicity
    #: in the bag times its lock factor; 1 for a bag of distinct unlocked rows. (0,): all 1.
    gain: np.ndarray = np.zeros(0, dtype=np.float32)


def sigmoid_tables() -> tuple[np.ndarray, np.ndarray]:
    """sigma and log sigma at x_k = -MAX_EXP + k / SCALE, k = 0 .. TABLE_N (+1 pad), float32."""
    x = -MAX_EXP + np.arange(TABLE_N + 2, dtype=np.float64) / SCALE
    sig = 1.0 / (1.0 + np.exp(-x))
    logsig = -np.logaddexp(0.0, -x)
    return sig.astype(np.float32), logsig.astype(np.float32)


def rng_state(seed: int, stream: int) -> np.ndarray:
    """Independent uint64[1] state for thread ``stream`` of a run seeded with ``seed``."""
    mix = np.random.SeedSequence([int(seed) & 0xFFFFFFFF, int(stream)]).generate_state(1, np.uint64)
    return mix.astype(np.uint64)


def job_rng_state(seed: int, epoch: int, position: int, shard: int = 0) -> np.uint64:
    """The random state a job starts from: a function of the model's ``seed``, the ``epoch``
    (counted over the model's life), the job's ``position`` in the epoch and the ``shard`` the
    job reads (the rank of a distributed run; 0 otherwise), so that what a job draws (window
    sizes, subsampling, noise words) does not depend on which worker thread happens to train it,
    a resumed run draws what the uninterrupted one would, and the ranks of a distributed run,
    whose shards count positions from 0 each, draw independently."""
    entropy = [int(seed) & 0xFFFFFFFF, int(epoch), int(position)] + ([int(shard)] if shard else [])
    return np.random.SeedSequence(entropy).generate_state(1, np.uint64)[0]
