"""``explain``: every δ_j^(l) of one example, against independent oracles.

- the vectorized ``backprop`` on a one-row batch (λ = 0, m = 1, so D is this
  example's gradient), for every hidden activation × output/cost pair;
- finite differences ∂cost/∂z (``check=True``);
- the lecture's 2-2-2-1 network worked by hand in plain Python floats;
- the CLI as a real process: JSON shape, rendered tables, options, errors.
"""

from __future__ import annotations

import json
import math
import re
import statistics
import subprocess
import sys
from types import SimpleNamespace

import numpy as np
import pytest

from nnbp.config import load_config
from nnbp.explain import explain
from nnbp.explain_setup import explain_setup
from nnbp.explanation import Example
from nnbp.network import Network, backprop, forward

from conftest import modules_after, nnbp_argv, nnbp_env
from steps import rounds, shows

PAIRS = [("sigmoid", "cross_entropy"), ("softmax", "cross_entropy"),
         ("sigmoid", "squared_error"), ("linear", "squared_error")]
HIDDEN = ["sigmoid", "tanh", "relu"]

# The weights written inline in configs/lecture.yaml.
LECTURE_THETA = {
    1: [[0.1, 0.3, -0.2],
        [-0.2, 0.4, 0.5]],
    2: [[0.2, -0.5, 0.6],
        [-0.1, 0.7, -0.3]],
    3: [[0.3, 0.8, -0.6]],
}

STANDARD_CSV = """f1,f2,label
1.0,10,a
2.0,20,b
4.0,15,a
7.0,40,b
6.0,35,b
"""

STANDARD_YAML = """data:
  train: train.csv
  target: label
  normalize: standard
network:
  layers: [auto, 3, auto]
  init:
    seed: 4
"""


def close(actual, expected, rtol=1e-12):
    np.testing.assert_allclose(np.asarray(actual, float), np.asarray(expected, float),
                               rtol=rtol, atol=0)


def layer(e: dict, l: int) -> dict:
    (d,) = [d for d in e["layers"] if d["l"] == l]
    return d


def same(cells: list[str], expected: list) -> bool:
    """Cells as expected: a str exactly, a float as explain writes that value (``shows``)."""
    return len(cells) == len(expected) and all(
        c == x if isinstance(x, str) else shows(c, x) for c, x in zip(cells, expected))


def error_only(p) -> str:
    """Exit 2, nothing on stdout, one ``Error:`` line on stderr and no traceback."""
    assert p.returncode == 2, (p.returncode, p.stdout, p.stderr)
    assert "Traceback" not in p.stderr
    lines = p.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("Error: "), p.stderr
    assert p.stdout == ""
    return lines[0]


# --- 1. explain == vectorized backprop, and δ == finite-difference ∂cost/∂z ---------------

def random_case(hidden: str, output: str, cost: str, seed: int):
    K = 3
    net = Network((3, 4, 3, K), hidden, output, cost)
    rng = np.random.default_rng(seed)
    Theta = {l: rng.uniform(-1.5, 1.5, size=net.shape(l)) for l in range(1, net.L)}
    x = rng.normal(size=3)
    if cost == "cross_entropy":
        y = np.eye(K)[rng.integers(K)]
    else:
        y = rng.uniform(0, 1, size=K)
    return net, Theta, x, y


@pytest.mark.parametrize("output,cost", PAIRS)
@pytest.mark.parametrize("hidden", HIDDEN)
def test_explain_matches_vectorized_backprop(hidden, output, cost):
    net, Theta, x, y = random_case(hidden, output, cost, seed=HIDDEN.index(hidden) * 10
                                   + PAIRS.index((output, cost)))
    z_all, _ = forward(net, Theta, x[None, :])
    if hidden == "relu":  # keep the finite-difference stencil away from the kink
        assert all(np.abs(z_all[l]).min() > 1e-3 for l in range(2, net.L))
    e = explain(net, Theta, Example(7, x, y), check=True).to_json()
    bp = backprop(net, Theta, x[None, :], y[None, :], 0.0)  # m = 1, λ = 0: D = this example's gradient
    L = net.L
    assert e["example"] == 7
    close(e["x"], x)
    close(e["y"], y)
    close(layer(e, 1)["a"], x)
    close(e["cost"], bp.J)
    for l in range(2, L + 1):
        d = layer(e, l)
        close(d["z"], bp.z[l][0])
        close(d["a"], bp.a[l][0])
        close(d["delta"], bp.delta[l][0])
        # δ_j^(l) = ∂cost/∂z_j^(l): the two-sided difference agrees
        np.testing.assert_allclose(d["delta_numeric"], bp.delta[l][0], rtol=0, atol=1e-7)
    for l in range(2, L):
        d = layer(e, l)
        T = Theta[l]  # (s_{l+1}, s_l + 1)
        # terms[j-1][i-1] = Θ^(l)_{ij} δ_i^(l+1), column j of Θ (0 is the bias)
        expected_terms = (T[:, 1:] * bp.delta[l + 1][0][:, None]).T  # (s_l, s_{l+1})
        assert np.shape(d["terms"]) == (net.s(l), net.s(l + 1))
        close(d["terms"], expected_terms)
        close(d["weighted_sum"], bp.delta[l + 1][0] @ T[:, 1:])
        close(d["g_prime"], net.g(l).g_prime(bp.z[l], bp.a[l])[0])
        close(np.array(d["weighted_sum"]) * np.array(d["g_prime"]), d["delta"])
    assert sorted(e["gradient"]) == [str(l) for l in range(1, L)]
    for l in range(1, L):
        assert np.shape(e["gradient"][str(l)]) == Theta[l].shape
        close(e["gradient"][str(l)], bp.D[l])
        close(e["Theta"][str(l)], Theta[l])


