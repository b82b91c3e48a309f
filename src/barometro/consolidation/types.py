"""Value types of a consolidation: sources, decisions, merged rows, issues.

Plain frozen dataclasses and Enums, no I/O: the merge works on these, the
writers (workbook, HTML, PDF) only read them.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime
from enum import StrEnum
from pathlib import Path

from barometro.model import Indicator, Plan
from barometro.settings import Settings


class FileStatus(StrEnum):
    """Validation status of a returned file (the validator's values)."""

    OK = "ok"
    WARNINGS = "avvisi"
    ERRORS = "errori"
    UNREADABLE = "illeggibile"

    @classmethod
    def parse(cls, value: object) -> FileStatus:
        raw = getattr(value, "value", value)
        text = str(raw or "").strip().lower()
        for member in cls:
            if text in (member.value, member.name.lower()):
                return member
        return cls.UNREADABLE


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
class ReturnedRow:
    """One indicator row as read from a returned file."""

    actual: float | None
    note: str = ""
    sheet: str = ""
    row: int | None = None
    actual_raw: object = None


@dataclass(frozen=True)
class FindingSummary:
    """A validator finding, reduced to what the outputs print."""

    code: str
    severity: str  # "errore", "avviso", "info" (the validator's words)
    sheet: str
    cell: str
    message: str
    hint: str = ""


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
    """One returned file as the merge needs it (built from a validator FileReport)."""

    name: str  # unique display name (the file name, or a relative path when names clash)
    status: FileStatus
    sector: str | None
    scope: str | None  # "settore", "master" or None (unknown identity)
    rows: Mapping[str, ReturnedRow] = field(default_factory=dict)
    findings: tuple[FindingSummary, ...] = ()
    facts: SourceFacts | None = None
    extra_rows: tuple[str, ...] = ()  # rows without a plan id (the validator's finding cells)

    @property
    def sha256(self) -> str:
        return self.facts.sha256 if self.facts else ""

    def count(self, severity: str) -> int:
        return sum(1 for f in self.findings if f.severity == severity)


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


@dataclass(frozen=True)
class MergeIssue:
    kind: IssueKind
    sector: str
    file: str = ""
    indicator_id: str = ""
    detail: str = ""

    @property
    def blocking(self) -> bool:
        return self.kind in BLOCKING_ISSUES


@dataclass(frozen=True)
class SectorSummary:
    """One line of the per-sector sheet."""

    sector: str
    expected: int  # indicators of the plan for this sector
    returned: int  # merged from a file
    files: tuple[str, ...]  # every file that claimed this sector
    used_file: str  # "" when none
    status: FileStatus | None  # validation status of the used file
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

    def row(self, indicator_id: str) -> MergedRow:
        for r in self.rows:
            if r.indicator.id == indicator_id:
                return r
        raise KeyError(indicator_id)

    def values(self) -> dict[str, tuple[float | None, str]]:
        """{indicator_id: (actual, note)} of the returned rows (what goes into the workbook)."""
        return {r.indicator.id: (r.actual, r.note) for r in self.rows if r.state.returned}


@dataclass(frozen=True)
class Scores:
    """Every percentage of the Relazione, computed by the scoring core (unrounded)."""

    indicator: Mapping[str, float | None]
    objective: Mapping[str, float | None]
    line: Mapping[str, float | None]
    ente: float | None


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
    scores: Scores
    run: RunInfo
    written: tuple[Path, ...] = ()  # outputs moved into place ([] when blocked)

    @property
    def blocked(self) -> bool:
        return self.merge.blocked
