import sys, time, json, argparse
sys.path.insert(0, '/work/main/benchmarks')
p = argparse.ArgumentParser()
p.add_argument('--seed', type=int, default=3); p.add_argument('--sample', type=float, default=1e-4)
p.add_argument('--min-alpha', type=float, default=0.0001); p.add_argument('--workers', type=int, default=1)
p.add_argument('--streams', type=int, default=1); p.add_argument('--epochs', type=int, default=5)
p.add_argument('--tag', default=''); p.add_argument('--compute-loss', action='store_true')
a = p.parse_args()
import bench_train as bt
from wordvec import FastText
from wordvec.train import jobs
jobs.STREAMS = a.streams
held = bt.held_out_words(1)
corpus = bt.corpus_without(bt.plain_corpus(bt.DEFAULT_CORPUS), held)
t0 = time.time()
m = FastText(vector_size=100, window=5, min_count=5, sample=a.sample, sg=1, negative=5, epochs=a.epochs, workers=a.workers,
             seed=a.seed, alpha=0.05, compute_loss=a.compute_loss, min_alpha=a.min_alpha, min_n=3, max_n=6, bucket=2000000)
m.build_vocab(corpus_file=corpus); m.train(corpus_file=corpus, total_words=m.corpus_total_words, epochs=m.epochs)
q = bt.evaluate(m.wv); q['unseen'], _ = bt.unseen_score(m.wv.get_vector, held)
print(f"{a.tag} seed={a.seed} sample={a.sample} min_alpha={a.min_alpha} {time.time()-t0:.0f}s analogy {100*q['analogy']:.2f} ws {q['ws353']:.3f} simlex {q['simlex']:.3f} unseen {q['unseen']:.3f} loss {m.loss_history}", flush=True)
