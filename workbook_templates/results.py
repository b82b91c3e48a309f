"""Read the computed (cached) summary values of a recalculated workbook."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from . import readback, spec


@dataclass(frozen=True)
class SummaryValues:
    lines: dict[str, float | None]  # line_id -> cached line %
    ente: float | None
    objectives: dict[str, float | None]


_num = readback.as_number


def computed_summary(path: str | Path, layout: spec.Layout) -> SummaryValues:
    """Cached values of the Riepilogo cells of `layout` in a workbook saved by Excel/LibreOffice."""
    from openpyxl import load_workbook

    wb = load_workbook(path, data_only=True, read_only=True)
    try:
        ws = wb[spec.SUMMARY_SHEET]
        values: dict[str, object] = {}
        for row in ws.iter_rows(min_row=1, max_col=7):
            for cell in row:
                if cell.value is not None and hasattr(cell, "coordinate"):
                    values[cell.coordinate] = cell.value
    finally:
        wb.close()
    return SummaryValues(
        lines={lid: _num(values.get(layout.line_pct_summary_cell(lid))) for lid in layout.line_rows},
        ente=_num(values.get(layout.ente_cell)),
        objectives={oid: _num(values.get(layout.objective_cell(oid))) for oid in layout.objective_rows},
    )
