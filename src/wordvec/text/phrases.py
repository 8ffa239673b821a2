"""Phrase detection: multi-word expressions ("new_york", "bank_of_america") joined into single
tokens, with gensim 4's ``Phrases`` / ``FrozenPhrases`` API and results, counted and applied by
compiled code.

A bigram ``a b`` (or ``a c1 .. ck b`` with connector words ``c1 .. ck``) is scored from the
counts of ``a``, ``b`` and the bigram (word2vec.c's formula by default, or NPMI) and joined into
``a_b`` when its score is above ``threshold``. Counting follows gensim exactly: one table holds
unigrams and delimiter-joined bigrams; whenever it holds more than ``max_vocab_size`` keys after a
sentence, the keys counted fewer than ``min_reduce`` times are dropped and ``min_reduce`` grows.
Applying phrases follows gensim's ``analyze_sentence`` (greedy, left to right). Several passes
make longer phrases (a second pass joins ``new_york`` and ``city``).

Text files (plain, .gz or .bz2) are read with the corpus tokenizer: tokens are runs of bytes other
than ASCII whitespace, a sentence is a line, cut every 10,000 tokens (gensim's ``LineSentence``).
Token lists from Python are taken as given. Saved models are a ``.npz`` archive of a JSON header
and NumPy arrays, read with ``allow_pickle=False``: loading never runs code from the file.
"""
from __future__ import annotations

import inspect
import itertools
import logging
import os
import time
from typing import Any, Callable, Iterable, Iterator, Sequence

import numpy as np

from ..errors import CorpusError, ModelFileError, ParameterError
from ..formats.atomic import atomic_write_compressed
from ..formats.phrases import read_phrases_model, write_phrases_model
from ..pool import WorkerPool, iterate_ahead
from ..validation import check_float, check_int
from . import bigramcount
from .bigramcount import DONE, GROW, IdCounts, KeyStrings, count_ids, export_table, key_count, to_table
from .corpus import TextBlocks
from .phrasetable import (
    FROZEN, NPMI, OPEN, ORIGINAL, KeyTable, all_distinct, count_bigrams, export_scores, join_phrases,
    merge_counts, npmi_scorer, original_scorer, part_filter, phrase_candidates, prune, tokenize, write_lines,
)

__all__ = [
    "ENGLISH_CONNECTOR_WORDS", "FrozenPhrases", "Phraser", "Phrases", "learn_phrases", "npmi_scorer",
    "original_scorer", "write_phrased",
]

logger = logging.getLogger(__name__)

#: Words that may sit inside a phrase but never start or end one (gensim's English set):
#: articles, common prepositions and conjunctions, so that "bank_of_america" can form.
ENGLISH_CONNECTOR_WORDS = frozenset(
    "a an the for of with without at from to in on by and or".split()
)

#: Sentences of a text file are cut every this many tokens (gensim's LineSentence default).
MAX_SENTENCE_LENGTH = 10000

_SCORER_PARAMS = ("worda_count", "wordb_count", "bigram_count", "len_vocab", "min_count", "corpus_word_count")
_BATCH_WORDS = 100_000

# A token stream: (src uint8, starts int64, ends int64, sent int64), see phrasetable.py.
Stream = tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]

_NO_FILTER = np.zeros(0, dtype=np.uint64)  # join_phrases looks every candidate up


# ----------------------------------------------------------------------------------- token streams

def _text_streams(corpus_file: str | os.PathLike) -> Iterator[Stream]:
    """Token streams of the complete sentences of a text file, block by block; a sentence left open
    at the end of a block (a long line) is carried into the next one."""
    carry = b""
    blocks = TextBlocks(corpus_file)
    for block in blocks:
        buf = carry + block if carry else block
        src = np.frombuffer(buf, dtype=np.uint8)
        starts, ends, sent, last = tokenize(src, MAX_SENTENCE_LENGTH)
        carry = b""
        if last == OPEN:
            carry = buf[starts[sent[-2]] :]
            sent = sent[:-1]
        yield src, starts, ends, sent
    if carry:
        src = np.frombuffer(carry, dtype=np.uint8)
        starts, ends, sent, _ = tokenize(src, MAX_SENTENCE_LENGTH)
        yield src, starts, ends, sent
    if blocks.invalid_bytes:
        logger.warning("%s: invalid UTF-8 read as U+FFFD (%d bytes)", os.fspath(corpus_file), blocks.invalid_bytes)


def _batches(sentences: Iterable[Sequence[str]], batch_words: int = _BATCH_WORDS) -> Iterator[list[list[str]]]:
    """Lists of sentences of about ``batch_words`` tokens."""
    batch: list[list[str]] = []
    n = 0
    for sentence in sentences:
        if isinstance(sentence, (str, bytes)):
            raise CorpusError(
                "sentences must be an iterable of token lists, got an iterable of strings "
                "(split each sentence into words first)"
            )
        if not isinstance(sentence, list):
            sentence = list(sentence)
        batch.append(sentence)
        n += len(sentence)
        if n >= batch_words:
            yield batch
            batch, n = [], 0
    if batch:
        yield batch


