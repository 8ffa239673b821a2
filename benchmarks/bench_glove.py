"""GloVe benchmark: wordvec.GloVe vs Stanford's C tools, same settings, same corpus, one run.

Stanford GloVe (``vocab_count``, ``cooccur``, ``shuffle``, ``glove``) is built with its own
Makefile (-O3 -march=native) from ``../shared/peers/glove`` into a scratch folder (.bench/); it
reads the decompressed corpus. Each tool runs as a separate process so that its peak memory (max
RSS, from wait4) is its own. For each we report the counting seconds (vocabulary +
co-occurrences + shuffle for the C tools), the training seconds, the total, the peak memory, the
final cost (mean 0.5 f(x) diff^2 per entry, as glove.c prints it) and the quality of W + W~:
analogies (3CosAdd, 30,000 most frequent words), WordSim-353 and SimLex-999 (Spearman), all by
wordvec's evaluation code. wordvec's total is its process's wall time (start-up, imports and
writing the vectors included, as the C tools' totals include theirs).

    python benchmarks/bench_glove.py                        # enmix, the issue's settings, 2 runs
    python benchmarks/bench_glove.py --tools wordvec wordvec64 --runs 1   # float32 vs float64

Settings (defaults): min count 5, symmetric window 10 with 1/d weighting, x_max 10, alpha 0.75,
eta 0.05, dim 100, 15 iterations, 2 threads, memory 2 GB for both tools. The tools run in
alternating order from run to run; the lock /tmp/wordvec-bench.lock is held throughout. Raw
results go to benchmarks/results/glove-<time>.json.
"""
from __future__ import annotations

import argparse
import fcntl
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))
from bench_train import DEFAULT_CORPUS, evaluate, plain_corpus  # noqa: E402

CACHE = HERE.parent / ".bench"
GLOVE_SOURCE = HERE.parent.parent / "shared" / "peers" / "glove"
LOCK = "/tmp/wordvec-bench.lock"


def run_measured(cmd: list[str], stdin=None, stdout=None, stderr=None, env=None) -> tuple[float, float]:
    """Run ``cmd``; returns (seconds, peak RSS in MiB of that process)."""
    t0 = time.perf_counter()
    proc = subprocess.Popen(cmd, stdin=stdin, stdout=stdout, stderr=stderr, env=env)
    _, status, usage = os.wait4(proc.pid, 0)
    seconds = time.perf_counter() - t0
    proc.returncode = os.waitstatus_to_exitcode(status)
    if proc.returncode != 0:
        raise SystemExit(f"{cmd[0]} failed with status {proc.returncode}")
    return seconds, usage.ru_maxrss / 1024


def build_c_tools(source: Path) -> Path:
    build = CACHE / "glove-build"
    if not (build / "build" / "glove").exists():
        if build.exists():
            shutil.rmtree(build)
        shutil.copytree(source, build)
        subprocess.run(["make", "-C", str(build)], check=True, stdout=subprocess.DEVNULL)
    return build / "build"


def run_c(corpus: Path, a, workdir: Path) -> dict:
    from wordvec import KeyedVectors

    bin_ = build_c_tools(a.glove_source)
    vocab, cooc, shuf = workdir / "vocab.txt", workdir / "cooc.bin", workdir / "cooc.shuf.bin"
    steps = {}
    with open(corpus, "rb") as fin, open(vocab, "wb") as fout:
        steps["vocab_count"] = run_measured(
            [str(bin_ / "vocab_count"), "-min-count", str(a.min_count), "-verbose", "0"], fin, fout, subprocess.DEVNULL)
    with open(corpus, "rb") as fin, open(cooc, "wb") as fout:
        steps["cooccur"] = run_measured(
            [str(bin_ / "cooccur"), "-memory", str(a.memory), "-vocab-file", str(vocab), "-verbose", "0",
             "-window-size", str(a.window), "-overflow-file", str(workdir / "overflow")], fin, fout, subprocess.DEVNULL)
    with open(cooc, "rb") as fin, open(shuf, "wb") as fout:
        steps["shuffle"] = run_measured(
            [str(bin_ / "shuffle"), "-memory", str(a.memory), "-verbose", "0", "-seed", str(a.seed),
             "-temp-file", str(workdir / "shuffle")], fin, fout, subprocess.DEVNULL)
    nonzeros = cooc.stat().st_size // 16
    cooc.unlink()
    log = workdir / "glove.log"
    with open(log, "wb") as ferr:
        steps["glove"] = run_measured(
            [str(bin_ / "glove"), "-save-file", str(workdir / "vectors"), "-threads", str(a.threads), "-input-file",
             str(shuf), "-x-max", str(a.x_max), "-alpha", str(a.alpha), "-eta", str(a.eta), "-iter", str(a.epochs),
             "-vector-size", str(a.dim), "-binary", "0", "-model", "2", "-vocab-file", str(vocab), "-verbose", "2",
             "-seed", str(a.seed)], None, subprocess.DEVNULL, ferr)
    costs = [float(x) for x in re.findall(rb"cost: ([0-9.eE+-]+)", log.read_bytes())]
    kv = KeyedVectors.load_word2vec_format(workdir / "vectors.txt", no_header=True)
    count_s = sum(steps[k][0] for k in ("vocab_count", "cooccur", "shuffle"))
    return {
        "tool": "GloVe C", "count_seconds": count_s, "train_seconds": steps["glove"][0],
        "seconds": count_s + steps["glove"][0], "peak_mib": max(s[1] for s in steps.values()),
        "steps": {k: {"seconds": s, "peak_mib": m} for k, (s, m) in steps.items()},
        "final_cost": costs[-1] if costs else None, "costs": costs, "nonzeros": nonzeros, "vocab": len(kv) - 1,
        **evaluate(kv),
    }


