"""Office cells (texts, target, weight) and technical columns must equal the plan."""

from __future__ import annotations

from collections.abc import Iterator
from functools import lru_cache

from barometro.workbook_templates.spec import COL, SUMMARY_SHEET, template_value

from ..book import Cell, ValueKind
from ..context import CheckContext
from ..findings import Finding, make
from ..registry import check
from ._util import text_of

OFFICE_TEXT = ("owner", "sector", "objective", "definition", "indicator", "formula_text", "purpose")
OFFICE_NUMBERS = ("target", "weight", "previous_actual")
TECHNICAL = ("objective_id", "kind", "polarity", "neutralised")


def _same_number(expected: float | None, cell: Cell | None) -> bool:
    if expected is None:
        return cell is None or cell.kind is ValueKind.EMPTY or cell.value == ""
    if cell is None or cell.kind is not ValueKind.NUMBER:
        return False
    return abs(float(cell.value) - expected) <= 1e-9 * max(1.0, abs(expected))  # type: ignore[arg-type]


@lru_cache(maxsize=8192)
def _expected(ind) -> tuple[tuple[tuple[str, str], ...], tuple[tuple[str, float | None], ...], tuple[tuple[str, str], ...]]:  # noqa: ANN001
    """What a fresh template holds in the office cells of `ind`'s row (every return of one
    master asks for the same indicators: computed once each)."""
    return (tuple((key, str(template_value(ind, key) or "").strip()) for key in OFFICE_TEXT),
            tuple((key, template_value(ind, key)) for key in OFFICE_NUMBERS),  # type: ignore[misc]
            tuple((key, str(template_value(ind, key) or "")) for key in TECHNICAL))


@check("office_cells", codes=("S110", "S111"))
def office_cells(ctx: CheckContext) -> Iterator[Finding]:
    f = ctx.file
    for ref in ctx.rows:
        sheet = ref.sheet
        texts, numbers, technical = _expected(ref.indicator)
        for key, expected in texts:
            found = ref.text(key)
            if found.strip() != expected:
                yield make("S111", f, sheet=sheet.name, cell=ref.ref(key), expected=expected, found=found,
                           column=COL[key].header)
        for key, expected_n in numbers:
            cell = ref.cell(key)
            if not _same_number(expected_n, cell):  # type: ignore[arg-type]
                yield make("S111", f, sheet=sheet.name, cell=ref.ref(key), expected=expected_n,
                           found=None if cell is None else cell.value, column=COL[key].header)
        for key, expected in technical:
            found = ref.text(key).strip()
            if found != expected:
                yield make("S110", f, sheet=sheet.name, cell=ref.ref(key), expected=expected, found=found,
                           column=COL[key].header)
    layout = ctx.layout
    summary = ctx.sheet_for(SUMMARY_SHEET)
    if layout is None or summary is None:
        return
    for oid, row in layout.objective_rows.items():
        found = text_of(summary.cell(row, 2)).strip()
        if found != oid:
            yield make("S110", f, sheet=summary.name, cell=f"B{row}", expected=oid, found=found,
                       column="ID obiettivo")
