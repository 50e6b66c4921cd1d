"""``explain --format latex|markdown``: the explanation for slides, papers, notes and issues.

Both carry what the table shows: the forward pass, δ^(L), and each hidden δ_j^(l) as
the lecture writes it, then with the numbers substituted,

    δ_j^(l) = (Θ^(l)_{1j} δ^(l+1)_1 + Θ^(l)_{2j} δ^(l+1)_2 + …) · g'(z^(l)_j)
            = ((0.6)(−0.0781440) + …)(0.248947) = −0.0160842

LaTeX as ``align*`` environments for a document with ``amsmath``; Markdown with the
same equations in ``$$`` blocks and the values in tables.  Long sums fold as the
table folds them (the largest terms, then the rest as one number).
"""

from __future__ import annotations

from dataclasses import dataclass

from nnbp.explanation import Explanation, Unit

from cli.render import printed
from cli.render.explain_steps import inline_step, output_step, product_step, writing
from cli.render.notation import as_written, indices, vector, write


def tnum(v: float | str, digits: int = 5) -> str:
    """A number for LaTeX, written as the table writes it (or as printed already, a
    str): 1.2346 \\times 10^{-5} for 1.2346e-05."""
    s = v if isinstance(v, str) else write(v, digits)
    if s in ("inf", "-inf", "nan"):
        return {"inf": r"\infty", "-inf": r"-\infty", "nan": r"\mathrm{NaN}"}[s]
    if "e" in s:
        mantissa, exponent = s.split("e")
        return f"{mantissa} \\times 10^{{{int(exponent)}}}"
    return s


def vec(values: list, w: printed.Writing, most: int = 8) -> str:
    shown = ",\\ ".join(tnum(w.text(v)) for v in values[:most])
    if len(values) > most:
        shown += f",\\ \\dots\\ \\text{{({len(values)} values)}}"
    return f"\\left({shown}\\right)"


@dataclass
class Section:
    """One part of the explanation: its kind (forward, output, layer, gradient), its
    layer l (layer sections), a plain-text title, and its align lines "lhs &= rhs"."""

    kind: str
    l: int | None
    title: str
    lines: list[str]


def sections(e: Explanation, *, layer=None, unit=None, check=False, gradient=False) -> list:
    """The sections in the table's order."""
    L = e.L
    y = e.example.y.tolist()
    w = writing(e)
    out = []
    if layer is None:
        x = "x'" if normalized(e) else "x"
        lines = [f"a^{{(1)}} &= {x} = {vec(e.layers[1].a.tolist(), w)}"]
        for l in range(2, L + 1):
            lines += [f"z^{{({l})}} &= \\Theta^{{({l - 1})}} [1;\\ a^{{({l - 1})}}] "
                      f"= {vec(e.layers[l].z.tolist(), w)}",
                      f"a^{{({l})}} &= g(z^{{({l})}}) = {vec(e.layers[l].a.tolist(), w)}"]
        lines += [f"h_\\Theta(x) &= a^{{({L})}} = {vec(e.output.a.tolist(), w)}, "
                  f"\\qquad y = {vec(y, w)}",
                  f"\\mathrm{{cost}}(t) &= {tnum(w.text(e.cost))}"]
        out.append(Section("forward", None, "Forward pass: z^(l+1) = Θ^(l) [1; a^(l)], "
                           "a^(l+1) = g(z^(l+1))", lines))
    if layer in (None, L):
        d, lines = e.output, []
        for u in d.units:
            k = u.j
            if unit is not None and k != unit:
                continue
            s = w.show(output_step(e, u))
            a, yk = tnum(s.operands[0].text), paren(s.operands[1].text)
            if len(s.operands) == 3:
                line = (f"\\delta_{{{k}}}^{{({L})}} &= \\left(a^{{({L})}}_{{{k}}} - y_{{{k}}}\\right)"
                        f" g'(z^{{({L})}}_{{{k}}}) = ({a} - {yk})({tnum(s.operands[2].text)})")
            else:
                line = f"\\delta_{{{k}}}^{{({L})}} &= a^{{({L})}}_{{{k}}} - y_{{{k}}} = {a} - {yk}"
            lines.append(line + f" = {tnum(s.text)}" + numeric(u, L, check, w))
        factor = d.g_prime is not None and any(d.g_prime != 1.0)
        out.append(Section("output", L, f"Output layer: δ^({L}) = a^({L}) − y"
                           + (f" times g'(z^({L}))" if factor else ""), lines))
    for l in range(L - 1, 1, -1):
        if layer in (None, l):
            lines = [line for u in e.layers[l].units if unit in (None, u.j)
                     for line in hidden(u, l, w, whole=unit is not None, check=check)]
            out.append(Section("layer", l, f"Layer {l}: δ_j^({l}) = (Σ_i Θ_ij^({l}) δ_i^({l + 1}))"
                               f" · g'(z_j^({l}))", lines))
    if gradient:
        out.append(Section("gradient", None, "This example's gradient: ∂cost/∂Θ^(l) = "
                           "δ^(l+1) [1; a^(l)]ᵀ",
                           [f"\\frac{{\\partial\\,\\mathrm{{cost}}}}{{\\partial\\Theta^{{({l})}}}} &= "
                            f"\\delta^{{({l + 1})}} [1;\\ a^{{({l})}}]^{{T}} = "
                            + matrix(e.gradient[l].tolist(), w) for l in range(1, L)]))
    return out


