"""The skip-gram step of subword models, variant against variant, on one thread without the driver.

fastText gathers the center word's bag of rows (~25 for minn 3, maxn 6) and scatters its gradient
for every (center, context) pair; wordvec does it once per window (the default) and can also draw
the noise words once per window. This script trains the same vocabulary and corpus with each
variant by calling the kernel directly (one chunk per epoch, one thread, so the timing is the
kernel's alone) and prints words/s and the quality of the composed vectors:

    python benchmarks/bench_subword_step.py --epochs 2          # enmix, variants in alternating order

The end-to-end comparison with fastText and gensim is ``bench_train.py --subwords``.
"""
from __future__ import annotations

import argparse
import gzip
import json
import time
from pathlib import Path

import numpy as np

HERE = Path(__file__).resolve().parent
DEFAULT_CORPUS = HERE.parent.parent / "shared" / "data" / "corpus" / "enmix.txt.gz"
VARIANTS = {"per-pair": (1, False), "per-window": (0, False), "per-window-shared-negatives": (0, True)}


def main() -> None:
    from wordvec import FastText
    from wordvec.train import kernels
    from wordvec.train.subword_engine import SubwordEngine

    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--corpus", type=Path, default=DEFAULT_CORPUS)
    p.add_argument("--epochs", type=int, default=2)
    p.add_argument("--alpha", type=float, default=0.05)
    p.add_argument("--json", type=Path)
    a = p.parse_args()
    opener = gzip.open if a.corpus.suffix == ".gz" else open
    with opener(a.corpus, "rt", encoding="utf8") as f:
        sentences = [line.split() for line in f if line.strip()]
    rows = []
    order = list(VARIANTS)
    for name in order + order[::-1]:
        per_pair, shared = VARIANTS[name]
        model = FastText(sg=1, workers=1, sample=1e-4, min_count=5, alpha=a.alpha, shared_negatives=shared,
                         per_pair_updates=bool(per_pair))
        model.build_vocab(sentences)
        k2i = model.wv.key_to_index
        ids = np.array([k2i[w] for s in sentences for w in s if w in k2i], dtype=np.int32)
        lens = [sum(1 for w in s if w in k2i) for s in sentences]
        offsets = np.zeros(len(lens) + 1, dtype=np.int64)
        np.cumsum(lens, out=offsets[1:])
        engine = SubwordEngine(model)
        stats = np.zeros(kernels.N_STATS)
        t0 = time.perf_counter()
        for e in range(a.epochs):
            a0, a1 = a.alpha * (1 - e / a.epochs), a.alpha * (1 - (e + 1) / a.epochs)
            kernels.train_chunk_center_bags(ids, offsets, engine.w, engine.tables, engine.cfg, a0, a1, engine.rng[0],
                                            stats, engine.bags, per_pair)
        secs = time.perf_counter() - t0
        model.wv.adjust_vectors()
        acc = model.wv.evaluate_word_analogies(restrict_vocab=30000)[0]
        ws = model.wv.evaluate_word_pairs()[1][0]
        row = {"variant": name, "seconds": secs, "words_per_sec": len(ids) * a.epochs / secs,
               "loss": stats[kernels.LOSS] / stats[kernels.EXAMPLES], "analogy": acc, "ws353": float(ws)}
        rows.append(row)
        print(f"{name:28s} {secs:7.1f}s {row['words_per_sec'] / 1e3:7.0f}k words/s  loss {row['loss']:.3f}  "
              f"analogy {100 * acc:.2f}%  ws353 {ws:.3f}", flush=True)
    if a.json:
        a.json.write_text(json.dumps(rows, indent=1))


if __name__ == "__main__":
    main()
