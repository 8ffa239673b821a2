"""Corpus streaming: raw text files and sentence iterables turned into int32 token-id chunks.

A training chunk is ``(ids int32 (n,), offsets int64 (s+1,), raw_words)``: the in-vocabulary
token ids of s sentences back to back, sentence j being ids[offsets[j]:offsets[j+1]], and the
number of tokens read (in vocabulary or not). Words missing from the vocabulary are dropped;
sentences are cut every ``max_sentence_length`` tokens read (gensim's LineSentence rule), so a
text8-style file of one 100M-character line trains in bounded memory.

Text files (plain, gzip, bzip2 or xz, told by content; UTF-16/32 with a byte-order mark decoded;
see :func:`open_corpus`) are read in binary blocks cut
at a newline (or, in a line longer than the block, at the last whitespace); tokens are runs of
bytes other than ASCII whitespace (space, \\t, \\n, \\v, \\f, \\r: so Windows line endings work).
Bytes that are not valid UTF-8 are replaced by U+FFFD and counted. Counting the vocabulary and
encoding a block are compiled loops over the bytes with hash tables (no Python per word), run by
worker threads without the GIL.
"""
from __future__ import annotations

import io
import itertools
import logging
import lzma
import os
import zlib
from collections import Counter
from pathlib import Path
from typing import BinaryIO, Iterable, Iterator, Sequence

import numba
import numpy as np

from ..errors import CorpusError, SentenceError
from ..memory import COUNTING_HINT, check_fits, counting_bytes
from ..pool import WorkerPool
from .files import TextEncodingError, is_regular_file, open_text_input
from .tokens import build_hash_table, find_or_add, is_space, last_boundary, lookup, resized
from .vocab import VocabCounter

logger = logging.getLogger(__name__)

BLOCK_BYTES = 1 << 18
MAX_TOKEN_BYTES = 1 << 24


def open_corpus(path: str | os.PathLike, report: bool = False) -> BinaryIO:
    """Open a corpus file as UTF-8 bytes through the one input opener
    (:func:`wordvec.text.files.open_text_input`): gzip, bzip2 or xz told by content and
    decompressed, UTF-16/32 with a byte-order mark decoded, a UTF-8 mark skipped (with
    ``report``, a warning says so); NUL-heavy text, pipes and devices are refused. Every error is
    a CorpusError naming the file."""
    return _open_corpus(path, report)[0]


def _open_corpus(path: str | os.PathLike, report: bool = False) -> tuple[BinaryIO, bool]:
    p = Path(path)
    if not p.exists():
        raise CorpusError(f"corpus file '{p}' does not exist")
    if p.is_dir():
        raise CorpusError(f"corpus path '{p}' is a directory, not a file")
    if not is_regular_file(p):
        raise CorpusError(
            f"corpus file '{p}' is a pipe or a device: training reads the corpus once per epoch; save it to a "
            "file first (wordvec train reads '-' and pipes itself)"
        )
    try:
        f, note, verbatim = open_text_input(p)
    except PermissionError:
        raise CorpusError(f"corpus file '{p}' is not readable (permission denied)") from None
    except TextEncodingError as e:
        raise CorpusError(f"corpus file '{p}': {e}") from None
    except (EOFError, zlib.error, lzma.LZMAError) as e:
        raise CorpusError(f"corpus file '{p}' is truncated or corrupt: {e}") from None
    except OSError as e:
        if "invalid data stream" in str(e).lower() or "gzip" in str(e).lower():
            raise CorpusError(f"corpus file '{p}' is truncated or corrupt: {e}") from None
        raise CorpusError(f"cannot open corpus file '{p}': {e.strerror or e}") from None
    if report and note:
        logger.warning("%s: %s", p, note)
    return f, verbatim


