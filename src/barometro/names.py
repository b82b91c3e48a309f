"""Names and texts from outside (file names, sheet names, notes) made safe to output.

A file name on Linux is bytes: unzipping a Windows archive gives `è` as the byte 0xE8,
which Python carries as a lone surrogate (`os.fsdecode`); it cannot be encoded as UTF-8,
so JSON, an HTML page, an .xlsx or a terminal would break on it. A name may also hold
control characters (ESC can drive a terminal) or bidirectional overrides (that make
`gnp.exe` read as `exe.png`). `display_name` is the one way every output writes such a
name: undecodable bytes and control characters as `\\xNN`, bidi controls as `\\uNNNN`;
everything else (accents, emoji) as it is. The file itself is still opened by its real
path: only what is shown changes.
"""

from __future__ import annotations

import os
import re

_UNSAFE = re.compile("[\x00-\x1f\x7f-\x9f\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069\ud800-\udfff]")
_UNSAFE_TEXT = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069\ud800-\udfff]")


def _escape(m: re.Match[str]) -> str:
    ch = m.group(0)
    code = ord(ch)
    if 0xDC80 <= code <= 0xDCFF:  # a byte that was not UTF-8 (surrogateescape)
        return f"\\x{code - 0xDC00:02x}"
    if code < 0x100:
        return f"\\x{code:02x}"
    return f"\\u{code:04x}"


def display_name(value: str | os.PathLike[str] | bytes | None) -> str:
    """`value` (a path, a file or sheet name) as text any output can hold, one line."""
    if value is None:
        return ""
    if isinstance(value, bytes):
        value = os.fsdecode(value)
    text = os.fspath(value) if not isinstance(value, str) else value
    if isinstance(text, bytes):
        text = os.fsdecode(text)
    if text.isascii() and text.isprintable():
        return text
    return _UNSAFE.sub(_escape, text)


def display_text(value: str) -> str:
    """A longer text for a terminal or a log: as `display_name`, but line breaks and tabs kept."""
    if value.isascii() and (value.isprintable() or not _UNSAFE_TEXT.search(value)):
        return value
    return _UNSAFE_TEXT.sub(_escape, value)
