"""Text that fits the terminal: lines broken between words and between formulas,
never inside a formula.

A formula is written between backticks: `|δ_i × a_j| ≤ 0.012526` is one word,
spaces and all, and so is any punctuation touching it.  Rich's own wrapping would
break a formula at any space in it; the renderers print what ``flow`` returns as it
is, one line at a time.
"""

from __future__ import annotations

HIDDEN_SPACE = "\x00"  # a space inside a formula, while the text is split into words


def words(text: str) -> list[str]:
    """The words of ``text``; a `formula` is one word, without its backticks."""
    pieces = text.split("`")
    joined = "".join(p.replace(" ", HIDDEN_SPACE) if k % 2 else p for k, p in enumerate(pieces))
    return [w.replace(HIDDEN_SPACE, " ") for w in joined.split()]


def flow(text, width: int, first: str = "", hang: str = "  ") -> list[str]:
    """``text`` (a string, or a list of words) in lines of at most ``width`` characters:
    the first line starts with ``first``, the others with ``hang``.  A word longer
    than a line on its own is cut, the one case where a formula is."""
    ws = words(text) if isinstance(text, str) else [w for w in text if w]
    width = max(width, len(hang) + 8)
    lines: list[str] = []
    line = first
    for w in ws:
        if line.strip() and len(line) + 1 + len(w) > width:
            lines.append(line)
            line = hang + w
        else:
            line += (" " if line.strip() else "") + w
    lines.append(line)
    out = []
    for s in lines:  # the last resort: a word wider than the terminal
        while len(s) > width:
            out.append(s[:width])
            s = hang + s[width:]
        out.append(s)
    return out


def formula(text: str) -> str:
    """``text`` as one word of a ``flow``."""
    return f"`{text}`"
