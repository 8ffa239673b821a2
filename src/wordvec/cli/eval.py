"""``wordvec eval``: analogy accuracy (3CosAdd) and word-similarity correlations of a vector file."""
from __future__ import annotations

import argparse
import json
import math
import os
from pathlib import Path
from typing import Any, Sequence

from ..errors import ParameterError
from .common import add_vectors_arguments, load_vectors, positive_int


def add_parser(sub: Any) -> argparse.ArgumentParser:
    p = sub.add_parser("eval", help="evaluate vectors on analogy and word-similarity sets",
                       description="Analogy accuracy (3CosAdd) and Spearman correlation with human "
                       "similarity scores. Without --analogies/--similarity: the bundled Google "
                       "analogies, WordSim-353 and SimLex-999; with either, only the sets given.")
    add_vectors_arguments(p)
    p.add_argument("--analogies", metavar="FILE", help="analogy questions (': section' headers, 'a b c d' lines)")
    p.add_argument("--similarity", metavar="FILE", nargs="+", action="extend",
                   help="word-pair files ('word1<TAB>word2<TAB>score', '#' comments)")
    p.add_argument("--restrict-vocab", type=positive_int, default=300000, metavar="N",
                   help="answer analogies among the N most frequent words only (default %(default)s)")
    p.add_argument("--json", action="store_true", help="print JSON instead of a table")
    p.set_defaults(func=run)
    return p


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


def bundled_eval_sets() -> tuple[Path, list[Path]]:
    from ..resources import QUESTIONS_WORDS, SIMLEX999, WORDSIM353, datapath

    return datapath(QUESTIONS_WORDS), [datapath(WORDSIM353), datapath(SIMLEX999)]


def run(args: argparse.Namespace) -> int:
    analogies, similarity = args.analogies, args.similarity or []
    if analogies is None and not similarity:
        analogies, similarity = bundled_eval_sets()
    for path in [analogies, *similarity]:
        if path is not None and not Path(path).is_file():
            raise ParameterError(f"evaluation file '{path}' does not exist")
    kv = load_vectors(args.vectors, args.format, args.limit)
    report = evaluate(kv, analogies, similarity, restrict_vocab=args.restrict_vocab)
    report["vectors"] = str(args.vectors)
    if args.json:
        print(json.dumps(report, indent=2, ensure_ascii=False, allow_nan=False))
    else:
        print(format_report(report))
    return 0
