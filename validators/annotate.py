"""`--annotate OUTDIR`: a copy of each workbook with problem cells highlighted and
commented, and a `Problemi` sheet listing every finding with a link to its cell.

The original is only read. The copy is written by openpyxl, which keeps formulas,
sheet protection and macros (keep_vba) but not cached values: the `Problemi`
sheet says so, and Excel/LibreOffice recalculate on opening.
"""

from __future__ import annotations

import re
from pathlib import Path

from barometro.atomic import atomic_path
from barometro.messages import text

from .findings import Severity
from .validate import BatchReport, FileReport, Status

_A1 = re.compile(r"^[A-Z]{1,3}[0-9]+$")
FILLS = {Severity.ERROR: "FFC7CE", Severity.WARNING: "FFEB9C", Severity.INFO: "DDEBF7"}


def _link(sheet: str, cell: str) -> str:
    target = "'" + sheet.replace("'", "''") + "'!" + cell
    return f'=HYPERLINK("#{target.replace(chr(34), chr(34) * 2)}","{text("validators.annotate.goto")}")'


def annotate_file(report: FileReport, outdir: str | Path) -> Path | None:
    """Write the annotated copy of one workbook; None when the file cannot be opened."""
    from openpyxl import load_workbook
    from openpyxl.comments import Comment
    from openpyxl.styles import Font, PatternFill

    src = Path(report.path)
    if report.status is Status.UNREADABLE or src.suffix.lower() not in (".xlsx", ".xlsm"):
        return None
    try:
        wb = load_workbook(src, keep_vba=src.suffix.lower() == ".xlsm", keep_links=True)
    except Exception:  # noqa: BLE001 - the reader accepted it but openpyxl does not: no copy
        return None
    by_cell: dict[tuple[str, str], list] = {}
    for f in report.findings:
        if f.sheet in wb.sheetnames and _A1.match(f.cell or ""):
            by_cell.setdefault((f.sheet, f.cell), []).append(f)
    for (sheet, cell), items in by_cell.items():
        worst = min(items, key=lambda f: f.severity.rank)
        c = wb[sheet][cell]
        c.fill = PatternFill("solid", fgColor=FILLS[worst.severity])
        body = "\n".join(f"{f.code} ({f.severity.value}): {f.message} {f.hint}" for f in items)
        c.comment = Comment(body[:30000], "Barometro", width=320, height=160)
    name = text("validators.annotate.sheet")
    if name in wb.sheetnames:
        del wb[name]
    ws = wb.create_sheet(name, 0)
    ws["A1"] = text("validators.annotate.title", file=src.name)
    ws["A1"].font = Font(bold=True, size=13)
    ws["A2"] = text("validators.annotate.notice")
    headers = text("validators.annotate.headers").split("|")
    for col, h in enumerate(headers, 1):
        ws.cell(row=4, column=col, value=h).font = Font(bold=True)
    row = 5
    for f in sorted(report.findings, key=lambda f: (f.severity.rank, f.sheet, f.cell)):
        values = [f.code, f.severity.value, f.sheet, f.cell, f.message, f.hint]
        for col, v in enumerate(values, 1):
            ws.cell(row=row, column=col, value=v)
        if f.sheet in wb.sheetnames and _A1.match(f.cell or ""):
            ws.cell(row=row, column=7, value=_link(f.sheet, f.cell))
        row += 1
    if row == 5:
        ws.cell(row=5, column=1, value=text("validators.annotate.none"))
    for col, width in zip("ABCDEFG", (7, 12, 16, 9, 80, 60, 8), strict=True):
        ws.column_dimensions[col].width = width
    wb.active = 0
    out = Path(outdir) / src.name
    with atomic_path(out) as tmp:
        wb.save(tmp)
    return out


def annotate_batch(report: BatchReport, outdir: str | Path) -> list[Path]:
    written: list[Path] = []
    used: set[str] = set()
    for f in report.files:
        name = Path(f.path).name
        target = Path(outdir)
        if name in used:  # same file name from two folders: keep both
            target = target / str(len(used))
        used.add(name)
        out = annotate_file(f, target)
        if out is not None:
            written.append(out)
    return written
