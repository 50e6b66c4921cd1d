"""How much memory there is, and what reading a file takes of it, so that a job far
too large fails with one clear message before it starts rather than the machine
swapping.

``NNBP_IGNORE_MEMORY_CHECK=1`` turns the checks off.  ``NNBP_MEMORY_AVAILABLE``
(bytes) sets the memory assumed available: a hook for tests, which cannot fill a
real machine's memory.
"""

from __future__ import annotations

import os
from pathlib import Path

from ..errors import TooBig

IGNORE = "NNBP_IGNORE_MEMORY_CHECK"
ASSUME = "NNBP_MEMORY_AVAILABLE"  # test hook


def check_enabled() -> bool:
    return os.environ.get(IGNORE, "").strip() in ("", "0")


def available_memory() -> int | None:
    """Bytes that can be allocated without swapping, or None when unknown:
    MemAvailable of /proc/meminfo (else the free physical pages), and no more
    than a cgroup (container) limit leaves."""
    assumed = os.environ.get(ASSUME, "").strip()
    if assumed.isdigit():
        return int(assumed)
    found = _meminfo()
    if found is None:
        try:
            found = os.sysconf("SC_AVPHYS_PAGES") * os.sysconf("SC_PAGE_SIZE")
        except (AttributeError, ValueError, OSError):
            found = None
    limit = _cgroup_room()
    if limit is not None:
        found = limit if found is None else min(found, limit)
    return found


def _meminfo() -> int | None:
    try:
        for line in Path("/proc/meminfo").read_text().splitlines():
            if line.startswith("MemAvailable:"):
                return int(line.split()[1]) * 1024  # in kB
    except (OSError, ValueError, IndexError):
        pass
    return None


def _cgroup_room() -> int | None:
    """What a cgroup v2 memory limit leaves (memory.max - memory.current)."""
    try:
        root = Path("/sys/fs/cgroup")
        limit = (root / "memory.max").read_text().strip()
        if limit == "max":
            return None
        return max(0, int(limit) - int((root / "memory.current").read_text()))
    except (OSError, ValueError):
        return None


def size_text(n: float) -> str:
    """Bytes for people: 812 bytes, 3.4 MB, 12.0 GB."""
    if n < 1000:
        return f"{int(n)} bytes"
    for unit in ("kB", "MB", "GB", "TB"):
        n /= 1000
        if n < 1000 or unit == "TB":
            return f"{n:.1f} {unit}"
    raise AssertionError("unreachable")


def check_memory(source: str, size: int, available: int | None,
                 fields: int | None = None) -> None:
    """Refuse a file of ``size`` bytes whose reading would not fit in ``available``
    bytes of memory (None: unknown, no check): ``needed`` below; ``fields`` defaults to
    the most ``size`` bytes of CSV can hold, one digit and a comma each."""
    if available is None:
        return
    fields = size // 2 if fields is None else fields
    need = needed(size, fields)
    if need > available:
        raise TooBig(f"is {size_text(size)}; reading it needs about {size_text(need)} "
                     f"of memory and {size_text(available)} is available",
                     "Use a smaller file, or set NNBP_IGNORE_MEMORY_CHECK=1 to try anyway",
                     source=source)


def needed(size: int, fields: int, copies: int = 0) -> int:
    """The memory that reading a file of ``size`` bytes and ``fields`` fields in memory
    takes, with ``copies`` more float64 arrays of its fields (train's [1, x′]: 2 with a
    validation split's rows; evaluate's and predict's x, x′ and [1, x′]: 3): an upper
    bound of the reader's peak, 6 bytes a byte of the file and 8 a field."""
    return 6 * size + 8 * fields * (1 + copies)
