"""The one worker-thread pool of wordvec (vocabulary counting and training): a bounded queue feeding ``workers``
threads that run a function on each item; and :func:`iterate_ahead`, an iterable produced on a
background thread (reading and tokenizing the next blocks while the caller works on one).

Error policy: the first exception raised by the function stops the pool (the items still queued
are skipped, no new item is accepted) and is re-raised on the calling thread by :meth:`close`.
Items already queued when the caller stops submitting are still processed, so a run interrupted
between submissions stops at an item boundary.
"""
from __future__ import annotations

import queue
import threading
from typing import Any, Callable, Iterable, Iterator

_DONE = object()


class WorkerPool:
    """``work(worker_index, item)`` on ``workers`` threads (GIL-releasing work runs in parallel)."""

    def __init__(self, work: Callable[[int, Any], None], workers: int, name: str = "wordvec") -> None:
        self.work = work
        self.failed = threading.Event()
        self._errors: list[BaseException] = []
        self._queue: queue.Queue = queue.Queue(maxsize=2 * workers)
        self._threads = [
            threading.Thread(target=self._loop, args=(i,), daemon=True, name=f"{name}-{i}") for i in range(workers)
        ]
        for t in self._threads:
            t.start()

    def _loop(self, i: int) -> None:
        while True:
            item = self._queue.get()
            if item is _DONE:
                return
            if self.failed.is_set():
                continue
            try:
                self.work(i, item)
            except BaseException as e:  # noqa: BLE001 - re-raised on the calling thread
                self._errors.append(e)
                self.failed.set()

    def submit(self, item: Any) -> bool:
        """Queue ``item`` (blocks while the queue is full); False once the pool has failed."""
        if self.failed.is_set():
            return False
        self._queue.put(item)
        return True

    def close(self) -> None:
        """Finish the queued items, stop the threads and re-raise the first error."""
        for _ in self._threads:
            self._queue.put(_DONE)
        for t in self._threads:
            t.join()
        if self._errors:
            raise self._errors[0]

    def __enter__(self) -> "WorkerPool":
        return self

    def __exit__(self, *exc: Any) -> None:
        self.close()


class ThreadMap:
    """``map(fn, items)`` over a fixed set of threads, for work split inside one job (the exact
    softmax's rows); an exception in ``fn`` propagates to the caller."""

    def __init__(self, workers: int, name: str = "wordvec-map") -> None:
        from concurrent.futures import ThreadPoolExecutor

        self.workers = workers
        self._executor = ThreadPoolExecutor(workers, thread_name_prefix=name)

    def map(self, fn: Callable[..., Any], *iterables: Any) -> list:
        return list(self._executor.map(fn, *iterables))

    def close(self) -> None:
        self._executor.shutdown(wait=True)


def iterate_ahead(items: Iterable, depth: int = 4, name: str = "wordvec-read") -> Iterator:
    """Iterate ``items`` on a background thread, up to ``depth`` items ahead of the consumer
    (GIL-releasing work, as decompressing and the compiled tokenizers, runs in parallel with the
    consumer's). An exception raised by ``items`` is re-raised on the consuming thread; stopping
    the iteration early stops the producer."""
    q: queue.Queue = queue.Queue(maxsize=depth)
    done = object()
    stop = threading.Event()

    def produce() -> None:
        try:
            for item in items:
                if stop.is_set():
                    return
                q.put(item)
            q.put(done)
        except BaseException as e:  # noqa: BLE001 - re-raised on the consuming thread
            q.put(e)

    t = threading.Thread(target=produce, daemon=True, name=name)
    t.start()
    try:
        while True:
            item = q.get()
            if item is done:
                return
            if isinstance(item, BaseException):
                raise item
            yield item
    finally:
        stop.set()
        while t.is_alive():
            try:
                q.get(timeout=0.05)
            except queue.Empty:
                pass
