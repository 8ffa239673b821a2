"""The ``wordvec`` command: train, evaluate, query and plot word vectors; the CS224N SST experiment.

Subcommands (each has ``--help``): ``train``, ``eval``, ``similar``, ``analogy``, ``plot``,
``sst`` and ``main-job`` (what ``make run`` runs). Training flags are named after word2vec.c's
where it has one (``--size``/``--dim``, ``--iter``/``--epochs``, ``--cbow``, ``--hs``, ...).

A user's mistake (a missing or malformed file, an unknown word, a bad parameter) prints one line
``wordvec: error: ...`` on stderr and exits with status 1 (2 for command-line usage errors);
Ctrl-C exits with status 130 (``train`` first writes a checkpoint that ``train --resume``
continues). No traceback is shown for these; the library's warnings print as
``wordvec: warning: ...``.
"""
from __future__ import annotations

import argparse
import contextlib
import json
import logging
import math
import os
import shlex
import sys
import tempfile
import time
from pathlib import Path
from typing import Any, Callable, Iterator, Sequence

from .. import __version__
from ..formats.atomic import atomic_write
from ..errors import CorpusError, ParameterError, UnknownWordError, VectorFormatError, WordvecError

PROG = "wordvec"
EXIT_ERROR = 1
EXIT_USAGE = 2
EXIT_INTERRUPTED = 130

#: Vector-file formats ``load_vectors`` understands; 'auto' detects them from the content.
VECTOR_FORMATS = ("auto", "text", "binary", "native", "model")

#: ``train`` options and the ``Word2Vec`` parameters they set, with Word2Vec's defaults
#: (tests/test_cli.py checks these against Word2Vec's signature).
TRAIN_DEFAULTS = {
    "vector_size": 100,
    "window": 5,
    "min_count": 5,
    "sample": 1e-3,
    "negative": 5,
    "alpha": None,
    "min_alpha": 0.0001,
    "epochs": 5,
    "seed": 1,
}

#: The ``train`` option of each Word2Vec parameter, named in parameter errors.
TRAIN_OPTIONS = {
    "vector_size": "--dim", "window": "--window", "min_count": "--min-count", "sample": "--sample",
    "negative": "--negative", "alpha": "--alpha", "min_alpha": "--min-alpha", "epochs": "--epochs",
    "workers": "--threads", "seed": "--seed",
}

#: What ``main-job`` trains on the bundled SST corpus (227k tokens): skip-gram, 100 dimensions,
#: 20 epochs (a small corpus needs many passes); about 5 s on 2 cores.
MAIN_JOB_PARAMS = {
    "sg": 1,
    "vector_size": 100,
    "window": 5,
    "min_count": 5,
    "sample": 1e-3,
    "negative": 5,
    "epochs": 20,
    "seed": 1,
}


# ----------------------------------------------------------------------------------- messages

def _one_line(text: str) -> str:
    return " ".join(str(text).split())


def _error_message(exc: BaseException) -> str:
    """One line describing a user error (the exception's own message, made single-line)."""
    if isinstance(exc, OSError) and not isinstance(exc, WordvecError):
        what = exc.strerror or str(exc)
        if exc.filename is not None:
            return _one_line(f"{exc.filename}: {what}")
        return _one_line(what)
    if isinstance(exc, KeyError) and not isinstance(exc, WordvecError) and exc.args:
        return _one_line(str(exc.args[0]))
    return _one_line(str(exc) or type(exc).__name__)


def warn(message: str) -> None:
    """Print ``wordvec: warning: message`` on stderr."""
    print(f"{PROG}: warning: {_one_line(message)}", file=sys.stderr)


class _Parser(argparse.ArgumentParser):
    """argparse with usage errors on one line: ``wordvec: error: <message> (see '<prog> --help')``."""

    def error(self, message: str) -> None:  # type: ignore[override]
        print(f"{PROG}: error: {_one_line(message)} (see '{self.prog} --help')", file=sys.stderr)
        raise SystemExit(EXIT_USAGE)


class _UsageError(Exception):
    """A combination of options the parser cannot check itself; exits with status 2."""


