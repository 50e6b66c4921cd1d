"""The model file: one .npz readable by plain numpy with ``allow_pickle=False``,
written atomically, never over a file that is not an nnbp model, and read back
as a ``SavedModel`` with every array checked (``ModelArrays``) for presence, kind
and shape before use, so that a damaged or foreign file is one ModelError naming
the array, not a traceback.

Arrays: Theta1 … Theta{L-1} (shapes as in docs/notation.md), layers, activation, output,
cost, lambda, feature_names, target_names, ignored_names (data.ignore), classes
(classification only), norm_kind/norm_shift/norm_scale, target_shift/target_scale
(a regression network's standardized targets: y' = (y - shift)/scale), val_rows
(when a validation split was held out), config (the resolved YAML), epochs,
cost_final, nnbp_version, format.
"""

from __future__ import annotations

import os
import zipfile
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from . import __version__
from .activations import HIDDEN, OUTPUT
from .costs import COSTS
from .encoding import Normalization, Target
from .errors import DataError, ModelError
from .network import Network, Weights

MODEL_FORMAT = "nnbp-model-1"


def read_npz(path: str | Path, what: str = "model") -> dict[str, np.ndarray]:
    """All arrays of an .npz, refusing pickled objects."""
    path = Path(path)
    if not path.is_file():
        raise ModelError("no such file" if not path.exists() else "is not a file", source=str(path))
    try:
        with open(path, "rb") as f:
            zipped = f.read(2) == b"PK"  # an .npz is a zip archive
    except OSError as e:
        raise ModelError(f"cannot be read: {e.strerror}", source=str(path)) from None
    if not zipped:  # np.load would take any other file for a pickle or an .npy
        raise ModelError(f"is not a readable .npz {what} file (not a zip archive)",
                         source=str(path))
    try:
        with np.load(path, allow_pickle=False) as f:
            return {k: f[k] for k in f.files}
    except ValueError as e:
        if "allow_pickle" in str(e):
            raise ModelError("holds pickled Python objects; nnbp never loads those",
                             source=str(path)) from None
        raise ModelError(f"is not a readable .npz {what} file ({e})", source=str(path)) from None
    except (OSError, zipfile.BadZipFile, EOFError) as e:
        raise ModelError(f"is not a readable .npz {what} file ({e})", source=str(path)) from None


def check_weights(arrays: dict, net: Network, source: str, dtype=np.float64) -> Weights:
    """Theta1 … Theta{L-1} from a mapping, each of the network's shape."""
    Theta: Weights = {}
    for l in range(1, net.L):
        key = f"Theta{l}"
        if key not in arrays:
            have = ", ".join(sorted(k for k in arrays if k.startswith("Theta"))) or "none"
            raise ModelError(f"has no {key} (the network has {net.L - 1} weight matrices; "
                             f"found: {have})", source=source)
        raw = arrays[key]
        if isinstance(raw, list):  # inline, from the YAML: rows of numbers
            rows = [len(r) if isinstance(r, list) else -1 for r in raw]
            if not rows or min(rows) < 0 or min(rows) != max(rows):
                raise ModelError(f"{key} is not a matrix of numbers", source=source)
            if (len(rows), rows[0]) != net.shape(l):  # said before building a huge array
                raise ModelError(f"{key} has shape {_shape((len(rows), rows[0]))}, the network "
                                 f"needs {_shape(net.shape(l))} (s_{l + 1} × (s_{l} + 1))",
                                 source=source)
        try:
            T = np.array(raw, dtype=np.float64)
        except (TypeError, ValueError, OverflowError):
            raise ModelError(f"{key} is not a matrix of numbers", source=source) from None
        if T.shape != net.shape(l):
            raise ModelError(f"{key} has shape {_shape(T.shape)}, the network needs "
                             f"{_shape(net.shape(l))} (s_{l + 1} × (s_{l} + 1))", source=source)
        if not np.isfinite(T).all():
            raise ModelError(f"{key} holds non-finite values", source=source)
        Theta[l] = T.astype(dtype)
    extra = sorted(k for k in arrays if k.startswith("Theta") and k[5:].isdigit()
                   and not 1 <= int(k[5:]) < net.L)
    if extra:
        raise ModelError(f"has {', '.join(extra)}, more weight matrices than the network's "
                         f"{net.L - 1}", source=source)
    return Theta


def _shape(shape) -> str:
    return " × ".join(map(str, shape))


def check_writable(path: str | Path) -> Path:
    """Fail before training, not after it: the folder must exist and be writable,
    and an existing file must be an nnbp model."""
    path = Path(path)
    folder = path.parent if str(path.parent) else Path(".")
    if path.is_dir():
        raise ModelError("is a directory; give a file name for the model", source=str(path))
    if not folder.is_dir():
        raise ModelError(f"cannot write the model: folder {folder} does not exist", source=str(path))
    import tempfile  # here, not at the top: it imports random, which costs every start

    try:  # access() is not the whole story (root, read-only mounts): try a file there
        if not os.access(folder, os.W_OK):
            raise PermissionError
        fd, tmp = tempfile.mkstemp(dir=folder, prefix=f".{path.name}.", suffix=".tmp")
        os.close(fd)
        os.unlink(tmp)
    except OSError:
        raise ModelError(f"cannot write the model: folder {folder} is not writable",
                         source=str(path)) from None
    if path.exists():
        try:
            is_model = "nnbp_version" in read_npz(path)
        except ModelError:
            is_model = False
        if not is_model:
            raise ModelError("exists and is not an nnbp model; refusing to overwrite it",
                             source=str(path))
    return path


