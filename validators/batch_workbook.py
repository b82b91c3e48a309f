"""`--report report.xlsx`: one workbook summarising the batch, per sector and code.

Every value that came from a returned file (file and sheet names, expected and found
values, messages quoting cells) is written as a string or a finite number, never as a
formula: XlsxWriter's `write()` would turn a text starting with `=` into one.
"""

from __future__ import annotations

import math
from collections import Counter
from pathlib import Path

from barometro.atomic import atomic_path
from barometro.messages import format_value, text
from barometro.names import display_name
from barometro.workbook_templates.literal import literal

from .findings import Severity
from .validate import BatchReport


def _cell(ws, row: int, col: int, value: object, fmt=None) -> None:  # noqa: ANN001 - xlsxwriter objects
    """Write `value` as what it is: a finite number, or text (never a formula, never NaN)."""
    value = literal(value)
    if value is None:
        ws.write_blank(row, col, None, fmt)
    elif isinstance(value, bool):
        ws.write_boolean(row, col, value, fmt)
    elif isinstance(value, int | float) and math.isfinite(value) and abs(value) < 1e308:
        ws.write_number(row, col, value, fmt)
    else:
        ws.write_string(row, col, str(value if isinstance(value, str) else format_value(value))[:32767], fmt)


def _row(ws, row: int, values: list[object], fmt=None) -> None:  # noqa: ANN001
    for col, value in enumerate(values):
        _cell(ws, row, col, value, fmt)


def write_batch_workbook(report: BatchReport, path: str | Path) -> Path:
    import xlsxwriter

    path = Path(path)
    with atomic_path(path) as tmp:
        wb = xlsxwriter.Workbook(str(tmp), {"strings_to_formulas": False, "strings_to_urls": False,
                                            "strings_to_numbers": False, "nan_inf_to_errors": True})
        bold = wb.add_format({"bold": True})
        fmt = {
            "ok": wb.add_format({"bg_color": "#C6EFCE"}),
            "avvisi": wb.add_format({"bg_color": "#FFEB9C"}),
            "errori": wb.add_format({"bg_color": "#FFC7CE"}),
            "illeggibile": wb.add_format({"bg_color": "#D9D9D9"}),
        }
        ws = wb.add_worksheet(text("validators.report.summary_sheet"))
        _cell(ws, 0, 0, text("validators.report.title", files=len(report.files), seconds=round(report.seconds, 2)),
              bold)
        if report.settings is not None:
            _cell(ws, 1, 0, report.settings.describe_it())
        if report.master:
            _cell(ws, 2, 0, text("validators.cli.master", path=display_name(report.master)))
        headers = [*text("validators.report.headers").split("|"), text("validators.report.codes_header")]
        _row(ws, 4, headers, bold)
        rows = sorted(report.files, key=lambda f: ((f.identity.sector if f.identity else "") or "~", f.display))
        n = 4
        for n, f in enumerate(rows, start=5):
            codes = Counter(x.code for x in f.findings)
            _row(ws, n, [
                f.identity.sector if f.identity else "", display_name(Path(f.path).name),
                text(f"validators.status.{f.status.value}"),
                f.count(Severity.ERROR), f.count(Severity.WARNING), f.count(Severity.INFO),
                ", ".join(f"{c}×{k}" for c, k in sorted(codes.items())),
            ])
            _cell(ws, n, 2, text(f"validators.status.{f.status.value}"), fmt[f.status.value])
        for skipped in report.skipped:
            n += 1
            _row(ws, n, ["", display_name(Path(skipped.path).name), skipped.message(), "", "", "", ""])
        ws.autofilter(4, 0, max(n, 5), len(headers) - 1)
        ws.set_column(0, 0, 34)
        ws.set_column(1, 1, 36)
        ws.set_column(2, 5, 11)
        ws.set_column(6, 6, 60)
        ws.freeze_panes(5, 0)
        wf = wb.add_worksheet(text("validators.report.findings_sheet"))
        fh = text("validators.report.findings_headers").split("|")
        _row(wf, 0, fh, bold)
        r = 1
        for f in rows:
            sector = f.identity.sector if f.identity else ""
            for x in f.findings:
                _row(wf, r, [sector, display_name(Path(f.path).name), x.code, x.severity.value, x.sheet, x.cell,
                             x.expected, x.found, x.message, x.hint])
                r += 1
        wf.autofilter(0, 0, max(r - 1, 1), len(fh) - 1)
        wf.freeze_panes(1, 0)
        wf.set_column(8, 9, 70)
        wb.close()
    return path
