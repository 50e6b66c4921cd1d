"""The worked steps of one example, as rows of one HTML table: the example, forward
propagation layer by layer, the cost, δ^(L) … δ^(2), then Δ and D.

On screen the page shows one row at a time (← and →); printed, the whole table.
Each row names what it computes (``data-kind``, ``data-layer``), which the page's
script lights in the figure.
"""

from __future__ import annotations

from html import escape

from nnbp.explanation import Explanation, Layer

from cli.render.explain_steps import entry_step, listed_entries, target_text, writing
from cli.render.notation import vector
from cli.render.page.content import cost_lines

FEW = 12  # units (or gradient rows and columns) written out in full
SOME = 64  # units listed in a compact table


def eq(*lines: str) -> str:
    return "".join(f'<div class="eq">{escape(s)}</div>' for s in lines)


def table(head: list[str], rows: list[list[str]], cls: str = "work",
          col0: bool = False) -> str:
    """An HTML table of text cells; ``col0``: the second column is Θ's column 0."""
    def cell(k: int, s: str, tag: str) -> str:
        mark = ' class="bias-col"' if col0 and k == 1 else ""
        return f"<{tag}{mark}>{escape(s)}</{tag}>"
    out = [f'<table class="{cls}"><thead><tr>'
           + "".join(cell(k, h, "th") for k, h in enumerate(head)) + "</tr></thead><tbody>"]
    for r in rows:
        out.append("<tr>" + "".join(cell(k, s, "td") for k, s in enumerate(r)) + "</tr>")
    return "".join(out) + "</tbody></table>"


def steps(e: Explanation, units: list[list], net, lam: float) -> list[tuple[str, int, str, str]]:
    """[(kind, layer, title, html)] in order."""
    L = e.L
    w = e.example.written
    text = writing(e).text
    x = "x′" if w is not None and w.normalize != "none" else "x"
    out = [("example", 1, "The example",
            eq(f"a^(1) = {x} = {vector(e.example.x.tolist(), text=text)}",
               target_text(e))
            + '<p>Layer 1 is the input itself: it is given, not computed, so it has no z '
              'and no δ.</p>')]
    for l in range(1, L):
        n = e.layers[l + 1].size
        html = eq(f"z^({l + 1}) = Θ^({l}) [1; a^({l})],   a^({l + 1}) = g(z^({l + 1}))")
        if n <= FEW:
            html += "".join(f'<div class="unit-eq">{eq(*units[l][i]["forward"])}</div>'
                            for i in range(1, n + 1))
        else:
            html += z_and_a(e.layers[l + 1], text)
        out.append(("forward", l, f"Forward: layer {l} to layer {l + 1} through Θ^({l})", html))
    out.append(("cost", L, "The cost of this example", eq(*cost_lines(e, net))))
    n = e.output.size
    lines = [units[L - 1][k]["line"] for k in range(1, n + 1)] if n <= SOME else \
        [f"δ^({L}) = {vector(e.output.delta.tolist(), text=text)}"]
    out.append(("delta", L, f"δ^({L}): the output layer",
                eq(f"δ^({L}) = a^({L}) − y" + ("" if "g_lines" not in units[L - 1][1]
                                               else f" ⊙ g′(z^({L}))"), *lines)
                + f"<p>{escape(units[L - 1][1]['why'])}</p>"))
    for l in range(L - 1, 1, -1):
        n = e.layers[l].size
        html = eq(f"δ^({l}) = (Θ^({l})ᵀ δ^({l + 1}))[1:] ⊙ g′(z^({l})), that is "
                  f"δ_j^({l}) = (Σ_i Θ_ij^({l}) δ_i^({l + 1})) · g′(z_j^({l}))")
        if n <= 4:
            head = ["j", "term", f"Θ_ij^({l})", f"δ_i^({l + 1})", "value"]
            html += table(head, [r for j in range(1, n + 1) for r in units[l - 1][j]["rows"]])
        elif n <= SOME:
            html += table(["j", f"Σ_i Θ_ij^({l}) δ_i^({l + 1})", f"g′(z_j^({l}))",
                           f"δ_j^({l})"],
                          [[str(j), u["sum"], u["g_prime"], u["delta"]]
                           for j, u in enumerate(units[l - 1][1:], start=1)])
        else:
            html += eq(f"δ^({l}) = {vector(e.layers[l].delta.tolist(), text=text)}")
        html += ("<p>Select a unit for its sum term by term.</p>" if n > 4 else "")
        out.append(("delta", l, f"δ^({l}): back through Θ^({l})", html))
    out.append(("Delta", 0, "Δ: what this example adds", gradient(e)))
    out.append(("D", 0, "D: the gradient of J", final(e, lam)))
    return out


