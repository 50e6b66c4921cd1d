"""Printed arithmetic that holds as written.

Every step explain prints (a − y = δ, Θ_ij·δ_i = a term, the terms' sum = the
weighted sum, weighted sum × g' = δ, δ_i × a_j = a gradient entry) shows its result
rounded to DIGITS significant digits, and its operands with as many digits as that
result needs: the fewest n ≥ the result's digits for which the expression, worked
out exactly on the decimals as printed, lies within half a unit of the result's
last digit.  A reader who redoes the arithmetic with the numbers on the page gets
the number on the page.  Where terms cancel it takes more digits; past the 17 that
tell any two doubles apart, an operand is printed with every digit of its binary
value, which is exact.

An operand that is itself the result of a step shown elsewhere (the terms of a
weighted sum, the weighted sum of a δ) is printed with the digits its use needs,
and its own step is then solved for those digits: from the outside in.
"""

from __future__ import annotations

import math
from decimal import Decimal
from fractions import Fraction
from typing import Callable, NamedTuple

from cli.notation import DIGITS, num

EXACT = 0  # a digit count meaning: every digit of the double


class Step(NamedTuple):
    """``value`` = f(operands): the operands are numbers or Steps of their own; ``also``,
    given the operands as printed (``Shown``), returns other expressions printed as
    equal to the same value (the diagram's longer form of the same sum)."""

    value: float
    f: Callable[..., Fraction]
    operands: tuple
    also: Callable[..., tuple] | None = None


class Shown(NamedTuple):
    """A number as printed, with its operands as printed when it is a Step's result."""

    text: str
    operands: tuple = ()
    holds: bool = True  # False only when no digit count made the arithmetic hold


def digits(v: float, n: int) -> str:
    """v to n significant digits, or with all its digits (``EXACT``)."""
    if n == EXACT:
        n = len(Decimal(v).as_tuple().digits) if math.isfinite(v) and v else 1
    return num(v, n)


def value(text: str) -> Fraction:
    return Fraction(text)


def within(exact: Fraction, text: str, n: int) -> bool:
    """Is ``exact`` within half a unit of the last of ``n`` digits of the printed ``text``?"""
    shown = Fraction(text)
    if shown == 0:
        return exact == 0
    half = Fraction(1, 2) * Fraction(10) ** (Decimal(text).adjusted() - n + 1)
    return abs(exact - shown) <= half


def show(x, n: int = DIGITS) -> Shown:
    """x (a number or a Step) printed with n digits, its operands as its result needs."""
    if not isinstance(x, Step):
        return Shown(digits(x, n))
    text = num(x.value, n)
    steps = any(isinstance(o, Step) for o in x.operands)
    if not all(math.isfinite(o.value if isinstance(o, Step) else o) for o in x.operands) \
            or not math.isfinite(x.value):
        return Shown(text, tuple(show(o, n) for o in x.operands), False)
    tried = ()
    # operands never with fewer digits than the result; results of steps at most 17
    for k in [*range(n, max(n, 17) + 1), *(() if steps else (EXACT,))]:
        tried = tuple(show(o, k) for o in x.operands)
        if not all(o.holds for o in tried):
            continue
        exact = [x.f(*(value(o.text) for o in tried))]
        if x.also is not None:
            exact += x.also(*tried)
        if all(within(e, text, n) for e in exact):
            return Shown(text, tried)
    return Shown(text, tried, False)


# --- the expressions explain prints ------------------------------------------------------

def minus(a, y):
    return a - y


def minus_times(a, y, g):
    return (a - y) * g


def times(a, b):
    return a * b


def plus(*terms):
    return sum(terms, Fraction(0))


def products(*factors):
    """Σ_i factors[2i]·factors[2i+1], then the folded rest, if the count is odd."""
    pairs = sum((factors[k] * factors[k + 1] for k in range(0, len(factors) - 1, 2)),
                Fraction(0))
    return pairs + (factors[-1] if len(factors) % 2 else 0)


def output_delta(a: float, y: float, g_prime: float | None, delta: float) -> Step:
    """δ_k^(L) = a − y, or (a − y) × g'(z) when g' is not 1."""
    if g_prime is None or g_prime == 1.0:
        return Step(delta, minus, (a, y))
    return Step(delta, minus_times, (a, y, g_prime))


def hidden_delta(theta: list[float], after: list[float], shown: list[int], terms: list[float],
                 rest: float | None, weighted_sum: float, g_prime: float, delta: float) -> Step:
    """δ_j^(l) = weighted sum × g'(z_j), the weighted sum the sum of the shown terms
    Θ_ij·δ_i (and of the folded rest), each term a product: as the table prints it."""
    rows = [Step(terms[i], times, (theta[i], after[i])) for i in shown]
    total = Step(weighted_sum, plus, tuple(rows) + (() if rest is None else (rest,)))
    return Step(delta, times, (total, g_prime))


def hidden_delta_inline(theta: list[float], after: list[float], shown: list[int],
                        rest: float | None, g_prime: float, delta: float) -> Step:
    """δ_j^(l) = (Σ_i (Θ_ij)(δ_i) + rest)(g'), one expression, as LaTeX prints it."""
    factors = tuple(v for i in shown for v in (theta[i], after[i]))
    if rest is not None:
        factors += (rest,)
    return Step(delta, lambda *ops: products(*ops[:-1]) * ops[-1], factors + (g_prime,))


def hidden_delta_chain(theta: list[float], after: list[float], weighted_sum: float,
                       g_prime: float, delta: float) -> Step:
    """δ_j^(l) = (Σ_i (Θ_ij)(δ_i)) · g' = weighted sum · g', as the diagram prints it:
    the weighted sum as the products' sum, and both forms equal to δ."""
    factors = tuple(v for i in range(len(theta)) for v in (theta[i], after[i]))
    total = Step(weighted_sum, products, factors)

    def longer(total_shown: Shown, g_shown: Shown) -> tuple:
        return (products(*(value(o.text) for o in total_shown.operands)) * value(g_shown.text),)
    return Step(delta, times, (total, g_prime), also=longer)
