"""How a command ends: the exit codes (README, "Exit codes") that the command line
sets itself, the one ``Error:`` line, and a stdout whose reader has gone.

(Exit 2, bad usage, comes with the library's errors: ``NnbpError.exit_code``.)
"""

from __future__ import annotations

import os
import sys

EXIT_FAILED, EXIT_INTERRUPTED, EXIT_PIPE = 1, 130, 141


def error_line(message: str) -> None:
    """One ``Error:`` line on stderr; control characters (from a file name, a key) escaped."""
    from nnbp.errors import printable

    sys.stderr.write(f"Error: {printable(message)}\n")
    sys.stderr.flush()


def quiet_stdout() -> None:
    """After the reader of stdout has gone: point stdout at /dev/null so that
    Python's final flush does not raise again."""
    try:
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
    except (OSError, ValueError):
        pass
