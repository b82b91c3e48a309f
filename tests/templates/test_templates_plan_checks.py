"""Plan problems found before the files go out."""

from __future__ import annotations

from collections import Counter
from dataclasses import replace

from template_plans import edge_plan

from barometro.workbook_templates.plan_checks import ProblemCode, check_plan


def test_clean_edge_plan_has_only_the_missing_weights():
    problems = check_plan(edge_plan())
    assert [(p.code, p.indicator_ids) for p in problems] == [
        (ProblemCode.MISSING_WEIGHT, ("C-01-01",)), (ProblemCode.MISSING_WEIGHT, ("C-01-02",))]
    assert "manca il peso" in problems[0].message


def test_every_problem_kind_is_found():
    plan = edge_plan()
    inds = plan.indicators
    inds[0] = replace(inds[0], weight=70.0)  # A-01 now sums to 120
    inds[2] = replace(inds[2], target=None)
    inds[3] = replace(inds[3], sector=" ")
    inds[4] = replace(inds[4], owner="")
    inds.insert(6, replace(inds[5], id="A-03-09"))  # a pasted-twice row
    codes = Counter(p.code for p in check_plan(plan))
    assert codes[ProblemCode.WEIGHTS_SUM] == 2  # A-01 (120) and A-03 (150)
    assert codes[ProblemCode.DUPLICATE] == 1
    assert codes[ProblemCode.MISSING_TARGET] == 1
    assert codes[ProblemCode.MISSING_SECTOR] == 1 and codes[ProblemCode.MISSING_OWNER] == 1
    sums = {p.objective_id: p.params["total"] for p in check_plan(plan) if p.code == ProblemCode.WEIGHTS_SUM}
    assert sums == {"A-01": 120.0, "A-03": 150.0}


def test_neutralised_weight_zero_is_fine():
    plan = edge_plan()
    assert not [p for p in check_plan(plan) if p.objective_id in ("B-03", "C-02")]


def test_cremona_plan_problems(cremona_plan):
    problems = check_plan(cremona_plan)
    sums = sorted(p.params["total"] for p in problems if p.code == ProblemCode.WEIGHTS_SUM)
    assert sums == [75.0, 105.0, 109.0, 120.0]
    assert len([p for p in problems if p.code == ProblemCode.DUPLICATE]) == 1