def _encode(batch: list[list[str]]) -> tuple[Stream, list[str]]:
    """The token stream of a batch of token lists, and the tokens in order. No Python per token:
    the tokens are joined and encoded at once; their byte offsets follow from their lengths in
    characters (and, for non-ASCII text, the UTF-8 length of each character)."""
    flat = list(itertools.chain.from_iterable(batch))
    try:
        joined = "".join(flat)
    except TypeError:
        bad = next(t for t in flat if not isinstance(t, str))
        raise CorpusError(f"sentences must hold string tokens, got {type(bad).__name__} {bad!r}") from None
    src = np.frombuffer(joined.encode("utf-8", "surrogatepass"), dtype=np.uint8)
    chars = np.zeros(len(flat) + 1, dtype=np.int64)
    np.cumsum(np.fromiter(map(len, flat), dtype=np.int64, count=len(flat)), out=chars[1:])
    if src.shape[0] == len(joined):
        bounds = chars
    else:
        cp = np.frombuffer(joined.encode("utf-32-le", "surrogatepass"), dtype=np.uint32)
        width = 1 + (cp >= 0x80).astype(np.int64) + (cp >= 0x800) + (cp >= 0x10000)
        byte_at = np.zeros(len(joined) + 1, dtype=np.int64)
        np.cumsum(width, out=byte_at[1:])
        bounds = byte_at[chars]
    sent = np.zeros(len(batch) + 1, dtype=np.int64)
    np.cumsum(np.fromiter(map(len, batch), dtype=np.int64, count=len(batch)), out=sent[1:])
    return (src, bounds[:-1], bounds[1:], sent), flat


def _is_single(obj: Any) -> tuple[bool, Any]:
    """(whether ``obj`` is one sentence rather than a corpus, an iterable yielding what ``obj``
    yields): a sentence is an iterable whose first item is a string, or an empty one (gensim's rule)."""
    it = iter(obj)
    try:
        peek = next(it)
    except StopIteration:
        return True, obj
    chained = itertools.chain([peek], it)
    if isinstance(peek, str):
        return True, chained
    return False, chained if it is obj else obj


def _key_table(words: Iterable[str]) -> KeyTable:
    keys = sorted(set(words))
    data = [w.encode("utf-8", "surrogatepass") for w in keys]
    offsets = np.zeros(len(data) + 1, dtype=np.int64)
    np.cumsum([len(d) for d in data], out=offsets[1:])
    return KeyTable.from_arrays(np.frombuffer(b"".join(data), dtype=np.uint8), offsets, np.zeros(len(data), np.int64))


# ----------------------------------------------------------------------------------- the models

