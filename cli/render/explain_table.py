"""``explain``'s tables: the example, the forward pass, each δ_j^(l) as the Θ-weighted
sum worked out row by row, and this example's gradient, at the terminal's width.

Every row of arithmetic holds as written: its operands are printed with the digits
its result needs, and each value with the same digits wherever it appears, as in
every other view of the explanation (cli/render/printed.py, cli/render/explain_steps.py).
Sentences, titles and captions are broken between words and formulas, never inside
a formula (cli/render/lines.py), and no line is wider than the terminal.
"""

from __future__ import annotations

from nnbp.explanation import Explanation, Layer

from cli.render import printed
from cli.render.explain_steps import (entry_step, hidden_step, listed_entries, output_step,
                                      target_text, writing)
from cli.render.lines import flow
from cli.render.notation import as_written, off_by, sub, sym, vector, write

MAX_LISTED = 12  # features listed by name, at most

NORMALIZED = {"standard": "x′ = (x − mean) / sd", "minmax": "x′ = (x − min) / (max − min)"}


def render(e: Explanation, *, layer, unit, check, gradient) -> None:
    from rich.console import Console
    from rich.table import Table

    con = Console(highlight=False, markup=False, emoji=False)
    W = con.width

    def say(text, first: str = "", hang: str = "  ") -> None:
        for line in flow(text, W, first, hang):
            con.print(line, soft_wrap=True)

    L = e.L
    w = writing(e)
    for part in the_example(e, W):
        say(part) if isinstance(part, str) else con.print(part)
    if layer is None:
        say("Forward: `z^(l+1) = Θ^(l) [1; a^(l)]`, `a^(l+1) = g(z^(l+1))`")
        fw = Table(min_width=min(60, W))
        for col in ("l", "j", "z_j^(l)", "a_j^(l)"):
            fw.add_column(col, justify="right")
        for l, d in e.layers.items():
            if l < L:
                fw.add_row(str(l), "0", "", "1 (bias)")
            for u in d.units:
                fw.add_row(str(l), str(u.j), w.text(u.z) if l > 1 else "", w.text(u.a),
                           end_section=u.j == d.size)
        con.print(fw)
        say(f"`h_Θ(x) = {vector(e.output.a.tolist(), room=W - 9, text=w.text)}` against "
            f"`y = {vector(e.example.y.tolist(), room=W - 4, text=w.text)}`")
        say(f"`cost(t) = {w.text(e.cost)}`")
        con.print()
    if layer in (None, L):
        out = e.output
        linear = out.g_prime is None or all(out.g_prime == 1.0)
        say(f"Output layer: `δ^({L}) = " + (f"a^({L}) − y`" if linear
                                              else f"(a^({L}) − y) ⊙ g'(z^({L}))`"))
        for u in out.units:
            if unit is not None and u.j != unit:
                continue
            s = w.show(output_step(e, u))
            say([f"{sym('δ', L, u.j)} = {output_delta(s)}", f"= {s.text}"], "  ", "      ")
            if check:
                say(f"finite difference `{w.text(u.numeric)}`: {u.verdict}, off by "
                    f"`{off_by(abs(u.numeric - u.delta))}`", "      ", "        ")
        con.print()
    for l in range(L - 1, 1, -1):
        if layer is not None and l != layer:
            continue
        say(f"Layer {l}: `δ_j^({l}) = (Σ_i Θ_ij^({l})·δ_i^({l + 1})) · g'(z_j^({l}))`")
        con.print(hidden_table(e.layers[l], w, unit=unit, check=check, width=W))
        say("The lecture's δ stops at the weighted sum; the real δ has the factor `g'(z)`.",
            "  ", "  ")
        con.print()
    if check:
        say(f"Finite differences: cost(t) at `z_j ± ε` and `± ε/2` (`ε = {e.epsilon:g}`), "
            f"Richardson-extrapolated. For this cost(t) they resolve ∂cost/∂z to "
            f"`±{e.resolution:.2g}`: a δ that close to 0 is unresolved, neither "
            "confirmed nor refuted at this ε.", hang="")
    if gradient:
        for l in range(1, L):
            title, table, caption = gradient_table(e, l, W, w)
            say(title)
            con.print(table)
            if caption:
                say(caption)


def output_delta(s: printed.Shown) -> str:
    """a − y, or (a − y) × g'(z), from the printed operands; a negative y in parentheses."""
    a, y = s.operands[0].text, s.operands[1].text
    diff = f"{a} − {f'({y})' if y.startswith('-') else y}"
    return diff if len(s.operands) == 2 else f"({diff}) × {s.operands[2].text}"


def the_example(e: Explanation, W: int) -> list:
    """Which example, its label, and x as typed (or as in the file) beside x′, the
    normalized input the network sees: a table by feature name when there are few."""
    from rich.table import Table

    raw, t = e.example.written, e.example.t
    x = e.example.x.tolist()
    text = writing(e).text
    where, given = ((f"example {t} (row {t} of the training file)", "in the file")
                    if t is not None else ("the example typed in", "as typed"))
    head = f"{where}: {target_text(e, room=W, code=lambda s: f'`{s}`')}"
    normalized = raw.normalize in NORMALIZED
    if not normalized:  # x′ = x: one line, by name when there are few
        if len(raw.x) > MAX_LISTED:
            return [head, f"`x = {vector(x, room=W - 4, text=text)}`"]
        return [head, "x: " + ", ".join(f"`{name} = {text(v)}`"
                                        for name, v in zip(raw.features, x))]
    if len(raw.x) > MAX_LISTED:
        return [head, f"`x = {vector(raw.x, room=W - 5 - len(given), text=as_written)}` "
                f"{given}",
                f"`x′ = {vector(x, room=W - 6, text=text)}`, what the network sees "
                f"(`{NORMALIZED[raw.normalize]}`)"]
    table = Table()
    table.add_column("j", justify="right")
    table.add_column("feature")
    table.add_column(f"x_j, {given}", justify="right")
    table.add_column(NORMALIZED[raw.normalize].replace("x′", "x′_j", 1), justify="right")
    for j, name in enumerate(raw.features, start=1):
        table.add_row(str(j), name, as_written(raw.x[j - 1]), text(x[j - 1]))
    return [head, table]


