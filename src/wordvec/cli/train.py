"""``wordvec train``: train word2vec vectors on a corpus; resume an interrupted run; continue
training a saved model on new text.

Every user-settable ``Word2Vec`` parameter has a flag, named after word2vec.c's where it has one.
The output format follows the file name (``.bin`` binary, ``.txt``/``.vec`` text, ``.npz`` the
whole model, ``.kv``/``.json`` native) unless ``--format``/``--binary`` says otherwise.
"""
from __future__ import annotations

import argparse
import contextlib
import shlex
import signal
import sys
import tempfile
from pathlib import Path
from typing import Any, Iterator

from ..errors import CorpusError, ParameterError
from ..formats.outputs import WorkRescued, check_outputs, resolve_output, write_or_rescue
from ..train.state import EPOCH_WORDS
from .common import (
    CBOW_ALPHA, EXIT_ERROR, EXIT_INTERRUPTED, EXIT_TERMINATED, OUTPUT_FORMATS, PROG, TRAIN_DEFAULTS, UsageError, check_output, note,
    option_error, output_format, plural, positive_int, save_vectors, train_params, training_line, warn,
)

STDIN_SPOOL_PREFIX = "wordvec-stdin-"
#: Options that may be given with --continue (the others are the saved model's).
CONTINUE_OPTIONS = ("epochs", "alpha", "min_alpha")


