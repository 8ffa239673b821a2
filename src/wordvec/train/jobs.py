"""Jobs: the units of work the driver hands to an engine, cut from a corpus.

A job source has ``jobs(position)``, yielding ``(job, position after it)`` from ``position``
(jobs of the epoch already done) on, and ``encode(job)``, run on a worker thread, turning a job
into a batch with ``units`` (what the learning-rate schedule counts: in-vocabulary words) and
``raw`` (what progress counts: tokens read). A source may yield :data:`SYNC` between jobs: the
driver then waits for the jobs in flight and calls its ``sync`` hook (distributed averaging).
"""
from __future__ import annotations

from pathlib import Path
from typing import Any, Iterable, Iterator, NamedTuple, Sequence

import numpy as np

from ..text.corpus import TextBlocks, check_reiterable, encode_text, sentence_chunks
from ..text.vocab import Vocabulary
from ..errors import ParameterError

#: Marker a job source yields where every rank must synchronise.
SYNC = ("sync",)

#: Readers a text file's blocks are taken from side by side (:meth:`.TextBlocks.interleaved`):
#: a plain file's runs start with a seek; a compressed file's are decompressed up to their start,
#: (k - 1) / 2 extra passes per epoch, so it is read by two.
STREAMS = 8
COMPRESSED_STREAMS = 2


class WordBatch(NamedTuple):
    """Sentences as token ids: ids int32 (n,), sentence j is ids[offsets[j]:offsets[j+1]]
    (offsets int64 (s+1,)); ``raw`` tokens were read to get them (unknown words dropped)."""

    ids: np.ndarray
    offsets: np.ndarray
    raw: int

    @property
    def units(self) -> int:
        return int(self.ids.shape[0])

    def head(self, units: int) -> "WordBatch":
        """The batch's first ``units`` tokens (0 < units <= self.units), the sentence they end in
        cut there; ``raw`` scaled alike."""
        keep = int(np.searchsorted(self.offsets, units, side="left"))
        offsets = self.offsets[: keep + 1].copy()
        offsets[-1] = units
        return WordBatch(self.ids[:units], offsets, int(round(self.raw * units / self.units)))


def open_corpus_source(sentences: Any, corpus_file: Any) -> TextBlocks | Iterable[Sequence[str]]:
    """The corpus given to a model as exactly one of ``sentences`` (a re-iterable of token
    lists) or ``corpus_file`` (a text file, plain or compressed; or a directory or list of them)."""
    if sentences is not None and corpus_file is not None:
        raise ParameterError("pass either sentences (corpus_iterable) or corpus_file, not both")
    if corpus_file is not None:
        return TextBlocks(corpus_file)
    if sentences is None:
        raise ParameterError("no corpus given: pass sentences (corpus_iterable) or corpus_file")
    check_reiterable(sentences)
    return sentences


class CorpusJobs:
    """The jobs of a corpus for a vocabulary: 256 KiB blocks of a text file (tokenized on the
    worker threads by the compiled hash-table lookup), taken from ``streams`` evenly spaced parts
    of the file in turn (at most :data:`COMPRESSED_STREAMS` for a compressed or decoded one), or
    chunks of about 50k words of a sentence iterable (encoded as they are read, in order). A
    position counts blocks or sentences. ``sentence_end`` (a word id, or -1 for none) is appended
    to every sentence (fastText's ``</s>``, see :func:`with_sentence_ends`)."""

    def __init__(self, corpus: TextBlocks | Iterable[Sequence[str]], vocab: Vocabulary, max_sentence_length: int,
                 sentence_end: int = -1, streams: int = STREAMS) -> None:
        self.corpus = corpus
        self.streams = max(1, int(streams))
        self.vocab = vocab
        self.max_sentence_length = max_sentence_length
        self.sentence_end = int(sentence_end)
        self.is_file = isinstance(corpus, TextBlocks)
        self.hash = vocab.hash_table() if self.is_file else None

    @property
    def path(self) -> Path | None:
        return self.corpus.path if self.is_file else None  # type: ignore[union-attr]

    def jobs(self, position: int) -> Iterator[tuple[Any, int]]:
        if self.is_file:
            streams = self.streams if self.corpus.verbatim else min(self.streams, COMPRESSED_STREAMS)  # type: ignore[union-attr]
            for i, block in enumerate(self.corpus.interleaved(streams, start_block=position)):  # type: ignore[union-attr]
                yield block, position + i + 1
        else:
            for ids, offsets, raw, consumed in sentence_chunks(
                self.corpus, self.vocab.key_to_index, self.max_sentence_length, skip_sentences=position  # type: ignore[arg-type]
            ):
                yield WordBatch(ids, offsets, raw), position + consumed

    def encode(self, job: Any) -> WordBatch:
        if isinstance(job, WordBatch):
            batch = job
        else:
            table, word_bytes, word_offsets = self.hash  # type: ignore[misc]
            ids, offsets, raw = encode_text(np.frombuffer(job, dtype=np.uint8), table, word_bytes, word_offsets,
                                            self.max_sentence_length)
            batch = WordBatch(ids, offsets, int(raw))
        if self.sentence_end < 0:
            return batch
        return WordBatch(*with_sentence_ends(batch.ids, batch.offsets, self.sentence_end), batch.raw)


def with_sentence_ends(ids: np.ndarray, offsets: np.ndarray, end: int) -> tuple[np.ndarray, np.ndarray]:
    """The sentences (ids int32, offsets int64: sentence j is ids[offsets[j]:offsets[j + 1]])
    with the word id ``end`` appended to each, as fastText reads a line end as its word ``</s>``:
    (ids int32 (n + s,), offsets int64 (s + 1,))."""
    out = np.insert(ids, offsets[1:], np.int32(end))
    return out, offsets + np.arange(offsets.shape[0], dtype=np.int64)
