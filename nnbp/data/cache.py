"""The binary cache of a data file (CSV or Parquet), for data streamed from disk
every epoch.

One pass reads the file in blocks (``reader.blocks``, bounded memory) and writes an
entry: a folder in ``cache_dir()`` holding

    meta.json  rows, the feature columns, their dtype, the targets, the labels (as
               written) in the order they first occur, and the statistics of every
               column (``Stats``)
    x.bin      the features, (m, n) row by row, in the narrowest dtype that holds
               them exactly (pixel integers: uint8, an eighth of float64)
    y.bin      a code per row (int32, the index of its label in meta's labels), or
               the target values (m, K) float64

An entry is named by a hash of the file's absolute path, then a hash of its size,
its modification time (of each file of a Parquet folder) and the options that decide
the contents (``key``), so a changed file gets a new entry; so does every file after
a change of the format, whose name is in the hash.  It is written in a temporary folder renamed into
place when complete: an interrupted or killed build is never used.  Entries of
the same path are removed once a new one is in place.
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import Callable

import numpy as np

from ..errors import CacheError
from .files import parquet_files
from .parts import FileRows
from .narrow import NarrowFile
from .stats import Stats

CACHE_FORMAT = "nnbp-cache-2"
ENV = "NNBP_CACHE_DIR"
_TMP = ".tmp-"


def cache_dir() -> Path:
    """$NNBP_CACHE_DIR, else $XDG_CACHE_HOME/nnbp, else ~/.cache/nnbp."""
    if os.environ.get(ENV):
        return Path(os.environ[ENV]).expanduser()
    xdg = os.environ.get("XDG_CACHE_HOME")
    return (Path(xdg) if xdg else Path.home() / ".cache") / "nnbp"


def _hash(text: str) -> str:
    return hashlib.sha256(text.encode()).hexdigest()[:16]


def file_identity(path: Path) -> list:
    """What tells one version of a file from another: its size and modification time,
    or those of each file of a Parquet folder."""
    files = parquet_files(path) if path.is_dir() else None
    if files is None:
        st = path.stat()
        return [st.st_size, st.st_mtime_ns]
    return [[str(p.relative_to(path)), p.stat().st_size, p.stat().st_mtime_ns] for p in files]


def key(path: Path, options: dict) -> tuple[str, str]:
    """(the path's prefix, the entry's name) for a data file read with ``options``."""
    path = path.resolve()
    prefix = _hash(str(path))
    detail = json.dumps([CACHE_FORMAT, file_identity(path), options], sort_keys=True)
    return prefix, f"{prefix}-{_hash(detail)}"


@dataclass
class Entry:
    """An entry of the cache: its folder and what meta.json says of it."""

    folder: Path
    meta: dict

    @property
    def rows(self) -> int:
        return self.meta["rows"]

    @property
    def size(self) -> int:
        """Its files' bytes on disk."""
        return sum(p.stat().st_size for p in self.folder.iterdir() if p.is_file())

    def x(self) -> "FileRows":
        """The features, opened for reading."""
        return FileRows(open(self.folder / "x.bin", "rb"), np.dtype(self.meta["x_dtype"]),
                        len(self.meta["features"]))

    def y(self) -> "FileRows":
        """The codes (m, 1) int32 or the target values (m, K) float64, opened for reading."""
        values = self.meta["kind"] == "values"
        return FileRows(open(self.folder / "y.bin", "rb"),
                        np.dtype(np.float64 if values else np.int32),
                        len(self.meta["targets"]) if values else 1)

    @property
    def labels(self) -> list[str]:
        """The labels as written (kind "classes") in the order they first occur: the
        codes of y.bin."""
        return self.meta["labels"]

    def stats(self, what: str) -> Stats:
        return Stats.from_json(self.meta["stats"][what])


