"""``wordvec glove``: train GloVe vectors on a corpus in one command (what Stanford's
``vocab_count``, ``cooccur``, ``shuffle`` and ``glove`` do in four), or on co-occurrences
counted before (``--cooccurrence``, ours or the C tool's). Options are named after the C tool's.

Errors follow ``wordvec train``: one line ``wordvec: error: ...``; Ctrl-C writes a checkpoint
that ``--resume`` continues.
"""
from __future__ import annotations

import argparse
import shlex
import sys
from pathlib import Path
from typing import Any

from ..errors import ParameterError, TrainingInterrupted
from ..formats.outputs import check_outputs
from .common import EXIT_INTERRUPTED, PROG, check_output, save_vectors, warn
from .train import corpus_file

#: ``glove`` options and the GloVe parameters they set (named in parameter errors).
OPTIONS = {
    "vector_size": "--dim", "window": "--window", "min_count": "--min-count", "x_max": "--x-max",
    "alpha": "--alpha", "learning_rate": "--eta", "epochs": "--epochs", "workers": "--threads",
    "memory": "--memory", "seed": "--seed", "symmetric": "--asymmetric",
    "distance_weighting": "--no-distance-weighting", "dtype": "--float64", "max_final_vocab": "--max-vocab",
}


def add_parser(subparsers: Any) -> argparse.ArgumentParser:
    p = subparsers.add_parser(
        "glove", help="train GloVe vectors on a corpus",
        description="Train GloVe vectors (Pennington et al. 2014) on a text corpus (one document per "
        "line; plain, .gz or .bz2): count the vocabulary and the co-occurrences within a memory budget, "
        "then train with AdaGrad on all cores. The vectors written are W + W~, as the C tool writes.",
    )
    p.add_argument("corpus", nargs="?", metavar="CORPUS", help="corpus file, '-' for standard input")
    p.add_argument("-o", "--output", required=True, metavar="VECTORS", help="where to write the vectors")
    p.add_argument("--format", choices=("text", "binary", "glove", "native"), default="text",
                   help="word2vec text (default), word2vec binary, glove (text without header) or native")
    t = p.add_argument_group("parameters (the C tool's name in brackets)")
    t.add_argument("--dim", "--vector-size", dest="vector_size", type=int, default=100, metavar="N",
                   help="vector size (default %(default)s) [-vector-size]")
    t.add_argument("--window", "--window-size", dest="window", type=int, default=10, metavar="N",
                   help="context words on each side (default %(default)s) [-window-size]")
    t.add_argument("--asymmetric", dest="symmetric", action="store_false",
                   help="left context only [-symmetric 0]")
    t.add_argument("--no-distance-weighting", dest="distance_weighting", action="store_false",
                   help="count every context word 1, not 1/distance [-distance-weighting 0]")
    t.add_argument("--min-count", type=int, default=5, metavar="N",
                   help="ignore words rarer than this (default %(default)s) [-min-count]")
    t.add_argument("--max-vocab", dest="max_final_vocab", type=int, default=None, metavar="N",
                   help="keep at most the N most frequent words [-max-vocab]")
    t.add_argument("--x-max", type=float, default=100.0, metavar="X",
                   help="cutoff of the weighting function (default %(default)s) [-x-max]")
    t.add_argument("--alpha", type=float, default=0.75, metavar="A",
                   help="exponent of the weighting function (default %(default)s) [-alpha]")
    t.add_argument("--eta", "--learning-rate", dest="learning_rate", type=float, default=0.05, metavar="R",
                   help="AdaGrad's initial learning rate (default %(default)s) [-eta]")
    t.add_argument("--epochs", "--iter", dest="epochs", type=int, default=25, metavar="N",
                   help="passes over the co-occurrences (default %(default)s) [-iter]")
    t.add_argument("--memory", default="4.0", metavar="GB",
                   help="memory for counting co-occurrences, GB or a size such as 512MB (default %(default)s) "
                        "[-memory]")
    t.add_argument("--float64", dest="dtype", action="store_const", const="float64", default="float32",
                   help="train in double precision (as glove.c; float32 is as good and faster)")
    t.add_argument("--seed", type=int, default=1, help="random seed (default %(default)s) [-seed]")
    p.add_argument("--threads", type=int, default=None, metavar="N", help="worker threads (default: all cores)")
    p.add_argument("--save-cooccurrence", metavar="FILE",
                   help="also write the co-occurrences as the C tool's binary records (and the vocabulary to "
                        "FILE.vocab, vocab_count's format)")
    p.add_argument("--cooccurrence", metavar="FILE",
                   help="train on these co-occurrences (our or cooccur's records) instead of counting a corpus")
    p.add_argument("--vocab", metavar="FILE",
                   help="with --cooccurrence: its vocabulary, 'word count' lines (default: FILE.vocab)")
    p.add_argument("--save-model", metavar="PATH", help="also save the full model (resumable, .npz)")
    p.add_argument("--checkpoint", metavar="PATH",
                   help="where Ctrl-C saves the interrupted run (default: VECTORS.checkpoint.npz)")
    p.add_argument("--resume", metavar="CHECKPOINT", help="continue the interrupted run saved in CHECKPOINT")
    p.add_argument("--no-progress", action="store_true", help="no progress bar")
    p.set_defaults(func=run)
    return p


