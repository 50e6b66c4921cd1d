"""Read a YAML config safely and validate it against ``schema.FIELDS``.

Errors name the file, the line and the dotted key, what was expected and what
was found.  YAML tags that would build Python objects are refused by the safe
loader and never executed.
"""

from __future__ import annotations

import copy
import difflib
import re
import reprlib
from dataclasses import dataclass, field, fields
from pathlib import Path
from typing import Any

import yaml

from .errors import ConfigError, NnbpError, UsageError
from .schema import BY_KEY, FIELDS, SECTIONS


class _Loader(yaml.SafeLoader):
    """The safe loader, plus floats written without a dot (1e-4), which YAML 1.1
    would otherwise read as a string."""


_Loader.add_implicit_resolver(
    "tag:yaml.org,2002:float",
    re.compile(r"^[-+]?(?:[0-9][0-9_]*(?:\.[0-9_]*)?|\.[0-9_]+)[eE][-+]?[0-9]+$"),
    list("-+0123456789."),
)


def bundled_dir(kind: str) -> Path:
    """The folder of bundled ``configs`` or ``datasets``: inside the installed
    package, or at the top of a source checkout."""
    here = Path(__file__).resolve().parent
    packaged = here / "_bundled" / kind
    return packaged if packaged.is_dir() else here.parent / kind


def bundled_names() -> list[str]:
    folder = bundled_dir("configs")
    return sorted(p.stem for p in folder.glob("*.yaml")) if folder.is_dir() else []


def resolve_config_path(name: str) -> Path:
    """A config file path, or the name of a bundled example (``digits``), unless the
    working folder has a config of that name (``digits.yaml``): the user's own file,
    whose model has the same default name, comes first."""
    p = Path(name)
    if p.is_file():
        return p
    if p.is_dir():
        raise ConfigError("is a directory, not a config file", source=name)
    own = [q for q in (p.with_name(p.name + ".yaml"), p.with_name(p.name + ".yml")) if q.is_file()]
    if own:
        return own[0]
    if name in bundled_names():
        return bundled_dir("configs") / f"{name}.yaml"
    hint = difflib.get_close_matches(name, bundled_names(), n=1)
    names = ", ".join(bundled_names())
    extra = f" (did you mean {hint[0]}?)" if hint else ""
    raise ConfigError(f"no such file, and not a bundled example{extra}; bundled examples: {names}",
                      source=name)


# The validated config, one frozen dataclass per section, read as
# ``cfg.training.learning_rate``.  Each field is the key of the same name in
# ``schema.FIELDS`` (``lam`` is the key ``lambda``, a Python keyword), which stays
# the one place of defaults and rules; tests/test_config.py checks that the two agree.

@dataclass(frozen=True)
class DataSection:
    train: str  # resolved path
    target: str | int | list | None
    ignore: list  # column names or 0-based indexes
    test: str | None
    validation_split: float
    normalize: str
    normalize_target: str
    stream: bool | str  # True, False or "auto"


@dataclass(frozen=True)
class InitSection:
    epsilon: float | str  # a number, or "auto"
    seed: int
    weights: str | dict | None  # an .npz path, or inline Theta1: [[…]]


@dataclass(frozen=True)
class NetworkSection:
    layers: list  # s_1 … s_L; the first and last may be "auto"
    activation: str
    output: str
    cost: str
    init: InitSection


@dataclass(frozen=True)
class TrainingSection:
    epochs: int
    learning_rate: float
    lam: float = field(metadata={"key": "lambda"})
    dtype: str
    log_every: int
    optimizer: str  # gd | lbfgs | cg
    scheduler: str | None  # a Dask scheduler address, "local", or None (this process)
    worker_wait: float  # seconds to wait for a worker when a cluster has none left


@dataclass(frozen=True)
class OutputSection:
    model: str | None


SECTION_TYPES = {"data": DataSection, "network": NetworkSection, "training": TrainingSection,
                 "output": OutputSection}


def _section(section: type, prefix: str, values: dict[str, Any]):
    """The section's dataclass, from the dotted keys under ``prefix``."""
    args = {}
    for f in fields(section):
        if f.type == "InitSection":
            args[f.name] = _section(InitSection, f"{prefix}{f.name}.", values)
        else:
            args[f.name] = values[prefix + f.metadata.get("key", f.name)]
    return section(**args)