def hidden(u: Unit, l: int, w: printed.Writing, *, whole: bool, check: bool) -> list[str]:
    """δ_j^(l) in symbols, then in numbers: two align lines."""
    j = u.j
    step, shown, folded = inline_step(u, whole)
    # Θ's row i is unit i of layer l+1, its column j unit j of layer l (0 is the bias)
    syms = [f"\\Theta^{{({l})}}_{{{indices(i + 1, j)}}}\\delta^{{({l + 1})}}_{{{i + 1}}}" for i in shown]
    s = w.show(step)
    texts = [tnum(o.text) for o in s.operands]  # Θ, δ of each shown term; the rest; g'
    nums = [f"({texts[2 * k]})({texts[2 * k + 1]})" for k in range(len(shown))]
    if folded:
        syms.append(f"\\dots\\text{{ ({folded} more)}}")
        nums.append(f"({texts[-2]})\\text{{ ({folded} more)}}")
    return [f"\\delta_{{{j}}}^{{({l})}} &= \\left({' + '.join(syms)}\\right) g'(z^{{({l})}}_{{{j}}})",
            f"&= \\left({' + '.join(nums)}\\right)({texts[-1]}) = "
            f"{tnum(s.text)}" + numeric(u, l, check, w)]


def numeric(u: Unit, l: int, check: bool, w: printed.Writing) -> str:
    """With --check: the finite difference ∂cost/∂z_j^(l) beside δ_j^(l)."""
    if not check:
        return ""
    return (f" \\qquad \\left[\\frac{{\\partial\\,\\mathrm{{cost}}}}{{\\partial z^{{({l})}}_{{{u.j}}}}}"
            f" \\approx {tnum(w.text(u.numeric))}\\right]")


def normalized(e: Explanation) -> bool:
    """Does the network see x′, x normalized, rather than x as written?"""
    w = e.example.written
    return w is not None and w.normalize != "none"


def paren(v: str) -> str:
    return f"({tnum(v)})" if v.startswith("-") else tnum(v)


def matrix(rows: list, w: printed.Writing) -> str:
    """An array, which unlike amsmath's bmatrix takes any number of columns."""
    body = " \\\\ ".join(" & ".join(tnum(w.text(v)) for v in row) for row in rows)
    return f"\\left[\\begin{{array}}{{{'r' * len(rows[0])}}} {body} \\end{{array}}\\right]"


def given(e: Explanation) -> list[str]:
    """x as typed (or as in the file) when the network sees it normalized, and the label
    when y encodes it: plain text lines, empty when x and y are as written."""
    raw = e.example.written
    if raw is None:
        return []
    where = "in the file" if e.example.t is not None else "as typed"
    lines = []
    text = writing(e).text
    if raw.normalize != "none":
        names = f" ({', '.join(raw.features)})" if len(raw.features) <= 12 else ""
        lines.append(f"x{names} {where} = {vector(raw.x, text=as_written)}; the network sees x′, "
                     f"normalized ({raw.normalize})")
    if raw.y != e.example.y.tolist():
        lines.append(f"y {where} = {vector(raw.y, text=as_written)} ({', '.join(raw.targets)})")
    return lines


def heading(e: Explanation, title: str) -> str:
    t = e.example.t
    who = f"example {t}" if t is not None else "an example typed in"
    return f"{title}: {who}"


def latex(e: Explanation, *, title: str = "nnbp", **select) -> str:
    """A fragment for a document with \\usepackage{amsmath}: one align* a section."""
    parts = [f"% nnbp explain, {heading(e, title)}; needs \\usepackage{{amsmath}}"]
    parts += [f"% {line}" for line in given(e)]
    for sec in sections(e, **select):
        if sec.lines:
            parts.append(f"% {sec.title}\n\\begin{{align*}}\n" + " \\\\\n".join(sec.lines)
                         + "\n\\end{align*}")
    return "\n".join(parts)


def markdown(e: Explanation, *, title: str = "nnbp", **select) -> str:
    """Headings, the values in tables, the equations in $$ blocks (as GitHub shows them)."""
    x = "x′" if normalized(e) else "x"
    y = e.example.y.tolist()
    w = writing(e)
    out = [f"## {heading(e, title)}", "", *(line + "  " for line in given(e)),
           f"{x} = {vector(e.example.x.tolist(), text=w.text)}, "
           f"y = {vector(y, text=w.text)}, cost(t) = {w.text(e.cost)}"]
    for sec in sections(e, **select):
        if not sec.lines:
            continue
        out += ["", f"### {sec.title}", ""]
        if sec.kind == "forward":  # a table says it all
            out += table(["l", "j", "z_j^(l)", "a_j^(l)"],
                         [[str(l), str(u.j), w.text(u.z) if l > 1 else "", w.text(u.a)]
                          for l, d in e.layers.items() for u in d.units])
            out += ["", f"h_Θ(x) = {vector(e.output.a.tolist(), text=w.text)} "
                    f"against y = {vector(y, text=w.text)}"]
            continue
        elif sec.kind == "layer":
            l = sec.l
            units = [u for u in e.layers[l].units if select.get("unit") in (None, u.j)]
            out += table(["j", "weighted sum", f"g'(z_j^({l}))", f"δ_j^({l})"],
                         [[str(u.j), *product(u, w)] for u in units]) + [""]
        out += ["$$", "\\begin{aligned}", " \\\\\n".join(sec.lines), "\\end{aligned}", "$$"]
    return "\n".join(out)


def product(u: Unit, w: printed.Writing) -> list[str]:
    """The weighted sum, g' and δ = their product, as printed so that it holds as written."""
    s = w.show(product_step(u))
    return [s.operands[0].text, s.operands[1].text, s.text]


def table(head: list[str], rows: list[list[str]]) -> list[str]:
    return (["| " + " | ".join(head) + " |", "|" + "---:|" * len(head)]
            + ["| " + " | ".join(r) + " |" for r in rows])
