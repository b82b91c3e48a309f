"""`--report report.xlsx`: one workbook summarising the batch, per sector and code."""

from __future__ import annotations

from collections import Counter
from pathlib import Path

from barometro.atomic import atomic_path
from barometro.messages import text

from .findings import Severity
from .validate import BatchReport


def write_batch_workbook(report: BatchReport, path: str | Path) -> Path:
    import xlsxwriter

    path = Path(path)
    with atomic_path(path) as tmp:
        wb = xlsxwriter.Workbook(str(tmp))
        bold = wb.add_format({"bold": True})
        fmt = {
            "ok": wb.add_format({"bg_color": "#C6EFCE"}),
            "avvisi": wb.add_format({"bg_color": "#FFEB9C"}),
            "errori": wb.add_format({"bg_color": "#FFC7CE"}),
            "illeggibile": wb.add_format({"bg_color": "#D9D9D9"}),
        }
        ws = wb.add_worksheet(text("validators.report.summary_sheet"))
        ws.write(0, 0, text("validators.report.title", files=len(report.files), seconds=f"{report.seconds:.2f}"), bold)
        if report.settings is not None:
            ws.write(1, 0, report.settings.describe_it())
        if report.master:
            ws.write(2, 0, text("validators.cli.master", path=report.master))
        headers = [*text("validators.report.headers").split("|"), text("validators.report.codes_header")]
        ws.write_row(4, 0, headers, bold)
        rows = sorted(report.files, key=lambda f: ((f.identity.sector if f.identity else "") or "~", f.path))
        for n, f in enumerate(rows, start=5):
            codes = Counter(x.code for x in f.findings)
            ws.write_row(n, 0, [
                f.identity.sector if f.identity else "", Path(f.path).name, text(f"validators.status.{f.status.value}"),
                f.count(Severity.ERROR), f.count(Severity.WARNING), f.count(Severity.INFO),
                ", ".join(f"{c}×{k}" for c, k in sorted(codes.items())),
            ])
            ws.write(n, 2, text(f"validators.status.{f.status.value}"), fmt[f.status.value])
        ws.autofilter(4, 0, 4 + len(rows), len(headers) - 1)
        ws.set_column(0, 0, 34)
        ws.set_column(1, 1, 36)
        ws.set_column(2, 5, 11)
        ws.set_column(6, 6, 60)
        ws.freeze_panes(5, 0)
        wf = wb.add_worksheet(text("validators.report.findings_sheet"))
        fh = text("validators.report.findings_headers").split("|")
        wf.write_row(0, 0, fh, bold)
        r = 1
        for f in rows:
            sector = f.identity.sector if f.identity else ""
            for x in f.findings:
                wf.write_row(r, 0, [sector, Path(f.path).name, x.code, x.severity.value, x.sheet, x.cell,
                                    x.expected, x.found, x.message, x.hint])
                r += 1
        wf.autofilter(0, 0, max(r - 1, 1), len(fh) - 1)
        wf.freeze_panes(1, 0)
        wf.set_column(8, 9, 70)
        wb.close()
    return path