def section_keys(section: type | None = None, prefix: str = "") -> list[str]:
    """The dotted keys that the section dataclasses read (all of them by default)."""
    if section is None:
        return [k for name, t in SECTION_TYPES.items() for k in section_keys(t, name + ".")]
    return [k for f in fields(section) for k in (
        section_keys(InitSection, f"{prefix}{f.name}.") if f.type == "InitSection"
        else [prefix + f.metadata.get("key", f.name)])]


@dataclass(frozen=True)
class Config:
    """The validated config: every key of the schema, defaults filled in, paths
    resolved against the config file's folder.  ``values`` holds them by dotted key,
    as the file writes them; read them typed, as ``cfg.training.epochs``."""

    values: dict[str, Any]
    source: str = "<config>"  # the file it came from, for messages
    name: str = "model"  # the config file's stem, for the default model name
    lines: dict[str, int] = field(default_factory=dict)  # dotted key -> line in the file
    options: dict[str, Any] = field(default_factory=dict)  # dotted key -> set by an option
    data: DataSection = field(init=False, repr=False)
    network: NetworkSection = field(init=False, repr=False)
    training: TrainingSection = field(init=False, repr=False)
    output: OutputSection = field(init=False, repr=False)

    def __post_init__(self):
        for name, section in SECTION_TYPES.items():
            object.__setattr__(self, name, _section(section, name + ".", self.values))

    def error(self, key: str, message: str) -> NnbpError:
        """An error about a key: at its line of the file, or at the command-line option
        that set it (one that has an option name, as --scheduler)."""
        option = BY_KEY[key].option if key in self.options else None
        if option:
            return UsageError(f"{option} {self.options[key]}: {message}")
        return _error(key, message, self.source, self.lines)

    def override(self, **sections: dict) -> "Config":
        """A copy with keys set on the command line, by section, as the sections' fields
        are named: ``override(training={"epochs": 5, "lam": 0.1}, network={"init":
        {"seed": 3}})``; None leaves a key as it is.  Each value is validated."""
        values, options = dict(self.values), dict(self.options)
        for key, v in _dotted(sections, SECTION_TYPES).items():
            expected = BY_KEY[key].check(v)
            if expected is not None:
                raise ConfigError(f"{key} (set on the command line): expected {expected}, "
                                  f"found {v!r}")
            values[key] = options[key] = v
        return Config(_check_pairs(values, self.source, self.lines), self.source, self.name,
                      self.lines, options)

    def set_where(self, section: str, name: str) -> str | None:
        """Where a key was set, for a message: "on the command line", "in FILE, line N",
        or None (its default)."""
        key = _dotted({section: {name: True}}, SECTION_TYPES).popitem()[0]
        if key in self.options:
            return "on the command line"
        if key in self.lines:
            return f"in {self.source}, line {self.lines[key]}"
        return None

    def nested(self) -> dict:
        """The config as the nested mapping of the YAML file."""
        out: dict = {}
        for key, v in self.values.items():
            *parents, leaf = key.split(".")
            node = out
            for p in parents:
                node = node.setdefault(p, {})
            node[leaf] = copy.deepcopy(v)
        return out

    def to_yaml(self) -> str:
        return yaml.safe_dump(self.nested(), sort_keys=False, allow_unicode=True)


def load_config(name: str | Path) -> Config:
    """Read and validate a config file or bundled example name."""
    path = resolve_config_path(str(name))
    source = str(name)
    try:
        text = path.read_text(encoding="utf-8-sig")
    except UnicodeDecodeError:
        raise ConfigError("is not UTF-8 text; is it the right file?", source=source) from None
    except OSError as e:
        raise ConfigError(f"cannot be read: {e.strerror}", source=source) from None
    return parse_config(text, source=source, base=path.resolve().parent, name=path.stem)


