"""Read models saved by gensim 4.x (``Word2Vec.save`` / ``KeyedVectors.save``) without running code.

gensim's ``save()`` writes a Python pickle (``path``) and, for arrays larger than ``sep_limit``
(10 MiB by default) or named in ``separately``, one NumPy file per array beside it:
``path + ".wv.vectors.npy"``, ``path + ".syn1neg.npy"``, ... (``.npz`` holding the key ``val``
when ``path`` ends in ``.gz`` / ``.bz2``, in which case the pickle itself is compressed). The
attribute left in the pickle is ``None`` and the object's ``__numpys`` list names it.

Unpickling runs whatever callables the file names, so :func:`read_gensim` never hands the file
to pickle's default class lookup. It runs CPython's unpickler with ``find_class`` replaced by an
explicit allow-list (:data:`ALLOWED_GLOBALS`) in which every entry is one of:

* an inert reference (:class:`GlobalRef`), a frozen record holding a dotted name, for values
  that gensim stores but never needs to call (``builtins.hash`` as ``hashfxn``);
* a record type (:class:`GensimObject` subclasses) for gensim's ``Word2Vec`` and
  ``KeyedVectors``: ``NEWOBJ`` creates an empty instance, ``BUILD`` stores the state dict in
  its ``state`` slot and nothing else;
* a constructor written here that checks its arguments' types and builds an array, a dtype, a
  dict, a set, bytes, or an inert record (NumPy's array and dtype reconstructors, the random
  state reconstructors, ``collections.defaultdict``, ``_codecs.encode`` for protocol 2 bytes).

Why nothing from the file can run code: pickle calls Python code only through the objects
``find_class`` returns (``REDUCE``, ``NEWOBJ``, ``INST`` / ``OBJ`` call them; ``BUILD`` calls
``__setstate__`` of an object they built) and through ``persistent_load`` (not defined, so
refused). Every object that can exist while loading is therefore of a closed set of types:
the builtin containers and scalars pickle makes by itself, ``numpy.ndarray`` / ``numpy.dtype``
/ NumPy scalars built by the constructors above, and this module's records. None of them runs
user-defined code when hashed, compared, or given state (``ndarray.__setstate__`` copies bytes
or stores references; the records only store). A name outside the allow-list stops loading at
once with :class:`~wordvec.errors.ModelFileError` naming it; no constructor was called for it.

gensim layouts before 4.0 (``Vocab`` objects, ``index2word``, ``syn0``) are refused with the
conversion recipe: load the file with gensim 4 and save it again.
"""
from __future__ import annotations

import bz2
import gzip
import io as _io
import logging
import os
import pickle
import re
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from ..errors import ModelFileError

logger = logging.getLogger(__name__)

__all__ = [
    "GensimModel", "GensimObject", "GlobalRef", "RandomStateRecord", "ALLOWED_GLOBALS", "is_pickle_file", "read_gensim",
    "unpickle_restricted",
]

_PICKLE_PREFIX = re.compile(rb"\x80[\x02-\x05]")
_GZIP_MAGIC = b"\x1f\x8b"
_BZ2_MAGIC = b"BZh"
_CONVERT = (
    "it was saved by gensim before 4.0; convert it with gensim 4 "
    "(m = gensim.models.Word2Vec.load(path); m.save(new_path), or KeyedVectors for .kv files) "
    "and load the new file"
)


# ---------------------------------------------------------------------------------- inert objects

@dataclass(frozen=True)
class GlobalRef:
    """A global (function or class) named by the file and kept by name only, never called."""

    module: str
    name: str

    def __str__(self) -> str:
        return f"{self.module}.{self.name}"


class GensimObject:
    """An inert stand-in for a pickled gensim object: its class name and its ``__dict__`` state."""

    __slots__ = ("state",)
    gensim_class = "?"

    def __init__(self) -> None:
        self.state: dict = {}

    def __setstate__(self, state: Any) -> None:
        if not isinstance(state, dict):
            raise pickle.UnpicklingError(f"state of {self.gensim_class} is a {type(state).__name__}, not a dict")
        self.state = state

    def __repr__(self) -> str:
        return f"<{self.gensim_class} record, {len(self.state)} attributes>"


def _record_type(dotted: str) -> type[GensimObject]:
    name = "Record_" + re.sub(r"\W", "_", dotted)
    return type(name, (GensimObject,), {"__slots__": (), "gensim_class": dotted})


