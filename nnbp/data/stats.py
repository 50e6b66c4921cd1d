"""Each column's count, mean, Σ(x - mean)², min and max, added up block by block:
the normalization of the training rows, the standardization of a regression target
and the R² of an evaluation, whichever backend holds the rows."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from ..encoding import Normalization


@dataclass
class Stats:
    """Two blocks' statistics merge by Chan, Golub and LeVeque's pairwise update,
    which is stable; one block's are numpy's own mean and Σ(x - mean)²."""

    n: int
    mean: np.ndarray
    M2: np.ndarray  # Σ (x - mean)²
    lo: np.ndarray
    hi: np.ndarray

    @classmethod
    def empty(cls, k: int) -> "Stats":
        return cls(0, np.zeros(k), np.zeros(k), np.full(k, np.inf), np.full(k, -np.inf))

    @classmethod
    def of(cls, X: np.ndarray) -> "Stats":
        """The statistics of the rows of X (b, k)."""
        X = np.asarray(X, dtype=np.float64)
        if len(X) == 0:
            return cls.empty(X.shape[1])
        mean = X.mean(axis=0)
        d = X - mean
        d *= d  # (x - mean)², in place: one float64 copy of X besides X
        return cls(len(X), mean, d.sum(axis=0), X.min(axis=0), X.max(axis=0))

    def add(self, X: np.ndarray) -> "Stats":
        """These statistics with the rows of X (b, k) added, in place."""
        return self.merge(Stats.of(X))

    def merge(self, other: "Stats") -> "Stats":
        """These statistics with ``other``'s rows added, in place."""
        if other.n == 0:
            return self
        n = self.n + other.n
        delta = other.mean - self.mean
        self.mean = self.mean + delta * (other.n / n)
        self.M2 = self.M2 + other.M2 + delta * delta * (self.n * other.n / n)
        self.lo, self.hi = np.minimum(self.lo, other.lo), np.maximum(self.hi, other.hi)
        self.n = n
        return self

    def fit(self, kind: str) -> Normalization:
        """x′ = (x − shift)/scale of the rows added: standard (mean and standard
        deviation), minmax (least value and range) or none."""
        if kind == "standard":
            return Normalization.of(kind, self.mean, np.sqrt(self.M2 / self.n), self.lo, self.hi)
        if kind == "minmax":
            return Normalization.of(kind, self.lo, self.hi - self.lo, self.lo, self.hi)
        return Normalization(kind, np.zeros(len(self.mean)), np.ones(len(self.mean)))

    def to_json(self) -> dict:
        return {"n": self.n, **{k: getattr(self, k).tolist() for k in ("mean", "M2", "lo", "hi")}}

    @classmethod
    def from_json(cls, d: dict) -> "Stats":
        return cls(d["n"], *(np.array(d[k], dtype=np.float64) for k in ("mean", "M2", "lo", "hi")))
