"""Build the performance office's workbook `master.xlsm` from a master `.xlsx`.

The office workbook is the master (every sheet, formula, style and the hidden
metadata sheet kept as the builder wrote them) plus:

- `Impostazioni` (first sheet): the returns folder, the scoring method, the
  buttons Ricalcola / Valida / Consolida, the last operation;
- `Problemi`: written by the Valida button;
- `xlwings.conf`: interpreter settings and the UDF module `barometro.addin.udfs`;
- the VBA project built from text sources (`vba_project.build_vba_project`).

How: XlsxWriter writes a one-sheet shell `.xlsm` holding the VBA project and the
form buttons (VML); openpyxl then saves the master with that shell as its
"VBA archive", which copies `vbaProject.bin` and the buttons' VML drawing into
the package and marks the workbook macro-enabled.
"""

from __future__ import annotations

import io
import zipfile
from dataclasses import dataclass
from pathlib import Path

from barometro.atomic import atomic_path
from barometro.messages import text

SETTINGS_SHEET = "Impostazioni"
PROBLEMS_SHEET = "Problemi"
XLWINGS_CONF_SHEET = "xlwings.conf"
OFFICE_SHEETS = (SETTINGS_SHEET, PROBLEMS_SHEET, XLWINGS_CONF_SHEET)
META_SHEET = "_barometro"

# Impostazioni cells (the macros read and write these)
TITLE_CELL = "A1"
INTRO_CELL = "A2"
RETURNS_FOLDER_CELL = "B4"
PROFILE_CELL = "B5"
METHOD_CELL = "B6"
LAST_RUN_CELL = "B7"
SETTINGS_LABELS = (  # (cell, message key) of the labels beside those cells
    ("A4", "addin.settings.returns_folder"),
    ("A5", "addin.settings.profile"),
    ("A6", "addin.settings.method"),
    ("A7", "addin.settings.last_run"),
)
BUTTON_ROW = 10
VML_PART = "xl/drawings/vmlDrawing1.vml"
COLUMN_WIDTHS = {"A": 34, "B": 30, "C": 14, "D": 14, "E": 14, "F": 14, "G": 14, "H": 14}
UDF_MODULES = "barometro.addin.udfs"

# xlwings.conf: keys in column A from A1, values in column B (xlwings' own lookup order:
# this sheet, then xlwings.conf beside the workbook, then the user's file).
XLWINGS_CONF: tuple[tuple[str, object], ...] = (
    ("Interpreter_Win", "python"),
    ("Interpreter_Mac", ""),
    ("PYTHONPATH", ""),
    ("Conda Path", ""),
    ("Conda Env", ""),
    ("UDF Modules", UDF_MODULES),
    ("Debug UDFs", False),
    ("Use UDF Server", False),
    ("Show Console", False),
)


class OfficeWorkbookError(ValueError):
    """The input is not a master workbook we can extend (the message says why)."""


@dataclass(frozen=True)
class OfficeBuild:
    path: Path
    sheets: tuple[str, ...]
    modules: tuple[str, ...]


def read_meta(wb) -> dict[str, str]:  # noqa: ANN001 - openpyxl Workbook
    """Key/value rows of the very hidden metadata sheet."""
    if META_SHEET not in wb.sheetnames:
        raise OfficeWorkbookError(f"no {META_SHEET} sheet")
    out: dict[str, str] = {}
    for key, value, *_ in wb[META_SHEET].iter_rows(min_col=1, max_col=2, values_only=True):
        if key is not None:
            out[str(key)] = "" if value is None else str(value)
    return out


def is_master(path: str | Path) -> bool:
    """Whether `path` is a workbook carrying Barometro's metadata sheet (a master or template)."""
    from openpyxl import load_workbook

    try:
        wb = load_workbook(path, read_only=True)
    except Exception:  # noqa: BLE001 - anything unreadable as a workbook is not a master
        return False
    try:
        return META_SHEET in wb.sheetnames
    finally:
        wb.close()


def _shell_xlsm(vba_project: bytes) -> bytes:
    """A one-sheet .xlsm (XlsxWriter) holding the VBA project and the buttons."""
    import xlsxwriter

    from .vba_project import BUTTONS

    buf = io.BytesIO()
    book = xlsxwriter.Workbook(buf, {"in_memory": True})
    sheet = book.add_worksheet(SETTINGS_SHEET)
    for letter, width in COLUMN_WIDTHS.items():  # same widths: XlsxWriter anchors by them
        sheet.set_column(f"{letter}:{letter}", width)
    book.add_vba_project(io.BytesIO(vba_project), is_stream=True)
    for button in BUTTONS:
        sheet.insert_button(
            button.cell,
            {"macro": button.macro, "caption": text(button.caption_key), "width": 140, "height": 36},
        )
    book.close()
    return buf.getvalue()


