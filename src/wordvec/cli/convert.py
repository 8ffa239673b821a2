"""``wordvec convert``: rewrite a vector file in another format (word2vec text, word2vec binary,
native), optionally keeping only the first N words."""
from __future__ import annotations

import argparse
from pathlib import Path
from typing import Any

from ..errors import ParameterError
from .common import add_vectors_arguments, check_output, load_vectors, output_format, save_vectors

FORMATS = ("text", "binary", "native")


def add_parser(sub: Any) -> argparse.ArgumentParser:
    p = sub.add_parser("convert", help="convert vectors between word2vec text, binary and the native format",
                       description="Read VECTORS (word2vec text or binary, native, or a saved model's vectors) "
                       "and write them to OUTPUT in the format its name says (.bin word2vec binary, "
                       ".txt/.vec word2vec text, .kv/.json native; a trailing .gz/.bz2 compresses word2vec "
                       "files) or --to says. Words keep their order and counts.")
    add_vectors_arguments(p, limit_help="keep only the first N words (the N most frequent in word2vec files)")
    p.add_argument("output", metavar="OUTPUT", help="the file to write")
    p.add_argument("--to", choices=FORMATS, default=None,
                   help="output format, overriding OUTPUT's name (a contradiction is warned about)")
    p.set_defaults(func=run)
    return p


def run(args: argparse.Namespace) -> int:
    fmt = output_format(args.output, args.to, option="--to")
    if fmt == "model":
        raise ParameterError(f"'{args.output}': an .npz file holds a whole trained model (wordvec train "
                             "--save-model); vectors convert to text (.txt/.vec), binary (.bin) or native (.kv)")
    out = check_output(args.output)
    if Path(args.vectors).resolve() == out.resolve():
        raise ParameterError(f"OUTPUT '{out}' is the input file: write to another file")
    kv = load_vectors(args.vectors, args.format, args.limit)
    save_vectors(kv, out, fmt)
    print(f"{len(kv):,} words x {kv.vector_size} dimensions written to {out} ({fmt})")
    return 0
