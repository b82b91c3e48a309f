"""The terminal summary of a consolidation (what `barometro consolidate` prints)."""

from __future__ import annotations

from barometro.issues import Severity
from barometro.messages import text
from barometro.names import display_name, display_text

from .fmt import pct
from .types import ConsolidationResult, IssueKind

MAX_FINDINGS_SHOWN = 8


def t(key: str, **values: object) -> str:
    return text(f"consolidation.{key}", **values)


def render_text(result: ConsolidationResult, *, max_findings: int = MAX_FINDINGS_SHOWN) -> str:
    """What `barometro consolidate` prints: files, findings, issues, sectors, percentages,
    the folder entries left out; safe for a terminal whatever the files hold."""
    return display_text(_render(result, max_findings))


def _render(result: ConsolidationResult, max_findings: int) -> str:
    out: list[str] = []
    merge = result.merge
    used = [o for o in merge.files if o.decision.used]
    out.append(t("cli.files", total=len(merge.files), used=len(used)))
    for outcome in merge.files:
        if outcome.decision.used and outcome.source.status.value in ("ok", "avvisi"):
            continue
        src = outcome.source
        out.append(t("cli.file_line", file=src.name, decision=t("decision." + outcome.decision.value),
                     status=text(f"validators.status.{src.status.value}")))
        serious = [f for f in src.findings if f.severity is Severity.ERROR] or list(src.findings)
        for f in serious[:max_findings]:
            where = f"{f.sheet}!{f.cell}" if f.sheet and f.cell else (f.sheet or f.cell)
            out.append(f"      {f.code} {where}: {f.message}")
        if len(serious) > max_findings:
            out.append("      " + t("cli.more_findings", count=len(serious) - max_findings))
    for issue in merge.issues:
        if issue.kind is IssueKind.REFUSED_FILE:
            continue
        where = " ".join(x for x in (issue.sector, issue.file, issue.indicator_id, issue.where) if x)
        out.append(t("cli.issue_line", where=where, message=issue.message))
    for s in merge.sectors:
        if s.state != "pervenuto":
            out.append(t("cli.sector_line", sector=s.sector, state=t("sector_state." + s.state),
                         returned=s.returned, expected=s.expected))
    if not result.blocked:
        for line in result.plan.lines:
            if line.id in result.scores.line:
                out.append(t("cli.line_pct", line=line.title, pct=pct(result.scores.line[line.id])))
        out.append(t("cli.ente_pct", pct=pct(result.scores.ente)))
        out.append(result.settings.describe_it())
    if result.skipped:
        out.append(text("validators.cli.skipped", count=len(result.skipped)))
        for skipped in result.skipped:
            out.append(text("validators.cli.skipped_line", path=skipped.display, reason=skipped.message()))
    for path in result.written:
        out.append(t("cli.written", path=display_name(path)))
    return "\n".join(out)
