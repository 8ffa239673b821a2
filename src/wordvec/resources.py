"""Data bundled with the package: the SST sentences (the default corpus) and the evaluation sets.

The SST sentences come from the Stanford Sentiment Treebank (Socher et al., EMNLP 2013),
``datasetSentences.txt``, with the mis-encoded characters repaired (latin-1 -> UTF-8) and
lowercased, one sentence per line, in the dataset's order (line i is sentence index i + 1).
"""
from __future__ import annotations

import gzip
from importlib import resources
from pathlib import Path

_DATA = "data"

SST_SENTENCES = "sst_sentences.txt.gz"
QUESTIONS_WORDS = "questions-words.txt.gz"
WORDSIM353 = "wordsim353.tsv"
SIMLEX999 = "simlex999.txt"


def datapath(name: str) -> Path:
    """Filesystem path of a bundled data file (the package is installed as plain files)."""
    p = resources.files("wordvec").joinpath(_DATA, name)
    path = Path(str(p))
    if not path.is_file():
        raise FileNotFoundError(f"bundled data file {name!r} is missing from the wordvec package")
    return path


def default_corpus_path() -> Path:
    """The bundled default corpus: SST sentences, gzip-compressed, one sentence per line."""
    return datapath(SST_SENTENCES)


def sst_sentences() -> list[list[str]]:
    """The 11,855 SST sentences as lowercased token lists (227,245 tokens)."""
    with gzip.open(datapath(SST_SENTENCES), "rt", encoding="utf-8") as f:
        return [line.split() for line in f]
