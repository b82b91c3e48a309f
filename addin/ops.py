"""The workbook operations the macros need, as a small interface.

Two implementations: `ops_xlwings.XlwingsOps` (the open workbook in Excel, used
by the buttons) and `ops_openpyxl.OpenpyxlOps` (a file on disk, used by tests
and by anyone without Excel). The macro logic in `macros.py` only talks to this
interface, so the same code is tested here on real workbooks.
"""

from __future__ import annotations

from enum import StrEnum
from pathlib import Path
from typing import Protocol

from barometro.workbook_templates.literal import Formula

Value = object
__all__ = ["MARK_FILL", "NO_FILL", "Formula", "Mark", "Value", "WorkbookOps"]


class Mark(StrEnum):
    """How a cell with a finding is marked (fill colour by severity)."""

    ERROR = "error"
    WARNING = "warning"
    INFO = "info"


MARK_FILL: dict[Mark, str] = {Mark.ERROR: "FFC7CE", Mark.WARNING: "FFEB9C", Mark.INFO: "DDEBF7"}
NO_FILL = ""  # remembered fill of a cell that had none


class WorkbookOps(Protocol):
    """What the macros do to a workbook; every method is one small operation."""

    def sheet_names(self) -> list[str]: ...

    def read_rows(self, sheet: str, first_row: int, last_row: int, last_col: int) -> list[list[Value]]:
        """Values of A{first_row}:{last_col}{last_row} (1-based columns), row by row."""
        ...

    def read(self, sheet: str, cell: str) -> Value: ...

    def write(self, sheet: str, cell: str, value: Value) -> None:
        """Write a value: text stays text (even "=..."); only a `Formula` is a formula."""
        ...

    def write_rows(self, sheet: str, top_left: str, rows: list[list[Value]]) -> None:
        """`write` for a block of cells from `top_left`, row by row."""
        ...

    def reset_sheet(self, name: str, *, before: str | None = None) -> None:
        """Create the sheet, or empty it if it exists."""
        ...

    def link(self, sheet: str, cell: str, target_sheet: str, target_cell: str, label: str) -> None:
        """Make `cell` a hyperlink to a cell of this workbook."""
        ...

    def mark(self, sheet: str, cell: str, mark: Mark, note: str) -> str:
        """Colour the cell and attach `note`; return its previous fill (hex RGB or NO_FILL)."""
        ...

    def unmark(self, sheet: str, cell: str, previous_fill: str) -> None:
        """Undo `mark`: restore the fill, remove the note."""
        ...

    def calculate(self) -> None: ...

    def snapshot(self, folder: Path) -> Path:
        """Save a copy of the current content in `folder` (the workbook stays as it is)."""
        ...

    def ask_folder(self, prompt: str) -> str | None: ...

    def notify(self, message: str) -> None: ...
