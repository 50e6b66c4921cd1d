"""``nnbp predict``: one prediction per data row, as CSV on stdout."""

from __future__ import annotations

import csv
import sys

import typer


def predict(
    model: str = typer.Argument(..., metavar="MODEL", help="A model file written by "
                                "nnbp train."),
    data: str = typer.Argument(..., metavar="DATA", help="CSV with the model's feature "
                               "columns, in any order (a target column is allowed and ignored)."),
    proba: bool = typer.Option(False, "--proba", help="Add a p_<class> column per class: "
                               "the output h_Θ(x)."),
) -> None:
    """Predict the label (or target values) of every row of a CSV file."""
    from nnbp.errors import UsageError
    from nnbp.predict import outputs, predictions, read_batch
    from nnbp.saved import load_model

    from cli.exits import EXIT_PIPE, quiet_stdout

    saved = load_model(model)
    if proba and not saved.classifier:
        raise UsageError("--proba needs a classifier; this model predicts numbers (output "
                         f"{saved.net.output}, targets {', '.join(saved.target_names)})")
    batch = read_batch(saved, data, with_target=False)
    header, rows = predictions(saved, outputs(saved, batch.X), proba)
    try:
        out = csv.writer(sys.stdout, lineterminator="\n")  # floats written by repr: all digits
        out.writerow(header)
        out.writerows(rows)
        sys.stdout.flush()
    except BrokenPipeError:  # the reader went away (| head): stop quietly
        quiet_stdout()
        raise typer.Exit(EXIT_PIPE)
