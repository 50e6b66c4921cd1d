"""``explain --diagram``: the lecture's figure of the network, with one example's numbers.

One column of circles per layer (the bias unit dashed, "+1"); one line per Θ^(l)_{ij},
from unit j of layer l to unit i of layer l+1, blue when positive, red when negative,
as wide as |Θ| is large; in each unit its z_j, a_j and δ_j.  With a unit chosen, the
edges that carry the deltas of the layer to its right into δ_j^(l) are highlighted and
δ_j^(l) = (Σ_i Θ_ij δ_i) · g'(z_j) is written out with the numbers.

The figure is drawn once, through the calls of a surface: ``Svg`` (cli/render/svg.py) writes
plain SVG text, escaped with xml.sax.saxutils; ``Drawing`` (cli/render/image.py) draws the
same elements with matplotlib for a PNG.
"""

from __future__ import annotations

import sys

from nnbp.explanation import Explanation

from cli.render.explain_steps import chain_step, output_step, writing
from cli.render.notation import indices, typeset
from cli.render.svg import Svg, width

MAX_UNITS, MAX_EDGES = 12, 150  # beyond this a figure is no longer legible
R, R0, DX, DY = 50, 22, 260, 120  # unit and bias radius, column and row distance (px)
TOP, PAD = 116, 36  # room for the title and column headers; margin
LABEL_MARGIN, BOLD = 3, 1.08 # px between a label and its circle; bold type is wider
BLUE, RED, HL, INK, GREY, DELTA = "#2166ac", "#c0392b", "#e67e22", "#222222", "#777777", "#6a3d9a"


def plan(sizes: list[int], layer: int | None, unit: int | None) -> list[tuple[int, list[int]]]:
    """The columns to draw, [(l, units)] with unit 0 the bias: the whole network when it
    is legible, else the part around --layer (only --unit of it, if need be)."""
    from nnbp.errors import UsageError

    L = len(sizes)
    cols = [(l, ([0] if l < L else []) + list(range(1, s + 1))) for l, s in enumerate(sizes, 1)]
    if legible(cols):
        return cols
    limits = f"at most {MAX_UNITS} units a layer and {MAX_EDGES} edges"
    if layer is None:
        raise UsageError(f"the network {'-'.join(map(str, sizes))} is too large to draw "
                         f"legibly ({limits}): draw the part around one layer with --layer l, "
                         "or one unit with --unit l,j")
    part = [(layer, list(range(1, sizes[layer - 1] + 1)))]
    if layer < L:  # δ^(l) comes from layer l+1, through Θ^(l)
        part = [(layer, [0] + part[0][1]), (layer + 1, list(range(1, sizes[layer] + 1)))]
    if not legible(part) and unit is not None:
        part[0] = (layer, [unit])
    if not legible(part):
        if unit is None:
            what = f"layer {layer} and the layer to its right are" if layer < L else \
                f"layer {layer} is"
            raise UsageError(f"{what} too large to draw legibly ({limits}): add --unit j to "
                             "draw one unit")
        raise UsageError(f"δ_{unit}^({layer}) is a sum over the {sizes[layer]} units of layer "
                         f"{layer + 1}, too many to draw legibly ({limits}): use --format table")
    return part


def legible(cols) -> bool:
    edges = sum(len(a) * len([i for i in b if i]) for (_, a), (_, b) in zip(cols, cols[1:]))
    return edges <= MAX_EDGES and all(len([j for j in u if j]) <= MAX_UNITS for _, u in cols)


def svg(e: Explanation, **how) -> str:
    """The figure of the explanation ``e`` as SVG text."""
    return draw(Svg, e, **how).close()