def _params(args: argparse.Namespace) -> dict[str, Any]:
    keys = ("vector_size", "window", "symmetric", "distance_weighting", "min_count", "max_final_vocab", "x_max",
            "alpha", "learning_rate", "epochs", "memory", "dtype", "seed")
    params = {k: getattr(args, k) for k in keys}
    try:
        params["memory"] = float(args.memory)
    except ValueError:
        pass
    if args.threads is not None:
        params["workers"] = args.threads
    return params


def _model(args: argparse.Namespace, checkpoint: Path, progress: bool) -> Any:
    from ..models.glove import GloVe

    if args.resume is not None:
        model = GloVe.load(args.resume)
        if model.pending_run is None:
            raise ParameterError(f"'{args.resume}' holds no interrupted training run: nothing to resume")
        if args.threads is not None:
            model.workers = args.threads
        model.resume(progress=progress, checkpoint=checkpoint)
        return model
    if args.cooccurrence is not None:
        if args.corpus is not None:
            raise ParameterError("give either CORPUS or --cooccurrence, not both")
        model = GloVe.from_cooccurrence(args.cooccurrence, args.vocab, progress=progress, **_params(args))
    else:
        if args.corpus is None:
            raise ParameterError("no corpus: give CORPUS (or --cooccurrence FILE)")
        model = GloVe(progress=progress, **_params(args))
        with corpus_file(args.corpus) as path:
            model.build_vocab(corpus_file=path)
            model.build_cooccurrence(corpus_file=path)
    if args.save_cooccurrence:
        model.save_cooccurrence(args.save_cooccurrence)
    model.train(progress=progress, checkpoint=checkpoint)
    return model


def run(args: argparse.Namespace) -> int:
    out = check_output(args.output)
    for path, what in ((args.save_model, "model file"), (args.save_cooccurrence, "co-occurrence file")):
        if path:
            check_output(path, what)
    if args.vocab and not args.cooccurrence:
        raise ParameterError("--vocab goes with --cooccurrence")
    checkpoint = Path(args.checkpoint or args.resume or out.with_name(out.name + ".checkpoint.npz"))
    check_output(checkpoint, "checkpoint")
    resumed = None if args.resume is None or Path(args.resume).resolve() == checkpoint.resolve() else args.resume
    check_outputs(  # formats.outputs' policy: no output is an input or another output
        {"output": out, "model file": args.save_model, "co-occurrence file": args.save_cooccurrence,
         "checkpoint": checkpoint},
        {"corpus": args.corpus, "co-occurrence input": args.cooccurrence, "vocabulary": args.vocab,
         "resumed checkpoint": resumed},
    )
    if args.resume is None and checkpoint.exists():
        warn(f"'{checkpoint}' holds an earlier interrupted run; this run starts over "
             f"(continue that one with --resume {shlex.quote(str(checkpoint))})")
    try:
        model = _model(args, checkpoint, not args.no_progress)
    except ParameterError as exc:
        option = OPTIONS.get(exc.param or "")
        raise ParameterError(f"{exc} (option {option})" if option else str(exc)) from None
    except TrainingInterrupted as exc:
        again = ["wordvec", "glove", "--resume", str(checkpoint), "-o", str(args.output), "--format", args.format]
        if args.save_model:
            again += ["--save-model", str(args.save_model)]
        print(f"{PROG}: interrupted: checkpoint written to {exc.checkpoint}; continue with: "
              f"{' '.join(shlex.quote(w) for w in again)}", file=sys.stderr)
        return EXIT_INTERRUPTED
    if args.format == "glove":
        from ..formats.glove import write_glove_vectors

        write_glove_vectors(out, model.wv.index_to_key, model.wv.vectors)
    else:
        save_vectors(model.wv, out, args.format)
    if args.save_model:
        model.save(args.save_model)
    if args.resume is not None and Path(args.resume).resolve() not in (out.resolve(), Path(args.save_model or out).resolve()):
        Path(args.resume).unlink(missing_ok=True)
    s = model.training_summary
    print(f"trained {len(model.wv):,} words x {model.vector_size} dimensions on {model.cooccurrence.nnz:,} "
          f"co-occurrences ({s['epochs']} epochs) in {s['seconds']:.1f} s, final cost {s['final_loss']:.4f}; "
          f"vectors ({args.format}) written to {out}")
    return 0
