"""Helpers of the template tests: recompute a filled workbook with the scoring core and compare."""

from __future__ import annotations

import math
from pathlib import Path

from barometro import scoring
from barometro.model import NEUTRALISED_MARK, Kind, Polarity
from barometro.settings import Settings
from barometro.workbook_templates import spec

Values = dict[tuple[str, str], object]  # (sheet as written, A1) -> value


def cached_values(path: Path) -> Values:
    from openpyxl import load_workbook

    wb = load_workbook(path, data_only=True)
    out: Values = {}
    for ws in wb.worksheets:
        for row in ws.iter_rows():
            for cell in row:
                if cell.value is not None:
                    out[(ws.title, cell.coordinate)] = cell.value
    return out


def formulas_values(path: Path, sheet_names: list[str]) -> Values:
    """Compute the workbook with the `formulas` package; keys use the real sheet names."""
    import formulas

    model = formulas.ExcelModel().loads(str(path)).finish()
    sol = model.calculate()
    by_upper = {name.upper(): name for name in sheet_names}
    out: Values = {}
    for key, value in sol.items():
        if "!" not in key or ":" in key.rsplit("!", 1)[1]:
            continue
        book_sheet, ref = key.rsplit("!", 1)
        sheet = book_sheet.strip("'").split("]", 1)[1]
        if sheet not in by_upper:
            continue
        v = value.value[0][0] if hasattr(value, "value") else value
        if hasattr(v, "item"):
            v = v.item()
        if v == "" or type(v).__name__ == "XlError":
            v = None if v == "" else str(v)
        out[(by_upper[sheet], ref)] = v
    return out


def _num(v: object) -> float | None:
    if isinstance(v, bool) or not isinstance(v, int | float):
        return None
    return float(v)


def expected_values(layout: spec.Layout, values: Values) -> dict[tuple[str, str], float | None]:
    """Every formula cell of `layout`, recomputed with `barometro.scoring` from the inputs in `values`."""
    s: Settings = layout.settings
    out: dict[tuple[str, str], float | None] = {}
    all_items: list[scoring.Scored] = []
    for b in layout.blocks:
        items = []
        for offset, _ind in enumerate(b.indicators):
            row = spec.FIRST_ROW + offset

            def v(key: str, row: int = row, sheet: str = b.sheet_name) -> object:
                return values.get((sheet, f"{spec.COL[key].letter}{row}"))

            target, actual, weight = v("target"), v("actual"), v("weight")
            neutral = v("neutralised") == NEUTRALISED_MARK
            ach = scoring.achievement(actual, target, Kind.parse(v("kind")), Polarity.parse(v("polarity")),
                                      neutralised=neutral, settings=s)
            counted = _num(weight) if (ach is not None and _num(weight) is not None) else 0.0
            cell = {
                "deviation": scoring.deviation(actual, target),
                "achievement": ach,
                "gauge": ach,
                "weight_counted": counted,
                "points": counted * ach if counted and counted > 0 else 0.0,
            }
            for key, val in cell.items():
                out[(b.sheet_name, f"{spec.COL[key].letter}{row}")] = val
            item = scoring.Scored(_ind.objective_id, _num(weight), ach, neutral, b.line.id)
            items.append(item)
        all_items.extend(items)
        line = scoring.line_score(items, s)
        out[(b.sheet_name, spec.LINE_PCT_CELL)] = line
        row = layout.line_rows[b.line.id]
        out[(spec.SUMMARY_SHEET, f"C{row}")] = line
        out[(spec.SUMMARY_SHEET, f"F{row}")] = line
    ente = scoring.ente_score(all_items, s)
    out[(spec.SUMMARY_SHEET, layout.ente_cell)] = ente
    out[(spec.SUMMARY_SHEET, f"F{layout.ente_row}")] = ente
    for oid, score in scoring.objective_scores(all_items).items():
        row = layout.objective_rows[oid]
        out[(spec.SUMMARY_SHEET, f"F{row}")] = score
        out[(spec.SUMMARY_SHEET, f"G{row}")] = score
    return out


def mismatches(layout: spec.Layout, values: Values, tol: float = 1e-9) -> list[str]:
    """Formula cells whose computed value differs from the scoring core (empty list: all agree)."""
    expected = expected_values(layout, values)
    formula_cells = set(layout.expected_formulas())
    assert set(expected) == formula_cells, "every formula cell must be checked"
    bad = []
    for key, want in expected.items():
        got = values.get(key)
        if got == "":
            got = None
        if want is None:
            if got is not None:
                bad.append(f"{key}: expected empty, got {got!r}")
            continue
        if _num(got) is None or not math.isclose(float(got), want, rel_tol=tol, abs_tol=1e-7):
            bad.append(f"{key}: expected {want!r}, got {got!r}")
    return bad
