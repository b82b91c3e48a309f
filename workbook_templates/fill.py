"""Write actuals and notes into a template's input cells (demo, tests, benchmarks).

openpyxl load + save keeps formulas, styles, validation, protection and the
metadata sheet but drops cached values: recalculate afterwards
(`barometro.recalc.recalculate`).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

from barometro.atomic import atomic_path
from barometro.messages import text

from . import spec
from .literal import set_literal

Value = float | int | str | None


class FillError(ValueError):
    """The source is not a Barometro workbook or cannot be read."""


@dataclass(frozen=True)
class FillResult:
    path: Path
    filled: tuple[str, ...]  # indicator ids written, in workbook order


def _is_template_sheet(ws) -> bool:
    letter = spec.COL["indicator_id"].letter
    return ws[f"{letter}{spec.HEADER_ROW}"].value == spec.COL["indicator_id"].header


def write_input(ws, row: int, actual: Value, note: str | None) -> None:  # noqa: ANN001 - openpyxl sheet
    """Put an indicator's actual and note in its input cells (text stays text, never a formula)."""
    set_literal(ws[f"{spec.COL['actual'].letter}{row}"], actual)
    set_literal(ws[f"{spec.COL['note'].letter}{row}"], note if note else None)


def fill_workbook(
    src: str | Path, dst: str | Path, values: Mapping[str, tuple[Value, str | None]]
) -> FillResult:
    """Copy `src` to `dst` with `values[indicator_id] = (actual, note)` in columns I and K.

    Rows whose id is not in `values` are left as they are; ids of `values`
    absent from the workbook are ignored (a sector file holds only its rows).
    `None` empties the cell.
    """
    from openpyxl import load_workbook

    src, dst = Path(src), Path(dst)
    try:
        wb = load_workbook(src)
    except Exception as exc:  # noqa: BLE001 - any unreadable file becomes one clear message
        raise FillError(text("template.fill.unreadable", path=src, error=exc)) from None
    id_col = spec.COL["indicator_id"].letter
    filled: list[str] = []
    found_sheet = False
    for ws in wb.worksheets:
        if ws.title in spec.RESERVED_SHEETS or not _is_template_sheet(ws):
            continue
        found_sheet = True
        for row in range(spec.FIRST_ROW, ws.max_row + 1):
            ind_id = ws[f"{id_col}{row}"].value
            if ind_id is None:
                continue
            ind_id = str(ind_id)
            if ind_id not in values:
                continue
            actual, note = values[ind_id]
            write_input(ws, row, actual, note)
            filled.append(ind_id)
    if not found_sheet:
        raise FillError(text("template.fill.not_template", path=src))
    with atomic_path(dst) as tmp:
        wb.save(tmp)
    return FillResult(dst, tuple(filled))
