"""Does each published line % follow from its rows? `line_check` answers per line.

`from_typed` averages the % Ragg as published; `from_core` recomputes each
achievement with `scoring.achievement` (kind/polarity as inferred) first. When
neither matches, the explanation tries the other methods and says which one
(if any) gives the published figure.
"""

from __future__ import annotations

from dataclasses import dataclass, replace

from barometro.messages import Percent, Phrase
from barometro.model import Plan
from barometro.scoring import Scored, achievement, line_score
from barometro.settings import DEFAULT_SETTINGS, LineMethod, NeutralisedPolicy, Settings

from .report import LegacyReport, LegacyRow

MATCH_TOLERANCE = 0.01


@dataclass(frozen=True)
class LineCheck:
    line_id: str
    title: str
    published: float | None
    from_typed: float | None
    from_core: float | None
    matches: bool
    explanation: Phrase  # rendered in the language of the output (str() = current language)


def _pct(value: float | None) -> object:
    return "—" if value is None else Percent(value)


def _scored(rows: list[LegacyRow], plan: Plan | None, settings: Settings, typed: bool) -> list[Scored]:
    by_id = {i.id: i for i in plan.indicators} if plan is not None else {}
    items: list[Scored] = []
    for row in rows:
        ind = by_id.get(row.indicator_id or "")
        kind = ind.kind if ind else row.kind
        polarity = ind.polarity if ind else row.polarity
        neutralised = ind.neutralised if ind else row.neutralised
        target = ind.target if ind else row.target.value
        weight = ind.weight if ind else row.weight.value
        actual = ind.actual if ind else row.actual.value
        if typed:
            ach = None if neutralised else row.achievement.value
        else:
            ach = achievement(actual, target, kind, polarity, neutralised=neutralised, settings=settings)
        items.append(Scored(row.objective_id or str(row.objective_index), weight, ach, neutralised, row.line_id))
    return items


def _close(a: float | None, b: float | None) -> bool:
    return a is not None and b is not None and abs(a - b) <= MATCH_TOLERANCE + 1e-9


def _alternatives(items: list[Scored], settings: Settings) -> list[tuple[Settings, float | None]]:
    out = []
    for method in LineMethod:
        for policy in NeutralisedPolicy:
            alt = replace(settings, line_method=method, neutralised=policy)
            if alt == settings:
                continue
            out.append((alt, line_score(items, alt)))
    return out


def line_check(report: LegacyReport, plan: Plan | None = None,
               settings: Settings = DEFAULT_SETTINGS) -> list[LineCheck]:
    """One `LineCheck` per line of the report, in report order."""
    checks: list[LineCheck] = []
    for line in report.lines:
        rows = report.rows_of_line(line.id)
        typed_items = _scored(rows, plan, settings, typed=True)
        core_items = _scored(rows, plan, settings, typed=False)
        from_typed = line_score(typed_items, settings)
        from_core = line_score(core_items, settings)
        published = line.published
        matches = _close(published, from_typed) or _close(published, from_core)
        method = Phrase(f"method.line.{settings.line_method.value}")
        typed_source, core_source = Phrase("legacy.linecheck.typed"), Phrase("legacy.linecheck.core")
        if published is None:
            explanation = Phrase("legacy.linecheck.no_published", typed=_pct(from_typed), core=_pct(from_core))
        elif matches:
            which = typed_source if _close(published, from_typed) else core_source
            explanation = Phrase("legacy.linecheck.match", published=_pct(published), which=which, method=method)
        else:
            found = None
            for source, items in ((typed_source, typed_items), (core_source, core_items)):
                for alt, value in _alternatives(items, settings):
                    if _close(published, value):
                        found = Phrase("legacy.linecheck.other_method", which=source,
                                       method=Phrase(f"method.line.{alt.line_method.value}"),
                                       neutralised=Phrase(f"method.neutralised.{alt.neutralised.value}"))
                        break
                if found:
                    break
            explanation = Phrase("legacy.linecheck.mismatch", published=_pct(published),
                                 typed=_pct(from_typed), core=_pct(from_core), method=method,
                                 neutralised=Phrase(f"method.neutralised.{settings.neutralised.value}"),
                                 other=found or Phrase("legacy.linecheck.no_rule"))
        checks.append(LineCheck(line.id, line.title, published, from_typed, from_core, matches, explanation))
    return checks
