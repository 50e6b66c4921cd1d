"""What ``explain`` prints is arithmetic a reader can redo.

- Every printed expression, in the table, LaTeX, Markdown and the diagram, evaluates
  as written to the value printed after it, to that value's last digit: the
  expression is worked out exactly (in fractions) on the numbers as printed, and
  must lie within half a unit of the printed value's last digit.  Checked on every
  example of several trained networks, cancelling sums among them.
- Every number printed is the value it stands for, rounded to the digits shown.
- ``--gradient`` is readable at 80 columns: no line longer, no number cut, and every
  entry shown is δ_i × a_j with the numbers beside it.
- ``--check`` says when a finite difference cannot resolve δ for a cost of that size.
- An example's x is shown as typed (or as in the file) beside the normalized x′.
"""

from __future__ import annotations

import json
import re
from concurrent.futures import ThreadPoolExecutor
from fractions import Fraction

import numpy as np
import pytest

from cli.render.diagram import svg
from cli.render.formats import latex, markdown
from nnbp.config import load_config
from nnbp.explain_setup import explain_setup
from nnbp.gradcheck import cost_size

from conftest import nnbp_argv, nnbp_env, run_nnbp
from steps import (NUMBER, diagram_steps, half_unit, holds, latex_steps, markdown_steps,
                   rounds, shows, table_steps)


def test_the_evaluator_reads_as_written():
    assert holds("0.49076 − 0 × 0.24991", "0.49076")  # as an old table printed it
    assert not holds("0.49076 − 0 × 0.24991", "0.12265")
    assert holds("(0.49076 − 0) × 0.24991", "0.12265")  # 0.1226458…
    assert holds("((0.6)(-0.078144) + (-0.3)(0.059075))(0.24895)", "-0.016084")
    assert holds("111.95 − (-68)", "179.95") and not holds("111.95 − 68 × 1", "179.95")
    # to the last digit: 0.8 · 0.39541 · 0.24704 = 0.0781457…, not 0.078144
    assert not holds("((0.8)(-0.39541))(0.24704)", "-0.078144")
    assert holds("((0.8)(-0.395409))(0.247035)", "-0.078144")
    # cancelling terms: as printed they sum to 8.7e-06
    assert not holds("-0.020567 + 0.026684 + -0.0061083", "8.1147e-06")
    assert holds("\\left((2.5)(-0.5)\\right)(2)", "-2.5")
    assert holds("(1.5 \\times 10^{-3})(2)", "3 \\times 10^{-3}")
    assert half_unit("0.3") == Fraction(1, 20) and half_unit("1.8803e-07") == Fraction(5, 10**12)
    assert rounds("0.1", 0.1) and rounds("-0.31633", -0.316327) and not rounds("-0.31632", -0.316327)


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

@pytest.mark.parametrize("name,shape", [
    ("lecture", r"0\.60459\d* − 1"),                         # cross-entropy: a − y
    ("sigmoid-se", rf"\({NUMBER} − 0\) × {NUMBER}"),          # squared error: (a − y) × g'
    # linear: a − y′, with y^(2) = −3.25 standardized as in training:
    # (−3.25 − 5.41667) / 6.52666 = −1.327888 (mean and σ of 12.5, −3.25, 7), as many
    # digits as a′ − y′ = 0.20663 needs
    ("regression", rf"-?{NUMBER} − \(-1\.327888\)"),
])
def test_table_output_delta_evaluates_as_written(runs, name, shape):
    lines = [step for step in table_steps(runs[name].stdout) if " − " in step[0]]
    assert lines, runs[name].stdout
    for expression, value in lines:
        assert holds(expression, value), (expression, value)
    assert re.fullmatch(shape, lines[0][0]), lines[0]


@pytest.mark.parametrize("name", ["lecture", "lecture check", "lecture gradient", "sigmoid-se",
                                  "regression", "cancer json", "wine json", "cancer gradient",
                                  "wine gradient"])
def test_tables_hold_as_written(runs, name):
    if name.endswith(" json"):  # the table of the same run, with the terms folded
        p = run_nnbp("explain", name.split()[0] + ".yaml", cwd=runs["cwd"])
    else:
        p = runs[name]
    steps = table_steps(p.stdout)
    assert len(steps) >= 8
    for expression, value in steps:
        assert holds(expression, value), (expression, value)


def test_lecture_table_numbers_are_the_values(runs):
    """Each number printed is its value rounded to the digits shown: 5 at least, more
    where an expression that uses it needs more."""
    e = explained("lecture", None).to_json()
    lay = {d["l"]: d for d in e["layers"]}
    rows = [[c.strip() for c in s.split("│")[1:-1]] for s in runs["lecture"].stdout.splitlines()
            if s.startswith("│") and s.count("│") == 6]
    layer3 = rows[:8]  # 2 units: a term, the sum, g', δ each
    sums = [r[4] for r in layer3 if r[1] == "= weighted sum"]
    assert all(shows(t, v) for t, v in zip(sums, lay[3]["weighted_sum"])) and len(sums) == 2
    assert sums[0] == "-0.316327"  # what -0.316327 × 0.247035 = -0.078144 needs
    for r, v in zip([r for r in layer3 if r[1].startswith("= δ")], lay[3]["delta"]):
        assert shows(r[4], v)
    for r in layer3:
        if r[2]:  # Θ_1j^(3) and δ_1^(4) = −0.395409…, to the digits shown
            assert rounds(r[3], lay[4]["delta"][0])


