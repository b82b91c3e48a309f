"""A second engine: the `formulas` package computes the same values as the scoring core."""

from __future__ import annotations

from pathlib import Path

from template_checks import formulas_values, mismatches

from barometro.workbook_templates import spec
from barometro.workbook_templates.fill import fill_workbook


def _check(layout: spec.Layout, path: Path) -> None:
    names = [b.sheet_name for b in layout.blocks] + [spec.SUMMARY_SHEET]
    values = formulas_values(path, names)
    assert len(values) > 50
    assert mismatches(layout, values) == []


def test_formulas_package_on_a_sector_file(workbooks):
    book = workbooks["edge-default-settore-cultura"]
    _check(book.layout, book.filled)


def test_formulas_package_on_the_edge_case_workbook(workbooks, tmp_path):
    # Quirk of `formulas` 1.3.4: ISNUMBER("4.580") is TRUE there (Excel and LibreOffice: FALSE),
    # so the one text actual of the edge plan is typed as a number for this engine only.
    book = workbooks["edge-cremona-master"]
    path = fill_workbook(book.filled, tmp_path / "edge.xlsx", {"C-01-02": (4580, None)}).path
    _check(book.layout, path)