def z_and_a(d: Layer, text) -> str:
    l, z, a = d.l, d.z.tolist(), d.a.tolist()
    if d.size > SOME:
        return eq(f"z^({l}) = {vector(z, text=text)}", f"a^({l}) = {vector(a, text=text)}")
    return table(["j", f"z_j^({l})", f"a_j^({l})"],
                 [[str(j), text(zj), text(aj)] for j, (zj, aj) in enumerate(zip(z, a), 1)])


def gradient(e: Explanation) -> str:
    """Δ^(l) += δ^(l+1) [1; a^(l)]ᵀ: this example's ∂cost/∂Θ^(l), whole when it is small,
    else its largest entries each as δ_i × a_j (as ``--gradient`` prints it)."""
    L = e.L
    w = writing(e)
    html = eq("Δ^(l) := Δ^(l) + δ^(l+1) [1; a^(l)]ᵀ",
              "this example adds ∂cost/∂Θ^(l) = δ^(l+1) [1; a^(l)]ᵀ, entry by entry "
              "∂cost/∂Θ_ij^(l) = δ_i^(l+1) · a_j^(l), with a_0^(l) = 1")
    for l in range(1, L):
        G = e.gradient[l].tolist()
        html += f'<h4>∂cost/∂Θ^({l})</h4>'
        if len(G) <= FEW and len(G[0]) <= FEW + 1:
            html += table(["i"] + [f"j={j}" for j in range(len(G[0]))],
                          [[str(i)] + [w.text(v) for v in row] for i, row in enumerate(G, 1)],
                          cls="matrix", col0=True)
            continue
        rows = []
        listed = listed_entries(e, l)
        for i, j in listed:
            s = w.show(entry_step(e.entry(l, i, j)))
            rows.append([str(i), str(j), s.operands[0].text, s.operands[1].text, s.text])
        every = len(listed) == len(G) * len(G[0])
        html += (f"<p>{len(G)} × {len(G[0])}: "
                 f"{'entry by entry' if every else f'its {len(listed)} largest entries'}.</p>"
                 + table(["i", "j", f"δ_i^({l + 1})", f"a_j^({l})", "δ_i × a_j"], rows))
    return html


def final(e: Explanation, lam: float) -> str:
    """D = Δ/m + (λ/m)Θ, column 0 without λ; written out for this example as the
    whole batch (m = 1) when Θ is small."""
    text = writing(e).text
    html = eq("D_ij^(l) = Δ_ij^(l) / m + (λ/m) Θ_ij^(l)   for j ≥ 1",
              "D_i0^(l) = Δ_i0^(l) / m   (column 0, the bias weights: no λ)")
    html += (f"<p>λ = {escape(text(lam))} (the config's). The bias weights are not regularized: "
             "column 0 of D has no λ term. If this example were the whole batch (m = 1):</p>")
    for l in range(1, e.L):
        G, T = e.gradient[l].tolist(), e.Theta[l].tolist()
        if len(G) > FEW or len(G[0]) > FEW + 1:
            html += (f"<p>D^({l}) is {len(G)} × {len(G[0])}: see the batch below, "
                     "entry by entry.</p>")
            continue
        rows = [[str(i)] + [text(g + (lam * t if j else 0.0)) for j, (g, t) in
                            enumerate(zip(grow, trow))]
                for i, (grow, trow) in enumerate(zip(G, T), 1)]
        html += f"<h4>D^({l}), m = 1</h4>" + table(
            ["i", "j=0 (no λ)"] + [f"j={j}" for j in range(1, len(G[0]))], rows,
            cls="matrix", col0=True)
    return html
