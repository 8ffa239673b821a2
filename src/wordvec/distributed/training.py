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

import hashlib
import json
import logging
import math
import os
import re
from collections import Counter
from typing import Any, Iterable, Iterator, Sequence

import numpy as np

from ..errors import CorpusError, ParameterError, TrainingError, WordvecError
from ..text.corpus import BLOCK_BYTES, count_text
from ..text.shards import ShardBlocks
from ..text.vocab import VocabCounter, Vocabulary
from ..train.driver import Driver
from ..train.engine import Engine
from ..train.jobs import SYNC, CorpusJobs
from ..train.numba_engine import NumbaEngine
from ..train.state import RunState, Tally
from ..validation import check_choice, check_int

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


def require_torch() -> None:
    if dist is None:
        raise ParameterError(
            "distributed training needs PyTorch: install it with pip install 'wordvec[torch]' (or pip install torch)"
        )


# ----------------------------------------------------------------------------------- collectives


class Group:
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
    kept = model.vocab.counts * np.minimum(1.0, model.vocab.keep_thresholds(model.sample) / 2.0**32)
    expected = kept / max(kept.sum(), 1.0) * words_per_round
    return (1.0 / (1.0 + (world - 1) * np.minimum(1.0, expected / ADAPTIVE_UPDATES))).astype(np.float32)


class Averager:
    """Combines the ranks' weights after each round, in place, identically on every rank:
    W <- W_last + f * sum over ranks of (W_rank - W_last), W_last being the weights after the
    previous round; f = 1 / world for ``combine="mean"`` (plain model averaging: the mean of
    the ranks' weights) and per row for ``combine="adaptive"`` (see :func:`combine_weights`;
    the output matrices of hierarchical softmax and the exact softmax, whose rows every
    example updates, are averaged)."""

    def __init__(self, group: "Group", tensors: dict[str, Any], factors: dict[str, Any]) -> None:
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



class ShardJobs(CorpusJobs):
    """The jobs of a shard, with :data:`~wordvec.train.jobs.SYNC` after the block that
    completes each of the first ``rounds - 1`` of ``rounds`` equal parts of its ``size`` bytes
    (the last part ends with the epoch, where the driver synchronises too)."""

    def __init__(self, shard: ShardBlocks, vocab: Vocabulary, max_sentence_length: int, size: int, rounds: int) -> None:
        super().__init__(shard, vocab, max_sentence_length)
        self.size, self.rounds = size, rounds

    def jobs(self, position: int) -> Iterator[tuple[Any, int]]:
        taken, k = 0, 0
        for i, block in enumerate(self.corpus.blocks()):  # type: ignore[union-attr]
            taken += len(block)
            yield block, i + 1
            while k < self.rounds - 1 and taken >= self.size * (k + 1) / self.rounds:
                k += 1
                yield SYNC, i + 1


def build_vocab_distributed(model: Any, shard: ShardBlocks, group: Group) -> dict[str, int]:
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
    model.set_vocabulary(vocab)
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
    are combined after each round, 'adaptive' or 'mean' (see :class:`Averager`). Each rank
    reads its own shard in file order (the model's ``streams`` does not apply)."""
    require_torch()
    check_choice("combine", combine, COMBINE)
    if model.epoch_words != "vocabulary":
        raise ParameterError(
            f"distributed training runs epochs of in-vocabulary words: epoch_words must be 'vocabulary', got "
            f"{model.epoch_words!r}", "epoch_words",
        )
    check_int("sync_every", sync_every, 1)
    comm = torch.device(device) if device is not None and torch.device(device).type == "cuda" else torch.device("cpu")
    group = Group(comm)
    shard = ShardBlocks(corpus_file, group.rank, group.world, block_bytes=int(min(BLOCK_BYTES, max(1 << 14, 3 * sync_every))))
    stats = build_vocab_distributed(model, shard, group)
    if device is None:
        engine: Engine = NumbaEngine(model, shard=group.rank)
    else:
        from ..train.torch_engine import TorchEngine

        engine = TorchEngine(model, device=device, batch_size=batch_size, shard=group.rank)
    tensors = engine.tensors() or {k: torch.from_numpy(a) for k, a in engine.weights().items()}
    group.broadcast(tensors.values())
    rounds = max(1, math.ceil(stats["raw_total"] / group.world / sync_every))
    factors = {}
    if combine == "adaptive":
        word_factors = torch.from_numpy(combine_weights(model, stats["raw"] / rounds, group.world))
        factors = {"w_in": word_factors, "w_ns": word_factors}
    average = Averager(group, tensors, factors)
    logger.info("rank %d: shard of %d words (%d bytes); %d averaging rounds per epoch", group.rank, stats["raw"], stats["bytes"], rounds)

    def job_tally(t: Tally) -> Tally:
        loss, examples, raw, words, trained = group.sum(
            [t.loss, t.examples, t.raw_words, t.words, t.trained_words], "summing the epoch's loss"
        )
        return Tally(loss, examples, int(raw), int(words), int(trained))

    state = RunState(epochs=model.epochs, alpha0=model.alpha, alpha1=model.min_alpha)
    driver = Driver(
        model, engine, ShardJobs(shard, model.vocab, model.max_sentence_length, stats["bytes"], rounds), state,
        units_per_epoch=max(1, stats["words"]),  # this rank's share: every rank decays alpha alike
        callbacks=model.callbacks, sync=lambda: average(tensors), combine=job_tally,
    )
    driver.run(begin=True)
    model.training_summary.update(
        workers=model.workers * group.world, ranks=group.world, sync_every=sync_every, rounds_per_epoch=rounds, combine=combine,
    )
    return model


# ----------------------------------------------------------------------------------- command line
