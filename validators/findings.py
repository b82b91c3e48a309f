"""Findings and the permanent catalogue of finding codes.

A code is never reused or renumbered. Groups: R0xx reading/identity,
S1xx structure, C2xx content, F3xx formulas, V4xx computed values, L5xx legacy
layout. Messages and hints are templates in `locale/validators.toml`
(`validators.<code>.title|message|hint`), rendered when a finding is output
(`Finding.render_message(lang)`), never in the process that made it.
"""

from __future__ import annotations

from dataclasses import dataclass

from barometro.issues import Issue, Severity, json_safe
from barometro.messages import Percent, Phrase, Typed, format_value, has, text
from barometro.names import display_name

__all__ = ["CODES", "CodeSpec", "Finding", "Severity", "make"]


@dataclass(frozen=True)
class CodeSpec:
    code: str
    slug: str
    severity: Severity
    example: dict[str, object]  # placeholder values used by the catalogue's example message


E, W, INFO = Severity.ERROR, Severity.WARNING, Severity.INFO

_SPECS: tuple[CodeSpec, ...] = (
    # ---- reading / identity
    CodeSpec("R001", "file-unreadable", E, {"reason": "permission"}),
    CodeSpec("R002", "not-a-workbook", E, {}),
    CodeSpec("R003", "corrupt-or-truncated", E, {}),
    CodeSpec("R004", "password-protected", E, {}),
    CodeSpec("R005", "legacy-xls-format", E, {}),
    CodeSpec("R006", "ods-format", E, {}),
    CodeSpec("R007", "text-not-workbook", E, {}),
    CodeSpec("R008", "file-too-large", E, {"size_mb": "612", "limit_mb": "50"}),
    CodeSpec("R009", "zip-bomb", E, {"member": "xl/worksheets/sheet1.xml", "size_mb": "4096"}),
    CodeSpec("R010", "xml-entities", E, {"part": "xl/worksheets/sheet1.xml"}),
    CodeSpec("R011", "xml-malformed", E, {"part": "xl/worksheets/sheet1.xml", "detail": "mismatched tag"}),
    CodeSpec("R012", "not-a-barometro-file", E, {}),
    CodeSpec("R013", "metadata-damaged", E, {"key": "scope"}),
    CodeSpec("R014", "other-template", E, {"expected": "barometro-relazione", "found": "altro"}),
    CodeSpec("R015", "other-spec-version", E, {"expected": "1", "found": "0"}),
    CodeSpec("R016", "other-year", E, {"expected": "2021", "found": "2020"}),
    CodeSpec("R017", "other-plan", E, {"expected": "3f9a0c1d2e4b5a6c", "found": "77b1e0d4c2a9f813"}),
    CodeSpec("R018", "master-among-returns", W, {}),
    CodeSpec("R019", "unknown-sector", E, {"found": "Settore Inesistente"}),
    CodeSpec("R020", "duplicate-sector-return", W, {"sector": "Settore Cultura", "other": "cultura_v2.xlsx"}),
    CodeSpec("R021", "no-master", INFO, {}),
    CodeSpec("R022", "other-settings", W, {"expected": "cremona", "found": "default"}),
    CodeSpec("R023", "unsupported-compression", E, {"member": "xl/worksheets/sheet1.xml", "method": 12}),
    CodeSpec("R024", "budget-exceeded", E, {"what": "cells", "count": 1_000_001, "limit": 1_000_000}),
    CodeSpec("R025", "time-budget-exceeded", E, {"seconds": 4.0}),
    CodeSpec("R026", "unsupported-format", E, {"format": "Excel Binary (.xlsb)"}),
    CodeSpec("R027", "non-finite-number", E, {"count": 2, "cells": "I7, M7"}),
    CodeSpec("R028", "validation-aborted", E, {"reason": "worker"}),
    CodeSpec("R029", "no-annotated-copy", INFO, {"reason": "not_xlsx"}),
    CodeSpec("R030", "other-period", E, {"expected": "Relazione sulla Performance 2022",
                                         "found": "Monitoraggio al 30/06/2022"}),
    CodeSpec("R099", "internal-check-error", E, {"check": "formulas", "detail": "KeyError"}),
    # ---- structure
    CodeSpec("S101", "sheet-missing", E, {"sheet": "Ambiente", "expected": "Ambiente"}),
    CodeSpec("S102", "sheet-renamed", E, {"expected": "Ambiente", "found": "Ambiente 2021"}),
    CodeSpec("S103", "sheet-hidden", E, {"sheet": "Ambiente", "found": "hidden"}),
    CodeSpec("S104", "sheet-added", W, {"sheet": "Foglio1", "found": "Foglio1"}),
    CodeSpec("S105", "header-changed", E, {"expected": "Peso", "found": "Peso %"}),
    CodeSpec("S106", "row-inserted", E, {"row": 9}),
    CodeSpec("S107", "row-deleted", E, {"id": "AMB-02-01"}),
    CodeSpec("S108", "row-moved", E, {"id": "AMB-02-01", "expected": 8, "found": 11}),
    CodeSpec("S109", "row-duplicated", E, {"id": "AMB-02-01", "rows": "8, 12"}),
    CodeSpec("S110", "technical-cell-changed", E, {"column": "Tipo", "expected": "binario", "found": "quantitativo"}),
    CodeSpec("S111", "office-cell-changed", E, {"column": "Target atteso", "expected": "90", "found": "80"}),
    CodeSpec("S112", "protection-removed", W, {"sheet": "Ambiente"}),
    CodeSpec("S113", "macros-present", W, {}),
    CodeSpec("S114", "metadata-sheet-visible", W, {"sheet": "_barometro", "found": "visible"}),
    CodeSpec("S115", "input-rule-changed", E, {"column": "Target Consuntivo", "expected": "decimal", "found": "textLength"}),
    CodeSpec("S116", "input-format-changed", W, {"found": "@"}),
    CodeSpec("S117", "column-shifted", E, {"sheet": "Ambiente", "column": "D", "reason": "inserted"}),
    # ---- content
    CodeSpec("C201", "actual-missing", E, {"id": "AMB-01-01"}),
    CodeSpec("C202", "weight-missing", E, {"id": "AMB-01-01"}),
    CodeSpec("C203", "weights-not-100", E, {"objective": "AMB-02", "found": "120"}),
    CodeSpec("C204", "neutralised-without-note", E, {"id": "AMB-04-01"}),
    CodeSpec("C205", "target-missed-without-note", W, {"id": "AMB-03-01", "achievement": Percent(99.98)}),
    CodeSpec("C206", "number-as-text", E, {"found": "4.580", "value": 4580.0, "typed": Typed(4580.0)}),
    CodeSpec("C207", "hashes-value", E, {"found": "#####"}),
    CodeSpec("C208", "implausible-value", W, {"found": 962.0, "target": 90.0, "reason": Phrase("plausibility.percent", factor=5.0)}),
    CodeSpec("C209", "binary-not-0-1", E, {"found": "2"}),
    CodeSpec("C210", "error-value", E, {"found": "#VALUE!"}),
    CodeSpec("C211", "not-a-number", E, {"found": "fatto"}),
    CodeSpec("C212", "percent-typed-in-actual", E, {"found": 0.92, "meant": Typed(92.0), "target": 90.0}),
    # ---- formulas
    CodeSpec("F301", "formula-replaced-by-value", E, {"expected": "=IF(...)", "found": "100"}),
    CodeSpec("F302", "formula-changed", E, {"expected": "=IF(...)", "found": "=I6-H6"}),
    CodeSpec("F303", "external-link", E, {"found": "xl/externalLinks/externalLink1.xml"}),
    CodeSpec("F304", "array-or-volatile-formula", W, {"found": "=NOW()"}),
    CodeSpec("F305", "formula-deleted", E, {"expected": "=IF(...)"}),
    # ---- computed values
    CodeSpec("V401", "deviation-disagrees", E, {"expected": "10", "found": "5"}),
    CodeSpec("V402", "never-recalculated", W, {"count": "42"}),
    CodeSpec("V403", "achievement-disagrees", E, {"expected": "62", "found": "100"}),
    CodeSpec("V404", "objective-disagrees", E, {"objective": "AMB-02", "expected": "80", "found": "95"}),
    CodeSpec("V405", "line-disagrees", E, {"expected": "85", "found": "90"}),
    CodeSpec("V406", "ente-disagrees", E, {"expected": "85", "found": "90"}),
    CodeSpec("V407", "computed-error-value", E, {"found": "#DIV/0!"}),
    CodeSpec("V408", "helper-disagrees", E, {"expected": "30", "found": "0"}),
    CodeSpec("V409", "total-error-value", E, {"found": "#DIV/0!"}),
    # ---- legacy layout (a published report, .txt or .xlsx without _barometro)
    CodeSpec("L501", "legacy-deviation-wrong", E, {"expected": "-9", "found": "5"}),
    CodeSpec("L502", "legacy-weights-not-100", E, {"objective": "Gestione contratto", "found": "120"}),
    CodeSpec("L503", "legacy-duplicate-row", E, {"id": "Metri piste ciclabili", "expected": "riga 118"}),
    CodeSpec("L504", "legacy-hashes", E, {"found": "#####"}),
    CodeSpec("L505", "legacy-implausible", W, {"found": "962", "target": "90"}),
    CodeSpec("L506", "legacy-achievement-fits-no-rule", E, {"found": "15", "actual": "2", "target": "15"}),
    CodeSpec("L507", "legacy-line-pct-no-method", W, {"line": "Ambiente", "found": "85,29", "methods": "80,1 / 82,0"}),
    CodeSpec("L508", "legacy-number-as-text", W, {"found": "85%"}),
    CodeSpec("L509", "legacy-import-issue", W, {"detail": Phrase("legacy.issue.no_indicator", row=118)}),
    CodeSpec("L510", "legacy-achievement-wrong", W, {"expected": "62", "found": "63"}),
)

