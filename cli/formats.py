"""``explain --format latex|markdown``: the explanation for slides, papers, notes and issues.

Both carry what the table shows: the forward pass, δ^(L), and each hidden δ_j^(l) as
the lecture writes it, then with the numbers substituted,

    δ_j^(l) = (Θ^(l)_{1j} δ^(l+1)_1 + Θ^(l)_{2j} δ^(l+1)_2 + …) · g'(z^(l)_j)
            = ((0.6)(−0.078144) + …)(0.24895) = −0.016084

LaTeX as ``align*`` environments for a document with ``amsmath``; Markdown with the
same equations in ``$$`` blocks and the values in tables.  Long sums fold as the
table folds them (the largest terms, then the rest as one number).
"""

from __future__ import annotations

from cli import printed
from cli.notation import fold, indices, num, vector


def tnum(v: float | str, digits: int = 5) -> str:
    """A number for LaTeX, as the table rounds it (or as printed already, a str):
    1.2346 \\times 10^{-5} for 1.2346e-05."""
    s = v if isinstance(v, str) else num(v, digits)
    if s in ("inf", "-inf", "nan"):
        return {"inf": r"\infty", "-inf": r"-\infty", "nan": r"\mathrm{NaN}"}[s]
    if "e" in s:
        mantissa, exponent = s.split("e")
        return f"{mantissa} \\times 10^{{{int(exponent)}}}"
    return s


def vec(values: list, most: int = 8) -> str:
    shown = ",\\ ".join(tnum(v) for v in values[:most])
    if len(values) > most:
        shown += f",\\ \\dots\\ \\text{{({len(values)} values)}}"
    return f"\\left({shown}\\right)"


def sections(e: dict, *, layer=None, unit=None, check=False, gradient=False) -> list:
    """[(title, [align lines "lhs &= rhs"])] in the table's order; titles are plain text."""
    lay = {d["l"]: d for d in e["layers"]}
    L = len(lay)
    out = []
    if layer is None:
        x = "x'" if e.get("raw", {}).get("normalize", "none") != "none" else "x"
        lines = [f"a^{{(1)}} &= {x} = {vec(lay[1]['a'])}"]
        for l in range(2, L + 1):
            lines += [f"z^{{({l})}} &= \\Theta^{{({l - 1})}} [1;\\ a^{{({l - 1})}}] "
                      f"= {vec(lay[l]['z'])}",
                      f"a^{{({l})}} &= g(z^{{({l})}}) = {vec(lay[l]['a'])}"]
        lines += [f"h_\\Theta(x) &= a^{{({L})}} = {vec(lay[L]['a'])}, \\qquad y = {vec(e['y'])}",
                  f"\\mathrm{{cost}}(t) &= {tnum(e['cost'], 8)}"]
        out.append(("Forward pass: z^(l+1) = Θ^(l) [1; a^(l)], a^(l+1) = g(z^(l+1))", lines))
    if layer in (None, L):
        d, lines = lay[L], []
        for k in range(1, len(d["a"]) + 1):
            if unit is not None and k != unit:
                continue
            gp = d["g_prime"][k - 1] if "g_prime" in d else None
            s = printed.show(printed.output_delta(d["a"][k - 1], e["y"][k - 1], gp,
                                                  d["delta"][k - 1]))
            a, y = tnum(s.operands[0].text), paren(s.operands[1].text)
            if len(s.operands) == 3:
                line = (f"\\delta_{{{k}}}^{{({L})}} &= \\left(a^{{({L})}}_{{{k}}} - y_{{{k}}}\\right)"
                        f" g'(z^{{({L})}}_{{{k}}}) = ({a} - {y})({tnum(s.operands[2].text)})")
            else:
                line = f"\\delta_{{{k}}}^{{({L})}} &= a^{{({L})}}_{{{k}}} - y_{{{k}}} = {a} - {y}"
            lines.append(line + f" = {tnum(s.text)}" + numeric(d, L, k, check))
        out.append((f"Output layer: δ^({L}) = a^({L}) − y"
                    + (f" times g'(z^({L}))" if any(g != 1.0 for g in d.get("g_prime", [1.0]))
                       else ""), lines))
    for l in range(L - 1, 1, -1):
        if layer in (None, l):
            lines = [line for j in range(1, len(lay[l]["a"]) + 1) if unit in (None, j)
                     for line in hidden(e, lay, l, j, whole=unit is not None, check=check)]
            out.append((f"Layer {l}: δ_j^({l}) = (Σ_i Θ_ij^({l}) δ_i^({l + 1})) · g'(z_j^({l}))",
                        lines))
    if gradient:
        out.append(("This example's gradient: ∂cost/∂Θ^(l) = δ^(l+1) [1; a^(l)]ᵀ",
                    [f"\\frac{{\\partial\\,\\mathrm{{cost}}}}{{\\partial\\Theta^{{({l})}}}} &= "
                     f"\\delta^{{({l + 1})}} [1;\\ a^{{({l})}}]^{{T}} = "
                     + matrix(e["gradient"][str(l)]) for l in range(1, L)]))
    return out