def write_atomic(path: str | Path, write) -> None:
    """Call ``write(binary_file)`` on a temporary file in the same folder, then rename
    it into place: readers see the old file or the whole new one, never a part."""
    import tempfile

    path = Path(path)
    fd, tmp = tempfile.mkstemp(dir=path.parent if str(path.parent) else ".",
                               prefix=f".{path.name}.", suffix=".tmp")
    try:
        with os.fdopen(fd, "wb") as f:
            write(f)
            f.flush()
            os.fsync(f.fileno())
        umask = os.umask(0)
        os.umask(umask)
        os.chmod(tmp, 0o666 & ~umask)  # mkstemp makes it private; give it a normal file's mode
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def save_npz_atomic(path: str | Path, arrays: dict[str, np.ndarray]) -> None:
    write_atomic(path, lambda f: np.savez(f, **arrays))


def model_arrays(net: Network, Theta: Weights, *, lam: float, data, config_yaml: str,
                 epochs: int, cost_final: float) -> dict[str, np.ndarray]:
    """The arrays of a model file; ``data`` is the data's description (features, target,
    normalization, ignored columns, validation rows)."""
    arrays = {f"Theta{l}": np.asarray(T) for l, T in Theta.items()}
    arrays.update(
        layers=np.array(net.sizes, dtype=np.int64),
        activation=np.array(net.activation), output=np.array(net.output),
        cost=np.array(net.cost), **{"lambda": np.array(float(lam))},
        feature_names=np.array(data.features, dtype=str),
        target_names=np.array(data.target.columns, dtype=str),
        norm_kind=np.array(data.norm.kind), norm_shift=data.norm.shift,
        norm_scale=data.norm.scale, config=np.array(config_yaml),
        epochs=np.array(epochs, dtype=np.int64), cost_final=np.array(float(cost_final)),
        nnbp_version=np.array(__version__), format=np.array(MODEL_FORMAT),
    )
    arrays["ignored_names"] = np.array(data.ignored, dtype=str)
    if data.target.classes is not None:
        arrays["classes"] = np.asarray(data.target.classes)
    if data.target.scaling is not None:  # y' = (y - shift)/scale, per target column
        arrays["target_shift"] = data.target.scaling.shift
        arrays["target_scale"] = data.target.scaling.scale
    if len(data.val_rows):  # rows (0-based) of the training file held out for validation
        arrays["val_rows"] = np.asarray(data.val_rows, dtype=np.int64)
    return arrays


# --- reading a model back ---------------------------------------------------

REQUIRED_ARRAYS = ("layers", "activation", "output", "cost", "lambda", "feature_names",
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
    ignored: list[str] = field(default_factory=list)  # columns left out in training (data.ignore)
    target_scaling: Normalization | None = None  # y' = (y - shift)/scale (regression)

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
        return Target(self.target_names, self.classes, self.net.s(self.net.L),
                      self.target_scaling)

    def config_paths(self) -> dict:
        """data.train and data.test of the model's config (None when not set)."""
        import yaml

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
    if not (Path(path).is_file() or Path(path).is_dir()):  # a Parquet folder is one too
        raise DataError(f"its data.{key} file {path} is not there any more; give a DATA file",
                        source=model)
    return path


def load_model(path: str | Path) -> SavedModel:
    source = str(path)
    arrays = read_npz(path)
    missing = [k for k in REQUIRED_ARRAYS if k not in arrays]
    if missing:
        hint = " (an .npz of weights only? use it as network.init.weights)" \
            if any(k.startswith("Theta") for k in arrays) else ""
        raise ModelError(f"is not an nnbp model: it has no {', '.join(missing)}{hint}",
                         source=source)
    A = ModelArrays(arrays, source)
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
    ignored = A.names("ignored_names") if "ignored_names" in arrays else []
    return SavedModel(source, net, check_weights(arrays, net, source), lam, classes,
                      A.names("feature_names", s1), targets, norm,
                      A.text("config") if "config" in arrays else "", val_rows, ignored,
                      A.target_scaling(K) if classes is None else None)


@dataclass
class ModelArrays:
    """Typed access to the arrays of a model (or weights) file; each getter raises
    a ModelError naming the array, what it holds and what was expected."""

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

    def numbers(self, key: str, n: int, each: str = "feature") -> np.ndarray:
        a = self.arrays[key]
        if a.dtype.kind not in "fiu" or a.shape != (n,) or not np.isfinite(a).all():
            raise self._bad(key, f"{n} finite numbers (one per {each})")
        return a.astype(np.float64)

    def target_scaling(self, K: int) -> Normalization | None:
        """y' = (y - target_shift)/target_scale, or None when the targets were not scaled."""
        keys = [k for k in ("target_shift", "target_scale") if k in self.arrays]
        if not keys:
            return None
        if len(keys) == 1:
            raise ModelError(f"has {keys[0]} but not the other of target_shift and "
                             "target_scale", source=self.source)
        scale = self.numbers("target_scale", K, "target")
        if (scale <= 0).any():
            raise self._bad("target_scale", f"{K} numbers > 0 (one per target)")
        return Normalization("standard", self.numbers("target_shift", K, "target"), scale)

    def names(self, key: str, n: int | None = None) -> list[str]:
        a = self.arrays[key]
        if a.dtype.kind != "U" or a.ndim != 1 or n is not None and a.shape != (n,):
            raise self._bad(key, "column names" if n is None else f"{n} column name(s)")
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
