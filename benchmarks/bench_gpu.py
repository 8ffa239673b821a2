"""PyTorch backend benchmark: words/s and quality of ``Word2Vec(device=...)`` beside the numba
CPU engine, on enmix (or a larger corpus made by repeating it), for skip-gram with negative
sampling and with the exact softmax.

The torch backend runs on the GPU when PyTorch sees one, else on the CPU through the same code
(the device used is printed). Quality: analogy accuracy (questions-words, 3CosAdd, 30,000 most
frequent words) and WordSim-353 Spearman, evaluated as benchmarks/bench_train.py does.

    python benchmarks/bench_gpu.py                               # enmix, both objectives
    python benchmarks/bench_gpu.py --repeat 4                    # enmix x 4 (26.6M words)
    python benchmarks/bench_gpu.py --batch-sizes 4096 16384 65536
    python benchmarks/bench_gpu.py --lines 20000 --epochs 1      # a short smoke run (CPU)

The exact softmax needs a small vocabulary: both engines keep the --softmax-vocab most frequent
words (max_final_vocab) in that objective.
"""
from __future__ import annotations

import argparse
import itertools
import os
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

from bench_train import CACHE, DEFAULT_CORPUS, evaluate, plain_corpus  # noqa: E402


def derived_corpus(path: Path, lines: int | None, repeat: int) -> Path:
    """``path`` cut to its first ``lines`` lines and/or repeated ``repeat`` times, in .bench/."""
    if lines is None and repeat == 1:
        return path
    CACHE.mkdir(exist_ok=True)
    out = CACHE / f"{path.stem}{f'_head{lines}' if lines else ''}{f'_x{repeat}' if repeat > 1 else ''}.txt"
    if not out.exists() or out.stat().st_mtime < path.stat().st_mtime:
        with open(path, "rb") as f:
            text = b"".join(itertools.islice(f, lines)) if lines else f.read()
        with open(str(out) + ".tmp", "wb") as f:
            for _ in range(repeat):
                f.write(text)
        os.replace(str(out) + ".tmp", out)
    return out


def train(corpus: Path, params: dict, **engine) -> tuple[object, float]:
    from wordvec import Word2Vec

    model = Word2Vec(**params, **engine)
    model.build_vocab(corpus_file=corpus)
    t0 = time.perf_counter()
    model.train(corpus_file=corpus, total_words=model.corpus_total_words, epochs=model.epochs)
    return model, time.perf_counter() - t0


def main() -> None:
    import torch

    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--corpus", type=Path, default=DEFAULT_CORPUS)
    p.add_argument("--repeat", type=int, default=1, help="train on the corpus repeated this many times")
    p.add_argument("--lines", type=int, default=None, help="only the first N lines (smoke runs)")
    p.add_argument("--device", default="cuda" if torch.cuda.is_available() else "cpu")
    p.add_argument("--batch-sizes", type=int, nargs="+", default=[4096, 16384])
    p.add_argument("--objectives", nargs="+", choices=("ns", "softmax"), default=["ns", "softmax"])
    p.add_argument("--softmax-vocab", type=int, default=10000)
    p.add_argument("--workers", type=int, default=None, help="numba engine threads (default: all cores)")
    p.add_argument("--no-numba", action="store_true", help="skip the numba engine")
    p.add_argument("--dim", type=int, default=100)
    p.add_argument("--epochs", type=int, default=5)
    p.add_argument("--sg", type=int, default=1)
    a = p.parse_args()

    corpus = derived_corpus(plain_corpus(a.corpus), a.lines, a.repeat)
    name = torch.cuda.get_device_name(torch.device(a.device)) if a.device.startswith("cuda") else "CPU"
    print(f"corpus {corpus}; torch {torch.__version__} on {a.device} ({name}); {os.cpu_count()} CPU cores")
    print(f"{'objective':<9} {'engine':<22} {'train s':>8} {'words/s':>11} {'loss':>7} {'analogy':>8} {'ws353':>6}")
    for objective in a.objectives:
        params = dict(vector_size=a.dim, window=5, min_count=5, sample=1e-3, sg=a.sg, epochs=a.epochs, seed=1)
        if objective == "softmax":
            params.update(negative=0, softmax=True, max_final_vocab=a.softmax_vocab)
        engines = [] if a.no_numba else [("numba", {"workers": a.workers})]
        engines += [(f"torch {a.device} b={b}", {"device": a.device, "batch_size": b}) for b in a.batch_sizes]
        for label, engine in engines:
            model, seconds = train(corpus, params, **engine)
            q = evaluate(model.wv)
            words_per_sec = model.training_summary["raw_words"] / seconds
            print(
                f"{objective:<9} {label:<22} {seconds:>8.1f} {words_per_sec:>11,.0f} {model.loss_history[-1]:>7.3f} "
                f"{q['analogy']:>8.1%} {q['ws353']:>6.3f}",
                flush=True,
            )


if __name__ == "__main__":
    main()
