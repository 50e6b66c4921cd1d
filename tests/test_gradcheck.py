"""``gradcheck``: backprop's D against central differences of J.

It must pass on correct gradients (the lecture network, the course's debugging
network), fail on a gradient that is wrong in one entry and point at that
entry, sample entries reproducibly, and flag ReLU units sitting on the kink.
The CLI is run as a real process: exit codes, JSON keys, the verdict line.
"""

from __future__ import annotations

import json
import math

import numpy as np
import pytest

from nnbp.config import load_config
from nnbp.explain import explain
from nnbp.explanation import Example
from nnbp.gradcheck import cost_size, gradcheck, pick_entries, relu_near_kink, seeded
from nnbp.network import Network, backprop, forward, random_weights
from nnbp.training.run import prepare


def lecture():
    run = prepare(load_config("lecture"))
    return run.net, run.Theta, run.data.train.X, run.data.train.Y


def fill(rows: int, cols: int) -> np.ndarray:
    """The course's debugInitializeWeights: sin(1, 2, 3, …) / 10, filled column-major."""
    return (np.sin(np.arange(1, rows * cols + 1)) / 10).reshape((rows, cols), order="F")


def debugging_network():
    """The course's checkNNGradients network: 3-5-3, m = 5, y = 1 + (t mod 3)."""
    net = Network((3, 5, 3))
    Theta = {1: fill(5, 4), 2: fill(3, 6)}  # Θ^(1) 5×4, Θ^(2) 3×6
    X = fill(5, 3)  # (m, s_1)
    y = 1 + np.arange(1, 6) % 3  # 2, 3, 1, 2, 3
    Y = np.eye(3)[y - 1]  # one-hot rows  (m, K)
    return net, Theta, X, Y


def test_debugging_network_is_the_course_one():
    net, Theta, X, Y = debugging_network()
    assert Theta[1][1, 0] == math.sin(2) / 10  # column-major: down the first column first
    assert Theta[1][0, 1] == math.sin(6) / 10
    assert Theta[2][2, 5] == math.sin(18) / 10
    assert X[4, 2] == math.sin(15) / 10
    assert Y.argmax(axis=1).tolist() == [1, 2, 0, 1, 2]


# --- correct gradients pass ------------------------------------------------------------------

@pytest.mark.parametrize("lam", [0.0, 1.0])
def test_lecture_network_passes(lam):
    net, Theta, X, Y = lecture()
    r = gradcheck(net, Theta, X, Y, lam)
    assert r["epsilon"] == 1e-4
    assert r["examples"] == 4
    assert r["sampled"] is False
    assert r["relative_difference"] < 1e-7
    assert r["relative_difference_richardson"] < 1e-9
    assert [d["l"] for d in r["layers"]] == [1, 2, 3]
    assert [(d["entries"], d["of"]) for d in r["layers"]] == [(6, 6), (6, 6), (3, 3)]
    for d in r["layers"]:
        assert d["relative_difference"] < 1e-7
        assert d["relative_difference_richardson"] < 1e-9
        assert d["max_abs_difference"] < 1e-9
    assert r["relu_near_kink"] == 0


@pytest.mark.parametrize("lam", [0.0, 3.0])
def test_course_debugging_network_passes_below_1e9(lam):
    net, Theta, X, Y = debugging_network()
    r = gradcheck(net, Theta, X, Y, lam, epsilon=1e-4)
    # docs/notation.md: the plain two-sided difference at ε = 1e-4 shows < 1e-9 here
    assert r["relative_difference"] < 1e-9
    assert r["relative_difference_richardson"] < 1e-9
    assert [(d["entries"], d["of"]) for d in r["layers"]] == [(20, 20), (18, 18)]
    for d in r["layers"]:
        assert d["relative_difference"] < 1e-9


