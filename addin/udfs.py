"""xlwings UDFs: one-line wrappers over `barometro.scoring` for the office's workbooks.

Names carry the `BAR_` prefix so they never clash with Excel's own functions.
Docstrings are the help text Excel shows (Italian, for the person at the sheet).
A UDF never lets a traceback reach a cell: bad arguments give an Excel-style
error text (`#VALORE! ...`), and "no score" gives "" exactly like the
template's native formulas.

Off Windows the xlwings decorators are no-ops, so these are plain functions
(pytest calls them directly, the `formulas` engine registers them as custom
functions).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import replace
from functools import lru_cache

import xlwings as xw

from barometro import scoring
from barometro.messages import text
from barometro.model import NEUTRALISED_MARK, Kind, Polarity
from barometro.settings import LineMethod, Settings, SettingsError, load_profile

Cell = object
Result = float | str

# Method names accepted by BAR_LINEA, Italian aliases first.
_METHOD_ALIASES: dict[str, LineMethod] = {
    "media_indicatori": LineMethod.INDICATOR_MEAN,
    "indicatori": LineMethod.INDICATOR_MEAN,
    "media_obiettivi": LineMethod.OBJECTIVE_MEAN,
    "obiettivi": LineMethod.OBJECTIVE_MEAN,
    "ponderata": LineMethod.INDICATOR_WEIGHTED,
    "media_ponderata": LineMethod.INDICATOR_WEIGHTED,
}


class UdfArgumentError(ValueError):
    """An argument a UDF cannot use; its message is shown in the cell."""


def excel_error(key: str, **values: object) -> str:
    """The text a UDF returns instead of a value: '#VALORE! <reason>'."""
    return text("addin.udf.error", reason=text(key, **values))


def _blank(value: Cell) -> bool:
    return value is None or (isinstance(value, str) and value.strip() == "")


def _number(value: Cell, name: str) -> float | None:
    """A cell as a number; None for an empty cell; error for anything else."""
    if _blank(value):
        return None
    if isinstance(value, bool):
        raise UdfArgumentError(text("addin.udf.not_number", name=name, value=value))
    if isinstance(value, int | float):
        return float(value)
    raise UdfArgumentError(text("addin.udf.not_number", name=name, value=value))


def _kind(value: Cell) -> Kind:
    if _blank(value):
        return Kind.QUANTITY
    try:
        return Kind.parse(value)
    except ValueError:
        raise UdfArgumentError(text("addin.udf.bad_kind", value=value)) from None


def _polarity(value: Cell) -> Polarity:
    if _blank(value):
        return Polarity.HIGHER
    try:
        return Polarity.parse(value)
    except ValueError:
        raise UdfArgumentError(text("addin.udf.bad_polarity", value=value)) from None


def _neutralised(value: Cell) -> bool:
    if _blank(value):
        return False
    if isinstance(value, bool):
        return value
    if isinstance(value, int | float):
        return value != 0
    return str(value).strip().upper() in (NEUTRALISED_MARK, "SÌ", "TRUE", "VERO", "X")


@lru_cache(maxsize=8)
def _settings(profile: str) -> Settings:
    try:
        return load_profile(profile)
    except SettingsError:
        raise UdfArgumentError(text("addin.udf.bad_profile", value=profile)) from None


def _profile(value: Cell) -> Settings:
    return _settings("default" if _blank(value) else str(value).strip().lower())


def _method(value: Cell, settings: Settings) -> LineMethod:
    if _blank(value):
        return settings.line_method
    key = str(value).strip().lower()
    if key in _METHOD_ALIASES:
        return _METHOD_ALIASES[key]
    try:
        return LineMethod(key)
    except ValueError:
        allowed = ", ".join([*_METHOD_ALIASES, *(m.value for m in LineMethod)])
        raise UdfArgumentError(text("addin.udf.bad_method", value=value, allowed=allowed)) from None


def _flatten(values: Cell) -> list[Cell]:
    """A range as a flat list, row by row (xlwings gives a scalar, a list or a list of lists)."""
    if isinstance(values, list | tuple):
        out: list[Cell] = []
        for item in values:
            out.extend(_flatten(item))
        return out
    if hasattr(values, "tolist"):  # numpy arrays (formulas engine, xlwings numpy converter)
        return _flatten(values.tolist())
    return [values]


def _score_cell(value: Cell, name: str) -> float | None:
    """An achievement cell: a number, or "" / empty for "no score"."""
    return _number(value, name)


def _result(value: float | str | None) -> Result:
    return "" if value is None else value


def _guarded(compute) -> Result:  # noqa: ANN001 - a zero-argument callable
    try:
        return _result(compute())
    except UdfArgumentError as exc:
        return text("addin.udf.error", reason=str(exc))
    except Exception as exc:  # noqa: BLE001 - a cell must never show a traceback
        return text("addin.udf.error", reason=text("addin.udf.unexpected", error=type(exc).__name__))


@xw.func
@xw.arg("consuntivo", doc="Valore raggiunto a fine anno (Target Consuntivo).")
@xw.arg("target", doc="Valore atteso (Target atteso).")
def BAR_SCOST(consuntivo: Cell, target: Cell) -> Result:  # noqa: N802 - Excel function name
    """Scostamento = consuntivo - target. Vuoto se manca uno dei due valori."""

    def compute() -> float | None:
        return scoring.deviation(_number(consuntivo, "consuntivo"), _number(target, "target"))

    return _guarded(compute)


@xw.func
@xw.arg("consuntivo", doc="Valore raggiunto a fine anno (Target Consuntivo).")
@xw.arg("target", doc="Valore atteso (Target atteso).")
@xw.arg("tipo", doc='"binario" (1 = fatto, 0 = non fatto) o "quantitativo" (predefinito).')
@xw.arg("polarita", doc='"crescente" (piu alto e meglio, predefinito) o "decrescente".')
@xw.arg("neutralizzato", doc='"SI" se l\'indicatore e neutralizzato: nessun punteggio.')
@xw.arg("profilo", doc='Profilo di calcolo ("default", "cremona"); predefinito "default".')
def BAR_RAGG(  # noqa: N802 - Excel function name
    consuntivo: Cell,
    target: Cell,
    tipo: Cell = None,
    polarita: Cell = None,
    neutralizzato: Cell = None,
    profilo: Cell = None,
) -> Result:
    """% di raggiungimento di un indicatore (0-100, non arrotondata), come la colonna % Ragg.

    Vuoto se l'indicatore e neutralizzato o se manca il consuntivo o il target.
    """

    def compute() -> float | None:
        settings = _profile(profilo)
        return scoring.achievement(
            _number(consuntivo, "consuntivo"),
            _number(target, "target"),
            _kind(tipo),
            _polarity(polarita),
            neutralised=_neutralised(neutralizzato),
            settings=settings,
        )

    return _guarded(compute)


def _pairs(pesi: Cell, raggiungimenti: Cell) -> list[tuple[float | None, float | None]]:
    weights, scores = _flatten(pesi), _flatten(raggiungimenti)
    if len(weights) != len(scores):
        raise UdfArgumentError(
            text("addin.udf.size_mismatch", first="pesi", second="raggiungimenti",
                 n=len(weights), m=len(scores))
        )
    return [(_number(w, "peso"), _score_cell(a, "% ragg")) for w, a in zip(weights, scores, strict=True)]


@xw.func
@xw.arg("pesi", doc="Intervallo dei pesi degli indicatori dell'obiettivo.")
@xw.arg("raggiungimenti", doc="Intervallo delle % Ragg, stesse righe dei pesi.")
def BAR_OBIETTIVO(pesi: Cell, raggiungimenti: Cell) -> Result:  # noqa: N802 - Excel function name
    """% di un obiettivo = somma(peso x % Ragg) / somma(pesi), solo indicatori con punteggio.

    Le righe con % Ragg vuota (neutralizzate o senza consuntivo) non contano.
    """
    return _guarded(lambda: scoring.objective_score(_pairs(pesi, raggiungimenti)))


def _column(values: Cell, n: int, name: str) -> list[Cell]:
    if _blank(values) and not isinstance(values, list | tuple):
        return [None] * n
    flat = _flatten(values)
    if len(flat) != n:
        raise UdfArgumentError(
            text("addin.udf.size_mismatch", first="raggiungimenti", second=name, n=n, m=len(flat))
        )
    return flat


def line_items(
    achievements: Iterable[Cell],
    weights: Iterable[Cell],
    objectives: Iterable[Cell],
    neutralised: Iterable[Cell],
) -> list[scoring.Scored]:
    """The rows of one line as `scoring.Scored` items (shared with the macros)."""
    items = []
    for ach, w, oid, neu in zip(achievements, weights, objectives, neutralised, strict=True):
        is_neutral = _neutralised(neu)
        items.append(
            scoring.Scored(
                objective_id="" if _blank(oid) else str(oid),
                weight=_number(w, "peso"),
                achievement=None if is_neutral else _score_cell(ach, "% ragg"),
                neutralised=is_neutral,
            )
        )
    return items


@xw.func
@xw.arg("raggiungimenti", doc="Intervallo delle % Ragg degli indicatori della linea.")
@xw.arg("metodo", doc='"media_indicatori", "media_obiettivi" o "ponderata"; predefinito: quello del profilo.')
@xw.arg("pesi", doc="Intervallo dei pesi (serve a media_obiettivi e ponderata).")
@xw.arg("obiettivi", doc="Intervallo degli ID obiettivo (serve a media_obiettivi).")
@xw.arg("neutralizzati", doc='Intervallo della colonna Neutralizzato ("SI").')
@xw.arg("profilo", doc='Profilo di calcolo ("default", "cremona"); predefinito "default".')
def BAR_LINEA(  # noqa: N802 - Excel function name
    raggiungimenti: Cell,
    metodo: Cell = None,
    pesi: Cell = None,
    obiettivi: Cell = None,
    neutralizzati: Cell = None,
    profilo: Cell = None,
) -> Result:
    """% di una linea strategica dalle % Ragg dei suoi indicatori, con il metodo scelto."""

    def compute() -> float | None:
        settings = _profile(profilo)
        method = _method(metodo, settings)
        scores = _flatten(raggiungimenti)
        n = len(scores)
        if method is not LineMethod.INDICATOR_MEAN and _blank(pesi) and not isinstance(pesi, list | tuple):
            raise UdfArgumentError(text("addin.udf.needs_range", method=method.value, name="pesi"))
        if method is LineMethod.OBJECTIVE_MEAN and _blank(obiettivi) and not isinstance(obiettivi, list | tuple):
            raise UdfArgumentError(text("addin.udf.needs_range", method=method.value, name="obiettivi"))
        items = line_items(
            scores,
            _column(pesi, n, "pesi"),
            _column(obiettivi, n, "obiettivi"),
            _column(neutralizzati, n, "neutralizzati"),
        )
        return scoring.line_score(items, replace(settings, line_method=method))

    return _guarded(compute)


@xw.func
@xw.arg("valore", doc="Una % di raggiungimento (0-100).")
@xw.arg("profilo", doc='Profilo di calcolo ("default", "cremona"); predefinito "default".')
def BAR_BAROMETRO(valore: Cell, profilo: Cell = None) -> Result:  # noqa: N802 - Excel function name
    """Colore del barometro per una %: "verde", "giallo" o "rosso"; vuoto se manca la %."""
    return _guarded(lambda: scoring.gauge(_score_cell(valore, "valore"), _profile(profilo)))


UDFS = (BAR_SCOST, BAR_RAGG, BAR_OBIETTIVO, BAR_LINEA, BAR_BAROMETRO)
