"""explain read closely: how its numbers are written.

- No view writes a negative zero: a δ whose g'(z) is exactly 0 (a sigmoid that
  returns 1.0) is 0, and so are its gradient entries and its finite difference's
  "off by".
- A value is written one way in everything explain prints about an example: δ_i in
  its own step, in every term Θ_ij·δ_i and every gradient entry δ_i × a_j; a_j in the
  forward table and in the entries; and alike in the table, LaTeX, Markdown, the
  diagram and the page.
- A rounded number shows its 5 digits, trailing zeros too (-0.018400); a number
  written with fewer is exactly that number (the bias unit's 1, y's 0).
- A value near ±1 is never written as ±1: a saturated sigmoid's 0.999999998 is not
  the bias unit's 1.
"""

from __future__ import annotations

import json
import re
from decimal import Decimal

import numpy as np
import pytest

from cli.render.diagram import svg
from cli.render.explain_table import render
from cli.render.formats import latex, markdown
from nnbp.config import load_config
from nnbp.explain import explain
from nnbp.explain_setup import explain_setup
from nnbp.network import backprop
from nnbp.training.run import prepare

from conftest import run_nnbp
from steps import holds, rounds, table_steps

# Hidden unit 1 has z = 40: σ(40) is 1.0 in float64, so g' = 0 and δ_1^(2) = Θ·δ^(3) · 0
# is −0.0 (the weighted sum is negative).  Unit 2 has z = 20: a = 1 − 2.1e-9, which 5
# digits round to 1.  Unit 3 is an ordinary unit.
SATURATED = """data: {train: sat.csv, target: y, normalize: none}
network:
  layers: [1, 3, 1]
  activation: sigmoid
  output: linear
  cost: squared_error
  init:
    weights:
      Theta1: [[0.0, 40.0], [0.0, 20.0], [0.0, 0.5]]
      Theta2: [[0.0, -1.0, 1.0, 1.0]]
"""

NEGATIVE_ZERO = re.compile(r"(?<![\w.])[-−]0(?:\.0*)?(?![\w.])")


@pytest.fixture(scope="module")
def sat(tmp_path_factory):
    cwd = tmp_path_factory.mktemp("readings")
    (cwd / "sat.csv").write_text("x,y\n1,0\n2,1\n")
    (cwd / "sat.yaml").write_text(SATURATED)
    setup = explain_setup(load_config(str(cwd / "sat.yaml")))
    e = setup.explain(setup.example(1), check=True)
    assert np.signbit(e.layers[2].delta[0]) and e.layers[2].delta[0] == 0  # −0.0, as promised
    assert e.layers[2].a[0] == 1.0 and 0.9999999 < e.layers[2].a[1] < 1
    return cwd, e


def page_text(page: str) -> str:
    """What the page shows: its markup outside the scripts, and the strings of its data."""
    data = json.loads(re.search(r'<script type="application/json" id="nnbp-page">(.*?)</script>',
                                page, re.S).group(1))
    shown = re.sub(r"<script\b.*?</script>", "", page, flags=re.S)

    def strings(x):
        if isinstance(x, str):
            yield x
        elif isinstance(x, dict):
            for v in x.values():
                yield from strings(v)
        elif isinstance(x, list):
            for v in x:
                yield from strings(v)
    return shown + "\n".join(strings(data))


def svg_texts(text: str) -> list[str]:
    """The diagram's text elements as read: δ_{2} reads δ2."""
    from xml.etree import ElementTree as ET

    return ["".join(el.itertext()) for el in ET.fromstring(text).iter()
            if el.tag == "{http://www.w3.org/2000/svg}text"]


def table(e, capsys, monkeypatch, **how) -> str:
    monkeypatch.setenv("COLUMNS", "250")
    render(e, **{"layer": None, "unit": None, "check": False, "gradient": False, **how})
    return capsys.readouterr().out


# --- negative zero ------------------------------------------------------------------------

def test_no_view_writes_a_negative_zero(sat, capsys, monkeypatch):
    cwd, e = sat
    views = {
        "table": table(e, capsys, monkeypatch, check=True, gradient=True),
        "latex": latex(e, check=True, gradient=True),
        "markdown": markdown(e, check=True, gradient=True),
        "diagram": svg(e, layer=2, unit=1),
    }
    p = run_nnbp("explain", "sat.yaml", "--check", "--gradient", "--unit", "2,1",
                 "--format", "html", cwd=cwd)
    assert p.returncode == 0, p.stderr
    views["page"] = page_text(p.stdout)
    for name, text in views.items():
        assert not NEGATIVE_ZERO.findall(text), (name, NEGATIVE_ZERO.findall(text)[:3])
    rows = [[c.strip() for c in s.split("│")[1:-1]] for s in views["table"].splitlines()]
    # δ_1^(2) = (weighted sum) × 0 = 0; its finite difference is 0 too, off by 0
    unit = next(k for k, r in enumerate(rows) if len(r) == 5 and r[1] == "= δ_1^(2)")
    assert rows[unit][4] == "0" and rows[unit - 1][4] == "0"
    assert rows[unit + 1][1:] == ["finite difference", "", "", "0"]
    assert rows[unit + 2][1:] == ["unresolved, off by", "", "", "0"]
    assert "e+00" not in views["table"]
    # row 1 of ∂cost/∂Θ^(1) = δ_1^(2) [1; x]: both entries 0
    matrix = views["table"].split("∂cost/∂Θ^(1)")[1].split("∂cost/∂Θ^(2)")[0]
    assert [[c.strip() for c in r] for r in (s.split("│")[1:-1] for s in matrix.splitlines())
            if r][0] == ["1", "0", "0"]


