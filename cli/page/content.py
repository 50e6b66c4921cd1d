"""The page's numbers, formatted as the terminal formats them.

Every number the page shows that ``nnbp explain`` also prints is written here, by the
same rule (cli/printed.py, cli/notation.py): the units' z, a and δ, Θ and this
example's ∂cost/∂Θ, each δ's terms, weighted sum and g′, the cost.  The page's
script only places these strings; it formats only what it computes itself (a
nudged weight's cost, the finite differences, Δ and D of the batch), none of which
the terminal prints.
"""

from __future__ import annotations

import numpy as np

from nnbp.explain_setup import ExampleBatch
from nnbp.explanation import Explanation

from cli import printed
from cli.explain_steps import entry_step, hidden_step, output_step
from cli.explain_table import output_delta as written_output
from cli.notation import DIGITS, fold, num, sym

WHOLE_TERMS = 40  # a δ's sum term by term up to this many terms, else folded as the table does
WHOLE_INPUTS = 13  # a z's sum term by term up to 12 inputs and the bias, else folded
BATCH = 50  # examples the batch part steps through, at most

G = {"sigmoid": "σ(z) = 1 / (1 + e^(-z))", "tanh": "tanh(z)", "relu": "max(0, z)",
     "softmax": "e^(z_k) / Σ_j e^(z_j)", "linear": "z"}


def numbers(e: Explanation) -> list[dict]:
    """Per layer, z, a and δ as the tables print them."""
    return [{k: [num(v) for v in ([] if getattr(d, k) is None else getattr(d, k).tolist())]
             for k in ("z", "a", "delta")} for d in e.layers.values()]


def digits_of(v: float, text: str) -> int:
    """How many significant digits ``text`` shows of v (5 … 17)."""
    return next((n for n in range(DIGITS, 18) if num(v, n) == text), 17)


def g_prime_lines(kind: str, l: int, j: int, z: float, a: float, gp: float,
                  gp_text: str) -> list[str]:
    """g′(z_j^(l)) in terms of z, then of a, ending in the factor the table prints."""
    zj, aj = sym("z", l, j), sym("a", l, j)
    n = digits_of(gp, gp_text)
    if kind == "sigmoid":
        s = printed.show(printed.Step(gp, lambda a_: a_ * (1 - a_), (a,)), n)
        A = s.operands[0].text
        return [f"g′({zj}) = σ({zj}) · (1 − σ({zj})), with σ(z) = 1 / (1 + e^(-z))",
                f"= {aj} · (1 − {aj}) = {A} × (1 − {A}) = {s.text}"]
    if kind == "tanh":
        s = printed.show(printed.Step(gp, lambda a_: 1 - a_ * a_, (a,)), n)
        A = s.operands[0].text
        return [f"g′({zj}) = 1 − tanh²({zj})", f"= 1 − ({aj})² = 1 − ({A})² = {s.text}"]
    if kind == "relu":
        return [f"g′({zj}) = 1 if {zj} > 0, else 0; here {zj} = {num(z)}",
                f"= 1 if {aj} = max(0, {zj}) > 0, else 0; here {aj} = {num(a)}: "
                f"g′ = {gp_text}"]
    return [f"g′({zj}) = 1: a linear unit passes z on unchanged, {aj} = {zj}"]


def forward_sum(e: Explanation, l: int, j: int) -> list[str]:
    """z_j^(l) = Σ_i Θ^(l-1)_ji a_i^(l-1), the bias a_0 = 1 first, with the numbers
    (the largest terms of a long sum, the rest as one number), then a_j^(l)."""
    row = e.Theta[l - 1][j - 1].tolist()
    a = [1.0] + e.layers[l - 1].a.tolist()
    u = e.layers[l].unit(j)
    terms = [t * x for t, x in zip(row, a)]
    shown, folded, rest = fold(terms, whole=len(terms) <= WHOLE_INPUTS)
    factors = tuple(v for i in shown for v in (row[i], a[i])) + ((rest,) if folded else ())
    s = printed.show(printed.Step(u.z, printed.products, factors))
    ops = [o.text for o in s.operands]
    names = [f"{sym('Θ', l - 1, j, i)}·" + ("1" if i == 0 else sym("a", l - 1, i)) for i in shown]
    nums = [f"({ops[2 * k]})({ops[2 * k + 1]})" for k in range(len(shown))]
    if folded:
        names.append(f"({folded} smaller terms)")
        nums.append(f"({ops[-1]})")
    return [f"{sym('z', l, j)} = " + " + ".join(names),
            "= " + " + ".join(nums) + f" = {s.text}",
            f"{sym('a', l, j)} = g({sym('z', l, j)}) = {num(u.a)}"]