_WORD2VEC = "gensim.models.word2vec.Word2Vec"
_KEYEDVECTORS = "gensim.models.keyedvectors.KeyedVectors"
_RANDOM_STATE = "numpy.random.RandomState"
_RECORDS = {
    name: _record_type(name) for name in (_WORD2VEC, _KEYEDVECTORS, "gensim.models.keyedvectors.Word2VecKeyedVectors")
}


class RandomStateRecord(GensimObject):
    """An inert stand-in for a pickled NumPy random generator (its state is kept, never used)."""

    __slots__ = ()
    gensim_class = _RANDOM_STATE

    def __setstate__(self, state: Any) -> None:
        self.state = {"state": state}

# Classes of gensim < 4.0 layouts: refused with the conversion recipe.
_LEGACY = frozenset({
    "gensim.models.keyedvectors.Vocab", "gensim.models.word2vec.Vocab", "gensim.models.word2vec.Word2VecVocab",
    "gensim.models.word2vec.Word2VecTrainables", "gensim.models.keyedvectors.EuclideanKeyedVectors",
    "gensim.models.deprecated.word2vec.Word2Vec", "gensim.models.deprecated.keyedvectors.Vocab",
    "gensim.models.deprecated.keyedvectors.KeyedVectors",
})


# ---------------------------------------------------------------------------------- constructors

def _check(cond: bool, what: str) -> None:
    if not cond:
        raise pickle.UnpicklingError(what)


_ARRAY_TYPES = (GlobalRef("numpy", "ndarray"), GlobalRef("numpy", "memmap"))
_DTYPE_CODE = re.compile(r"(b1|[iu][1248]|f[248]|f16|c8|c16|c32|O[48]|U\d{1,6}|S\d{1,6})")


def _reconstruct(subtype: Any, shape: Any, code: Any) -> np.ndarray:
    """numpy's ``_reconstruct(ndarray, (0,), b'b')``: an empty array that ``BUILD`` fills through
    ``ndarray.__setstate__`` (which copies the bytes, or stores the references of an object
    array's list)."""
    _check(isinstance(subtype, GlobalRef) and subtype in _ARRAY_TYPES, f"cannot rebuild an array of {subtype!r}")
    _check(isinstance(shape, tuple) and all(type(s) is int for s in shape), "bad array shape")
    _check(isinstance(code, (bytes, str)), "bad array type code")
    return np.ndarray((0,), dtype=np.uint8)


def _dtype(code: Any, align: Any = False, copy: Any = True) -> np.dtype:
    """``numpy.dtype(code, False, True)``: a fresh dtype (plain numbers, bytes, text or object)."""
    _check(isinstance(code, str) and _DTYPE_CODE.fullmatch(code) is not None, f"dtype {code!r} is not allowed")
    return np.dtype(code, align=False, copy=True)


def _scalar(dtype: Any, data: Any) -> Any:
    """``numpy.core.multiarray.scalar(dtype, bytes)``: one NumPy number."""
    _check(isinstance(dtype, np.dtype) and not dtype.hasobject, "bad NumPy scalar")
    if isinstance(data, str):
        data = data.encode("latin1")
    _check(isinstance(data, bytes) and len(data) == dtype.itemsize, "bad NumPy scalar data")
    return np.frombuffer(data, dtype=dtype, count=1)[0]


def _frombuffer(buf: Any, dtype: Any, shape: Any, order: Any) -> np.ndarray:
    """numpy's protocol-5 ``_frombuffer(buffer, dtype, shape, order)``."""
    _check(isinstance(buf, (bytes, bytearray)) and isinstance(dtype, np.dtype) and not dtype.hasobject, "bad array")
    _check(isinstance(shape, tuple) and all(type(s) is int and s >= 0 for s in shape), "bad array shape")
    _check(order in ("C", "F"), "bad array order")
    _check(int(np.prod(shape, dtype=np.int64)) * dtype.itemsize == len(buf), "array data size disagrees with its shape")
    return np.frombuffer(bytearray(buf), dtype=dtype).reshape(shape, order=order)


def _random_state(*args: Any) -> GensimObject:
    """numpy's random-state reconstructors: an inert record (wordvec seeds its own generators)."""
    return RandomStateRecord()


