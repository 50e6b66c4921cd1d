"""Printed arithmetic that holds as written, each value written one way.

Every step explain prints (a − y = δ, Θ_ij·δ_i = a term, the terms' sum = the
weighted sum, weighted sum × g' = δ, δ_i × a_j = a gradient entry) shows its result
with DIGITS significant digits at least, and its operands with as many digits as that
result needs: the fewest n ≥ DIGITS for which the expression, worked out exactly on
the decimals as printed, lies within half a unit of the result's last digit.  A reader who redoes the arithmetic with the numbers on the page gets
the number on the page.  Where terms cancel it takes more digits; past the 17 that
tell any two doubles apart, an operand is printed with every digit of its binary
value, which is exact.

An operand that is itself the result of a step shown elsewhere (the terms of a
weighted sum, the weighted sum of a δ) is printed with the digits its use needs,
and its own step is then solved for those digits: from the outside in.

A value takes part in several steps (δ_i^(l+1) in every term Θ_ij·δ_i and every
gradient entry δ_i × a_j, and as the result of its own step).  ``Writing`` gives it
one number of digits for all of them, the most that any of them needs, and solves
every step again with those until no step needs more: then a value printed twice
is printed the same way, and every step still holds as printed.
"""

from __future__ import annotations

import math
from decimal import Decimal
from fractions import Fraction
from functools import lru_cache
from typing import Callable, Iterable, NamedTuple

from cli.render.notation import DIGITS, EXACT, apart, write


class Step(NamedTuple):
    """``value`` = f(operands): the operands are numbers or Steps of their own; ``also``,
    given the operands as printed (``Shown``), returns other expressions printed as
    equal to the same value (the diagram's longer form of the same sum)."""

    value: float
    f: Callable[..., Fraction]
    operands: tuple
    also: Callable[..., tuple] | None = None


class Shown(NamedTuple):
    """A number as printed, with its operands as printed when it is a Step's result;
    ``n`` the digits it was printed with, of ``value``."""

    text: str
    operands: tuple = ()
    holds: bool = True  # False only when no digit count made the arithmetic hold
    n: int = DIGITS
    value: float = 0.0


@lru_cache(maxsize=1 << 16)
def value(text: str) -> Fraction:
    return Fraction(text)


@lru_cache(maxsize=1 << 16)
def _half(text: str, n: int) -> Fraction:
    return Fraction(1, 2) * Fraction(10) ** (Decimal(text).adjusted() - n + 1)


def within(exact: Fraction, text: str, n: int) -> bool:
    """Is ``exact`` within half a unit of the last of ``n`` digits of the printed ``text``?"""
    shown = value(text)
    if shown == 0:
        return exact == 0
    return abs(exact - shown) <= _half(text, n)


def key(v: float):
    """A value's entry in a Writing: -0.0 is 0.0's (== and hash agree), NaN one of its own."""
    v = float(v)
    return v if v == v else "nan"


class Writing:
    """How many digits each value is printed with, in everything explain prints about
    one example: DIGITS, or more where a step needs more (``settle``)."""

    def __init__(self):
        self.digits: dict = {}

    def n(self, v: float, least: int = DIGITS) -> int:
        return apart(v, max(least, self.digits.get(key(v), DIGITS)))

    def text(self, v: float, least: int = DIGITS) -> str:
        """v as printed everywhere: its digits, or ``least`` if that is more."""
        return write(v, self.n(v, least))

    def show(self, x, least: int = DIGITS) -> Shown:
        """x (a number or a Step) printed with its digits (``least`` at least), its
        operands with as many as its result needs, and their own."""
        n = self.n(x.value if isinstance(x, Step) else x, least)
        if not isinstance(x, Step):
            return Shown(write(x, n), n=n, value=x)
        text = write(x.value, n)
        if not all(math.isfinite(o.value if isinstance(o, Step) else o) for o in x.operands) \
                or not math.isfinite(x.value):
            return Shown(text, tuple(self.show(o, n) for o in x.operands), False, n, x.value)
        steps = any(isinstance(o, Step) for o in x.operands)
        tried = ()
        # operands with DIGITS at least, more as the result needs: results of steps 17 at
        # most, numbers every digit they have
        counts = list(range(DIGITS, 18)) + ([] if steps else [EXACT])
        for k in counts:
            tried = tuple(self.show(o, k) for o in x.operands)
            if holds(x, tried, text, n):
                # then each operand back to its own digits where the others make up for
                # it: a value gets more digits than elsewhere only where it must
                for i, o in enumerate(x.operands):
                    if tried[i].n > self.n(o.value if isinstance(o, Step) else o):
                        fewer = tried[:i] + (self.show(o),) + tried[i + 1:]
                        if holds(x, fewer, text, n):
                            tried = fewer
                return Shown(text, tried, True, n, x.value)
        return Shown(text, tried, False, n, x.value)

    def settle(self, steps: Iterable[Step]) -> "Writing":
        """Raise each value's digits to the most that the steps printing it need, and
        solve the steps using a raised value again, until none needs more."""
        steps = list(steps)
        using: dict = {}  # a value's key -> the steps it appears in
        for k, s in enumerate(steps):
            for v in values(s):
                using.setdefault(key(v), set()).add(k)
        todo = range(len(steps))
        while todo:
            raised = set()
            for k in todo:
                self._take(self.show(steps[k]), raised)
            todo = sorted({k for r in raised for k in using.get(r, ())})
        return self

    def _take(self, s: Shown, raised: set) -> None:
        # a value written alike at any count (0, 1, 0.5) keeps none: it would tie
        # every step with that result or operand to the most digits any of them needs
        if s.n > self.digits.get(key(s.value), DIGITS) and s.text != write(s.value, DIGITS):
            self.digits[key(s.value)] = s.n
            raised.add(key(s.value))
        for o in s.operands:
            self._take(o, raised)


def holds(x: Step, operands: tuple, text: str, n: int) -> bool:
    """Does the step, worked out exactly on its operands as printed, give ``text`` to
    its ``n`` digits (and so do its other forms, ``also``)?"""
    if not all(o.holds for o in operands):
        return False
    exact = [x.f(*(value(o.text) for o in operands))]
    if x.also is not None:
        exact += x.also(*operands)
    return all(within(e, text, n) for e in exact)


def values(x) -> Iterable[float]:
    """Every value of a step: its result, its operands and theirs."""
    if isinstance(x, Step):
        yield x.value
        for o in x.operands:
            yield from values(o)
    else:
        yield x


def show(x, n: int = DIGITS) -> Shown:
    """x printed on its own, with n digits at least and the digits its operands need."""
    return Writing().show(x, n)


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