def draw(surface, e: Explanation, *, layer: int | None = None, unit: int | None = None,
         title: str = "", activation: str = ""):
    """The figure drawn on ``surface(W, H)``, which is returned."""
    L = e.L
    cols = plan([e.layers[l].size for l in range(1, L + 1)], layer, unit)
    rows = max(len(u) for _, u in cols)
    pos = {(l, j): (PAD + 70 + R + k * DX, TOP + R + 6 + (rows - len(units) + 2 * r) * DY / 2)
           for k, (l, units) in enumerate(cols) for r, j in enumerate(units)}  # circle centres
    hl = set()  # the edges (l, i, j) that feed δ_j^(l)
    if unit is not None and (layer + 1, 1) in pos:
        hl = {(layer, i, unit) for i in range(1, e.layers[layer + 1].size + 1)}
    eq = indented(equation(e, layer, unit)) if unit is not None else []
    head, sub = headline(e, title, activation)
    eq_w = max((dx + width(s, 14) for dx, s in eq), default=0) + 40
    W = int(max(pos[cols[-1][0], cols[-1][1][-1]][0] + R + 110, eq_w + 2 * PAD,
                width(head, 18) + 2 * PAD, width(sub, 12.5) + 2 * PAD, 560))
    y_eq = TOP + rows * DY + 10
    H = int(y_eq + (len(eq) * 24 + 34 if eq else 0) + 44)
    out = surface(W, H)
    out.text(PAD, 34, head, 18, weight="bold")
    out.text(PAD, 56, sub, 12.5, fill=GREY)
    labels = edges(out, e, cols, pos, hl)
    for l, units in cols:
        header(out, l, L, pos[l, units[0]][0], len([j for j in units if j]), e.layers[l].size)
        for j in units:
            cell(out, e, l, j, pos[l, j], chosen=(l, j) == (layer, unit),
                 feeds=bool(hl) and l == layer + 1)
    for label in labels:
        tag(out, *label)
    if eq:  # under the chosen unit, as far as the page allows
        x0 = min(max(PAD, pos[layer, unit][0] - eq_w / 2), W - PAD - eq_w)
        out.rect(x0, y_eq, eq_w, len(eq) * 24 + 18, fill="#fff7ee", stroke=HL, rx=8)
        for k, (dx, line) in enumerate(eq):
            out.text(x0 + 20 + dx, y_eq + 28 + 24 * k, line, 14, cls="equation")
    if len(cols) > 1:
        legend(out, H - 22, bool(hl))
    return out


def headline(e: Explanation, title: str, activation: str) -> tuple[str, str]:
    """The title, and the example's x, y and cost under it."""
    text = writing(e).text

    def short(v):
        return f"({', '.join(typeset(text(x)) for x in v[:8])}{', …' if len(v) > 8 else ''})"

    t = e.example.t
    who = f"example {t}" if t is not None else "an example typed in"
    w = e.example.written
    x = "x′" if w is not None and w.normalize != "none" else "x"  # normalized
    return (f"{title}: {who}", f"{x} = {short(e.example.x.tolist())}   "
            f"y = {short(e.example.y.tolist())}   cost(t) = {typeset(text(e.cost))}"
            + (f"   hidden g = {activation}" if activation else ""))


def edges(out, e: Explanation, cols, pos, hl) -> list[tuple]:
    """One line per Θ^(l)_{ij}: the plain ones first, the highlighted ones on top; the
    labels of the highlighted ones, to draw last."""
    labels = []
    text = writing(e).text
    lines = [(l, i, j) for (l, a), (_, b) in zip(cols, cols[1:]) for j in a for i in b if i]
    biggest = max((abs(float(e.Theta[l][i - 1, j])) for l, i, j in lines), default=0) or 1
    for l, i, j in sorted(lines, key=lambda t: t in hl):
        theta = float(e.Theta[l][i - 1, j])
        (x1, y1), (x2, y2) = pos[l, j], pos[l + 1, i]
        dx, dy = x2 - x1, y2 - y1
        d = (dx * dx + dy * dy) ** 0.5
        r1 = R0 if j == 0 else R
        a = (x1 + dx * r1 / d, y1 + dy * r1 / d, x2 - dx * R / d, y2 - dy * R / d)
        w = 0.8 + 5.2 * abs(theta) / biggest
        name = f"Θ_{{{indices(i, j)}}}^{{({l})}}"
        if (l, i, j) in hl:
            out.line(*a, stroke=HL, width=w + 8, opacity=0.4, cls="glow")
        out.line(*a, stroke=BLUE if theta >= 0 else RED, width=w, cls="edge hl" if (l, i, j) in hl
                 else "edge", opacity=1 if (l, i, j) in hl else (0.3 if hl else 0.7),
                 data={"l": l, "i": i, "j": j, "theta": repr(theta)},
                 tip=f"Θ_{indices(i, j)}^({l}) = {typeset(text(theta))}")
        if (l, i, j) in hl:  # its name and value on the line, drawn over the units later
            labels.append((x1 + dx * 0.5, y1 + dy * 0.5, f"{name} = {typeset(text(theta))}",
                           BLUE if theta >= 0 else RED))
    return labels