def test_richardson_removes_the_eps_squared_error():
    """A correct tanh/squared-error network on which the plain ε = 1e-4 figure is above
    1e-9 (its O(ε²) error, docs/notation.md); Richardson over ε and ε/2 is far below."""
    net = Network((3, 4, 2), "tanh", "sigmoid", "squared_error")
    rng = np.random.default_rng(0)
    Theta = {l: rng.uniform(-2, 2, size=net.shape(l)) for l in (1, 2)}
    X, Y = rng.normal(size=(6, 3)), rng.uniform(0, 1, size=(6, 2))
    r = gradcheck(net, Theta, X, Y, 0.0)
    assert 1e-9 < r["relative_difference"] < 1e-7  # still passes the default tolerance
    assert r["relative_difference_richardson"] < 1e-10
    assert r["relative_difference_richardson"] < r["relative_difference"] / 20
    coarse = gradcheck(net, Theta, X, Y, 0.0, epsilon=1e-3)  # O(ε²) grows 100-fold
    assert coarse["epsilon"] == 1e-3
    assert coarse["relative_difference"] > 50 * r["relative_difference"]
    assert coarse["relative_difference_richardson"] < 1e-9


# --- near a minimum: the gradient is tiny, the relative figure measures the differences' error ---

def binary_data(m: int = 200, n: int = 30, seed: int = 1):
    """A separable-ish two-class problem with 30 inputs, as breast_cancer has."""
    rng = np.random.default_rng(seed)
    y = (rng.uniform(size=m) < 0.4).astype(float)
    X = rng.normal(size=(m, n)) + np.outer(y, rng.normal(size=n))
    return X, y[:, None]


@pytest.fixture(scope="module")
def near_minimum():
    """A 30-8-1 network after 4000 epochs of batch gradient descent (α = 1, λ = 1):
    ‖D‖ has fallen to about 1e-4, while central differences at ε = 1e-4 still carry
    an error of about 1e-11 per entry (their O(ε²) term)."""
    X, Y = binary_data()
    net = Network((30, 8, 1))
    Theta = random_weights(net, 0)
    for _ in range(4000):
        D = backprop(net, Theta, X, Y, 1.0).D
        for l in Theta:
            Theta[l] -= D[l]
    return net, Theta, X, Y


def test_correct_gradient_near_a_minimum_passes_on_the_floor(near_minimum):
    net, Theta, X, Y = near_minimum
    r = gradcheck(net, Theta, X, Y, 1.0)
    # the course's relative figure alone would fail this correct gradient
    assert r["relative_difference"] > 1e-7
    assert r["gradient_norm"] < 1e-3
    assert r["passed"] is True and r["criterion"] == "floor"
    assert r["max_abs_difference_richardson"] <= r["floor"]
    # the floor is what rounding in J explains: 3 · 8u · S / ε
    assert r["unit_roundoff"] == 2.0 ** -53
    assert r["floor"] == pytest.approx(3 * 8 * 2.0 ** -53 * r["cost_size"] / 1e-4, rel=1e-15)
    assert r["floor"] < 1e-9  # tiny: a gradient off by more than this fails


@pytest.mark.parametrize("error", [1e-6, -3e-8])
def test_wrong_entry_near_a_minimum_still_fails(near_minimum, error):
    net, Theta, X, Y = near_minimum
    D = backprop(net, Theta, X, Y, 1.0).D
    wrong = {k: v.copy() for k, v in D.items()}
    wrong[1][4, 17] += error
    r = gradcheck(net, Theta, X, Y, 1.0, gradient=wrong, entries=None)
    assert r["passed"] is False and r["criterion"] is None
    assert r["layers"][0]["where"] == [5, 17]
    assert r["layers"][0]["max_abs_difference_richardson"] == pytest.approx(abs(error), rel=1e-3)


