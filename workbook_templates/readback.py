"""What a template cell means, as its formula reads it, and the one read-back of a template.

Every part of Barometro that looks at a template's cells (the validator's
checks, consolidation, the add-ins' macros and functions, `read_template`)
asks this module, so a cell means one thing everywhere:

* `as_number(v)`: the number a formula's ISNUMBER accepts (real numbers, not
  booleans, not text; a date is its serial number), else None;
* `kind_of(v)`: binary only when the cell equals "binario" as Excel compares
  text (ignoring case, nothing else): any other value is a quantity, which is
  what `IF(Q6="binario",…)` computes;
* `polarity_of(v)`: lower-is-better only for "decrescente", likewise;
* `is_neutralised(v)`: only "SI", likewise;
* `as_text(v)`: the text a cell shows (4580, not 4580.0).

`read_back(source)` turns the `_barometro` metadata and the line sheets
of any backend into the plan, settings and places of a template. A backend is
a `RowSource`: a few methods over openpyxl (`master_reader.OpenpyxlRows`), the
validator's one-pass reader (`validators.context.BookRows`) or the add-ins'
workbook interface (`addin.macros.OpsRows`).
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, time
from functools import cached_property
from typing import Protocol

from barometro.messages import text
from barometro.model import NEUTRALISED_MARK, Indicator, Kind, Line, Plan, Polarity
from barometro.numbers import finite
from barometro.settings import Settings, SettingsError, settings_from_dict

from . import spec

# --------------------------------------------------------------------------- cell semantics

_EXCEL_EPOCH = datetime(1899, 12, 30)


def as_number(value: object) -> float | None:
    """The value as a formula sees it: ISNUMBER is true only for these (finite numbers)."""
    if value is None or isinstance(value, bool | int | float):
        return finite(value)
    if isinstance(value, datetime):
        return (value - _EXCEL_EPOCH).total_seconds() / 86400.0
    if isinstance(value, date):
        return float((value - _EXCEL_EPOCH.date()).days)
    if isinstance(value, time):
        return (value.hour * 3600 + value.minute * 60 + value.second) / 86400.0
    return None


def as_text(value: object) -> str:
    """What the cell shows as text: '' for empty, 4580 for 4580.0, the string as stored."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "TRUE" if value else "FALSE"
    if isinstance(value, float):
        if value.is_integer() and abs(value) < 1e15:
            return str(int(value))
        return repr(value)
    return str(value)


def _equals(value: object, word: str) -> bool:
    """Excel's `cell="word"`: text equal ignoring ASCII case; numbers and booleans never."""
    return isinstance(value, str) and value.isascii() and value.lower() == word.lower()


def kind_of(value: object) -> Kind:
    """Column Q as `IF(Q6="binario",…)` reads it."""
    return Kind.BINARY if _equals(value, Kind.BINARY.value) else Kind.QUANTITY


def polarity_of(value: object) -> Polarity:
    """Column R as `IF(R6="decrescente",…)` reads it."""
    return Polarity.LOWER if _equals(value, Polarity.LOWER.value) else Polarity.HIGHER


def is_neutralised(value: object) -> bool:
    """Column S as `S6="SI"` reads it."""
    return _equals(value, NEUTRALISED_MARK)


def is_blank(value: object) -> bool:
    """An input cell with nothing in it (LEN(TRIM(cell))=0)."""
    return value is None or (isinstance(value, str) and not value.strip())


# --------------------------------------------------------------------------- rows

KEYS = tuple(c.key for c in spec.COLUMNS)
INDEX = {key: i for i, key in enumerate(KEYS)}
WIDTH = len(KEYS)  # columns A..U


def cell(values: Sequence[object], key: str) -> object:
    """The value of column `key` in a row of values A..U (missing trailing cells are None)."""
    i = INDEX[key]
    return values[i] if i < len(values) else None


def indicator_from_row(values: Sequence[object], indicator_id: str, line_id: str) -> Indicator:
    """One plan indicator as its row in a template holds it (office, technical and input cells)."""

    def txt(key: str) -> str:
        return as_text(cell(values, key))

    return Indicator(
        id=indicator_id,
        line_id=line_id,
        objective_id=txt("objective_id"),
        owner=txt("owner"),
        sector=txt("sector"),
        objective=txt("objective"),
        definition=txt("definition"),
        indicator=txt("indicator"),
        formula_text=txt("formula_text"),
        purpose=txt("purpose"),
        target=as_number(cell(values, "target")),
        weight=as_number(cell(values, "weight")),
        kind=kind_of(cell(values, "kind")),
        polarity=polarity_of(cell(values, "polarity")),
        neutralised=is_neutralised(cell(values, "neutralised")),
        actual=as_number(cell(values, "actual")),
        note=txt("note").strip(),
        previous_actual=as_number(cell(values, "previous_actual")),
    )


