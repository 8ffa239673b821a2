"""``wordvec print-vectors VECTORS``: the vectors of the words read from standard input.

Like ``fasttext print-word-vectors``: one ``word v1 v2 ... vd`` line per input word (words are
separated by whitespace, in the order given, repeats kept). With a fastText ``.bin`` every word
that has a character n-gram gets a vector, known or not; a word without a vector is reported
with a warning and skipped, and the exit status is then 1.
"""
from __future__ import annotations

import argparse
import functools
import sys
from typing import Any, Callable

import numpy as np


def add_parser(sub: Any, vectors_command: Callable[..., argparse.ArgumentParser], load_vectors: Callable[..., Any],
               warn: Callable[[str], None]) -> None:
    """Register the command with the CLI's shared helpers (passed in: cli.main imports this module)."""
    func = functools.partial(run, load_vectors=load_vectors, warn=warn)
    vectors_command(sub, "print-vectors", func, help="print the vectors of words read from standard input",
                    description="Read words (whitespace-separated) from standard input and print "
                    "'word v1 ... vd' for each, as 'fasttext print-word-vectors'. A fastText .bin gives "
                    "vectors for unknown words too (composed from their character n-grams).")


def run(args: argparse.Namespace, load_vectors: Callable[..., Any], warn: Callable[[str], None]) -> int:
    kv = load_vectors(args.vectors, args.format)
    missing = 0
    out = sys.stdout
    for line in sys.stdin:
        for word in line.split():
            if word not in kv:
                warn(f"no vector for {word!r}: not in the vocabulary and no character n-grams")
                missing += 1
                continue
            vec = np.asarray(kv[word], dtype=np.float32)
            out.write(word + " " + " ".join(f"{x:.5g}" for x in vec.tolist()) + "\n")
    return 1 if missing else 0
