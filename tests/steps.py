"""Reading explain's printed arithmetic back, as a reader with a pencil would.

``exactly`` works an expression out in fractions on the decimals as printed; ``holds``
compares it with the printed value to that value's last digit.  The ``*_steps``
functions find every step of arithmetic in one format's output, as (expression,
value) pairs: the table, LaTeX, Markdown and the diagram's SVG.
"""

from __future__ import annotations

import ast
import re
from decimal import Decimal
from fractions import Fraction
from xml.etree import ElementTree as ET

NUMBER = r"\d+(?:\.\d+)?(?:[eE][-+]?\d+)?"


def exactly(expression: str) -> Fraction:
    """An expression as printed (−, ×, ·, implicit products of parentheses, LaTeX's
    \\left( \\right) and a \\times 10^{k}), worked out exactly on its decimals."""
    text = expression.replace("\\left(", "(").replace("\\right)", ")")
    text = re.sub(r"\\text\{[^}]*\}", "", text)  # (0.0123)\text{ (5 more)}: the folded rest
    text = re.sub(r" \\times 10\^\{(-?\d+)\}", r"e\1", text)
    text = text.replace("−", "-").replace("×", "*").replace("·", "*")
    text = re.sub(r"\)\s*\(", ")*(", text)
    text = re.sub(NUMBER, lambda m: f"F('{m.group(0)}')", text)
    tree = ast.parse(text, mode="eval")
    allowed = (ast.Expression, ast.BinOp, ast.UnaryOp, ast.Add, ast.Sub, ast.Mult, ast.USub,
               ast.UAdd, ast.Call, ast.Name, ast.Constant, ast.Load)
    assert all(isinstance(n, allowed) for n in ast.walk(tree)), expression
    return eval(compile(tree, "<printed>", "eval"), {"F": Fraction})


def plain(printed: str) -> str:
    return re.sub(r" \\times 10\^\{(-?\d+)\}", r"e\1", printed).replace("−", "-")


def half_unit(printed: str) -> Fraction:
    """Half a unit in the last digit of a printed number: 1/20 for 0.3, 5e-12 for 1.8803e-07."""
    return Fraction(1, 2) * Fraction(10) ** Decimal(plain(printed)).as_tuple().exponent


def holds(expression: str, value: str) -> bool:
    """The expression, worked out on the numbers as printed, is the printed value to its
    last digit."""
    return abs(exactly(expression) - Fraction(plain(value))) <= half_unit(value)


def rounds(printed: str, v: float) -> bool:
    """``printed`` is v rounded to the digits shown."""
    return abs(Fraction(v) - Fraction(plain(printed))) <= half_unit(printed)


def shows(printed: str, v: float) -> bool:
    """``printed`` is v as explain writes numbers: v rounded to the digits shown, 5
    significant ones at least (trailing zeros count), unless fewer name v exactly (1,
    0.5, 0.1 as typed: the shortest decimal that reads back as v); 0 without a sign."""
    p = plain(printed)
    if Decimal(p) == 0:
        return p == "0" and v == 0
    if Decimal(p) == Decimal(repr(float(v))):
        return True
    return len(Decimal(p).as_tuple().digits) >= 5 and rounds(printed, v)


