"""The course's notation as text: Θ_12^(2), δ_1^(3), and numbers for people."""

from __future__ import annotations


def sub(*idx: int) -> str:
    """Indices as a subscript: _12, or _{10,1} when one has two digits."""
    if all(i < 10 for i in idx):
        return "_" + "".join(map(str, idx))
    return "_{" + ",".join(map(str, idx)) + "}"


def sym(name: str, l: int, *idx: int) -> str:
    return f"{name}{sub(*idx)}^({l})"  # δ_2^(3), Θ_12^(2), as the lecture writes them


def num(v: float, digits: int = 5) -> str:
    return f"{v:.{digits}g}"


def paren(v: float) -> str:
    """A factor in a product: negative numbers in parentheses."""
    return f"({num(v)})" if v < 0 else num(v)


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
    return shown, len(rest), sum(rest)
