"""The math of docs/notation.md on numbers: activations, costs, one network worked
by hand through a gradient descent epoch, numerical safety, and initialisation.
(Backprop against central differences is in test_gradients.py.)"""

from __future__ import annotations

import contextlib
import math
import warnings

import numpy as np
import pytest

from helpers.problems import make_run
from nnbp import network as nw
from nnbp.activations import HIDDEN, OUTPUT
from nnbp.costs import COSTS
from nnbp.training.descent import GradientDescent


@contextlib.contextmanager
def no_numpy_warnings():
    """Every warning numpy would print by default (overflow, divide, invalid) is an error.
    Underflow to 0 stays allowed: numpy ignores it by default and e^{-800} → 0 is right."""
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        with np.errstate(over="raise", divide="raise", invalid="raise"):
            yield


# --- activations -------------------------------------------------------------

def g_prime(name, z):
    act = HIDDEN[name]
    return act.g_prime(z, act.g(z))


def test_sigmoid_prime_at_zero_is_a_quarter():
    assert g_prime("sigmoid", np.array([0.0]))[0] == 0.25


def test_sigmoid_prime_course_values():
    gp = g_prime("sigmoid", np.array([-1, -0.5, 0, 0.5, 1.0]))
    np.testing.assert_allclose(gp, [0.196612, 0.235004, 0.250000, 0.235004, 0.196612], atol=5e-7)
    exact = [math.exp(-z) / (1 + math.exp(-z)) ** 2 for z in (-1, -0.5, 0, 0.5, 1.0)]
    np.testing.assert_allclose(gp, exact, rtol=1e-14)


@pytest.mark.parametrize("dtype,big", [(np.float64, 800.0), (np.float32, 100.0)])
def test_sigmoid_saturates_without_warnings(dtype, big):
    z = np.array([-big, big], dtype=dtype)  # e^{big} overflows in this dtype
    with no_numpy_warnings():
        a = HIDDEN["sigmoid"].g(z)
        gp = HIDDEN["sigmoid"].g_prime(z, a)
    assert a.dtype == dtype and a.tolist() == [0.0, 1.0] and gp.tolist() == [0.0, 0.0]


def test_softmax_rows_sum_to_one_for_huge_z():
    z = np.array([[1000.0, 1000.0, 999.0], [-1000.0, -1001.0, -1000.0], [1000.0, -1000.0, 0.0]])
    with no_numpy_warnings():
        h = OUTPUT["softmax"].g(z)
    np.testing.assert_allclose(h.sum(axis=1), 1.0, rtol=1e-15)
    e = math.e  # row 1: e^{z_k - 1000} = (1, 1, 1/e)
    np.testing.assert_allclose(h[0], [e / (2 * e + 1), e / (2 * e + 1), 1 / (2 * e + 1)], rtol=1e-15)
    assert h[2].tolist() == [1.0, 0.0, 0.0]


@pytest.mark.parametrize("name", ["sigmoid", "tanh", "relu"])
def test_hidden_derivative_matches_central_difference(name):
    z = np.array([-3.0, -1.2, -0.4, 0.3, 0.9, 2.5])  # no z near relu's kink at 0
    h = 1e-5
    num = (HIDDEN[name].g(z + h) - HIDDEN[name].g(z - h)) / (2 * h)
    np.testing.assert_allclose(g_prime(name, z), num, rtol=1e-9, atol=1e-12)


def test_relu_values_and_linear_output_derivative():
    z = np.array([-2.0, 0.0, 3.0])
    assert HIDDEN["relu"].g(z).tolist() == [0.0, 0.0, 3.0]
    assert g_prime("relu", z).tolist() == [0.0, 0.0, 1.0]  # g'(0) taken as 0
    assert OUTPUT["linear"].g_prime(z, z).tolist() == [1.0, 1.0, 1.0]


# --- costs, from their formulas in docs/notation.md ---------------------------

def naive_cost(output, cost, h, y):
    if cost == "squared_error":
        return 0.5 * ((h - y) ** 2).sum(axis=1)
    if output == "softmax":
        return -(y * np.log(h)).sum(axis=1)
    return -(y * np.log(h) + (1 - y) * np.log(1 - h)).sum(axis=1)


