"""Data-parallel training on several processes or machines with ``torch.distributed``.

Run it with torchrun (one process per worker; the options are ``wordvec train``'s, plus a few)::

    torchrun --nproc-per-node 4 -m wordvec.distributed train corpus.txt -o vectors.txt --sg
    torchrun --nnodes 2 --node-rank R --master-addr HOST --master-port 29500 --nproc-per-node 8 \\
        -m wordvec.distributed train corpus.txt -o vectors.txt --sync-every 1000000

Every worker (rank) reads its own shard of the corpus: a plain-text file is cut into ``world``
byte ranges, each moved forward to the next line start (or, in a line longer than 1 MiB, the next
whitespace), so a rank seeks to its range and reads nothing else; a compressed file cannot be
seeked, so every rank decompresses it and keeps the blocks ``i`` with ``i % world == rank``.

1. Vocabulary: each rank counts its shard; the counts are gathered (as JSON, no pickle) and merged
   in rank order, so every rank builds the same vocabulary, equal to a single process's on a
   plain file (same words, counts and order). Its digest is compared across ranks.
2. Initial weights: built from the seed on every rank and broadcast from rank 0.
3. Training: each rank trains on its shard with the numba engine (``--device`` unset: the
   natural choice on CPU nodes, ``--threads`` threads per rank) or the torch backend
   (``--device cuda``, one GPU per rank, NCCL), with its own random streams. The learning rate
   decays over the rank's share of epochs x words, so all ranks follow the same schedule.
4. Averaging: every ``--sync-every`` words read per rank (a round), the ranks' changes to the
   weight matrices since the last round are summed with all_reduce and applied with a factor
   per row: ``--combine mean`` divides by the number of ranks (plain model averaging: every
   rank ends with the mean of the ranks' weights); ``--combine adaptive`` (the default) does so
   for the rows of frequent words only and adds up the changes of rare words, which plain
   averaging would shrink (see :class:`Averager`). More frequent rounds are closer to a single
   process's result and cost more communication (docs/distributed.md has measurements).
5. Output: rank 0 writes the vectors once (atomically), in ``wordvec train``'s formats.

Failure: the process group has a timeout (``--timeout``, default 600 s): a rank that crashes
makes the others fail at their next collective operation with one error line (at once when its
connections close, after the timeout when it hangs), rather than wait forever; torchrun then
stops the job with a non-zero status.
"""
from __future__ import annotations

import argparse
import datetime
import hashlib
import io
import json
import logging
import math
import os
import re
import sys
import time
from collections import Counter
from pathlib import Path
from typing import Any, Iterable, Iterator, Sequence

import numpy as np

from ..train import kernels
from ..text.corpus import BLOCK_BYTES, TextBlocks, _last_boundary, count_text, open_corpus
from ..errors import CorpusError, ParameterError, TrainingError, WordvecError
from ..text.vocab import VocabCounter, Vocabulary

try:
    import torch
    import torch.distributed as dist
except ImportError:  # pragma: no cover - exercised only without torch
    torch = None  # type: ignore[assignment]
    dist = None  # type: ignore[assignment]

logger = logging.getLogger(__name__)

PROG = "wordvec.distributed"
DEFAULT_SYNC_EVERY = 200_000
DEFAULT_TIMEOUT = 600.0
COMBINE = ("adaptive", "mean")
#: Expected updates of a row per rank and round above which the ranks' changes are averaged
#: rather than summed (see combine_weights); measured on SST (docs/distributed.md).
ADAPTIVE_UPDATES = 256.0
#: Longest scan for a line start at a shard boundary before cutting at whitespace instead.
MAX_LINE_SCAN = 1 << 20
_SPACE = b" \t\n\v\f\r"


def _require_torch() -> None:
    if dist is None:
        raise ParameterError(
            "distributed training needs PyTorch: install it with pip install 'wordvec[torch]' (or pip install torch)"
        )


# ----------------------------------------------------------------------------------- shards


