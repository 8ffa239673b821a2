"""wordvec.pool: iterate_ahead, the background producer the corpus readers share."""
from __future__ import annotations

import threading

import pytest

from wordvec.pool import iterate_ahead


def test_items_in_order_from_another_thread():
    threads = []

    def items():
        for i in range(50):
            threads.append(threading.current_thread())
            yield i

    assert list(iterate_ahead(items(), depth=2)) == list(range(50))
    assert threads and all(t is not threading.current_thread() for t in threads)


def test_an_error_of_the_producer_reaches_the_consumer():
    def items():
        yield 1
        raise ValueError("bad block")

    it = iterate_ahead(items())
    assert next(it) == 1
    with pytest.raises(ValueError, match="bad block"):
        next(it)


def test_stopping_early_stops_the_producer():
    produced = []

    def items():
        for i in range(10_000):
            produced.append(i)
            yield i

    it = iterate_ahead(items(), depth=2)
    assert next(it) == 0
    it.close()
    assert len(produced) < 10
    assert not any(t.name == "wordvec-read" for t in threading.enumerate())
