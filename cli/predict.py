"""``nnbp predict``: one prediction per data row, as CSV on stdout."""

from __future__ import annotations

import csv
import sys
from typing import Optional

import typer


def predict(
    model: str = typer.Argument(..., metavar="MODEL", help="A model file written by "
                                "nnbp train."),
    data: str = typer.Argument(..., metavar="DATA", help="CSV with the model's feature "
                               "columns, in any order (a target column is allowed and ignored)."),
    proba: bool = typer.Option(False, "--proba", help="Add a p_<class> column per class: "
                               "the output h_Θ(x)."),
    keep: Optional[str] = typer.Option(None, "--keep", metavar="COL,…", help="Copy these "
                                       "columns of DATA (ids, names), as written, ahead of "
                                       "the predictions."),
    quiet: bool = typer.Option(False, "--quiet", "-q", help="Nothing on stderr but errors."),
) -> None:
    """Predict the label (or target values) of every row of a CSV file."""
    from nnbp.errors import UsageError
    from nnbp.model import load_model
    import numpy as np

    from nnbp.csvio import read_header
    from nnbp.predict import check_columns, check_kept, kept_columns, outputs, predictions, \
        read_batch
    from nnbp.predict_stream import predict_stream, too_big

    from cli.exits import EXIT_PIPE, quiet_stdout

    saved = load_model(model)
    if proba and not saved.classifier:
        raise UsageError("--proba needs a classifier; this model predicts numbers (output "
                         f"{saved.net.output}, targets {', '.join(saved.target_names)})")
    kept = [c.strip() for c in keep.split(",")] if keep is not None else []
    if any(not c for c in kept) or len(set(kept)) < len(kept):
        raise UsageError(f"--keep {keep!r}: expected distinct column names separated by "
                         "commas, such as --keep id,name")
    streamed = too_big(data)  # a file bigger than memory: rows written as chunks are done
    if streamed:
        unknown = check_columns(saved, read_header(data), kept)
        header, blocks = predictions(saved, np.zeros((0, saved.net.s(saved.net.L))), proba)[0], \
            predict_stream(saved, data, proba, kept)
    else:
        batch = read_batch(saved, data, with_target=False, known=kept)
        header, rows = predictions(saved, outputs(saved, batch.X), proba)
        unknown, blocks = batch.unknown, [rows]
    twice = [c for c in kept if c in header]
    if twice:
        raise UsageError(f"--keep {twice[0]}: the predictions are written in a column of that "
                         "name; keep other columns, or compare with the targets by nnbp evaluate")
    if kept:
        if streamed:
            check_kept(data, kept)
        else:
            columns = kept_columns(data, kept)
            blocks = [[[*k, *r] for k, r in zip(zip(*columns), rows)]]
        header = kept + header
    if unknown and not quiet:
        names = ", ".join(map(repr, unknown))
        sys.stderr.write(f"Warning: {data}: column(s) {names} are not features of the model; "
                         "they were left out (--keep copies columns to the output).\n")
    try:
        out = csv.writer(sys.stdout, lineterminator="\n")  # floats written by repr: all digits
        out.writerow(header)
        for rows in blocks:
            out.writerows(rows)
            sys.stdout.flush()
    except BrokenPipeError:  # the reader went away (| head): stop quietly
        quiet_stdout()
        raise typer.Exit(EXIT_PIPE)
