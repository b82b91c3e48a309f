"""`WorkbookOps` over a live LibreOffice Calc document, through UNO (the extension's commands).

The `.oxt` built by `extension_build` runs `macros.run_ricalcola`,
`run_valida` and `run_consolida` on `UnoOps(document)`: the same code as the
Excel buttons, over the document open in Calc. `uno` is imported only inside
the methods: the module imports anywhere, and runs where PyUNO is available
(LibreOffice's own Python, or a script connected to a running office).

How the interface maps onto Calc:

* values: `getDataArray()` (numbers as floats, text as str, formula results;
  empty cells and error results as None);
* `write`: numbers with `setValue`, text with `setString` (never parsed, so
  "=1+1" stays text), `Formula` through Calc's formula parser in the Excel
  (OOXML) syntax the macros write: `='Riepilogo'!C6`, `IF(a,b,c)`;
* a sheet the macros write to but the document lacks is created:
  `Impostazioni` first, with the labels of the office workbook
  (`office_workbook`), any other (`Problemi`) before the metadata sheet;
* links are URL fields (`#'Foglio'.A1`), marks a background colour and a
  comment starting with "Barometro: " (only those are removed again); line
  sheets are protected without password, so a mark unprotects the sheet for
  the moment of the change;
* `snapshot` stores a copy with Calc's Excel filter (`.xlsx`, or `.xlsm` for a
  macro workbook), which is what the validator reads;
* `ask_folder` is LibreOffice's folder picker, `notify` its message box; both
  record what they showed (`asked`, `shown`), which the commands report back.
"""

from __future__ import annotations

import re
from contextlib import contextmanager
from pathlib import Path

from barometro.messages import text
from barometro.workbook_templates.literal import Formula, literal

from .office_workbook import (
    INTRO_CELL,
    META_SHEET,
    METHOD_CELL,
    PROFILE_CELL,
    SETTINGS_LABELS,
    SETTINGS_SHEET,
    TITLE_CELL,
)
from .ops import MARK_FILL, NO_FILL, Mark, Value

NOTE_PREFIX = "Barometro: "
XLSX_FILTER = "Calc MS Excel 2007 XML"
XLSM_FILTER = "Calc MS Excel 2007 VBA XML"
MACRO_SUFFIXES = (".xlsm", ".xltm")
# com.sun.star.sheet.CellFlags: what `write(None)` and `reset_sheet` clear
_CONTENT = 1 | 2 | 4 | 16  # VALUE | DATETIME | STRING | FORMULA
_EVERYTHING = 1023  # every flag: contents, notes, formats, objects
_A1 = re.compile(r"^\$?([A-Za-z]{1,3})\$?([0-9]+)$")


def position(ref: str) -> tuple[int, int]:
    """0-based (column, row) of an A1 reference ("B4" -> (1, 3))."""
    m = _A1.match(ref.strip())
    if not m:
        raise ValueError(ref)
    col = 0
    for ch in m.group(1).upper():
        col = col * 26 + ord(ch) - 64
    return col - 1, int(m.group(2)) - 1


def sheet_ref(sheet: str) -> str:
    """A sheet name as Calc writes it in a reference: quoted, inner quotes doubled."""
    return "'" + sheet.replace("'", "''") + "'"


def _value(v: object) -> Value:
    return None if v == "" else v