def run_wordvec(corpus: Path, a, workdir: Path, dtype: str) -> dict:
    from wordvec import KeyedVectors

    out = workdir / f"wordvec-{dtype}.json"
    vectors = workdir / f"wordvec-{dtype}.bin"
    cmd = [sys.executable, str(Path(__file__).resolve()), "--child", str(corpus), "--dtype", dtype, "--child-out", str(out),
           "--child-vectors", str(vectors)] + child_args(a)
    seconds, peak = run_measured(cmd, env={**os.environ, "PYTHONPATH": str(HERE.parent / "src")})
    r = json.loads(out.read_text())
    kv = KeyedVectors.load_word2vec_format(vectors, binary=True)
    # end to end as for the C tools: the whole process (start-up, imports, writing the vectors)
    r["seconds_in_process"] = r.pop("seconds")
    return {"tool": f"wordvec {dtype}", "seconds": seconds, "peak_mib": peak, "vocab": len(kv), **r, **evaluate(kv)}


def child_args(a) -> list[str]:
    return ["--min-count", str(a.min_count), "--window", str(a.window), "--x-max", str(a.x_max), "--alpha",
            str(a.alpha), "--eta", str(a.eta), "--dim", str(a.dim), "--epochs", str(a.epochs), "--threads",
            str(a.threads), "--memory", str(a.memory), "--seed", str(a.seed)]


