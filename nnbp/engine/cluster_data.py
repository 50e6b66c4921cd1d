"""Data on a Dask cluster: the workers read the CSV files themselves, in
partitions, and keep the blocks that training multiplies in their memory.

A partition is a byte range of the file cut at line ends (``dask.bytes.read_bytes``:
a path every worker can see, or a URL fsspec reads, such as s3://…).  Each worker
parses its partitions with nnbp's own reader (``csvio.parse_lines``, with the
columns and the delimiter the client found in the file's first 256 kB, by
``read_csv``'s rules), so the numbers are those of ``read_csv``.  What needs the
whole file is gathered on the client in a few passes, each a round trip (the
workers' side of each is in ``partitions``):

1. read: parse and check the columns; back come the counts of rows and lines,
   the distinct labels, or the partition's first error (its line counted from
   the top of the file);
2. encode: y for every row, with the classes ``make_target`` decides from all
   the labels; back comes one label code per row, for the stratified validation
   split (``split_rows``), when there is one;
3. statistics of the training rows' x (and of a regression target), merged in
   partition order into the ``Normalization`` that ``fit`` gives (to rounding);
4. blocks: [1, x'] and y of each partition's training and validation rows, kept
   on the workers (futures) for the epochs.

The client holds the header, the first 256 kB of the file, and a label code and
row number per row; never the data.
"""

from __future__ import annotations

import math
from dataclasses import replace
from pathlib import PurePosixPath

import numpy as np

from ..csvio import MissingFile, Table, header_of
from ..data import (Data, Split, at_key, column_roles, feature_matrix, label_text,
                    make_target, split_rows)
from ..errors import DataError
from ..stats import Stats
from .partitions import (block, encode, label_codes, read_partition, rows_of, statistics,
                         summary)

PARTITION_BYTES = 64 << 20  # of CSV text per partition, at most
SAMPLE = 256 << 10  # bytes read on the client: the header and the delimiter's sample


