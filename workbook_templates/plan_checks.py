"""Problems of a plan that the office should fix before sending files out.

They never stop the build (unless `barometro template --strict`): the office
decides. Messages are Italian by default (`template.problem.*`).
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass, field
from enum import StrEnum

from barometro.messages import text
from barometro.model import Plan


class ProblemCode(StrEnum):
    WEIGHTS_SUM = "weights-sum"
    DUPLICATE = "duplicate-indicator"
    MISSING_TARGET = "missing-target"
    MISSING_WEIGHT = "missing-weight"
    MISSING_SECTOR = "missing-sector"
    MISSING_OWNER = "missing-owner"


@dataclass(frozen=True)
class PlanProblem:
    code: ProblemCode
    message: str
    objective_id: str | None = None
    indicator_ids: tuple[str, ...] = ()
    values: dict[str, object] = field(default_factory=dict, compare=False, hash=False)


def _key(indicator_text: str) -> str:
    return re.sub(r"\s+", " ", indicator_text or "").strip().lower()


def _fmt(total: float) -> str:
    return f"{total:g}".replace(".", ",")


def check_plan(plan: Plan) -> list[PlanProblem]:
    """Every problem of the plan, in plan order."""
    problems: list[PlanProblem] = []
    for ind in plan.indicators:
        label = ind.indicator[:80]
        if not ind.neutralised and (ind.target is None or not math.isfinite(ind.target)):
            problems.append(PlanProblem(
                ProblemCode.MISSING_TARGET,
                text("template.problem.missing_target", indicator_id=ind.id, indicator=label),
                ind.objective_id, (ind.id,)))
        if not ind.neutralised and ind.weight is None:
            problems.append(PlanProblem(
                ProblemCode.MISSING_WEIGHT,
                text("template.problem.missing_weight", indicator_id=ind.id, indicator=label),
                ind.objective_id, (ind.id,)))
        if not (ind.sector or "").strip():
            problems.append(PlanProblem(
                ProblemCode.MISSING_SECTOR,
                text("template.problem.missing_sector", indicator_id=ind.id, indicator=label),
                ind.objective_id, (ind.id,)))
        if not (ind.owner or "").strip():
            problems.append(PlanProblem(
                ProblemCode.MISSING_OWNER,
                text("template.problem.missing_owner", indicator_id=ind.id, indicator=label),
                ind.objective_id, (ind.id,)))

    groups: dict[str, list] = {}
    for ind in plan.indicators:
        groups.setdefault(ind.objective_id, []).append(ind)
    for oid, inds in groups.items():
        weights = [i.weight for i in inds if i.weight is not None]
        if weights and not all(i.neutralised for i in inds):
            total = float(sum(weights))
            if abs(total - 100.0) > 1e-6:
                problems.append(PlanProblem(
                    ProblemCode.WEIGHTS_SUM,
                    text("template.problem.weights_sum", objective_id=oid,
                         objective=inds[0].objective[:80], total=_fmt(total)),
                    oid, tuple(i.id for i in inds), {"total": total}))
        seen: dict[str, list[str]] = {}
        for ind in inds:
            seen.setdefault(_key(ind.indicator), []).append(ind.id)
        for ind_key, ids in seen.items():
            if len(ids) > 1 and ind_key:
                problems.append(PlanProblem(
                    ProblemCode.DUPLICATE,
                    text("template.problem.duplicate", objective_id=oid,
                         indicator=ind_key[:80], ids=", ".join(ids)),
                    oid, tuple(ids)))
    return problems
