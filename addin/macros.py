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

import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path

from barometro import scoring
from barometro.messages import format_percent, text
from barometro.model import Indicator, Plan
from barometro.settings import DEFAULT_SETTINGS, Settings
from barometro.workbook_templates import readback, spec

from .office_workbook import (
    LAST_RUN_CELL,
    META_SHEET,
    PROBLEMS_SHEET,
    RETURNS_FOLDER_CELL,
    SETTINGS_SHEET,
)
from .ops import Formula, Mark, WorkbookOps

CHECK_HEADER_ROW = 13  # Impostazioni: the Python check table starts here
PROBLEM_HEADER_ROW = 3
PROBLEM_KEYS = ("severity", "code", "sheet", "cell", "message", "expected", "found", "hint", "file")
PREVIOUS_FILL_COL = "K"  # Problemi: the fill a marked cell had before (restored by the next run)
RETURN_SUFFIXES = (".xlsx", ".xlsm")


class MacroError(RuntimeError):
    """A macro cannot run on this workbook; the message is for the office (Italian)."""


# --------------------------------------------------------------------------- reading the book


class OpsRows:
    """`readback.RowSource` over the macros' workbook interface (the open workbook)."""

    BLOCK = 500

    def __init__(self, ops: WorkbookOps) -> None:
        self.ops = ops

    def sheet_names(self) -> list[str]:
        return self.ops.sheet_names()

    def meta_rows(self) -> list[tuple[object, object]]:
        rows: list[tuple[object, object]] = []
        n = 0
        while n < 200_000:  # read in blocks until the first empty key
            for key, value, *_ in self.ops.read_rows(META_SHEET, n + 1, n + self.BLOCK, 2):
                if readback.is_blank(key):
                    return rows
                rows.append((key, value))
            n += self.BLOCK
        return rows

    def rows(self, sheet: str, first: int, last: int) -> list[list[object]]:
        return self.ops.read_rows(sheet, first, last, readback.WIDTH)

    def last_row(self, sheet: str) -> int:
        return 0  # unknown: `read_back` reads up to the last row the metadata names


@dataclass(frozen=True)
class IndicatorRow:
    indicator: Indicator  # with the actual and note typed in the workbook
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


def read_book_data(ops: WorkbookOps) -> BookData:
    """Plan, settings and indicator rows of the open workbook, with the actuals typed in it."""
    try:
        template = readback.read_back(OpsRows(ops), strict=True)
    except readback.TemplateError as exc:
        raise MacroError(text("addin.run.not_master", reason=exc.reason_text())) from None
    rows = [IndicatorRow(ind, *template.places[ind.id]) for ind in template.plan.indicators]
    return BookData(template.meta, template.settings or DEFAULT_SETTINGS, template.plan, rows)


def _snapshot_master(ops: WorkbookOps, folder: Path):  # -> (Path, Book, MasterInfo)
    """Save the open workbook and read it once with the validator's reader."""
    from barometro.validators.identify import MasterError, master_from_book
    from barometro.validators.reader import ReadProblem, read_book

    snap = ops.snapshot(folder)
    try:
        book = read_book(snap)
        return snap, book, master_from_book(book)
    except ReadProblem as exc:
        from barometro.validators.findings import make

        raise MacroError(text("addin.run.not_master", reason=make(exc.code, "", **exc.values).message.rstrip("."))) from None
    except MasterError as exc:
        raise MacroError(text("addin.run.not_master", reason=exc.reason())) from None


def _str(value: object) -> str:
    return readback.as_text(value).strip()


def _now() -> str:
    return datetime.now().strftime("%d/%m/%Y %H:%M")


# --------------------------------------------------------------------------- Ricalcola


