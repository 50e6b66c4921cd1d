"""``nnbp explain``: every δ_j^(l) of one example, as a Θ-weighted sum.

The command picks the example and what to show, and hands the library's plain
explanation to a renderer: the rich table below, JSON, ``cli/formats.py`` (LaTeX,
Markdown) or ``cli/diagram.py`` (the network as SVG or PNG)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Optional

import typer

from cli.notation import fold, num, sym

FORMATS = ("table", "json", "latex", "markdown")


def explain(
    config: str = typer.Argument(..., help="A config file or bundled example name."),
    model: Optional[str] = typer.Option(None, "--model", "-m", help="Weights of a trained "
                                        "model (default: the config's initial weights)."),
    example: int = typer.Option(1, "--example", "-e", help="Example t (1-based row of the "
                                "training file)."),
    layer: Optional[int] = typer.Option(None, "--layer", "-l", help="Show only layer l (a "
                                        "--diagram of a large network: the part around it)."),
    unit: Optional[str] = typer.Option(None, "--unit", "-u", help="Show only unit j of --layer, "
                                       "every term; or --unit l,j for unit j of layer l.",
                                       metavar="J|L,J"),
    x: Optional[str] = typer.Option(None, "--x", help="An example typed in: comma-separated "
                                    "feature values (raw, normalized like the training data)."),
    y: Optional[str] = typer.Option(None, "--y", help="The typed example's label (or targets)."),
    fmt: Optional[str] = typer.Option(None, "--format", "-f", help="table (the default), json, "
                                      "latex (an amsmath fragment) or markdown.",
                                      metavar="FORMAT"),
    as_json: bool = typer.Option(False, "--json", help="The explanation as one JSON object "
                                 "(--format json)."),
    check: bool = typer.Option(False, "--check", help="Beside each δ, ∂cost/∂z by finite "
                               "differences."),
    gradient: bool = typer.Option(False, "--gradient", help="Show ∂cost/∂Θ^(l) of this example."),
    diagram: Optional[str] = typer.Option(
        None, "--diagram", help="Draw the network with this example's numbers to FILE.svg or "
        "FILE.png ('-': SVG on stdout) instead of printing a table; --unit highlights the "
        "edges feeding that δ.", metavar="FILE"),
) -> None:
    """Show one example's forward pass and each δ_j^(l) as a Θ-weighted sum."""
    from nnbp.config import load_config
    from nnbp.errors import UsageError
    from nnbp.explain import explain as explain_one
    from nnbp.pick import example as pick, typed_example, with_model
    from nnbp.train import prepare

    fmt = output_format(fmt, as_json, diagram)
    run = prepare(load_config(config))
    if model:
        run = with_model(run, model)
    layer, j = selection(layer, unit, run.net)
    if x is not None:
        xv, yv = typed_example(run, x, y)
        t = None
    elif y is not None:
        raise UsageError("--y needs --x")
    else:
        xv, yv = pick(run, example)
        t = example
    result = explain_one(run.net, run.Theta, xv, yv, t, check=check)
    name = Path(config).stem + (f" with {Path(model).name}" if model else "")
    if diagram is not None:
        from cli.diagram import write

        write(diagram, result, layer=layer, unit=j, title=name, activation=run.net.activation)
    if fmt == "json":
        typer.echo(json.dumps(result))
    elif fmt in ("latex", "markdown"):
        from cli import formats

        typer.echo(getattr(formats, fmt)(result, layer=layer, unit=j, check=check,
                                         gradient=gradient, title=name))
    elif fmt == "table":
        render(result, run, layer=layer, unit=j, check=check, gradient=gradient)


def output_format(fmt: Optional[str], as_json: bool, diagram: Optional[str]) -> Optional[str]:
    """What goes to stdout: a --format, the table by default, nothing beside a --diagram file."""
    from nnbp.errors import UsageError

    if fmt is not None and fmt.lower() not in FORMATS:
        raise UsageError(f"--format {fmt} is not one of {', '.join(FORMATS)}")
    fmt = fmt.lower() if fmt else None
    if as_json:
        if fmt not in (None, "json"):
            raise UsageError(f"--json is --format json, it cannot go with --format {fmt}")
        fmt = "json"
    if diagram == "-" and fmt is not None:
        raise UsageError(f"--diagram - writes the SVG on stdout: it cannot go with --format {fmt}")
    return fmt if fmt or diagram is not None else "table"


def selection(layer: Optional[int], unit: Optional[str], net) -> tuple[Optional[int], Optional[int]]:
    """--layer l and --unit j, or --unit l,j: the layer and unit to show, checked."""
    from nnbp.errors import UsageError

    L, j = net.L, None
    if unit is not None:
        parts = unit.replace(" ", "").split(",")
        if len(parts) > 2 or not all(p.lstrip("-").isdigit() for p in parts):
            raise UsageError(f"--unit {unit} is not a unit: write --unit j (with --layer l) "
                             "or --unit l,j")
        if len(parts) == 2:
            l_, j = int(parts[0]), int(parts[1])
            if layer is not None and layer != l_:
                raise UsageError(f"--unit {unit} is in layer {l_}, but --layer is {layer}")
            layer = l_
        elif layer is None:
            raise UsageError("--unit needs --layer (or write --unit l,j)")
        else:
            j = int(parts[0])
    if layer is not None and not 2 <= layer <= L:
        raise UsageError(f"--layer {layer} does not exist: layers with a δ are 2 … {L}")
    if j is not None and not 1 <= j <= net.s(layer):
        raise UsageError(f"--unit {unit} does not exist: layer {layer} has units 1 … {net.s(layer)}")
    return layer, j


