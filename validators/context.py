"""What every check receives: the parsed book, its identity, the expected layout and
the facts about the file that several checks need, computed once before any check runs.

The expected layout comes from the master (when given) or from the file's own
`_barometro` metadata, always through `workbook_templates.readback` (what a
cell means) and `workbook_templates.spec.build_layout` (what the builder
writes), so the validator compares with exactly what the builder writes.
Checks only read the context; `derive_facts` is the one place that decides
which sheet was renamed, where each indicator is and which rows were inserted.
"""

from __future__ import annotations

from bisect import bisect_left
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from functools import cached_property

from barometro.model import Indicator, Kind, Plan, Polarity
from barometro.scoring import RowScore, score_row
from barometro.settings import DEFAULT_SETTINGS, Settings
from barometro.workbook_templates import readback, spec
from barometro.workbook_templates.spec import COL, FIRST_ROW, Layout

from .book import Book, Cell, Sheet, column_index

COLS: dict[str, int] = {key: column_index(c.letter) for key, c in COL.items()}
ID_COL = COLS["indicator_id"]
LAST_DATA_COL = COLS[spec.COLUMNS[-1].key]


# --------------------------------------------------------------------------- the book as a row source


class BookRows:
    """`readback.RowSource` over the one-pass reader's `Book` (cached values)."""

    def __init__(self, book: Book) -> None:
        self.book = book

    def sheet_names(self) -> Sequence[str]:
        return self.book.sheet_names

    def meta_rows(self) -> Iterable[tuple[object, object]]:
        sheet = self.book.sheet(spec.META_SHEET)
        if sheet is None:
            return []
        keys = sorted((row, c.value) for (row, col), c in sheet.cells.items() if col == 1)
        return [(key, sheet.value(row, 2)) for row, key in keys]

    def rows(self, sheet: str, first: int, last: int) -> list[Sequence[object]]:
        s = self.book.sheet(sheet)
        if s is None:
            return []
        cells = s.cells
        last = min(last, s.max_row)  # beyond the last row the reader saw, every row is empty
        if last - first > 10_000:  # a tall, sparse sheet (a cell typed in row 1,048,576): empty rows shared
            present = {r for (r, _c) in cells}
            width = range(1, readback.WIDTH + 1)
            return [tuple(None if (c := cells.get((r, col))) is None else c.value for col in width)
                    if r in present else () for r in range(first, last + 1)]
        out = []
        for r in range(first, last + 1):
            out.append(tuple(None if (c := cells.get((r, col))) is None else c.value
                             for col in range(1, readback.WIDTH + 1)))
        return out

    def last_row(self, sheet: str) -> int:
        s = self.book.sheet(sheet)
        return 0 if s is None else s.max_row


# --------------------------------------------------------------------------- identity and master


@dataclass(frozen=True)
class Identity:
    template_id: str
    spec_version: str
    scope: str
    sector: str
    year: str
    plan_fingerprint: str
    ente: str = ""
    period: str = ""
    settings_name: str = ""
    settings_fingerprint: str = ""

    def to_dict(self) -> dict[str, str]:
        return {k: getattr(self, k) for k in self.__dataclass_fields__}


def identity_of(meta: dict[str, str]) -> Identity:
    fields_ = Identity.__dataclass_fields__
    return Identity(**{k: meta.get(k, "") for k in fields_})


