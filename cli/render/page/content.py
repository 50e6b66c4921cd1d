"""The page's numbers, written as the terminal writes them.

Every number the page shows that ``nnbp explain`` also prints is written here, by the
explanation's one ``Writing`` (cli/render/explain_steps.py): the units' z, a and δ, Θ and
this example's ∂cost/∂Θ, each δ's terms, weighted sum and g′, the cost, each z as
its sum and each g′ from a.  The page's script only places these strings; it writes
only what it computes itself (a nudged weight's cost, the finite differences, Δ
and D of the batch), by the same rule, none of which the terminal prints.
"""

from __future__ import annotations

import numpy as np

from nnbp.explain_setup import ExampleBatch
from nnbp.explanation import Explanation, Unit

from cli.render.explain_steps import (COST_DIGITS, WHOLE_TERMS, entry_step, forward_step, g_prime_step,
                               hidden_step, listed_entries, output_step, writing)
from cli.render.explain_table import output_delta as written_output
from cli.render.notation import as_written, off_by, sym, vector

BATCH = 50  # examples the batch part steps through, at most

G = {"sigmoid": "σ(z) = 1 / (1 + e^(-z))", "tanh": "tanh(z)", "relu": "max(0, z)",
     "softmax": "e^(z_k) / Σ_j e^(z_j)", "linear": "z"}


def numbers(e: Explanation) -> list[dict]:
    """Per layer, z, a and δ as the tables print them; the input's ``name``, x′ when
    the network sees x normalized."""
    text = writing(e).text
    out = [{k: [text(v) for v in ([] if getattr(d, k) is None else getattr(d, k).tolist())]
            for k in ("z", "a", "delta")} for d in e.layers.values()]
    w = e.example.written
    out[0]["name"] = "x′" if w is not None and w.normalize != "none" else "x"
    return out


def g_prime_lines(e: Explanation, kind: str, l: int, u: Unit) -> list[str]:
    """g′(z_j^(l)) in terms of z, then of a, ending in the factor the table prints."""
    w = writing(e)
    j = u.j
    zj, aj = sym("z", l, j), sym("a", l, j)
    g = g_prime_step(kind, u)
    if g is not None:
        s = w.show(g[0])
        A = s.operands[0].text
    if kind == "sigmoid":
        work = (f"{A} × (1 − {A})" if g[1] == "a" else
                f"{A} × {s.operands[1].text}")  # 1 − a as its own number: a saturated unit
        return [f"g′({zj}) = σ({zj}) · (1 − σ({zj})), with σ(z) = 1 / (1 + e^(-z))",
                f"= {aj} · (1 − {aj}) = {work} = {s.text}"]
    if kind == "tanh":
        work = f"1 − ({A})²" if g[1] == "a" else f"1 − {A}"  # A: the square as computed
        return [f"g′({zj}) = 1 − tanh²({zj})", f"= 1 − ({aj})² = {work} = {s.text}"]
    if kind == "relu":
        return [f"g′({zj}) = 1 if {zj} > 0, else 0; here {zj} = {w.text(u.z)}",
                f"= 1 if {aj} = max(0, {zj}) > 0, else 0; here {aj} = {w.text(u.a)}: "
                f"g′ = {w.text(u.g_prime)}"]
    return [f"g′({zj}) = 1: a linear unit passes z on unchanged, {aj} = {zj}"]


def forward_sum(e: Explanation, l: int, j: int) -> list[str]:
    """z_j^(l) = Σ_i Θ^(l-1)_ji a_i^(l-1), the bias a_0 = 1 first, with the numbers
    (the largest terms of a long sum, the rest as one number), then a_j^(l)."""
    w = writing(e)
    step, shown, folded = forward_step(e, l, j)
    s = w.show(step)
    ops = [o.text for o in s.operands]
    names = [f"{sym('Θ', l - 1, j, i)}·" + ("1" if i == 0 else sym("a", l - 1, i)) for i in shown]
    nums = [f"({ops[2 * k]})({ops[2 * k + 1]})" for k in range(len(shown))]
    if folded:
        names.append(f"({folded} smaller terms)")
        nums.append(f"({ops[-1]})")
    return [f"{sym('z', l, j)} = " + " + ".join(names),
            "= " + " + ".join(nums) + f" = {s.text}",
            f"{sym('a', l, j)} = g({sym('z', l, j)}) = {w.text(float(e.layers[l].a[j - 1]))}"]


def hidden_unit(e: Explanation, l: int, j: int, activation: str) -> dict:
    """δ_j^(l) as the table works it out: a row per term Θ_ij·δ_i (a chip each), the
    weighted sum, g′ and δ, with the same digits; g′ in terms of z and of a."""
    u = e.layers[l].unit(j)
    w = writing(e)
    step, shown, folded = hidden_step(u, whole=len(u.terms) <= WHOLE_TERMS)
    s = w.show(step)
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
           "g_lines": g_prime_lines(e, activation, l, u),
           "forward": forward_sum(e, l, j)}
    if u.numeric is not None:
        numeric = u.numeric
        out["check"] = [["", "  finite difference", "", "", w.text(numeric)],
                        ["", f"  {u.verdict}, off by", "", "", off_by(abs(numeric - u.delta))]]
    return out