def vec(values: list, most: int = 8) -> str:
    """A short vector: (v1, v2, …), the first few of a long one."""
    shown = ", ".join(num(v) for v in values[:most])
    return f"({shown}, … {len(values)} values)" if len(values) > most else f"({shown})"


def render(e: dict, run, *, layer, unit, check, gradient) -> None:
    from rich.console import Console
    from rich.table import Table

    con = Console(highlight=False, markup=False)
    L = run.net.L
    lay = {d["l"]: d for d in e["layers"]}
    who = f"example {e['example']}" if e["example"] is not None else "the example typed in"
    con.print(f"{who}: x = {vec(e['x'])}, y = {vec(e['y'])}")
    if layer is None:
        fw = Table(title="Forward: z^(l+1) = Θ^(l) [1; a^(l)], a^(l+1) = g(z^(l+1))",
                   title_justify="left", min_width=60)
        for col in ("l", "j", "z_j^(l)", "a_j^(l)"):
            fw.add_column(col, justify="right")
        for l in range(1, L + 1):
            if l < L:
                fw.add_row(str(l), "0", "", "1 (bias)")
            for j, a in enumerate(lay[l]["a"], start=1):
                z = num(lay[l]["z"][j - 1]) if l > 1 else ""
                fw.add_row(str(l), str(j), z, num(a), end_section=j == len(lay[l]["a"]))
        con.print(fw)
        con.print(f"h_Θ(x) = {vec(lay[L]['a'])}  against  y = {vec(e['y'])}")
        con.print(f"cost(t) = {num(e['cost'], 8)}")
        con.print()
    if layer in (None, L):
        out = lay[L]
        con.print(f"Output layer: δ^({L}) = " + (f"a^({L}) − y" if "g_prime" not in out
                                                 else f"(a^({L}) − y) ⊙ g'(z^({L}))"))
        for k, d in enumerate(out["delta"], start=1):
            if unit is not None and k != unit:
                continue
            a, yk = out["a"][k - 1], e["y"][k - 1]
            line = f"  {sym('δ', L, k)} = {num(a)} − {num(yk)}"
            if "g_prime" in out:
                line += f" × {num(out['g_prime'][k - 1])}"
            line += f" = {num(d)}"
            if check:
                line += f"    numeric {num(out['delta_numeric'][k - 1])}"
            con.print(line)
        con.print()
    for l in range(L - 1, 1, -1):
        if layer is not None and l != layer:
            continue
        con.print(hidden_table(lay[l], l, e["Theta"][str(l)], lay[l + 1]["delta"], unit=unit,
                               check=check))
        con.print("  The lecture's δ stops at the weighted sum; the real δ has the factor g'(z).")
        con.print()
    if gradient:
        for l in range(1, L):
            g = Table(title=f"∂cost/∂Θ^({l}) = δ^({l + 1}) [1; a^({l})]ᵀ", title_justify="left")
            g.add_column("i", justify="right")
            for j in range(len(e["gradient"][str(l)][0])):
                g.add_column(f"j={j}", justify="right")
            for i, row in enumerate(e["gradient"][str(l)], start=1):
                g.add_row(str(i), *(num(v) for v in row))
            con.print(g)


def hidden_table(d: dict, l: int, Theta: list, delta_next: list, *, unit, check):
    """Per unit j: a row per term Θ_ij^(l)·δ_i^(l+1) with its numbers, then the sum,
    the factor g'(z_j^(l)) and δ_j^(l)."""
    from rich.table import Table

    t = Table(title=f"Layer {l}: δ_j^({l}) = (Σ_i Θ_ij^({l})·δ_i^({l + 1})) · g'(z_j^({l}))",
              title_justify="left")
    t.add_column("j", justify="right", min_width=2, no_wrap=True)
    t.add_column("term", no_wrap=True)
    t.add_column(f"Θ_ij^({l})", justify="right", no_wrap=True)
    t.add_column(f"δ_i^({l + 1})", justify="right", no_wrap=True)
    t.add_column("value", justify="right", no_wrap=True)
    for j, terms in enumerate(d["terms"], start=1):
        if unit is not None and j != unit:
            continue
        shown, folded, rest = fold(terms, whole=unit is not None)
        for n, i in enumerate(shown):  # Θ's row i is unit i of layer l+1, column j unit j of l
            t.add_row(str(j) if n == 0 else "", ("  " if n == 0 else "+ ")
                      + f"{sym('Θ', l, i + 1, j)}·{sym('δ', l + 1, i + 1)}",
                      num(Theta[i][j]), num(delta_next[i]), num(terms[i]))
        if folded:
            t.add_row("", f"+ {folded} smaller terms (folded)", "", "", num(rest))
        t.add_row("", "= weighted sum", "", "", num(d["weighted_sum"][j - 1]))
        t.add_row("", f"× g'(z_{j}^({l}))", "", "", num(d["g_prime"][j - 1]))
        t.add_row("", f"= {sym('δ', l, j)}", "", "", num(d["delta"][j - 1]),
                  end_section=not check)
        if check:
            numeric = d["delta_numeric"][j - 1]
            t.add_row("", "  finite difference ∂cost/∂z", "", "", num(numeric))
            t.add_row("", "  |δ − finite difference|", "", "",
                      f"{abs(numeric - d['delta'][j - 1]):.1e}", end_section=True)
    return t