def hidden_unit(e: Explanation, l: int, j: int, activation: str) -> dict:
    """δ_j^(l) as the table works it out: a row per term Θ_ij·δ_i (a chip each), the
    weighted sum, g′ and δ, with the same digits; g′ in terms of z and of a."""
    u = e.layers[l].unit(j)
    step, shown, folded = hidden_step(u, whole=len(u.terms) <= WHOLE_TERMS)
    s = printed.show(step)
    total, factor = s.operands
    chips, rows = [], []
    for n, (i, term) in enumerate(zip(shown, total.operands)):
        th, de = term.operands[0].text, term.operands[1].text
        name = f"{sym('Θ', l, i + 1, j)}·{sym('δ', l + 1, i + 1)}"
        chips.append({"to": i + 1, "name": name, "theta": th, "delta": de, "value": term.text})
        rows.append([str(j) if n == 0 else "", ("  " if n == 0 else "+ ") + name, th, de,
                     term.text])
    if folded:
        rows.append(["", f"+ {folded} smaller (folded)", "", "", total.operands[-1].text])
    rows += [["", "= weighted sum", "", "", total.text],
             ["", f"× g'(z_{j}^({l}))", "", "", factor.text],
             ["", f"= {sym('δ', l, j)}", "", "", s.text]]
    out = {"kind": "hidden", "rows": rows, "delta_row": len(rows) - 1, "chips": chips,
           "folded": [folded, total.operands[-1].text] if folded else None,
           "sum": total.text, "g_prime": factor.text, "delta": s.text,
           "g_lines": g_prime_lines(activation, l, j, u.z, u.a, u.g_prime, factor.text),
           "forward": forward_sum(e, l, j)}
    if u.numeric is not None:
        numeric = u.numeric
        out["check"] = [["", "  finite difference", "", "", num(numeric)],
                        ["", f"  {u.verdict}, off by", "", "",
                         f"{abs(numeric - u.delta):.1e}"]]
    return out


def output_unit(e: Explanation, k: int, net) -> dict:
    """δ_k^(L) as the terminal's line prints it, and why it has that form."""
    L = e.L
    u = e.output.unit(k)
    s = printed.show(output_step(e, u))
    out = {"kind": "output", "line": f"{sym('δ', L, k)} = {written_output(s)} = {s.text}",
           "delta": s.text, "forward": forward_sum(e, L, k)}
    if net.cost == "cross_entropy":
        out["why"] = (f"With cross-entropy, δ^({L}) = ∂cost/∂z^({L}) = a^({L}) − y: the "
                      f"derivative of the log cancels the output's g′(z), so no g′ appears.")
    elif net.output == "linear":
        out["why"] = (f"Squared error gives δ^({L}) = (a^({L}) − y) ⊙ g′(z^({L})); a linear "
                      f"output has g′(z) = 1, so δ^({L}) = a^({L}) − y.")
    else:
        out["why"] = (f"Squared error keeps the output's g′: δ^({L}) = (a^({L}) − y) ⊙ "
                      f"g′(z^({L})).")
        out["g_lines"] = g_prime_lines(net.output, L, k, u.z, u.a, u.g_prime,
                                       s.operands[2].text)
    if u.numeric is not None:
        numeric = u.numeric
        out["check"] = (f"finite difference {num(numeric)}: {u.verdict}, off by "
                        f"{abs(numeric - u.delta):.1e}")
    return out


def units(e: Explanation, net) -> list[list]:
    """Per layer, per unit j (0: the bias), what the unit's panel shows."""
    L = e.L
    raw = e.example.written
    out = []
    for l in range(1, L + 1):
        row: list = [{"kind": "bias"} if l < L else None]
        for j in range(1, e.layers[l].size + 1):
            if l == 1:
                u = {"kind": "input", "x": num(float(e.layers[1].a[j - 1]))}
                features = raw.features if raw is not None else []
                if j <= len(features):
                    u["feature"] = str(features[j - 1])
                if raw is not None and raw.normalize != "none" and j <= len(raw.x):
                    u["raw"] = num(raw.x[j - 1])
                row.append(u)
            elif l == L:
                row.append(output_unit(e, j, net))
            else:
                row.append(hidden_unit(e, l, j, net.activation))
        out.append(row)
    if net.output == "softmax":  # a_k of a softmax output is not g(z_k) alone
        for k, u in enumerate(out[L - 1][1:], start=1):
            u["forward"][-1] = (f"{sym('a', L, k)} = e^({sym('z', L, k)}) / Σ_k e^(z_k^({L})) "
                                f"= {num(float(e.output.a[k - 1]))}")
    elif net.output != "linear":
        for u in out[L - 1][1:]:
            u["forward"][-1] += f", with g(z) = {G[net.output]}"
    else:
        for u in out[L - 1][1:]:
            u["forward"][-1] += ", with g(z) = z (a linear output)"
    for l in range(2, L):
        for u in out[l - 1][1:]:
            u["forward"][-1] += f", with g(z) = {G[net.activation]}"
    return out


