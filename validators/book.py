"""Plain dataclasses for a workbook as the reader saw it: book -> sheets -> cells.

Checks receive these and never touch openpyxl or XML. Each cell carries its
formula AND its cached value together (the one-pass reader fills both).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from enum import StrEnum
from functools import cached_property
from typing import NamedTuple


class SheetState(StrEnum):
    VISIBLE = "visible"
    HIDDEN = "hidden"
    VERY_HIDDEN = "veryHidden"


class ValueKind(StrEnum):
    """What the cached value of a cell is."""

    EMPTY = "empty"  # no <v>: blank cell, or a formula never calculated
    NUMBER = "number"
    TEXT = "text"
    BOOL = "bool"
    ERROR = "error"  # "#DIV/0!", "#VALUE!"...
    DATE = "date"  # t="d" (ISO text kept as value)


class Cell(NamedTuple):
    """One non-empty cell. A NamedTuple: immutable and cheap to build (a sector
    return has a few hundred, a batch a few hundred thousand)."""

    row: int
    col: int  # 1-based
    value: object  # float | str | bool | None (cached value)
    kind: ValueKind
    formula: str | None = None  # with leading "=", shared formulas expanded
    array: bool = False  # part of an array formula (t="array")
    style: int = 0  # index into `Book.number_formats` (the cell's `s` attribute)

    @property
    def ref(self) -> str:
        return f"{column_letter(self.col)}{self.row}"

    @property
    def has_value(self) -> bool:
        return self.kind is not ValueKind.EMPTY


@dataclass(frozen=True)
class DataValidation:
    """One <dataValidation>: the rule and the cells it covers (space-separated ranges)."""

    sqref: str
    type: str  # "whole", "decimal", "list", "textLength", "custom", "none", ...
    operator: str = "between"
    formula1: str = ""
    formula2: str = ""
    allow_blank: bool = False
    error_style: str = "stop"
    show_error: bool = False

    def covers(self, row: int, col: int) -> bool:
        for r1, c1, r2, c2 in self.boxes:
            if r1 <= row <= r2 and c1 <= col <= c2:
                return True
        return False

    @cached_property
    def boxes(self) -> tuple[tuple[int, int, int, int], ...]:
        """The ranges of `sqref` as (first row, first column, last row, last column), parsed once."""
        return _parse_sqref(self.sqref)


def _parse_sqref(sqref: str) -> tuple[tuple[int, int, int, int], ...]:
    boxes = []
    for part in sqref.split():
        first, _, last = part.partition(":")
        try:
            r1, c1 = parse_ref(first)
            r2, c2 = parse_ref(last) if last else (r1, c1)
        except ValueError:
            continue
        boxes.append((min(r1, r2), min(c1, c2), max(r1, r2), max(c1, c2)))
    return tuple(boxes)


@dataclass
class Sheet:
    name: str
    state: SheetState = SheetState.VISIBLE
    protected: bool = False
    cells: dict[tuple[int, int], Cell] = field(default_factory=dict)
    merged: list[str] = field(default_factory=list)
    validations: list[DataValidation] = field(default_factory=list)
    frozen: str = ""  # top-left cell of the unfrozen area ("" when no frozen panes)
    max_row: int = 0
    non_finite: list[tuple[int, int]] = field(default_factory=list)  # (row, col) of NaN / infinite numbers

    def validation_at(self, row: int, col: int) -> DataValidation | None:
        for dv in self.validations:
            if dv.covers(row, col):
                return dv
        return None

    def cell(self, row: int, col: int) -> Cell | None:
        return self.cells.get((row, col))

    def at(self, ref: str) -> Cell | None:
        row, col = parse_ref(ref)
        return self.cells.get((row, col))

    def value(self, row: int, col: int) -> object:
        c = self.cells.get((row, col))
        return None if c is None else c.value

    def text(self, row: int, col: int) -> str:
        v = self.value(row, col)
        if v is None:
            return ""
        if isinstance(v, float) and v.is_integer():
            return str(int(v))
        return str(v)


@dataclass
class Book:
    path: str
    sheets: list[Sheet] = field(default_factory=list)
    defined_names: dict[str, str] = field(default_factory=dict)
    external_links: list[str] = field(default_factory=list)
    has_vba: bool = False
    full_calc_on_load: bool = False
    calc_mode: str = ""
    workbook_protected: bool = False
    size: int = 0
    number_formats: list[str] = field(default_factory=list)  # per style index (cellXfs)
    date1904: bool = False
    uncompressed: int = 0  # bytes every entry decompressed to (all read within the budgets)

    def number_format(self, cell: Cell | None) -> str:
        if cell is None or not 0 <= cell.style < len(self.number_formats):
            return "General"
        return self.number_formats[cell.style]

    def sheet(self, name: str) -> Sheet | None:
        for s in self.sheets:
            if s.name == name:
                return s
        return None

    def sheet_ci(self, name: str) -> Sheet | None:
        low = name.lower()
        for s in self.sheets:
            if s.name.lower() == low:
                return s
        return None

    @property
    def sheet_names(self) -> list[str]:
        return [s.name for s in self.sheets]


_REF = re.compile(r"^\$?([A-Za-z]{1,3})\$?(\d+)$")


def column_letter(col: int) -> str:
    letters = ""
    while col > 0:
        col, rem = divmod(col - 1, 26)
        letters = chr(65 + rem) + letters
    return letters


def column_index(letters: str) -> int:
    n = 0
    for ch in letters.upper():
        n = n * 26 + (ord(ch) - 64)
    return n


def parse_ref(ref: str) -> tuple[int, int]:
    """'J12' -> (12, 10)."""
    m = _REF.match(ref)
    if not m:
        raise ValueError(f"not a cell reference: {ref!r}")
    return int(m.group(2)), column_index(m.group(1))


def a1(row: int, col: int) -> str:
    return f"{column_letter(col)}{row}"
