"""Problems of a plan that the office should fix before sending files out.

They never stop the build (unless `barometro template --strict`): the office
decides. Messages are Italian by default (`template.problem.*`).
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass
from enum import StrEnum

from barometro.issues import Issue, Severity
from barometro.model import Plan
from barometro.rollover import not_challenging


class ProblemCode(StrEnum):
    WEIGHTS_SUM = "weights-sum"
    DUPLICATE = "duplicate-indicator"
    MISSING_TARGET = "missing-target"
    MISSING_WEIGHT = "missing-weight"
    MISSING_SECTOR = "missing-sector"
    MISSING_OWNER = "missing-owner"
    TARGET_NOT_CHALLENGING = "target-not-challenging"


SEVERITY = {
    ProblemCode.MISSING_TARGET: Severity.ERROR,  # the indicator cannot be scored
    ProblemCode.MISSING_SECTOR: Severity.ERROR,  # no sector file would hold the row
    ProblemCode.WEIGHTS_SUM: Severity.WARNING,
    ProblemCode.DUPLICATE: Severity.WARNING,
    ProblemCode.MISSING_WEIGHT: Severity.WARNING,
    ProblemCode.MISSING_OWNER: Severity.WARNING,
    ProblemCode.TARGET_NOT_CHALLENGING: Severity.WARNING,
}


@dataclass(frozen=True, kw_only=True)
class PlanProblem(Issue):
    """A problem of the plan (the message is rendered on output, from `key` and `params`)."""

    objective_id: str | None = None
    indicator_ids: tuple[str, ...] = ()


def _problem(code: ProblemCode, key: str, where: str | None, ids: tuple[str, ...], /,
             **params: object) -> PlanProblem:
    return PlanProblem(code=code.value, severity=SEVERITY[code], key=f"template.problem.{key}", params=params,
                       objective_id=where, indicator_ids=ids)


def _key(indicator_text: str) -> str:
    return re.sub(r"\s+", " ", indicator_text or "").strip().lower()


def check_plan(plan: Plan) -> list[PlanProblem]:
    """Every problem of the plan, in plan order."""
    problems: list[PlanProblem] = []
    for ind in plan.indicators:
        label = ind.indicator[:80]
        if not ind.neutralised and (ind.target is None or not math.isfinite(ind.target)):
            problems.append(_problem(ProblemCode.MISSING_TARGET, "missing_target", ind.objective_id, (ind.id,),
                                     indicator_id=ind.id, indicator=label))
        if not ind.neutralised and ind.weight is None:
            problems.append(_problem(ProblemCode.MISSING_WEIGHT, "missing_weight", ind.objective_id, (ind.id,),
                                     indicator_id=ind.id, indicator=label))
        if not (ind.sector or "").strip():
            problems.append(_problem(ProblemCode.MISSING_SECTOR, "missing_sector", ind.objective_id, (ind.id,),
                                     indicator_id=ind.id, indicator=label))
        if not_challenging(ind):
            problems.append(_problem(ProblemCode.TARGET_NOT_CHALLENGING, "target_not_challenging", ind.objective_id,
                                     (ind.id,), indicator_id=ind.id, indicator=label, target=ind.target,
                                     previous=ind.previous_actual, reference=plan.reference or "—"))
        if not (ind.owner or "").strip():
            problems.append(_problem(ProblemCode.MISSING_OWNER, "missing_owner", ind.objective_id, (ind.id,),
                                     indicator_id=ind.id, indicator=label))

    groups: dict[str, list] = {}
    for ind in plan.indicators:
        groups.setdefault(ind.objective_id, []).append(ind)
    for oid, inds in groups.items():
        weights = [i.weight for i in inds if i.weight is not None]
        if weights and not all(i.neutralised for i in inds):
            total = float(sum(weights))
            if abs(total - 100.0) > 1e-6:
                problems.append(_problem(ProblemCode.WEIGHTS_SUM, "weights_sum", oid, tuple(i.id for i in inds),
                                         objective_id=oid, objective=inds[0].objective[:80], total=total))
        seen: dict[str, list[str]] = {}
        for ind in inds:
            seen.setdefault(_key(ind.indicator), []).append(ind.id)
        for ind_key, ids in seen.items():
            if len(ids) > 1 and ind_key:
                problems.append(_problem(ProblemCode.DUPLICATE, "duplicate", oid, tuple(ids),
                                         objective_id=oid, indicator=ind_key[:80], ids=", ".join(ids)))
    return problems
