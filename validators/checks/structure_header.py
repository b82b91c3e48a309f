"""The header row of every line sheet must be the spec's, column by column."""

from __future__ import annotations

from collections.abc import Iterator

from barometro.workbook_templates.spec import COLUMNS, HEADER_ROW

from ..book import column_letter
from ..context import CheckContext
from ..findings import Finding, make
from ..registry import check
from ._util import COLS, text_of


@check("structure_header", codes=("S105", "S117"))
def structure_header(ctx: CheckContext) -> Iterator[Finding]:
    assert ctx.layout is not None
    for block in ctx.layout.blocks:
        sheet = ctx.sheet_for(block.sheet_name)
        if sheet is None:
            continue
        shift = ctx.shifted_columns.get(block.sheet_name)
        if shift is not None:  # one finding for the column, not one per header and row
            col, by = shift
            yield make("S117", ctx.file, sheet=sheet.name, cell=f"{column_letter(col)}{HEADER_ROW}",
                       column=column_letter(col), reason="inserted" if by > 0 else "deleted")
            continue
        for col in COLUMNS:
            found = text_of(sheet.cell(HEADER_ROW, COLS[col.key])).strip()
            if found != col.header:
                yield make(
                    "S105", ctx.file, sheet=sheet.name, cell=f"{col.letter}{HEADER_ROW}",
                    expected=col.header, found=found,
                )
