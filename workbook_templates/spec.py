"""The one template specification: sheets, columns, input cells and the exact
formula of every computed cell.

The builder writes workbooks from it and the validator compares returned
workbooks with it, so "formula altered" is a comparison with this module, not
a guess. Pure Python: no openpyxl import at module level.

Layout of a line sheet (one per strategic line)::

    row 1  title                      "Relazione sulla Performance 2021 - <line title>"
    row 2  A2 label, E2 line %        "% Raggiungimento obiettivi per area strategica"
    row 3  method sentence
    row 5  header (the 14 columns of the published report, then technical columns)
    row 6+ one row per indicator, in plan order

Only functions every engine computes alike are used (IF, AND, OR, NOT, MIN,
MAX, SUM, SUMPRODUCT, AVERAGE, COUNT, COUNTIF, ROWS, IFERROR, ISNUMBER).
"""

from __future__ import annotations

import hashlib
import json
import re
from dataclasses import dataclass, field
from enum import Enum
from functools import lru_cache

from barometro.model import NEUTRALISED_MARK, Indicator, Kind, Line, Plan, Polarity
from barometro.settings import (
    EnteMethod,
    LineMethod,
    LowerFormula,
    MissingActual,
    NeutralisedPolicy,
    Settings,
)

TEMPLATE_ID = "barometro-relazione"
SPEC_VERSION = "2"  # 2: the reference column V and the period

META_SHEET = "_barometro"  # very hidden key/value sheet
SUMMARY_SHEET = "Riepilogo"
INSTRUCTIONS_SHEET = "Istruzioni"
RESERVED_SHEETS = (SUMMARY_SHEET, INSTRUCTIONS_SHEET, META_SHEET)

TITLE_ROW = 1
LINE_PCT_ROW = 2
LINE_PCT_LABEL_CELL = "A2"
LINE_PCT_CELL = "E2"  # after the label, which spans A-C
METHOD_ROW = 3
HEADER_ROW = 5
FIRST_ROW = 6


class Role(str, Enum):
    OFFICE = "office"  # filled by the performance office; protected
    INPUT = "input"  # filled by the sector; unlocked
    COMPUTED = "computed"  # native formula; protected
    TECHNICAL = "technical"  # office-only data (id, kind...); protected
    TECHNICAL_COMPUTED = "technical_computed"  # helper formula; protected
    REFERENCE = "reference"  # last year's (or the previous period's) value, for the sector to read


@dataclass(frozen=True)
class Column:
    key: str  # code name, e.g. "actual"
    letter: str  # fixed column letter
    header: str  # Italian header, exactly as the published report
    role: Role
    width: float


