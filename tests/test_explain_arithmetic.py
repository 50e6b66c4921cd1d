"""What ``explain`` prints is arithmetic a reader can redo.

- Every printed expression, in the table, LaTeX, Markdown and the diagram, evaluates
  as written to the value printed after it, within the printed precision: each
  number printed with 5 significant digits stands for the interval it rounds from,
  and the expression is evaluated on those intervals.
- ``--gradient`` is readable at 80 columns: no line longer, no number cut, and every
  entry shown is δ_i × a_j with the numbers beside it.
- ``--check`` says when a finite difference cannot resolve δ for a cost of that size.
- An example's x is shown as typed (or as in the file) beside the normalized x′.
"""

from __future__ import annotations

import ast
import json
import math
import re
from concurrent.futures import ThreadPoolExecutor

import numpy as np
import pytest

from cli.diagram import svg
from cli.formats import latex, markdown
from nnbp.config import load_config
from nnbp.explain import explain
from nnbp.gradcheck import cost_size
from nnbp.pick import example
from nnbp.train import prepare

from conftest import run_nnbp


# --- interval arithmetic on printed numbers ---------------------------------------------

class I:
    """The interval a number printed with 5 significant digits stands for."""

    def __init__(self, lo: float, hi: float):
        self.lo, self.hi = lo, hi

    @classmethod
    def printed(cls, text: str) -> "I":
        v = float(text)
        if v == 0:
            return cls(0.0, 0.0)
        half = 0.5 * 10 ** (math.floor(math.log10(abs(v))) - 4)
        return cls(v - half, v + half)

    def __add__(self, o): return I(self.lo + o.lo, self.hi + o.hi)
    def __sub__(self, o): return I(self.lo - o.hi, self.hi - o.lo)
    def __neg__(self): return I(-self.hi, -self.lo)
    def __pos__(self): return self

    def __mul__(self, o):
        c = [self.lo * o.lo, self.lo * o.hi, self.hi * o.lo, self.hi * o.hi]
        return I(min(c), max(c))

    def meets(self, o) -> bool:
        slack = 1e-12 * max(abs(self.lo), abs(self.hi), abs(o.lo), abs(o.hi))
        return self.lo <= o.hi + slack and o.lo <= self.hi + slack


NUMBER = r"\d+(?:\.\d+)?(?:[eE][-+]?\d+)?"


def evaluate(expression: str) -> I:
    """An expression as printed (−, ×, ·, implicit products of parentheses), on intervals."""
    text = expression.replace("−", "-").replace("×", "*").replace("·", "*")
    text = re.sub(r"\)\s*\(", ")*(", text)
    text = re.sub(NUMBER, lambda m: f"I.printed('{m.group(0)}')", text)
    tree = ast.parse(text, mode="eval")
    allowed = (ast.Expression, ast.BinOp, ast.UnaryOp, ast.Add, ast.Sub, ast.Mult, ast.USub,
               ast.UAdd, ast.Call, ast.Attribute, ast.Name, ast.Constant, ast.Load)
    assert all(isinstance(n, allowed) for n in ast.walk(tree)), expression
    return eval(compile(tree, "<printed>", "eval"), {"I": I})


def holds(expression: str, value: str) -> bool:
    return evaluate(expression).meets(I.printed(value.replace("−", "-")))


def test_the_evaluator_reads_as_written():
    assert holds("0.49076 − 0 × 0.24991", "0.49076")  # as the old table printed it
    assert not holds("0.49076 − 0 × 0.24991", "0.12265")
    assert holds("(0.49076 − 0) × 0.24991", "0.12265")
    assert holds("((0.6)(-0.078144) + (-0.3)(0.059075))(0.24895)", "-0.016084")
    assert holds("111.95 − (-68)", "179.95") and not holds("111.95 − 68 × 1", "179.95")


# --- the runs ---------------------------------------------------------------------------

SIGMOID_SE = """data: {train: small.csv, target: y, normalize: none}
network:
  layers: [2, 3, 1]
  output: sigmoid
  cost: squared_error
  init: {seed: 3}
"""

# A regression network whose hidden unit 1 is saturated (z = −30, g'(z) ≈ 1e-13): its δ
# is far below what a finite difference of a cost near 5e5 resolves.  Unit 2 is not.
SATURATED = """data: {train: big.csv, target: y, normalize: none}
network:
  layers: [1, 2, 1]
  output: linear
  cost: squared_error
  init:
    weights:
      Theta1: [[-30.0, 0.0], [0.0, 1.0]]
      Theta2: [[0.0, 50.0, 50.0]]
"""

WIDE_CSV_SEED = 5


