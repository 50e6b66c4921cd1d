"""``gradcheck`` on ReLU networks: entries whose differences cross a kink.

J is not smooth where a ReLU pre-activation z crosses 0.  An entry whose
stencil (Θ_ij ± ε, ± ε/2) puts some z on the other side of 0 is checked again
at a smaller step that does not; an entry with a kink at its weight itself is
left out and named.  A wrong gradient still fails, kink or not.
"""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest

from nnbp.gradcheck import gradcheck
from nnbp.network import Network, backprop, cost, forward


def near_kink():
    """2-3-1, one example x = (2, 0.25): z_1^(2) = 5e-5, just right of the kink.

    A step s in Θ^(1)_1j moves z_1^(2) by s·a_j (a_0 = 1): at ε = 1e-4 the bias (1e-4)
    and x_1 (2e-4) carry it across 0, x_2 (2.5e-5) does not.  At ε/10 none does."""
    net = Network((2, 3, 1), "relu", "sigmoid", "cross_entropy")
    Theta = {1: np.array([[5e-5, 0.0, 0.0],
                          [1.0, 1.0, 1.0],      # z_2^(2) = 3.25
                          [-1.0, 0.2, 0.5]]),   # z_3^(2) = −0.475
             2: np.array([[0.1, 0.5, -0.4, 0.3]])}
    return net, Theta, np.array([[2.0, 0.25]]), np.array([[1.0]])


def test_entries_across_a_kink_are_checked_again_at_a_smaller_step():
    net, Theta, X, Y = near_kink()
    D = backprop(net, Theta, X, Y, 0.0).D
    # What the plain difference at ε sees for the bias entry: z_1^(2) from −5e-5 to
    # 1.5e-4, the unit on for three quarters of the way, so about 3/4 of the slope
    e = np.zeros_like(Theta[1])
    e[0, 0] = 1e-4
    plain = (cost(net, {1: Theta[1] + e, 2: Theta[2]}, X, Y, 0.0)
             - cost(net, {1: Theta[1] - e, 2: Theta[2]}, X, Y, 0.0)) / 2e-4
    assert plain == pytest.approx(0.75 * D[1][0, 0], rel=1e-3)

    r = gradcheck(net, Theta, X, Y, 0.0)
    assert r["verdict"] == "passed" and r["passed"] is True and r["criterion"] == "relative"
    assert r["relative_difference"] < 1e-9
    assert [d["kink_rechecked"] for d in r["layers"]] == [2, 0]
    assert r["layers"][0]["rechecked"] == [[1, 0], [1, 1]]  # (i, j) as on paper
    assert r["kink_rechecked"] == 2 and r["kink_epsilon"] == 1e-5
    assert r["kink_left_out"] == 0 and r["layers"][0]["left_out"] == []
    assert r["layers"][0]["max_abs_difference"] < 1e-9  # the bias entry's plain one was 0.19


def test_a_kink_past_the_next_layer_is_seen():
    """2-2-2-1, x = (1, 1): z^(2) = (1, 1), far from its kinks, but z_1^(3) = 3e-4 moves
    by 10 s for a step s in any Θ^(1) entry (Θ^(2)_11 = Θ^(2)_12 = 10): every Θ^(1)
    entry crosses it at ε = 1e-4, none at ε/10; Θ^(2) moves z_1^(3) by s alone."""
    net = Network((2, 2, 2, 1), "relu", "sigmoid", "cross_entropy")
    Theta = {1: np.array([[0.0, 1.0, 0.0], [0.0, 0.0, 1.0]]),
             2: np.array([[-20.0 + 3e-4, 10.0, 10.0], [0.5, 0.25, 0.25]]),
             3: np.array([[0.2, 0.3, -0.6]])}
    X, Y = np.array([[1.0, 1.0]]), np.array([[0.0]])
    z, _ = forward(net, Theta, X)
    assert z[2][0].tolist() == [1.0, 1.0]
    assert z[3][0, 0] == pytest.approx(3e-4, rel=1e-10)
    r = gradcheck(net, Theta, X, Y, 0.0)
    assert [d["kink_rechecked"] for d in r["layers"]] == [6, 0, 0]
    assert r["kink_epsilon"] == 1e-5
    assert r["passed"] is True and r["relative_difference"] < 1e-9


def at_the_kink():
    """z_1^(2) = 0.5·0.4 − 0.25·0.8 = 0 exactly: J has no derivative in Θ^(1)_1j."""
    net = Network((2, 3, 1), "relu", "sigmoid", "cross_entropy")
    Theta = {1: np.array([[0.0, 0.4, 0.8], [1.0, 1.0, 1.0], [-1.0, 2.0, 0.5]]),
             2: np.array([[0.1, 0.5, -0.4, 0.3]])}
    return net, Theta, np.array([[0.5, -0.25]]), np.array([[1.0]])


def test_entries_with_the_kink_at_their_weight_are_left_out_and_named():
    net, Theta, X, Y = at_the_kink()
    r = gradcheck(net, Theta, X, Y, 0.0)
    first = r["layers"][0]
    assert first["left_out"] == [[1, 0], [1, 1], [1, 2]]  # (i, j) as on paper
    assert first["kink_left_out"] == 3 and r["kink_left_out"] == 3
    assert first["entries"] == 9 and first["kink_rechecked"] == 0
    assert r["passed"] is True and r["relative_difference"] < 1e-9  # the other 10 entries


