"""Numba parser for the body of word2vec text files (``word v_1 ... v_d`` lines).

Numbers are converted exactly as Python's ``float()`` then a cast to float32 would (what gensim
does): a decimal with at most 15 significant digits and a power of ten within 1e±22 is converted
with one correctly rounded IEEE operation (Clinger's fast path: both operands are exact
doubles). Any other token (more digits, ``nan``, ``inf``, garbage) marks its line for the caller
to parse with Python, which reproduces the same values or reports the exact error.
"""
from __future__ import annotations

import numba
import numpy as np

from ..text.tokens import is_space

LINE_OK = 0
LINE_PYTHON = 1  # parse (or diagnose) this line in Python
LINE_BLANK = 2  # only whitespace

POW10 = np.array([10.0**k for k in range(23)], dtype=np.float64)


@numba.njit(nogil=True, cache=True)
def count_lines(buf: np.ndarray, start: int, max_lines: int) -> int:
    """Number of lines from ``start`` (a last line without newline counts), at most max_lines (< 0: all)."""
    n = buf.shape[0]
    lines = 0
    i = start
    while i < n and (max_lines < 0 or lines < max_lines):
        while i < n and buf[i] != 10:
            i += 1
        lines += 1
        i += 1
    return lines


@numba.njit(nogil=True, cache=True)
def parse_lines(
    buf: np.ndarray,
    start: int,
    n_lines: int,
    out: np.ndarray,
    word_start: np.ndarray,
    word_end: np.ndarray,
    line_start: np.ndarray,
    flags: np.ndarray,
    pow10: np.ndarray,
) -> None:
    """Fill ``out`` (n_lines, d) float32 with the values of each line, the word's byte range
    (up to the first space) and the line's start, and a LINE_* flag per line."""
    n = buf.shape[0]
    d = out.shape[1]
    i = start
    for line in range(n_lines):
        line_start[line] = i
        word_start[line] = i
        while i < n and buf[i] != 10 and buf[i] != 32:
            i += 1
        word_end[line] = i
        flag = LINE_OK
        if word_end[line] == word_start[line] or i >= n or buf[i] == 10:
            flag = LINE_PYTHON  # empty word or no values (or a blank line, settled below)
        k = 0
        while flag == LINE_OK:
            while i < n and buf[i] != 10 and is_space(buf[i]):
                i += 1
            if i >= n or buf[i] == 10:
                break
            if k >= d:
                flag = LINE_PYTHON
                break
            # one token: [+-] digits [. digits] [(e|E) [+-] digits]
            neg = False
            c = buf[i]
            if c == 45 or c == 43:
                neg = c == 45
                i += 1
            mant = np.int64(0)
            ndig = 0
            e10 = 0
            seen = False
            while i < n and 48 <= buf[i] <= 57:
                seen = True
                if mant > 0 or buf[i] != 48:
                    mant = mant * 10 + (buf[i] - 48)
                    ndig += 1
                i += 1
            if i < n and buf[i] == 46:
                i += 1
                while i < n and 48 <= buf[i] <= 57:
                    seen = True
                    if mant > 0 or buf[i] != 48:
                        mant = mant * 10 + (buf[i] - 48)
                        ndig += 1
                    e10 -= 1
                    i += 1
            if i < n and (buf[i] == 101 or buf[i] == 69) and seen:
                i += 1
                eneg = False
                if i < n and (buf[i] == 45 or buf[i] == 43):
                    eneg = buf[i] == 45
                    i += 1
                exp = 0
                edig = False
                while i < n and 48 <= buf[i] <= 57:
                    if exp < 100000:
                        exp = exp * 10 + (buf[i] - 48)
                    edig = True
                    i += 1
                if not edig:
                    seen = False
                e10 += -exp if eneg else exp
            ended = i >= n or is_space(buf[i])
            if not seen or not ended or ndig > 15:
                flag = LINE_PYTHON
                break
            if mant == 0:
                val = 0.0
            elif -22 <= e10 <= 22:
                val = mant * pow10[e10] if e10 >= 0 else mant / pow10[-e10]
            else:
                flag = LINE_PYTHON
                break
            out[line, k] = np.float32(-val if neg else val)
            k += 1
        if flag == LINE_OK and k != d:
            flag = LINE_PYTHON
        if flag == LINE_PYTHON:
            blank = True
            j = line_start[line]
            while j < n and buf[j] != 10:
                if not is_space(buf[j]):
                    blank = False
                j += 1
            if blank:
                flag = LINE_BLANK
        flags[line] = flag
        while i < n and buf[i] != 10:
            i += 1
        i += 1
