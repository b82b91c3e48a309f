"""The Italian `Istruzioni` sheet: what to fill, what not to touch, how scores are computed."""

from __future__ import annotations

from openpyxl.worksheet.properties import PageSetupProperties
from openpyxl.worksheet.worksheet import Worksheet

from barometro.messages import text

from . import spec
from . import styles as st

INSTRUCTIONS_WIDTH = 86  # characters: ~16,5 cm of Calibri 11, inside A4 portrait's margins


def instructions_text(layout: spec.Layout) -> list[str]:
    settings = layout.settings
    body = text(
        "template.instructions",
        year=layout.plan.year,
        ente=layout.plan.ente,
        lower=text(f"method.lower.{settings.lower_formula.value}"),
        method=settings.describe_it(),
        green=settings.gauge_green,
        yellow=settings.gauge_yellow,
    )
    return body.strip("\n").split("\n") + ["", text("template.protection_note")]


def write_instructions(ws: Worksheet, layout: spec.Layout) -> None:
    ws["A1"] = text("template.instructions_title")
    ws["A1"].font = st.TITLE_FONT
    # One column as wide as an A4 portrait page's printable width at 100 %: the text wraps
    # inside the page, never runs off it, and prints at its own size.
    ws.column_dimensions["A"].width = INSTRUCTIONS_WIDTH
    for row, line in enumerate(instructions_text(layout), start=3):
        cell = ws.cell(row=row, column=1, value=line)
        cell.alignment = st.WRAP_TOP
        if line and line.upper() == line and not line.startswith("•"):
            cell.font = st.SUBTITLE_FONT
        ws.row_dimensions[row].height = st.row_height([(line, INSTRUCTIONS_WIDTH - 4)])
    ws.page_setup.orientation = "portrait"
    ws.page_setup.paperSize = ws.PAPERSIZE_A4
    ws.sheet_properties.pageSetUpPr = PageSetupProperties(fitToPage=False)
    ws.oddFooter.center.text = text("template.footer")
