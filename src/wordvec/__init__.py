"""wordvec: fast word2vec training and word-vector tools with a gensim-compatible API."""
from __future__ import annotations

import importlib

__version__ = "0.1.0"

from .errors import WordvecError

# Public name -> module that defines it. Imported on first use, so that `import wordvec` stays
# cheap (numba compiles on first use only).
_LAZY = {
    "Word2Vec": "wordvec.models.word2vec",
    "KeyedVectors": "wordvec.vectors.keyedvectors",
    "LineSentence": "wordvec.text.readers",
    "PathLineSentences": "wordvec.text.readers",
    "Text8Corpus": "wordvec.text.readers",
    "simple_preprocess": "wordvec.text.readers",
    "tokenize": "wordvec.text.readers",
    "simple_tokenize": "wordvec.text.readers",
    "deaccent": "wordvec.text.readers",
    "RULE_DEFAULT": "wordvec.text.vocab",
    "RULE_DISCARD": "wordvec.text.vocab",
    "RULE_KEEP": "wordvec.text.vocab",
    "FastText": "wordvec.models.fasttext",
    "load_facebook_model": "wordvec.models.fasttext",
    "save_facebook_model": "wordvec.models.fasttext",
    "FastTextKeyedVectors": "wordvec.vectors.fasttext_keyedvectors",
    "load_facebook_vectors": "wordvec.vectors.fasttext_keyedvectors",
    "GloVe": "wordvec.models.glove",
    "Phrases": "wordvec.text.phrases",
    "FrozenPhrases": "wordvec.text.phrases",
    "ENGLISH_CONNECTOR_WORDS": "wordvec.text.phrases",
    "original_scorer": "wordvec.text.phrases",
    "npmi_scorer": "wordvec.text.phrases",
}

__all__ = sorted([*_LAZY, "WordvecError", "__version__"])


def __getattr__(name: str):
    module = _LAZY.get(name)
    if module is None:
        raise AttributeError(f"module 'wordvec' has no attribute {name!r}")
    value = getattr(importlib.import_module(module), name)
    globals()[name] = value  # later lookups skip this function
    return value


def __dir__() -> list[str]:
    return list(__all__)