def _empty_dict(*args: Any) -> dict:
    """``defaultdict(int)`` / ``OrderedDict()``: a plain dict, filled by ``SETITEMS``."""
    return {}


def _make_set(items: Any = ()) -> set:
    _check(isinstance(items, (list, tuple)), "bad set")
    return set(items)


def _make_frozenset(items: Any = ()) -> frozenset:
    _check(isinstance(items, (list, tuple)), "bad frozenset")
    return frozenset(items)


def _make_bytearray(data: Any = b"") -> bytearray:
    _check(isinstance(data, bytes), "bad bytearray")
    return bytearray(data)


def _codecs_encode(text: Any, encoding: Any = "utf8") -> bytes:
    """Protocol 2's spelling of bytes: ``_codecs.encode(str, 'latin1')``."""
    _check(isinstance(text, str) and encoding in ("latin1", "latin-1"), "bad _codecs.encode call")
    return text.encode("latin1")


def _globals_table() -> dict[tuple[str, str], Any]:
    table: dict[tuple[str, str], Any] = {}
    for mod in ("numpy.core.multiarray", "numpy._core.multiarray"):
        table[mod, "_reconstruct"] = _reconstruct
        table[mod, "scalar"] = _scalar
    for mod in ("numpy.core.numeric", "numpy._core.numeric"):
        table[mod, "_frombuffer"] = _frombuffer
    table["numpy", "dtype"] = _dtype
    for mod, name in (("numpy", "ndarray"), ("numpy", "memmap"), ("numpy.core.memmap", "memmap"),
                      ("numpy._core.memmap", "memmap")):
        table[mod, name] = GlobalRef("numpy", name)
    for mod, name in (("numpy.random._pickle", "__randomstate_ctor"), ("numpy.random._pickle", "__bit_generator_ctor"),
                      ("numpy.random._pickle", "__generator_ctor"), ("numpy.random", "__RandomState_ctor")):
        table[mod, name] = _random_state
    for mod, name in (("numpy.random._mt19937", "MT19937"), ("numpy.random._pcg64", "PCG64"),
                      ("numpy.random._pcg64", "PCG64DXSM"), ("numpy.random._philox", "Philox"),
                      ("numpy.random._sfc64", "SFC64")):
        table[mod, name] = GlobalRef(mod, name)
    for builtins in ("builtins", "__builtin__"):
        for name in ("int", "float", "str", "list", "object", "hash"):
            table[builtins, name] = GlobalRef("builtins", name)
        table[builtins, "set"] = _make_set
        table[builtins, "frozenset"] = _make_frozenset
        table[builtins, "bytearray"] = _make_bytearray
    table["_codecs", "encode"] = _codecs_encode
    table["collections", "defaultdict"] = _empty_dict
    table["collections", "OrderedDict"] = _empty_dict
    table["gensim.utils", "call_on_class_only"] = GlobalRef("gensim.utils", "call_on_class_only")
    for dotted, record in _RECORDS.items():
        if dotted.startswith("gensim."):
            mod, _, name = dotted.rpartition(".")
            table[mod, name] = record
    return table


#: (module, name) -> what ``find_class`` returns for it; anything else is refused.
ALLOWED_GLOBALS: dict[tuple[str, str], Any] = _globals_table()


class _RestrictedUnpickler(pickle.Unpickler):
    """CPython's unpickler whose global lookup returns only :data:`ALLOWED_GLOBALS` entries."""

    def __init__(self, f: Any, source: str) -> None:
        super().__init__(f, encoding="latin1", fix_imports=False)
        self.source = source

    def find_class(self, module: str, name: str) -> Any:
        found = ALLOWED_GLOBALS.get((module, name))
        if found is not None:
            return found
        dotted = f"{module}.{name}"
        if dotted in _LEGACY or module in ("__builtin__", "copy_reg"):  # gensim < 4, or a Python 2 pickle
            raise ModelFileError(f"{self.source}: {_CONVERT}")
        if module.startswith("gensim."):
            raise ModelFileError(
                f"{self.source}: refused: the file holds a gensim {name} ({dotted}); wordvec imports gensim 4 "
                "Word2Vec and KeyedVectors files only; nothing in it was run"
            )
        raise ModelFileError(
            f"{self.source}: refused: the pickle asks for {dotted!r}, which is not on the allow-list of gensim "
            "Word2Vec / KeyedVectors files; nothing in it was run"
        )

    def persistent_load(self, pid: Any) -> Any:
        raise ModelFileError(f"{self.source}: refused: the pickle holds a persistent reference; nothing in it was run")


