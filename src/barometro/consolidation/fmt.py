"""Italian number formatting for the Relazione (85,29 %, 1.194.987, 1,5)."""

from __future__ import annotations

import math

from barometro.numbers import format_it


def pct(value: float | None, decimals: int = 2) -> str:
    """'85,29 %'; '' for None."""
    if value is None:
        return ""
    return f"{format_it(value, decimals)} %"


def num(value: float | None) -> str:
    """A target or actual as staff write it: integers with thousands dots, else up to 2 decimals."""
    if value is None or not math.isfinite(value):
        return ""
    if float(value).is_integer():
        return format_it(value, 0)
    text = format_it(value, 2)
    return text.rstrip("0").rstrip(",")


def signed(value: float | None) -> str:
    text = num(value)
    if text and value is not None and value > 0:
        return "+" + text
    return text