def tag(out, x: float, y: float, label: str, colour: str) -> None:
    """A label on a white tag with a border of the edge's colour, centred on (x, y)."""
    size = 12
    w = width(label, size) * 1.08 + 12  # bold is wider
    out.rect(x - w / 2, y - 11, w, 21, fill="#ffffff", stroke=colour, rx=4)
    out.text(x, y + 4.5, label, size, anchor="middle", weight="bold", fill=colour, cls="theta")


def header(out, l: int, L: int, x: float, drawn: int, s: int) -> None:
    kind = " (input)" if l == 1 else " (output)" if l == L else ""
    kind += f", {drawn} of {s} units" if drawn < s else ""
    out.text(x, TOP - 32, f"layer {l}{kind}", 14, anchor="middle", weight="bold")
    what = ("a^{(1)} = x" if l == 1 else
            f"z^{{({l})}}   a^{{({l})}}" + (" = h_{Θ}(x)" if l == L else "") + f"   δ^{{({l})}}")
    out.text(x, TOP - 12, what, 13, anchor="middle", fill=GREY)


def cell(out, e: Explanation, l: int, j: int, c, *, chosen, feeds) -> None:
    """Unit j of layer l: a circle and its numbers (the bias: a dashed circle, +1)."""
    x0, y0 = c
    if j == 0:
        out.circle(x0, y0, R0, stroke=GREY, dash=True, cls="unit bias", data={"l": l, "j": 0},
                   tip=f"a_0^({l}) = 1, the bias unit")
        out.text(x0, y0 + 5, "+1", 14, anchor="middle", fill=GREY)
        return
    u = e.layers[l].unit(j)
    text = writing(e).text
    out.circle(x0, y0, R, stroke=HL if chosen else INK, width=4 if chosen else 1.4,
               cls="unit chosen" if chosen else "unit", data={"l": l, "j": j},
               tip=f"unit {j} of layer {l}")
    if l == 1:
        out.text(x0, y0 - 6, f"x_{{{j}}}", 12, anchor="middle", fill=GREY)
        a = typeset(text(u.a))
        out.text(x0, y0 + 12, a, fitted(a, 12.5, 12, bold=True), anchor="middle",
                 weight="bold", cls="a", data={"l": l, "j": j})
        return
    z, a, delta = (f"{name}_{{{j}}} {typeset(text(v))}" for name, v in (("z", u.z), ("a", u.a),
                                                                          ("δ", u.delta)))
    out.text(x0, y0 - 15, z, fitted(z, 11, -15), anchor="middle", fill=GREY, cls="z",
             data={"l": l, "j": j})
    out.text(x0, y0 + 2, a, fitted(a, 11.5, 2, bold=True), anchor="middle", weight="bold",
             cls="a", data={"l": l, "j": j})
    out.text(x0, y0 + 19, delta, fitted(delta, 11.5, 19, bold=True), anchor="middle",
             fill=HL if feeds else DELTA, weight="bold", cls="delta", data={"l": l, "j": j})
    if l == e.L:
        y = float(e.example.y[j - 1])
        out.text(x0 + R + 10, y0 + 5, f"y_{{{j}}} = {typeset(text(y))}", 13, fill=INK, cls="y")


def fitted(text: str, size: float, dy: float, *, bold: bool = False) -> float:
    """The font size, ``size`` at most, at which ``text``, centred on a unit with its
    baseline ``dy`` below the centre, fits inside the unit's circle: the chord of the
    circle at the text's top or bottom edge (whichever is farther from the centre),
    less a margin, is as wide as the text.  Long numbers (−0.00040085, 1.2346e-05)
    are set smaller rather than spill over the circle."""
    far = max(abs(dy - 0.8 * size), abs(dy + 0.25 * size))  # ascent and descent
    room = 2 * (R * R - far * far) ** 0.5 - 2 * LABEL_MARGIN
    wide = width(text, size) * (BOLD if bold else 1.0)
    return size if wide <= room else round(size * room / wide, 2)


