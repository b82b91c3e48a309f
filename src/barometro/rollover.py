"""Next year's plan from this year's results, and what the office should look at.

`rollover(source)` reads a consolidated workbook (or any master with its actuals) or last
year's report in the published layout, and gives the next period's plan: the same indicator
and objective ids, texts, weights, kinds and polarities; last period's target, actual and %
Ragg kept as reference values (`Indicator.previous_*`, shown to the sectors in the templates'
reference column and used by the validator for plausibility); targets blank or copied.

`continuity(plan)` lists what deserves a look: targets at or below what was already reached
("target non sfidante"), indicators missed or neutralised last time. `compare_plans(old, new)`
adds the ids that appeared or disappeared and the objectives that changed sector or owner.
Every item is an `issues.Issue`: rendered in the language asked for, on output.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from pathlib import Path

from barometro import period as periods
from barometro.issues import Issue, Severity
from barometro.messages import Percent
from barometro.model import Indicator, Plan, Polarity
from barometro.scoring import achievement
from barometro.settings import DEFAULT_SETTINGS, Settings


class RolloverError(ValueError):
    """The source cannot be read as a consolidated workbook or a report (the message says why)."""


@dataclass(frozen=True, kw_only=True)
class ContinuityItem(Issue):
    """One thing the office should look at before sending next year's files."""

    indicator_id: str = ""
    objective_id: str = ""


@dataclass
class RolloverResult:
    plan: Plan  # the next period's plan
    source_kind: str  # "workbook" (a consolidated workbook / master) or "report" (published layout)
    items: list[ContinuityItem] = field(default_factory=list)


_SEVERITY = {
    "target-not-challenging": Severity.WARNING,
    "missed-last-time": Severity.INFO,
    "neutralised-last-time": Severity.INFO,
    "no-result-last-time": Severity.WARNING,
    "id-added": Severity.INFO,
    "id-removed": Severity.WARNING,
    "sector-changed": Severity.INFO,
    "owner-changed": Severity.INFO,
}


def _item(code: str, ind_id: str = "", objective_id: str = "", **params: object) -> ContinuityItem:
    return ContinuityItem(code=code, severity=_SEVERITY[code], key=f"rollover.{code}", params=params,
                          indicator_id=ind_id, objective_id=objective_id)


def read_results(source: str | Path) -> tuple[Plan, Settings, str]:
    """A period's plan with its actuals: from a Barometro workbook (its input cells), a plan
    workbook, or a report in the published layout (its published actuals)."""
    from barometro.legacy import LegacyFormatError
    from barometro.plan_io import PlanFormatError, load_plan
    from barometro.workbook_templates.master_reader import TemplateError, read_template

    path = Path(source)
    if path.suffix.lower() in (".xlsx", ".xlsm"):
        try:
            template = read_template(path)
            return template.plan, template.settings or DEFAULT_SETTINGS, "workbook"
        except TemplateError as exc:
            if exc.reason != "no_meta_sheet":
                raise RolloverError(str(exc)) from None
    try:
        return load_plan(path), DEFAULT_SETTINGS, "report"
    except (LegacyFormatError, PlanFormatError, OSError) as exc:
        raise RolloverError(str(exc)) from None


def next_plan(plan: Plan, settings: Settings = DEFAULT_SETTINGS, *, year: int | None = None,
              period: str = periods.FINAL, copy_targets: bool = False) -> Plan:
    """The next period's plan: same ids and texts, last period's values as references."""
    period = periods.parse(period)
    if year is None:
        # after a mid-year monitoring comes the same year's year end; after a year end, the next year
        year = plan.year if periods.is_monitoring(plan.period) and not periods.is_monitoring(period) else plan.year + 1
    indicators = []
    for ind in plan.indicators:
        reached = achievement(ind.actual, ind.target, ind.kind, ind.polarity, neutralised=ind.neutralised,
                              settings=settings)
        indicators.append(replace(
            ind, target=ind.target if copy_targets else None, previous_target=ind.target,
            previous_actual=ind.actual, previous_achievement=reached, actual=None, note="",
            neutralised=False, source_row=None, kind_inferred=False, polarity_inferred=False,
        ))
    lines = [replace(ln, published_pct=None) for ln in plan.lines]
    reference = periods.reference_label(plan.period, plan.year).render()
    return Plan(plan.ente, year, lines, indicators, period, reference)


def not_challenging(ind: Indicator) -> bool:
    """A target already reached last time: at or below the actual (above, when lower is better)."""
    if ind.target is None or ind.previous_actual is None:
        return False
    if ind.polarity is Polarity.LOWER:
        return ind.target >= ind.previous_actual
    return ind.target <= ind.previous_actual


def continuity(plan: Plan, previous: Plan | None = None) -> list[ContinuityItem]:
    """What the office should look at in `plan` (a plan made by `next_plan`, targets set or not)."""
    items: list[ContinuityItem] = []
    neutralised_before = {i.id for i in previous.indicators if i.neutralised} if previous is not None else set()
    for ind in plan.indicators:
        if not_challenging(ind):
            items.append(_item("target-not-challenging", ind.id, ind.objective_id, target=ind.target,
                               previous=ind.previous_actual, indicator=ind.indicator[:80]))
        if ind.id in neutralised_before:
            items.append(_item("neutralised-last-time", ind.id, ind.objective_id, indicator=ind.indicator[:80]))
        elif ind.previous_achievement is not None and ind.previous_achievement < 100 - 1e-9:
            items.append(_item("missed-last-time", ind.id, ind.objective_id,
                               achievement=Percent(ind.previous_achievement), indicator=ind.indicator[:80]))
        elif ind.previous_actual is None and (previous is not None or plan.reference):
            items.append(_item("no-result-last-time", ind.id, ind.objective_id, indicator=ind.indicator[:80]))
    return items


