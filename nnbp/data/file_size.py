"""What reading a data file in memory takes: its size and fields, estimated from its
first 64 kB (CSV) or its metadata (Parquet), and the check before it is read."""

from __future__ import annotations

from pathlib import Path

from .room import available_memory, check_enabled, check_memory, needed


def size_and_fields(path: Path) -> tuple[int, int] | None:
    """A file's size and its fields, estimated from the separators of the first 64 kB
    of a CSV, or the row count of a Parquet file or folder (None when it cannot be read)."""
    from .files import parquet_files

    try:
        parts = parquet_files(path)
        if parts is not None:
            import pyarrow.parquet as pq

            metas = [pq.read_metadata(p) for p in parts]
            return (sum(p.stat().st_size for p in parts),
                    sum(m.num_rows * m.num_columns for m in metas))
        size = path.stat().st_size
        with open(path, "rb") as f:
            sample = f.read(1 << 16)
    except Exception:  # noqa: BLE001 - reading the file will say what is wrong with it
        return None
    separators = max(sample.count(b","), sample.count(b";"), sample.count(b"\t"))
    per_byte = (separators + sample.count(b"\n") + 1) / (len(sample) + 1)
    return size, int(size * per_byte) + 1


def reading_needs(path: str | Path, copies: int = 0) -> int:
    """About the memory that reading a data file in memory takes (``needed``)."""
    found = size_and_fields(Path(path))
    return 0 if found is None else needed(*found, copies)


def check_file_memory(path: Path, source: str) -> None:
    """``check_memory`` of a file, its fields estimated by ``size_and_fields``."""
    if not check_enabled():
        return
    found = size_and_fields(path)
    if found is not None:  # else reading the file will say why
        check_memory(source, found[0], available_memory(), found[1])
