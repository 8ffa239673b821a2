"""Inline numba helpers shared by the kernels: random numbers, sigmoid tables, BLAS-1 loops,
subsampling, dynamic windows, prefetching and a vectorizable exp.

All are ``inline="always"``: they compile into the kernels that call them.
"""
from __future__ import annotations

import math

import llvmlite.binding
import llvmlite.ir
import numba
import numba.core.cgutils
import numba.extending
import numba.np.arrayobj
import numpy as np

from .config import EXAMPLES, FASTMATH, LOSS, MAX_EXP, SCALE, TRAINED_WORDS, Bags, Tables, Weights

# LLVM 15 made pointers opaque, which renamed the intrinsic's overload.
PREFETCH_INTRINSIC = "llvm.prefetch.p0" if llvmlite.binding.llvm_version_info >= (15,) else "llvm.prefetch.p0i8"


@numba.extending.intrinsic
def prefetch(typingctx, arr, index):
    """Hint the CPU to load the cache line holding arr[index] (a tuple of one integer per
    dimension) for writing; no effect on results. Lets the random rows of the next windows load
    while this one computes."""
    if not (isinstance(arr, numba.types.Array) and isinstance(index, numba.types.UniTuple)
            and index.count == arr.ndim and isinstance(index.dtype, numba.types.Integer)):
        return None

    def codegen(context, builder, signature, args):
        aryty = signature.args[0]
        ary = context.make_array(aryty)(context, builder, args[0])
        ptr = numba.core.cgutils.get_item_pointer(context, builder, aryty, ary, numba.core.cgutils.unpack_tuple(builder, args[1], aryty.ndim))
        i8p = llvmlite.ir.IntType(8).as_pointer()
        i32 = llvmlite.ir.IntType(32)
        fnty = llvmlite.ir.FunctionType(llvmlite.ir.VoidType(), [i8p, i32, i32, i32])
        fn = numba.core.cgutils.get_or_insert_function(builder.module, fnty, PREFETCH_INTRINSIC)
        rw, locality, data = (llvmlite.ir.Constant(i32, v) for v in (1, 3, 1))
        builder.call(fn, [builder.bitcast(ptr, i8p), rw, locality, data])
        return context.get_dummy_value()

    return numba.types.void(arr, index), codegen


@numba.extending.intrinsic
def borrowed(typingctx, arr):
    """The same array (data, shape, strides) without its reference count: numba increments and
    decrements an array's count, atomically, wherever the array is passed to an inline helper or
    viewed, and two threads doing so on the arrays they share (the weights, the tables) fight
    over one cache line; that was a quarter of FastText CBOW's time. Only for arrays that the
    caller keeps alive for as long as the result is used (a kernel's arguments)."""
    if not isinstance(arr, numba.types.Array):
        return None

    def codegen(context, builder, signature, args):
        src = context.make_array(signature.args[0])(context, builder, args[0])
        out = context.make_array(signature.return_type)(context, builder)
        numba.np.arrayobj.populate_array(out, data=src.data, shape=src.shape, strides=src.strides,
                                         itemsize=src.itemsize, meminfo=None)
        return out._getvalue()

    return arr(arr), codegen


@numba.extending.intrinsic
def bits_to_float32(typingctx, bits):
    """Reinterpret int32 bits as a float32 (LLVM bitcast; vectorizes)."""
    if bits != numba.types.int32:
        return None

    def codegen(context, builder, signature, args):
        return builder.bitcast(args[0], llvmlite.ir.FloatType())

    return numba.types.float32(numba.types.int32), codegen


