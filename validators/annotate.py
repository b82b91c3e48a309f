"""`--annotate OUTDIR`: a copy of each workbook with problem cells highlighted and
commented, and a `Problemi` sheet listing every finding with a link to its cell.

The original is only read. The copy is written by openpyxl, which keeps formulas,
sheet protection and macros (keep_vba) but not cached values: the `Problemi`
sheet says so, and Excel/LibreOffice recalculate on opening.

Every file either gets its copy or an R029 finding saying why not (unreadable, not an
.xlsx, too large, over its time budget, openpyxl refused it, the copy could not be
written). The reader has already decompressed, counted and scanned every entry of the
file within the budgets, so openpyxl meets no bomb; files larger than `ANNOTATE_LIMITS`
are not handed to it at all, and the copy has the same time budget as the validation.
Everything that came from the file (sheet names, messages quoting its cells, the file
name) is written as text (`literal.set_literal`), never as a formula.
"""

from __future__ import annotations

import os
import re
from pathlib import Path

from barometro.atomic import atomic_path
from barometro.messages import text
from barometro.names import display_name
from barometro.workbook_templates.literal import Formula, literal, set_literal

from .findings import Severity, make
from .reader import DEFAULT_LIMITS, Limits
from .validate import BatchReport, FileReport, Status, TimeUp, time_limit

_A1 = re.compile(r"^[A-Z]{1,3}[0-9]+$")
FILLS = {Severity.ERROR: "FFC7CE", Severity.WARNING: "FFEB9C", Severity.INFO: "DDEBF7"}
# What openpyxl is given at most (it holds every cell as an object: ~1 KB each, ~20 µs to
# load and save): a sector return has a few thousand cells, a master ~40,000.
ANNOTATE_LIMITS = {"cells": 150_000, "sheets": 200, "bytes": 16 * 1024 * 1024}


def _link(sheet: str, cell: str) -> Formula:
    target = "'" + sheet.replace("'", "''") + "'!" + cell
    return Formula(f'=HYPERLINK("#{target.replace(chr(34), chr(34) * 2)}","{text("validators.annotate.goto")}")')


def _no_copy(report: FileReport, reason: str, detail: str = "") -> None:
    values = {"detail": detail} if detail else {}
    report.findings.append(make("R029", report.path, reason=reason, **values))


def _too_large(report: FileReport) -> str:
    over = [f"{key} {report.facts.get(key, 0)} > {limit}" for key, limit in ANNOTATE_LIMITS.items()
            if report.facts.get(key, 0) > limit]
    return ", ".join(over)


def annotate_file(report: FileReport, outdir: str | Path, limits: Limits = DEFAULT_LIMITS,
                  out: Path | None = None) -> Path | None:
    """Write the annotated copy of one workbook; None (and an R029 finding on `report`,
    saying why) when the file gets no copy."""
    src = Path(report.path)
    target = out if out is not None else Path(outdir) / src.name
    if report.status is Status.UNREADABLE or report.kind == "unreadable":
        _no_copy(report, "unreadable")
        return None
    if src.suffix.lower() not in (".xlsx", ".xlsm"):
        _no_copy(report, "not_xlsx")
        return None
    over = _too_large(report)
    if over:
        _no_copy(report, "too_large", over)
        return None
    try:
        if target.resolve() == src.resolve():
            _no_copy(report, "write", text("validators.annotate.overwrite"))
            return None
    except OSError:
        pass
    try:
        with time_limit(limits.seconds):
            wb = _annotated(report, src)
            with atomic_path(target) as tmp:
                wb.save(tmp)
    except TimeUp:
        _no_copy(report, "time")
        return None
    except OSError as exc:
        _no_copy(report, "write", display_name(exc.strerror or type(exc).__name__))
        return None
    except Exception as exc:  # noqa: BLE001 - the reader accepted it but openpyxl does not: no copy, said
        _no_copy(report, "openpyxl", f"{type(exc).__name__}: {display_name(str(exc))[:120]}")
        return None
    return target


def _annotated(report: FileReport, src: Path):  # noqa: ANN202 - an openpyxl Workbook
    from openpyxl import load_workbook
    from openpyxl.comments import Comment
    from openpyxl.styles import Font, PatternFill

    wb = load_workbook(src, keep_vba=src.suffix.lower() == ".xlsm", keep_links=True)
    by_cell: dict[tuple[str, str], list] = {}
    for f in report.findings:
        if f.sheet in wb.sheetnames and _A1.match(f.cell or ""):
            by_cell.setdefault((f.sheet, f.cell), []).append(f)
    for (sheet, cell), items in by_cell.items():
        worst = min(items, key=lambda f: f.severity.rank)
        c = wb[sheet][cell]
        c.fill = PatternFill("solid", fgColor=FILLS[worst.severity])
        body = "\n".join(f"{f.code} ({f.severity.value}): {f.message} {f.hint}" for f in items)
        c.comment = Comment(literal(body[:30000]), "Barometro", width=320, height=160)
    name = text("validators.annotate.sheet")
    if name in wb.sheetnames:
        del wb[name]
    ws = wb.create_sheet(name, 0)
    set_literal(ws["A1"], text("validators.annotate.title", file=display_name(src.name)))
    ws["A1"].font = Font(bold=True, size=13)
    set_literal(ws["A2"], text("validators.annotate.notice"))
    headers = text("validators.annotate.headers").split("|")
    for col, h in enumerate(headers, 1):
        set_literal(ws.cell(row=4, column=col), h).font = Font(bold=True)
    row = 5
    for f in sorted(report.findings, key=lambda f: (f.severity.rank, f.sheet, f.cell)):
        values = [f.code, f.severity.value, f.sheet, f.cell, f.message, f.hint]
        for col, v in enumerate(values, 1):
            set_literal(ws.cell(row=row, column=col), v)
        if f.sheet in wb.sheetnames and _A1.match(f.cell or ""):
            set_literal(ws.cell(row=row, column=7), _link(f.sheet, f.cell))
        row += 1
    if row == 5:
        set_literal(ws.cell(row=5, column=1), text("validators.annotate.none"))
    for col, width in zip("ABCDEFG", (7, 12, 16, 9, 80, 60, 8), strict=True):
        ws.column_dimensions[col].width = width
    wb.active = 0
    return wb


def annotate_batch(report: BatchReport, outdir: str | Path, limits: Limits = DEFAULT_LIMITS) -> list[Path]:
    """One annotated copy per file (two files with one name from two folders: both kept);
    every file without a copy gets an R029 finding saying why."""
    written: list[Path] = []
    used: set[str] = set()
    outdir = Path(outdir)
    for f in report.files:
        name = os.path.basename(f.path)
        target = outdir
        n = 1
        while os.path.join(os.fspath(target), name) in used:
            target = outdir / str(n)
            n += 1
        out = target / name
        used.add(os.fspath(out))
        got = annotate_file(f, target, limits, out=out)
        if got is not None:
            written.append(got)
    return written
