"""The plan workbook: the office's editable list of lines and indicators.

`write_plan(plan, path, issues=())` writes it; `read_plan(path)` reads it back,
accepting the office's edits (numbers typed as text, changed kinds) and
rejecting nonsense with a `PlanFormatError` that names every bad cell.

Sheets: `Piano` (one row per indicator), `Linee` (line id, title, sheet name,
published %), `Info` (ente, year), `Da verificare` (the import issues). The
headers are part of the file format and stay Italian in every language.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path

from barometro.atomic import atomic_path
from barometro.messages import Phrase, text
from barometro.model import NEUTRALISED_MARK, Indicator, Kind, Line, Plan, Polarity
from barometro.numbers import NumberIssue, parse_number
from barometro.period import PeriodError
from barometro.period import parse as parse_period
from barometro.workbook_templates import spec
from barometro.workbook_templates.literal import set_literal

SHEET_PLAN = "Piano"
SHEET_LINES = "Linee"
SHEET_INFO = "Info"
SHEET_ISSUES = "Da verificare"
TO_CONFIRM = "da confermare"
REFERENCE = "(riferimento)"
FORMAT_VERSION = "1"


@dataclass(frozen=True)
class PlanColumn:
    key: str  # Indicator field name (or a pseudo key)
    header: str  # Italian header written in row 1
    width: float
    wrap: bool = False


def plan_columns(year: int) -> tuple[PlanColumn, ...]:
    return (
        PlanColumn("line_id", "Linea", 8),
        PlanColumn("objective_id", "ID obiettivo", 12),
        PlanColumn("id", "ID indicatore", 14),
        PlanColumn("owner", "Responsabile", 22, True),
        PlanColumn("sector", "Settore", 28, True),
        PlanColumn("objective", "Obiettivo", 36, True),
        PlanColumn("definition", "Definizione", 50, True),
        PlanColumn("indicator", "Indicatore", 36, True),
        PlanColumn("formula_text", "Formula", 30, True),
        PlanColumn("purpose", "Finalità", 36, True),
        PlanColumn("target", "Target atteso", 13),
        PlanColumn("weight", "Peso", 7),
        PlanColumn("kind", "Tipo", 14),
        PlanColumn("polarity", "Polarità", 13),
        PlanColumn("neutralised", "Neutralizzato", 13),
        PlanColumn("kind_inferred", "Tipo dedotto?", 14),
        PlanColumn("polarity_inferred", "Polarità dedotta?", 16),
        # last year's values, kept for reference by `barometro rollover` (the sectors do not fill them)
        PlanColumn("previous_target", f"Target {year - 1} {REFERENCE}", 14),
        PlanColumn("previous_actual", f"Consuntivo {year - 1} {REFERENCE}", 14),
        PlanColumn("previous_achievement", f"% Ragg {year - 1} {REFERENCE}", 12),
        PlanColumn("actual", f"Consuntivo {year}", 14),
        PlanColumn("note", f"Note {year}", 36, True),
        PlanColumn("source_row", "Riga relazione", 10),
    )


# Columns whose header starts with the year: matched by prefix when reading.
_PREFIX_HEADERS = {"actual": "consuntivo", "note": "note"}
_OPTIONAL = {"kind_inferred", "polarity_inferred", "actual", "note", "source_row", "neutralised",
             "previous_target", "previous_actual", "previous_achievement"}
LINE_HEADERS = ("ID linea", "Titolo", "Foglio", "% pubblicata")
ISSUE_HEADERS = ("Gravità", "Riga", "Foglio", "Campo", "Codice", "Messaggio", "Valore dedotto o suggerito")


class PlanFormatError(ValueError):
    """A plan workbook that cannot be used; `problems` name each bad cell (catalogue phrases,
    rendered in the language asked: `render(lang)`, `errors` in the current one)."""

    def __init__(self, problems: Sequence[Phrase]) -> None:
        self.problems = list(problems)
        super().__init__(len(self.problems))

    @property
    def errors(self) -> list[str]:
        return [p.render() for p in self.problems]

    def render(self, lang: str | None = None) -> str:
        shown = self.problems[:25]
        more = len(self.problems) - len(shown)
        body = "\n".join(f"- {p.render(lang)}" for p in shown)
        if more > 0:
            body += "\n" + text("legacy.plan.more_errors", lang, count=more)
        return text("legacy.plan.invalid", lang, count=len(self.problems)) + "\n" + body

    def __str__(self) -> str:
        return self.render()


# --------------------------------------------------------------------------- writing


def _cell_value(ind: Indicator, key: str) -> object:
    if key in ("kind", "polarity", "neutralised"):
        return spec.template_value(ind, key)  # written as the templates write them
    if key == "kind_inferred":
        return TO_CONFIRM if ind.kind_inferred else None
    if key == "polarity_inferred":
        return TO_CONFIRM if ind.polarity_inferred else None
    value = getattr(ind, key)
    if isinstance(value, float) and value.is_integer():
        return int(value)
    return value if value != "" else None


def write_plan(plan: Plan, path: str | Path, issues: Iterable[object] = ()) -> Path:
    """Write the plan workbook atomically; returns the path written."""
    from openpyxl import Workbook
    from openpyxl.formatting.rule import FormulaRule
    from openpyxl.styles import Alignment, Font, PatternFill
    from openpyxl.utils import get_column_letter
    from openpyxl.worksheet.datavalidation import DataValidation

    path = Path(path)
    bold = Font(bold=True)
    head_fill = PatternFill("solid", fgColor="DDEBF7")
    guess_fill = PatternFill("solid", fgColor="FFF2CC")
    wrap = Alignment(wrap_text=True, vertical="top")
    top = Alignment(vertical="top")

    book = Workbook()
    ws = book.active
    ws.title = SHEET_PLAN
    columns = plan_columns(plan.year)
    for c, col in enumerate(columns, start=1):
        cell = ws.cell(row=1, column=c, value=col.header)
        cell.font, cell.fill = bold, head_fill
        cell.alignment = Alignment(wrap_text=True, vertical="center")
        ws.column_dimensions[get_column_letter(c)].width = col.width
    for r, ind in enumerate(plan.indicators, start=2):
        for c, col in enumerate(columns, start=1):
            cell = ws.cell(row=r, column=c)
            set_literal(cell, _cell_value(ind, col.key))
            cell.alignment = wrap if col.wrap else top
    ws.freeze_panes = "D2"
    last_row = max(2, len(plan.indicators) + 1)
    letter = {col.key: get_column_letter(i) for i, col in enumerate(columns, start=1)}
    ws.auto_filter.ref = f"A1:{get_column_letter(len(columns))}{last_row}"
    validations = (
        ("kind", f'"{Kind.BINARY.value},{Kind.QUANTITY.value}"', "legacy.plan.dv_kind"),
        ("polarity", f'"{Polarity.HIGHER.value},{Polarity.LOWER.value}"', "legacy.plan.dv_polarity"),
        ("neutralised", f'"{NEUTRALISED_MARK}"', "legacy.plan.dv_neutralised"),
        ("kind_inferred", f'"{TO_CONFIRM}"', "legacy.plan.dv_inferred"),
        ("polarity_inferred", f'"{TO_CONFIRM}"', "legacy.plan.dv_inferred"),
    )
    for key, formula, message_key in validations:
        dv = DataValidation(type="list", formula1=formula, allow_blank=True, showErrorMessage=True)
        dv.error = text(message_key)
        dv.errorTitle = text("legacy.plan.dv_title")
        dv.add(f"{letter[key]}2:{letter[key]}{max(last_row, 500)}")
        ws.add_data_validation(dv)
    for key, flag in (("kind", "kind_inferred"), ("polarity", "polarity_inferred")):
        ws.conditional_formatting.add(
            f"{letter[key]}2:{letter[key]}{max(last_row, 500)}",
            FormulaRule(formula=[f'${letter[flag]}2<>""'], fill=guess_fill),
        )
    for key in ("kind_inferred", "polarity_inferred"):
        ws.conditional_formatting.add(
            f"{letter[key]}2:{letter[key]}{max(last_row, 500)}",
            FormulaRule(formula=[f'{letter[key]}2<>""'], fill=guess_fill),
        )

    lines_ws = book.create_sheet(SHEET_LINES)
    for c, header in enumerate(LINE_HEADERS, start=1):
        cell = lines_ws.cell(row=1, column=c, value=header)
        cell.font, cell.fill = bold, head_fill
    for r, line in enumerate(plan.lines, start=2):
        for c, value in enumerate((line.id, line.title, line.sheet_name, line.published_pct), start=1):
            set_literal(lines_ws.cell(row=r, column=c), value)
    for c, width in enumerate((10, 60, 32, 14), start=1):
        lines_ws.column_dimensions[get_column_letter(c)].width = width
    lines_ws.freeze_panes = "A2"

    info = book.create_sheet(SHEET_INFO)
    for r, (key, value) in enumerate(
        (("Ente", plan.ente), ("Anno", plan.year), ("Formato piano", FORMAT_VERSION), ("Periodo", plan.period),
         ("Riferimento", plan.reference or None)), start=1
    ):
        info.cell(row=r, column=1, value=key).font = bold
        set_literal(info.cell(row=r, column=2), value)
    info.column_dimensions["A"].width = 18
    info.column_dimensions["B"].width = 40

    issues_ws = book.create_sheet(SHEET_ISSUES)
    for c, header in enumerate(ISSUE_HEADERS, start=1):
        cell = issues_ws.cell(row=1, column=c, value=header)
        cell.font, cell.fill = bold, head_fill
    for r, issue in enumerate(issues, start=2):
        severity = getattr(issue, "severity", "")
        values = (
            getattr(severity, "value", severity),
            getattr(issue, "source_row", None),
            getattr(issue, "sheet", None),
            getattr(issue, "field", None),
            getattr(issue, "code", None),
            getattr(issue, "message", str(issue)),
            getattr(issue, "guessed", None),
        )
        for c, value in enumerate(values, start=1):
            cell = issues_ws.cell(row=r, column=c)
            set_literal(cell, value)
            cell.alignment = wrap if c == 6 else top
    for c, width in enumerate((13, 7, 14, 13, 30, 100, 22), start=1):
        issues_ws.column_dimensions[get_column_letter(c)].width = width
    issues_ws.freeze_panes = "A2"
    issues_ws.auto_filter.ref = f"A1:G{max(2, issues_ws.max_row)}"

    with atomic_path(path) as tmp:
        book.save(tmp)
    return path


# --------------------------------------------------------------------------- reading


def _blank(value: object) -> bool:
    return value is None or (isinstance(value, str) and not value.strip())


def _str(value: object) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value).strip()


class _Reader:
    def __init__(self, path: Path) -> None:
        self.path = path
        self.errors: list[Phrase] = []

    def err(self, sheet: str, ref: str, key: str, /, **values: object) -> None:
        self.errors.append(Phrase(key, cell=f"{sheet}!{ref}", **values))

    def number(self, sheet: str, ref: str, value: object, label: str, *, required: bool) -> float | None:
        parsed = parse_number(value)
        if parsed.value is not None:
            return parsed.value
        if parsed.issue is NumberIssue.EMPTY:
            if required:
                self.err(sheet, ref, "legacy.plan.required", column=label)
            return None
        self.err(sheet, ref, "legacy.plan.not_a_number", column=label, value=_str(value)[:40])
        return None


def _open(path: Path):  # noqa: ANN202 - openpyxl Workbook
    import zipfile

    from openpyxl import load_workbook

    if not path.exists():
        raise PlanFormatError([Phrase("legacy.plan.not_found", path=str(path))])
    if path.is_dir():
        raise PlanFormatError([Phrase("legacy.plan.not_a_workbook", path=path.name, detail="")])
    try:
        return load_workbook(path, data_only=True)
    except (zipfile.BadZipFile, KeyError, OSError, ValueError, TypeError, IndexError, AttributeError) as exc:
        raise PlanFormatError([Phrase("legacy.plan.not_a_workbook", path=path.name, detail=f" ({type(exc).__name__})")]) from None
    except Exception as exc:  # noqa: BLE001 - openpyxl raises many kinds on damaged parts
        raise PlanFormatError([Phrase("legacy.plan.not_a_workbook", path=path.name, detail=f" ({type(exc).__name__})")]) from None


def read_plan(path: str | Path) -> Plan:
    """Read a plan workbook written by `write_plan` and edited by the office."""
    from openpyxl.utils import get_column_letter

    from barometro.workbook_templates.spec import safe_sheet_name

    path = Path(path)
    book = _open(path)
    rd = _Reader(path)
    missing = [s for s in (SHEET_PLAN, SHEET_LINES, SHEET_INFO) if s not in book.sheetnames]
    if missing:
        raise PlanFormatError([Phrase("legacy.plan.missing_sheet", sheet=s, path=path.name) for s in missing])

    # Info
    info: dict[str, object] = {}
    for row in book[SHEET_INFO].iter_rows(min_row=1, max_col=2):
        key = _str(row[0].value).lower()
        if key:
            info[key] = (row[1].value if len(row) > 1 else None, row[1].coordinate if len(row) > 1 else "B1")
    ente = _str(info.get("ente", (None, ""))[0])
    year_raw, year_ref = info.get("anno", (None, "B2"))
    year_num = parse_number(year_raw).value
    year = 0
    if year_num is None or not year_num.is_integer() or not 1990 <= year_num <= 2100:
        rd.err(SHEET_INFO, str(year_ref or "B2"), "legacy.plan.bad_year", value=_str(year_raw))
    else:
        year = int(year_num)

    # Linee
    lines: list[Line] = []
    taken: set[str] = set()
    ws = book[SHEET_LINES]
    for r, row in enumerate(ws.iter_rows(min_row=2, max_col=4, values_only=True), start=2):
        cells = list(row) + [None] * (4 - len(row))
        if all(_blank(v) for v in cells):
            continue
        line_id, title, sheet_name = _str(cells[0]), _str(cells[1]), _str(cells[2])
        if not line_id:
            rd.err(SHEET_LINES, f"A{r}", "legacy.plan.required", column=LINE_HEADERS[0])
            continue
        if line_id in {ln.id for ln in lines}:
            rd.err(SHEET_LINES, f"A{r}", "legacy.plan.duplicate_line", value=line_id)
            continue
        if not title:
            rd.err(SHEET_LINES, f"B{r}", "legacy.plan.required", column=LINE_HEADERS[1])
        if not sheet_name:
            sheet_name = safe_sheet_name(title or line_id, taken)
        elif safe_sheet_name(sheet_name) != sheet_name or sheet_name.lower() in {t.lower() for t in taken}:
            rd.err(SHEET_LINES, f"C{r}", "legacy.plan.bad_sheet_name", value=sheet_name)
        taken.add(sheet_name)
        published = rd.number(SHEET_LINES, f"D{r}", cells[3], LINE_HEADERS[3], required=False)
        lines.append(Line(line_id, title, sheet_name, published))
    if not lines:
        rd.errors.append(Phrase("legacy.plan.no_lines", sheet=SHEET_LINES))
    line_ids = {ln.id for ln in lines}

    # Piano
    ws = book[SHEET_PLAN]
    header = [_str(c.value) for c in next(ws.iter_rows(min_row=1, max_row=1), ())]
    col_of: dict[str, int] = {}
    lowered = [h.lower() for h in header]
    for col in plan_columns(year):
        prefix = _PREFIX_HEADERS.get(col.key)
        for i, h in enumerate(lowered):
            if (prefix and h.startswith(prefix) and not h.endswith(REFERENCE)) or h == col.header.lower():
                col_of.setdefault(col.key, i)
                break
        if col.key not in col_of and col.key not in _OPTIONAL:
            rd.errors.append(Phrase("legacy.plan.missing_column", column=col.header, sheet=SHEET_PLAN))
    if rd.errors and any(k not in col_of for k in ("id", "line_id", "objective_id")):
        raise PlanFormatError(rd.errors)
    col_header = {col.key: col.header for col in plan_columns(year)}

    indicators: list[Indicator] = []
    seen_ids: set[str] = set()
    for r, row in enumerate(ws.iter_rows(min_row=2, values_only=True), start=2):
        if all(_blank(v) for v in row):
            continue

        def get(key: str, row: tuple[object, ...] = row) -> object:
            i = col_of.get(key)
            return row[i] if i is not None and i < len(row) else None

        def ref(key: str, r: int = r) -> str:
            i = col_of.get(key)
            return f"{get_column_letter((i or 0) + 1)}{r}"

        ind_id = _str(get("id"))
        if not ind_id:
            rd.err(SHEET_PLAN, ref("id"), "legacy.plan.required", column="ID indicatore")
            continue
        if ind_id in seen_ids:
            rd.err(SHEET_PLAN, ref("id"), "legacy.plan.duplicate_id", value=ind_id)
            continue
        seen_ids.add(ind_id)
        line_id = _str(get("line_id"))
        if line_id not in line_ids:
            rd.err(SHEET_PLAN, ref("line_id"), "legacy.plan.unknown_line", value=line_id, sheet=SHEET_LINES)
        objective_id = _str(get("objective_id"))
        if not objective_id:
            rd.err(SHEET_PLAN, ref("objective_id"), "legacy.plan.required", column="ID obiettivo")
        texts = {k: _str(get(k)) for k in ("owner", "sector", "objective", "definition", "indicator",
                                            "formula_text", "purpose", "note")}
        for key, label in (("sector", "Settore"), ("indicator", "Indicatore")):
            if not texts[key]:
                rd.err(SHEET_PLAN, ref(key), "legacy.plan.required", column=label)
        target = rd.number(SHEET_PLAN, ref("target"), get("target"), "Target atteso", required=False)
        weight = rd.number(SHEET_PLAN, ref("weight"), get("weight"), "Peso", required=False)
        if weight is not None and not 0 <= weight <= 100:
            rd.err(SHEET_PLAN, ref("weight"), "legacy.plan.bad_weight", value=_str(get("weight")))
        actual = rd.number(SHEET_PLAN, ref("actual"), get("actual"), "Consuntivo", required=False)
        previous = {key: rd.number(SHEET_PLAN, ref(key), get(key), col_header[key], required=False)
                    for key in ("previous_target", "previous_actual", "previous_achievement") if key in col_of}
        kind = Kind.QUANTITY
        raw_kind = get("kind")
        if not _blank(raw_kind):
            try:
                kind = Kind.parse(raw_kind)
            except ValueError:
                rd.err(SHEET_PLAN, ref("kind"), "legacy.plan.bad_kind", value=_str(raw_kind)[:30])
        polarity = Polarity.HIGHER
        raw_pol = get("polarity")
        if not _blank(raw_pol):
            try:
                polarity = Polarity.parse(raw_pol)
            except ValueError:
                rd.err(SHEET_PLAN, ref("polarity"), "legacy.plan.bad_polarity", value=_str(raw_pol)[:30])
        raw_neu = _str(get("neutralised")).upper()
        if raw_neu in ("SI", "SÌ", "S", "X", "1", "TRUE", "VERO", "YES", "Y"):
            neutralised = True
        elif raw_neu in ("", "NO", "N", "0", "FALSE", "FALSO"):
            neutralised = False
        else:
            neutralised = False
            rd.err(SHEET_PLAN, ref("neutralised"), "legacy.plan.bad_neutralised", value=raw_neu[:20])
        source_raw = get("source_row")
        source_num = parse_number(source_raw).value
        source_row = int(source_num) if source_num is not None and source_num.is_integer() else None
        indicators.append(
            Indicator(
                id=ind_id,
                line_id=line_id,
                objective_id=objective_id,
                owner=texts["owner"],
                sector=texts["sector"],
                objective=texts["objective"],
                definition=texts["definition"],
                indicator=texts["indicator"],
                formula_text=texts["formula_text"],
                purpose=texts["purpose"],
                target=target,
                weight=weight,
                kind=kind,
                polarity=polarity,
                neutralised=neutralised,
                kind_inferred=not _blank(get("kind_inferred")),
                polarity_inferred=not _blank(get("polarity_inferred")),
                actual=actual,
                note=texts["note"],
                source_row=source_row,
                **previous,
            )
        )
    if not indicators and not rd.errors:
        rd.errors.append(Phrase("legacy.plan.no_indicators", sheet=SHEET_PLAN))
    if rd.errors:
        raise PlanFormatError(rd.errors)
    try:
        period = parse_period(_str(info.get("periodo", (None, ""))[0]) or None)
    except PeriodError:
        raise PlanFormatError([Phrase("legacy.plan.bad_period", value=_str(info.get("periodo", (None, ""))[0]))]) from None
    return Plan(ente, year, lines, indicators, period, _str(info.get("riferimento", (None, ""))[0]))


def load_plan(path: str | Path) -> Plan:
    """The plan in `path`, whatever the office has: a plan workbook (`write_plan`'s, edited),
    or last year's report in the published layout (.txt, .tsv, or an .xlsx without the plan's
    sheets), imported with its repairs. Raises `PlanFormatError` or `LegacyFormatError`."""
    path = Path(path)
    if path.suffix.lower() in (".xlsx", ".xlsm"):
        try:
            from openpyxl import load_workbook

            wb = load_workbook(path, read_only=True)
            try:
                is_plan = SHEET_PLAN in wb.sheetnames
            finally:
                wb.close()
        except Exception:  # noqa: BLE001 - unreadable: read_plan gives the clear message
            is_plan = True
        if is_plan:
            return read_plan(path)
    from barometro.legacy import import_report

    return import_report(path).plan
