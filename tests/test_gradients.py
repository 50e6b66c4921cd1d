"""Backpropagation against an independent oracle: central differences of J.

The numerical gradient is Richardson-extrapolated, (4·C(ε/2) - C(ε)) / 3 with
C(ε) the two-sided difference, so its own error is O(ε⁴) ≈ 1e-12 and the bound
‖num - grad‖ / ‖num + grad‖ < 1e-9 (docs/notation.md) has room to spare.
"""

from __future__ import annotations

import math

import numpy as np
import pytest

from helpers.problems import ACTIVATIONS, PAIRS, random_problem
from nnbp import network as nw
from nnbp.activations import HIDDEN
from nnbp.costs import COSTS
from nnbp.engine.in_memory import InMemory

EPS = 1e-3  # Richardson: the extrapolated error is O(EPS⁴)
TOL = 1e-9  # docs/notation.md, "Checking the gradient"


def relu_pattern(net, Theta, X):
    """Which hidden units are on: unchanged over a difference stencil means no kink crossed."""
    z, _ = nw.forward(net, Theta, X)
    return [z[l] > 0 for l in range(2, net.L)]


def numerical_gradient(net, Theta, X, Y, lam):
    def J(l, idx, h):
        P = {k: T.copy() for k, T in Theta.items()}
        P[l][idx] += h
        if net.activation == "relu":  # the stencil must stay on one side of every kink
            assert all(np.array_equal(p, q) for p, q in
                       zip(relu_pattern(net, P, X), relu_pattern(net, Theta, X)))
        return nw.cost(net, P, X, Y, lam)

    def central(l, idx, h):
        return (J(l, idx, h) - J(l, idx, -h)) / (2 * h)

    return {l: np.array([(4 * central(l, idx, EPS / 2) - central(l, idx, EPS)) / 3
                         for idx in np.ndindex(T.shape)]).reshape(T.shape)
            for l, T in Theta.items()}


def relative_difference(num, grad):
    n = np.concatenate([num[l].ravel() for l in sorted(num)])
    g = np.concatenate([grad[l].ravel() for l in sorted(grad)])
    return np.linalg.norm(n - g) / np.linalg.norm(n + g)


ENGINES = {  # how the gradient is computed: the reference, or the engine's executor
    "reference": None,  # nnbp/network.py, the whole batch at once
    "engine-one-block": dict(threads=1, rows=None),
    # three shares of the 7 examples on three threads, each in blocks of at most 2 rows
    # and sub-blocks of 1 row, as training splits a large batch
    "engine-three-threads": dict(threads=3, rows=2),
}


def engine_gradient(net, Theta, X, Y, lam, threads, rows):
    executor = InMemory(net, {"train": (nw.with_bias(X), Y)}, classify=True, threads=threads,
                        rows=rows)
    return executor.sums(Theta).gradient(Theta, lam)


@pytest.mark.parametrize("engine", list(ENGINES))
@pytest.mark.parametrize("lam", [0.0, 0.7], ids=["lam0", "lam0.7"])
@pytest.mark.parametrize("output,cost", PAIRS, ids=[f"{o}-{c}" for o, c in PAIRS])
@pytest.mark.parametrize("activation", ACTIVATIONS)
def test_backprop_matches_central_differences(activation, output, cost, lam, engine, monkeypatch):
    monkeypatch.setattr("nnbp.engine.kernel.CACHE_ELEMENTS", 6)  # widest [0; z] is 6: one row
    net = nw.Network((3, 5, 4, 3), activation, output, cost)
    Theta = nw.random_weights(net, seed=1, epsilon=1.0)
    X, Y = random_problem(output)
    z, _ = nw.forward(net, Theta, X)
    assert min(np.abs(z[l]).min() for l in (2, 3)) > 1e-3  # away from relu's kink
    if activation == "relu":  # both sides of the kink are exercised
        assert all(p.any() and not p.all() for p in relu_pattern(net, Theta, X))
    if ENGINES[engine] is None:
        grad = nw.backprop(net, Theta, X, Y, lam).D
    else:
        grad = engine_gradient(net, Theta, X, Y, lam, **ENGINES[engine])
    assert relative_difference(numerical_gradient(net, Theta, X, Y, lam), grad) < TOL


def test_backprop_cost_is_network_cost():
    net = nw.Network((3, 5, 4, 3), "tanh", "softmax", "cross_entropy")
    Theta = nw.random_weights(net, seed=2, epsilon=1.0)
    X, Y = random_problem("softmax")
    assert nw.backprop(net, Theta, X, Y, 0.7).J == nw.cost(net, Theta, X, Y, 0.7)