def parse_config(text: str, *, source: str = "<config>", base: Path | None = None,
                 name: str = "model") -> Config:
    try:
        node = yaml.compose(text, Loader=_Loader)
        _check_depth(node, source)
        raw = yaml.load(text, Loader=_Loader) if node is not None else None
    except RecursionError:  # PyYAML composes nested nodes recursively
        raise ConfigError(f"invalid YAML: nested more than {MAX_DEPTH} levels deep",
                          source=source) from None
    except yaml.reader.ReaderError as e:  # a character YAML does not allow, e.g. a control code
        line = text.count("\n", 0, e.position) + 1
        column = e.position - (text.rfind("\n", 0, e.position) + 1) + 1
        what = f"#x{e.character:04x}" if isinstance(e.character, int) else repr(e.character)
        raise ConfigError(f"invalid YAML, column {column}: unacceptable character {what} "
                          f"({e.reason})", source=source, line=line) from None
    except yaml.MarkedYAMLError as e:
        mark = e.problem_mark or e.context_mark
        line = mark.line + 1 if mark else None
        where = f", column {mark.column + 1}" if mark else ""
        problem = e.problem or e.context or "invalid YAML"
        start = e.context_mark
        if e.problem and start and ("flow" in e.context or "quoted" in e.context):
            # an unclosed [ { or quote is noticed later: say where it was opened
            problem += f" ({e.context} that starts on line {start.line + 1}, " \
                       f"column {start.column + 1})"
        raise ConfigError(f"invalid YAML{where}: {problem}", source=source, line=line) from None
    except yaml.YAMLError as e:
        raise ConfigError(f"invalid YAML: {' '.join(str(e).split())}", source=source) from None
    if raw is None:
        raise ConfigError("is empty; a config needs at least data.train and network.layers",
                          source=source)
    if not isinstance(raw, dict):
        raise ConfigError(f"must be a mapping of sections (data, network, training, output), "
                          f"found a {_kind(raw)}", source=source, line=1)
    lines: dict[str, int] = {}
    _walk_nodes(node, "", lines, source)
    flat: dict[str, Any] = {}
    _flatten(raw, "", flat, lines, source)
    values: dict[str, Any] = {}
    for f in FIELDS:
        if f.key not in flat:
            if f.required:
                raise ConfigError(f"{f.key} is required ({f.doc})", source=source)
            values[f.key] = copy.deepcopy(f.default)
            continue
        v = flat[f.key]
        expected = f.check(v)
        if expected is not None:
            raise _error(f.key, f"expected {expected}, found {_show(v)}", source, lines)
        if f.is_path and isinstance(v, str) and base is not None and not _is_url(v):
            v = str((base / Path(v).expanduser()).resolve())
        values[f.key] = v
    return Config(_check_pairs(values, source, lines), source, name, lines)


def _is_url(v: str) -> bool:
    """s3://bucket/train.csv and the like, which the workers of a Dask cluster read
    (fsspec), are left as written."""
    return re.match(r"[a-zA-Z][a-zA-Z0-9+.-]+://", v) is not None


def _dotted(sections: dict, types: dict[str, type], prefix: str = "") -> dict[str, Any]:
    """{"training": {"lam": 0.1}} -> {"training.lambda": 0.1}, None values left out."""
    out: dict[str, Any] = {}
    for name, values in sections.items():
        known = {f.name: f for f in fields(types[name])}
        for field_name, v in values.items():
            if field_name not in known:
                raise TypeError(f"{name} has no field {field_name!r}")
            f = known[field_name]
            if f.type == "InitSection":
                out.update(_dotted({field_name: v}, {field_name: InitSection},
                                   f"{prefix}{name}."))
            elif v is not None:
                out[f"{prefix}{name}.{f.metadata.get('key', f.name)}"] = v
    return out


def _error(key: str, message: str, source: str, lines: dict[str, int]) -> ConfigError:
    """An error about a dotted key, naming the file and the key's line."""
    return ConfigError(f"{key}: {message}", source=source, line=lines.get(key))


def _check_pairs(values: dict[str, Any], source: str, lines: dict[str, int]) -> dict[str, Any]:
    """Rules that tie two keys together."""
    from .costs import COSTS

    output, cost = values["network.output"], values["network.cost"]
    if output not in COSTS[cost].outputs:
        pairs = ", ".join(COSTS[cost].outputs)
        raise _error("network.cost", f"{cost} does not pair with a {output} output "
                     f"(it pairs with: {pairs})", source, lines)
    return values


