"""get_normed_vectors() under concurrent reset_norms(): computed and returned under the lock, never None."""
from __future__ import annotations

import sys
import threading

import numpy as np

from wordvec.vectors.keyedvectors import KeyedVectors


def test_normed_vectors_are_never_none_while_norms_are_reset():
    rng = np.random.default_rng(0)
    kv = KeyedVectors.from_vectors([f"w{i}" for i in range(200)], rng.normal(size=(200, 16)).astype(np.float32))
    expected = kv.vectors / np.linalg.norm(kv.vectors, axis=1, keepdims=True)
    stop = threading.Event()
    bad: list[object] = []

    def reset() -> None:
        while not stop.is_set():
            kv.reset_norms()

    def query() -> None:
        for i in range(3000):
            normed = kv.get_normed_vectors()
            if normed is None or normed.shape != kv.vectors.shape:
                bad.append(normed)
                return
            if i % 100 == 0:
                kv.most_similar("w1", topn=3)

    interval = sys.getswitchinterval()
    sys.setswitchinterval(1e-6)  # switch threads as often as possible: the race shows within a second
    resetter = threading.Thread(target=reset)
    queriers = [threading.Thread(target=query) for _ in range(3)]
    resetter.start()
    for t in queriers:
        t.start()
    for t in queriers:
        t.join()
    stop.set()
    resetter.join()
    sys.setswitchinterval(interval)
    assert not bad
    np.testing.assert_allclose(kv.get_normed_vectors(), expected, rtol=1e-6, atol=1e-7)


def test_a_reset_between_any_two_lines_of_get_normed_vectors_cannot_make_it_return_none():
    """Deterministic schedule: before each line of get_normed_vectors runs, another thread tries
    reset_norms() and gets 0.2 s to finish. Unless the method holds the lock from computing to
    returning, one of these resets lands between them and it returns None."""
    kv = KeyedVectors.from_vectors(["a", "b", "c"], np.eye(3, dtype=np.float32))

    def tracer(frame, event, arg):  # noqa: ANN001
        if frame.f_code.co_name != "get_normed_vectors":
            return None

        def local(frame, event, arg):  # noqa: ANN001
            if event == "line":
                other = threading.Thread(target=kv.reset_norms, daemon=True)
                other.start()
                other.join(0.2)
            return local
        return local

    results = []
    for _ in range(3):
        kv.reset_norms()
        sys.settrace(tracer)
        try:
            results.append(kv.get_normed_vectors())
        finally:
            sys.settrace(None)
    assert all(r is not None for r in results), results
    assert np.array_equal(results[-1], np.eye(3, dtype=np.float32))