# Widths fit the longest word of each header in bold (nothing clipped at the default zoom)
# and keep column I on the first screen of a sector file once D and G are folded.
COLUMNS: tuple[Column, ...] = (
    Column("owner", "A", "Responsabile", Role.OFFICE, 12),
    Column("sector", "B", "Settore", Role.OFFICE, 13),
    Column("objective", "C", "Obiettivo", Role.OFFICE, 20),
    Column("definition", "D", "Definizione", Role.OFFICE, 45),
    Column("indicator", "E", "Indicatore", Role.OFFICE, 22),
    Column("formula_text", "F", "Formula", Role.OFFICE, 16),
    Column("purpose", "G", "Finalità", Role.OFFICE, 30),
    Column("target", "H", "Target atteso", Role.OFFICE, 10),
    Column("actual", "I", "Target Consuntivo", Role.INPUT, 12),
    Column("deviation", "J", "Scostamento", Role.COMPUTED, 12),
    Column("note", "K", "Note", Role.INPUT, 22),
    Column("weight", "L", "Peso", Role.OFFICE, 5),
    Column("achievement", "M", "% Ragg", Role.COMPUTED, 7),
    Column("gauge", "N", "Barometro", Role.COMPUTED, 10),
    Column("indicator_id", "O", "ID indicatore", Role.TECHNICAL, 13),
    Column("objective_id", "P", "ID obiettivo", Role.TECHNICAL, 11),
    Column("kind", "Q", "Tipo", Role.TECHNICAL, 13),
    Column("polarity", "R", "Polarità", Role.TECHNICAL, 12),
    Column("neutralised", "S", "Neutralizzato", Role.TECHNICAL, 15),
    Column("weight_counted", "T", "Peso conteggiato", Role.TECHNICAL_COMPUTED, 13),
    Column("points", "U", "Punti ponderati", Role.TECHNICAL_COMPUTED, 11),
    Column("previous_actual", "V", "Riferimento", Role.REFERENCE, 13),
)
# The long texts fold away with one click (an outline group, folded in sector files).
COLLAPSIBLE_KEYS = ("definition", "purpose")
FREEZE_CELL = "F6"  # header rows and the identifying columns A-E stay in view
PRINT_TITLE_COLUMNS = "A:C"  # repeated on every printed page, with the header row
COL: dict[str, Column] = {c.key: c for c in COLUMNS}
PUBLISHED_COLUMNS = COLUMNS[:14]  # the 14 columns staff know, in the seed's order
TECHNICAL_COLUMNS = COLUMNS[14:21]
REFERENCE_COLUMNS = COLUMNS[21:]
INPUT_KEYS = tuple(c.key for c in COLUMNS if c.role is Role.INPUT)
FORMULA_KEYS = tuple(c.key for c in COLUMNS if c.role in (Role.COMPUTED, Role.TECHNICAL_COMPUTED))
LAST_LETTER = COLUMNS[-1].letter


def _c(key: str, row: int) -> str:
    return f"{COL[key].letter}{row}"


# --------------------------------------------------------------------------- row formulas


@lru_cache(maxsize=65536)
def row_formula(key: str, row: int, settings: Settings) -> str:
    """The exact formula (with leading '=') of computed column `key` on `row`.

    Cached: the validator asks for the same few thousand formulas for every file."""
    H, I, L, M = _c("target", row), _c("actual", row), _c("weight", row), _c("achievement", row)
    Q, R, S, T = _c("kind", row), _c("polarity", row), _c("neutralised", row), _c("weight_counted", row)
    if key == "deviation":
        return f'=IF(AND(ISNUMBER({I}),ISNUMBER({H})),{I}-{H},"")'
    if key == "achievement":
        if settings.lower_formula is LowerFormula.COMPLEMENT:
            lower = f"MIN(100,MAX(0,(2-{I}/{H})*100))"
        else:
            lower = f"MIN(100,MAX(0,{H}/{I}*100))"
        binary = (
            f'IF({R}="{Polarity.LOWER.value}",IF({I}<={H},100,0),IF({I}>={H},100,0))'
        )
        lower_branch = f"IF({I}<={H},100,IF({H}<=0,0,{lower}))"
        higher_branch = f"IF({H}<=0,IF({I}>={H},100,0),MIN(100,MAX(0,{I}/{H}*100)))"
        return (
            f'=IF(OR({S}="{NEUTRALISED_MARK}",NOT(ISNUMBER({I})),NOT(ISNUMBER({H}))),"",'
            f'IF({Q}="{Kind.BINARY.value}",{binary},'
            f'IF({R}="{Polarity.LOWER.value}",{lower_branch},{higher_branch})))'
        )
    if key == "gauge":
        return f'=IF(ISNUMBER({M}),{M},"")'
    if key == "weight_counted":
        return f"=IF(AND(ISNUMBER({M}),ISNUMBER({L})),{L},0)"
    if key == "points":
        return f"=IF({T}>0,{T}*{M},0)"
    raise KeyError(f"column {key!r} has no formula")


# --------------------------------------------------------------------------- cell values


_ILLEGAL_CHARS = re.compile(r"[\000-\010\013\014\016-\037]")  # what an .xlsx cannot hold


def clean_text(value: str) -> str:
    """A text as a workbook cell can hold it (control characters dropped)."""
    return _ILLEGAL_CHARS.sub("", value)


