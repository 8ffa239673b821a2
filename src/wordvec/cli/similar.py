"""``wordvec similar``: the nearest neighbours of one word (``wordvec query`` answers many)."""
from __future__ import annotations

import argparse
from typing import Any

from .common import add_vectors_arguments, load_vectors, positive_int, require_words
from .query import format_neighbours


def add_parser(sub: Any) -> argparse.ArgumentParser:
    p = sub.add_parser("similar", help="nearest neighbours of a word",
                       description="The words whose vectors have the highest cosine similarity with WORD's.")
    add_vectors_arguments(p)
    p.add_argument("word", metavar="WORD")
    p.add_argument("-n", type=positive_int, default=10, help="how many (default %(default)s)")
    p.set_defaults(func=run)
    return p


def run(args: argparse.Namespace) -> int:
    kv = load_vectors(args.vectors, args.format, args.limit)
    require_words(kv, [args.word], args.vectors)
    print(format_neighbours(kv.most_similar(positive=[args.word], topn=args.n)))
    return 0
