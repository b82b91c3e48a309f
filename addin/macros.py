"""The office workbook's buttons: Ricalcola, Valida, Consolida.

`ricalcola()`, `valida()`, `consolida()` are what the VBA Subs call through
`RunPython "import barometro.addin.macros as m; m.valida()"`: they take the
calling workbook from xlwings and run `run_ricalcola` / `run_valida` /
`run_consolida` on it. Those take any `WorkbookOps` (xlwings in Excel, openpyxl
on a file), so the logic is tested on real files. They reuse the library: the
same findings as `barometro validate`, the same values as `barometro consolidate`,
the same scores as the scoring core.
"""

from __future__ import annotations

import json
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path

from barometro import scoring
from barometro.messages import text
from barometro.model import NEUTRALISED_MARK, Indicator, Kind, Line, Plan, Polarity
from barometro.numbers import format_it
from barometro.settings import DEFAULT_SETTINGS, Settings, settings_from_dict
from barometro.workbook_templates import spec

from .office_workbook import (
    LAST_RUN_CELL,
    META_SHEET,
    PROBLEMS_SHEET,
    RETURNS_FOLDER_CELL,
    SETTINGS_SHEET,
)
from .ops import Mark, WorkbookOps

LAST_COL = len(spec.COLUMNS)  # A..U
CHECK_HEADER_ROW = 13  # Impostazioni: the Python check table starts here
PROBLEM_HEADER_ROW = 3
PROBLEM_KEYS = ("severity", "code", "sheet", "cell", "message", "expected", "found", "hint", "file")
PREVIOUS_FILL_COL = "K"  # Problemi: the fill a marked cell had before (restored by the next run)
RETURN_SUFFIXES = (".xlsx", ".xlsm")


class MacroError(RuntimeError):
    """A macro cannot run on this workbook; the message is for the office (Italian)."""


# --------------------------------------------------------------------------- reading the book


@dataclass(frozen=True)
class IndicatorRow:
    indicator: Indicator
    sheet: str
    row: int


@dataclass
class BookData:
    meta: dict[str, str]
    settings: Settings
    plan: Plan
    rows: list[IndicatorRow] = field(default_factory=list)

    def layout(self) -> spec.Layout:
        return spec.build_layout(self.plan, self.settings, "master")


def _float(value: object) -> float | None:
    if isinstance(value, bool) or not isinstance(value, int | float):
        return None
    return float(value)


def _str(value: object) -> str:
    return "" if value is None else str(value).strip()


def _meta_rows(ops: WorkbookOps) -> list[tuple[str, str]]:
    if META_SHEET not in ops.sheet_names():
        raise MacroError(text("addin.run.not_master", reason=META_SHEET))
    rows: list[tuple[str, str]] = []
    n = 0
    while True:  # read in blocks until the first empty key
        block = ops.read_rows(META_SHEET, n + 1, n + 500, 2)
        for key, value, *_ in block:
            if key is None or _str(key) == "":
                return rows
            rows.append((_str(key), _str(value)))
        n += 500
        if n > 100_000:
            return rows


