"""The model file: one .npz readable by plain numpy with ``allow_pickle=False``,
written atomically, never over a file that is not an nnbp model.

Arrays: Theta1 … Theta{L-1} (NOTATION.md shapes), layers, activation, output,
cost, lambda, feature_names, target_names, classes (classification only),
norm_kind/norm_shift/norm_scale, val_rows (when a validation split was held out),
config (the resolved YAML), epochs, cost_final, nnbp_version, format.
"""

from __future__ import annotations

import os
import zipfile
from pathlib import Path

import numpy as np

from . import __version__
from .errors import ModelError
from .network import Network, Weights

FORMAT = "nnbp-model-1"


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
        nnbp_version=np.array(__version__), format=np.array(FORMAT),
    )
    if data.target.classes is not None:
        arrays["classes"] = np.asarray(data.target.classes)
    if data.val is not None:  # rows (0-based) of the training file held out for validation
        arrays["val_rows"] = np.asarray(data.val.rows, dtype=np.int64)
    return arrays