def equation(e: Explanation, l: int, j: int) -> list[str]:
    """δ_j^(l) written out: the symbols, then the numbers, as many digits of each as the
    arithmetic needs to hold as written, as every view writes them (cli/render/printed.py)."""
    L, u = e.L, e.layers[l].unit(j)
    w = writing(e)
    dj = f"δ_{{{j}}}^{{({l})}}"
    if l == L:
        s = w.show(output_step(e, u))
        a, y = typeset(s.operands[0].text), factor(s.operands[1].text)
        if len(s.operands) == 3:  # a linear output's g' is 1
            return [f"{dj} = (a_{{{j}}}^{{({L})}} − y_{{{j}}}) · g′(z_{{{j}}}^{{({L})}})",
                    f"= ({a} − {y}) · {typeset(s.operands[2].text)} = {typeset(s.text)}"]
        return [f"{dj} = a_{{{j}}}^{{({L})}} − y_{{{j}}} = {a} − {y} = {typeset(s.text)}"]
    syms = [f"Θ_{{{indices(t.i, j)}}}^{{({l})}} δ_{{{t.i}}}^{{({l + 1})}}" for t in u.terms]
    s = w.show(chain_step(u))
    total, gp = s.operands
    f = [typeset(o.text) for o in total.operands]  # Θ_1j, δ_1, Θ_2j, δ_2, …
    nums = [f"({f[2 * k]})({f[2 * k + 1]})" for k in range(len(u.terms))]
    return (wrap(f"{dj} = (", syms, f") · g′(z_{{{j}}}^{{({l})}})", 5)
            + wrap("= (", nums, f") · {typeset(gp.text)}", 4)
            + [f"= {typeset(total.text)} · {typeset(gp.text)} = {typeset(s.text)}"])


def wrap(first: str, terms: list[str], last: str, per_line: int) -> list[str]:
    """first + the terms joined by " + " + last, ``per_line`` terms a line; the lines
    after the first start with "+", indented by the caller."""
    chunks = [" + ".join(terms[k:k + per_line]) for k in range(0, len(terms), per_line)]
    lines = [first + chunks[0]] + [" + " + c for c in chunks[1:]]
    return lines[:-1] + [lines[-1] + last]


def indented(lines: list[str]) -> list[tuple[float, str]]:
    """Each line with its indent (px): "=" under the first line's "=", "+" further in."""
    eq = width(lines[0].split(" = ")[0] + " ", 14)
    return [(0 if k == 0 else eq + (width("= (", 14) if s.startswith(" ") else 0), s.strip())
            for k, s in enumerate(lines)]


def legend(out, y: float, highlighted: bool) -> None:
    x = PAD
    for colour, label in ((BLUE, "Θ > 0"), (RED, "Θ < 0")):
        out.line(x, y - 4, x + 28, y - 4, stroke=colour, width=3, cls="key")
        out.text(x + 34, y, label, 12, fill=GREY)
        x += 90
    out.text(x, y, "line width ∝ |Θ|", 12, fill=GREY)
    x += 130
    out.circle(x + 8, y - 4, 8, stroke=GREY, dash=True, cls="key")
    out.text(x + 22, y, "bias unit a_{0} = 1", 12, fill=GREY)
    x += 150
    if highlighted:
        out.line(x, y - 4, x + 28, y - 4, stroke=HL, width=8, opacity=0.4, cls="key")
        out.text(x + 40, y, "edges into the chosen δ", 12, fill=GREY)


def factor(v: str) -> str:
    """A factor in a product, as printed: a negative number in parentheses."""
    return f"({typeset(v)})" if v.startswith("-") else typeset(v)


def write(path: str, e: Explanation, **how) -> None:
    """Write the figure to ``path`` (.svg, .png) or, for '-', as SVG on stdout."""
    from nnbp.errors import UsageError

    suffix = path.lower().rsplit(".", 1)[-1] if "." in path else ""
    if path != "-" and suffix not in ("svg", "png"):
        raise UsageError(f"--diagram {path}: the file name must end in .svg or .png")
    if suffix == "png":
        from cli.render.image import Drawing, require_matplotlib

        require_matplotlib(f"--diagram {path}: writing PNG")
        picture = draw(Drawing, e, **how)
    else:
        text = svg(e, **how)
    if path == "-":
        sys.stdout.write(text)
        sys.stdout.flush()
        return
    try:
        if suffix == "png":
            picture.save(path)
        else:
            with open(path, "w", encoding="utf-8") as f:
                f.write(text)
    except OSError as err:
        raise UsageError(f"--diagram {path}: cannot write it ({err.strerror or err})") from None
    sys.stderr.write(f"Wrote {path}\n")
