"""``wordvec analogy``: A is to B as C is to ? (``wordvec query`` answers many)."""
from __future__ import annotations

import argparse
from typing import Any

from .common import add_vectors_arguments, load_vectors, positive_int, require_words
from .query import format_neighbours


def add_parser(sub: Any) -> argparse.ArgumentParser:
    p = sub.add_parser("analogy", help="A is to B as C is to ?",
                       description="Solve 'A is to B as C is to ?' with 3CosAdd: the words nearest to "
                       "B - A + C (unit vectors), excluding A, B and C.")
    add_vectors_arguments(p)
    for name in ("a", "b", "c"):
        p.add_argument(name, metavar=name.upper())
    p.add_argument("-n", type=positive_int, default=10, help="how many answers (default %(default)s)")
    p.set_defaults(func=run)
    return p


def run(args: argparse.Namespace) -> int:
    kv = load_vectors(args.vectors, args.format, args.limit)
    require_words(kv, [args.a, args.b, args.c], args.vectors)
    print(f"{args.a} : {args.b} :: {args.c} : ?")
    print(format_neighbours(kv.most_similar(positive=[args.b, args.c], negative=[args.a], topn=args.n)))
    return 0