def template_value(ind: Indicator, key: str) -> object:
    """What a freshly built template holds in column `key` of `ind`'s row (None for an
    empty cell): the builder writes it, the validator compares returned files with it,
    the plan fingerprint hashes it."""
    if key == "indicator_id":
        return clean_text(ind.id)
    if key == "kind":
        return ind.kind.value
    if key == "polarity":
        return ind.polarity.value
    if key == "neutralised":
        return NEUTRALISED_MARK if ind.neutralised else None
    if key in INPUT_KEYS or key in FORMULA_KEYS:
        return None  # a template never carries results; formulas come from `row_formula`
    value = getattr(ind, key)
    if key in ("target", "weight", "previous_actual"):
        return None if value is None else float(value)
    return clean_text(value) if isinstance(value, str) else value


# --------------------------------------------------------------------------- input cells


# Number formats, stored locale-neutral with the Italian locale tag so that every machine
# shows Italian separators. Targets, actuals and deviations share one format: thousands
# separators from 1.000 up, the typed decimals below (62,35 stays 62,35).
FMT_QUANTITY = "[$-410][>=1000]#,##0;[<=-1000]-#,##0;General"
# % Ragg shown as an integer, but never 100 for a missed target: 99,5-99,99 shows 99.
FMT_ACHIEVEMENT = '[$-410][>=100]0;[<99.5]0;"99"'
FMT_NOTE = "General"

ACTUAL_LIMIT = 1_000_000_000_000  # |actual| above this is refused by the sheet
NOTE_MAX_CHARS = 2000
# Actuals of a quantity whose target is at least this are refused between 0 and 1 exclusive:
# 0,92 against 90 is "92%" typed with the percent sign.
PERCENT_GUARD_TARGET = 10.0


@dataclass(frozen=True)
class InputRule:
    """The data validation of one input cell, as the builder writes it and the validator expects it."""

    kind: str  # "binary", "number", "number_no_fraction", "note": which prompt and error texts
    type: str  # OOXML dataValidation type: "whole", "decimal", "custom", "textLength"
    operator: str
    formula1: str
    formula2: str = ""


def percent_guarded(ind: Indicator) -> bool:
    """Whether the sheet refuses 0 < |actual| < 1 for `ind` (a quantity with a target of 10 or more)."""
    return ind.kind is not Kind.BINARY and ind.target is not None and abs(ind.target) >= PERCENT_GUARD_TARGET


def actual_rule(ind: Indicator, row: int) -> InputRule:
    """The validation of `ind`'s actual cell on `row`."""
    if ind.kind is Kind.BINARY and ind.target in (None, 0, 1):
        return InputRule("binary", "whole", "between", "0", "1")
    if percent_guarded(ind):
        a = _c("actual", row)
        return InputRule("number_no_fraction", "custom", "between",
                         f"AND(ISNUMBER({a}),ABS({a})<={ACTUAL_LIMIT},OR({a}=0,ABS({a})>=1))")
    return InputRule("number", "decimal", "between", str(-ACTUAL_LIMIT), str(ACTUAL_LIMIT))


def note_rule() -> InputRule:
    return InputRule("note", "textLength", "lessThanOrEqual", str(NOTE_MAX_CHARS))


def input_format(key: str) -> str:
    """The number format of an input cell (`actual` or `note`)."""
    return FMT_QUANTITY if key == "actual" else FMT_NOTE


def is_percent_format(code: str) -> bool:
    """A number format that shows its value as a percentage (a `%` outside quotes)."""
    outside = re.sub(r'"[^"]*"|\\.', "", code or "")
    return "%" in outside


# --------------------------------------------------------------------------- sheet names


_BAD_SHEET_CHARS = re.compile(r"[\[\]:*?/\\]")


def safe_sheet_name(name: str, taken: set[str] | None = None) -> str:
    """A valid, unique Excel sheet name (<= 31 characters, no []:*?/\\)."""
    base = _BAD_SHEET_CHARS.sub(" ", name).strip().strip("'")[:31] or "Linea"
    taken = {t.lower() for t in (taken or set())}
    reserved = {r.lower() for r in RESERVED_SHEETS}
    candidate, n = base, 2
    while candidate.lower() in taken or candidate.lower() in reserved:
        suffix = f" ({n})"
        candidate = base[: 31 - len(suffix)] + suffix
        n += 1
    return candidate


