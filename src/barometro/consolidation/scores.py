"""The master's plan carrying the merged actuals (its scores: `scoring.score_plan`)."""

from __future__ import annotations

from dataclasses import replace

from barometro.model import Plan

from .types import MergeResult


def merged_plan(plan: Plan, merge: MergeResult) -> Plan:
    """The plan with each indicator's merged actual and note (None/"" when missing)."""
    by_id = {r.indicator.id: r for r in merge.rows}
    indicators = []
    for ind in plan.indicators:
        row = by_id[ind.id]
        if row.state.returned:
            indicators.append(replace(ind, actual=row.actual, note=row.note))
        else:
            indicators.append(replace(ind, actual=None, note=""))
    return replace(plan, lines=list(plan.lines), indicators=indicators)