def test_gradient_without_its_regularization_fails_near_a_minimum(near_minimum):
    net, Theta, X, Y = near_minimum
    forgot = backprop(net, Theta, X, Y, 0.0).D  # the (λ/m) Θ term left out
    r = gradcheck(net, Theta, X, Y, 1.0, gradient=forgot)
    assert r["passed"] is False
    assert r["max_abs_difference_richardson"] > 1e6 * r["floor"]


def test_cost_size_of_the_lecture_network_by_hand():
    """S for a sigmoid output with cross-entropy, per example: softplus(z^(4)) and
    |y z^(4)|, the two numbers whose difference is cost(t), and every z_i^(l) =
    Σ_j Θ_ij a_j rounded at the size of Σ_j |Θ_ij a_j|, times |δ_i^(l)|; averaged over
    the examples.  Worked with the deltas of ``explain``, one unit at a time."""
    net, Theta, X, Y = lecture()
    by_hand = 0.0
    for t in range(4):
        e = explain(net, Theta, Example(t + 1, X[t], Y[t])).to_json()
        lay = {d["l"]: d for d in e["layers"]}
        z4, y = lay[4]["z"][0], e["y"][0]
        by_hand += math.log1p(math.exp(z4)) + abs(y * z4)
        for l in (2, 3, 4):
            for i, delta in enumerate(lay[l]["delta"]):
                row = Theta[l - 1][i]  # Θ^(l-1)_{i0}, Θ^(l-1)_{i1}, …
                dots = abs(row[0]) + sum(abs(w * a) for w, a in zip(row[1:], lay[l - 1]["a"]))
                by_hand += abs(delta) * dots
    assert cost_size(net, Theta, X, Y, 0.0) == pytest.approx(by_hand / 4, rel=1e-13)
    # λ adds the regularization term, (λ/2m) Σ Θ², bias columns left out
    reg = 2.0 / 8 * sum(float((T[:, 1:] ** 2).sum()) for T in Theta.values())
    assert cost_size(net, Theta, X, Y, 2.0) == pytest.approx(by_hand / 4 + reg, rel=1e-13)


def test_cost_size_of_squared_error():
    net = Network((1, 1), "sigmoid", "linear", "squared_error")
    Theta = {1: np.array([[0.0, 1.0]])}  # a = z = x, δ = a − y
    X, Y = np.array([[100.0], [-3.0]]), np.array([[100.5], [-3.0]])
    # example 1: ½ (a − y)² = ½ · 0.25, and |δ| (|Θ_10| + |Θ_11 x|) = 0.5 · 100
    # example 2: a = y, nothing; the mean of the two
    assert cost_size(net, Theta, X, Y, 0.0) == (0.125 + 50.0) / 2


# --- a wrong gradient fails, and gradcheck points at it ----------------------------------------

@pytest.mark.parametrize("l,i,j", [(1, 0, 0), (1, 3, 2), (2, 2, 5), (2, 1, 0)])
def test_wrong_entry_fails_and_is_located(l, i, j):
    net, Theta, X, Y = debugging_network()
    D = backprop(net, Theta, X, Y, 0.0).D
    wrong = {k: v.copy() for k, v in D.items()}
    wrong[l][i, j] += 1e-3  # array index (i, j): unit i + 1 of layer l + 1, column j
    r = gradcheck(net, Theta, X, Y, 0.0, gradient=wrong)
    assert r["relative_difference"] > 1e-7
    assert r["relative_difference_richardson"] > 1e-7
    bad = r["layers"][l - 1]
    assert bad["l"] == l
    assert bad["where"] == [i + 1, j]  # i 1-based as on paper, j 0-based with 0 the bias
    assert bad["max_abs_difference"] == pytest.approx(1e-3, abs=1e-9)
    assert bad["relative_difference"] > 1e-7
    (good,) = [d for d in r["layers"] if d["l"] != l]
    assert good["relative_difference"] < 1e-9  # the other Θ is untouched