def test_relu_unit_that_is_off_has_zero_delta():
    net = Network((2, 2, 1), "relu", "sigmoid", "cross_entropy")
    Theta = {1: np.array([[-5.0, 1.0, 1.0], [0.5, 1.0, -1.0]]), 2: np.array([[0.1, 2.0, -3.0]])}
    e = explain(net, Theta, Example(1, np.array([0.2, 0.3]), np.array([1.0]))).to_json()
    d = layer(e, 2)
    assert d["g_prime"] == [0.0, 1.0]  # z = (-4.5, 0.4)
    assert d["delta"][0] == 0.0 and d["delta"][1] != 0.0
    assert e["gradient"]["1"][0] == [0.0, 0.0, 0.0]


# --- the CLI as real processes, started together ------------------------------------------

class Runs:
    """``nnbp`` invocations in one working directory, memoized by their arguments.

    ``start`` launches a process without waiting, so that the module's many
    short runs (each mostly Python start-up) overlap; ``__call__`` waits for one.
    COLUMNS is dropped from the environment: stdout is a pipe, so rich uses its
    default width of 80.
    """

    at_once = 4

    def __init__(self, cwd):
        self.cwd = cwd
        self.env = {k: v for k, v in nnbp_env().items() if k not in ("COLUMNS", "LINES")}
        self.env["OPENBLAS_NUM_THREADS"] = self.env["OMP_NUM_THREADS"] = "1"  # tiny matrices
        self.procs: dict[tuple, subprocess.Popen] = {}
        self.done: dict[tuple, SimpleNamespace] = {}

    def start(self, *args):
        key = tuple(map(str, args))
        if key not in self.procs:
            running = [k for k in self.procs if k not in self.done]
            if len(running) >= self.at_once:  # a few at a time: more would only thrash
                self(*running[0])
            self.procs[key] = subprocess.Popen(
                [*nnbp_argv(), *key], cwd=self.cwd, env=self.env, stdin=subprocess.DEVNULL,
                stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        return key

    def __call__(self, *args):
        key = self.start(*args)
        if key not in self.done:
            out, err = self.procs[key].communicate(timeout=120)
            self.done[key] = SimpleNamespace(returncode=self.procs[key].returncode,
                                             stdout=out, stderr=err)
        return self.done[key]

    def close(self):
        for p in self.procs.values():
            if p.poll() is None:
                p.kill()
            p.communicate()


USAGE_ERRORS = [
    (["--example", "0"], "--example 0"),
    (["--example", "99"], "--example 99"),
    (["--layer", "1"], "--layer 1"),
    (["--layer", "9"], "Error: --layer 9: layers with a δ are 2 … 4 (layer 1 is the input x)"),
    (["--unit", "1,1"], "Error: --unit 1,1: layers with a δ are 2 … 4 (layer 1 is the input x)"),
    (["--layer", "2", "--unit", "5"], "--unit 5"),
    (["--unit", "1"], "--layer"),
    (["--x", "0.05", "--y", "1"], "--x"),
    (["--x", "0.05,0.10,0.2", "--y", "1"], "--x"),
    (["--x", "0.05,0.10", "--y", "7"], "--y"),
]


@pytest.fixture(scope="module")
def cli(tmp_path_factory):
    cwd = tmp_path_factory.mktemp("explain_cli")
    (cwd / "train.csv").write_text(STANDARD_CSV)
    (cwd / "std.yaml").write_text(STANDARD_YAML)
    runs = Runs(cwd)
    for args in (
        ("train", "lecture", "--epochs", "50", "--out", "m.npz", "--quiet"),
        ("train", "xor", "--epochs", "5", "--out", "xor.npz", "--quiet"),
        ("explain", "lecture", "--json"),
        ("explain", "lecture"),
        ("explain", "lecture", "--json", "--example", "3"),
        ("explain", "lecture", "--json", "--check"),
        ("explain", "lecture", "--x", "0.05,0.10", "--y", "1", "--json"),
        ("explain", "std.yaml", "--example", "4", "--json"),
        ("explain", "std.yaml", "--x", "7.0,40", "--y", "b", "--json"),
        ("explain", "std.yaml", "--x", "3,25", "--y", "a", "--json"),
        *(("explain", "std.yaml", "--x", "3.1234567,25.000001", "--y", "a", *fmt)
          for fmt in ((), ("--format", "markdown"), ("--format", "html"))),
        ("explain", "digits", "--layer", "2"),
        ("explain", "digits", "--layer", "2", "--unit", "3"),
        *(("explain", "lecture", *args) for args, _ in USAGE_ERRORS),
    ):
        runs.start(*args)
    yield runs
    runs.close()


# --- 2. the lecture's example 1, by hand -------------------------------------------------

def lecture_by_hand() -> dict:
    """Example 1 of the lecture network, plain floats and math.exp only."""
    T1, T2, T3 = LECTURE_THETA[1], LECTURE_THETA[2], LECTURE_THETA[3]
    x1, x2, y = 0.05, 0.10, 1.0

    def g(z):
        return 1.0 / (1.0 + math.exp(-z))  # sigmoid; g'(z) = a(1 − a)

    # z^(2) = Θ^(1) [1; x]
    #   z_1^(2) =  0.1 + 0.3·0.05 − 0.2·0.10 =  0.095
    #   z_2^(2) = −0.2 + 0.4·0.05 + 0.5·0.10 = −0.13
    z2 = [T1[0][0] + T1[0][1] * x1 + T1[0][2] * x2,
          T1[1][0] + T1[1][1] * x1 + T1[1][2] * x2]
    # a^(2) = g(z^(2)) ≈ (0.523732, 0.467546)
    a2 = [g(z2[0]), g(z2[1])]
    # z^(3) = Θ^(2) [1; a^(2)]
    #   z_1^(3) =  0.2 − 0.5·a_1^(2) + 0.6·a_2^(2) ≈ 0.218661
    #   z_2^(3) = −0.1 + 0.7·a_1^(2) − 0.3·a_2^(2) ≈ 0.126349
    z3 = [T2[0][0] + T2[0][1] * a2[0] + T2[0][2] * a2[1],
          T2[1][0] + T2[1][1] * a2[0] + T2[1][2] * a2[1]]
    # a^(3) = g(z^(3)) ≈ (0.554449, 0.531545)
    a3 = [g(z3[0]), g(z3[1])]
    # z^(4) = Θ^(3) [1; a^(3)] = 0.3 + 0.8·a_1^(3) − 0.6·a_2^(3) ≈ 0.424632
    z4 = T3[0][0] + T3[0][1] * a3[0] + T3[0][2] * a3[1]
    # a^(4) = h_Θ(x) = g(z^(4)) ≈ 0.604591
    a4 = g(z4)
    # cost(t) = −[y log h + (1 − y) log(1 − h)] = −log h  (y = 1) ≈ 0.503203
    cost = -math.log(a4)
    # δ^(4) = a^(4) − y ≈ 0.604591 − 1 = −0.395409
    d4 = a4 - y
    # δ^(3)_j = Θ^(3)_{1j} δ^(4)_1 · a_j(1 − a_j)
    #   weighted sums: 0.8·δ^(4) ≈ −0.316327,  −0.6·δ^(4) ≈ 0.237245
    #   δ^(3) ≈ (−0.316327·0.247035, 0.237245·0.249005) ≈ (−0.078144, 0.059075)
    s3 = [T3[0][1] * d4, T3[0][2] * d4]
    gp3 = [a3[0] * (1 - a3[0]), a3[1] * (1 - a3[1])]
    d3 = [s3[0] * gp3[0], s3[1] * gp3[1]]
    # δ^(2)_j = (Θ^(2)_{1j} δ^(3)_1 + Θ^(2)_{2j} δ^(3)_2) · a_j(1 − a_j)
    #   j = 1: (−0.5·δ_1^(3) + 0.7·δ_2^(3)) ≈ 0.039072 + 0.041353 = 0.080425;  ·0.249437 ≈ 0.020061
    #   j = 2: ( 0.6·δ_1^(3) − 0.3·δ_2^(3)) ≈ −0.046886 − 0.017723 = −0.064609; ·0.248947 ≈ −0.016084
    t2 = [[T2[0][1] * d3[0], T2[1][1] * d3[1]],
          [T2[0][2] * d3[0], T2[1][2] * d3[1]]]
    s2 = [t2[0][0] + t2[0][1], t2[1][0] + t2[1][1]]
    gp2 = [a2[0] * (1 - a2[0]), a2[1] * (1 - a2[1])]
    d2 = [s2[0] * gp2[0], s2[1] * gp2[1]]
    # ∂cost/∂Θ^(l) = δ^(l+1) [1; a^(l)]ᵀ
    grad = {
        "1": [[d2[i], d2[i] * x1, d2[i] * x2] for i in range(2)],
        "2": [[d3[i], d3[i] * a2[0], d3[i] * a2[1]] for i in range(2)],
        "3": [[d4, d4 * a3[0], d4 * a3[1]]],
    }
    return {"x": [x1, x2], "y": [y], "cost": cost, "z2": z2, "a2": a2, "z3": z3, "a3": a3,
            "z4": [z4], "a4": [a4], "d4": [d4], "s3": s3, "gp3": gp3, "d3": d3, "t2": t2,
            "s2": s2, "gp2": gp2, "d2": d2, "t3": [[s3[0]], [s3[1]]], "grad": grad}


def test_lecture_weights_are_those_of_the_yaml():
    from pathlib import Path

    import yaml

    text = (Path(__file__).resolve().parent.parent / "configs" / "lecture.yaml").read_text()
    weights = yaml.safe_load(text)["network"]["init"]["weights"]
    assert weights == {f"Theta{l}": T for l, T in LECTURE_THETA.items()}


def test_lecture_json_equals_hand_computation(cli):
    p = cli("explain", "lecture", "--json")
    assert p.returncode == 0, p.stderr
    e = json.loads(p.stdout)
    h = lecture_by_hand()
    assert e["example"] == 1
    close(e["x"], h["x"])
    close(e["y"], h["y"])
    close(e["cost"], h["cost"])
    assert e["Theta"] == {str(l): T for l, T in LECTURE_THETA.items()}
    close(layer(e, 1)["a"], h["x"])
    l2, l3, l4 = layer(e, 2), layer(e, 3), layer(e, 4)
    close(l2["z"], h["z2"])
    close(l2["a"], h["a2"])
    close(l2["g_prime"], h["gp2"])
    close(l2["terms"], h["t2"])
    close(l2["weighted_sum"], h["s2"])
    close(l2["delta"], h["d2"])
    close(l3["z"], h["z3"])
    close(l3["a"], h["a3"])
    close(l3["g_prime"], h["gp3"])
    close(l3["terms"], h["t3"])
    close(l3["weighted_sum"], h["s3"])
    close(l3["delta"], h["d3"])
    close(l4["z"], h["z4"])
    close(l4["a"], h["a4"])
    close(l4["delta"], h["d4"])
    for l in "123":
        close(e["gradient"][l], h["grad"][l])
    # and the rounded values in the comments above
    assert round(l2["delta"][0], 6) == 0.020061 and round(l2["delta"][1], 6) == -0.016084
    assert round(l4["delta"][0], 6) == -0.395409


def unit_block(lines: list[str], title: str, j: int) -> list[str]:
    """The rows of unit j in the table whose title starts with ``title``."""
    start = next(n for n, s in enumerate(lines) if s.startswith(title))
    block, inside = [], False
    for s in lines[start + 1:]:
        if s.startswith("└"):
            break
        cells = s.split("│")
        if len(cells) < 3:
            continue
        first = cells[1].strip()
        if first:
            inside = first == str(j)
        if inside:
            block.append(s)
    return block


def test_lecture_rendered_table(cli):
    p = cli("explain", "lecture")
    assert p.returncode == 0, p.stderr
    out = p.stdout
    h = lecture_by_hand()
    lines = out.splitlines()
    # the forward table, cell by cell: l, j, z_j^(l), a_j^(l)
    start = next(k for k, s in enumerate(lines) if s.startswith("Forward:"))
    forward = {(int(c[0]), int(c[1])): (c[2], c[3]) for c in
               ([x.strip() for x in s.split("│")[1:-1]] for s in lines[start:]
                if s.startswith("│")) if len(c) == 4 and c[0].isdigit()}
    assert forward[1, 0] == ("", "1 (bias)") and forward[2, 0] == ("", "1 (bias)")
    assert forward[1, 1] == ("", "0.05") and forward[1, 2] == ("", "0.1")
    for l, (z, a) in ((2, ("z2", "a2")), (3, ("z3", "a3")), (4, ("z4", "a4"))):
        for j in (1, 2) if l < 4 else (1,):
            assert same(list(forward[l, j]), [h[z][j - 1], h[a][j - 1]]), (l, j)
    assert f"cost(t) = {h['cost']:.8g}" in lines
    (a4, d4), = [m.groups() for m in map(re.compile(r"  δ_1\^\(4\) = (\S+) − 1 = (\S+)")
                                         .fullmatch, lines) if m]
    assert same([a4, d4], [h["a4"][0], h["d4"][0]])
    # layer 2, unit 2: δ_2^(2) = (Θ_12^(2)·δ_1^(3) + Θ_22^(2)·δ_2^(3)) · g'(z_2^(2)),
    # its rows cell by cell: j, term, Θ_ij^(2), δ_i^(3), value
    def cells(block):
        return [[c.strip() for c in s.split("│")[1:-1]] for s in block]

    rows = cells(unit_block(lines, "Layer 2:", 2))
    assert len(rows) == 5 and all(same(r, x) for r, x in zip(rows, [
        ["2", "Θ_12^(2)·δ_1^(3)", "0.6", h["d3"][0], h["t2"][1][0]],
        ["", "+ Θ_22^(2)·δ_2^(3)", "-0.3", h["d3"][1], h["t2"][1][1]],
        ["", "= weighted sum", "", "", h["s2"][1]],
        ["", "× g'(z_2^(2))", "", "", h["gp2"][1]],
        ["", "= δ_2^(2)", "", "", h["d2"][1]]])), rows
    # unit 1 of layer 2 has its own pair of terms, not unit 2's
    assert [c[:3] for c in cells(unit_block(lines, "Layer 2:", 1))[:2]] == [
        ["1", "Θ_11^(2)·δ_1^(3)", "-0.5"], ["", "+ Θ_21^(2)·δ_2^(3)", "0.7"]]
    # layer 3, unit 2: δ_2^(3) = Θ_12^(3)·δ_1^(4) · g'(z_2^(3))
    assert same(cells(unit_block(lines, "Layer 3:", 2))[0],
                ["2", "Θ_12^(3)·δ_1^(4)", "-0.6", h["d4"][0], h["s3"][1]])
    assert cells(unit_block(lines, "Layer 3:", 2))[0][3] == d4  # δ_1^(4) as its own line has it
    # the line about g'(z), once per hidden layer
    assert out.count("the real δ has the factor g'(z)") == 2


# --- 3. the JSON shape --------------------------------------------------------------------

def test_json_shape_is_exactly_the_spec(cli):
    p = cli("explain", "lecture", "--json", "--example", "3")
    assert p.returncode == 0, p.stderr
    e = json.loads(p.stdout)  # the whole of stdout is the one object
    assert p.stdout.strip().startswith("{") and p.stdout.count("\n") == 1
    assert set(e) == {"example", "x", "y", "cost", "Theta", "layers", "gradient", "raw"}
    assert e["example"] == 3
    assert e["x"] == [0.9, 0.8] and e["y"] == [0.0]  # row 3 of datasets/lecture.csv
    # the example as written in the file: features by name, the label as a label
    assert e["raw"] == {"features": ["x1", "x2"], "x": [0.9, 0.8], "targets": ["y"], "y": [0],
                        "normalize": "none"}
    assert isinstance(e["cost"], float) and e["cost"] > 0
    assert sorted(e["Theta"]) == ["1", "2", "3"]
    assert sorted(e["gradient"]) == ["1", "2", "3"]
    shapes = {"1": (2, 3), "2": (2, 3), "3": (1, 3)}
    for l, shape in shapes.items():
        assert np.shape(e["Theta"][l]) == shape
        assert np.shape(e["gradient"][l]) == shape
    assert [d["l"] for d in e["layers"]] == [1, 2, 3, 4]
    assert set(layer(e, 1)) == {"l", "a"}
    hidden = {"l", "z", "a", "g_prime", "terms", "weighted_sum", "delta"}
    for l in (2, 3):
        d = layer(e, l)
        assert set(d) == hidden
        for key in ("z", "a", "g_prime", "weighted_sum", "delta"):
            assert len(d[key]) == 2
        assert np.shape(d["terms"]) == (2, {2: 2, 3: 1}[l])  # s_l units × s_{l+1} terms
    assert set(layer(e, 4)) == {"l", "z", "a", "delta"}
    assert len(layer(e, 4)["delta"]) == 1
    assert p.stderr == ""


def test_json_check_adds_delta_numeric(cli):
    p = cli("explain", "lecture", "--json", "--check")
    assert p.returncode == 0, p.stderr
    e = json.loads(p.stdout)
    h = lecture_by_hand()
    assert "delta_numeric" not in layer(e, 1)
    for l, key in ((2, "d2"), (3, "d3"), (4, "d4")):
        np.testing.assert_allclose(layer(e, l)["delta_numeric"], h[key], rtol=0, atol=1e-7)


# --- 4. an example typed in ----------------------------------------------------------------

def test_typed_example_equals_example_1(cli):
    typed = cli("explain", "lecture", "--x", "0.05,0.10", "--y", "1", "--json")
    row = cli("explain", "lecture", "--example", "1", "--json")
    assert typed.returncode == 0 and row.returncode == 0, typed.stderr + row.stderr
    t, r = json.loads(typed.stdout), json.loads(row.stdout)
    assert t["example"] is None and r["example"] == 1
    assert t["x"] == r["x"] == [0.05, 0.1]
    assert t["y"] == r["y"] == [1.0]
    for l in (2, 3, 4):
        close(layer(t, l)["delta"], layer(r, l)["delta"])
    close(layer(t, 2)["delta"], lecture_by_hand()["d2"])
    close(t["cost"], r["cost"])


@pytest.mark.parametrize("fmt", [(), ("--format", "markdown"), ("--format", "html")])
def test_x_as_typed_is_shown_with_every_digit_typed_in_every_view(cli, fmt):
    r = cli("explain", "std.yaml", "--x", "3.1234567,25.000001", "--y", "a", *fmt)
    assert r.returncode == 0, r.stderr
    text = r.stdout.replace("&quot;", '"')
    assert "3.1234567" in text and "25.000001" in text, text[:800]
    assert not re.search(r"3\.1235(?!\d)|25\.000(?!\d)", text)  # never rounded


def test_typed_example_is_normalized_with_training_statistics(cli):
    f1, f2 = [1.0, 2.0, 4.0, 7.0, 6.0], [10.0, 20.0, 15.0, 40.0, 35.0]
    # standard: (x − mean) / population standard deviation, over the training rows
    mu1, sd1 = statistics.fmean(f1), statistics.pstdev(f1)
    mu2, sd2 = statistics.fmean(f2), statistics.pstdev(f2)

    row = cli("explain", "std.yaml", "--example", "4", "--json")
    typed = cli("explain", "std.yaml", "--x", "7.0,40", "--y", "b", "--json")
    assert row.returncode == 0 and typed.returncode == 0, row.stderr + typed.stderr
    r, t = json.loads(row.stdout), json.loads(typed.stdout)
    close(r["x"], [(7.0 - mu1) / sd1, (40.0 - mu2) / sd2])
    close(t["x"], r["x"])
    assert t["y"] == r["y"]
    for l in (2, 3):
        close(layer(t, l)["delta"], layer(r, l)["delta"])
    # a point that is not in the file goes through the same statistics
    other = cli("explain", "std.yaml", "--x", "3,25", "--y", "a", "--json")
    assert other.returncode == 0, other.stderr
    close(json.loads(other.stdout)["x"], [(3.0 - mu1) / sd1, (25.0 - mu2) / sd2])


# --- 5. --model -------------------------------------------------------------------------

def test_model_weights_are_used(cli):
    p = cli("train", "lecture", "--epochs", "50", "--out", "m.npz", "--quiet")
    assert p.returncode == 0, p.stderr
    with np.load(cli.cwd / "m.npz", allow_pickle=False) as npz:
        trained = {str(l): npz[f"Theta{l}"] for l in (1, 2, 3)}
    assert not np.allclose(trained["1"], LECTURE_THETA[1])  # training moved the weights
    p = cli("explain", "lecture", "--model", "m.npz", "--json")
    assert p.returncode == 0, p.stderr
    e = json.loads(p.stdout)
    assert sorted(e["Theta"]) == ["1", "2", "3"]
    for l in "123":
        np.testing.assert_array_equal(np.array(e["Theta"][l]), trained[l])
    # and the forward pass really ran on them: z^(2) = Θ^(1) [1; x]
    close(layer(e, 2)["z"], trained["1"] @ np.array([1.0, 0.05, 0.10]))


def test_model_of_another_network_is_an_error(cli):
    p = cli("train", "xor", "--epochs", "5", "--out", "xor.npz", "--quiet")
    assert p.returncode == 0, p.stderr
    line = error_only(cli("explain", "lecture", "--model", "xor.npz"))
    assert "xor.npz" in line


# --- 6. errors ------------------------------------------------------------------------------

@pytest.mark.parametrize("args,needle", USAGE_ERRORS)
def test_usage_errors(cli, args, needle):
    line = error_only(cli("explain", "lecture", *args))
    assert needle in line


# --- 7. a layer too wide for the terminal ---------------------------------------------------

def test_wide_layer_folds_and_fits_80_columns(cli):
    # piped (and without COLUMNS, see Runs): rich's default width of 80
    p = cli("explain", "digits", "--layer", "2")
    assert p.returncode == 0, p.stderr
    assert "smaller (folded)" in p.stdout
    # every one of the 25 units has 10 terms (one per output unit): each folds some
    assert p.stdout.count("smaller (folded)") == 25
    lines = p.stdout.splitlines()
    assert max(len(s) for s in lines) <= 80, max(lines, key=len)
    assert "Layer 3:" not in p.stdout and "Output layer" not in p.stdout  # only --layer 2


def test_wide_layer_one_unit_shows_every_term(cli):
    p = cli("explain", "digits", "--layer", "2", "--unit", "3")
    assert p.returncode == 0, p.stderr
    setup = explain_setup(load_config("digits"))  # the same example through the library
    e = setup.explain(setup.example(1)).to_json()
    terms = layer(e, 2)["terms"][2]  # unit 3: Θ_i3^(2)·δ_i^(3), i = 1 … 10
    assert len(terms) == 10
    # Θ_13^(2)·δ_1^(3) … Θ_93^(2)·δ_9^(3), then Θ_{10,3}^(2)·δ_{10}^(3)
    term_lines = [s for s in p.stdout.splitlines()
                  if "·δ_" in s and re.search(r"Θ_(\d3|\{\d+,3\})\^\(2\)", s)]
    assert len(term_lines) == 10
    assert "folded" not in p.stdout
    for i, s in enumerate(term_lines, start=1):
        assert (f"Θ_{i}3^(2)·δ_{i}^(3)" if i < 10 else "Θ_{10,3}^(2)·δ_{10}^(3)") in s
        assert rounds(s.rstrip().rstrip("│").split()[-1], terms[i - 1])
    (delta,) = [s.split("│")[-2].strip() for s in p.stdout.splitlines() if "= δ_3^(2)" in s]
    assert shows(delta, layer(e, 2)["delta"][2])
    assert "δ_1^(2)" not in p.stdout and "δ_4^(2)" not in p.stdout  # only unit 3


# --- 8. the typed explanation ---------------------------------------------------------------

@pytest.mark.parametrize("j,said", [
    (0, r"layer 2 has units 1 … 2 \(unit 0 is the bias, a_0 = 1, which has no δ\)"),
    (-1, r"layer 2 has units 1 … 2$"), (3, r"layer 2 has units 1 … 2$")])
def test_a_unit_that_is_not_there_is_an_index_error_that_names_the_units(j, said):
    setup = explain_setup(load_config("lecture"))
    with pytest.raises(IndexError, match=said):
        setup.explain(setup.example(1)).layers[2].unit(j)


def test_typed_tree_of_the_lecture_example(cli):
    """``nnbp explain lecture`` as the library returns it: layers keyed 1 … L, units and
    terms numbered as on paper, each number the hand computation's."""
    setup = explain_setup(load_config("lecture"))
    e = setup.explain(setup.example(1))
    h = lecture_by_hand()
    assert e.L == 4 and list(e.layers) == [1, 2, 3, 4]
    assert (e.example.t, e.example.x.tolist(), e.example.y.tolist()) == (1, [0.05, 0.1], [1.0])
    w = e.example.written
    assert (w.features, w.x, w.targets, w.y, w.normalize) == (["x1", "x2"], [0.05, 0.1], ["y"],
                                                              [1], "none")
    x1 = e.layers[1].unit(1)
    assert (x1.a, x1.z, x1.delta, x1.terms) == (0.05, None, None, ())
    # δ_2^(2) = (Θ_12^(2) δ_1^(3) + Θ_22^(2) δ_2^(3)) · g'(z_2^(2))
    u = e.layers[2].unit(2)
    assert u.j == 2
    close([u.z, u.a, u.g_prime, u.weighted_sum, u.delta],
          [h["z2"][1], h["a2"][1], h["gp2"][1], h["s2"][1], h["d2"][1]])
    assert [(t.i, t.theta) for t in u.terms] == [(1, 0.6), (2, -0.3)]
    close([t.delta for t in u.terms], h["d3"])
    close([t.value for t in u.terms], h["t2"][1])
    # δ_1^(3) = Θ_11^(3) δ_1^(4) · g'(z_1^(3)): one term, from the output unit
    (t,) = e.layers[3].unit(1).terms
    assert (t.i, t.theta) == (1, 0.8)
    close([t.delta, t.value], [h["d4"][0], h["s3"][0]])
    out = e.output.unit(1)
    assert out.g_prime is None and out.terms == () and out.weighted_sum is None
    close([out.z, out.a, out.delta], [h["z4"][0], h["a4"][0], h["d4"][0]])
    close(e.cost, h["cost"])
    # ∂cost/∂Θ_21^(1) = δ_2^(2) · a_1^(1); column 0 is the bias, a_0 = 1
    g = e.entry(1, 2, 1)
    assert (g.i, g.j, g.a) == (2, 1, 0.05)
    close([g.delta, g.value], [h["d2"][1], h["grad"]["1"][1][1]])
    assert e.entry(3, 1, 0).a == 1.0
    for l, T in LECTURE_THETA.items():
        np.testing.assert_array_equal(e.Theta[l], T)
    assert e.epsilon is None and e.resolution is None  # no --check
    # --json is this tree, serialized
    p = cli("explain", "lecture", "--json")
    assert json.loads(p.stdout) == e.to_json()


def test_unit_deltas_and_example_gradients_are_backprops():
    """The per-unit form of network.py against its batch form: δ^(l) from the terms and
    their sums, each example's ∂cost/∂Θ^(l) adding up to Δ, and the forward pass resumed
    from z^(l) giving the same cost."""
    from nnbp.network import example_costs, example_gradients, forward_from, unit_deltas

    net = Network((3, 4, 5, 2), "tanh", "sigmoid", "cross_entropy")
    rng = np.random.default_rng(11)
    Theta = {l: rng.uniform(-1, 1, size=net.shape(l)) for l in range(1, net.L)}
    X, Y = rng.normal(size=(6, 3)), np.eye(2)[rng.integers(2, size=6)]
    bp = backprop(net, Theta, X, Y, 0.0)
    for l in (2, 3):
        u = unit_deltas(net, Theta, l, bp.delta[l + 1], bp.z, bp.a)
        assert u.terms.shape == (6, net.s(l), net.s(l + 1))
        close(u.terms.sum(axis=2), u.sums)
        close(u.delta, bp.delta[l])
    for l in (1, 2, 3):
        G = example_gradients(bp.delta[l + 1], bp.a[l])
        assert G.shape == (6, *net.shape(l))
        close(G.mean(axis=0), bp.D[l])  # D = Δ/m at λ = 0
    for l in (2, 3, 4):
        z, a = forward_from(net, Theta, l, bp.z[l])
        close(example_costs(net, z, a, Y), example_costs(net, bp.z, bp.a, Y))


# --- 9. one row of the file, read alone -------------------------------------------------------

CLEAN_CSV = "f1,f2,label\n1.0,10,a\n2.0,20,b\n4.0,15,a\n7.0,40,b\n"
BAD_ROW_3 = "f1,f2,label\n1.0,10,a\n2.0,20,b\n4.0,oops,a\n7.0,40,b\n"


def test_a_model_explains_a_row_whatever_the_other_rows_hold(cli):
    """With --model, the normalization and classes are the model's: only row t is read,
    and a bad value in another row does not stop it; the row itself is checked."""
    (cli.cwd / "clean.csv").write_text(CLEAN_CSV)
    (cli.cwd / "clean.yaml").write_text(STANDARD_YAML.replace("train.csv", "clean.csv"))
    (cli.cwd / "bad.csv").write_text(BAD_ROW_3)
    (cli.cwd / "bad.yaml").write_text(STANDARD_YAML.replace("train.csv", "bad.csv"))
    p = cli("train", "clean.yaml", "--epochs", "5", "--out", "clean.npz", "--quiet")
    assert p.returncode == 0, p.stderr
    good = cli("explain", "clean.yaml", "--model", "clean.npz", "--example", "4", "--json")
    bad = cli("explain", "bad.yaml", "--model", "clean.npz", "--example", "4", "--json")
    assert good.returncode == 0 and bad.returncode == 0, good.stderr + bad.stderr
    assert json.loads(bad.stdout) == json.loads(good.stdout)  # row 4 is the same in both
    line = error_only(cli("explain", "bad.yaml", "--model", "clean.npz", "--example", "3"))
    assert "bad.csv, line 4" in line and "'oops'" in line
    # without a model the normalization is the training rows': every row is read
    line = error_only(cli("explain", "bad.yaml", "--example", "1"))
    assert "bad.csv, line 4" in line and "'oops'" in line


def test_model_file_is_checked_where_it_is_loaded(cli):
    """--model reads the file with load_model: one place for each message."""
    p = cli("train", "lecture", "--epochs", "1", "--out", "lecture1.npz", "--quiet")
    assert p.returncode == 0, p.stderr
    with np.load(cli.cwd / "lecture1.npz", allow_pickle=False) as npz:
        arrays = dict(npz)
    np.savez(cli.cwd / "zero_scale.npz", **{**arrays, "norm_scale": np.array([1.0, 0.0])})
    np.savez(cli.cwd / "tanh.npz", **{**arrays, "activation": np.array("tanh")})
    np.savez(cli.cwd / "weights.npz", **{k: v for k, v in arrays.items() if k.startswith("Theta")})
    for model, needle in (("zero_scale.npz", "norm_scale holds a 0"),
                          ("tanh.npz", "was trained with activation tanh, the config has sigmoid"),
                          ("weights.npz", "is not an nnbp model")):
        for command in ("explain", "gradcheck"):
            line = error_only(cli(command, "lecture", "--model", model))
            assert f"{model}: " in line and needle in line, (command, line)


TWO_TARGETS_CSV = "a,b,y1,y2\n0.5,-1,12.5,100\n1.5,2,-3.25,140\n-0.5,0.25,7,90\n2.5,1,1,120\n"
TWO_TARGETS_YAML = """data:
  train: two.csv
  target: [y1, y2]
  normalize: standard
  normalize_target: standard
network:
  layers: [auto, 3, auto]
  output: linear
  cost: squared_error
  init:
    seed: 2
training:
  dtype: float32
"""


def test_typed_targets_are_scaled_like_the_rows(cli):
    """Row 2 typed in is row 2: x′ and each target y′ with its own column's statistics,
    and x as written is the file's (float32 training keeps the decimals as written)."""
    (cli.cwd / "two.csv").write_text(TWO_TARGETS_CSV)
    (cli.cwd / "two.yaml").write_text(TWO_TARGETS_YAML)
    row = cli("explain", "two.yaml", "--example", "2", "--json")
    typed = cli("explain", "two.yaml", "--x", "1.5,2", "--y", "-3.25,140", "--json")
    assert row.returncode == 0 and typed.returncode == 0, row.stderr + typed.stderr
    r, t = json.loads(row.stdout), json.loads(typed.stdout)
    y1, y2 = [12.5, -3.25, 7, 1], [100, 140, 90, 120]
    expected = [(-3.25 - statistics.fmean(y1)) / statistics.pstdev(y1),
                (140 - statistics.fmean(y2)) / statistics.pstdev(y2)]
    close(t["y"], expected)
    close(r["y"], expected, rtol=1e-6)  # in float32, as training holds it
    assert r["raw"]["x"] == t["raw"]["x"] == [1.5, 2.0]
    assert r["raw"]["y"] == t["raw"]["y"] == [-3.25, 140.0]


def test_the_readme_example_from_python_runs():
    """The README's explain from Python, as written there, prints δ_2^(2) and its terms."""
    from pathlib import Path

    lines = (Path(__file__).resolve().parent.parent / "README.md").read_text().splitlines()
    start = next(k for k, s in enumerate(lines) if "explain_setup(config, model)" in s)
    start = next(k for k in range(start, len(lines)) if lines[k].startswith("    from nnbp"))
    end = next(k for k in range(start, len(lines)) if lines[k] and not lines[k].startswith("    "))
    code = "\n".join(s[4:] for s in lines[start:end])
    p = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                       env=nnbp_env(), timeout=60)
    h = lecture_by_hand()
    assert p.returncode == 0, p.stderr
    delta, terms = p.stdout.split(" ", 1)
    close(float(delta), h["d2"][1])
    assert [theta for theta, _ in eval(terms)] == [0.6, -0.3]


@pytest.mark.parametrize("args", [(), ("--model", "m.npz"), ("--html", "p.html"),
                                  ("--example", "3", "--json")])
def test_explain_on_a_small_file_does_not_import_arrow(cli, args):
    """A lesson's small file is read with the csv module, whichever way explain reads it."""
    p = cli("train", "lecture", "--epochs", "50", "--out", "m.npz", "--quiet")
    assert p.returncode == 0, p.stderr
    r, modules = modules_after("explain", "lecture", *args, cwd=cli.cwd)
    assert r.returncode == 0, r.stderr
    assert not [m for m in modules if m.split(".")[0] == "pyarrow"]