class _Phrasing:
    """What Phrases and FrozenPhrases share: applying the phrases to sentences, corpora and files."""

    delimiter: str
    threshold: float
    min_count: float
    connector_words: frozenset[str]
    scoring: Any

    def _init_common(self, delimiter: str, connector_words: Iterable[str]) -> None:
        if not isinstance(delimiter, str) or not delimiter:
            raise ParameterError(f"delimiter must be a non-empty string, got {delimiter!r}", "delimiter")
        if isinstance(connector_words, str):
            raise ParameterError("connector_words must be a set of words, got a string", "connector_words")
        self.delimiter = delimiter
        self.connector_words = frozenset(connector_words)
        self._connector_cache: tuple[frozenset[str], tuple] | None = None

    # -- the compiled pieces ---------------------------------------------------------------------
    def _connectors(self) -> tuple:
        cached = self._connector_cache
        if cached is None or cached[0] is not self.connector_words:
            table = _key_table(self.connector_words)
            cached = (self.connector_words, (table.slots, table.key_bytes, table.offsets, table.n))
            self._connector_cache = cached
        return cached[1]

    def _delim(self) -> np.ndarray:
        return np.frombuffer(self.delimiter.encode("utf-8", "surrogatepass"), dtype=np.uint8)

    def _scoring_state(self) -> tuple[int, KeyTable, int, float]:
        """(mode, table, len_vocab, corpus_word_count) for the kernels."""
        raise NotImplementedError

    def _part_filter(self) -> np.ndarray:
        """join_phrases's bit set of the (first, last) tokens of the phrases, or an empty one."""
        return _NO_FILTER

    def _join(self, stream: Stream) -> tuple[np.ndarray, np.ndarray, np.ndarray, KeyTable]:
        """join_phrases over a token stream: (out, scores, out_sent, the table phrase keys index)."""
        src, starts, ends, sent = stream
        mode, table, n_keys, words = self._scoring_state()
        scratch = np.empty(src.shape[0] + self._delim().shape[0] * starts.shape[0] + 1, dtype=np.uint8)
        out, scores, out_sent = join_phrases(
            src, starts, ends, sent, self._connectors(), self._delim(), scratch, mode, table.slots,
            table.key_bytes, table.offsets, table.values, n_keys, float(self.min_count), float(self.threshold),
            words, self._part_filter(),
        )
        return out, scores, out_sent, table

    # -- sentences -------------------------------------------------------------------------------
    def analyze_sentence(self, sentence: Iterable[str]) -> Iterator[tuple[str, float | None]]:
        """Yield ``(token, None)`` for each token left alone and ``(phrase, score)`` for each phrase."""
        for batch in _batches([sentence]):
            for tokens, scores in self._analyze_batch(batch):
                yield from zip(tokens, scores)

    def _analyze_batch(self, batch: list[list[str]]) -> list[tuple[list[str], list[float | None]]]:
        """(tokens, scores) of each sentence of ``batch``: score None for the tokens left alone."""
        if self._python_scorer():
            return [_analyze_python(self, s) for s in batch]
        stream, flat = _encode(batch)
        out, scores, out_sent, table = self._join(stream)
        items = self._output_tokens(out, flat, table, None).tolist()
        sc = [None if s != s else s for s in scores.tolist()]
        b = out_sent.tolist()
        return [(items[b[j] : b[j + 1]], sc[b[j] : b[j + 1]]) for j in range(len(batch))]

    def _apply_batch(self, batch: list[list[str]], cache: dict[int, str] | None = None) -> list[list[str]]:
        """The sentences of ``batch`` with their phrases joined."""
        if self._python_scorer():
            return [tokens for tokens, _ in self._analyze_batch(batch)]
        stream, flat = _encode(batch)
        out, _, out_sent, table = self._join(stream)
        if out.shape[0] == len(flat) and (out.shape[0] == 0 or out.min() >= 0):
            return [list(s) for s in batch]
        items = self._output_tokens(out, flat, table, cache).tolist()
        bounds = out_sent.tolist()
        return [items[bounds[j] : bounds[j + 1]] for j in range(len(batch))]

    def _output_tokens(self, out: np.ndarray, flat: list[str], table: KeyTable, cache: dict[int, str] | None):
        """Object array of the output tokens: the input strings themselves, and each distinct phrase
        decoded once."""
        phrase = out < 0
        ids, inverse = np.unique(-1 - out[phrase], return_inverse=True)
        if cache is None:
            cache = {}
        names = []
        for i in ids.tolist():
            name = cache.get(i)
            if name is None:
                name = cache[i] = table.key(i)
            names.append(name)
        items = np.empty(len(flat) + len(names), dtype=object)
        items[: len(flat)] = flat
        items[len(flat) :] = names
        index = out.copy()
        index[phrase] = len(flat) + inverse.reshape(-1)
        return items[index]

    def _python_scorer(self) -> bool:
        return False

    def __getitem__(self, sentence: Any) -> Any:
        """One sentence (a list of str) with its phrases joined, or, for a corpus (an iterable of
        sentences), a lazy re-iterable stream of such sentences (re-iterable when the corpus is)."""
        single, obj = _is_single(sentence)
        if not single:
            return PhrasedCorpus(self, obj)
        return self._apply_batch([list(obj)])[0]

    def find_phrases(self, sentences: Iterable[Sequence[str]] | None = None, corpus_file: str | os.PathLike | None = None) -> dict[str, float]:
        """The distinct phrases that applying the model to a corpus forms, with their scores (the
        score of the last occurrence, in order of first occurrence, as gensim)."""
        result: dict[str, float] = {}
        if self._python_scorer():
            for batch in _batches(_sentences(sentences, corpus_file)):
                for tokens, scores in self._analyze_batch(batch):
                    result.update((t, s) for t, s in zip(tokens, scores) if s is not None)
            return result
        streams = _text_streams(corpus_file) if corpus_file is not None else (
            _encode(b)[0] for b in _batches(_require(sentences)))
        cache: dict[int, str] = {}
        for stream in streams:
            out, scores, _, table = self._join(stream)
            phrase = out < 0
            ids = (-1 - out[phrase]).tolist()
            for i in set(ids) - cache.keys():
                cache[i] = table.key(i)
            result.update(zip(map(cache.__getitem__, ids), scores[phrase].tolist()))
        return result

    def transform_file(self, corpus_file: str | os.PathLike, output: str | os.PathLike) -> dict[str, int]:
        """Write ``corpus_file`` with its phrases joined to ``output``; see :func:`write_phrased`."""
        return write_phrased([self], corpus_file, output)

    # -- save / load -----------------------------------------------------------------------------
    def _header(self) -> dict[str, Any]:
        raise NotImplementedError

    def save(self, path: str | os.PathLike) -> None:
        """Write the model to ``path`` (a ``.npz`` archive: a JSON header and the key table's arrays),
        atomically. A custom scoring function is recorded by name only: pass it again to :meth:`load`."""
        table = self._stored_table()
        write_phrases_model(path, self._header(), table.key_bytes[: table.used_bytes], table.offsets[: table.n + 1],
                            table.values[: table.n])

    def _stored_table(self) -> KeyTable:
        raise NotImplementedError

    @classmethod
    def load(cls, path: str | os.PathLike, scoring: Callable | None = None) -> "Phrases | FrozenPhrases":
        """Read a model written by :meth:`save` (a Phrases or a FrozenPhrases, whichever was saved).

        ``scoring`` is needed for a Phrases saved with a custom scoring function (functions are not
        stored: loading never runs code from the file)."""
        name = os.fspath(path)
        header, key_bytes, offsets, values = read_phrases_model(name)
        kind = header["kind"]
        table = KeyTable.from_arrays(key_bytes, offsets, values)
        if not _distinct_keys(table):
            raise ModelFileError(f"{name}: not a valid phrases model: duplicate keys")
        model: Phrases | FrozenPhrases
        if kind == "FrozenPhrases":
            model = FrozenPhrases.__new__(FrozenPhrases)
            model._init_common(header["delimiter"], header["connector_words"])
            model.phrasegrams_table = table
            model.scoring = _scorer_from_header(name, header["scoring"], scoring, required=False)
        else:
            model = Phrases.__new__(Phrases)
            model._init_common(header["delimiter"], header["connector_words"])
            model.scoring = _scorer_from_header(name, header["scoring"], scoring, required=True)
            model.table = table
            model.max_vocab_size = header["max_vocab_size"]
            model.progress_per = header["progress_per"]
            model.corpus_word_count = header["corpus_word_count"]
            model.min_reduce = header["min_reduce"]
        model.min_count = header["min_count"]
        model.threshold = header["threshold"]
        return model


