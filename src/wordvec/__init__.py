"""wordvec: fast word2vec training and word-vector tools with a gensim-compatible API."""
from __future__ import annotations

__version__ = "0.1.0"

__all__ = ["Word2Vec", "GloVe", "KeyedVectors", "WordvecError", "__version__"]

from .errors import WordvecError


def __getattr__(name: str):
    # Lazy so that `import wordvec` stays cheap (numba compiles on first use only).
    if name == "Word2Vec":
        from .models.word2vec import Word2Vec

        return Word2Vec
    if name == "GloVe":
        from .models.glove import GloVe

        return GloVe
    if name == "KeyedVectors":
        from .vectors.keyedvectors import KeyedVectors

        return KeyedVectors
    raise AttributeError(f"module 'wordvec' has no attribute {name!r}")
