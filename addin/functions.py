"""The BAR_* worksheet functions, once: the xlwings UDFs (`udfs.py`) and the
LibreOffice Calc add-in both call these.

Arguments are read as the template's native formulas read the same cells
(`workbook_templates.readback`): a number only when ISNUMBER would say so
(text, booleans and empty cells are "no value"), a kind binary only for
"binario", a polarity lower-is-better only for "decrescente", neutralised only
for "SI" (case ignored, as Excel compares text). So `BAR_RAGG(I6;H6;Q6;R6;S6)`
equals `M6` on every row, whatever is typed in it. The results are the scoring
core's: unrounded numbers, and "" for "no score", like the native formulas.

What has no counterpart in a native formula is an argument error, returned as
the text `#VALORE! <reason>` (Italian, from the catalogue): an unknown profile
or method, ranges of different sizes, a method without the range it needs.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import replace
from functools import lru_cache

from barometro import scoring
from barometro.messages import text
from barometro.settings import LineMethod, Settings, SettingsError, load_profile
from barometro.workbook_templates import readback

Cell = object
Result = float | str

# Method names accepted by BAR_LINEA, Italian aliases first.
METHOD_ALIASES: dict[str, LineMethod] = {
    "media_indicatori": LineMethod.INDICATOR_MEAN,
    "indicatori": LineMethod.INDICATOR_MEAN,
    "media_obiettivi": LineMethod.OBJECTIVE_MEAN,
    "obiettivi": LineMethod.OBJECTIVE_MEAN,
    "ponderata": LineMethod.INDICATOR_WEIGHTED,
    "media_ponderata": LineMethod.INDICATOR_WEIGHTED,
}


class FunctionArgumentError(ValueError):
    """An argument the function cannot use; its message is shown in the cell."""

    def __init__(self, key: str, **values: object) -> None:
        super().__init__(key)
        self.key = key
        self.values = values

    def render(self, lang: str | None = None) -> str:
        return text(self.key, lang, **self.values)


def error_text(reason: str) -> str:
    """What a cell shows for an argument error: '#VALORE! <reason>'."""
    return text("addin.udf.error", reason=reason)


def flatten(values: Cell) -> list[Cell]:
    """A range as a flat list, row by row (a scalar, a list or a list of lists, numpy arrays)."""
    if isinstance(values, list | tuple):
        out: list[Cell] = []
        for item in values:
            out.extend(flatten(item))
        return out
    if hasattr(values, "tolist"):  # numpy arrays (formulas engine, xlwings numpy converter)
        return flatten(values.tolist())
    return [values]


def _is_range(value: Cell) -> bool:
    return isinstance(value, list | tuple) or hasattr(value, "tolist")


@lru_cache(maxsize=8)
def _settings(profile: str) -> Settings:
    try:
        return load_profile(profile)
    except SettingsError:
        raise FunctionArgumentError("addin.udf.bad_profile", value=profile) from None


def _profile(value: Cell) -> Settings:
    return _settings("default" if readback.is_blank(value) else str(value).strip().lower())


def _method(value: Cell, settings: Settings) -> LineMethod:
    if readback.is_blank(value):
        return settings.line_method
    key = str(value).strip().lower()
    if key in METHOD_ALIASES:
        return METHOD_ALIASES[key]
    try:
        return LineMethod(key)
    except ValueError:
        allowed = ", ".join([*METHOD_ALIASES, *(m.value for m in LineMethod)])
        raise FunctionArgumentError("addin.udf.bad_method", value=value, allowed=allowed) from None


def _result(compute) -> Result:  # noqa: ANN001 - a zero-argument callable
    """The value for the cell: a number, "" for no score, or the error text; never a traceback."""
    try:
        value = compute()
    except FunctionArgumentError as exc:
        return error_text(exc.render())
    except Exception as exc:  # noqa: BLE001 - a cell must never show a traceback
        return error_text(text("addin.udf.unexpected", error=type(exc).__name__))
    return "" if value is None else value


def scostamento(consuntivo: Cell, target: Cell) -> Result:
    """BAR_SCOST: actual - target, as column J."""
    return _result(lambda: scoring.deviation(readback.as_number(consuntivo), readback.as_number(target)))


def ragg(consuntivo: Cell, target: Cell, tipo: Cell = None, polarita: Cell = None,
         neutralizzato: Cell = None, profilo: Cell = None) -> Result:
    """BAR_RAGG: % Ragg of one indicator, as column M."""

    def compute() -> float | None:
        return scoring.achievement(
            readback.as_number(consuntivo), readback.as_number(target),
            readback.kind_of(tipo), readback.polarity_of(polarita),
            neutralised=readback.is_neutralised(neutralizzato), settings=_profile(profilo),
        )

    return _result(compute)


def _pairs(pesi: Cell, raggiungimenti: Cell) -> list[tuple[float | None, float | None]]:
    weights, scores = flatten(pesi), flatten(raggiungimenti)
    if len(weights) != len(scores):
        raise FunctionArgumentError("addin.udf.size_mismatch", first="pesi", second="raggiungimenti",
                                    n=len(weights), m=len(scores))
    return [(readback.as_number(w), readback.as_number(a)) for w, a in zip(weights, scores, strict=True)]


def obiettivo(pesi: Cell, raggiungimenti: Cell) -> Result:
    """BAR_OBIETTIVO: objective % = sum(weight x % Ragg) / sum(weights) over scored rows."""
    return _result(lambda: scoring.objective_score(_pairs(pesi, raggiungimenti)))


def _column(values: Cell, n: int, name: str) -> list[Cell]:
    if readback.is_blank(values) and not _is_range(values):
        return [None] * n
    flat = flatten(values)
    if len(flat) != n:
        raise FunctionArgumentError("addin.udf.size_mismatch", first="raggiungimenti", second=name,
                                    n=n, m=len(flat))
    return flat


def line_items(achievements: Iterable[Cell], weights: Iterable[Cell], objectives: Iterable[Cell],
               neutralised: Iterable[Cell]) -> list[scoring.Scored]:
    """The rows of one line as the scoring core's items, each cell read as its formula reads it."""
    items = []
    for ach, w, oid, neu in zip(achievements, weights, objectives, neutralised, strict=True):
        is_neutral = readback.is_neutralised(neu)
        items.append(scoring.Scored(
            objective_id=readback.as_text(oid),
            weight=readback.as_number(w),
            achievement=None if is_neutral else readback.as_number(ach),
            neutralised=is_neutral,
        ))
    return items


