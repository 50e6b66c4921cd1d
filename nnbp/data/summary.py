"""A training file described without keeping its rows: the passes of ``load_in_memory``
a block at a time.  The first pass checks each block, gathers the labels and counts
the rows; the validation split, drawn from every row's label, then decides which
rows' statistics the normalization takes: those of all rows (no split, taken in the
first pass) or of the training rows (a second pass)."""

from __future__ import annotations

import numpy as np

from .describe import (Labels, check_block, class_of, column_roles, labels_of,
                       make_target, normalization, split_rows, target_scaling)
from .header import Header
from .reader import blocks
from .memory_source import read_at_key
from .parts import Description
from .stats import Stats


def describe_file(cfg, units_out, header: Header | None = None) -> Description:
    """The description ``load_in_memory`` gives of the config's training file (the
    features, the target and its classes, the normalization, the validation rows),
    read in blocks, without the rows."""
    header = header or read_at_key(cfg, "data.train", cfg.data.train)
    roles = column_roles(cfg, header)
    path, source, want = cfg.data.train, header.source, roles.want()
    values = None if roles.classify else roles.targets
    labels, codes, m = Labels(), [], 0
    split = cfg.data.validation_split > 0
    xstats, ystats = Stats.empty(len(roles.features)), Stats.empty(len(roles.targets))
    for table, _ in blocks(path, want, header=header, source=source):
        check_block(table, roles)
        if roles.classify:
            codes.append(labels.code(labels_of(table, roles.targets[0])))
        elif not split:
            ystats.merge(stats_by_column(table.matrix(values)))
        if not split:
            xstats.merge(stats_by_column(table.matrix(roles.features)))
        m += table.m
    target = make_target(roles, labels if roles.classify else None, cfg.network.output,
                         units_out, source, cfg)
    idx = class_of(target, labels, source)[np.concatenate(codes)] if roles.classify else None
    tr, va = split_rows(idx, m, cfg.data.validation_split, cfg.network.init.seed, source)
    if len(va):
        held = np.zeros(m, dtype=bool)
        held[va] = True
        start = 0
        for table, _ in blocks(path, want, header=header, source=source):
            keep = ~held[start:start + table.m]  # the training rows, copied as X[tr] is
            start += table.m
            xstats.merge(Stats.of(table.matrix(roles.features)[keep]))
            if values:
                ystats.merge(Stats.of(table.matrix(values)[keep]))
    target.scaling = target_scaling(cfg, ystats if values else None)
    sizes = {"train": len(tr), **({"val": len(va)} if len(va) else {})}
    return Description(roles.features, target, normalization(cfg, xstats), roles.ignored, va,
                       sizes)


def stats_by_column(X: np.ndarray) -> Stats:
    """The statistics of a block's rows, each column summed as numpy sums a column
    stored on its own (pairwise), as in the table ``read_table`` fills."""
    return Stats.of(np.asfortranarray(X))
