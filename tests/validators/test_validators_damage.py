"""Returns built by the builder, filled, recalculated by LibreOffice, then damaged
by XML edits (cached values kept): each defect gives its exact code and cell."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from xlsx_damage import Workbook

from barometro.validators import Severity, Status, validate_file

SECTOR_A = "Settore Lavori Pubblici"
SECTOR_B = "Settore Ambiente"
Built = object  # the `built` fixture of conftest.py

pytestmark = pytest.mark.libreoffice


def codes_at(report) -> set[tuple[str, str, str]]:
    return {(f.code, f.sheet, f.cell) for f in report.findings}


def damaged(src: Path, tmp_path: Path, edit) -> Path:
    wb = Workbook.load(src)
    edit(wb)
    out = tmp_path / "danneggiato.xlsx"
    wb.save(out)
    return out


def check(built: Built, a_return: Path, tmp_path: Path, edit):
    path = damaged(a_return, tmp_path, edit)
    return validate_file(path, master=built.master)


# ---------------------------------------------------------------- clean files


@pytest.mark.parametrize("sector", [SECTOR_A, SECTOR_B])
def test_correct_return_after_libreoffice_has_no_error_or_warning(built: Built, sector: str) -> None:
    for master in (built.master, None):
        report = validate_file(built.returns[sector], master=master)
        bad = [f for f in report.findings if f.severity is not Severity.INFO]
        assert bad == [], bad
        assert report.status is Status.OK
        assert set(report.rows) == {i for i in report.rows}  # filled for every indicator
    report = validate_file(built.returns[SECTOR_A], master=built.master)
    assert report.rows["AMB-02-02"].actual == 4580
    assert report.rows["AMB-02-01"].note == "Ritardi del fornitore"
    assert len(report.rows) == 6


def test_filled_but_never_recalculated_is_one_warning(built: Built) -> None:
    report = validate_file(built.filled[SECTOR_A], master=built.master)
    assert [f.code for f in report.findings] == ["V402"]
    assert report.status is Status.WARNINGS


def test_blank_template_reports_missing_actuals(built: Built) -> None:
    report = validate_file(built.sectors[SECTOR_A], master=built.master)
    assert {("C201", "Ambiente", "I6"), ("C201", "Smart City", "I7")} <= codes_at(report)


# ---------------------------------------------------------------- formulas


def test_formula_overwritten_with_number(built: Built, a_return: Path, tmp_path: Path) -> None:
    r = check(built, a_return, tmp_path, lambda wb: wb.set_value("Ambiente", "M7", 100))
    assert ("F301", "Ambiente", "M7") in codes_at(r)
    assert r.status is Status.ERRORS


def test_formula_edited(built: Built, a_return: Path, tmp_path: Path) -> None:
    r = check(built, a_return, tmp_path, lambda wb: wb.set_formula("Ambiente", "J8", "I8-H8+0"))
    assert [(f.code, f.cell) for f in r.findings] == [("F302", "J8")]


def test_formula_respelled_is_not_a_change(built: Built, a_return: Path, tmp_path: Path) -> None:
    r = check(built, a_return, tmp_path,
              lambda wb: wb.set_formula("Ambiente", "J8", 'if( and( isnumber($I$8), ISNUMBER(H8) ), I8 - H8, "")'))
    assert r.findings == [] or all(f.severity is Severity.INFO for f in r.findings)


def test_stale_cached_value(built: Built, a_return: Path, tmp_path: Path) -> None:
    r = check(built, a_return, tmp_path, lambda wb: wb.set_cached("Ambiente", "M7", 95))
    assert ("V403", "Ambiente", "M7") in codes_at(r)
    f = next(f for f in r.findings if f.code == "V403")
    assert (f.expected, f.found) == (80, 95)


def test_stale_deviation_and_line(built: Built, a_return: Path, tmp_path: Path) -> None:
    def edit(wb: Workbook) -> None:
        wb.set_cached("Ambiente", "J8", 5)
        wb.set_cached("Riepilogo", "C6", 12)

    r = check(built, a_return, tmp_path, edit)
    assert {("V401", "Ambiente", "J8"), ("V405", "Riepilogo", "C6")} <= codes_at(r)


# ---------------------------------------------------------------- rows


def test_row_inserted(built: Built, a_return: Path, tmp_path: Path) -> None:
    r = check(built, a_return, tmp_path, lambda wb: wb.insert_row("Ambiente", 8, {"E": "Nuovo indicatore", "I": 3}))
    assert ("S106", "Ambiente", "O8") in codes_at(r)
    assert not [f for f in r.findings if f.code in ("S107", "S108")]


def test_row_deleted(built: Built, a_return: Path, tmp_path: Path) -> None:
    r = check(built, a_return, tmp_path, lambda wb: wb.delete_row("Ambiente", 7))
    assert ("S107", "Ambiente", "O7") in codes_at(r)
    assert "AMB-02-01" not in r.rows and "AMB-02-02" in r.rows
    assert r.rows["AMB-02-02"].row == 7


def test_row_moved(built: Built, a_return: Path, tmp_path: Path) -> None:
    r = check(built, a_return, tmp_path, lambda wb: wb.swap_rows("Ambiente", 7, 9))
    moved = {f.cell for f in r.findings if f.code == "S108"}
    assert moved == {"O7", "O9"}
    assert r.rows["AMB-02-01"].row == 9  # consolidation still finds the value by id
    assert r.rows["AMB-02-01"].actual == 80


def test_row_duplicated(built: Built, a_return: Path, tmp_path: Path) -> None:
    r = check(built, a_return, tmp_path, lambda wb: wb.duplicate_row("Ambiente", 8))
    assert ("S109", "Ambiente", "O9") in codes_at(r)
    assert ("C203", "Ambiente", "L7") in codes_at(r)  # AMB-02 weights now 130


# ---------------------------------------------------------------- sheets


def test_sheet_renamed(built: Built, a_return: Path, tmp_path: Path) -> None:
    r = check(built, a_return, tmp_path, lambda wb: wb.rename_sheet("Smart City", "Smart City 2021"))
    assert ("S102", "Smart City 2021", "A1") in codes_at(r)
    assert not [f for f in r.findings if f.code in ("S101", "S104")]


def test_renamed_sheet_still_has_its_damaged_cells_reported(built: Built, a_return: Path, tmp_path: Path) -> None:
    def edit(wb: Workbook) -> None:
        wb.rename_sheet("Ambiente", "Ambiente 2021")
        wb.set_value("Ambiente 2021", "M7", 100)  # a formula overwritten on the renamed sheet
        wb.set_value("Ambiente 2021", "I8", "4.580")  # a number typed as text

    r = check(built, a_return, tmp_path, edit)
    found = codes_at(r)
    assert ("S102", "Ambiente 2021", "A1") in found
    assert ("F301", "Ambiente 2021", "M7") in found and ("C206", "Ambiente 2021", "I8") in found
    assert not [f for f in r.findings if f.sheet == "Ambiente"]  # nothing reported on the old name


def test_sheet_hidden(built: Built, a_return: Path, tmp_path: Path) -> None:
    r = check(built, a_return, tmp_path, lambda wb: wb.set_sheet_state("Ambiente", "hidden"))
    assert [(f.code, f.sheet) for f in r.findings] == [("S103", "Ambiente")]


def test_sheet_added_and_metadata_shown(built: Built, a_return: Path, tmp_path: Path) -> None:
    def edit(wb: Workbook) -> None:
        wb.add_sheet("Foglio1", copy_of="Istruzioni")
        wb.set_sheet_state("_barometro", "visible")

    r = check(built, a_return, tmp_path, edit)
    assert {("S104", "Foglio1", "A1"), ("S114", "_barometro", "A1")} <= codes_at(r)


def test_header_changed_and_protection_removed(built: Built, a_return: Path, tmp_path: Path) -> None:
    def edit(wb: Workbook) -> None:
        wb.set_value("Ambiente", "L5", "Peso %")
        wb.unprotect("Ambiente")

    r = check(built, a_return, tmp_path, edit)
    assert {("S105", "Ambiente", "L5"), ("S112", "Ambiente", "A1")} <= codes_at(r)


def test_macros_added(built: Built, a_return: Path, tmp_path: Path) -> None:
    r = check(built, a_return, tmp_path, lambda wb: wb.add_vba())
    assert [f.code for f in r.findings] == ["S113"]


def test_office_and_technical_cells_changed(built: Built, a_return: Path, tmp_path: Path) -> None:
    def edit(wb: Workbook) -> None:
        wb.set_value("Ambiente", "H7", 80)  # target lowered by the sector
        wb.set_value("Ambiente", "R9", "crescente")  # polarity flipped
        wb.set_value("Ambiente", "E6", "Altro indicatore")

    r = check(built, a_return, tmp_path, edit)
    assert {("S111", "Ambiente", "H7"), ("S110", "Ambiente", "R9"), ("S111", "Ambiente", "E6")} <= codes_at(r)


# ---------------------------------------------------------------- content


@pytest.mark.parametrize("typed,value,shown", [("4.580", 4580, "4.580"), ("1,5", 1.5, "1,5"), ("85%", 85, "85"),
                                               ("4\u00a0580", 4580, "4.580")])
def test_number_typed_as_text(built: Built, a_return: Path, tmp_path: Path, typed: str, value: float,
                              shown: str) -> None:
    r = check(built, a_return, tmp_path, lambda wb: wb.set_value("Ambiente", "I8", typed))
    f = next(f for f in r.findings if f.code == "C206")
    assert (f.sheet, f.cell, f.found, f.params["value"]) == ("Ambiente", "I8", typed, value)
    assert f"letto come {shown})" in f.render_message("it")


def test_hashes_missing_actual_binary_and_notes(built: Built, a_return: Path, tmp_path: Path) -> None:
    def edit(wb: Workbook) -> None:
        wb.set_value("Ambiente", "I8", "#####")
        wb.set_value("Ambiente", "I6", 2)  # binary indicator
        wb.set_value("Smart City", "I7", None)  # actual deleted
        wb.set_value("Smart City", "K6", None)  # neutralised, note deleted
        wb.set_value("Ambiente", "K7", None)  # 80 % without a note

    r = check(built, a_return, tmp_path, edit)
    got = codes_at(r)
    for expected in [("C207", "Ambiente", "I8"), ("C209", "Ambiente", "I6"), ("C201", "Smart City", "I7"),
                     ("C204", "Smart City", "K6"), ("C205", "Ambiente", "K7")]:
        assert expected in got, (expected, got)


def test_implausible_percentage(built: Built, tmp_path: Path) -> None:
    src = tmp_path / "b.xlsx"
    shutil.copy(built.returns[SECTOR_B], src)
    r = check(built, src, tmp_path, lambda wb: wb.set_value("Ambiente", "I6", 962))
    assert ("C208", "Ambiente", "I6") in codes_at(r)


def test_weights_changed(built: Built, a_return: Path, tmp_path: Path) -> None:
    r = check(built, a_return, tmp_path, lambda wb: wb.set_value("Ambiente", "L8", None))
    got = codes_at(r)
    assert {("C202", "Ambiente", "L8"), ("C203", "Ambiente", "L7"), ("S111", "Ambiente", "L8")} <= got


# ---------------------------------------------------------------- identity


def test_other_year_and_master_among_returns(built: Built) -> None:
    r = validate_file(built.other_year_return, master=built.master)
    assert [f.code for f in r.findings] == ["R016"]
    r = validate_file(built.master, master=built.master)
    assert [f.code for f in r.findings] == ["R018"]


def test_several_defects_together(built: Built, a_return: Path, tmp_path: Path) -> None:
    def edit(wb: Workbook) -> None:
        wb.set_value("Ambiente", "M7", 100)
        wb.set_value("Ambiente", "I8", "4.580")
        wb.set_sheet_state("Smart City", "hidden")
        wb.set_cached("Ambiente", "J9", 0)

    r = check(built, a_return, tmp_path, edit)
    assert {("F301", "Ambiente", "M7"), ("C206", "Ambiente", "I8"), ("S103", "Smart City", "A1"),
            ("V401", "Ambiente", "J9")} <= codes_at(r)