class _WarningLines(logging.Handler):
    """Prints the library's warnings as ``wordvec: warning: ...`` lines."""

    def __init__(self) -> None:
        super().__init__(logging.WARNING)

    def emit(self, record: logging.LogRecord) -> None:
        warn(record.getMessage())


def _positive_int(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected a positive integer, got {text!r}") from None
    if value < 1:
        raise argparse.ArgumentTypeError(f"expected a positive integer, got {value}")
    return value


# ----------------------------------------------------------------------------------- vector files

def detect_vector_format(path: str | os.PathLike) -> str:
    """The format of a vector file from its content: 'native', 'model', 'text' or 'binary'.

    A JSON object is a native ``KeyedVectors.save`` file, a zip archive a ``Word2Vec.save``
    model. Otherwise it is a word2vec file (plain, .gz or .bz2): 'text' when the line after the
    ``"<n> <d>"`` header is a word followed by decimal numbers (how many is the reader's to
    check), else 'binary' (raw float32 bytes practically never read as decimal numbers). A file
    that is none of these is reported by the text reader.
    """
    from ..formats.word2vec import _reading

    with _reading(path, VectorFormatError) as f:
        head = f.read(1 << 16)
    if head.lstrip()[:1] == b"{":
        return "native"
    if head[:4] == b"PK\x03\x04":
        return "model"
    header, _, rest = head.partition(b"\n")
    fields = header.split()
    if len(fields) != 2 or not all(x.isdigit() for x in fields):
        return "text"
    values = rest.split(b"\n", 1)[0].split()[1:]
    try:
        return "text" if values and [float(v) for v in values] else "binary"
    except ValueError:
        return "binary"


def load_vectors(path: str | os.PathLike, fmt: str = "auto") -> Any:
    """Load word vectors as a KeyedVectors from any format :func:`detect_vector_format` knows."""
    from ..vectors.keyedvectors import KeyedVectors

    if fmt not in VECTOR_FORMATS:
        raise ParameterError(f"vector format must be one of {VECTOR_FORMATS}, got {fmt!r}")
    path = Path(path)
    if not path.exists():
        raise VectorFormatError(f"{path}: no such file")
    if path.is_dir():
        raise VectorFormatError(f"{path}: is a directory, not a vector file")
    if fmt == "auto":
        fmt = detect_vector_format(path)
    if fmt == "native":
        return KeyedVectors.load(path)
    if fmt == "model":
        from ..models.word2vec import Word2Vec

        return Word2Vec.load(path).wv
    return KeyedVectors.load_word2vec_format(path, binary=(fmt == "binary"))


def save_vectors(kv: Any, path: str | os.PathLike, fmt: str = "text") -> None:
    """Write ``kv`` as word2vec 'text' or 'binary', or in the 'native' format (JSON + .npy)."""
    if fmt == "native":
        kv.save(path)
    elif fmt in ("text", "binary"):
        kv.save_word2vec_format(path, binary=(fmt == "binary"))
    else:
        raise ParameterError(f"output format must be 'text', 'binary' or 'native', got {fmt!r}")


def check_output(path: str | os.PathLike, what: str = "output") -> Path:
    """Fail before any long computation when ``path`` cannot be written."""
    path = Path(path)
    folder = path.parent if str(path.parent) else Path(".")
    if path.is_dir():
        raise ParameterError(f"{what} '{path}' is a directory; give a file name")
    if not folder.is_dir():
        raise ParameterError(f"cannot write {what} '{path}': folder '{folder}' does not exist")
    if not os.access(folder, os.W_OK):
        raise ParameterError(f"cannot write {what} '{path}': folder '{folder}' is not writable")
    return path


def _write_text(path: str | os.PathLike, text: str) -> None:
    with atomic_write(path, "w") as f:
        f.write(text + "\n")


# ----------------------------------------------------------------------------------- training

STDIN_SPOOL_PREFIX = "wordvec-stdin-"


@contextlib.contextmanager
def corpus_file(corpus: str | os.PathLike) -> Iterator[Path]:
    """The corpus as a file: itself, or standard input spooled to a temporary file when ``corpus``
    is '-' (the engine reads the corpus once per epoch, and a file gets the same tokenization and
    gzip detection as any corpus file)."""
    if str(corpus) != "-":
        yield Path(corpus)
        return
    with tempfile.TemporaryDirectory(prefix=STDIN_SPOOL_PREFIX) as tmp:
        spool = Path(tmp) / "corpus.txt"
        with open(spool, "wb") as f:
            while block := sys.stdin.buffer.read(1 << 20):
                f.write(block)
        yield spool


def _train(
    corpus: str | os.PathLike, params: dict[str, Any], progress: bool, checkpoint: str | os.PathLike | None = None
) -> Any:
    """Train a Word2Vec on a corpus file, or on standard input when ``corpus`` is '-'.

    On Ctrl-C the model is saved to ``checkpoint`` (when given) and
    :class:`wordvec.errors.TrainingInterrupted` is raised."""
    from ..models.word2vec import Word2Vec

    model = Word2Vec(progress=progress, **params)
    with corpus_file(corpus) as path:
        model.build_vocab(corpus_file=path)
        model.train(corpus_file=path, checkpoint=checkpoint)
    return model


def _resume(
    checkpoint: Path, corpus: str | os.PathLike | None, threads: int | None, progress: bool, save_to: Path
) -> Any:
    """Continue the interrupted run saved in ``checkpoint`` over ``corpus`` (default: the file the
    run started with) to its planned number of epochs; on Ctrl-C save it again to ``save_to``."""
    from ..models.word2vec import Word2Vec

    model = Word2Vec.load(checkpoint)
    if model.pending_run is None:
        raise ParameterError(f"'{checkpoint}' holds no interrupted training run: nothing to resume")
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
    elif str(corpus) != "-":
        model.pending_run.corpus_file = str(Path(corpus).resolve())  # where a new checkpoint resumes from
    if threads is not None:
        model.workers = threads
        model.validate()
    with corpus_file(corpus) as path:
        model.resume(corpus_file=path, progress=progress, checkpoint=save_to)
    return model


def _training_line(model: Any) -> str:
    s = model.training_summary
    return (
        f"trained {s['raw_words']:,} words ({s['epochs']} epochs) in {s['seconds']:.1f} s, "
        f"{s['words_per_sec']:,.0f} words/s, final loss {s['final_loss']:.4f}; "
        f"{len(model.wv):,} words x {model.wv.vector_size} dimensions"
    )


def _train_params(args: argparse.Namespace) -> dict[str, Any]:
    params = {key: getattr(args, key) for key in TRAIN_DEFAULTS}
    params["sg"] = int(args.sg)
    params["hs"] = int(args.hs)
    params["softmax"] = args.softmax
    params["workers"] = args.threads
    if args.negative is None:  # --hs or --softmax alone mean that objective only (as word2vec.c)
        params["negative"] = 0 if (args.hs or args.softmax) else TRAIN_DEFAULTS["negative"]
    return params


def _same_file(a: str | os.PathLike, b: str | os.PathLike | None) -> bool:
    return b is not None and Path(a).resolve() == Path(b).resolve()


def _resume_command(args: argparse.Namespace, checkpoint: Path, fmt: str) -> str:
    """The command line that continues an interrupted ``train``."""
    words = ["wordvec", "train", "--resume", str(checkpoint), "-o", str(args.output)]
    if fmt != "text":
        words += ["--format", fmt]
    if args.save_model:
        words += ["--save-model", str(args.save_model)]
    if args.corpus is not None and str(args.corpus) == "-":
        words.append("-")
    return " ".join(shlex.quote(w) for w in words)


def cmd_train(args: argparse.Namespace) -> int:
    from ..errors import TrainingInterrupted

    fmt = "binary" if args.binary else args.format
    out = check_output(args.output)
    if args.save_model:
        check_output(args.save_model, "model file")
    if args.resume is not None:
        changed = [opt for dest, opt, default in args.training_options if getattr(args, dest) != default]
        if changed:
            raise _UsageError(
                f"{changed[0]} cannot be given with --resume: the run continues with the parameters "
                "saved in the checkpoint"
            )
        checkpoint = Path(args.checkpoint or args.resume)
    else:
        checkpoint = Path(args.checkpoint or out.with_name(out.name + ".checkpoint.npz"))
    check_output(checkpoint, "checkpoint")
    if _same_file(checkpoint, out) or _same_file(checkpoint, args.save_model):
        raise ParameterError(f"the checkpoint '{checkpoint}' must be another file than the outputs")
    progress = not args.no_progress
    try:
        if args.resume is not None:
            model = _resume(Path(args.resume), args.corpus, args.threads, progress, checkpoint)
        else:
            if checkpoint.exists():
                warn(f"'{checkpoint}' holds an earlier interrupted run; this run starts over "
                     f"(continue that one with --resume {shlex.quote(str(checkpoint))})")
            if args.corpus is None:
                from ..resources import default_corpus_path

                args.corpus = default_corpus_path()
            model = _train(args.corpus, _train_params(args), progress, checkpoint)
    except ParameterError as exc:
        option = TRAIN_OPTIONS.get(exc.param or "")
        raise ParameterError(f"{exc} (option {option})" if option else str(exc)) from None
    except TrainingInterrupted as exc:
        print(f"{PROG}: interrupted: checkpoint written to {exc.checkpoint}; continue with: "
              f"{_resume_command(args, checkpoint, fmt)}", file=sys.stderr)
        return EXIT_INTERRUPTED
    save_vectors(model.wv, out, fmt)
    if args.save_model:
        model.save(args.save_model)
    if args.resume is not None and not _same_file(args.resume, out) and not _same_file(args.resume, args.save_model):
        Path(args.resume).unlink(missing_ok=True)  # the run it held is complete
    saved = f" and the model to {args.save_model}" if args.save_model else ""
    print(f"{_training_line(model)}; vectors ({fmt}) written to {out}{saved}")
    return 0


# ----------------------------------------------------------------------------------- evaluation

def _finite_or_none(x: Any) -> float | None:
    x = float(x)
    return x if math.isfinite(x) else None


def evaluate(
    kv: Any,
    analogies: str | os.PathLike | None,
    similarity: Sequence[str | os.PathLike],
    restrict_vocab: int = 300000,
) -> dict[str, Any]:
    """Analogy accuracy (3CosAdd, per section) and word-similarity correlations, as plain data.

    Returns ``{"words", "dimensions", "analogies": {file, accuracy, correct, total, questions,
    skipped, sections: [{section, correct, total, accuracy}]} or None, "similarity": [{file,
    pearson, spearman, oov_ratio}]}``; undefined values (no known question or pair) are None.
    """
    report: dict[str, Any] = {"words": len(kv), "dimensions": kv.vector_size, "restrict_vocab": restrict_vocab}
    report["analogies"] = None
    if analogies is not None:
        from ..vectors.evaluation import score_word_analogies

        result = score_word_analogies(kv, analogies, restrict_vocab=restrict_vocab)
        rows = []
        for sec in result.sections:
            correct, total = len(sec["correct"]), len(sec["correct"]) + len(sec["incorrect"])
            rows.append({
                "section": sec["section"], "correct": correct, "total": total,
                "accuracy": correct / total if total else None,
            })
        overall = rows.pop()  # gensim's final 'Total accuracy' section
        report["analogies"] = {
            "file": str(analogies),
            "accuracy": overall["accuracy"],
            "correct": overall["correct"],
            "total": overall["total"],
            "questions": result.questions,
            "skipped": result.skipped,
            "sections": rows,
        }
    report["similarity"] = []
    for path in similarity:
        pearson, spearman, oov = kv.evaluate_word_pairs(path, restrict_vocab=restrict_vocab)
        report["similarity"].append({
            "file": str(path),
            "pearson": _finite_or_none(pearson[0]),
            "spearman": _finite_or_none(spearman[0]),
            "oov_ratio": _finite_or_none(oov),
        })
    return report


def _pct(x: float | None) -> str:
    return "-" if x is None else f"{100 * x:.1f}%"


def _num(x: float | None) -> str:
    return "-" if x is None else f"{x:.3f}"


def format_report(report: dict[str, Any]) -> str:
    """The :func:`evaluate` report as a table for people."""
    lines = [f"{report.get('vectors', 'vectors')}: {report['words']:,} words x {report['dimensions']} dimensions"]
    an = report["analogies"]
    if an is not None:
        lines += [
            "",
            f"analogies: {Path(an['file']).name} (3CosAdd, {report['restrict_vocab']:,} most frequent words)",
            f"  {'section':<28} {'correct':>8} {'total':>8} {'accuracy':>9}",
        ]
        for row in an["sections"]:
            lines.append(f"  {row['section']:<28} {row['correct']:>8,} {row['total']:>8,} {_pct(row['accuracy']):>9}")
        lines.append(f"  {'total':<28} {an['correct']:>8,} {an['total']:>8,} {_pct(an['accuracy']):>9}")
        if an["questions"]:
            lines.append(
                f"  skipped (unknown words): {an['skipped']:,} of {an['questions']:,} questions "
                f"({100 * an['skipped'] / an['questions']:.1f}%)"
            )
    if report["similarity"]:
        lines += [
            "",
            "word similarity (correlation with human scores over the pairs of known words)",
            f"  {'set':<28} {'spearman':>8} {'pearson':>8} {'OOV':>9}",
        ]
        for row in report["similarity"]:
            oov = "-" if row["oov_ratio"] is None else f"{row['oov_ratio']:.1f}%"
            name = Path(row["file"]).name
            lines.append(f"  {name:<28} {_num(row['spearman']):>8} {_num(row['pearson']):>8} {oov:>9}")
    return "\n".join(lines)


def _bundled_eval_sets() -> tuple[Path, list[Path]]:
    from ..resources import QUESTIONS_WORDS, SIMLEX999, WORDSIM353, datapath

    return datapath(QUESTIONS_WORDS), [datapath(WORDSIM353), datapath(SIMLEX999)]


def cmd_eval(args: argparse.Namespace) -> int:
    analogies, similarity = args.analogies, args.similarity or []
    if analogies is None and not similarity:
        analogies, similarity = _bundled_eval_sets()
    for path in [analogies, *similarity]:
        if path is not None and not Path(path).is_file():
            raise ParameterError(f"evaluation file '{path}' does not exist")
    kv = load_vectors(args.vectors, args.format)
    report = evaluate(kv, analogies, similarity, restrict_vocab=args.restrict_vocab)
    report["vectors"] = str(args.vectors)
    if args.json:
        print(json.dumps(report, indent=2, ensure_ascii=False, allow_nan=False))
    else:
        print(format_report(report))
    return 0


# ----------------------------------------------------------------------------------- queries

def _print_neighbours(results: Sequence[tuple[str, float]]) -> None:
    width = max([len(w) for w, _ in results] + [4])
    for rank, (word, sim) in enumerate(results, 1):
        print(f"{rank:>3}  {word:<{width}}  {sim:.4f}")


def _require_words(kv: Any, words: Sequence[str], source: str) -> None:
    for w in words:
        if w not in kv.key_to_index:
            raise UnknownWordError(f"word {w!r} is not in the vocabulary of {source}")


def cmd_similar(args: argparse.Namespace) -> int:
    kv = load_vectors(args.vectors, args.format)
    _require_words(kv, [args.word], args.vectors)
    _print_neighbours(kv.most_similar(positive=[args.word], topn=args.n))
    return 0


def cmd_analogy(args: argparse.Namespace) -> int:
    kv = load_vectors(args.vectors, args.format)
    _require_words(kv, [args.a, args.b, args.c], args.vectors)
    print(f"{args.a} : {args.b} :: {args.c} : ?")
    _print_neighbours(kv.most_similar(positive=[args.b, args.c], negative=[args.a], topn=args.n))
    return 0


# ----------------------------------------------------------------------------------- plots

def _known_words(kv: Any, words: Sequence[str]) -> list[str]:
    """``words`` in ``kv`` (duplicates dropped), warning about the others; error if fewer than 2."""
    known: list[str] = []
    for w in words:
        if w not in kv.key_to_index:
            warn(f"skipping {w!r}: not in the vocabulary")
        elif w not in known:
            known.append(w)
    if len(known) < 2:
        raise ParameterError(f"need at least 2 known words to plot, got {len(known)}")
    return known


def cmd_plot(args: argparse.Namespace) -> int:
    from ..plots.figures import check_image_path, check_method, plot_words

    method = "tsne" if args.tsne else "pca"
    check_method(method)
    out = check_output(args.output, "plot")
    check_image_path(out)
    kv = load_vectors(args.vectors, args.format)
    words = _known_words(kv, args.words)
    plot_words(kv, words, out, method=method, title=args.title)
    print(f"plotted {len(words)} words to {out}")
    return 0


# ----------------------------------------------------------------------------------- experiments

def cmd_sst(args: argparse.Namespace) -> int:
    from ..cs224n.sst import run_sst

    kwargs: dict[str, Any] = {}
    for name in ("alpha", "threads"):
        value = getattr(args, name)
        if value is not None and args.reference:
            raise ParameterError(f"--{name} applies to the fast path only, not to --reference")
        if value is not None:
            kwargs["workers" if name == "threads" else name] = value
    result = run_sst(
        args.output, reference=args.reference, iterations=args.iterations, seed=args.seed,
        progress=not args.no_progress, **kwargs,
    )
    print(result.summary())
    return 0


def cmd_main_job(args: argparse.Namespace) -> int:
    from ..plots.figures import plot_loss_history, plot_words
    from ..resources import default_corpus_path
    from ..cs224n.sst import PLOT_WORDS, output_dir

    out = output_dir(args.out)
    t0 = time.perf_counter()
    corpus = default_corpus_path()
    params = {**MAIN_JOB_PARAMS, "epochs": args.epochs}
    print(f"training skip-gram vectors on {corpus.name}: " + ", ".join(f"{k}={v}" for k, v in params.items()))
    model = _train(corpus, params, progress=not args.no_progress)
    print(_training_line(model))
    kv = model.wv
    files = {"vectors": out / "vectors.txt", "eval_json": out / "eval.json", "eval_table": out / "eval.txt",
             "words_plot": out / "words.png", "loss_plot": out / "loss.png"}
    save_vectors(kv, files["vectors"])
    analogies, similarity = _bundled_eval_sets()
    report = evaluate(kv, analogies, similarity)
    report["vectors"] = str(files["vectors"])
    report["training"] = {**params, **model.training_summary, "loss_history": model.loss_history}
    _write_text(files["eval_json"], json.dumps(report, indent=2, ensure_ascii=False, allow_nan=False))
    table = format_report(report)
    _write_text(files["eval_table"], table)
    print(table)
    words = [w for w in PLOT_WORDS if w in kv.key_to_index]
    plot_words(kv, words, files["words_plot"], title=f"{len(words)} words from the SST vectors (PCA)")
    plot_loss_history(model.loss_history, files["loss_plot"], title="skip-gram training loss on SST")
    print(f"\ndone in {time.perf_counter() - t0:.1f} s; files in {out}/:")
    for name, path in files.items():
        print(f"  {path}  ({name.replace('_', ' ')})")
    return 0


# ----------------------------------------------------------------------------------- parser

def _vectors_command(
    sub: Any, name: str, func: Callable[[argparse.Namespace], int], help: str, description: str
) -> argparse.ArgumentParser:
    """A subcommand reading a vector file: the VECTORS argument and --format."""
    p = sub.add_parser(name, help=help, description=description)
    p.add_argument("vectors", metavar="VECTORS", help="vector file")
    p.add_argument(
        "--format", choices=VECTOR_FORMATS, default="auto",
        help="format of VECTORS: word2vec text or binary, native (KeyedVectors.save), model "
        "(Word2Vec.save); default: detected from the content",
    )
    p.set_defaults(func=func)
    return p


def build_parser() -> argparse.ArgumentParser:
    """The argument parser of the ``wordvec`` command."""
    parser = _Parser(prog=PROG, description="Train, evaluate, query and plot word vectors (word2vec).")
    parser.add_argument("--version", action="version", version=f"{PROG} {__version__}")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND", parser_class=_Parser)
    sub.required = True
    d = TRAIN_DEFAULTS

    p = sub.add_parser("train", help="train word vectors on a corpus",
                       description="Train word2vec vectors on a text corpus (one sentence per line, "
                       "tokens separated by whitespace; plain, .gz or .bz2).")
    p.add_argument("corpus", nargs="?", metavar="CORPUS",
                   help="corpus file, '-' for standard input (default: the bundled SST sentences)")
    p.add_argument("-o", "--output", required=True, metavar="VECTORS", help="where to write the vectors")
    t = p.add_argument_group("training parameters (with --resume, the checkpoint's are used)")
    mode = t.add_mutually_exclusive_group()
    training = [
        mode.add_argument("--sg", dest="sg", action="store_true", help="skip-gram"),
        mode.add_argument("--cbow", dest="sg", action="store_false", help="CBOW (the default, as word2vec.c)"),
        t.add_argument("--dim", "--size", dest="vector_size", type=int, default=d["vector_size"], metavar="N",
                       help="vector dimensionality (default %(default)s)"),
        t.add_argument("--window", type=int, default=d["window"], metavar="N",
                       help="maximum distance between a word and its context words (default %(default)s)"),
        t.add_argument("--negative", type=int, default=None, metavar="K",
                       help=f"negative samples per word (default {d['negative']}; 0 with --hs or --softmax)"),
        t.add_argument("--hs", action="store_true", help="hierarchical softmax"),
        t.add_argument("--softmax", action="store_true", help="exact full softmax (slow; small vocabularies)"),
        t.add_argument("--epochs", "--iter", dest="epochs", type=int, default=d["epochs"], metavar="N",
                       help="passes over the corpus (default %(default)s)"),
        t.add_argument("--min-count", type=int, default=d["min_count"], metavar="N",
                       help="ignore words rarer than this (default %(default)s)"),
        t.add_argument("--sample", type=float, default=d["sample"], metavar="T",
                       help="subsampling threshold for frequent words (default %(default)s; 0 disables)"),
        t.add_argument("--alpha", type=float, default=d["alpha"], metavar="A",
                       help="initial learning rate, decaying linearly to --min-alpha (default 0.025 with --sg, "
                            "0.05 for CBOW, as word2vec.c)"),
        t.add_argument("--min-alpha", type=float, default=d["min_alpha"], metavar="A",
                       help="final learning rate (default %(default)s)"),
        t.add_argument("--seed", type=int, default=d["seed"], help="random seed (default %(default)s)"),
    ]
    p.add_argument("--threads", type=int, default=None, metavar="N",
                   help="worker threads (default: all cores; also with --resume)")
    p.add_argument("--binary", action="store_true", help="write the word2vec binary format (same as --format binary)")
    p.add_argument("--format", choices=("text", "binary", "native"), default="text",
                   help="output format: word2vec text (default), word2vec binary, or native (JSON + .npy)")
    p.add_argument("--save-model", metavar="PATH", help="also save the full model (resumable, .npz)")
    p.add_argument("--checkpoint", metavar="PATH",
                   help="where Ctrl-C saves the interrupted run (default: VECTORS.checkpoint.npz; with "
                   "--resume, the checkpoint resumed from)")
    p.add_argument("--resume", metavar="CHECKPOINT",
                   help="continue the interrupted run saved in CHECKPOINT (over CORPUS, default the file it "
                   "started with) to its number of epochs; CHECKPOINT is deleted once the vectors are written")
    p.add_argument("--no-progress", action="store_true", help="no progress bar")
    p.set_defaults(func=cmd_train, sg=False)
    p.set_defaults(training_options=tuple((a.dest, a.option_strings[0], a.default) for a in training))

    p = _vectors_command(sub, "eval", cmd_eval, help="evaluate vectors on analogy and word-similarity sets",
                         description="Analogy accuracy (3CosAdd) and Spearman correlation with human "
                         "similarity scores. Without --analogies/--similarity: the bundled Google "
                         "analogies, WordSim-353 and SimLex-999; with either, only the sets given.")
    p.add_argument("--analogies", metavar="FILE", help="analogy questions (': section' headers, 'a b c d' lines)")
    p.add_argument("--similarity", metavar="FILE", nargs="+", action="extend",
                   help="word-pair files ('word1<TAB>word2<TAB>score', '#' comments)")
    p.add_argument("--restrict-vocab", type=_positive_int, default=300000, metavar="N",
                   help="use only the N most frequent words (default %(default)s)")
    p.add_argument("--json", action="store_true", help="print JSON instead of a table")

    p = _vectors_command(sub, "similar", cmd_similar, help="nearest neighbours of a word",
                         description="The words whose vectors have the highest cosine similarity with WORD's.")
    p.add_argument("word", metavar="WORD")
    p.add_argument("-n", type=_positive_int, default=10, help="how many (default %(default)s)")

    p = _vectors_command(sub, "analogy", cmd_analogy, help="A is to B as C is to ?",
                         description="Solve 'A is to B as C is to ?' with 3CosAdd: the words nearest to "
                         "B - A + C (unit vectors), excluding A, B and C.")
    for name in ("a", "b", "c"):
        p.add_argument(name, metavar=name.upper())
    p.add_argument("-n", type=_positive_int, default=10, help="how many answers (default %(default)s)")

    p = _vectors_command(sub, "plot", cmd_plot, help="plot words in 2-D (PCA or t-SNE)",
                         description="Project the vectors of the given words to 2-D (PCA of these words' "
                         "vectors, or t-SNE) and draw a labelled scatter plot. Unknown words are skipped "
                         "with a warning.")
    p.add_argument("words", metavar="WORD", nargs="+")
    p.add_argument("-o", "--output", required=True, metavar="IMAGE",
                   help="image file; the format follows the extension (.png, .pdf, .svg)")
    p.add_argument("--tsne", action="store_true", help="t-SNE instead of PCA (needs scikit-learn)")
    p.add_argument("--title", help="plot title")

    p = sub.add_parser("sst", help="the CS224N word-vectors experiment on the SST sentences",
                       description="CS224N assignment 2: 10-dimensional skip-gram vectors with negative "
                       "sampling on the SST sentences, then the PCA plot of 24 words. Writes "
                       "DIR/word_vectors.txt and DIR/word_vectors.png.")
    p.add_argument("-o", "--output", required=True, metavar="DIR", help="output folder (created if needed)")
    p.add_argument("--reference", action="store_true",
                   help="run the assignment's own numpy SGD (slow: close to 3 hours for 40,000 iterations)")
    p.add_argument("--iterations", type=_positive_int, default=40000, metavar="N",
                   help="SGD iterations of 50 windows (default %(default)s); the fast path trains as many windows")
    p.add_argument("--alpha", type=float, default=None,
                   help="fast path: initial learning rate (default 0.009, see docs/cli.md)")
    p.add_argument("--threads", type=int, default=None, metavar="N",
                   help="fast path: worker threads (default 1, which makes a run reproducible)")
    p.add_argument("--seed", type=int, default=None, help="random seed (default: 1 fast, 31415 reference)")
    p.add_argument("--no-progress", action="store_true", help="no progress bar")
    p.set_defaults(func=cmd_sst)

    p = sub.add_parser("main-job", help="train, evaluate and plot on the bundled corpus (make run)",
                       description="Train skip-gram vectors on the bundled SST corpus, evaluate them on "
                       "the bundled sets and plot them; writes vectors.txt, eval.json, eval.txt, "
                       "words.png and loss.png into DIR.")
    p.add_argument("--out", default="out", metavar="DIR", help="output folder (default %(default)s)")
    p.add_argument("--epochs", type=_positive_int, default=MAIN_JOB_PARAMS["epochs"], metavar="N",
                   help="passes over the corpus (default %(default)s)")
    p.add_argument("--no-progress", action="store_true", help="no progress bar")
    p.set_defaults(func=cmd_main_job)

    from . import glove

    glove.add_parser(sub)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Run the ``wordvec`` command line; returns the exit status."""
    parser = build_parser()
    args = parser.parse_args(argv)
    func: Callable[[argparse.Namespace], int] = args.func
    library_log = logging.getLogger("wordvec")
    warnings = _WarningLines()
    library_log.addHandler(warnings)
    try:
        return func(args)
    except _UsageError as exc:
        print(f"{PROG}: error: {_one_line(str(exc))} (see '{PROG} {args.command} --help')", file=sys.stderr)
        return EXIT_USAGE
    except KeyboardInterrupt:
        print(f"{PROG}: interrupted", file=sys.stderr)
        return EXIT_INTERRUPTED
    except BrokenPipeError:  # e.g. `wordvec similar ... | head -1`
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
        return EXIT_ERROR
    except (WordvecError, OSError, KeyError, ValueError) as exc:
        print(f"{PROG}: error: {_error_message(exc)}", file=sys.stderr)
        return EXIT_ERROR
    finally:
        library_log.removeHandler(warnings)
