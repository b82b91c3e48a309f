"""A note is required when an indicator is neutralised or its target is missed."""

from __future__ import annotations

import math
from collections.abc import Iterator

from barometro.messages import Percent

from ..context import CheckContext
from ..findings import Finding, make
from ..registry import check
from ._util import is_blank


@check("content_notes", codes=("C204", "C205"))
def content_notes(ctx: CheckContext) -> Iterator[Finding]:
    f = ctx.file
    for ref in ctx.rows:
        if not is_blank(ref.cell("note")):
            continue
        where = ref.ref("note")
        if ref.neutralised:
            yield make("C204", f, sheet=ref.sheet.name, cell=where, id=ref.indicator.id)
            continue
        ach = ref.score.achievement
        if ach is not None and ach < 100.0 - 1e-9:
            # Floored to two decimals: a missed target never reads "100".
            yield make("C205", f, sheet=ref.sheet.name, cell=where, id=ref.indicator.id,
                       achievement=Percent(math.floor(ach * 100) / 100))
