"""Workbooks for the extension tests, built by the project's own builder and filler.

`build_case` makes a filled master (any plan, any profile); `udf_cells` lists,
for its layout, a BAR_* call over the same cells as each native formula of the
template (% Ragg, Scostamento, objective and line %), plus BAR_BAROMETRO of
each % Ragg, each with its arguments as references, so a test can write the
call in Calc's syntax or Excel's, and evaluate the xlwings UDF on the same
values.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from pathlib import Path

from barometro.model import Plan
from barometro.settings import Settings, load_profile
from barometro.workbook_templates import readback, spec
from barometro.workbook_templates.builder import build_workbook
from barometro.workbook_templates.fill import fill_workbook

UDF_SHEET = "UDF"


@dataclass(frozen=True)
class Ref:
    """An argument: a cell or range of a sheet, or a constant (text)."""

    sheet: str | None = None
    ref: str | None = None  # "I6" or "M6:M20"
    const: str | None = None

    def calc(self) -> str:
        if self.const is not None:
            return '"' + self.const.replace('"', '""') + '"'
        return f"${spec.quote_sheet(self.sheet)}.{self.ref}"

    def excel(self) -> str:
        if self.const is not None:
            return '"' + self.const.replace('"', '""') + '"'
        return f"{spec.quote_sheet(self.sheet)}!{self.ref}"

    @property
    def is_range(self) -> bool:
        return self.ref is not None and ":" in self.ref


@dataclass(frozen=True)
class Udf:
    """One BAR_* call and the native cell it must equal (None: no native counterpart)."""

    cell: str  # where it goes on the UDF sheet
    function: str
    args: tuple[Ref, ...]
    native: tuple[str, str] | None
    what: str  # "ragg:<id>", "scost:<id>", "linea:<line>", "obiettivo:<objective>", "barometro:<id>"

    def calc(self) -> str:
        return f"={self.function}({';'.join(a.calc() for a in self.args)})"

    def excel(self) -> str:
        return f"={self.function}({','.join(a.excel() for a in self.args)})"


@dataclass(frozen=True)
class Case:
    name: str
    plan: Plan  # with the actuals written in the workbook, read as the formulas read them
    settings: Settings
    profile: str
    master: Path
    filled: Path
    layout: spec.Layout


def build_case(name: str, plan: Plan, profile: str, values: dict[str, tuple[object, str | None]],
               folder: Path) -> Case:
    settings = load_profile(profile)
    folder.mkdir(parents=True, exist_ok=True)
    master = build_workbook(plan, settings, folder / f"{name}-master.xlsx")
    filled = fill_workbook(master, folder / f"{name}.xlsx", values).path
    read_plan = replace(plan, indicators=[
        replace(i, actual=readback.as_number(values.get(i.id, (None, None))[0])) for i in plan.indicators])
    return Case(name, read_plan, settings, profile, master, filled, spec.build_layout(plan, settings, "master"))


def udf_cells(case: Case) -> list[Udf]:
    """BAR_* calls over the template's cells, column A of the UDF sheet from row 1."""
    out: list[Udf] = []
    layout, profile = case.layout, Ref(const=case.profile)

    def add(function: str, args: tuple[Ref, ...], native: tuple[str, str] | None, what: str) -> None:
        out.append(Udf(f"A{len(out) + 1}", function, args, native, what))

    for b in layout.blocks:
        s = b.sheet_name
        for offset, ind in enumerate(b.indicators):
            row = spec.FIRST_ROW + offset
            c = {k: Ref(s, f"{spec.COL[k].letter}{row}")
                 for k in ("actual", "target", "kind", "polarity", "neutralised", "achievement", "deviation")}
            add("BAR_RAGG", (c["actual"], c["target"], c["kind"], c["polarity"], c["neutralised"], profile),
                (s, c["achievement"].ref), f"ragg:{ind.id}")
            add("BAR_SCOST", (c["actual"], c["target"]), (s, c["deviation"].ref), f"scost:{ind.id}")
            add("BAR_BAROMETRO", (c["achievement"], profile), None, f"barometro:{ind.id}")
        first, last = spec.FIRST_ROW, b.last_row
        rng = {k: Ref(s, f"{spec.COL[k].letter}{first}:{spec.COL[k].letter}{last}")
               for k in ("achievement", "weight", "objective_id", "neutralised")}
        add("BAR_LINEA", (rng["achievement"], Ref(const=""), rng["weight"], rng["objective_id"],
                          rng["neutralised"], profile),
            (spec.SUMMARY_SHEET, layout.line_pct_summary_cell(b.line.id)), f"linea:{b.line.id}")
        objective_ids = [ind.objective_id for ind in b.indicators]
        for oid in dict.fromkeys(objective_ids):
            rows = [spec.FIRST_ROW + i for i, o in enumerate(objective_ids) if o == oid]
            lo, hi = min(rows), max(rows)
            assert hi - lo + 1 == len(rows), "objective rows are contiguous in the template"
            add("BAR_OBIETTIVO", (Ref(s, f"L{lo}:L{hi}"), Ref(s, f"M{lo}:M{hi}")),
                (spec.SUMMARY_SHEET, layout.objective_cell(oid)), f"obiettivo:{oid}")
    return out
