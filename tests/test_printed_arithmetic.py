"""Printed arithmetic holds as written, to the last digit, on trained networks.

Several networks are trained here (iris with squared error, as a new user did;
iris with ReLU and softmax; a tanh regression on penguins; digits, whose sums
fold), and every example's explanation is rendered as a table at 80 columns, as
LaTeX, as Markdown and (for the small networks) as the diagram of each unit.  Every
step of arithmetic in them is worked out exactly on the numbers as printed and
must give the printed value to its last digit (tests/steps.py).  Sums whose terms
cancel, where 5 digits of each term could not give 5 digits of the sum, are among
them, and counted.  The solver that picks the digits, cli/render/printed.py, is tested on
its own at the end.
"""

from __future__ import annotations

import math

import numpy as np
import pytest

from cli.render import printed
from cli.render.diagram import equation
from cli.render.explain_table import render
from cli.render.formats import latex, markdown
from nnbp.config import load_config
from nnbp.explain import explain
from nnbp.explain_setup import explain_setup
from nnbp.network import backprop
from nnbp.training.run import prepare

from steps import equation_steps, holds, latex_steps, markdown_steps, rounds, table_steps

# name: (bundled config, overrides, epochs of gradient descent, examples explained besides
# those whose sums cancel)
NETWORKS = {
    "iris squared error": ("iris", {"network": {"layers": ["auto", 5, "auto"],
                                                "cost": "squared_error", "init": {"seed": 0}},
                                    "training": {"lam": 1.0},
                                    "data": {"validation_split": 0.0}}, 1000, 12),
    "iris relu softmax": ("iris", {"network": {"layers": ["auto", 10, "auto"],
                                               "activation": "relu", "output": "softmax"},
                                   "training": {"learning_rate": 0.3}}, 400, 12),
    "penguins tanh": ("penguins", {"network": {"activation": "tanh",
                                               "layers": ["auto", 6, 1]}}, 300, 12),
    "digits": ("digits", {}, 40, 4),
}


@pytest.fixture(scope="module")
def trained():
    out = {}
    for name, (config, overrides, epochs, _) in NETWORKS.items():
        run = prepare(load_config(config).override(**overrides))
        X, Y = run.data.train.X, run.data.train.Y
        lam, alpha = run.cfg.training.lam, run.cfg.training.learning_rate
        Theta = {l: T.copy() for l, T in run.Theta.items()}
        for _ in range(epochs):  # batch gradient descent, as nnbp train runs it
            D = backprop(run.net, Theta, X, Y, lam).D
            for l in Theta:
                Theta[l] -= alpha * D[l]
        out[name] = (run, Theta)
    return out


def cancelling(e) -> int:
    """Hidden units whose weighted sum is under a hundredth of its largest term."""
    return sum(abs(s) < 0.01 * max(map(abs, terms))
               for d in e.to_json()["layers"][1:-1]
               for s, terms in zip(d["weighted_sum"], d["terms"]) if any(terms))


def explanations(run, Theta, count: int) -> list:
    """``count`` examples spread over the first 150, and as many of them whose sums cancel."""
    setup = explain_setup(run.cfg)
    m = min(sum(run.data.description.sizes[p] for p in ("train", "val")
                if p in run.data.description.sizes), 150)
    spread = set(np.linspace(1, m, count).round().astype(int).tolist())
    out, cancel = [], 0
    for ex in setup.examples(range(1, m + 1)):
        e = explain(run.net, Theta, ex)
        if ex.t in spread or (cancelling(e) and cancel < count):
            cancel += bool(cancelling(e))
            out.append(e)
    return out


@pytest.mark.parametrize("name", NETWORKS)
def test_every_step_holds_on_every_example(name, trained, capsys, monkeypatch):
    monkeypatch.setenv("COLUMNS", "80")
    run, Theta = trained[name]
    sizes = run.net.sizes
    small = max(sizes) <= 12
    counted = {"table": 0, "latex": 0, "markdown": 0, "diagram": 0}
    wrong, cancels, longest = [], 0, 0
    for e in explanations(run, Theta, NETWORKS[name][3]):
        cancels += cancelling(e)
        render(e, layer=None, unit=None, check=False, gradient=True)
        table = capsys.readouterr().out
        longest = max(longest, *map(len, table.splitlines()))
        found = {"table": table_steps(table), "latex": latex_steps(latex(e)),
                 "markdown": markdown_steps(markdown(e)), "diagram": []}
        if small:
            for l in range(2, run.net.L + 1):
                for j in range(1, sizes[l - 1] + 1):
                    found["diagram"] += equation_steps(equation(e, l, j))
        for kind, steps in found.items():
            counted[kind] += len(steps)
            wrong += [(e.example.t, kind, x, v) for x, v in steps if not holds(x, v)]
    assert wrong == [], f"{len(wrong)} steps do not hold as printed, e.g. {wrong[:5]}"
    assert longest <= 80
    units = sum(sizes[1:])  # every output and hidden unit of every example has its steps
    assert counted["table"] > 3 * units and counted["latex"] >= units
    assert counted["markdown"] > counted["latex"] and counted["diagram"] >= (units if small else 0)
    if name == "iris squared error":
        assert cancels >= 5  # the sums that need more digits are among them


