"""LibreOffice component: the Barometro menu and toolbar commands, a thin adapter over the macros.

`barometro:Ricalcola`, `barometro:Valida` and `barometro:Consolida` (Addons.xcu)
reach this protocol handler (ProtocolHandler.xcu), which LibreOffice creates
for the frame of the document. Each runs `run_ricalcola`, `run_valida` or
`run_consolida` of `barometro.addin.macros` -- the code the Excel buttons run --
on `UnoOps(document)`, then shows the outcome in a message box: the line the
macro wrote in Impostazioni (and, for Ricalcola, whether the sheet's % agree
with the library's; for Consolida, which files were not used), or the Italian
reason it could not run. Never a traceback.

The dispatch is also an `XNotifyingDispatch`: its result is a JSON text with
what the command showed and asked (`{"command", "ok", "messages", "asked"}`),
so a script (and the tests) can read what the office saw.
"""

import json
import os
import sys

import unohelper
from com.sun.star.frame import DispatchResultEvent, XDispatchProvider, XNotifyingDispatch
from com.sun.star.frame.DispatchResultState import FAILURE, SUCCESS
from com.sun.star.lang import XInitialization, XServiceInfo

_PYTHONPATH = os.path.join(os.path.dirname(os.path.dirname(os.path.abspath(__file__))), "pythonpath")
if _PYTHONPATH in sys.path:
    sys.path.remove(_PYTHONPATH)
sys.path.insert(0, _PYTHONPATH)

IMPLEMENTATION = "org.barometro.calc.Commands"
SERVICES = ("com.sun.star.frame.ProtocolHandler",)
PROTOCOL = "barometro:"
COMMANDS = ("Ricalcola", "Valida", "Consolida")
SPREADSHEET = "com.sun.star.sheet.SpreadsheetDocument"


def _action(name):
    from barometro.addin import macros

    return {"Ricalcola": macros.run_ricalcola, "Valida": macros.run_valida,
            "Consolida": macros.run_consolida}[name]


def _summary(name, ops, result):
    """What the office reads after a successful run (Italian, from the catalogue)."""
    from barometro.addin.macros import CHECK_HEADER_ROW
    from barometro.addin.office_workbook import LAST_RUN_CELL, SETTINGS_SHEET
    from barometro.messages import text
    from barometro.workbook_templates import readback

    lines = [readback.as_text(ops.read(SETTINGS_SHEET, LAST_RUN_CELL))]
    if name == "Ricalcola":
        ops.calculate()
        first = CHECK_HEADER_ROW + 1
        rows = ops.read_rows(SETTINGS_SHEET, first, first + 5000, 4)
        table = rows[:next((i for i, row in enumerate(rows) if row[0] is None), len(rows))]
        differs = sum(readback.as_text(row[3]) != text("addin.check.ok") for row in table)
        lines.append(text("addin.ext.ricalcola.differs", count=differs, total=len(table), row=CHECK_HEADER_ROW) if differs
                     else text("addin.ext.ricalcola.agree", total=len(table), row=CHECK_HEADER_ROW))
    if name == "Consolida":
        unused = [o for o in result.result.merge.files if not o.decision.used]
        if unused:
            files = "; ".join(f"{o.source.name} ({text('consolidation.decision.' + o.decision.value)})"
                              for o in unused)
            lines.append(text("addin.ext.consolida.unused", count=len(unused), files=files))
    return "\n".join(line for line in lines if line)


def run(name, doc, frame, ctx):
    """Run one command on `doc`; show its outcome; return what was shown and asked."""
    from barometro.addin.macros import MacroError
    from barometro.addin.ops_uno import UnoOps
    from barometro.messages import text

    ops = UnoOps(doc, ctx=ctx, frame=frame)
    ok = False
    try:
        if name not in COMMANDS:
            raise MacroError(text("addin.ext.unknown_command", name=name))
        if doc is None or not doc.supportsService(SPREADSHEET):
            raise MacroError(text("addin.ext.not_spreadsheet"))
        doc.lockControllers()
        try:
            result = _action(name)(ops)
        finally:
            doc.unlockControllers()
        ops.notify(_summary(name, ops, result))
        ok = True
    except MacroError as exc:
        ops.notify(str(exc), error=True)
    except Exception as exc:  # noqa: BLE001 - the office sees a message, never a traceback
        ops.notify(text("addin.run.failed", reason=f"{type(exc).__name__}: {exc}"), error=True)
    return {"command": name, "ok": ok, "messages": ops.shown, "asked": ops.asked}


class Commands(unohelper.Base, XDispatchProvider, XNotifyingDispatch, XInitialization, XServiceInfo):
    """Protocol handler and dispatch of `barometro:<Command>` for one frame."""

    def __init__(self, ctx):
        self.ctx = ctx
        self.frame = None

    # XInitialization: LibreOffice passes the frame the commands are for
    def initialize(self, arguments):
        self.frame = arguments[0] if arguments else None

    # XServiceInfo
    def getImplementationName(self):
        return IMPLEMENTATION

    def supportsService(self, name):
        return name in SERVICES

    def getSupportedServiceNames(self):
        return SERVICES

    # XDispatchProvider
    def queryDispatch(self, url, target, flags):
        return self if url.Protocol == PROTOCOL and url.Path in COMMANDS else None

    def queryDispatches(self, requests):
        return tuple(self.queryDispatch(r.FeatureURL, r.FrameName, r.SearchFlags) for r in requests)

    # XDispatch, XNotifyingDispatch
    def dispatch(self, url, arguments):
        self._run(url)

    def dispatchWithNotification(self, url, arguments, listener):
        outcome = self._run(url)
        if listener is not None:
            event = DispatchResultEvent()
            event.Source = self
            event.State = SUCCESS if outcome["ok"] else FAILURE
            event.Result = json.dumps(outcome, ensure_ascii=False)
            listener.dispatchFinished(event)

    def addStatusListener(self, listener, url):
        pass

    def removeStatusListener(self, listener, url):
        pass

    def _run(self, url):
        doc = None
        try:
            controller = self.frame.getController() if self.frame is not None else None
            doc = controller.getModel() if controller is not None else None
        except Exception:  # noqa: BLE001 - no document: `run` says so
            doc = None
        return run(url.Path, doc, self.frame, self.ctx)


g_ImplementationHelper = unohelper.ImplementationHelper()
g_ImplementationHelper.addImplementation(Commands, IMPLEMENTATION, SERVICES)