@dataclass
class MasterInfo:
    """A master workbook read once per run (and handed to the worker processes)."""

    path: str
    identity: Identity
    template: readback.TemplateRead
    protected_sheets: frozenset[str]
    _layouts: dict[str | None, Layout] = field(default_factory=dict, repr=False)
    _fp_cache: dict[str, str] = field(default_factory=dict, repr=False)

    @property
    def meta(self) -> dict[str, str]:
        return self.template.meta

    @property
    def plan(self) -> Plan:
        return self.template.plan

    @property
    def settings(self) -> Settings:
        return self.template.settings or DEFAULT_SETTINGS

    def layout_for(self, sector: str | None) -> Layout:
        if sector not in self._layouts:
            if sector is None:
                self._layouts[sector] = spec.build_layout(self.plan, self.settings, "master")
            else:
                self._layouts[sector] = spec.build_layout(self.plan, self.settings, "settore", sector)
        return self._layouts[sector]

    @cached_property
    def faithful(self) -> bool:
        """Whether the plan read back from the workbook hashes like the plan it was built from."""
        return self.identity.plan_fingerprint == spec.plan_fingerprint(self.plan)

    def sector_fingerprint(self, sector: str) -> str:
        if sector not in self._fp_cache:
            self._fp_cache[sector] = spec.plan_fingerprint(self.plan.for_sector(sector))
        return self._fp_cache[sector]

    @cached_property
    def missing_weights(self) -> frozenset[str]:
        return frozenset(i.id for i in self.plan.indicators if i.weight is None and not i.neutralised)

    @cached_property
    def objective_weight_sums(self) -> dict[str, float]:
        sums: dict[str, float] = {}
        for ind in self.plan.indicators:
            sums[ind.objective_id] = sums.get(ind.objective_id, 0.0) + (ind.weight or 0.0)
        return sums


# --------------------------------------------------------------------------- rows of the file


@dataclass(frozen=True)
class RowRef:
    """An expected indicator and its row in the file (first occurrence), read once.

    `kind`, `polarity`, `neutralised`, `target`, `actual`, `weight` and `score`
    are what the file's own formulas compute from the row's cells, whatever the
    plan says (a changed technical cell is reported by `office_cells`)."""

    block_sheet: str  # expected sheet name
    sheet: Sheet  # the file's sheet (after renames)
    indicator: Indicator  # as the plan has it
    row: int  # row in the file
    expected_row: int
    settings: Settings

    def cell(self, key: str) -> Cell | None:
        return self.sheet.cells.get((self.row, COLS[key]))

    def value(self, key: str) -> object:
        c = self.cell(key)
        return None if c is None else c.value

    def number(self, key: str) -> float | None:
        return readback.as_number(self.value(key))

    def text(self, key: str) -> str:
        return readback.as_text(self.value(key))

    def ref(self, key: str) -> str:
        return f"{COL[key].letter}{self.row}"

    @cached_property
    def kind(self) -> Kind:
        return readback.kind_of(self.value("kind"))

    @cached_property
    def polarity(self) -> Polarity:
        return readback.polarity_of(self.value("polarity"))

    @cached_property
    def neutralised(self) -> bool:
        return readback.is_neutralised(self.value("neutralised"))

    @cached_property
    def score(self) -> RowScore:
        return score_row(self.number("actual"), self.number("target"), self.number("weight"),
                         self.kind, self.polarity, neutralised=self.neutralised, settings=self.settings)


@dataclass(frozen=True)
class SheetRows:
    """How the rows of one expected line sheet compare with the plan (by the ids in column O)."""

    id_rows: dict[str, list[int]]  # every id in column O -> its rows
    inserted: tuple[int, ...] = ()  # rows holding something but no plan id, and blank rows in the block
    missing: tuple[str, ...] = ()  # plan ids of this sheet absent from it
    duplicated: tuple[tuple[str, tuple[int, ...]], ...] = ()
    foreign: tuple[tuple[str, int], ...] = ()  # plan ids of another sheet found here
    moved: tuple[tuple[str, int, int], ...] = ()  # (id, expected row, found row)
    unknown_ids: tuple[tuple[str, int], ...] = ()  # ids in column O that the plan does not have

    @property
    def broken(self) -> bool:
        """Rows inserted, deleted, duplicated or moved: the sheet's ranges no longer mean the plan."""
        return bool(self.inserted or self.missing or self.duplicated or self.foreign or self.moved)


def find_id_rows(sheet: Sheet) -> dict[str, list[int]]:
    """Indicator id (column O) -> rows where it appears, from the first data row."""
    out: dict[str, list[int]] = {}
    for (row, c), cell in sheet.cells.items():
        if c == ID_COL and row >= FIRST_ROW and cell.value not in (None, ""):
            out.setdefault(readback.as_text(cell.value).strip(), []).append(row)
    for rows in out.values():
        rows.sort()
    return out


