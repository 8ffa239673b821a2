"""``python -m wordvec.distributed train``: ``wordvec train``'s options plus the distributed
ones, run by every process of a torchrun job (see :mod:`.training`)."""
from __future__ import annotations

import argparse
import datetime
import logging
import math
import os
import sys
from typing import Any, Sequence

from ..errors import ParameterError, WordvecError
from .training import COMBINE, DEFAULT_SYNC_EVERY, DEFAULT_TIMEOUT, PROG, dist, require_torch, torch, train_distributed


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

    require_torch()
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
        out = cli.check_output(args.output)
        if args.save_model:
            cli.check_output(args.save_model, "model file")
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