class UnoOps:
    """The macros' workbook operations on a Calc document (`com.sun.star.sheet.SpreadsheetDocument`)."""

    def __init__(self, doc, *, ctx=None, frame=None) -> None:  # noqa: ANN001 - UNO objects
        self.doc = doc
        self.ctx = ctx
        self.frame = frame
        self.shown: list[dict[str, str]] = []  # message boxes: kind, caption, text as the box holds it
        self.asked: list[str] = []  # folder picker titles
        self._parser = None

    # ------------------------------------------------------------------ sheets

    def sheet_names(self) -> list[str]:
        return list(self.doc.Sheets.ElementNames)

    def _sheet(self, name: str, *, create: bool = False):  # noqa: ANN202 - a UNO sheet
        sheets = self.doc.Sheets
        if not sheets.hasByName(name):
            if not create:
                raise KeyError(name)
            self._create_sheet(name)
        return sheets.getByName(name)

    def _create_sheet(self, name: str, before: str | None = None) -> None:
        sheets = self.doc.Sheets
        names = self.sheet_names()
        if name == SETTINGS_SHEET:
            index = 0
        elif before in names:
            index = names.index(before)
        elif META_SHEET in names:  # the metadata sheet stays last, as the builder puts it
            index = names.index(META_SHEET)
        else:
            index = len(names)
        sheets.insertNewByName(name, index)
        if name == SETTINGS_SHEET:
            self._write_settings_labels()

    def _write_settings_labels(self) -> None:
        """The labels of the office workbook's Impostazioni, and the profile and method in force."""
        from barometro.workbook_templates import readback

        from .macros import OpsRows

        meta = readback.read_meta(OpsRows(self)) or {}
        settings = readback.settings_of(meta)
        cells: list[tuple[str, object]] = [
            (TITLE_CELL, text("addin.settings.title")),
            (INTRO_CELL, text("addin.settings.intro")),
            *((cell, text(key)) for cell, key in SETTINGS_LABELS),
            (PROFILE_CELL, meta.get("settings_name") or (settings.name if settings else "")),
            (METHOD_CELL, settings.describe_it() if settings else ""),
        ]
        for cell, value in cells:
            self.write(SETTINGS_SHEET, cell, value or None)

    def reset_sheet(self, name: str, *, before: str | None = None) -> None:
        if self.doc.Sheets.hasByName(name):
            self.doc.Sheets.getByName(name).clearContents(_EVERYTHING)
            return
        self._create_sheet(name, before)

    # ------------------------------------------------------------------ reading

    def read_rows(self, sheet: str, first_row: int, last_row: int, last_col: int) -> list[list[Value]]:
        block = self._sheet(sheet).getCellRangeByPosition(0, first_row - 1, last_col - 1, last_row - 1)
        return [[_value(v) for v in row] for row in block.getDataArray()]

    def read(self, sheet: str, cell: str) -> Value:
        return _value(self._sheet(sheet).getCellRangeByName(cell).getDataArray()[0][0])

    # ------------------------------------------------------------------ writing

    def write(self, sheet: str, cell: str, value: Value) -> None:
        self._set(self._sheet(sheet, create=True).getCellRangeByName(cell), value)

    def write_rows(self, sheet: str, top_left: str, rows: list[list[Value]]) -> None:
        target = self._sheet(sheet, create=True)
        col0, row0 = position(top_left)
        for r, values in enumerate(rows):
            for c, value in enumerate(values):
                self._set(target.getCellByPosition(col0 + c, row0 + r), value)

    def _set(self, cell, value: Value) -> None:  # noqa: ANN001 - a UNO cell
        if isinstance(value, Formula):
            cell.setTokens(self._formula_parser().parseFormula(str(value), cell.getCellAddress()))
            return
        value = literal(value)
        if value is None:
            cell.clearContents(_CONTENT)
        elif isinstance(value, bool | int | float):
            cell.setValue(float(value))
        else:
            cell.setString(str(value))

    def _formula_parser(self):  # noqa: ANN202 - com.sun.star.sheet.FormulaParser
        """Calc's formula parser for the Excel syntax the macros write (OOXML)."""
        import uno

        if self._parser is None:
            mapper = self.doc.createInstance("com.sun.star.sheet.FormulaOpCodeMapper")
            parser = self.doc.createInstance("com.sun.star.sheet.FormulaParser")
            parser.FormulaConvention = uno.getConstantByName("com.sun.star.sheet.AddressConvention.XL_OOX")
            # typed: inside LibreOffice a plain tuple would reach the property as sequence<any>
            # and be ignored (the parser would keep ";" as separator)
            opcodes = uno.Any("[]com.sun.star.sheet.FormulaOpCodeMapEntry",
                              mapper.getAvailableMappings(
                                  uno.getConstantByName("com.sun.star.sheet.FormulaLanguage.OOXML"),
                                  uno.getConstantByName("com.sun.star.sheet.FormulaMapGroup.ALL_EXCEPT_SPECIAL")))
            uno.invoke(parser, "setPropertyValue", ("OpCodeMap", opcodes))
            self._parser = parser
        return self._parser

    def link(self, sheet: str, cell: str, target_sheet: str, target_cell: str, label: str) -> None:
        target = self._sheet(sheet, create=True).getCellRangeByName(cell)
        field = self.doc.createInstance("com.sun.star.text.TextField.URL")
        field.URL = f"#{sheet_ref(target_sheet)}.{target_cell}"
        field.Representation = label
        target.setString("")
        body = target.getText()
        body.insertTextContent(body.createTextCursor(), field, False)

    # ------------------------------------------------------------------ marks

    @contextmanager
    def _unprotected(self, sheet):  # noqa: ANN001, ANN202 - a UNO sheet
        from .macros import MacroError

        protected = sheet.isProtected()
        if protected:
            try:
                sheet.unprotect("")
            except Exception:  # noqa: BLE001 - IllegalArgumentException: a password
                raise MacroError(text("addin.ext.protected", sheet=sheet.Name)) from None
        try:
            yield
        finally:
            if protected:
                sheet.protect("")

    def mark(self, sheet: str, cell: str, mark: Mark, note: str) -> str:
        target = self._sheet(sheet)
        c = target.getCellRangeByName(cell)
        with self._unprotected(target):
            previous = NO_FILL if c.IsCellBackgroundTransparent else f"{c.CellBackColor & 0xFFFFFF:06X}"
            c.CellBackColor = int(MARK_FILL[mark], 16)
            self._remove_note(target, c, only_ours=False)
            target.Annotations.insertNew(c.getCellAddress(), NOTE_PREFIX + note)
        return previous

    def unmark(self, sheet: str, cell: str, previous_fill: str) -> None:
        if not self.doc.Sheets.hasByName(sheet):
            return
        target = self._sheet(sheet)
        c = target.getCellRangeByName(cell)
        with self._unprotected(target):
            c.CellBackColor = int(previous_fill, 16) if previous_fill else -1  # -1: transparent
            self._remove_note(target, c, only_ours=True)

    @staticmethod
    def _remove_note(sheet, cell, *, only_ours: bool) -> None:  # noqa: ANN001 - UNO objects
        if not cell.getAnnotation().getString() or (
                only_ours and not cell.getAnnotation().getString().startswith(NOTE_PREFIX)):
            return
        address = cell.getCellAddress()
        notes = sheet.Annotations
        for i in range(notes.getCount()):
            pos = notes.getByIndex(i).Position
            if (pos.Column, pos.Row) == (address.Column, address.Row):
                notes.removeByIndex(i)
                return

    # ------------------------------------------------------------------ the rest

    def calculate(self) -> None:
        self.doc.calculateAll()

    def snapshot(self, folder: Path) -> Path:
        import uno

        location = self.doc.getLocation()
        name = Path(uno.fileUrlToSystemPath(location)).name if location else "documento.xlsx"
        macros = Path(name).suffix.lower() in MACRO_SUFFIXES
        target = Path(folder) / (Path(name).stem + (".xlsm" if macros else ".xlsx"))
        self.doc.storeToURL(uno.systemPathToFileUrl(str(target)), (
            _property("FilterName", XLSM_FILTER if macros else XLSX_FILTER), _property("Overwrite", True)))
        return target

    def ask_folder(self, prompt: str) -> str | None:
        import uno

        self.asked.append(prompt)
        picker = self._service("com.sun.star.ui.dialogs.FolderPicker")
        picker.setTitle(prompt)
        picker.setDescription(prompt)
        location = self.doc.getLocation()
        if location:  # start beside the workbook, where the returns usually are
            picker.setDisplayDirectory(location.rsplit("/", 1)[0])
        if picker.execute() != 1:  # com.sun.star.ui.dialogs.ExecutableDialogResults.OK
            return None
        chosen = picker.getDirectory()
        return uno.fileUrlToSystemPath(chosen) if chosen else None

    def notify(self, message: str, *, error: bool = False) -> None:
        import uno

        kind = "ERRORBOX" if error else "INFOBOX"
        toolkit = self._service("com.sun.star.awt.Toolkit")
        box = toolkit.createMessageBox(self._window(), uno.Enum("com.sun.star.awt.MessageBoxType", kind),
                                       1, text("addin.ext.caption"), message)  # 1: BUTTONS_OK
        self.shown.append({"kind": "error" if error else "info", "caption": box.CaptionText,
                           "text": box.MessageText})
        box.execute()

    # ------------------------------------------------------------------ helpers

    def _service(self, name: str):  # noqa: ANN202
        import uno

        ctx = self.ctx or uno.getComponentContext()
        return ctx.ServiceManager.createInstanceWithContext(name, ctx)

    def _window(self):  # noqa: ANN202 - the parent of dialogs (XWindowPeer) or None
        frame = self.frame
        if frame is None:
            try:
                frame = self.doc.getCurrentController().getFrame()
            except Exception:  # noqa: BLE001 - no controller: a box without parent
                return None
        return frame.getContainerWindow() if frame is not None else None


def _property(name: str, value: object):  # noqa: ANN202 - com.sun.star.beans.PropertyValue
    import uno

    prop = uno.createUnoStruct("com.sun.star.beans.PropertyValue")
    prop.Name, prop.Value = name, value
    return prop
