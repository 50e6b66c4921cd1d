"""The arithmetic of an explanation as steps to print (cli/render/printed.py): each δ_j^(l),
each gradient entry, each z_j^(l) and g'(z_j^(l)), with their operands; and the one
``Writing`` of the explanation, which every view prints its numbers with, so that a
value has the same digits wherever and however explain prints it."""

from __future__ import annotations

from weakref import WeakKeyDictionary

from nnbp.explanation import GradientEntry, Explanation, Unit

from cli.render import printed
from cli.render.notation import fold

WHOLE_TERMS = 40  # the page writes a δ's sum term by term up to this many terms
WHOLE_INPUTS = 13  # and a z's sum up to 12 inputs and the bias
CHAIN_TERMS = 12  # the diagram writes out a δ of at most this many terms (its MAX_UNITS)
COST_DIGITS = 8  # cost(t), which no step prints, with the digits J has in training's log


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


def inline_step(u: Unit, whole: bool) -> tuple[printed.Step, list[int], int]:
    """δ_j^(l) = (Σ_i (Θ_ij)(δ_i) + rest)(g'), one expression, as LaTeX writes it."""
    values = [t.value for t in u.terms]
    shown, folded, rest = fold(values, whole)
    step = printed.hidden_delta_inline([t.theta for t in u.terms], [t.delta for t in u.terms],
                                       shown, rest if folded else None, u.g_prime, u.delta)
    return step, shown, folded


def chain_step(u: Unit) -> printed.Step:
    """δ_j^(l) with every term: (Σ_i Θ_ij·δ_i) × g'(z_j), as the diagram writes it."""
    return printed.hidden_delta_chain([t.theta for t in u.terms], [t.delta for t in u.terms],
                                      u.weighted_sum, u.g_prime, u.delta)


def product_step(u: Unit) -> printed.Step:
    """δ_j^(l) = weighted sum × g'(z_j^(l)), as Markdown's table of a layer has it."""
    return printed.Step(u.delta, printed.times, (u.weighted_sum, u.g_prime))


def entry_step(g: GradientEntry) -> printed.Step:
    """∂cost/∂Θ_ij^(l) = δ_i^(l+1) × a_j^(l)."""
    return printed.Step(g.value, printed.times, (g.delta, g.a))


def forward_step(e: Explanation, l: int, j: int) -> tuple[printed.Step, list[int], int]:
    """z_j^(l) = Σ_i Θ^(l-1)_ji a_i^(l-1), the bias a_0 = 1 first: the largest terms of a
    long sum, the rest as one number; with the terms shown and how many were folded."""
    row = e.Theta[l - 1][j - 1].tolist()
    a = [1.0] + e.layers[l - 1].a.tolist()
    terms = [t * x for t, x in zip(row, a)]
    shown, folded, rest = fold(terms, whole=len(terms) <= WHOLE_INPUTS)
    factors = tuple(v for i in shown for v in (row[i], a[i])) + ((rest,) if folded else ())
    return printed.Step(float(e.layers[l].z[j - 1]), printed.products, factors), shown, folded


CANCELS = 1e-3  # below this, 1 − a (or 1 − a²) is worked out from a only with many digits of a


def g_prime_step(kind: str, u: Unit) -> tuple[printed.Step, str] | None:
    """g'(z_j) from a_j, and the form written: the sigmoid's a(1 − a) as A × (1 − A)
    ("a"), or, for a saturated unit, as A × (1 − a) with 1 − a as its own number ("1-a");
    tanh's 1 − a² as 1 − (A)² ("a"), or 1 − S with S = a², the square as computed ("a²").
    A saturated unit's 1 − A would need 15 digits of a or more: its own number keeps
    them out of a, which every view writes the same way.  None for ReLU and linear
    units, whose g' is not worked out from a."""
    a = u.a
    if kind == "sigmoid":
        if 1 - a >= CANCELS:
            return printed.Step(u.g_prime, lambda A: A * (1 - A), (a,)), "a"
        return printed.Step(u.g_prime, printed.times, (a, 1.0 - a)), "1-a"
    if kind == "tanh":
        if 1 - a * a >= CANCELS:
            return printed.Step(u.g_prime, lambda A: 1 - A * A, (a,)), "a"
        return printed.Step(u.g_prime, lambda S: 1 - S, (a * a,)), "a²"
    return None


def every_step(e: Explanation):
    """Every step of arithmetic that any view of ``e`` can print, whatever its options:
    the table (folded, or whole for --unit), LaTeX and Markdown, the diagram, the page."""
    L, net = e.L, e.net
    for u in e.output.units:
        yield output_step(e, u)
        if u.g_prime is not None and e.net.cost != "cross_entropy":
            g = g_prime_step(net.output, u)
            if g is not None:
                yield g[0]
    for l in range(2, L):
        for u in e.layers[l].units:
            for whole in (False, True):
                yield hidden_step(u, whole)[0]
                yield inline_step(u, whole)[0]
            if len(u.terms) <= CHAIN_TERMS:
                yield chain_step(u)
            yield product_step(u)
            g = g_prime_step(net.activation, u)
            if g is not None:
                yield g[0]
    for l in range(2, L + 1):
        for j in range(1, e.layers[l].size + 1):
            yield forward_step(e, l, j)[0]
    for l in range(1, L):
        for i, j in listed_entries(e, l):
            yield entry_step(e.entry(l, i, j))


LISTED = 12  # gradient entries worked out as δ_i × a_j: the largest, or all of a few


def listed_entries(e: Explanation, l: int) -> list[tuple[int, int]]:
    """The entries (i, j) of ∂cost/∂Θ^(l) that views write as δ_i × a_j, in row order:
    all of them up to 2·LISTED, else the LISTED largest in |value|."""
    G = e.gradient[l]
    every = [(i, j) for i in range(1, G.shape[0] + 1) for j in range(G.shape[1])]
    if len(every) <= 2 * LISTED:
        return every
    return sorted(sorted(every, key=lambda ij: -abs(G[ij[0] - 1, ij[1]]))[:LISTED])


_writings: WeakKeyDictionary = WeakKeyDictionary()


def writing(e: Explanation) -> printed.Writing:
    """The digits of each value of ``e``: worked out once, shared by every view."""
    if e not in _writings:
        w = printed.Writing().settle(every_step(e))
        w.digits[printed.key(e.cost)] = max(w.n(e.cost), COST_DIGITS)
        _writings[e] = w
    return _writings[e]


def target_text(e: Explanation, room: int | None = None, code=lambda s: s) -> str:
    """y as every view says it: the label and its encoding, or the target as written
    beside y′, the scaled values the network learns, or y alone; each vector in
    ``room`` characters at most, passed through ``code`` (the table's markup)."""
    from cli.render.notation import as_written, vector

    raw, y, text = e.example.written, e.example.y.tolist(), writing(e).text
    given = "in the file" if e.example.t is not None else "as typed"
    fit = None if room is None else room - 5
    if raw is not None and raw.y != y:
        if raw.targets and not all(isinstance(v, float) for v in raw.y):
            return f"label {raw.y[0]}, so {code(f'y = {vector(y, room=fit, text=text)}')}"
        return (f"{code(f'y = {vector(raw.y, room=fit, text=as_written)}')} {given}, "
                f"{code(f'y′ = {vector(y, room=fit, text=text)}')} as the network learns it")
    return code(f"y = {vector(y, room=fit, text=text)}")
