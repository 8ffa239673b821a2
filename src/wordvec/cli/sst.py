"""``wordvec sst``: the CS224N assignment-2 word-vectors experiment on the SST sentences."""
from __future__ import annotations

import argparse
from typing import Any

from ..errors import ParameterError
from .common import option_error, positive_int


def add_parser(sub: Any) -> argparse.ArgumentParser:
    p = sub.add_parser("sst", help="the CS224N word-vectors experiment on the SST sentences",
                       description="CS224N assignment 2: 10-dimensional skip-gram vectors with negative "
                       "sampling on the SST sentences, then the PCA plot of 24 words. Writes "
                       "DIR/word_vectors.txt and DIR/word_vectors.png.")
    p.add_argument("-o", "--output", required=True, metavar="DIR", help="output folder (created if needed)")
    p.add_argument("--reference", action="store_true",
                   help="run the assignment's own numpy SGD (slow: close to 3 hours for 40,000 iterations)")
    p.add_argument("--iterations", type=positive_int, default=40000, metavar="N",
                   help="SGD iterations of 50 windows (default %(default)s); the fast path trains as many windows")
    p.add_argument("--alpha", type=float, default=None,
                   help="fast path: initial learning rate (default 0.009, see docs/cli.md)")
    p.add_argument("--threads", type=int, default=None, metavar="N",
                   help="fast path: worker threads (default 1, which makes a run reproducible)")
    p.add_argument("--seed", type=int, default=None, help="random seed (default: 1 fast, 31415 reference)")
    p.add_argument("--no-progress", action="store_true", help="no progress bar")
    p.set_defaults(func=run)
    return p


def run(args: argparse.Namespace) -> int:
    from ..cs224n.sst import run_sst

    kwargs: dict[str, Any] = {}
    for name in ("alpha", "threads"):
        value = getattr(args, name)
        if value is not None and args.reference:
            raise ParameterError(f"--{name} applies to the fast path only, not to --reference")
        if value is not None:
            kwargs["workers" if name == "threads" else name] = value
    try:
        result = run_sst(
            args.output, reference=args.reference, iterations=args.iterations, seed=args.seed,
            progress=not args.no_progress, **kwargs,
        )
    except ParameterError as exc:
        raise option_error(exc) from None
    print(result.summary())
    return 0
