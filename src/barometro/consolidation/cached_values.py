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

import os
import re
import zipfile
from datetime import datetime
from pathlib import Path, PurePosixPath
from xml.etree import ElementTree as ET

from barometro.scoring import score_row
from barometro.workbook_templates import spec

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


_NS = {
    "m": "http://schemas.openxmlformats.org/spreadsheetml/2006/main",
    "r": "http://schemas.openxmlformats.org/officeDocument/2006/relationships",
    "rel": "http://schemas.openxmlformats.org/package/2006/relationships",
}
_FORMULA_CELL = re.compile(r'<c r="([A-Z]{1,3}[0-9]+)"([^>]*)><f>(.*?)</f>(?:<v\s*/>|<v>[^<]*</v>)?</c>', re.S)


def _sheet_parts(zf: zipfile.ZipFile) -> dict[str, str]:
    """{sheet name: zip member of its XML}."""
    book = ET.fromstring(zf.read("xl/workbook.xml"))
    rels = ET.fromstring(zf.read("xl/_rels/workbook.xml.rels"))
    target_of = {r.get("Id"): r.get("Target", "") for r in rels.findall("rel:Relationship", _NS)}
    out: dict[str, str] = {}
    for sheet in book.findall("m:sheets/m:sheet", _NS):
        target = target_of.get(sheet.get(f"{{{_NS['r']}}}id"), "")
        member = target.lstrip("/") if target.startswith("/") else str(PurePosixPath("xl") / target)
        out[sheet.get("name", "")] = member
    return out


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
    rewritten = path.with_name(path.name + ".zip")
    try:
        with zipfile.ZipFile(path) as src, zipfile.ZipFile(rewritten, "w", zipfile.ZIP_DEFLATED) as dst:
            members = {member: sheet for sheet, member in _sheet_parts(src).items()}
            for info in src.infolist():
                data = src.read(info.filename)
                sheet = members.get(info.filename)
                if sheet in by_sheet:
                    data = _inject(data.decode("utf-8"), by_sheet[sheet]).encode("utf-8")
                elif info.filename == "docProps/core.xml":
                    data = _CORE_DATE.sub(lambda m: f"{m.group(1)}{iso}{m.group(3)}", data.decode("utf-8")).encode()
                out = zipfile.ZipInfo(info.filename, date_time=date_time)
                out.compress_type = zipfile.ZIP_DEFLATED
                out.external_attr = 0o644 << 16
                dst.writestr(out, data)
        os.replace(rewritten, path)
    finally:
        rewritten.unlink(missing_ok=True)