def _boundary(f: Any, pos: int, size: int) -> int:
    """The first line start at or after byte ``pos``; in a line longer than MAX_LINE_SCAN, the
    first token start after it (so a one-line corpus such as text8 still splits)."""
    if pos <= 0:
        return 0
    if pos >= size:
        return size
    f.seek(pos - 1)
    data = f.read(MAX_LINE_SCAN)
    nl = data.find(b"\n")
    if nl >= 0:
        return pos + nl
    for i, c in enumerate(data):
        if c in _SPACE:
            return pos + i
    return min(size, pos - 1 + len(data))


def shard_range(path: str | os.PathLike, rank: int, world: int) -> tuple[int, int]:
    """Byte range [start, stop) of shard ``rank`` of ``world`` in an uncompressed file: the
    ranges tile the file and each starts at a line start (see :func:`_boundary`)."""
    size = os.path.getsize(path)
    with open(path, "rb") as f:
        return _boundary(f, size * rank // world, size), _boundary(f, size * (rank + 1) // world, size)


class ShardBlocks(TextBlocks):
    """Re-iterable blocks of shard ``rank`` of ``world`` of a text corpus (see the module
    docstring); ``bytes_read`` is the size of the last full pass."""

    def __init__(self, path: str | os.PathLike, rank: int, world: int, block_bytes: int = BLOCK_BYTES) -> None:
        super().__init__(path, block_bytes)
        self.rank, self.world = rank, world
        with open_corpus(self.path) as f:
            self.compressed = not isinstance(f, io.BufferedReader)
        self.range = None if self.compressed else shard_range(self.path, rank, world)
        self.bytes_read = 0

    def blocks(self, start_block: int = 0) -> Iterator[bytes]:
        self.bytes_read = 0
        source = self._round_robin() if self.compressed else self._byte_range()
        for i, block in enumerate(source):
            self.bytes_read += len(block)
            if i >= start_block:
                yield block

    def _round_robin(self) -> Iterator[bytes]:
        for i, block in enumerate(super().blocks()):
            if i % self.world == self.rank:
                yield block

    def _byte_range(self) -> Iterator[bytes]:
        self.invalid_bytes = 0
        start, stop = self.range  # type: ignore[misc]
        with open(self.path, "rb") as f:
            f.seek(start)
            pos, rest = start, b""
            while pos < stop:
                data = f.read(min(self.block_bytes, stop - pos))
                if not data:
                    break
                pos += len(data)
                buf = rest + data
                cut = _last_boundary(buf)
                if cut <= 0:
                    rest = buf
                    continue
                rest = buf[cut:]
                yield self._clean(buf[:cut])
            if rest:
                yield self._clean(rest)


# ----------------------------------------------------------------------------------- collectives


class _Group:
    """The process group: rank, world size, the device collectives use, and error reporting."""

    def __init__(self, device: Any) -> None:
        self.rank = dist.get_rank()
        self.world = dist.get_world_size()
        self.device = device

    def call(self, what: str, fn: Any, *args: Any, **kwargs: Any) -> Any:
        """Run a collective; a lost or timed-out peer becomes one clear TrainingError."""
        try:
            return fn(*args, **kwargs)
        except RuntimeError as e:
            if isinstance(e, WordvecError):
                raise
            cause = re.sub(r"\[[^\]]*\.(cc|cpp|h):\d+\]\s*", "", " ".join(str(e).split())).split(". ")[0][:200]
            raise TrainingError(
                f"rank {self.rank}: {what} failed: another worker stopped, crashed or timed out ({cause}); "
                "see the other workers' output for the first error"
            ) from None

    def gather_bytes(self, data: bytes, what: str) -> list[bytes]:
        """Every rank's ``data``, in rank order (all_gather of padded uint8 tensors)."""
        size = torch.tensor([len(data)], dtype=torch.int64, device=self.device)
        sizes = [torch.zeros_like(size) for _ in range(self.world)]
        self.call(what, dist.all_gather, sizes, size)
        longest = max(int(s.item()) for s in sizes)
        buf = torch.zeros(max(1, longest), dtype=torch.uint8, device=self.device)
        buf[: len(data)] = torch.frombuffer(bytearray(data), dtype=torch.uint8) if data else buf[:0]
        bufs = [torch.zeros_like(buf) for _ in range(self.world)]
        self.call(what, dist.all_gather, bufs, buf)
        return [bytes(b[: int(s.item())].cpu().numpy()) for b, s in zip(bufs, sizes)]

    def sum(self, values: Sequence[float], what: str) -> list[float]:
        t = torch.tensor(list(values), dtype=torch.float64, device=self.device)
        self.call(what, dist.all_reduce, t)
        return t.tolist()

    def broadcast(self, tensors: Iterable[Any]) -> None:
        for t in tensors:
            self.call("broadcasting the initial weights", dist.broadcast, t, 0)


def vocabulary_digest(vocab: Vocabulary) -> str:
    """SHA-256 (hex, 16 digits) of the words and counts, in order."""
    h = hashlib.sha256()
    for w, c in zip(vocab.words, vocab.counts.tolist()):
        h.update(f"{w}\t{c}\n".encode("utf-8"))
    return h.hexdigest()[:16]


# ----------------------------------------------------------------------------------- training


def combine_weights(model: Any, words_per_round: float, world: int) -> np.ndarray:
    """float32 (V,): the factor a word's row applies to the sum of the ranks' changes,
    1 / (1 + (world - 1) min(1, e_w / ADAPTIVE_UPDATES)), with e_w = the expected occurrences of w
    (after subsampling) in one rank's round of ``words_per_round`` words.

    A rare word is changed by few ranks in a round and little: its changes add up, as the
    updates of Hogwild threads do (factor 1). A frequent word's row moves to where its many
    updates balance on every rank: those estimates are averaged (factor 1 / world); summing them
    would overshoot by (world - 1) times the move and diverge from 3 ranks on."""
    kept = model.vocab.counts * np.minimum(1.0, model._tables().keep / 2.0**32)
    expected = kept / max(kept.sum(), 1.0) * words_per_round
    return (1.0 / (1.0 + (world - 1) * np.minimum(1.0, expected / ADAPTIVE_UPDATES))).astype(np.float32)


class Averager:
    """Combines the ranks' weights after each round, in place, identically on every rank:
    W <- W_last + f * sum over ranks of (W_rank - W_last), W_last being the weights after the
    previous round; f = 1 / world for ``combine="mean"`` (plain model averaging: the mean of
    the ranks' weights) and per row for ``combine="adaptive"`` (see :func:`combine_weights`;
    the output matrices of hierarchical softmax and the exact softmax, whose rows every
    example updates, are averaged)."""

    def __init__(self, group: "_Group", tensors: dict[str, Any], factors: dict[str, Any]) -> None:
        self.group = group
        self.bases = {k: t.clone() for k, t in tensors.items()}
        self.factors = {k: f.to(tensors[k].device)[:, None] for k, f in factors.items() if k in tensors}

    def __call__(self, tensors: dict[str, Any]) -> None:
        for name, t in tensors.items():
            base = self.bases[name]
            t.sub_(base)
            self.group.call("averaging the weights", dist.all_reduce, t)
            t.mul_(self.factors.get(name, 1.0 / self.group.world))
            t.add_(base)
            base.copy_(t)



def _run_class(torch_device: bool) -> type:
    """The training driver (the numba engine's or the torch backend's) whose ``epoch`` trains the
    blocks of ``segment`` and continues the same epoch at the next call."""
    if torch_device:
        from ..train.torch_engine import TorchRun as base
    else:
        from ..models.word2vec import _Run as base

    class ShardRun(base):  # type: ignore[valid-type, misc]
        segment: Iterable[bytes] = ()

        def jobs(self, position: int):
            for i, block in enumerate(self.segment):
                yield ("text", block), position + i + 1

        def tensors(self) -> dict[str, Any]:
            """The trained matrices by name, as tensors sharing memory with what trains."""
            m = self.model
            if torch_device:
                found = (self.w_in, self.w_ns, self.w_hs, self.w_sm)
            else:
                found = [torch.from_numpy(a) for a in (m.wv.vectors, m.syn1neg, m.syn1, m.syn1_softmax)]
            return {k: t for k, t in zip(("w_in", "w_ns", "w_hs", "w_sm"), found) if t.shape[0]}

    return ShardRun


def _segment(blocks: Iterator[bytes], state: list[int], limit: float) -> Iterator[bytes]:
    """Blocks of ``blocks`` while the bytes taken so far (state[0]) are below ``limit``."""
    while state[0] < limit:
        block = next(blocks, None)
        if block is None:
            return
        state[0] += len(block)
        yield block


def build_vocab_distributed(model: Any, shard: ShardBlocks, group: _Group) -> dict[str, int]:
    """Count the shard, merge every rank's counts into one vocabulary and set it on ``model``
    (weights initialised from the seed, then broadcast from rank 0).

    Returns this rank's statistics: raw words, in-vocabulary words, bytes, and the global raw
    word count."""
    counter = VocabCounter(model.max_vocab_size)
    count_text(shard, counter)
    local = {
        "words": list(counter.counts.keys()),
        "counts": list(counter.counts.values()),
        "raw": counter.raw_word_count,
        "sentences": counter.n_sentences,
        "invalid": shard.invalid_bytes,
        "pruned": counter.pruned_words,
    }
    payloads = [json.loads(p) for p in group.gather_bytes(json.dumps(local).encode("utf-8"), "gathering the word counts")]
    merged: Counter = Counter()
    for p in payloads:
        merged.update(dict(zip(p["words"], p["counts"])))
    raw_total = sum(p["raw"] for p in payloads)
    vocab = Vocabulary.from_counts(
        merged, model.min_count, model.max_final_vocab, raw_word_count=raw_total,
        n_sentences=sum(p["sentences"] for p in payloads),
    )
    if len(vocab) == 0:
        raise CorpusError(
            f"no word occurs at least min_count={model.min_count} times in the corpus ({raw_total} words)"
            if raw_total else "the corpus is empty: no words to train on"
        )
    invalid = [p["invalid"] for p in payloads]  # a compressed corpus is decoded whole by every rank
    model.invalid_utf8 = max(invalid) if shard.compressed else sum(invalid)
    model.pruned_words = sum(p["pruned"] for p in payloads)
    model._memory_check(len(vocab))
    model._set_vocab(vocab, False)
    digest = vocabulary_digest(vocab)
    digests = [d.decode() for d in group.gather_bytes(digest.encode(), "comparing the vocabularies")]
    if len(set(digests)) != 1:
        raise TrainingError(f"rank {group.rank}: the ranks built different vocabularies (digests {digests})")
    logger.info("rank %d/%d: vocabulary of %d words, digest %s", group.rank, group.world, len(vocab), digest)
    in_vocab = sum(counter.counts.get(w, 0) for w in vocab.words)
    return {"raw": counter.raw_word_count, "words": in_vocab, "bytes": shard.bytes_read, "raw_total": raw_total}


def train_distributed(
    model: Any,
    corpus_file: str | os.PathLike,
    sync_every: int = DEFAULT_SYNC_EVERY,
    device: Any = None,
    batch_size: int | None = None,
    combine: str = "adaptive",
) -> Any:
    """Train ``model`` (a Word2Vec with its parameters set, no vocabulary) data-parallel over the
    initialised default process group; every rank returns the same averaged model.

    ``sync_every``: average the weights every this many words read per rank (at least once an
    epoch). ``device``: None trains each rank with the numba engine, else with the torch backend
    on that device (``batch_size`` examples per batch). ``combine``: how the ranks' weights
    are combined after each round, 'adaptive' or 'mean' (see :class:`Averager`)."""
    _require_torch()
    if combine not in COMBINE:
        raise ParameterError(f"combine must be one of {COMBINE}, got {combine!r}")
    if isinstance(sync_every, bool) or not isinstance(sync_every, int) or sync_every < 1:
        raise ParameterError(f"sync_every must be a positive integer, got {sync_every!r}")
    comm = torch.device(device) if device is not None and torch.device(device).type == "cuda" else torch.device("cpu")
    group = _Group(comm)
    shard = ShardBlocks(corpus_file, group.rank, group.world, block_bytes=int(min(BLOCK_BYTES, max(1 << 14, 3 * sync_every))))
    stats = build_vocab_distributed(model, shard, group)
    streams = range(group.rank * model.workers, (group.rank + 1) * model.workers)
    model._rng = np.stack([kernels.rng_state(model.seed, i) for i in streams])
    cls = _run_class(device is not None)
    extra = {"device": device, "batch_size": batch_size} if device is not None else {}
    state = {
        "epochs": model.epochs, "alpha0": model.alpha, "alpha1": model.min_alpha, "epoch": 0, "position": 0,
        "done": 0, "partial": [0.0] * 5, "totals": [0, 0, 0], "corpus_file": None,
    }
    run = cls(model, "file", shard, state, False, **extra)
    run.words_per_epoch = max(1, stats["words"])  # this rank's share: every rank decays alpha alike
    run.total = model.epochs * run.words_per_epoch
    group.broadcast(run.tensors().values())
    rounds = max(1, math.ceil(stats["raw_total"] / group.world / sync_every))
    factors = {}
    if combine == "adaptive":
        word_factors = torch.from_numpy(combine_weights(model, stats["raw"] / rounds, group.world))
        factors = {"w_in": word_factors, "w_ns": word_factors}
    average = Averager(group, run.tensors(), factors)
    logger.info("rank %d: shard of %d words (%d bytes); %d averaging rounds per epoch", group.rank, stats["raw"], stats["bytes"], rounds)
    t0 = time.perf_counter()
    totals = np.zeros(3)
    try:
        for epoch in range(model.epochs):
            blocks, taken = iter(shard), [0]
            for k in range(rounds):
                limit = stats["bytes"] * (k + 1) / rounds if k < rounds - 1 else math.inf
                run.segment = _segment(blocks, taken, limit)
                run.epoch()  # continues the epoch: state["partial"] accumulates over the segments
                average(run.tensors())
            if device is not None:
                run.to_host()
            loss, examples, *words = group.sum(state["partial"], "summing the epoch's loss")
            totals += words
            state["epoch"] += 1
            state["position"] = 0
            mean = loss / examples if examples else float("nan")
            model.loss_history.append(mean)
            model.running_training_loss = loss
            model.epochs_trained += 1
            model._check_finite(mean, model.alpha, model.min_alpha)
            logger.info("rank %d: epoch %d: mean loss %.4f over %d examples", group.rank, epoch + 1, mean, int(examples))
    finally:
        run.close()
        model.wv.reset_norms()
    seconds = time.perf_counter() - t0
    model.training_summary = {
        "epochs": model.epochs, "raw_words": int(totals[0]), "words": int(totals[1]), "trained_words": int(totals[2]),
        "seconds": seconds, "words_per_sec": totals[0] / seconds if seconds > 0 else float("inf"),
        "final_loss": model.loss_history[-1], "workers": model.workers * group.world, "ranks": group.world,
        "sync_every": sync_every, "rounds_per_epoch": rounds, "combine": combine,
    }
    return model


# ----------------------------------------------------------------------------------- command line


def build_parser() -> argparse.ArgumentParser:
    """``python -m wordvec.distributed train``: ``wordvec train``'s options plus the distributed ones."""
    from ..cli import main as cli

    parser = cli._Parser(prog=f"python -m {PROG}", description="Data-parallel word2vec training with torch.distributed (run it with torchrun).")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND", parser_class=cli._Parser)
    sub.required = True
    single = next(a for a in cli.build_parser()._actions if isinstance(a, argparse._SubParsersAction)).choices["train"]
    p = sub.add_parser("train", parents=[single], add_help=False, help="train word vectors on a corpus file",
                       description="Train word2vec vectors on a corpus file with every worker of the torchrun job; "
                       "rank 0 writes the vectors. The options are those of 'wordvec train' plus the ones below.")
    options = [
        ("--sync-every", dict(type=cli._positive_int, default=DEFAULT_SYNC_EVERY, metavar="N",
                              help="combine the workers' weights every N words read per worker (default %(default)s)")),
        ("--combine", dict(choices=COMBINE, default="adaptive",
                           help="how the workers' weights are combined: 'mean' averages them; 'adaptive' (default) "
                           "averages the rows of frequent words and adds up the changes of the others")),
        ("--device", dict(default=None, help="train each worker with the torch backend on this device ('cuda' uses "
                          "GPU LOCAL_RANK, NCCL); default: the numba engine on the CPU (gloo)")),
        ("--batch-size", dict(type=cli._positive_int, default=None, metavar="N", help="torch backend: pairs per batch")),
        ("--timeout", dict(type=float, default=DEFAULT_TIMEOUT, metavar="SECONDS",
                           help="give up when another worker does not answer for this long (default %(default)s)")),
    ]
    for flag, kwargs in options:
        if flag not in p._option_string_actions:  # 'wordvec train' may have it already
            p.add_argument(flag, **kwargs)
    p.set_defaults(func=cmd_train)
    return parser


def _init_group(args: argparse.Namespace) -> Any:
    """Join torchrun's process group (env:// rendezvous); a single process without torchrun.
    Returns the torch device this rank trains on (None: the numba engine)."""
    device = args.device
    local_rank = int(os.environ.get("LOCAL_RANK", "0"))
    if device is not None:
        from ..train.torch_engine import check_device

        dev = check_device(device)
        if dev.type == "cuda" and dev.index is None:
            device = f"cuda:{local_rank}"
            check_device(device)
            torch.cuda.set_device(device)
    backend = "nccl" if device is not None and torch.device(device).type == "cuda" else "gloo"
    timeout = datetime.timedelta(seconds=args.timeout)
    if "WORLD_SIZE" in os.environ:
        dist.init_process_group(backend, init_method="env://", timeout=timeout)
    else:
        dist.init_process_group(backend, store=dist.HashStore(), rank=0, world_size=1, timeout=timeout)
    return device


def cmd_train(args: argparse.Namespace) -> int:
    from ..cli import main as cli
    from ..models.word2vec import Word2Vec

    _require_torch()
    if args.corpus is None:
        from ..resources import default_corpus_path

        args.corpus = default_corpus_path()
    if str(args.corpus) == "-":
        raise ParameterError("distributed training reads a corpus file, not standard input: save it to a file first")
    for name in ("checkpoint", "resume"):  # inherited from 'wordvec train'
        if getattr(args, name, None):
            raise ParameterError(f"--{name} is not supported by distributed training: a stopped job starts again")
    if not math.isfinite(args.timeout) or args.timeout <= 0:
        raise ParameterError(f"--timeout must be a positive number of seconds, got {args.timeout}")
    fmt = "binary" if args.binary else args.format
    if args.threads is None:
        local_world = int(os.environ.get("LOCAL_WORLD_SIZE", "1"))
        from ..models.word2vec import default_workers

        args.threads = max(1, default_workers() // local_world)
    model = Word2Vec(**cli._train_params(args))
    rank = int(os.environ.get("RANK", "0"))
    if rank == 0:
        out = cli._check_output(args.output)
        if args.save_model:
            cli._check_output(args.save_model, "model file")
    device = _init_group(args)
    try:
        train_distributed(model, args.corpus, args.sync_every, device, args.batch_size, args.combine)
        if dist.get_rank() == 0:
            cli.save_vectors(model.wv, out, fmt)
            if args.save_model:
                model.save(args.save_model)
            print(f"{cli._training_line(model)}; {dist.get_world_size()} workers; vectors ({fmt}) written to {out}")
    finally:
        dist.destroy_process_group()
    return 0


def main(argv: Sequence[str] | None = None) -> int:
    """Run ``python -m wordvec.distributed``; returns the exit status (errors: one line, status 1)."""
    from ..cli import main as cli

    args = build_parser().parse_args(argv)
    logging.basicConfig(level=logging.INFO, format=f"{PROG}: %(message)s")
    try:
        return args.func(args)
    except KeyboardInterrupt:
        print(f"{PROG}: interrupted", file=sys.stderr)
        return cli.EXIT_INTERRUPTED
    except (WordvecError, OSError, KeyError, ValueError, RuntimeError) as exc:
        print(f"{PROG}: error: {cli._error_message(exc)}", file=sys.stderr)
        return cli.EXIT_ERROR