def hidden(e: dict, lay: dict, l: int, j: int, *, whole: bool, check: bool) -> list[str]:
    """δ_j^(l) in symbols, then in numbers: two align lines."""
    d, Theta, after = lay[l], e["Theta"][str(l)], lay[l + 1]["delta"]
    terms = d["terms"][j - 1]
    shown, folded, rest = fold(terms, whole)
    # Θ's row i is unit i of layer l+1, its column j unit j of layer l (0 is the bias)
    syms = [f"\\Theta^{{({l})}}_{{{indices(i + 1, j)}}}\\delta^{{({l + 1})}}_{{{i + 1}}}" for i in shown]
    s = printed.show(printed.hidden_delta_inline(
        [Theta[i][j] for i in range(len(terms))], after, shown, rest if folded else None,
        d["g_prime"][j - 1], d["delta"][j - 1]))
    texts = [tnum(o.text) for o in s.operands]  # Θ, δ of each shown term; the rest; g'
    nums = [f"({texts[2 * k]})({texts[2 * k + 1]})" for k in range(len(shown))]
    if folded:
        syms.append(f"\\dots\\text{{ ({folded} more)}}")
        nums.append(f"({texts[-2]})\\text{{ ({folded} more)}}")
    return [f"\\delta_{{{j}}}^{{({l})}} &= \\left({' + '.join(syms)}\\right) g'(z^{{({l})}}_{{{j}}})",
            f"&= \\left({' + '.join(nums)}\\right)({texts[-1]}) = "
            f"{tnum(s.text)}" + numeric(d, l, j, check)]


def numeric(d: dict, l: int, j: int, check: bool) -> str:
    """With --check: the finite difference ∂cost/∂z_j^(l) beside δ_j^(l)."""
    if not check:
        return ""
    return (f" \\qquad \\left[\\frac{{\\partial\\,\\mathrm{{cost}}}}{{\\partial z^{{({l})}}_{{{j}}}}}"
            f" \\approx {tnum(d['delta_numeric'][j - 1])}\\right]")


def paren(v: str) -> str:
    return f"({tnum(v)})" if v.startswith("-") else tnum(v)


def matrix(rows: list) -> str:
    """An array, which unlike amsmath's bmatrix takes any number of columns."""
    body = " \\\\ ".join(" & ".join(tnum(v) for v in row) for row in rows)
    return f"\\left[\\begin{{array}}{{{'r' * len(rows[0])}}} {body} \\end{{array}}\\right]"


def given(e: dict) -> list[str]:
    """x as typed (or as in the file) when the network sees it normalized, and the label
    when y encodes it: plain text lines, empty when x and y are as written."""
    raw = e.get("raw")
    if raw is None:
        return []
    where = "in the file" if e["example"] is not None else "as typed"
    lines = []
    if raw["normalize"] != "none":
        names = f" ({', '.join(raw['features'])})" if len(raw["features"]) <= 12 else ""
        lines.append(f"x{names} {where} = {vector(raw['x'])}; the network sees x′, "
                     f"normalized ({raw['normalize']})")
    if raw["y"] != e["y"]:
        lines.append(f"y {where} = {vector(raw['y'])} ({', '.join(raw['targets'])})")
    return lines


def heading(e: dict, title: str) -> str:
    who = f"example {e['example']}" if e["example"] is not None else "an example typed in"
    return f"{title}: {who}"


def latex(e: dict, *, title: str = "nnbp", **select) -> str:
    """A fragment for a document with \\usepackage{amsmath}: one align* a section."""
    parts = [f"% nnbp explain, {heading(e, title)}; needs \\usepackage{{amsmath}}"]
    parts += [f"% {line}" for line in given(e)]
    for name, lines in sections(e, **select):
        if lines:
            parts.append(f"% {name}\n\\begin{{align*}}\n" + " \\\\\n".join(lines)
                         + "\n\\end{align*}")
    return "\n".join(parts)


def markdown(e: dict, *, title: str = "nnbp", **select) -> str:
    """Headings, the values in tables, the equations in $$ blocks (as GitHub shows them)."""
    lay = {d["l"]: d for d in e["layers"]}
    L = len(lay)
    x = "x′" if e.get("raw", {}).get("normalize", "none") != "none" else "x"
    out = [f"## {heading(e, title)}", "", *(line + "  " for line in given(e)),
           f"{x} = {vector(e['x'])}, y = {vector(e['y'])}, cost(t) = {num(e['cost'], 8)}"]
    for name, lines in sections(e, **select):
        if not lines:
            continue
        out += ["", f"### {name}", ""]
        if name.startswith("Forward"):  # a table says it all
            out += table(["l", "j", "z_j^(l)", "a_j^(l)"],
                         [[str(l), str(j), num(lay[l]["z"][j - 1]) if l > 1 else "",
                           num(lay[l]["a"][j - 1])] for l in range(1, L + 1)
                          for j in range(1, len(lay[l]["a"]) + 1)])
            out += ["", f"h_Θ(x) = {vector(lay[L]['a'])} against y = {vector(e['y'])}"]
            continue
        elif name.startswith("Layer"):
            l = int(name.split(":")[0].split()[1])
            units = [j for j in range(1, len(lay[l]["a"]) + 1)
                     if select.get("unit") in (None, j)]
            out += table(["j", "weighted sum", f"g'(z_j^({l}))", f"δ_j^({l})"],
                         [[str(j), *product(lay[l]["weighted_sum"][j - 1],
                                            lay[l]["g_prime"][j - 1], lay[l]["delta"][j - 1])]
                          for j in units]) + [""]
        out += ["$$", "\\begin{aligned}", " \\\\\n".join(lines), "\\end{aligned}", "$$"]
    return "\n".join(out)


def product(a: float, b: float, c: float) -> list[str]:
    """a, b and c = a·b as printed so that the product holds as written."""
    s = printed.show(printed.Step(c, printed.times, (a, b)))
    return [s.operands[0].text, s.operands[1].text, s.text]


def table(head: list[str], rows: list[list[str]]) -> list[str]:
    return (["| " + " | ".join(head) + " |", "|" + "---:|" * len(head)]
            + ["| " + " | ".join(r) + " |" for r in rows])
