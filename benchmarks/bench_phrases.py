"""Phrase detection benchmark: wordvec vs gensim ``Phrases`` on the same corpus and parameters.

Each tool runs in its own subprocess (so that its peak memory, ``ru_maxrss``, is its own): learn
the counts from the corpus file, freeze, then apply the phrases to the whole corpus, writing one
joined sentence per line to a plain text file. gensim reads the corpus with ``LineSentence``.
Printed per run: seconds per stage, end to end, peak memory, and the agreement of the two tools'
phrase sets and scores and of their output files. Tools alternate order between runs.

    flock /tmp/wordvec-bench.lock python benchmarks/bench_phrases.py --runs 2
    flock /tmp/wordvec-bench.lock python benchmarks/bench_phrases.py --runs 2 --passes 2 \\
        --connector-words english

Raw results go to benchmarks/results/phrases-<params>.json.
"""
from __future__ import annotations

import argparse
import hashlib
import json
import os
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
DEFAULT_CORPUS = HERE.parent.parent / "shared" / "data" / "corpus" / "enmix.txt.gz"


def _peak_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def run_wordvec(args: argparse.Namespace) -> dict:
    start = time.perf_counter()
    from wordvec.text.phrases import ENGLISH_CONNECTOR_WORDS, Phrases, learn_phrases, write_phrased

    params = _params(args, ENGLISH_CONNECTOR_WORDS)
    times: dict[str, float] = {"import": time.perf_counter() - start}
    if args.passes == 1:
        t = time.perf_counter()
        model = Phrases(corpus_file=args.corpus, **params)
        times["learn"] = time.perf_counter() - t
        t = time.perf_counter()
        frozen = [model.freeze()]
        times["freeze"] = time.perf_counter() - t
        del model
    else:  # pass k learns on the corpus as joined by passes 1..k-1, streamed (no temporary file)
        t = time.perf_counter()
        frozen = learn_phrases(args.corpus, passes=args.passes, **params)
        times["learn+freeze"] = time.perf_counter() - t
    t = time.perf_counter()
    write_phrased(frozen, args.corpus, args.output)
    times["apply"] = time.perf_counter() - t
    phrasegrams = [f.phrasegrams for f in frozen]
    return {"times": times, "total": time.perf_counter() - start, "peak_mb": _peak_mb(), "phrasegrams": phrasegrams}


def run_gensim(args: argparse.Namespace) -> dict:
    start = time.perf_counter()
    from gensim.models.phrases import ENGLISH_CONNECTOR_WORDS, Phrases
    from gensim.models.word2vec import LineSentence

    params = _params(args, ENGLISH_CONNECTOR_WORDS)
    times: dict[str, float] = {"import": time.perf_counter() - start}
    frozen = []

    def corpus():
        sentences = LineSentence(args.corpus)
        for f in frozen:
            sentences = f[sentences]
        return sentences

    for k in range(args.passes):
        t = time.perf_counter()
        model = Phrases(corpus(), **params)
        times[f"learn{k + 1}"] = time.perf_counter() - t
        t = time.perf_counter()
        frozen.append(model.freeze())
        times[f"freeze{k + 1}"] = time.perf_counter() - t
        del model
    if args.passes == 1:
        times["learn"], times["freeze"] = times.pop("learn1"), times.pop("freeze1")
    else:
        times["learn+freeze"] = sum(times.pop(f"{s}{k + 1}") for k in range(args.passes) for s in ("learn", "freeze"))
    t = time.perf_counter()
    with open(args.output, "w", encoding="utf-8") as out:
        for sentence in corpus():
            out.write(" ".join(sentence) + "\n")
    times["apply"] = time.perf_counter() - t
    phrasegrams = [f.phrasegrams for f in frozen]
    return {"times": times, "total": time.perf_counter() - start, "peak_mb": _peak_mb(), "phrasegrams": phrasegrams}


def _params(args: argparse.Namespace, english: frozenset) -> dict:
    return dict(min_count=args.min_count, threshold=args.threshold, scoring=args.scoring,
                connector_words=english if args.connector_words == "english" else frozenset())


def _sha256(path: str) -> str:
    h = hashlib.sha256()
    with open(path, "rb") as f:
        for block in iter(lambda: f.read(1 << 20), b""):
            h.update(block)
    return h.hexdigest()


def child(tool: str, args: argparse.Namespace, output: str, result: str) -> dict:
    cmd = [sys.executable, __file__, "--worker", tool, "--corpus", str(args.corpus), "--output", output,
           "--result", result, "--min-count", str(args.min_count), "--threshold", str(args.threshold),
           "--scoring", args.scoring, "--passes", str(args.passes), "--connector-words", args.connector_words]
    subprocess.run(cmd, check=True)
    with open(result, encoding="utf-8") as f:
        return json.load(f)