# --------------------------------------------------------------------------- sources


class RowSource(Protocol):
    """The few reads `read_template` needs from a workbook backend."""

    def sheet_names(self) -> Sequence[str]: ...

    def meta_rows(self) -> Iterable[tuple[object, object]]:
        """(column A, column B) of the metadata sheet, top to bottom (empty if absent)."""
        ...

    def rows(self, sheet: str, first: int, last: int) -> list[Sequence[object]]:
        """Values of columns A..U of rows first..last of `sheet`, one sequence per row."""
        ...

    def last_row(self, sheet: str) -> int: ...


class TemplateError(ValueError):
    """A workbook that is not a readable Barometro template; the reason is a catalogue key."""

    def __init__(self, reason: str, *, path: str | None = None, **values: object) -> None:
        super().__init__(reason, values)
        self.reason = reason
        self.path = path
        self.values = values

    def reason_text(self, lang: str | None = None) -> str:
        return text(f"template.reader.reason.{self.reason}", lang, **self.values)

    def render(self, lang: str | None = None) -> str:
        if self.path is None:
            return self.reason_text(lang)
        return text("template.reader.not_template", lang, path=self.path, reason=self.reason_text(lang))

    def __str__(self) -> str:
        return self.render()


@dataclass
class TemplateRead:
    """A template as its cells say: metadata, settings, the plan, and where each row is."""

    meta: dict[str, str]  # the fixed META_KEYS (and any other plain key)
    settings: Settings | None  # None: settings_json missing or unreadable
    plan: Plan  # office fields as read; `actual` and `note` from the input cells
    places: dict[str, tuple[str, int]] = field(default_factory=dict)  # id -> (sheet, row) in the file
    expected_places: dict[str, tuple[str, int]] = field(default_factory=dict)  # id -> as the metadata says

    @property
    def scope(self) -> str:
        return self.meta.get("scope", "")

    @property
    def sector(self) -> str | None:
        return self.meta.get("sector") or None

    @cached_property
    def layout(self) -> spec.Layout:
        """The layout the builder writes for this plan, scope and sector."""
        # Built as a master over the rows the file holds, then labelled with the file's
        # scope: a sector file's rows are its plan even when a row's sector text was edited.
        layout = spec.build_layout(self.plan, self.settings or Settings(), "master")
        if self.scope == "settore":
            layout.scope, layout.sector = "settore", self.sector
        return layout


def read_meta(source: RowSource) -> dict[str, str] | None:
    """Every key/value row of the metadata sheet (first occurrence wins); None without it."""
    if spec.META_SHEET not in source.sheet_names():
        return None
    meta: dict[str, str] = {}
    for key, value in source.meta_rows():
        k = as_text(key).strip()
        if k and k not in meta:
            meta[k] = as_text(value).strip()
    return meta


def settings_of(meta: dict[str, str]) -> Settings | None:
    raw = meta.get("settings_json", "")
    if not raw:
        return None
    try:
        data = json.loads(raw)
        return settings_from_dict(data) if isinstance(data, dict) else None
    except (ValueError, SettingsError):
        return None


def _lines(meta: dict[str, str], strict: bool) -> list[Line]:
    lines: list[Line] = []
    for key, value in meta.items():
        if not key.startswith(spec.META_LINE_PREFIX):
            continue
        line_id = key[len(spec.META_LINE_PREFIX):]
        try:
            data = json.loads(value)
            sheet_name, title = str(data[0]), str(data[1])
            pct = as_number(data[2]) if len(data) > 2 else None
        except (ValueError, IndexError, TypeError, KeyError):
            if strict:
                raise TemplateError("meta_row", key=key) from None
            sheet_name, title, pct = value, value, None
        lines.append(Line(line_id, title, sheet_name, pct))
    return lines


