"""``nnbp explain``: every δ_j^(l) of one example, as a Θ-weighted sum.

The command picks the example and what to show, and hands the library's typed
explanation (nnbp/explanation.py) to a view of cli/render/: the tables of
``explain_table``, JSON, ``formats`` (LaTeX, Markdown), ``diagram`` (the network as
SVG or PNG) or ``page`` (one interactive HTML page)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import TYPE_CHECKING, Optional

import typer

if TYPE_CHECKING:
    from cli.render.page import Page

FORMATS = ("table", "json", "latex", "markdown", "html")


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
                                      "latex (an amsmath fragment), markdown or html (the "
                                      "page of --html, on stdout).", metavar="FORMAT"),
    as_json: bool = typer.Option(False, "--json", help="The explanation as one JSON object "
                                 "(--format json)."),
    check: bool = typer.Option(False, "--check", help="Beside each δ, ∂cost/∂z by finite "
                               "differences."),
    gradient: bool = typer.Option(False, "--gradient", help="Show ∂cost/∂Θ^(l) of this example."),
    diagram: Optional[str] = typer.Option(
        None, "--diagram", help="Draw the network with this example's numbers to FILE.svg or "
        "FILE.png ('-': SVG on stdout) instead of printing a table; --unit highlights the "
        "edges feeding that δ.", metavar="FILE"),
    html: Optional[str] = typer.Option(
        None, "--html", help="Write one self-contained HTML page to FILE.html: step through "
        "backpropagation, select any unit, nudge a weight ('-': on stdout).", metavar="FILE"),
) -> None:
    """Show one example's forward pass and each δ_j^(l) as a Θ-weighted sum."""
    fmt = output_format(fmt, as_json, diagram, html)
    e, setup, name, (layer, j) = explanation(config, model, example, x, y, check,
                                             layer=layer, unit=unit)
    if diagram is not None:
        from cli.render.diagram import write

        write(diagram, e, layer=layer, unit=j, title=name, activation=e.net.activation)
    if html is not None or fmt == "html":  # the page's module only when a page is asked for
        from cli.render.page import page, write_page

        text = page(e, setup, title=name, layer=layer, unit=j, gradient=gradient)
        if html not in (None, "-"):
            write_page(html, text)
        if fmt == "html":
            typer.echo(text, nl=False)
    if fmt == "json":
        typer.echo(json.dumps(e.to_json()))
    elif fmt in ("latex", "markdown"):
        from cli.render import formats

        typer.echo(getattr(formats, fmt)(e, layer=layer, unit=j, check=check,
                                         gradient=gradient, title=name))
    elif fmt == "table":
        from cli.render.explain_table import render

        render(e, layer=layer, unit=j, check=check, gradient=gradient)


def explanation(config: str, model: Optional[str] = None, example: int = 1,
                x: Optional[str] = None, y: Optional[str] = None, check: bool = False, *,
                layer: Optional[int] = None, unit: Optional[str] = None):
    """The explanation of one example, with the setup it comes from (the network, its
    weights, the data), its title, and the (layer, unit) chosen by --layer and --unit."""
    from nnbp.config import load_config
    from nnbp.errors import UsageError
    from nnbp.explain_setup import explain_setup

    setup = explain_setup(load_config(config), model)
    chosen = selection(layer, unit, setup.net)
    if x is not None:
        ex = setup.typed(x, y)
    elif y is not None:
        raise UsageError("--y needs --x")
    else:
        ex = setup.example(example)
    name = Path(config).stem + (f" with {Path(model).name}" if model else "")
    return setup.explain(ex, check=check), setup, name, chosen


def explain_page(config: str, model: str | None = None, example: int = 1, *,
                 x: str | None = None, y: str | None = None, layer: int | None = None,
                 unit: str | None = None, check: bool = False,
                 gradient: bool = False) -> Page:
    """The page of ``nnbp explain CONFIG --html``, with the same options: ``x``, ``y``
    as typed on the command line ("0.05,0.10"), ``unit`` as "l,j".  In a notebook::

        from cli.explain import explain_page
        explain_page("lecture", example=1)          # shows the page inline
        explain_page("digits", model="digits.npz", unit="2,5").save("digits.html")
    """
    from cli.render.page import Page, page

    e, setup, name, (layer, j) = explanation(config, model, example, x, y, check, layer=layer,
                                             unit=unit)
    return Page(page(e, setup, title=name, layer=layer, unit=j, gradient=gradient))


def output_format(fmt: Optional[str], as_json: bool, diagram: Optional[str],
                  html: Optional[str] = None) -> Optional[str]:
    """What goes to stdout: a --format, the table by default, nothing beside a --diagram
    or --html file."""
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
    if html is not None:
        if diagram is not None:
            raise UsageError("--html writes the page, which holds the diagram: it cannot go "
                             "with --diagram")
        if fmt not in (None, "html"):
            what = "--json" if as_json else f"--format {fmt}"
            raise UsageError(f"--html writes the page: it cannot go with {what} (--format html "
                             "prints the same page on stdout)")
        if html == "-":
            return "html"
    if fmt == "html" and diagram is not None:
        raise UsageError("--format html prints the page, which holds the diagram: it cannot "
                         "go with --diagram")
    return fmt if fmt or diagram is not None or html is not None else "table"


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
        given = f"--unit {unit}" if unit is not None and "," in unit else f"--layer {layer}"
        raise UsageError(f"{given}: layers with a δ are 2 … {L} (layer 1 is the input x)")
    if j is not None and not 1 <= j <= net.s(layer):
        raise UsageError(f"--unit {unit} does not exist: layer {layer} has units 1 … {net.s(layer)}")
    return layer, j
