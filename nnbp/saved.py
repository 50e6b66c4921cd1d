"""A trained model read back from its .npz: the network, Θ, λ, the classes, the
column names, the normalization, and what evaluate uses when given no data.

Every array is checked for presence, kind and shape before use, so that a
damaged or foreign file is one ModelError naming the array, not a traceback.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import numpy as np
import yaml

from .activations import HIDDEN, OUTPUT
from .costs import COSTS
from .data import Normalization, Target
from .errors import DataError, ModelError
from .model import check_weights, read_npz
from .network import Network, Weights

REQUIRED = ("layers", "activation", "output", "cost", "lambda", "feature_names",
            "target_names", "norm_shift", "norm_scale")


@dataclass(frozen=True)
class SavedModel:
    path: str
    net: Network
    Theta: Weights  # Θ^(l), l = 1 … L-1, float64
    lam: float  # the λ it was trained with
    classes: np.ndarray | None  # sorted original labels (int64 or str); None: regression
    feature_names: list[str]  # s_1 input columns, in the order of Θ^(1)'s columns 1 …
    target_names: list[str]
    norm: Normalization  # x' = (x - shift) / scale
    config: str  # the resolved config as YAML text ("" when absent)
    val_rows: np.ndarray | None  # 0-based rows of data.train held out for validation

    @property
    def classifier(self) -> bool:
        """Labels out, rather than numbers: stored classes, or (targets given one-hot)
        a sigmoid or softmax layer of K ≥ 2 units, one per target column."""
        return self.classes is not None or (self.net.output != "linear"
                                            and self.net.s(self.net.L) >= 2)

    @property
    def labels(self) -> np.ndarray | None:
        """The label of each class index: the classes, or the one-hot target columns."""
        if self.classes is not None:
            return self.classes
        return np.array(self.target_names) if self.classifier else None

    @property
    def target(self) -> Target:
        return Target(self.target_names, self.classes, self.net.s(self.net.L))

    def config_paths(self) -> dict:
        """data.train and data.test of the model's config (None when not set)."""
        try:
            node = yaml.safe_load(self.config) if self.config else {}
        except yaml.YAMLError:
            raise ModelError("holds a config that is not valid YAML", source=self.path) from None
        data = node.get("data") if isinstance(node, dict) else None
        data = data if isinstance(data, dict) else {}
        return {k: data.get(k) if isinstance(data.get(k), str) else None
                for k in ("train", "test")}

    def default_data(self) -> tuple[str, str, np.ndarray | None]:
        """What to evaluate on without a DATA argument: ("test", path, None) for the
        config's test file, else ("validation", train path, rows), else a DataError."""
        paths = self.config_paths()
        if paths["test"]:
            return "test", _existing(paths["test"], "test", self.path), None
        if self.val_rows is not None and len(self.val_rows) and paths["train"]:
            return "validation", _existing(paths["train"], "train", self.path), self.val_rows
        raise DataError("has no test file (data.test) and no validation rows "
                        "(data.validation_split) to evaluate on; give a DATA file: "
                        f"nnbp evaluate {self.path} DATA.csv", source=self.path)


def _existing(path: str, key: str, model: str) -> str:
    if not Path(path).is_file():
        raise DataError(f"its data.{key} file {path} is not there any more; give a DATA file",
                        source=model)
    return path


