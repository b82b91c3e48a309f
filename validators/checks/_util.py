"""Helpers shared by the checks (not a check: names starting with '_' are skipped
by nothing, but this module registers no check)."""

from __future__ import annotations

from barometro.model import NEUTRALISED_MARK, Kind, Polarity
from barometro.workbook_templates.spec import COL

from ..book import Cell, ValueKind, column_index

COLS: dict[str, int] = {key: column_index(c.letter) for key, c in COL.items()}


def letter(key: str) -> str:
    return COL[key].letter


def number(cell: Cell | None) -> float | None:
    """The value as a spreadsheet formula sees it: ISNUMBER true only for numbers."""
    if cell is None or cell.kind is not ValueKind.NUMBER:
        return None
    return float(cell.value)  # type: ignore[arg-type]


def text_of(cell: Cell | None) -> str:
    if cell is None or cell.value is None:
        return ""
    v = cell.value
    if isinstance(v, float) and v.is_integer():
        return str(int(v))
    return str(v)


def kind_in_file(cell: Cell | None) -> Kind:
    """How the template formula reads column Q (Excel compares text case-insensitively)."""
    return Kind.BINARY if text_of(cell).strip().lower() == Kind.BINARY.value else Kind.QUANTITY


def polarity_in_file(cell: Cell | None) -> Polarity:
    return Polarity.LOWER if text_of(cell).strip().lower() == Polarity.LOWER.value else Polarity.HIGHER


def neutralised_in_file(cell: Cell | None) -> bool:
    return text_of(cell).strip().upper() == NEUTRALISED_MARK


def is_blank(cell: Cell | None) -> bool:
    return cell is None or cell.kind is ValueKind.EMPTY or (isinstance(cell.value, str) and not cell.value.strip())