def output_unit(e: Explanation, k: int, net) -> dict:
    """δ_k^(L) as the terminal's line prints it, and why it has that form."""
    L = e.L
    u = e.output.unit(k)
    w = writing(e)
    s = w.show(output_step(e, u))
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
        out["g_lines"] = g_prime_lines(e, net.output, L, u)
    if u.numeric is not None:
        numeric = u.numeric
        out["check"] = (f"finite difference {w.text(numeric)}: {u.verdict}, off by "
                        f"{off_by(abs(numeric - u.delta))}")
    return out


def units(e: Explanation, net) -> list[list]:
    """Per layer, per unit j (0: the bias), what the unit's panel shows."""
    L = e.L
    raw = e.example.written
    text = writing(e).text
    out = []
    for l in range(1, L + 1):
        row: list = [{"kind": "bias"} if l < L else None]
        for j in range(1, e.layers[l].size + 1):
            if l == 1:
                u = {"kind": "input", "x": text(float(e.layers[1].a[j - 1]))}
                features = raw.features if raw is not None else []
                if j <= len(features):
                    u["feature"] = str(features[j - 1])
                if raw is not None and raw.normalize != "none" and j <= len(raw.x):
                    u["raw"] = as_written(raw.x[j - 1])
                row.append(u)
            elif l == L:
                row.append(output_unit(e, j, net))
            else:
                row.append(hidden_unit(e, l, j, net.activation))
        out.append(row)
    if net.output == "softmax":  # a_k of a softmax output is not g(z_k) alone
        for k, u in enumerate(out[L - 1][1:], start=1):
            u["forward"][-1] = (f"{sym('a', L, k)} = e^({sym('z', L, k)}) / Σ_k e^(z_k^({L})) "
                                f"= {text(float(e.output.a[k - 1]))}")
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
    """Per Θ^(l): Θ and ∂cost/∂Θ as printed, and the δ_i and a_j of each entry that the
    tables work out as δ_i × a_j (cli/render/explain_steps.py's ``listed_entries``: all of a
    small Θ^(l), the largest of a large one), with the digits that make the product
    print as it does; None for the others."""
    w = writing(e)
    theta, grad, ops = [], [], []
    for l in range(1, e.L):
        Gl = e.gradient[l].tolist()
        theta.append([[w.text(v) for v in row] for row in e.Theta[l].tolist()])
        grad.append([[w.text(v) for v in row] for row in Gl])
        worked = [[None] * len(row) for row in Gl]
        for i, j in listed_entries(e, l):
            worked[i - 1][j] = [o.text for o in w.show(entry_step(e.entry(l, i, j))).operands]
        ops.append(worked)
    return {"theta": theta, "grad": grad, "grad_ops": ops}


def cost_lines(e: Explanation, net) -> list[str]:
    """cost(t), the bracket of J for this example, with its numbers."""
    L = e.L
    h, y = e.output.a.tolist(), e.example.y.tolist()
    text = writing(e).text
    K = len(h)
    few = K <= 4
    if net.cost == "squared_error":
        lines = ["cost(t) = ½ Σ_k (h_k − y_k)²"]
        if few:
            lines.append("= ½ (" + " + ".join(f"({text(a)} − {_paren(text(b))})²"
                                              for a, b in zip(h, y)) + ")")
    elif net.output == "softmax":
        lines = ["cost(t) = −Σ_k y_k log h_k, the log of the true class's h"]
        k = int(np.argmax(y))
        if sum(1 for v in y if v != 0) == 1 and y[k] == 1:
            lines.append(f"= −log h_{k + 1} = −log({text(h[k])})")
    else:
        lines = ["cost(t) = −Σ_k [y_k log h_k + (1 − y_k) log(1 − h_k)]"]
        if few:
            lines.append("= −(" + " + ".join(f"[{text(b)}·log({text(a)}) + (1 − {text(b)})·"
                                             f"log(1 − {text(a)})]" for a, b in zip(h, y)) + ")")
    lines.append(f"= {text(e.cost)}")
    lines.append(f"J(Θ) averages cost(t) over the m examples and adds "
                 f"(λ/2m) Σ Θ_ij² (j ≥ 1); h_Θ(x) = a^({L}).")
    return lines


def _paren(text: str) -> str:
    return f"({text})" if text.startswith("-") else text


def batch(b: ExampleBatch, lam: float, text) -> dict | None:
    """The first training examples, for the page to accumulate Δ and D over: x′ and y as
    training sees them, and each one's a, δ and cost (worked out by the function that
    explains an example), written by ``text``, the page's writing: a value of the
    example the page explains as everywhere else on the page, the others with the
    digits of the rule."""
    each = b.explained
    if not each:
        return None
    return {
        "n": len(each), "m": b.m, "rows": [e.example.t for e in each],
        "X": [e.example.x.tolist() for e in each], "Y": [e.example.y.tolist() for e in each],
        "lambda": float(lam),
        "a": [[[text(v) for v in d.a.tolist()] for d in e.layers.values()] for e in each],
        "delta": [[[text(v) for v in e.layers[l].delta.tolist()] for l in range(2, e.L + 1)]
                  for e in each],
        "cost": [text(e.cost, COST_DIGITS) for e in each],
    }


def cost_rounding(e: Explanation) -> float:
    """How far rounding can move this example's cost (δcost = ROUNDINGS · u · S, as the
    gradient check reckons it): the page's finite differences cannot resolve less
    than about δcost / ε."""
    from nnbp.gradcheck import ROUNDINGS, cost_size

    S = cost_size(e.net, e.Theta, e.example.x[None, :], e.example.y[None, :], 0.0)
    return ROUNDINGS * float(np.finfo(np.float64).eps / 2) * S