def _stable(order: list[int]) -> set[int]:
    """Indices of a longest increasing subsequence of `order` (those did not move)."""
    tails: list[int] = []
    tails_idx: list[int] = []
    prev = [-1] * len(order)
    for i, v in enumerate(order):
        pos = bisect_left(tails, v)
        if pos == len(tails):
            tails.append(v)
            tails_idx.append(i)
        else:
            tails[pos] = v
            tails_idx[pos] = i
        prev[i] = tails_idx[pos - 1] if pos > 0 else -1
    keep: set[int] = set()
    i = tails_idx[-1] if tails_idx else -1
    while i >= 0:
        keep.add(i)
        i = prev[i]
    return keep


def compare_rows(sheet: Sheet, block: spec.SheetBlock, all_ids: set[str]) -> SheetRows:
    """Inserted, deleted, duplicated and moved rows of one line sheet."""
    id_rows = find_id_rows(sheet)
    expected_ids = [ind.id for ind in block.indicators]
    position = {iid: n for n, iid in enumerate(expected_ids)}
    used_rows = sorted({r for (r, c), cell in sheet.cells.items()
                        if r >= FIRST_ROW and c <= LAST_DATA_COL and (cell.formula or cell.value not in (None, ""))})
    known_rows = {r for iid, rows in id_rows.items() if iid in all_ids for r in rows}
    last_known = max(known_rows, default=FIRST_ROW - 1)
    inserted = [r for r in used_rows if r not in known_rows]
    used = set(used_rows)
    inserted += [r for r in range(FIRST_ROW, last_known) if r not in known_rows and r not in used]
    missing = tuple(iid for iid in expected_ids if not id_rows.get(iid))
    duplicated = tuple((iid, tuple(id_rows[iid])) for iid in expected_ids if len(id_rows.get(iid, ())) > 1)
    foreign = tuple((iid, rows[0]) for iid, rows in id_rows.items() if iid in all_ids and iid not in position)
    unknown = tuple((iid, rows[0]) for iid, rows in id_rows.items() if iid not in all_ids)
    present = sorted((rows[0], iid) for iid, rows in id_rows.items() if iid in position)
    damaged = bool(inserted or missing or duplicated or foreign)
    moved: list[tuple[str, int, int]] = []
    if not damaged:
        # A pure permutation: every id away from its row was moved.
        moved = [(iid, block.row_of(iid), row) for row, iid in present if row != block.row_of(iid)]
    else:
        # Rows inserted or deleted shift the others: only order breaks count as moves.
        keep = _stable([position[iid] for _, iid in present])
        moved = [(iid, block.row_of(iid), row) for n, (row, iid) in enumerate(present) if n not in keep]
    return SheetRows(id_rows, tuple(sorted(set(inserted))), missing, duplicated, foreign, tuple(moved), unknown)


def column_shift(sheet: Sheet) -> tuple[int, int] | None:
    """(first moved column, +1 inserted / -1 deleted) when the sheet's header row is the
    template's shifted by one column from some column on: a column inserted or deleted by
    hand. None when the headers are in place (or differ in some other way: S105)."""
    headers = [c.header for c in spec.COLUMNS]
    found = [readback.as_text(sheet.value(spec.HEADER_ROW, col)).strip() for col in range(1, len(headers) + 2)]
    if found[:len(headers)] == headers:
        return None
    first = next((i for i, (h, f) in enumerate(zip(headers, found, strict=False)) if h != f), len(headers))
    rest = headers[first:]
    if len(rest) >= 2 and found[first + 1:first + 1 + len(rest)] == rest:
        return first + 1, 1
    if len(rest) >= 3 and found[first:first + len(rest) - 1] == rest[1:]:
        return first + 1, -1
    return None


# --------------------------------------------------------------------------- the context


