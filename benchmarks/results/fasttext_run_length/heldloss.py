"""Mean skip-gram NS loss of trained models on the same sampled (center, context, noise) triples."""
import sys
import numpy as np
from wordvec import load_facebook_model
C = '/work/main/.bench/enmix.heldout-312.txt'
models = [load_facebook_model(p) for p in sys.argv[1:]]
vocab = models[0].wv.key_to_index
counts = np.array([models[0].wv.get_vecattr(w, 'count') for w in models[0].wv.index_to_key], dtype=np.float64)
N = counts.sum(); t = 1e-4
keep = np.minimum(1, np.sqrt(t * N / counts) + t * N / counts)
noise = counts ** 0.5; noise /= noise.sum()
rng = np.random.default_rng(0)
lines = open(C).read().split('\n')
idx = rng.choice(len(lines), 3000, replace=False)
triples = []
for i in idx:
    ids = [vocab[w] for w in lines[i].split() if w in vocab] + [vocab['</s>']]
    ids = [w for w in ids if rng.random() < keep[w]]
    for p, c in enumerate(ids):
        b = rng.integers(1, 6)
        for q in range(max(0, p - b), min(len(ids), p + b + 1)):
            if q != p:
                triples.append((c, ids[q]))
triples = np.array(triples)
negs = rng.choice(len(counts), size=(len(triples), 5), p=noise)
print(len(triples), 'pairs')
ls = lambda x: -np.logaddexp(0, -x)
for path, m in zip(sys.argv[1:], models):
    words0 = models[0].wv.index_to_key
    perm = np.array([m.wv.key_to_index[w] for w in words0])
    H = np.stack([m.wv.get_vector(w) for w in words0])
    U = m.syn1neg[perm]
    h = H[triples[:, 0]]
    pos = -ls(np.einsum('ij,ij->i', h, U[triples[:, 1]]))
    neg = -ls(-np.einsum('ij,ikj->ik', h, U[negs])).sum(1)
    print(path, 'loss', round(float((pos + neg).mean()), 4), 'pos', round(float(pos.mean()), 4), 'neg', round(float(neg.mean()), 4),
          '|h|', round(float(np.linalg.norm(H, axis=1).mean()), 3), '|u|', round(float(np.linalg.norm(U, axis=1).mean()), 3))
    # by center rank and by context rank
    for name, col in (('center', 0), ('context', 1)):
        r = triples[:, col]
        out = []
        for lo, hi in ((0, 100), (100, 1000), (1000, 5000), (5000, 20000), (20000, 10**9)):
            sel = (r >= lo) & (r < hi)
            out.append(f"{lo}-{hi}:{(pos[sel] + neg[sel]).mean():.3f}/{pos[sel].mean():.3f} n={sel.sum()}")
        print('   ', name, ' '.join(out))
