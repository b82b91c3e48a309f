"""Read a master (or sector) template back into the plan, settings and layout it was built from.

The validator, consolidation and the add-in use it to know what a return must
look like: `read_template(build_workbook(plan, ...)).plan` has the same
`spec.plan_fingerprint` as `plan`.
"""

from __future__ import annotations

import json
import math
from dataclasses import dataclass
from pathlib import Path

from barometro.messages import text
from barometro.model import NEUTRALISED_MARK, Indicator, Kind, Line, Plan, Polarity
from barometro.settings import Settings, SettingsError, settings_from_dict

from . import spec


class TemplateError(ValueError):
    """The file is not a readable Barometro template (Italian message)."""


@dataclass(frozen=True)
class TemplateInfo:
    plan: Plan
    settings: Settings
    meta: dict[str, str]  # the fixed META_KEYS
    layout: spec.Layout


def _str(value: object) -> str:
    return "" if value is None else str(value)


def _float(value: object) -> float | None:
    if isinstance(value, bool) or not isinstance(value, int | float):
        return None
    f = float(value)
    return f if math.isfinite(f) else None


def read_template(path: str | Path) -> TemplateInfo:
    """Plan, settings, metadata and layout of a workbook built by `builder.build_workbook`."""
    from openpyxl import load_workbook

    path = Path(path)

    def fail(reason: str) -> TemplateError:
        return TemplateError(text("template.reader.not_template", path=path.name, reason=reason))

    try:
        wb = load_workbook(path, read_only=True)
    except Exception as exc:  # noqa: BLE001 - unreadable file -> one clear error
        raise fail(str(exc) or type(exc).__name__) from None
    try:
        if spec.META_SHEET not in wb.sheetnames:
            raise fail(f"manca il foglio {spec.META_SHEET}")
        meta: dict[str, str] = {}
        ind_where: dict[str, str] = {}
        lines: list[Line] = []
        for key, value, *_ in wb[spec.META_SHEET].iter_rows(min_col=1, max_col=2, values_only=True):
            if key is None:
                continue
            key, value = str(key), _str(value)
            if key.startswith(spec.META_INDICATOR_PREFIX):
                ind_where[key[len(spec.META_INDICATOR_PREFIX):]] = value
            elif key.startswith(spec.META_LINE_PREFIX):
                try:
                    sheet_name, title, published = json.loads(value)
                except (ValueError, TypeError):
                    raise fail(f"riga {key} illeggibile") from None
                lines.append(Line(key[len(spec.META_LINE_PREFIX):], title, sheet_name, published))
            else:
                meta[key] = value
        missing = [k for k in spec.META_KEYS if k not in meta]
        if missing:
            raise fail("metadati mancanti: " + ", ".join(missing))
        if meta["template_id"] != spec.TEMPLATE_ID:
            raise fail(f"template_id {meta['template_id']!r}")
        try:
            settings = settings_from_dict(json.loads(meta["settings_json"]))
        except (ValueError, SettingsError) as exc:
            raise fail(f"impostazioni illeggibili ({exc})") from None
        line_of_sheet = {ln.sheet_name: ln.id for ln in lines}
        rows_by_sheet: dict[str, dict[int, tuple]] = {}
        indicators: list[Indicator] = []
        letters = [c.letter for c in spec.COLUMNS]
        for ind_id, where in ind_where.items():
            sheet_name, _, row_text = where.rpartition("!")
            if sheet_name not in wb.sheetnames or not row_text.isdigit():
                raise fail(f"posizione {where!r} dell'indicatore {ind_id}")
            if sheet_name not in rows_by_sheet:
                ws = wb[sheet_name]
                rows_by_sheet[sheet_name] = {
                    r: vals for r, vals in enumerate(
                        ws.iter_rows(min_row=1, max_col=len(letters), values_only=True), start=1)
                }
            vals = rows_by_sheet[sheet_name].get(int(row_text))
            if vals is None:
                raise fail(f"riga {where} mancante")
            cell = dict(zip((c.key for c in spec.COLUMNS), list(vals) + [None] * len(letters), strict=False))
            if _str(cell["indicator_id"]) != ind_id:
                raise fail(f"in {where} c'è {cell['indicator_id']!r} invece di {ind_id}")
            if sheet_name not in line_of_sheet:
                raise fail(f"il foglio {sheet_name} non è una linea")
            try:
                kind, polarity = Kind.parse(cell["kind"]), Polarity.parse(cell["polarity"])
            except ValueError as exc:
                raise fail(f"{where}: {exc}") from None
            indicators.append(Indicator(
                id=ind_id, line_id=line_of_sheet[sheet_name], objective_id=_str(cell["objective_id"]),
                owner=_str(cell["owner"]), sector=_str(cell["sector"]), objective=_str(cell["objective"]),
                definition=_str(cell["definition"]), indicator=_str(cell["indicator"]),
                formula_text=_str(cell["formula_text"]), purpose=_str(cell["purpose"]),
                target=_float(cell["target"]), weight=_float(cell["weight"]), kind=kind, polarity=polarity,
                neutralised=_str(cell["neutralised"]).strip().upper() == NEUTRALISED_MARK,
            ))
    finally:
        wb.close()
    try:
        year = int(meta["year"])
    except ValueError:
        raise fail(f"anno {meta['year']!r}") from None
    plan = Plan(meta["ente"], year, lines, indicators)
    scope = meta["scope"] if meta["scope"] in ("master", "settore") else "master"
    sector = meta["sector"] or None
    layout = spec.build_layout(plan, settings, scope, sector if scope == "settore" else None)
    return TemplateInfo(plan, settings, {k: meta[k] for k in spec.META_KEYS}, layout)