def hidden_table(d: Layer, w: printed.Writing, *, unit, check, width: int):
    """Per unit j: a row per term Θ_ij^(l)·δ_i^(l+1) with its numbers, then the sum,
    the factor g'(z_j^(l)) and δ_j^(l); each row's arithmetic as printed.  The terms
    are named without their layers when the table would not fit otherwise."""
    from rich.table import Table

    l = d.l
    rows = []  # (j, term as (i, symbol or None), Θ, δ, value, end of the unit)
    for u in d.units:
        j = u.j
        if unit is not None and j != unit:
            continue
        step, shown, folded = hidden_step(u, whole=unit is not None)
        s = w.show(step)
        total, factor = s.operands
        for n, (i, term) in enumerate(zip(shown, total.operands)):
            rows.append((str(j) if n == 0 else "", (n, i, j), term.operands[0].text,
                         term.operands[1].text, term.text, False))
        if folded:
            rows.append(("", f"+ {folded} smaller (folded)", "", "", total.operands[-1].text, False))
        rows += [("", "= weighted sum", "", "", total.text, False),
                 ("", f"× g'(z_{j}^({l}))", "", "", factor.text, False),
                 ("", f"= {sym('δ', l, j)}", "", "", s.text, not check)]
        if check:
            rows += [("", "  finite difference", "", "", w.text(u.numeric), False),
                     ("", f"  {u.verdict}, off by", "", "", off_by(abs(u.numeric - u.delta)),
                      True)]

    def label(term, short: bool) -> str:
        if isinstance(term, str):
            return term
        n, i, j = term
        name = (f"Θ{sub(i + 1, j)}·δ{sub(i + 1)}" if short
                else f"{sym('Θ', l, i + 1, j)}·{sym('δ', l + 1, i + 1)}")
        return ("  " if n == 0 else "+ ") + name

    heads = ["j", "term", f"Θ_ij^({l})", f"δ_i^({l + 1})", "value"]
    for short in (False, True):
        cells = [[r[0], label(r[1], short), *r[2:5]] for r in rows]
        need = 1 + sum(3 + max(len(h), *(len(c[k]) for c in cells)) for k, h in enumerate(heads))
        if need <= width:
            break
    table = Table()
    table.add_column("j", justify="right", min_width=2, no_wrap=True)
    table.add_column("term", no_wrap=True)
    for h in heads[2:]:  # a number wider than the terminal folds onto a second line
        table.add_column(h, justify="right", overflow="fold")
    for r, c in zip(rows, cells):
        table.add_row(*c, end_section=r[5])
    return table


def gradient_table(e: Explanation, l: int, width: int, w: printed.Writing):
    """This example's ∂cost/∂Θ^(l) = δ^(l+1) [1; a^(l)]ᵀ: the whole matrix when it fits
    the width, else its largest entries, each as δ_i^(l+1) × a_j^(l), and a bound on
    the others.  No number is cut.  Returns the title, the table and the caption."""
    from rich.table import Table

    G = e.gradient[l].tolist()
    title = f"`∂cost/∂Θ^({l}) = δ^({l + 1}) [1; a^({l})]ᵀ`"
    cells = [[w.text(v) for v in row] for row in G]
    need = len(str(len(G))) + 4 + sum(max(len(f"j={j}"), *(len(r[j]) for r in cells)) + 3
                                      for j in range(len(G[0])))
    if need <= width:
        t = Table()
        t.add_column("i", justify="right", no_wrap=True)
        for j in range(len(G[0])):
            t.add_column(f"j={j}", justify="right", no_wrap=True)
        for i, row in enumerate(cells, start=1):
            t.add_row(str(i), *row)
        return title, t, None
    shown = listed_entries(e, l)
    size = f"`{len(G)} × {len(G[0])}`"
    rest = len(G) * len(G[0]) - len(shown)
    title += (f", {size}, entry by entry" if not rest
              else f", {size}: its {len(shown)} largest entries")
    t = Table()
    for col in ("i", "j", f"δ_i^({l + 1})", f"a_j^({l})", "δ_i × a_j"):
        t.add_column(col, justify="right", overflow="fold")
    for i, j in shown:
        s = w.show(entry_step(e.entry(l, i, j)))
        t.add_row(str(i), str(j), s.operands[0].text, s.operands[1].text, s.text)
    caption = None
    if rest:
        listed = set(shown)
        largest = max(abs(v) for i, row in enumerate(G, start=1) for j, v in enumerate(row)
                      if (i, j) not in listed)
        caption = (f"the other {rest} entries are smaller: "
                   f"`|δ_i × a_j| ≤ {at_least(largest)}` (all with --json)")
    return title, t, caption


def at_least(v: float) -> str:
    """v rounded up to the digits shown: a bound that holds as printed."""
    from decimal import ROUND_CEILING, Context

    return write(float(Context(prec=5, rounding=ROUND_CEILING).create_decimal_from_float(v)))
