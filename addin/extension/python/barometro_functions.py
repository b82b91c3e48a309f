"""LibreOffice component: the BAR_* Calc functions, a thin adapter over `barometro.addin.functions`.

Calc calls the methods of `org.barometro.calc.XBarometro` (idl/); each converts
its UNO arguments into what `functions.py` takes (the values the xlwings UDFs
receive) and returns its result unchanged: a number, "" for "no score", or the
text `#VALORE! <motivo>` for an argument the function cannot use (the same text
as in Excel; Calc shows it in the cell, ISERROR() does not see it).

Arguments as Calc passes them:

* data arguments (`XCellRange` in the IDL): a reference; its values are read
  with `getDataArray()` (empty cells "", error cells VOID) and become a scalar
  for a single cell, rows of values for a range;
* optional arguments (`any`): a number, a text, VOID when omitted, or rows of
  values for a range. Calc passes an empty single cell to such an argument as 0:
  for an optional argument a number 0 is read as "empty" (all of them are
  texts or ranges, so 0 has no other meaning there).

`ReparseJob` (Jobs.xcu, OnLoadFinished) makes formulas written by Excel or saved
by Calc in .xlsx compute: the file filters leave `BAR_RAGG(…)` (or the stored
`ORG.BAROMETRO.CALC.FUNCTIONS.BAR_RAGG(…)`) as an unknown name; compiling the
formula again with the add-in loaded resolves it.
"""

import os
import re
import sys

import unohelper
from com.sun.star.lang import XServiceInfo, XServiceName
from com.sun.star.task import XJob
from org.barometro.calc import XBarometro

# The extension's own pythonpath/ comes first: its copy of Barometro and openpyxl
# is the one the extension was built and tested with.
_PYTHONPATH = os.path.join(os.path.dirname(os.path.dirname(os.path.abspath(__file__))), "pythonpath")
if _PYTHONPATH in sys.path:
    sys.path.remove(_PYTHONPATH)
sys.path.insert(0, _PYTHONPATH)

IMPLEMENTATION = "org.barometro.calc.Functions"
SERVICES = ("com.sun.star.sheet.AddIn", IMPLEMENTATION)
JOB = "org.barometro.calc.ReparseJob"
RANGE_ARGUMENTS = frozenset({"pesi", "raggiungimenti", "obiettivi", "neutralizzati"})


def _rows(value):
    """Rows of cell values (tuple of tuples from Calc) as lists, "" (empty cell) as None."""
    return [[None if v == "" else v for v in row] for row in value]


def _argument(value, name):
    """One UNO argument as functions.py takes it."""
    optional = not hasattr(value, "getDataArray")  # the data arguments are XCellRange
    if not optional:
        value = value.getDataArray()
    if isinstance(value, tuple) and all(isinstance(row, tuple) for row in value):
        rows = _rows(value)
        if name not in RANGE_ARGUMENTS and len(rows) == 1 and len(rows[0]) == 1:
            return rows[0][0]
        return rows
    if value == "" or (optional and isinstance(value, float) and value == 0.0):
        return None
    return value


_TABLE = {}


def _table():
    """{name: (implementation, argument names)} of functions.FUNCTIONS, imported on first use."""
    if not _TABLE:
        from barometro.addin.functions import FUNCTIONS

        _TABLE.update({name: (impl, args) for name, impl, args in FUNCTIONS})
    return _TABLE


def _call(name, values):
    """The function's result for the UNO arguments `values` (IDL order = FUNCTIONS order)."""
    try:
        implementation, arguments = _table()[name]
        return implementation(*(_argument(v, a) for v, a in zip(values, arguments, strict=True)))
    except Exception as exc:  # noqa: BLE001 - a cell never shows a traceback
        from barometro.addin.functions import error_text
        from barometro.messages import text

        return error_text(text("addin.udf.unexpected", error=type(exc).__name__))