CODES: dict[str, CodeSpec] = {s.code: s for s in _SPECS}


@dataclass(frozen=True, kw_only=True)
class Finding(Issue):
    """One problem of one file, at a place. Keeps its data; renders its text on output.

    `expected` and `found` are the raw values (numbers stay numbers): rendered
    per language by `render()`, `to_dict()` and the `message` property."""

    file: str
    sheet: str = ""
    cell: str = ""  # A1 reference (or "riga N" for legacy text sources)
    expected: object = None
    found: object = None

    @property
    def slug(self) -> str:
        return CODES[self.code].slug

    def values(self, lang: str | None = None) -> dict[str, object]:
        values = {"expected": self.expected, "found": self.found, "sheet": self.sheet, "cell": self.cell,
                  **self.params}
        for key in ("reason", "what"):  # a word of the catalogue, rendered in the language asked
            word = values.get(key)
            if isinstance(word, str) and has(f"validators.{key}.{word}"):
                rest = {k: v for k, v in values.items() if k != key}
                values[key] = text(f"validators.{key}.{word}", lang, **rest)
        return values

    def render_message(self, lang: str | None = None) -> str:
        return text(self.key, lang, **self.values(lang))

    def render_hint(self, lang: str | None = None) -> str:
        key = self.hint_key
        return text(key, lang, **self.values(lang)) if key else ""

    def to_dict(self, lang: str | None = None) -> dict[str, object]:
        """The finding as JSON: rendered texts in `lang`, and its raw data under `params`."""
        return {
            "code": self.code,
            "slug": self.slug,
            "severity": self.severity.value,
            "file": display_name(self.file),
            "sheet": self.sheet,
            "cell": self.cell,
            "expected": format_value(self.expected, lang),
            "found": format_value(self.found, lang),
            "message": self.render_message(lang),
            "hint": self.render_hint(lang),
            "params": {**self.params_json(), "expected": json_safe(self.expected),
                       "found": json_safe(self.found)},
        }

    @property
    def location(self) -> str:
        if self.sheet and self.cell:
            return f"{self.sheet}!{self.cell}"
        return self.sheet or self.cell


def make(
    code: str,
    file: str,
    *,
    sheet: str = "",
    cell: str = "",
    expected: object = None,
    found: object = None,
    severity: Severity | None = None,
    **values: object,
) -> Finding:
    """A finding of `code` with its parameters; the texts are rendered when it is output."""
    spec = CODES[code]
    return Finding(code=code, severity=severity or spec.severity, key=f"validators.{code}.message",
                   params=values, file=file, sheet=sheet, cell=cell, expected=expected, found=found)
