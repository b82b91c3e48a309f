"""Cached row values (Scostamento, % Ragg, Barometro, helpers) against the scoring core."""

from __future__ import annotations

from collections.abc import Iterator

from barometro.scoring import agrees

from ..book import Cell, ValueKind
from ..context import CheckContext
from ..findings import Finding, make
from ..registry import check


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


@check("values_rows", codes=("V401", "V402", "V403", "V407", "V408"))
def values_rows(ctx: CheckContext) -> Iterator[Finding]:
    f, s = ctx.file, ctx.settings
    uncached = 0
    first_uncached: tuple[str, str] | None = None
    for ref in ctx.rows:
        score = ref.score
        expected = (
            ("deviation", "V401", score.deviation, False),
            ("achievement", "V403", score.achievement, True),
            ("gauge", "V403", score.achievement, True),
            ("weight_counted", "V408", score.weight_counted, False),
            ("points", "V408", score.points, False),
        )
        for key, code, value, in_points in expected:
            cell = ref.cell(key)
            if cell is None or cell.formula is None:
                continue  # a missing or overwritten formula is the formula check's finding
            where = ref.ref(key)
            has, found = cached(cell)
            if not has:
                uncached += 1
                first_uncached = first_uncached or (ref.sheet.name, where)
                continue
            if cell.kind is ValueKind.ERROR:
                yield make("V407", f, sheet=ref.sheet.name, cell=where, found=found)
                continue
            ok = agrees(found, value, s) if in_points else close(found, value)
            if not ok:
                yield make(code, f, sheet=ref.sheet.name, cell=where, expected=value, found=found)
    if uncached and first_uncached is not None:
        yield make("V402", f, sheet=first_uncached[0], cell=first_uncached[1], count=uncached)
