"""Fonts, fills, borders and number formats of the templates (openpyxl objects).

Number formats are stored locale-neutral: Italian Excel/LibreOffice show
`1.194.987` and `85,29%` from `#,##0` and `0.00"%"`.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from copy import copy

from openpyxl.styles import Alignment, Border, Font, PatternFill, Protection, Side

FMT_GENERAL = "General"
FMT_PERCENT = '[$-410]0.00"%"'
FMT_POINTS = "[$-410]#,##0.00"

FONT = "Calibri"  # one font everywhere (LibreOffice shows the metric-compatible Carlito)
BODY_FONT = Font(name=FONT, size=11)
TITLE_FONT = Font(name=FONT, bold=True, size=14)
SUBTITLE_FONT = Font(name=FONT, bold=True, size=11)
PCT_FONT = Font(name=FONT, bold=True, size=12)
METHOD_FONT = Font(name=FONT, italic=True, size=10, color="404040")
HEADER_FONT = Font(name=FONT, bold=True, size=10, color="FFFFFF")
TECH_HEADER_FONT = Font(name=FONT, bold=True, size=10, color="000000")
TECH_NOTE_FONT = Font(name=FONT, italic=True, size=10, color="595959")

HEADER_FILL = PatternFill("solid", fgColor="1F4E78")
TECH_HEADER_FILL = PatternFill("solid", fgColor="BFBFBF")
TECH_FILL = PatternFill("solid", fgColor="F2F2F2")
INPUT_FILL = PatternFill("solid", fgColor="FFF2CC")
COMPUTED_FILL = PatternFill("solid", fgColor="E2EFDA")
MISSING_NOTE_FILL = PatternFill("solid", fgColor="FF9999", bgColor="FF9999")
# The Barometro cell tinted by its light, so the colour shows beside the row's text (the
# icon itself is drawn at the bottom of a tall row by LibreOffice, whatever the alignment).
GAUGE_FILLS = {
    "verde": PatternFill("solid", fgColor="C6EFCE", bgColor="C6EFCE"),
    "giallo": PatternFill("solid", fgColor="FFEB9C", bgColor="FFEB9C"),
    "rosso": PatternFill("solid", fgColor="FFC7CE", bgColor="FFC7CE"),
}

_THIN = Side(style="thin", color="A6A6A6")
BORDER = Border(left=_THIN, right=_THIN, top=_THIN, bottom=_THIN)

WRAP_TOP = Alignment(wrap_text=True, vertical="top")
WRAP_CENTER = Alignment(wrap_text=True, vertical="center")
HEADER_ALIGN = Alignment(wrap_text=True, vertical="center", horizontal="center")
TOP = Alignment(vertical="top")
CENTER_TOP = Alignment(vertical="top", horizontal="center")
CENTER_MIDDLE = Alignment(vertical="center", horizontal="center")

LOCKED = Protection(locked=True)
UNLOCKED = Protection(locked=False)

LINE_HEIGHT_POINTS = 15.0
HEADER_HEIGHT_POINTS = 45.0  # three lines: "Target / Consuntivo", "Peso / conteggiato"
MAX_ROW_HEIGHT_POINTS = 409.0  # Excel's maximum
MAX_DATA_ROW_POINTS = 90.0  # an indicator row shows at most six lines: several rows fit a screen
PRINT_SCALE = 80  # 11 pt prints at 8,8 pt on A4


def is_integer(value: float | None) -> bool:
    return value is not None and math.isfinite(value) and float(value).is_integer()


def formatted_width(value: float | None) -> int:
    """Characters a number takes when shown with `spec.FMT_QUANTITY` (for column widths)."""
    if value is None:
        return 0
    if abs(value) >= 1000:
        return len(f"{value:,.0f}")
    return len(f"{value:g}")


def lines_needed(text: str, width_chars: float) -> int:
    """Rough number of wrapped lines a text takes in a column `width_chars` wide."""
    if not text:
        return 1
    usable = max(4.0, width_chars * 1.1 - 1)  # Calibri 11 fits a little more than the width
    total = 0
    for paragraph in str(text).split("\n"):
        total += max(1, math.ceil(len(paragraph) / usable))
    return total


def row_height(texts_and_widths: list[tuple[str, float]], cap: float = MAX_ROW_HEIGHT_POINTS) -> float:
    n = max((lines_needed(t, w) for t, w in texts_and_widths), default=1)
    return min(cap, max(1, n) * LINE_HEIGHT_POINTS)


def print_setup(ws, title_rows: str | None, print_area: str | None = None, *,  # noqa: ANN001 - a worksheet
                title_cols: str | None = None, scale: int = PRINT_SCALE) -> None:
    """A4 landscape at a fixed scale that keeps text readable (at least 8 pt): a wide sheet
    goes on more pages rather than shrinking to fit one. `title_rows` ("4:4") and `title_cols`
    ("A:A") repeat on every page; the footer says the sheet and the page."""
    from openpyxl.worksheet.properties import PageSetupProperties

    from barometro.messages import text

    ws.page_setup.orientation = "landscape"
    ws.page_setup.paperSize = ws.PAPERSIZE_A4
    ws.page_setup.scale = scale
    ws.sheet_properties.pageSetUpPr = PageSetupProperties(fitToPage=False)
    ws.page_margins.left = ws.page_margins.right = 0.4
    ws.page_margins.top = ws.page_margins.bottom = 0.5
    if title_rows:
        ws.print_title_rows = title_rows
    if title_cols:
        ws.print_title_cols = title_cols
    if print_area:
        ws.print_area = print_area
    ws.oddFooter.center.text = text("template.footer")
    ws.oddFooter.left.text = "&A"


def style_like(cell, change: str, records: dict, apply: Callable[[object], None]) -> None:  # noqa: ANN001
    """Give `cell` the look `apply` sets, copying the style record of a cell that had the same
    style and got the same `change` before (kept in `records`). openpyxl hashes every style
    object on each attribute set: on thousands of rows that was most of the time spent
    building a workbook; copying the record gives the same styles, byte for byte."""
    key = (tuple(cell._style or ()), change)  # None: a new cell, the default style
    record = records.get(key)
    if record is None:
        apply(cell)
        records[key] = copy(cell._style)
    else:
        cell._style = copy(record)
