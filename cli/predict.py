"""``nnbp predict``: one prediction per data row, as CSV on stdout."""

from __future__ import annotations

import csv
import sys
from typing import List, Optional

import typer


def predict(
    model: str = typer.Argument(..., metavar="MODEL", help="A model file written by "
                                "nnbp train."),
    data: str = typer.Argument(..., metavar="DATA", help="A CSV or Parquet file with "
                               "the model's feature columns, in any order (a target column is allowed and ignored)."),
    proba: bool = typer.Option(False, "--proba", help="Add a p_<class> column per class: "
                               "the output h_Θ(x)."),
    keep: Optional[List[str]] = typer.Option(None, "--keep", metavar="COL,…", help="Copy these "
                                             "columns of DATA (ids, names), as written, ahead "
                                             "of the predictions; a column's whole name is "
                                             "taken whole (a comma in it too); may be given "
                                             "more than once."),
    quiet: bool = typer.Option(False, "--quiet", "-q", help="Nothing on stderr but errors."),
) -> None:
    """Predict the label (or target values) of every row of a data file."""
    from nnbp.errors import NnbpError
    from nnbp.model import load_model
    from nnbp.predict import predict as predict_rows

    from cli.exits import EXIT_PIPE, quiet_stdout

    out = predict_rows(load_model(model), data, proba=proba, keep=keep or [])
    header, blocks = out.header, out.blocks
    if out.blockwise and not quiet:
        sys.stderr.write(f"Reading {data} a block at a time: it would not fit in memory; the "
                         "predictions come out as each block is done.\n")
    if out.unknown and not quiet:
        names = ", ".join(map(repr, out.unknown))
        sys.stderr.write(f"Warning: {data}: column(s) {names} are not features of the model; "
                         "they were left out (--keep copies columns to the output).\n")
    written = 0  # rows written so far
    try:
        writer = csv.writer(sys.stdout, lineterminator="\n")  # floats by repr: all digits
        for rows in blocks:  # the header with the first rows: nothing before they are ready
            if written == 0:
                writer.writerow(header)
            writer.writerows(rows)
            sys.stdout.flush()
            written += len(rows)
        if written == 0:  # a file of a header alone: the header alone
            writer.writerow(header)
            sys.stdout.flush()
    except BrokenPipeError:  # the reader went away (| head): stop quietly
        quiet_stdout()
        raise typer.Exit(EXIT_PIPE)
    except NnbpError as e:  # read in blocks: the blocks before the error are written
        if written:
            e.message += (f". The predictions of the first {written} rows were written before "
                          "this error; the output is incomplete")
        raise
