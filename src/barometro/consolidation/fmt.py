"""Numbers in the Relazione, written the way the output's language writes them
(`85,29 %`, `1.194.987`, `1,5` in Italian): thin names over `messages.format_number`."""

from __future__ import annotations

from barometro.messages import format_number, format_percent


def pct(value: float | None, decimals: int = 2) -> str:
    """'85,29 %'; '' for None."""
    return format_percent(value, decimals=decimals)


def num(value: float | None) -> str:
    """A target or actual as staff write it: integers with thousands separators, else up to 2 decimals."""
    return format_number(value)


def signed(value: float | None) -> str:
    text = num(value)
    if text and value is not None and value > 0:
        return "+" + text
    return text
