"""read_template round trip and fill_workbook."""

from __future__ import annotations

import pytest
from openpyxl import Workbook, load_workbook
from template_plans import edge_plan, edge_values

from barometro.settings import load_profile
from barometro.workbook_templates import spec
from barometro.workbook_templates.fill import FillError, fill_workbook
from barometro.workbook_templates.master_reader import TemplateError, read_template


def test_round_trip_master_and_sectors(edge_build):
    plan = edge_plan()
    info = read_template(edge_build.master)
    assert spec.plan_fingerprint(info.plan) == spec.plan_fingerprint(plan)
    assert info.settings == load_profile("default")
    assert info.meta["plan_fingerprint"] == spec.plan_fingerprint(plan)
    assert info.layout.expected_formulas() == spec.build_layout(plan, info.settings).expected_formulas()
    for sector, path in edge_build.sectors.items():
        got = read_template(path)
        assert got.layout.scope == "settore" and got.layout.sector == sector
        assert spec.plan_fingerprint(got.plan) == spec.plan_fingerprint(plan.for_sector(sector))


@pytest.mark.libreoffice
def test_round_trip_after_libreoffice_saved_it(workbooks):
    for name in ("edge-cremona-master", "edge-default-settore-smart-city"):
        book = workbooks[name]
        info = read_template(book.recalculated)
        assert spec.plan_fingerprint(info.plan) == spec.plan_fingerprint(book.layout.plan), name
        assert info.layout.expected_formulas() == book.layout.expected_formulas()


def test_cremona_round_trip(builds, cremona_plan):
    for key in ("cremona-default", "cremona-cremona"):
        info = read_template(builds[key].master)
        assert spec.plan_fingerprint(info.plan) == spec.plan_fingerprint(cremona_plan)


def test_not_a_template_is_a_clear_error(tmp_path):
    wb = Workbook()
    wb.active["A1"] = "qualcosa"
    wb.save(tmp_path / "altro.xlsx")
    with pytest.raises(TemplateError, match="non è un master Barometro"):
        read_template(tmp_path / "altro.xlsx")
    (tmp_path / "rotto.xlsx").write_bytes(b"not a zip")
    with pytest.raises(TemplateError):
        read_template(tmp_path / "rotto.xlsx")
    with pytest.raises(FillError, match="non è un modello Barometro"):
        fill_workbook(tmp_path / "altro.xlsx", tmp_path / "x.xlsx", {})
    with pytest.raises(FillError):
        fill_workbook(tmp_path / "rotto.xlsx", tmp_path / "x.xlsx", {})


def test_fill_writes_inputs_and_keeps_the_rest(edge_build, tmp_path):
    src = edge_build.sectors["Settore Cultura"]
    before = src.read_bytes()
    values = dict(edge_values())
    values["B-01-01"] = ("=1+1", "=non una formula")
    result = fill_workbook(src, tmp_path / "cultura.xlsx", values)
    assert src.read_bytes() == before
    assert result.filled == ("B-01-01", "B-01-02", "B-02-01", "B-03-01", "B-03-02", "B-03-03")
    wb = load_workbook(result.path)
    ws = wb["Cultura e turismo"]
    assert ws["I6"].value == "=1+1" and ws["I6"].data_type == "s" and ws["K6"].data_type == "s"
    assert ws["I9"].value == 14889946 and ws["K10"].value == "decreto di rinvio"
    assert ws["I11"].value is None and ws["K11"].value is None
    assert ws["M6"].value.startswith("=IF(") and ws.protection.sheet
    assert ws.data_validations.dataValidation and ws["I6"].protection.locked is False
    assert wb[spec.META_SHEET].sheet_state == "veryHidden"
    info = read_template(result.path)
    assert spec.plan_fingerprint(info.plan) == spec.plan_fingerprint(edge_plan().for_sector("Settore Cultura"))
