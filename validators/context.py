"""What every check receives: the parsed book, its identity and the expected layout.

The expected layout comes from the master (when given) or from the file's own
`_barometro` metadata, always through `workbook_templates.spec.build_layout`,
so the validator compares with exactly what the builder writes.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from functools import cached_property

from barometro.model import NEUTRALISED_MARK, Indicator, Kind, Line, Plan, Polarity
from barometro.settings import DEFAULT_SETTINGS, Settings, SettingsError, settings_from_dict
from barometro.workbook_templates import spec
from barometro.workbook_templates.spec import COL, FIRST_ROW, Layout

from .book import Book, Sheet
from .findings import show

META_LINE_PREFIX = getattr(spec, "META_LINE_PREFIX", "line:")


@dataclass(frozen=True)
class Identity:
    template_id: str
    spec_version: str
    scope: str
    sector: str
    year: str
    plan_fingerprint: str
    ente: str = ""
    settings_name: str = ""
    settings_fingerprint: str = ""

    def to_dict(self) -> dict[str, str]:
        return {k: getattr(self, k) for k in self.__dataclass_fields__}


def read_meta(book: Book) -> dict[str, str] | None:
    """Key/value rows of the `_barometro` sheet (None when the sheet is absent)."""
    sheet = book.sheet(spec.META_SHEET)
    if sheet is None:
        return None
    meta: dict[str, str] = {}
    for (row, col), cell in sorted(sheet.cells.items()):
        if col != 1 or cell.value is None:
            continue
        key = show(cell.value).strip()
        if key and key not in meta:
            meta[key] = show(sheet.value(row, 2)).strip()
    return meta


def identity_of(meta: dict[str, str]) -> Identity:
    return Identity(
        template_id=meta.get("template_id", ""),
        spec_version=meta.get("spec_version", ""),
        scope=meta.get("scope", ""),
        sector=meta.get("sector", ""),
        year=meta.get("year", ""),
        plan_fingerprint=meta.get("plan_fingerprint", ""),
        ente=meta.get("ente", ""),
        settings_name=meta.get("settings_name", ""),
        settings_fingerprint=meta.get("settings_fingerprint", ""),
    )


def settings_of(meta: dict[str, str]) -> Settings | None:
    raw = meta.get("settings_json", "")
    if not raw:
        return None
    try:
        data = json.loads(raw)
        return settings_from_dict(data) if isinstance(data, dict) else None
    except (ValueError, SettingsError):
        return None


def _num(value: object) -> float | None:
    if isinstance(value, bool) or value is None:
        return None
    if isinstance(value, int | float):
        return float(value)
    return None


def find_id_rows(sheet: Sheet) -> dict[str, list[int]]:
    """Indicator id (column O) -> rows where it appears, from the first data row."""
    col = _col("indicator_id")
    out: dict[str, list[int]] = {}
    for (row, c), cell in sheet.cells.items():
        if c == col and row >= FIRST_ROW and cell.value not in (None, ""):
            out.setdefault(show(cell.value).strip(), []).append(row)
    for rows in out.values():
        rows.sort()
    return out


_COL_INDEX: dict[str, int] = {}


def _col(key: str) -> int:
    idx = _COL_INDEX.get(key)
    if idx is None:
        from .book import column_index

        idx = _COL_INDEX[key] = column_index(COL[key].letter)
    return idx


def col_of(key: str) -> int:
    """1-based column index of a spec column key."""
    return _col(key)


def plan_from_book(book: Book, meta: dict[str, str]) -> Plan:
    """Rebuild the plan a template was built from: `line:` and `ind:` metadata rows
    give the order and places, the office and technical columns give the values."""
    lines: list[Line] = []
    for key, value in meta.items():
        if key.startswith(META_LINE_PREFIX):
            line_id = key[len(META_LINE_PREFIX):]
            try:
                data = json.loads(value)
                sheet_name, title = str(data[0]), str(data[1])
                pct = _num(data[2]) if len(data) > 2 else None
            except (ValueError, IndexError, TypeError, KeyError):
                sheet_name, title, pct = value, value, None
            lines.append(Line(line_id, title, sheet_name, pct))
    sheet_line = {ln.sheet_name: ln.id for ln in lines}
    id_rows_cache: dict[str, dict[str, list[int]]] = {}
    indicators: list[Indicator] = []
    for key, value in meta.items():
        if not key.startswith(spec.META_INDICATOR_PREFIX):
            continue
        ind_id = key[len(spec.META_INDICATOR_PREFIX):]
        sheet_name, _, row_text = value.rpartition("!")
        sheet_name = sheet_name.strip("'").replace("''", "'")
        if sheet_name not in sheet_line:
            line = Line(sheet_name, sheet_name, sheet_name)
            lines.append(line)
            sheet_line[sheet_name] = line.id
        sheet = book.sheet(sheet_name)
        row = int(row_text) if row_text.isdigit() else 0
        if sheet is not None:
            id_rows = id_rows_cache.get(sheet_name)
            if id_rows is None:
                id_rows = id_rows_cache[sheet_name] = find_id_rows(sheet)
            rows = id_rows.get(ind_id)
            if rows and row not in rows:
                row = rows[0]
        indicators.append(_indicator_at(sheet, row, ind_id, sheet_line[sheet_name]))
    year_text = meta.get("year", "0")
    try:
        year = int(float(year_text))
    except ValueError:
        year = 0
    return Plan(meta.get("ente", ""), year, lines, indicators)


def _indicator_at(sheet: Sheet | None, row: int, ind_id: str, line_id: str) -> Indicator:
    def val(key: str) -> object:
        return None if sheet is None else sheet.value(row, _col(key))

    def txt(key: str) -> str:
        return "" if sheet is None else show(val(key))

    kind, polarity = Kind.lenient(txt("kind")), Polarity.lenient(txt("polarity"))
    return Indicator(
        id=ind_id,
        line_id=line_id,
        objective_id=txt("objective_id"),
        owner=txt("owner"),
        sector=txt("sector"),
        objective=txt("objective"),
        definition=txt("definition"),
        indicator=txt("indicator"),
        formula_text=txt("formula_text"),
        purpose=txt("purpose"),
        target=_num(val("target")),
        weight=_num(val("weight")),
        kind=kind,
        polarity=polarity,
        neutralised=txt("neutralised").strip().upper() == NEUTRALISED_MARK,
    )


@dataclass
class MasterInfo:
    """A master workbook read once per batch (per worker process)."""

    path: str
    identity: Identity
    meta: dict[str, str]
    plan: Plan
    settings: Settings
    protected_sheets: frozenset[str]
    _layouts: dict[str | None, Layout] = field(default_factory=dict, repr=False)
    _fp_cache: dict[str, set[str]] = field(default_factory=dict, repr=False)

    def layout_for(self, sector: str | None) -> Layout:
        if sector not in self._layouts:
            if sector is None:
                self._layouts[sector] = spec.build_layout(self.plan, self.settings, "master")
            else:
                self._layouts[sector] = spec.build_layout(self.plan, self.settings, "settore", sector)
        return self._layouts[sector]

    def _fingerprints(self, plan: Plan) -> set[str]:
        """Fingerprints of `plan` with integral numbers written as floats and as ints
        (a plan built in Python may hold 100 or 100.0; the workbook holds 100.0)."""
        from dataclasses import replace as _replace

        def as_int(v: float | None) -> float | int | None:
            return int(v) if v is not None and float(v).is_integer() else v

        ints = Plan(plan.ente, plan.year, plan.lines, [
            _replace(i, target=as_int(i.target), weight=as_int(i.weight)) for i in plan.indicators  # type: ignore[arg-type]
        ])
        return {spec.plan_fingerprint(plan), spec.plan_fingerprint(ints)}

    @cached_property
    def faithful(self) -> bool:
        """Whether the plan rebuilt from the workbook hashes like the plan it was built from."""
        return self.identity.plan_fingerprint in self._fingerprints(self.plan)

    def sector_fingerprints(self, sector: str) -> set[str]:
        key = f"fp:{sector}"
        if key not in self._fp_cache:
            self._fp_cache[key] = self._fingerprints(self.plan.for_sector(sector))
        return self._fp_cache[key]

    @cached_property
    def objective_weight_sums(self) -> dict[str, float]:
        sums: dict[str, float] = {}
        for ind in self.plan.indicators:
            sums[ind.objective_id] = sums.get(ind.objective_id, 0.0) + (ind.weight or 0.0)
        return sums

    @cached_property
    def missing_weights(self) -> frozenset[str]:
        return frozenset(i.id for i in self.plan.indicators if i.weight is None and not i.neutralised)


@dataclass
class CheckContext:
    """Everything a check may look at. Checks must not mutate the book."""

    file: str
    book: Book
    meta: dict[str, str]
    identity: Identity | None
    settings: Settings = DEFAULT_SETTINGS
    layout: Layout | None = None
    master: MasterInfo | None = None
    protected_expected: frozenset[str] = frozenset()
    # Filled by the structure check, read by later checks:
    sheet_alias: dict[str, str] = field(default_factory=dict)  # expected sheet name -> name in file
    broken_sheets: set[str] = field(default_factory=set)  # expected sheets with row damage
    _id_rows: dict[str, dict[str, list[int]]] = field(default_factory=dict, repr=False)
    _rowrefs: list[RowRef] | None = field(default=None, repr=False)

    def sheet_for(self, expected_name: str) -> Sheet | None:
        """The sheet of the file playing the role of `expected_name` (renames followed)."""
        return self.book.sheet(self.sheet_alias.get(expected_name, expected_name))

    def id_rows(self, expected_name: str) -> dict[str, list[int]]:
        if expected_name not in self._id_rows:
            sheet = self.sheet_for(expected_name)
            self._id_rows[expected_name] = find_id_rows(sheet) if sheet is not None else {}
        return self._id_rows[expected_name]

    def found_row(self, expected_sheet: str, indicator_id: str) -> int | None:
        rows = self.id_rows(expected_sheet).get(indicator_id)
        return rows[0] if rows else None


@dataclass(frozen=True)
class RowRef:
    """An expected indicator and where the file has it (first occurrence)."""

    block_sheet: str  # expected sheet name
    sheet: Sheet  # the file's sheet (after renames)
    indicator: Indicator
    row: int  # row in the file
    expected_row: int


def indicator_rows(ctx: CheckContext) -> list[RowRef]:
    """Every expected indicator found in the file, in plan order."""
    if ctx._rowrefs is not None:
        return ctx._rowrefs
    out: list[RowRef] = []
    if ctx.layout is not None:
        for block in ctx.layout.blocks:
            sheet = ctx.sheet_for(block.sheet_name)
            if sheet is None:
                continue
            for offset, ind in enumerate(block.indicators):
                row = ctx.found_row(block.sheet_name, ind.id)
                if row is not None:
                    out.append(RowRef(block.sheet_name, sheet, ind, row, FIRST_ROW + offset))
    ctx._rowrefs = out
    return out