@pytest.mark.parametrize("output,cost", [("sigmoid", "cross_entropy"), ("softmax", "cross_entropy"),
                                         ("sigmoid", "squared_error"), ("linear", "squared_error")])
def test_example_cost_matches_notation_formula(output, cost):
    rng = np.random.default_rng(5)
    z = rng.normal(scale=2.0, size=(6, 3))
    y = np.eye(3)[rng.integers(0, 3, 6)]
    h = OUTPUT[output].g(z)
    np.testing.assert_allclose(COSTS[cost].fn(output, z, h, y), naive_cost(output, cost, h, y),
                               rtol=1e-13)


# --- a 2-2-1 network worked by hand --------------------------------------------
#
# x = (1, 2), y = 1, sigmoid everywhere, cross-entropy, λ = 0, α = 0.5.
#   Θ^(1) = [[ 1, 1, -1],        z^(2) = Θ^(1) [1; x] = (1 + 1 - 2, -2 + 0 + 2) = (0, 0)
#            [-2, 0,  1]]        a^(2) = g(0) = (0.5, 0.5),  g'(z^(2)) = (0.25, 0.25)
#   Θ^(2) = [[-1, 1.5, 0.5]]     z^(3) = -1 + 0.75 + 0.25 = 0,  a^(3) = h = 0.5
# J before = -log 0.5 = log 2.
# δ^(3) = a^(3) - y = -0.5
# δ^(2) = Θ^(2)_{1j} δ^(3) g'(z_j^(2)) = (1.5, 0.5)(-0.5)(0.25) = (-0.1875, -0.0625)
# D^(2) = δ^(3) [1; a^(2)]ᵀ = -0.5 (1, 0.5, 0.5) = [[-0.5, -0.25, -0.25]]
# D^(1) = δ^(2) [1; x]ᵀ = [[-0.1875, -0.1875, -0.375],
#                          [-0.0625, -0.0625, -0.125]]
# Θ := Θ - 0.5 D:
#   Θ^(1) = [[ 1.09375, 1.09375, -0.8125],     Θ^(2) = [[-0.75, 1.625, 0.625]]
#            [-1.96875, 0.03125,  1.0625]]
# J after: z^(2) = (1.09375 + 1.09375 - 1.625, -1.96875 + 0.03125 + 2.125) = (0.5625, 0.1875)
# (every number so far is exact in binary, so nnbp must hit them exactly)
#   a^(2) = (g(0.5625), g(0.1875)),  z^(3) = -0.75 + 1.625 a_1^(2) + 0.625 a_2^(2),
#   J = log(1 + e^{-z^(3)})   (evaluated with math.exp below)

HAND_NET = nw.Network((2, 2, 1), "sigmoid", "sigmoid", "cross_entropy")
HAND_X, HAND_Y = np.array([[1.0, 2.0]]), np.array([[1.0]])


def hand_theta():
    return {1: np.array([[1.0, 1.0, -1.0], [-2.0, 0.0, 1.0]]), 2: np.array([[-1.0, 1.5, 0.5]])}


def hand_cost_after():
    g = lambda t: 1 / (1 + math.exp(-t))  # noqa: E731
    z3 = -0.75 + 1.625 * g(0.5625) + 0.625 * g(0.1875)
    return math.log(1 + math.exp(-z3))


def test_hand_worked_backprop():
    bp = nw.backprop(HAND_NET, hand_theta(), HAND_X, HAND_Y, 0.0)
    assert bp.z[2].tolist() == [[0.0, 0.0]] and bp.a[3].tolist() == [[0.5]]
    assert bp.J == pytest.approx(math.log(2), rel=1e-15)
    assert bp.delta[3].tolist() == [[-0.5]]
    assert bp.delta[2].tolist() == [[-0.1875, -0.0625]]
    assert bp.D[2].tolist() == [[-0.5, -0.25, -0.25]]
    assert bp.D[1].tolist() == [[-0.1875, -0.1875, -0.375], [-0.0625, -0.0625, -0.125]]


