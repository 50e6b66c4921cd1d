"""The cores work runs on: how many this process may use, and a pool of threads
beside the caller's, one per core, made at its first use.  numpy and Arrow release
the GIL inside their loops, so threads that each take a share of the work run in
parallel."""

from __future__ import annotations

import contextvars
import os
from typing import Callable, Iterable, Iterator, TypeVar

MAX_THREADS = 8
_pool = None  # a concurrent.futures.ThreadPoolExecutor, made at the first call of pool()

T = TypeVar("T")
R = TypeVar("R")


def cores() -> int:
    """The cores this process may run on."""
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:  # not on Linux
        return os.cpu_count() or 1


def pool():
    """The threads that work runs on beside the caller's, made once."""
    global _pool
    if _pool is None:
        from concurrent.futures import ThreadPoolExecutor  # not at start-up: one share needs none

        _pool = ThreadPoolExecutor(max_workers=min(cores(), MAX_THREADS),
                                   thread_name_prefix="nnbp")
    return _pool


def run_each(fn: Callable[[int], None], n: int) -> None:
    """fn(k) for k = 0 … n-1 in parallel: 0 on this thread, the others on the pool's,
    each in a copy of this thread's context (numpy's error settings live there).  An
    exception reaches the caller once every call has ended."""
    if n == 1:
        fn(0)
        return
    futures = [pool().submit(contextvars.copy_context().run, fn, k) for k in range(1, n)]
    try:
        fn(0)
    finally:
        for f in futures:  # every call has finished writing before anyone reads
            f.exception()
    for f in futures:
        f.result()


def in_order(fn: Callable[[T], R], items: Iterable[T], ahead: int | None = None) -> Iterator[R]:
    """fn over the items on the pool, up to ``ahead`` (the cores) at a time, the results
    in the items' order.  The first item runs on this thread, alone: a single item
    (a small file) starts no thread."""
    it = iter(items)
    first = next(it, _END)
    if first is _END:
        return
    second = next(it, _END)
    if second is _END:
        yield fn(first)
        return
    ahead = ahead or min(cores(), MAX_THREADS)
    if ahead < 2:
        yield fn(first)
        yield fn(second)
        yield from map(fn, it)
        return
    from collections import deque

    waiting = deque(pool().submit(fn, x) for x in (first, second))
    try:
        for x in it:
            while len(waiting) >= ahead:
                yield waiting.popleft().result()
            waiting.append(pool().submit(fn, x))
        while waiting:
            yield waiting.popleft().result()
    finally:
        for f in waiting:  # the caller stopped early (an error): let the rest finish
            f.cancel()
        for f in waiting:
            if not f.cancelled():
                f.exception()


_END = object()
