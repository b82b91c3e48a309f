"""The BAR_* UDFs equal the template's native formulas.

Small plan: the master is built by the project's builder, filled with actuals by
the project's filler, and given a sheet of BAR_* formulas over the same cells;
the `formulas` engine computes both (the UDFs registered as custom functions).
Cremona: LibreOffice recalculates the filled master, and every UDF called on the
cell values LibreOffice holds equals the native formula's value beside them.
"""

from __future__ import annotations

import math
from pathlib import Path

import numpy as np
import pytest

from barometro.addin import udfs
from barometro.workbook_templates import spec

UDF_SHEET = "UDF"


def _plain(value):
    """A `formulas` argument as what xlwings would pass: scalars, lists, None for empty."""
    import schedula as sh
    from formulas.tokens.operand import XlError

    if isinstance(value, np.ndarray):
        rows = [[_plain(v) for v in row] for row in value.tolist()] if value.ndim == 2 else [_plain(v) for v in value.tolist()]
        if value.size == 1:
            return rows[0][0] if value.ndim == 2 else rows[0]
        return rows
    if value is sh.EMPTY:
        return None
    if isinstance(value, XlError):
        return str(value)
    if isinstance(value, np.generic):
        return value.item()
    if isinstance(value, bool | int | float | str) or value is None:
        return value
    return value


def _register():
    import formulas

    functions = formulas.get_functions()
    for f in udfs.UDFS:
        def wrapped(*args, _f=f):
            return _f(*[_plain(a) for a in args])

        functions[f.__name__] = formulas.functions.wrap_func(wrapped)


def _q(sheet: str) -> str:
    return spec.quote_sheet(sheet)


def _udf_rows(layout: spec.Layout, profile: str) -> tuple[list[list[str]], list[tuple[str, str, str]]]:
    """Formulas of the UDF sheet and, for each, the native cell it must equal: (udf cell, sheet, cell)."""
    rows: list[list[str]] = []
    pairs: list[tuple[str, str, str]] = []
    r = 1
    for b in layout.blocks:
        q = _q(b.sheet_name)
        for offset in range(len(b.indicators)):
            row = spec.FIRST_ROW + offset
            rows.append([
                f'=BAR_RAGG({q}!I{row},{q}!H{row},{q}!Q{row},{q}!R{row},{q}!S{row},"{profile}")',
                f"=BAR_SCOST({q}!I{row},{q}!H{row})",
            ])
            pairs += [(f"A{r}", b.sheet_name, f"M{row}"), (f"B{r}", b.sheet_name, f"J{row}")]
            r += 1
        first, last = spec.FIRST_ROW, b.last_row
        m, w, o, n = (f"{q}!{c}{first}:{c}{last}" for c in "MLPS")
        rows.append([f'=BAR_LINEA({m},"",{w},{o},{n},"{profile}")', ""])
        pairs.append((f"A{r}", spec.SUMMARY_SHEET, layout.line_pct_summary_cell(b.line.id)))
        r += 1
        objective_ids = [ind.objective_id for ind in b.indicators]
        for oid in dict.fromkeys(objective_ids):
            rows_of = [spec.FIRST_ROW + i for i, o in enumerate(objective_ids) if o == oid]
            lo, hi = min(rows_of), max(rows_of)
            assert hi - lo + 1 == len(rows_of), "objective rows are contiguous in the template"
            rows.append([f"=BAR_OBIETTIVO({q}!L{lo}:L{hi},{q}!M{lo}:M{hi})", ""])
            pairs.append((f"A{r}", spec.SUMMARY_SHEET, layout.objective_cell(oid)))
            r += 1
    return rows, pairs


def _evaluate(path: Path) -> dict[str, object]:
    import formulas

    _register()
    model = formulas.ExcelModel().loads(str(path)).finish()
    solution = model.calculate()
    out = {}
    for key, value in solution.items():
        k = key.upper()
        v = value.value if hasattr(value, "value") else value
        if isinstance(v, np.ndarray) and v.size == 1:
            v = v.ravel()[0]
        out[k] = _plain(v) if not isinstance(v, np.ndarray) else v
    return out


def _lookup(values: dict[str, object], book: str, sheet: str, cell: str):
    return values.get(f"'[{book}]{sheet.upper()}'!{cell}")


