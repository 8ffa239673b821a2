import sys
sys.path.insert(0, '/work/main/benchmarks')
import bench_train as bt
from wordvec import load_facebook_vectors
held = bt.held_out_words(1)
for path in sys.argv[1:]:
    kv = load_facebook_vectors(path)
    q = bt.evaluate(kv); q['unseen'], _ = bt.unseen_score(kv.get_vector, held)
    print(path, f"analogy {100*q['analogy']:.2f} ws {q['ws353']:.3f} simlex {q['simlex']:.3f} unseen {q['unseen']:.3f}", flush=True)