class CsvFile:
    """A CSV file as the cluster reads it: its first lines parsed here, its
    partitions read and kept on the workers."""

    def __init__(self, client, url: str, partition_bytes: int = PARTITION_BYTES):
        from dask.bytes import read_bytes
        from fsspec.core import url_to_fs

        self.client, self.source = client, url
        try:
            fs, path = url_to_fs(url)
            if fs.isdir(path):
                raise MissingFile("is a directory, not a CSV file", source=url)
            size = fs.size(path)
        except FileNotFoundError:
            raise MissingFile("no such file", source=url) from None
        except OSError as e:
            raise DataError(f"cannot be read: {e.strerror or e}", source=url) from None
        workers = sorted(client.scheduler_info()["workers"])
        n = len(workers) * max(1, math.ceil(size / (len(workers) * partition_bytes)))
        sample, [blocks] = read_bytes(url, delimiter=b"\n", blocksize=max(1, size // n),
                                      sample=SAMPLE)
        columns, delimiter = header_of(sample, url, PurePosixPath(path))
        self.head = Table(url, columns, np.empty((0, len(columns))), delimiter=delimiter)
        self.blocks = blocks
        # partitions in file order on the workers in turn, so that neighbours (added up
        # first) share a worker; another takes over a partition whose worker is lost
        self.workers = [workers[i * len(workers) // len(blocks)] for i in range(len(blocks))]
        self.sizes: list[int] = []

    def read(self, features, target, classify: bool, ignored=None) -> list:
        """Futures of the parsed partitions that have rows, in file order (their row
        counts in ``sizes``); raises the file's first error."""
        from dask import delayed

        last = len(self.blocks) - 1
        parts = [self.client.compute(
            delayed(read_partition)(b, i == 0, i == last, self.head.columns,
                                    self.head.delimiter, self.source, features, target,
                                    classify, ignored),
            workers=[w], allow_other_workers=True)
            for i, (b, w) in enumerate(zip(self.blocks, self.workers))]
        summaries = self.client.gather(self.client.map(summary, parts))
        before = 0  # lines of the file before the partition
        for m, lines, error, _ in summaries:
            if error is not None:
                message, line = error
                raise DataError(message, source=self.source,
                                line=None if line is None else line + before)
            before += lines
        if not any(s[0] for s in summaries):
            raise DataError("has a header but no data rows", source=self.source)
        rows = [i for i, s in enumerate(summaries) if s[0] > 0]
        self.summaries = [summaries[i] for i in rows]
        self.sizes = [s[0] for s in self.summaries]
        return [parts[i] for i in rows]

    def distinct_labels(self, j: int) -> Table:
        """A table whose column j holds each label found in any partition once, for
        ``make_target``: strings as written when any partition has text there (numbers
        elsewhere then as written by ``label_text``), else numbers."""
        found = [s[3] for s in self.summaries if s[3] is not None]
        n = len(self.head.columns)
        if any(d.dtype.kind != "f" for d in found):
            text = sorted({v if d.dtype.kind != "f" else label_text(v)
                           for d in found for v in d.tolist()})
            return Table(self.source, self.head.columns, np.full((len(text), n), np.nan),
                         {j: text})
        values = np.unique(np.concatenate(found)) if found else np.empty(0)
        table = np.full((len(values), n), np.nan)
        table[:, j] = values
        return Table(self.source, self.head.columns, table)


def load_on_cluster(cfg, client, units_out, partition_bytes: int = PARTITION_BYTES):
    """``load_data`` on the cluster: the same Data (without the rows themselves, which
    stay on the workers: its Splits hold only row numbers) and, for each part (train,
    val, test), the futures of its blocks (X1, Y), in file order."""
    train = at_key(cfg, "data.train", lambda: CsvFile(client, cfg.data.train, partition_bytes),
                   MissingFile)
    tcols, ignored, features = column_roles(cfg, train.head)
    classify = not (len(tcols) > 1 or cfg.network.output == "linear")  # as make_target decides
    names = [train.head.columns[j] for j in tcols]
    read = train.read(features, names, classify, ignored)
    target = make_target(train.distinct_labels(tcols[0]) if classify else
                         Table(train.source, train.head.columns, train.head.values[:0]),
                         tcols, cfg.network.output, units_out, cfg)
    parts = client.map(encode, read, target=target, source=train.source)
    del read
    m, fraction = sum(train.sizes), cfg.data.validation_split
    codes = np.concatenate(client.gather(client.map(label_codes, parts))) \
        if classify and fraction > 0 else None
    tr, va = split_rows(codes, m, fraction, cfg.network.init.seed, train.source)
    starts = np.cumsum([0] + train.sizes)
    val = [va[(va >= a) & (va < b)] - a for a, b in zip(starts[:-1], starts[1:])]
    stats = client.gather(client.map(statistics, parts, val, of_y=not classify))
    if cfg.network.output == "linear" and cfg.data.normalize_target == "standard":
        # a new Target: the one the encode tasks were given stays as it was
        target = replace(target, scaling=_merged(s[1] for s in stats).fit("standard"))
    norm = _merged(s[0] for s in stats).fit(cfg.data.normalize)
    dtype = np.dtype(cfg.training.dtype)
    rows = {"train": [n - len(v) for n, v in zip(train.sizes, val)],
            "val": [len(v) for v in val]}
    blocks = {name: _blocks(client, parts, val, name, rows[name], norm, target.scaling, dtype)
              for name in ("train", "val")}
    test = None
    if cfg.data.test is not None:
        tfile = at_key(cfg, "data.test", lambda: CsvFile(client, cfg.data.test, partition_bytes),
                       MissingFile)
        for c in target.columns:
            tfile.head.column_index(c, "target")
        feature_matrix(tfile.head, features)  # a missing feature: said before reading
        tparts = client.map(encode, tfile.read(features, target.columns,
                                               target.classes is not None),
                            target=target, source=tfile.source)
        client.gather(client.map(rows_of, tparts))  # a label not among the classes: said here
        none = [np.arange(0)] * len(tparts)  # y encoded in the units trained on, as in memory
        blocks["test"] = _blocks(client, tparts, none, "train", tfile.sizes, norm, None, dtype)
        test = Split(None, None, np.arange(sum(tfile.sizes)))
    data = Data(features, target, norm, Split(None, None, tr),
                Split(None, None, va) if len(va) else None, test, np.empty(0), ignored)
    return data, {name: b for name, b in blocks.items() if b}


def _merged(stats) -> Stats:
    """The partitions' statistics merged in partition order: ``Stats.fit`` then gives
    ``Normalization.fit``'s shift and scale, to rounding (exactly for minmax, none and
    constant columns)."""
    stats = list(stats)
    total = Stats.empty(len(stats[0].mean))
    for s in stats:
        total.merge(s)
    return total


def _blocks(client, parts, val, name, sizes, norm, scaling, dtype) -> list:
    """Futures of the blocks of one part, for the partitions that have rows of it."""
    return [client.submit(block, p, v, name, norm, scaling, dtype)
            for p, v, n in zip(parts, val, sizes) if n > 0]