def _require(sentences: Any) -> Any:
    if sentences is None:
        raise ParameterError("give sentences or corpus_file")
    if isinstance(sentences, (str, bytes, os.PathLike)):
        raise CorpusError("sentences must be an iterable of token lists; for a file, pass corpus_file=")
    return sentences


def _sentences(sentences: Any, corpus_file: str | os.PathLike | None) -> Iterable[list[str]]:
    """Token lists from either source (the slow path for custom scorers)."""
    if corpus_file is None:
        return _require(sentences)

    def read() -> Iterator[list[str]]:
        for src, starts, ends, sent in _text_streams(corpus_file):
            text = src.tobytes()
            s, e = starts.tolist(), ends.tolist()
            for j in range(sent.shape[0] - 1):
                yield [text[s[i] : e[i]].decode("utf-8") for i in range(sent[j], sent[j + 1])]
    return read()


class PhrasedCorpus:
    """A corpus with its phrases joined, produced lazily in batches (``phrases[corpus]``)."""

    def __init__(self, model: _Phrasing, corpus: Iterable[Sequence[str]]) -> None:
        self.model = model
        self.corpus = corpus

    def __iter__(self) -> Iterator[list[str]]:
        cache: dict[int, str] = {}
        for batch in _batches(self.corpus):
            yield from self.model._apply_batch(batch, cache)

    def __len__(self) -> int:
        return len(self.corpus)  # type: ignore[arg-type]


def _resolve_scoring(scoring: Any) -> Callable:
    """The scoring function named by ``scoring``, or ``scoring`` itself once its parameters are checked."""
    if isinstance(scoring, str):
        if scoring == "default":
            scoring = original_scorer
        elif scoring == "npmi":
            scoring = npmi_scorer
        else:
            raise ParameterError(f"scoring must be 'default', 'npmi' or a function, got {scoring!r}")
    if not callable(scoring):
        raise ParameterError(f"scoring must be 'default', 'npmi' or a function, got {scoring!r}")
    try:
        params = inspect.signature(scoring).parameters
    except (TypeError, ValueError):
        params = {}
    missing = [p for p in _SCORER_PARAMS if p not in params]
    if missing:
        raise ParameterError(f"the scoring function lacks the parameters {missing} (it must accept {list(_SCORER_PARAMS)})")
    return scoring


def _scoring_name(scoring: Any) -> Any:
    if scoring is original_scorer:
        return "default"
    if scoring is npmi_scorer:
        return "npmi"
    if scoring is None or isinstance(scoring, str):
        return scoring
    return {"function": f"{getattr(scoring, '__module__', '?')}.{getattr(scoring, '__qualname__', repr(scoring))}"}


def _scorer_from_header(name: str, stored: Any, given: Callable | None, required: bool) -> Any:
    if given is not None:
        return _resolve_scoring(given)
    if stored == "default":
        return original_scorer
    if stored == "npmi":
        return npmi_scorer
    if required:
        raise ModelFileError(
            f"{name}: saved with the custom scoring function {stored.get('function')!r}: pass it again, "
            "load(path, scoring=function)"
        )
    return stored.get("function")