def quote_sheet(name: str) -> str:
    return "'" + name.replace("'", "''") + "'"


# --------------------------------------------------------------------------- layout


@dataclass(frozen=True)
class SheetBlock:
    """One line sheet: which rows hold which indicators."""

    line: Line
    sheet_name: str
    indicators: tuple[Indicator, ...]

    @property
    def first_row(self) -> int:
        return FIRST_ROW

    @property
    def last_row(self) -> int:
        return FIRST_ROW + len(self.indicators) - 1

    def rng(self, key: str) -> str:
        letter = COL[key].letter
        return f"{quote_sheet(self.sheet_name)}!{letter}{self.first_row}:{letter}{self.last_row}"

    def row_of(self, indicator_id: str) -> int:
        for offset, ind in enumerate(self.indicators):
            if ind.id == indicator_id:
                return FIRST_ROW + offset
        raise KeyError(indicator_id)


# Riepilogo layout
SUMMARY_TITLE_ROW = 1
SUMMARY_ENTE_ROW_LABEL = 2
SUMMARY_METHOD_ROW = 3
SUMMARY_LINES_HEADER_ROW = 5
SUMMARY_LINES_HEADERS = ("Linea strategica", "Foglio", "% raggiungimento", "Indicatori", "Obiettivi", "Barometro")
SUMMARY_OBJECTIVES_HEADERS = ("Linea", "ID obiettivo", "Obiettivo", "Settore", "Responsabile", "% obiettivo", "Barometro")


