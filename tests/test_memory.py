"""The memory budget (wordvec.memory): physical memory, the address-space limit and cgroup limits;
refusals and memory errors that say how much was needed, which limit binds and what to change."""
from __future__ import annotations

import resource
import subprocess
import sys

import pytest

from wordvec import memory
from wordvec.errors import ParameterError


def test_a_cgroup_v2_limit_of_the_group_or_a_parent_binds(tmp_path):
    root = tmp_path / "cg"
    leaf = root / "jobs" / "job1"
    leaf.mkdir(parents=True)
    (root / "jobs" / "memory.max").write_text(str(8 << 30))
    (root / "jobs" / "memory.current").write_text(str(1 << 30))
    (leaf / "memory.max").write_text("max")
    (leaf / "memory.current").write_text(str(1 << 29))
    proc = tmp_path / "cgroup"
    proc.write_text("0::/jobs/job1\n")
    assert memory._cgroup_headroom(root, proc) == 7 << 30
    (leaf / "memory.max").write_text(str(2 << 30))
    assert memory._cgroup_headroom(root, proc) == (2 << 30) - (1 << 29)


def test_a_cgroup_v1_limit_and_no_limit(tmp_path):
    root = tmp_path / "cg"
    group = root / "memory" / "docker" / "abc"
    group.mkdir(parents=True)
    (group / "memory.limit_in_bytes").write_text(str(4 << 30))
    (group / "memory.usage_in_bytes").write_text(str(1 << 30))
    proc = tmp_path / "cgroup"
    proc.write_text("12:cpu:/docker/abc\n11:memory:/docker/abc\n")
    assert memory._cgroup_headroom(root, proc) == 3 << 30
    (group / "memory.limit_in_bytes").write_text(str(2**63 - 4096))  # v1's "unlimited"
    assert memory._cgroup_headroom(root, proc) is None


def test_check_fits_names_the_need_the_limit_and_the_change():
    budget = memory.Budget(4 << 30, "the address-space limit (ulimit -v)")
    memory.check_fits(3 << 30, "the weights", budget=budget)
    with pytest.raises(ParameterError, match=r"^the weights need?s? 4\.0 GiB, more than the 4\.0 GiB of the address-space "
                                             r"limit \(ulimit -v\); lower vector_size \(--dim\), raise min_count"):
        memory.check_fits(4 << 30, "the weights", budget=budget)


def test_estimates():
    assert memory.weights_bytes(1000, 100, negative=5, hs=0, softmax=False) == 2 * 1000 * 100 * 4
    assert memory.weights_bytes(1000, 100, negative=5, hs=1, softmax=False) == 3 * 1000 * 100 * 4
    assert memory.counting_bytes(10**6, 8 * 10**6, workers=2) > 3 * 10**6 * 100


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="RLIMIT_AS and /proc")
def test_the_address_space_limit_binds_in_a_limited_process():
    code = ("from wordvec.memory import memory_budget; b = memory_budget(); "
            "print(b.bound); print(b.bytes)")

    def limit() -> None:
        resource.setrlimit(resource.RLIMIT_AS, (3 << 30, 3 << 30))

    proc = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, preexec_fn=limit, timeout=60)
    bound, size = proc.stdout.splitlines()
    assert bound == "the address-space limit (ulimit -v)", proc.stderr
    assert 0 < int(size) < 3 << 30


def test_memory_error_line_is_one_line():
    line = memory.memory_error_line(MemoryError("Unable to allocate 3.73 GiB for an array\nwith shape (50, 20000000)"))
    assert "\n" not in line
    assert line.startswith("out of memory (Unable to allocate 3.73 GiB for an array with shape (50, 20000000)); ")
    assert line.endswith(memory.MEMORY_HINT)