class Phrases(_Phrasing):
    """Detect phrases from unigram and bigram counts (gensim 4's ``Phrases``, same parameters and
    results; ``corpus_file`` reads a text file with the compiled tokenizer).

    Parameters are gensim's: ``min_count`` (bigrams counted fewer times are not phrases: the
    default score subtracts it, NPMI requires it), ``threshold`` (a bigram is a phrase when its
    score is above it), ``max_vocab_size`` (the most unigram + bigram keys kept while counting;
    beyond it the rarest are pruned), ``delimiter``, ``scoring`` ('default' = word2vec.c's
    :func:`original_scorer`, 'npmi' = :func:`npmi_scorer`, or a function taking the same named
    arguments: slower, run in Python), ``connector_words`` (may sit inside a phrase, never at its
    ends; :data:`ENGLISH_CONNECTOR_WORDS` for English). ``progress_per`` is accepted for
    compatibility (counting logs once per corpus). Counting and joining run in compiled code for
    the built-in scores; ``vocab`` copies the counts into a dict on access.
    """

    def __init__(
        self,
        sentences: Iterable[Sequence[str]] | None = None,
        min_count: float = 5,
        threshold: float = 10.0,
        max_vocab_size: int = 40000000,
        delimiter: str = "_",
        progress_per: int = 10000,
        scoring: str | Callable = "default",
        connector_words: Iterable[str] = frozenset(),
        *,
        corpus_file: str | os.PathLike | None = None,
    ) -> None:
        self._init_common(delimiter, connector_words)
        check_float("min_count", min_count, low=0, low_open=True)
        check_float("threshold", threshold)
        check_int("max_vocab_size", max_vocab_size, low=1)
        self.scoring = _resolve_scoring(scoring)
        if self.scoring is original_scorer and not threshold > 0:
            raise ParameterError(f"threshold must be positive with the default scoring, got {threshold!r}", "threshold")
        if self.scoring is npmi_scorer and not -1 <= threshold <= 1:
            raise ParameterError(f"threshold must be between -1 and 1 with npmi scoring, got {threshold!r}", "threshold")
        self.min_count = min_count
        self.threshold = threshold
        self.max_vocab_size = int(max_vocab_size)
        check_int("progress_per", progress_per, low=1)
        self.progress_per = progress_per
        self.table = KeyTable(np.int64)
        self.min_reduce = 1
        self.corpus_word_count = 0
        if sentences is not None and corpus_file is not None:
            raise ParameterError("give sentences or corpus_file, not both")
        if sentences is not None or corpus_file is not None:
            start = time.perf_counter()
            self.add_vocab(sentences, corpus_file=corpus_file)
            logger.info("built %s in %.2fs", self, time.perf_counter() - start)

    def __str__(self) -> str:
        return (f"Phrases<{len(self)} vocab, min_count={self.min_count}, threshold={self.threshold}, "
                f"max_vocab_size={self.max_vocab_size}>")

    @property
    def table(self) -> KeyTable:
        """gensim's ``vocab`` as a :class:`KeyTable` of counts. A corpus counted without pruning is
        held as id counts (:mod:`bigramcount`), which freezing scores directly; this table is built
        from them on first use (saving, ``vocab``, applying a Phrases rather than a FrozenPhrases)."""
        if self._ids is not None:
            counts, delim, _ = self._ids
            self._table = to_table(counts, delim)
            self._ids = None
        return self._table

    @table.setter
    def table(self, table: KeyTable) -> None:
        self._table = table
        self._ids: list | None = None  # [IdCounts, delimiter bytes, KeyStrings or None until needed]

    @property
    def vocab(self) -> dict[str, int]:
        """The unigram and bigram counts as a new dict (gensim's ``vocab``; a copy: large)."""
        return dict(zip(self.table.keys(), self.table.values[: self.table.n].tolist()))

    def __len__(self) -> int:
        return self._key_strings().n_keys if self._ids is not None else self._table.n

    def _key_strings(self) -> KeyStrings:
        """How the held id counts spell gensim's keys (built once)."""
        assert self._ids is not None
        if self._ids[2] is None:
            self._ids[2] = KeyStrings(self._ids[0], self._ids[1])
        return self._ids[2]

    def add_vocab(self, sentences: Iterable[Sequence[str]] | None = None, corpus_file: str | os.PathLike | None = None) -> None:
        """Count more sentences (or a text file): counted apart (pruned from min_reduce 1), then
        merged, as gensim does, so new text is not pruned away by the counts already held."""
        if (sentences is None) == (corpus_file is None):
            raise ParameterError("give sentences or corpus_file (one of them)")
        if corpus_file is not None:
            streams: Iterable[Stream] = _text_streams(corpus_file)
            check_empty = False
        else:
            streams = (_encode(batch)[0] for batch in _batches(_require(sentences)))
            check_empty = True
        table, min_reduce, words = self._count(streams, check_empty)
        self._merge(table, min_reduce, words)

    def _count(self, streams: Iterable[Stream], check_empty: bool) -> tuple[KeyTable | IdCounts, int, int]:
        """Count the streams (gensim's ``_learn_vocab``): (the counts, min_reduce, words).

        Counted by word id (:mod:`bigramcount`) while the table cannot have reached
        ``max_vocab_size`` (the counts are then an IdCounts), then, if it may have, by string with
        gensim's pruning (a KeyTable). The streams are read (decompressed, tokenized) on a reader
        thread, their words mapped to ids on this one, and counted on a worker. Progress is logged (INFO) at the end of the first block
        after every ``progress_per`` sentences."""
        ids = IdCounts()
        state: dict[str, Any] = {"table": None, "min_reduce": 1, "words": 0, "sentences": 0}
        connectors, delim = self._connectors(), self._delim()

        def count(_: int, item: tuple[Stream, np.ndarray | None, int]) -> None:
            stream = item[0]
            _count_stream(*item)
            before = state["sentences"]
            state["sentences"] += stream[3].shape[0] - 1
            if state["sentences"] // self.progress_per > before // self.progress_per:
                types = state["table"].n if state["table"] is not None else key_count(ids)
                logger.info("PROGRESS: at sentence #%i, processed %i words and %i word types",
                            state["sentences"], state["words"], types)

        def _count_stream(stream: Stream, word_ids: np.ndarray | None, n_words: int) -> None:
            src, starts, ends, sent = stream
            s = 0
            if state["table"] is None:
                assert word_ids is not None
                byte_scratch = np.empty(4 * (starts.shape[0] + 1), dtype=np.uint8)
                ids.reserve_counts(n_words, 0)
                while True:
                    status, s, ids.counted_words, ids.pairs, ids.sequences.n, w = count_ids(
                        word_ids, sent, s, self.max_vocab_size, ids.connector, *ids.count_arrays(), byte_scratch,
                        bigramcount.PAIR_COUNT_CAP,
                    )
                    state["words"] += w
                    if status == DONE:
                        return
                    if status == GROW:
                        ids.reserve_counts(n_words, int(sent[s + 1] - sent[s]))
                        continue
                    # SWITCH: from here on, gensim's pruning (words mapped after this block are not counted yet)
                    table = state["table"] = to_table(ids, delim, n_words)
                    if table.n > self.max_vocab_size:
                        table.n = int(prune(*table.arrays(), table.n, state["min_reduce"]))
                        state["min_reduce"] += 1
                    break
            table = state["table"]
            scratch = np.empty(src.shape[0] + delim.shape[0] * starts.shape[0] + 1, dtype=np.uint8)
            while True:
                s, table.n, state["min_reduce"], w, need_keys, need_bytes = count_bigrams(
                    src, starts, ends, sent, s, connectors, delim, scratch, *table.arrays(), table.n,
                    self.max_vocab_size, state["min_reduce"], check_empty,
                )
                state["words"] += w
                if s >= sent.shape[0] - 1:
                    return
                table.reserve(need_keys, need_bytes)

        # A reader thread reads and tokenizes, this thread maps the words to ids, the worker counts.
        with WorkerPool(count, 1, name="wordvec-phrases") as pool:
            for stream in iterate_ahead(streams, name="wordvec-phrases-read"):
                word_ids, n_words = None, 0
                if state["table"] is None:  # (once switched to strings, the worker needs no ids)
                    word_ids, n_words = ids.map_words(stream[0], stream[1], stream[2], connectors)
                if not pool.submit((stream, word_ids, n_words)):
                    break
        counts = state["table"] if state["table"] is not None else ids
        types = counts.n if isinstance(counts, KeyTable) else key_count(ids)
        logger.info("collected %i token types (unigrams + bigrams) from %i words", types, state["words"])
        return counts, state["min_reduce"], state["words"]

    def _merge(self, counts: KeyTable | IdCounts, min_reduce: int, words: int) -> None:
        """Add counts to the model's (gensim's ``add_vocab`` merge). Id counts taken whole are kept
        as they are when the delimiter is one byte (see :attr:`table`)."""
        self.corpus_word_count += words
        delim = self._delim()
        if len(self) == 0:
            if isinstance(counts, IdCounts) and delim.shape[0] == 1:
                self._table = KeyTable(np.int64, keys=1, key_bytes=1)
                self._ids = [counts, delim, None]
            else:
                self.table = counts if isinstance(counts, KeyTable) else to_table(counts, delim)
            return
        table = counts if isinstance(counts, KeyTable) else to_table(counts, delim)
        self.min_reduce = max(self.min_reduce, min_reduce)
        self.table.reserve(table.n, table.used_bytes)
        self.table.n = merge_counts(*self.table.arrays(), self.table.n, table.key_bytes, table.offsets, table.values, table.n)
        if self.table.n > self.max_vocab_size:
            self.table.n = int(prune(*self.table.arrays(), self.table.n, self.min_reduce))
            self.min_reduce += 1

    # -- scoring ---------------------------------------------------------------------------------
    def _python_scorer(self) -> bool:
        return self.scoring is not original_scorer and self.scoring is not npmi_scorer

    def _scoring_state(self) -> tuple[int, KeyTable, int, float]:
        mode = ORIGINAL if self.scoring is original_scorer else NPMI
        return mode, self.table, self.table.n, float(self.corpus_word_count)

    def _count_of(self, word: str) -> int:
        i = self.table.index(word.encode("utf-8", "surrogatepass"))
        return int(self.table.values[i]) if i >= 0 else 0

    def score_candidate(self, word_a: str, word_b: str, in_between: list[str]) -> tuple[str | None, float | None]:
        """(the joined phrase, its score) when ``word_a in_between.. word_b`` is a phrase, else
        (None, None) (gensim's method)."""
        a = self._count_of(word_a)
        if a <= 0:
            return None, None
        b = self._count_of(word_b)
        if b <= 0:
            return None, None
        phrase = self.delimiter.join([word_a, *in_between, word_b])
        c = self._count_of(phrase)
        if c <= 0:
            return None, None
        score = self.scoring(worda_count=a, wordb_count=b, bigram_count=c, len_vocab=self.table.n,
                             min_count=self.min_count, corpus_word_count=self.corpus_word_count)
        if score <= self.threshold:
            return None, None
        return phrase, score

    def export_phrases(self) -> dict[str, float]:
        """Every bigram key scoring above ``threshold``, with its score (gensim's rule: a key is
        split at the delimiter and scored from the counts of its first and last parts)."""
        t = self._phrase_table()
        return dict(zip(t.keys(), t.values[: t.n].tolist()))

    def _phrase_table(self) -> KeyTable:
        """The exported phrases and their scores (float64 values): from the id counts when they are
        held, else from the table."""
        if self._ids is not None and not self._python_scorer():
            counts, delim, _ = self._ids
            mode = ORIGINAL if self.scoring is original_scorer else NPMI
            return export_table(counts, self._key_strings(), mode, delim, self.min_count, self.threshold,
                                self.corpus_word_count)
        index, scores = self._exported()
        return self.table.subset(index, scores)

    def _exported(self) -> tuple[np.ndarray, np.ndarray]:
        t = self.table
        if not self._python_scorer():
            mode = ORIGINAL if self.scoring is original_scorer else NPMI
            return export_scores(mode, t.slots, t.key_bytes, t.offsets, t.values, t.n, self._delim(),
                                 float(self.min_count), float(self.threshold), float(self.corpus_word_count))
        index, ca, cb = phrase_candidates(t.slots, t.key_bytes, t.offsets, t.values, t.n, self._delim())
        keep, scores = [], []
        counts = t.values[index].tolist()
        for i, a, b, c in zip(index.tolist(), ca.tolist(), cb.tolist(), counts):
            score = self.scoring(worda_count=a, wordb_count=b, bigram_count=c, len_vocab=t.n,
                                 min_count=self.min_count, corpus_word_count=self.corpus_word_count)
            if not score <= self.threshold:
                keep.append(i)
                scores.append(score)
        return np.asarray(keep, dtype=np.int64), np.asarray(scores, dtype=np.float64)

    def freeze(self) -> "FrozenPhrases":
        """The phrases and their scores only (:class:`FrozenPhrases`): smaller and faster to apply."""
        return FrozenPhrases(self)

    def _stored_table(self) -> KeyTable:
        return self.table

    def _header(self) -> dict[str, Any]:
        return {
            "kind": "Phrases", "min_count": self.min_count, "threshold": self.threshold,
            "max_vocab_size": self.max_vocab_size, "delimiter": self.delimiter, "progress_per": self.progress_per,
            "scoring": _scoring_name(self.scoring), "connector_words": sorted(self.connector_words),
            "corpus_word_count": int(self.corpus_word_count), "min_reduce": int(self.min_reduce),
        }