def explained(config: str, cwd, t: int = 1):
    setup = explain_setup(load_config(str(cwd / config) if cwd else config))
    return setup.explain(setup.example(t))


@pytest.mark.parametrize("config,t", [("lecture", 1), ("small.yaml", 1), ("small-reg.yaml", 2),
                                      ("cancer.yaml", 1)])
def test_latex_and_markdown_evaluate_as_written(runs, config, t):
    e = explained(config, None if config == "lecture" else runs["cwd"], t)
    layers = e.to_json()["layers"]
    units = sum(len(d["delta"]) for d in layers[1:])
    hidden = sum(len(d["delta"]) for d in layers[1:-1])
    for render, steps, count in ((latex, latex_steps, units), (markdown, markdown_steps,
                                                               units + hidden)):
        found = steps(render(e))
        # the output layer and every hidden unit: one equation each (and Markdown's
        # table rows: weighted sum × g' = δ)
        assert len(found) == count, render(e)
        for expression, value in found:
            assert holds(expression, value), (render.__name__, expression, value)


@pytest.mark.parametrize("config,t", [("lecture", 1), ("small.yaml", 1), ("small-reg.yaml", 2)])
def test_diagram_equation_evaluates_as_written(runs, config, t):
    e = explained(config, None if config == "lecture" else runs["cwd"], t)
    L = e.L
    for layer_, unit in ((L, 1), (2, 1)):
        steps = diagram_steps(svg(e, layer=layer_, unit=unit))
        assert len(steps) == (1 if layer_ == L else 3)
        for expression, value in steps:
            assert holds(expression, value), (expression, value)


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


def test_no_formula_is_broken_across_lines_at_80_columns(runs):
    """In a terminal 80 columns wide no line is longer, and sentences break between
    formulas: the bound on the entries not shown, and a long x′, each on one line."""
    import subprocess

    env = dict(nnbp_env(), COLUMNS="80")
    wide = ",".join(str(50 + k) for k in range(13))
    outs = [subprocess.run([*nnbp_argv(), "explain", *args], cwd=runs["cwd"], env=env,
                           capture_output=True, text=True, timeout=120).stdout
            for args in (("wine.yaml", "--gradient", "--check"),
                         ("wine.yaml", "--x", wide, "--y", "c1"))]
    for out in outs:
        lines = out.splitlines()
        assert lines and max(len(s) for s in lines) <= 80, max(lines, key=len)
    bounds = [s for s in outs[0].splitlines() if "entries are smaller" in s]
    assert len(bounds) == 2  # one under each of the two gradient tables
    for s in bounds:
        assert re.search(rf"\|δ_i × a_j\| ≤ {NUMBER}", s), s
    x_prime = next(s for s in outs[1].splitlines() if s.startswith("x′ = ("))
    assert re.match(r"x′ = \(.*, … 13 values\)", x_prime), x_prime


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
    setup = explain_setup(load_config(str(runs["cwd"] / "sat.yaml")))
    ex = setup.example(1)
    S = cost_size(setup.net, setup.Theta, ex.x[None, :], ex.y[None, :], 0.0)
    assert e["check"]["epsilon"] == 1e-5
    assert e["check"]["resolution"] == pytest.approx(3 * 8 * 2.0 ** -53 * S / 1e-5, rel=1e-12)
    table = " ".join(runs["saturated"].stdout.split())
    assert "unresolved, off by" in table
    assert f"resolve ∂cost/∂z to ±{e['check']['resolution']:.2g}" in table


def test_check_agrees_on_the_lecture_network(runs):
    out = runs["lecture check"].stdout
    assert out.count("agrees, off by") == 5  # the 4 hidden units and the output unit
    assert "finite difference -0.39541: agrees, off by" in out  # the output unit


# --- x as typed, beside x′ ------------------------------------------------------------------

def test_typed_x_is_shown_beside_the_normalized_x(runs):
    e = json.loads(runs["typed json"].stdout)
    assert e["raw"] == {"features": ["f1", "f2"], "x": [7.0, 40.0], "targets": ["label"],
                        "y": ["b"], "normalize": "standard"}
    rows = [[c.strip() for c in s.split("│")[1:-1]] for s in runs["typed"].stdout.splitlines()
            if s.startswith("│")][:2]
    assert [r[:3] for r in rows] == [["1", "f1", "7"], ["2", "f2", "40"]]  # as typed
    assert shows(rows[0][3], e["x"][0]) and shows(rows[1][3], e["x"][1])  # x′
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