def wide_csv(n: int, classes: int, m: int = 60) -> str:
    rng = np.random.default_rng(WIDE_CSV_SEED)
    head = ",".join(f"f{k}" for k in range(n)) + ",label\n"
    rows = [",".join(f"{v:.4f}" for v in rng.normal(size=n) * 10 + 50) + f",c{t % classes}"
            for t in range(m)]
    return head + "\n".join(rows) + "\n"


JOBS = {
    "lecture": ("lecture",),
    "lecture check": ("lecture", "--check"),
    "lecture gradient": ("lecture", "--gradient"),
    "sigmoid-se": ("small.yaml",),
    "sigmoid-se json": ("small.yaml", "--json"),
    "regression": ("small-reg.yaml", "--example", "2"),
    "regression json": ("small-reg.yaml", "--example", "2", "--json"),
    "saturated": ("sat.yaml", "--check"),
    "saturated json": ("sat.yaml", "--check", "--json"),
    "cancer gradient": ("cancer.yaml", "--gradient"),
    "cancer json": ("cancer.yaml", "--json"),
    "wine gradient": ("wine.yaml", "--gradient"),
    "wine json": ("wine.yaml", "--json"),
    "typed": ("std.yaml", "--x", "7.0,40", "--y", "b"),
    "typed json": ("std.yaml", "--x", "7.0,40", "--y", "b", "--json"),
    "wide typed": ("wine.yaml", "--x", ",".join(str(50 + k) for k in range(13)), "--y", "c1"),
}


@pytest.fixture(scope="module")
def runs(tmp_path_factory):
    cwd = tmp_path_factory.mktemp("arithmetic")
    (cwd / "small.csv").write_text("a,b,y\n0.5,-1,0\n1.5,2,1\n-0.5,0.25,1\n")
    (cwd / "small.yaml").write_text(SIGMOID_SE)
    (cwd / "reg.csv").write_text("a,b,y\n0.5,-1,12.5\n1.5,2,-3.25\n-0.5,0.25,7\n")
    (cwd / "small-reg.yaml").write_text(SIGMOID_SE.replace("small.csv", "reg.csv")
                                        .replace("output: sigmoid", "output: linear"))
    (cwd / "big.csv").write_text("x,y\n0,1000\n1,900\n")
    (cwd / "sat.yaml").write_text(SATURATED)
    (cwd / "cancer.csv").write_text(wide_csv(30, 2))
    (cwd / "cancer.yaml").write_text("data: {train: cancer.csv, target: label}\n"
                                     "network: {layers: [auto, 21, auto]}\n")
    (cwd / "wine.csv").write_text(wide_csv(13, 3))
    (cwd / "wine.yaml").write_text("data: {train: wine.csv, target: label}\n"
                                   "network: {layers: [auto, 12, auto], output: softmax}\n")
    (cwd / "std.csv").write_text("f1,f2,label\n1.0,10,a\n2.0,20,b\n4.0,15,a\n7.0,40,b\n"
                                 "6.0,35,b\n")
    (cwd / "std.yaml").write_text("data: {train: std.csv, target: label, normalize: standard}\n"
                                  "network: {layers: [auto, 3, auto], init: {seed: 4}}\n")
    with ThreadPoolExecutor(max_workers=3) as pool:
        done = dict(zip(JOBS, pool.map(lambda a: run_nnbp("explain", *a, cwd=cwd),
                                       JOBS.values())))
    for name, p in done.items():
        assert p.returncode == 0, (name, p.stderr)
    done["cwd"] = cwd
    return done


# --- point by point: the printed arithmetic -----------------------------------------------

def output_lines(stdout: str) -> list[tuple[str, str]]:
    """(expression, value) of each "δ_k^(L) = expression = value" line of the table."""
    out = []
    for s in stdout.splitlines():
        m = re.match(r"\s+δ_\d+\^\(\d+\) = (.+) = (\S+)$", s)
        if m:
            out.append((m.group(1), m.group(2)))
    return out


@pytest.mark.parametrize("name,shape", [
    ("lecture", r"0\.60459 − 1"),                            # cross-entropy: a − y
    ("sigmoid-se", rf"\({NUMBER} − 0\) × {NUMBER}"),          # squared error: (a − y) × g'
    # linear: a − y′, with y^(2) = −3.25 standardized as in training:
    # (−3.25 − 5.41667) / 6.52666 = −1.3279 (mean and σ of 12.5, −3.25, 7)
    ("regression", rf"-?{NUMBER} − \(-1\.3279\)"),
])
def test_table_output_delta_evaluates_as_written(runs, name, shape):
    lines = output_lines(runs[name].stdout)
    assert lines, runs[name].stdout
    for expression, value in lines:
        assert holds(expression, value), (expression, value)
    assert re.fullmatch(shape, lines[0][0]), lines[0]