def test_wrong_gradient_on_lecture_fails():
    net, Theta, X, Y = lecture()
    D = backprop(net, Theta, X, Y, 0.0).D
    wrong = {k: v.copy() for k, v in D.items()}
    wrong[3][0, 2] += 1e-3
    r = gradcheck(net, Theta, X, Y, 0.0, gradient=wrong)
    assert r["relative_difference"] > 1e-7
    assert r["layers"][2]["where"] == [1, 2]


# --- sampling -------------------------------------------------------------------------------

def coded_gradient(net, Theta, X, Y):
    """D plus 1e-3·(1 + n) at the entry with row-major number n: the sampled entry with the
    largest n is where |num − grad| is largest, and that difference names n."""
    D = backprop(net, Theta, X, Y, 0.0).D
    return {l: D[l] + 1e-3 * (1 + np.arange(D[l].size).reshape(D[l].shape)) for l in D}


def test_entries_samples_k_per_layer():
    net, Theta, X, Y = debugging_network()
    r = gradcheck(net, Theta, X, Y, 0.0, entries=3, seed=1)
    assert r["sampled"] is True
    assert [(d["entries"], d["of"]) for d in r["layers"]] == [(3, 20), (3, 18)]
    assert r["relative_difference"] < 1e-9
    everything = gradcheck(net, Theta, X, Y, 0.0, entries=100)  # more than there are: all
    assert everything["sampled"] is False
    assert [(d["entries"], d["of"]) for d in everything["layers"]] == [(20, 20), (18, 18)]


def test_each_entry_checked_is_counted_as_it_is_done():
    net, Theta, X, Y = debugging_network()
    calls = []
    gradcheck(net, Theta, X, Y, 0.0, entries=3, on_entry=lambda *c: calls.append(c))
    assert calls == [(n, 6) for n in range(1, 7)]


def test_a_long_check_shows_a_bar_on_a_terminal_and_leaves_only_the_table(tmp_path):
    """stderr a terminal (a pty), stdout a pipe: the bar, counted in entries, is drawn
    on the terminal and cleared; the table and verdict go to stdout alone."""
    import os
    import pty
    import subprocess

    from conftest import nnbp_argv, nnbp_env

    master, slave = pty.openpty()
    p = subprocess.Popen([*nnbp_argv(), "gradcheck", "digits", "--all", "--examples", "300"],
                         cwd=tmp_path, env=nnbp_env(), stdout=subprocess.PIPE, stderr=slave)
    os.close(slave)
    screen = b""
    while True:
        try:
            chunk = os.read(master, 1 << 16)
        except OSError:  # the child closed the terminal
            break
        if not chunk:
            break
        screen += chunk
    out = p.communicate(timeout=120)[0].decode()
    os.close(master)
    assert p.returncode == 0
    shown = screen.decode(errors="replace")
    assert "checking Θ's entries" in shown and "/1885" in shown  # 1625 + 260 entries
    verdict = out.splitlines()[-1]  # one line, however long, when stdout is a pipe
    assert "checking" not in out and verdict.startswith("PASSED (relative)")
    assert "Richardson over ε and ε/2" in verdict


def test_sample_is_seeded_and_reported_consistently():
    net, Theta, X, Y = debugging_network()
    G = coded_gradient(net, Theta, X, Y)
    runs = {s: gradcheck(net, Theta, X, Y, 0.0, entries=4, seed=s, gradient=G) for s in range(6)}
    assert gradcheck(net, Theta, X, Y, 0.0, entries=4, seed=3, gradient=G) == runs[3]
    wheres = set()
    for r in runs.values():
        for d in r["layers"]:
            cols = Theta[d["l"]].shape[1]
            n = (d["where"][0] - 1) * cols + d["where"][1]  # row-major number of (i, j)
            assert d["max_abs_difference"] == pytest.approx(1e-3 * (1 + n), abs=1e-9)
            wheres.add((d["l"], *d["where"]))
    assert len(wheres) > 2  # different seeds pick different entries
    full = gradcheck(net, Theta, X, Y, 0.0, gradient=G)
    assert [d["where"] for d in full["layers"]] == [[5, 3], [3, 5]]  # the last entry of each Θ


