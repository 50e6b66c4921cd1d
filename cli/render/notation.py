"""The course's notation as text: Θ_12^(2), δ_1^(3), and numbers for people.

Every renderer (the table, LaTeX and Markdown, the diagram, the page) writes indices
and numbers through these functions, so that they all print the same digits.
"""

from __future__ import annotations

import math
from decimal import Decimal
from functools import lru_cache

DIGITS = 5  # significant digits of every number shown


def indices(*idx: int) -> str:
    """Θ's indices as the lecture writes them: 12, or 10,1 when one has two digits."""
    return "".join(map(str, idx)) if all(i < 10 for i in idx) else ",".join(map(str, idx))


def sub(*idx: int) -> str:
    """Indices as a plain-text subscript: _12, or _{10,1} (_{10}) when one has two digits."""
    return "_" + indices(*idx) if all(i < 10 for i in idx) else "_{" + indices(*idx) + "}"


def sym(name: str, l: int, *idx: int) -> str:
    return f"{name}{sub(*idx)}^({l})"  # δ_2^(3), Θ_12^(2), as the lecture writes them


def num(v: float, digits: int = DIGITS) -> str:
    """Python's %g: the layout of ``write`` without its rules (``nnbp evaluate``)."""
    return f"{v:.{digits}g}"


EXACT = 800  # digits enough for every double: ``write`` gives its binary value exactly


@lru_cache(maxsize=1 << 16)
def write(v: float, digits: int = DIGITS) -> str:
    """v as explain writes a number: rounded to ``digits`` significant digits, trailing
    zeros kept (-0.018400), so that a rounded number shows every digit it has; a value
    that fewer digits name (the double nearest them: 1, 0.5, 0.1 as typed) is written
    with those alone, so a short number is never a rounded one; 0 has no sign; a value
    near ±1 with the digits that tell it from ±1 (``apart``).  From ``EXACT`` digits on,
    every digit of the binary value.  Laid out as %g lays out numbers: 0.00012346,
    1.2346e-05, 1.2346e+05."""
    v = float(v)
    if not math.isfinite(v):
        return f"{v:g}"
    if v == 0:
        return "0"  # -0.0 too: the sign of a zero says nothing a reader can use
    if digits >= EXACT:
        exact = Decimal(v)  # every digit of the binary value
        ds = "".join(map(str, exact.as_tuple().digits)).rstrip("0")
        return _layout(v < 0, ds, exact.adjusted(), max(len(ds), DIGITS))
    digits = apart(v, digits)
    shortest = Decimal(repr(v))  # the fewest digits that read back as v
    ds = "".join(map(str, shortest.as_tuple().digits)).rstrip("0")
    if len(ds) <= digits:
        return _layout(v < 0, ds, shortest.adjusted(), digits)
    mantissa, _, e = _rounded(abs(v), digits).partition("e")
    return _layout(v < 0, mantissa.replace(".", ""), int(e), digits)


def apart(v: float, digits: int = DIGITS) -> int:
    """``digits``, or more where v is near ±1 but not ±1: as many as keep it from being
    written as a rounded ±1 (1.0000), so that a saturated sigmoid's 0.9999999997 is
    never the bias unit's 1."""
    v = abs(float(v))
    if not 0.9 < v < 1.1 or v == 1:
        return digits
    while digits < 17 and float(_rounded(v, digits)) == 1:
        digits += 1
    return digits


def _rounded(v: float, digits: int) -> str:
    return f"{v:.{digits - 1}e}"


def _layout(negative: bool, ds: str, lead: int, precision: int) -> str:
    """Significant digits ``ds`` whose first is at 10^lead, as %g at that precision
    lays them out (but keeping every digit given)."""
    if lead < -4 or lead >= precision:
        body = (ds[0] + ("." + ds[1:] if len(ds) > 1 else "")
                + f"e{'-' if lead < 0 else '+'}{abs(lead):02d}")
    elif lead >= 0:
        whole, frac = ds[:lead + 1].ljust(lead + 1, "0"), ds[lead + 1:]
        body = whole + ("." + frac if frac else "")
    else:
        body = "0." + "0" * (-lead - 1) + ds
    return ("-" if negative else "") + body


def typeset(v: float | str) -> str:
    """A number as the tables print it (or as printed already, a str), with a real
    minus sign (−) for typesetting."""
    return (v if isinstance(v, str) else write(v)).replace("-", "−")


def off_by(d: float) -> str:
    """How far a finite difference is from δ: two digits are plenty; none for 0."""
    return "0" if d == 0 else f"{d:.1e}"


def as_written(v) -> str:
    """A value of the file, or typed: the fewest digits that read back as it (39.123456,
    2007, 1e-05), as a reader finds it where they wrote it; never rounded."""
    v = float(v)
    if not math.isfinite(v) or v == 0:
        return write(v)
    return str(int(v)) if v.is_integer() and abs(v) < 1e16 else repr(v)


def vector(values: list, most: int = 8, room: int | None = None, text=write) -> str:
    """A short vector: (v1, v2, …), the first few of a long one; with ``room``, as
    many of the first ``most`` as fit in that many characters (one at least).  Floats
    are written by ``text`` (an explanation's ``Writing.text``)."""
    def shown(k: int) -> str:
        s = ", ".join(text(v) if isinstance(v, float) else str(v) for v in values[:k])
        return f"({s}, … {len(values)} values)" if len(values) > k else f"({s})"
    k = min(most, len(values))
    while room is not None and k > 1 and len(shown(k)) > room:
        k -= 1
    return shown(k)


MAX_TERMS = 6  # terms Θ_ij·δ_i shown per unit before the smallest are folded


def fold(terms: list[float], whole: bool = False) -> tuple[list[int], int, float]:
    """Which terms of a long sum to show: all of them (``whole``, or a short sum), else
    the MAX_TERMS - 1 largest in |value|, in their order; then how many were folded
    and their sum."""
    shown = list(range(len(terms)))
    if not whole and len(terms) > MAX_TERMS:  # keep the largest, fold the rest
        shown = sorted(sorted(shown, key=lambda i: -abs(terms[i]))[: MAX_TERMS - 1])
    keep = set(shown)
    rest = [terms[i] for i in range(len(terms)) if i not in keep]
    return shown, len(rest), math.fsum(rest)