@dataclass(frozen=True)
class ExtraRow:
    """A row of a returned file that is not one of the plan's rows for it (carried to consolidation)."""

    sheet: str
    row: int
    indicator_id: str  # "" when the row has no id


@dataclass
class CheckContext:
    """Everything a check may look at. Checks must not mutate it; `derive_facts` fills the facts."""

    file: str
    book: Book
    meta: dict[str, str]
    identity: Identity | None
    settings: Settings = DEFAULT_SETTINGS
    layout: Layout | None = None
    master: MasterInfo | None = None
    protected_expected: frozenset[str] = frozenset()
    # ---- facts (derive_facts)
    sheet_alias: dict[str, str] = field(default_factory=dict)  # expected sheet name -> name in file
    missing_sheets: tuple[str, ...] = ()  # expected line sheets absent (and not renamed)
    added_sheets: tuple[str, ...] = ()  # sheets of the file the template does not have
    sheet_rows: dict[str, SheetRows] = field(default_factory=dict)  # expected sheet -> rows compared
    shifted_columns: dict[str, tuple[int, int]] = field(default_factory=dict)  # expected sheet -> column_shift
    rows: list[RowRef] = field(default_factory=list)  # every expected indicator found, plan order

    def sheet_for(self, expected_name: str) -> Sheet | None:
        """The sheet of the file playing the role of `expected_name` (renames followed)."""
        return self.book.sheet(self.sheet_alias.get(expected_name, expected_name))

    @property
    def broken_sheets(self) -> frozenset[str]:
        return frozenset(name for name, rows in self.sheet_rows.items() if rows.broken) | set(self.shifted_columns)

    def extra_rows(self) -> list[ExtraRow]:
        """Rows the sector added, or rows of indicators that are not its own in this layout."""
        out: list[ExtraRow] = []
        for expected, rows in self.sheet_rows.items():
            sheet = self.sheet_for(expected)
            name = sheet.name if sheet is not None else expected
            taken = {r for _, r in rows.unknown_ids} | {r for _, r in rows.foreign}
            out.extend(ExtraRow(name, r, "") for r in rows.inserted if r not in taken)
            out.extend(ExtraRow(name, r, iid) for iid, r in (*rows.unknown_ids, *rows.foreign))
        return sorted(out, key=lambda e: (e.sheet, e.row))


def derive_facts(ctx: CheckContext) -> None:
    """Compute, once and before any check, the facts several checks need."""
    layout = ctx.layout
    if layout is None:
        return
    book = ctx.book
    expected = [b.sheet_name for b in layout.blocks]
    known = set(expected) | set(spec.RESERVED_SHEETS)
    extra = [s for s in book.sheets if s.name not in known]
    missing: list[str] = []
    for block in layout.blocks:
        if book.sheet(block.sheet_name) is not None:
            continue
        # A missing line sheet whose indicator ids live in an unexpected sheet was renamed.
        ids = {ind.id for ind in block.indicators}
        renamed = next((s for s in extra if ids & set(find_id_rows(s))), None)
        if renamed is not None:
            ctx.sheet_alias[block.sheet_name] = renamed.name
            extra.remove(renamed)
        else:
            missing.append(block.sheet_name)
    ctx.missing_sheets = tuple(missing)
    ctx.added_sheets = tuple(s.name for s in extra)
    all_ids = {ind.id for ind in layout.plan.indicators}
    for block in layout.blocks:
        sheet = ctx.sheet_for(block.sheet_name)
        if sheet is None:
            continue
        shift = column_shift(sheet)
        if shift is not None:
            # A column inserted or deleted: one finding (S117); its rows are not read, since
            # every column after it means something else now.
            ctx.shifted_columns[block.sheet_name] = shift
            continue
        rows = compare_rows(sheet, block, all_ids)
        ctx.sheet_rows[block.sheet_name] = rows
        for offset, ind in enumerate(block.indicators):
            found = rows.id_rows.get(ind.id)
            if found:
                ctx.rows.append(RowRef(block.sheet_name, sheet, ind, found[0], FIRST_ROW + offset, ctx.settings))