def test_pick_entries():
    shape = (5, 4)
    a = pick_entries(shape, 6, seeded(7))
    b = pick_entries(shape, 6, seeded(7))
    np.testing.assert_array_equal(a, b)
    assert a.shape == (6, 2)
    flat = a[:, 0] * 4 + a[:, 1]
    assert len(set(flat.tolist())) == 6 and flat.tolist() == sorted(flat.tolist())
    assert ((a >= 0) & (a < shape)).all()
    every = pick_entries(shape, None, seeded(0))
    assert [tuple(p) for p in every] == [(i, j) for i in range(5) for j in range(4)]
    draws = {tuple(pick_entries(shape, 6, seeded(s))[:, 0] * 4
                   + pick_entries(shape, 6, seeded(s))[:, 1]) for s in range(5)}
    assert len(draws) > 1


# --- ReLU kinks ---------------------------------------------------------------------------------

def test_relu_unit_exactly_at_the_kink_is_counted():
    net = Network((2, 3, 1), "relu", "sigmoid", "cross_entropy")
    X = np.array([[0.5, -0.25]])
    Theta = {1: np.array([[0.0, 0.4, 0.8],     # z_1^(2) = 0 + 0.5·0.4 − 0.25·0.8 = 0 exactly
                          [1.0, 1.0, 1.0],     # z_2^(2) = 1.25
                          [-1.0, 2.0, 0.5]]),  # z_3^(2) = −0.125
             2: np.array([[0.1, 0.5, -0.4, 0.3]])}
    z, _ = forward(net, Theta, X)
    assert z[2][0].tolist() == [0.0, 1.25, -0.125]
    assert relu_near_kink(net, Theta, X, 1e-4) == 1
    r = gradcheck(net, Theta, X, np.array([[1.0]]), 0.0)
    assert r["relu_near_kink"] == 1
    # within ε·(1 + max|a|) = 1.5e-4 of the kink a step of ε can cross it: counted
    Theta[1][0, 0] = 1e-4
    assert relu_near_kink(net, Theta, X, 1e-4) == 1
    # farther away: nothing counted
    Theta[1][0, 0] = 1e-3
    assert relu_near_kink(net, Theta, X, 1e-4) == 0
    assert relu_near_kink(net, Theta, X, 1e-2) == 1  # unless ε is that large
    # two examples, both on the kink: counted per example
    assert relu_near_kink(net, {1: Theta[1] * [[0, 1, 1], [1, 1, 1], [1, 1, 1]], 2: Theta[2]},
                          np.vstack([X, 2 * X]), 1e-4) == 2
    # a sigmoid network has no kink
    sig = Network((2, 3, 1))
    assert relu_near_kink(sig, {1: Theta[1] * 0, 2: Theta[2]}, X, 1e-4) == 0


# --- the CLI ------------------------------------------------------------------------------------

def test_cli_lecture_json_passes(nnbp_run):
    p = nnbp_run("gradcheck", "lecture", "--json")
    assert p.returncode == 0, p.stderr
    r = json.loads(p.stdout)  # stdout is the one JSON object
    assert {"relative_difference", "epsilon", "passed", "layers"} <= set(r)
    assert r["passed"] is True and r["criterion"] == "relative"
    assert r["epsilon"] == 1e-4
    assert 0 <= r["relative_difference"] < 1e-7
    assert [d["l"] for d in r["layers"]] == [1, 2, 3]
    for d in r["layers"]:
        assert 0 <= d["relative_difference"] < 1e-7
    # the same figure as the library on the same data
    net, Theta, X, Y = lecture()
    lib = gradcheck(net, Theta, X, Y, 0.0)
    assert r["relative_difference"] == pytest.approx(lib["relative_difference"], rel=1e-6)