@pytest.mark.parametrize("entry", [(0, 0), (0, 1), (1, 2)])  # two across the kink, one not
def test_a_wrong_entry_of_a_relu_gradient_still_fails(entry):
    net, Theta, X, Y = near_kink()
    wrong = backprop(net, Theta, X, Y, 0.0).D
    wrong[1][entry] += 1e-6
    r = gradcheck(net, Theta, X, Y, 0.0, gradient=wrong)
    assert r["verdict"] == "failed" and r["passed"] is False and r["criterion"] is None
    assert r["layers"][0]["where"] == [entry[0] + 1, entry[1]]
    assert r["layers"][0]["max_abs_difference_richardson"] == pytest.approx(1e-6, rel=1e-4)


def test_a_random_relu_network_with_many_kinks():
    """A 4-12-12-3 ReLU/softmax network on 1000 examples: z near 0 here and there.  Its correct
    gradient passes, after checking again the entries whose differences cross a kink;
    an error of 1e-5 in one entry (‖D‖ is about 0.3) fails and is found, whether its
    differences crossed a kink or not."""
    rng = np.random.default_rng(5)
    net = Network((4, 12, 12, 3), "relu", "softmax", "cross_entropy")
    Theta = {l: rng.normal(scale=0.6, size=net.shape(l)) for l in (1, 2, 3)}
    X, Y = rng.normal(size=(1000, 4)), np.eye(3)[rng.integers(0, 3, 1000)]
    r = gradcheck(net, Theta, X, Y, 0.1)
    assert r["kink_rechecked"] >= 1 and r["kink_left_out"] == 0
    assert r["passed"] is True and r["relative_difference"] < 1e-7
    D = backprop(net, Theta, X, Y, 0.1).D
    kinked = [(d["l"], i - 1, j) for d in r["layers"] for i, j in d["rechecked"]]
    for l, i, j in [kinked[0], (1, 3, 2), (2, 7, 0), (3, 1, 12)]:
        wrong = {k: v.copy() for k, v in D.items()}
        wrong[l][i, j] -= 1e-5
        bad = gradcheck(net, Theta, X, Y, 0.1, gradient=wrong)
        assert bad["passed"] is False and bad["verdict"] == "failed"
        assert bad["layers"][l - 1]["where"] == [i + 1, j]


# --- the command line, as a new user meets it ---------------------------------------------------

RELU_IRIS = """\
data:
  train: {iris}
  target: species
network:
  layers: [auto, 10, auto]
  activation: relu
  output: softmax
training:
  epochs: 2000
  learning_rate: 0.3
  lambda: 0.1
"""


def test_cli_trained_relu_network_passes_and_says_what_was_done(tmp_path, nnbp_run):
    """The report: a ReLU iris network trained 2000 epochs, then gradcheck at its weights.
    Four entries' differences at ε = 1e-4 cross a kink; they are checked at 1e-5."""
    iris = Path(__file__).resolve().parent.parent / "datasets" / "iris.csv"
    (tmp_path / "relu_iris.yaml").write_text(RELU_IRIS.format(iris=iris))
    p = nnbp_run("train", "relu_iris.yaml", "--out", "ri.npz", "--quiet")
    assert p.returncode == 0, p.stderr
    p = nnbp_run("gradcheck", "relu_iris.yaml", "--model", "ri.npz")
    assert p.returncode == 0, p.stdout + p.stderr
    text = " ".join(p.stdout.split())
    assert "PASSED (relative)" in text and "FAILED" not in text and "Warning" not in p.stdout
    assert ("4 entries whose differences at ε = 0.0001 cross a ReLU kink" in text
            and "checked again at ε/10, ε/100 or ε/1000" in text
            and "(smallest used: 1e-05)" in text), text
    r = json.loads(nnbp_run("gradcheck", "relu_iris.yaml", "--model", "ri.npz", "--json").stdout)
    assert r["verdict"] == "passed" and r["kink_rechecked"] == 4 and r["kink_left_out"] == 0
    assert r["relative_difference"] < 1e-7


def test_cli_names_the_entries_left_out(tmp_path, nnbp_run):
    """Two examples on the kink of unit 1 (z_1^(2) = 0 for both): its three weights
    are left out, and the verdict lists them."""
    (tmp_path / "k.csv").write_text("x1,x2,label\n0.5,-0.25,b\n1.0,-0.5,a\n")
    (tmp_path / "k.yaml").write_text(
        "data: {train: k.csv, target: label, normalize: none}\n"
        "network:\n  layers: [2, 3, 1]\n  activation: relu\n  init:\n    weights:\n"
        "      Theta1: [[0.0, 0.4, 0.8], [1.0, 1.0, 1.0], [-1.0, 2.0, 0.5]]\n"
        "      Theta2: [[0.1, 0.5, -0.4, 0.3]]\n"
        "training: {lambda: 0}\n")
    p = nnbp_run("gradcheck", "k.yaml")
    assert p.returncode == 0, p.stdout + p.stderr
    text = " ".join(p.stdout.split())
    assert "6/9" in text  # entries of Θ^(1) compared
    assert ("3 entries left out, each with a ReLU kink within ε/1000 = 1e-07 of its weight, "
            "where J may have no derivative: Θ^(1) (1, 0), (1, 1), (1, 2)." in text), text
