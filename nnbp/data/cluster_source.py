"""Data on a Dask cluster: the workers read the files themselves, in partitions, and
keep the blocks that training multiplies in their memory.

A partition of a CSV file is a byte range cut at line ends (``dask.bytes.read_bytes``:
a path every worker can see, or a URL fsspec reads, such as s3://…); of a Parquet
file (or folder), a row group.  Each worker reads its partitions with nnbp's own
reader and rules (``cluster_tasks``), with the columns (and the separator) the
client found in the file's first 256 kB, so the numbers are those of reading in
memory.  What needs the whole file is gathered on the client in a few passes, each a
round trip:

1. read: read and check the rows; back come the counts of rows and lines, the
   distinct labels, or the partition's first error (its line counted from the top
   of the file);
2. encode: y for every row, with the classes ``make_target`` decides from all the
   labels; back comes one class index per row, for the stratified validation split,
   when there is one;
3. statistics of the training rows' x (and of a regression target), merged in
   partition order;
4. blocks: [1, x′] and y of each partition's training and validation rows, kept on
   the workers (futures) for the epochs.

The client holds the header, and a class index and row number per row; never the data.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, replace
from pathlib import PurePosixPath

import numpy as np

from ..errors import DataError
from .cluster_tasks import (block, encode, label_codes, read_csv_partition,
                            read_parquet_partition, rows_of, statistics, summary)
from .describe import (Labels, Roles, at_key, class_of, column_roles, constant_features,
                       make_target, normalization, split_rows, target_scaling)
from .files import MissingFile, is_parquet_name, partitions
from .header import csv_header
from .memory_source import test_columns
from .parquetfile import partitioned_header
from .parts import ClusterPart, Dataset, Description
from .stats import Stats

PARTITION_BYTES = 64 << 20  # of CSV text per partition, at most
PARTITION_ENV = "NNBP_PARTITION_BYTES"  # a test hook: smaller partitions


def partition_bytes() -> int:
    import os

    text = os.environ.get(PARTITION_ENV, "").strip()
    return max(1, int(text)) if text.isdigit() else PARTITION_BYTES
CLIENT_SAMPLE = 256 << 10  # bytes read on the client: the header and the separator's sample


def _parquet_listing(fs, path: str) -> list[str] | None:
    """The Parquet files of a path as fsspec sees it (a file, or a folder's), or None."""
    if fs.isdir(path):
        top = PurePosixPath(path.rstrip("/"))
        found = sorted(f for f in fs.find(path) if is_parquet_name(f) and not any(
            part.startswith(("_", ".")) for part in PurePosixPath(f).relative_to(top).parts))
        return found or None
    return [path] if is_parquet_name(path) else None


class ClusterFile:
    """A data file as the cluster reads it: its header read here, its partitions read
    and kept on the workers."""

    def __init__(self, client, url: str, size_limit: int | None = None):
        from fsspec.core import url_to_fs

        self.client, self.source = client, url
        try:
            fs, path = url_to_fs(url)
            files = _parquet_listing(fs, path)
            if files is None and fs.isdir(path):
                raise MissingFile("is a directory, not a CSV file", source=url)
            size = fs.size(path) if files is None else 0
        except FileNotFoundError:
            raise MissingFile("no such file", source=url) from None
        except OSError as e:
            raise DataError(f"cannot be read: {e.strerror or e}", source=url) from None
        workers = sorted(client.scheduler_info()["workers"])
        if files is not None:
            self._parquet(fs, url, path, files)
        else:
            self._csv(url, path, size, len(workers), size_limit or partition_bytes())
        n = len(self.tasks)
        # partitions in file order on the workers in turn, so that neighbours (added up
        # first) share a worker; another takes over a partition whose worker is lost
        self.workers = [workers[i * len(workers) // n] for i in range(n)]
        self.sizes: list[int] = []

    def _csv(self, url, path, size, workers, partition_bytes):
        from dask.bytes import read_bytes

        n = workers * max(1, math.ceil(size / (workers * partition_bytes)))
        sample, [blocks] = read_bytes(url, delimiter=b"\n", blocksize=max(1, size // n),
                                      sample=CLIENT_SAMPLE)
        self.header = csv_header(sample, url, PurePosixPath(path).suffix)
        self.tasks = [(read_csv_partition, (b, i == 0)) for i, b in enumerate(blocks)]

    def _parquet(self, fs, url, path, files):
        import pyarrow.parquet as pq

        protocol = url.split("://")[0] + "://" if "://" in url else ""
        urls = [f if "://" in f or not protocol else protocol + f for f in files]
        metas = []
        for u, f in zip(urls, files):
            with fs.open(f, "rb") as fh:
                metas.append(pq.ParquetFile(fh).metadata)
        names = [list(m.schema.names) for m in metas]
        for u, n_ in zip(urls[1:], names[1:]):
            if n_ != names[0]:
                raise DataError(f"has the columns {', '.join(n_)}, but {urls[0]} has "
                                f"{', '.join(names[0])}; every file of a Parquet folder must "
                                "have the same columns", source=u)
        self.header = partitioned_header(url, names[0], partitions(files, path.rstrip("/")))
        self.tasks, first = [], 0
        for u, m in zip(urls, metas):
            for g in range(m.num_row_groups):
                self.tasks.append((read_parquet_partition, (u, g, first)))
                first += m.row_group(g).num_rows

    def read(self, roles: Roles, training: bool = True) -> list:
        """Futures of the read partitions that have rows, in file order (their row
        counts in ``sizes``); raises the file's first error."""
        from dask import delayed

        reads = [delayed(fn)(*args, self.header, self.source, roles, training)
                 for fn, args in self.tasks]
        parts = [self.client.compute(r, workers=[w], allow_other_workers=True)
                 for r, w in zip(reads, self.workers)]
        summaries = self.client.gather(self.client.map(summary, parts))
        # read where they were placed, the partitions keep no tie to a worker: one lost
        # with its worker is read again on any worker, one that joins later too
        self.client.sync(self.client.scheduler.set_restrictions,
                         worker={k: None for r in reads for k in r.__dask_graph__()})
        before = 0  # lines of the file before the partition
        for m, lines, error, _ in summaries:
            if error is not None:
                message, where = error
                if "line" in where:
                    where = {"line": where["line"] + before}
                raise DataError(message, source=self.source, **where)
            before += lines
        if not any(s[0] for s in summaries):
            raise DataError("has a header but no data rows", source=self.source)
        rows = [i for i, s in enumerate(summaries) if s[0] > 0]
        self.summaries = [summaries[i] for i in rows]
        self.sizes = [s[0] for s in self.summaries]
        return [parts[i] for i in rows]

    def labels(self) -> Labels:
        """The distinct labels of every partition, in file order."""
        labels = Labels()
        for s in self.summaries:
            labels.add(s[3] or [])
        return labels


def _encode(client, parts, roles: Roles, target, labels: Labels | None, source: str):
    """Futures of the partitions with y encoded (a label not among the classes: said here)."""
    classes = None
    if roles.classify:
        index = class_of(target, labels, source)
        classes = {v: int(k) for v, k in zip(labels.seen, index)}
    return client.map(encode, parts, classes=classes, target=target)


def load_on_cluster(cfg, client, units_out) -> Dataset:
    """``load_in_memory`` on the cluster: the same description, and for each part
    (train, val, test) the futures of its blocks (X1, Y), in file order."""
    train = at_key(cfg, "data.train", lambda: ClusterFile(client, cfg.data.train), MissingFile)
    roles = column_roles(cfg, train.header)
    read = train.read(roles)
    labels = train.labels() if roles.classify else None
    target = make_target(roles, labels, cfg.network.output, units_out, train.source, cfg)
    parts = _encode(client, read, roles, target, labels, train.source)
    del read
    m, fraction = sum(train.sizes), cfg.data.validation_split
    codes = np.concatenate(client.gather(client.map(label_codes, parts))) \
        if roles.classify and fraction > 0 else None
    tr, va = split_rows(codes, m, fraction, cfg.network.init.seed, train.source)
    starts = np.cumsum([0] + train.sizes)
    val = [va[(va >= a) & (va < b)] - a for a, b in zip(starts[:-1], starts[1:])]
    stats = client.gather(client.map(statistics, parts, val, of_y=not roles.classify))
    # a new Target: the one the encode tasks were given stays as it was
    target = replace(target, scaling=target_scaling(
        cfg, None if roles.classify else _merged(s[1] for s in stats)))
    xstats = _merged(s[0] for s in stats)
    norm = normalization(cfg, xstats)
    dtype = np.dtype(cfg.training.dtype)
    rows = {"train": [n - len(v) for n, v in zip(train.sizes, val)],
            "val": [len(v) for v in val]}
    blocks = {name: _blocks(client, parts, val, name, rows[name], norm, target.scaling, dtype,
                            r) for name, r in (("train", tr), ("val", va))}
    if cfg.data.test is not None:
        tfile = at_key(cfg, "data.test", lambda: ClusterFile(client, cfg.data.test), MissingFile)
        test_roles = test_columns(tfile.header, roles)
        tread = tfile.read(test_roles, training=False)
        tparts = _encode(client, tread, test_roles, target,
                         tfile.labels() if roles.classify else None, tfile.source)
        client.gather(client.map(rows_of, tparts))
        none = [np.arange(0)] * len(tparts)  # y encoded in the units trained on, as in memory
        blocks["test"] = _blocks(client, tparts, none, "train", tfile.sizes, norm, None, dtype,
                                 np.arange(sum(tfile.sizes)))
    parts_out = {name: b for name, b in blocks.items() if b.futures}
    sizes = {name: p.m for name, p in parts_out.items()}
    return Dataset(Description(roles.features, target, norm, roles.ignored, va, sizes,
                               constant_features(roles.features, xstats)),
                   parts_out)


def _merged(stats) -> Stats:
    """The partitions' statistics merged in partition order."""
    stats = list(stats)
    total = Stats.empty(len(stats[0].mean))
    for s in stats:
        total.merge(s)
    return total


def _blocks(client, parts, val, name, sizes, norm, scaling, dtype, rows) -> ClusterPart:
    """The futures of the blocks of one part, for the partitions that have rows of it."""
    kept = [(p, v, n) for p, v, n in zip(parts, val, sizes) if n > 0]
    return ClusterPart([client.submit(block, p, v, name, norm, scaling, dtype)
                        for p, v, _ in kept], [n for _, _, n in kept], rows)