def unpickle_restricted(data: bytes, source: str = "<bytes>") -> Any:
    """Unpickle ``data`` with the allow-list; see the module docstring. Errors: ModelFileError."""
    try:
        return _RestrictedUnpickler(_io.BytesIO(data), source).load()
    except ModelFileError:
        raise
    except RecursionError as exc:
        raise ModelFileError(f"{source}: the pickle is nested too deeply") from exc
    except (pickle.UnpicklingError, EOFError, TypeError, ValueError, AttributeError, KeyError, IndexError,
            OverflowError, MemoryError, UnicodeDecodeError) as exc:
        raise ModelFileError(f"{source}: not a readable gensim file (damaged or truncated pickle: {exc})") from exc


# ---------------------------------------------------------------------------------- files

def _compression(data: bytes) -> str | None:
    if data.startswith(_GZIP_MAGIC):
        return "gz"
    if data.startswith(_BZ2_MAGIC):
        return "bz2"
    return None


def _read_bytes(name: str) -> bytes:
    try:
        with open(name, "rb") as f:
            data = f.read()
    except FileNotFoundError as exc:
        raise ModelFileError(f"{name}: no such file") from exc
    except IsADirectoryError as exc:
        raise ModelFileError(f"{name}: is a directory, not a file") from exc
    except OSError as exc:
        raise ModelFileError(f"{name}: cannot read ({exc.strerror or exc})") from exc
    kind = _compression(data)
    if kind is None:
        return data
    try:
        return gzip.decompress(data) if kind == "gz" else bz2.decompress(data)
    except (OSError, EOFError, ValueError) as exc:
        raise ModelFileError(f"{name}: compressed data is damaged or truncated ({exc})") from exc


def is_pickle_file(path: Any) -> bool:
    """True when ``path`` starts like a pickle of protocol 2..5 (after gzip / bz2 decompression)."""
    name = os.fspath(path)
    try:
        with open(name, "rb") as f:
            head = f.read(3)
            if _compression(head) == "gz":
                f.seek(0)
                with gzip.open(f) as g:
                    head = g.read(2)
            elif _compression(head) == "bz2":
                f.seek(0)
                with bz2.open(f) as b:
                    head = b.read(2)
    except (OSError, EOFError, ValueError):
        return False
    return _PICKLE_PREFIX.match(head) is not None


def _side_arrays(obj: GensimObject, fname: str, compressed: bool, mmap: str | None, source: str) -> None:
    """Fill the attributes gensim saved beside the pickle (``__numpys``), recursively
    (``__recursive_saveloads``), as gensim's ``_load_specials`` does; never unpickles."""
    state = obj.state
    for attrib in _name_list(state, "__recursive_saveloads", source):
        child = state.get(attrib)
        if not isinstance(child, GensimObject):
            raise ModelFileError(f"{source}: attribute {attrib!r} listed as saved recursively is not a gensim object")
        _side_arrays(child, f"{fname}.{attrib}", compressed, mmap, source)
    for attrib in _name_list(state, "__numpys", source):
        path = f"{fname}.{attrib}.{'npz' if compressed else 'npy'}"
        state[attrib] = _load_npy(path, compressed, mmap, source)
    scipys = _name_list(state, "__scipys", source)
    if scipys:
        raise ModelFileError(f"{source}: attributes {scipys} are sparse matrices, which Word2Vec files never hold")
    for attrib in _name_list(state, "__ignoreds", source):
        state[attrib] = None


def _name_list(state: dict, key: str, source: str) -> list[str]:
    names = state.pop(key, [])
    if not (isinstance(names, list) and all(isinstance(n, str) and n.isidentifier() for n in names)):
        raise ModelFileError(f"{source}: {key} must be a list of attribute names, got {names!r}")
    return names


def _load_npy(path: str, compressed: bool, mmap: str | None, source: str) -> np.ndarray:
    try:
        if compressed:
            with np.load(path, allow_pickle=False) as npz:
                return npz["val"]
        return np.load(path, mmap_mode=mmap, allow_pickle=False)
    except FileNotFoundError as exc:
        raise ModelFileError(f"{source}: the array file {path} that gensim saved beside it is missing") from exc
    except (OSError, ValueError, EOFError, KeyError) as exc:
        raise ModelFileError(f"{path}: not a readable NumPy array file ({exc})") from exc


