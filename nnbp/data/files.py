"""Which file a path names, and whether it is there: a CSV file, a Parquet file, or a
folder of Parquet files (as Dask and Spark write a table: part-*.parquet, with
_SUCCESS or _metadata beside them)."""

from __future__ import annotations

import re
from pathlib import Path

from ..errors import DataError


class MissingFile(DataError):
    """A data file that is not there, or a folder that is not a Parquet table (a
    config's key named it: its error names the key)."""


def is_url(source: str) -> bool:
    return re.match(r"[a-zA-Z][a-zA-Z0-9+.-]+://", source) is not None


def is_parquet_name(path: str | Path) -> bool:
    return str(path).lower().rstrip("/").endswith((".parquet", ".parq", ".pq"))


def parquet_files(path: Path) -> list[Path] | None:
    """The Parquet files of a path, in order: itself when it is one, the .parquet
    files of a folder (its subfolders too, by name), or None for a CSV file."""
    if path.is_dir():
        found = sorted(p for p in path.rglob("*") if p.is_file() and is_parquet_name(p)
                       and not any(part.startswith(("_", ".")) for part in
                                   p.relative_to(path).parts))
        check_unpartitioned([p.relative_to(path).parts for p in found], str(path))
        return found
    return [path] if is_parquet_name(path) else None


def check_unpartitioned(parts: list[tuple[str, ...]], source: str) -> None:
    """A folder partitioned by a column (subfolders named column=value, as pandas'
    partition_cols and Spark's partitionBy write it) keeps that column in the names of
    its folders, not in its files: an error, rather than a column silently lost."""
    keys = list(dict.fromkeys(d.split("=", 1)[0] for p in parts for d in p[:-1] if "=" in d))
    if keys:
        raise DataError(f"is a Parquet folder partitioned by {', '.join(keys)} (subfolders "
                        f"named {keys[0]}=…), whose values are in the folders' names, not in "
                        "the files nnbp reads: write it without partition_cols (pandas) or "
                        "partitionBy (Spark), or as one file", source=source)


def check_file(path: Path, source: str) -> None:
    """The file is there, and is a file (or a folder of Parquet files)."""
    if not path.exists():
        if is_url(source):  # read by a Dask cluster's workers
            raise MissingFile("no such file; a URL is read only when training on a Dask "
                              "cluster (--scheduler)", source=source)
        raise MissingFile("no such file", source=source)
    if path.is_dir():
        if not parquet_files(path):
            raise MissingFile("is a directory, not a CSV file", source=source)
