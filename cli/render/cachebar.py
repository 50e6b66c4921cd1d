"""What a streamed run says while it prepares: why it streams (one line on stderr),
and a progress bar while the binary cache is built (on a terminal only)."""

from __future__ import annotations

import sys

from cli.render.progress import note


class CacheBar:
    """Renders the events of reading a run's data on stderr."""

    def __init__(self, enabled: bool = True):
        self.enabled = enabled
        self._bar = None
        self._tasks: dict[str, int] = {}

    def __enter__(self):
        return self

    def notify(self, event) -> None:
        from nnbp.data.cache_source import CacheReady
        from nnbp.training import Streaming

        if not self.enabled:
            return
        if isinstance(event, Streaming):
            note(event.reason[:1].upper() + event.reason[1:] + ".")
        elif isinstance(event, CacheReady):
            self._close_bar()
            from nnbp.data.room import size_text

            what = f"{event.rows:,} rows, {size_text(event.size)}"
            note(f"Built the binary cache of {event.path} in {event.seconds:.1f} s: {what}."
                 if event.built else f"Reading the binary cache of {event.path}: {what}.")
        elif sys.stderr.isatty():  # CacheProgress, while the cache is built
            if self._bar is None:
                from rich.console import Console
                from rich.progress import (BarColumn, DownloadColumn, Progress, TextColumn,
                                           TimeRemainingColumn)

                console = Console(stderr=True, highlight=False, markup=False, emoji=False)
                self._bar = Progress(TextColumn("{task.description}"), BarColumn(),
                                     DownloadColumn(), TimeRemainingColumn(),
                                     console=console, transient=True)
                self._bar.__enter__()
            if event.path not in self._tasks:
                self._tasks[event.path] = self._bar.add_task(
                    f"caching {event.path}", total=event.total)
            self._bar.update(self._tasks[event.path], completed=event.done)

    def _close_bar(self, *exc) -> None:
        if self._bar is not None:
            self._bar.__exit__(*(exc or (None, None, None)))
            self._bar, self._tasks = None, {}

    def __exit__(self, *exc):
        self._close_bar(*exc)
        return False