def load_model(path: str | Path) -> SavedModel:
    source = str(path)
    arrays = read_npz(path)
    missing = [k for k in REQUIRED if k not in arrays]
    if missing:
        hint = " (an .npz of weights only? use it as network.init.weights)" \
            if any(k.startswith("Theta") for k in arrays) else ""
        raise ModelError(f"is not an nnbp model: it has no {', '.join(missing)}{hint}",
                         source=source)
    A = _Arrays(arrays, source)
    sizes = A.ints("layers")
    if len(sizes) < 2 or (sizes < 1).any():
        raise ModelError(f"layers is {sizes.tolist()}; a network needs at least 2 layers of "
                         "at least 1 unit", source=source)
    net = Network(tuple(int(s) for s in sizes), A.name("activation", HIDDEN),
                  A.name("output", OUTPUT), A.name("cost", COSTS))
    if net.output not in COSTS[net.cost].outputs:
        raise ModelError(f"cost {net.cost} does not pair with output {net.output}", source=source)
    lam = A.scalar("lambda")
    s1, K = net.s(1), net.s(net.L)
    classes = A.classes(net) if "classes" in arrays else None
    targets = A.names("target_names", K if classes is None else 1)
    norm = Normalization(A.text("norm_kind") if "norm_kind" in arrays else "unknown",
                         A.numbers("norm_shift", s1), A.numbers("norm_scale", s1))
    if (norm.scale == 0).any():
        raise ModelError("norm_scale holds a 0; x' = (x - shift) / scale would divide by it",
                         source=source)
    val_rows = A.ints("val_rows") if "val_rows" in arrays else None
    if val_rows is not None and (val_rows < 0).any():
        raise ModelError("val_rows holds a negative row number", source=source)
    return SavedModel(source, net, check_weights(arrays, net, source), lam, classes,
                      A.names("feature_names", s1), targets, norm,
                      A.text("config") if "config" in arrays else "", val_rows)


@dataclass
class _Arrays:
    """Typed access to the model's arrays; each getter raises a ModelError naming
    the array, what it holds and what was expected."""

    arrays: dict
    source: str

    def _bad(self, key: str, expected: str) -> ModelError:
        a = self.arrays[key]
        shape = " × ".join(map(str, a.shape)) or "scalar"
        return ModelError(f"array {key} has dtype {a.dtype} and shape {shape}; expected "
                          f"{expected}", source=self.source)

    def text(self, key: str) -> str:
        a = self.arrays[key]
        if a.dtype.kind != "U" or a.ndim != 0:
            raise self._bad(key, "one string")
        return str(a)

    def name(self, key: str, table: dict) -> str:
        v = self.text(key)
        if v not in table:
            raise ModelError(f"{key} is {v!r}, not one nnbp knows ({', '.join(table)})",
                             source=self.source)
        return v

    def scalar(self, key: str) -> float:
        a = self.arrays[key]
        if a.dtype.kind not in "fiu" or a.ndim != 0 or not np.isfinite(a) or a < 0:
            raise self._bad(key, "one finite number ≥ 0")
        return float(a)

    def ints(self, key: str) -> np.ndarray:
        a = self.arrays[key]
        if a.dtype.kind not in "iu" or a.ndim != 1:
            raise self._bad(key, "a vector of integers")
        return a.astype(np.int64)

    def numbers(self, key: str, n: int) -> np.ndarray:
        a = self.arrays[key]
        if a.dtype.kind not in "fiu" or a.shape != (n,) or not np.isfinite(a).all():
            raise self._bad(key, f"{n} finite numbers (one per feature)")
        return a.astype(np.float64)

    def names(self, key: str, n: int) -> list[str]:
        a = self.arrays[key]
        if a.dtype.kind != "U" or a.shape != (n,):
            raise self._bad(key, f"{n} column name(s)")
        return [str(v) for v in a]

    def classes(self, net: Network) -> np.ndarray:
        a, K = self.arrays["classes"], net.s(net.L)
        n = len(a) if a.ndim == 1 else 0
        one_unit = n == 2 and K == 1 and net.output == "sigmoid"  # binary: y = 1 for classes[1]
        if a.dtype.kind not in "iuU" or a.ndim != 1 or n < 2 or not (n == K or one_unit):
            raise self._bad("classes", f"the labels of the {K} output unit(s), at least 2")
        if len(np.unique(a)) != n or not (np.unique(a) == a).all():
            raise ModelError("classes are not sorted and distinct", source=self.source)
        return a.astype(np.int64) if a.dtype.kind in "iu" else a
