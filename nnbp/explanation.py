"""One example explained, as a tree of typed values that every view reads: the
example (x as written and x′ as the network sees it), each layer's units with z, a,
δ and g′, each hidden δ_j^(l)'s terms Θ^(l)_{ij} δ_i^(l+1), the cost, and this
example's gradient.  Layers are keyed 1 … L and units numbered 1 … s_l, as on paper.

A layer keeps its numbers as arrays and hands out ``Unit`` and ``Term`` values on
request, so that a wide layer costs no object per term until a view asks for it.
``to_json`` is ``explain --json``.  The classes are plain dataclasses, not frozen
ones, which take longer to define at every start of the command.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from .network import Network


@dataclass(eq=False)
class Written:
    """The example as the user wrote it: in the file, or typed on the command line."""

    features: list[str]
    x: list[float]  # x before normalization
    targets: list[str]
    y: list  # the label as written, or the target values in their own units
    normalize: str  # none | standard | minmax | unknown: how x′ comes from x


@dataclass(eq=False)
class Example:
    """x^(t) and y^(t) as the network sees them, and as written when known."""

    t: int | None  # row t of the training file (1-based); None: typed in
    x: np.ndarray  # x′, normalized  (s_1,)
    y: np.ndarray  # y as training encodes it: one-hot, or the (scaled) targets  (K,)
    written: Written | None = None


@dataclass
class Term:
    """Θ^(l)_{ij} δ_i^(l+1): unit i of layer l+1's share in δ_j^(l)."""

    i: int
    theta: float
    delta: float
    value: float


@dataclass
class Unit:
    """Unit j of a layer, its numbers as on paper."""

    j: int
    a: float
    z: float | None  # None in layer 1, the input
    delta: float | None  # δ_j^(l) = ∂cost/∂z_j^(l); None in layer 1
    g_prime: float | None  # g'(z_j^(l)): hidden units, and output units under squared error
    weighted_sum: float | None  # Σ_i Θ^(l)_{ij} δ_i^(l+1): hidden units
    terms: tuple[Term, ...]  # its terms, i = 1 … s_{l+1}: hidden units
    numeric: float | None  # --check: ∂cost/∂z_j^(l) by finite differences
    verdict: str | None  # --check: agrees | differs | unresolved


@dataclass(eq=False)
class Layer:
    """Layer l: one entry per unit j = 1 … s_l of each array (index j - 1)."""

    l: int
    a: np.ndarray
    z: np.ndarray | None = None
    delta: np.ndarray | None = None
    g_prime: np.ndarray | None = None
    terms: np.ndarray | None = None  # Θ^(l)_{ij} δ_i^(l+1) at [j - 1, i - 1]  (s_l, s_{l+1})
    weighted_sum: np.ndarray | None = None
    theta: np.ndarray | None = None  # Θ^(l) without its bias column, for the terms
    delta_next: np.ndarray | None = None  # δ^(l+1), for the terms
    numeric: np.ndarray | None = None  # --check: ∂cost/∂z_j^(l) by finite differences
    verdicts: tuple[str, ...] | None = None

    @property
    def size(self) -> int:
        return len(self.a)

    @property
    def hidden(self) -> bool:
        return self.terms is not None

    def unit(self, j: int) -> Unit:
        """Unit j (1 … size; the bias unit, j = 0, has no values of its own here)."""
        if not 1 <= j <= self.size:
            raise IndexError(f"layer {self.l} has units 1 … {self.size}" + (
                " (unit 0 is the bias, a_0 = 1, which has no δ)" if j == 0 else ""))
        k = j - 1

        def at(v):
            return None if v is None else float(v[k])
        terms = () if self.terms is None else tuple(
            Term(i, float(self.theta[i - 1, k]), float(self.delta_next[i - 1]),
                 float(self.terms[k, i - 1])) for i in range(1, self.terms.shape[1] + 1))
        return Unit(j, float(self.a[k]), at(self.z), at(self.delta), at(self.g_prime),
                    at(self.weighted_sum), terms, at(self.numeric),
                    None if self.verdicts is None else self.verdicts[k])

    @property
    def units(self) -> list[Unit]:
        return [self.unit(j) for j in range(1, self.size + 1)]


@dataclass
class GradientEntry:
    """∂cost/∂Θ^(l)_{ij} = δ_i^(l+1) · a_j^(l), with a_0^(l) = 1 (the bias)."""

    i: int
    j: int
    delta: float
    a: float
    value: float


@dataclass(eq=False)
class Explanation:
    """One example through the network ``net`` at the weights Θ."""

    net: Network
    example: Example
    cost: float  # cost(t)
    Theta: dict[int, np.ndarray]  # Θ^(l), l = 1 … L-1
    layers: dict[int, Layer]  # l = 1 … L
    gradient: dict[int, np.ndarray]  # ∂cost(t)/∂Θ^(l), l = 1 … L-1
    epsilon: float | None = None  # --check: the step of the finite differences
    resolution: float | None = None  # --check: the least ∂cost/∂z they resolve

    @property
    def L(self) -> int:
        return self.net.L

    @property
    def output(self) -> Layer:
        return self.layers[self.L]

    def entry(self, l: int, i: int, j: int) -> GradientEntry:
        a = 1.0 if j == 0 else float(self.layers[l].a[j - 1])
        return GradientEntry(i, j, float(self.layers[l + 1].delta[i - 1]), a,
                     float(self.gradient[l][i - 1, j]))

    def to_json(self) -> dict:
        """The ``explain --json`` object."""
        out = {"example": self.example.t, "x": _floats(self.example.x),
               "y": _floats(self.example.y), "cost": self.cost,
               "Theta": {str(l): T.tolist() for l, T in self.Theta.items()},
               "layers": [_layer_json(self.layers[l]) for l in range(1, self.L + 1)],
               "gradient": {str(l): G.tolist() for l, G in self.gradient.items()}}
        if self.epsilon is not None:
            out["check"] = {"epsilon": self.epsilon, "resolution": self.resolution}
        w = self.example.written
        if w is not None:
            out["raw"] = {"features": w.features, "x": w.x, "targets": w.targets, "y": w.y,
                          "normalize": w.normalize}
        return out


def _floats(v) -> list[float]:
    return [float(x) for x in np.asarray(v).ravel()]


def _layer_json(d: Layer) -> dict:
    if d.z is None:
        return {"l": d.l, "a": _floats(d.a)}
    out = {"l": d.l, "z": _floats(d.z), "a": _floats(d.a)}
    if d.hidden:
        out.update(g_prime=_floats(d.g_prime), terms=d.terms.tolist(),
                   weighted_sum=_floats(d.weighted_sum), delta=_floats(d.delta))
    else:
        out["delta"] = _floats(d.delta)
        if d.g_prime is not None:
            out["g_prime"] = _floats(d.g_prime)
    if d.numeric is not None:
        out.update(delta_numeric=_floats(d.numeric), delta_check=list(d.verdicts))
    return out
