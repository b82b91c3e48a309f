"""Value types of a consolidation: sources, decisions, merged rows, issues.

Plain frozen dataclasses and Enums, no I/O: the merge works on these, the
writers (workbook, HTML, PDF) only read them.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum
from pathlib import Path

from barometro.issues import Issue, Severity
from barometro.model import Indicator, Plan
from barometro.scoring import PlanScores
from barometro.settings import Settings
from barometro.validators import FileReport, Finding, ReturnedRow, Status
from barometro.validators.context import ExtraRow


class Decision(StrEnum):
    """What consolidation did with one source file."""

    ACCEPTED = "accettato"
    ACCEPTED_WITH_ERRORS = "accettato_con_errori"  # --include-errors
    REFUSED_ERRORS = "respinto_errori"
    REFUSED_UNREADABLE = "respinto_illeggibile"
    REFUSED_NOT_A_RETURN = "respinto_non_settore"  # no identity, or a master file
    REFUSED_UNKNOWN_SECTOR = "respinto_settore_sconosciuto"
    SUPERSEDED = "scartato_duplicato"  # another return of the sector was preferred
    IDENTICAL_COPY = "copia_identica"  # same bytes as the return that was taken
    CONFLICT = "conflitto"  # two returns for one sector and no --prefer

    @property
    def used(self) -> bool:
        return self in (Decision.ACCEPTED, Decision.ACCEPTED_WITH_ERRORS)


class RowState(StrEnum):
    """Where the values of one plan indicator came from."""

    RETURNED = "pervenuto"
    RETURNED_WITH_ERRORS = "pervenuto_con_errori"  # from a file included despite errors
    MISSING = "non_pervenuto"  # no file for the sector
    MISSING_REFUSED = "non_pervenuto_respinto"  # the sector's file was refused
    MISSING_DELETED = "non_pervenuto_riga_eliminata"  # the file lacks this row
    MISSING_CONFLICT = "non_pervenuto_conflitto"  # two returns, none preferred

    @property
    def returned(self) -> bool:
        return self in (RowState.RETURNED, RowState.RETURNED_WITH_ERRORS)


class IssueKind(StrEnum):
    """Structural facts the merge reports (never silently applied)."""

    ADDED_ROW = "riga_aggiunta"  # a row whose id is not in the plan
    DELETED_ROW = "riga_eliminata"  # a plan row of the sector absent from its return
    FOREIGN_ROW = "riga_altro_settore"  # a row of another sector's indicator
    DUPLICATE_SECTOR = "settore_duplicato"  # resolved by --prefer or identical copies
    CONFLICT = "conflitto_duplicato"  # unresolved: blocks the consolidation
    PREFER_UNUSED = "preferenza_inutilizzata"  # a --prefer file that decided nothing
    REFUSED_FILE = "file_respinto"
    INCLUDED_WITH_ERRORS = "incluso_con_errori"


BLOCKING_ISSUES = frozenset({IssueKind.CONFLICT})


@dataclass(frozen=True)
class SourceFacts:
    """Audit facts of a file on disk (the `Fonti` sheet)."""

    path: Path
    name: str
    sha256: str
    size: int
    mtime: datetime  # local time, seconds


@dataclass(frozen=True)
class SectorReturn:
    """One returned file as the merge takes it: the validator's own report, a display
    name and the file's audit facts. Everything else is read from the report."""

    name: str  # unique display name (the file name, or a relative path when names clash)
    report: FileReport
    facts: SourceFacts | None = None

    @property
    def status(self) -> Status:
        return self.report.status

    @property
    def sector(self) -> str | None:
        ident = self.report.identity
        return (ident.sector or None) if ident is not None else None

    @property
    def scope(self) -> str | None:
        ident = self.report.identity
        return (ident.scope or None) if ident is not None else None

    @property
    def rows(self) -> Mapping[str, ReturnedRow]:
        return self.report.rows

    @property
    def findings(self) -> list[Finding]:
        return self.report.findings

    @property
    def extra_rows(self) -> list[ExtraRow]:
        return self.report.extra_rows

    @property
    def sha256(self) -> str:
        return self.facts.sha256 if self.facts else ""

    def count(self, severity: Severity) -> int:
        return self.report.count(severity)


@dataclass(frozen=True)
class FileOutcome:
    source: SectorReturn
    decision: Decision
    detail: str = ""  # e.g. the preferred file that superseded this one