class TextBlocks:
    """Re-iterable blocks of a text file, each ending at a token boundary, valid UTF-8.

    ``path`` may also be a directory (its files, not sub-directories, in name order) or a list
    of files: they are read one after the other, each ending a line. ``invalid_bytes`` counts
    the replacement characters introduced by the last full pass.
    """

    def __init__(self, path: str | os.PathLike | Sequence[str | os.PathLike], block_bytes: int = BLOCK_BYTES) -> None:
        if isinstance(path, (list, tuple)):
            self.paths = [Path(p) for p in path]
            if not self.paths:
                raise CorpusError("corpus_file is an empty list of files")
        elif Path(path).is_dir():
            self.paths = sorted(p for p in Path(path).iterdir() if p.is_file())
            if not self.paths:
                raise CorpusError(f"corpus directory '{path}' holds no files")
        else:
            self.paths = [Path(path)]
        self.path = self.paths[0] if isinstance(path, (list, tuple)) else Path(path)
        self.block_bytes = block_bytes
        self.invalid_bytes = 0
        self._block_count: int | None = None
        self._block_starts: np.ndarray | None = None
        self.verbatim = len(self.paths) == 1  # verbatim: byte offsets are the file's
        for p in self.paths:
            f, verbatim = _open_corpus(p, report=True)
            f.close()
            self.verbatim = self.verbatim and verbatim

    def __iter__(self) -> Iterator[bytes]:
        return self.blocks()

    def blocks(self, start_block: int = 0) -> Iterator[bytes]:
        """Yield the blocks in order, skipping the first ``start_block`` (for resuming)."""
        self.invalid_bytes = 0
        yield from self._run(start_block, None)

    def _run(self, start: int, stop: int | None) -> Iterator[bytes]:
        """Blocks start .. stop - 1 of a pass (stop None: to the end). A plain file whose blocks
        were counted is read from the run's first byte on; otherwise the blocks before ``start``
        are read and dropped."""
        if self._block_starts is not None and start > 0:
            yield from self._seek_run(start, len(self._block_starts) - 1 if stop is None else stop)
            return
        for index, block in enumerate(self.cut(self.reads())):
            if stop is not None and index >= stop:
                return
            if index >= start:
                yield self.clean(block)

    def _seek_run(self, start: int, stop: int) -> Iterator[bytes]:
        bounds = self._block_starts
        with open(self.paths[0], "rb") as f:
            f.seek(int(bounds[start]))
            for i in range(start, stop):
                size = int(bounds[i + 1] - bounds[i])
                data = f.read(size)
                if len(data) != size:
                    raise CorpusError(f"corpus file '{self.paths[0]}' changed while it was read (it is shorter)")
                yield self.clean(data)

    def block_count(self) -> int:
        """The number of blocks of a pass (counted by one pass over the text, then remembered,
        with each block's first byte when the file is plain)."""
        if self._block_count is None:
            sizes = [len(block) for block in self.cut(self.reads())]
            self._block_count = len(sizes)
            if self.verbatim:
                self._block_starts = np.concatenate([[0], np.cumsum(sizes, dtype=np.int64)])
        return self._block_count

    def interleaved(self, streams: int, start_block: int = 0) -> Iterator[bytes]:
        """Every block of a pass once, in the order of ``streams`` readers working side by side:
        the pass is split into ``streams`` runs of consecutive blocks and the order takes one
        block of each run in turn (see :func:`interleaved_order`), skipping the first
        ``start_block`` blocks of that order (for resuming). word2vec.c and fastText read so,
        each thread from its own offset: a corpus assembled source after source is then not
        learned one source at a time as the learning rate falls. Each run is read on its own:
        a plain file from the run's first byte, a compressed one decompressed up to it."""
        self.invalid_bytes = 0
        n = self.block_count() if streams > 1 else 0
        if n <= 1 or streams <= 1:
            yield from self._run(start_block, None)
            return
        order, bounds = interleaved_order(n, streams)
        done = np.bincount(order[:start_block], minlength=len(bounds) - 1)
        runs = [self._run(int(bounds[k] + done[k]), int(bounds[k + 1])) for k in range(len(bounds) - 1)]
        try:
            for k in order[start_block:]:
                block = next(runs[k], None)
                if block is None:
                    raise CorpusError(f"corpus '{self.path}' changed while it was read (fewer blocks than counted)")
                yield block
        finally:
            for run in runs:
                run.close()

    def reads(self) -> Iterator[bytes]:
        """The file's bytes (decompressed) in reads of about ``block_bytes``."""
        last = b"\n"
        for path in self.paths:
            if last != b"\n":
                yield b"\n"  # a file's last line ends where the next file starts
            with open_corpus(path) as f:
                while True:
                    try:
                        data = f.read(self.block_bytes)
                    except (EOFError, OSError, zlib.error, lzma.LZMAError) as e:
                        raise CorpusError(f"corpus file '{path}' is truncated or corrupt: {e}") from None
                    if not data:
                        break
                    last = data[-1:]
                    yield data

    @staticmethod
    def cut(reads: Iterable[bytes]) -> Iterator[bytes]:
        """Re-cut consecutive reads into blocks that end at a newline or, in a longer line, at
        the last whitespace; a run without whitespace is cut every MAX_TOKEN_BYTES."""
        rest = b""
        for data in reads:
            buf = rest + data
            cut = last_boundary(buf)
            if cut < 0:
                if len(buf) < MAX_TOKEN_BYTES:
                    rest = buf
                    continue
                cut = len(buf)
            rest = buf[cut:]
            yield buf[:cut]
        if rest:
            yield rest

    def clean(self, block: bytes) -> bytes:
        """``block`` as valid UTF-8: invalid sequences replaced by U+FFFD and counted."""
        if block.isascii():
            return block
        text = block.decode("utf-8", "replace")
        bad = text.count("\ufffd") - block.count("\ufffd".encode())
        self.invalid_bytes += bad
        return text.encode("utf-8") if bad else block