def agreement(ours: list[dict], theirs: list[dict]) -> list[dict]:
    rows = []
    for k, (a, b) in enumerate(zip(ours, theirs), 1):
        common = a.keys() & b.keys()
        diff = max((abs(a[p] - b[p]) / max(abs(b[p]), 1e-300) for p in common), default=0.0)
        rows.append({"pass": k, "wordvec": len(a), "gensim": len(b), "common": len(common),
                     "only_wordvec": len(a.keys() - b.keys()), "only_gensim": len(b.keys() - a.keys()),
                     "max_rel_score_diff": diff, "identical": a == b})
    return rows


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--corpus", type=Path, default=DEFAULT_CORPUS)
    p.add_argument("--min-count", type=int, default=5)
    p.add_argument("--threshold", type=float, default=10.0)
    p.add_argument("--scoring", choices=("default", "npmi"), default="default")
    p.add_argument("--passes", type=int, default=1)
    p.add_argument("--connector-words", choices=("none", "english"), default="none")
    p.add_argument("--runs", type=int, default=2)
    p.add_argument("--tools", nargs="+", default=["wordvec", "gensim"])
    p.add_argument("--worker", choices=("wordvec", "gensim"), help=argparse.SUPPRESS)
    p.add_argument("--output", help=argparse.SUPPRESS)
    p.add_argument("--result", help=argparse.SUPPRESS)
    args = p.parse_args()
    if args.worker:
        args.corpus = str(args.corpus)
        result = (run_wordvec if args.worker == "wordvec" else run_gensim)(args)
        with open(args.result, "w", encoding="utf-8") as f:
            json.dump(result, f)
        return

    if "wordvec" in args.tools:  # compile (and cache) the kernels outside the timed runs
        with tempfile.TemporaryDirectory() as tmp:
            tiny = Path(tmp) / "tiny.txt"  # the tables grow, phrases form, a token holds the delimiter
            words = [f"w{i % 60000}" for i in range(200_000)] + ["a", "of", "b", "x_y"] * 2000
            tiny.write_text("\n".join(" ".join(words[i : i + 20]) for i in range(0, len(words), 20)) + "\n")
            warm = argparse.Namespace(**{**vars(args), "corpus": tiny})
            child("wordvec", warm, str(Path(tmp) / "o.txt"), str(Path(tmp) / "r.json"))

    runs = []
    with tempfile.TemporaryDirectory(dir=HERE.parent) as tmp:
        for r in range(args.runs):
            tools = args.tools if r % 2 == 0 else args.tools[::-1]
            results, hashes = {}, {}
            for tool in tools:
                out = str(Path(tmp) / f"{tool}.txt")
                results[tool] = child(tool, args, out, str(Path(tmp) / f"{tool}.json"))
                hashes[tool] = _sha256(out)
                os.unlink(out)
                t = results[tool]["times"]
                stages = "  ".join(f"{k} {v:.2f}s" for k, v in t.items())
                print(f"run {r + 1} {tool:8s} total {results[tool]['total']:7.2f}s  peak {results[tool]['peak_mb']:6.0f} MB  "
                      f"({stages})", flush=True)
            row = {"order": tools, "hashes": hashes}
            for tool, res in results.items():
                row[tool] = {k: v for k, v in res.items() if k != "phrasegrams"}
            if len(results) == 2:
                row["speedup"] = results["gensim"]["total"] / results["wordvec"]["total"]
                row["memory_ratio"] = results["wordvec"]["peak_mb"] / results["gensim"]["peak_mb"]
                row["agreement"] = agreement(results["wordvec"]["phrasegrams"], results["gensim"]["phrasegrams"])
                row["same_output"] = hashes["wordvec"] == hashes["gensim"]
                print(f"run {r + 1}: {row['speedup']:.1f}x gensim end to end, memory {row['memory_ratio']:.2f}x, "
                      f"same output file: {row['same_output']}; phrases: {row['agreement']}", flush=True)
            runs.append(row)
    summary = {}
    if all("speedup" in r for r in runs):
        speedups = [r["speedup"] for r in runs]
        summary = {"speedup_median": statistics.median(speedups), "speedup_min": min(speedups),
                   "speedup_max": max(speedups)}
        print(f"speedup median {summary['speedup_median']:.1f}x (range {min(speedups):.1f}-{max(speedups):.1f})")
    params = {k: (str(v) if isinstance(v, Path) else v) for k, v in vars(args).items()
              if k not in ("worker", "output", "result", "tools", "runs")}
    name = f"phrases-p{args.passes}-{args.scoring}-{args.connector_words}.json"
    (HERE / "results").mkdir(exist_ok=True)
    with open(HERE / "results" / name, "w", encoding="utf-8") as f:
        json.dump({"params": params, "runs": runs, "summary": summary,
                   "python": sys.version.split()[0], "cpus": os.cpu_count(),
                   "date": time.strftime("%Y-%m-%d %H:%M UTC", time.gmtime())}, f, indent=1)
    print(f"raw results: {HERE / 'results' / name}")


if __name__ == "__main__":
    main()
