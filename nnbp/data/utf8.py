"""The text of a CSV file must be UTF-8: a file in UTF-16 or UTF-32 (Excel's
"Unicode Text"), a binary file, or a byte that is not UTF-8 (Windows-1252, the
commonest other encoding of CSV files) is one error that names the encoding, the
line where it can, and the fix."""

from __future__ import annotations

import shlex
from pathlib import Path

from ..errors import DataError

BOM = b"\xef\xbb\xbf"
SAVE_AS_UTF8 = "save it as UTF-8 (in Excel: Save As, CSV UTF-8)"


def text_start(raw: bytes, source: str) -> bytes:
    """A file's bytes (or its first 64 kB or more) without a byte-order mark; a binary
    file, or text in UTF-16 or UTF-32, is refused."""
    check_text(raw[:65536], source)
    return raw[3:] if raw.startswith(BOM) else raw


def check_text(head: bytes, source: str) -> None:
    """The first bytes of a file are text nnbp can read: not UTF-16 or UTF-32 (told by
    their byte-order mark, or by the NUL bytes of ASCII written in them), not binary."""
    wide = wide_encoding(head)
    if wide is not None:
        excel = " (Excel's Unicode Text)" if wide.startswith("UTF-16") else ""
        raise DataError(f"is {wide} text{excel}, not UTF-8: {SAVE_AS_UTF8}, or convert it: "
                        f"{iconv(wide, source)}", source=source)
    if head.startswith(b"PK\x03\x04") and b"xl/" in head:  # a zip of xl/workbook.xml, …
        raise DataError("is an Excel workbook (.xlsx), not CSV text: save it as CSV (in "
                        "Excel: Save As, CSV UTF-8)", source=source)
    for magic, kind, tool in COMPRESSED:
        if head.startswith(magic):
            raise DataError(f"is {kind}-compressed, not CSV text: decompress it first "
                            f"({tool} {shlex.quote(source)})", source=source)
    if b"\x00" in head:
        raise DataError("is a binary file, not CSV text", source=source)


COMPRESSED = ((b"\x1f\x8b", "gzip", "gunzip -k"), (b"\xfd7zXZ\x00", "xz", "unxz -k"),
              (b"\x28\xb5\x2f\xfd", "zstd", "unzstd"), (b"PK\x03\x04", "zip", "unzip"))


def wide_encoding(head: bytes) -> str | None:
    """"UTF-16" or "UTF-32" when the bytes start with its byte-order mark, or have a NUL
    byte in nearly every place but one of each 2 (or 4), as ASCII text has; else None."""
    if head.startswith((b"\xff\xfe\x00\x00", b"\x00\x00\xfe\xff")):
        return "UTF-32"
    if head.startswith((b"\xff\xfe", b"\xfe\xff")):
        return "UTF-16"
    for width in (4, 2):  # without a mark: LE has ASCII's byte first, BE last
        n = len(head) // width
        if n < 4:
            continue
        nul = [head[k:n * width:width].count(0) / n for k in range(width)]
        if sum(f >= 0.9 for f in nul) == width - 1 and sum(f < 0.1 for f in nul) == 1:
            return f"UTF-{8 * width}{'LE' if nul[0] < 0.1 else 'BE'}"
    return None


def iconv(encoding: str, source: str) -> str:
    name = Path(source).name or "data.csv"
    stem, dot, suffix = name.rpartition(".")
    new = f"{stem}-utf8.{suffix}" if dot else f"{name}-utf8"
    return f"iconv -f {encoding} -t UTF-8 {shlex.quote(name)} > {shlex.quote(new)}"


def not_utf8(raw: bytes, at: int, source: str, first_line: int = 1) -> DataError:
    """The error for the byte at ``at`` of ``raw`` (lines from ``first_line``), which is
    not UTF-8: the byte, what it is in Windows-1252 (Latin-1's superset) in the word
    around it, and how to save the file."""
    line = raw[:at].count(b"\n") + first_line
    ends = (b"\n", b",", b";", b"\t", b'"', b" ")  # the word around it: up to 40 bytes a side
    start = max([raw.rfind(c, max(0, at - 40), at) + 1 for c in ends] + [max(0, at - 40)])
    stop = min([e for e in (raw.find(c, at, at + 40) for c in ends) if e >= 0] +
               [min(len(raw), at + 40)])
    word = raw[start:stop]
    try:
        guess = f", {bytes([raw[at]]).decode('cp1252')!r} in Windows-1252 or Latin-1: " \
                f"{word.decode('cp1252')!r}"
        fix = f"{SAVE_AS_UTF8}, or convert it: {iconv('WINDOWS-1252', source)}"
    except UnicodeDecodeError:
        guess, fix = "", SAVE_AS_UTF8
    return DataError(f"is not UTF-8 text (byte 0x{raw[at]:02x}{guess}); {fix}", source=source,
                     line=line)


def decode(raw: bytes, source: str, first_line: int = 1) -> str:
    try:
        return raw.decode("utf-8")
    except UnicodeDecodeError as e:
        raise not_utf8(raw, e.start, source, first_line) from None