def _analyze_python(model: _Phrasing, sentence: list[str]) -> tuple[list[str], list[float | None]]:
    """gensim's analyze_sentence in Python, for a custom scoring function."""
    tokens: list[str] = []
    scores: list[float | None] = []
    connectors = model.connector_words
    start: str | None = None
    between: list[str] = []

    def emit(token: str, score: float | None) -> None:
        tokens.append(token)
        scores.append(score)

    for word in sentence:
        if word not in connectors:
            if start:
                phrase, score = model.score_candidate(start, word, between)
                if score is not None:
                    emit(phrase, score)  # type: ignore[arg-type]
                    start, between = None, []
                    continue
                emit(start, None)
                for w in between:
                    emit(w, None)
            start, between = word, []
        elif start:
            between.append(word)
        else:
            emit(word, None)
    if start:
        emit(start, None)
        for w in between:
            emit(w, None)
    return tokens, scores


class FrozenPhrases(_Phrasing):
    """The phrases of a :class:`Phrases` and their scores, without the counts (gensim's
    ``FrozenPhrases``): a candidate is joined when it is one of them and its score is above
    ``threshold``."""

    def __init__(self, phrases_model: Phrases) -> None:
        if not isinstance(phrases_model, Phrases):
            raise ParameterError(f"FrozenPhrases needs a Phrases model, got {type(phrases_model).__name__}")
        self._init_common(phrases_model.delimiter, phrases_model.connector_words)
        self.threshold = phrases_model.threshold
        self.min_count = phrases_model.min_count
        self.scoring = phrases_model.scoring
        self.phrasegrams_table = phrases_model._phrase_table()

    def __str__(self) -> str:
        return f"FrozenPhrases<{self.phrasegrams_table.n} phrases, min_count={self.min_count}, threshold={self.threshold}>"

    def __len__(self) -> int:
        return self.phrasegrams_table.n

    @property
    def phrasegrams(self) -> dict[str, float]:
        """{phrase: score} (a new dict)."""
        t = self.phrasegrams_table
        return dict(zip(t.keys(), t.values[: t.n].tolist()))

    def score_candidate(self, word_a: str, word_b: str, in_between: list[str]) -> tuple[str | None, float | None]:
        phrase = self.delimiter.join([word_a, *in_between, word_b])
        i = self.phrasegrams_table.index(phrase.encode("utf-8", "surrogatepass"))
        score = float(self.phrasegrams_table.values[i]) if i >= 0 else float("-inf")
        return (phrase, score) if score > self.threshold else (None, None)

    def _scoring_state(self) -> tuple[int, KeyTable, int, float]:
        return FROZEN, self.phrasegrams_table, self.phrasegrams_table.n, 0.0

    def _part_filter(self) -> np.ndarray:
        """part_filter's bit set over the phrases, built once for the current table and delimiter."""
        t = self.phrasegrams_table
        cached = getattr(self, "_filter_cache", None)
        if cached is None or cached[0] is not t or cached[1] != self.delimiter:
            cached = (t, self.delimiter, part_filter(t.key_bytes, t.offsets, t.n, self._delim()))
            self._filter_cache = cached
        return cached[2]

    def _stored_table(self) -> KeyTable:
        return self.phrasegrams_table

    def _header(self) -> dict[str, Any]:
        return {
            "kind": "FrozenPhrases", "min_count": self.min_count, "threshold": self.threshold,
            "delimiter": self.delimiter, "scoring": _scoring_name(self.scoring),
            "connector_words": sorted(self.connector_words),
        }


