"""The office workbook: VBA from text sources (byte for byte), sheets, and buttons in LibreOffice."""

from __future__ import annotations

import hashlib
import json
import subprocess
from pathlib import Path

import pytest
from openpyxl import load_workbook

from barometro.addin.office_workbook import (
    PROBLEMS_SHEET,
    SETTINGS_SHEET,
    XLWINGS_CONF_SHEET,
    build_office_workbook,
)
from barometro.addin.vba_project import (
    BUTTONS,
    VbaModule,
    build_vba_project,
    expected_stream_source,
    own_modules,
    project_modules,
    read_modules,
)
from barometro.cli.main import main as cli_main

HERE = Path(__file__).resolve().parent
STUB = (
    'Attribute VB_Name = "xlwings"\r\nOption Explicit\r\n\r\n'
    "Public Function RunPython(PythonCommand As String)\r\n"
    '    ThisWorkbook.Worksheets("Impostazioni").Range("Z1").Value = PythonCommand\r\n'
    "End Function\r\n"
)


def test_vba_sources_are_cp1252_with_one_parameterless_sub_per_button():
    (own,) = own_modules()
    assert own.name == "Barometro"
    text = own.source.decode("cp1252")
    for button in BUTTONS:
        assert f"Public Sub {button.macro}()\r\n    RunPython \"{button.python}\"\r\nEnd Sub" in text
    assert "ThisWorkbook.Name" not in text  # never derive the module from the file name


def test_vba_modules_round_trip_byte_for_byte_through_olevba(office_xlsm):
    got = read_modules(office_xlsm)
    for module in project_modules():
        assert got[module.name] == expected_stream_source(module), module.name
    assert {"Barometro", "xlwings", "Dictionary", "ThisWorkbook", "Sheet1"} <= set(got)
    # our module and xlwings.bas are stored verbatim
    assert got["Barometro"] == own_modules()[0].source


def test_office_sheets_and_input_untouched(master_xlsx, tmp_path):
    before = hashlib.sha256(master_xlsx.read_bytes()).hexdigest()
    out = build_office_workbook(master_xlsx, tmp_path / "ufficio.xlsm", returns_folder="C:\\ritorni")
    assert hashlib.sha256(master_xlsx.read_bytes()).hexdigest() == before
    wb = load_workbook(out.path, keep_vba=True)
    assert wb.sheetnames[0] == SETTINGS_SHEET and wb.sheetnames[-1] == "_barometro"
    assert wb["_barometro"].sheet_state == "veryHidden"
    assert {PROBLEMS_SHEET, XLWINGS_CONF_SHEET, "Riepilogo", "Ambiente", "Smart City"} <= set(wb.sheetnames)
    conf = {r[0]: r[1] for r in wb[XLWINGS_CONF_SHEET].iter_rows(values_only=True)}
    assert conf["UDF Modules"] == "barometro.addin.udfs"
    assert conf["Interpreter_Win"] == "python" and conf["Use UDF Server"] is False
    assert wb[SETTINGS_SHEET]["B4"].value == "C:\\ritorni"
    assert "cremona" in wb[SETTINGS_SHEET]["B5"].value
    assert wb.vba_archive is not None and "xl/vbaProject.bin" in wb.vba_archive.namelist()
    # every formula of the master is still there
    master = load_workbook(master_xlsx)
    for ws in master.worksheets:
        for row in ws.iter_rows():
            for cell in row:
                assert wb[ws.title][cell.coordinate].value == cell.value, (ws.title, cell.coordinate)


@pytest.fixture(scope="session")
def libreoffice_run(tmp_path_factory, master_xlsx, office_xlsm, soffice):
    """One LibreOffice session: the stubbed book, the real one, and the real one re-saved by openpyxl."""
    from barometro.addin.ops_openpyxl import OpenpyxlOps

    folder = tmp_path_factory.mktemp("lo")
    stub_project = build_vba_project([*own_modules(), VbaModule("xlwings", STUB.encode("cp1252"))])
    stub = build_office_workbook(master_xlsx, folder / "stub.xlsm", vba_project=stub_project).path
    resaved = folder / "resaved.xlsm"
    OpenpyxlOps(stub).save(resaved)
    out = folder / "lo.json"
    subprocess.run(
        ["/usr/bin/python3", str(HERE / "lo_press_buttons.py"), str(folder / "profile"), str(out),
         str(stub), str(office_xlsm), str(resaved)],
        check=True, timeout=240,
    )
    return {Path(r["path"]).name: r for r in json.loads(out.read_text())}


@pytest.mark.libreoffice
def test_libreoffice_loads_the_vba_project(libreoffice_run, office_xlsm):
    real = libreoffice_run[office_xlsm.name]
    assert {"Barometro", "xlwings", "Dictionary"} <= set(real["libraries"]["VBAProject"])
    assert real["sheets"][0] == SETTINGS_SHEET


@pytest.mark.libreoffice
@pytest.mark.parametrize("book", ["stub.xlsm", "resaved.xlsm"])
def test_each_button_fires_its_sub_in_libreoffice(libreoffice_run, book):
    run = libreoffice_run[book]
    buttons = {b["label"]: b for b in run["buttons"]}
    assert set(buttons) == {"Ricalcola", "Valida", "Consolida"}
    for button in BUTTONS:
        entry = buttons[button.macro]
        assert entry["sheet"] == SETTINGS_SHEET
        assert entry["scripts"] == [
            f"vnd.sun.star.script:VBAProject.Barometro.{button.macro}?language=Basic&location=document"
        ]
        # pressed (accessibility click) and invoked: the stub recorded the expected Python call
        assert entry["pressed"] == button.python
        assert entry["invoked"] == button.python


def test_office_command(master_xlsx, tmp_path, capsys):
    out = tmp_path / "ufficio.xlsm"
    assert cli_main(["office", str(master_xlsx), "-o", str(out)]) == 0
    assert out.exists() and "Ricalcola" in capsys.readouterr().out
    assert cli_main(["office", str(tmp_path / "manca.xlsx"), "-o", str(out)]) == 1
    assert "File non trovato" in capsys.readouterr().err
    assert cli_main(["office", str(master_xlsx), "-o", str(tmp_path / "x.xlsx")]) == 1
    broken = tmp_path / "rotto.xlsx"
    broken.write_bytes(b"PK\x03\x04 not a workbook")
    assert cli_main(["office", str(broken), "-o", str(out)]) == 1
    err = capsys.readouterr().err
    assert "Traceback" not in err and err.strip()


def test_office_command_help_has_example():
    from click.testing import CliRunner

    from barometro.cli.office_cmd import command

    result = CliRunner().invoke(command, ["--help"])
    assert result.exit_code == 0 and "Example:" in result.output
