"""The project's own error types.  The CLI turns each into one ``Error:`` line."""

from __future__ import annotations


def printable(text: str) -> str:
    """``text`` on one line: a line break or control code (from a file name, a label,
    a key) escaped as Python writes it, so that it cannot end a message or a comment."""
    return "".join(c if c.isprintable() else repr(c)[1:-1] for c in text)


class NnbpError(Exception):
    """A problem the user can fix; ``exit_code`` as in the README's "Exit codes"."""

    exit_code = 2

    def __init__(self, message: str, *, source: str | None = None, line: int | None = None,
                 row: int | None = None):
        self.message = message
        self.source = source
        self.line = line
        self.row = row  # a row of a file without lines (Parquet), counted from 1
        super().__init__(self.__str__())

    def __str__(self) -> str:
        where = ""
        if self.source:
            at = f", line {self.line}" if self.line else f", row {self.row}" if self.row else ""
            where = self.source + at + ": "
        return where + self.message

    def where(self) -> dict:
        """The line or row, as keywords for another error at the same place."""
        return {"line": self.line} if self.line else {"row": self.row} if self.row else {}


class ConfigError(NnbpError):
    """The YAML config is malformed or holds a bad value."""


class DataError(NnbpError):
    """A CSV file cannot be used as training or evaluation data."""


class TooBig(DataError):
    """A CSV file that would not fit in memory; ``fix`` ends the message."""

    def __init__(self, what: str, fix: str, *, source: str | None = None):
        self.what, self.fix = what, fix
        super().__init__(f"{what}. {fix}", source=source)

    def fixed_by(self, fix: str) -> "TooBig":
        return TooBig(self.what, fix, source=self.source)


class NoRows(DataError):
    """A data file with a header and no rows: an error to learn from, an empty answer
    to predict."""


class ModelError(NnbpError):
    """A model file is missing, malformed, or does not fit the network."""


class UsageError(NnbpError):
    """A command-line value is out of range or contradicts the config."""


class CacheError(NnbpError):
    """The binary cache of a streamed CSV file cannot be written (no room, no permission)."""


class BuildInterrupted(KeyboardInterrupt):
    """Ctrl-C while the binary cache of ``path`` was built: nothing of it was kept."""

    def __init__(self, path: str):
        self.path = path
        super().__init__(path)


class TrainingFailed(NnbpError):
    """Training could not go on (for example the cost became non-finite)."""

    exit_code = 1
