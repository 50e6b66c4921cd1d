"""The config file as a JSON Schema (draft 2020-12), built from ``schema.FIELDS``.

Every key's fragment is the one its check carries (``Field.json_schema``), so
the validator and the schema read one definition and cannot drift apart.  As
in the validator: no keys beyond the known ones at any level, ``data.train``
and ``network.layers`` required, a section may be left empty (null) when it
holds no required key, and ``network.cost`` must pair with ``network.output``.
"""

from __future__ import annotations

import copy

from .costs import COSTS
from .schema import BY_KEY, FIELDS

DRAFT = "https://json-schema.org/draft/2020-12/schema"


def config_schema() -> dict:
    """The JSON Schema of an nnbp config file, as a plain dict."""
    root = {"$schema": DRAFT, "title": "nnbp config",
            "description": "A config for nnbp train, explain and gradcheck; paths are "
                           "relative to the config file.",
            **_section()}
    for f in FIELDS:
        *parents, leaf = f.key.split(".")
        node = root
        for p in parents:
            node = node["properties"].setdefault(p, _section())
        prop = {"description": f.doc, **copy.deepcopy(f.json_schema)}
        if not f.required:
            prop["default"] = copy.deepcopy(f.default)
        node["properties"][leaf] = prop
        if f.required:  # the key, and each section above it
            node = root
            for p in [*parents, leaf]:
                if p not in node["required"]:
                    node["required"].append(p)
                node = node["properties"][p]
                if p != leaf:
                    node["type"] = "object"  # a section with a required key cannot be null
    root["type"] = "object"
    root["properties"]["network"]["allOf"] = _cost_output_pairs()
    _drop_empty_required(root)
    return root


def _section() -> dict:
    return {"type": ["object", "null"], "properties": {}, "required": [],
            "additionalProperties": False}


def _drop_empty_required(node: dict) -> None:
    if not node["required"]:
        del node["required"]
    for child in node["properties"].values():
        if "additionalProperties" in child:  # a section
            _drop_empty_required(child)


def _cost_output_pairs() -> list[dict]:
    """Each cost allows only the outputs it pairs with (``Cost.outputs``); an
    absent cost or output counts as its default."""
    cost_default = BY_KEY["network.cost"].default
    output_default = BY_KEY["network.output"].default
    rules = []
    for name, cost in COSTS.items():
        chosen: dict = {"required": ["cost"], "properties": {"cost": {"const": name}}}
        if name == cost_default:
            chosen = {"anyOf": [chosen, {"not": {"required": ["cost"]}}]}
        then: dict = {"properties": {"output": {"enum": list(cost.outputs)}}}
        if output_default not in cost.outputs:
            then["required"] = ["output"]
        rules.append({"if": chosen, "then": then})
    return rules
