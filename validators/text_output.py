"""Terminal rendering of a BatchReport: one table row per file, then the findings."""

from __future__ import annotations

from pathlib import Path

from barometro.messages import text
from barometro.names import display_name, display_text

from .findings import Severity
from .validate import BatchReport, Status


def render_text(report: BatchReport, *, max_findings_per_file: int = 200) -> str:
    """The batch as a table and the findings; safe for a terminal whatever the files hold
    (names and texts from the files with their control characters escaped)."""
    return display_text(_render(report, max_findings_per_file))


def _render(report: BatchReport, max_findings_per_file: int) -> str:
    out: list[str] = []
    if report.fatal:
        return text("validators.cli.fatal", detail=report.fatal)
    out.append(text("validators.cli.master", path=display_name(report.master)) if report.master
               else text("validators.cli.no_master"))
    if report.settings is not None:
        out.append(report.settings.describe_it())
    out.append("")
    names = [display_name(Path(f.path).name) for f in report.files]
    width = min(48, max([len(n) for n in names] + [10]))
    head = text("validators.cli.header").split(" | ")
    out.append(f"{head[0]:<{width}}  {head[1]:<11} {head[2]:>6} {head[3]:>7} {head[4]:>5}  {head[5]}")
    for f, name in zip(report.files, names, strict=True):
        sector = f.identity.sector if f.identity is not None else ""
        out.append(
            f"{name[:width]:<{width}}  {text('validators.status.' + f.status.value):<11} "
            f"{f.count(Severity.ERROR):>6} {f.count(Severity.WARNING):>7} {f.count(Severity.INFO):>5}  {sector}"
        )
    for f in report.files:
        shown = [x for x in f.findings if x.code != "R021"]
        if not shown:
            continue
        out.append("")
        out.append(f"== {f.display}")
        for x in shown[:max_findings_per_file]:
            where = x.location
            out.append(f"  {x.code} {x.severity.label():<8} {where:<22} {x.message}")
            if x.hint:
                out.append("      " + text("validators.cli.hint", hint=x.hint).strip())
        if len(shown) > max_findings_per_file:
            out.append(f"  … (+{len(shown) - max_findings_per_file})")
    if report.skipped:
        out.append("")
        out.append(text("validators.cli.skipped", count=len(report.skipped)))
        for skipped in report.skipped:
            out.append(text("validators.cli.skipped_line", path=skipped.display, reason=skipped.message()))
    by = report.stats["by_status"]
    out.append("")
    out.append(text(
        "validators.cli.summary", files=len(report.files), seconds=round(report.seconds, 2),
        ok=by[Status.OK.value], warnings=by[Status.WARNINGS.value], errors=by[Status.ERRORS.value],
        unreadable=by[Status.UNREADABLE.value],
    ))
    return "\n".join(out)
