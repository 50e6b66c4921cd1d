"""One example, every number: the forward pass, and each δ_j^(l) as the Θ-weighted
sum of the deltas in the layer to its right, times g'(z_j^(l)), all from the
reference equations of ``network.py``.  Returns an ``Explanation``; ``cli/`` renders it.
"""

from __future__ import annotations

from dataclasses import replace

import numpy as np

from .explanation import Example, Explanation, Layer
from .network import (Network, Weights, example_costs, example_gradients, forward,
                      output_delta, unit_deltas)


def explain(net: Network, Theta: Weights, example: Example, *, check: bool = False,
            epsilon: float = 1e-5) -> Explanation:
    """The explanation of one example; ``check`` sets beside each δ a finite difference
    of cost(t) in z_j^(l) (nnbp/delta_check.py) at step ``epsilon``."""
    L = net.L
    X = np.asarray(example.x, np.float64)[None, :]
    Y = np.asarray(example.y, np.float64)[None, :]
    example = replace(example, x=X[0], y=Y[0])
    T = {l: np.asarray(Theta[l], np.float64) for l in Theta}
    z, a = forward(net, T, X)
    delta = {L: output_delta(net, z, a, Y)}  # δ^(L)   (1, s_L)
    layers = {1: Layer(1, a[1][0])}
    for l in range(L - 1, 1, -1):  # right to left, unit by unit
        u = unit_deltas(net, T, l, delta[l + 1], z, a)
        delta[l] = u.delta
        layers[l] = Layer(l, a[l][0], z[l][0], u.delta[0], u.g_prime[0], u.terms[0],
                          u.sums[0], T[l][:, 1:], delta[l + 1][0])
    # g'(z^(L)) is a factor of δ^(L) under squared error only: (a − y) ⊙ g'(z)
    g_out = net.g(L).g_prime(z[L], a[L])[0] if net.cost == "squared_error" else None
    layers[L] = Layer(L, a[L][0], z[L][0], delta[L][0], g_out)
    layers = {l: layers[l] for l in range(1, L + 1)}
    gradient = {l: example_gradients(delta[l + 1], a[l])[0] for l in range(1, L)}
    cost = float(example_costs(net, z, a, Y)[0])
    if not check:
        return Explanation(net, example, cost, T, layers, gradient)
    from .delta_check import checked

    layers, resolution = checked(net, T, X, Y, layers, epsilon)
    return Explanation(net, example, cost, T, layers, gradient, epsilon, resolution)