def _build_filled_with_udfs(plan, settings, profile: str, folder: Path) -> tuple[Path, list]:
    from openpyxl import load_workbook

    from barometro.workbook_templates.builder import build_workbook
    from barometro.workbook_templates.fill import fill_workbook

    master = build_workbook(plan, settings, folder / "master.xlsx")
    filled = folder / "filled.xlsx"
    fill_workbook(master, filled, {i.id: (i.actual, i.note or None) for i in plan.indicators})
    layout = spec.build_layout(plan, settings, "master")
    rows, pairs = _udf_rows(layout, profile)
    wb = load_workbook(filled)
    ws = wb.create_sheet(UDF_SHEET)
    for r, values in enumerate(rows, start=1):
        for c, formula in enumerate(values, start=1):
            if formula:
                ws.cell(row=r, column=c, value=formula)
    out = folder / "udf.xlsx"
    wb.save(out)
    return out, pairs


def _compare(path: Path, pairs) -> int:
    values = _evaluate(path)
    book = path.name.upper()
    checked = 0
    for udf_cell, sheet, cell in pairs:
        got = _lookup(values, book, UDF_SHEET, udf_cell)
        want = _lookup(values, book, sheet, cell)
        assert got is not None and want is not None, (udf_cell, sheet, cell, got, want)
        if isinstance(want, str) or want is None:
            assert got == (want or ""), (udf_cell, sheet, cell, got, want)
        else:
            assert isinstance(got, float) and math.isclose(got, float(want), abs_tol=1e-9), (
                udf_cell, sheet, cell, got, want)
        checked += 1
    return checked


@pytest.mark.slow
def test_udfs_equal_native_formulas_small_plan(tmp_path, plan, cremona_settings):
    path, pairs = _build_filled_with_udfs(plan, cremona_settings, "cremona", tmp_path)
    assert _compare(path, pairs) == len(pairs) >= 2 * len(plan.indicators)


def test_udfs_equal_libreoffice_native_formulas_on_cremona(tmp_path, soffice, cremona_txt, cremona_settings):
    """The whole Cremona master, filled and recalculated by LibreOffice: every BAR_* call on a
    row's (or a range's) cell values equals the native formula LibreOffice computed there."""
    from openpyxl import load_workbook

    from barometro.legacy import import_report
    from barometro.recalc import recalculate
    from barometro.workbook_templates.builder import build_workbook
    from barometro.workbook_templates.fill import fill_workbook

    cremona = import_report(cremona_txt).plan
    master = build_workbook(cremona, cremona_settings, tmp_path / "master.xlsx")
    filled = fill_workbook(master, tmp_path / "filled.xlsx",
                           {i.id: (i.actual, i.note or None) for i in cremona.indicators}).path
    wb = load_workbook(recalculate([filled], tmp_path / "recalc")[0], data_only=True)
    layout = spec.build_layout(cremona, cremona_settings, "master")
    summary = wb[spec.SUMMARY_SHEET]

    def same(got, want) -> bool:
        if want is None or want == "":
            return got == ""
        return isinstance(got, float) and math.isclose(got, want, abs_tol=1e-9)

    checked = 0
    for b in layout.blocks:
        ws = wb[b.sheet_name]
        rows = list(range(spec.FIRST_ROW, b.last_row + 1))
        col = {c: [ws[f"{c}{r}"].value for r in rows] for c in "HIJLMPQRS"}
        for n in range(len(rows)):
            args = (col["I"][n], col["H"][n], col["Q"][n], col["R"][n], col["S"][n], "cremona")
            assert same(udfs.BAR_RAGG(*args), col["M"][n]), (b.sheet_name, rows[n])
            assert same(udfs.BAR_SCOST(col["I"][n], col["H"][n]), col["J"][n]), (b.sheet_name, rows[n])
            checked += 2
        got = udfs.BAR_LINEA(col["M"], "", col["L"], col["P"], col["S"], "cremona")
        assert same(got, summary[layout.line_pct_summary_cell(b.line.id)].value), b.sheet_name
        for oid in dict.fromkeys(col["P"]):
            picked = [n for n, o in enumerate(col["P"]) if o == oid]
            got = udfs.BAR_OBIETTIVO([col["L"][n] for n in picked], [col["M"][n] for n in picked])
            assert same(got, summary[layout.objective_cell(oid)].value), oid
            checked += 1
    assert len(cremona.indicators) > 150 and checked > 2 * len(cremona.indicators)
