"""Side-by-side training benchmark: wordvec vs gensim (corpus_file mode) vs the original C word2vec.

Each tool trains on the same corpus with the same settings in one run; for each we print the
seconds, words/s (corpus words x epochs / seconds), the ratio to gensim, the analogy accuracy
(questions-words, 3CosAdd, the 30,000 most frequent words) and the WordSim-353 / SimLex-999
Spearman correlations, all evaluated by the same code (wordvec's, tested equal to gensim's).

    python benchmarks/bench_train.py                       # skip-gram NS on enmix
    python benchmarks/bench_train.py --sg 0                # CBOW
    python benchmarks/bench_train.py --hs 1 --negative 0   # hierarchical softmax
    python benchmarks/bench_train.py --tools wordvec --workers 1 2   # thread scaling
    python benchmarks/bench_train.py --tools wordvec wordvec-pairs gensim c   # shared and per-pair negatives
    python benchmarks/bench_train.py --subwords            # FastText: wordvec vs fastText vs gensim
    python benchmarks/bench_train.py --subwords --tools wordvec wordvec-per-pair wordvec-shared   # step variants

Subword mode (``--subwords``; tools ``wordvec`` = wordvec.FastText, ``fasttext`` = the fasttext
PyPI package, ``gensim`` = gensim's FastText) trains on a copy of the corpus from which a held-out
set of words has been deleted (a seeded quarter of the WordSim-353 / SimLex-999 words that are
not in the analogy questions). Besides the usual figures it reports ``unseen``: the Spearman
correlation with the human scores over the pairs that contain a held-out word, every word's
vector composed from its character n-grams (the held-out ones were never seen in training).

gensim is used if installed; the C tool if the PyPI package ``word2vec`` put a ``word2vec``
binary beside the Python executable.
"""
from __future__ import annotations

import argparse
import gzip
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
DEFAULT_CORPUS = HERE.parent.parent / "shared" / "data" / "corpus" / "enmix.txt.gz"
CACHE = HERE.parent / ".bench"


def plain_corpus(path: Path) -> Path:
    """gensim's corpus_file and the C tool read plain text: decompress once into .bench/."""
    if path.suffix != ".gz":
        return path
    CACHE.mkdir(exist_ok=True)
    out = CACHE / path.stem
    if not out.exists() or out.stat().st_mtime < path.stat().st_mtime:
        with gzip.open(path, "rb") as src, open(str(out) + ".tmp", "wb") as dst:
            shutil.copyfileobj(src, dst, 1 << 20)
        os.replace(str(out) + ".tmp", out)
    return out


def count_words(path: Path) -> int:
    n = 0
    with open(path, "rb") as f:
        for block in iter(lambda: f.read(1 << 24), b""):
            n += len(block.split())
    return n


def evaluate(kv) -> dict:
    from wordvec import resources

    acc, _ = kv.evaluate_word_analogies(resources.datapath(resources.QUESTIONS_WORDS), restrict_vocab=30000)
    ws = kv.evaluate_word_pairs(resources.datapath(resources.WORDSIM353))
    sl = kv.evaluate_word_pairs(resources.datapath(resources.SIMLEX999))
    return {"analogy": acc, "ws353": float(ws[1][0]), "simlex": float(sl[1][0])}


def read_pairs(name: str) -> list[tuple[str, str, float]]:
    from wordvec import resources

    pairs = []
    for line in resources.datapath(name).read_text(encoding="utf8").splitlines():
        parts = line.split("\t")
        if line.startswith("#") or len(parts) < 3:
            continue
        try:
            pairs.append((parts[0].lower(), parts[1].lower(), float(parts[2])))
        except ValueError:
            continue
    return pairs


