"""Every counted indicator has a weight; an objective's weights sum to 100."""

from __future__ import annotations

from collections.abc import Iterator

from ..context import COLS, CheckContext
from ..findings import Finding, Severity, make
from ..registry import check
from ._util import letter, number, text_of

SUM_TOLERANCE = 0.5


@check("content_weights", codes=("C202", "C203"))
def content_weights(ctx: CheckContext) -> Iterator[Finding]:
    f = ctx.file
    master = ctx.master
    for ref in ctx.rows:
        if ref.number("weight") is None and not ref.neutralised:
            # Already missing in the master: the office's problem, reported as information.
            inherited = master is not None and ref.indicator.id in master.missing_weights
            yield make("C202", f, sheet=ref.sheet.name, cell=ref.ref("weight"), id=ref.indicator.id,
                       severity=Severity.INFO if inherited else None)
    assert ctx.layout is not None
    # Sums over every row holding a plan id, duplicates included (a row pasted twice).
    plan_ids = {ind.id for ind in ctx.layout.plan.indicators}
    sums: dict[str, float] = {}
    first: dict[str, tuple[str, int]] = {}
    for block in ctx.layout.blocks:
        sheet = ctx.sheet_for(block.sheet_name)
        rows = ctx.sheet_rows.get(block.sheet_name)
        if sheet is None or rows is None:
            continue
        for iid, found in rows.id_rows.items():
            if iid not in plan_ids:
                continue
            for row in found:
                oid = text_of(sheet.cell(row, COLS["objective_id"])).strip()
                if oid not in first or (first[oid][0] == sheet.name and row < first[oid][1]):
                    first[oid] = (sheet.name, row)
                sums[oid] = sums.get(oid, 0.0) + (number(sheet.cell(row, COLS["weight"])) or 0.0)
    planned: dict[str, float] = {}  # the file's share of each objective, as planned
    whole: dict[str, float] = {}  # each objective over the whole plan (all sectors)
    if master is not None:
        for ind in ctx.layout.plan.indicators:
            planned[ind.objective_id] = planned.get(ind.objective_id, 0.0) + (ind.weight or 0.0)
        whole = master.objective_weight_sums
    for oid, total in sums.items():
        if abs(total - 100.0) > SUM_TOLERANCE:
            sheet_name, row = first[oid]
            inherited = oid in planned and abs(planned[oid] - total) <= SUM_TOLERANCE
            if inherited and oid in whole and abs(whole[oid] - 100.0) <= SUM_TOLERANCE:
                continue  # an objective shared with other sectors: this file holds its planned share
            yield make("C203", f, sheet=sheet_name, cell=f"{letter('weight')}{row}", objective=oid,
                       found=total, expected=100, severity=Severity.INFO if inherited else None)