def read_book_data(ops: WorkbookOps) -> BookData:
    """Plan, settings and indicator rows of the workbook, with the actuals typed in it."""
    meta_rows = _meta_rows(ops)
    meta = {k: v for k, v in meta_rows if not k.startswith((spec.META_INDICATOR_PREFIX, "line:"))}
    try:
        settings = settings_from_dict(json.loads(meta["settings_json"])) if meta.get("settings_json") else DEFAULT_SETTINGS
    except (ValueError, TypeError) as exc:
        raise MacroError(text("addin.run.not_master", reason=f"settings_json: {exc}")) from None
    lines: list[Line] = []
    sheet_line: dict[str, str] = {}
    for key, value in meta_rows:
        if key.startswith("line:"):
            try:
                sheet_name, title, pct = json.loads(value)
            except (ValueError, TypeError):
                continue
            lines.append(Line(key[5:], title, sheet_name, pct))
            sheet_line[sheet_name] = key[5:]
    placed: list[tuple[str, str, int]] = []
    for key, value in meta_rows:
        if key.startswith(spec.META_INDICATOR_PREFIX) and "!" in value:
            sheet, row = value.rsplit("!", 1)
            if row.isdigit():
                placed.append((key[len(spec.META_INDICATOR_PREFIX):], sheet, int(row)))
    names = set(ops.sheet_names())
    by_sheet: dict[str, list[tuple[str, int]]] = {}
    for ind_id, sheet, row in placed:
        by_sheet.setdefault(sheet, []).append((ind_id, row))
    rows: list[IndicatorRow] = []
    col = {c.key: i for i, c in enumerate(spec.COLUMNS)}
    for sheet, entries in by_sheet.items():
        if sheet not in names:
            raise MacroError(text("addin.run.not_master", reason=sheet))
        first, last = min(r for _, r in entries), max(r for _, r in entries)
        values = ops.read_rows(sheet, first, last, LAST_COL)
        line_id = sheet_line.get(sheet, sheet)
        if sheet not in sheet_line:
            lines.append(Line(sheet, sheet, sheet))
            sheet_line[sheet] = sheet
        for ind_id, row in entries:
            v = values[row - first]
            v = list(v) + [None] * (LAST_COL - len(v))

            def get(key: str, v: list[object] = v) -> object:
                return v[col[key]]

            kind, polarity = Kind.lenient(get("kind")), Polarity.lenient(get("polarity"))
            ind = Indicator(
                id=ind_id, line_id=line_id, objective_id=_str(get("objective_id")),
                owner=_str(get("owner")), sector=_str(get("sector")), objective=_str(get("objective")),
                definition=_str(get("definition")), indicator=_str(get("indicator")),
                formula_text=_str(get("formula_text")), purpose=_str(get("purpose")),
                target=_float(get("target")), weight=_float(get("weight")), kind=kind, polarity=polarity,
                neutralised=_str(get("neutralised")).upper() == NEUTRALISED_MARK,
                actual=_float(get("actual")), note=_str(get("note")),
            )
            rows.append(IndicatorRow(ind, sheet, row))
    order = {ind_id: i for i, (ind_id, _, _) in enumerate(placed)}
    rows.sort(key=lambda r: order.get(r.indicator.id, 0))
    used = {r.indicator.line_id for r in rows}
    plan = Plan(meta.get("ente", ""), int(meta.get("year") or 0) if (meta.get("year") or "").isdigit() else 0,
                [ln for ln in lines if ln.id in used], [r.indicator for r in rows])
    return BookData(meta, settings, plan, rows)


# --------------------------------------------------------------------------- scores


@dataclass(frozen=True)
class Scores:
    """The library's numbers for a workbook (what the native formulas must show)."""

    indicators: dict[str, float | None]
    objectives: dict[str, float | None]
    lines: dict[str, float | None]
    ente: float | None
    method: str


def compute_scores(data: BookData) -> Scores:
    s = data.settings
    p = scoring.score_plan(data.plan, s)
    return Scores(dict(p.indicator), dict(p.objective), dict(p.line), p.ente, s.describe_it())


def _now() -> str:
    return datetime.now().strftime("%d/%m/%Y %H:%M")


def _pct(value: float | None) -> str:
    return "" if value is None else format_it(value, 2) + " %"


# --------------------------------------------------------------------------- Ricalcola


def run_ricalcola(ops: WorkbookOps) -> Scores:
    """Recompute the workbook and write the library's % next to the formulas' in Impostazioni."""
    ops.calculate()
    data = read_book_data(ops)
    scores = compute_scores(data)
    layout = data.layout()
    riepilogo = f"'{spec.SUMMARY_SHEET}'"
    table: list[list[object]] = [[
        text("addin.check.header.item"), text("addin.check.header.formula"),
        text("addin.check.header.python"), text("addin.check.header.agree"),
    ]]
    tol = data.settings.tolerance
    entries: list[tuple[str, str, float | None]] = []
    for line in data.plan.lines:
        entries.append((line.title or line.id, layout.line_pct_summary_cell(line.id), scores.lines[line.id]))
    entries.append((text("addin.check.ente"), layout.ente_cell, scores.ente))
    for oid in layout.objective_rows:
        entries.append((oid, layout.objective_cell(oid), scores.objectives.get(oid)))
    for i, (label, cell, value) in enumerate(entries, start=CHECK_HEADER_ROW + 1):
        table.append(_check_row(i, label, f"={riepilogo}!{cell}", value, tol))
    ops.write(SETTINGS_SHEET, f"A{CHECK_HEADER_ROW - 1}", text("addin.settings.python_check"))
    ops.write_rows(SETTINGS_SHEET, f"A{CHECK_HEADER_ROW}", table)
    ops.write(SETTINGS_SHEET, LAST_RUN_CELL, text("addin.run.ricalcola", when=_now(), ente=_pct(scores.ente)))
    return scores


