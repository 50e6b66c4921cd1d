"""The arithmetic of an explanation as steps to print (cli/printed.py): each δ_j^(l)
and each gradient entry, with its operands, so that every view prints the same
digits of the same numbers."""

from __future__ import annotations

from nnbp.explanation import GradientEntry, Explanation, Unit

from cli import printed
from cli.notation import fold


def output_step(e: Explanation, u: Unit) -> printed.Step:
    """δ_k^(L) = a_k − y_k, times g'(z_k) under squared error."""
    return printed.output_delta(u.a, float(e.example.y[u.j - 1]), u.g_prime, u.delta)


def hidden_step(u: Unit, whole: bool) -> tuple[printed.Step, list[int], int]:
    """δ_j^(l) = (Σ_i Θ_ij^(l)·δ_i^(l+1)) × g'(z_j^(l)), its terms folded as ``fold``
    folds them; with the terms shown and how many were folded."""
    values = [t.value for t in u.terms]
    shown, folded, rest = fold(values, whole=whole)
    step = printed.hidden_delta([t.theta for t in u.terms], [t.delta for t in u.terms], shown,
                                values, rest if folded else None, u.weighted_sum, u.g_prime,
                                u.delta)
    return step, shown, folded


def chain_step(u: Unit) -> printed.Step:
    """δ_j^(l) with every term: (Σ_i Θ_ij·δ_i) × g'(z_j), as the diagram writes it."""
    return printed.hidden_delta_chain([t.theta for t in u.terms], [t.delta for t in u.terms],
                                      u.weighted_sum, u.g_prime, u.delta)


def entry_step(g: GradientEntry) -> printed.Step:
    """∂cost/∂Θ_ij^(l) = δ_i^(l+1) × a_j^(l)."""
    return printed.Step(g.value, printed.times, (g.delta, g.a))