# ---------------------------------------------------------------------------------- mapping

@dataclass
class GensimModel:
    """What a gensim 4.x file holds, in plain types.

    ``kind`` is ``"Word2Vec"`` or ``"KeyedVectors"``. ``keys`` / ``vectors`` ((n, d) array) /
    ``expandos`` (per-word arrays: ``count`` int64, ``sample_int`` uint32, ``code`` / ``point``
    object arrays of hierarchical-softmax paths) are the vocabulary and word vectors.
    ``vectors_lockf`` is gensim's per-word learning-rate factor (length 1 or n). For a Word2Vec
    file, ``syn1neg`` ((n, d), negative sampling) and ``syn1`` ((n - 1 or n, d), hierarchical
    softmax) are the output weights (None when not trained) and ``params`` holds the training
    parameters and counters under gensim's names (vector_size, window, sg, hs, negative,
    ns_exponent, cbow_mean, alpha, min_alpha, sample, epochs, min_count, seed, ...).
    """

    kind: str
    keys: list[str]
    vectors: np.ndarray
    expandos: dict[str, np.ndarray] = field(default_factory=dict)
    vectors_lockf: np.ndarray | None = None
    syn1neg: np.ndarray | None = None
    syn1: np.ndarray | None = None
    params: dict[str, Any] = field(default_factory=dict)
    gensim_version: str | None = None

    @property
    def counts(self) -> np.ndarray | None:
        """The ``count`` attribute (int64, one per word), if stored."""
        return self.expandos.get("count")


_PARAMS = {
    "vector_size": int, "window": int, "sg": int, "hs": int, "negative": int, "ns_exponent": float,
    "cbow_mean": int, "alpha": float, "min_alpha": float, "sample": float, "epochs": int, "min_count": int,
    "seed": int, "workers": int, "max_vocab_size": int, "max_final_vocab": int, "sorted_vocab": int,
    "null_word": int, "shrink_windows": bool, "batch_words": int, "compute_loss": bool, "corpus_count": int,
    "corpus_total_words": int, "train_count": int, "total_train_time": float, "min_alpha_yet_reached": float,
    "running_training_loss": float, "effective_min_count": int, "layer1_size": int, "comment": str,
}


def _plain(value: Any) -> Any:
    if isinstance(value, np.generic):
        return value.item()
    return value


_ACCEPTS = {int: (int, bool), float: (int, float), bool: (bool, int), str: (str,)}


def _params(state: dict, source: str) -> dict[str, Any]:
    params: dict[str, Any] = {}
    for name, kind in _PARAMS.items():
        if name not in state:
            continue
        value = _plain(state[name])
        if value is not None and type(value) not in _ACCEPTS[kind]:
            raise ModelFileError(f"{source}: parameter {name!r} is {value!r}, expected {kind.__name__}")
        params[name] = None if value is None else kind(value)
    return params


def _array(value: Any, name: str, source: str, shape: tuple | None = None, kinds: str = "f") -> np.ndarray | None:
    if value is None:
        return None
    if not isinstance(value, np.ndarray) or value.dtype.kind not in kinds or value.dtype.fields is not None:
        got = f"{value.dtype} array" if isinstance(value, np.ndarray) else type(value).__name__
        raise ModelFileError(f"{source}: {name} is a {got}, expected a numeric array")
    if shape is not None and (value.ndim != len(shape) or any(s is not None and s != v for s, v in zip(shape, value.shape))):
        raise ModelFileError(f"{source}: {name} has shape {value.shape}, expected {shape}")
    return value


def _version(state: dict) -> str | None:
    events = state.get("lifecycle_events")
    if isinstance(events, list):
        for event in reversed(events):
            if isinstance(event, dict) and isinstance(event.get("gensim"), str):
                return event["gensim"]
    return None