def add_parser(sub: Any) -> argparse.ArgumentParser:
    d = TRAIN_DEFAULTS
    p = sub.add_parser("train", help="train word vectors on a corpus",
                       description="Train word2vec vectors on a text corpus (one sentence per line, "
                       "tokens separated by whitespace; plain, .gz or .bz2).")
    p.add_argument("corpus", nargs="?", metavar="CORPUS",
                   help="corpus file, '-' for standard input (default: the bundled SST sentences, "
                   "which the command names when it uses them)")
    p.add_argument("-o", "--output", required=True, metavar="VECTORS",
                   help="where to write the vectors; the format follows the name: .bin word2vec binary, "
                   ".txt/.vec word2vec text, .npz the whole model, .kv/.json native (other names: text)")
    t = p.add_argument_group("training parameters (with --resume, the checkpoint's are used)")
    mode = t.add_mutually_exclusive_group()
    negatives = t.add_mutually_exclusive_group()
    training = [
        mode.add_argument("--sg", dest="sg", action="store_true", help="skip-gram"),
        mode.add_argument("--cbow", dest="sg", action="store_false", help="CBOW (the default, as word2vec.c)"),
        t.add_argument("--dim", "--size", dest="vector_size", type=int, default=d["vector_size"], metavar="N",
                       help="vector dimensionality (default %(default)s)"),
        t.add_argument("--window", type=int, default=d["window"], metavar="N",
                       help="maximum distance between a word and its context words (default %(default)s)"),
        t.add_argument("--negative", type=int, default=None, metavar="K",
                       help=f"negative samples per word (default {d['negative']}; 0 with --hs or --softmax)"),
        t.add_argument("--ns-exponent", type=float, default=None, metavar="P",
                       help=f"noise distribution: count**P (default {d['ns_exponent']}; with --subwords --sg "
                       "fastText's 0.5; 0 samples uniformly)"),
        negatives.add_argument("--shared-negatives", dest="shared_negatives", action="store_true",
                               help="skip-gram: draw the negatives once per window, shared by its context "
                               "words (the default without --subwords; faster, same quality)"),
        negatives.add_argument("--per-pair-negatives", dest="shared_negatives", action="store_false",
                               help="skip-gram: draw the negatives for every (word, context) pair, as word2vec.c "
                               "(the default with --subwords, as fastText)"),
        t.add_argument("--hs", action="store_true", help="hierarchical softmax"),
        t.add_argument("--softmax", action="store_true", help="exact full softmax (slow; small vocabularies)"),
        t.add_argument("--cbow-mean", type=int, choices=(0, 1), default=d["cbow_mean"],
                       help="CBOW: 1 averages the context vectors, 0 sums them (default %(default)s)"),
        t.add_argument("--epochs", "--iter", dest="epochs", type=int, default=d["epochs"], metavar="N",
                       help="passes over the corpus (default %(default)s)"),
        t.add_argument("--min-count", type=int, default=d["min_count"], metavar="N",
                       help="ignore words rarer than this (default %(default)s)"),
        t.add_argument("--max-vocab-size", type=int, default=d["max_vocab_size"], metavar="N",
                       help="while counting, drop the rarest words whenever more than N are held "
                       "(word2vec.c's pruning, bounds memory; default: no limit)"),
        t.add_argument("--max-final-vocab", type=int, default=d["max_final_vocab"], metavar="N",
                       help="keep at most the N most frequent words (raising --min-count as needed; "
                       "default: no limit)"),
        t.add_argument("--sample", type=float, default=d["sample"], metavar="T",
                       help="subsampling threshold for frequent words (default %(default)s; 0 disables)"),
        t.add_argument("--alpha", type=float, default=None, metavar="A",
                       help="initial learning rate, decaying linearly to --min-alpha (default 0.025 with --sg, "
                            f"{CBOW_ALPHA} for CBOW, as word2vec.c)"),
        t.add_argument("--min-alpha", type=float, default=d["min_alpha"], metavar="A",
                       help="final learning rate (default %(default)s)"),
        t.add_argument("--max-sentence-length", type=int, default=d["max_sentence_length"], metavar="N",
                       help="longer lines are cut into pieces of N words (default %(default)s)"),
        t.add_argument("--seed", type=int, default=d["seed"], help="random seed (default %(default)s)"),
        t.add_argument("--device", default=d["device"],
                       help="train with the PyTorch backend on this device ('cuda', 'cuda:1', 'cpu'; needs "
                       "torch); default: the numba engine on the CPU"),
        t.add_argument("--batch-size", type=int, default=d["batch_size"], metavar="N",
                       help="PyTorch backend: training pairs per batch (default %(default)s)"),
        t.add_argument("--subwords", action="store_true",
                       help="fastText: a word's input is the mean of its own and its character n-gram vectors, "
                       "giving vectors for unknown words too (wordvec.FastText)"),
        t.add_argument("--minn", type=int, default=3, metavar="N", help="--subwords: shortest n-gram (default 3)"),
        t.add_argument("--maxn", type=int, default=6, metavar="N", help="--subwords: longest n-gram (default 6)"),
        t.add_argument("--bucket", type=int, default=2000000, metavar="N",
                       help="--subwords: hashed n-gram rows (default 2000000)"),
        t.add_argument("--no-eos", dest="eos", action="store_false",
                       help="--subwords: no line-end word </s> (fastText trains one; gensim does not)"),
        t.add_argument("--streams", type=int, default=None, metavar="N",
                       help="read the corpus file as N evenly spaced runs of blocks side by side (default 8; "
                       "with --subwords one per thread, as fastText's threads read)"),
        t.add_argument("--epoch-words", choices=EPOCH_WORDS, default=None,
                       help="an epoch's worth of training: 'vocabulary', one pass (word2vec's, the default), or "
                       "'all', as many in-vocabulary words as the corpus has tokens of every kind (fastText's, "
                       "the default with --subwords)"),
    ]
    p.add_argument("--threads", type=int, default=None, metavar="N",
                   help="worker threads (default: all cores; also with --resume and --continue)")
    p.add_argument("--binary", action="store_true", help="write the word2vec binary format (same as --format binary)")
    p.add_argument("--format", choices=OUTPUT_FORMATS, default=None,
                   help="output format, overriding the file name: word2vec text, word2vec binary, native "
                   "(JSON + .npy), or model (the whole model, as --save-model)")
    p.add_argument("--save-model", metavar="PATH",
                   help="also save the whole model (.npz): --resume, --continue and every command read it")
    p.add_argument("--save-vocab", metavar="FILE", help="write the vocabulary as 'word count' lines (word2vec.c)")
    p.add_argument("--read-vocab", metavar="FILE",
                   help="take the vocabulary and its counts from FILE ('word count' lines, as --save-vocab and "
                   "word2vec.c write them) instead of counting the corpus; --min-count and --max-final-vocab apply")
    p.add_argument("--plot-loss", metavar="IMAGE", help="draw the loss of each epoch into IMAGE (.png, .pdf, .svg)")
    p.add_argument("--checkpoint", metavar="PATH",
                   help="where Ctrl-C or SIGTERM saves the interrupted run (default: VECTORS.checkpoint.npz; with "
                   "--resume, the checkpoint resumed from)")
    p.add_argument("--resume", metavar="CHECKPOINT",
                   help="continue the interrupted run saved in CHECKPOINT (over CORPUS, default the file it "
                   "started with) to its number of epochs; CHECKPOINT is deleted once the vectors are written")
    p.add_argument("--continue", dest="continue_from", metavar="MODEL",
                   help="train the saved MODEL (a --save-model file) further on CORPUS: new words are added, "
                   "known words keep their vectors; only --epochs, --alpha, --min-alpha, --threads may be given")
    p.add_argument("--allow-changed-corpus", action="store_true",
                   help="with --resume: continue even if the corpus differs from the one the run started with")
    p.add_argument("--force", action="store_true", help="replace outputs that exist read-only (as cp -f)")
    p.add_argument("--no-progress", action="store_true", help="no progress bar")
    p.set_defaults(func=run, sg=False, shared_negatives=None)  # None: the model class's default
    p.set_defaults(training_options=tuple((a.dest, a.option_strings[0], a.default) for a in training))
    return p


