"""The period a campaign reports on: the year-end `consuntivo`, or a mid-year monitoring
(`monitoraggio-2022-06-30`). Templates carry it in their metadata and titles, the
validator refuses a file of another period, the Relazione is labelled with it."""

from __future__ import annotations

import re
from datetime import date

from barometro.messages import Phrase

FINAL = "consuntivo"
_MONITORING = re.compile(r"^monitoraggio-(\d{4}-\d{2}-\d{2})$")


class PeriodError(ValueError):
    """A period that is neither `consuntivo` nor `monitoraggio-AAAA-MM-GG`."""


def parse(value: str | None) -> str:
    """The canonical period code: `consuntivo` (default) or `monitoraggio-AAAA-MM-GG`."""
    text = (value or FINAL).strip().lower()
    if text in (FINAL, "final", "annual"):
        return FINAL
    m = _MONITORING.match(text) or re.match(r"^(?:monitoraggio|monitoring)[-: ](\d{4}-\d{2}-\d{2})$", text)
    if m:
        date.fromisoformat(m.group(1))  # a real date
        return f"monitoraggio-{m.group(1)}"
    raise PeriodError(value)


def is_monitoring(period: str) -> bool:
    return period.startswith("monitoraggio-")


def cutoff(period: str) -> date | None:
    m = _MONITORING.match(period)
    return date.fromisoformat(m.group(1)) if m else None


def report_title(period: str, year: int) -> Phrase:
    """"Relazione sulla Performance 2021" or "Monitoraggio al 30/06/2022", as a phrase."""
    day = cutoff(period)
    if day is None:
        return Phrase("period.final", year=year)
    return Phrase("period.monitoring", day=day.strftime("%d/%m/%Y"), year=year)


def reference_label(period: str, year: int) -> Phrase:
    """What a value of that period is called beside next period's rows: "Consuntivo 2021"."""
    day = cutoff(period)
    if day is None:
        return Phrase("period.reference_final", year=year)
    return Phrase("period.monitoring", day=day.strftime("%d/%m/%Y"), year=year)
