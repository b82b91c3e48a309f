"""xlwings UDFs: the BAR_* worksheet functions of `functions.py`, decorated for Excel.

Names carry the `BAR_` prefix so they never clash with Excel's own functions.
The help Excel shows (function and arguments, Italian) comes from the message
catalogue, as for the LibreOffice Calc add-in. Off Windows the xlwings
decorators are no-ops, so these are plain functions (pytest calls them
directly, the `formulas` engine registers them as custom functions).
"""

from __future__ import annotations

import xlwings as xw

from . import functions as fn
from .functions import Cell, Result

_IT = "it"  # Excel's help texts are registered once, in Italian


def _arg(name: str, argument: str):  # noqa: ANN202 - an xlwings decorator
    return xw.arg(argument, doc=fn.argument_description(name, argument, _IT))


def _doc(name: str):  # noqa: ANN202
    def deco(f):  # noqa: ANN001, ANN202
        f.__doc__ = fn.description(name, _IT)
        return f
    return deco


@xw.func
@_arg("BAR_SCOST", "consuntivo")
@_arg("BAR_SCOST", "target")
@_doc("BAR_SCOST")
def BAR_SCOST(consuntivo: Cell, target: Cell) -> Result:  # noqa: N802 - Excel function name
    return fn.scostamento(consuntivo, target)


@xw.func
@_arg("BAR_RAGG", "consuntivo")
@_arg("BAR_RAGG", "target")
@_arg("BAR_RAGG", "tipo")
@_arg("BAR_RAGG", "polarita")
@_arg("BAR_RAGG", "neutralizzato")
@_arg("BAR_RAGG", "profilo")
@_doc("BAR_RAGG")
def BAR_RAGG(consuntivo: Cell, target: Cell, tipo: Cell = None, polarita: Cell = None,  # noqa: N802
             neutralizzato: Cell = None, profilo: Cell = None) -> Result:
    return fn.ragg(consuntivo, target, tipo, polarita, neutralizzato, profilo)


@xw.func
@_arg("BAR_OBIETTIVO", "pesi")
@_arg("BAR_OBIETTIVO", "raggiungimenti")
@_doc("BAR_OBIETTIVO")
def BAR_OBIETTIVO(pesi: Cell, raggiungimenti: Cell) -> Result:  # noqa: N802 - Excel function name
    return fn.obiettivo(pesi, raggiungimenti)


@xw.func
@_arg("BAR_LINEA", "raggiungimenti")
@_arg("BAR_LINEA", "metodo")
@_arg("BAR_LINEA", "pesi")
@_arg("BAR_LINEA", "obiettivi")
@_arg("BAR_LINEA", "neutralizzati")
@_arg("BAR_LINEA", "profilo")
@_doc("BAR_LINEA")
def BAR_LINEA(raggiungimenti: Cell, metodo: Cell = None, pesi: Cell = None, obiettivi: Cell = None,  # noqa: N802
              neutralizzati: Cell = None, profilo: Cell = None) -> Result:
    return fn.linea(raggiungimenti, metodo, pesi, obiettivi, neutralizzati, profilo)


@xw.func
@_arg("BAR_BAROMETRO", "valore")
@_arg("BAR_BAROMETRO", "profilo")
@_doc("BAR_BAROMETRO")
def BAR_BAROMETRO(valore: Cell, profilo: Cell = None) -> Result:  # noqa: N802 - Excel function name
    return fn.barometro(valore, profilo)


UDFS = (BAR_SCOST, BAR_RAGG, BAR_OBIETTIVO, BAR_LINEA, BAR_BAROMETRO)
