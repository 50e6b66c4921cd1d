"""``nnbp config show`` and ``nnbp config schema``: the config as nnbp reads it,
and the JSON Schema of the file, both on stdout."""

from __future__ import annotations

import typer

app = typer.Typer(help="Show a config with every default filled in, or the config's JSON "
                       "Schema.", no_args_is_help=True, rich_markup_mode=None)


@app.command("show")
def show(
    config: str = typer.Argument(..., help="A config file, or a bundled example: xor, iris, "
                                 "digits, lecture, penguins."),
) -> None:
    """Print the config as nnbp uses it: every default filled in, paths absolute.

    The output is itself a config that nnbp train accepts."""
    import yaml

    from nnbp.config import load_config

    cfg = load_config(config)

    class Dumper(yaml.SafeDumper):
        """Lists of numbers on one line: layers: [4, 5, 3], Θ rows as [0.1, 0.3, -0.2]."""

    def represent_list(dumper, data):
        flat = all(not isinstance(v, (list, dict)) for v in data)
        return dumper.represent_sequence("tag:yaml.org,2002:seq", data, flow_style=flat)

    Dumper.add_representer(list, represent_list)
    text = yaml.dump(cfg.nested(), Dumper=Dumper, sort_keys=False, allow_unicode=True,
                     width=1 << 16)
    typer.echo(f"# {config}: every default filled in, paths resolved\n{text}", nl=False)


@app.command("schema")
def schema() -> None:
    """Print the JSON Schema (draft 2020-12) of the config file, for editors and
    validators."""
    import json

    from nnbp.jsonschema_gen import config_schema

    typer.echo(json.dumps(config_schema(), indent=2, ensure_ascii=False))
