"""Gradient checking: backprop's D against two-sided differences of J, entry by entry.

    num_ij = (J(Θ_ij + ε) - J(Θ_ij - ε)) / 2ε            (the course's check, error O(ε²))
    rich_ij = (4·num_ij(ε/2) - num_ij(ε)) / 3            (Richardson, error O(ε⁴))

reported per Θ^(l) and overall as ‖num - grad‖ / ‖num + grad‖.

Near a minimum the gradient is tiny and that figure measures the differences' own
error, so a gradient also passes when every |rich_ij - grad_ij| is under the floor
that rounding leaves.  J is off by up to δJ = ROUNDINGS · u · S (u the dtype's unit
roundoff, S the size of the numbers whose rounding reaches J: ``cost_size``); a
quotient at step h is then off by up to δJ/h, and rich by up to (4/3 · 2 + 1/3) δJ/ε
= 3δJ/ε, the floor.  A Θ^(l) whose every |grad_ij| is under its floor would pass with
a gradient of zeros too: such a check is "inconclusive", never passed.

A ReLU network's J has a kink wherever some z^(l) crosses 0, and differences across
one measure no derivative: such an entry is checked again at a smaller step
(KINK_STEPS), or left out and named.  The README's gradcheck section says more.
"""

from __future__ import annotations

from typing import Callable

import numpy as np

from .network import (Network, Weights, backprop, cost, forward, regularization,
                      total_cost)

# δJ in units of u·S: a few roundings of numbers of S's size in each cost(t) and in
# the sums; errors of J measured (against 80-bit arithmetic) on the bundled examples,
# on networks trained to their minimum and on random ones stay under 2·u·S.
ROUNDINGS = 8

# ε/10, ε/100, ε/1000, tried in turn for an entry whose differences at ε cross a ReLU
# kink: the first step whose four points stay on Θ's side (the floor grows as 1/step)
KINK_STEPS = (10, 100, 1000)


