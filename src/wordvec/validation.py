"""Parameter validation, in one place: each check raises :class:`ParameterError` naming the
parameter, the allowed range and the value it got, and returns the value in its plain type."""
from __future__ import annotations

import math
import operator
from numbers import Integral, Real
from typing import Any, Collection

import numpy as np

from .errors import ParameterError


def check_int(name: str, value: Any, low: int | None = None, high: int | None = None, allow_none: bool = False) -> int | None:
    """``value`` as an int in [low, high] (a bound that is None is open); bools are refused."""
    if value is None and allow_none:
        return None
    also = "None or " if allow_none else ""
    if isinstance(value, (bool, np.bool_)) or not isinstance(value, Integral):
        raise ParameterError(f"{name} must be {also}an integer{_range(low, high)}, got {value!r}", name)
    value = operator.index(value)
    if (low is not None and value < low) or (high is not None and value > high):
        raise ParameterError(f"{name} must be {also}an integer{_range(low, high)}, got {value!r}", name)
    return value


def check_float(
    name: str, value: Any, low: float | None = None, high: float | None = None, low_open: bool = False,
    high_open: bool = False,
) -> float:
    """``value`` as a finite float with low <= value <= high (< with the ``*_open`` flags)."""
    if isinstance(value, (bool, np.bool_)) or not isinstance(value, Real):
        raise ParameterError(f"{name} must be a number, got {value!r}", name)
    value = float(value)
    if not math.isfinite(value):
        raise ParameterError(f"{name} must be finite, got {value!r}", name)
    if (
        (low is not None and (value <= low if low_open else value < low))
        or (high is not None and (value >= high if high_open else value > high))
    ):
        lo = "" if low is None else (f"> {low}" if low_open else f">= {low}")
        hi = "" if high is None else (f"< {high}" if high_open else f"<= {high}")
        raise ParameterError(f"{name} must be {' and '.join(x for x in (lo, hi) if x)}, got {value!r}", name)
    return value


def check_bool(name: str, value: Any) -> bool:
    """``value`` as a bool: True, False, 0 or 1 (not strings such as 'no')."""
    if isinstance(value, (bool, np.bool_)):
        return bool(value)
    if isinstance(value, Integral) and value in (0, 1):
        return bool(value)
    raise ParameterError(f"{name} must be True or False, got {value!r}", name)


def check_choice(name: str, value: Any, choices: Collection[Any]) -> Any:
    """``value`` if it is one of ``choices``."""
    if isinstance(value, (list, dict, set)) or value not in choices:
        raise ParameterError(f"{name} must be one of {', '.join(map(repr, choices))}, got {value!r}", name)
    return value


def _range(low: int | None, high: int | None) -> str:
    if low is not None and high is not None:
        return f" in [{low}, {high}]"
    if low is not None:
        return f" >= {low}"
    if high is not None:
        return f" <= {high}"
    return ""
