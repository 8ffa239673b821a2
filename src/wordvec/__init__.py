"""wordvec: fast word2vec training and word-vector tools with a gensim-compatible API."""
from __future__ import annotations

__version__ = "0.1.0"

__all__ = [
    "Word2Vec", "KeyedVectors", "FastText", "FastTextKeyedVectors", "load_facebook_model", "load_facebook_vectors",
    "save_facebook_model",
    "Phrases", "FrozenPhrases", "ENGLISH_CONNECTOR_WORDS", "original_scorer", "npmi_scorer",
    "WordvecError", "__version__",
]
_PHRASES = ("Phrases", "FrozenPhrases", "ENGLISH_CONNECTOR_WORDS", "original_scorer", "npmi_scorer")

from .errors import WordvecError


def __getattr__(name: str):
    # Lazy so that `import wordvec` stays cheap (numba compiles on first use only).
    if name == "Word2Vec":
        from .models.word2vec import Word2Vec

        return Word2Vec
    if name == "KeyedVectors":
        from .vectors.keyedvectors import KeyedVectors

        return KeyedVectors
    if name in ("FastTextKeyedVectors", "load_facebook_vectors"):
        from .vectors import fasttext_keyedvectors

        return getattr(fasttext_keyedvectors, name)
    if name in ("FastText", "load_facebook_model", "save_facebook_model"):
        from .models import fasttext

        return getattr(fasttext, name)
    if name in _PHRASES:
        from .text import phrases

        return getattr(phrases, name)
    raise AttributeError(f"module 'wordvec' has no attribute {name!r}")
