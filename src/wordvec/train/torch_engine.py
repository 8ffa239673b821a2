"""PyTorch backend: the same word2vec training on a GPU (``device="cuda"``) or, through the same
code, on the CPU (``device="cpu"``), in large batches of training examples.

What stays as in the numba engine: the vocabulary, subsampling, dynamic windows (the windows come
from :func:`wordvec.train.kernels.softmax_examples`, built on the CPU by a background thread), the
objectives, the linear learning-rate decay over epochs x words, and the loss and its definition
per example. What changes is the order of the updates: a batch of about ``batch_size``
(center, context) pairs is scored against one snapshot of the weights and its summed gradients
are scattered back with ``index_add_`` (sparse rows; manual SGD, no autograd), as Hogwild
threads would do with that many threads. A row repeated more than :data:`ROW_CAP` times in a
batch (a frequent word) has its summed update scaled down to ROW_CAP gradients, where
sequential SGD would have saturated; without it batches of 16384 pairs diverge.

Examples: skip-gram with negative sampling or hierarchical softmax trains pairs in word2vec.c's
orientation (the context word's vector predicts the center), so the pairs of one window, which
share the center and a draw of noise words, have different inputs; the exact softmax predicts the
context words from the center (one softmax per center). CBOW trains windows, the sum or mean h
of the context vectors predicting the center (every context row then receives h's gradient,
word2vec.c's convention the numba engine keeps), in batches of about ``batch_size`` context words.

Objectives, for an input row x (``W_in[c]`` or h) predicting word o, with alpha the learning rate:

- negative sampling: J = -log sigma(x . u_o) - sum_k log sigma(-x . u_k) over K noise words drawn
  from the unigram^ns_exponent distribution (alias table). A draw of K noise words is shared by a
  group of :data:`NEGATIVE_GROUP` consecutive examples (as the numba engine shares them within a
  window), so the K rows are read once per group and the scores are a batched matrix product
  (G, g, d) x (G, d, K). A noise word equal to o is skipped (masked), as word2vec.c does;
- hierarchical softmax: J = -sum_j log sigma((1 - 2 code_j) x . u_{point_j}) along o's Huffman
  path (padded to the longest code and masked);
- exact softmax: J = -log softmax(U x)[o], as the matrix product X U^T and a fused log-softmax;
  the gradient of the logits is softmax - onehot, so dX = G U and dU = G^T X (dense). Skip-gram
  computes one softmax per center and sums the losses of its context words (the numba engine's
  batching); a batch holds about min(``batch_size``, :data:`SOFTMAX_PAIRS`) pairs and at most
  :data:`SOFTMAX_ELEMENTS` logits.

Weights: on the CPU the torch tensors share memory with the model's numpy arrays (no copy); on a
GPU they are copied to the device at the start of ``train`` and back after every epoch (so
callbacks and the divergence check see the current vectors).
"""
from __future__ import annotations

import math
import threading
from typing import Any, NamedTuple

import numpy as np

from . import kernels
from ..errors import ParameterError, TrainingError
from .engine import Engine
from .numba_engine import build_tables, ensure_rng_states, initial_loss, kernel_config, lock_factors
from .state import Tally

try:
    import torch
    import torch.nn.functional as F
except ImportError:  # pragma: no cover - exercised only without torch
    torch = None  # type: ignore[assignment]
    F = None  # type: ignore[assignment]