@dataclass
class Layout:
    """Every sheet and formula cell of one workbook built from a plan."""

    plan: Plan
    settings: Settings
    scope: str  # "master" or "settore"
    sector: str | None
    blocks: list[SheetBlock]
    line_rows: dict[str, int] = field(default_factory=dict)  # line_id -> Riepilogo row
    ente_row: int = 0
    objective_rows: dict[str, int] = field(default_factory=dict)  # objective_id -> Riepilogo row
    objective_line: dict[str, str] = field(default_factory=dict)

    # ---- cells
    def line_pct_summary_cell(self, line_id: str) -> str:
        return f"C{self.line_rows[line_id]}"

    @property
    def ente_cell(self) -> str:
        return f"C{self.ente_row}"

    def objective_cell(self, objective_id: str) -> str:
        return f"F{self.objective_rows[objective_id]}"

    def block(self, line_id: str) -> SheetBlock:
        for b in self.blocks:
            if b.line.id == line_id:
                return b
        raise KeyError(line_id)

    def block_by_sheet(self, sheet_name: str) -> SheetBlock | None:
        for b in self.blocks:
            if b.sheet_name == sheet_name:
                return b
        return None

    # ---- formulas
    def _count_expr(self, b: SheetBlock) -> str:
        """Denominator of an indicator mean over one sheet, per the settings."""
        m, s = b.rng("achievement"), b.rng("neutralised")
        zero_neutral = self.settings.neutralised is NeutralisedPolicy.ZERO
        zero_missing = self.settings.missing_actual is MissingActual.ZERO
        if zero_neutral and zero_missing:
            return f"ROWS({m})"
        if zero_missing:
            return f'(ROWS({m})-COUNTIF({s},"{NEUTRALISED_MARK}"))'
        if zero_neutral:
            return f'(COUNT({m})+COUNTIF({s},"{NEUTRALISED_MARK}"))'
        return f"COUNT({m})"

    def line_formula(self, line_id: str) -> str:
        b = self.block(line_id)
        method = self.settings.line_method
        if method is LineMethod.INDICATOR_MEAN:
            return f'=IFERROR(SUM({b.rng("achievement")})/{self._count_expr(b)},"")'
        if method is LineMethod.INDICATOR_WEIGHTED:
            return f'=IFERROR(SUM({b.rng("points")})/SUM({b.rng("weight_counted")}),"")'
        rows = [r for oid, r in self.objective_rows.items() if self.objective_line[oid] == line_id]
        return f'=IFERROR(AVERAGE(F{min(rows)}:F{max(rows)}),"")'

    def objective_formula(self, objective_id: str) -> str:
        b = self.block(self.objective_line[objective_id])
        row = self.objective_rows[objective_id]
        ids = b.rng("objective_id")
        return (
            f'=IFERROR(SUMPRODUCT(({ids}=B{row})*{b.rng("points")})'
            f'/SUMPRODUCT(({ids}=B{row})*{b.rng("weight_counted")}),"")'
        )

    def ente_formula(self) -> str:
        method = self.settings.ente_method
        if method is EnteMethod.INDICATOR_MEAN:
            num = "+".join(f'SUM({b.rng("achievement")})' for b in self.blocks)
            den = "+".join(self._count_expr(b) for b in self.blocks)
            return f'=IFERROR(({num})/({den}),"")'
        if method is EnteMethod.OBJECTIVE_MEAN:
            rows = list(self.objective_rows.values())
            return f'=IFERROR(AVERAGE(F{min(rows)}:F{max(rows)}),"")'
        rows = list(self.line_rows.values())
        return f'=IFERROR(AVERAGE(C{min(rows)}:C{max(rows)}),"")'

    def expected_formulas(self) -> dict[tuple[str, str], str]:
        """{(sheet, A1 cell): formula} for every formula cell of the workbook.

        Computed once per layout (do not mutate the returned mapping)."""
        cached = self.__dict__.get("_expected_cache")
        if cached is not None:
            return cached
        out = self._compute_expected_formulas()
        self.__dict__["_expected_cache"] = out
        return out

    def _compute_expected_formulas(self) -> dict[tuple[str, str], str]:
        out: dict[tuple[str, str], str] = {}
        for b in self.blocks:
            out[(b.sheet_name, LINE_PCT_CELL)] = (
                f"={quote_sheet(SUMMARY_SHEET)}!{self.line_pct_summary_cell(b.line.id)}"
            )
            for offset in range(len(b.indicators)):
                row = FIRST_ROW + offset
                for key in FORMULA_KEYS:
                    out[(b.sheet_name, _c(key, row))] = row_formula(key, row, self.settings)
        for line_id, row in self.line_rows.items():
            out[(SUMMARY_SHEET, f"C{row}")] = self.line_formula(line_id)
            out[(SUMMARY_SHEET, f"F{row}")] = f'=IF(ISNUMBER(C{row}),C{row},"")'
        out[(SUMMARY_SHEET, self.ente_cell)] = self.ente_formula()
        out[(SUMMARY_SHEET, f"F{self.ente_row}")] = f'=IF(ISNUMBER(C{self.ente_row}),C{self.ente_row},"")'
        for oid, row in self.objective_rows.items():
            out[(SUMMARY_SHEET, f"F{row}")] = self.objective_formula(oid)
            out[(SUMMARY_SHEET, f"G{row}")] = f'=IF(ISNUMBER(F{row}),F{row},"")'
        return out


def build_layout(plan: Plan, settings: Settings, scope: str = "master", sector: str | None = None) -> Layout:
    """The layout of the master (whole plan) or of one sector's file."""
    if scope not in ("master", "settore"):
        raise ValueError(f"scope must be 'master' or 'settore', not {scope!r}")
    if scope == "settore":
        if sector is None:
            raise ValueError("a sector file needs its sector")
        plan = plan.for_sector(sector)
    blocks: list[SheetBlock] = []
    for line in plan.lines:
        inds = tuple(plan.indicators_of_line(line.id))
        if inds:
            blocks.append(SheetBlock(line, line.sheet_name, inds))
    layout = Layout(plan, settings, scope, sector, blocks)
    row = SUMMARY_LINES_HEADER_ROW + 1
    for b in blocks:
        layout.line_rows[b.line.id] = row
        row += 1
    layout.ente_row = row
    row += 2  # blank row, then the objectives header
    objectives_header_row = row
    row = objectives_header_row + 1
    for b in blocks:
        for ind in b.indicators:
            if ind.objective_id not in layout.objective_rows:
                layout.objective_rows[ind.objective_id] = row
                layout.objective_line[ind.objective_id] = b.line.id
                row += 1
    return layout