def unit_rows(stdout: str) -> list[list[list[str]]]:
    """The hidden tables' units: for each, its rows as [term, Θ, δ, value] cells."""
    units, current = [], None
    for s in stdout.splitlines():
        cells = [c.strip() for c in s.split("│")[1:-1]]
        if len(cells) != 5:
            if s.startswith(("├", "└")) and current:
                units.append(current)
                current = None
            continue
        if cells[0]:
            current = []
        if current is not None:
            current.append(cells[1:])
    return units


@pytest.mark.parametrize("name", ["lecture", "lecture check", "sigmoid-se", "regression",
                                  "cancer json", "wine json"])
def test_hidden_tables_add_up_as_written(runs, name):
    if name.endswith(" json"):  # the table of the same run, with the terms folded
        p = run_nnbp("explain", name.split()[0] + ".yaml", cwd=runs["cwd"])
    else:
        p = runs[name]
    units = unit_rows(p.stdout)
    assert units
    for rows in units:
        terms = [r for r in rows if r[0].startswith(("Θ", "+ Θ", "+ ")) and "folded" not in r[0]
                 and "weighted" not in r[0]]
        for _, theta, delta, value in [r for r in terms if r[1]]:
            assert holds(f"({theta}) × ({delta})", value), (theta, delta, value)
        addends = [r[3] for r in rows if r[0].startswith(("Θ", "+ "))]
        total = next(r[3] for r in rows if r[0] == "= weighted sum")
        assert holds(" + ".join(f"({v})" for v in addends), total), (addends, total)
        factor = next(r[3] for r in rows if r[0].startswith("× g'(z_"))
        delta = next(r[3] for r in rows if r[0].startswith("= δ_"))
        assert holds(f"({total}) × ({factor})", delta)


def latex_equations(text: str) -> list[tuple[str, str]]:
    """(expression, value) of each numeric equation line of a LaTeX (or Markdown) text."""
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
            expression = numeric[-2].replace("\\left(", "(").replace("\\right)", ")")
            expression = re.sub(r" \\times 10\^\{(-?\d+)\}", r"e\1", expression)
            out.append((expression, re.sub(r" \\times 10\^\{(-?\d+)\}", r"e\1", numeric[-1])))
    return out


def explained(config: str, cwd, t: int = 1) -> dict:
    run = prepare(load_config(str(cwd / config) if cwd else config))
    ex = example(run, t)
    return explain(run.net, run.Theta, ex.x, ex.y, t)


@pytest.mark.parametrize("config,t", [("lecture", 1), ("small.yaml", 1), ("small-reg.yaml", 2),
                                      ("cancer.yaml", 1)])
def test_latex_and_markdown_evaluate_as_written(runs, config, t):
    e = explained(config, None if config == "lecture" else runs["cwd"], t)
    for render in (latex, markdown):
        equations = latex_equations(render(e))
        # the output layer and every hidden unit: one equation each
        units = sum(len(d["delta"]) for d in e["layers"][1:])
        assert len(equations) == units, render(e)
        for expression, value in equations:
            assert holds(expression, value), (render.__name__, expression, value)


@pytest.mark.parametrize("config,t", [("small.yaml", 1), ("small-reg.yaml", 2)])
def test_diagram_equation_evaluates_as_written(runs, config, t):
    e = explained(config, runs["cwd"], t)
    L = len(e["layers"])
    for layer_, unit in ((L, 1), (2, 1)):
        text = svg(e, layer=layer_, unit=unit)
        lines = ["".join(m.itertext()) for m in _equation_texts(text)]
        numbers = [s for s in lines if s.startswith("= ") or re.match(r"δ\d", s)]
        last = numbers[-1].split(" = ")
        expression = last[-2].removeprefix("= ").split(" = ")[-1]
        if len(last) == 2:  # "= expression = value"
            expression = last[0].removeprefix("= ")
        assert holds(expression, last[-1]), (numbers, expression)


def _equation_texts(text: str):
    from xml.etree import ElementTree as ET

    root = ET.fromstring(text)
    return [el for el in root.iter("{http://www.w3.org/2000/svg}text")
            if "equation" in el.get("class", "").split()]


# --- the gradient at 80 columns ----------------------------------------------------------------

@pytest.mark.parametrize("name", ["lecture gradient", "cancer gradient", "wine gradient"])
def test_gradient_is_readable_at_80_columns(runs, name):
    p = runs[name]
    lines = p.stdout.splitlines()
    assert max(len(s) for s in lines) <= 80, max(lines, key=len)
    assert "…" not in "".join(s for s in lines if "∂cost/∂Θ" in s or s.startswith("│"))
    start = next(k for k, s in enumerate(lines) if s.startswith("∂cost/∂Θ^(1)"))
    for s in lines[start:]:
        cells = [c.strip() for c in s.split("│")[1:-1]]
        for c in cells:
            if c:
                float(c)  # every cell a whole number, none cut


