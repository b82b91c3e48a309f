"""The template specification: layout, formulas, normalised comparison."""

from __future__ import annotations

import pytest

from barometro.model import Indicator, Kind, Line, Plan, Polarity
from barometro.settings import DEFAULT_SETTINGS, load_profile
from barometro.workbook_templates import spec


def _plan() -> Plan:
    lines = [Line("AMB", "LINEA STRATEGICA SULL'AMBIENTE", "Ambiente"),
             Line("SPO", "LINEA STRATEGICA SULLO SPORT", "Sport")]
    inds = []
    for n, (line, obj, sector) in enumerate(
        [("AMB", "AMB-01", "S1"), ("AMB", "AMB-01", "S1"), ("AMB", "AMB-02", "S2"), ("SPO", "SPO-01", "S2")]
    ):
        inds.append(Indicator(f"{obj}-{n:02d}", line, obj, "R", sector, "o", "d", "i", "f", "p",
                              10.0, 50.0, Kind.QUANTITY, Polarity.HIGHER))
    return Plan("Comune", 2021, lines, inds)


def test_columns_are_the_published_fourteen_in_order():
    headers = [c.header for c in spec.PUBLISHED_COLUMNS]
    assert headers == ["Responsabile", "Settore", "Obiettivo", "Definizione", "Indicatore", "Formula",
                       "Finalità", "Target atteso", "Target Consuntivo", "Scostamento", "Note", "Peso",
                       "% Ragg", "Barometro"]
    assert spec.INPUT_KEYS == ("actual", "note")
    letters = [c.letter for c in spec.COLUMNS]
    assert letters == [chr(ord("A") + i) for i in range(len(letters))]


def test_layout_master_and_sector():
    plan = _plan()
    master = spec.build_layout(plan, DEFAULT_SETTINGS)
    assert [b.sheet_name for b in master.blocks] == ["Ambiente", "Sport"]
    assert master.block("AMB").last_row == spec.FIRST_ROW + 2
    f = master.expected_formulas()
    assert f[("Ambiente", "J6")].startswith("=IF(AND(ISNUMBER(I6)")
    assert f[("Riepilogo", master.line_pct_summary_cell("AMB"))].startswith("=IFERROR(AVERAGE(F")
    sector = spec.build_layout(plan, DEFAULT_SETTINGS, "settore", "S1")
    assert [b.sheet_name for b in sector.blocks] == ["Ambiente"]
    assert len(sector.block("AMB").indicators) == 2
    with pytest.raises(ValueError):
        spec.build_layout(plan, DEFAULT_SETTINGS, "settore")


def test_cremona_line_formula_counts_neutralised_as_zero():
    layout = spec.build_layout(_plan(), load_profile("cremona"))
    assert 'COUNTIF' in layout.line_formula("AMB") and "SUM(" in layout.line_formula("AMB")


def test_fingerprint_changes_with_office_fields_only():
    plan = _plan()
    fp = spec.plan_fingerprint(plan)
    from dataclasses import replace

    plan2 = Plan(plan.ente, plan.year, plan.lines, [replace(plan.indicators[0], actual=5.0, note="x")] + plan.indicators[1:])
    assert spec.plan_fingerprint(plan2) == fp
    plan3 = Plan(plan.ente, plan.year, plan.lines, [replace(plan.indicators[0], weight=40.0)] + plan.indicators[1:])
    assert spec.plan_fingerprint(plan3) != fp


@pytest.mark.parametrize(
    ("a", "b"),
    [
        ("=IF(TRUE(),1,0)", "=IF(TRUE,1,0)"),
        ("=sum($A$1:A2)", "=SUM(A1:A2)"),
        ("=SUM('Ambiente'!M6:M9)", "=SUM(Ambiente!M6:M9)"),
        ("= IF( A1 > 0 , 1 , 0 )", "=IF(A1>0,1,0)"),
        ("=_xlfn.IFS(A1>0,1)", "=IFS(A1>0,1)"),
    ],
)
def test_equivalent_spellings_compare_equal(a, b):
    assert spec.formulas_equal(a, b)


@pytest.mark.parametrize(
    ("a", "b"),
    [
        ("=I6-H6", "=H6-I6"),
        ('=IF(S6="SI",1,0)', '=IF(S6="si",1,0)'),
        ("=SUM(A1:A9)", "=SUM(A1:A8)"),
    ],
)
def test_different_formulas_compare_different(a, b):
    assert not spec.formulas_equal(a, b)


def test_safe_sheet_name():
    assert spec.safe_sheet_name("Sviluppo / Lavoro / Impresa") == "Sviluppo   Lavoro   Impresa"
    assert len(spec.safe_sheet_name("x" * 40)) == 31
    assert spec.safe_sheet_name("Riepilogo") != "Riepilogo"
    assert spec.safe_sheet_name("Sport", {"Sport"}) == "Sport (2)"