def _flatten(raw: dict, prefix: str, flat: dict, lines: dict, source: str) -> None:
    for key, v in raw.items():
        dotted = f"{prefix}{key}"
        if dotted in SECTIONS:
            if v is None:
                continue  # an empty section: all defaults
            if not isinstance(v, dict):
                raise ConfigError(f"{dotted} must be a mapping of keys, found {_show(v)}",
                                  source=source, line=lines.get(dotted))
            _flatten(v, dotted + ".", flat, lines, source)
        elif dotted in BY_KEY:
            flat[dotted] = v
        else:
            raise ConfigError(f"unknown key {_name(dotted)}{_suggest(dotted)}", source=source,
                              line=lines.get(dotted))


def _name(dotted: str) -> str:
    """A key as written in a message: quoted when blank or holding spaces or control codes."""
    plain = dotted and dotted.isprintable() and not any(c.isspace() for c in dotted)
    return dotted if plain else repr(dotted)


def _suggest(dotted: str) -> str:
    prefix, _, leaf = dotted.rpartition(".")
    known = list(BY_KEY) + sorted(SECTIONS)
    here = [k for k in known if k.rpartition(".")[0] == prefix]
    close = [k for k in known if k.rpartition(".")[2] == leaf]  # the right key, wrong section?
    for candidates in (here, known):  # a typo, here or in another section; leaf names
        if not close:  # are compared, since a shared prefix would make anything look close
            leaves = {k.rpartition(".")[2]: k for k in reversed(candidates)}
            close = [leaves[c] for c in difflib.get_close_matches(leaf, list(leaves), n=1,
                                                                  cutoff=0.6)]
    return f" (did you mean {close[0]}?)" if close else f"; allowed here: {', '.join(here)}"


MAX_DEPTH = 32  # a config needs 6 (network.init.weights.Theta1, rows, numbers)


def _check_depth(node, source: str) -> None:
    """Refuse nodes nested deeper than MAX_DEPTH (or nested in themselves, through an
    alias), before anything walks them recursively."""
    stack, deepest = [(node, 0)], {}
    while stack:
        n, depth = stack.pop()
        if not isinstance(n, yaml.CollectionNode) or deepest.get(id(n), -1) >= depth:
            continue  # scalars, and aliases of a node already seen at least this deep
        deepest[id(n)] = depth
        if depth >= MAX_DEPTH:
            raise ConfigError(f"invalid YAML: nested more than {MAX_DEPTH} levels deep (or "
                              "an alias inside itself)", source=source, line=n.start_mark.line + 1)
        children = n.value if isinstance(n, yaml.SequenceNode) else \
            [c for pair in n.value for c in pair]
        stack.extend((c, depth + 1) for c in children)


def _walk_nodes(node, prefix: str, lines: dict, source: str) -> None:
    """Record the line of each dotted key, and refuse duplicate keys.  Only sections
    (and inline weights) are walked into: an alias may make a value as large as its
    expansion, or refer to itself."""
    if not isinstance(node, yaml.MappingNode):
        return
    seen: set = set()
    for key_node, value_node in node.value:
        key = key_node.value
        dotted = f"{prefix}{key}"
        if key in seen:
            raise ConfigError(f"duplicate key {_name(dotted)}", source=source,
                              line=key_node.start_mark.line + 1)
        seen.add(key)
        lines[dotted] = key_node.start_mark.line + 1
        if dotted in SECTIONS or dotted == "network.init.weights":
            _walk_nodes(value_node, dotted + ".", lines, source)


def _kind(v: Any) -> str:
    return {list: "list", str: "string", bool: "boolean", int: "number",
            float: "number", dict: "mapping"}.get(type(v), type(v).__name__)


_repr = reprlib.Repr()  # a value in a message: short, however large (or recursive) it is
_repr.maxlevel, _repr.maxlist, _repr.maxdict, _repr.maxstring, _repr.maxother = 2, 6, 4, 60, 60


def _show(v: Any) -> str:
    if v is None:
        return "null"
    text = _repr.repr(v)
    return f"{text if len(text) <= 100 else text[:99] + '…'} ({_kind(v)})"
