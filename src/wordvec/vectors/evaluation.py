"""Intrinsic evaluation of word vectors, with gensim's definitions and numbers.

* Analogies (Mikolov et al. 2013, the Google ``questions-words`` file): for ``a : b :: c : d``
  predict ``argmax_w cos(w, unit(u_b + u_c - u_a))`` (3CosAdd; ``u`` = unit vectors) over the
  ``restrict_vocab`` most frequent words, excluding a, b, c, exactly as gensim 4's
  ``evaluate_word_analogies`` (same case folding, same five candidates and exclusions, same
  skipping of questions with unknown words; exact score ties, which gensim leaves to the sort,
  go to the more frequent word). Questions are answered in blocks, one matrix product per block.
  3CosMul (Levy & Goldberg 2014) is available with ``similarity_function='most_similar_cosmul'``.
* Word pairs (WordSim-353, SimLex-999 layout ``w1<TAB>w2<TAB>score``, ``#`` comments): Pearson
  and Spearman correlations (scipy) between the human scores and the cosines of the known pairs,
  and the percentage of pairs with unknown words, as gensim's ``evaluate_word_pairs``.

Evaluation reads the vectors only; it never modifies the KeyedVectors (unlike gensim, which
swaps its vocabulary during the run), so it is safe alongside concurrent queries.
"""
from __future__ import annotations

import itertools
import logging
import math
import os
from dataclasses import dataclass, field
from typing import Any

import numpy as np
from scipy import stats

from .. import resources
from ..errors import EvaluationFileError, ParameterError
from ..formats.word2vec import read_text
from ..validation import check_int
from .topk import top_k

logger = logging.getLogger(__name__)

__all__ = [
    "AnalogyResult", "EvaluationFileError", "evaluate_word_pairs", "score_word_analogies",
]

_ANALOGY_CANDIDATES = 5  # gensim asks most_similar for topn=5
_BLOCK_ELEMENTS = 1 << 23  # questions per block * searched words


@dataclass
class AnalogyResult:
    """Outcome of an analogy evaluation.

    ``accuracy`` and ``sections`` are what gensim returns (``sections`` ends with the
    'Total accuracy' section). ``questions`` counts well-formed question lines, ``oov`` those with
    a word outside the searched vocabulary (skipped unless ``dummy4unknown``, then counted wrong).
    """

    accuracy: float
    sections: list[dict] = field(repr=False)
    questions: int
    oov: int
    dummy4unknown: bool = False

    @property
    def oov_ratio(self) -> float:
        """Percentage of questions with an unknown word."""
        return 100.0 * self.oov / self.questions if self.questions else 0.0

    @property
    def skipped(self) -> int:
        """Questions left out of the accuracy (unknown words, unless dummy4unknown)."""
        return 0 if self.dummy4unknown else self.oov


def _ok_vocab(kv: Any, restrict_vocab: int | None, case_insensitive: bool) -> dict[str, int]:
    """Searchable words -> row; with case folding the first (most frequent) variant wins."""
    ok: dict[str, int] = {}
    for i, key in enumerate(kv.index_to_key[:restrict_vocab]):
        if isinstance(key, str):
            ok.setdefault(key.upper() if case_insensitive else key, i)
    return ok


def _log_section(section: dict) -> float:
    correct, incorrect = len(section["correct"]), len(section["incorrect"])
    if correct + incorrect == 0:
        return 0.0
    score = correct / (correct + incorrect)
    logger.info("%s: %.1f%% (%i/%i)", section["section"], 100.0 * score, correct, correct + incorrect)
    return score


