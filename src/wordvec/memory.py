"""How much memory wordvec may use, what its large arrays need, and memory errors as one line.

:func:`memory_budget` is the smallest of the limits a process meets on Linux, with the name of
the one that binds:

* the machine's physical memory (the page size times the number of physical pages);
* the process's address-space limit (``RLIMIT_AS``, ``ulimit -v``), less what the process has
  already mapped (``VmSize``): past it every allocation fails with MemoryError;
* the memory limit of the process's cgroup (a container's, a systemd unit's, a batch job's:
  cgroup v2 ``memory.max`` of its group and every parent, or v1 ``memory.limit_in_bytes``),
  less the group's current usage: past it the kernel kills the process without a message.

:func:`check_fits` refuses, before allocating, what needs more than a fraction of that budget,
saying how much was needed, which limit binds and what to change. :func:`weights_bytes` and
:func:`counting_bytes` estimate the training matrices and the vocabulary-counting tables.
:func:`memory_error_line` turns a MemoryError that happened anyway into one line.
"""
from __future__ import annotations

import os
import resource
from dataclasses import dataclass
from pathlib import Path

from .errors import ParameterError

__all__ = [
    "Budget", "memory_budget", "check_fits", "weights_bytes", "counting_bytes", "memory_error_line",
    "MEMORY_HINT", "COUNTING_HINT", "USABLE_FRACTION",
]

#: Share of the budget one request may take (the rest: Python, numpy temporaries, the OS).
USABLE_FRACTION = 0.8
#: What a user can change when training needs too much memory.
MEMORY_HINT = "lower vector_size (--dim), raise min_count (--min-count) or set max_vocab_size"
#: Bytes per distinct word in a counting table beyond its characters: hash slots at half load
#: (2 x 8), offset, count and first position (3 x 8), and the merged Python dict entry (~100).
_COUNT_ENTRY_BYTES = 16 + 24 + 100


@dataclass(frozen=True)
class Budget:
    """``bytes`` this process can still allocate; ``bound`` names the limit that sets it."""

    bytes: int
    bound: str


def _gib(n: float) -> str:
    return f"{n / 2**30:,.1f} GiB"


def _read_int(path: Path) -> int | None:
    try:
        text = path.read_text().strip()
    except (OSError, ValueError):
        return None
    if text == "max":
        return None
    try:
        value = int(text)
    except ValueError:
        return None
    return None if value >= 2**60 else value  # cgroup v1 writes a huge number for "no limit"


def _cgroup_headroom(root: Path = Path("/sys/fs/cgroup"), proc: Path = Path("/proc/self/cgroup")) -> int | None:
    """Bytes left under the tightest cgroup memory limit of this process, None without a limit."""
    try:
        lines = proc.read_text().splitlines()
    except OSError:
        return None
    best: int | None = None
    for line in lines:
        parts = line.split(":", 2)
        if len(parts) != 3:
            continue
        _, controllers, rel = parts
        rel = rel.lstrip("/")
        if controllers == "":  # cgroup v2: the group and each parent may set memory.max
            group = root / rel
            while True:
                limit = _read_int(group / "memory.max")
                if limit is not None:
                    used = _read_int(group / "memory.current") or 0
                    best = limit - used if best is None else min(best, limit - used)
                if group == root or root not in group.parents:
                    break
                group = group.parent
        elif "memory" in controllers.split(","):
            for base in (root / "memory" / rel, root / "memory"):
                limit = _read_int(base / "memory.limit_in_bytes")
                if limit is not None:
                    used = _read_int(base / "memory.usage_in_bytes") or 0
                    best = limit - used if best is None else min(best, limit - used)
                    break
    return None if best is None else max(best, 0)


def _mapped_bytes() -> int:
    """The process's virtual size (VmSize), 0 if unknown."""
    try:
        with open("/proc/self/status", encoding="ascii") as f:
            for line in f:
                if line.startswith("VmSize:"):
                    return int(line.split()[1]) * 1024
    except (OSError, ValueError, IndexError):
        pass
    return 0


def memory_budget() -> Budget:
    """The bytes this process can still allocate and the limit that binds (see the module docstring)."""
    candidates: list[Budget] = []
    try:
        candidates.append(Budget(os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES"), "this machine's memory"))
    except (ValueError, OSError, AttributeError):  # pragma: no cover - not POSIX
        pass
    soft, _ = resource.getrlimit(resource.RLIMIT_AS)
    if soft != resource.RLIM_INFINITY:
        candidates.append(Budget(max(soft - _mapped_bytes(), 0), "the address-space limit (ulimit -v)"))
    cgroup = _cgroup_headroom()
    if cgroup is not None:
        candidates.append(Budget(cgroup, "the memory left under this process's cgroup limit (container or job)"))
    if not candidates:  # pragma: no cover
        return Budget(2**62, "no known limit")
    return min(candidates, key=lambda b: b.bytes)


def check_fits(
    needed: int, what: str, change: str = MEMORY_HINT, budget: Budget | None = None, param: str | None = None
) -> None:
    """Raise ParameterError (blaming ``param``), before allocating, when ``needed`` bytes exceed
    USABLE_FRACTION of the budget: ``"<what> needs X GiB, more than the Y GiB of <limit>; <change>"``."""
    budget = memory_budget() if budget is None else budget
    if needed > USABLE_FRACTION * budget.bytes:
        raise ParameterError(
            f"{what} needs {_gib(needed)}, more than the {_gib(budget.bytes)} of {budget.bound}; {change}", param
        )


def weights_bytes(n_words: int, vector_size: int, negative: int, hs: int, softmax: bool, softmax_windows: int = 0) -> int:
    """Bytes of the float32 weight matrices of a word2vec model: the input vectors and one
    output matrix per objective (negative sampling, hierarchical softmax, exact softmax, whose
    batches also hold ``softmax_windows`` scores per word and a gradient matrix)."""
    matrices = 1 + bool(negative) + bool(hs) + bool(softmax)
    need = matrices * n_words * vector_size * 4
    if softmax:
        need += softmax_windows * n_words * 4 + n_words * vector_size * 4
    return need


def counting_bytes(n_distinct: int, word_bytes: int, workers: int = 1) -> int:
    """Bytes of the vocabulary-counting tables for ``n_distinct`` words holding ``word_bytes``
    bytes of text in all: one hash table per worker thread, then the merged counts."""
    per_table = n_distinct * _COUNT_ENTRY_BYTES + word_bytes
    return max(1, workers) * per_table + per_table + 2 * word_bytes


#: What a user can change when counting the vocabulary needs too much memory.
COUNTING_HINT = "set max_vocab_size (prunes rare words while counting, as word2vec.c) or count a smaller corpus"


def memory_error_line(exc: BaseException, change: str = MEMORY_HINT) -> str:
    """One line for a MemoryError: what could not be allocated (numpy says how much), the budget
    and its limit, and what to change."""
    what = " ".join(str(exc).split())
    budget = memory_budget()
    detail = f" ({what})" if what else ""
    return f"out of memory{detail}; {_gib(budget.bytes)} available under {budget.bound}; {change}"
