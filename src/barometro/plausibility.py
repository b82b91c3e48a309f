"""Is an actual on the scale its indicator is measured in? Pure functions, no I/O.

Two questions the validator asks of every actual:

* `typed_as_percent`: 0,92 against a target of 90 is what a cell stores when someone types
  "92%" (the sheet's own percent format, when present, is direct evidence: the validator
  checks that separately);
* `scale_problem`: 962 against 90 on a percentage (a lost decimal separator), 4.580 against a
  count of 3, a hundred times last year's actual. It returns the reason, as a catalogue phrase
  the office reads, or None.
"""

from __future__ import annotations

from barometro.messages import Phrase

PERCENT_HINTS = ("%", "*100", "* 100", "x100", "x 100", "percentual", "per cento")
SCALE_FACTOR = 100.0  # "two orders of magnitude"


def percentage_like(formula_text: str, indicator: str, target: float | None) -> bool:
    """An indicator measured in percent: says so in its formula or title, target in (0, 100]."""
    if target is None or not 0 < target <= 100:
        return False
    words = f"{formula_text} {indicator}".lower()
    return any(h in words for h in PERCENT_HINTS)


def typed_as_percent(actual: float, target: float | None) -> bool:
    """0 < |actual| < 1 against a target of 10 or more: a percentage typed with the % sign."""
    return target is not None and abs(target) >= 10 and 0 < abs(actual) < 1


def scale_problem(actual: float, target: float | None, *, formula_text: str = "", indicator: str = "",
                  previous: float | None = None, factor: float = 5.0) -> Phrase | None:
    """Why `actual` is implausible for its indicator, or None."""
    if target is not None and target > 0:
        if percentage_like(formula_text, indicator, target) and actual > factor * target and actual > 100:
            return Phrase("plausibility.percent", factor=factor)
        if actual >= SCALE_FACTOR * target and actual >= 100:
            return Phrase("plausibility.target_scale", times=round(actual / target))
    if previous is not None and previous > 0 and actual > 0:
        if actual >= SCALE_FACTOR * previous or actual <= previous / SCALE_FACTOR:
            return Phrase("plausibility.previous", previous=previous)
    return None