def test_the_pages_own_numbers_have_no_negative_zero_either():
    from pathlib import Path

    script = (Path(__file__).resolve().parent.parent / "cli" / "render" / "page" / "page.js").read_text()
    zero = re.search(r"if \(v === 0\) return ([^;]*);", script).group(1)
    assert zero == '"0"'  # the browser test writes −0.0 through it as well


# --- one value, one writing ---------------------------------------------------------------

def readings(out: str) -> dict:
    """Every δ and a the table prints, by quantity: ("δ", l, j) or ("a", l, j) -> the
    strings it is printed as, from the forward table, the output layer's lines, the
    hidden tables (each unit's δ row and the δ_i^(l+1) of its terms) and the gradient
    (the matrix's column 0 is δ_i itself; the entries' δ_i and a_j)."""
    seen: dict = {}

    def add(k, s):
        seen.setdefault(k, set()).add(s)
    section, l = None, None
    for s in out.splitlines():
        m = re.match(r"Layer (\d+):", s)
        if m:
            section, l = "hidden", int(m.group(1))
        elif s.startswith("Forward:"):
            section = "forward"
        elif s.startswith("∂cost/∂Θ^("):
            section, l = "gradient", int(s[len("∂cost/∂Θ^("):].split(")")[0])
        elif s.startswith("┃") and section in ("gradient", "entries", "matrix"):
            section = "entries" if "δ_i × a_j" in s else "matrix"
        elif s.startswith("Output layer"):
            section = "output"
        m = re.fullmatch(r"\s+δ_\{?(\d+)\}?\^\((\d+)\) = .* = (\S+)", s)
        if m:
            add(("δ", int(m.group(2)), int(m.group(1))), m.group(3))
            continue
        cells = [c.strip() for c in s.split("│")[1:-1]]
        if not cells:
            continue
        if section == "forward" and len(cells) == 4 and cells[1] != "0":
            add(("a", int(cells[0]), int(cells[1])), cells[3])
        elif section == "hidden" and len(cells) == 5:
            if cells[0]:
                j = int(cells[0])
            term = re.search(r"·δ_\{?(\d+)\}?\^\(\d+\)", cells[1])
            if term and cells[3]:
                add(("δ", l + 1, int(term.group(1))), cells[3])
            if re.fullmatch(r"= δ_\{?\d+\}?\^\(\d+\)", cells[1]):
                add(("δ", l, j), cells[4])
        elif section == "entries" and cells[0].isdigit():  # i, j, δ_i, a_j, δ_i × a_j
            add(("δ", l + 1, int(cells[0])), cells[2])
            if cells[1] != "0":
                add(("a", l, int(cells[1])), cells[3])
        elif section == "matrix" and cells[0].isdigit():
            add(("δ", l + 1, int(cells[0])), cells[1])  # column 0: δ_i × 1
    return seen


def trained_digits():
    """The digits network after 40 epochs of gradient descent at a large step, as the
    long runs of a user would leave it: saturated units, δ of very different sizes."""
    run = prepare(load_config("digits"))
    X, Y = run.data.train.X, run.data.train.Y
    Theta = {l: T.copy() for l, T in run.Theta.items()}
    for _ in range(40):
        D = backprop(run.net, Theta, X, Y, 0.0).D
        for l in Theta:
            Theta[l] -= 5.0 * D[l]
    setup = explain_setup(run.cfg)
    return [explain(run.net, Theta, setup.example(t)) for t in (1, 13, 40)]


@pytest.fixture(scope="module")
def examples(sat):
    setup = explain_setup(load_config("lecture"))
    return [setup.explain(setup.example(1)), sat[1], *trained_digits()]


def test_a_value_is_written_one_way_in_the_table(examples, capsys, monkeypatch):
    for e in examples:
        out = table(e, capsys, monkeypatch, gradient=True)
        seen = readings(out)
        assert {k[0] for k in seen} == {"δ", "a"} and len(seen) > 4
        twice = {k: v for k, v in seen.items() if len(v) > 1}
        assert twice == {}, (e.example.t, list(twice.items())[:4])
        for expression, value in table_steps(out):  # and every step still holds
            assert holds(expression, value), (expression, value)