@numba.njit(inline="always")
def prefetch_row(M, r):
    """Prefetch every cache line of row r of the 2-D array M (float32 or float64)."""
    for k in range(0, M.shape[1], 64 // M.itemsize):
        prefetch(M, (np.int64(r), np.int64(k)))


@numba.njit(inline="always")
def rand(state):
    """splitmix64: (new state, 64 random bits)."""
    state = state + np.uint64(0x9E3779B97F4A7C15)
    z = state
    z = (z ^ (z >> np.uint64(30))) * np.uint64(0xBF58476D1CE4E5B9)
    z = (z ^ (z >> np.uint64(27))) * np.uint64(0x94D049BB133111EB)
    return state, z ^ (z >> np.uint64(31))


@numba.njit(inline="always")
def below(r, n):
    """Map 32 random bits r to [0, n) (Lemire's multiply-shift)."""
    return np.int64(((r & np.uint64(0xFFFFFFFF)) * np.uint64(n)) >> np.uint64(32))


@numba.njit(inline="always")
def sig_logsig(f, sig_t, logsig_t):
    """(sigma(f), log sigma(f)) as float64: tables with linear interpolation on [-MAX_EXP,
    MAX_EXP] (abs. error < 1e-5), exact outside."""
    if f <= -MAX_EXP or f >= MAX_EXP:
        if f > 0:
            e = np.exp(-f)
            return 1.0 / (1.0 + e), -np.log1p(e)
        e = np.exp(f)
        return e / (1.0 + e), f - np.log1p(e)
    t = (f + MAX_EXP) * SCALE
    k = int(t)
    fr = t - k
    s = sig_t[k] + fr * (sig_t[k + 1] - sig_t[k])
    ls = logsig_t[k] + fr * (logsig_t[k + 1] - logsig_t[k])
    return s, ls


@numba.njit(inline="always")
def sigmoid(f, sig_t):
    """sigma(f) as float64, equal to sig_logsig(f, ...)[0] without the log's work."""
    if f <= -MAX_EXP or f >= MAX_EXP:
        if f > 0:
            return 1.0 / (1.0 + np.exp(-f))
        e = np.exp(f)
        return e / (1.0 + e)
    t = (f + MAX_EXP) * SCALE
    k = int(t)
    return sig_t[k] + (t - k) * (sig_t[k + 1] - sig_t[k])


# The row helpers index 2-D arrays directly: a row view (M[r]) of an array shared by the worker
# threads costs an atomic reference-count update on the shared array, which made the threads
# fight over one cache line (a quarter of FastText CBOW's time).
@numba.njit(inline="always")
def dot_rows(A, i, B, j, d):
    """A[i] . B[j] (float32) over the first d columns."""
    s = np.float32(0.0)
    for k in range(d):
        s += A[i, k] * B[j, k]
    return s


@numba.njit(inline="always")
def axpy_rows(alpha, X, i, Y, j, d):
    """Y[j] += alpha * X[i] over the first d columns."""
    for k in range(d):
        Y[j, k] += alpha * X[i, k]


@numba.njit(inline="always")
def zero_row(X, i, d):
    """X[i] = 0 over the first d columns."""
    for k in range(d):
        X[i, k] = 0.0


@numba.njit(inline="always")
def scale_row(alpha, X, i, d):
    """X[i] *= alpha over the first d columns."""
    for k in range(d):
        X[i, k] *= alpha


@numba.njit(inline="always")
def longest_sentence(offsets):
    """The length of the longest sentence of a chunk (offsets int64 (s+1,)); 0 without one."""
    n = 0
    for s in range(offsets.shape[0] - 1):
        n = max(n, offsets[s + 1] - offsets[s])
    return n


@numba.njit(inline="always")
def subsample(ids, start, stop, keep, out, state):
    """Copy ids[start:stop] into out, keeping word w with probability keep[w] / 2**32; (n kept, state)."""
    n = 0
    for p in range(start, stop):
        w = ids[p]
        state, r = rand(state)
        if np.int64(r & np.uint64(0xFFFFFFFF)) < keep[w]:
            out[n] = w
            n += 1
    return n, state


@numba.njit(inline="always")
def next_sentence(ids, offsets, s, alpha0, alpha1, keep, sent, state):
    """Sentence s of a chunk (ids, offsets): (its rate, alpha0 -> alpha1 linearly over the
    chunk's words; n, the number of its words :func:`subsample` keeps into sent; state)."""
    alpha = alpha0 + (alpha1 - alpha0) * (offsets[s] / max(1, ids.shape[0]))
    n, state = subsample(ids, offsets[s], offsets[s + 1], keep, sent, state)
    return alpha, n, state


@numba.njit(inline="always")
def add_stats(stats, loss, examples, trained):
    """A kernel's totals into its stats array (float64 (N_STATS,))."""
    stats[LOSS] += loss
    stats[EXAMPLES] += examples
    stats[TRAINED_WORDS] += trained


@numba.njit(inline="always")
def window(pos, n, radius, state, shrink=1):
    """Window around pos in a sentence of n words: (lo, hi, state). Dynamic (``shrink``):
    effective radius radius - b with b uniform in [0, radius); else the full radius (gensim's
    ``shrink_windows=False``, no random number drawn)."""
    if not shrink:
        return max(0, pos - radius), min(n, pos + radius + 1), state
    state, r = rand(state)
    reduced = radius - below(r, radius)
    return max(0, pos - reduced), min(n, pos + reduced + 1), state


LOG2E = np.float32(1.4426950408889634)
EXP2_POLY = tuple(np.float32(np.log(2.0) ** k / math.factorial(k)) for k in range(7))


@numba.njit(inline="always", fastmath=FASTMATH)
def exp_nonpositive(x):
    """exp(x) for float32 x <= 0 with relative error < 3e-7 + 1e-7 |x| (x clamped at -87):
    2^n p(f) with x log2(e) = n + f, |f| <= 1/2, p the degree-6 Taylor polynomial of 2^f.
    Written so that LLVM vectorizes it: numba has no vector exp without Intel's SVML, and the
    scalar libm call made the exact softmax's exp pass several times slower."""
    t = max(x, np.float32(-87.0)) * LOG2E
    n = np.floor(t + np.float32(0.5))
    f = t - n
    c = EXP2_POLY
    p = c[6]
    p = p * f + c[5]
    p = p * f + c[4]
    p = p * f + c[3]
    p = p * f + c[2]
    p = p * f + c[1]
    p = p * f + c[0]
    return p * bits_to_float32(np.int32((np.int64(n) + 127) << 23))


@numba.njit(inline="always")
def borrowed_arrays(weights, tables):
    """``weights`` (:class:`.config.Weights`) and ``tables`` (:class:`.config.Tables`) with every
    array :func:`borrowed`: what a kernel works on, so that the threads sharing them do not
    update their reference counts. The kernel's arguments keep the arrays alive."""
    w = Weights(borrowed(weights.w_in), borrowed(weights.w_ns), borrowed(weights.w_hs))
    t = Tables(borrowed(tables.keep), borrowed(tables.alias_threshold), borrowed(tables.alias_index),
               borrowed(tables.codes), borrowed(tables.points), borrowed(tables.code_lengths),
               borrowed(tables.sigmoid), borrowed(tables.log_sigmoid), borrowed(tables.lockf))
    return w, t


@numba.njit(inline="always")
def borrowed_bags(bags):
    """``bags`` (a :class:`.config.Bags`, not None) with its arrays :func:`borrowed`."""
    return Bags(borrowed(bags.offsets), borrowed(bags.rows), borrowed(bags.gain))
