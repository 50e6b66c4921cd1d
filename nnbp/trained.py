"""A trained model's weights in place of a config's initial ones: the model read by
``load_model`` (every array checked there), held to the config's network."""

from __future__ import annotations

from dataclasses import replace
from typing import TYPE_CHECKING

import numpy as np

from .errors import ModelError
from .model import SavedModel, load_model
from .network import Network

if TYPE_CHECKING:
    from .training.run import Run


def check_fits(model: SavedModel, net: Network) -> None:
    """The model was trained for the config's network: its layers, g, output and cost."""
    if model.net.sizes != net.sizes:
        raise ModelError(f"was trained for layers {list(model.net.sizes)}, the config has "
                         f"{list(net.sizes)}", source=model.path)
    for key in ("activation", "output", "cost"):
        if getattr(model.net, key) != getattr(net, key):
            raise ModelError(f"was trained with {key} {getattr(model.net, key)}, the config "
                             f"has {getattr(net, key)}", source=model.path)


def with_model(run: Run, path: str) -> Run:
    """The run (its data in memory) at a trained model's weights, its rows normalized and
    its targets scaled as the model's were when they differ from the config's data."""
    from .data.describe import design_matrix
    from .data.parts import ArrayPart, Dataset
    from .engine.executor import executor_for

    model = load_model(path)
    check_fits(model, run.net)
    dtype = run.Theta[1].dtype
    Theta = {l: T.astype(dtype) for l, T in model.Theta.items()}
    data, norm = run.data, model.norm
    if not (np.array_equal(norm.shift, data.norm.shift)
            and np.array_equal(norm.scale, data.norm.scale)):
        def renorm(part):
            raw = part.X * data.norm.scale + data.norm.shift
            return ArrayPart(design_matrix(raw, norm, part.X.dtype), part.Y, part.rows)
        data = Dataset(replace(data.description, norm=norm),
                       {name: renorm(p) for name, p in data.parts.items()})
    scaling, ours = model.target_scaling, data.target.scaling
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
