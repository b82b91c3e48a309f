"""Checks of the published numbers against each other, run after inference.

These are what the 2021 report gets wrong: a Scostamento that is not
actual - target, weights of an objective not summing to 100, a row pasted twice,
a % Ragg no rule explains, a percentage with a lost decimal separator (962
against a target of 90). They are issues of the import (the values are kept as
published); the validator reports them to staff.
"""

from __future__ import annotations

import re

from barometro.scoring import achievement, fits_any_rule
from barometro.settings import DEFAULT_SETTINGS, Settings

from .report import ImportIssue, LegacyRow, Severity

_SHARE = re.compile(r"percentual|\bgrado\b|gradimento|soddisf|\*\s*100|%|/", re.IGNORECASE)
_GROWTH = re.compile(r"increment|variazion|crescit|aumento|\banno\s+precedente\b|\b20\d\d\b.{0,40}\b20\d\d\b", re.IGNORECASE)


def _issue(code: str, severity: Severity, row: LegacyRow, field: str | None, key: str,
           guessed: str | None = None, **values: object) -> ImportIssue:
    return ImportIssue(code=code, severity=severity, key=key, params=values, source_row=row.source_row,
                       field=field, guessed=guessed, sheet=row.sheet)


def check_rows(rows: list[LegacyRow], settings: Settings = DEFAULT_SETTINGS) -> list[ImportIssue]:
    issues: list[ImportIssue] = []
    by_objective: dict[str, list[LegacyRow]] = {}
    for row in rows:
        by_objective.setdefault(row.objective_id or f"{row.line_id}-{row.objective_index}", []).append(row)
        issues.extend(_row_checks(row, settings))
    for members in by_objective.values():
        issues.extend(_duplicates(members))
        issues.extend(_weights(members))
    issues.sort(key=lambda i: (i.source_row or 0))
    return issues


def _row_checks(row: LegacyRow, settings: Settings) -> list[ImportIssue]:
    out: list[ImportIssue] = []
    t, a, d = row.target.value, row.actual.value, row.deviation.value
    if t is not None and a is not None and d is not None and abs((a - t) - d) > 0.5:
        out.append(_issue("legacy-deviation-mismatch", Severity.WARNING, row, "deviation",
                          "legacy.issue.deviation_mismatch", a - t, typed=d, computed=a - t))
    if (t is not None and a is not None and 0 < t <= 100 and a > 100
            and a > settings.plausibility_factor * t
            and _SHARE.search(f"{row.indicator} {row.formula_text}")
            and not _GROWTH.search(f"{row.indicator} {row.formula_text}")):
        guess = a
        while guess > 100:
            guess /= 10
        out.append(_issue("legacy-implausible-value", Severity.WARNING, row, "actual",
                          "legacy.issue.implausible", round(guess, 1), actual=a, target=t,
                          guess=round(guess, 1)))
    typed = row.achievement.value
    if not row.neutralised and typed is not None and a is not None and t is not None:
        computed = achievement(a, t, row.kind, row.polarity, settings=settings)
        if computed is not None and abs(computed - typed) > settings.tolerance + 1e-9:
            if fits_any_rule(a, t, typed, settings.tolerance):
                key, severity = "legacy.issue.achievement_other_rule", Severity.WARNING
            else:
                key, severity = "legacy.issue.achievement_no_rule", Severity.WARNING
            out.append(_issue("legacy-achievement-mismatch", severity, row, "achievement", key,
                              round(computed, 2), typed=typed, computed=round(computed, 2)))
    return out


def _duplicates(members: list[LegacyRow]) -> list[ImportIssue]:
    out: list[ImportIssue] = []
    seen: dict[tuple[object, ...], LegacyRow] = {}
    for row in members:
        key = (row.indicator.casefold(), row.formula_text.casefold(), row.target.value,
               row.actual.value, row.weight.value)
        first = seen.get(key)
        if first is None:
            seen[key] = row
            continue
        out.append(_issue("legacy-duplicate-row", Severity.WARNING, row, "indicator",
                          "legacy.issue.duplicate", first.indicator_id, first=first.source_row,
                          first_id=first.indicator_id or "", this_id=row.indicator_id or ""))
    return out


def _weights(members: list[LegacyRow]) -> list[ImportIssue]:
    weights = [r.weight.value for r in members]
    if any(w is None for w in weights):
        return []
    total = sum(w for w in weights if w is not None)
    if abs(total - 100) <= 0.01:
        return []
    first = members[0]
    return [_issue("legacy-weight-sum", Severity.WARNING, first, "weight", "legacy.issue.weight_sum",
                   None, total=float(total), objective=first.objective[:60],
                   objective_id=first.objective_id or "")]