def _keyed_vectors(kv: GensimObject, source: str) -> tuple[list[str], np.ndarray, dict, np.ndarray | None]:
    state = kv.state
    if "index_to_key" not in state or "vocab" in state or "syn0" in state:
        raise ModelFileError(f"{source}: {_CONVERT}")
    keys = state["index_to_key"]
    if not isinstance(keys, list):
        raise ModelFileError(f"{source}: index_to_key is a {type(keys).__name__}, not a list")
    for i, key in enumerate(keys):
        if not isinstance(key, str):
            raise ModelFileError(f"{source}: key {i} is {key!r}; wordvec keys are strings (words)")
    vectors = _array(state.get("vectors"), "vectors", source, (len(keys), None))
    if vectors is None:
        raise ModelFileError(f"{source}: the file holds no vectors")
    size = state.get("vector_size")
    if type(size) is int and size != vectors.shape[1]:
        raise ModelFileError(f"{source}: vector_size {size} disagrees with vectors of shape {vectors.shape}")
    expandos = state.get("expandos") or {}
    if not isinstance(expandos, dict):
        raise ModelFileError(f"{source}: expandos is a {type(expandos).__name__}, not a dict")
    attrs = {}
    for attr, values in expandos.items():
        kinds = "O" if attr in ("code", "point") else "biuf"
        arr = _array(values, f"expandos[{attr!r}]", source, (len(keys),), kinds)
        if arr is not None and arr.dtype.kind == "O":
            for item in arr:
                _array(item, f"expandos[{attr!r}] item", source, (None,), "iu")
        attrs[str(attr)] = arr
    if "count" in attrs:
        attrs["count"] = np.asarray(attrs["count"], dtype=np.int64)
    lockf = _array(state.get("vectors_lockf"), "vectors_lockf", source, (None,))
    if lockf is not None and len(lockf) not in (1, len(keys)):
        raise ModelFileError(f"{source}: vectors_lockf has {len(lockf)} entries for {len(keys)} words")
    return keys, vectors, attrs, lockf


def read_gensim(path: Any, mmap: str | None = None) -> GensimModel:
    """Read a gensim 4.x ``Word2Vec`` or ``KeyedVectors`` file (and its side ``.npy`` files).

    ``mmap='r'`` memory-maps the side arrays (not arrays stored inside the pickle). Raises
    :class:`~wordvec.errors.ModelFileError` with one line for anything else: another gensim
    class (FastText, Doc2Vec, ...), a layout older than gensim 4.0 (with the conversion
    recipe), a global outside the allow-list, damaged data or a missing side file.
    """
    name = os.fspath(path)
    if mmap not in (None, "r", "c"):
        raise ModelFileError(f"mmap must be None, 'r' or 'c', got {mmap!r}")
    raw = _read_bytes(name)
    compressed = name.endswith((".gz", ".bz2"))
    if not _PICKLE_PREFIX.match(raw[:2]):
        raise ModelFileError(f"{name}: not a gensim file (gensim 4 writes a pickle of protocol 2 to 5)")
    obj = unpickle_restricted(raw, name)
    if not isinstance(obj, GensimObject) or obj.gensim_class == _RANDOM_STATE:
        raise ModelFileError(f"{name}: the pickle holds a {type(obj).__name__}, not a gensim Word2Vec or KeyedVectors")
    _side_arrays(obj, name, compressed, mmap if not compressed else None, name)
    if obj.gensim_class == _WORD2VEC:
        state = obj.state
        if "vocabulary" in state or "trainables" in state:
            raise ModelFileError(f"{name}: {_CONVERT}")
        kv = state.get("wv")
        if not isinstance(kv, GensimObject) or kv.gensim_class == _RANDOM_STATE:
            raise ModelFileError(f"{name}: the Word2Vec record has no KeyedVectors 'wv'")
        keys, vectors, attrs, lockf = _keyed_vectors(kv, name)
        n, d = vectors.shape
        syn1neg = _array(state.get("syn1neg"), "syn1neg", name, (n, d))
        syn1 = _array(state.get("syn1"), "syn1", name, (None, d))
        if syn1 is not None and len(syn1) not in (n, max(n - 1, 0)):
            raise ModelFileError(f"{name}: syn1 has {len(syn1)} rows for {n} words")
        return GensimModel("Word2Vec", keys, vectors, attrs, lockf, syn1neg, syn1, _params(state, name),
                           _version(state))
    keys, vectors, attrs, lockf = _keyed_vectors(obj, name)
    return GensimModel("KeyedVectors", keys, vectors, attrs, lockf, params={"vector_size": vectors.shape[1]},
                       gensim_version=_version(obj.state))
