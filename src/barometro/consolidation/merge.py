"""Merge validated sector returns into the plan, by indicator id (never by row position).

Pure: works on `SectorReturn` values, reads no file. The rules:

* unreadable files, files that are not a sector return, files of an unknown
  sector and (unless `include_errors`) files with errors are refused;
* one return per sector: two different returns for the same sector are a
  blocking conflict unless exactly one of them is preferred; byte-identical
  copies are not a conflict;
* every plan indicator appears exactly once, with its source file, or as
  missing ("non pervenuto") with the reason;
* rows a sector added (ids not in the plan, rows without an id) or rows of
  another sector's indicators are reported and never kept; plan rows absent
  from a return are reported as deleted and listed as missing.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Collection, Sequence
from datetime import date
from pathlib import Path

from barometro.issues import Severity
from barometro.messages import Phrase
from barometro.model import Plan
from barometro.validators import Status

from .sources import real_path
from .types import (
    Decision,
    FileOutcome,
    IssueKind,
    MergedRow,
    MergeIssue,
    MergeResult,
    RowState,
    SectorReturn,
    SectorSummary,
    merge_issue,
)


def _matches(ret: SectorReturn, prefer: str) -> bool:
    """Whether a --prefer value designates this return (path, file name or display name)."""
    if prefer in (ret.name, Path(ret.name).name):
        return True
    if ret.facts is None:
        return False
    if prefer == ret.facts.name:
        return True
    try:
        return real_path(prefer) == real_path(ret.facts.path)
    except OSError:
        return False


def _first_decision(ret: SectorReturn, sectors: set[str], include_errors: bool) -> Decision:
    if ret.status is Status.UNREADABLE:
        return Decision.REFUSED_UNREADABLE
    if ret.scope != "settore" or not ret.sector:
        return Decision.REFUSED_NOT_A_RETURN
    if ret.sector not in sectors:
        return Decision.REFUSED_UNKNOWN_SECTOR
    if ret.status is Status.ERRORS:
        return Decision.ACCEPTED_WITH_ERRORS if include_errors else Decision.REFUSED_ERRORS
    return Decision.ACCEPTED


def merge_returns(
    plan: Plan,
    returns: Sequence[SectorReturn],
    *,
    include_errors: bool = False,
    prefer: Collection[str] = (),
    deadline: date | None = None,
) -> MergeResult:
    """Decide which return each sector's values come from and merge them by indicator id."""
    sectors = plan.sectors()
    sector_set = set(sectors)
    ordered = sorted(returns, key=lambda r: r.name)
    decisions: dict[str, Decision] = {}
    details: dict[str, str] = {}
    issues: list[MergeIssue] = []

    candidates: dict[str, list[SectorReturn]] = {}
    for ret in ordered:
        decision = _first_decision(ret, sector_set, include_errors)
        decisions[ret.name] = decision
        if decision.used:
            candidates.setdefault(str(ret.sector), []).append(ret)
        else:
            issues.append(merge_issue(IssueKind.REFUSED_FILE, ret.sector or "", ret.name,
                                      decision=Phrase(f"consolidation.decision.{decision.value}")))

    # ---- one return per sector
    winners: dict[str, SectorReturn] = {}
    conflicts: set[str] = set()
    used_prefs: set[str] = set()
    for sector, group in candidates.items():
        if len(group) == 1:
            winners[sector] = group[0]
            continue
        names = ", ".join(r.name for r in group)
        distinct = {r.sha256 or r.name for r in group}
        preferred = [r for r in group if any(_matches(r, p) for p in prefer)]
        preferred_content = {r.sha256 or r.name for r in preferred}
        if len(distinct) == 1:
            winner = preferred[0] if preferred else group[0]
        elif len(preferred_content) == 1:
            winner = preferred[0]
        else:
            conflicts.add(sector)
            for r in group:
                decisions[r.name] = Decision.CONFLICT
            issues.append(merge_issue(IssueKind.CONFLICT, sector, names))
            continue
        for p in prefer:
            if any(_matches(r, p) for r in group):
                used_prefs.add(p)
        winners[sector] = winner
        for r in group:
            if r is winner:
                continue
            same = bool(r.sha256) and r.sha256 == winner.sha256
            decisions[r.name] = Decision.IDENTICAL_COPY if same else Decision.SUPERSEDED
            details[r.name] = winner.name
        issues.append(merge_issue(IssueKind.DUPLICATE_SECTOR, sector, names, winner=winner.name))

    for p in prefer:
        if p not in used_prefs:
            issues.append(merge_issue(IssueKind.PREFER_UNUSED, "", p))

    # ---- rows, by id
    plan_ids = {ind.id: ind for ind in plan.indicators}
    refused_of: dict[str, list[str]] = {}
    for r in ordered:
        if r.sector and not decisions[r.name].used:
            refused_of.setdefault(r.sector, []).append(r.name)
    rows: list[MergedRow] = []
    for ind in plan.indicators:
        winner = winners.get(ind.sector)
        if winner is not None:
            got = winner.rows.get(ind.id)
            if got is None:
                rows.append(MergedRow(ind, RowState.MISSING_DELETED, source=winner.name, reason=winner.name))
                issues.append(merge_issue(IssueKind.DELETED_ROW, ind.sector, winner.name, ind.id))
                continue
            with_errors = decisions[winner.name] is Decision.ACCEPTED_WITH_ERRORS
            cell = f"{got.sheet}!{got.row}" if got.sheet and got.row else got.sheet
            rows.append(
                MergedRow(
                    ind,
                    RowState.RETURNED_WITH_ERRORS if with_errors else RowState.RETURNED,
                    got.actual,
                    got.note or "",
                    winner.name,
                    cell,
                )
            )
            continue
        if ind.sector in conflicts:
            names = ", ".join(r.name for r in candidates[ind.sector])
            rows.append(MergedRow(ind, RowState.MISSING_CONFLICT, reason=names))
            continue
        refused = refused_of.get(ind.sector, [])
        if refused:
            rows.append(MergedRow(ind, RowState.MISSING_REFUSED, reason=", ".join(refused)))
        else:
            rows.append(MergedRow(ind, RowState.MISSING))

    for sector, winner in winners.items():
        for rid in winner.rows:
            ind = plan_ids.get(rid)
            if ind is not None and ind.sector != sector:
                issues.append(merge_issue(IssueKind.FOREIGN_ROW, sector, winner.name, rid, _cell(winner, rid)))
        # Rows the validator found outside the file's plan rows: added, or another sector's.
        for extra in winner.extra_rows:
            ind = plan_ids.get(extra.indicator_id)
            kind = IssueKind.FOREIGN_ROW if ind is not None and ind.sector != sector else IssueKind.ADDED_ROW
            if ind is not None and ind.sector == sector:
                continue  # its own row on another sheet: reported as deleted where it belongs
            issues.append(merge_issue(kind, sector, winner.name, extra.indicator_id, f"{extra.sheet}!{extra.row}"))
        if decisions[winner.name] is Decision.ACCEPTED_WITH_ERRORS:
            issues.append(merge_issue(IssueKind.INCLUDED_WITH_ERRORS, sector, winner.name))

    outcomes = tuple(FileOutcome(r, decisions[r.name], details.get(r.name, "")) for r in ordered)
    summaries = _sector_summaries(sectors, plan, rows, ordered, decisions, winners, conflicts, deadline)
    return MergeResult(tuple(rows), outcomes, tuple(issues), summaries)


