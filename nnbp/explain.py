"""One example, every number: the forward pass, and each δ_j^(l) as the
Θ-weighted sum of the deltas in the layer to its right, times g'(z_j^(l)).

This module may loop over units: it is for one example.  It returns plain data
(the ``explain --json`` object of SPEC); ``cli/`` renders it.

The check (``check=True``) sets beside each δ_j^(l) = ∂cost/∂z_j^(l) a finite
difference of cost(t) in z_j^(l): central differences at ε and ε/2, combined by
Richardson extrapolation (error O(ε⁴)).  cost(t) is computed to about δcost =
ROUNDINGS · u · S (nnbp/gradcheck.py), so the difference resolves ∂cost/∂z to
3δcost/ε at best: a δ within that of the difference agrees, and one that is
itself below it cannot be told from 0 at this ε.
"""

from __future__ import annotations

import math

import numpy as np

from .costs import COSTS
from .network import Network, Weights, example_costs, forward


def _row(v: np.ndarray) -> list[float]:
    return [float(x) for x in np.asarray(v).ravel()]


def forward_from(net: Network, Theta: Weights, l: int, z_l: np.ndarray, x: np.ndarray,
                 y: np.ndarray) -> float:
    """cost(t) with z^(l) replaced by ``z_l`` (one example), for the check ∂cost/∂z."""
    if l == 1:
        raise ValueError("layer 1 has no z")
    z = {l: z_l[None, :]}
    a = {l: net.g(l).g(z[l])}
    for k in range(l, net.L):
        z[k + 1] = a[k] @ Theta[k][:, 1:].T + Theta[k][:, 0]
        a[k + 1] = net.g(k + 1).g(z[k + 1])
    return float(example_costs(net, z, a, y[None, :])[0])


def explain(net: Network, Theta: Weights, x: np.ndarray, y: np.ndarray, example: int | None,
            *, check: bool = False, epsilon: float = 1e-5) -> dict:
    """The SPEC's ``explain --json`` object for one example (x, y)."""
    L = net.L
    X, Y = np.asarray(x, np.float64)[None, :], np.asarray(y, np.float64)[None, :]
    T = {l: np.asarray(Theta[l], np.float64) for l in Theta}
    z, a = forward(net, T, X)
    cost_t = float(example_costs(net, z, a, Y)[0])
    delta = {L: COSTS[net.cost].delta(net.output, z[L], a[L], Y)[0]}  # δ^(L)
    layers: dict[int, dict] = {}
    for l in range(L - 1, 1, -1):  # right to left, one unit at a time
        gp = net.g(l).g_prime(z[l], a[l])[0]
        terms, sums = [], []
        for j in range(1, net.s(l) + 1):
            # Θ^(l)_{ij} δ_i^(l+1) for every unit i of layer l+1; Θ's column j (0 is the bias)
            t_j = [float(T[l][i - 1, j] * delta[l + 1][i - 1]) for i in range(1, net.s(l + 1) + 1)]
            terms.append(t_j)
            sums.append(math.fsum(t_j))
        delta[l] = np.array(sums) * gp  # δ_j^(l) = (Σ_i Θ^(l)_{ij} δ_i^(l+1)) · g'(z_j^(l))
        layers[l] = {"l": l, "z": _row(z[l]), "a": _row(a[l]), "g_prime": _row(gp),
                     "terms": terms, "weighted_sum": sums, "delta": _row(delta[l])}
    out_layer = {"l": L, "z": _row(z[L]), "a": _row(a[L]), "delta": _row(delta[L])}
    if net.cost == "squared_error":  # δ^(L) = (a - y) ⊙ g'(z): show the factor
        out_layer["g_prime"] = _row(net.g(L).g_prime(z[L], a[L])[0])
    layers[L] = out_layer
    checked = None
    if check:
        from .gradcheck import ROUNDINGS, cost_size

        u = np.finfo(np.float64).eps / 2
        resolution = 3 * ROUNDINGS * u * cost_size(net, T, X, Y, 0.0) / epsilon
        checked = {"epsilon": epsilon, "resolution": resolution}
        for l in range(2, L + 1):
            numeric = [_dcost_dz(net, T, l, z[l][0], j, X[0], Y[0], epsilon)
                       for j in range(net.s(l))]
            layers[l]["delta_numeric"] = numeric
            layers[l]["delta_check"] = [_verdict(d, n, resolution)
                                        for d, n in zip(layers[l]["delta"], numeric)]
    gradient = {str(l): (np.outer(delta[l + 1], np.concatenate(([1.0], a[l][0])))).tolist()
                for l in range(1, L)}  # ∂cost/∂Θ^(l) = δ^(l+1) [1; a^(l)]ᵀ
    out = {
        "example": example, "x": _row(X), "y": _row(Y), "cost": cost_t,
        "Theta": {str(l): T[l].tolist() for l in T},
        "layers": [{"l": 1, "a": _row(X)}] + [layers[l] for l in range(2, L + 1)],
        "gradient": gradient,
    }
    if checked is not None:
        out["check"] = checked
    return out


def _verdict(delta: float, numeric: float, resolution: float) -> str:
    """agrees, differs, or unresolved: δ and the difference both within rounding of 0."""
    if abs(delta - numeric) > resolution:
        return "differs"
    return "agrees" if abs(delta) > resolution else "unresolved"


def _dcost_dz(net, T, l, z_l, j, x, y, eps) -> float:
    """∂cost/∂z_j^(l) by central differences at ε and ε/2, Richardson-extrapolated:
    (4·d(ε/2) - d(ε)) / 3 with d(h) = (cost(z_j + h) - cost(z_j - h)) / 2h."""
    def d(h):
        up, down = z_l.copy(), z_l.copy()
        up[j] += h
        down[j] -= h
        return ((forward_from(net, T, l, up, x, y) - forward_from(net, T, l, down, x, y))
                / (up[j] - down[j]))  # the step as taken
    return (4 * d(eps / 2) - d(eps)) / 3
