"""The plan workbook: layout, round trip, office edits, clear errors."""

from __future__ import annotations

from dataclasses import replace

import pytest
from openpyxl import load_workbook

from barometro.model import Indicator, Kind, Line, Plan, Polarity
from barometro.plan_io import PlanFormatError, plan_columns, read_plan, write_plan


@pytest.fixture(scope="module")
def written(cremona_import, tmp_path_factory):
    path = tmp_path_factory.mktemp("plan") / "piano.xlsx"
    write_plan(cremona_import.plan, path, cremona_import.issues)
    return path


def _col(header: str) -> str:
    from openpyxl.utils import get_column_letter

    headers = [c.header for c in plan_columns(2021)]
    return get_column_letter(headers.index(header) + 1)


def _row_of(path, ind_id: str) -> int:
    ws = load_workbook(path)["Piano"]
    for r in range(2, ws.max_row + 1):
        if ws[f"C{r}"].value == ind_id:
            return r
    raise AssertionError(ind_id)


def test_round_trip_of_the_cremona_plan(written, cremona_import):
    assert read_plan(written) == cremona_import.plan


def test_round_trip_of_edge_values(tmp_path):
    plan = Plan(
        "Comune di Prova", 2024,
        [Line("A", "LINEA A", "Linea A", None), Line("B", "LINEA B", "Linea B bis", 12.5)],
        [
            Indicator("A-01-01", "A", "A-01", "=Rossi", "Settore 1", "Obj", "+def", "-ind", "=A1*2",
                      "@fin", None, None, Kind.BINARY, Polarity.LOWER, True, False, True, None, "", None),
            Indicator("B-01-01", "B", "B-01", "Bianchi", "Settore 2", "Obj 2", "", "Ind", "", "",
                      0.125, 33.3, actual=1234567.89, note="nota\ncon a capo", source_row=7),
        ],
    )
    path = write_plan(plan, tmp_path / "bordo.xlsx")
    back = read_plan(path)
    assert back == plan
    ws = load_workbook(path)["Piano"]
    assert ws["D2"].data_type == "s" and ws["D2"].value == "=Rossi"  # text, never a formula
    assert ws["I2"].value == "=A1*2" and ws["I2"].data_type == "s"


def test_layout_of_the_workbook(written, cremona_import):
    book = load_workbook(written)
    assert book.sheetnames == ["Piano", "Linee", "Info", "Da verificare"]
    ws = book["Piano"]
    headers = [c.value for c in ws[1]]
    assert headers[:3] == ["Linea", "ID obiettivo", "ID indicatore"]
    for h in ("Responsabile", "Settore", "Obiettivo", "Definizione", "Indicatore", "Formula", "Finalità",
              "Target atteso", "Peso", "Tipo", "Polarità", "Neutralizzato", "Tipo dedotto?",
              "Polarità dedotta?", "Consuntivo 2021", "Note 2021"):
        assert h in headers, h
    assert ws.freeze_panes == "D2"
    assert ws.max_row == 1 + 161
    assert ws.column_dimensions["G"].width >= 40
    lists = {dv.formula1 for dv in ws.data_validations.dataValidation}
    assert '"binario,quantitativo"' in lists and '"crescente,decrescente"' in lists
    ranges = {str(dv.sqref) for dv in ws.data_validations.dataValidation}
    assert any(r.startswith(f"{_col('Tipo')}2:") for r in ranges)
    highlighted = {str(rng.sqref) for rng in ws.conditional_formatting}
    assert any(r.startswith(f"{_col('Tipo')}2:") for r in highlighted)
    assert any(r.startswith(f"{_col('Polarità')}2:") for r in highlighted)
    r199 = _row_of(written, next(i.id for i in cremona_import.plan.indicators if i.source_row == 199))
    assert ws[f"{_col('Polarità')}{r199}"].value == "decrescente"
    assert ws[f"{_col('Polarità dedotta?')}{r199}"].value == "da confermare"
    lines = book["Linee"]
    assert [c.value for c in lines[1]] == ["ID linea", "Titolo", "Foglio", "% pubblicata"]
    assert lines["A2"].value == "AMB" and lines["C2"].value == "Ambiente" and lines["D2"].value == 85.29
    info = book["Info"]
    assert (info["A1"].value, info["B1"].value, info["A2"].value, info["B2"].value) == (
        "Ente", "Comune di Cremona", "Anno", 2021)
    issues = book["Da verificare"]
    assert issues.max_row == 1 + len(cremona_import.issues)
    messages = [issues.cell(row=r, column=6).value for r in range(2, issues.max_row + 1)]
    assert any("#####" in m for m in messages)