def interleaved_order(n: int, streams: int) -> tuple[np.ndarray, np.ndarray]:
    """The order in which :meth:`TextBlocks.interleaved` reads n blocks with ``streams``
    readers: (order int64 (n,), the run each position reads from; bounds int64 (k + 1,), run k
    being blocks bounds[k] .. bounds[k + 1] - 1), k = min(streams, n) runs of near-equal length,
    one block of each run in turn; a run that ends drops out."""
    k = max(1, min(int(streams), int(n)))
    bounds = np.arange(k + 1, dtype=np.int64) * n // k
    lengths = np.diff(bounds)
    step = np.arange(int(lengths.max()))[:, None]
    grid = np.broadcast_to(np.arange(k), (len(step), k))
    return grid[step < lengths[None, :]].astype(np.int64), bounds


def line_sentence_count(paths: Sequence[str | os.PathLike], max_sentence_length: int) -> int | None:
    """The number of sentences gensim's ``LineSentence`` (one per line, lines of more than
    ``max_sentence_length`` tokens cut into pieces, empty lines none) yields over ``paths`` read
    one after the other, when reading them as a ``corpus_file`` gives the very same sentences
    and tokens; None when it would not: bytes that are not UTF-8 (which LineSentence refuses and
    the file reader replaces), a whitespace character other than ASCII's (which ``str.split``
    splits at and the compiled tokenizer does not), or a run of more than 16 MiB without
    whitespace (which the file reader cuts). One pass over the bytes, no Python per token."""
    blocks = TextBlocks(list(paths))
    state = np.zeros(3, dtype=np.int64)  # sentences, tokens in the current line, inside a token
    last = b"\n"
    for block in blocks.cut(blocks.reads()):
        if not (block.isascii() or _is_utf8(block)) or (not is_space(block[-1]) and len(block) >= MAX_TOKEN_BYTES):
            return None
        if not _line_pieces(np.frombuffer(block, dtype=np.uint8), max_sentence_length, state):
            return None
        last = block[-1:]
    if last != b"\n":
        _line_pieces(np.frombuffer(b"\n", dtype=np.uint8), max_sentence_length, state)
    return int(state[0])


def _is_utf8(block: bytes) -> bool:
    try:
        block.decode("utf-8")
    except UnicodeDecodeError:
        return False
    return True


