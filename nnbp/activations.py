"""Activation functions g and their derivatives g', looked up by their YAML name.

Each entry sits next to its own derivative.  ``g_prime`` takes both z and
a = g(z) so that the sigmoid and tanh can use the cheap forms
g'(z) = a(1 - a) and g'(z) = 1 - a², exactly as the course writes them.
"""

from __future__ import annotations

from typing import Callable, NamedTuple

import numpy as np


class Activation(NamedTuple):
    g: Callable[[np.ndarray], np.ndarray]
    g_prime: Callable[[np.ndarray, np.ndarray], np.ndarray] | None  # None: not elementwise
    formula: str  # how explain and the docs write it


def sigmoid(z: np.ndarray) -> np.ndarray:
    # g(z) = 1 / (1 + e^{-z}).  For z < -709, e^{-z} overflows to inf and the
    # quotient is the correct limit 0; the overflow itself is not an error.
    with np.errstate(over="ignore"):
        return 1.0 / (1.0 + np.exp(-z))


def sigmoid_prime(z: np.ndarray, a: np.ndarray) -> np.ndarray:
    return a * (1.0 - a)  # g'(z) = g(z)(1 - g(z))


def tanh_prime(z: np.ndarray, a: np.ndarray) -> np.ndarray:
    return 1.0 - a * a  # tanh'(z) = 1 - tanh(z)²


def relu(z: np.ndarray) -> np.ndarray:
    return np.maximum(z, 0.0)


def relu_prime(z: np.ndarray, a: np.ndarray) -> np.ndarray:
    return (z > 0).astype(z.dtype)  # g'(0) taken as 0


def softmax(z: np.ndarray) -> np.ndarray:
    # h_k = e^{z_k} / Σ_j e^{z_j}, shifted by max(z) so that exp never overflows.
    e = np.exp(z - z.max(axis=-1, keepdims=True))
    return e / e.sum(axis=-1, keepdims=True)


def identity(z: np.ndarray) -> np.ndarray:
    return z


def identity_prime(z: np.ndarray, a: np.ndarray) -> np.ndarray:
    return np.ones_like(z)


HIDDEN: dict[str, Activation] = {
    "sigmoid": Activation(sigmoid, sigmoid_prime, "1 / (1 + e^(-z))"),
    "tanh": Activation(np.tanh, tanh_prime, "tanh(z)"),
    "relu": Activation(relu, relu_prime, "max(0, z)"),
}

OUTPUT: dict[str, Activation] = {
    "sigmoid": HIDDEN["sigmoid"],
    "softmax": Activation(softmax, None, "e^(z_k) / Σ_j e^(z_j)"),
    "linear": Activation(identity, identity_prime, "z"),
}
