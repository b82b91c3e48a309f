"""Rows inserted, deleted, moved or duplicated, found through the ids in column O."""

from __future__ import annotations

from bisect import bisect_left
from collections.abc import Iterator

from barometro.workbook_templates.spec import FIRST_ROW

from ..context import CheckContext
from ..findings import Finding, make
from ..registry import check
from ._util import COLS, letter


def _stable(order: list[int]) -> set[int]:
    """Indices of a longest increasing subsequence of `order` (those did not move)."""
    tails: list[int] = []
    tails_idx: list[int] = []
    prev = [-1] * len(order)
    for i, v in enumerate(order):
        pos = bisect_left(tails, v)
        if pos == len(tails):
            tails.append(v)
            tails_idx.append(i)
        else:
            tails[pos] = v
            tails_idx[pos] = i
        prev[i] = tails_idx[pos - 1] if pos > 0 else -1
    keep: set[int] = set()
    i = tails_idx[-1] if tails_idx else -1
    while i >= 0:
        keep.add(i)
        i = prev[i]
    return keep


@check("structure_rows", codes=("S106", "S107", "S108", "S109"), order=14)
def structure_rows(ctx: CheckContext) -> Iterator[Finding]:
    assert ctx.layout is not None
    f = ctx.file
    all_ids = {ind.id for ind in ctx.layout.plan.indicators}
    id_col = letter("indicator_id")
    for block in ctx.layout.blocks:
        sheet = ctx.sheet_for(block.sheet_name)
        if sheet is None:
            continue
        damaged = False
        id_rows = ctx.id_rows(block.sheet_name)
        expected_ids = [ind.id for ind in block.indicators]
        position = {iid: n for n, iid in enumerate(expected_ids)}
        # Rows holding something in the data area but no known id: inserted rows.
        data_cols = COLS["points"]
        used_rows = sorted({r for (r, c), cell in sheet.cells.items()
                            if r >= FIRST_ROW and c <= data_cols and (cell.formula or cell.value not in (None, ""))})
        known_rows = {r for iid, rows in id_rows.items() if iid in all_ids for r in rows}
        last_known = max(known_rows, default=FIRST_ROW - 1)
        for r in used_rows:
            if r not in known_rows:
                damaged = True
                yield make("S106", f, sheet=sheet.name, cell=f"{id_col}{r}", row=r)
        # Blank rows inside the block (an inserted empty row) shift everything below.
        for r in range(FIRST_ROW, last_known):
            if r not in known_rows and r not in used_rows:
                damaged = True
                yield make("S106", f, sheet=sheet.name, cell=f"{id_col}{r}", row=r)
        for iid in expected_ids:
            rows = id_rows.get(iid)
            if not rows:
                damaged = True
                exp_row = block.row_of(iid)
                yield make("S107", f, sheet=sheet.name, cell=f"{id_col}{exp_row}", id=iid)
            elif len(rows) > 1:
                damaged = True
                yield make("S109", f, sheet=sheet.name, cell=f"{id_col}{rows[1]}", id=iid,
                           rows=", ".join(str(r) for r in rows))
        # Ids of this plan that belong to another sheet: moved across sheets.
        for iid, rows in id_rows.items():
            if iid in all_ids and iid not in position:
                damaged = True
                yield make("S108", f, sheet=sheet.name, cell=f"{id_col}{rows[0]}", id=iid,
                           expected="?", found=rows[0])
        present = sorted((rows[0], iid) for iid, rows in id_rows.items() if iid in position)
        if not damaged:
            # A pure permutation: every id away from its row was moved.
            for row, iid in present:
                if row != block.row_of(iid):
                    damaged = True
                    yield make("S108", f, sheet=sheet.name, cell=f"{id_col}{row}", id=iid,
                               expected=block.row_of(iid), found=row)
        else:
            # Rows inserted or deleted shift the others: only order breaks count as moves.
            order = [position[iid] for _, iid in present]
            keep = _stable(order)
            for n, (row, iid) in enumerate(present):
                if n not in keep:
                    yield make("S108", f, sheet=sheet.name, cell=f"{id_col}{row}", id=iid,
                               expected=block.row_of(iid), found=row)
        if damaged:
            ctx.broken_sheets.add(block.sheet_name)