@pytest.mark.parametrize("config", ["cancer", "wine"])
def test_gradient_lists_the_largest_entries_as_products(runs, config):
    e = json.loads(runs[f"{config} json"].stdout)
    p = runs[f"{config} gradient"]
    G = np.array(e["gradient"]["1"])  # cancer: 21 × 31, wine: 12 × 14
    lines = p.stdout.splitlines()
    start = next(k for k, s in enumerate(lines) if s.startswith("∂cost/∂Θ^(1)"))
    end = next(k for k, s in enumerate(lines) if s.startswith("∂cost/∂Θ^(2)"))
    first = [[c.strip() for c in s.split("│")[1:-1]] for s in lines[start:end]
             if s.startswith("│")]  # i, j, δ_i, a_j, δ_i × a_j
    shown = {(int(i), int(j)) for i, j, *_ in first[:12]}
    largest = np.argsort(-np.abs(G), axis=None)[:12]
    assert shown == {(int(k // G.shape[1]) + 1, int(k % G.shape[1])) for k in largest}
    for i, j, d, a, v in first[:12]:
        assert holds(f"({d}) × ({a})", v)
        assert float(v) == pytest.approx(G[int(i) - 1][int(j)], rel=1e-4)
    rest = G.size - 12
    assert f"the other {rest} entries are smaller" in " ".join(p.stdout.split())


# --- --check on a cost of this size ------------------------------------------------------------

def test_check_says_when_a_delta_is_below_what_epsilon_resolves(runs):
    e = json.loads(runs["saturated json"].stdout)
    d2, d3 = e["layers"][1], e["layers"][2]
    # unit 1: z = −30, δ = Θ_11^(2) δ^(3) g'(−30) ≈ 50 · (−975) · 9.4e-14
    assert abs(d2["delta"][0]) < 1e-8 < e["check"]["resolution"]
    assert d2["delta_check"] == ["unresolved", "agrees"]
    assert d3["delta_check"] == ["agrees"]
    # the resolution is 3 · 8u · S / ε for this example's cost(t) ≈ ½ 975²
    run = prepare(load_config(str(runs["cwd"] / "sat.yaml")))
    ex = example(run, 1)
    S = cost_size(run.net, run.Theta, ex.x[None, :], ex.y[None, :], 0.0)
    assert e["check"]["epsilon"] == 1e-5
    assert e["check"]["resolution"] == pytest.approx(3 * 8 * 2.0 ** -53 * S / 1e-5, rel=1e-12)
    table = " ".join(runs["saturated"].stdout.split())
    assert "|δ − finite difference|: unresolved" in table
    assert f"resolve ∂cost/∂z to ±{e['check']['resolution']:.2g}" in table


def test_check_agrees_on_the_lecture_network(runs):
    out = runs["lecture check"].stdout
    assert out.count("|δ − finite difference|: agrees") == 4  # the 4 hidden units
    assert "finite difference -0.39541: agrees" in out  # the output unit


# --- x as typed, beside x′ ------------------------------------------------------------------

def test_typed_x_is_shown_beside_the_normalized_x(runs):
    e = json.loads(runs["typed json"].stdout)
    assert e["raw"] == {"features": ["f1", "f2"], "x": [7.0, 40.0], "targets": ["label"],
                        "y": ["b"], "normalize": "standard"}
    rows = [[c.strip() for c in s.split("│")[1:-1]] for s in runs["typed"].stdout.splitlines()
            if s.startswith("│")][:2]
    assert rows == [["1", "f1", "7", f"{e['x'][0]:.5g}"], ["2", "f2", "40", f"{e['x'][1]:.5g}"]]
    head = runs["typed"].stdout.splitlines()[0]
    assert head == "the example typed in: label b, so y = (1)"
    out = runs["typed"].stdout
    assert "x_j, as typed" in out and "x′_j = (x − mean) / sd" in out


def test_wide_input_shows_both_vectors(runs):
    out = " ".join(runs["wide typed"].stdout.split())
    assert "x = (50, 51, 52, 53, 54, 55, 56, 57, … 13 values) as typed x′ = (" in out
    assert "… 13 values), what the network sees (x′ = (x − mean) / sd)" in out


def test_example_from_the_file_gives_back_its_values(runs):
    e = json.loads(runs["cancer json"].stdout)
    first = (runs["cwd"] / "cancer.csv").read_text().splitlines()[1].split(",")
    assert e["raw"]["x"] == [float(v) for v in first[:-1]]  # as written, to the last digit
    assert e["raw"]["y"] == [first[-1]]