@contextlib.contextmanager
def corpus_file(corpus: Any) -> Iterator[Path]:
    """The corpus as a file: itself, or standard input ('-'), a FIFO or a device spooled to a
    temporary file (the engine reads the corpus once per epoch, and a file gets the same
    tokenization and compression detection as any corpus file)."""
    from ..text.files import is_regular_file, is_stdin

    if not is_stdin(corpus) and (is_regular_file(corpus) or not Path(corpus).exists() or Path(corpus).is_dir()):
        yield Path(corpus)  # the reader names what is wrong with a missing path or a directory
        return
    with tempfile.TemporaryDirectory(prefix=STDIN_SPOOL_PREFIX) as tmp:
        spool = Path(tmp) / "corpus.txt"
        if str(corpus) == "-" and sys.stdin is None:
            raise CorpusError("cannot read the corpus from standard input: it is closed")
        try:
            source = sys.stdin.buffer if str(corpus) == "-" else open(corpus, "rb")
        except (OSError, ValueError) as exc:
            raise CorpusError(f"cannot read corpus '{corpus}': {getattr(exc, 'strerror', None) or exc}") from None
        with open(spool, "wb") as f:
            try:
                while block := source.read(1 << 20):
                    f.write(block)
            except (OSError, ValueError) as exc:
                raise CorpusError(f"cannot read corpus '{corpus}': {getattr(exc, 'strerror', None) or exc}") from None
        yield spool


def _save_vocab(model: Any, path: Path | None) -> None:
    if path is not None:
        from ..formats.word2vec import write_vocab

        write_vocab(path, model.vocab.words, model.vocab.counts)


def _read_vocab(model: Any, path: Any) -> None:
    """Give ``model`` the vocabulary of a ``word count`` file (min_count and max_final_vocab applied)."""
    from ..formats.word2vec import read_vocab
    from ..text.vocab import Vocabulary

    counts = read_vocab(path)
    # from_counts orders ties as gensim (the word seen later first); given the file's words in
    # reverse, ties keep the file's order, so a --save-vocab file gives back the same vocabulary.
    vocab = Vocabulary.from_counts(dict(reversed(counts.items())), model.min_count, model.max_final_vocab)
    if len(vocab) == 0:
        raise CorpusError(f"no word of the vocabulary file '{path}' has a count of at least min_count={model.min_count}")
    model.set_vocabulary(vocab)


def _train(corpus: Any, params: dict[str, Any], progress: bool, checkpoint: Any, vocab_out: Path | None,
           vocab_in: Any = None) -> Any:
    """Train a Word2Vec on a corpus file, or on standard input when ``corpus`` is '-'; the
    vocabulary is counted from the corpus, or read from ``vocab_in``.

    On Ctrl-C the model is saved to ``checkpoint`` (when given) and
    :class:`wordvec.errors.TrainingInterrupted` is raised."""
    if params.pop("subwords", False) or "min_n" in params:
        from ..models.fasttext import FastText as Word2Vec  # noqa: N814 - the same interface
    else:
        from ..models.word2vec import Word2Vec

    model = Word2Vec(progress=progress, **params)
    with corpus_file(corpus) as path:
        if vocab_in is not None:
            _read_vocab(model, vocab_in)
        else:
            model.build_vocab(corpus_file=path)
            model.check_vocabulary()
        _save_vocab(model, vocab_out)
        model.train(corpus_file=path, total_words=model.corpus_total_words, epochs=model.epochs, checkpoint=checkpoint)
    return model


def _continue(args: argparse.Namespace, progress: bool, checkpoint: Path, vocab_out: Path | None) -> Any:
    """Train the model saved in ``args.continue_from`` further on ``args.corpus`` (gensim's
    ``build_vocab(update=True)`` then ``train``)."""
    from ..models import fasttext  # noqa: F401 - so that a saved FastText loads as FastText
    from ..models.word2vec import Word2Vec

    model = Word2Vec.load(args.continue_from)
    if model.pending_run is not None:
        raise ParameterError(f"'{args.continue_from}' holds an interrupted run: finish it with --resume first")
    if args.threads is not None:
        model.workers = args.threads
        model.validate()
    kwargs = {"epochs": args.epochs}
    if args.alpha is not None:
        kwargs["start_alpha"] = args.alpha
    kwargs["end_alpha"] = args.min_alpha
    with corpus_file(args.corpus) as path:
        model.build_vocab(corpus_file=path, update=True)
        _save_vocab(model, vocab_out)
        model.train(corpus_file=path, total_words=model.corpus_total_words, checkpoint=checkpoint, progress=progress,
                    **kwargs)
    return model


