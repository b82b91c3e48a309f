"""Build the master workbook and the sector workbooks from a plan.

Everything computed is a native formula taken verbatim from
`spec.Layout.expected_formulas()`; no cached value is written (openpyxl writes
none), so Excel computes on open (`fullCalcOnLoad`) and LibreOffice computes the
cells that have no value.
"""

from __future__ import annotations

import json
import re
import unicodedata
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from openpyxl import Workbook
from openpyxl.comments import Comment
from openpyxl.formatting.rule import FormulaRule, IconSetRule
from openpyxl.packaging.custom import StringProperty
from openpyxl.utils import get_column_letter
from openpyxl.workbook.protection import WorkbookProtection
from openpyxl.worksheet.datavalidation import DataValidation
from openpyxl.worksheet.worksheet import Worksheet

from barometro import __version__
from barometro.atomic import atomic_path
from barometro.messages import text
from barometro.model import NEUTRALISED_MARK, Indicator, Plan
from barometro.period import report_title
from barometro.settings import Settings

from . import spec
from . import styles as st
from .instructions import write_instructions
from .literal import set_literal
from .plan_checks import PlanProblem, check_plan

SUMMARY_WIDTHS = (34.0, 16.0, 36.0, 22.0, 20.0, 12.0, 10.0)  # Riepilogo A-G: one A4 page wide at 80 %
WRAP_KEYS = ("owner", "sector", "objective", "definition", "indicator", "formula_text", "purpose", "note")
NUMBER_KEYS = ("target", "actual", "deviation")


class BuildError(ValueError):
    """A plan that cannot be turned into a workbook (the message says why)."""


@dataclass(frozen=True)
class BuildResult:
    master: Path
    sectors: dict[str, Path]
    problems: list[PlanProblem]


# --------------------------------------------------------------------------- helpers


def sector_slug(sector: str) -> str:
    """File-name slug of a sector: ascii, lower case, words joined by '-'."""
    ascii_text = unicodedata.normalize("NFKD", sector).encode("ascii", "ignore").decode()
    slug = re.sub(r"[^a-z0-9]+", "-", ascii_text.lower()).strip("-")
    return slug[:60].strip("-") or "settore"


def _put(ws: Worksheet, ref: str, value: object):
    """Write a constant: text stays text, never a formula."""
    return set_literal(ws[ref], value)


def _protect(ws: Worksheet, password: str | None = None) -> None:
    """Sheet protection on; staff may still select cells and resize columns/rows."""
    p = ws.protection
    p.sheet = True
    p.selectLockedCells = False
    p.selectUnlockedCells = False
    p.formatColumns = False
    p.formatRows = False
    if password:
        p.password = password


def _icon_rule(settings: Settings) -> IconSetRule:
    return IconSetRule(
        "3TrafficLights1", "num", [0, settings.gauge_yellow, settings.gauge_green], showValue=False
    )


def _gauge_fill_rules(cell: str, settings: Settings) -> list[tuple[str, object]]:
    """The light's bands as cell fills (the same thresholds as the icons and `scoring.gauge`);
    an empty cell (no actual yet) stays untinted."""
    green, yellow = settings.gauge_green, settings.gauge_yellow
    return [
        (f"AND(ISNUMBER({cell}),{cell}>={green})", st.GAUGE_FILLS["verde"]),
        (f"AND(ISNUMBER({cell}),{cell}>={yellow},{cell}<{green})", st.GAUGE_FILLS["giallo"]),
        (f"AND(ISNUMBER({cell}),{cell}<{yellow})", st.GAUGE_FILLS["rosso"]),
    ]


# --------------------------------------------------------------------------- line sheets


def _number_widths(block: spec.SheetBlock) -> float:
    widest = max((st.formatted_width(ind.target) for ind in block.indicators), default=0)
    return widest + 3.0


def _visible_width(widths: dict[str, float], collapsed: bool) -> dict[str, float]:
    return {k: w for k, w in widths.items() if not (collapsed and k in spec.COLLAPSIBLE_KEYS)}


