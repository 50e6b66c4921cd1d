"""``nnbp predict``: one prediction per data row, as CSV on stdout."""

from __future__ import annotations

import csv
import sys
from typing import List, Optional

import typer


def predict(
    model: str = typer.Argument(..., metavar="MODEL", help="A model file written by "
                                "nnbp train."),
    data: str = typer.Argument(..., metavar="DATA", help="CSV with the model's feature "
                               "columns, in any order (a target column is allowed and ignored)."),
    proba: bool = typer.Option(False, "--proba", help="Add a p_<class> column per class: "
                               "the output h_Θ(x)."),
    keep: Optional[List[str]] = typer.Option(None, "--keep", metavar="COL,…", help="Copy these "
                                             "columns of DATA (ids, names), as written, ahead "
                                             "of the predictions; a column's whole name is "
                                             "taken whole (a comma in it too); may be given "
                                             "more than once."),
    quiet: bool = typer.Option(False, "--quiet", "-q", help="Nothing on stderr but errors."),
) -> None:
    """Predict the label (or target values) of every row of a CSV file."""
    from nnbp.errors import NnbpError, UsageError
    from nnbp.model import load_model
    import numpy as np

    from nnbp.csvio import read_header
    from nnbp.predict import check_columns, keep_names, kept_columns, outputs, predictions, \
        read_batch
    from nnbp.predict_stream import predict_stream, too_big

    from cli.exits import EXIT_PIPE, quiet_stdout

    saved = load_model(model)
    if proba and not saved.classifier:
        raise UsageError("--proba needs a classifier; this model predicts numbers (output "
                         f"{saved.net.output}, targets {', '.join(saved.target_names)})")
    kept = keep_names(keep, read_header(data).columns, data) if keep else []
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
        header = kept + header
        if not streamed:
            columns = kept_columns(data, kept)
            blocks = [[[*k, *r] for k, r in zip(zip(*columns), rows)]]
    if unknown and not quiet:
        names = ", ".join(map(repr, unknown))
        sys.stderr.write(f"Warning: {data}: column(s) {names} are not features of the model; "
                         "they were left out (--keep copies columns to the output).\n")
    written = 0  # rows written so far
    try:
        out = csv.writer(sys.stdout, lineterminator="\n")  # floats written by repr: all digits
        for rows in blocks:  # the header with the first rows: nothing before they are ready
            if written == 0:
                out.writerow(header)
            out.writerows(rows)
            sys.stdout.flush()
            written += len(rows)
    except BrokenPipeError:  # the reader went away (| head): stop quietly
        quiet_stdout()
        raise typer.Exit(EXIT_PIPE)
    except NnbpError as e:  # streamed: the chunks before the error are written
        if written:
            e.message += (f". The predictions of the first {written} rows were written before "
                          "this error; the output is incomplete")
        raise
