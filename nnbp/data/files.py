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
        return found
    return [path] if is_parquet_name(path) else None


def named_folders(folders) -> dict[str, str]:
    """The column=value folders of a path, as {column: value}, the innermost of each."""
    from urllib.parse import unquote

    pairs = (d.split("=", 1) for d in reversed(list(folders)) if "=" in d)
    found: dict[str, str] = {}
    for key, value in pairs:
        found.setdefault(key, unquote(value))
    return dict(reversed(found.items()))


def partitions(files: list, top) -> dict[str, dict[str, str]]:
    """Each file's partition values, from the folders under ``top`` named column=value
    (as pandas' partition_cols and Spark's partitionBy write a table: the column is in
    the folders' names, not in the files), by file; empty for a folder not partitioned.
    Every file is partitioned by the same columns."""
    from pathlib import PurePosixPath

    out = {}
    for f in files:
        out[str(f)] = named_folders(
            PurePosixPath(str(f)).relative_to(PurePosixPath(str(top))).parts[:-1])
    keys = {tuple(v) for v in out.values()}
    if len(keys) > 1:
        raise DataError("has files partitioned by different columns (" + "; ".join(
            ", ".join(k) or "none" for k in sorted(keys)) + "): every file of a Parquet "
            "folder must be in folders named by the same columns", source=str(top))
    return out if any(out.values()) else {}


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
