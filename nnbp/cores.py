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
    """The threads that work runs on beside the caller's, made once and all at once,
    with a Ctrl-C held until they are: a thread started by a later task could be hit
    by a Ctrl-C between its start and its registration for the interpreter's exit,
    which would then wait for it for ever."""
    global _pool
    if _pool is None:
        import threading
        from concurrent.futures import ThreadPoolExecutor  # not at start-up: one share needs none

        n = min(cores(), MAX_THREADS)
        with _ctrl_c_held():
            made = ThreadPoolExecutor(max_workers=n, thread_name_prefix="nnbp")
            everyone = threading.Barrier(n)
            for f in [made.submit(everyone.wait) for _ in range(n)]:  # n threads, running
                f.result()
            _pool = made
    return _pool


class _ctrl_c_held:
    """A block that a Ctrl-C does not interrupt: one that comes is raised at its end."""

    def __enter__(self):
        import signal
        import threading

        self.caught, self.previous = [], None
        if threading.current_thread() is threading.main_thread():
            self.previous = signal.signal(signal.SIGINT, lambda *_: self.caught.append(True))
        return self

    def __exit__(self, *exc):
        import signal

        if self.previous is not None:
            signal.signal(signal.SIGINT, self.previous)
            if self.caught and exc[0] is None and callable(self.previous):
                self.previous(signal.SIGINT, None)
        return False


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