def _check_row(row: int, label: str, formula: str, value: float | None, tol: float) -> list[object]:
    """Label, the native formula's value (B), the library's (C), and whether they agree (D)."""
    ok, differs = text("addin.check.ok"), text("addin.check.differs")
    agree = (
        f'=IF(AND(ISNUMBER(B{row}),ISNUMBER(C{row})),IF(ABS(B{row}-C{row})<={tol:g},"{ok}","{differs}"),'
        f'IF(AND(NOT(ISNUMBER(B{row})),NOT(ISNUMBER(C{row}))),"{ok}","{differs}"))'
    )
    return [label, formula, "" if value is None else value, agree]


# --------------------------------------------------------------------------- Valida


@dataclass(frozen=True)
class ValidaResult:
    findings: list  # barometro.validators.findings.Finding
    marked: int


@contextmanager
def _workdir() -> Iterator[Path]:
    with tempfile.TemporaryDirectory(prefix="barometro-macro-") as tmp:
        yield Path(tmp)


def _previous_marks(ops: WorkbookOps) -> list[tuple[str, str, str]]:
    if PROBLEMS_SHEET not in ops.sheet_names():
        return []
    rows = ops.read_rows(PROBLEMS_SHEET, PROBLEM_HEADER_ROW + 1, PROBLEM_HEADER_ROW + 5000, 11)
    out = []
    for row in rows:
        if all(v is None for v in row):
            break
        sheet, cell, marked = _str(row[2]), _str(row[3]), row[10]
        if sheet and cell and marked is not None:
            out.append((sheet, cell, "" if _str(marked) == "-" else _str(marked)))
    return out


def _mark_of(severity: object) -> Mark:
    value = getattr(severity, "value", str(severity))
    return {"errore": Mark.ERROR, "avviso": Mark.WARNING}.get(value, Mark.INFO)


def run_valida(ops: WorkbookOps) -> ValidaResult:
    """Validate the workbook as `barometro validate` does; write Problemi; mark the cells."""
    from barometro.validators import validate_paths

    read_book_data(ops)  # a clear message if this is not a Barometro master
    for sheet, cell, fill in reversed(_previous_marks(ops)):
        ops.unmark(sheet, cell, fill)
    with _workdir() as tmp:
        snap = ops.snapshot(tmp)
        report = validate_paths([snap])
        findings = [f for fr in report.files for f in fr.findings]
    ops.reset_sheet(PROBLEMS_SHEET)
    names = set(ops.sheet_names())
    ops.write(PROBLEMS_SHEET, "A1", text("addin.problems.title", count=len(findings)) if findings
              else text("addin.problems.none"))
    header = [text(f"addin.problems.header.{k}") for k in PROBLEM_KEYS] + [text("addin.problems.header.link"),
                                                                          text("addin.problems.header.fill")]
    ops.write_rows(PROBLEMS_SHEET, f"A{PROBLEM_HEADER_ROW}", [header])
    rows: list[list[object]] = []
    targets: list[tuple[int, str, str]] = []
    seen: set[tuple[str, str]] = set()
    for i, f in enumerate(findings):
        row = PROBLEM_HEADER_ROW + 1 + i
        rows.append([getattr(f.severity, "value", str(f.severity)), f.code, f.sheet, f.cell, f.message,
                     f.expected, f.found, f.hint, Path(f.file).name if f.file else "", None, None])
        if f.sheet in names and _is_a1(f.cell):
            targets.append((row, f.sheet, f.cell))
    ops.write_rows(PROBLEMS_SHEET, f"A{PROBLEM_HEADER_ROW + 1}", rows)
    marked = 0
    for (row, sheet, cell), f in zip(targets, [f for f in findings if f.sheet in names and _is_a1(f.cell)],
                                     strict=True):
        ops.link(PROBLEMS_SHEET, f"J{row}", sheet, cell, text("addin.problems.go"))
        if (sheet, cell) in seen:
            continue
        seen.add((sheet, cell))
        previous = ops.mark(sheet, cell, _mark_of(f.severity), f"{f.code}: {f.message}")
        ops.write(PROBLEMS_SHEET, f"{PREVIOUS_FILL_COL}{row}", previous or "-")
        marked += 1
    ops.write(SETTINGS_SHEET, LAST_RUN_CELL, text("addin.run.valida", when=_now(), count=len(findings)))
    return ValidaResult(findings, marked)


