"""The reader: formulas with cached values, shared formulas, and every hostile input
becoming one clear finding while the batch goes on."""

from __future__ import annotations

import io
import os
import time
import zipfile
from pathlib import Path

import pytest
import xlsxwriter

from barometro.validators import Status, validate_file, validate_paths
from barometro.validators.book import SheetState, ValueKind
from barometro.validators.reader import Limits, ReadProblem, read_book


def _xlsx(path: Path) -> Path:
    wb = xlsxwriter.Workbook(str(path))
    ws = wb.add_worksheet("Dati")
    ws.write_number("A1", 4)
    ws.write_string("A2", "testo")
    ws.write_formula("B1", "=A1*2", None, 8)
    ws.write_boolean("C1", True)
    wb.add_worksheet("Nascosto").hide()
    wb.close()
    return path


def _code(path: Path) -> str:
    r = validate_file(path)
    assert r.status is Status.UNREADABLE or r.status is Status.ERRORS, r
    return r.findings[0].code


def test_formula_and_cached_value_together(tmp_path: Path) -> None:
    book = read_book(_xlsx(tmp_path / "a.xlsx"))
    s = book.sheet("Dati")
    assert s.at("B1").formula == "=A1*2" and s.at("B1").value == 8.0
    assert s.at("A2").value == "testo" and s.at("C1").kind is ValueKind.BOOL
    assert book.sheet("Nascosto").state is SheetState.HIDDEN


def test_shared_formulas_are_expanded(tmp_path: Path) -> None:
    sheet = (
        '<?xml version="1.0"?><worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">'
        '<sheetData><row r="1"><c r="A1"><v>1</v></c><c r="B1"><f t="shared" ref="B1:B3" si="0">A1*2</f><v>2</v></c></row>'
        '<row r="2"><c r="A2"><v>2</v></c><c r="B2"><f t="shared" si="0"/><v>4</v></c></row>'
        '<row r="3"><c r="B3"><f t="shared" si="0"/><v>0</v></c><c r="C3" t="e"><v>#DIV/0!</v></c></row>'
        "</sheetData></worksheet>"
    )
    path = _with_sheet(tmp_path / "shared.xlsx", sheet)
    s = read_book(path).sheet("Dati")
    assert [s.at(f"B{r}").formula for r in (1, 2, 3)] == ["=A1*2", "=A2*2", "=A3*2"]
    assert s.at("C3").kind is ValueKind.ERROR


def _with_sheet(path: Path, sheet_xml: str, extra: dict[str, bytes] | None = None) -> Path:
    src = _xlsx(path.with_name("base_" + path.name))
    with zipfile.ZipFile(src) as zin, zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as zout:
        for name in zin.namelist():
            data = sheet_xml.encode() if name == "xl/worksheets/sheet1.xml" else zin.read(name)
            zout.writestr(name, data)
        for name, data in (extra or {}).items():
            zout.writestr(name, data)
    return path


def test_xml_bomb_is_refused(tmp_path: Path) -> None:
    bomb = (
        '<?xml version="1.0"?><!DOCTYPE lolz [<!ENTITY lol "lol"><!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;">'
        '<!ENTITY lol3 "&lol2;&lol2;&lol2;&lol2;">]>'
        '<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><sheetData>'
        '<row r="1"><c r="A1" t="inlineStr"><is><t>&lol3;</t></is></c></row></sheetData></worksheet>'
    )
    assert _code(_with_sheet(tmp_path / "bomb.xlsx", bomb)) == "R010"


def test_zip_bomb_is_refused(tmp_path: Path) -> None:
    big = b"<x>" + b" " * (60 * 1024 * 1024) + b"</x>"  # 60 MB of blanks, compresses ~1000:1
    path = _with_sheet(tmp_path / "zipbomb.xlsx", '<?xml version="1.0"?><worksheet/>', {"xl/media/pad.xml": big})
    assert path.stat().st_size < 1024 * 1024
    start = time.perf_counter()
    assert _code(path) == "R009"
    assert time.perf_counter() - start < 2