@numba.njit(inline="always")
def _other_space(buf: np.ndarray, i: int) -> bool:
    """Whether buf[i:] starts with a character Python's ``str.split()`` takes for whitespace and
    the compiled tokenizer does not: 0x1c-0x1f, or the UTF-8 of U+0085, U+00A0, U+1680,
    U+2000-U+200A, U+2028, U+2029, U+202F, U+205F, U+3000."""
    c = buf[i]
    if 0x1C <= c <= 0x1F:
        return True
    if c < 0xC2 or c > 0xE3 or i + 1 >= buf.shape[0]:
        return False
    d = buf[i + 1]
    if c == 0xC2:
        return d == 0x85 or d == 0xA0
    if i + 2 >= buf.shape[0]:
        return False
    e = buf[i + 2]
    if c == 0xE1:
        return d == 0x9A and e == 0x80
    if c == 0xE2:
        return (d == 0x80 and (e <= 0x8A or e == 0xA8 or e == 0xA9 or e == 0xAF)) or (d == 0x81 and e == 0x9F)
    return c == 0xE3 and d == 0x80 and e == 0x80


@numba.njit(nogil=True, cache=True)
def _line_pieces(buf: np.ndarray, size: int, state: np.ndarray) -> bool:
    """Add to state[0] the sentences of the lines ended in ``buf`` (ceil(tokens / size) each);
    state[1] (tokens of the open line) and state[2] (inside a token) carry over to the next call.
    False (and nothing counted for sure) when ``buf`` holds another whitespace character than
    ASCII's (``buf`` is valid UTF-8)."""
    sentences, tokens, inside = state[0], state[1], state[2]
    for i in range(buf.shape[0]):
        c = buf[i]
        if c >= 0x1C and (c <= 0x1F or c >= 0xC2) and _other_space(buf, i):
            return False
        if is_space(c):
            if inside:
                tokens += 1
                inside = 0
            if c == 10:
                sentences += (tokens + size - 1) // size
                tokens = 0
        else:
            inside = 1
    state[0], state[1], state[2] = sentences, tokens, inside
    return True


def count_text(blocks: Iterable[bytes], counter: VocabCounter, workers: int = 1) -> None:
    """Count the tokens and sentences (newlines) of a text corpus into ``counter`` (str keys in
    order of first occurrence, as a sequential count would insert them).

    Without max_vocab_size the blocks are counted by compiled code on ``workers`` threads, each
    into its own hash table (:class:`_WordTable`), merged at the end; with it, word2vec.c's
    pruning needs one running count, taken in Python (bytes keys, decoded once at the end)."""
    if counter.max_vocab_size is not None:
        for block in blocks:
            tokens = block.split()
            counter.update(tokens, len(tokens))
            counter.n_sentences += block.count(b"\n")
        counter.counts = Counter({k.decode("utf-8"): v for k, v in counter.counts.items()})
        return
    n = max(1, int(workers))
    tables = [_WordTable() for _ in range(n)]
    if n == 1:
        for i, block in enumerate(blocks):
            tables[0].add_block(block, i)
    else:
        _count_threaded(blocks, tables)
    table = tables[0]
    for other in tables[1:]:
        table.merge(other)
    counter.raw_word_count += sum(t.tokens for t in tables)
    counter.n_sentences += sum(t.newlines for t in tables)
    counter.counts.update(table.counts())


def _count_threaded(blocks: Iterable[bytes], tables: list["_WordTable"]) -> None:
    pool = WorkerPool(lambda i, job: tables[i].add_block(*job), len(tables), name="wordvec-count")
    try:
        for i, block in enumerate(blocks):
            if not pool.submit((block, i)):
                break
    finally:
        pool.close()