def _write_settings_sheet(ws, meta: dict[str, str], returns_folder: str) -> None:  # noqa: ANN001
    from openpyxl.styles import Alignment, Font, PatternFill

    from barometro.workbook_templates.readback import settings_of

    settings = settings_of(meta)  # an unreadable settings row only loses the description
    ws[TITLE_CELL] = text("addin.settings.title")
    ws[TITLE_CELL].font = Font(bold=True, size=14)
    ws[INTRO_CELL] = text("addin.settings.intro")
    ws[INTRO_CELL].alignment = Alignment(wrap_text=True, vertical="top")
    ws.merge_cells("A2:H2")
    ws.row_dimensions[2].height = 45
    for cell, key in SETTINGS_LABELS:
        ws[cell] = text(key)
        ws[cell].font = Font(bold=True)
    ws[RETURNS_FOLDER_CELL] = returns_folder or None
    ws[RETURNS_FOLDER_CELL].fill = PatternFill("solid", fgColor="FFF2CC")
    ws[PROFILE_CELL] = meta.get("settings_name") or (settings.name if settings else "")
    ws[METHOD_CELL] = settings.describe_it() if settings else ""
    ws[METHOD_CELL].alignment = Alignment(wrap_text=True, vertical="top")
    ws.merge_cells("B6:H6")
    ws.row_dimensions[6].height = 60
    for letter, width in COLUMN_WIDTHS.items():
        ws.column_dimensions[letter].width = width


def _write_problems_sheet(ws) -> None:  # noqa: ANN001
    ws["A1"] = text("addin.problems.none")


def _write_xlwings_conf(ws) -> None:  # noqa: ANN001
    for row, (key, value) in enumerate(XLWINGS_CONF, start=1):
        ws.cell(row=row, column=1, value=key)
        ws.cell(row=row, column=2, value=value if value != "" else None)
    ws.column_dimensions["A"].width = 20
    ws.column_dimensions["B"].width = 40


def build_office_workbook(
    master: str | Path,
    output: str | Path,
    *,
    returns_folder: str = "",
    vba_project: bytes | None = None,
) -> OfficeBuild:
    """Write `output` (.xlsm): the master at `master` plus the office sheets, buttons and VBA.

    `vba_project` replaces the built project (tests pass one with a stub
    `RunPython`). The input file is never modified.
    """
    from openpyxl import load_workbook
    from openpyxl.utils.exceptions import InvalidFileException

    master, output = Path(master), Path(output)
    if output.suffix.lower() != ".xlsm":
        raise OfficeWorkbookError(text("addin.office.bad_output", path=output))
    if not master.is_file():
        raise OfficeWorkbookError(text("addin.office.input_missing", path=master))
    try:
        wb = load_workbook(master)
        meta = read_meta(wb)
    except (InvalidFileException, zipfile.BadZipFile, OSError, KeyError, OfficeWorkbookError) as exc:
        raise OfficeWorkbookError(text("addin.office.bad_input", path=master, reason=exc)) from None
    for name in OFFICE_SHEETS:
        if name in wb.sheetnames:
            del wb[name]
    settings_ws = wb.create_sheet(SETTINGS_SHEET, 0)
    _write_settings_sheet(settings_ws, meta, returns_folder)
    problems_ws = wb.create_sheet(PROBLEMS_SHEET)
    _write_problems_sheet(problems_ws)
    _write_xlwings_conf(wb.create_sheet(XLWINGS_CONF_SHEET))
    # keep the very hidden metadata sheet last, as the builder does
    meta_ws = wb[META_SHEET]
    wb.move_sheet(meta_ws, offset=len(wb.sheetnames) - 1 - wb.sheetnames.index(META_SHEET))

    # The office adds sheets (Problemi) from macros: no structure lock in its own workbook.
    if wb.security is not None:
        wb.security.lockStructure = False
    wb.code_name = "ThisWorkbook"
    settings_ws.sheet_properties.codeName = "Sheet1"
    wb.active = 0
    for ws in wb.worksheets:
        ws.sheet_view.tabSelected = ws is settings_ws
    wb.calculation.fullCalcOnLoad = True

    from .vba_project import build_vba_project, project_modules

    project = vba_project if vba_project is not None else build_vba_project()
    wb.vba_archive = zipfile.ZipFile(io.BytesIO(_shell_xlsm(project)))
    settings_ws.legacy_drawing = VML_PART

    with atomic_path(output) as tmp:
        wb.save(tmp)
    modules = tuple(m.name for m in project_modules())
    return OfficeBuild(output, tuple(wb.sheetnames), modules)


def office_workbook_from(source: str | Path, output: str | Path, *, settings: str | None = None,
                         returns_folder: str = "") -> OfficeBuild:
    """The office workbook from a master, or from a plan (a plan workbook or last year's
    report), which is built into a master first with the template builder."""
    import tempfile

    from barometro.plan_io import load_plan
    from barometro.settings import SettingsError, load_settings
    from barometro.workbook_templates.builder import build_workbook

    source = Path(source)
    if not source.is_file():
        raise OfficeWorkbookError(text("addin.office.input_missing", path=source))
    if is_master(source):
        return build_office_workbook(source, output, returns_folder=returns_folder)
    with tempfile.TemporaryDirectory(prefix="barometro-office-") as tmp:
        try:
            plan = load_plan(source)
            master = build_workbook(plan, load_settings(settings or "default"), Path(tmp) / "master.xlsx")
        except (SettingsError, ValueError, OSError) as exc:
            raise OfficeWorkbookError(text("addin.office.bad_input", path=source, reason=exc)) from None
        return build_office_workbook(master, output, returns_folder=returns_folder)
