"""A note is required when an indicator is neutralised or its target is missed."""

from __future__ import annotations

from collections.abc import Iterator

from barometro.scoring import achievement

from ..context import CheckContext, indicator_rows
from ..findings import Finding, make
from ..registry import check
from ._util import (
    COLS,
    is_blank,
    kind_in_file,
    letter,
    neutralised_in_file,
    number,
    polarity_in_file,
)


@check("content_notes", codes=("C204", "C205"), order=22)
def content_notes(ctx: CheckContext) -> Iterator[Finding]:
    f = ctx.file
    for ref in indicator_rows(ctx):
        sheet, row = ref.sheet, ref.row
        note = sheet.cell(row, COLS["note"])
        if not is_blank(note):
            continue
        where = f"{letter('note')}{row}"
        if neutralised_in_file(sheet.cell(row, COLS["neutralised"])):
            yield make("C204", f, sheet=sheet.name, cell=where, id=ref.indicator.id)
            continue
        ach = achievement(
            number(sheet.cell(row, COLS["actual"])), number(sheet.cell(row, COLS["target"])),
            kind_in_file(sheet.cell(row, COLS["kind"])), polarity_in_file(sheet.cell(row, COLS["polarity"])),
            settings=ctx.settings,
        )
        if ach is not None and ach < 100.0 - 1e-9:
            yield make("C205", f, sheet=sheet.name, cell=where, id=ref.indicator.id, achievement=round(ach))
