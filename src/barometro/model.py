"""Plain value types shared by every layer: kinds, polarities, plan rows.

No I/O here. Enum values are the Italian codes written into workbooks, so a
template cell and a Python value compare directly.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import Enum


class Kind(str, Enum):
    """How an indicator is scored."""

    BINARY = "binario"  # "1 = fatto / 0 = non fatto": 100 if met, else 0
    QUANTITY = "quantitativo"  # linear in the actual (quantities, ratios, amounts)

    @classmethod
    def parse(cls, value: object) -> Kind:
        text = str(value or "").strip().lower()
        for member in cls:
            if text in (member.value, member.name.lower()):
                return member
        if text in ("binary", "bin", "si/no", "sì/no"):
            return cls.BINARY
        if text in ("quantity", "ratio", "lineare", "quantita", "quantità", "qty"):
            return cls.QUANTITY
        raise ValueError(f"unknown indicator kind: {value!r}")

    @classmethod
    def lenient(cls, value: object) -> Kind:
        """As the template formula reads the cell: anything not binary is a quantity."""
        try:
            return cls.parse(value)
        except ValueError:
            return cls.QUANTITY


class Polarity(str, Enum):
    """Which direction of the actual is better."""

    HIGHER = "crescente"  # higher is better (default)
    LOWER = "decrescente"  # lower is better: rankings, delays, minutes, costs

    @classmethod
    def parse(cls, value: object) -> Polarity:
        text = str(value or "").strip().lower()
        for member in cls:
            if text in (member.value, member.name.lower()):
                return member
        if text in ("higher", "up", "+", "maggiore"):
            return cls.HIGHER
        if text in ("lower", "down", "-", "minore"):
            return cls.LOWER
        raise ValueError(f"unknown polarity: {value!r}")

    @classmethod
    def lenient(cls, value: object) -> Polarity:
        """As the template formula reads the cell: anything not decreasing is increasing."""
        try:
            return cls.parse(value)
        except ValueError:
            return cls.HIGHER


NEUTRALISED_MARK = "SI"  # value of the "Neutralizzato" technical column when neutralised


@dataclass(frozen=True)
class Line:
    """A strategic line (linea strategica): one sheet of the template."""

    id: str  # short stable code, e.g. "AMB"
    title: str  # as published, e.g. "LINEA STRATEGICA SULL'AMBIENTE"
    sheet_name: str  # <= 31 characters, valid Excel sheet name, e.g. "Ambiente"
    published_pct: float | None = None  # % printed in a legacy report, if any


@dataclass(frozen=True)
class Indicator:
    """One indicator row of the plan (and of every template built from it)."""

    id: str  # stable indicator id, e.g. "AMB-03-02"
    line_id: str
    objective_id: str  # e.g. "AMB-03"
    owner: str
    sector: str
    objective: str
    definition: str
    indicator: str
    formula_text: str
    purpose: str
    target: float | None
    weight: float | None
    kind: Kind = Kind.QUANTITY
    polarity: Polarity = Polarity.HIGHER
    neutralised: bool = False
    kind_inferred: bool = False
    polarity_inferred: bool = False
    # Values of a past year's report (import/demo only; never part of a template's plan):
    actual: float | None = None
    note: str = ""
    source_row: int | None = None  # line number in the imported report, for messages
    # Last year's (or the previous period's) values, where the plan carries them: a reference
    # for the sectors, for plausibility and for the continuity report (`barometro rollover`).
    previous_actual: float | None = None
    previous_target: float | None = None
    previous_achievement: float | None = None


@dataclass
class Plan:
    """The office's plan for one year: lines and their indicators, in report order."""

    ente: str
    year: int
    lines: list[Line]
    indicators: list[Indicator] = field(default_factory=list)
    period: str = "consuntivo"  # or "monitoraggio-AAAA-MM-GG" (see `barometro.period`)
    reference: str = ""  # what the previous_actual column holds, e.g. "Consuntivo 2021"

    def line(self, line_id: str) -> Line:
        for line in self.lines:
            if line.id == line_id:
                return line
        raise KeyError(line_id)

    def indicators_of_line(self, line_id: str) -> list[Indicator]:
        return [i for i in self.indicators if i.line_id == line_id]

    def sectors(self) -> list[str]:
        seen: dict[str, None] = {}
        for ind in self.indicators:
            seen.setdefault(ind.sector, None)
        return list(seen)

    def for_sector(self, sector: str) -> Plan:
        inds = [i for i in self.indicators if i.sector == sector]
        line_ids = {i.line_id for i in inds}
        return Plan(self.ente, self.year, [ln for ln in self.lines if ln.id in line_ids], inds,
                    self.period, self.reference)
