import sys
sys.path.insert(0, '/work/main/benchmarks')
import bench_train as bt
from wordvec import FastText
from wordvec.train import jobs
jobs.STREAMS = int(sys.argv[2])
held = bt.held_out_words(1)
corpus = bt.corpus_without(bt.plain_corpus(bt.DEFAULT_CORPUS), held)
m = FastText(vector_size=100, window=5, min_count=5, sample=1e-4, sg=1, negative=5, epochs=5, workers=int(sys.argv[3]),
             seed=int(sys.argv[1]), alpha=0.05, min_n=3, max_n=6, bucket=2000000)
m.build_vocab(corpus_file=corpus)
frac = 5 / 5.096
m.train(corpus_file=corpus, total_words=m.corpus_total_words, epochs=5, start_alpha=0.05, end_alpha=0.05 * (1 - frac))
m.train(corpus_file=sys.argv[4], total_words=620933, epochs=1, start_alpha=0.05 * (1 - frac), end_alpha=0.0)
q = bt.evaluate(m.wv); q['unseen'], _ = bt.unseen_score(m.wv.get_vector, held)
print(sys.argv[1:], f"analogy {100*q['analogy']:.2f} ws {q['ws353']:.3f} simlex {q['simlex']:.3f} unseen {q['unseen']:.3f}", flush=True)
