"""A/B training benchmark of two source trees of wordvec (e.g. before and after a change), in one
sitting: ``bench_train.py --tools wordvec`` runs for each tree in alternating order (A B B A ...),
so machine noise spreads over both; prints each run, the median words/s per tree and their ratio.

    git worktree add /tmp/before <commit>
    python benchmarks/bench_ab.py /tmp/before/src src --runs 2 -- --sg 1
    python benchmarks/bench_ab.py /tmp/before/src src --runs 2 --json benchmarks/results/ab.json -- --sg 0

Arguments after ``--`` go to bench_train.py (corpus, architecture, ...). The first run of each tree
warms numba's cache on a small corpus so compilation is not timed.
"""
from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
from pathlib import Path

HERE = Path(__file__).resolve().parent


def run(tree: Path, extra: list[str]) -> dict:
    with tempfile.TemporaryDirectory() as tmp:
        out = Path(tmp) / "r.json"
        env = dict(os.environ, PYTHONPATH=str(tree.resolve()))
        subprocess.run([sys.executable, str(HERE / "bench_train.py"), "--tools", "wordvec", "--json", str(out), *extra],
                       check=True, env=env, stdout=subprocess.DEVNULL)
        data = json.loads(out.read_text())
        return (data["rows"] if isinstance(data, dict) else data)[0]  # --subwords writes {"args", "rows"}


def main() -> None:
    argv = sys.argv[1:]
    extra = argv[argv.index("--") + 1:] if "--" in argv else []
    argv = argv[: argv.index("--")] if "--" in argv else argv
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("a", type=Path, help="source folder of tree A (holding the wordvec package)")
    p.add_argument("b", type=Path, help="source folder of tree B")
    p.add_argument("--runs", type=int, default=2)
    p.add_argument("--json", type=Path)
    a = p.parse_args(argv)
    small = HERE.parent / "src" / "wordvec" / "data" / "sst_sentences.txt.gz"
    for tree in (a.a, a.b):
        run(tree, [*extra, "--corpus", str(small), "--epochs", "1", "--min-count", "1"])
    rows = []
    for i in range(a.runs):
        for name, tree in ((("A", a.a), ("B", a.b)) if i % 2 == 0 else (("B", a.b), ("A", a.a))):
            r = run(tree, extra)
            r.update(tree=name, source=str(tree), run=i)
            rows.append(r)
            print(f"run {i} {name}: {r['seconds']:6.1f}s {r['words_per_sec'] / 1e3:7.0f}k words/s  analogy "
                  f"{100 * r['analogy']:.2f}%  ws353 {r['ws353']:.3f}  simlex {r['simlex']:.3f}", flush=True)
    med = {n: statistics.median(r["words_per_sec"] for r in rows if r["tree"] == n) for n in "AB"}
    spread = {n: (min(r["words_per_sec"] for r in rows if r["tree"] == n), max(r["words_per_sec"] for r in rows if r["tree"] == n)) for n in "AB"}
    for n in "AB":
        print(f"{n}: median {med[n] / 1e3:.0f}k words/s (min {spread[n][0] / 1e3:.0f}k, max {spread[n][1] / 1e3:.0f}k)")
    print(f"B / A = {med['B'] / med['A']:.3f}")
    if a.json:
        a.json.write_text(json.dumps({"args": extra, "rows": rows, "median": med, "ratio_b_over_a": med["B"] / med["A"]}, indent=1))


if __name__ == "__main__":
    main()
