"""Cached row values (Scostamento, % Ragg, Barometro, helpers) against the scoring core."""

from __future__ import annotations

from collections.abc import Iterator

from barometro.scoring import achievement, agrees, deviation

from ..book import Cell, ValueKind
from ..context import CheckContext, indicator_rows
from ..findings import Finding, make
from ..registry import check
from ._util import COLS, kind_in_file, letter, neutralised_in_file, number, polarity_in_file


def cached(cell: Cell | None) -> tuple[bool, object]:
    """(has a cached value, the value as a number or None for "" results)."""
    if cell is None or cell.kind is ValueKind.EMPTY:
        return False, None
    if cell.kind is ValueKind.NUMBER:
        return True, cell.value
    if cell.kind is ValueKind.TEXT and cell.value == "":
        return True, None
    return True, cell.value


def close(found: object, expected: float | None, *, rel: float = 1e-6) -> bool:
    if expected is None:
        return found is None
    if not isinstance(found, float):
        return False
    return abs(found - expected) <= rel * max(1.0, abs(expected))


@check("values_rows", codes=("V401", "V402", "V403", "V407", "V408"), order=40)
def values_rows(ctx: CheckContext) -> Iterator[Finding]:
    f, s = ctx.file, ctx.settings
    uncached = 0
    first_uncached: tuple[str, str] | None = None
    for ref in indicator_rows(ctx):
        sheet, row = ref.sheet, ref.row
        target = number(sheet.cell(row, COLS["target"]))
        actual = number(sheet.cell(row, COLS["actual"]))
        weight = number(sheet.cell(row, COLS["weight"]))
        ach = achievement(
            actual, target, kind_in_file(sheet.cell(row, COLS["kind"])),
            polarity_in_file(sheet.cell(row, COLS["polarity"])),
            neutralised=neutralised_in_file(sheet.cell(row, COLS["neutralised"])), settings=s,
        )
        counted = weight if (ach is not None and weight is not None) else 0.0
        points = counted * ach if (counted > 0 and ach is not None) else 0.0
        expected = {
            "deviation": ("V401", deviation(actual, target), False),
            "achievement": ("V403", ach, True),
            "gauge": ("V403", ach, True),
            "weight_counted": ("V408", counted, False),
            "points": ("V408", points, False),
        }
        for key, (code, value, in_points) in expected.items():
            cell = sheet.cell(row, COLS[key])
            if cell is None or cell.formula is None:
                continue  # a missing or overwritten formula is the formula check's finding
            where = f"{letter(key)}{row}"
            has, found = cached(cell)
            if not has:
                uncached += 1
                first_uncached = first_uncached or (sheet.name, where)
                continue
            if cell.kind is ValueKind.ERROR:
                yield make("V407", f, sheet=sheet.name, cell=where, found=found)
                continue
            ok = agrees(found, value, s) if in_points else close(found, value)
            if not ok:
                yield make(code, f, sheet=sheet.name, cell=where, expected=value, found=found)
    if uncached and first_uncached is not None:
        yield make("V402", f, sheet=first_uncached[0], cell=first_uncached[1], count=uncached)
