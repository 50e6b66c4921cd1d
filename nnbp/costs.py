"""Costs, looked up by their YAML name.  Each has one interface (as in
Nielsen's network2.py): ``fn`` the per-example cost(t) and ``delta`` the output
error δ^(L) = ∂cost(t)/∂z^(L).  Both take z as well as a, so that the logs are
computed from z and stay finite when a sigmoid saturates to exactly 0 or 1.
"""

from __future__ import annotations

from typing import Callable, NamedTuple

import numpy as np

from .activations import OUTPUT


def _log_sum_exp(z: np.ndarray) -> np.ndarray:
    zmax = z.max(axis=1, keepdims=True)
    return (zmax + np.log(np.exp(z - zmax).sum(axis=1, keepdims=True)))[:, 0]  # (m,)


def cross_entropy_fn(output: str, z: np.ndarray, a: np.ndarray, y: np.ndarray) -> np.ndarray:
    if output == "softmax":
        # cost(t) = -Σ_k y_k log h_k, with log h_k = z_k - log Σ_j e^{z_j}
        return _log_sum_exp(z) * y.sum(axis=1) - (y * z).sum(axis=1)
    # sigmoid: cost(t) = -Σ_k [y_k log h_k + (1 - y_k) log(1 - h_k)]
    # log h = -softplus(-z) and log(1 - h) = -softplus(z), so the bracket is
    # softplus(z) - y z, with softplus(z) = log(1 + e^z) = logaddexp(0, z).
    return (np.logaddexp(0.0, z) - y * z).sum(axis=1)


def cross_entropy_delta(output: str, z: np.ndarray, a: np.ndarray, y: np.ndarray,
                        out: np.ndarray | None = None) -> np.ndarray:
    # δ^(L) = a^(L) - y: holds for cross-entropy with a sigmoid output (one-vs-all)
    # and with a softmax output; the g'(z) of the output cancels against the log.
    return np.subtract(a, y, out=out)


def squared_error_fn(output: str, z: np.ndarray, a: np.ndarray, y: np.ndarray) -> np.ndarray:
    r = a - y
    return 0.5 * (r * r).sum(axis=1)  # cost(t) = ½ Σ_k (h_k - y_k)²


def squared_error_delta(output: str, z: np.ndarray, a: np.ndarray, y: np.ndarray,
                        out: np.ndarray | None = None) -> np.ndarray:
    # δ^(L) = (a^(L) - y) ⊙ g_out'(z^(L)), for an elementwise output (sigmoid, linear)
    out = np.subtract(a, y, out=out)
    out *= OUTPUT[output].g_prime(z, a)
    return out


class Cost(NamedTuple):
    fn: Callable[[str, np.ndarray, np.ndarray, np.ndarray], np.ndarray]  # cost(t), (m,)
    delta: Callable[..., np.ndarray]  # δ^(L) = ∂cost(t)/∂z^(L), (m, K); out= optional
    outputs: tuple[str, ...]  # the output activations it pairs with
    formula: str


COSTS: dict[str, Cost] = {
    "cross_entropy": Cost(
        cross_entropy_fn, cross_entropy_delta, ("sigmoid", "softmax"),
        "-Σ_k [y_k log h_k + (1 - y_k) log(1 - h_k)]",
    ),
    "squared_error": Cost(
        squared_error_fn, squared_error_delta, ("sigmoid", "linear"),
        "½ Σ_k (h_k - y_k)²",
    ),
}