INSTALL_HINT = "install PyTorch with: pip install 'wordvec[torch]' (or pip install torch)"
#: Default pairs per batch: within noise of the numba engine's quality on SST (tests) and
#: enmix (docs/distributed.md); larger batches are faster on a GPU and converge a little slower.
DEFAULT_BATCH_SIZE = 4096
#: Consecutive examples sharing one draw of K noise words.
NEGATIVE_GROUP = 8
#: Most logits (rows x vocabulary) an exact-softmax batch may hold (float32: 128 MiB).
SOFTMAX_ELEMENTS = 1 << 25
#: Most pairs in an exact-softmax batch: every row of its output matrix moves at each batch by
#: the sum of the batch's gradients, and 16384 pairs diverge at alpha = 0.025 (the numba
#: engine's hold at most 100 / alpha: 4000 at 0.025).
SOFTMAX_PAIRS = 4096
#: Most occurrences of one row in a batch that count at full weight (see scatter_rows): a
#: summed update larger than about alpha x ROW_CAP gradients diverges where sequential SGD would
#: have saturated; 64 keeps batches up to 16384 stable at alpha = 0.025 and never binds at 4096.
ROW_CAP = 64.0


def require_torch() -> Any:
    """The torch module, or ParameterError saying how to install it."""
    if torch is None:
        raise ParameterError(f"a device was requested but PyTorch is not installed: {INSTALL_HINT}")
    return torch


def check_device(device: Any) -> "torch.device":
    """Validate a ``device`` parameter ('cpu', 'cuda', 'cuda:1', a torch.device) and return it.

    Raises ParameterError when torch is missing, the name is not a device, or the device is
    not usable on this machine."""
    require_torch()
    if not isinstance(device, (str, torch.device)):
        raise ParameterError(f"device must be a string such as 'cuda', 'cuda:0' or 'cpu', got {device!r}")
    try:
        dev = torch.device(device)
    except (RuntimeError, ValueError):
        raise ParameterError(f"device={device!r} is not a PyTorch device (expected e.g. 'cuda', 'cuda:1', 'cpu')") from None
    if dev.type == "cuda":
        if not torch.cuda.is_available():
            raise ParameterError(
                f"device={device!r}: PyTorch sees no CUDA GPU on this machine (torch {torch.__version__}); "
                "use device='cpu', or device=None for the numba engine"
            )
        if dev.index is not None and dev.index >= torch.cuda.device_count():
            raise ParameterError(f"device={device!r}: this machine has {torch.cuda.device_count()} CUDA device(s)")
    elif dev.type != "cpu":
        try:
            torch.empty(1, device=dev)
        except (RuntimeError, AssertionError) as e:
            raise ParameterError(f"device={device!r} is not usable: {' '.join(str(e).split())}") from None
    return dev


# ----------------------------------------------------------------------------------- objectives
#
# Each returns (summed loss, dJ/dX, rows, dJ/drows): the gradient of the batch's summed loss with
# respect to the inputs X (n, d) and to the output rows it touches (rows may repeat; the caller
# scatters them with index_add_). They work in any float dtype; the tests run them in float64
# against wordvec.reference.


