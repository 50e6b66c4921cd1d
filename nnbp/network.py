"""The network as the lecture writes it: its shape, initial weights, forward
propagation, the cost J, and backpropagation of its gradient D, for a whole batch.

Each equation of docs/notation.md is one line here, named in a comment with the
shape of its result.  Per-layer values are dicts keyed by the layer's number, so
``delta[l]`` is δ^(l); the m examples are the rows of a matrix, so
``z[l + 1] = with_bias(a[l]) @ Theta[l].T`` is z^(l+1) = Θ^(l) [1; a^(l)] for every
example at once.

This is the reference: explain, gradcheck and the tests read it.  Training
runs the same equations faster in ``nnbp/engine/``, which is tested against it.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import NamedTuple

import numpy as np

from .activations import HIDDEN, OUTPUT
from .costs import COSTS

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


def with_bias(a: np.ndarray) -> np.ndarray:
    """[1; a]: each row with the bias unit's 1 in front.  (m, s + 1)"""
    return np.hstack([np.ones((a.shape[0], 1), a.dtype), a])


def without_bias(Theta_l: np.ndarray) -> np.ndarray:
    """Θ with its bias column (j = 0) set to 0: the part that λ regularizes."""
    return np.hstack([np.zeros((Theta_l.shape[0], 1), Theta_l.dtype), Theta_l[:, 1:]])


def forward(net: Network, Theta: Weights, X: np.ndarray) -> tuple[dict, dict]:
    """Forward propagation.  Returns (z, a): z[l] for l = 2 … L, a[l] for l = 1 … L."""
    return propagate(net, Theta, 1, X)  # a^(1) = x   (m, s_1)


def propagate(net: Network, Theta: Weights, k: int, a_k: np.ndarray) -> tuple[dict, dict]:
    """Forward propagation from layer k's a^(k) on: z[l] for l = k+1 … L, a[l] for l = k … L."""
    z, a = {}, {k: a_k}
    for l in range(k, net.L):
        z[l + 1] = with_bias(a[l]) @ Theta[l].T  # z^(l+1) = Θ^(l) [1; a^(l)]   (m, s_{l+1})
        a[l + 1] = net.g(l + 1).g(z[l + 1])  # a^(l+1) = g(z^(l+1))   (m, s_{l+1})
    return z, a


def forward_from(net: Network, Theta: Weights, k: int, z_k: np.ndarray) -> tuple[dict, dict]:
    """Forward propagation from a given z^(k) (k ≥ 2) on: cost(t) as a function of z^(k)."""
    z, a = propagate(net, Theta, k, net.g(k).g(z_k))  # a^(k) = g(z^(k))
    return {k: z_k, **z}, a


def example_costs(net: Network, z: dict, a: dict, Y: np.ndarray) -> np.ndarray:
    """cost(t) for every example t: the bracket of J, negated so that it is ≥ 0.  (m,)"""
    return COSTS[net.cost].fn(net.output, z[net.L], a[net.L], Y)


def regularization(Theta: Weights, lam: float, m: int) -> float:
    # (λ / 2m) Σ_l Σ_i Σ_{j≥1} (Θ^(l)_{ij})², the bias column j = 0 left out
    return lam / (2 * m) * sum(float(np.vdot(T[:, 1:], T[:, 1:])) for T in Theta.values())


def J_of(costs: float, m: int, Theta: Weights, lam: float) -> float:
    """J(Θ) = (1/m) Σ_t cost(t) + (λ/2m) Σ (Θ_{ij}, j ≥ 1)², from Σ_t cost(t)."""
    return costs / m + regularization(Theta, lam, m)


def D_of(Delta: Weights, m: int, Theta: Weights, lam: float) -> Weights:
    # D^(l) = Δ^(l)/m + (λ/m) Θ^(l), the bias column j = 0 not regularized
    return {l: Delta[l] / m + (lam / m) * without_bias(Theta[l]) for l in Delta}


def total_cost(net: Network, Theta: Weights, z: dict, a: dict, Y: np.ndarray, lam: float) -> float:
    """J(Θ) from a forward pass."""
    return J_of(float(example_costs(net, z, a, Y).sum()), Y.shape[0], Theta, lam)


