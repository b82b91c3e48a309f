"""What `barometro import` reports about an imported report: a JSON summary and the text."""

from __future__ import annotations

from collections import Counter, defaultdict
from pathlib import Path

from barometro.issues import Severity
from barometro.messages import format_percent, text
from barometro.settings import Settings

from .importer import ImportResult
from .line_check import line_check


def import_summary(result: ImportResult, settings: Settings, *, report: str | Path, output: str | Path,
                   lang: str | None = None) -> dict[str, object]:
    """The import as JSON data (`barometro import --json`)."""
    checks = line_check(result.report, result.plan, settings)
    plan, out = result.plan, output
    return {
        "report": str(report),
        "output": str(out),
        "ente": plan.ente,
        "year": plan.year,
        "method": settings.describe_it(lang),
        "lines": [
            {
                "id": ln.id,
                "title": ln.title,
                "sheet": ln.sheet_name,
                "published": ln.published_pct,
                "objectives": len({i.objective_id for i in plan.indicators_of_line(ln.id)}),
                "indicators": len(plan.indicators_of_line(ln.id)),
                "from_typed": chk.from_typed,
                "from_core": chk.from_core,
                "matches": chk.matches,
                "explanation": chk.explanation.render(lang),
            }
            for ln, chk in zip(plan.lines, checks, strict=True)
        ],
        "indicators": len(plan.indicators),
        "issues": [issue.to_dict(lang) for issue in result.issues],
    }


def render_import(result: ImportResult, settings: Settings, out: str | Path) -> str:
    """The text `barometro import` prints: lines, the published % checks, the issues by code."""
    lines: list[str] = []
    plan = result.plan
    checks = line_check(result.report, plan, settings)
    lines.append(text("legacy.cli.header", ente=plan.ente or "?", year=plan.year or "?",
                      lines=len(plan.lines), objectives=len({i.objective_id for i in plan.indicators}),
                      indicators=len(plan.indicators)))
    for ln, chk in zip(plan.lines, checks, strict=True):
        inds = plan.indicators_of_line(ln.id)
        published = "—" if ln.published_pct is None else format_percent(ln.published_pct)
        lines.append(text("legacy.cli.line", id=ln.id, name=ln.sheet_name,
                          objectives=len({i.objective_id for i in inds}), indicators=len(inds),
                          published=published, mark="ok" if chk.matches else "≠"))
    lines.append(settings.describe_it())
    mismatched = [c for c in checks if not c.matches and c.published is not None]
    if mismatched:
        lines += ["", text("legacy.cli.line_mismatch_header", count=len(mismatched))]
        lines += [f"  {chk.line_id}: {chk.explanation.render()}" for chk in mismatched]
    by_severity = Counter(i.severity for i in result.issues)
    lines += ["", text("legacy.cli.issues_header", errors=by_severity.get(Severity.ERROR, 0),
                       warnings=by_severity.get(Severity.WARNING, 0), infos=by_severity.get(Severity.INFO, 0))]
    groups: dict[tuple[Severity, str], list] = defaultdict(list)
    for issue in result.issues:
        groups[(issue.severity, issue.code)].append(issue)
    for (severity, code), members in sorted(groups.items(), key=lambda kv: (kv[0][0].rank, kv[0][1])):
        rows = ", ".join(str(m.source_row) for m in members if m.source_row is not None)
        lines.append(text("legacy.cli.group", severity=severity.label().upper(), code=code, count=len(members),
                          rows=rows or "—"))
        if severity is not Severity.INFO:
            lines += [f"      {m.message}" for m in members[:12]]
            if len(members) > 12:
                lines.append("      " + text("legacy.cli.more", count=len(members) - 12))
    lines += ["", text("legacy.cli.written", path=str(out))]
    return "\n".join(lines)