def _places(meta: dict[str, str], strict: bool) -> dict[str, tuple[str, int]]:
    out: dict[str, tuple[str, int]] = {}
    for key, value in meta.items():
        if not key.startswith(spec.META_INDICATOR_PREFIX):
            continue
        ind_id = key[len(spec.META_INDICATOR_PREFIX):]
        sheet_name, _, row_text = value.rpartition("!")
        if sheet_name.startswith("'") and sheet_name.endswith("'"):
            sheet_name = sheet_name[1:-1].replace("''", "'")
        if not row_text.isdigit() or not sheet_name:
            if strict:
                raise TemplateError("place", where=value, indicator=ind_id)
            out[ind_id] = (sheet_name, 0)
            continue
        out[ind_id] = (sheet_name, int(row_text))
    return out


def _id_rows(values: list[Sequence[object]], first: int) -> dict[str, list[int]]:
    out: dict[str, list[int]] = {}
    for n, row in enumerate(values):
        iid = as_text(cell(row, "indicator_id")).strip()
        if iid:
            out.setdefault(iid, []).append(first + n)
    return out


def read_back(source: RowSource, *, strict: bool = True) -> TemplateRead:
    """The template behind `source`.

    `strict` (a master, a template the office hands in): any inconsistency
    between the metadata and the sheets raises `TemplateError`. Lenient (a
    returned file checked without its master): rows are found by their id where
    the metadata's place no longer holds it, and what cannot be found reads as
    empty, for the checks to report.
    """
    meta = read_meta(source)
    if meta is None:
        raise TemplateError("no_meta_sheet", sheet=spec.META_SHEET)
    if strict:
        missing = [k for k in spec.META_KEYS if k not in meta]
        if missing:
            raise TemplateError("meta_missing", keys=", ".join(missing))
        if meta["template_id"] != spec.TEMPLATE_ID:
            raise TemplateError("template_id", found=meta["template_id"], expected=spec.TEMPLATE_ID)
    settings = settings_of(meta)
    if strict and settings is None:
        raise TemplateError("settings")
    try:
        year = int(float(meta.get("year", "0") or "0"))
    except ValueError:
        if strict:
            raise TemplateError("year", found=meta.get("year", "")) from None
        year = 0
    lines = _lines(meta, strict)
    expected = _places(meta, strict)
    names = set(source.sheet_names())
    line_of_sheet = {ln.sheet_name: ln.id for ln in lines}

    cache: dict[str, tuple[int, list[Sequence[object]], dict[str, list[int]]]] = {}

    last_expected: dict[str, int] = {}
    for sheet_name, row in expected.values():
        last_expected[sheet_name] = max(last_expected.get(sheet_name, 0), row)

    def sheet_rows(name: str) -> tuple[int, list[Sequence[object]], dict[str, list[int]]]:
        if name not in cache:
            last = max(source.last_row(name), last_expected.get(name, 0), spec.FIRST_ROW)
            values = source.rows(name, spec.FIRST_ROW, last)
            cache[name] = (spec.FIRST_ROW, values, _id_rows(values, spec.FIRST_ROW))
        return cache[name]

    indicators: list[Indicator] = []
    places: dict[str, tuple[str, int]] = {}
    for ind_id, (sheet_name, row) in expected.items():
        if sheet_name not in line_of_sheet:
            if strict:
                raise TemplateError("not_a_line", sheet=sheet_name)
            line = Line(sheet_name, sheet_name, sheet_name)
            lines.append(line)
            line_of_sheet[sheet_name] = line.id
        line_id = line_of_sheet[sheet_name]
        values: Sequence[object] = ()
        if sheet_name in names:
            first, all_rows, id_rows = sheet_rows(sheet_name)
            at = all_rows[row - first] if 0 <= row - first < len(all_rows) else ()
            if as_text(cell(at, "indicator_id")).strip() == ind_id:
                values = at
                places[ind_id] = (sheet_name, row)
            elif strict:
                raise TemplateError("wrong_row", where=f"{sheet_name}!{row}", indicator=ind_id,
                                    found=as_text(cell(at, "indicator_id")))
            elif id_rows.get(ind_id):
                found_row = id_rows[ind_id][0]
                values = all_rows[found_row - first]
                places[ind_id] = (sheet_name, found_row)
        elif strict:
            raise TemplateError("sheet_missing", sheet=sheet_name, indicator=ind_id)
        indicators.append(indicator_from_row(values, ind_id, line_id))
    plan = Plan(meta.get("ente", ""), year, lines, indicators, meta.get("period") or "consuntivo",
                meta.get("reference", ""))
    return TemplateRead(meta, settings, plan, places, expected)