def test_cli_digits_sample_passes(nnbp_run):
    p = nnbp_run("gradcheck", "digits", "--examples", "20", "--entries", "5")
    assert p.returncode == 0, p.stdout + p.stderr
    assert "sample" in p.stdout
    assert "20 examples" in p.stdout
    assert "5/1625" in p.stdout and "5/260" in p.stdout  # Θ^(1) 25×65, Θ^(2) 10×26
    assert "PASSED" in p.stdout and "FAILED" not in p.stdout


def test_cli_step_too_coarse_fails(nnbp_run):
    """ε = 0.3 on the lecture network: even Richardson's differences are far from the
    gradient (their O(ε⁴) error), over the rounding floor, and the relative figure is
    over the tolerance asked for: exit 1 and a verdict that says both."""
    p = nnbp_run("gradcheck", "lecture", "--epsilon", "0.3", "--tolerance", "1e-12")
    assert p.returncode == 1, p.stdout + p.stderr
    assert "Traceback" not in p.stderr
    verdict = " ".join(p.stdout.split()).split("FAILED: ")[1]
    assert verdict.startswith("‖num − grad‖ / ‖num + grad‖ = ")
    assert "≥ tolerance 1e-12" in verdict and "over the floor" in verdict
    r = json.loads(nnbp_run("gradcheck", "lecture", "--epsilon", "0.3", "--tolerance", "1e-12",
                            "--json").stdout)
    assert r["passed"] is False and r["criterion"] is None
    assert r["max_abs_difference_richardson"] > 1e3 * r["floor"]


def test_cli_examples_zero_is_a_usage_error(nnbp_run):
    p = nnbp_run("gradcheck", "lecture", "--examples", "0")
    assert p.returncode == 2, p.stdout + p.stderr
    assert p.stdout == ""
    lines = p.stderr.strip().splitlines()
    assert lines == ["Error: --examples 0: give 1 to 4, the training examples there are"]
    assert "Traceback" not in p.stderr


def test_cli_model_trained_to_its_minimum_passes(tmp_path, nnbp_run):
    """As a user meets it: a 30-input binary network trained for many epochs, then
    gradcheck at the trained weights.  The relative figure is over the tolerance
    (the gradient is tiny); the verdict passes on the floor and says so."""
    X, Y = binary_data()
    rows = [",".join(f"{v:.6f}" for v in x) + f",{'MB'[int(y)]}" for x, y in zip(X, Y[:, 0])]
    (tmp_path / "cells.csv").write_text(
        ",".join(f"f{k}" for k in range(30)) + ",diagnosis\n" + "\n".join(rows) + "\n")
    (tmp_path / "cells.yaml").write_text(
        "data: {train: cells.csv, target: diagnosis}\n"
        "network: {layers: [auto, 8, auto]}\n"
        "training: {epochs: 6000, learning_rate: 1.0, lambda: 1.0, log_every: 6000}\n")
    p = nnbp_run("train", "cells.yaml", "--out", "cells.npz", "--quiet")
    assert p.returncode == 0, p.stderr
    p = nnbp_run("gradcheck", "cells.yaml", "--model", "cells.npz", "--json")
    assert p.returncode == 0, p.stdout + p.stderr
    r = json.loads(p.stdout)
    assert r["relative_difference"] > r["tolerance"] == 1e-7
    assert r["passed"] is True and r["criterion"] == "floor"
    assert r["max_abs_difference_richardson"] <= r["floor"] < 1e-9
    table = nnbp_run("gradcheck", "cells.yaml", "--model", "cells.npz")
    assert table.returncode == 0
    verdict = " ".join(table.stdout.split()).split("PASSED (absolute floor): ")[1]
    assert f"{r['relative_difference']:.3e} is over the tolerance 1e-07" in verdict
    assert f"under the floor {r['floor']:.2g} that rounding in J leaves at ε = 0.0001" in verdict