def cost(net: Network, Theta: Weights, X: np.ndarray, Y: np.ndarray, lam: float) -> float:
    z, a = forward(net, Theta, X)
    return total_cost(net, Theta, z, a, Y, lam)


def output_delta(net: Network, z: dict, a: dict, Y: np.ndarray) -> np.ndarray:
    """δ^(L) = ∂cost(t)/∂z^(L): a^(L) − y, times g'(z^(L)) under squared error.  (m, s_L)"""
    return COSTS[net.cost].delta(net.output, z[net.L], a[net.L], Y)


class Backprop(NamedTuple):
    J: float  # J(Θ)
    D: Weights  # ∂J/∂Θ^(l)
    z: dict
    a: dict
    delta: dict  # δ^(l), l = 2 … L, one row per example


def backprop(net: Network, Theta: Weights, X: np.ndarray, Y: np.ndarray, lam: float) -> Backprop:
    """The cost J and its gradient D by backpropagation over the whole batch."""
    L, m = net.L, X.shape[0]
    z, a = forward(net, Theta, X)
    delta = {L: output_delta(net, z, a, Y)}  # δ^(L)   (m, s_L)
    for l in range(L - 1, 1, -1):
        # δ^(l) = (Θ^(l)ᵀ δ^(l+1))_{drop row 0} ⊙ g'(z^(l))   (m, s_l)
        delta[l] = (delta[l + 1] @ Theta[l])[:, 1:] * net.g(l).g_prime(z[l], a[l])
    # Δ^(l) = Σ_t δ^(l+1) [1; a^(l)]ᵀ   (s_{l+1}, s_l + 1)
    Delta = {l: delta[l + 1].T @ with_bias(a[l]) for l in range(1, L)}
    return Backprop(total_cost(net, Theta, z, a, Y, lam), D_of(Delta, m, Theta, lam), z, a, delta)


class UnitDeltas(NamedTuple):
    terms: np.ndarray  # Θ^(l)_{ij} δ_i^(l+1) at [t, j, i]   (m, s_l, s_{l+1})
    sums: np.ndarray  # Σ_i Θ^(l)_{ij} δ_i^(l+1)   (m, s_l)
    g_prime: np.ndarray  # g'(z^(l))   (m, s_l)
    delta: np.ndarray  # δ^(l)   (m, s_l)


def unit_deltas(net: Network, Theta: Weights, l: int, delta_next: np.ndarray, z: dict,
                a: dict) -> UnitDeltas:
    """δ^(l) (2 ≤ l < L) from δ^(l+1) unit by unit, as the lecture writes δ_j^(l), its parts
    kept; each sum is correctly rounded (math.fsum), so it is the sum of its terms as they are."""
    terms = Theta[l][:, 1:].T * delta_next[:, None, :]  # Θ^(l)_{ij} δ_i^(l+1), j ≥ 1
    sums = np.array([[math.fsum(t) for t in unit] for unit in terms])  # Σ_i Θ^(l)_{ij} δ_i^(l+1)
    g_prime = net.g(l).g_prime(z[l], a[l])  # g'(z^(l))
    return UnitDeltas(terms, sums, g_prime, sums * g_prime)  # δ_j^(l) = Σ_i … · g'(z_j^(l))


def example_gradients(delta_next: np.ndarray, a_l: np.ndarray) -> np.ndarray:
    """∂cost(t)/∂Θ^(l) = δ^(l+1) [1; a^(l)]ᵀ of each example t.  (m, s_{l+1}, s_l + 1)"""
    return delta_next[:, :, None] * with_bias(a_l)[:, None, :]


def predict_index(h: np.ndarray) -> np.ndarray:
    """The predicted class index of each row of h_Θ(x): a threshold at ½ for one
    output unit (binary), the largest output otherwise."""
    if h.shape[1] == 1:
        return (h[:, 0] >= 0.5).astype(np.intp)
    return h.argmax(axis=1)


def accuracy(h: np.ndarray, Y: np.ndarray) -> float:
    return float((predict_index(h) == predict_index(Y)).mean())