def test_office_edits_are_accepted(written, tmp_path, cremona_import):
    book = load_workbook(written)
    ws = book["Piano"]
    plan = cremona_import.plan
    first = plan.indicators[0]
    r = _row_of(written, first.id)
    ws[f"{_col('Tipo')}{r}"] = "Quantitativo"  # changed kind, capitalised
    ws[f"{_col('Tipo dedotto?')}{r}"] = None  # confirmed
    ws[f"{_col('Target atteso')}{r}"] = "1.500"  # typed as text, Italian thousands
    ws[f"{_col('Peso')}{r}"] = "50,5"
    ws[f"{_col('Polarità')}{r}"] = "decrescente"
    ws[f"{_col('Neutralizzato')}{r}"] = "sì"
    book["Info"]["B2"] = "2022"
    edited = tmp_path / "modificato.xlsx"
    book.save(edited)
    back = read_plan(edited)
    assert back.year == 2022
    got = back.indicators[0]
    assert got == replace(first, kind=Kind.QUANTITY, kind_inferred=False, target=1500.0, weight=50.5,
                          polarity=Polarity.LOWER, neutralised=True)
    assert back.indicators[1:] == plan.indicators[1:]


@pytest.mark.parametrize(
    "header,value,needle",
    [
        ("Tipo", "forse", "tipo «forse»"),
        ("Polarità", "su", "polarità «su»"),
        ("Peso", 150, "tra 0 e 100"),
        ("Target atteso", "tanti", "non «tanti»"),
        ("Neutralizzato", "boh", "Neutralizzato"),
        ("Linea", "XYZ", "la linea «XYZ»"),
        ("ID indicatore", "AMB-01-01", "ripetuto"),
    ],
)
def test_nonsense_is_rejected_naming_the_cell(written, tmp_path, cremona_import, header, value, needle):
    book = load_workbook(written)
    ws = book["Piano"]
    r = _row_of(written, cremona_import.plan.indicators[4].id)
    ws[f"{_col(header)}{r}"] = value
    bad = tmp_path / "sbagliato.xlsx"
    book.save(bad)
    with pytest.raises(PlanFormatError) as info:
        read_plan(bad)
    message = str(info.value)
    assert f"Piano!{_col(header)}{r}" in message, message
    assert needle in message, message
    assert len(info.value.errors) == 1


def test_several_errors_are_all_listed(written, tmp_path):
    book = load_workbook(written)
    ws = book["Piano"]
    ws[f"{_col('Tipo')}3"] = "boh"
    ws[f"{_col('Peso')}4"] = -5
    book["Info"]["B2"] = "duemila"
    bad = tmp_path / "tanti_errori.xlsx"
    book.save(bad)
    with pytest.raises(PlanFormatError) as info:
        read_plan(bad)
    cells = " ".join(info.value.errors)
    assert f"Piano!{_col('Tipo')}3" in cells and f"Piano!{_col('Peso')}4" in cells and "Info!B2" in cells


def test_invalid_sheet_name_is_rejected(tmp_path):
    plan = Plan("Comune di Prova", 2024, [Line("A", "LINEA A", "Linea A: bis", None)],
                [Indicator("A-01-01", "A", "A-01", "R", "S", "O", "", "I", "", "", 1.0, 100.0)])
    path = write_plan(plan, tmp_path / "nome.xlsx")
    with pytest.raises(PlanFormatError, match="Linee!C2"):
        read_plan(path)


def test_missing_sheet_or_unreadable_file(written, tmp_path):
    book = load_workbook(written)
    del book["Linee"]
    no_lines = tmp_path / "senza_linee.xlsx"
    book.save(no_lines)
    with pytest.raises(PlanFormatError, match="Linee"):
        read_plan(no_lines)
    broken = tmp_path / "rotto.xlsx"
    broken.write_bytes(written.read_bytes()[:2000])
    with pytest.raises(PlanFormatError, match="rotto.xlsx"):
        read_plan(broken)
    with pytest.raises(PlanFormatError, match="non trovato"):
        read_plan(tmp_path / "manca.xlsx")


@pytest.mark.libreoffice
def test_plan_saved_by_libreoffice_reads_the_same(written, tmp_path, cremona_import, soffice):
    from barometro.recalc import recalculate

    (resaved,) = recalculate([written], tmp_path / "lo")
    assert resaved.read_bytes() != written.read_bytes()
    assert read_plan(resaved) == cremona_import.plan