def _cell(ret: SectorReturn, rid: str) -> str:
    got = ret.rows[rid]
    return f"{got.sheet}!{got.row}" if got.sheet and got.row else got.sheet


def _sector_summaries(
    sectors: list[str],
    plan: Plan,
    rows: list[MergedRow],
    ordered: list[SectorReturn],
    decisions: dict[str, Decision],
    winners: dict[str, SectorReturn],
    conflicts: set[str],
    deadline: date | None,
) -> tuple[SectorSummary, ...]:
    expected_of = Counter(i.sector for i in plan.indicators)
    returned_of = Counter(r.indicator.sector for r in rows if r.state.returned)
    files_of: dict[str, list[str]] = {}
    for r in ordered:
        files_of.setdefault(r.sector or "", []).append(r.name)
    out: list[SectorSummary] = []
    for sector in sectors:
        expected = expected_of[sector]
        returned = returned_of[sector]
        files = tuple(files_of.get(sector, ()))
        winner = winners.get(sector)
        on_time: bool | None = None
        if winner is not None:
            state = "con_errori" if decisions[winner.name] is Decision.ACCEPTED_WITH_ERRORS else "pervenuto"
            if returned < expected:
                state = "incompleto"
            if deadline is not None and winner.facts is not None:
                on_time = winner.facts.mtime.date() <= deadline
        elif sector in conflicts:
            state = "conflitto"
        elif files:
            state = "respinto"
        else:
            state = "non_pervenuto"
        out.append(
            SectorSummary(
                sector=sector,
                expected=expected,
                returned=returned,
                files=files,
                used_file=winner.name if winner else "",
                status=winner.status if winner else None,
                errors=winner.count(Severity.ERROR) if winner else 0,
                warnings=winner.count(Severity.WARNING) if winner else 0,
                on_time=on_time,
                state=state,
            )
        )
    return tuple(out)