def _resume(checkpoint: Path, corpus: Any, threads: int | None, progress: bool, save_to: Path,
            allow_changed: bool = False) -> tuple[Any, int | None]:
    """Continue the interrupted run saved in ``checkpoint`` over ``corpus`` (default: the file the
    run started with) to its planned number of epochs; on Ctrl-C save it again to ``save_to``.
    Returns the model and the (0-based) epoch the run resumed in; None for a model whose run
    already completed (saved when writing its outputs failed): it is returned as it is, for its
    outputs to be written."""
    from ..models import fasttext  # noqa: F401 - so that FastText checkpoints load as FastText
    from ..models.word2vec import Word2Vec

    model = Word2Vec.load(checkpoint)
    if model.pending_run is None:
        if not model.epochs_trained:
            raise ParameterError(f"'{checkpoint}' holds no interrupted training run: nothing to resume")
        note(f"'{checkpoint}' holds a run that already completed ({plural(model.epochs_trained, 'epoch')} "
             "trained): writing its outputs (train it further with --continue)")
        return model, None
    if corpus is None:
        stored = model.pending_run.corpus_file
        if stored is None:
            raise ParameterError(f"'{checkpoint}' was not trained from a file: give the corpus as CORPUS")
        if not Path(stored).exists():
            if Path(stored).parent.name.startswith(STDIN_SPOOL_PREFIX):
                raise CorpusError(
                    "the interrupted run read standard input: pipe the same text again and give '-' as CORPUS"
                )
            raise CorpusError(f"the corpus of the interrupted run, '{stored}', does not exist any more; give it as CORPUS")
        corpus = stored
    if threads is not None:
        model.workers = threads
        model.validate()
    start = model.pending_run.epoch
    with corpus_file(corpus) as path:
        model.resume(corpus_file=path, progress=progress, checkpoint=save_to, allow_changed_corpus=allow_changed)
    return model, start


def _writer(model: Any, out: Path, fmt: str) -> Any:
    """What writes ``model`` to ``out`` in format ``fmt``."""
    if fmt == "model":
        return lambda: model.save(out)
    if fmt == "fasttext":
        from ..models.fasttext import save_facebook_model

        return lambda: save_facebook_model(model, out)
    return lambda: save_vectors(model.wv, out, fmt)


def _same_file(a: Any, b: Any) -> bool:
    return b is not None and Path(a).resolve() == Path(b).resolve()


def _resume_command(args: argparse.Namespace, checkpoint: Path, fmt: str) -> str:
    """The command line that continues an interrupted ``train``."""
    from .common import format_from_name

    words = ["wordvec", "train", "--resume", str(checkpoint), "-o", str(args.output)]
    if fmt != (format_from_name(args.output) or "text"):
        words += ["--format", fmt]
    for flag, value in (("--save-model", args.save_model), ("--plot-loss", args.plot_loss)):
        if value:
            words += [flag, str(value)]
    if args.corpus is not None and str(args.corpus) == "-":
        words.append("-")
    return " ".join(shlex.quote(w) for w in words)


def _check_options(args: argparse.Namespace) -> None:
    if args.resume is not None and args.continue_from is not None:
        raise UsageError("--resume and --continue cannot be combined: --resume finishes an interrupted run, "
                         "--continue trains a finished model further")
    if args.read_vocab is not None and (args.resume is not None or args.continue_from is not None):
        raise UsageError("--read-vocab starts a new run: it cannot be given with --resume or --continue")
    if args.binary and args.format not in (None, "binary"):
        raise UsageError(f"--binary contradicts --format {args.format}")
    if args.format == "fasttext" and not args.subwords and args.resume is None and args.continue_from is None:
        raise UsageError("--format fasttext writes a fastText model: train it with --subwords")
    changed = [(dest, opt) for dest, opt, default in args.training_options if getattr(args, dest) != default]
    if args.resume is not None and changed:
        raise UsageError(f"{changed[0][1]} cannot be given with --resume: the run continues with the parameters "
                         "saved in the checkpoint")
    if args.continue_from is not None:
        fixed = [opt for dest, opt in changed if dest not in CONTINUE_OPTIONS]
        if fixed:
            raise UsageError(f"{fixed[0]} cannot be given with --continue: the model keeps its parameters "
                             "(only --epochs, --alpha, --min-alpha and --threads apply)")
        if args.corpus is None:
            raise UsageError("--continue needs the new CORPUS to train on")


