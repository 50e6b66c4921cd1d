"""``nnbp explain``: every δ_j^(l) of one example, as a Θ-weighted sum.

The command picks the example and what to show, and hands the library's plain
explanation to a renderer: the rich table below, JSON, ``cli/formats.py`` (LaTeX,
Markdown) or ``cli/diagram.py`` (the network as SVG or PNG)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Optional

import typer

from cli.notation import fold, num, output_delta, sym, vector

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
        ex = typed_example(run, x, y)
    elif y is not None:
        raise UsageError("--y needs --x")
    else:
        ex = pick(run, example)
    result = explain_one(run.net, run.Theta, ex.x, ex.y, ex.t, check=check)
    result["raw"] = ex.raw()
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
        render(result, layer=layer, unit=j, check=check, gradient=gradient)


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


MAX_LISTED = 12  # features listed by name, and gradient entries shown, at most

NORMALIZED = {"standard": "x′ = (x − mean) / sd", "minmax": "x′ = (x − min) / (max − min)"}


def render(e: dict, *, layer, unit, check, gradient) -> None:
    from rich.console import Console
    from rich.table import Table

    con = Console(highlight=False, markup=False, emoji=False)
    lay = {d["l"]: d for d in e["layers"]}
    L = len(lay)
    for part in the_example(e):
        con.print(part)
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
        con.print(f"h_Θ(x) = {vector(lay[L]['a'])}  against  y = {vector(e['y'])}")
        con.print(f"cost(t) = {num(e['cost'], 8)}")
        con.print()
    if layer in (None, L):
        out = lay[L]
        linear = all(g == 1.0 for g in out.get("g_prime", [1.0]))
        con.print(f"Output layer: δ^({L}) = " + (f"a^({L}) − y" if linear
                                                 else f"(a^({L}) − y) ⊙ g'(z^({L}))"))
        for k, d in enumerate(out["delta"], start=1):
            if unit is not None and k != unit:
                continue
            gp = out["g_prime"][k - 1] if "g_prime" in out else None
            con.print(f"  {sym('δ', L, k)} = {output_delta(out['a'][k - 1], e['y'][k - 1], gp)}"
                      f" = {num(d)}")
            if check:
                numeric = out["delta_numeric"][k - 1]
                con.print(f"      finite difference {num(numeric)}: {out['delta_check'][k - 1]} "
                          f"(|δ − finite difference| = {abs(numeric - d):.1e})")
        con.print()
    for l in range(L - 1, 1, -1):
        if layer is not None and l != layer:
            continue
        con.print(hidden_table(lay[l], l, e["Theta"][str(l)], lay[l + 1]["delta"], unit=unit,
                               check=check))
        con.print("  The lecture's δ stops at the weighted sum; the real δ has the factor g'(z).")
        con.print()
    if check:
        c = e["check"]
        con.print(f"Finite differences: cost(t) at z_j ± ε and ± ε/2 (ε = {c['epsilon']:g}), "
                  f"Richardson-extrapolated. For this cost(t) they resolve ∂cost/∂z to "
                  f"±{c['resolution']:.2g}: a δ that close to 0 is unresolved, neither "
                  "confirmed nor refuted at this ε.")
    if gradient:
        for l in range(1, L):
            con.print(gradient_table(e, lay, l, con.width))


def the_example(e: dict) -> list:
    """Which example, its label, and x as typed (or as in the file) beside x′, the
    normalized input the network sees: a table by feature name when there are few."""
    from rich.table import Table

    raw = e["raw"]
    t = e["example"]
    where, given = ((f"example {t} (row {t} of the training file)", "in the file")
                    if t is not None else ("the example typed in", "as typed"))
    if raw["targets"] and raw["y"] != e["y"] and not all(isinstance(v, float) for v in raw["y"]):
        label = f"label {raw['y'][0]}, so y = {vector(e['y'])}"
    elif raw["y"] != e["y"]:
        label = f"y = {vector(raw['y'])} {given}, y′ = {vector(e['y'])} as the network learns it"
    else:
        label = f"y = {vector(e['y'])}"
    head = f"{where}: {label}"
    normalized = raw["normalize"] in NORMALIZED
    if not normalized:  # x′ = x: one line, by name when there are few
        if len(raw["x"]) > MAX_LISTED:
            return [head, f"x = {vector(e['x'])}"]
        return [head, "x: " + ", ".join(f"{name} = {num(v)}"
                                        for name, v in zip(raw["features"], e["x"]))]
    if len(raw["x"]) > MAX_LISTED:
        return [head, f"x = {vector(raw['x'])} {given}",
                f"x′ = {vector(e['x'])}, what the network sees ({NORMALIZED[raw['normalize']]})"]
    t = Table()
    t.add_column("j", justify="right")
    t.add_column("feature")
    t.add_column(f"x_j, {given}", justify="right")
    t.add_column(NORMALIZED[raw["normalize"]].replace("x′", "x′_j", 1), justify="right")
    for j, name in enumerate(raw["features"], start=1):
        t.add_row(str(j), name, num(raw["x"][j - 1]), num(e["x"][j - 1]))
    return [head, t]


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
            t.add_row("", f"  |δ − finite difference|: {d['delta_check'][j - 1]}", "", "",
                      f"{abs(numeric - d['delta'][j - 1]):.1e}", end_section=True)
    return t


def gradient_table(e: dict, lay: dict, l: int, width: int):
    """This example's ∂cost/∂Θ^(l) = δ^(l+1) [1; a^(l)]ᵀ: the whole matrix when it fits
    the width, else its largest entries, each as δ_i^(l+1) × a_j^(l), and what the
    others are below.  No number is cut."""
    from rich.table import Table

    G = e["gradient"][str(l)]
    title = f"∂cost/∂Θ^({l}) = δ^({l + 1}) [1; a^({l})]ᵀ"
    cells = [[num(v) for v in row] for row in G]
    need = len(str(len(G))) + 4 + sum(max(len(f"j={j}"), *(len(r[j]) for r in cells)) + 3
                                      for j in range(len(G[0])))
    if need <= width:
        t = Table(title=title, title_justify="left")
        t.add_column("i", justify="right", no_wrap=True)
        for j in range(len(G[0])):
            t.add_column(f"j={j}", justify="right", no_wrap=True)
        for i, row in enumerate(cells, start=1):
            t.add_row(str(i), *row)
        return t
    delta, a = lay[l + 1]["delta"], [1.0] + lay[l]["a"]  # a_0^(l) = 1, the bias unit
    entries = sorted(((i, j) for i in range(len(G)) for j in range(len(G[0]))),
                     key=lambda ij: -abs(G[ij[0]][ij[1]]))
    if len(entries) <= 2 * MAX_LISTED:
        shown, rest = entries, []
        what = f"{title}, {len(G)} × {len(G[0])}, entry by entry"
    else:
        shown, rest = entries[:MAX_LISTED], entries[MAX_LISTED:]
        what = (f"{title}, {len(G)} × {len(G[0])}: the {len(shown)} largest entries "
                "(all with --json)")
    t = Table(title=what, title_justify="left")
    for col in ("i", "j", f"δ_i^({l + 1})", f"a_j^({l})", "δ_i × a_j"):
        t.add_column(col, justify="right", no_wrap=True)
    for i, j in sorted(shown):
        t.add_row(str(i + 1), str(j), num(delta[i]), num(a[j]), num(G[i][j]))
    if rest:
        t.caption = (f"the other {len(rest)} entries are smaller: |δ_i × a_j| ≤ "
                     f"{num(abs(G[rest[0][0]][rest[0][1]]))}")
        t.caption_justify = "left"
    return t
