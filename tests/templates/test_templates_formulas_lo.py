"""Every formula cell, computed by LibreOffice, equals the scoring core (both settings profiles)."""

from __future__ import annotations

import pytest
from template_checks import cached_values, mismatches

from barometro.workbook_templates import spec

ERRORS = ("#VALUE!", "#DIV/0!", "#REF!", "#NAME?", "#N/A", "#NUM!", "Err:")


@pytest.mark.libreoffice
@pytest.mark.parametrize("profile", ["default", "cremona"])
def test_edge_master_formulas_match_scoring(workbooks, profile):
    book = workbooks[f"edge-{profile}-master"]
    values = cached_values(book.recalculated)
    assert mismatches(book.layout, values) == []


@pytest.mark.libreoffice
def test_edge_sector_files_match_scoring(workbooks):
    sectors = [k for k in workbooks if k.startswith("edge-") and not k.endswith("-master")]
    assert len(sectors) == 6  # 3 sectors x 2 profiles
    for name in sectors:
        book = workbooks[name]
        assert mismatches(book.layout, cached_values(book.recalculated)) == [], name


@pytest.mark.libreoffice
@pytest.mark.parametrize("profile", ["default", "cremona"])
def test_cremona_master_formulas_match_scoring(workbooks, cremona_plan, profile):
    book = workbooks[f"cremona-{profile}-master"]
    values = cached_values(book.recalculated)
    assert len(book.layout.expected_formulas()) > 800
    assert mismatches(book.layout, values) == []


@pytest.mark.libreoffice
def test_cremona_sector_files_match_scoring(workbooks, cremona_plan):
    names = [k for k in workbooks if k.startswith("cremona-cremona-") and not k.endswith("-master")]
    assert len(names) == len(cremona_plan.sectors())
    for name in names:
        book = workbooks[name]
        assert mismatches(book.layout, cached_values(book.recalculated)) == [], name


@pytest.mark.libreoffice
def test_edge_values_are_the_ones_the_domain_expects(workbooks):
    values = cached_values(workbooks["edge-default-master"].recalculated)
    m = lambda sheet, row: values.get((sheet, f"M{row}"))  # noqa: E731
    assert m("Ambiente", 6) == 100 and m("Ambiente", 7) == 0  # binary met / missed
    assert m("Ambiente", 8) == pytest.approx(53 / 85 * 100)  # higher ratio
    assert m("Ambiente", 9) == 100 and m("Ambiente", 10) == pytest.approx(80)  # lower met / missed
    assert m("Ambiente", 11) == 100 and m("Ambiente", 12) == 0  # zero target met / missed
    assert m("Cultura e turismo", 6) == 100 and m("Cultura e turismo", 7) == 0  # zero target, lower
    assert m("Cultura e turismo", 8) == 100  # negative target reached (-2 >= -5)
    assert m("Cultura e turismo", 10) in (None, "")  # neutralised
    assert m("Cultura e turismo", 11) in (None, "")  # missing actual
    assert m("Smart City", 7) in (None, "")  # actual typed as text
    cremona = cached_values(workbooks["edge-cremona-master"].recalculated)
    # Cremona counts the neutralised row as 0 %: (100 + 100 + 0) / 3 on Cultura's B-03 rows
    assert cremona[("Riepilogo", "C7")] == pytest.approx((100 + 0 + 100 + 100 + 0) / 5)


@pytest.mark.libreoffice
def test_libreoffice_opens_every_file_without_errors(workbooks):
    for name, book in workbooks.items():
        values = cached_values(book.recalculated)
        errors = {k: v for k, v in values.items() if isinstance(v, str) and v.startswith(ERRORS)}
        assert errors == {}, name
        formula_cells = book.layout.expected_formulas()
        line_pcts = [k for k in formula_cells if k[1] == spec.LINE_PCT_CELL]
        assert any(isinstance(values.get(k), int | float) for k in line_pcts), name


@pytest.mark.libreoffice
def test_stale_cached_values_are_recomputed(workbooks):
    from openpyxl import load_workbook

    stale = workbooks["stale-edge-default-master"]
    before = load_workbook(stale.filled, data_only=True)["Ambiente"]["M8"].value
    assert before == 777  # the input file really carries a stale cached value
    values = cached_values(stale.recalculated)
    assert mismatches(stale.layout, values) == []
