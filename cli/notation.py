"""The course's notation as text: Θ_12^(2), δ_1^(3), and numbers for people.

Every renderer (the table, LaTeX and Markdown, the diagram) writes indices and
numbers through these functions, so that they all print the same digits.
"""

from __future__ import annotations

import math

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
    return f"{v:.{digits}g}"


def typeset(v: float | str) -> str:
    """A number as the tables print it (or as printed already, a str), with a real
    minus sign (−) for typesetting."""
    return (v if isinstance(v, str) else num(v)).replace("-", "−")


def vector(values: list, most: int = 8, room: int | None = None) -> str:
    """A short vector: (v1, v2, …), the first few of a long one; with ``room``, as
    many of the first ``most`` as fit in that many characters (one at least)."""
    def shown(k: int) -> str:
        s = ", ".join(num(v) if isinstance(v, float) else str(v) for v in values[:k])
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
