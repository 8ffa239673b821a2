"""The restructure's kernel A/B: the word2vec kernel of commit c88f1d0 (one module, cfg as an
int64 array) against today's (kernels package, KernelConfig, bags of rows, skip_loss), on the
same jobs of the first 6 MB of enmix, one thread, interleaved runs; checks that both produce
bit-identical weights and prints the median time ratio (after / before).

    python benchmarks/bench_restructure_kernels.py 1 src     # skip-gram
    python benchmarks/bench_restructure_kernels.py 0 src     # CBOW
"""
import gzip
import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

HERE = Path(__file__).resolve().parent
sys.path.insert(0, sys.argv[2])
OLD = Path(tempfile.mkdtemp()) / "oldkernels.py"
OLD.write_bytes(subprocess.run(["git", "-C", str(HERE), "show", "c88f1d0:src/wordvec/kernels.py"], check=True,
                               capture_output=True).stdout)
from wordvec.models.word2vec import Word2Vec
from wordvec.train import kernels as newk
from wordvec.train.numba_engine import build_tables, kernel_config
from wordvec.train.jobs import CorpusJobs
from wordvec.text.corpus import TextBlocks
import importlib.util
spec = importlib.util.spec_from_file_location("oldkernels", OLD)
oldk = importlib.util.module_from_spec(spec); spec.loader.exec_module(oldk)
raw = gzip.open(HERE.parent.parent / "shared/data/corpus/enmix.txt.gz").read(6_000_000)
CORPUS = OLD.with_name("c.txt")
open(CORPUS, "wb").write(raw[: raw.rfind(b"\n") + 1])
sg = int(sys.argv[1])
m = Word2Vec(sg=sg, workers=1, min_count=5, vector_size=100).build_vocab(corpus_file=CORPUS)
src = CorpusJobs(TextBlocks(CORPUS), m.vocab, 10000)
batches = [src.encode(j) for j, _ in src.jobs(0)]
tables = build_tables(m.vocab, False, m.sample, m.ns_exponent)
cfg_new = kernel_config(m)
cfg_old = np.zeros(oldk.N_CFG, dtype=np.int64)
cfg_old[[oldk.SG, oldk.WINDOW, oldk.NEGATIVE, oldk.HS, oldk.CBOW_MEAN, oldk.SHARED_NEGATIVES, oldk.LOOKAHEAD]] = (sg, 5, 5, 0, 1, 1, 2)
otables = oldk.Tables(*tables)
def weights():
    return newk.Weights(m.wv.vectors.copy(), m.syn1neg.copy(), m.syn1.copy())
def run_new():
    w = weights(); rng = newk.rng_state(1, 0); st = np.zeros(3)
    t = time.perf_counter()
    for b in batches: newk.train_chunk(b.ids, b.offsets, w, tables, cfg_new, 0.025, 0.02, rng, st, None)
    return time.perf_counter() - t, w
def run_old():
    w = weights(); w = oldk.Weights(*w); rng = oldk.rng_state(1, 0); st = np.zeros(3)
    t = time.perf_counter()
    for b in batches: oldk.train_chunk(b.ids, b.offsets, w, otables, cfg_old, 0.025, 0.02, rng, st)
    return time.perf_counter() - t, w
run_new(); run_old()
tn, to = [], []
for i in range(5):
    a, wn = run_new(); b, wo = run_old(); tn.append(a); to.append(b)
print("sg" if sg else "cbow", "identical:", all(np.array_equal(x, y) for x, y in zip(wn, wo)))
print("new", sorted(tn)); print("old", sorted(to)); print("median new/old", np.median(tn) / np.median(to))
import json
json.dump({"arch": "skip-gram" if sg else "CBOW", "corpus": "first 6 MB of enmix", "runs": 5, "identical_weights": bool(all(np.array_equal(x, y) for x, y in zip(wn, wo))),
           "seconds_after": tn, "seconds_before": to, "median_after_over_before": float(np.median(tn) / np.median(to))},
          open(HERE / "results" / f"restructure_kernels_ab_{'sg' if sg else 'cbow'}.json", "w"), indent=1)