def negative_sampling_grad(
    X: "torch.Tensor", U: "torch.Tensor", targets: "torch.Tensor", noise: "torch.Tensor"
) -> tuple["torch.Tensor", "torch.Tensor", "torch.Tensor", "torch.Tensor"]:
    """Negative sampling for inputs X (n, d) predicting targets (n,), with noise words
    (G, K) shared by groups of g = ceil(n / G) consecutive examples (the last group may be short).

    J = sum_i [-log sigma(x_i . u_{t_i}) - sum_k [k != t_i] log sigma(-x_i . u_{noise[i // g, k]})].
    """
    n, d = X.shape
    G, K = noise.shape
    g = -(-n // G)
    pad = G * g - n
    u_pos = U[targets]
    f_pos = (X * u_pos).sum(1)
    coef_pos = torch.sigmoid(f_pos) - 1.0
    loss = -F.logsigmoid(f_pos).sum()
    Xg = F.pad(X, (0, 0, 0, pad)).view(G, g, d)
    tg = F.pad(targets, (0, pad), value=-1).view(G, g, 1)
    u_neg = U[noise]  # (G, K, d)
    f_neg = torch.bmm(Xg, u_neg.transpose(1, 2))  # (G, g, K)
    keep = (noise.view(G, 1, K) != tg).to(X.dtype)
    if pad:
        keep.view(G * g, K)[n:] = 0.0
    coef_neg = torch.sigmoid(f_neg) * keep
    loss = loss - (F.logsigmoid(-f_neg) * keep).sum()
    dX = coef_pos[:, None] * u_pos + torch.bmm(coef_neg, u_neg).view(G * g, d)[:n]
    d_neg = torch.bmm(coef_neg.transpose(1, 2), Xg).view(G * K, d)
    rows = torch.cat([targets, noise.reshape(-1)])
    d_rows = torch.cat([coef_pos[:, None] * X, d_neg])
    return loss, dX, rows, d_rows


def hierarchical_softmax_grad(
    X: "torch.Tensor", U: "torch.Tensor", points: "torch.Tensor", codes: "torch.Tensor", lengths: "torch.Tensor"
) -> tuple["torch.Tensor", "torch.Tensor", "torch.Tensor", "torch.Tensor"]:
    """Hierarchical softmax for inputs X (n, d) whose targets have Huffman paths points (n, L),
    codes (n, L) and lengths (n,): J = -sum_i sum_{j < len_i} log sigma((1 - 2 code_ij) x_i . u_{p_ij})."""
    n, d = X.shape
    L = points.shape[1]
    mask = (torch.arange(L, device=X.device)[None, :] < lengths[:, None]).to(X.dtype)
    sign = 1.0 - 2.0 * codes.to(X.dtype)
    u = U[points]  # (n, L, d)
    f = torch.bmm(u, X[:, :, None]).squeeze(2)
    coef = -sign * torch.sigmoid(-sign * f) * mask  # dJ/df
    loss = -(F.logsigmoid(sign * f) * mask).sum()
    dX = torch.bmm(coef[:, None, :], u).squeeze(1)
    d_rows = (coef[:, :, None] * X[:, None, :]).view(n * L, d)
    return loss, dX, points.reshape(-1), d_rows


def softmax_grad(
    X: "torch.Tensor", U: "torch.Tensor", example: "torch.Tensor", targets: "torch.Tensor"
) -> tuple["torch.Tensor", "torch.Tensor", None, "torch.Tensor"]:
    """Exact softmax for inputs X (m, d): input ``example[j]`` predicts ``targets[j]`` for every
    j (an input may have several targets). J = -sum_j log softmax(U x_{example_j})[targets_j].

    dJ/dlogits = B_e softmax(U x_e) - sum_j [example_j = e] onehot(targets_j), with B_e the
    number of targets of input e; dJ/dX = G U and dJ/dU = G^T X (dense, returned whole)."""
    logp = torch.log_softmax(X @ U.T, dim=1)
    loss = -logp[example, targets].sum()
    per_input = torch.bincount(example, minlength=X.shape[0]).to(X.dtype)
    G = logp.exp_().mul_(per_input[:, None])
    G.index_put_((example, targets), torch.full_like(targets, -1.0, dtype=X.dtype), accumulate=True)
    return loss, G @ U, None, G.T @ X


# ----------------------------------------------------------------------------------- training


class _Chunk(NamedTuple):
    raw: int  # tokens read
    n_ids: int  # in-vocabulary tokens
    centers: Any  # int64 (n,) on the device
    ctx_off: np.ndarray  # int64 (n+1,) on the host
    contexts: Any  # int64 on the device
    seg: Any  # int64 (len(contexts),) on the device: the window of each context word


def scatter_rows(
    W: "torch.Tensor", rows: "torch.Tensor", d_rows: "torch.Tensor", alpha: float, terms: "torch.Tensor"
) -> None:
    """W[r] -= alpha * sum of d_rows[j] over rows[j] = r, in place, with a row that occurs m >
    ROW_CAP times in ``rows`` scaled by ROW_CAP / m. ``terms`` is a zero float vector of W's
    length used as scratch (left zero)."""
    terms.index_add_(0, rows, torch.ones_like(rows, dtype=terms.dtype))
    scale = (ROW_CAP / terms[rows]).clamp_(max=1.0)
    terms[rows] = 0.0
    W.index_add_(0, rows, d_rows * scale[:, None].to(d_rows.dtype), alpha=-alpha)


class TorchEngine(Engine):
    """Trains a Word2Vec-like model on a torch device in batches (see the module docstring).

    ``device`` and ``batch_size`` default to the model's attributes of these names. One worker
    thread of the driver draws a job's windows on the CPU (:func:`.kernels.softmax_examples`) and
    trains them on the device. (Two threads preparing jobs while the device trains, under a lock,
    lowered the skip-gram quality on SST measurably: tests/train/test_torch_engine.py.) A resumed
    run is consistent but not bit-identical (the device's noise words come from torch's generator).
    ``shard``: the rank of a distributed run, whose jobs and generator then draw their own random
    numbers."""

    workers = 1

    def __init__(self, model: Any, device: Any = None, batch_size: int | None = None, shard: int = 0) -> None:
        require_torch()
        self.model = model
        self.shard = int(shard)
        device = getattr(model, "device", None) if device is None else device
        self.device = check_device("cpu" if device is None else device)
        self.batch_size = int(getattr(model, "batch_size", DEFAULT_BATCH_SIZE) if batch_size is None else batch_size)
        if lock_factors(model, len(model.wv.vectors)).size:
            raise ParameterError(
                "wv.vectors_lockf (locked or slowed vectors) is honoured by the CPU engines only: train with device=None",
                "vectors_lockf",
            )
        self.tables = build_tables(model.vocab, bool(model.hs), model.sample, model.ns_exponent)
        self.cfg = kernel_config(model)
        self.rng = ensure_rng_states(model, self.workers)
        self.lock = threading.Lock()
        self._host = [model.wv.vectors, model.syn1neg, model.syn1, model.syn1_softmax]
        self.shared = self.device.type == "cpu"
        dev = self.device
        tensors = [torch.from_numpy(a) for a in self._host]
        if not self.shared:
            tensors = [t.to(dev) for t in tensors]
        self.w_in, self.w_ns, self.w_hs, self.w_sm = tensors
        t = self.tables
        self.alias_p = torch.from_numpy(t.alias_threshold.astype(np.float64) / 2.0**32).to(dev, torch.float32)
        self.alias_i = torch.from_numpy(t.alias_index.astype(np.int64)).to(dev)
        self.points = torch.from_numpy(t.points.astype(np.int64)).to(dev)
        self.codes = torch.from_numpy(t.codes).to(dev)
        self.lengths = torch.from_numpy(t.code_lengths.astype(np.int64)).to(dev)
        self.terms = {id(w): torch.zeros(w.shape[0], dtype=w.dtype, device=dev) for w in self.parameters()}
        self.gen = torch.Generator(device=dev)
        stream = 1_000_003 + model.epochs_trained + (self.shard << 32)
        self.gen.manual_seed(int(kernels.rng_state(model.seed, stream)[0] >> np.uint64(1)))
        self._threads = 0

    def parameters(self) -> list["torch.Tensor"]:
        """The trained tensors (input vectors and the used output matrices), on the device."""
        return [t for t in (self.w_in, self.w_ns, self.w_hs, self.w_sm) if t.shape[0]]

    def tensors(self) -> dict[str, Any]:
        found = (self.w_in, self.w_ns, self.w_hs, self.w_sm)
        return {k: t for k, t in zip(("w_in", "w_ns", "w_hs", "w_sm"), found) if t.shape[0]}

    def weights(self) -> dict[str, np.ndarray]:
        return {k: a for k, a in zip(("w_in", "w_ns", "w_hs", "w_sm"), self._host) if a.shape[0]}

    def seed_job(self, worker: int, epoch: int, position: int) -> None:
        self.rng[worker][0] = kernels.job_rng_state(self.model.seed, epoch, position, self.shard)

    def initial_loss(self) -> float:
        if self.model.softmax:
            return math.log(max(len(self.model.vocab), 2))
        return initial_loss(self.model, self.tables)

    def begin_epoch(self, state: Any) -> None:
        if self.shared:  # on the CPU, ``workers`` torch threads
            self._threads = torch.get_num_threads()
            torch.set_num_threads(int(self.model.workers))

    def end_epoch(self) -> None:
        """Copy the device tensors into the model's numpy arrays (no-op on the CPU)."""
        if self.shared:
            if self._threads:
                torch.set_num_threads(self._threads)
                self._threads = 0
            return
        with self.lock:
            for a, t in zip(self._host, (self.w_in, self.w_ns, self.w_hs, self.w_sm)):
                torch.from_numpy(a).copy_(t)

    def _to_device(self, centers: np.ndarray, ctx_off: np.ndarray, contexts: np.ndarray) -> _Chunk:
        seg = np.repeat(np.arange(len(centers), dtype=np.int64), np.diff(ctx_off))
        put = (lambda a: torch.from_numpy(a.astype(np.int64)).to(self.device, non_blocking=True))
        return _Chunk(0, 0, put(centers), ctx_off, put(contexts), put(seg))

    def train(self, batch: Any, alpha0: float, alpha1: float, worker: int) -> Tally:
        model = self.model
        sg = bool(model.sg)
        centers, ctx_off, contexts = kernels.softmax_examples(batch.ids, batch.offsets, self.tables, self.cfg, self.rng[worker])
        with self.lock:
            chunk = self._to_device(centers, ctx_off, contexts)
            if model.softmax:
                loss = self._softmax_chunk(chunk, sg, alpha0, alpha1)
            elif sg:
                loss = self._pair_chunk(chunk, alpha0, alpha1)
            else:
                loss = self._cbow_chunk(chunk, alpha0, alpha1)
            loss = float(loss)
        return Tally(loss=loss, examples=float(ctx_off[-1] if sg else len(centers)), trained_words=len(centers))

    def _scatter(self, W: "torch.Tensor", rows: "torch.Tensor", d_rows: "torch.Tensor", alpha: float) -> None:
        scatter_rows(W, rows, d_rows, alpha, self.terms[id(W)])

    def _noise(self, n: int) -> "torch.Tensor":
        """(ceil(n / NEGATIVE_GROUP), K) noise words from the alias table."""
        shape = (-(-n // NEGATIVE_GROUP), self.model.negative)
        b = torch.randint(0, self.alias_i.shape[0], shape, device=self.device, generator=self.gen)
        u = torch.rand(shape, device=self.device, generator=self.gen)
        return torch.where(u < self.alias_p[b], b, self.alias_i[b])

    def _outputs(self, X: "torch.Tensor", targets: "torch.Tensor", alpha: float) -> tuple["torch.Tensor", "torch.Tensor"]:
        """Negative sampling and/or hierarchical softmax for X predicting targets: updates the
        output matrices; returns (loss, dJ/dX)."""
        loss = X.new_zeros(())
        dX = torch.zeros_like(X)
        parts = []
        if self.model.negative:
            parts.append((self.w_ns, negative_sampling_grad(X, self.w_ns, targets, self._noise(len(targets)))))
        if self.model.hs:
            parts.append(
                (self.w_hs, hierarchical_softmax_grad(X, self.w_hs, self.points[targets], self.codes[targets], self.lengths[targets]))
            )
        for W, (l_, dx, rows, d_rows) in parts:
            self._scatter(W, rows, d_rows, alpha)
            loss = loss + l_
            dX += dx
        return loss, dX

    def _pair_chunk(self, c: _Chunk, a0: float, a1: float) -> "torch.Tensor":
        targets = c.centers[c.seg]
        n = len(c.contexts)
        loss = torch.zeros((), dtype=torch.float64, device=self.device)
        for b0 in range(0, n, self.batch_size):
            b1 = min(n, b0 + self.batch_size)
            alpha = a0 + (a1 - a0) * (b0 / n)
            rows = c.contexts[b0:b1]
            l_, dX = self._outputs(self.w_in[rows], targets[b0:b1], alpha)
            self._scatter(self.w_in, rows, dX, alpha)
            loss += l_.double()
        return loss

    def _hidden(self, c: _Chunk, e0: int, e1: int) -> tuple["torch.Tensor", "torch.Tensor", "torch.Tensor"]:
        """CBOW inputs of windows e0..e1: (h (m, d), context rows, their window in 0..m-1)."""
        p0, p1 = int(c.ctx_off[e0]), int(c.ctx_off[e1])
        ctx, seg = c.contexts[p0:p1], c.seg[p0:p1] - e0
        H = torch.zeros((e1 - e0, self.w_in.shape[1]), dtype=self.w_in.dtype, device=self.device)
        H.index_add_(0, seg, self.w_in[ctx])
        if self.model.cbow_mean:
            H /= torch.from_numpy(np.diff(c.ctx_off[e0 : e1 + 1]).astype(np.float32)).to(self.device)[:, None]
        return H, ctx, seg

    def _cbow_chunk(self, c: _Chunk, a0: float, a1: float) -> "torch.Tensor":
        n = len(c.centers)
        bounds = self._bounds(c, self.batch_size, self.batch_size)
        loss = torch.zeros((), dtype=torch.float64, device=self.device)
        for e0, e1 in zip(bounds[:-1], bounds[1:]):
            alpha = a0 + (a1 - a0) * (e0 / n)
            H, ctx, seg = self._hidden(c, e0, e1)
            l_, dH = self._outputs(H, c.centers[e0:e1], alpha)
            self._scatter(self.w_in, ctx, dH[seg], alpha)
            loss += l_.double()
        return loss

    def _bounds(self, c: _Chunk, rows: int, pairs: int) -> list[int]:
        """Window boundaries of a chunk's batches: about ``pairs`` pairs, at most ``rows`` windows."""
        n = len(c.centers)
        marks = np.arange(pairs, int(c.ctx_off[-1]), pairs)
        cuts = set(np.searchsorted(c.ctx_off, marks).tolist()) | set(range(0, n, rows))
        return sorted(cuts | {n})

    def _softmax_chunk(self, c: _Chunk, sg: bool, a0: float, a1: float) -> "torch.Tensor":
        n = len(c.centers)
        pairs = min(self.batch_size, SOFTMAX_PAIRS)
        bounds = self._bounds(c, max(1, min(pairs, SOFTMAX_ELEMENTS // self.w_sm.shape[0])), pairs)
        loss = torch.zeros((), dtype=torch.float64, device=self.device)
        for e0, e1 in zip(bounds[:-1], bounds[1:]):
            alpha = a0 + (a1 - a0) * (e0 / n)
            if sg:
                p0, p1 = int(c.ctx_off[e0]), int(c.ctx_off[e1])
                rows = c.centers[e0:e1]
                l_, dX, _, dU = softmax_grad(self.w_in[rows], self.w_sm, c.seg[p0:p1] - e0, c.contexts[p0:p1])
                self.w_in.index_add_(0, rows, dX, alpha=-alpha)
            else:
                H, ctx, seg = self._hidden(c, e0, e1)
                example = torch.arange(e1 - e0, device=self.device)
                l_, dH, _, dU = softmax_grad(H, self.w_sm, example, c.centers[e0:e1])
                self.w_in.index_add_(0, ctx, dH[seg], alpha=-alpha)
            self.w_sm.add_(dU, alpha=-alpha)
            loss += l_.double()
        return loss

