"""Every computed cell holds the spec's formula: not a typed number, not an edit."""

from __future__ import annotations

from collections.abc import Iterator
from functools import lru_cache

from barometro.settings import Settings
from barometro.workbook_templates.spec import FORMULA_KEYS, SUMMARY_SHEET, Layout, row_formula

from ..book import ValueKind, parse_ref
from ..context import COLS, CheckContext
from ..findings import Finding, make
from ..registry import check
from ._formulas import same_formula
from ._util import letter

_ROW_KEYS = tuple((key, COLS[key], letter(key)) for key in FORMULA_KEYS)


def _fixed_cells(layout: Layout) -> tuple[tuple[str, int, int, str, str], ...]:
    """(sheet, row, col, A1, formula) of the formulas that are not indicator-row formulas:
    the Riepilogo and each line sheet's header cells. Computed once per layout (kept on it)."""
    cached = layout.__dict__.get("_fixed_formula_cells")
    if cached is not None:
        return cached
    out = []
    for (sheet_name, cell), formula in layout.expected_formulas().items():
        row, col = parse_ref(cell)
        if sheet_name == SUMMARY_SHEET or row < 6:
            out.append((sheet_name, row, col, cell, formula))
    layout.__dict__["_fixed_formula_cells"] = tuple(out)
    return layout.__dict__["_fixed_formula_cells"]


@lru_cache(maxsize=8)
def _row_formulas(settings: Settings) -> dict[tuple[str, int], str]:
    """A per-settings memo of `row_formula` (hashing the settings once per file, not per cell)."""
    return {}


def expected_cells(ctx: CheckContext) -> Iterator[tuple[str, int, int, str, str]]:
    """(sheet name in the file, row, col, A1, expected formula) for every formula cell;
    line-sheet row formulas are placed where the file has each indicator."""
    layout = ctx.layout
    assert layout is not None
    settings = ctx.settings
    memo = _row_formulas(settings)
    for ref in ctx.rows:
        row = ref.row
        for key, col, col_letter in _ROW_KEYS:
            formula = memo.get((key, row))
            if formula is None:
                formula = memo[(key, row)] = row_formula(key, row, settings)
            yield ref.sheet.name, row, col, f"{col_letter}{row}", formula
    shifted = tuple(ctx.shifted_columns)
    for sheet_name, row, col, cell, formula in _fixed_cells(layout):
        if shifted and (sheet_name in shifted or any(name in formula for name in shifted)):
            continue  # a column inserted or deleted there (S117 says it once): its references moved
        sheet = ctx.sheet_for(sheet_name)
        if sheet is not None:
            yield sheet.name, row, col, cell, formula


@check("formulas_expected", codes=("F301", "F302", "F305"))
def formulas_expected(ctx: CheckContext) -> Iterator[Finding]:
    f = ctx.file
    aliases = ctx.sheet_alias
    sheets = {s.name: s for s in ctx.book.sheets}
    for sheet_name, row, col, ref, formula in expected_cells(ctx):
        cell = sheets[sheet_name].cells.get((row, col))
        if cell is None or (cell.formula is None and cell.kind is ValueKind.EMPTY):
            yield make("F305", f, sheet=sheet_name, cell=ref, expected=formula)
        elif cell.formula is None:
            yield make("F301", f, sheet=sheet_name, cell=ref, expected=formula, found=cell.value)
        elif cell.formula != formula and not same_formula(cell.formula, formula, aliases):
            yield make("F302", f, sheet=sheet_name, cell=ref, expected=formula, found=cell.formula)
