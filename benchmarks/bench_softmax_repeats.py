"""Exact-softmax training with and without the engine's limit on a word's pairs per batch
(softmax_engine.ROW_STEP; ``--row-step 1e9`` trains as before the limit): mean loss per example
after every job and epoch, the largest weights, training seconds and, with ``--eval``, analogy
accuracy and WordSim-353 on the shared evaluation sets. One JSON result per run (``--out``).

    python benchmarks/bench_softmax_repeats.py --corpus /tmp/enmix2m.txt --min-count 100 --epochs 1 \\
        --alpha 0.05 --min-alpha 0.05 --out cbow.json

(/tmp/enmix2m.txt: the first lines of enmix.txt.gz up to 2,000,000 words.)
"""
from __future__ import annotations

import argparse
import json
import sys
import time
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "src"))
from wordvec import Word2Vec  # noqa: E402
from wordvec.errors import TrainingError  # noqa: E402
from wordvec.models.word2vec import LineSentence  # noqa: E402
from wordvec.train import softmax_engine  # noqa: E402

#: ../shared/data/eval beside the repository (or beside a folder above it, for a worktree).
EVAL = next((d / "shared" / "data" / "eval" for d in Path(__file__).resolve().parents
             if (d / "shared" / "data" / "eval").is_dir()), Path("shared/data/eval"))


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--corpus", required=True)
    p.add_argument("--sg", type=int, default=0)
    p.add_argument("--alpha", type=float, default=0.025)
    p.add_argument("--min-alpha", type=float, default=0.0001)
    p.add_argument("--row-step", type=float, default=None, help="default: the engine's ROW_STEP")
    p.add_argument("--min-count", type=int, default=100)
    p.add_argument("--epochs", type=int, default=1)
    p.add_argument("--workers", type=int, default=2)
    p.add_argument("--size", type=int, default=100)
    p.add_argument("--window", type=int, default=5)
    p.add_argument("--trace-every", type=int, default=1, help="record every N-th job")
    p.add_argument("--eval", action="store_true")
    p.add_argument("--eval-dir", default=str(EVAL))
    p.add_argument("--out", default=None)
    a = p.parse_args()
    if a.row_step is not None:
        softmax_engine.ROW_STEP = a.row_step

    trace = []
    train = softmax_engine.SoftmaxEngine.train
    jobs = [0]

    def traced(self, batch, alpha0, alpha1, worker):
        tally = train(self, batch, alpha0, alpha1, worker)
        jobs[0] += 1
        if jobs[0] % a.trace_every == 0:
            trace.append(dict(job=jobs[0], alpha=alpha0, loss=tally.loss / max(tally.examples, 1),
                              max_u=float(np.abs(self.model.syn1_softmax).max()),
                              max_w=float(np.abs(self.model.wv.vectors).max())))
        return tally

    softmax_engine.SoftmaxEngine.train = traced
    m = Word2Vec(sg=a.sg, softmax=True, hs=0, negative=0, min_count=a.min_count, epochs=a.epochs, workers=a.workers,
                 vector_size=a.size, window=a.window, seed=1, alpha=a.alpha, min_alpha=a.min_alpha)
    m.build_vocab(LineSentence(a.corpus))
    t0 = time.time()
    error = None
    try:
        m.train(LineSentence(a.corpus), total_examples=m.corpus_count, epochs=a.epochs)
    except TrainingError as e:
        error = str(e)
    res = dict(args=vars(a), row_step=softmax_engine.ROW_STEP, V=len(m.wv), seconds=time.time() - t0,
               loss_history=m.loss_history, max_w=float(np.abs(m.wv.vectors).max()),
               max_u=float(np.abs(m.syn1_softmax).max()), error=error)
    if a.eval and error is None:
        res["analogy"] = m.wv.evaluate_word_analogies(str(Path(a.eval_dir) / "questions-words.txt"))[0]
        pearson, spearman, oov = m.wv.evaluate_word_pairs(str(Path(a.eval_dir) / "wordsim353.tsv"))
        res.update(ws353_spearman=float(spearman[0]), ws353_oov=oov)
    res["trace"] = trace
    print(json.dumps({k: v for k, v in res.items() if k != "trace"}, default=float))
    if a.out:
        Path(a.out).write_text(json.dumps(res, indent=1, default=float))


if __name__ == "__main__":
    main()
