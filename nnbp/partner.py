"""Helper processes that run shares of a small batch beside the caller.

On a small net an epoch is a few dozen numpy calls of some ten to a hundred
microseconds each.  Threads cannot share those well: every call hands Python's
GIL back and forth between the shares, and each hand-over can cost a thread's
wake-up, which on a virtual machine is often longer than the call itself.  A
forked process has its own GIL.  It shares the workspace's buffers with the
caller (``shared_empty``), reads the training data from the copy that fork gave
it, and is told when to run by one byte down a pipe.  Between epochs both sides
briefly poll their pipe instead of sleeping, so that a hand-over takes
microseconds; after ``SPIN`` seconds with nothing to do they block.

A helper runs the one function it was forked with, each time it is told to.
The caller makes sure that everything that function reads, beyond the shared
buffers, stays as it was at the fork (``Workspace.each_share`` keeps a key for
that).  Helpers are used on Linux only, where fork is safe for a process with
numpy and BLAS loaded; ``available()`` says so.
"""

from __future__ import annotations

import gc
import mmap
import os
import pickle
import select
import signal
import struct
import sys
import time
import warnings
from typing import Callable

import numpy as np

from .blas import blas

SPIN = 0.005  # seconds either side polls its pipe before it blocks on it
_CATEGORIES = ("divide", "over", "under", "invalid")
_open_fds: set[int] = set()  # every helper's pipe ends held here: a new helper closes them


class PartnerGone(Exception):
    """The helper process is no longer there (killed, or out of memory)."""


def available() -> bool:
    return sys.platform.startswith("linux") and hasattr(os, "fork")


def shared_empty(shape, dtype) -> np.ndarray:
    """An array in memory that processes forked after it share with this one."""
    dtype = np.dtype(dtype)
    n = int(np.prod(shape, dtype=np.int64))
    buf = mmap.mmap(-1, max(1, n * dtype.itemsize))  # anonymous, shared across fork
    return np.frombuffer(buf, dtype, count=n).reshape(shape)


def _errstate_bytes() -> bytes:
    """The caller's numpy error settings, as far as a helper keeps them: an error that
    would raise here raises there; warnings and callbacks are not carried over."""
    err = np.geterr()
    return b"".join(b"r" if err[c] == "raise" else b"i" for c in _CATEGORIES)


def _read_exactly(fd: int, n: int, parent: int | None) -> bytes:
    """n bytes from the non-blocking fd, polling for up to SPIN seconds, then blocking;
    b"" at end of file.  A helper (parent given) also stops when its parent is gone."""
    data = b""
    deadline = time.perf_counter() + SPIN
    while len(data) < n:
        try:
            chunk = os.read(fd, n - len(data))
        except BlockingIOError:
            os.sched_yield()  # any other thread that wants this core goes first
            if time.perf_counter() > deadline:
                select.select([fd], [], [], 1.0)
                if parent is not None and os.getppid() != parent:
                    return b""
            continue
        if not chunk:
            return b""
        data += chunk
    return data


def _write_all(fd: int, data: bytes) -> None:
    while data:
        data = data[os.write(fd, data):]


def _serve(work: Callable[[], None], commands: int, replies: int, parent: int) -> None:
    """The helper's loop: run work() for every command, answer b"k" or the exception."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # Ctrl-C is the caller's to handle
    os.set_blocking(commands, False)
    while True:
        cmd = _read_exactly(commands, 1 + len(_CATEGORIES), parent)
        if not cmd:
            return
        settings = {c: ("raise" if b == ord("r") else "ignore")
                    for c, b in zip(_CATEGORIES, cmd[1:])}
        try:
            with np.errstate(**settings):
                work()
            reply = b"k"
        except BaseException as e:  # noqa: BLE001 (every failure goes back to the caller)
            try:
                payload = pickle.dumps(e)
            except Exception:  # noqa: BLE001
                payload = pickle.dumps(RuntimeError(f"{type(e).__name__}: {e}"))
            reply = b"e" + struct.pack("!I", len(payload)) + payload
        _write_all(replies, reply)


class Partner:
    """One forked helper that runs ``work()`` each time ``start()`` tells it to."""

    def __init__(self, work: Callable[[], None], blas_threads: int | None = None):
        commands_r, commands_w = os.pipe()
        replies_r, replies_w = os.pipe()
        parent = os.getpid()
        with warnings.catch_warnings():  # the helper never touches what other threads hold
            warnings.simplefilter("ignore", DeprecationWarning)
            pid = os.fork()
        if pid == 0:  # the helper: never returns, never runs the caller's exit handlers
            code = 0
            try:
                # no collection here: it would run finalizers of the caller's objects
                # and write to every page of the heap that fork shares with the caller
                gc.disable()
                for fd in _open_fds | {commands_w, replies_r}:
                    os.close(fd)
                set_threads = blas().set
                if blas_threads is not None and set_threads is not None:
                    set_threads(blas_threads)
                _serve(work, commands_r, replies_w, parent)
            except BaseException:  # noqa: BLE001
                code = 1
            finally:
                os._exit(code)
        os.close(commands_r)
        os.close(replies_w)
        os.set_blocking(replies_r, False)
        self.pid, self._commands, self._replies = pid, commands_w, replies_r
        self._owner = parent  # only this process ends it (not a later helper's copy of it)
        _open_fds.update((commands_w, replies_r))

    def start(self) -> None:
        try:
            _write_all(self._commands, b"g" + _errstate_bytes())
        except OSError as e:  # BrokenPipeError: it has exited
            raise PartnerGone from e

    def finish(self) -> None:
        """Wait for the run that ``start`` began; raise what it raised there."""
        status = _read_exactly(self._replies, 1, None)
        if status == b"k":
            return
        if status != b"e":
            raise PartnerGone
        head = _read_exactly(self._replies, 4, None)
        payload = _read_exactly(self._replies, struct.unpack("!I", head)[0], None) if head else b""
        if not payload:
            raise PartnerGone
        raise pickle.loads(payload)

    def close(self) -> None:
        """End the helper and reap it (idempotent)."""
        if self.pid is None or os.getpid() != self._owner:
            return
        for fd in (self._commands, self._replies):
            _open_fds.discard(fd)
            os.close(fd)
        try:
            os.kill(self.pid, signal.SIGKILL)
        except ProcessLookupError:
            pass
        try:
            os.waitpid(self.pid, 0)
        except ChildProcessError:
            pass
        self.pid = None
