"""`WorkbookOps` over the workbook open in Excel, through xlwings (Windows/macOS only).

Used by the buttons (`macros.ricalcola()` etc. via `xw.Book.caller()`). Line
sheets are protected without password by the template: marking a cell
unprotects the sheet for the moment of the change and protects it again.
"""

from __future__ import annotations

import tempfile
from pathlib import Path

from barometro.workbook_templates.literal import FORMULA_STARTS, Formula, literal

from .ops import MARK_FILL, NO_FILL, Mark, Value

NOTE_PREFIX = "Barometro: "


def _excel_value(value: Value) -> Value:
    """What to assign through COM: Excel reads a leading apostrophe as "this is text"."""
    if isinstance(value, Formula):
        return str(value)
    value = literal(value)
    if isinstance(value, str) and value.startswith(FORMULA_STARTS):
        return "'" + value
    return value


def _hex_to_rgb(hex_rgb: str) -> tuple[int, int, int]:
    return int(hex_rgb[0:2], 16), int(hex_rgb[2:4], 16), int(hex_rgb[4:6], 16)


class XlwingsOps:
    def __init__(self, book) -> None:  # noqa: ANN001 - xlwings.Book
        self.book = book

    def _sheet(self, name: str):  # noqa: ANN202
        return self.book.sheets[name]

    def sheet_names(self) -> list[str]:
        return [s.name for s in self.book.sheets]

    def read_rows(self, sheet: str, first_row: int, last_row: int, last_col: int) -> list[list[Value]]:
        rng = self._sheet(sheet).range((first_row, 1), (last_row, last_col))
        return rng.options(ndim=2).value

    def read(self, sheet: str, cell: str) -> Value:
        return self._sheet(sheet).range(cell).value

    def write(self, sheet: str, cell: str, value: Value) -> None:
        self._sheet(sheet).range(cell).value = _excel_value(value)

    def write_rows(self, sheet: str, top_left: str, rows: list[list[Value]]) -> None:
        if rows:
            self._sheet(sheet).range(top_left).value = [[_excel_value(v) for v in row] for row in rows]

    def reset_sheet(self, name: str, *, before: str | None = None) -> None:
        if name in self.sheet_names():
            self._sheet(name).clear()
            return
        if before in self.sheet_names():
            self.book.sheets.add(name, before=self._sheet(before))
        else:
            self.book.sheets.add(name, after=self.book.sheets[-1])

    def link(self, sheet: str, cell: str, target_sheet: str, target_cell: str, label: str) -> None:
        quoted = "'" + target_sheet.replace("'", "''") + "'"
        ws = self._sheet(sheet)
        ws.api.Hyperlinks.Add(Anchor=ws.range(cell).api, Address="",
                              SubAddress=f"{quoted}!{target_cell}", TextToDisplay=label)

    def _unprotected(self, sheet: str):  # noqa: ANN202
        ws = self._sheet(sheet)
        protected = bool(ws.api.ProtectContents)
        if protected:
            ws.api.Unprotect()
        return ws, protected

    def mark(self, sheet: str, cell: str, mark: Mark, note: str) -> str:
        ws, protected = self._unprotected(sheet)
        try:
            rng = ws.range(cell)
            previous = NO_FILL
            if rng.api.Interior.Pattern != -4142:  # xlNone
                r, g, b = rng.color or (255, 255, 255)
                previous = f"{r:02X}{g:02X}{b:02X}"
            rng.color = _hex_to_rgb(MARK_FILL[mark])
            if rng.api.Comment is not None:
                rng.api.Comment.Delete()
            rng.api.AddComment(NOTE_PREFIX + note)
            return previous
        finally:
            if protected:
                ws.api.Protect()

    def unmark(self, sheet: str, cell: str, previous_fill: str) -> None:
        if sheet not in self.sheet_names():
            return
        ws, protected = self._unprotected(sheet)
        try:
            rng = ws.range(cell)
            rng.color = _hex_to_rgb(previous_fill) if previous_fill else None
            comment = rng.api.Comment
            if comment is not None and str(comment.Text()).startswith(NOTE_PREFIX):
                comment.Delete()
        finally:
            if protected:
                ws.api.Protect()

    def calculate(self) -> None:
        self.book.app.calculate()

    def snapshot(self, folder: Path) -> Path:
        target = Path(folder) / self.book.name
        self.book.api.SaveCopyAs(str(target))
        return target

    def ask_folder(self, prompt: str) -> str | None:
        dialog = self.book.app.api.FileDialog(4)  # msoFileDialogFolderPicker
        dialog.Title = prompt
        if dialog.Show() == -1:
            return str(dialog.SelectedItems(1))
        return None

    def notify(self, message: str) -> None:
        self.book.app.status_bar = message[:250]
        self.book.app.alert(message, title="Barometro")


def temp_folder() -> Path:
    return Path(tempfile.mkdtemp(prefix="barometro-"))