def _style_data_cell(cell, col: spec.Column) -> None:  # noqa: ANN001 - an openpyxl cell
    """The look of a data row's cell in `col`: font, border, alignment, format, fill, lock."""
    cell.font = st.BODY_FONT
    cell.border = st.BORDER
    if col.key in WRAP_KEYS:
        cell.alignment = st.WRAP_TOP
    elif col.key == "gauge":
        cell.alignment = st.CENTER_MIDDLE  # the light in the middle of its row
    elif col.key in ("kind", "polarity", "neutralised"):
        cell.alignment = st.CENTER_TOP
    else:
        cell.alignment = st.TOP
    if col.key in NUMBER_KEYS or col.key == "previous_actual":
        cell.number_format = spec.FMT_QUANTITY  # target, actual, deviation: one format
    elif col.key in ("achievement", "gauge"):
        cell.number_format = spec.FMT_ACHIEVEMENT
    elif col.key == "points":
        cell.number_format = st.FMT_POINTS
    if col.role is spec.Role.INPUT:
        cell.protection = st.UNLOCKED
        cell.fill = st.INPUT_FILL
        cell.number_format = spec.input_format(col.key)
    elif col.role is spec.Role.COMPUTED:
        cell.fill = st.COMPUTED_FILL
    elif col.role in (spec.Role.TECHNICAL, spec.Role.TECHNICAL_COMPUTED, spec.Role.REFERENCE):
        cell.fill = st.TECH_FILL


