"""The consolidated workbook.

Built by the template builder from the master's plan (same spec, same native
formulas), the merged actuals and notes put in the input cells by indicator
id, then four sheets added: `Settori` (per-sector summary), `Provenienza`
(where every indicator's values came from), `Verifiche` (what the merge and
the validator reported) and `Fonti` (the audit trail). Every formula cell also
carries its value computed by the scoring core (`cached_values`), so readers
that do not recalculate see the same numbers Excel and LibreOffice compute.
"""

from __future__ import annotations

import json
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING

from barometro.messages import text
from barometro.model import Plan
from barometro.names import display_name
from barometro.period import report_title
from barometro.settings import Settings
from barometro.validators import Status
from barometro.workbook_templates import spec
from barometro.workbook_templates.fill import write_input
from barometro.workbook_templates.literal import set_literal

from .cached_values import expected_values, finalise_xlsx

if TYPE_CHECKING:
    from openpyxl import Workbook
from .types import ConsolidationResult, RowState


def t(key: str, **values: object) -> str:
    return text(f"consolidation.{key}", **values)


def _styles():
    from barometro.workbook_templates import styles as st

    return st


def build_base(plan: Plan, settings: Settings, timestamp: datetime) -> Workbook:
    """The master workbook of `plan` by the template builder, in memory: the base of the
    consolidated one.

    Independent of the returns, so `consolidate` runs it while the validator works.
    """
    from barometro.workbook_templates.builder import build_book

    stamp = timestamp.isoformat(timespec="seconds")
    return build_book(plan, settings, "master", generated_at=stamp)


def write_workbook(result: ConsolidationResult, target: Path, base: Workbook | None = None) -> None:
    """Write the consolidated workbook to `target` (a temporary path the caller moves into place).

    `base` is the workbook `build_base` made for the same plan and settings (it is
    modified and saved); built here when None.
    """
    from openpyxl.comments import Comment

    run = result.run
    wb = base if base is not None else build_base(result.plan, result.settings, run.timestamp)
    st = _styles()
    from openpyxl.styles import PatternFill

    error_fill = PatternFill("solid", fgColor="F4CCCC")
    missing_fill = PatternFill("solid", fgColor="FCE4D6")
    layout = spec.build_layout(result.plan, result.settings, "master")
    actual_col = spec.COL["actual"].letter
    rows = {r.indicator.id: r for r in result.merge.rows}
    for block in layout.blocks:
        ws = wb[block.sheet_name]
        for offset, ind in enumerate(block.indicators):
            row = spec.FIRST_ROW + offset
            merged = rows[ind.id]
            a = ws[f"{actual_col}{row}"]
            if merged.state.returned:
                write_input(ws, row, merged.actual, merged.note)
                if merged.state is RowState.RETURNED_WITH_ERRORS:
                    a.fill = error_fill
                    a.comment = Comment(t("wb.comment_with_errors", file=merged.source), "Barometro")
            else:
                a.value = None
                a.fill = missing_fill
                a.comment = Comment(t("row_state." + merged.state.value) + f" — {merged.indicator.sector}",
                                    "Barometro")
    if spec.INSTRUCTIONS_SHEET in wb.sheetnames:
        del wb[spec.INSTRUCTIONS_SHEET]
    summary = wb[spec.SUMMARY_SHEET]
    summary["A1"] = t("wb.summary_title", report=report_title(result.plan.period, result.plan.year),
                      ente=result.plan.ente)
    _state_banner(summary, result, st)
    _results_sheet(wb.create_sheet(t("wb.sheet.owners")), result, st, "owner")
    _results_sheet(wb.create_sheet(t("wb.sheet.sector_results")), result, st, "sector")
    _sectors_sheet(wb.create_sheet(t("wb.sheet.sectors")), result, st)
    _provenance_sheet(wb.create_sheet(t("wb.sheet.provenance")), result, st)
    _checks_sheet(wb.create_sheet(t("wb.sheet.checks")), result, st)
    _sources_sheet(wb.create_sheet(t("wb.sheet.sources")), result, st)
    # The metadata sheet stays last (very hidden); Riepilogo first.
    meta = wb[spec.META_SHEET]
    wb.move_sheet(meta, offset=len(wb.sheetnames) - 1 - wb.sheetnames.index(spec.META_SHEET))
    wb.active = wb.sheetnames.index(spec.SUMMARY_SHEET)
    wb.properties.title = t("wb.summary_title", report=report_title(result.plan.period, result.plan.year),
                            ente=result.plan.ente)
    wb.save(target)
    finalise_xlsx(target, expected_values(result, layout), run.timestamp)


