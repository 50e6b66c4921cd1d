"""Gradient checking: backprop's D against two-sided differences of J, entry by entry.

    num_ij = (J(Θ_ij + ε) - J(Θ_ij - ε)) / 2ε            (the course's check, error O(ε²))
    rich_ij = (4·num_ij(ε/2) - num_ij(ε)) / 3            (Richardson, error O(ε⁴))

reported per Θ^(l) and overall as ‖num - grad‖ / ‖num + grad‖.

That relative figure means nothing when the gradient itself is tiny (near a
minimum): there it measures the finite differences' own error.  So a gradient
also passes when every |rich_ij - grad_ij| lies under the floor that rounding
leaves at this ε.  A computed J is off by up to δJ = ROUNDINGS · u · S, with u
the unit roundoff of the dtype and S the size of J (``cost_size``): the numbers
whose rounding reaches J, such as softplus(z) and y·z of a sigmoid output unit
(whose difference can be far smaller than either), and each z of the forward
pass times its δ = ∂cost/∂z.  A difference quotient at step h is then off by up
to 2δJ / 2h, and rich, 4/3 of the quotient at ε/2 less 1/3 of the one at ε, by
up to (4/3 · 2 + 1/3) δJ/ε = 3δJ/ε: the floor.
"""

from __future__ import annotations

import numpy as np

from .network import Network, Weights, backprop, cost, forward, regularization

# δJ in units of u·S: a few roundings of numbers of S's size in each cost(t) and in
# the sums; errors of J measured (against 80-bit arithmetic) on the bundled examples,
# on networks trained to their minimum and on random ones stay under 2·u·S.
ROUNDINGS = 8


def _rel(num: np.ndarray, grad: np.ndarray) -> float:
    den = np.linalg.norm(num + grad)
    return float(np.linalg.norm(num - grad) / den) if den > 0 else float(np.linalg.norm(num - grad))


def cost_size(net: Network, Theta: Weights, X: np.ndarray, Y: np.ndarray, lam: float) -> float:
    """S: how large the numbers are whose rounding reaches J, per example as J averages them.

    - The cost's own terms, which it adds and subtracts: softplus(z_k) and y_k z_k for a
      sigmoid output with cross-entropy, log Σ_j e^{z_j} · Σ_k y_k and y_k z_k for softmax,
      ½ (a_k - y_k)² for squared error (a difference of two floats is correctly rounded).
    - Each z_i^(l) = Σ_j Θ_ij a_j is rounded by about u · Σ_j |Θ_ij a_j| (bias included),
      and reaches cost(t) multiplied by δ_i^(l) = ∂cost(t)/∂z_i^(l).
    - The regularization term, which has no cancellation.
    """
    bp = backprop(net, Theta, X, Y, lam)
    zL, aL, m = bp.z[net.L], bp.a[net.L], X.shape[0]
    if net.cost == "cross_entropy" and net.output == "softmax":
        zmax = zL.max(axis=1, keepdims=True)
        lse = zmax[:, 0] + np.log(np.exp(zL - zmax).sum(axis=1))
        terms = float((np.abs(lse) * np.abs(Y).sum(axis=1) + np.abs(Y * zL).sum(axis=1)).sum())
    elif net.cost == "cross_entropy":
        terms = float((np.logaddexp(0.0, zL) + np.abs(Y * zL)).sum())
    else:
        terms = float(0.5 * ((aL - Y) ** 2).sum())
    for l in range(2, net.L + 1):
        T = np.abs(Theta[l - 1])
        dots = np.abs(bp.a[l - 1]) @ T[:, 1:].T + T[:, 0]  # Σ_j |Θ_ij a_j|, bias too  (m, s_l)
        terms += float((np.abs(bp.delta[l]) * dots).sum())
    return terms / m + regularization(Theta, lam, m)


def pick_entries(shape: tuple[int, int], k: int | None, rng) -> np.ndarray:
    """All (i, j) of a Θ, or a sample of k of them drawn with ``rng()``, in row-major order."""
    n = shape[0] * shape[1]
    if k is None or k >= n:
        flat = np.arange(n)
    else:
        flat = np.sort(rng().choice(n, size=k, replace=False))
    return np.stack(np.unravel_index(flat, shape), axis=1)


def seeded(seed: int):
    """``rng()``: one generator for all the layers' samples, made when first drawn from
    (numpy.random costs milliseconds to import, and a small network needs no sample)."""
    made = []

    def rng():
        if not made:
            made.append(np.random.default_rng(seed))
        return made[0]
    return rng


def gradcheck(net: Network, Theta: Weights, X: np.ndarray, Y: np.ndarray, lam: float, *,
              epsilon: float = 1e-4, tolerance: float = 1e-7, entries: int | None = None,
              seed: int = 0, gradient: Weights | None = None) -> dict:
    """Compare ``gradient`` (default: backprop's D) with central differences.

    ``entries``: check a seeded sample of that many entries per layer (None: all).
    ``passed`` by the ``criterion`` "relative" (‖num - grad‖ / ‖num + grad‖ < tolerance)
    or "floor" (every |rich - grad| ≤ the rounding floor); None when it failed.
    """
    D = gradient if gradient is not None else backprop(net, Theta, X, Y, lam).D
    T = {l: Theta[l].copy() for l in Theta}
    rng = seeded(seed)

    def central(l, i, j, eps):
        keep = T[l][i, j]
        T[l][i, j] = up = keep + eps
        J_up = cost(net, T, X, Y, lam)
        T[l][i, j] = down = keep - eps
        J_down = cost(net, T, X, Y, lam)
        T[l][i, j] = keep
        return (J_up - J_down) / (up - down)  # the step as taken, not 2ε as meant

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
            "max_abs_difference_richardson": float(np.abs(rich - grad).max()),
        })
        nums.append(num), richs.append(rich), grads.append(grad)
    num, rich, grad = map(np.concatenate, (nums, richs, grads))
    u = np.finfo(np.result_type(X.dtype, *(T[l].dtype for l in T))).eps / 2
    size = cost_size(net, Theta, X, Y, lam)
    rounding = ROUNDINGS * u * size  # δJ
    result = {
        "relative_difference": _rel(num, grad),
        "relative_difference_richardson": _rel(rich, grad),
        "max_abs_difference_richardson": float(np.abs(rich - grad).max()),
        "gradient_norm": float(np.linalg.norm(grad)),
        "epsilon": epsilon,
        "tolerance": tolerance,
        "cost": cost(net, Theta, X, Y, lam),
        "cost_size": size,
        "unit_roundoff": float(u),
        "cost_rounding": float(rounding),
        "floor": float(3 * rounding / epsilon),
        "examples": int(X.shape[0]),
        "sampled": any(d["entries"] < d["of"] for d in layers),
        "layers": layers,
        "relu_near_kink": relu_near_kink(net, Theta, X, epsilon),
    }
    if result["relative_difference"] < tolerance:
        result["criterion"] = "relative"
    elif result["max_abs_difference_richardson"] <= result["floor"]:
        result["criterion"] = "floor"
    else:
        result["criterion"] = None
    result["passed"] = result["criterion"] is not None
    return result


def relu_near_kink(net: Network, Theta: Weights, X: np.ndarray, epsilon: float) -> int:
    """How many hidden ReLU pre-activations sit so close to 0 that a step of ε in
    one weight could cross the kink (|z| < ε·(1 + max|a|))."""
    if net.activation != "relu":
        return 0
    z, a = forward(net, Theta, X)
    return int(sum(np.count_nonzero(np.abs(z[l]) < epsilon * (1 + np.abs(a[l - 1]).max()))
                   for l in range(2, net.L)))
