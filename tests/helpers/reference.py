"""The cost J and its gradient D written again in plain numpy, without nnbp's network,
engine or costs (docs/notation.md's equations), and SciPy's ``minimize`` run on them
from a prepared run's initial weights: the reference for L-BFGS and CG."""

from __future__ import annotations

import numpy as np
from scipy.optimize import minimize


def sigmoid(z):
    with np.errstate(over="ignore"):  # e^-z = inf: the limit 0, as it should be
        return 1 / (1 + np.exp(-z))


G = {  # g(z) and g'(z), g' in the course's form: a(1 - a), 1 - a², … with a = g(z)
    "sigmoid": (sigmoid, lambda z: sigmoid(z) * (1 - sigmoid(z))),
    "tanh": (np.tanh, lambda z: 1 - np.tanh(z) ** 2),
    "relu": (lambda z: np.where(z > 0, z, 0.0), lambda z: (z > 0).astype(float)),
    "linear": (lambda z: z, np.ones_like),
}


def softmax(z):
    e = np.exp(z - z.max(axis=1, keepdims=True))
    return e / e.sum(axis=1, keepdims=True)


def reference_J_D(x, shapes, X, Y, activation, output, cost, lam):
    """J(Θ) and ∂J/∂Θ as one vector, Θ unrolled matrix by matrix, rows in turn."""
    Thetas, start = [], 0
    for r, c in shapes:
        Thetas.append(x[start:start + r * c].reshape(r, c))
        start += r * c
    m = len(X)
    A, Z = [np.c_[np.ones(m), X]], []  # [1, a] per layer, and z
    for i, T in enumerate(Thetas):
        Z.append(A[-1] @ T.T)
        if i < len(Thetas) - 1:
            A.append(np.c_[np.ones(m), G[activation][0](Z[-1])])
    z = Z[-1]
    h = softmax(z) if output == "softmax" else G[output][0](z)
    if cost == "squared_error":
        data = 0.5 * ((h - Y) ** 2).sum()
        delta = (h - Y) * G[output][1](z)
    elif output == "softmax":  # -Σ y log h, log h = z - log Σ e^z
        zmax = z.max(axis=1, keepdims=True)
        data = -(Y * (z - zmax - np.log(np.exp(z - zmax).sum(axis=1, keepdims=True)))).sum()
        delta = h - Y
    else:  # -[y log h + (1 - y) log(1 - h)], with log h = -log(1 + e^-z)
        data = (Y * np.logaddexp(0, -z) + (1 - Y) * np.logaddexp(0, z)).sum()
        delta = h - Y
    J = data / m + lam / (2 * m) * sum((T[:, 1:] ** 2).sum() for T in Thetas)
    grads = [None] * len(Thetas)
    for i in range(len(Thetas) - 1, -1, -1):
        grads[i] = delta.T @ A[i] / m
        grads[i][:, 1:] += lam / m * Thetas[i][:, 1:]
        if i:
            delta = (delta @ Thetas[i])[:, 1:] * G[activation][1](Z[i - 1])
    return J, np.concatenate([g.ravel() for g in grads])


def reference_run(run, method, iterations, noise=None):
    """SciPy on the reference from the run's initial weights: (result, J per iteration).
    With ``noise`` (a random generator), J and each entry of D are first multiplied by
    1 + u, |u| ≤ 2^-52: rounding-sized errors, to see how far they move the result."""
    net, tr = run.net, run.data.train
    shapes = [net.shape(l) for l in range(1, net.L)]
    x0 = np.concatenate([run.Theta[l].ravel() for l in range(1, net.L)])
    args = (shapes, tr.X, tr.Y, net.activation, net.output, net.cost, run.cfg.training.lam)
    def noisy(x, *args):
        J, D = reference_J_D(x, *args)
        u = noise.uniform(-2.0 ** -52, 2.0 ** -52, size=D.size + 1)
        return J * (1 + u[0]), D * (1 + u[1:])

    fun = reference_J_D if noise is None else noisy
    costs = [reference_J_D(x0, *args)[0]]
    result = minimize(fun, x0, jac=True, method=method, args=args,
                      callback=lambda intermediate_result: costs.append(intermediate_result.fun),
                      options={"maxiter": iterations})
    return result, costs


def relative(a: np.ndarray, b: np.ndarray) -> float:
    return float(np.linalg.norm(a - b) / np.linalg.norm(b))
