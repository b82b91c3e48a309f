"""Small helpers shared by the checks (this module registers no check).

What a cell means is decided by `workbook_templates.readback`; these only
name columns and read the reader's cells through it."""

from __future__ import annotations

from barometro.workbook_templates import readback
from barometro.workbook_templates.spec import COL

from ..book import Cell, ValueKind
from ..context import COLS

__all__ = ["COLS", "is_blank", "letter", "number", "text_of"]


def letter(key: str) -> str:
    return COL[key].letter


def number(cell: Cell | None) -> float | None:
    """The cell as a formula's ISNUMBER sees it."""
    return None if cell is None else readback.as_number(cell.value)


def text_of(cell: Cell | None) -> str:
    return "" if cell is None else readback.as_text(cell.value)


def is_blank(cell: Cell | None) -> bool:
    return cell is None or cell.kind is ValueKind.EMPTY or readback.is_blank(cell.value)
