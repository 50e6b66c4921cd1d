"""``nnbp evaluate``: cost, accuracy, per-class scores and the confusion matrix
(or MSE and R² for regression), as tables or as one JSON object."""

from __future__ import annotations

import json
import sys
from typing import Optional

import typer

from cli.render.notation import num

COST_DIGITS = 8  # significant digits of J in the table
METRIC_DIGITS = 6  # of every MSE and R², of all the targets and of each


def evaluate(
    model: str = typer.Argument(..., metavar="MODEL", help="A model file written by "
                                "nnbp train."),
    data: Optional[str] = typer.Argument(None, metavar="DATA", help="A CSV or Parquet "
                                         "file with the model's feature and target columns (default: the model's "
                                         "test file, else its validation rows)."),
    as_json: bool = typer.Option(False, "--json", help="The result as one JSON object."),
    quiet: bool = typer.Option(False, "--quiet", "-q", help="Nothing on stderr but errors."),
) -> None:
    """Evaluate a trained model on labelled data."""
    from nnbp.evaluate import evaluate as evaluate_on
    from nnbp.model import load_model

    evaluation = evaluate_on(load_model(model), data)
    source = evaluation.described
    if not quiet:
        if data is None and as_json:  # a table names the rows in its first line instead
            sys.stderr.write(f"Evaluating on {source}.\n")
        if evaluation.blockwise:
            sys.stderr.write(f"Reading {evaluation.path} a block at a time: it would not fit "
                             "in memory.\n")
        if evaluation.unknown:
            names = ", ".join(map(repr, evaluation.unknown))
            sys.stderr.write(f"Warning: {source}: column(s) {names} are neither features "
                             "nor the target of the model; they were left out.\n")
        sys.stderr.flush()
    result = evaluation.scores()
    if as_json:
        typer.echo(json.dumps(result))
    else:
        render(result, source)


def render(r: dict, description: str) -> None:
    from rich.console import Console
    from rich.table import Table

    con = Console(highlight=False, markup=False)
    con.print(f"{r['examples']} examples: {description}", soft_wrap=True)
    summary = Table(show_header=False)
    summary.add_column("what")
    summary.add_column("value", justify="right")
    units = ", standardized y" if r.get("target_scale") else ""  # J in the units trained on
    summary.add_row(f"cost J (λ = {r['lambda']:g}{units})", num(r["cost"], COST_DIGITS))
    summary.add_row(f"cost J (λ = 0{units})", num(r["cost_unregularized"], COST_DIGITS))
    if "accuracy" in r:
        summary.add_row("accuracy", f"{r['accuracy']:.4f}")
        con.print(summary)
        con.print(per_class_table(r))
        con.print(confusion_table(r))
        return
    summary.add_row("mean squared error", num(r["mse"], METRIC_DIGITS))
    several = len(r["targets"]) > 1
    summary.add_row("R² (mean over the targets)" if several else "R²",
                    f"undefined (constant target{'s' * several})" if r["r2"] is None
                    else num(r["r2"], METRIC_DIGITS))
    con.print(summary)
    if several:
        t = Table(title="Per target", title_justify="left")
        for col in ("target", "MSE", "R²"):
            t.add_column(col, justify="right")
        for name, mse, r2 in zip(r["targets"], r["mse_per_target"], r["r2_per_target"]):
            t.add_row(name, num(mse, METRIC_DIGITS),
                      "undefined" if r2 is None else num(r2, METRIC_DIGITS))
        con.print(t)


def per_class_table(r: dict):
    from rich.table import Table

    t = Table(title="Per class", title_justify="left")
    for col in ("class", "precision", "recall", "F1", "support"):
        t.add_column(col, justify="right", no_wrap=True)
    for c in r["per_class"]:
        t.add_row(str(c["class"]), f"{c['precision']:.4f}", f"{c['recall']:.4f}",
                  f"{c['f1']:.4f}", str(c["support"]))
    return t


def confusion_table(r: dict):
    from rich.table import Table

    t = Table(title="Confusion matrix", title_justify="left")
    t.add_column("true \\ predicted", no_wrap=True)
    for c in r["classes"]:
        t.add_column(str(c), justify="right", no_wrap=True)
    for c, row in zip(r["classes"], r["confusion"]):
        t.add_row(str(c), *map(str, row))
    return t
