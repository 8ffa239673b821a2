"""Speed of word-vector files and queries, wordvec against gensim (prints figures, asserts nothing).

    python benchmarks/bench_vectors.py [--words 100000] [--dim 100]

Random vectors, so only the timings mean something. Each figure is the best of 3 runs; the
first wordvec text load also includes loading the numba parser from its cache.
"""
from __future__ import annotations

import argparse
import tempfile
import time
from pathlib import Path

import numpy as np
from gensim.models import KeyedVectors as GensimKV

from wordvec.vectors.keyedvectors import KeyedVectors


def best_of(fn, repeat: int = 3) -> float:
    times = []
    for _ in range(repeat):
        t = time.perf_counter()
        fn()
        times.append(time.perf_counter() - t)
    return min(times)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--words", type=int, default=100_000)
    parser.add_argument("--dim", type=int, default=100)
    args = parser.parse_args()
    rng = np.random.default_rng(0)
    words = [f"w{i}" for i in range(args.words)]
    vectors = rng.standard_normal((args.words, args.dim)).astype(np.float32)
    kv = KeyedVectors.from_vectors(words, vectors)
    g = GensimKV(args.dim)
    g.add_vectors(words, vectors)
    print(f"{args.words} words x {args.dim} dimensions")
    with tempfile.TemporaryDirectory() as tmp:
        for binary in (False, True):
            kind = "binary" if binary else "text"
            path = str(Path(tmp) / kind)
            print(f"{kind:6s} save   wordvec {best_of(lambda: kv.save_word2vec_format(path, binary=binary), 1):6.2f} s"
                  f"   gensim {best_of(lambda: g.save_word2vec_format(path + '.g', binary=binary), 1):6.2f} s")
            KeyedVectors.load_word2vec_format(path, binary=binary)
            print(f"{kind:6s} load   wordvec {best_of(lambda: KeyedVectors.load_word2vec_format(path, binary=binary)):6.2f} s"
                  f"   gensim {best_of(lambda: GensimKV.load_word2vec_format(path, binary=binary), 1):6.2f} s")
        native = str(Path(tmp) / "kv.json")
        print(f"native save   wordvec {best_of(lambda: kv.save(native)):6.2f} s")
        print(f"native load   wordvec {best_of(lambda: KeyedVectors.load(native)):6.2f} s"
              f"   (mmap {best_of(lambda: KeyedVectors.load(native, mmap='r')):.3f} s)")
    queries = words[:1000]
    kv.fill_norms()
    g.fill_norms()
    t_ours = best_of(lambda: kv.similar_by_word(queries, topn=10))
    t_gensim = best_of(lambda: [g.most_similar(w, topn=10) for w in queries], 1)
    print(f"1000 most_similar queries: wordvec batched {t_ours:.2f} s   gensim one by one {t_gensim:.2f} s")


if __name__ == "__main__":
    main()
