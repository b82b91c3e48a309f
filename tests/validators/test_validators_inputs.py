"""Fast checks of the robustness helpers, without LibreOffice: safe names, budgets given on
the command line, formats named, folder entries accounted for, exit codes of a run that
cannot proceed."""

from __future__ import annotations

import json
import os
import zipfile
from pathlib import Path

import pytest
import xlsxwriter
from click.testing import CliRunner

from barometro.cli.main import cli
from barometro.names import display_name, display_text
from barometro.validators import collect_inputs, validate_file
from barometro.validators.reader import DEFAULT_LIMITS, Limits


def test_display_name_escapes_what_outputs_cannot_hold() -> None:
    assert display_name(os.fsdecode(b"ambiente-\xe8.xlsx")) == "ambiente-\\xe8.xlsx"
    assert display_name("a\x1b[2Jb\n.xlsx") == "a\\x1b[2Jb\\x0a.xlsx"
    assert display_name("gnp\u202eexe.xlsx") == "gnp\\u202eexe.xlsx"
    assert display_name("perché 😀.xlsx") == "perché 😀.xlsx"  # text stays text
    assert display_name(b"raw-\xff") == "raw-\\xff"
    display_name(os.fsdecode(b"\xe8\xff")).encode("utf-8")
    assert display_text("riga 1\nriga 2\t\x1b\u009b") == "riga 1\nriga 2\t\\x1b\\x9b"


def test_limits_from_the_command_line() -> None:
    lim = Limits.parse(["cells=1000", "entry_mb=2", "seconds=1.5", "max_sheets=7"])
    assert (lim.max_cells, lim.max_member_uncompressed, lim.seconds, lim.max_sheets) == (1000, 2 * 1024 * 1024, 1.5, 7)
    assert lim.max_strings == DEFAULT_LIMITS.max_strings
    for bad in (["cells"], ["nope=1"], ["cells=-1"], ["cells=abc"], ["seconds=inf"]):
        with pytest.raises(ValueError):
            Limits.parse(bad)
    res = CliRunner().invoke(cli, ["validate", "x.xlsx", "--limit", "cells=zero"])
    assert res.exit_code == 2 and "cells=zero" in res.output


def _plain(path: Path, sheets: int = 1) -> Path:
    wb = xlsxwriter.Workbook(str(path))
    for i in range(sheets):
        wb.add_worksheet(f"F{i}").write_number(0, 0, i)
    wb.close()
    return path


def test_budgets_hold_by_one(tmp_path: Path) -> None:
    path = _plain(tmp_path / "a.xlsx", sheets=3)
    assert [f.code for f in validate_file(path, limits=Limits(max_sheets=2)).findings] == ["R024"]
    assert [f.code for f in validate_file(path, limits=Limits(max_sheets=3)).findings] == ["R012"]
    assert [f.code for f in validate_file(path, limits=Limits(max_entries=3)).findings] == ["R024"]
    r = validate_file(path, limits=Limits(max_total_uncompressed=2000))
    assert [f.code for f in r.findings] == ["R024"] and "byte" in r.findings[0].render_message()


def test_formats_are_named(tmp_path: Path) -> None:
    cases = {
        "a.pdf": b"%PDF-1.7\n...", "b.html": b"<!DOCTYPE html><html><table></table></html>",
        "c.xml": b'<?xml version="1.0"?><?mso-application progid="Excel.Sheet"?><Workbook '
                 b'xmlns="urn:schemas-microsoft-com:office:spreadsheet"/>',
        "d.slk": b"ID;PWXL;N;E\r\nC;Y1;X1;K1\r\nE\r\n", "e.dif": b"TABLE\r\n0,1\r\n\"\"\r\n",
        "f.gnumeric": b"\x1f\x8b\x08\x00" + b"\x00" * 20, "g.qpw": b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 600,
    }
    for name, data in cases.items():
        (tmp_path / name).write_bytes(data)
        r = validate_file(tmp_path / name)
        assert [f.code for f in r.findings] == ["R026"], (name, [f.code for f in r.findings])
    with zipfile.ZipFile(tmp_path / "h.xlsx", "w") as z:  # an .xlsb renamed .xlsx
        z.writestr("_rels/.rels", '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/'
                   'relationships"><Relationship Id="r" Type="http://schemas.openxmlformats.org/officeDocument/'
                   '2006/relationships/officeDocument" Target="xl/workbook.bin"/></Relationships>')
        z.writestr("xl/workbook.bin", b"\x83\x01")
    r = validate_file(tmp_path / "h.xlsx")
    assert [f.code for f in r.findings] == ["R026"] and ".xlsb" in r.findings[0].render_message()


def test_folder_entries_are_all_accounted_for(tmp_path: Path) -> None:
    _plain(tmp_path / "a.xlsx")
    _plain(tmp_path / "senza-estensione")  # a zip without an extension: validated
    with zipfile.ZipFile(tmp_path / "note.docx", "w") as z:
        z.writestr("word/document.xml", "<w:document/>")
    (tmp_path / "foto.png").write_bytes(b"\x89PNG\r\n")
    (tmp_path / ".nascosto.xlsx").write_bytes(b"")
    (tmp_path / "~$a.xlsx").write_bytes(b"")
    (tmp_path / "sotto").mkdir()
    _plain(tmp_path / "sotto" / "b.xlsx")
    os.mkfifo(tmp_path / "coda")
    files, skipped = collect_inputs([tmp_path])
    assert sorted(p.name for p in files) == ["a.xlsx", "note.docx", "senza-estensione"]
    assert {Path(s.path).name: s.reason for s in skipped} == {
        ".nascosto.xlsx": "hidden", "~$a.xlsx": "lock", "sotto": "folder", "foto.png": "not_spreadsheet",
        "coda": "special"}
    files, skipped = collect_inputs([tmp_path], recursive=True)
    assert "b.xlsx" in {p.name for p in files} and "sotto" not in {Path(s.path).name for s in skipped}
    res = CliRunner().invoke(cli, ["validate", str(tmp_path), "--format", "json"])
    doc = json.loads(res.stdout)
    assert res.exit_code == 1 and doc["stats"]["skipped"] == 5 and len(doc["files"]) == 3
    assert {f["path"].rsplit("/", 1)[-1]: [x["code"] for x in f["findings"]] for f in doc["files"]} == {
        "a.xlsx": ["R012"], "note.docx": ["R026"], "senza-estensione": ["R012"]}


def test_an_output_that_cannot_be_written_exits_2(tmp_path: Path) -> None:
    path = _plain(tmp_path / "a.xlsx")
    (tmp_path / "file").write_text("x")
    res = CliRunner().invoke(cli, ["validate", str(path), "--report", str(tmp_path / "file" / "esito.xlsx")])
    assert res.exit_code == 2 and "esito.xlsx" in res.output and "Traceback" not in res.output