# --------------------------------------------------------------------------- helpers


def _state_banner(ws, result: ConsolidationResult, st) -> None:
    """Row 4 of the first sheet says whether the consolidation is complete or provisional."""
    from openpyxl.styles import Font, PatternFill

    merge = result.merge
    missing = merge.missing
    if merge.used_files == 0:
        message, fill = t("wb.nothing_usable"), "F4CCCC"
    elif missing:
        sectors = {r.indicator.sector for r in missing}
        message, fill = t("wb.provisional", indicators=len(missing), sectors=len(sectors)), "FCE4D6"
    else:
        message, fill = t("wb.complete"), "E2EFDA"
    cell = set_literal(ws["A4"], message)
    cell.font = Font(name=st.FONT, bold=True, size=11, color="9C0006" if missing else "375623")
    cell.fill = PatternFill("solid", fgColor=fill)
    cell.alignment = st.WRAP_CENTER
    ws.merge_cells("A4:G4")
    ws.row_dimensions[4].height = 32


def _header(ws, row: int, labels: list[str], st, widths: list[float]) -> None:
    """A table's header row, and the widths of its columns (which `_table` sizes rows by)."""
    from openpyxl.utils import get_column_letter

    for col, label in enumerate(labels, start=1):
        cell = ws.cell(row=row, column=col, value=label)
        cell.font, cell.fill, cell.alignment, cell.border = st.HEADER_FONT, st.HEADER_FILL, st.HEADER_ALIGN, st.BORDER
    for col, width in enumerate(widths, start=1):
        ws.column_dimensions[get_column_letter(col)].width = width
    ws.row_dimensions[row].height = st.row_height(list(zip(labels, widths, strict=False)))


def _table(ws, first_row: int, rows: list[list[object]], st, date_cols: tuple[int, ...] = ()) -> int:
    """Write `rows` from `first_row` under a `_header`, each row as tall as its longest wrapped
    text in the header's column widths (LibreOffice keeps the default height on opening);
    returns the next free row.

    Styles are set once on a model cell and their index array copied to every
    other cell: assigning style objects cell by cell costs openpyxl a hash of
    each object (minutes on thousands of rows).
    """
    from copy import copy

    from openpyxl.utils import get_column_letter

    widths = [ws.column_dimensions[get_column_letter(col)].width for col in range(1, len(rows[0]) + 1)] if rows else []
    model = ws.cell(row=first_row, column=1)
    model.border, model.alignment = st.BORDER, st.WRAP_TOP
    plain = copy(model._style)
    model.number_format = "dd/mm/yyyy hh:mm:ss"
    dated = copy(model._style)
    r = first_row
    for values in rows:
        for col, value in enumerate(values, start=1):
            cell = set_literal(ws.cell(row=r, column=col), value)  # what came from a file stays text
            is_date = col in date_cols and isinstance(value, datetime)
            cell._style = copy(dated if is_date else plain)
        ws.row_dimensions[r].height = st.row_height(
            [(value, width) for value, width in zip(values, widths, strict=False) if isinstance(value, str)])
        r += 1
    if not rows:
        model._style = copy(plain)
    return r


def _yes_no(value: bool | None) -> str:
    if value is None:
        return "—"
    return t("wb.yes") if value else t("wb.no")


def _status_text(status: Status | None) -> str:
    return text(f"validators.status.{status.value}") if status is not None else "—"


# --------------------------------------------------------------------------- sheets