# --- a check that cannot tell the gradient from zero is inconclusive, never passed ------------------

def test_float32_near_a_minimum_is_inconclusive(near_minimum):
    """The same trained weights in float32: the floor at ε = 1e-2 (3 · 8u · S / ε with
    u = 2^-24) is above every |D_ij|, so a gradient of zeros would pass it as well."""
    net, Theta, X, Y = near_minimum
    T32 = {l: t.astype(np.float32) for l, t in Theta.items()}
    X32, Y32 = X.astype(np.float32), Y.astype(np.float32)
    r = gradcheck(net, T32, X32, Y32, 1.0, epsilon=1e-2, tolerance=1e-3)
    assert r["unit_roundoff"] == 2.0 ** -24
    assert r["criterion"] == "floor" and r["verdict"] == "inconclusive" and r["passed"] is False
    for d in r["layers"]:
        assert d["resolved"] is False and d["max_abs_gradient"] < r["floor"]
    zeros = {l: np.zeros_like(t) for l, t in T32.items()}
    r0 = gradcheck(net, T32, X32, Y32, 1.0, epsilon=1e-2, tolerance=1e-3, gradient=zeros)
    assert r0["relative_difference"] == 1.0  # ‖num‖ / ‖num‖
    assert r0["passed"] is False and r0["verdict"] == "inconclusive"
    # in float64 the floor is far below the gradient: the same check decides
    r64 = gradcheck(net, Theta, X, Y, 1.0)
    assert r64["verdict"] == "passed" and r64["criterion"] == "floor"
    assert all(d["resolved"] for d in r64["layers"])
    assert r64["floor"] < 1e-3 * min(d["max_abs_gradient"] for d in r64["layers"])
    # and there a gradient of zeros fails
    zeros64 = {l: np.zeros_like(t) for l, t in Theta.items()}
    assert gradcheck(net, Theta, X, Y, 1.0, gradient=zeros64)["verdict"] == "failed"


def test_a_stationary_point_is_inconclusive():
    """Θ = 0 and two examples of opposite class: every a^(2) = ½ and h = ½, so
    δ^(3) = (−½, ½) sums to 0 in D^(2)'s columns (each a_j the same for both examples),
    δ^(2) = Θ^(2)ᵀ δ^(3) = 0, and the λ term vanishes with Θ: D = 0 exactly.  The
    differences are 0 too (J is even in each Θ_ij here), so ‖num − grad‖ / ‖num + grad‖
    is 0/0: nothing tells this D from a backprop that always returns zeros."""
    net = Network((1, 2, 1))
    Theta = {1: np.zeros((2, 2)), 2: np.zeros((1, 3))}
    X, Y = np.array([[1.0], [-1.0]]), np.array([[1.0], [0.0]])
    D = backprop(net, Theta, X, Y, 1.0).D
    assert all(not D[l].any() for l in D)
    r = gradcheck(net, Theta, X, Y, 1.0)
    assert r["relative_difference"] is None and r["gradient_norm"] == 0.0
    assert r["criterion"] == "floor" and r["verdict"] == "inconclusive" and r["passed"] is False


def float32_cells(tmp_path, nnbp_run):
    """The 30-input binary problem of the test below, trained in float32 to near its minimum."""
    X, Y = binary_data()
    rows = [",".join(f"{v:.6f}" for v in x) + f",{'MB'[int(y)]}" for x, y in zip(X, Y[:, 0])]
    (tmp_path / "cells.csv").write_text(
        ",".join(f"f{k}" for k in range(30)) + ",diagnosis\n" + "\n".join(rows) + "\n")
    (tmp_path / "cells32.yaml").write_text(
        "data: {train: cells.csv, target: diagnosis}\n"
        "network: {layers: [auto, 8, auto]}\n"
        "training: {epochs: 3000, learning_rate: 1.0, lambda: 1.0, log_every: 3000,"
        " dtype: float32}\n")
    p = nnbp_run("train", "cells32.yaml", "--out", "cells32.npz", "--quiet")
    assert p.returncode == 0, p.stderr


