"""`WorkbookOps` over a workbook file with openpyxl (tests, and runs without Excel).

The file is read once; `save()` writes it back (or elsewhere) atomically. VBA
and the buttons of an `.xlsm` are kept (`keep_vba=True`). openpyxl computes no
formula: `calculate()` asks Excel/LibreOffice to recompute on open.
"""

from __future__ import annotations

from pathlib import Path

from barometro.atomic import atomic_path
from barometro.workbook_templates.literal import set_literal

from .ops import MARK_FILL, NO_FILL, Mark, Value

NOTE_AUTHOR = "Barometro"


class OpenpyxlOps:
    def __init__(self, path: str | Path, *, folder_answer: str | None = None) -> None:
        from openpyxl import load_workbook

        self.path = Path(path)
        self.wb = load_workbook(self.path, keep_vba=self.path.suffix.lower() in (".xlsm", ".xltm"))
        self.folder_answer = folder_answer
        self.messages: list[str] = []

    # ---- reading
    def sheet_names(self) -> list[str]:
        return list(self.wb.sheetnames)

    def read_rows(self, sheet: str, first_row: int, last_row: int, last_col: int) -> list[list[Value]]:
        ws = self.wb[sheet]
        return [
            list(row)
            for row in ws.iter_rows(min_row=first_row, max_row=last_row, min_col=1, max_col=last_col,
                                    values_only=True)
        ]

    def read(self, sheet: str, cell: str) -> Value:
        return self.wb[sheet][cell].value

    # ---- writing
    def write(self, sheet: str, cell: str, value: Value) -> None:
        set_literal(self.wb[sheet][cell], value)

    def write_rows(self, sheet: str, top_left: str, rows: list[list[Value]]) -> None:
        from openpyxl.utils.cell import column_index_from_string, coordinate_from_string

        letter, row0 = coordinate_from_string(top_left)
        col0 = column_index_from_string(letter)
        ws = self.wb[sheet]
        for r, values in enumerate(rows):
            for c, value in enumerate(values):
                set_literal(ws.cell(row=row0 + r, column=col0 + c), value)

    def reset_sheet(self, name: str, *, before: str | None = None) -> None:
        if name in self.wb.sheetnames:
            index = self.wb.sheetnames.index(name)
            del self.wb[name]
            self.wb.create_sheet(name, index)
            return
        index = self.wb.sheetnames.index(before) if before in self.wb.sheetnames else None
        self.wb.create_sheet(name, index)

    def link(self, sheet: str, cell: str, target_sheet: str, target_cell: str, label: str) -> None:
        from openpyxl.styles import Font
        from openpyxl.worksheet.hyperlink import Hyperlink

        c = self.wb[sheet][cell]
        c.value = label
        quoted = "'" + target_sheet.replace("'", "''") + "'"
        c.hyperlink = Hyperlink(ref=cell, location=f"{quoted}!{target_cell}", display=label)
        c.font = Font(color="0563C1", underline="single")

    def mark(self, sheet: str, cell: str, mark: Mark, note: str) -> str:
        from openpyxl.comments import Comment
        from openpyxl.styles import PatternFill

        c = self.wb[sheet][cell]
        fill = c.fill
        previous = NO_FILL
        if fill is not None and fill.fill_type == "solid" and fill.fgColor is not None and fill.fgColor.type == "rgb":
            previous = str(fill.fgColor.rgb)[-6:]
        c.fill = PatternFill("solid", fgColor=MARK_FILL[mark])
        c.comment = Comment(note, NOTE_AUTHOR)
        return previous

    def unmark(self, sheet: str, cell: str, previous_fill: str) -> None:
        from openpyxl.styles import PatternFill

        if sheet not in self.wb.sheetnames:
            return
        c = self.wb[sheet][cell]
        c.fill = PatternFill("solid", fgColor=previous_fill) if previous_fill else PatternFill(fill_type=None)
        if c.comment is not None and c.comment.author == NOTE_AUTHOR:
            c.comment = None

    # ---- the rest
    def calculate(self) -> None:
        self.wb.calculation.fullCalcOnLoad = True

    def snapshot(self, folder: Path) -> Path:
        target = Path(folder) / self.path.name
        self.save(target)
        return target

    def ask_folder(self, prompt: str) -> str | None:
        self.messages.append(prompt)
        return self.folder_answer

    def notify(self, message: str) -> None:
        self.messages.append(message)

    def save(self, path: str | Path | None = None) -> Path:
        target = Path(path) if path is not None else self.path
        with atomic_path(target) as tmp:
            self.wb.save(tmp)
        return target
