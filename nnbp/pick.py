"""What explain and gradcheck look at: the weights (the config's initial ones or
a trained model's), one example of the data or one typed in, or the first rows."""

from __future__ import annotations

from dataclasses import dataclass, replace
from typing import TYPE_CHECKING

import numpy as np

from .errors import ModelError, UsageError
from .network import predict_index

if TYPE_CHECKING:
    from .training.run import Run


def with_model(run: Run, path: str) -> Run:
    """The run with a trained model's weights, and its normalization when it differs."""
    from .data.describe import design_matrix
    from .data.parts import ArrayPart, Dataset
    from .encoding import Normalization
    from .engine.executor import executor_for
    from .model import ModelArrays, check_weights, read_npz

    arrays = read_npz(path)
    A = ModelArrays(arrays, path)  # each array checked for its kind before use
    if "layers" in arrays and tuple(int(s) for s in A.ints("layers")) != run.net.sizes:
        raise ModelError(f"was trained for layers {list(map(int, arrays['layers']))}, the config "
                         f"has {list(run.net.sizes)}", source=path)
    for key in ("activation", "output", "cost"):
        if key in arrays and A.text(key) != getattr(run.net, key):
            raise ModelError(f"was trained with {key} {arrays[key]}, the config has "
                             f"{getattr(run.net, key)}", source=path)
    Theta = check_weights(arrays, run.net, path, run.Theta[1].dtype)
    data = run.data
    if "norm_shift" in arrays:
        n = data.norm.shift.size
        if arrays["norm_shift"].shape != (n,):
            raise ModelError(f"expects {arrays['norm_shift'].size} features, the data has {n}",
                             source=path)
        if "norm_scale" not in arrays:
            raise ModelError("has norm_shift but no norm_scale", source=path)
        kind = A.text("norm_kind") if "norm_kind" in arrays else "unknown"
        norm = Normalization(kind, A.numbers("norm_shift", n), A.numbers("norm_scale", n))
        if (norm.scale == 0).any():
            raise ModelError("norm_scale holds a 0; x' = (x - shift) / scale would divide by it",
                             source=path)
        if not (np.array_equal(norm.shift, data.norm.shift)
                and np.array_equal(norm.scale, data.norm.scale)):
            def renorm(part):
                raw = part.X * data.norm.scale + data.norm.shift
                return ArrayPart(design_matrix(raw, norm, part.X.dtype), part.Y, part.rows)
            data = Dataset(replace(data.description, norm=norm),
                           {name: renorm(p) for name, p in data.parts.items()})
    scaling = A.target_scaling(run.net.s(run.net.L))
    ours = data.target.scaling
    if scaling is not None and ours is not None and not (
            np.array_equal(scaling.shift, ours.shift) and np.array_equal(scaling.scale, ours.scale)):
        # the targets as the model was trained on them: y' with the model's statistics
        target = replace(data.target, scaling=scaling)

        def rescale(part):
            raw = data.target.decode(part.Y.astype(np.float64))
            return replace(part, Y=scaling.apply(raw).astype(part.Y.dtype))
        data = Dataset(replace(data.description, target=target),
                       {name: rescale(p) for name, p in data.parts.items()})
    if data is run.data:
        return replace(run, Theta=Theta)
    executor = executor_for(data, run.net, classify=run.classifier,
                            dtype=run.cfg.training.dtype)
    return replace(run, Theta=Theta, data=data, executor=executor)


def n_examples(run: Run) -> int:
    return run.data.train.m + (run.data.val.m if run.data.val is not None else 0)


@dataclass
class Example:
    """One example as the network sees it, x′ and y, and as the user wrote it."""

    t: int | None  # x^(t), row t of the training file; None: typed in
    x: np.ndarray  # x′: the features normalized with the training statistics  (s_1,)
    y: np.ndarray  # y as training uses it: one-hot rows, or the targets  (K,)
    x_raw: list[float]  # the features as typed, or as in the file
    y_raw: list  # the label as written, or the targets in their own units
    features: list[str]
    targets: list[str]
    normalize: str  # none | standard | minmax: how x′ comes from x

    def raw(self) -> dict:
        """The example as written, for ``explain --json``'s "raw"."""
        return {"features": self.features, "x": self.x_raw, "targets": self.targets,
                "y": self.y_raw, "normalize": self.normalize}


def example(run: Run, t: int) -> Example:
    """x^(t), y^(t): row t (1-based) of the training file, held-out rows included."""
    m = n_examples(run)
    if not 1 <= t <= m:
        raise UsageError(f"--example {t} is outside the data: the training file has {m} "
                         f"examples, numbered 1 … {m}")
    for part in (run.data.train, run.data.val):
        if part is not None:
            hit = np.flatnonzero(part.rows == t - 1)
            if hit.size:
                x, y = part.X[hit[0]], part.Y[hit[0]]
                norm = run.data.norm
                # x = x′ · scale + shift gives the file's values back to within an ulp or
                # two; 15 significant digits, as many as a double holds for any decimal,
                # give back the number as written
                x_raw = [float(f"{v:.15g}") for v in x * norm.scale + norm.shift]
                return _example(run, t, x, y, x_raw, _y_raw(run, y))
    raise AssertionError("row not found in train or validation split")


def _y_raw(run: Run, y: np.ndarray) -> list:
    """A row of Y as the user writes it: the class label, or the target values."""
    classes = run.data.target.classes
    if classes is None:  # y = y′ · scale + shift, to the digits a double holds, as for x
        return [float(f"{v:.15g}") for v in run.data.target.decode(np.asarray(y)[None, :])[0]]
    label = classes[predict_index(np.asarray(y)[None, :])[0]]
    return [label.item() if hasattr(label, "item") else label]


def _example(run: Run, t, x, y, x_raw, y_raw) -> Example:
    return Example(t, np.asarray(x), np.asarray(y), x_raw, y_raw, list(run.data.features),
                   list(run.data.target.columns), run.data.norm.kind)


def typed_example(run: Run, x_text: str, y_text: str | None) -> Example:
    """An example typed on the command line, normalized like the training data."""
    s1 = run.net.s(1)
    x = _numbers(x_text, "--x")
    if len(x) != s1:
        raise UsageError(f"--x has {len(x)} values, the network has {s1} inputs "
                         f"({', '.join(run.data.features)})")
    X = run.data.norm.apply(np.array(x)[None, :])[0]
    target = run.data.target
    if y_text is None:
        raise UsageError("--x needs --y, the example's label (or target values)")
    if target.classes is None:
        y = _numbers(y_text, "--y")
        if len(y) != target.K:
            raise UsageError(f"--y has {len(y)} values, the network has {target.K} outputs")
        Y = target.encode(np.array(y), "--y")  # y′, standardized as in training
        return _example(run, None, X, Y[0], x, y)
    label = y_text.strip()
    labels = [str(c) for c in target.classes]
    if label not in labels:
        raise UsageError(f"--y {label!r} is not one of the classes: {', '.join(labels)}")
    Y = target.encode(target.classes[[labels.index(label)]], "--y")
    return _example(run, None, X, Y[0], x, _y_raw(run, Y[0]))


def _numbers(text: str, option: str) -> list[float]:
    try:
        values = [float(v) for v in text.split(",")]
    except ValueError:
        raise UsageError(f"{option} {text!r}: expected comma-separated numbers") from None
    if not all(np.isfinite(values)):
        raise UsageError(f"{option} {text!r}: values must be finite")
    return values
