"""External links, and volatile or array formulas anywhere in the workbook."""

from __future__ import annotations

import re
from collections.abc import Iterator
from functools import lru_cache

from ..context import CheckContext
from ..findings import Finding, make
from ..registry import check

_VOLATILE = re.compile(r"\b(NOW|TODAY|RAND|RANDBETWEEN|INDIRECT|OFFSET|INFO|CELL)\s*\(", re.IGNORECASE)
_EXTERNAL_REF = re.compile(r"\[\d+\]|\[[^\]]+\.xls[xmb]?\]", re.IGNORECASE)


@lru_cache(maxsize=32768)
def _classify(formula: str) -> tuple[bool, bool]:
    """(refers to another workbook, volatile): a pure function of the text, cached
    because a batch of returns of one template repeats the same formulas."""
    return (
        "[" in formula and _EXTERNAL_REF.search(formula) is not None,
        _VOLATILE.search(formula) is not None,
    )


@check("formulas_external", codes=("F303", "F304"), needs_layout=False)
def formulas_external(ctx: CheckContext) -> Iterator[Finding]:
    f = ctx.file
    for part in ctx.book.external_links:
        yield make("F303", f, found=part)
    for sheet in ctx.book.sheets:
        for cell in sheet.cells.values():
            formula = cell.formula
            if formula is None:
                continue
            external, volatile = _classify(formula)
            if external and not ctx.book.external_links:
                yield make("F303", f, sheet=sheet.name, cell=cell.ref, found=formula)
            if cell.array or volatile:
                yield make("F304", f, sheet=sheet.name, cell=cell.ref, found=formula)