class Functions(unohelper.Base, XBarometro, XServiceInfo, XServiceName):
    """The add-in object Calc creates (by the service name in CalcAddIns.xcu)."""

    def __init__(self, ctx):
        self.ctx = ctx

    # XServiceName, XServiceInfo
    def getServiceName(self):
        return IMPLEMENTATION

    def getImplementationName(self):
        return IMPLEMENTATION

    def supportsService(self, name):
        return name in SERVICES

    def getSupportedServiceNames(self):
        return SERVICES

    # XBarometro: argument names as in functions.FUNCTIONS
    def BAR_SCOST(self, consuntivo, target):
        return _call("BAR_SCOST", (consuntivo, target))

    def BAR_RAGG(self, consuntivo, target, tipo, polarita, neutralizzato, profilo):
        return _call("BAR_RAGG", (consuntivo, target, tipo, polarita, neutralizzato, profilo))

    def BAR_OBIETTIVO(self, pesi, raggiungimenti):
        return _call("BAR_OBIETTIVO", (pesi, raggiungimenti))

    def BAR_LINEA(self, raggiungimenti, metodo, pesi, obiettivi, neutralizzati, profilo):
        return _call("BAR_LINEA", (raggiungimenti, metodo, pesi, obiettivi, neutralizzati, profilo))

    def BAR_BAROMETRO(self, valore, profilo):
        return _call("BAR_BAROMETRO", (valore, profilo))


# --------------------------------------------------------------------------- re-parse on load

_CANDIDATE = re.compile(r"\bBAR_[A-Z]+\s*\(", re.IGNORECASE)
_UNRESOLVED = re.compile(r"(?:ORG\.BAROMETRO\.CALC\.FUNCTIONS\.)?BAR_[A-Z]+", re.IGNORECASE)
FORMULA_CELLS = 16  # com.sun.star.sheet.CellFlags.FORMULA


def reparse(doc):
    """Compile again every formula whose BAR_* call is an unresolved name; return how many."""
    if not doc.supportsService("com.sun.star.sheet.SpreadsheetDocument"):
        return 0
    external = doc.createInstance("com.sun.star.sheet.FormulaOpCodeMapper").OpCodeExternal
    was_modified = doc.isModified()
    count = 0
    for sheet in doc.Sheets:
        for address in sheet.queryContentCells(FORMULA_CELLS).getRangeAddresses():
            block = sheet.getCellRangeByPosition(address.StartColumn, address.StartRow,
                                                 address.EndColumn, address.EndRow)
            for r, row in enumerate(block.getFormulaArray()):
                for c, formula in enumerate(row):
                    if not _CANDIDATE.search(formula):
                        continue
                    cell = block.getCellByPosition(c, r)
                    if any(token.OpCode != external and isinstance(token.Data, str)
                           and _UNRESOLVED.fullmatch(token.Data) for token in cell.getTokens()):
                        cell.setFormula(cell.getFormula())
                        count += 1
    if count and not was_modified:
        doc.setModified(False)
    return count


class ReparseJob(unohelper.Base, XJob, XServiceInfo):
    """Runs `reparse` on the document the event names (never raises: a load must not fail)."""

    def __init__(self, ctx):
        self.ctx = ctx

    def getImplementationName(self):
        return JOB

    def supportsService(self, name):
        return name == JOB

    def getSupportedServiceNames(self):
        return (JOB,)

    def execute(self, arguments):
        try:
            environment = next((a.Value for a in arguments if a.Name == "Environment"), ())
            model = next((e.Value for e in environment if e.Name == "Model"), None)
            if model is not None:
                reparse(model)
        except Exception:  # noqa: BLE001 - never break the loading of a document
            pass
        return ()


g_ImplementationHelper = unohelper.ImplementationHelper()
g_ImplementationHelper.addImplementation(Functions, IMPLEMENTATION, SERVICES)
g_ImplementationHelper.addImplementation(ReparseJob, JOB, (JOB,))
