"""Cached objective, line and ente percentages against the scoring core."""

from __future__ import annotations

from collections.abc import Iterator

from barometro.scoring import Scored, agrees, ente_score, line_score, objective_scores
from barometro.workbook_templates.spec import LINE_PCT_CELL, SUMMARY_SHEET

from ..book import ValueKind
from ..context import CheckContext
from ..findings import Finding, make
from ..registry import check
from .values_rows import cached


@check("values_aggregates", codes=("V404", "V405", "V406", "V409"))
def values_aggregates(ctx: CheckContext) -> Iterator[Finding]:
    layout = ctx.layout
    assert layout is not None
    if ctx.broken_sheets:
        return  # rows inserted/deleted: the aggregate ranges no longer mean the plan's rows
    f, s = ctx.file, ctx.settings
    items: list[Scored] = []
    by_line: dict[str, list[Scored]] = {}
    for ref in ctx.rows:
        oid = ref.text("objective_id").strip()
        item = Scored(oid, ref.number("weight"), ref.score.achievement, ref.neutralised, ref.indicator.line_id)
        items.append(item)
        by_line.setdefault(ref.indicator.line_id, []).append(item)
    summary = ctx.sheet_for(SUMMARY_SHEET)
    if summary is None:
        return

    def compare(sheet_name: str, ref: str, value: float | None, code: str, **extra: object) -> Iterator[Finding]:
        sheet = ctx.sheet_for(sheet_name)
        if sheet is None:
            return
        cell = sheet.at(ref)
        if cell is None or cell.formula is None:
            return
        has, found = cached(cell)
        if not has:
            return  # counted by values_rows as never recalculated
        if cell.kind is ValueKind.ERROR:
            yield make("V409", f, sheet=sheet.name, cell=ref, found=found)
        elif not agrees(found, value, s):
            yield make(code, f, sheet=sheet.name, cell=ref, expected=value, found=found, **extra)

    objectives = objective_scores(items)
    for oid, row in layout.objective_rows.items():
        yield from compare(SUMMARY_SHEET, f"F{row}", objectives.get(oid), "V404", objective=oid)
    for block in layout.blocks:
        value = line_score(by_line.get(block.line.id, []), s)
        yield from compare(SUMMARY_SHEET, layout.line_pct_summary_cell(block.line.id), value, "V405")
        yield from compare(block.sheet_name, LINE_PCT_CELL, value, "V405")
    yield from compare(SUMMARY_SHEET, layout.ente_cell, ente_score(items, s), "V406")
