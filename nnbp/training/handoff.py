"""A blocking call that reports to a callback, turned into an iterator.

``scipy.optimize.minimize`` runs its whole loop in one call and tells a callback
about each iteration; an optimizer is iterated by its caller, who may stop
between steps.  ``lockstep(work)`` runs ``work(channel)`` on a thread of its own
and yields each item that it posts with ``channel.post(item)``, which returns only
when the caller asks for the next item: one of the two threads works at a time.
When the caller stops early (breaks out of its loop, closes the iterator, or is
interrupted), the next ``post`` or ``check`` in the worker raises ``Stopped``, and
the iterator waits for the worker to end.  An exception in the worker is raised
in the caller.
"""

from __future__ import annotations

import queue
import threading
from typing import Callable, Iterator

_END, _ERROR, _ITEM = "end", "error", "item"


class Stopped(Exception):
    """The caller has stopped iterating; raised in the worker, which should let it
    end the work."""


class Channel:
    def __init__(self):
        self.posts: queue.SimpleQueue = queue.SimpleQueue()  # worker -> caller
        self._go = threading.Semaphore(0)  # caller -> worker: the next item, or stop
        self._stopped = threading.Event()

    def post(self, item) -> None:
        """Hand ``item`` to the caller and wait until it asks for the next one."""
        self.check()
        self.posts.put((_ITEM, item))
        self._go.acquire()
        self.check()

    def check(self) -> None:
        """Raise Stopped if the caller has stopped."""
        if self._stopped.is_set():
            raise Stopped

    def _resume(self) -> None:
        self._go.release()

    def _stop(self) -> None:
        self._stopped.set()
        self._go.release()


def lockstep(work: Callable[[Channel], None], name: str = "nnbp-lockstep") -> Iterator:
    """The items ``work`` posts, as it posts them (see the module's docstring)."""
    channel = Channel()

    def run() -> None:
        try:
            work(channel)
        except Stopped:
            return  # nobody is listening any more
        except BaseException as e:  # noqa: BLE001 - raised again in the caller's thread
            channel.posts.put((_ERROR, e))
            return
        channel.posts.put((_END, None))

    def items() -> Iterator:
        thread = threading.Thread(target=run, name=name, daemon=True)
        thread.start()
        try:
            while True:
                kind, value = channel.posts.get()
                if kind == _END:
                    return
                if kind == _ERROR:
                    raise value
                yield value
                channel._resume()
        finally:
            channel._stop()
            thread.join()

    return items()
