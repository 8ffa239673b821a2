"""``wordvec print-word-vectors``: the vectors of words read from standard input, as word2vec text
lines (``word v1 ... vd``), like fastText's ``print-word-vectors``."""
from __future__ import annotations

import argparse
import sys
from typing import Any

from .common import EXIT_ERROR, add_vectors_arguments, load_vectors, warn

#: Digits per value: enough to give back the same float32 (as the word2vec text writer).
VALUE_FORMAT = "%.9g"


def add_parser(sub: Any) -> argparse.ArgumentParser:
    p = sub.add_parser("print-word-vectors", help="print the vectors of words read from standard input",
                       description="Read words from standard input (whitespace-separated, any number per "
                       "line) and print each one's vector as a word2vec text line 'word v1 ... vd', in the "
                       "order read (a fastText .bin gives vectors for unknown words too, composed from their "
                       "character n-grams); words without a vector are skipped with a warning (exit status 1).")
    add_vectors_arguments(p)
    p.add_argument("--header", action="store_true",
                   help="first print the '<count> <dim>' header line, which makes the output a complete "
                   "word2vec text file (reads all of standard input before printing)")
    p.set_defaults(func=run)
    return p


def _line(word: str, vector: Any) -> str:
    return word + " " + " ".join(VALUE_FORMAT % x for x in vector.tolist())


def run(args: argparse.Namespace) -> int:
    kv = load_vectors(args.vectors, args.format, args.limit)
    unknown = 0
    held: list[str] = []
    for line in sys.stdin:
        for word in line.split():
            if word not in kv:  # a fastText .bin has vectors for unknown words too
                unknown += 1
                warn(f"{word!r} is not in the vocabulary of {args.vectors}: skipped")
            elif args.header:
                held.append(word)
            else:
                print(_line(word, kv[word]), flush=True)
    if args.header:
        print(f"{len(held)} {kv.vector_size}")
        for word in held:
            print(_line(word, kv[word]))
    return EXIT_ERROR if unknown else 0