class _WordTable:
    """Distinct words (bytes in one arena), their counts and first occurrences, with an
    open-addressing hash table (FNV-1a, linear probing, at most half full) over them.

    The compiled loops stop where an array is full; Python grows it and lets them go on."""

    def __init__(self) -> None:
        self.n = 0
        self.tokens = 0
        self.newlines = 0
        self.table = np.full(1 << 16, -1, dtype=np.int32)
        self.word_bytes = np.empty(1 << 18, dtype=np.uint8)
        self.offsets = np.zeros((1 << 15) + 1, dtype=np.int64)
        self.count = np.zeros(1 << 15, dtype=np.int64)
        self.first = np.zeros(1 << 15, dtype=np.int64)

    def _arrays(self) -> tuple[np.ndarray, ...]:
        return self.table, self.word_bytes, self.offsets, self.count, self.first

    def add_block(self, block: bytes, index: int) -> None:
        """Count the tokens of one block; first occurrences are keyed index * 2**32 + offset."""
        buf = np.frombuffer(block, dtype=np.uint8)
        pos = 0
        while True:
            pos, self.n, tokens, newlines = _count_tokens(buf, pos, np.int64(index) << 32, *self._arrays(), self.n)
            self.tokens += tokens
            self.newlines += newlines
            if pos >= buf.shape[0]:
                return
            self._grow(1, MAX_TOKEN_BYTES if buf.shape[0] > MAX_TOKEN_BYTES else buf.shape[0])

    def merge(self, other: "_WordTable") -> None:
        """Add ``other``'s words into this table (counts summed, first occurrence the earlier)."""
        self._grow(other.n, int(other.offsets[other.n]))
        self.n = _merge_words(*self._arrays(), self.n, other.word_bytes, other.offsets, other.count, other.first, other.n)

    def counts(self) -> dict[str, int]:
        """{word: count} in order of first occurrence."""
        raw = self.word_bytes[: self.offsets[self.n]].tobytes()
        o = self.offsets.tolist()
        c = self.count.tolist()
        return {raw[o[i] : o[i + 1]].decode("utf-8"): c[i] for i in np.argsort(self.first[: self.n], kind="stable").tolist()}

    def _grow(self, words: int, n_bytes: int) -> None:
        """Make room for ``words`` more words of ``n_bytes`` bytes in all, if the memory budget
        (:mod:`wordvec.memory`) allows the larger table and the counts it will become."""
        need_words = self.n + words + 1
        if need_words > self.count.shape[0] or int(self.offsets[self.n]) + n_bytes > self.word_bytes.shape[0]:
            size = max(2 * self.count.shape[0], need_words)
            text = max(2 * self.word_bytes.shape[0], int(self.offsets[self.n]) + n_bytes)
            check_fits(counting_bytes(size, text), f"counting the vocabulary ({need_words:,} distinct words so far)",
                       COUNTING_HINT, param="max_vocab_size")
        if need_words > self.count.shape[0]:
            size = max(2 * self.count.shape[0], need_words)
            self.offsets = resized(self.offsets, size + 1)
            self.count = resized(self.count, size)
            self.first = resized(self.first, size)
        need_bytes = int(self.offsets[self.n]) + n_bytes
        if need_bytes > self.word_bytes.shape[0]:
            self.word_bytes = resized(self.word_bytes, max(2 * self.word_bytes.shape[0], need_bytes))
        if 2 * need_words > self.table.shape[0]:
            size = 1 << (2 * need_words).bit_length()
            self.table = build_hash_table(self.word_bytes, self.offsets[: self.n + 1], size)


@numba.njit(nogil=True, cache=True)
def _count_tokens(buf, pos, key, table, word_bytes, offsets, count, first, n):
    """Count the tokens of buf[pos:] (uint8); stops before a token that might not fit (then
    pos < len(buf)). Returns (pos, distinct words, tokens, newlines) counted by this call."""
    end = buf.shape[0]
    tokens = 0
    newlines = 0
    while pos < end:
        c = buf[pos]
        if is_space(c):
            newlines += c == 10
            pos += 1
            continue
        stop = pos
        while stop < end and not is_space(buf[stop]):
            stop += 1
        if 2 * (n + 2) > table.shape[0] or n + 2 > count.shape[0] or offsets[n] + stop - pos > word_bytes.shape[0]:
            break
        w, n2 = find_or_add(buf, pos, stop, table, word_bytes, offsets, n)
        if n2 > n:
            count[w] = 0
            first[w] = key + pos
            n = n2
        count[w] += 1
        tokens += 1
        pos = stop
    return pos, n, tokens, newlines