def test_the_lectures_output_delta_is_the_one_its_terms_use(capsys, monkeypatch):
    """δ_1^(4) = −0.395409…: its own line once said −0.39541 and its terms −0.395409."""
    setup = explain_setup(load_config("lecture"))
    out = table(setup.explain(setup.example(1)), capsys, monkeypatch)
    line = next(s for s in out.splitlines() if s.strip().startswith("δ_1^(4) = "))
    delta = line.split(" = ")[-1]
    terms = [r[3].strip() for r in (s.split("│")[1:-1] for s in out.splitlines())
             if len(r) == 5 and "δ_1^(4)" in r[1]]
    assert len(terms) == 2 and set(terms) == {delta}
    assert delta.startswith("-0.395409")


def test_every_view_writes_a_value_as_the_table_does(examples, capsys, monkeypatch, tmp_path):
    """The δ and a of each unit, in the table, LaTeX, Markdown and the diagram's cells:
    one string per value."""
    e = examples[0]  # the lecture: small enough for the diagram
    seen = readings(table(e, capsys, monkeypatch, gradient=True))
    tex, md = latex(e, gradient=True), markdown(e, gradient=True)
    cells = svg_texts(svg(e))
    for (kind, l, j), (text,) in seen.items():
        assert text in tex and text in md, (kind, l, j, text)
        typeset = text.replace("-", "−")
        assert (typeset if l == 1 else f"{kind}{j} {typeset}") in cells, (kind, l, j, text)


def test_the_page_writes_a_value_as_the_terminal_does(examples, tmp_path):
    p = run_nnbp("explain", "lecture", "--format", "html", cwd=tmp_path)
    data = json.loads(re.search(r'id="nnbp-page">(.*?)</script>', p.stdout, re.S).group(1))
    t = run_nnbp("explain", "lecture", "--gradient", cwd=tmp_path, timeout=120)
    seen = readings(t.stdout)
    for (kind, l, j), (text,) in seen.items():
        assert data["numbers"][l - 1]["delta" if kind == "δ" else "a"][j - 1] == text
    # the unit's own δ line and its forward sum use the same strings
    assert data["units"][3][1]["line"].endswith(" = " + data["numbers"][3]["delta"][0])
    a = data["numbers"][2]["a"][0]
    assert data["units"][2][1]["forward"][-1].split(" = ")[2].startswith(a)


# --- the digits shown ---------------------------------------------------------------------

def test_a_rounded_number_shows_five_digits_and_a_short_one_is_exact():
    from cli.render.notation import write

    assert write(-0.0184003) == "-0.018400" and write(-0.0184003, 6) == "-0.0184003"
    assert write(-0.0184) == "-0.0184"  # the double nearest −0.0184: what one would type
    assert write(0.1 + 0.2) == "0.30000" and write(0.1) == "0.1" and write(1.0) == "1"
    assert write(1.041e-07 + 1e-20) == "1.0410e-07" and write(40.0) == "40"
    assert write(123456.7) == "1.2346e+05" and write(99999.5) == "1.0000e+05"
    assert write(-0.0) == "0" and write(0.0) == "0"
    assert write(float("nan")) == "nan" and write(float("-inf")) == "-inf"
    exact = write(0.1, 800)  # every digit of the binary value
    assert Decimal(exact) == Decimal(0.1) and len(exact) > 50


def test_a_value_near_one_is_not_written_one():
    from cli.render.notation import write

    assert write(1 - 2.0611536181902037e-09) == "0.999999998"
    assert write(0.9999999999996796) == "0.9999999999997"
    assert write(-0.99999999) == "-0.99999999"
    assert write(1.0000000000000002) == "1.0000000000000002"
    assert write(0.99999) == "0.99999" and write(1.0) == "1" and write(-1.0) == "-1"


def test_a_saturated_activation_is_not_the_bias_units_1(sat, capsys, monkeypatch):
    cwd, e = sat
    a = float(e.layers[2].a[1])  # 1 − 2.1e-9
    out = table(e, capsys, monkeypatch, gradient=True)
    seen = readings(out)
    (shown,) = seen["a", 2, 2]
    assert shown != "1" and float(shown) != 1.0 and rounds(shown, a)
    (exactly,) = seen["a", 2, 1]
    assert exactly == "1"  # σ(40) is 1.0 in float64: written as it is
    assert f"a2 {shown}" in svg_texts(svg(e))
    assert f"a^{{(2)}} &= g(z^{{(2)}}) = \\left(1,\\ {shown}," in latex(e)
    assert f"| 2 | 2 | 20 | {shown} |" in markdown(e)
    # a unit's g′ from a saturated a: a · (1 − a) with 1 − a as its own number
    p = run_nnbp("explain", "sat.yaml", "--format", "html", cwd=cwd)
    data = json.loads(re.search(r'id="nnbp-page">(.*?)</script>', p.stdout, re.S).group(1))
    assert data["numbers"][1]["a"][1] == shown
    line = data["units"][1][2]["g_lines"][1]
    assert line.startswith(f"= a_2^(2) · (1 − a_2^(2)) = {shown} × ")
    _, work, g = line.split(" = ")
    assert holds(work, g) and g == data["units"][1][2]["g_prime"]