def _is_a1(ref: str) -> bool:
    from openpyxl.utils.cell import coordinate_from_string

    try:
        coordinate_from_string(ref)
    except ValueError:
        return False
    return True


# --------------------------------------------------------------------------- Consolida


@dataclass(frozen=True)
class ConsolidaResult:
    folder: Path
    files: list[Path]
    filled: int
    result: object = None  # barometro.consolidation.ConsolidationResult


def returns_in(folder: Path) -> list[Path]:
    return sorted(p for p in folder.iterdir()
                  if p.is_file() and p.suffix.lower() in RETURN_SUFFIXES and not p.name.startswith(("~$", ".")))


def resolve_folder(ops: WorkbookOps, folder: str | Path | None) -> Path:
    chosen = _str(folder) or _str(ops.read(SETTINGS_SHEET, RETURNS_FOLDER_CELL) if SETTINGS_SHEET in ops.sheet_names() else "")
    if not chosen:
        chosen = _str(ops.ask_folder(text("addin.run.ask_folder")))
        if chosen:
            ops.write(SETTINGS_SHEET, RETURNS_FOLDER_CELL, chosen)
    if not chosen:
        raise MacroError(text("addin.run.no_folder"))
    path = Path(chosen).expanduser()
    if not path.is_dir():
        raise MacroError(text("addin.run.folder_missing", folder=chosen))
    return path


def run_consolida(ops: WorkbookOps, folder: str | Path | None = None) -> ConsolidaResult:
    """Consolidate the returns folder as `barometro consolidate` does; copy its actuals and notes here."""
    from barometro.consolidation import ConsolidationError, consolidate

    data = read_book_data(ops)
    path = resolve_folder(ops, folder)
    files = returns_in(path)
    if not files:
        raise MacroError(text("addin.run.no_returns", folder=path))
    with _workdir() as tmp:
        master = ops.snapshot(tmp)
        try:
            result = consolidate(files, master=master, settings=data.settings)
        except ConsolidationError as exc:
            raise MacroError(str(exc)) from None
    if result.blocked:
        raise MacroError(text("addin.run.blocked", folder=path))
    merged = {ind.id: ind for ind in result.plan.indicators}
    actual_col, note_col = spec.COL["actual"].letter, spec.COL["note"].letter
    filled = 0
    for r in data.rows:
        ind = merged.get(r.indicator.id)
        if ind is None:
            continue
        ops.write(r.sheet, f"{actual_col}{r.row}", ind.actual)
        ops.write(r.sheet, f"{note_col}{r.row}", ind.note or None)
        filled += ind.actual is not None
    ops.write(SETTINGS_SHEET, LAST_RUN_CELL,
              text("addin.run.consolida", when=_now(), folder=path, files=len(files), filled=filled))
    return ConsolidaResult(path, files, filled, result)


# --------------------------------------------------------------------------- button entry points


def _caller_ops() -> WorkbookOps:
    import xlwings as xw

    from .ops_xlwings import XlwingsOps

    return XlwingsOps(xw.Book.caller())


def _run(action) -> None:  # noqa: ANN001 - one of the run_* functions
    ops = _caller_ops()
    try:
        action(ops)
    except MacroError as exc:
        ops.notify(str(exc))
    except Exception as exc:  # noqa: BLE001 - the office sees a message, never a traceback
        ops.notify(text("addin.run.failed", reason=f"{type(exc).__name__}: {exc}"))


def ricalcola() -> None:
    """Button Ricalcola."""
    _run(run_ricalcola)


def valida() -> None:
    """Button Valida."""
    _run(run_valida)


def consolida() -> None:
    """Button Consolida."""
    _run(run_consolida)
