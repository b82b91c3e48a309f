"""The actual (Target Consuntivo): present, a real number, 0/1 for binaries, plausible."""

from __future__ import annotations

from collections.abc import Iterator

from barometro.messages import Typed
from barometro.model import Kind
from barometro.numbers import NumberIssue, parse_number
from barometro.plausibility import scale_problem, typed_as_percent

from ..book import ValueKind
from ..context import CheckContext
from ..findings import Finding, make
from ..registry import check


@check("content_actual", codes=("C201", "C206", "C207", "C208", "C209", "C210", "C211"))
def content_actual(ctx: CheckContext) -> Iterator[Finding]:
    f = ctx.file
    for ref in ctx.rows:
        sheet, ind = ref.sheet, ref.indicator
        cell = ref.cell("actual")
        where = ref.ref("actual")
        neutralised = ref.neutralised
        if cell is not None and cell.kind is ValueKind.ERROR:
            yield make("C210", f, sheet=sheet.name, cell=where, found=cell.value)
            continue
        if cell is not None and cell.kind is ValueKind.BOOL:
            yield make("C211", f, sheet=sheet.name, cell=where, found=cell.value)
            continue
        parsed = parse_number(None if cell is None else cell.value)
        if parsed.issue is NumberIssue.EMPTY:
            if not neutralised:
                yield make("C201", f, sheet=sheet.name, cell=where, id=ind.id)
            continue
        if parsed.issue is NumberIssue.HASHES:
            yield make("C207", f, sheet=sheet.name, cell=where, found=parsed.raw)
            continue
        if parsed.issue is NumberIssue.ERROR:
            yield make("C210", f, sheet=sheet.name, cell=where, found=parsed.raw)
            continue
        if parsed.issue is NumberIssue.NOT_A_NUMBER:
            yield make("C211", f, sheet=sheet.name, cell=where, found=parsed.raw)
            continue
        value = parsed.value
        assert value is not None
        if parsed.issue is NumberIssue.TEXT:
            yield make("C206", f, sheet=sheet.name, cell=where, found=parsed.raw, value=value, typed=Typed(value))
        if ind.kind is Kind.BINARY and value not in (0.0, 1.0):
            yield make("C209", f, sheet=sheet.name, cell=where, found=value)
        elif ind.kind is not Kind.BINARY:
            if typed_as_percent(value, ind.target):
                continue  # the input_cells check reports it, as an error (C212)
            reason = scale_problem(value, ind.target, formula_text=ind.formula_text, indicator=ind.indicator,
                                   previous=ind.previous_actual, factor=ctx.settings.plausibility_factor)
            if reason is not None:
                yield make("C208", f, sheet=sheet.name, cell=where, found=value, target=ind.target, reason=reason)