def child(a) -> None:
    """Train wordvec.GloVe (in its own process) and write the timings and vectors."""
    from wordvec import GloVe

    t0 = time.perf_counter()
    model = GloVe(vector_size=a.dim, window=a.window, min_count=a.min_count, x_max=a.x_max, alpha=a.alpha,
                  learning_rate=a.eta, epochs=a.epochs, workers=a.threads, memory=a.memory, seed=a.seed, dtype=a.dtype)
    model.build_vocab(corpus_file=a.child)
    t1 = time.perf_counter()
    model.build_cooccurrence(corpus_file=a.child)
    t2 = time.perf_counter()
    model.train()
    t3 = time.perf_counter()
    model.wv.save_word2vec_format(a.child_vectors, binary=True)
    Path(a.child_out).write_text(json.dumps({
        "vocab_seconds": t1 - t0, "cooccurrence_seconds": t2 - t1, "count_seconds": t2 - t0,
        "train_seconds": t3 - t2, "seconds": t3 - t0, "final_cost": model.loss_history[-1],
        "costs": model.loss_history, "nonzeros": model.cooccurrence.nnz,
    }))


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--corpus", type=Path, default=DEFAULT_CORPUS)
    p.add_argument("--tools", nargs="+", default=["wordvec", "c"], choices=["wordvec", "wordvec64", "c"])
    p.add_argument("--runs", type=int, default=2)
    p.add_argument("--min-count", type=int, default=5)
    p.add_argument("--window", type=int, default=10)
    p.add_argument("--x-max", type=float, default=10.0)
    p.add_argument("--alpha", type=float, default=0.75)
    p.add_argument("--eta", type=float, default=0.05)
    p.add_argument("--dim", type=int, default=100)
    p.add_argument("--epochs", type=int, default=15)
    p.add_argument("--threads", type=int, default=2)
    p.add_argument("--memory", type=float, default=2.0, help="GB, for both tools' counting (default %(default)s)")
    p.add_argument("--seed", type=int, default=1)
    p.add_argument("--json", type=Path, help="results file (default benchmarks/results/glove-<time>.json)")
    p.add_argument("--glove-source", type=Path, default=GLOVE_SOURCE, help="Stanford GloVe's source (default %(default)s)")
    p.add_argument("--lock", default=LOCK, help="lock file held while running (default %(default)s)")
    p.add_argument("--markdown", type=Path, help="print the table of this results file as markdown and exit")
    p.add_argument("--child", help=argparse.SUPPRESS)
    p.add_argument("--dtype", default="float32", help=argparse.SUPPRESS)
    p.add_argument("--child-out", help=argparse.SUPPRESS)
    p.add_argument("--child-vectors", help=argparse.SUPPRESS)
    a = p.parse_args()
    if a.child:
        child(a)
        return
    if a.markdown:
        print(markdown(json.loads(a.markdown.read_text())["rows"]))
        return

    corpus = plain_corpus(a.corpus)
    settings = {k: getattr(a, k) for k in ("min_count", "window", "x_max", "alpha", "eta", "dim", "epochs", "threads",
                                           "memory", "seed")}
    print(f"corpus {a.corpus.name}; {settings}", flush=True)
    rows = []
    with open(a.lock, "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        for run in range(1, a.runs + 1):
            tools = a.tools if run % 2 else a.tools[::-1]
            for tool in tools:
                with tempfile.TemporaryDirectory(dir=CACHE) as tmp:
                    if tool == "c":
                        row = run_c(corpus, a, Path(tmp))
                    else:
                        row = run_wordvec(corpus, a, Path(tmp), "float64" if tool == "wordvec64" else "float32")
                row["run"] = run
                rows.append(row)
                print(f"  run {run} {row['tool']:16s} count {row['count_seconds']:6.1f}s  train {row['train_seconds']:6.1f}s  "
                      f"total {row['seconds']:6.1f}s  peak {row['peak_mib']:6.0f} MiB  cost {row['final_cost']:.4f}  "
                      f"analogy {100 * row['analogy']:.2f}%  ws353 {row['ws353']:.3f}  simlex {row['simlex']:.3f}",
                      flush=True)
    out = a.json or HERE / "results" / f"glove-{time.strftime('%Y%m%d-%H%M%S')}.json"
    out.parent.mkdir(exist_ok=True)
    out.write_text(json.dumps({"settings": settings, "corpus": str(a.corpus.name), "rows": rows}, indent=1))
    print()
    print(f"{'run':>3s} {'tool':16s} {'count s':>8s} {'train s':>8s} {'total s':>8s} {'x C':>6s} {'peak MiB':>9s} "
          f"{'cost':>7s} {'analogy%':>8s} {'ws353':>6s} {'simlex':>6s}")
    for row in rows:
        ref = next((r for r in rows if r["tool"] == "GloVe C" and r["run"] == row["run"]), None)
        ratio = ref["seconds"] / row["seconds"] if ref else float("nan")
        print(f"{row['run']:3d} {row['tool']:16s} {row['count_seconds']:8.1f} {row['train_seconds']:8.1f} "
              f"{row['seconds']:8.1f} {ratio:6.2f} {row['peak_mib']:9.0f} {row['final_cost']:7.4f} "
              f"{100 * row['analogy']:8.2f} {row['ws353']:6.3f} {row['simlex']:6.3f}")
    print(f"raw results: {out}")
    print()
    print(markdown(rows))


def markdown(rows: list[dict]) -> str:
    """The results as the table of docs/benchmarks.md."""
    lines = ["| run | tool | count s | train s | total s | x C | peak MiB | final cost | analogy % | WS353 | SimLex |",
             "|---|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|"]
    for row in rows:
        ref = next((r for r in rows if r["tool"] == "GloVe C" and r["run"] == row["run"]), None)
        ratio = f"{ref['seconds'] / row['seconds']:.2f}" if ref else ""
        lines.append(
            f"| {row['run']} | {row['tool']} | {row['count_seconds']:.1f} | {row['train_seconds']:.1f} | "
            f"{row['seconds']:.1f} | {ratio} | {row['peak_mib']:.0f} | {row['final_cost']:.4f} | "
            f"{100 * row['analogy']:.2f} | {row['ws353']:.3f} | {row['simlex']:.3f} |"
        )
    return "\n".join(lines)


if __name__ == "__main__":
    main()