def _predict(
    kv: Any, questions: np.ndarray, restrict: int, method: str
) -> np.ndarray:
    """(q, 8) candidate rows for questions (q, 3) of row indices (a, b, c), best first."""
    normed = kv.get_normed_vectors()
    searched = normed[:restrict]
    k = _ANALOGY_CANDIDATES + 3
    block = max(1, _BLOCK_ELEMENTS // max(1, len(searched)))
    out = np.empty((len(questions), min(k, len(searched))), dtype=np.int64)
    for start in range(0, len(questions), block):
        q = questions[start: start + block]
        ua, ub, uc = (normed[q[:, j]].astype(np.float64) for j in range(3))
        if method == "most_similar":
            mean = (ub + uc - ua) / 3
            norms = np.linalg.norm(mean, axis=1, keepdims=True)
            queries = (mean / np.where(norms > 0, norms, 1)).astype(np.float32)
            scores = queries @ searched.T
        else:
            sa, sb, sc = ((1 + u.astype(np.float32) @ searched.T) / 2 for u in (ua, ub, uc))
            scores = sb * sc / (sa + 1e-6)
        out[start: start + len(q)] = top_k(scores, k)
    return out


def score_word_analogies(
    kv: Any,
    analogies: Any = None,
    restrict_vocab: int | None = 300000,
    case_insensitive: bool = True,
    dummy4unknown: bool = False,
    similarity_function: str = "most_similar",
) -> AnalogyResult:
    """Evaluate ``kv`` on an analogy file (default: the bundled questions-words); see the module
    docstring. ``analogies`` is a path (.gz/.bz2 accepted) with ``: section`` header lines and
    ``a b c d`` question lines; other lines are skipped as gensim does."""
    if similarity_function not in ("most_similar", "most_similar_cosmul"):
        raise ParameterError(
            f"similarity_function must be 'most_similar' or 'most_similar_cosmul', got {similarity_function!r}"
        )
    restrict = check_int("restrict_vocab", restrict_vocab, 1, allow_none=True)
    path = os.fspath(resources.datapath(resources.QUESTIONS_WORDS) if analogies is None else analogies)
    ok_vocab = _ok_vocab(kv, restrict, case_insensitive)
    restrict = len(kv) if restrict is None else min(restrict, len(kv))
    logger.info("Evaluating word analogies for top %i words in the model on %s", restrict, path)

    # Pass 1: parse; questions whose words are all known go to one index array.
    sections: list[dict] = []
    entries: list[list] = []  # per section: (quad, question number or None for OOV)
    known: list[tuple[int, int, int]] = []
    n_questions = oov = 0
    for line_no, line in enumerate(read_text(path, EvaluationFileError).split("\n")):
        if line.startswith(": "):
            sections.append({"section": line.lstrip(": ").strip(), "correct": [], "incorrect": []})
            entries.append([])
            continue
        words = line.split()
        if not sections:
            if not words:
                continue
            raise EvaluationFileError(f"{path}: line {line_no + 1}: a question before the first ': section' line")
        if len(words) != 4:
            if words:
                logger.info("Skipping invalid line #%i in %s", line_no, path)
            continue
        quad = tuple(w.upper() for w in words) if case_insensitive else tuple(words)
        n_questions += 1
        if any(w not in ok_vocab for w in quad):
            oov += 1
            entries[-1].append((quad, None))
            continue
        entries[-1].append((quad, len(known)))
        known.append((ok_vocab[quad[0]], ok_vocab[quad[1]], ok_vocab[quad[2]]))
    if n_questions == 0:
        raise EvaluationFileError(f"{path}: no analogy questions ('a b c d' lines under ': section' lines) found")

    # Pass 2: all predictions, blocked matrix products.
    questions = np.asarray(known, dtype=np.intp).reshape(-1, 3)
    candidates = _predict(kv, questions, restrict, similarity_function).tolist() if len(known) else []
    inputs_of = questions.tolist()
    index_to_key = kv.index_to_key
    for section, items in zip(sections, entries):
        for quad, q in items:
            if q is None:
                if dummy4unknown:
                    section["incorrect"].append(quad)
                continue
            a, b, c, expected = quad
            inputs = inputs_of[q]
            sims = [i for i in candidates[q] if i not in inputs][:_ANALOGY_CANDIDATES]
            predicted = None
            for i in sims:
                predicted = index_to_key[i].upper() if case_insensitive else index_to_key[i]
                if predicted in ok_vocab and predicted not in (a, b, c):
                    break
            section["correct" if predicted == expected else "incorrect"].append(quad)
        _log_section(section)

    total = {
        "section": "Total accuracy",
        "correct": list(itertools.chain.from_iterable(s["correct"] for s in sections)),
        "incorrect": list(itertools.chain.from_iterable(s["incorrect"] for s in sections)),
    }
    logger.info("Quadruplets with out-of-vocabulary words: %.1f%% (%i of %i)",
                100.0 * oov / n_questions, oov, n_questions)
    if not dummy4unknown and oov:
        logger.info("NB: %i analogies containing OOV words were skipped from evaluation! "
                    "To change this behavior, use \"dummy4unknown=True\"", oov)
    accuracy = _log_section(total)
    sections.append(total)
    return AnalogyResult(accuracy, sections, n_questions, oov, dummy4unknown)


def evaluate_word_pairs(
    kv: Any,
    pairs: Any = None,
    delimiter: str = "\t",
    encoding: str = "utf8",
    restrict_vocab: int | None = 300000,
    case_insensitive: bool = True,
    dummy4unknown: bool = False,
) -> tuple[Any, Any, float]:
    """``(pearson, spearman, oov_ratio)`` of the model's cosines against human scores.

    ``pearson`` and ``spearman`` are scipy's results ((statistic, pvalue) pairs); ``oov_ratio``
    is the percentage of pairs with an unknown word (of all pairs, or of the scored ones when
    ``dummy4unknown``, whose unknown pairs are scored 0 — gensim's definitions). Lines starting
    with ``#`` and lines that are not ``w1 <delimiter> w2 <delimiter> number`` are skipped; a
    score of nan or inf is refused. With fewer than two pairs to score, the correlations are
    undefined: both are ``(nan, nan)`` (and a warning says why).
    """
    restrict = check_int("restrict_vocab", restrict_vocab, 1, allow_none=True)
    path = os.fspath(resources.datapath(resources.WORDSIM353) if pairs is None else pairs)
    ok_vocab = _ok_vocab(kv, restrict, case_insensitive)
    gold: list[float] = []
    rows: list[tuple[int, int]] = []
    oov = 0
    for line_no, line in enumerate(read_text(path, EvaluationFileError, encoding=encoding).split("\n")):
        if not line or line.startswith("#"):
            continue
        fields = line.split(delimiter)
        if len(fields) != 3:
            logger.info("Skipping invalid line #%d in %s", line_no, path)
            continue
        a, b, sim = (f.upper() for f in fields) if case_insensitive else fields
        try:
            score = float(sim)
        except ValueError:
            logger.info("Skipping invalid line #%d in %s", line_no, path)
            continue
        if not math.isfinite(score):
            raise EvaluationFileError(f"{path}: line {line_no + 1}: the score {fields[2].strip()!r} is not a finite number")
        if a not in ok_vocab or b not in ok_vocab:
            oov += 1
            if dummy4unknown:
                gold.append(score)
                rows.append((-1, -1))
            continue
        gold.append(score)
        rows.append((ok_vocab[a], ok_vocab[b]))
    if not gold and not oov:
        raise EvaluationFileError(
            f"{path}: no usable word pairs: no line is 'w1{delimiter!r}w2{delimiter!r}score'"
        )
    oov_ratio = oov / (len(gold) if dummy4unknown else len(gold) + oov) * 100  # gensim's rounding
    if len(gold) < 2:
        logger.warning("%s: %d pair(s) of known words: correlations need at least 2, reported as nan", path, len(gold))
        undefined = (math.nan, math.nan)
        return undefined, undefined, oov_ratio
    idx = np.asarray(rows, dtype=np.intp)
    known = idx[:, 0] >= 0
    normed = kv.get_normed_vectors()
    model = np.zeros(len(idx), dtype=np.float32)
    model[known] = np.einsum("ij,ij->i", normed[idx[known, 0]], normed[idx[known, 1]])
    spearman = stats.spearmanr(gold, model)
    pearson = stats.pearsonr(gold, model)
    logger.info("Pearson correlation coefficient against %s: %.4f", path, pearson[0])
    logger.info("Spearman rank-order correlation coefficient against %s: %.4f", path, spearman[0])
    logger.info("Pairs with unknown words ratio: %.1f%% (%i)", oov_ratio, oov)
    return pearson, spearman, oov_ratio
