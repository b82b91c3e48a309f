"""Reading numbers the way Italian staff type them. Pure functions, no I/O.

`parse_number("1.194.987")` -> 1194987.0, `parse_number("85,29%")` -> 85.29,
`parse_number("1,5")` -> 1.5, `parse_number("#####")` -> NumberIssue.HASHES.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass
from enum import Enum


class NumberIssue(str, Enum):
    """Why a cell did not hold a clean number."""

    EMPTY = "empty"
    HASHES = "hashes"  # "#####": exported from a too-narrow column; the value is lost
    TEXT = "text"  # a number typed as text (it could be read, see `value`)
    NOT_A_NUMBER = "not-a-number"  # words, not a number
    ERROR = "error"  # an Excel error value (#VALUE!, #DIV/0!, ...)


@dataclass(frozen=True)
class ParsedNumber:
    value: float | None
    issue: NumberIssue | None  # None: a clean number
    raw: object = None
    percent: bool = False

    @property
    def ok(self) -> bool:
        return self.issue is None


_SPACES = re.compile(r"[\s\u00a0\u202f\u2007']+")
_IT_THOUSANDS = re.compile(r"^[+-]?\d{1,3}(\.\d{3})+(,\d+)?$")  # 1.194.987 / 1.194,5
_IT_DECIMAL = re.compile(r"^[+-]?\d+,\d+$")  # 85,29
_EN_THOUSANDS = re.compile(r"^[+-]?\d{1,3}(,\d{3})+(\.\d+)?$")  # 1,194,987.5
_PLAIN = re.compile(r"^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$")
_EXCEL_ERRORS = {"#VALUE!", "#DIV/0!", "#REF!", "#NAME?", "#N/A", "#NUM!", "#NULL!", "#SPILL!", "#CALC!"}
_HTML_TAG = re.compile(r"<[^>]{0,400}>")


def finite(value: object) -> float | None:
    """The one "number or None": a real, finite int or float as float; None for anything else
    (booleans, text, NaN, infinities). What a cell's ISNUMBER accepts, less dates
    (`workbook_templates.readback.as_number` adds those)."""
    if value is None or isinstance(value, bool) or not isinstance(value, int | float):
        return None
    f = float(value)
    return f if math.isfinite(f) else None


def strip_html(text: str) -> str:
    """Remove stray HTML tags (`<p>`, `<ul ...>`) and collapse white space."""
    text = _HTML_TAG.sub(" ", text)
    text = text.replace("&nbsp;", " ").replace("&amp;", "&")
    return re.sub(r"\s+", " ", text).strip()


def parse_number(raw: object, *, thousands_dot: bool = True) -> ParsedNumber:
    """Read a cell value as a number, Italian conventions first.

    A real int/float is clean. A string that reads as a number is returned with
    `issue=TEXT` (the workbook stores text where a number belongs); the caller
    decides whether that is an error. With `thousands_dot`, "4.580" is 4580
    (Italian thousands) rather than 4.58.
    """
    if raw is None:
        return ParsedNumber(None, NumberIssue.EMPTY, raw)
    if isinstance(raw, bool):
        return ParsedNumber(None, NumberIssue.NOT_A_NUMBER, raw)
    if isinstance(raw, int | float):
        f = float(raw)
        if not math.isfinite(f):
            return ParsedNumber(None, NumberIssue.NOT_A_NUMBER, raw)
        return ParsedNumber(f, None, raw)
    text = str(raw)
    s = _SPACES.sub("", strip_html(text))
    if not s:
        return ParsedNumber(None, NumberIssue.EMPTY, raw)
    if set(s) == {"#"}:
        return ParsedNumber(None, NumberIssue.HASHES, raw)
    if s.upper() in _EXCEL_ERRORS:
        return ParsedNumber(None, NumberIssue.ERROR, raw)
    percent = False
    if s.endswith("%"):
        percent, s = True, s[:-1]
    s = s.lstrip("€").rstrip("€")
    value: float | None = None
    if _IT_THOUSANDS.match(s) and (thousands_dot or "," in s):
        value = float(s.replace(".", "").replace(",", "."))
    elif _IT_DECIMAL.match(s):
        value = float(s.replace(",", "."))
    elif _EN_THOUSANDS.match(s) and not _IT_DECIMAL.match(s):
        value = float(s.replace(",", ""))
    elif _PLAIN.match(s):
        value = float(s)
    if value is None:
        return ParsedNumber(None, NumberIssue.NOT_A_NUMBER, raw)
    return ParsedNumber(value, NumberIssue.TEXT, raw, percent)
