"""What an imported legacy report holds: lines, rows, and every issue found.

`LegacyRow` is mutable on purpose: the reader fills the published values,
`infer` adds kind/polarity, `to_plan` adds the ids. Everything else is frozen.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from barometro.issues import Issue, Severity
from barometro.messages import format_value
from barometro.model import Kind, Polarity
from barometro.numbers import ParsedNumber

__all__ = ["ImportIssue", "LegacyFormatError", "LegacyLine", "LegacyReport", "LegacyRow", "Severity"]


class LegacyFormatError(ValueError):
    """The input cannot be read as a report at all (the message is for staff, in Italian)."""


@dataclass(frozen=True, kw_only=True)
class ImportIssue(Issue):
    """One thing found while importing: a repair, a guess, a lost value.

    Keeps its data (`key`, `params`); the message is rendered on output."""

    source_row: int | None = None  # line of the text file / row of the sheet
    field: str | None = None  # code name of the column (owner, target, ...) or None
    guessed: object = None  # what the importer used or suggests (a number stays a number)
    sheet: str | None = None  # sheet of the .xlsx, when the source is a workbook

    def values(self) -> dict[str, object]:
        return {"row": self.source_row, **self.params}

    def to_dict(self, lang: str | None = None) -> dict[str, object]:
        return {
            "code": self.code,
            "severity": self.severity.value,
            "source_row": self.source_row,
            "field": self.field,
            "message": self.render_message(lang),
            "guessed": format_value(self.guessed, lang) if self.guessed is not None else None,
            "sheet": self.sheet,
            "params": self.params_json(),
        }


@dataclass
class LegacyRow:
    """One indicator row of the published table, after re-aligning its cells."""

    source_row: int
    raw_cells: tuple[object, ...]
    line_id: str  # id of the LegacyLine it belongs to
    owner: str
    sector: str
    objective: str
    definition: str  # the objective's whole definition (continuation rows appended)
    indicator: str
    formula_text: str
    purpose: str
    target: ParsedNumber
    actual: ParsedNumber
    deviation: ParsedNumber
    note: str
    weight: ParsedNumber
    achievement: ParsedNumber
    gauge: str = ""
    sheet: str | None = None
    objective_index: int = 0  # 1-based order of the objective inside its line
    indicator_index: int = 0  # 1-based order of the indicator inside its objective
    owner_inherited: bool = False  # blank cell meaning "same as above"
    sector_inherited: bool = False
    objective_inherited: bool = False
    repairs: list[str] = field(default_factory=list)  # codes of layout repairs on this row
    # Filled by `infer`:
    kind: Kind = Kind.QUANTITY
    polarity: Polarity = Polarity.HIGHER
    neutralised: bool = False
    kind_inferred: bool = False
    polarity_inferred: bool = False
    kind_rule: str = ""
    polarity_rule: str = ""
    # Filled by `to_plan`:
    indicator_id: str | None = None
    objective_id: str | None = None

    @property
    def source_sheet(self) -> str | None:
        """Alias of `sheet` (the name some callers use)."""
        return self.sheet


@dataclass(frozen=True)
class LegacyLine:
    """A strategic line as published: its title and the % printed under it."""

    id: str  # short uppercase code, e.g. "AMB"
    title: str  # "LINEA STRATEGICA SULL'AMBIENTE"
    name: str  # readable name, e.g. "Ambiente"
    published: float | None  # % Raggiungimento obiettivi per area strategica, 0-100
    published_raw: str = ""
    source_row: int | None = None
    sheet: str | None = None


@dataclass
class LegacyReport:
    """A whole report: ente, year, lines in order, indicator rows in order."""

    ente: str
    year: int | None
    lines: list[LegacyLine]
    rows: list[LegacyRow]
    source: str = ""  # file name
    source_format: str = "txt"  # "txt" | "xlsx"

    def rows_of_line(self, line_id: str) -> list[LegacyRow]:
        return [r for r in self.rows if r.line_id == line_id]

    def line(self, line_id: str) -> LegacyLine:
        for line in self.lines:
            if line.id == line_id:
                return line
        raise KeyError(line_id)
