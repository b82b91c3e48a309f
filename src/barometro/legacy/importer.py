"""`import_report`: read, re-align, infer, build the plan, check; one call."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from barometro.model import Plan
from barometro.settings import DEFAULT_SETTINGS, Settings

from .consistency import check_rows
from .infer import infer_rows
from .parser import parse_rows
from .plan_builder import to_plan
from .report import ImportIssue, LegacyReport, Severity
from .source import read_rows

_SEVERITY_ORDER = {Severity.ERROR.value: 0, Severity.WARNING.value: 1, Severity.INFO.value: 2}


@dataclass(frozen=True)
class ImportResult:
    plan: Plan
    report: LegacyReport
    issues: list[ImportIssue]

    def issues_of(self, code: str) -> list[ImportIssue]:
        return [i for i in self.issues if i.code == code]

    def issues_at(self, source_row: int) -> list[ImportIssue]:
        return [i for i in self.issues if i.source_row == source_row]


def read_report(path: str | Path) -> tuple[LegacyReport, list[ImportIssue]]:
    """Only the reading step (no inference, no ids)."""
    path = Path(path)
    rows, fmt = read_rows(path)
    return parse_rows(rows, path.name, fmt)


def import_report(path: str | Path, settings: Settings = DEFAULT_SETTINGS) -> ImportResult:
    """Import a report in the published layout (.txt tab-separated, .csv, .xlsx).

    Raises `LegacyFormatError` (Italian message) when the file is not such a
    report at all; everything else becomes an `ImportIssue`.
    """
    report, issues = read_report(path)
    issues = list(issues)
    issues += infer_rows(report.rows)
    plan = to_plan(report)
    issues += check_rows(report.rows, settings)
    sheets: dict[str | None, int] = {}
    for row in report.rows:
        sheets.setdefault(row.sheet, len(sheets))
    issues.sort(key=lambda i: (sheets.get(i.sheet, -1) if i.source_row is not None else -1,
                               i.source_row if i.source_row is not None else -1,
                               _SEVERITY_ORDER.get(str(i.severity), 3)))
    return ImportResult(plan, report, issues)