def test_the_users_example_holds(trained, capsys, monkeypatch):
    """Example 12 of the iris squared-error network: terms of about 0.02 cancel to a
    weighted sum 3000 times smaller, and the terms are printed with the digits the sum
    needs (5 digits of each would sum to 8.7e-06, not 8.1e-06)."""
    monkeypatch.setenv("COLUMNS", "80")
    run, Theta = trained["iris squared error"]
    setup = explain_setup(run.cfg)
    ex = setup.example(12)  # as the user's: row 12 of iris.csv, trained 1000 epochs
    e = explain(run.net, Theta, ex)
    d = e.to_json()["layers"][1]
    j = max(range(5), key=lambda k: max(map(abs, d["terms"][k])) / abs(d["weighted_sum"][k]))
    assert abs(d["weighted_sum"][j]) < 0.01 * max(map(abs, d["terms"][j]))
    render(e, layer=2, unit=j + 1, check=False, gradient=False)
    steps = table_steps(capsys.readouterr().out)
    assert len(steps) == 5  # three terms Θ_ij·δ_i, their sum, and δ = sum × g'
    terms, total, delta = steps[:3], steps[3], steps[4]
    for expression, value in steps:
        assert holds(expression, value)
    # the terms: each printed with more than 5 digits, each the term's value
    values = [v for _, v in terms]
    assert all(len(v.lstrip("-0.").replace(".", "")) > 5 for v in values)
    for v, exact in zip(values, d["terms"][j]):
        assert rounds(v, exact)
    assert total[1] == f"{d['weighted_sum'][j]:.5g}" and delta[1] == f"{d['delta'][j]:.5g}"


# --- the solver -------------------------------------------------------------------------

def test_solver_takes_digits_as_needed():
    # 0.1 + 0.2: 5 digits of each are exact enough; the sum, 0.30000000000000004, is
    # rounded, and shows its 5 digits
    s = printed.show(printed.Step(0.1 + 0.2, printed.plus, (0.1, 0.2)))
    assert (s.text, [o.text for o in s.operands]) == ("0.30000", ["0.1", "0.2"])
    # 1.000001 − 1 cancels: the sum needs all 7 digits of its first term
    s = printed.show(printed.Step(1.000001 - 1, printed.minus, (1.000001, 1.0)))
    assert s.text == "1.0000e-06" and [o.text for o in s.operands] == ["1.000001", "1"]
    # a product 0.8 · (−0.395409…) · 0.247035… = −0.078144: 5 digits of each fall short
    a, b = -0.39540889071727385, 0.24703508453091958
    s = printed.show(printed.Step(0.8 * a * b, printed.times, (0.8 * a, b)))
    assert [o.text for o in s.operands] == ["-0.316327", "0.247035"] and s.text == "-0.078144"


def test_solver_prints_every_digit_when_17_are_not_enough():
    """Terms that cancel beyond a double's 17 digits: the sum of the doubles as printed
    with 17 digits is off; with all their digits it is exact."""
    x = 0.1
    y = -math.nextafter(0.1, 1.0)  # −(0.1 + 2^-56 or so)
    total = math.fsum([x, y])
    s = printed.show(printed.Step(total, printed.plus, (x, y)))
    assert s.holds and s.text == f"{total:.5g}"
    assert len(s.operands[0].text) > 40  # 0.1000000000000000055511151231257827…
    assert holds(" + ".join(f"({o.text})" for o in s.operands), s.text)


def test_solver_keeps_zero_and_exact_values():
    s = printed.show(printed.Step(0.0, printed.times, (0.7, 0.0)))  # a ReLU unit that is off
    assert (s.text, [o.text for o in s.operands]) == ("0", ["0.7", "0"])
    s = printed.show(printed.Step(0.0, printed.plus, (0.25, -0.25)))
    assert (s.text, [o.text for o in s.operands]) == ("0", ["0.25", "-0.25"])
