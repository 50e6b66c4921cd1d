"""A vectorized reader for the commonest large CSV: plain non-negative integers
(pixel intensities, counts, labels), e.g. MNIST's 60000 × 785.

The bytes are parsed with whole-array numpy operations, a few megabytes at a
time, instead of number by number.  Anything else (signs, decimals, exponents,
quotes, spaces, empty fields, ragged rows) returns None, and the general reader
takes over, with its exact error messages.
"""

from __future__ import annotations

import numpy as np

from .engine.threads import pool

CHUNK = 1 << 20  # bytes parsed per step; the temporaries are a few times this
MAX_DIGITS = 15  # integers below 10^15 are exact in float64


def parse_uint_csv(buf: np.ndarray, n_cols: int, sep: str = ",") -> np.ndarray | None:
    """The rows in the bytes ``buf`` (a uint8 array: no header, every line ending
    with a newline, fields separated by ``sep``) as a float64 array (rows, n_cols),
    or None when they are not plain integers.  Chunks are parsed on every core:
    each chunk is whole rows, so its place in the output follows from the rows
    before it."""
    chunks, rows = [], 0  # (start, end, rows before it, its rows)
    start = 0
    while start < len(buf):
        end = min(start + CHUNK, len(buf))
        newlines = np.flatnonzero(buf[start:end] == 10)
        if end < len(buf):  # cut after a newline, so that rows stay whole
            if len(newlines) == 0:
                newlines = np.flatnonzero(buf[start:] == 10)[:1]  # a line longer than CHUNK
            if len(newlines) == 0:
                return None  # a last line without its newline
            end = start + int(newlines[-1]) + 1
        elif len(newlines) == 0 or buf[end - 1] != 10:
            return None  # a last line without its newline
        chunks.append((start, end, rows, len(newlines)))
        rows += len(newlines)
        start = end
    out = np.empty((rows, n_cols))
    flat = out.reshape(-1)

    def parse(chunk) -> bool:
        start, end, before, n_rows = chunk
        out_rows = flat[before * n_cols:(before + n_rows) * n_cols]
        b = buf[start:end]
        if sep != ",":  # the chunk, a megabyte, with its separators written as commas
            if (b == 44).any():
                return False  # a comma in a file separated otherwise: the general reader
            b = b.copy()
            b[b == ord(sep)] = 44
        return _parse_chunk(b, n_rows, out_rows)

    parsed = map(parse, chunks) if len(chunks) < 2 else pool().map(parse, chunks)
    return out if all(list(parsed)) else None  # every chunk finished before returning


def _parse_chunk(b: np.ndarray, n_rows: int, out: np.ndarray) -> bool:
    """Parse the n_rows whole rows of ``b`` (its count of newlines) into ``out``, one
    field per element; False when they are not rows of len(out) // n_rows plain
    integers."""
    n_cols = len(out) // n_rows
    below = b < 48  # ',' (44) and '\n' (10) end every field; digits are 48 … 57
    if (b > 57).any() or (below & (b != 44) & (b != 10)).any():
        return False  # a sign, a point, a letter, a space, a quote, a '\r': not plain integers
    sep = np.flatnonzero(below)
    n = len(sep)
    if n != len(out) or sep[0] == 0:
        return False
    gaps = np.diff(sep)  # a field's digits + 1, for every field but the first
    width = max(int(sep[0]), int(gaps.max(initial=2)) - 1)
    if gaps.size and gaps.min() == 1 or width > MAX_DIGITS:
        return False  # empty fields or huge numbers: the general reader
    row_ends = np.take(b, sep[n_cols - 1::n_cols])
    if not (row_ends == 10).all():  # with n_rows newlines in all: n_cols fields a row
        return False  # a row with the wrong number of fields
    values = out
    if width > 9:  # beyond int32: digit by digit in float64
        np.subtract(np.take(b, sep - 1), 48, out=values, dtype=np.float64)
        length = np.concatenate(([sep[0]], gaps - 1))
        for k in range(2, width + 1):
            inside = length >= k
            values[inside] += (b[sep[inside] - k] - 48.0) * 10.0 ** (k - 1)
        return True
    # The k-th byte left of a field's end is its k-th digit from the right while it is
    # a digit; the first non-digit met going left is the separator before the field.
    acc = np.take(b, sep - 1).astype(np.int32)
    acc -= 48
    inside = np.ones(n, dtype=bool)
    for k in range(2, width + 1):
        byte = np.take(b, sep - k)  # (the chunk's first field wraps to its last '\n')
        inside &= byte >= 48
        byte -= 48
        byte *= inside
        acc += byte.astype(np.int32) * (10 ** (k - 1))
    np.copyto(values, acc)
    return True