def test_huge_file_refused_early(tmp_path: Path) -> None:
    path = tmp_path / "enorme.xlsx"
    with open(path, "wb") as fh:  # sparse: 600 MB on paper, no disk used
        fh.write(b"PK\x03\x04")
        fh.truncate(600 * 1024 * 1024)
    start = time.perf_counter()
    r = validate_file(path)
    assert [f.code for f in r.findings] == ["R008"] and "600" in r.findings[0].message
    assert time.perf_counter() - start < 1


def test_truncated_and_not_a_zip(tmp_path: Path) -> None:
    good = _xlsx(tmp_path / "good.xlsx").read_bytes()
    (tmp_path / "troncato.xlsx").write_bytes(good[: len(good) // 2])
    (tmp_path / "finto.xlsx").write_bytes(b"questo non e' un file excel")
    assert _code(tmp_path / "troncato.xlsx") == "R003"
    assert _code(tmp_path / "finto.xlsx") == "R002"


def test_password_protected_xlsx(tmp_path: Path) -> None:
    import msoffcrypto  # a dependency of oletools (test extra)
    src = _xlsx(tmp_path / "chiaro.xlsx")
    out = io.BytesIO()
    with open(src, "rb") as fh:
        office = msoffcrypto.OfficeFile(fh)
        office.encrypt("segreta", out)
    (tmp_path / "cifrato.xlsx").write_bytes(out.getvalue())
    assert _code(tmp_path / "cifrato.xlsx") == "R004"


def test_xls_ods_csv(tmp_path: Path) -> None:
    (tmp_path / "vecchio.xls").write_bytes(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 1024)
    with zipfile.ZipFile(tmp_path / "calc.ods", "w") as z:
        z.writestr("mimetype", "application/vnd.oasis.opendocument.spreadsheet")
        z.writestr("content.xml", "<x/>")
    (tmp_path / "dati.csv").write_text("Responsabile;Settore\nRossi;Cultura\n")
    assert _code(tmp_path / "vecchio.xls") == "R005"
    assert _code(tmp_path / "calc.ods") == "R006"
    assert _code(tmp_path / "dati.csv") == "R007"


def test_unreadable_paths(tmp_path: Path) -> None:
    locked = _xlsx(tmp_path / "bloccato.xlsx")
    os.chmod(locked, 0)
    (tmp_path / "cartella.xlsx").mkdir()
    (tmp_path / "rotto.xlsx").symlink_to(tmp_path / "non-esiste.xlsx")
    try:
        r = validate_file(locked)  # as root the file is still readable: no crash either way
        assert r.status in (Status.ERRORS, Status.UNREADABLE)
    finally:
        os.chmod(locked, 0o644)
    assert _code(tmp_path / "cartella.xlsx") == "R001"
    assert _code(tmp_path / "rotto.xlsx") == "R001"


def test_batch_goes_on_and_never_raises(tmp_path: Path) -> None:
    (tmp_path / "finto.xlsx").write_bytes(b"nope")
    (tmp_path / "troncato.xlsx").write_bytes(b"PK\x03\x04" + b"\x00" * 100)
    _xlsx(tmp_path / "estraneo.xlsx")
    (tmp_path / "~$lock.xlsx").write_bytes(b"\x00")  # Excel lock file: skipped
    report = validate_paths([tmp_path], find_master=False)
    codes = {Path(f.path).name: [x.code for x in f.findings] for f in report.files}
    assert codes == {"estraneo.xlsx": ["R012"], "finto.xlsx": ["R002"], "troncato.xlsx": ["R003"]}
    assert report.exit_code == 1


def test_cell_limit(tmp_path: Path) -> None:
    with pytest.raises(ReadProblem) as exc:
        read_book(_xlsx(tmp_path / "a.xlsx"), Limits(max_cells=2))
    assert exc.value.code == "R024" and exc.value.values["what"] == "cells"