def _rel(num: np.ndarray, grad: np.ndarray) -> float | None:
    """‖num - grad‖ / ‖num + grad‖; None when both are zero (0/0: no entry to compare)."""
    den = np.linalg.norm(num + grad)
    return float(np.linalg.norm(num - grad) / den) if den > 0 else None


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
              seed: int = 0, gradient: Weights | None = None,
              on_entry: Callable[[int, int], None] | None = None) -> dict:
    """Compare ``gradient`` (default: backprop's D) with central differences.

    ``entries``: check a seeded sample of that many entries per layer (None: all).
    ``criterion``: "relative" (‖num - grad‖ / ‖num + grad‖ < tolerance), "floor" (every
    |rich - grad| ≤ the rounding floor at its step) or None.  ``verdict``: "passed",
    "failed" (no criterion holds), or "inconclusive": only the floor holds and it is not
    below the gradient in some Θ^(l), where a gradient of zeros would pass as well, or a
    Θ^(l) has no entry left to check.  ReLU kinks: see ``differences``.
    ``on_entry(done, total)`` is called after each entry checked.
    """
    D = gradient if gradient is not None else backprop(net, Theta, X, Y, lam).D
    T = {l: Theta[l].copy() for l in Theta}
    rng = seeded(seed)
    kinks = net.activation == "relu" and net.L > 2
    if kinks:
        z0, _ = forward(net, Theta, X)
        side0 = {k: z0[k] > 0 for k in range(2, net.L)}  # which side of the kink, per z

    def J(l, i, j, value) -> tuple[float, bool]:
        """J at Θ^(l)_ij = value, and whether some ReLU z lies across its kink from Θ's."""
        T[l][i, j] = value
        z, a = forward(net, T, X)
        crossed = kinks and any(not np.array_equal(z[k] > 0, side0[k]) for k in side0)
        return total_cost(net, T, z, a, Y, lam), crossed

    def differences(l, i, j, eps) -> tuple[float, float, bool]:
        """num at ε, rich over ε and ε/2, and whether any of the four points lies across a
        ReLU kink: there J is not one smooth function of Θ_ij over the stencil, and its
        differences are not ∂J/∂Θ_ij to any order."""
        keep, quotients, crossed = T[l][i, j], [], False
        for h in (eps, eps / 2):
            up, down = keep + h, keep - h
            (J_up, c_up), (J_down, c_down) = J(l, i, j, up), J(l, i, j, down)
            crossed = crossed or c_up or c_down
            quotients.append((J_up - J_down) / (up - down))  # the step as taken, not 2h as meant
        T[l][i, j] = keep
        num, half = quotients
        return num, (4 * half - num) / 3, crossed

    steps = [epsilon / f for f in (1,) + KINK_STEPS] if kinks else [epsilon]
    layers, kept = [], []
    picked = {l: pick_entries(T[l].shape, entries, rng) for l in range(1, net.L)}
    total, done = sum(map(len, picked.values())), 0
    for l, idx in picked.items():
        num, rich, step = (np.empty(len(idx)) for _ in range(3))
        out = np.zeros(len(idx), bool)  # left out: across a kink at every step
        for n, (i, j) in enumerate(idx):
            for h in steps:
                num[n], rich[n], crossed = differences(l, i, j, h)
                if not crossed:
                    break
            step[n], out[n] = h, crossed
            done += 1
            if on_entry is not None:
                on_entry(done, total)
        grad = np.array([D[l][i, j] for i, j in idx])
        ok = ~out
        kept.append((num[ok], rich[ok], grad[ok], step[ok]))
        layers.append({
            "l": l, "entries": len(idx), "of": int(T[l].size),
            "kink_rechecked": int(np.count_nonzero(ok & (step < epsilon))),
            "kink_left_out": int(np.count_nonzero(~ok)),
            "rechecked": [[int(i) + 1, int(j)] for i, j in idx[ok & (step < epsilon)]],
            "left_out": [[int(i) + 1, int(j)] for i, j in idx[~ok]],  # (i, j) as on paper
            **_compare(idx[ok], num[ok], rich[ok], grad[ok]),
        })
    num, rich, grad, step = (np.concatenate([k[n] for k in kept]) for n in range(4))
    u = np.finfo(np.result_type(X.dtype, *(T[l].dtype for l in T))).eps / 2
    size = cost_size(net, Theta, X, Y, lam)
    rounding = ROUNDINGS * u * size  # δJ
    floors = 3 * rounding / step  # each entry's floor, at the step it was checked with
    for d, (_, _, g, h) in zip(layers, kept):
        # a Θ^(l) whose every |grad_ij| is under its floor: zeros would pass it as well
        d["resolved"] = bool((np.abs(g) > 3 * rounding / h).any())
    result = {
        "relative_difference": _rel(num, grad),
        "relative_difference_richardson": _rel(rich, grad),
        "max_abs_difference_richardson": float(np.abs(rich - grad).max()) if grad.size else None,
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
        "kink_rechecked": sum(d["kink_rechecked"] for d in layers),
        "kink_left_out": sum(d["kink_left_out"] for d in layers),
        "kink_epsilon": float(step.min()) if (step < epsilon).any() else None,
    }
    rel = result["relative_difference"]
    if rel is not None and rel < tolerance:
        result["criterion"] = "relative"
    elif grad.size and (np.abs(rich - grad) <= floors).all():
        result["criterion"] = "floor"
    else:
        result["criterion"] = None
    if result["criterion"] is None and grad.size:
        result["verdict"] = "failed"
    elif any(d["where"] is None for d in layers) or (
            result["criterion"] == "floor" and not all(d["resolved"] for d in layers)):
        result["verdict"] = "inconclusive"  # a Θ^(l) with no entry left, or under the floor
    else:
        result["verdict"] = "passed"
    result["passed"] = result["verdict"] == "passed"
    return result


def _compare(idx: np.ndarray, num: np.ndarray, rich: np.ndarray, grad: np.ndarray) -> dict:
    """One Θ^(l)'s figures over the entries checked (None for each when there are none)."""
    if not len(idx):
        return dict.fromkeys(("max_abs_difference", "where", "relative_difference",
                              "relative_difference_richardson", "max_abs_difference_richardson",
                              "max_abs_gradient"))
    diff = np.abs(num - grad)
    worst = int(diff.argmax())
    return {
        "max_abs_difference": float(diff[worst]),
        "where": [int(idx[worst][0]) + 1, int(idx[worst][1])],  # (i, j) as on paper
        "relative_difference": _rel(num, grad),
        "relative_difference_richardson": _rel(rich, grad),
        "max_abs_difference_richardson": float(np.abs(rich - grad).max()),
        "max_abs_gradient": float(np.abs(grad).max()),
    }


def relu_near_kink(net: Network, Theta: Weights, X: np.ndarray, epsilon: float) -> int:
    """How many hidden ReLU pre-activations sit so close to 0 that a step of ε in
    one weight could cross the kink (|z| < ε·(1 + max|a|))."""
    if net.activation != "relu":
        return 0
    z, a = forward(net, Theta, X)
    return int(sum(np.count_nonzero(np.abs(z[l]) < epsilon * (1 + np.abs(a[l - 1]).max()))
                   for l in range(2, net.L)))