def test_hand_worked_trainer_epoch_updates_theta():
    trainer = GradientDescent(make_run(HAND_NET, hand_theta(), HAND_X, HAND_Y), epochs=1,
                      learning_rate=0.5, lam=0.0)
    list(trainer)
    np.testing.assert_allclose(trainer.Theta[1], [[1.09375, 1.09375, -0.8125],
                                                  [-1.96875, 0.03125, 1.0625]], rtol=0, atol=1e-12)
    np.testing.assert_allclose(trainer.Theta[2], [[-0.75, 1.625, 0.625]], rtol=0, atol=1e-12)
    assert hand_theta()[1][0, 0] == 1.0  # the Run's initial weights are not touched


def test_hand_worked_log_rows_are_costs_before_and_after_the_update():
    trainer = GradientDescent(make_run(HAND_NET, hand_theta(), HAND_X, HAND_Y), epochs=1,
                      learning_rate=0.5, lam=0.0)
    rows = [step.row for step in trainer]
    assert [r["epoch"] for r in rows] == [0, 1]
    assert rows[0]["cost"] == pytest.approx(math.log(2), rel=1e-12)
    assert rows[1]["cost"] == pytest.approx(hand_cost_after(), rel=1e-12)
    assert trainer.cost == rows[1]["cost"] and trainer.epochs_done == 1


# --- numerical safety ---------------------------------------------------------

def saturated_problem(output):
    # x = 1, z^(2) = 1000 so a^(2) = 1 exactly; z^(3) = (1000, -1000), h = (1, 0) exactly,
    # and y = (0, 1) is as wrong as it gets: cost(t) = 1000 + 1000 = 2000, not -log 0 = ∞.
    net = nw.Network((1, 1, 2), "sigmoid", output, "cross_entropy")
    Theta = {1: np.array([[0.0, 1000.0]]), 2: np.array([[0.0, 1000.0], [0.0, -1000.0]])}
    return net, Theta, np.array([[1.0]]), np.array([[0.0, 1.0]])


@pytest.mark.parametrize("output", ["sigmoid", "softmax"])
def test_saturated_output_gives_finite_cost_and_gradient(output):
    net, Theta, X, Y = saturated_problem(output)
    with no_numpy_warnings():
        bp = nw.backprop(net, Theta, X, Y, 0.0)
        right = nw.cost(net, Theta, X, 1 - Y, 0.0)
    assert bp.J == pytest.approx(2000.0, rel=1e-15)
    assert right == 0.0  # h = y exactly
    assert bp.delta[3].tolist() == [[1.0, -1.0]]  # δ^(L) = a - y
    assert all(np.isfinite(D).all() for D in bp.D.values())


def test_training_a_saturated_network_stays_finite_without_warnings():
    net, Theta, X, Y = saturated_problem("sigmoid")
    trainer = GradientDescent(make_run(net, Theta, X, Y), epochs=5, learning_rate=0.5, lam=1.0)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        costs = [step.cost for step in trainer]
    assert len(costs) == 6 and all(math.isfinite(J) for J in costs)
    assert not trainer.diverged and costs[-1] < costs[0]


def xor_problem(dtype):
    X = np.array([[0, 0], [0, 1], [1, 0], [1, 1]] * 2, dtype=dtype)
    Y = np.array([[0], [1], [1], [0]] * 2, dtype=dtype)
    return X, Y


def test_float32_training_stays_float32_and_matches_float64():
    net = nw.Network((2, 4, 1), "tanh", "sigmoid", "cross_entropy")
    Theta32 = nw.random_weights(net, seed=7, epsilon=1.0, dtype=np.float32)
    trainers = {}
    for dtype in (np.float32, np.float64):
        X, Y = xor_problem(dtype)
        Theta = {l: T.astype(dtype) for l, T in Theta32.items()}  # the same start
        trainers[dtype] = GradientDescent(make_run(net, Theta, X, Y), epochs=200, learning_rate=1.0, lam=0.1)
        list(trainers[dtype])
    t32, t64 = trainers[np.float32], trainers[np.float64]
    assert all(T.dtype == np.float32 for T in t32.Theta.values())
    bp = nw.backprop(net, t32.Theta, *xor_problem(np.float32), 0.1)
    arrays = [*bp.z.values(), *bp.a.values(), *bp.delta.values(), *bp.D.values()]
    assert all(A.dtype == np.float32 for A in arrays)
    assert t64.cost < 0.5 * math.log(2) and t64.accuracy == 1.0  # it learned XOR
    assert t32.cost == pytest.approx(t64.cost, rel=1e-4)


