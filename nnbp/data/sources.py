"""Where a run's rows are read to, and the one place that chooses: in memory
(``memory_source``), in the binary cache on disk (``cache_source``), or in the memory
of a Dask cluster's workers (``cluster_source``).  Each gives a ``Dataset``: the data
described, and its parts (train, val, test) as its backend holds them
(``parts``).  The engine computes on the parts; it never opens a file.
"""

from __future__ import annotations

from ..errors import TooBig
from .parts import Dataset

STREAM_FIX = ("Stream it from a binary cache instead (--stream, or data.stream: auto or true "
              "in the config), use a smaller file, or set NNBP_IGNORE_MEMORY_CHECK=1 to try "
              "in memory anyway")


def load(cfg, where="memory", notify=None) -> Dataset:
    """The config's data: ``where`` is "memory", "cache" (streamed from the binary cache
    on disk) or a Dask client (on its cluster's workers).  ``notify`` gets the events
    of building a cache (``cache_source.CacheProgress``)."""
    units = cfg.network.layers[-1]
    if where == "memory":
        from .memory_source import load_in_memory

        try:
            return load_in_memory(cfg, units)
        except TooBig as e:  # training need not read it in memory
            raise e.fixed_by(STREAM_FIX) from None
    if where == "cache":
        from .cache_source import load_cached

        return load_cached(cfg, units, notify)
    from .cluster_source import load_on_cluster

    return load_on_cluster(cfg, where, units)