@numba.njit(nogil=True, cache=True)
def _merge_words(table, word_bytes, offsets, count, first, n, o_bytes, o_offsets, o_count, o_first, o_n):
    """Add the o_n words of another table; returns the new word count (room is guaranteed)."""
    for i in range(o_n):
        w, n2 = find_or_add(o_bytes, o_offsets[i], o_offsets[i + 1], table, word_bytes, offsets, n)
        if n2 > n:
            count[w] = 0
            first[w] = o_first[i]
            n = n2
        count[w] += o_count[i]
        first[w] = min(first[w], o_first[i])
    return n


def count_sentences(sentences: Iterable[list[str]], counter: VocabCounter) -> None:
    """Count the tokens of an iterable of token lists into ``counter``. A sentence that is a
    plain string is, as in gensim, a sequence of one-character words, with a warning (the first
    such sentence is named). A sentence that is not a sized sequence of str tokens (bytes, None,
    a generator, a token that is not a str) raises :class:`SentenceError` naming its position."""
    batch: list[list[str]] = []
    first = 0  # index of batch[0] in the corpus
    n = 0
    warned = False
    for i, sentence in enumerate(sentences):
        if isinstance(sentence, str) and not warned:
            logger.warning(
                "Each 'sentences' item should be a list of words (usually unicode strings). Sentence %d is instead "
                "plain %s: its characters are taken as its words, as gensim does (split each sentence into words "
                "first)", i, type(sentence),
            )
            warned = True
        elif isinstance(sentence, bytes):
            raise SentenceError(
                f"sentence {i} is a bytes string: sentences must be lists of str tokens (decode and split each "
                "sentence into words first)"
            )
        try:
            length = len(sentence)
        except TypeError:
            raise SentenceError(f"sentence {i} is {_describe(sentence)}, not a list of tokens") from None
        batch.append(sentence)
        n += length
        if n >= 100_000 or (counter.pruning == "gensim" and counter.max_vocab_size is not None):  # per sentence
            _count_batch(batch, first, n, counter)
            counter.n_sentences += len(batch)
            first += len(batch)
            batch, n = [], 0
    if batch:  # (an empty update would prune again)
        _count_batch(batch, first, n, counter)
        counter.n_sentences += len(batch)
    if not all(isinstance(w, str) for w in counter.counts):  # once per distinct word, not per token
        _raise_bad_token(sentences, 0)
        raise CorpusError("the sentences hold tokens that are not strings")


def _describe(x: object) -> str:
    if x is None:
        return "None"
    if hasattr(x, "__next__"):
        return f"a one-shot {type(x).__name__} (make each sentence a list)"
    return f"a {type(x).__name__}"


def _count_batch(batch: list, first: int, n: int, counter: VocabCounter) -> None:
    try:
        counter.update(itertools.chain.from_iterable(batch), n)
    except TypeError:  # an unhashable token
        _raise_bad_token(batch, first)
        raise


def _raise_bad_token(sentences: Iterable[list], first: int) -> None:
    """Raise CorpusError naming the first token that is not a str (sentence ``first + i``)."""
    for i, sentence in enumerate(sentences):
        for j, token in enumerate(sentence):
            if not isinstance(token, str):
                raise SentenceError(
                    f"sentence {first + i}, token {j} is {token!r} of type {type(token).__name__}: tokens must be strings"
                )


