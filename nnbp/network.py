"""The network: its shape, initial weights, forward propagation, the cost J,
and backpropagation of its gradient D, vectorized over the whole batch.

Layers are numbered 1 … L as in the course; per-layer values are dicts keyed
by that number (see the notation in ``nnbp/__init__.py``).  Training passes a
``Workspace`` so that every epoch writes into the same buffers; without one,
each call allocates its own.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import NamedTuple

import numpy as np

from .activations import HIDDEN, OUTPUT
from .costs import COSTS
from .workspace import Workspace

Weights = dict[int, np.ndarray]  # Theta[l], l = 1 … L-1


@dataclass(frozen=True)
class Network:
    sizes: tuple[int, ...]  # (s_1, …, s_L)
    activation: str = "sigmoid"  # hidden g
    output: str = "sigmoid"
    cost: str = "cross_entropy"

    @property
    def L(self) -> int:
        return len(self.sizes)

    def s(self, l: int) -> int:
        return self.sizes[l - 1]  # s_l, with l counted from 1 as on paper

    def shape(self, l: int) -> tuple[int, int]:
        return (self.s(l + 1), self.s(l) + 1)  # Θ^(l): s_{l+1} × (s_l + 1)

    def g(self, l: int):
        """The activation of layer l (2 … L)."""
        return OUTPUT[self.output] if l == self.L else HIDDEN[self.activation]


def init_epsilon(s_in: int, s_out: int) -> float:
    return math.sqrt(6.0) / math.sqrt(s_in + s_out)  # ε = √6 / √(s_l + s_{l+1})


def random_weights(net: Network, seed: int, epsilon: float | None = None,
                   dtype=np.float64) -> Weights:
    """Θ^(l) uniform in [-ε, ε], drawn in layer order from one seeded generator."""
    rng = np.random.default_rng(seed)
    Theta: Weights = {}
    for l in range(1, net.L):
        eps = init_epsilon(net.s(l), net.s(l + 1)) if epsilon is None else epsilon
        Theta[l] = rng.uniform(-eps, eps, size=net.shape(l)).astype(dtype, copy=False)
    return Theta


def forward(net: Network, Theta: Weights, X: np.ndarray, ws: Workspace | None = None):
    """Forward propagation.  Returns (z, a): z[l] for l = 2 … L, a[l] for l = 1 … L."""
    ws = ws or Workspace(net, X.shape[0], X.dtype, backward=False)
    ws.A1(X)
    ws.each_share(lambda k: _forward_share(net, Theta, ws, k))
    return ws.z, {1: X, **ws.a}  # a^(1) = x


def _forward_share(net: Network, Theta: Weights, ws: Workspace, k: int) -> None:
    rows, L = ws.shares[k], net.L
    A = {1: ws.X1, **ws.A}  # [1; a^(l)], the bias unit's 1 in column 0   (m, s_l + 1)
    for l in range(1, L):
        np.matmul(A[l][rows], Theta[l].T, out=ws.z[l + 1][rows])  # z^(l+1) = Θ^(l) [1; a^(l)]
        g = net.g(l + 1).g
        for b in ws.blocks[k]:
            if l + 1 == L:
                g(ws.z[L][b], out=ws.a[L][b])
            else:  # a^(l+1) = g(z^(l+1)), on whole rows of [0; z] into [1; a], then the 1 back
                g(ws.Z[l + 1][b], out=A[l + 1][b])
                A[l + 1][b, 0] = 1.0


def regularization(Theta: Weights, lam: float, m: int) -> float:
    # (λ / 2m) Σ_l Σ_i Σ_{j≥1} (Θ^(l)_{ij})², the bias column j = 0 left out
    return lam / (2 * m) * sum(float(np.vdot(T[:, 1:], T[:, 1:])) for T in Theta.values())


def example_costs(net: Network, z: dict, a: dict, Y: np.ndarray) -> np.ndarray:
    """cost(t) for every example t: the bracket of J, negated so that it is ≥ 0.  (m,)"""
    return COSTS[net.cost].fn(net.output, z[net.L], a[net.L], Y)


def total_cost(net: Network, Theta: Weights, z: dict, a: dict, Y: np.ndarray, lam: float) -> float:
    """J(Θ) = (1/m) Σ_t cost(t) + (λ/2m) Σ (Θ_{ij}, j ≥ 1)², from a forward pass."""
    m = Y.shape[0]
    return float(example_costs(net, z, a, Y).sum()) / m + regularization(Theta, lam, m)


def cost(net: Network, Theta: Weights, X: np.ndarray, Y: np.ndarray, lam: float) -> float:
    z, a = forward(net, Theta, X)
    return total_cost(net, Theta, z, a, Y, lam)


class Backprop(NamedTuple):
    D: Weights  # ∂J/∂Θ^(l)
    z: dict
    a: dict
    delta: dict  # δ^(l), l = 2 … L, one row per example


def gradient(net: Network, Theta: Weights, X: np.ndarray, Y: np.ndarray, lam: float,
             ws: Workspace | None = None) -> Backprop:
    """The gradient D by backpropagation over the whole batch (the cost is left to
    ``total_cost``, so that training computes it only on the epochs that log it)."""
    L, m = net.L, X.shape[0]
    ws = ws or Workspace(net, m, X.dtype)
    X1, T = ws.A1(X), ws.shared(Theta)

    def share(k: int) -> None:
        _forward_share(net, T, ws, k)
        _backward_share(net, T, Y, ws, k)
    ws.each_share(share, key=(net, X1, Y))  # what share reads besides ws and T
    D = ws.D
    for l in range(1, L):
        for Delta in ws.Delta[1:]:  # Δ^(l) = Σ_t δ^(l+1) [1; a^(l)]ᵀ, summed over the shares
            D[l] += Delta[l]
        D[l] /= m  # D = Δ/m, plus (λ/m) Θ for j ≥ 1 (the bias column is not regularized)
        D[l][:, 1:] += (lam / m) * Theta[l][:, 1:]
    return Backprop(D, ws.z, {1: X, **ws.a}, ws.delta)


def _backward_share(net: Network, Theta: Weights, Y: np.ndarray, ws: Workspace, k: int) -> None:
    rows, L = ws.shares[k], net.L
    A, delta = {1: ws.X1, **ws.A}, ws.delta  # [1; a^(l)] as forward left them
    COSTS[net.cost].delta(net.output, ws.z[L][rows], ws.a[L][rows], Y[rows],
                          out=delta[L][rows])  # δ^(L)  (m, s_L)
    for l in range(L - 1, 1, -1):
        # δ^(l) = (Θ^(l)ᵀ δ^(l+1))_{drop row 0} ⊙ g'(z^(l)); dropping row 0 of the
        # product is the same as using Θ^(l) without its bias column.
        np.matmul(delta[l + 1][rows], Theta[l][:, 1:], out=delta[l][rows])  # (m, s_l)
        g_prime = net.g(l).g_prime
        for b in ws.blocks[k]:  # g' on whole rows of [0; z] and [1; a], column 0 left out
            d = delta[l][b]
            n = d.shape[0] * (d.shape[1] + 1)
            gp = g_prime(ws.Z[l][b], A[l][b], out=ws.scratch[k][:n].reshape(d.shape[0], -1))
            d *= gp[:, 1:]
    for l in range(1, L):  # this share's Δ^(l) = Σ_t δ^(l+1) [1; a^(l)]ᵀ
        np.matmul(delta[l + 1][rows].T, A[l][rows], out=ws.Delta[k][l])


class CostAndGradient(NamedTuple):
    J: float
    D: Weights
    z: dict
    a: dict
    delta: dict


def backprop(net: Network, Theta: Weights, X: np.ndarray, Y: np.ndarray, lam: float,
             ws: Workspace | None = None) -> CostAndGradient:
    """The cost J and its gradient D."""
    D, z, a, delta = gradient(net, Theta, X, Y, lam, ws)
    return CostAndGradient(total_cost(net, Theta, z, a, Y, lam), D, z, a, delta)


def predict_index(h: np.ndarray) -> np.ndarray:
    """The predicted class index of each row of h_Θ(x): a threshold at ½ for one
    output unit (binary), the largest output otherwise."""
    if h.shape[1] == 1:
        return (h[:, 0] >= 0.5).astype(np.intp)
    return h.argmax(axis=1)


def accuracy(h: np.ndarray, Y: np.ndarray) -> float:
    return float((predict_index(h) == predict_index(Y)).mean())
