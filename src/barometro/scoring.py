"""The scoring core: pure functions on floats and None, no I/O.

Every number Barometro shows comes from here: the template formulas are tested
against these functions, the UDFs wrap them, the validator recomputes with them
and consolidation aggregates with them. Achievements are on a 0-100 scale and
are never rounded here (rounding is presentation).
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from .model import Kind, Plan, Polarity
from .numbers import finite as _num
from .settings import (
    DEFAULT_SETTINGS,
    EnteMethod,
    LineMethod,
    LowerFormula,
    MissingActual,
    NeutralisedPolicy,
    Settings,
)

Number = float | int


def clamp(value: float, low: float = 0.0, high: float = 100.0) -> float:
    return min(high, max(low, value))


def deviation(actual: object, target: object) -> float | None:
    """Scostamento = actual - target; None when either is missing."""
    a, t = _num(actual), _num(target)
    if a is None or t is None:
        return None
    return a - t


def achievement(
    actual: object,
    target: object,
    kind: Kind | str = Kind.QUANTITY,
    polarity: Polarity | str = Polarity.HIGHER,
    *,
    neutralised: bool = False,
    settings: Settings = DEFAULT_SETTINGS,
) -> float | None:
    """% Ragg of one indicator, 0-100, unrounded.

    None means "no score": the indicator is neutralised, or the actual or the
    target is missing or not a number. How None counts in aggregates is a
    setting (see `line_score`).
    """
    kind = Kind.parse(kind) if not isinstance(kind, Kind) else kind
    polarity = Polarity.parse(polarity) if not isinstance(polarity, Polarity) else polarity
    if neutralised:
        return None
    a, t = _num(actual), _num(target)
    if a is None or t is None:
        return None
    if kind is Kind.BINARY:
        met = a >= t if polarity is Polarity.HIGHER else a <= t
        return 100.0 if met else 0.0
    if polarity is Polarity.HIGHER:
        if t <= 0:
            # Zero (or negative) target: met or not met, never a division.
            return 100.0 if a >= t else 0.0
        return clamp(a / t * 100.0)
    # Lower is better.
    if a <= t:
        return 100.0
    if t <= 0:
        return 0.0
    if settings.lower_formula is LowerFormula.COMPLEMENT:
        return clamp((2.0 - a / t) * 100.0)
    return clamp(t / a * 100.0)


def objective_score(pairs: Iterable[tuple[object, object]]) -> float | None:
    """Objective % = sum(weight x achievement) / sum(weight), as the template computes it.

    `pairs` are (weight, achievement). Pairs whose achievement is None
    (neutralised, missing) or whose weight is not a number are left out; a
    weight of 0 or less adds no points but counts in the denominator (the
    workbook's `Peso conteggiato` / `Punti ponderati` columns). None when the
    weights left sum to 0.
    """
    num = den = 0.0
    for weight, ach in pairs:
        w, a = _num(weight), _num(ach)
        if w is None or a is None:
            continue
        den += w
        if w > 0:
            num += w * a
    return num / den if den != 0 else None


@dataclass(frozen=True)
class RowScore:
    """Every computed cell of one indicator row, as the template's formulas compute them."""

    deviation: float | None  # Scostamento (J)
    achievement: float | None  # % Ragg (M) and Barometro (N)
    weight_counted: float  # Peso conteggiato (T): the weight when the row has a score, else 0
    points: float  # Punti ponderati (U): weight_counted x achievement, 0 without a positive weight


def score_row(
    actual: object,
    target: object,
    weight: object,
    kind: Kind | str = Kind.QUANTITY,
    polarity: Polarity | str = Polarity.HIGHER,
    *,
    neutralised: bool = False,
    settings: Settings = DEFAULT_SETTINGS,
) -> RowScore:
    """The one computation of a row: used by the checks, the consolidated workbook's
    cached values, the macros and the tests' oracle."""
    ach = achievement(actual, target, kind, polarity, neutralised=neutralised, settings=settings)
    w = _num(weight)
    counted = w if (ach is not None and w is not None) else 0.0
    points = counted * ach if (counted > 0 and ach is not None) else 0.0
    return RowScore(deviation(actual, target), ach, counted, points)


@dataclass(frozen=True)
class Scored:
    """What aggregation needs of one indicator."""

    objective_id: str
    weight: float | None
    achievement: float | None
    neutralised: bool = False
    line_id: str = ""


def _counted_achievements(items: Sequence[Scored], settings: Settings) -> list[float]:
    values: list[float] = []
    for it in items:
        if it.neutralised:
            if settings.neutralised is NeutralisedPolicy.ZERO:
                values.append(0.0)
            continue
        if it.achievement is None:
            if settings.missing_actual is MissingActual.ZERO:
                values.append(0.0)
            continue
        values.append(float(it.achievement))
    return values


def objective_scores(items: Sequence[Scored]) -> dict[str, float | None]:
    """Objective % of every objective in `items`, in order of first appearance."""
    groups: dict[str, list[Scored]] = {}
    for it in items:
        groups.setdefault(it.objective_id, []).append(it)
    return {
        oid: objective_score((it.weight, None if it.neutralised else it.achievement) for it in grp)
        for oid, grp in groups.items()
    }


def _mean(values: Sequence[float]) -> float | None:
    return sum(values) / len(values) if values else None


def line_score(items: Sequence[Scored], settings: Settings = DEFAULT_SETTINGS) -> float | None:
    """% of a strategic line from its indicators, by the configured method."""
    method = settings.line_method
    if method is LineMethod.INDICATOR_MEAN:
        return _mean(_counted_achievements(items, settings))
    if method is LineMethod.INDICATOR_WEIGHTED:
        return objective_score(
            (it.weight, None if it.neutralised else it.achievement) for it in items
        )
    # OBJECTIVE_MEAN
    scores = [s for s in objective_scores(items).values() if s is not None]
    return _mean(scores)


def ente_score(items: Sequence[Scored], settings: Settings = DEFAULT_SETTINGS) -> float | None:
    """% of the whole ente from all its indicators (each carrying its line_id)."""
    method = settings.ente_method
    if method is EnteMethod.INDICATOR_MEAN:
        return _mean(_counted_achievements(items, settings))
    if method is EnteMethod.OBJECTIVE_MEAN:
        scores = [s for s in objective_scores(items).values() if s is not None]
        return _mean(scores)
    # LINE_MEAN
    lines: dict[str, list[Scored]] = {}
    for it in items:
        lines.setdefault(it.line_id, []).append(it)
    scores = [s for s in (line_score(grp, settings) for grp in lines.values()) if s is not None]
    return _mean(scores)


@dataclass(frozen=True)
class PlanScores:
    """Every percentage of a plan carrying actuals (unrounded)."""

    indicator: dict[str, float | None]
    objective: dict[str, float | None]
    line: dict[str, float | None]  # lines with at least one indicator
    ente: float | None


def score_plan(plan: Plan, settings: Settings = DEFAULT_SETTINGS) -> PlanScores:
    """Indicator, objective, line and ente % of `plan` (its indicators' `actual`)."""
    indicator: dict[str, float | None] = {}
    items: list[Scored] = []
    for ind in plan.indicators:
        ach = achievement(ind.actual, ind.target, ind.kind, ind.polarity,
                          neutralised=ind.neutralised, settings=settings)
        indicator[ind.id] = ach
        items.append(Scored(ind.objective_id, ind.weight, ach, ind.neutralised, ind.line_id))
    line: dict[str, float | None] = {}
    for ln in plan.lines:
        group = [it for it in items if it.line_id == ln.id]
        if group:
            line[ln.id] = line_score(group, settings)
    return PlanScores(indicator, objective_scores(items), line, ente_score(items, settings))


@dataclass(frozen=True)
class ObjectiveShare:
    """One objective in a manager's (or a sector's) result."""

    objective_id: str
    title: str
    line_id: str
    score: float | None  # the objective's %
    weight: float  # its share of the result, in % (equal among the scored objectives)
    payout: float | None  # after the bands when they apply to objectives, else the score


@dataclass(frozen=True)
class GroupResult:
    """The input of the individual evaluation: a manager's (or a sector's) objectives and result."""

    name: str
    objectives: tuple[ObjectiveShare, ...]
    score: float | None  # plain mean of the objectives' %
    result: float | None  # what the evaluation uses: `score` after the bands of the settings


def group_results(plan: Plan, scores: PlanScores, settings: Settings = DEFAULT_SETTINGS,
                  by: str = "owner") -> list[GroupResult]:
    """Per manager (`by="owner"`) or per sector (`by="sector"`), in plan order."""
    from .settings import BandLevel

    groups: dict[str, dict[str, tuple[str, str]]] = {}
    for ind in plan.indicators:
        name = (ind.owner if by == "owner" else ind.sector) or "—"
        groups.setdefault(name, {}).setdefault(ind.objective_id, (ind.objective, ind.line_id))
    out: list[GroupResult] = []
    per_objective = settings.band_level is BandLevel.OBJECTIVE
    for name, objectives in groups.items():
        scored = [oid for oid in objectives if scores.objective.get(oid) is not None]
        share = 100.0 / len(scored) if scored else 0.0
        items = []
        for oid, (title, line_id) in objectives.items():
            value = scores.objective.get(oid)
            payout = settings.band(value) if per_objective else value
            items.append(ObjectiveShare(oid, title, line_id, value, share if value is not None else 0.0, payout))
        mean = _mean([i.score for i in items if i.score is not None])
        if settings.band_level is BandLevel.MANAGER:
            result = settings.band(mean)
        elif per_objective:
            result = _mean([i.payout for i in items if i.payout is not None])
        else:
            result = mean
        out.append(GroupResult(name, tuple(items), mean, result))
    return out


def gauge(value: float | None, settings: Settings = DEFAULT_SETTINGS) -> str | None:
    """Traffic-light colour of an achievement: 'verde', 'giallo', 'rosso' or None."""
    if value is None:
        return None
    if value >= settings.gauge_green:
        return "verde"
    if value >= settings.gauge_yellow:
        return "giallo"
    return "rosso"


def agrees(typed: object, computed: float | None, settings: Settings = DEFAULT_SETTINGS) -> bool:
    """Whether a typed/cached value matches a recomputed one within the tolerance."""
    t = _num(typed)
    if computed is None:
        return t is None
    if t is None:
        return False
    return abs(t - computed) <= settings.tolerance + 1e-9


def fits_any_rule(actual: object, target: object, typed: object, tolerance: float = 1.0) -> bool:
    """Whether a typed % Ragg is explained by any kind/polarity/formula combination."""
    t = _num(typed)
    if t is None:
        return False
    for kind in Kind:
        for pol in Polarity:
            for lf in LowerFormula:
                s = Settings(lower_formula=lf)
                v = achievement(actual, target, kind, pol, settings=s)
                if v is not None and abs(v - t) <= tolerance + 1e-9:
                    return True
    return False