def compare_plans(old: Plan, new: Plan) -> list[ContinuityItem]:
    """Ids that appear or disappear between two plans; objectives that changed sector or owner."""
    items: list[ContinuityItem] = []
    old_ids = {i.id: i for i in old.indicators}
    new_ids = {i.id: i for i in new.indicators}
    items += [_item("id-added", i.id, i.objective_id, indicator=i.indicator[:80])
              for i in new.indicators if i.id not in old_ids]
    items += [_item("id-removed", i.id, i.objective_id, indicator=i.indicator[:80])
              for i in old.indicators if i.id not in new_ids]

    def by_objective(plan: Plan) -> dict[str, tuple[str, dict[str, str], dict[str, str]]]:
        """objective id -> (title, sectors, owners), in plan order (dicts as ordered sets)."""
        out: dict[str, tuple[str, dict[str, str], dict[str, str]]] = {}
        for ind in plan.indicators:
            title, sectors, owners = out.setdefault(ind.objective_id, (ind.objective, {}, {}))
            sectors.setdefault(ind.sector, ind.sector)
            owners.setdefault(ind.owner, ind.owner)
        return out

    old_obj, new_obj = by_objective(old), by_objective(new)
    for oid, (title, sectors, owners) in new_obj.items():
        if oid not in old_obj:
            continue
        _, old_sectors, old_owners = old_obj[oid]
        if list(old_sectors) != list(sectors):
            items.append(_item("sector-changed", "", oid, objective=title[:80], old="; ".join(old_sectors),
                               new="; ".join(sectors)))
        if list(old_owners) != list(owners):
            items.append(_item("owner-changed", "", oid, objective=title[:80], old="; ".join(old_owners),
                               new="; ".join(owners)))
    return items


def rollover(source: str | Path, *, year: int | None = None, period: str = periods.FINAL,
             copy_targets: bool = False) -> RolloverResult:
    """Next period's plan from `source` and the continuity report."""
    plan, settings, kind = read_results(source)
    following = next_plan(plan, settings, year=year, period=period, copy_targets=copy_targets)
    return RolloverResult(following, kind, continuity(following, plan))


def write_continuity(items: list[ContinuityItem], target: str | Path, lang: str | None = None) -> Path:
    """The continuity report as an .xlsx (one row per item, texts as text), written atomically."""
    from openpyxl import Workbook
    from openpyxl.styles import Font

    from barometro.atomic import atomic_path
    from barometro.messages import text
    from barometro.workbook_templates.literal import set_literal

    wb = Workbook()
    ws = wb.active
    ws.title = text("rollover.sheet", lang)
    headers = [text(f"rollover.col.{k}", lang) for k in ("severity", "code", "objective", "indicator", "message")]
    for col, header in enumerate(headers, start=1):
        ws.cell(row=1, column=col, value=header).font = Font(bold=True)
    for r, item in enumerate(items, start=2):
        for col, value in enumerate((item.severity.label(lang), item.code, item.objective_id, item.indicator_id,
                                     item.render_message(lang)), start=1):
            set_literal(ws.cell(row=r, column=col), value)
    for letter, width in zip("ABCDE", (12, 24, 14, 14, 100), strict=True):
        ws.column_dimensions[letter].width = width
    ws.freeze_panes = "A2"
    target = Path(target)
    with atomic_path(target) as tmp:
        wb.save(tmp)
    return target


def run_rollover_command(source: str | Path, new_plan: str | Path | None, *, output: str | Path | None,
                         year: int | None, period: str, copy_targets: bool, compare: bool,
                         report: str | Path | None) -> list[str]:
    """What `barometro rollover` does and prints (ValueError: a message, exit 2)."""
    from barometro.messages import text
    from barometro.plan_io import load_plan, write_plan

    if compare:
        if new_plan is None:
            raise RolloverError(text("rollover.cli.compare", old=source, new="?", count=0))
        old, _settings, _kind = read_results(source)
        new = load_plan(new_plan)
        items = compare_plans(old, new) + continuity(new)
        out = [text("rollover.cli.compare", old=source, new=new_plan, count=len(items))]
    else:
        if output is None:
            raise RolloverError("-o/--output")
        try:
            periods.parse(period)
        except periods.PeriodError:
            raise RolloverError(text("rollover.cli.bad_period", value=period)) from None
        result = rollover(source, year=year, period=period, copy_targets=copy_targets)
        write_plan(result.plan, output)
        items = result.items
        out = [text("rollover.cli.written", year=result.plan.year,
                    period=periods.report_title(result.plan.period, result.plan.year), path=output,
                    indicators=len(result.plan.indicators),
                    targets=text("rollover.cli.targets." + ("copy" if copy_targets else "blank")),
                    reference=result.plan.reference)]
    out.append(text("rollover.cli.items", count=len(items)) if items else text("rollover.cli.none"))
    out += [f"  {i.severity.label():<12} {i.indicator_id or i.objective_id:<12} {i.message}" for i in items]
    if report is not None:
        write_continuity(items, report)
        out.append(text("rollover.cli.report", path=report))
    return out