def table_steps(stdout: str) -> list[tuple[str, str]]:
    """Every step of the table output: each output δ, each term Θ × δ, each weighted sum
    of the terms (the folded rest included), each δ = weighted sum × g', and each
    gradient entry δ_i × a_j."""
    lines = []
    for s in stdout.splitlines():  # "= value" carried over to a line of its own
        if re.fullmatch(r"\s+= \S+", s) and lines:
            lines[-1] += " " + s.strip()
        else:
            lines.append(s)
    rows = []
    for s in lines:  # a number too wide for its column goes on in the row below it
        cells = [c.strip() for c in s.split("│")[1:-1]]
        if rows and len(cells) == 5 and rows[-1][1] and not any(cells[:2]) and \
                len(rows[-1][1]) == 5 and rows[-1][1][1]:
            rows[-1] = (rows[-1][0], [a + b for a, b in zip(rows[-1][1], cells)])
        else:
            rows.append((s, cells))
    steps, section, unit = [], None, {}
    for s, cells in rows:
        if s.startswith("Layer "):
            section = "hidden"
        elif s.startswith("∂cost/∂Θ"):
            section = "gradient"
        elif s.startswith("┃") and section in ("gradient", "entries", "matrix"):
            section = "entries" if "δ_i × a_j" in s else "matrix"  # entries, or the values only
        m = re.fullmatch(r"\s+δ_\S+ = (.+) = (\S+)", s)
        if m:
            steps.append((m.group(1), m.group(2)))
            continue
        if len(cells) != 5:
            continue
        if section == "entries" and cells[0].isdigit():  # i, j, δ_i, a_j, δ_i × a_j
            steps.append((f"({cells[2]}) × ({cells[3]})", cells[4]))
        elif section == "hidden":
            j, label, theta, delta, value = cells
            if j:
                unit = {"terms": []}
            if theta:
                steps.append((f"({theta}) × ({delta})", value))
            if label.startswith(("Θ", "+ ")):  # a term, or the folded rest
                unit["terms"].append(value)
            elif label == "= weighted sum":
                steps.append((" + ".join(f"({v})" for v in unit["terms"]), value))
                unit["sum"] = value
            elif label.startswith("× g'"):
                unit["g"] = value
            elif label.startswith("= δ"):
                steps.append((f"({unit['sum']}) × ({unit['g']})", value))
    return steps


def latex_steps(text: str) -> list[tuple[str, str]]:
    """(expression, value) of each numeric equation of LaTeX (or of Markdown's $$ blocks):
    the numbers side of a δ's equation, before its "= value"."""
    out = []
    for line in text.splitlines():
        line = line.rstrip(" \\")
        if (not line.startswith(("\\delta_", "&=")) or "\\delta" in line.split("&=")[1]
                or "\\partial" in line):
            continue
        sides = [s.strip() for s in line.split("&=")[1].split(" = ")]
        numeric = [s for s in sides if re.fullmatch(r"[-\d.()+ \\a-z{}^]*", s)
                   and re.search(r"\d", s)]
        if len(numeric) >= 2:
            out.append((numeric[-2], numeric[-1]))
    return out


def markdown_steps(text: str) -> list[tuple[str, str]]:
    """LaTeX's steps, and each row of a layer's table: weighted sum × g' = δ."""
    out = latex_steps(text)
    product = False
    for line in text.splitlines():
        cells = [c.strip() for c in line.strip().strip("|").split("|")]
        if line.startswith("| j | weighted sum"):
            product = True
        elif not line.startswith("|"):
            product = False
        elif product and cells[0].isdigit():
            out.append((f"({cells[1]}) × ({cells[2]})", cells[3]))
    return out


def diagram_steps(svg_text: str) -> list[tuple[str, str]]:
    """The steps of the equation under a --unit diagram (``equation_steps``)."""
    root = ET.fromstring(svg_text)
    return equation_steps(["".join(el.itertext())
                           for el in root.iter("{http://www.w3.org/2000/svg}text")
                           if "equation" in el.get("class", "").split()])


def equation_steps(lines: list[str]) -> list[tuple[str, str]]:
    """The diagram's equation, line by line: δ = (a − y) … = value for an output unit;
    for a hidden one ((Θ)(δ) + …) · g' = δ, weighted sum · g' = δ, and the products'
    sum equal to the weighted sum."""
    lines = [re.sub(r"[_^]\{([^}]*)\}", r"\1", s.strip()) for s in lines]  # as the SVG shows
    groups: list[str] = []
    for s in lines:  # a line starting with "+" carries on the one above
        if s.startswith("+ ") and groups:
            groups[-1] += " " + s
        else:
            groups.append(s)
    if len(groups) <= 2:  # an output unit
        parts = groups[-1].split(" = ")
        return [(parts[-2].removeprefix("= "), parts[-1])]
    _, products, last = groups
    ws_g, delta = last.removeprefix("= ").split(" = ")
    bracket = products.removeprefix("= ").rsplit(" · ", 1)[0]
    return [(products.removeprefix("= "), delta), (ws_g, delta), (bracket, ws_g.split(" · ")[0])]