#: gensim's older name.
Phraser = FrozenPhrases


# ----------------------------------------------------------------------------------- files

# A join (join_phrases) of a stream: (the stream, out, out_sent, the table phrase ids index).
Joined = tuple[Stream, np.ndarray, np.ndarray, KeyTable]


def _joined(stream: Stream, models: Sequence[_Phrasing]) -> tuple[Joined, int]:
    """The last model's join of a stream as the earlier models have joined it in turn, and the
    number of phrases formed by all of them."""
    phrases = 0
    for k, model in enumerate(models):
        if k:
            text = _text(joined)
            stream = (text, *tokenize(text, MAX_SENTENCE_LENGTH)[:3])
        out, _, out_sent, table = model._join(stream)
        joined = (stream, out, out_sent, table)
        phrases += int(np.count_nonzero(out < 0))
    return joined, phrases


def _text(joined: Joined) -> np.ndarray:
    """A joined stream as text: one sentence per line, tokens separated by single spaces."""
    (src, starts, ends, _), out, out_sent, table = joined
    return write_lines(src, starts, ends, out, out_sent, table.key_bytes, table.offsets)


def _phrased_streams(streams: Iterable[Stream], models: Sequence[_Phrasing]) -> Iterator[Stream]:
    """The token streams of the text as joined by the models."""
    for stream in streams:
        if models:
            text = _text(_joined(stream, models)[0])
            stream = (text, *tokenize(text, MAX_SENTENCE_LENGTH)[:3])
        yield stream


