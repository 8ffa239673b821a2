"""Compiled training kernels (numba): arrays and plain numbers in, arrays mutated in place.

- :mod:`.config`: the configuration tuple, tables, weights and bags the kernels are given;
- :mod:`.primitives`: inline helpers (random numbers, sigmoid tables, BLAS-1 loops, windows);
- :mod:`.outputs`: the output side (negative sampling, hierarchical softmax);
- :mod:`.inputs`: the input side over bags of rows (plain word2vec is the bag of one);
- :mod:`.chunk`: the word2vec kernel over one chunk of sentences;
- :mod:`.subwords`: fastText's skip-gram over bags (the center's bag predicts its context);
- :mod:`.context_bags`: fastText's CBOW over bags, each context position's bag read once;
- :mod:`.softmax`: the pieces of the exact softmax between BLAS products;
- :mod:`.glove`: GloVe's AdaGrad steps over co-occurrence entries.
"""
from .chunk import train_chunk
from .config import (
    EXAMPLES,
    LOSS,
    MAX_EXP,
    N_STATS,
    TRAINED_WORDS,
    Bags,
    KernelConfig,
    Tables,
    Weights,
    job_rng_state,
    rng_state,
    sigmoid_tables,
)
from .context_bags import train_chunk_context_bags
from .outputs import draw_negatives, hierarchical_softmax, negative_sampling, update_outputs
from .subwords import train_chunk_center_bags
from .softmax import batch_end, gather_hidden, scatter_hidden, softmax_examples, softmax_gradient, softmax_rows

__all__ = [
    "EXAMPLES", "LOSS", "MAX_EXP", "N_STATS", "TRAINED_WORDS", "Bags", "KernelConfig", "Tables", "Weights",
    "batch_end", "draw_negatives", "job_rng_state", "gather_hidden", "hierarchical_softmax", "negative_sampling", "rng_state", "scatter_hidden",
    "sigmoid_tables", "softmax_examples", "softmax_gradient", "softmax_rows", "train_chunk", "train_chunk_center_bags",
    "train_chunk_context_bags",
    "update_outputs",
]