def linea(raggiungimenti: Cell, metodo: Cell = None, pesi: Cell = None, obiettivi: Cell = None,
          neutralizzati: Cell = None, profilo: Cell = None) -> Result:
    """BAR_LINEA: % of a strategic line from its rows, by the chosen method."""

    def compute() -> float | None:
        settings = _profile(profilo)
        method = _method(metodo, settings)
        scores = flatten(raggiungimenti)
        n = len(scores)
        if method is not LineMethod.INDICATOR_MEAN and readback.is_blank(pesi) and not _is_range(pesi):
            raise FunctionArgumentError("addin.udf.needs_range", method=method.value, name="pesi")
        if method is LineMethod.OBJECTIVE_MEAN and readback.is_blank(obiettivi) and not _is_range(obiettivi):
            raise FunctionArgumentError("addin.udf.needs_range", method=method.value, name="obiettivi")
        items = line_items(scores, _column(pesi, n, "pesi"), _column(obiettivi, n, "obiettivi"),
                           _column(neutralizzati, n, "neutralizzati"))
        return scoring.line_score(items, replace(settings, line_method=method))

    return _result(compute)


def barometro(valore: Cell, profilo: Cell = None) -> Result:
    """BAR_BAROMETRO: the traffic-light colour of a %: "verde", "giallo", "rosso" or ""."""
    return _result(lambda: scoring.gauge(readback.as_number(valore), _profile(profilo)))


# The functions, their arguments in order, and their help in the catalogue
# (`addin.fn.<NAME>`, `addin.fn.<NAME>.<argument>`): the xlwings UDFs' docstrings and
# the Calc add-in's Function Wizard both come from there.
FUNCTIONS: tuple[tuple[str, object, tuple[str, ...]], ...] = (
    ("BAR_SCOST", scostamento, ("consuntivo", "target")),
    ("BAR_RAGG", ragg, ("consuntivo", "target", "tipo", "polarita", "neutralizzato", "profilo")),
    ("BAR_OBIETTIVO", obiettivo, ("pesi", "raggiungimenti")),
    ("BAR_LINEA", linea, ("raggiungimenti", "metodo", "pesi", "obiettivi", "neutralizzati", "profilo")),
    ("BAR_BAROMETRO", barometro, ("valore", "profilo")),
)


def description(name: str, lang: str | None = None) -> str:
    return text(f"addin.fn.{name}", lang)


def argument_description(name: str, argument: str, lang: str | None = None) -> str:
    return text(f"addin.fn.{name}.{argument}", lang)