def _write_line_sheet(ws: Worksheet, layout: spec.Layout, block: spec.SheetBlock,
                      formulas: dict[tuple[str, str], str]) -> None:
    settings, plan = layout.settings, layout.plan
    collapsed = layout.scope == "settore"  # sector files open with the long texts folded away
    _put(ws, "A1", text("template.title", report=report_title(plan.period, plan.year),
                        title=block.line.title)).font = st.TITLE_FONT
    _put(ws, spec.LINE_PCT_LABEL_CELL, text("template.line_pct_label")).font = st.SUBTITLE_FONT
    pct = ws[spec.LINE_PCT_CELL]
    pct.value = formulas[(block.sheet_name, spec.LINE_PCT_CELL)]
    pct.number_format = st.FMT_PERCENT
    pct.font = st.PCT_FONT
    method = _put(ws, f"A{spec.METHOD_ROW}", settings.describe_it())
    method.font, method.alignment = st.METHOD_FONT, st.WRAP_CENTER
    ws.merge_cells(f"A{spec.METHOD_ROW}:{spec.COL['gauge'].letter}{spec.METHOD_ROW}")
    ws.row_dimensions[spec.METHOD_ROW].height = 26
    first_tech = spec.TECHNICAL_COLUMNS[0].letter
    _put(ws, f"{first_tech}{spec.HEADER_ROW - 1}", text("template.technical_note")).font = st.TECH_NOTE_FONT
    if collapsed:
        _put(ws, f"{spec.COL['indicator'].letter}{spec.HEADER_ROW - 1}",
             text("template.collapsed_note")).font = st.TECH_NOTE_FONT
    reference = spec.REFERENCE_COLUMNS[0].letter
    _put(ws, f"{reference}{spec.HEADER_ROW - 1}",
         plan.reference or text("template.no_reference")).font = st.TECH_NOTE_FONT

    widths = {c.key: float(c.width) for c in spec.COLUMNS}
    number_width = _number_widths(block)
    for key in NUMBER_KEYS:
        widths[key] = max(widths[key], number_width)

    for col in spec.COLUMNS:
        cell = _put(ws, f"{col.letter}{spec.HEADER_ROW}", col.header)
        technical = col.role in (spec.Role.TECHNICAL, spec.Role.TECHNICAL_COMPUTED, spec.Role.REFERENCE)
        cell.font = st.TECH_HEADER_FONT if technical else st.HEADER_FONT
        cell.fill = st.TECH_HEADER_FILL if technical else st.HEADER_FILL
        cell.alignment = st.HEADER_ALIGN
        cell.border = st.BORDER
        if technical:
            cell.comment = Comment(text("template.technical_header_comment"), "Barometro")
        dim = ws.column_dimensions[col.letter]
        dim.width = widths[col.key]
        if col.key in spec.COLLAPSIBLE_KEYS:
            dim.outlineLevel = 1
            dim.hidden = collapsed
    ws.sheet_properties.outlinePr.summaryRight = False  # the [+] sits beside the folded column
    ws.row_dimensions[spec.HEADER_ROW].height = st.HEADER_HEIGHT_POINTS
    shown = _visible_width(widths, collapsed)

    looks: dict = {}  # every data row of a column looks the same: styled once, then copied
    for offset, ind in enumerate(block.indicators):
        row = spec.FIRST_ROW + offset
        for col in spec.COLUMNS:
            ref = f"{col.letter}{row}"
            if col.role in (spec.Role.COMPUTED, spec.Role.TECHNICAL_COMPUTED):
                cell = ws[ref]
                cell.value = formulas[(block.sheet_name, ref)]
            else:
                cell = _put(ws, ref, spec.template_value(ind, col.key))
            st.style_like(cell, col.key, looks, lambda c, col=col: _style_data_cell(c, col))
        ws.row_dimensions[row].height = st.row_height(
            [(str(spec.template_value(ind, k) or ""), shown[k]) for k in WRAP_KEYS if k in shown],
            cap=st.MAX_DATA_ROW_POINTS,
        )

    last = block.last_row
    _add_input_validation(ws, block)
    gauge = spec.COL["gauge"].letter
    gauge_range = f"{gauge}{spec.FIRST_ROW}:{gauge}{last}"
    ws.conditional_formatting.add(gauge_range, _icon_rule(settings))
    for formula, fill in _gauge_fill_rules(f"{gauge}{spec.FIRST_ROW}", settings):
        ws.conditional_formatting.add(gauge_range, FormulaRule(formula=[formula], fill=fill))
    note, m, s = spec.COL["note"].letter, spec.COL["achievement"].letter, spec.COL["neutralised"].letter
    r = spec.FIRST_ROW
    missing_note = (
        f'AND(LEN(TRIM({note}{r}))=0,OR({s}{r}="{NEUTRALISED_MARK}",AND(ISNUMBER({m}{r}),{m}{r}<100)))'
    )
    ws.conditional_formatting.add(
        f"{note}{r}:{note}{last}", FormulaRule(formula=[missing_note], fill=st.MISSING_NOTE_FILL)
    )
    # The identifying columns and the header stay in view; the cursor waits on the first actual.
    ws.freeze_panes = spec.FREEZE_CELL
    first_actual = f"{spec.COL['actual'].letter}{spec.FIRST_ROW}"
    for selection in ws.sheet_view.selection:
        selection.activeCell, selection.sqref = first_actual, first_actual
    st.print_setup(ws, f"{spec.HEADER_ROW}:{spec.HEADER_ROW}", f"A1:{spec.COL['gauge'].letter}{last}",
                   title_cols=spec.PRINT_TITLE_COLUMNS)
    _protect(ws)


def _validation(rule: spec.InputRule, cells: str) -> DataValidation:
    prompt_key = {"binary": "template.dv_actual_binary", "note": "template.dv_note_prompt"}.get(
        rule.kind, "template.dv_actual_number")
    error_key = {"binary": "template.dv_actual_binary_error", "note": "template.dv_note_error",
                 "number_no_fraction": "template.dv_actual_percent_error"}.get(
        rule.kind, "template.dv_actual_number_error")
    title_key = "template.dv_note_title" if rule.kind == "note" else "template.dv_actual_title"
    error_title_key = "template.dv_note_error_title" if rule.kind == "note" else "template.dv_actual_error_title"
    dv = DataValidation(
        type=rule.type, operator=None if rule.type == "custom" else rule.operator,
        formula1=rule.formula1, formula2=rule.formula2 or None, allow_blank=True,
        showInputMessage=True, showErrorMessage=True, errorStyle="stop",
        promptTitle=text(title_key)[:32], prompt=text(prompt_key)[:255],
        errorTitle=text(error_title_key)[:32], error=text(error_key)[:255],
    )
    dv.add(cells)
    return dv


