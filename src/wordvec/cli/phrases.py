"""``wordvec phrases``: join multi-word expressions of a corpus file into single tokens.

Learns one :class:`~wordvec.text.phrases.Phrases` model per pass (pass k on the text as joined
by the earlier passes) and streams the corpus through them to the output file: one sentence per
line, which ``wordvec train`` reads directly. Plain, .gz and .bz2 files are read; the output is
compressed when its name ends in .gz or .bz2. The corpus is read once per pass and once more to
write it, so standard input ('-'), a FIFO or a device is first spooled to a temporary file, as
``wordvec train`` does.
"""
from __future__ import annotations

import argparse
import math
import sys
import time
from pathlib import Path

from ..errors import ParameterError
from .common import positive_int


def _number(text: str) -> float:
    try:
        value = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected a number, got {text!r}") from None
    if not math.isfinite(value):
        raise argparse.ArgumentTypeError(f"expected a finite number, got {text!r}")
    return value


def add_parser(subparsers: argparse._SubParsersAction) -> argparse.ArgumentParser:
    """Add the ``phrases`` command to the ``wordvec`` parser."""
    p = subparsers.add_parser(
        "phrases", help="join frequent multi-word expressions (new_york) into single tokens",
        description="Detect phrases as gensim's Phrases and word2vec.c's word2phrase do (a bigram 'a b' "
        "becomes 'a_b' when its score is above the threshold) and write the corpus with them joined, one "
        "sentence per line. CORPUS is plain text, .gz or .bz2, one sentence per line; '-' reads standard input.",
    )
    p.add_argument("corpus", metavar="CORPUS", help="corpus file, or - for standard input")
    p.add_argument("-o", "--output", required=True, metavar="OUT", help="output corpus (.gz/.bz2 compressed)")
    p.add_argument("--min-count", type=positive_int, default=5, metavar="N",
                   help="ignore words and bigrams counted fewer times (default %(default)s)")
    p.add_argument("--threshold", type=_number, default=None, metavar="T",
                   help="score above which a bigram is a phrase (default 10 with default scoring, 0.5 with npmi)")
    p.add_argument("--scoring", choices=("default", "npmi"), default="default",
                   help="word2vec.c's score (default) or normalized PMI")
    p.add_argument("--passes", type=positive_int, default=1, metavar="N",
                   help="passes: pass k joins the output of pass k-1 again, for longer phrases (default %(default)s)")
    p.add_argument("--connector-words", choices=("none", "english"), default="none",
                   help="words allowed inside a phrase (bank_of_america): none (default) or english")
    p.add_argument("--max-vocab-size", type=positive_int, default=40000000, metavar="N",
                   help="most unigram and bigram counts kept; the rarest are pruned beyond it (default %(default)s)")
    p.add_argument("--delimiter", default="_", help="glue between the words of a phrase (default %(default)s)")
    p.set_defaults(func=run)
    return p


def run(args: argparse.Namespace) -> int:
    """Learn the phrases of ``args.corpus`` and write the joined corpus to ``args.output``."""
    from ..text.phrases import ENGLISH_CONNECTOR_WORDS, learn_phrases, write_phrased
    from .train import corpus_file

    output = Path(args.output)
    folder = output.parent if str(output.parent) else Path(".")
    if output.is_dir() or not folder.is_dir():
        raise ParameterError(f"cannot write output '{output}': {'it is a directory' if output.is_dir() else 'no such folder'}")
    threshold = args.threshold if args.threshold is not None else (0.5 if args.scoring == "npmi" else 10.0)
    params = dict(
        min_count=args.min_count, threshold=threshold, scoring=args.scoring, max_vocab_size=args.max_vocab_size,
        delimiter=args.delimiter, connector_words=ENGLISH_CONNECTOR_WORDS if args.connector_words == "english" else (),
    )
    start = time.perf_counter()
    with corpus_file(args.corpus) as corpus:
        models = learn_phrases(corpus, passes=args.passes, **params)
        for k, model in enumerate(models, 1):
            print(f"pass {k}: {len(model)} phrases", file=sys.stderr)
        stats = write_phrased(models, corpus, output)
    print(
        f"wrote {output}: {stats['sentences']} sentences, {stats['tokens_out']} tokens ({stats['tokens_in']} read, "
        f"{stats['phrases']} phrases joined) in {time.perf_counter() - start:.1f}s",
        file=sys.stderr,
    )
    return 0
