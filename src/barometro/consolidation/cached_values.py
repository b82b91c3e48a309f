"""Cached values for the consolidated workbook's formulas, and a reproducible zip.

openpyxl writes formulas without values: a reader that does not recalculate
(pandas, the validator, a preview) would see empty cells. Consolidation knows
every value already (the scoring core computed it), so it writes each formula
cell's value next to its formula; Excel and LibreOffice still recalculate on
load (`fullCalcOnLoad`), and a test checks LibreOffice gets the same numbers.

`finalise_xlsx` also makes the file reproducible: every zip entry and the
document properties carry the run's timestamp, so the same inputs give the
same bytes.
"""

from __future__ import annotations

import re
import zipfile
from datetime import datetime
from pathlib import Path

from barometro.scoring import score_row
from barometro.workbook_templates import spec
from barometro.xlsx_package import rewrite, sheet_parts

from .types import ConsolidationResult

Value = float | str  # "" for a formula that yields the empty string


def _v(value: float | None) -> Value:
    return "" if value is None else float(value)


def expected_values(result: ConsolidationResult, layout: spec.Layout) -> dict[tuple[str, str], Value]:
    """{(sheet, A1): value} for every formula cell of the consolidated workbook."""
    scores = result.scores
    out: dict[tuple[str, str], Value] = {}
    col = {k: spec.COL[k].letter for k in ("deviation", "achievement", "gauge", "weight_counted", "points")}
    for block in layout.blocks:
        out[(block.sheet_name, spec.LINE_PCT_CELL)] = _v(scores.line.get(block.line.id))
        for offset, ind in enumerate(block.indicators):
            row = spec.FIRST_ROW + offset
            r = score_row(ind.actual, ind.target, ind.weight, ind.kind, ind.polarity,
                          neutralised=ind.neutralised, settings=result.settings)
            out[(block.sheet_name, f"{col['deviation']}{row}")] = _v(r.deviation)
            out[(block.sheet_name, f"{col['achievement']}{row}")] = _v(r.achievement)
            out[(block.sheet_name, f"{col['gauge']}{row}")] = _v(r.achievement)
            out[(block.sheet_name, f"{col['weight_counted']}{row}")] = r.weight_counted
            out[(block.sheet_name, f"{col['points']}{row}")] = r.points
    summary = spec.SUMMARY_SHEET
    for line_id, row in layout.line_rows.items():
        out[(summary, f"C{row}")] = _v(scores.line.get(line_id))
        out[(summary, f"F{row}")] = _v(scores.line.get(line_id))
    out[(summary, layout.ente_cell)] = _v(scores.ente)
    out[(summary, f"F{layout.ente_row}")] = _v(scores.ente)
    for oid, row in layout.objective_rows.items():
        out[(summary, f"F{row}")] = _v(scores.objective.get(oid))
        out[(summary, f"G{row}")] = _v(scores.objective.get(oid))
    return out


_FORMULA_CELL = re.compile(r'<c r="([A-Z]{1,3}[0-9]+)"([^>]*)><f>(.*?)</f>(?:<v\s*/>|<v>[^<]*</v>)?</c>', re.S)


def _fmt(value: float) -> str:
    text = repr(float(value))
    return text[:-2] if text.endswith(".0") else text


def _inject(xml: str, values: dict[str, Value]) -> str:
    def repl(match: re.Match[str]) -> str:
        ref, attrs, formula = match.group(1), match.group(2), match.group(3)
        if ref not in values:
            return match.group(0)
        value = values[ref]
        attrs = re.sub(r'\s+t="[^"]*"', "", attrs)
        if isinstance(value, str):
            return f'<c r="{ref}"{attrs} t="str"><f>{formula}</f><v></v></c>'
        return f'<c r="{ref}"{attrs}><f>{formula}</f><v>{_fmt(value)}</v></c>'

    return _FORMULA_CELL.sub(repl, xml)


_CORE_DATE = re.compile(r"(<dcterms:(created|modified)[^>]*>)[^<]*(</dcterms:\2>)")


def finalise_xlsx(path: Path, values: dict[tuple[str, str], Value], timestamp: datetime) -> None:
    """Rewrite `path` in place (it is still a temporary file): values in, timestamps fixed."""
    stamp = timestamp.replace(microsecond=0)
    date_time = (max(stamp.year, 1980), stamp.month, stamp.day, stamp.hour, stamp.minute, stamp.second)
    iso = stamp.strftime("%Y-%m-%dT%H:%M:%SZ")
    by_sheet: dict[str, dict[str, Value]] = {}
    for (sheet, ref), value in values.items():
        by_sheet.setdefault(sheet, {})[ref] = value
    with zipfile.ZipFile(path) as src:
        members = {member: sheet for sheet, member in sheet_parts(src).items()}

    def transform(name: str, data: bytes) -> bytes:
        sheet = members.get(name)
        if sheet in by_sheet:
            return _inject(data.decode("utf-8"), by_sheet[sheet]).encode("utf-8")
        if name == "docProps/core.xml":
            return _CORE_DATE.sub(lambda m: f"{m.group(1)}{iso}{m.group(3)}", data.decode("utf-8")).encode()
        return data

    rewrite(path, transform, date_time=date_time)
