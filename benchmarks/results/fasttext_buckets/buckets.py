"""bench_train.py with FastText's n-gram buckets initialised otherwise (an experiment, not an option
of the library): python buckets.py MODE [bench_train.py arguments], MODE one of

- ``uniform``: every bucket uniform in [-1/d, 1/d] (FastText's initialisation before the buckets
  started at zero for skip-gram; CBOW's default);
- ``zero``: every bucket 0 (skip-gram's default);
- ``ft<T>``: fastText 0.9.2's with T threads, which fills only the first T/10 of its input
  matrix's elements (the words, then the first buckets) and leaves the rest 0.

The word rows keep the model's own initialisation."""
import runpy
import sys
from pathlib import Path

import numpy as np

import wordvec.models.fasttext as fasttext_model

mode = sys.argv[1]
if mode not in ("uniform", "zero") and not (mode.startswith("ft") and mode[2:].isdigit()):
    raise SystemExit(f"unknown mode {mode!r}: uniform, zero or ft<threads>")
sys.argv = [sys.argv[0]] + sys.argv[2:]
original = fasttext_model.FastText.set_vocabulary


def set_vocabulary(self, vocab, update=False):
    original(self, vocab, update)
    if update or not self.subwords:
        return
    matrix, n, d = self.wv.input_matrix, len(vocab), self.vector_size
    if mode == "uniform":  # the stream the model drew before: rows 0 .. n + bucket in chunks
        rng = np.random.default_rng([self.seed, 0, 1])
        for a in range(0, matrix.shape[0], 1 << 16):
            b = min(matrix.shape[0], a + (1 << 16))
            rows = (rng.random((b - a, d), dtype=np.float32) * 2 - 1) / d
            matrix[max(a, n):b] = rows[max(a, n) - a:]
    else:
        first = n * d if mode == "zero" else (matrix.size // 10) * int(mode[2:])
        matrix.reshape(-1)[max(first, n * d):] = 0
    self.wv.reset_norms()
    print(f"buckets {mode}: {int(np.count_nonzero(np.abs(matrix[n:]).sum(1)))} of {matrix.shape[0] - n} nonzero",
          flush=True)


fasttext_model.FastText.set_vocabulary = set_vocabulary
runpy.run_path(str(Path(__file__).resolve().parents[2] / "bench_train.py"), run_name="__main__")
