"""explain's check: beside each δ_j^(l) = ∂cost/∂z_j^(l), a finite difference of
cost(t) in z_j^(l): central differences at ε and ε/2, combined by Richardson
extrapolation (error O(ε⁴)).  cost(t) is computed to about δcost = ROUNDINGS · u · S
(nnbp/gradcheck.py), so the difference resolves ∂cost/∂z to 3δcost/ε at best: a δ
within that of the difference agrees, and one that is itself below it cannot be
told from 0 at this ε.
"""

from __future__ import annotations

from dataclasses import replace

import numpy as np

from .explanation import Layer
from .network import Network, Weights, example_costs, forward_from


def checked(net: Network, Theta: Weights, X: np.ndarray, Y: np.ndarray,
            layers: dict[int, Layer], epsilon: float) -> tuple[dict[int, Layer], float]:
    """The layers 2 … L with their finite differences and verdicts, and the least
    ∂cost/∂z that a difference at ``epsilon`` resolves."""
    from .gradcheck import ROUNDINGS, cost_size

    u = np.finfo(np.float64).eps / 2
    resolution = 3 * ROUNDINGS * u * cost_size(net, Theta, X, Y, 0.0) / epsilon
    out = {1: layers[1]}
    for l in range(2, net.L + 1):
        d = layers[l]
        numeric = np.array([dcost_dz(net, Theta, l, d.z, j, Y, epsilon)
                            for j in range(d.size)])
        out[l] = replace(d, numeric=numeric, verdicts=tuple(
            verdict(float(v), float(n), resolution) for v, n in zip(d.delta, numeric)))
    return out, resolution


def verdict(delta: float, numeric: float, resolution: float) -> str:
    """agrees, differs, or unresolved: δ and the difference both within rounding of 0."""
    if abs(delta - numeric) > resolution:
        return "differs"
    return "agrees" if abs(delta) > resolution else "unresolved"


def cost_at(net: Network, Theta: Weights, l: int, z_l: np.ndarray, Y: np.ndarray) -> float:
    """cost(t) with z^(l) replaced by ``z_l`` (one example)."""
    z, a = forward_from(net, Theta, l, z_l[None, :])
    return float(example_costs(net, z, a, Y)[0])


def dcost_dz(net: Network, Theta: Weights, l: int, z_l: np.ndarray, j: int, Y: np.ndarray,
             eps: float) -> float:
    """∂cost/∂z_j^(l) by central differences at ε and ε/2, Richardson-extrapolated:
    (4·d(ε/2) - d(ε)) / 3 with d(h) = (cost(z_j + h) - cost(z_j - h)) / 2h."""
    def d(h):
        up, down = z_l.copy(), z_l.copy()
        up[j] += h
        down[j] -= h
        return ((cost_at(net, Theta, l, up, Y) - cost_at(net, Theta, l, down, Y))
                / (up[j] - down[j]))  # the step as taken
    return (4 * d(eps / 2) - d(eps)) / 3