def objectives_header_row(layout: Layout) -> int:
    return layout.ente_row + 2


# --------------------------------------------------------------------------- metadata


META_KEYS = (
    "template_id",
    "spec_version",
    "scope",
    "sector",
    "ente",
    "year",
    "period",
    "reference",
    "plan_fingerprint",
    "settings_name",
    "settings_fingerprint",
    "settings_json",
    "generated_at",
    "barometro_version",
)
# After the fixed keys, one row per indicator: key "ind:<id>", value "<sheet>!<row>".
META_INDICATOR_PREFIX = "ind:"
# Then one row per line of the plan: key "line:<id>", value JSON [sheet_name, title, published_pct]
# (the line sheets hold no line id; `master_reader.read_template` needs it to rebuild the plan).
META_LINE_PREFIX = "line:"


# What the office decided about each indicator: the plan fingerprint hashes these
# as the template holds them (`template_value`), so a plan and its read-back agree.
OFFICE_COLUMNS = ("objective_id", "owner", "sector", "objective", "definition", "indicator",
                  "formula_text", "purpose", "target", "weight", "kind", "polarity", "neutralised",
                  "previous_actual")


def plan_fingerprint(plan: Plan) -> str:
    """A hash of what the office decided (not of actuals or notes)."""
    rows = [[template_value(ind, "indicator_id"), ind.line_id,
             *(template_value(ind, key) for key in OFFICE_COLUMNS)] for ind in plan.indicators]
    data = {
        "ente": plan.ente,
        "year": plan.year,
        "period": plan.period,
        "reference": plan.reference,
        "lines": [[ln.id, ln.title, ln.sheet_name] for ln in plan.lines],
        "indicators": rows,
    }
    return hashlib.sha256(json.dumps(data, sort_keys=True, default=str).encode()).hexdigest()[:16]


# --------------------------------------------------------------------------- formula comparison


def normalise_formula(formula: str) -> str:
    """A canonical spelling of a formula for comparison.

    Equal for the spellings Excel and LibreOffice produce for the same formula:
    case of functions and references, `$` anchors, white space, `_xlfn.`
    prefixes, `TRUE()`/`TRUE`, quoted or unquoted sheet names. String literals
    keep their case.
    """
    from openpyxl.formula.tokenizer import Token, Tokenizer

    text = formula.strip()
    if not text.startswith("="):
        text = "=" + text
    try:
        tokens = Tokenizer(text).items
    except Exception:  # noqa: BLE001 - an unparsable formula compares as its raw text
        return re.sub(r"\s+", "", text).upper()
    parts: list[str] = []
    tokens = [t for t in tokens if t.type != Token.WSPACE]
    skip_close = False
    for i, tok in enumerate(tokens):
        value = tok.value
        if skip_close:
            skip_close = False
            continue
        if tok.type == Token.OPERAND and tok.subtype == Token.TEXT:
            parts.append(value)
            continue
        if tok.type == Token.OPERAND and tok.subtype == Token.RANGE:
            value = _normalise_ref(value)
        elif tok.type == Token.FUNC and tok.subtype == Token.OPEN:
            value = value.upper().replace("_XLFN.", "").replace("_XLWS.", "")
            nxt = tokens[i + 1] if i + 1 < len(tokens) else None
            if value in ("TRUE(", "FALSE(") and nxt is not None and nxt.subtype == Token.CLOSE:
                value, skip_close = value[:-1], True
        else:
            value = value.upper()
        parts.append(value)
    return "=" + "".join(parts)


def _normalise_ref(ref: str) -> str:
    ref = ref.replace("$", "")
    if "!" in ref:
        sheet, cells = ref.rsplit("!", 1)
        if sheet.startswith("'") and sheet.endswith("'"):
            sheet = sheet[1:-1].replace("''", "'")
        return f"{sheet.upper()}!{cells.upper()}"
    return ref.upper()


def formulas_equal(a: str, b: str) -> bool:
    return normalise_formula(a) == normalise_formula(b)