@numba.njit(nogil=True, cache=True)
def encode_text(
    buf: np.ndarray,
    table: np.ndarray,
    word_bytes: np.ndarray,
    word_offsets: np.ndarray,
    max_sentence_length: int,
) -> tuple[np.ndarray, np.ndarray, int]:
    """Token ids (int32), sentence offsets (int64) and tokens read, from UTF-8 bytes (uint8)."""
    n = buf.shape[0]
    ids = np.empty(n // 2 + 1, dtype=np.int32)
    offsets = np.empty(n // 2 + 2, dtype=np.int64)
    offsets[0] = 0
    n_ids = 0
    n_sent = 0
    n_raw = 0
    in_sentence = 0
    i = 0
    while i < n:
        c = buf[i]
        if c == 10:
            if n_ids > offsets[n_sent]:
                n_sent += 1
                offsets[n_sent] = n_ids
            in_sentence = 0
            i += 1
            continue
        if is_space(c):
            i += 1
            continue
        start = i
        while i < n and not is_space(buf[i]):
            i += 1
        n_raw += 1
        if in_sentence == max_sentence_length:
            if n_ids > offsets[n_sent]:
                n_sent += 1
                offsets[n_sent] = n_ids
            in_sentence = 0
        in_sentence += 1
        w = lookup(buf, start, i, table, word_bytes, word_offsets)[1]
        if w >= 0:
            ids[n_ids] = w
            n_ids += 1
    if n_ids > offsets[n_sent]:
        n_sent += 1
        offsets[n_sent] = n_ids
    return ids[:n_ids].copy(), offsets[: n_sent + 1].copy(), n_raw


@numba.njit(nogil=True, cache=True)
def compact_ids(raw: np.ndarray, lengths: np.ndarray, max_sentence_length: int) -> tuple[np.ndarray, np.ndarray]:
    """Drop ids < 0 (unknown words) and cut sentences every max_sentence_length tokens.

    raw int32 (n,) holds the ids of sentences of ``lengths`` (int64) tokens back to back."""
    ids = np.empty(raw.shape[0], dtype=np.int32)
    offsets = np.empty(raw.shape[0] + lengths.shape[0] + 1, dtype=np.int64)
    offsets[0] = 0
    n_ids = 0
    n_sent = 0
    pos = 0
    for s in range(lengths.shape[0]):
        for k in range(lengths[s]):
            if k > 0 and k % max_sentence_length == 0 and n_ids > offsets[n_sent]:
                n_sent += 1
                offsets[n_sent] = n_ids
            w = raw[pos + k]
            if w >= 0:
                ids[n_ids] = w
                n_ids += 1
        pos += lengths[s]
        if n_ids > offsets[n_sent]:
            n_sent += 1
            offsets[n_sent] = n_ids
    return ids[:n_ids].copy(), offsets[: n_sent + 1].copy()


def sentence_chunks(
    sentences: Iterable[list[str]],
    key_to_index: dict[str, int],
    max_sentence_length: int,
    chunk_words: int = 50_000,
    skip_sentences: int = 0,
) -> Iterator[tuple[np.ndarray, np.ndarray, int, int]]:
    """Encode token lists into chunks (ids, offsets, raw_words, sentences_consumed)."""
    get = key_to_index.get
    batch: list[list[str]] = []
    n = 0
    consumed = 0
    for sentence in itertools.islice(sentences, skip_sentences, None):
        batch.append(sentence)
        n += len(sentence)
        if n >= chunk_words:
            consumed += len(batch)
            yield (*_encode_batch(batch, n, get, max_sentence_length), n, consumed)
            batch, n = [], 0
    if batch:
        consumed += len(batch)
        yield (*_encode_batch(batch, n, get, max_sentence_length), n, consumed)


def _encode_batch(batch, n, get, max_sentence_length):
    raw = np.fromiter(
        map(get, itertools.chain.from_iterable(batch), itertools.repeat(-1)), dtype=np.int32, count=n
    )
    lengths = np.fromiter(map(len, batch), dtype=np.int64, count=len(batch))
    return compact_ids(raw, lengths, max_sentence_length)


def check_reiterable(sentences: object) -> None:
    """Refuse one-shot iterators: training reads the corpus once per epoch plus once for the vocabulary."""
    if isinstance(sentences, (str, bytes)):
        raise CorpusError("sentences must be an iterable of token lists, got a string")
    if isinstance(sentences, io.IOBase) or iter(sentences) is sentences:  # type: ignore[call-overload]
        raise CorpusError(
            "sentences is a one-shot iterator (e.g. a generator): it would be empty after the first pass; "
            "pass a list or a re-iterable object whose __iter__ starts over (or use corpus_file)"
        )
