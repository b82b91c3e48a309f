"""The input cells keep the rules and formats the template gave them, and a percent typed
into an actual is caught (the cell's percent format, or 0,92 against a target of 90)."""

from __future__ import annotations

import re
from collections.abc import Iterator

from barometro.messages import Typed
from barometro.model import Kind
from barometro.plausibility import typed_as_percent
from barometro.workbook_templates import spec

from ..book import DataValidation, ValueKind
from ..context import COLS, CheckContext, RowRef
from ..findings import Finding, make
from ..registry import check
from ._formulas import same_formula

# Number formats under which what staff type is no longer a number: text, dates, times.
_NOT_A_NUMBER_FORMAT = re.compile(r"@|[yYdD]|(?<![#0])[hHsS]|AM/PM|mm?:")


def _outside_literals(code: str) -> str:
    return re.sub(r'"[^"]*"|\\.|\[[^\]]*\]', "", code or "")


def _same_number(a: str, b: str) -> bool:
    try:
        return abs(float(a) - float(b)) <= 1e-9 * max(1.0, abs(float(b)))
    except ValueError:
        return a.strip() == b.strip()


def same_rule(found: DataValidation | None, expected: spec.InputRule) -> bool:
    """Whether the cell's data validation is the template's (formulas compared normalised:
    LibreOffice and Excel re-spell them)."""
    if found is None or found.type != expected.type:
        return False
    if expected.type == "custom":
        return same_formula("=" + found.formula1.lstrip("="), "=" + expected.formula1)
    if (found.operator or "between") != expected.operator:
        return False
    return _same_number(found.formula1, expected.formula1) and (
        not expected.formula2 or _same_number(found.formula2, expected.formula2))


def _rule_findings(ctx: CheckContext, ref: RowRef) -> Iterator[Finding]:
    for key, expected in (("actual", spec.actual_rule(ref.indicator, ref.row)), ("note", spec.note_rule())):
        found = ref.sheet.validation_at(ref.row, COLS[key])
        if not same_rule(found, expected):
            yield make("S115", ctx.file, sheet=ref.sheet.name, cell=ref.ref(key), column=spec.COL[key].header,
                       expected=expected.type, found=found.type if found is not None else "")


@check("input_cells", codes=("C212", "S115", "S116"))
def input_cells(ctx: CheckContext) -> Iterator[Finding]:
    f = ctx.file
    for ref in ctx.rows:
        cell = ref.cell("actual")
        yield from _rule_findings(ctx, ref)
        fmt = ctx.book.number_format(cell)
        if cell is None or ref.indicator.kind is Kind.BINARY:
            continue
        value = cell.value if cell.kind is ValueKind.NUMBER else None
        percent_format = spec.is_percent_format(fmt)
        if value is not None and (percent_format or typed_as_percent(value, ref.indicator.target)):
            yield make("C212", f, sheet=ref.sheet.name, cell=ref.ref("actual"), found=value,
                       meant=Typed(value * 100), target=ref.indicator.target)
        elif not percent_format and _NOT_A_NUMBER_FORMAT.search(_outside_literals(fmt)):
            yield make("S116", f, sheet=ref.sheet.name, cell=ref.ref("actual"), found=fmt)