def _sectors_sheet(ws, result: ConsolidationResult, st) -> None:
    run, merge = result.run, result.merge
    ws["A1"] = t("wb.sectors_title", year=result.plan.year)
    ws["A1"].font = st.TITLE_FONT
    ws["A2"] = t("wb.deadline", deadline=run.deadline) if run.deadline else t("wb.no_deadline")
    ws["A2"].font = st.METHOD_FONT
    labels = [t(f"wb.col.{k}") for k in (
        "sector", "expected", "returned", "state", "used_file", "validation", "errors", "warnings",
        "on_time", "file_time", "all_files")]
    widths = [40, 10, 10, 24, 30, 12, 9, 9, 12, 19, 40]
    _header(ws, 4, labels, st, widths)
    facts = {o.source.name: o.source.facts for o in merge.files}
    rows = []
    for s in merge.sectors:
        f = facts.get(s.used_file)
        rows.append([
            s.sector, s.expected, s.returned, t("sector_state." + s.state), s.used_file or "—",
            _status_text(s.status), s.errors, s.warnings, _yes_no(s.on_time),
            f.mtime if f is not None else "—", ", ".join(s.files) or "—",
        ])
    _table(ws, 5, rows, st, date_cols=(10,))
    ws.freeze_panes = "A5"
    st.print_setup(ws, "4:4", title_cols="A:A")


def _results_sheet(ws, result: ConsolidationResult, st, by: str) -> None:
    """Per manager (or sector): their objectives, weights, % and the result (after the bands)."""
    from openpyxl.styles import Font

    from barometro.scoring import group_results
    from barometro.settings import BandLevel

    settings = result.settings
    ws["A1"] = t("results.owners_title" if by == "owner" else "results.sectors_title")
    ws["A1"].font = st.TITLE_FONT
    set_literal(ws["A2"], settings.describe_results()).font = st.METHOD_FONT
    bands = settings.band_level is not BandLevel.NONE
    per_objective = settings.band_level is BandLevel.OBJECTIVE
    keys = [by, "objective_id", "objective", "line", "score", "weight"] + (["payout"] if bands else [])
    widths = [34, 12, 50, 22, 12, 12, 12][: len(keys)]
    _header(ws, 4, [t(f"results.col.{k}") for k in keys], st, widths)
    lines = {ln.id: ln.sheet_name for ln in result.plan.lines}
    rows: list[list[object]] = []
    totals: list[int] = []
    for g in group_results(result.plan, result.scores, settings, by=by):
        for o in g.objectives:
            row = [g.name, o.objective_id, o.title, lines.get(o.line_id, o.line_id), o.score, o.weight]
            rows.append(row + ([o.payout if per_objective else None] if bands else []))
        # the total: the mean of the objectives' %, and (with bands) what the evaluation uses
        rows.append([g.name, None, t("results.total"), None, g.score, 100.0 if g.objectives else None]
                    + ([g.result] if bands else []))
        totals.append(5 + len(rows) - 1)
    _table(ws, 5, rows, st)
    score_col = "E"
    payout_col = "G" if bands else None
    looks: dict = {}
    for r in range(5, 5 + len(rows)):
        for col in (score_col, "F", payout_col):
            if col:
                st.style_like(ws[f"{col}{r}"], "percent", looks,
                              lambda c: setattr(c, "number_format", '[$-410]0.00" %"'))
    bold = Font(name=st.FONT, bold=True)
    for r in totals:
        for col in "ABCDEFG"[: len(keys)]:
            st.style_like(ws[f"{col}{r}"], "bold", looks, lambda c: setattr(c, "font", bold))
    ws.freeze_panes = "A5"
    ws.auto_filter.ref = f"A4:{'ABCDEFG'[len(keys) - 1]}{4 + len(rows)}"
    st.print_setup(ws, "4:4")


def _provenance_sheet(ws, result: ConsolidationResult, st) -> None:
    ws["A1"] = t("wb.provenance_title")
    ws["A1"].font = st.TITLE_FONT
    labels = [t(f"wb.col.{k}") for k in (
        "indicator_id", "line", "objective", "sector", "indicator", "row_state", "actual", "note",
        "file", "source_cell", "reason")]
    widths = [13, 16, 40, 34, 40, 26, 14, 40, 28, 16, 30]
    _header(ws, 3, labels, st, widths)
    sheet_of = {ln.id: ln.sheet_name for ln in result.plan.lines}
    rows = []
    for r in result.merge.rows:
        ind = r.indicator
        rows.append([
            ind.id, sheet_of.get(ind.line_id, ind.line_id), ind.objective, ind.sector, ind.indicator,
            t("row_state." + r.state.value), r.actual if r.state.returned else None,
            r.note if r.state.returned else None, r.source or None, r.source_cell or None, r.reason or None,
        ])
    _table(ws, 4, rows, st)
    ws.freeze_panes = "B4"
    ws.auto_filter.ref = f"A3:K{3 + len(rows)}"
    st.print_setup(ws, "3:3", title_cols="A:A")


