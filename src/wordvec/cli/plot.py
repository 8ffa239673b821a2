"""``wordvec plot``: pictures of a vector file (``words``, ``map``, ``neighbours``, ``heatmap``,
``analogies``) or of a saved model's training loss (``loss``)."""
from __future__ import annotations

import argparse
from pathlib import Path
from typing import Any, Sequence

from ..errors import ParameterError
from .common import add_vectors_arguments, check_output, load_vectors, positive_int, warn

_METHOD_NAME = {"pca": "PCA", "tsne": "t-SNE"}


def _figure_options(p: argparse.ArgumentParser, method: bool = False) -> None:
    p.add_argument("-o", "--output", required=True, metavar="IMAGE",
                   help="image file; the format follows the extension (.png, .pdf, .svg)")
    if method:
        p.add_argument("--tsne", action="store_true", help="t-SNE instead of PCA (needs scikit-learn)")
    p.add_argument("--title", help="plot title (default: says what is drawn and from which file)")
    p.add_argument("--force", action="store_true", help="replace an image that exists read-only (as cp -f)")
    p.add_argument("--figsize", type=float, nargs=2, metavar=("W", "H"), default=None,
                   help="figure size in inches (default 8 8; 8 5 for loss)")
    p.add_argument("--dpi", type=float, default=None, help="resolution of raster images (default 100)")
    p.add_argument("--fontsize", type=float, default=None, metavar="PT", help="size of the word labels in points")


def add_parser(sub: Any) -> argparse.ArgumentParser:
    from .common import Parser

    p = sub.add_parser("plot", help="draw word maps, neighbours, similarity heatmaps, analogies, loss curves",
                       description="Pictures of word vectors. Each kind is a subcommand with its own --help; "
                       "word labels never overlap.")
    kinds = p.add_subparsers(dest="kind", metavar="KIND", parser_class=Parser)
    kinds.required = True

    k = kinds.add_parser("words", help="the given words in 2-D (PCA or t-SNE fitted on them)",
                         description="Project the vectors of the given words to 2-D (PCA of these words' "
                         "vectors, or t-SNE) and draw a labelled scatter plot. Unknown words are skipped "
                         "with a warning.")
    add_vectors_arguments(k)
    k.add_argument("words", metavar="WORD", nargs="+")
    _figure_options(k, method=True)
    k.set_defaults(func=run_words)

    k = kinds.add_parser("map", help="a map of the N most frequent words",
                         description="Project the N most frequent words (the first N of the file) to 2-D, "
                         "fitted on those N words, and label as many as fit without overlapping, the most "
                         "frequent first.")
    add_vectors_arguments(k)
    k.add_argument("-n", type=positive_int, default=300, help="how many words (default %(default)s)")
    k.add_argument("--labels", type=positive_int, default=None, metavar="K",
                   help="label at most K words (default: as many as fit)")
    _figure_options(k, method=True)
    k.set_defaults(func=run_map)

    k = kinds.add_parser("neighbours", help="the nearest neighbours of one word around it",
                         description="The N nearest neighbours of WORD around it, at a distance of 1 - "
                         "cosine similarity from the centre.")
    add_vectors_arguments(k)
    k.add_argument("word", metavar="WORD")
    k.add_argument("-n", type=positive_int, default=15, help="how many neighbours (default %(default)s)")
    _figure_options(k)
    k.set_defaults(func=run_neighbours)

    k = kinds.add_parser("heatmap", help="cosine similarities of a word list as a heatmap",
                         description="The matrix of cosine similarities between the given words.")
    add_vectors_arguments(k)
    k.add_argument("words", metavar="WORD", nargs="+")
    _figure_options(k)
    k.set_defaults(func=run_heatmap)

    k = kinds.add_parser("analogies", help="arrows between word pairs (man:woman king:queen)",
                         description="Arrows from A to B for each pair A:B, in a 2-D projection fitted on "
                         "the words of the pairs.")
    add_vectors_arguments(k)
    k.add_argument("pairs", metavar="A:B", nargs="+")
    _figure_options(k, method=True)
    k.set_defaults(func=run_analogies)

    k = kinds.add_parser("loss", help="the loss of each epoch of a saved model",
                         description="The per-epoch training loss stored in MODEL (a --save-model file "
                         "or checkpoint).")
    k.add_argument("model", metavar="MODEL")
    _figure_options(k)
    k.set_defaults(func=run_loss)
    return p


def _style(args: argparse.Namespace) -> dict[str, Any]:
    style: dict[str, Any] = {"figsize": args.figsize, "dpi": args.dpi}
    if args.fontsize is not None:
        style["fontsize"] = args.fontsize
    return style


