"""How the library's diagnostics reach a person: Python warnings as one line each.

:func:`warnings_as_lines` routes every warning raised inside its block (numpy's and scipy's
``RuntimeWarning``s included) to a function that prints one line, instead of Python's default
two-line ``file:line: Category: message`` + source line on stderr. A warning repeated from the
same place prints once.
"""
from __future__ import annotations

import contextlib
import warnings
from typing import Callable, Iterator

__all__ = ["warnings_as_lines"]


@contextlib.contextmanager
def warnings_as_lines(emit: Callable[[str], None]) -> Iterator[None]:
    """Within this block, each distinct warning calls ``emit(message)`` once."""
    seen: set[tuple[str, str]] = set()

    def show(message, category, filename, lineno, file=None, line=None) -> None:  # noqa: ANN001
        key = (category.__name__, str(message))
        if key in seen:
            return
        seen.add(key)
        text = str(message)
        if issubclass(category, RuntimeWarning) and category is not RuntimeWarning:
            text = f"{text} ({category.__name__})"
        emit(text)

    with warnings.catch_warnings():
        warnings.showwarning = show
        yield
