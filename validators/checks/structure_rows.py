"""Rows inserted, deleted, moved or duplicated, found through the ids in column O
(compared once by `context.derive_facts`)."""

from __future__ import annotations

from collections.abc import Iterator

from ..context import CheckContext
from ..findings import Finding, make
from ..registry import check
from ._util import letter


@check("structure_rows", codes=("S106", "S107", "S108", "S109"))
def structure_rows(ctx: CheckContext) -> Iterator[Finding]:
    assert ctx.layout is not None
    f = ctx.file
    id_col = letter("indicator_id")
    for block in ctx.layout.blocks:
        rows = ctx.sheet_rows.get(block.sheet_name)
        sheet = ctx.sheet_for(block.sheet_name)
        if rows is None or sheet is None:
            continue
        for r in rows.inserted:
            yield make("S106", f, sheet=sheet.name, cell=f"{id_col}{r}", row=r)
        for iid in rows.missing:
            yield make("S107", f, sheet=sheet.name, cell=f"{id_col}{block.row_of(iid)}", id=iid)
        for iid, found in rows.duplicated:
            yield make("S109", f, sheet=sheet.name, cell=f"{id_col}{found[1]}", id=iid,
                       rows=", ".join(str(r) for r in found))
        for iid, row in rows.foreign:
            yield make("S108", f, sheet=sheet.name, cell=f"{id_col}{row}", id=iid, expected="?", found=row)
        for iid, expected, row in rows.moved:
            yield make("S108", f, sheet=sheet.name, cell=f"{id_col}{row}", id=iid, expected=expected, found=row)
