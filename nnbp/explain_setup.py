"""What explain needs besides the one row it explains: the network and its weights
(the config's initial ones, or a trained model's), how a row becomes x′ and y, and
where the training file's rows are.

With a model, the model file holds the normalization and the classes, and only the
rows explained are read.  Without one, they are those of the training data,
described in a pass over the file that keeps none of its rows (nnbp/data/summary.py).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Sequence

import numpy as np

from .config import Config
from .data.describe import Roles, column_roles
from .data.header import Header
from .data.rows import pick_rows
from .data.memory_source import read_at_key
from .encoding import Target
from .errors import ModelError, UsageError
from .example_input import Encoding, from_row, typed as typed_example
from .explain import explain
from .explanation import Example, Explanation
from .network import Network, Weights


@dataclass(eq=False)
class ExampleBatch:
    """The first training examples explained, for the page to add up Δ and D over."""

    m: int  # the training rows of the file (less the validation rows)
    explained: list[Explanation]


@dataclass(eq=False)
class ExplainSetup:
    """The network at its weights, and the examples of its data, explained on request."""

    cfg: Config
    net: Network
    Theta: Weights
    encoding: Encoding
    header: Header
    roles: Roles
    held_out: np.ndarray  # rows (0-based) held out for validation
    m: int | None  # rows of the training file, when they were counted

    def example(self, t: int) -> Example:
        """x^(t), y^(t): row t (1-based) of the training file, held-out rows included."""
        return self.examples([t])[0]

    def examples(self, ts: Sequence[int]) -> list[Example]:
        """Rows ts (1-based, ascending) of the training file, reading only up to the last."""
        low = min(ts, default=1) < 1
        picked = pick_rows(self.cfg.data.train, [t - 1 for t in ts if t >= 1],
                           self.roles.want(), self.header, count=low and self.m is None)
        if low or len(picked.rows) < len(ts):
            t = next(t for k, t in enumerate(ts) if t < 1 or k >= len(picked.rows))
            m = picked.m if picked.m is not None else self.m
            raise UsageError(f"--example {t} is outside the data: the training file has {m} "
                             f"examples, numbered 1 … {m}")
        return [from_row(self.encoding, self.roles, row, t) for row, t in zip(picked.rows, ts)]

    def typed(self, x: str, y: str | None) -> Example:
        """An example typed in: ``x`` and ``y`` as on the command line ("0.05,0.10")."""
        return typed_example(self.encoding, x, y)

    def explain(self, example: Example, *, check: bool = False) -> Explanation:
        return explain(self.net, self.Theta, example, check=check)

    def batch(self, n: int) -> ExampleBatch:
        """The first ``n`` training rows (validation rows left out), each explained."""
        held = set(self.held_out.tolist())
        rows = [r for r in range(n + len(held)) if r not in held][:n]
        picked = pick_rows(self.cfg.data.train, rows, self.roles.want(), self.header,
                           count=True)
        examples = [from_row(self.encoding, self.roles, row, r + 1)
                    for row, r in zip(picked.rows, rows)]
        m = picked.m - sum(r < picked.m for r in held)
        return ExampleBatch(m, [self.explain(e) for e in examples])


def explain_setup(cfg: Config, model: str | None = None) -> ExplainSetup:
    """The setup of ``cfg``'s network, at the weights of the ``model`` file if given."""
    from .training.run import build_network, initial_weights

    header = read_at_key(cfg, "data.train", cfg.data.train)
    roles = column_roles(cfg, header)
    dtype = np.dtype(cfg.training.dtype)
    if model is None:
        from .data.summary import describe_file

        d = describe_file(cfg, cfg.network.layers[-1], header)
        net = build_network(cfg, len(d.features), d.target.K)
        return ExplainSetup(cfg, net, initial_weights(cfg, net),
                            Encoding(d.features, d.target, d.norm, dtype), header, roles,
                            d.val_rows, sum(d.sizes.values()))
    from .model import load_model
    from .trained import check_fits

    saved = load_model(model)
    units = cfg.network.layers[-1]
    net = build_network(cfg, len(roles.features), saved.net.s(saved.net.L)
                        if units == "auto" else units)
    check_fits(saved, net)
    if roles.classify and saved.classes is None:
        raise ModelError(f"holds no classes, but the config's target {roles.targets[0]!r} "
                         "holds labels", source=saved.path)
    target = Target(roles.targets, saved.classes, net.s(net.L), saved.target_scaling)
    held = saved.val_rows if saved.val_rows is not None else np.arange(0)
    return ExplainSetup(cfg, net, {l: T.astype(dtype) for l, T in saved.Theta.items()},
                        Encoding(roles.features, target, saved.norm, dtype), header, roles,
                        held, None)