def diverging_problem():
    net = nw.Network((2, 3, 1), "sigmoid", "linear", "squared_error")
    rng = np.random.default_rng(0)
    return net, nw.random_weights(net, seed=0), 3 * rng.normal(size=(6, 2)), rng.normal(size=(6, 1))


def test_divergence_keeps_the_last_finite_weights():
    net, Theta, X, Y = diverging_problem()
    alpha = 50.0
    trainer = GradientDescent(make_run(net, Theta, X, Y), epochs=1000, learning_rate=alpha, lam=0.0)
    steps = list(trainer)
    assert trainer.diverged and len(steps) < 1000
    # the same descent by hand: the weights of the last finite cost
    T, last, J_last = Theta, None, None
    with np.errstate(all="ignore"):
        while True:
            J, D = nw.backprop(net, T, X, Y, 0.0)[:2]
            if not math.isfinite(J):
                break
            last, J_last = T, J
            T = {l: T[l] - alpha * D[l] for l in T}
    assert all(np.isfinite(W).all() for W in trainer.Theta.values())
    assert all(np.array_equal(trainer.Theta[l], last[l]) for l in last)
    assert trainer.cost == J_last == steps[-1].cost
    assert trainer.epochs_done == steps[-1].epoch == len(steps) - 1


def test_non_finite_cost_at_epoch_zero_keeps_the_initial_weights(monkeypatch):
    # uninitialized buffers may hold anything; make that visible as NaN
    empty_like = np.empty_like
    monkeypatch.setattr(np, "empty_like", lambda *a, **k: np.full_like(empty_like(*a, **k), np.nan))
    net, Theta, X, Y = diverging_problem()
    Theta = {l: T * 1e300 for l, T in Theta.items()}  # J(Θ) overflows before any update
    trainer = GradientDescent(make_run(net, Theta, X, Y), epochs=3, learning_rate=0.1, lam=0.0)
    assert list(trainer) == [] and trainer.diverged
    assert all(np.array_equal(trainer.Theta[l], Theta[l]) for l in Theta)


# --- random initialisation ----------------------------------------------------

def test_init_epsilon_of_the_course_network():
    assert nw.init_epsilon(400, 25) == pytest.approx(0.1188, abs=5e-5)
    assert round(nw.init_epsilon(400, 25), 2) == 0.12
    assert nw.init_epsilon(3, 3) == 1.0  # √6 / √6


def test_random_weights_are_uniform_within_epsilon():
    net = nw.Network((400, 25, 10))
    Theta = nw.random_weights(net, seed=0)
    for l, T in Theta.items():
        eps = math.sqrt(6) / math.sqrt(net.s(l) + net.s(l + 1))
        assert T.shape == net.shape(l) and T.dtype == np.float64
        assert np.abs(T).max() <= eps
    T1, eps1 = Theta[1], nw.init_epsilon(400, 25)  # 25 × 401 draws
    assert T1.min() < -0.99 * eps1 and T1.max() > 0.99 * eps1
    assert abs(T1.mean()) < 0.02 * eps1
    assert T1.std() == pytest.approx(eps1 / math.sqrt(3), rel=0.03)  # uniform: σ = ε/√3


def test_random_weights_same_seed_same_weights_other_seed_other_weights():
    net = nw.Network((4, 5, 3))
    a, b, c = (nw.random_weights(net, seed=s) for s in (11, 11, 12))
    assert all(np.array_equal(a[l], b[l]) for l in a)
    assert all(not np.any(a[l] == c[l]) for l in a)


def test_random_weights_explicit_epsilon_and_dtype():
    net = nw.Network((4, 5, 3))
    Theta = nw.random_weights(net, seed=1, epsilon=0.01, dtype=np.float32)
    assert all(T.dtype == np.float32 and np.abs(T).max() <= np.float32(0.01) for T in Theta.values())