def _add_input_validation(ws: Worksheet, block: spec.SheetBlock) -> None:
    """One rule per actual cell (a custom rule's formula is relative to its own cell), one for
    the notes; the rules come from `spec`, which the validator checks them against."""
    actual, note = spec.COL["actual"].letter, spec.COL["note"].letter
    for offset, ind in enumerate(block.indicators):
        row = spec.FIRST_ROW + offset
        ws.add_data_validation(_validation(spec.actual_rule(ind, row), f"{actual}{row}"))
    ws.add_data_validation(_validation(spec.note_rule(), f"{note}{spec.FIRST_ROW}:{note}{block.last_row}"))


# --------------------------------------------------------------------------- Riepilogo


def _write_summary(ws: Worksheet, layout: spec.Layout, formulas: dict[tuple[str, str], str]) -> None:
    plan, settings = layout.plan, layout.settings
    name = spec.SUMMARY_SHEET
    if layout.scope == "settore":
        title = text("template.summary_sector_title", report=report_title(plan.period, plan.year), ente=plan.ente,
                     sector=layout.sector)
    else:
        title = text("template.summary_title", report=report_title(plan.period, plan.year), ente=plan.ente)
    _put(ws, "A1", title).font = st.TITLE_FONT
    _put(ws, f"A{spec.SUMMARY_ENTE_ROW_LABEL}", plan.ente).font = st.SUBTITLE_FONT
    _put(ws, f"A{spec.SUMMARY_METHOD_ROW}", settings.describe_it()).font = st.METHOD_FONT

    def header(row: int, labels: tuple[str, ...]) -> None:
        for i, label in enumerate(labels, start=1):
            cell = _put(ws, f"{get_column_letter(i)}{row}", label)
            cell.font, cell.fill, cell.alignment, cell.border = (
                st.HEADER_FONT, st.HEADER_FILL, st.HEADER_ALIGN, st.BORDER)

    header(spec.SUMMARY_LINES_HEADER_ROW, spec.SUMMARY_LINES_HEADERS)
    objectives_of_line: dict[str, set[str]] = {}
    for b in layout.blocks:
        objectives_of_line[b.line.id] = {i.objective_id for i in b.indicators}
    for b in layout.blocks:
        row = layout.line_rows[b.line.id]
        _put(ws, f"A{row}", b.line.title)
        _put(ws, f"B{row}", b.sheet_name)
        _put(ws, f"D{row}", len(b.indicators))
        _put(ws, f"E{row}", len(objectives_of_line[b.line.id]))
    row = layout.ente_row
    label = "template.ente_row_label" if layout.scope == "master" else "template.sector_total_label"
    _put(ws, f"A{row}", text(label)).font = st.SUBTITLE_FONT
    _put(ws, f"D{row}", sum(len(b.indicators) for b in layout.blocks))
    _put(ws, f"E{row}", len(layout.objective_rows))
    for r in [*layout.line_rows.values(), layout.ente_row]:
        for letter in "ABCDEF":
            ws[f"{letter}{r}"].border = st.BORDER
        ws[f"A{r}"].alignment = st.WRAP_TOP
        ws.row_dimensions[r].height = st.row_height([(str(ws[f"A{r}"].value or ""), SUMMARY_WIDTHS[0])])

    obj_header = spec.objectives_header_row(layout)
    header(obj_header, spec.SUMMARY_OBJECTIVES_HEADERS)
    first_ind: dict[str, Indicator] = {}
    for b in layout.blocks:
        for ind in b.indicators:
            first_ind.setdefault(ind.objective_id, ind)
    for oid, r in layout.objective_rows.items():
        ind = first_ind[oid]
        line = plan.line(layout.objective_line[oid])
        _put(ws, f"A{r}", line.sheet_name)
        _put(ws, f"B{r}", oid)
        _put(ws, f"C{r}", ind.objective)
        _put(ws, f"D{r}", ind.sector)
        _put(ws, f"E{r}", ind.owner)
        for letter in "ABCDEFG":
            ws[f"{letter}{r}"].border = st.BORDER
            ws[f"{letter}{r}"].alignment = st.WRAP_TOP
        ws.row_dimensions[r].height = st.row_height(
            [(ind.objective, SUMMARY_WIDTHS[2]), (ind.sector, SUMMARY_WIDTHS[3]), (ind.owner, SUMMARY_WIDTHS[4])])

    for (sheet, ref), formula in formulas.items():
        if sheet != name:
            continue
        cell = ws[ref]
        cell.value = formula
        cell.number_format = st.FMT_PERCENT
        cell.border = st.BORDER
    gauge_cells = [f"F{r}" for r in [*layout.line_rows.values(), layout.ente_row]]
    gauge_cells += [f"G{r}" for r in layout.objective_rows.values()]
    ws.conditional_formatting.add(" ".join(gauge_cells), _icon_rule(settings))

    last = max([layout.ente_row, *layout.objective_rows.values()])
    r = last + 2
    _put(ws, f"A{r}", text("template.method_title")).font = st.SUBTITLE_FONT
    method_lines = [
        settings.describe_it(),
        text("template.method_row", lower=text(f"method.lower.{settings.lower_formula.value}")),
        text("template.method_objective"),
        text("template.method_gauge", green=settings.gauge_green, yellow=settings.gauge_yellow),
    ]
    for line_text in method_lines:
        r += 1
        _put(ws, f"A{r}", line_text).alignment = st.WRAP_TOP
        ws.merge_cells(f"A{r}:G{r}")
        ws.row_dimensions[r].height = st.row_height([(line_text, sum(SUMMARY_WIDTHS))])
    for letter, width in zip("ABCDEFG", SUMMARY_WIDTHS, strict=True):
        ws.column_dimensions[letter].width = width
    ws.freeze_panes = f"A{spec.SUMMARY_LINES_HEADER_ROW + 1}"
    st.print_setup(ws, f"{spec.SUMMARY_LINES_HEADER_ROW}:{spec.SUMMARY_LINES_HEADER_ROW}", None)
    _protect(ws)