@dataclass(frozen=True)
class MergedRow:
    """A plan indicator in the consolidated output: exactly one per plan indicator."""

    indicator: Indicator
    state: RowState
    actual: float | None = None
    note: str = ""
    source: str = ""  # file name it came from ("" when missing)
    source_cell: str = ""  # "<sheet>!<row>" in the source file
    reason: str = ""  # why it is missing (file name refused, ...)


@dataclass(frozen=True, kw_only=True)
class MergeIssue(Issue):
    """A structural fact the merge reports; its message is rendered on output."""

    kind: IssueKind
    sector: str = ""
    file: str = ""
    indicator_id: str = ""
    where: str = ""  # "<sheet>!<row>" in the file, when the issue is about a row

    @property
    def blocking(self) -> bool:
        return self.kind in BLOCKING_ISSUES


ISSUE_SEVERITY = {
    IssueKind.CONFLICT: Severity.ERROR,
    IssueKind.REFUSED_FILE: Severity.WARNING,
    IssueKind.INCLUDED_WITH_ERRORS: Severity.WARNING,
    IssueKind.DELETED_ROW: Severity.WARNING,
    IssueKind.ADDED_ROW: Severity.WARNING,
    IssueKind.FOREIGN_ROW: Severity.WARNING,
    IssueKind.DUPLICATE_SECTOR: Severity.INFO,
    IssueKind.PREFER_UNUSED: Severity.WARNING,
}


def merge_issue(kind: IssueKind, sector: str = "", file: str = "", indicator_id: str = "", where: str = "",
                **params: object) -> MergeIssue:
    return MergeIssue(code=kind.value, severity=ISSUE_SEVERITY[kind], key=f"consolidation.issue.{kind.value}",
                      params=params, kind=kind, sector=sector, file=file, indicator_id=indicator_id, where=where)


@dataclass(frozen=True)
class SectorSummary:
    """One line of the per-sector sheet."""

    sector: str
    expected: int  # indicators of the plan for this sector
    returned: int  # merged from a file
    files: tuple[str, ...]  # every file that claimed this sector
    used_file: str  # "" when none
    status: Status | None  # validation status of the used file
    errors: int
    warnings: int
    on_time: bool | None  # None: no deadline given or no file
    state: str  # catalogue key suffix: "pervenuto", "non_pervenuto", "respinto", "conflitto", ...


@dataclass(frozen=True)
class MergeResult:
    rows: tuple[MergedRow, ...]  # plan order, one per plan indicator
    files: tuple[FileOutcome, ...]
    issues: tuple[MergeIssue, ...]
    sectors: tuple[SectorSummary, ...]

    @property
    def blocked(self) -> bool:
        return any(i.blocking for i in self.issues)

    @property
    def used_files(self) -> int:
        return sum(1 for f in self.files if f.decision.used)

    @property
    def missing(self) -> tuple[MergedRow, ...]:
        """Plan indicators not received (no file, file refused, row deleted, conflict)."""
        return tuple(r for r in self.rows if not r.state.returned)

    @property
    def provisional(self) -> bool:
        return bool(self.missing)

    def row(self, indicator_id: str) -> MergedRow:
        for r in self.rows:
            if r.indicator.id == indicator_id:
                return r
        raise KeyError(indicator_id)

    def values(self) -> dict[str, tuple[float | None, str]]:
        """{indicator_id: (actual, note)} of the returned rows (what goes into the workbook)."""
        return {r.indicator.id: (r.actual, r.note) for r in self.rows if r.state.returned}


@dataclass(frozen=True)
class RunInfo:
    """When, with what, and how the consolidation ran (the audit trail header)."""

    timestamp: datetime
    tool_version: str
    settings: Settings
    master: SourceFacts | None
    deadline: str = ""  # ISO date or ""
    include_errors: bool = False
    preferred: tuple[str, ...] = ()


@dataclass(frozen=True)
class ConsolidationResult:
    plan: Plan  # the master's plan with the merged actuals and notes
    settings: Settings
    merge: MergeResult
    scores: PlanScores
    run: RunInfo
    written: tuple[Path, ...] = ()  # outputs moved into place ([] when blocked)
    skipped: tuple = ()  # folder entries not consolidated, and why (`validators.Skipped`)

    @property
    def blocked(self) -> bool:
        return self.merge.blocked
