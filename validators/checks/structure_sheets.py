"""Sheets missing, renamed, hidden or added; protection removed; macros; metadata visible."""

from __future__ import annotations

from collections.abc import Iterator

from barometro.workbook_templates import spec

from ..book import SheetState
from ..context import CheckContext
from ..findings import Finding, make
from ..registry import check


@check("structure_sheets", codes=("S101", "S102", "S103", "S104", "S112", "S113", "S114"))
def structure_sheets(ctx: CheckContext) -> Iterator[Finding]:
    layout = ctx.layout
    assert layout is not None
    book, f = ctx.book, ctx.file
    for expected, found in ctx.sheet_alias.items():
        yield make("S102", f, sheet=found, cell="A1", expected=expected, found=found)
    for name in ctx.missing_sheets:
        yield make("S101", f, sheet=name, expected=name)
    if book.sheet(spec.SUMMARY_SHEET) is None:
        yield make("S101", f, sheet=spec.SUMMARY_SHEET, expected=spec.SUMMARY_SHEET)
    for name in ctx.added_sheets:
        yield make("S104", f, sheet=name, cell="A1", found=name)
    for name in [*(b.sheet_name for b in layout.blocks), spec.SUMMARY_SHEET]:
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