def test_cli_float32_model_near_its_minimum_is_inconclusive(tmp_path, nnbp_run):
    """A float32 model trained 3000 epochs: the float32 floor is above its gradient.
    INCONCLUSIVE, exit 1, and the fix; with --dtype float64 the same weights pass."""
    float32_cells(tmp_path, nnbp_run)
    p = nnbp_run("gradcheck", "cells32.yaml", "--model", "cells32.npz")
    assert p.returncode == 1, p.stdout + p.stderr
    assert "Traceback" not in p.stderr
    text = " ".join(p.stdout.split())
    assert "in float32" in text and "PASSED" not in text
    verdict = text.split("INCONCLUSIVE: ")[1]
    assert "is over the tolerance 0.001" in verdict and "under the floor" in verdict
    assert "a gradient of zeros there would pass as well" in verdict
    assert verdict.endswith("Check in float64, where rounding is 2^29 times finer: add --dtype "
                            "float64 (the same weights and data, J and D computed in float64).")
    r = json.loads(nnbp_run("gradcheck", "cells32.yaml", "--model", "cells32.npz",
                            "--json").stdout)
    assert r["verdict"] == "inconclusive" and r["passed"] is False and r["criterion"] == "floor"
    assert r["unit_roundoff"] == 2.0 ** -24 and r["epsilon"] == 1e-2
    assert r["floor"] > max(d["max_abs_gradient"] for d in r["layers"])
    p = nnbp_run("gradcheck", "cells32.yaml", "--model", "cells32.npz", "--dtype", "float64",
                 "--json")
    assert p.returncode == 0, p.stdout + p.stderr
    r64 = json.loads(p.stdout)
    assert r64["verdict"] == "passed" and r64["unit_roundoff"] == 2.0 ** -53
    assert r64["epsilon"] == 1e-4 and r64["tolerance"] == 1e-7  # float64's defaults
    assert r64["gradient_norm"] == pytest.approx(r["gradient_norm"], rel=1e-2)


def test_cli_inconclusive_in_float64_says_how_to_check(tmp_path, nnbp_run):
    """The stationary point above as a config (inline weights, no normalization)."""
    (tmp_path / "s.csv").write_text("x,label\n1,b\n-1,a\n")
    (tmp_path / "s.yaml").write_text(
        "data: {train: s.csv, target: label, normalize: none}\n"
        "network:\n  layers: [1, 2, 1]\n  init:\n    weights:\n"
        "      Theta1: [[0, 0], [0, 0]]\n      Theta2: [[0, 0, 0]]\n")
    p = nnbp_run("gradcheck", "s.yaml")
    assert p.returncode == 1, p.stdout + p.stderr
    text = " ".join(p.stdout.split())
    assert "INCONCLUSIVE: ‖num − grad‖ / ‖num + grad‖ = 0/0 (both are zero), which decides " \
           "nothing (‖grad‖ = 0)" in text
    assert text.endswith("A larger --epsilon lowers the floor (it is 3δJ/ε), or check where "
                         "the gradient is larger.")


def test_a_file_too_big_for_memory_says_what_gradcheck_can_do(nnbp_run, monkeypatch):
    monkeypatch.setenv("NNBP_MEMORY_AVAILABLE", "20000")
    p = nnbp_run("gradcheck", "iris")
    assert (p.returncode, p.stdout) == (2, "")
    assert p.stderr.endswith(". gradcheck reads the training file in memory: check on its "
                             "first rows instead (head -n 1001 FILE > first.csv, and "
                             "data.train: first.csv in a copy of the config), or set "
                             "NNBP_IGNORE_MEMORY_CHECK=1 to try anyway\n")
    assert "--stream" not in p.stderr
