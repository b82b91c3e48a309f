"""Sheets missing, renamed, hidden or added; protection removed; macros; metadata visible."""

from __future__ import annotations

from collections.abc import Iterator

from barometro.workbook_templates import spec

from ..book import SheetState
from ..context import CheckContext, find_id_rows
from ..findings import Finding, make
from ..registry import check


@check("structure_sheets", codes=("S101", "S102", "S103", "S104", "S112", "S113", "S114"), order=10)
def structure_sheets(ctx: CheckContext) -> Iterator[Finding]:
    layout = ctx.layout
    assert layout is not None
    book, f = ctx.book, ctx.file
    expected = [b.sheet_name for b in layout.blocks]
    known = set(expected) | set(spec.RESERVED_SHEETS)
    extra = [s for s in book.sheets if s.name not in known]
    # A missing line sheet whose indicator ids live in an unexpected sheet was renamed.
    for block in layout.blocks:
        if book.sheet(block.sheet_name) is not None:
            continue
        ids = {ind.id for ind in block.indicators}
        renamed = next((s for s in extra if ids & set(find_id_rows(s))), None)
        if renamed is not None:
            ctx.sheet_alias[block.sheet_name] = renamed.name
            extra.remove(renamed)
            yield make("S102", f, sheet=renamed.name, cell="A1", expected=block.sheet_name, found=renamed.name)
        else:
            yield make("S101", f, sheet=block.sheet_name, expected=block.sheet_name)
    if book.sheet(spec.SUMMARY_SHEET) is None:
        yield make("S101", f, sheet=spec.SUMMARY_SHEET, expected=spec.SUMMARY_SHEET)
    for s in extra:
        yield make("S104", f, sheet=s.name, cell="A1", found=s.name)
    for name in [*expected, spec.SUMMARY_SHEET]:
        sheet = ctx.sheet_for(name)
        if sheet is None:
            continue
        if sheet.state is not SheetState.VISIBLE:
            yield make("S103", f, sheet=sheet.name, cell="A1", found=sheet.state.value)
        if name in ctx.protected_expected and not sheet.protected:
            yield make("S112", f, sheet=sheet.name, cell="A1")
    meta = book.sheet(spec.META_SHEET)
    if meta is not None and meta.state is SheetState.VISIBLE:
        yield make("S114", f, sheet=meta.name, cell="A1", found=meta.state.value)
    if book.has_vba:
        yield make("S113", f)
