"""Every key of the config file, its default, and its rule, defined once.

The validator (``config.py``), ``nnbp config show`` and the JSON Schema all
read this table, so a new key or a new activation is one entry here.
"""

from __future__ import annotations

import math
import numbers
import re
from dataclasses import dataclass
from typing import Any, Callable

from .activations import HIDDEN, OUTPUT
from .choices import DTYPES, NORMALIZE, NORMALIZE_TARGET, OPTIMIZERS
from .costs import COSTS


@dataclass(frozen=True)
class Field:
    key: str  # dotted path, e.g. "training.epochs"
    default: Any
    doc: str
    check: Callable[[Any], str | None]  # None when valid, else what was expected
    required: bool = False
    is_path: bool = False  # resolved relative to the config file
    json_schema: dict | None = None  # JSON-schema fragment; default: the check's own
    option: str | None = None  # the command-line option that sets it, named in its errors

    def __post_init__(self):
        if self.json_schema is None:  # frozen: set once, here
            object.__setattr__(self, "json_schema", self.check.json_schema)  # type: ignore


# --- value checks: each returns None or "expected …" -------------------------
# Each check carries ``.json_schema``, the same rule as a JSON Schema fragment
# (``nnbp config schema``).  JSON cannot tell 1 from 1.0 and has no NaN, so there
# the schema is looser than the check; it is never stricter.

def _rule(fragment: dict):
    """Attach a JSON-schema fragment to a check."""
    def attach(check):
        check.json_schema = fragment
        return check
    return attach


def _is_int(v) -> bool:
    return isinstance(v, numbers.Integral) and not isinstance(v, bool)


def _is_number(v) -> bool:
    """A finite real number, as a float can hold it (not NaN, ±inf or an integer like 10**400)."""
    if not isinstance(v, numbers.Real) or isinstance(v, bool):
        return False
    try:
        return math.isfinite(v)
    except OverflowError:
        return False


def integer(minimum: int):
    @_rule({"type": "integer", "minimum": minimum})
    def check(v):
        return None if _is_int(v) and v >= minimum else f"an integer ≥ {minimum}"
    return check


def number(minimum: float, *, exclusive: bool = False, below: float | None = None):
    lo = f"> {minimum:g}" if exclusive else f"≥ {minimum:g}"
    rule = f"a number {lo}" + (f" and < {below:g}" if below is not None else "")
    fragment = {"type": "number", "exclusiveMinimum" if exclusive else "minimum": minimum}
    if below is not None:
        fragment["exclusiveMaximum"] = below

    @_rule(fragment)
    def check(v):
        if not _is_number(v) or v < minimum or (exclusive and v == minimum):
            return rule
        return None if below is None or v < below else rule
    return check


def choice(options):
    options = tuple(options)

    @_rule({"enum": list(options)})
    def check(v):
        return None if v in options else "one of " + ", ".join(options)
    check.options = options  # type: ignore[attr-defined]
    return check


_PATH = {"type": "string", "pattern": r"\S"}  # not blank


def path(*, nullable: bool):
    @_rule({**_PATH, "type": ["string", "null"]} if nullable else _PATH)
    def check(v):
        if (v is None and nullable) or (isinstance(v, str) and v.strip()):
            return None
        return "a file path" + (" or null" if nullable else "")
    return check


_COLUMN = {"anyOf": [{"type": "string", "minLength": 1}, {"type": "integer", "minimum": 0}]}


@_rule({"anyOf": [{"type": "null"}, *_COLUMN["anyOf"],
                  {"type": "array", "items": _COLUMN, "minItems": 1, "uniqueItems": True}]})
def target(v):
    if v is None or _is_int(v) and v >= 0 or isinstance(v, str) and v:
        return None
    if isinstance(v, list) and v and all(isinstance(c, str) and c or _is_int(c) and c >= 0 for c in v):
        return None if len(set(map(str, v))) == len(v) else "a list of distinct columns"
    return "a column name, a 0-based column index, a list of columns, or null (last column)"


@_rule({"enum": ["auto", True, False]})
def stream(v):
    return None if v is True or v is False or v == "auto" else "auto, true or false"


@_rule({"anyOf": [{"type": "null"},
                  {"type": "array", "items": _COLUMN, "uniqueItems": True}]})
def columns(v):
    if v is None or isinstance(v, list) and all(isinstance(c, str) and c or _is_int(c) and c >= 0
                                                for c in v):
        return None if v is None or len(set(map(str, v))) == len(v) else \
            "a list of distinct columns"
    return "a list of column names or 0-based column indexes, such as [id, region]"


@_rule({"type": "array", "minItems": 2,  # that only s_1 and s_L may be auto is not expressed
        "items": {"anyOf": [{"type": "integer", "minimum": 1}, {"const": "auto"}]}})