# --------------------------------------------------------------------------- metadata


def metadata(layout: spec.Layout, generated_at: str) -> dict[str, str]:
    settings = layout.settings
    return {
        "template_id": spec.TEMPLATE_ID,
        "spec_version": spec.SPEC_VERSION,
        "scope": layout.scope,
        "sector": layout.sector or "",
        "ente": layout.plan.ente,
        "year": str(layout.plan.year),
        "period": layout.plan.period,
        "reference": layout.plan.reference,
        "plan_fingerprint": spec.plan_fingerprint(layout.plan),
        "settings_name": settings.name,
        "settings_fingerprint": settings.fingerprint(),
        "settings_json": json.dumps(settings.to_dict(), sort_keys=True),
        "generated_at": generated_at,
        "barometro_version": __version__,
    }


def _write_metadata(ws: Worksheet, layout: spec.Layout, meta: dict[str, str]) -> None:
    rows: list[tuple[str, str]] = [(k, meta[k]) for k in spec.META_KEYS]
    where: dict[str, str] = {}
    for b in layout.blocks:
        for offset, ind in enumerate(b.indicators):
            where[ind.id] = f"{b.sheet_name}!{spec.FIRST_ROW + offset}"
    for ind in layout.plan.indicators:  # plan order, so that a reader rebuilds the same plan
        rows.append((f"{spec.META_INDICATOR_PREFIX}{ind.id}", where[ind.id]))
    for line in layout.plan.lines:
        value = json.dumps([line.sheet_name, line.title, line.published_pct], ensure_ascii=False)
        rows.append((f"{spec.META_LINE_PREFIX}{line.id}", value))
    for r, (key, value) in enumerate(rows, start=1):
        _put(ws, f"A{r}", key)
        _put(ws, f"B{r}", value)
    ws.sheet_state = "veryHidden"
    _protect(ws)