def _prepare(args: argparse.Namespace) -> tuple[Path, Any]:
    from ..plots.figures import check_image_path
    from ..plots.projection import check_method

    if getattr(args, "tsne", False):
        check_method("tsne")
    out = check_output(args.output, "plot")
    check_image_path(out)
    return out, load_vectors(args.vectors, args.format, args.limit)


def _method(args: argparse.Namespace) -> str:
    return "tsne" if getattr(args, "tsne", False) else "pca"


def known_words(kv: Any, words: Sequence[str], at_least: int = 2) -> list[str]:
    """``words`` in ``kv`` (duplicates dropped), warning about the others; error if fewer than ``at_least``."""
    known: list[str] = []
    for w in words:
        if w not in kv:  # a fastText model composes vectors for unknown words
            warn(f"skipping {w!r}: not in the vocabulary")
        elif w not in known:
            known.append(w)
    if len(known) < at_least:
        raise ParameterError(f"need at least {at_least} known words to plot, got {len(known)}")
    return known


def _done(what: str, out: Path) -> int:
    print(f"plotted {what} to {out}")
    return 0


def run_words(args: argparse.Namespace) -> int:
    from ..plots.figures import plot_words

    out, kv = _prepare(args)
    words = known_words(kv, args.words)
    method = _method(args)
    title = args.title or f"{len(words)} words from {Path(args.vectors).name} ({_METHOD_NAME[method]})"
    plot_words(kv[words], words, out, method=method, title=title, **_style(args))
    return _done(f"{len(words)} words", out)


def run_map(args: argparse.Namespace) -> int:
    from ..plots.figures import plot_frequent_words

    out, kv = _prepare(args)
    n = min(args.n, len(kv))
    method = _method(args)
    title = args.title or f"the {n:,} most frequent words of {Path(args.vectors).name} ({_METHOD_NAME[method]})"
    fig = plot_frequent_words(kv, n, out, method=method, max_labels=args.labels, title=title, **_style(args))
    labelled = sum(1 for t in fig.axes[0].texts if t.get_text() and not t.get_text().endswith("labelled"))
    return _done(f"the {n:,} most frequent words ({labelled} labelled)", out)


def run_neighbours(args: argparse.Namespace) -> int:
    from ..plots.figures import plot_neighbours

    out, kv = _prepare(args)
    known_words(kv, [args.word], at_least=1)
    title = args.title or f"the {args.n} nearest neighbours of {args.word!r} in {Path(args.vectors).name}"
    plot_neighbours(kv, args.word, args.n, out, title=title, **_style(args))
    return _done(f"the neighbours of {args.word!r}", out)


def run_heatmap(args: argparse.Namespace) -> int:
    from ..plots.figures import plot_similarity_heatmap

    out, kv = _prepare(args)
    words = known_words(kv, args.words)
    title = args.title or f"cosine similarity of {len(words)} words in {Path(args.vectors).name}"
    plot_similarity_heatmap(kv, words, out, title=title, **_style(args))
    return _done(f"a {len(words)} x {len(words)} similarity heatmap", out)


def run_analogies(args: argparse.Namespace) -> int:
    from ..plots.figures import plot_analogies

    pairs = []
    for text in args.pairs:
        a, sep, b = text.partition(":")
        if not sep or not a or not b or ":" in b:
            raise ParameterError(f"a pair is written A:B (like man:woman), got {text!r}")
        pairs.append((a, b))
    out, kv = _prepare(args)
    kept = [(a, b) for a, b in pairs if len(known_words(kv, [a, b], at_least=0)) == 2]
    if not kept:
        raise ParameterError("no pair has both words in the vocabulary")
    method = _method(args)
    title = args.title or f"{len(kept)} word pairs in {Path(args.vectors).name} ({_METHOD_NAME[method]})"
    plot_analogies(kv, kept, out, method=method, title=title, **_style(args))
    return _done(f"{len(kept)} pairs", out)


def run_loss(args: argparse.Namespace) -> int:
    from ..models.word2vec import Word2Vec
    from ..plots.figures import check_image_path, plot_loss_history

    out = check_output(args.output, "plot")
    check_image_path(out)
    model = Word2Vec.load(args.model)
    if not model.loss_history:
        raise ParameterError(f"'{args.model}' holds no finished epoch: no loss to plot")
    title = args.title or f"training loss of {Path(args.model).name}"
    plot_loss_history(model.loss_history, out, title=title, **_style(args))
    return _done(f"the loss of {len(model.loss_history)} epochs", out)
