"""Read a template file back with openpyxl: the openpyxl row source of `readback`.

`read_template(build_workbook(plan, ...))` gives the plan the file was built from
(same `spec.plan_fingerprint`), its settings, metadata and layout. What each
cell means is decided by `readback`, the same module the validator and the
add-ins use.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from pathlib import Path

from . import spec
from .readback import WIDTH, TemplateError, TemplateRead, read_back

__all__ = ["OpenpyxlRows", "TemplateError", "TemplateRead", "read_template"]


class OpenpyxlRows:
    """`readback.RowSource` over an openpyxl workbook (read-only mode is fine)."""

    def __init__(self, wb) -> None:  # noqa: ANN001 - openpyxl Workbook
        self.wb = wb

    def sheet_names(self) -> Sequence[str]:
        return self.wb.sheetnames

    def meta_rows(self) -> Iterable[tuple[object, object]]:
        ws = self.wb[spec.META_SHEET]
        for row in ws.iter_rows(min_col=1, max_col=2, values_only=True):
            yield (row[0] if row else None, row[1] if len(row) > 1 else None)

    def rows(self, sheet: str, first: int, last: int) -> list[Sequence[object]]:
        ws = self.wb[sheet]
        return [tuple(r) for r in ws.iter_rows(min_row=first, max_row=last, min_col=1, max_col=WIDTH,
                                               values_only=True)]

    def last_row(self, sheet: str) -> int:
        return self.wb[sheet].max_row or 0


def read_template(path: str | Path) -> TemplateRead:
    """Plan, settings, metadata and layout of a workbook built by `builder.build_workbook`.

    Raises `TemplateError` (its text names the file and the reason, in the
    current language) when the file is not a readable Barometro template."""
    from openpyxl import load_workbook

    path = Path(path)
    try:
        wb = load_workbook(path, read_only=True)
    except Exception as exc:  # noqa: BLE001 - unreadable file -> one clear error
        raise TemplateError("unreadable", path=path.name, detail=type(exc).__name__) from None
    try:
        return read_back(OpenpyxlRows(wb), strict=True)
    except TemplateError as exc:
        exc.path = path.name
        raise
    finally:
        wb.close()
