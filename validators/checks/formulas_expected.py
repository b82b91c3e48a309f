"""Every computed cell holds the spec's formula: not a typed number, not an edit."""

from __future__ import annotations

from collections.abc import Iterator

from barometro.workbook_templates.spec import FORMULA_KEYS, SUMMARY_SHEET, row_formula

from ..book import ValueKind
from ..context import CheckContext, indicator_rows
from ..findings import Finding, make
from ..registry import check
from ._formulas import same_formula
from ._util import letter


def expected_cells(ctx: CheckContext) -> Iterator[tuple[str, str, str]]:
    """(sheet name in the file, A1, expected formula) for every formula cell, line-sheet
    row formulas placed where the file has each indicator."""
    layout = ctx.layout
    assert layout is not None
    for ref in indicator_rows(ctx):
        for key in FORMULA_KEYS:
            yield ref.sheet.name, f"{letter(key)}{ref.row}", row_formula(key, ref.row, ctx.settings)
    for (sheet_name, cell), formula in layout.expected_formulas().items():
        if sheet_name == SUMMARY_SHEET or not cell[1:].isdigit() or int(cell[1:]) < 6:
            sheet = ctx.sheet_for(sheet_name)
            if sheet is not None:
                yield sheet.name, cell, formula


@check("formulas_expected", codes=("F301", "F302", "F305"), order=30)
def formulas_expected(ctx: CheckContext) -> Iterator[Finding]:
    f = ctx.file
    aliases = ctx.sheet_alias
    for sheet_name, ref, formula in expected_cells(ctx):
        sheet = ctx.book.sheet(sheet_name)
        assert sheet is not None
        cell = sheet.at(ref)
        if cell is None or (cell.formula is None and cell.kind is ValueKind.EMPTY):
            yield make("F305", f, sheet=sheet_name, cell=ref, expected=formula)
        elif cell.formula is None:
            yield make("F301", f, sheet=sheet_name, cell=ref, expected=formula, found=cell.value)
        elif not same_formula(cell.formula, formula, aliases):
            yield make("F302", f, sheet=sheet_name, cell=ref, expected=formula, found=cell.formula)
