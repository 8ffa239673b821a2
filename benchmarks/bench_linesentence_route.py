"""Word2Vec(LineSentence(path)) read by the compiled file reader (Word2Vec.file_route) or in Python
(the route switched off): seconds for build_vocab and one epoch of train, 3 repetitions (the first
includes compiling), 2 workers.

    python benchmarks/bench_linesentence_route.py CORPUS.txt file,python OUT.json
"""
import json, sys, time
from wordvec.models.word2vec import Word2Vec, LineSentence

path, order, out = sys.argv[1], sys.argv[2].split(","), sys.argv[3]
results = []
for rep in range(3):  # rep 0 includes compiling
    for mode in order:
        m = Word2Vec(vector_size=100, min_count=5, workers=2, epochs=1, seed=1)
        if mode == "python":
            m.file_route = lambda corpus: None
        t0 = time.perf_counter()
        m.build_vocab(LineSentence(path))
        t1 = time.perf_counter()
        m.train(LineSentence(path), total_examples=m.corpus_count, epochs=1)
        t2 = time.perf_counter()
        results.append({"mode": mode, "rep": rep, "build_vocab_s": t1 - t0, "train_1_epoch_s": t2 - t1,
                        "words": len(m.wv), "corpus_count": m.corpus_count})
        print(results[-1], flush=True)
json.dump({"corpus": path, "command": " ".join(sys.argv), "results": results}, open(out, "w"), indent=1)