def held_out_words(seed: int) -> set[str]:
    """A seeded quarter of the WS353 / SimLex words that do not occur in the analogy questions."""
    import random

    from wordvec import resources

    with gzip.open(resources.datapath(resources.QUESTIONS_WORDS), "rt", encoding="utf8") as f:
        analogy = {w.lower() for line in f if not line.startswith(":") for w in line.split()}
    words = sorted({w for name in (resources.WORDSIM353, resources.SIMLEX999) for p in read_pairs(name)
                    for w in p[:2]} - analogy)
    return set(random.Random(seed).sample(words, len(words) // 4))


def corpus_without(path: Path, held: set[str]) -> Path:
    """A copy of the plain corpus with every token in ``held`` (compared lower-cased) deleted."""
    CACHE.mkdir(exist_ok=True)
    out = CACHE / f"{path.stem}.heldout-{len(held)}.txt"
    if not out.exists() or out.stat().st_mtime < path.stat().st_mtime:
        with open(path, encoding="utf8") as src, open(str(out) + ".tmp", "w", encoding="utf8") as dst:
            for line in src:
                dst.write(" ".join(t for t in line.split() if t.lower() not in held) + "\n")
        os.replace(str(out) + ".tmp", out)
    return out


def unseen_score(vector, held: set[str]) -> tuple[float, int]:
    """Spearman over WS353 + SimLex pairs holding a held-out word; ``vector(word)`` composes any word."""
    import numpy as np
    from scipy import stats

    from wordvec import resources

    human, cosine = [], []
    for name in (resources.WORDSIM353, resources.SIMLEX999):
        for w1, w2, score in read_pairs(name):
            if w1 in held or w2 in held:
                v1, v2 = vector(w1), vector(w2)
                n = float(np.linalg.norm(v1) * np.linalg.norm(v2))
                human.append(score)
                cosine.append(float(v1 @ v2) / n if n > 0 else 0.0)
    return float(stats.spearmanr(human, cosine)[0]), len(human)


def run_wordvec_fasttext(corpus: Path, a, workers: int, per_pair: bool = False, shared: bool = False,
                         ns_exponent: float | None = None, eos: bool = True):
    from wordvec import FastText

    model = FastText(
        vector_size=a.dim, window=a.window, min_count=a.min_count, sample=a.sample, sg=a.sg, hs=a.hs,
        negative=a.negative, epochs=a.epochs, workers=workers, seed=a.seed, alpha=a.alpha, min_n=a.minn,
        max_n=a.maxn, bucket=a.bucket, shared_negatives=a.shared_negatives or shared,
        per_pair_updates=a.per_pair_updates or per_pair, eos=eos, streams=a.streams,
        **({} if ns_exponent is None else {"ns_exponent": ns_exponent}),
        **({} if a.epoch_words is None else {"epoch_words": a.epoch_words}),
    )
    t0 = time.perf_counter()
    model.build_vocab(corpus_file=corpus)
    t1 = time.perf_counter()
    model.train(corpus_file=corpus, total_words=model.corpus_total_words, epochs=model.epochs)
    t2 = time.perf_counter()
    return t2 - t0, t2 - t1, model.wv, model.wv.get_vector


def run_fasttext(corpus: Path, a, workers: int):
    import fasttext

    from wordvec import load_facebook_vectors

    t0 = time.perf_counter()
    model = fasttext.train_unsupervised(
        str(corpus), model="skipgram" if a.sg else "cbow", dim=a.dim, ws=a.window, epoch=a.epochs,
        minCount=a.min_count, neg=a.negative, loss="hs" if a.hs else "ns", minn=a.minn, maxn=a.maxn,
        bucket=a.bucket, thread=workers, lr=a.alpha, t=a.sample, verbose=0,
    )
    t2 = time.perf_counter()
    with tempfile.TemporaryDirectory() as tmp:
        model.save_model(str(Path(tmp) / "m.bin"))
        kv = load_facebook_vectors(Path(tmp) / "m.bin")
    from importlib.metadata import version

    return t2 - t0, None, kv, model.get_word_vector, version("fasttext-wheel")


def run_gensim_fasttext(corpus: Path, a, workers: int):
    import gensim
    from gensim.models import FastText as GFastText

    from wordvec import KeyedVectors

    t0 = time.perf_counter()
    model = GFastText(
        corpus_file=str(corpus), vector_size=a.dim, window=a.window, min_count=a.min_count, sample=a.sample,
        sg=a.sg, hs=a.hs, negative=a.negative, epochs=a.epochs, workers=workers, seed=a.seed, alpha=a.alpha,
        min_n=a.minn, max_n=a.maxn, bucket=a.bucket,
    )
    t2 = time.perf_counter()
    kv = KeyedVectors.from_vectors(list(model.wv.index_to_key), model.wv.vectors.copy())
    return t2 - t0, None, kv, model.wv.get_vector, gensim.__version__


def run_wordvec(corpus: Path, a, workers: int, per_pair: bool = False) -> tuple[float, float, object]:
    from wordvec import Word2Vec

    model = Word2Vec(
        vector_size=a.dim, window=a.window, min_count=a.min_count, sample=a.sample, sg=a.sg, hs=a.hs,
        negative=a.negative, epochs=a.epochs, workers=workers, seed=a.seed, softmax=a.softmax, alpha=a.alpha,
        shared_negatives=not (a.per_pair_negatives or per_pair), streams=a.streams,
    )
    t0 = time.perf_counter()
    model.build_vocab(corpus_file=corpus)
    t1 = time.perf_counter()
    model.train(corpus_file=corpus, total_words=model.corpus_total_words, epochs=model.epochs)
    t2 = time.perf_counter()
    return t2 - t0, t2 - t1, model.wv


def run_gensim(corpus: Path, a, workers: int):
    import gensim
    from gensim.models import Word2Vec as GWord2Vec

    from wordvec import KeyedVectors

    t0 = time.perf_counter()
    model = GWord2Vec(
        corpus_file=str(corpus), vector_size=a.dim, window=a.window, min_count=a.min_count, sample=a.sample,
        sg=a.sg, hs=a.hs, negative=a.negative, epochs=a.epochs, workers=workers, seed=a.seed, alpha=a.alpha,
    )
    t2 = time.perf_counter()
    kv = KeyedVectors.from_vectors(list(model.wv.index_to_key), model.wv.vectors.copy())
    return t2 - t0, None, kv, gensim.__version__


def run_c(corpus: Path, a, workers: int):
    binary = Path(sys.executable).with_name("word2vec")
    if not binary.exists():
        return None
    from wordvec import KeyedVectors

    with tempfile.TemporaryDirectory() as tmp:
        out = Path(tmp) / "vectors.bin"
        cmd = [
            str(binary), "-train", str(corpus), "-output", str(out), "-cbow", str(1 - a.sg), "-size", str(a.dim),
            "-window", str(a.window), "-negative", str(a.negative), "-hs", str(a.hs), "-sample", str(a.sample),
            "-threads", str(workers), "-iter", str(a.epochs), "-min-count", str(a.min_count), "-binary", "1",
            "-alpha", str(a.alpha),  # explicit: the C tool's CBOW default is 0.05
        ]
        t0 = time.perf_counter()
        subprocess.run(cmd, check=True, stdout=subprocess.DEVNULL)
        t2 = time.perf_counter()
        kv = KeyedVectors.load_word2vec_format(out, binary=True)
    return t2 - t0, None, kv


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--corpus", type=Path, default=DEFAULT_CORPUS)
    p.add_argument("--tools", nargs="+", default=["wordvec", "gensim", "c"])
    p.add_argument("--workers", type=int, nargs="+", default=[2])
    p.add_argument("--sg", type=int, default=1)
    p.add_argument("--hs", type=int, default=0)
    p.add_argument("--negative", type=int, default=5)
    p.add_argument("--softmax", action="store_true")
    p.add_argument("--per-pair-negatives", action="store_true", help="wordvec: word2vec.c's per-pair negatives")
    p.add_argument("--dim", type=int, default=100)
    p.add_argument("--window", type=int, default=5)
    p.add_argument("--min-count", type=int, default=5)
    p.add_argument("--sample", type=float, default=None, help="default 1e-3 (word2vec), 1e-4 with --subwords (fastText's)")
    p.add_argument("--epochs", type=int, default=5)
    p.add_argument("--alpha", type=float, default=None,
                   help="starting learning rate, given to every tool (default: wordvec's and word2vec.c's, "
                        "0.025 for skip-gram, 0.05 for CBOW)")
    p.add_argument("--seed", type=int, default=1, help="training seed of wordvec and gensim (the fasttext package takes none)")
    p.add_argument("--held-out-seed", type=int, default=1,
                   help="--subwords: the seed that picks the held-out words (default 1)")
    p.add_argument("--subwords", action="store_true", help="FastText: wordvec, the fasttext package, gensim")
    p.add_argument("--minn", type=int, default=3)
    p.add_argument("--maxn", type=int, default=6)
    p.add_argument("--bucket", type=int, default=2000000)
    p.add_argument("--per-pair-updates", action="store_true",
                   help="wordvec FastText: gather/scatter the bags in fastText's order (skip-gram per pair, CBOW per center)")
    p.add_argument("--shared-negatives", action="store_true",
                   help="wordvec FastText skip-gram: one draw of noise words per window")
    p.add_argument("--streams", type=int, default=None,
                   help="wordvec: runs of blocks a plain corpus file is read in, side by side (default: the model's)")
    p.add_argument("--epoch-words", choices=("vocabulary", "all"), default=None,
                   help="wordvec FastText: an epoch's worth of training (default: the model's)")
    p.add_argument("--json", type=Path, help="also write the results as JSON")
    a = p.parse_args()

    if a.subwords:
        a.sample = 1e-4 if a.sample is None else a.sample
        return main_subwords(a)
    a.sample = 1e-3 if a.sample is None else a.sample
    if a.alpha is None:
        a.alpha = 0.025 if a.sg else 0.05
    corpus = plain_corpus(a.corpus)
    words = count_words(corpus)
    print(f"corpus {a.corpus.name}: {words:,} words; sg={a.sg} hs={a.hs} negative={a.negative} softmax={a.softmax} "
          f"dim={a.dim} window={a.window} sample={a.sample} epochs={a.epochs} min_count={a.min_count} alpha={a.alpha}", flush=True)
    rows = []
    for workers in a.workers:
        for tool in a.tools:
            if tool in ("wordvec", "wordvec-pairs"):
                secs, train_secs, kv = run_wordvec(corpus, a, workers, per_pair=tool == "wordvec-pairs")
                name = "wordvec per-pair" if tool == "wordvec-pairs" or a.per_pair_negatives else "wordvec"
            elif tool == "gensim":
                try:
                    secs, train_secs, kv, ver = run_gensim(corpus, a, workers)
                except ImportError:
                    print("gensim not installed: skipped")
                    continue
                name = f"gensim {ver}"
            elif tool == "c":
                r = run_c(corpus, a, workers)
                if r is None:
                    print("word2vec C binary not found (pip install word2vec): skipped")
                    continue
                secs, train_secs, kv = r
                name = "word2vec.c"
            else:
                raise SystemExit(f"unknown tool {tool!r}")
            q = evaluate(kv)
            row = {"tool": name, "workers": workers, "seconds": secs, "train_seconds": train_secs,
                   "words_per_sec": words * a.epochs / secs, "vocab": len(kv), **q}
            rows.append(row)
            print(f"  {name:14s} workers={workers} {secs:7.1f}s {row['words_per_sec'] / 1e3:8.0f}k words/s  "
                  f"analogy {100 * q['analogy']:.2f}%  ws353 {q['ws353']:.3f}  simlex {q['simlex']:.3f}", flush=True)
    print()
    print(f"{'tool':14s} {'workers':>7s} {'seconds':>8s} {'kwords/s':>9s} {'x gensim':>8s} {'analogy%':>8s} "
          f"{'ws353':>6s} {'simlex':>6s}")
    for row in rows:
        ref = next((r for r in rows if r["tool"].startswith("gensim") and r["workers"] == row["workers"]), None)
        ratio = row["words_per_sec"] / ref["words_per_sec"] if ref else float("nan")
        print(f"{row['tool']:14s} {row['workers']:7d} {row['seconds']:8.1f} {row['words_per_sec'] / 1e3:9.0f} "
              f"{ratio:8.2f} {100 * row['analogy']:8.2f} {row['ws353']:6.3f} {row['simlex']:6.3f}")
    if a.json:
        a.json.write_text(json.dumps(rows, indent=1))


def main_subwords(a) -> None:
    if a.alpha is None:
        a.alpha = 0.05  # fastText's default for both architectures
    tools = [t for t in a.tools if t != "c"] if a.tools != ["wordvec", "gensim", "c"] else ["wordvec", "fasttext", "gensim"]
    held = held_out_words(a.held_out_seed)
    corpus = corpus_without(plain_corpus(a.corpus), held)
    words = count_words(corpus)
    print(f"corpus {a.corpus.name} minus {len(held)} held-out words: {words:,} words; sg={a.sg} hs={a.hs} "
          f"negative={a.negative} dim={a.dim} window={a.window} sample={a.sample} epochs={a.epochs} "
          f"min_count={a.min_count} alpha={a.alpha} minn={a.minn} maxn={a.maxn} bucket={a.bucket}", flush=True)
    runners = {
        "wordvec": run_wordvec_fasttext, "fasttext": run_fasttext, "gensim": run_gensim_fasttext,
        # the variants of wordvec's skip-gram step, side by side in one run
        "wordvec-per-pair": lambda c, a, w: run_wordvec_fasttext(c, a, w, per_pair=True),
        "wordvec-shared": lambda c, a, w: run_wordvec_fasttext(c, a, w, shared=True),
        "wordvec-ns0.75": lambda c, a, w: run_wordvec_fasttext(c, a, w, ns_exponent=0.75),  # gensim's noise exponent
        "wordvec-no-eos": lambda c, a, w: run_wordvec_fasttext(c, a, w, eos=False),  # no line-end word, as gensim
    }
    rows = []
    for workers in a.workers:
        for tool in tools:
            result = runners[tool](corpus, a, workers)
            secs, train_secs, kv, vector = result[:4]
            name = {"fasttext": "fastText"}.get(tool, tool)
            name += f" {result[4]}" if len(result) > 4 else ""
            q = evaluate(kv)
            q["unseen"], q["unseen_pairs"] = unseen_score(vector, held)
            row = {"tool": name, "workers": workers, "seconds": secs, "train_seconds": train_secs,
                   "words_per_sec": words * a.epochs / secs, "vocab": len(kv), "sg": a.sg,
                   "per_pair_updates": a.per_pair_updates, "shared_negatives": a.shared_negatives, **q}
            rows.append(row)
            print(f"  {name:14s} workers={workers} {secs:7.1f}s {row['words_per_sec'] / 1e3:8.0f}k words/s  "
                  f"analogy {100 * q['analogy']:.2f}%  ws353 {q['ws353']:.3f}  simlex {q['simlex']:.3f}  "
                  f"unseen {q['unseen']:.3f} ({q['unseen_pairs']} pairs)", flush=True)
    print()
    print(f"{'tool':14s} {'workers':>7s} {'seconds':>8s} {'kwords/s':>9s} {'x fastText':>10s} {'x gensim':>8s} "
          f"{'analogy%':>8s} {'ws353':>6s} {'simlex':>6s} {'unseen':>6s}")
    for row in rows:
        def ratio(prefix):
            ref = next((r for r in rows if r["tool"].startswith(prefix) and r["workers"] == row["workers"]), None)
            return row["words_per_sec"] / ref["words_per_sec"] if ref else float("nan")
        print(f"{row['tool']:14s} {row['workers']:7d} {row['seconds']:8.1f} {row['words_per_sec'] / 1e3:9.0f} "
              f"{ratio('fastText'):10.2f} {ratio('gensim'):8.2f} {100 * row['analogy']:8.2f} {row['ws353']:6.3f} "
              f"{row['simlex']:6.3f} {row['unseen']:6.3f}")
    if a.json:
        a.json.parent.mkdir(parents=True, exist_ok=True)
        a.json.write_text(json.dumps({"args": vars(a) | {"corpus": str(a.corpus), "json": str(a.json)},
                                      "held_out": sorted(held), "rows": rows}, indent=1))


if __name__ == "__main__":
    main()