def layers(v):
    rule = "a list of at least 2 layer sizes (integers ≥ 1; the first and last may be auto)"
    if not isinstance(v, list) or len(v) < 2:
        return rule
    for i, s in enumerate(v):
        edge = i in (0, len(v) - 1)
        if not (_is_int(s) and s >= 1 or edge and s == "auto"):
            return rule
    return None


@_rule({"anyOf": [{"const": "auto"}, {"type": "number", "exclusiveMinimum": 0}]})
def epsilon(v):
    return None if v == "auto" or _is_number(v) and v > 0 else "auto or a number > 0"


@_rule({"anyOf": [{"type": "null"}, _PATH, {"type": "object", "minProperties": 1}]})
def weights(v):
    if v is None or isinstance(v, str) and v.strip():
        return None
    if isinstance(v, dict) and v and all(isinstance(k, str) for k in v):
        return None
    return "null, the path of an .npz holding Theta1 …, or a mapping Theta1: [[…], …]"


@_rule({"anyOf": [{"type": "null"}, {"const": "local"},
                  {"type": "string", "pattern": r"^([a-z][a-z0-9+.-]*://\S+|[^\s:/]+:\d+)$"}]})
def scheduler(v):
    if v is None or v == "local" or isinstance(v, str) and (
            re.fullmatch(r"[a-z][a-z0-9+.-]*://\S+", v) or re.fullmatch(r"[^\s:/]+:\d+", v)):
        return None
    return "a Dask scheduler address such as tcp://host:8786, local, or null"


FIELDS: tuple[Field, ...] = (
    Field("data.train", None, "CSV of training examples, with a header row",
          path(nullable=False), required=True, is_path=True),
    Field("data.target", None, "label column by name or 0-based index (default: the last "
          "column); a list of columns is taken as the target vector y as is", target),
    Field("data.ignore", [], "columns that are neither features nor the target (ids, text), "
          "by name or 0-based index", columns),
    Field("data.test", None, "optional held-out CSV with the same columns", path(nullable=True),
          is_path=True),
    Field("data.validation_split", 0.0, "fraction of the training rows held out "
          "(seeded, stratified by class)", number(0.0, below=1.0)),
    Field("data.normalize", "standard", "feature scaling, statistics from the training rows",
          choice(NORMALIZE)),
    Field("data.normalize_target", "standard", "regression targets (linear output) for "
          "training: y' = (y - mean)/std from the training rows; predictions come back in "
          "the target's units", choice(NORMALIZE_TARGET)),
    Field("data.stream", "auto", "read the data from a binary cache every epoch instead of "
          "holding it in memory: auto (when it would not fit in half the memory there is), "
          "true or false", stream),
    Field("network.layers", None, "units per layer s_1 … s_L; s_1 and s_L may be auto",
          layers, required=True),
    Field("network.activation", "sigmoid", "hidden activation g", choice(HIDDEN)),
    Field("network.output", "sigmoid", "output activation", choice(OUTPUT)),
    Field("network.cost", "cross_entropy", "cost function", choice(COSTS)),
    Field("network.init.epsilon", "auto", "initial weights uniform in [-ε, ε]; "
          "auto is √6/√(s_l + s_{l+1})", epsilon),
    Field("network.init.seed", 0, "seed of the random initialization and the "
          "validation split", integer(0)),
    Field("network.init.weights", None, "initial weights instead of random ones: an .npz "
          "with Theta1 … or an inline mapping", weights, is_path=True),
    Field("training.epochs", 1000, "batch gradient descent steps (gd), or the optimizer's "
          "iterations (lbfgs, cg)", integer(1)),
    Field("training.learning_rate", 1.0, "α", number(0.0, exclusive=True)),
    Field("training.lambda", 1.0, "λ, regularization strength", number(0.0)),
    Field("training.dtype", "float64", "floating-point type", choice(DTYPES)),
    Field("training.log_every", 1, "write a log row every this many epochs", integer(1)),
    Field("training.optimizer", "gd", "gd: batch gradient descent with α; lbfgs, cg: SciPy's "
          "L-BFGS-B and CG on J and D (no α)", choice(OPTIMIZERS)),
    Field("training.scheduler", None, "run the epochs on a Dask cluster: a scheduler address "
          "(tcp://host:8786), or local for a cluster of this machine's cores started for the "
          "run; null trains in this process", scheduler, option="--scheduler"),
    Field("training.worker_wait", 120, "seconds a Dask cluster left without workers is "
          "waited for before the run ends, the model saved with the epochs done",
          number(0.0), option="--worker-wait"),
    Field("output.model", None, "model file to write (default: <config name>.npz in the "
          "working directory)", path(nullable=True), is_path=True),
)

BY_KEY: dict[str, Field] = {f.key: f for f in FIELDS}
SECTIONS: frozenset[str] = frozenset(k.rsplit(".", 1)[0] for k in BY_KEY) | {"network.init"}
