"""Gradient checking: backprop's D against two-sided differences of J, entry by entry.

    num_ij = (J(Θ_ij + ε) - J(Θ_ij - ε)) / 2ε            (the course's check, error O(ε²))
    rich_ij = (4·num_ij(ε/2) - num_ij(ε)) / 3            (Richardson, error O(ε⁴))

reported per Θ^(l) and overall as ‖num - grad‖ / ‖num + grad‖.
"""

from __future__ import annotations

import numpy as np

from .network import Network, Weights, backprop, cost, forward


def _rel(num: np.ndarray, grad: np.ndarray) -> float:
    den = np.linalg.norm(num + grad)
    return float(np.linalg.norm(num - grad) / den) if den > 0 else float(np.linalg.norm(num - grad))


def pick_entries(shape: tuple[int, int], k: int | None, rng) -> np.ndarray:
    """All (i, j) of a Θ, or a seeded sample of k of them, in row-major order."""
    n = shape[0] * shape[1]
    flat = np.arange(n) if k is None or k >= n else np.sort(rng.choice(n, size=k, replace=False))
    return np.stack(np.unravel_index(flat, shape), axis=1)


def gradcheck(net: Network, Theta: Weights, X: np.ndarray, Y: np.ndarray, lam: float, *,
              epsilon: float = 1e-4, entries: int | None = None, seed: int = 0,
              gradient: Weights | None = None) -> dict:
    """Compare ``gradient`` (default: backprop's D) with central differences.

    ``entries``: check a seeded sample of that many entries per layer (None: all).
    """
    D = gradient if gradient is not None else backprop(net, Theta, X, Y, lam).D
    T = {l: Theta[l].copy() for l in Theta}
    rng = np.random.default_rng(seed)

    def central(l, i, j, eps):
        keep = T[l][i, j]
        T[l][i, j] = keep + eps
        up = cost(net, T, X, Y, lam)
        T[l][i, j] = keep - eps
        down = cost(net, T, X, Y, lam)
        T[l][i, j] = keep
        return (up - down) / (2 * eps)

    layers, nums, richs, grads = [], [], [], []
    for l in range(1, net.L):
        idx = pick_entries(T[l].shape, entries, rng)
        num = np.array([central(l, i, j, epsilon) for i, j in idx])
        half = np.array([central(l, i, j, epsilon / 2) for i, j in idx])
        rich = (4 * half - num) / 3
        grad = np.array([D[l][i, j] for i, j in idx])
        diff = np.abs(num - grad)
        worst = int(diff.argmax())
        layers.append({
            "l": l, "entries": len(idx), "of": int(T[l].size),
            "max_abs_difference": float(diff[worst]),
            "where": [int(idx[worst][0]) + 1, int(idx[worst][1])],  # (i, j) as on paper
            "relative_difference": _rel(num, grad),
            "relative_difference_richardson": _rel(rich, grad),
        })
        nums.append(num), richs.append(rich), grads.append(grad)
    num, rich, grad = map(np.concatenate, (nums, richs, grads))
    return {
        "relative_difference": _rel(num, grad),
        "relative_difference_richardson": _rel(rich, grad),
        "epsilon": epsilon,
        "examples": int(X.shape[0]),
        "sampled": any(d["entries"] < d["of"] for d in layers),
        "layers": layers,
        "relu_near_kink": relu_near_kink(net, Theta, X, epsilon),
    }


def relu_near_kink(net: Network, Theta: Weights, X: np.ndarray, epsilon: float) -> int:
    """How many hidden ReLU pre-activations sit so close to 0 that a step of ε in
    one weight could cross the kink (|z| < ε·(1 + max|a|))."""
    if net.activation != "relu":
        return 0
    z, a = forward(net, Theta, X)
    return int(sum(np.count_nonzero(np.abs(z[l]) < epsilon * (1 + np.abs(a[l - 1]).max()))
                   for l in range(2, net.L)))