@pytest.mark.parametrize("output,cost", PAIRS, ids=[f"{o}-{c}" for o, c in PAIRS])
def test_bias_column_is_not_regularized(output, cost):
    net = nw.Network((3, 5, 4, 3), "sigmoid", output, cost)
    Theta = nw.random_weights(net, seed=3, epsilon=1.0)
    X, Y = random_problem(output)
    lam, m = 2.5, len(X)
    D_lam = nw.backprop(net, Theta, X, Y, lam).D
    D_0 = nw.backprop(net, Theta, X, Y, 0.0).D
    for l in Theta:
        diff = D_lam[l] - D_0[l]
        assert np.all(diff[:, 0] == 0.0)  # exactly: j = 0 gets no λ term
        np.testing.assert_allclose(diff[:, 1:], lam / m * Theta[l][:, 1:], rtol=1e-12, atol=1e-15)


def test_regularization_term_of_cost_leaves_out_bias():
    net = nw.Network((3, 5, 4, 3), "sigmoid", "sigmoid", "cross_entropy")
    Theta = nw.random_weights(net, seed=4, epsilon=1.0)
    X, Y = random_problem("sigmoid")
    lam, m = 2.5, len(X)
    squares = sum(float((T[:, 1:] ** 2).sum()) for T in Theta.values())
    extra = nw.cost(net, Theta, X, Y, lam) - nw.cost(net, Theta, X, Y, 0.0)
    assert extra == pytest.approx(lam / (2 * m) * squares, rel=1e-12)


# --- the course's debugging network (docs/notation.md) -----------------------

def debug_matrix(rows, cols):
    """sin(1), sin(2), … / 10 filled column-major, as the course's debugInitializeWeights."""
    return np.sin(np.arange(1, rows * cols + 1)).reshape((rows, cols), order="F") / 10


def debug_problem():
    net = nw.Network((3, 5, 3), "sigmoid", "sigmoid", "cross_entropy")
    Theta = {1: debug_matrix(5, 4), 2: debug_matrix(3, 6)}
    X = debug_matrix(5, 3)
    y = [1 + t % 3 for t in range(1, 6)]  # 2, 3, 1, 2, 3
    Y = np.eye(3)[np.array(y) - 1]  # one-hot over classes 1, 2, 3
    return net, Theta, X, Y


def test_debug_network_is_filled_column_major():
    _, Theta, X, Y = debug_problem()
    assert Theta[1][1, 0] == math.sin(2) / 10 and Theta[1][0, 1] == math.sin(6) / 10
    assert Theta[2].shape == (3, 6) and X.shape == (5, 3)
    assert Y.argmax(axis=1).tolist() == [1, 2, 0, 1, 2]


@pytest.mark.parametrize("lam", [0.0, 3.0])
def test_debug_network_gradient(lam):
    net, Theta, X, Y = debug_problem()
    grad = nw.backprop(net, Theta, X, Y, lam).D
    assert relative_difference(numerical_gradient(net, Theta, X, Y, lam), grad) < TOL


def loop_cost(Theta, X, Y, lam):
    """J(Θ) of docs/notation.md with sigmoid units, one example and one unit at a time."""
    Theta = {l: T.tolist() for l, T in Theta.items()}
    m, total = len(X), 0.0
    for x, y in zip(X.tolist(), Y.tolist()):
        a = x  # a^(1) = x
        for l in sorted(Theta):  # a^(l+1)_i = g(Θ_i0 + Σ_j Θ_ij a^(l)_j)
            a = [1 / (1 + math.exp(-(row[0] + sum(w * aj for w, aj in zip(row[1:], a)))))
                 for row in Theta[l]]
        total += -sum(yk * math.log(hk) + (1 - yk) * math.log(1 - hk) for yk, hk in zip(y, a))
    reg = sum(w * w for T in Theta.values() for row in T for w in row[1:])  # j ≥ 1 only
    return total / m + lam / (2 * m) * reg


# J of the debugging network, from loop_cost and nw.cost (agreeing to 1e-15)
DEBUG_J = {0.0: 2.100950569902465, 3.0: 2.146359815024358}


@pytest.mark.parametrize("lam", [0.0, 3.0])
def test_debug_network_cost(lam):
    net, Theta, X, Y = debug_problem()
    J_loop = loop_cost(Theta, X, Y, lam)
    J = nw.cost(net, Theta, X, Y, lam)
    assert J == pytest.approx(J_loop, rel=1e-12)
    assert J_loop == pytest.approx(DEBUG_J[lam], rel=1e-12)
    assert J == pytest.approx(DEBUG_J[lam], rel=1e-12)


def test_grid_covers_every_sensible_pairing():
    """Every hidden activation and every (output, cost) pair the tables allow is checked."""
    assert {(o, c) for c, spec in COSTS.items() for o in spec.outputs} == set(PAIRS)
    assert set(HIDDEN) == set(ACTIVATIONS)
