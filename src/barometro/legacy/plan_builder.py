"""`to_plan`: a `LegacyReport` becomes the office's `Plan` with stable ids.

Ids: line code ("AMB"), objective "AMB-03" (3rd objective of the line),
indicator "AMB-03-02" (2nd indicator of that objective), in report order.
"""

from __future__ import annotations

from barometro.model import Indicator, Line, Plan
from barometro.workbook_templates.spec import safe_sheet_name

from .report import LegacyReport


def objective_id(line_id: str, objective_index: int) -> str:
    return f"{line_id}-{objective_index:02d}"


def indicator_id(line_id: str, objective_index: int, indicator_index: int) -> str:
    return f"{objective_id(line_id, objective_index)}-{indicator_index:02d}"


def to_plan(report: LegacyReport) -> Plan:
    """The plan of the report; sets `indicator_id` / `objective_id` on every row."""
    taken: set[str] = set()
    lines: list[Line] = []
    for legacy_line in report.lines:
        sheet = safe_sheet_name(legacy_line.name, taken)
        taken.add(sheet)
        lines.append(Line(legacy_line.id, legacy_line.title, sheet, legacy_line.published))
    indicators: list[Indicator] = []
    for row in report.rows:
        row.objective_id = objective_id(row.line_id, row.objective_index)
        row.indicator_id = indicator_id(row.line_id, row.objective_index, row.indicator_index)
        indicators.append(
            Indicator(
                id=row.indicator_id,
                line_id=row.line_id,
                objective_id=row.objective_id,
                owner=row.owner,
                sector=row.sector,
                objective=row.objective,
                definition=row.definition,
                indicator=row.indicator,
                formula_text=row.formula_text,
                purpose=row.purpose,
                target=row.target.value,
                weight=row.weight.value,
                kind=row.kind,
                polarity=row.polarity,
                neutralised=row.neutralised,
                kind_inferred=row.kind_inferred,
                polarity_inferred=row.polarity_inferred,
                actual=row.actual.value,
                note=row.note,
                source_row=row.source_row,
            )
        )
    return Plan(report.ente, report.year or 0, lines, indicators)
