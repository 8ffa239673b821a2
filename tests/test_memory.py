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


def _limited(code: str, *args: str, headroom: int) -> subprocess.CompletedProcess:
    """Run ``code`` with RLIMIT_AS = what the interpreter maps after importing wordvec + ``headroom``."""
    warm = ("import tempfile, os\nfrom wordvec.models.word2vec import Word2Vec\n"  # compiled kernels cached first
            "with tempfile.TemporaryDirectory() as d:\n    p = os.path.join(d, 'c.txt')\n"
            "    open(p, 'w').write('a b c\\n' * 50)\n    Word2Vec(min_count=1, workers=1).build_vocab(corpus_file=p)\n")
    subprocess.run([sys.executable, "-c", warm], capture_output=True, timeout=300)
    probe = subprocess.run([sys.executable, "-c", "import wordvec.models.word2vec\n"
                            "from wordvec.memory import _mapped_bytes; print(_mapped_bytes())"],
                           capture_output=True, text=True, timeout=120)
    limit = int(probe.stdout.split()[-1]) + headroom

    def set_limit() -> None:
        resource.setrlimit(resource.RLIMIT_AS, (limit, limit))

    return subprocess.run([sys.executable, "-c", code, *args], capture_output=True, text=True, preexec_fn=set_limit,
                          timeout=120)


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="RLIMIT_AS and /proc")
def test_the_model_refuses_weights_beyond_the_address_space_limit_before_allocating():
    code = ("from wordvec.models.word2vec import Word2Vec\n"
            "try:\n    Word2Vec([['a', 'b', 'c']] * 5, vector_size=100_000_000, min_count=1)\n"
            "except ValueError as e:\n    print(type(e).__name__, e.param, e)")
    proc = _limited(code, headroom=1 << 30)
    assert proc.stdout.startswith("ParameterError vector_size vector_size=100000000 with 3 words needs 2.2 GiB, more "
                                  "than the "), proc.stdout + proc.stderr
    assert "of the address-space limit (ulimit -v); lower vector_size (--dim)" in proc.stdout


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="RLIMIT_AS and /proc")
def test_counting_a_huge_vocabulary_beyond_the_limit_blames_max_vocab_size(tmp_path):
    words = [f"w{i}" for i in range(1_500_000)]  # 1.5M distinct words: ~300 MB of counting tables
    (tmp_path / "c.txt").write_text("\n".join(" ".join(words[i:i + 20]) for i in range(0, len(words), 20)))
    code = ("import faulthandler, sys\nfaulthandler.dump_traceback_later(60, exit=True)\n"
            "from wordvec.models.word2vec import Word2Vec\nm = Word2Vec(min_count=1, workers=1)\n"
            "try:\n    m.build_vocab(corpus_file=sys.argv[1])\n"
            "except ValueError as e:\n    print(type(e).__name__, e.param, e)\nelse:\n    print('counted', len(m.wv))")
    proc = _limited(code, str(tmp_path / "c.txt"), headroom=96 << 20)
    assert proc.stdout.startswith("ParameterError max_vocab_size counting the vocabulary ("), proc.stdout + proc.stderr
    assert "address-space limit (ulimit -v); set max_vocab_size" in proc.stdout