# --------------------------------------------------------------------------- public API


def _check_sheet_names(layout: spec.Layout) -> None:
    seen: set[str] = set()
    for b in layout.blocks:
        name = b.sheet_name
        if spec.safe_sheet_name(name, seen) != name:
            raise BuildError(f"invalid or repeated sheet name for line {b.line.id}: {name!r}")
        seen.add(name)


def build_workbook(
    plan: Plan,
    settings: Settings,
    path: str | Path,
    scope: str = "master",
    sector: str | None = None,
    *,
    generated_at: str | None = None,
) -> Path:
    """Write the master (whole plan) or one sector's workbook to `path` (atomically)."""
    wb = build_book(plan, settings, scope, sector, generated_at=generated_at)
    path = Path(path)
    with atomic_path(path) as tmp:
        wb.save(tmp)
    return path


def build_book(
    plan: Plan,
    settings: Settings,
    scope: str = "master",
    sector: str | None = None,
    *,
    generated_at: str | None = None,
) -> Workbook:
    """The master or one sector's workbook as an openpyxl `Workbook`, not yet saved
    (consolidation adds its sheets to it without a save and reload)."""
    layout = spec.build_layout(plan, settings, scope, sector)
    if not layout.blocks:
        raise BuildError("the plan has no indicators" + (f" for sector {sector!r}" if sector else ""))
    _check_sheet_names(layout)
    generated_at = generated_at or datetime.now(UTC).isoformat(timespec="seconds")
    formulas = layout.expected_formulas()
    meta = metadata(layout, generated_at)

    wb = Workbook()
    instructions = wb.active
    instructions.title = spec.INSTRUCTIONS_SHEET
    write_instructions(instructions, layout)
    _protect(instructions)
    _write_summary(wb.create_sheet(spec.SUMMARY_SHEET), layout, formulas)
    for block in layout.blocks:
        _write_line_sheet(wb.create_sheet(block.sheet_name), layout, block, formulas)
    _write_metadata(wb.create_sheet(spec.META_SHEET), layout, meta)
    wb.active = 0
    wb.security = WorkbookProtection(lockStructure=True)
    wb.calculation.fullCalcOnLoad = True
    wb.properties.creator = "Barometro"
    wb.properties.title = text("template.summary_title", report=report_title(plan.period, plan.year), ente=plan.ente)
    for key in ("template_id", "spec_version", "year", "scope", "sector", "plan_fingerprint"):
        wb.custom_doc_props.append(StringProperty(name=f"barometro_{key}", value=meta[key] or "-"))
    return wb


def build_templates(
    plan: Plan, settings: Settings, outdir: str | Path, *, generated_at: str | None = None
) -> BuildResult:
    """`OUTDIR/master.xlsx` and `OUTDIR/settori/<slug>.xlsx` for every sector of the plan."""
    outdir = Path(outdir)
    generated_at = generated_at or datetime.now(UTC).isoformat(timespec="seconds")
    problems = check_plan(plan)
    master = build_workbook(plan, settings, outdir / "master.xlsx", generated_at=generated_at)
    sectors: dict[str, Path] = {}
    taken: set[str] = set()
    for sector in plan.sectors():
        slug, n = sector_slug(sector), 2
        base = slug
        while slug in taken:
            slug, n = f"{base}-{n}", n + 1
        taken.add(slug)
        sectors[sector] = build_workbook(
            plan, settings, outdir / "settori" / f"{slug}.xlsx", "settore", sector, generated_at=generated_at
        )
    return BuildResult(master, sectors, problems)