def run(args: argparse.Namespace) -> int:
    from ..errors import TrainingInterrupted

    _check_options(args)
    fmt = output_format(args.output, "binary" if args.binary else args.format, option="--binary" if args.binary else "--format")
    out = check_output(args.output)
    if args.save_model:
        check_output(args.save_model, "model file")
    vocab_out = check_output(args.save_vocab, "vocabulary file") if args.save_vocab else None
    if args.plot_loss:
        from ..plots.figures import check_image_path

        check_output(args.plot_loss, "plot")
        check_image_path(args.plot_loss)
    if args.resume is not None:
        checkpoint = Path(args.checkpoint or args.resume)
    else:
        default = out.with_name(out.name + ".checkpoint.npz")
        if resolve_output(out).stream:  # -o /dev/stdout, a FIFO: the checkpoint goes to the current folder
            default = Path(default.name)
        checkpoint = Path(args.checkpoint or default)
    resumed = None if args.resume is None or _same_file(args.resume, checkpoint) else args.resume
    outputs = {"output": out, "model file": args.save_model, "checkpoint": checkpoint,
               "vocabulary file": vocab_out, "plot": args.plot_loss}
    if fmt == "native":
        outputs["output matrix"] = out.with_name(out.name + ".vectors.npy")
    check_outputs(outputs, {"corpus": args.corpus, "resumed checkpoint": resumed, "vocabulary read": args.read_vocab,
                            "continued model": args.continue_from})
    progress = not args.no_progress
    resumed_in = None
    finished = False
    try:
        if args.resume is not None:
            model, resumed_in = _resume(Path(args.resume), args.corpus, args.threads, progress, checkpoint,
                                        args.allow_changed_corpus)
            finished = resumed_in is None
        elif args.continue_from is not None:
            model = _continue(args, progress, checkpoint, vocab_out)
        else:
            if checkpoint.exists():
                warn(f"'{checkpoint}' holds an earlier interrupted run; this run starts over "
                     f"(continue that one with --resume {shlex.quote(str(checkpoint))})")
            if args.corpus is None:
                from ..resources import default_corpus_path

                args.corpus = default_corpus_path()
                note(f"no CORPUS given: training on the bundled SST sentences ({args.corpus})")
            model = _train(args.corpus, train_params(args), progress, checkpoint, vocab_out, args.read_vocab)
    except ParameterError as exc:
        raise option_error(exc) from None
    except TrainingInterrupted as exc:
        terminated = exc.signum == signal.SIGTERM
        print(f"{PROG}: {'terminated' if terminated else 'interrupted'}: checkpoint written to {exc.checkpoint}; "
              f"continue with: {_resume_command(args, checkpoint, fmt)}", file=sys.stderr)
        return EXIT_TERMINATED if terminated else EXIT_INTERRUPTED if exc.signum == signal.SIGINT else 128 + exc.signum
    try:  # a failed write (full disk, Ctrl-C) saves the trained model to the checkpoint instead
        write_or_rescue(_writer(model, out, fmt),
                        model.save, checkpoint, f"writing the {'model' if fmt == 'model' else 'vectors'} to '{out}'")
        if args.save_model:
            write_or_rescue(lambda: model.save(args.save_model), model.save, checkpoint,
                            f"saving the model to '{args.save_model}'")
    except WorkRescued as exc:
        again = f"; write them with: {_resume_command(args, exc.path, fmt)}" if exc.path else ""
        print(f"{PROG}: {'interrupted' if exc.interrupted else 'error'}: {exc}{again}", file=sys.stderr)
        return EXIT_INTERRUPTED if exc.interrupted else EXIT_ERROR
    if args.plot_loss:
        from ..plots.figures import plot_loss_history

        plot_loss_history(model.loss_history, args.plot_loss, title=f"training loss of {out.name}")
    if args.resume is not None and not finished and not _same_file(args.resume, out) and not _same_file(
            args.resume, args.save_model):
        Path(args.resume).unlink(missing_ok=True)  # the run it held is complete
    saved = f" and the model to {args.save_model}" if args.save_model else ""
    what = "the model" if fmt == "model" else f"vectors ({fmt})"
    done = (f"the finished model in {args.resume}: {len(model.wv):,} words x {model.wv.vector_size} dimensions"
            if finished else training_line(model, resumed_in))
    print(f"{done}; {what} written to {out}{saved}")
    return 0