def edges(e: Explanation) -> dict:
    """Per Θ^(l): Θ and ∂cost/∂Θ as printed, and each gradient entry's δ_i and a_j with
    the digits that make δ_i × a_j print as it does (the gradient table's rule)."""
    theta, grad, ops = [], [], []
    for l in range(1, e.L):
        Gl = e.gradient[l].tolist()
        theta.append([[num(v) for v in row] for row in e.Theta[l].tolist()])
        grad.append([[num(v) for v in row] for row in Gl])
        ops.append([[[o.text for o in printed.show(entry_step(e.entry(l, i + 1, j))).operands]
                     for j in range(len(row))] for i, row in enumerate(Gl)])
    return {"theta": theta, "grad": grad, "grad_ops": ops}


def cost_lines(e: Explanation, net) -> list[str]:
    """cost(t), the bracket of J for this example, with its numbers."""
    L = e.L
    h, y = e.output.a.tolist(), e.example.y.tolist()
    K = len(h)
    few = K <= 4
    if net.cost == "squared_error":
        lines = ["cost(t) = ½ Σ_k (h_k − y_k)²"]
        if few:
            lines.append("= ½ (" + " + ".join(f"({num(a)} − {_paren(num(b))})²"
                                              for a, b in zip(h, y)) + ")")
    elif net.output == "softmax":
        lines = ["cost(t) = −Σ_k y_k log h_k, the log of the true class's h"]
        k = int(np.argmax(y))
        if sum(1 for v in y if v != 0) == 1 and y[k] == 1:
            lines.append(f"= −log h_{k + 1} = −log({num(h[k])})")
    else:
        lines = ["cost(t) = −Σ_k [y_k log h_k + (1 − y_k) log(1 − h_k)]"]
        if few:
            lines.append("= −(" + " + ".join(f"[{num(b)}·log({num(a)}) + (1 − {num(b)})·"
                                             f"log(1 − {num(a)})]" for a, b in zip(h, y)) + ")")
    lines.append(f"= {num(e.cost, 8)}")
    lines.append(f"J(Θ) averages cost(t) over the m examples and adds "
                 f"(λ/2m) Σ Θ_ij² (j ≥ 1); h_Θ(x) = a^({L}).")
    return lines


def _paren(text: str) -> str:
    return f"({text})" if text.startswith("-") else text


def batch(b: ExampleBatch, lam: float) -> dict | None:
    """The first training examples, for the page to accumulate Δ and D over: x′ and y as
    training sees them, and each one's a, δ and cost as ``explain --example t`` prints
    them (worked out by the same function)."""
    each = b.explained
    if not each:
        return None
    return {
        "n": len(each), "m": b.m, "rows": [e.example.t for e in each],
        "X": [e.example.x.tolist() for e in each], "Y": [e.example.y.tolist() for e in each],
        "lambda": float(lam),
        "a": [[[num(v) for v in d.a.tolist()] for d in e.layers.values()] for e in each],
        "delta": [[[num(v) for v in e.layers[l].delta.tolist()] for l in range(2, e.L + 1)]
                  for e in each],
        "cost": [num(e.cost, 8) for e in each],
    }


def cost_rounding(e: Explanation) -> float:
    """How far rounding can move this example's cost (δcost = ROUNDINGS · u · S, as the
    gradient check reckons it): the page's finite differences cannot resolve less
    than about δcost / ε."""
    from nnbp.gradcheck import ROUNDINGS, cost_size

    S = cost_size(e.net, e.Theta, e.example.x[None, :], e.example.y[None, :], 0.0)
    return ROUNDINGS * float(np.finfo(np.float64).eps / 2) * S