def _checks_sheet(ws, result: ConsolidationResult, st) -> None:
    merge = result.merge
    ws["A1"] = t("wb.checks_title")
    ws["A1"].font = st.TITLE_FONT
    ws["A3"] = t("wb.issues_title")
    ws["A3"].font = st.SUBTITLE_FONT
    widths = [48, 30, 30, 12, 14, 10, 60, 40]
    _header(ws, 4, [t(f"wb.col.{k}") for k in ("issue", "sector", "file", "indicator_id", "detail")], st, widths)
    rows = []
    for issue in merge.issues:
        rows.append([issue.message, issue.sector or "—", issue.file or "—", issue.indicator_id or None,
                     issue.where or None])
    if not rows:
        rows.append([t("wb.no_issues"), None, None, None, None])
    r = _table(ws, 5, rows, st) + 1
    ws.cell(row=r, column=1, value=t("wb.findings_title")).font = st.SUBTITLE_FONT
    _header(ws, r + 1, [t(f"wb.col.{k}") for k in (
        "file", "decision", "code", "severity", "sheet", "cell", "message", "hint")], st, widths)
    rows = []
    for outcome in merge.files:
        for f in outcome.source.findings:
            rows.append([outcome.source.name, t("decision." + outcome.decision.value), f.code,
                         f.severity.label(), f.sheet or None, f.cell or None, f.message, f.hint or None])
    if not rows:
        rows.append([t("wb.no_findings"), None, None, None, None, None, None, None])
    _table(ws, r + 2, rows, st)
    st.print_setup(ws, None)


def _sources_sheet(ws, result: ConsolidationResult, st) -> None:
    run, settings = result.run, result.settings
    ws["A1"] = t("wb.sources_title")
    ws["A1"].font = st.TITLE_FONT
    master = run.master
    widths = [34, 50, 66, 12, 19, 12, 36, 40]
    info = [
        (t("wb.src.when"), run.timestamp),
        (t("wb.src.tool"), f"Barometro {run.tool_version}"),
        (t("wb.src.settings_name"), settings.name),
        (t("wb.src.settings_fingerprint"), settings.fingerprint()),
        (t("wb.src.method"), settings.describe_it()),
        (t("wb.src.settings_json"), json.dumps(settings.to_dict(), sort_keys=True, ensure_ascii=False)),
        (t("wb.src.master"), master.name if master else "—"),
        (t("wb.src.master_sha"), master.sha256 if master else "—"),
        (t("wb.src.deadline"), run.deadline or "—"),
        (t("wb.src.include_errors"), t("wb.yes") if run.include_errors else t("wb.no")),
        (t("wb.src.prefer"), ", ".join(run.preferred) or "—"),
        (t("wb.src.files"), len(result.merge.files)),
    ]
    r = 3
    for label, value in info:
        ws.cell(row=r, column=1, value=label).font = st.SUBTITLE_FONT
        cell = set_literal(ws.cell(row=r, column=2), value)
        cell.alignment = st.WRAP_TOP
        if isinstance(value, datetime):
            cell.number_format = "dd/mm/yyyy hh:mm:ss"
        ws.row_dimensions[r].height = st.row_height([(label, widths[0]), (str(value), widths[1])])
        r += 1
    r += 1
    labels = [t(f"wb.col.{k}") for k in (
        "file", "path", "sha256", "size", "file_time", "validation", "sector", "decision")]
    _header(ws, r, labels, st, widths)
    rows = []
    for outcome in result.merge.files:
        src = outcome.source
        f = src.facts
        rows.append([
            src.name, display_name(f.path) if f else None, f.sha256 if f else None, f.size if f else None,
            f.mtime if f else None, _status_text(src.status), src.sector or None,
            t("decision." + outcome.decision.value) + (f" ({outcome.detail})" if outcome.detail else ""),
        ])
    _table(ws, r + 1, rows, st, date_cols=(5,))
    st.print_setup(ws, None)