def run_ricalcola(ops: WorkbookOps) -> scoring.PlanScores:
    """Recompute the workbook and write the library's % next to the formulas' in Impostazioni."""
    ops.calculate()
    data = read_book_data(ops)
    scores = scoring.score_plan(data.plan, data.settings)
    layout = data.layout()
    riepilogo = f"'{spec.SUMMARY_SHEET}'"
    table: list[list[object]] = [[
        text("addin.check.header.item"), text("addin.check.header.formula"),
        text("addin.check.header.python"), text("addin.check.header.agree"),
    ]]
    tol = data.settings.tolerance
    entries: list[tuple[str, str, float | None]] = []
    for line in data.plan.lines:
        entries.append((line.title or line.id, layout.line_pct_summary_cell(line.id), scores.line[line.id]))
    entries.append((text("addin.check.ente"), layout.ente_cell, scores.ente))
    for oid in layout.objective_rows:
        entries.append((oid, layout.objective_cell(oid), scores.objective.get(oid)))
    for i, (label, cell, value) in enumerate(entries, start=CHECK_HEADER_ROW + 1):
        table.append(_check_row(i, label, f"={riepilogo}!{cell}", value, tol))
    ops.write(SETTINGS_SHEET, f"A{CHECK_HEADER_ROW - 1}", text("addin.settings.python_check"))
    ops.write_rows(SETTINGS_SHEET, f"A{CHECK_HEADER_ROW}", table)
    ops.write(SETTINGS_SHEET, LAST_RUN_CELL, text("addin.run.ricalcola", when=_now(), ente=format_percent(scores.ente)))
    return scores


def _check_row(row: int, label: str, formula: str, value: float | None, tol: float) -> list[object]:
    """Label, the native formula's value (B), the library's (C), and whether they agree (D)."""
    ok, differs = text("addin.check.ok"), text("addin.check.differs")
    agree = (
        f'=IF(AND(ISNUMBER(B{row}),ISNUMBER(C{row})),IF(ABS(B{row}-C{row})<={tol:g},"{ok}","{differs}"),'
        f'IF(AND(NOT(ISNUMBER(B{row})),NOT(ISNUMBER(C{row}))),"{ok}","{differs}"))'
    )
    return [label, Formula(formula), "" if value is None else value, Formula(agree)]


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
    from barometro.validators.validate import validate_book

    for sheet, cell, fill in reversed(_previous_marks(ops)):
        ops.unmark(sheet, cell, fill)
    with _workdir() as tmp:
        snap, book, _ = _snapshot_master(ops, tmp)  # one read; a clear message if not a master
        findings = validate_book(book, str(snap)).findings
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
        d = f.to_dict()
        rows.append([f.severity.label(), f.code, f.sheet, f.cell, d["message"],
                     d["expected"], d["found"], d["hint"], Path(f.file).name if f.file else "", None, None])
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

    path = resolve_folder(ops, folder)
    files = returns_in(path)
    if not files:
        raise MacroError(text("addin.run.no_returns", folder=path))
    with _workdir() as tmp:
        _, _, master = _snapshot_master(ops, tmp)  # the master, read once for the whole run
        try:
            # jobs=1: no worker processes from inside an office application (LibreOffice's
            # embedded Python would start them from the office's own executable)
            result = consolidate(files, master=master, settings=master.settings, jobs=1)
        except ConsolidationError as exc:
            raise MacroError(str(exc)) from None
    if result.blocked:
        raise MacroError(text("addin.run.blocked", folder=path))
    filled = 0
    for ind in result.plan.indicators:
        sheet, row = master.template.places[ind.id]
        write_input(ops, sheet, row, ind.actual, ind.note)
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


def write_input(ops: WorkbookOps, sheet: str, row: int, actual: object, note: str | None) -> None:
    """Put an indicator's actual and note in its input cells (text stays text, never a formula)."""
    ops.write(sheet, f"{spec.COL['actual'].letter}{row}", actual)
    ops.write(sheet, f"{spec.COL['note'].letter}{row}", note or None)


def ricalcola() -> None:
    """Button Ricalcola."""
    _run(run_ricalcola)


def valida() -> None:
    """Button Valida."""
    _run(run_valida)


def consolida() -> None:
    """Button Consolida."""
    _run(run_consolida)
