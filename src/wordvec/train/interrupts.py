"""Signals that stop training at a job boundary: Ctrl-C (SIGINT), SIGTERM (schedulers: SLURM
preemption, ``docker stop``, Kubernetes) and SIGHUP (the terminal closed) all take one path."""
from __future__ import annotations

import signal
import threading
from typing import Any

#: The signals handled, where the platform has them.
SIGNALS = tuple(getattr(signal, name) for name in ("SIGINT", "SIGTERM", "SIGHUP") if hasattr(signal, name))


class DeferredInterrupt:
    """While training on the main thread, a stop signal only raises a flag that the driver
    checks at job boundaries (so the model is consistent when it stops); a second one stops at
    once (``hard``). Handlers are installed only over the default ones (a program that set its
    own keeps it) and restored on exit; re-entrant."""

    def __init__(self) -> None:
        self.flag = threading.Event()
        self.signum = 0
        self.hard = False  # a second signal: stopped mid-job, the model is not at a job boundary
        self._old: dict[int, Any] = {}
        self._depth = 0

    def __enter__(self) -> "DeferredInterrupt":
        self._depth += 1
        if self._depth == 1 and threading.current_thread() is threading.main_thread():
            for sig in SIGNALS:
                current = signal.getsignal(sig)
                if current in (signal.default_int_handler, signal.SIG_DFL):
                    self._old[sig] = signal.signal(sig, self._handle)
        return self

    def _handle(self, signum: int, frame: Any) -> None:
        if self.flag.is_set():
            self.hard = True
            self._restore()
            raise KeyboardInterrupt
        self.signum = signum
        self.flag.set()

    def check(self) -> None:
        """Raise KeyboardInterrupt if a stop was asked."""
        if self.flag.is_set():
            raise KeyboardInterrupt

    def _restore(self) -> None:
        for sig, old in self._old.items():
            signal.signal(sig, old)
        self._old = {}

    def __exit__(self, *exc: Any) -> None:
        self._depth -= 1
        if self._depth == 0:
            self._restore()