def open_entry(path: Path, options: dict) -> Entry | None:
    """The complete entry for ``path`` read with ``options``, or None."""
    try:
        folder = cache_dir() / key(path, options)[1]
        meta = json.loads((folder / "meta.json").read_text())
    except (OSError, ValueError):
        return None
    if not isinstance(meta, dict) or meta.get("format") != CACHE_FORMAT:
        return None
    entry = Entry(folder, meta)
    widths = {"x.bin": len(meta["features"]) * np.dtype(meta["x_dtype"]).itemsize,
              "y.bin": len(meta["targets"]) * 8 if meta["kind"] == "values" else 4}
    for name, width in widths.items():  # a damaged entry is built anew
        f = folder / name
        if not f.is_file() or f.stat().st_size != entry.rows * width:
            return None
    return entry


def build(path: Path, options: dict, tables, roles,
          on_progress: Callable[[int], None] | None = None) -> Entry:
    """Write the entry of ``path``: ``tables`` are its blocks (``reader.blocks``, each
    checked), with ``roles.features`` the features and ``roles.targets`` the labels
    (kind "classes") or target values (kind "values"); ``on_progress(bytes read)``
    after each."""
    root = cache_dir()
    prefix, name = key(path, options)
    try:
        root.mkdir(parents=True, exist_ok=True)
        tmp = Path(tempfile.mkdtemp(prefix=f"{prefix}{_TMP}{os.getpid()}-", dir=root))
    except OSError as e:
        raise cache_error(root, e) from None
    try:
        meta = _write(tmp, path, options, tables, roles, on_progress)
        (tmp / "meta.json").write_text(json.dumps(meta))
        if (root / name).exists() and open_entry(path, options) is None:
            shutil.rmtree(root / name)  # a damaged entry, whatever damaged it
        try:
            os.rename(tmp, root / name)
        except OSError:  # another process put the same entry in place first
            if open_entry(path, options) is None:
                raise
            shutil.rmtree(tmp, ignore_errors=True)
    except OSError as e:
        shutil.rmtree(tmp, ignore_errors=True)
        raise cache_error(root, e) from None
    except BaseException:  # an error in the data, Ctrl-C: nothing is left to be used
        shutil.rmtree(tmp, ignore_errors=True)
        raise
    _remove_others(root, prefix, name)
    return Entry(root / name, meta)


def _write(tmp: Path, path: Path, options: dict, tables, roles, on_progress) -> dict:
    from .describe import Labels, labels_of

    kind = options["kind"]
    x = NarrowFile(tmp / "x.bin")
    stats: dict[str, Stats] = {}
    labels = Labels()  # the labels as written, in the order they first occur: their codes
    with open(tmp / "y.bin", "wb") as fy:
        for table, done in tables:
            x.add(np.ascontiguousarray(table.matrix(roles.features)))
            if kind == "values":
                y = np.ascontiguousarray(table.matrix(roles.targets))
                y.tofile(fy)
                stats.setdefault("y", Stats.empty(y.shape[1])).add(y)
            else:
                fy.write(labels.code(labels_of(table, roles.targets[0])).tobytes())
            if on_progress is not None:
                on_progress(done)
    stats["x"] = x.stats
    return {"format": CACHE_FORMAT, "source": str(path.resolve()), "rows": x.rows, "kind": kind,
            "features": options["features"], "targets": options["targets"],
            "x_dtype": x.dtype.name, "labels": list(labels.seen),
            "stats": {k: s.to_json() for k, s in stats.items()}}


def _remove_others(root: Path, prefix: str, keep: str) -> None:
    """Other entries of the same path, and folders of builds that died, go."""
    for p in root.glob(f"{prefix}-*"):
        if p.name != keep and p.is_dir():
            shutil.rmtree(p, ignore_errors=True)
    for p in root.glob(f"{prefix}{_TMP}*"):
        pid = p.name[len(prefix) + len(_TMP):].split("-")[0]
        if pid.isdigit() and not _alive(int(pid)):
            shutil.rmtree(p, ignore_errors=True)


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except OSError:
        return True
    return True


def cache_error(root: Path, e: OSError) -> CacheError:
    import errno

    why = "there is no room left on its disk" if e.errno in (errno.ENOSPC, errno.EDQUOT) \
        else "it is not writable" if e.errno in (errno.EACCES, errno.EPERM, errno.EROFS) \
        else e.strerror or str(e)
    return CacheError(f"cannot write the binary cache of the streamed data in {root}: {why}. "
                      f"Set {ENV} to a folder with room, or train in memory "
                      "(data.stream: false)")
