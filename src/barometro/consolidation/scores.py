"""Every percentage of the Relazione from the merged plan, by the scoring core."""

from __future__ import annotations

from dataclasses import replace

from barometro import scoring
from barometro.model import Plan
from barometro.settings import Settings

from .types import MergeResult, Scores


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
    return Plan(plan.ente, plan.year, list(plan.lines), indicators)


def compute_scores(plan: Plan, settings: Settings) -> Scores:
    """Indicator, objective, line and ente % of a plan carrying actuals (unrounded)."""
    p = scoring.score_plan(plan, settings)
    return Scores(p.indicator, p.objective, p.line, p.ente)