def learn_phrases(corpus_file: str | os.PathLike, passes: int = 1, **params: Any) -> list[FrozenPhrases]:
    """Learn ``passes`` phrase models from a text file, pass k on the text as joined by passes
    1..k-1 (so pass 2 can join ``new_york`` and ``city``), as word2vec.c's scripts run word2phrase
    twice; ``params`` are :class:`Phrases`'s. The file is streamed once per pass."""
    check_int("passes", passes, low=1)
    models: list[FrozenPhrases] = []
    for k in range(passes):
        model = Phrases(**params)
        streams = _phrased_streams(_text_streams(corpus_file), models)
        table, min_reduce, words = model._count(streams, check_empty=False)
        model._merge(table, min_reduce, words)
        models.append(model.freeze())
        logger.info("phrases pass %i: %i phrases", k + 1, len(models[-1]))
    return models


def write_phrased(models: Sequence[_Phrasing], corpus_file: str | os.PathLike, output: str | os.PathLike) -> dict[str, int]:
    """Stream ``corpus_file`` through the models in turn to ``output`` (gzip or bzip2 for a .gz or
    .bz2 name, written atomically): one sentence per line, tokens separated by single spaces, empty
    lines dropped (what gensim's ``LineSentence`` reads). Returns counts: sentences, tokens read,
    tokens written, phrases formed."""
    if not models:
        raise ParameterError("write_phrased needs at least one phrases model", "models")
    stats = {"sentences": 0, "tokens_in": 0, "tokens_out": 0, "phrases": 0}
    with atomic_write_compressed(output, compresslevel=6) as f:

        def write(_: int, joined: Joined) -> None:
            f.write(_text(joined).data)

        # A reader thread reads and tokenizes, this thread joins, the worker spells the text and
        # writes it (compressing).
        with WorkerPool(write, 1, name="wordvec-phrases") as pool:
            for stream in iterate_ahead(_text_streams(corpus_file), name="wordvec-phrases-read"):
                joined, phrases = _joined(stream, models)
                stats["sentences"] += joined[2].shape[0] - 1
                stats["tokens_in"] += stream[1].shape[0]
                stats["tokens_out"] += joined[1].shape[0]
                stats["phrases"] += phrases
                if not pool.submit(joined):
                    break
    return stats


def _distinct_keys(table: KeyTable) -> bool:
    return bool(all_distinct(table.slots, table.key_bytes, table.offsets, table.n))
