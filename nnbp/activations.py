"""Activation functions g and their derivatives g', looked up by their YAML name.

Each entry sits next to its own derivative.  ``g_prime`` takes both z and
a = g(z) so that the sigmoid and tanh can use the cheap forms
g'(z) = a(1 - a) and g'(z) = 1 - a², exactly as the course writes them.
Every function takes an optional ``out`` array, so that training can reuse its
buffers instead of allocating a temporary per operation.
"""

from __future__ import annotations

from typing import Callable, NamedTuple

import numpy as np


class Activation(NamedTuple):
    g: Callable[..., np.ndarray]  # g(z, out=None)
    g_prime: Callable[..., np.ndarray] | None  # g'(z, a, out=None); None: not elementwise
    formula: str  # how explain and the docs write it


def sigmoid(z: np.ndarray, out: np.ndarray | None = None) -> np.ndarray:
    # g(z) = 1 / (1 + e^{-z}).  For z < -709, e^{-z} overflows to inf and the
    # quotient is the correct limit 0; the overflow itself is not an error.
    out = np.negative(z, out=out)
    with np.errstate(over="ignore"):
        np.exp(out, out=out)
    out += 1.0
    return np.reciprocal(out, out=out)


def sigmoid_prime(z: np.ndarray, a: np.ndarray, out: np.ndarray | None = None) -> np.ndarray:
    out = np.subtract(1.0, a, out=out)  # g'(z) = g(z)(1 - g(z))
    out *= a
    return out


def tanh(z: np.ndarray, out: np.ndarray | None = None) -> np.ndarray:
    return np.tanh(z, out=out)


def tanh_prime(z: np.ndarray, a: np.ndarray, out: np.ndarray | None = None) -> np.ndarray:
    out = np.multiply(a, a, out=out)  # tanh'(z) = 1 - tanh(z)²
    return np.subtract(1.0, out, out=out)


def relu(z: np.ndarray, out: np.ndarray | None = None) -> np.ndarray:
    return np.maximum(z, 0.0, out=out)


def relu_prime(z: np.ndarray, a: np.ndarray, out: np.ndarray | None = None) -> np.ndarray:
    if out is None:
        out = np.empty_like(z)
    return np.greater(z, 0.0, out=out)  # 1 where z > 0; g'(0) taken as 0


def softmax(z: np.ndarray, out: np.ndarray | None = None) -> np.ndarray:
    # h_k = e^{z_k} / Σ_j e^{z_j}, shifted by max(z) so that exp never overflows.
    out = np.subtract(z, z.max(axis=-1, keepdims=True), out=out)
    np.exp(out, out=out)
    out /= out.sum(axis=-1, keepdims=True)
    return out


def identity(z: np.ndarray, out: np.ndarray | None = None) -> np.ndarray:
    if out is None:
        return z
    np.copyto(out, z)
    return out


def identity_prime(z: np.ndarray, a: np.ndarray, out: np.ndarray | None = None) -> np.ndarray:
    if out is None:
        return np.ones_like(z)
    out.fill(1.0)
    return out


HIDDEN: dict[str, Activation] = {
    "sigmoid": Activation(sigmoid, sigmoid_prime, "1 / (1 + e^(-z))"),
    "tanh": Activation(tanh, tanh_prime, "tanh(z)"),
    "relu": Activation(relu, relu_prime, "max(0, z)"),
}

OUTPUT: dict[str, Activation] = {
    "sigmoid": HIDDEN["sigmoid"],
    "softmax": Activation(softmax, None, "e^(z_k) / Σ_j e^(z_j)"),
    "linear": Activation(identity, identity_prime, "z"),
}
