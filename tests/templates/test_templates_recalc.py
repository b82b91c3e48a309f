"""LibreOffice recalculation: stale cached values recomputed, inputs untouched, clear errors."""

from __future__ import annotations

import hashlib
from pathlib import Path

import pytest

from barometro.recalc import RecalcError, recalculate, soffice_path


def _stale_book(path: Path) -> Path:
    import xlsxwriter

    wb = xlsxwriter.Workbook(str(path))
    ws = wb.add_worksheet("Dati")
    ws.write_number("A1", 2)
    ws.write_formula("B1", "=A1*10", None, 999)  # a stale cached value, as a returned file may carry
    wb.close()
    return path


@pytest.mark.libreoffice
def test_stale_value_recomputed_and_input_untouched(tmp_path, soffice):
    from openpyxl import load_workbook

    src = _stale_book(tmp_path / "vecchio.xlsx")
    assert load_workbook(src, data_only=True)["Dati"]["B1"].value == 999
    digest = hashlib.sha256(src.read_bytes()).hexdigest()
    [out] = recalculate([src], tmp_path / "out")
    assert out == tmp_path / "out" / "vecchio.xlsx"
    assert load_workbook(out, data_only=True)["Dati"]["B1"].value == 20
    assert hashlib.sha256(src.read_bytes()).hexdigest() == digest


def test_missing_soffice_is_a_clear_error(tmp_path, monkeypatch):
    src = _stale_book(tmp_path / "a.xlsx")
    monkeypatch.setenv("BAROMETRO_SOFFICE", str(tmp_path / "no-soffice"))
    assert soffice_path() is None
    with pytest.raises(RecalcError, match="LibreOffice"):
        recalculate([src], tmp_path / "out")


@pytest.mark.libreoffice
def test_timeout_kills_libreoffice(tmp_path, soffice):
    src = _stale_book(tmp_path / "a.xlsx")
    with pytest.raises(RecalcError, match="secondi"):
        recalculate([src], tmp_path / "out", timeout=0.3)
    assert not (tmp_path / "out" / "a.xlsx").exists()


def test_bad_calls(tmp_path):
    src = _stale_book(tmp_path / "a.xlsx")
    with pytest.raises(RecalcError, match="non trovato"):
        recalculate([tmp_path / "manca.xlsx"], tmp_path / "out")
    with pytest.raises(ValueError):
        recalculate([src], tmp_path)  # would overwrite the input
    assert recalculate([], tmp_path / "out") == []


def test_recalculation_keeps_every_view_setting(workbooks):
    """The demo's returns, the filled master and annotated copies of those come out of
    Barometro's LibreOffice step with the template's frozen panes and selected cell."""
    import re
    import zipfile

    from barometro.xlsx_package import sheet_parts

    def views(path):
        with zipfile.ZipFile(path) as zf:
            return {name: re.search(rb"<sheetViews.*?</sheetViews>", zf.read(part), re.S).group(0)
                    for name, part in sheet_parts(zf).items()}

    for name in ("edge-default-master", "edge-default-settore-cultura", "cremona-cremona-master"):
        book = workbooks[name]
        before, after = views(book.filled), views(book.recalculated)
        assert after == before, name
        line_sheet = book.layout.blocks[0].sheet_name
        assert b'state="frozen"' in after[line_sheet] and b'topLeftCell="F6"' in after[line_sheet]


def test_libreoffice_runs_without_the_virtual_environments_python(tmp_path, monkeypatch):
    """LibreOffice's own Python would take an activated virtual environment's `python3` (first
    on PATH) for its own; the environment handed to it drops that folder and the variables."""
    import os

    from barometro.recalc import soffice_env

    venv = tmp_path / "venv"
    monkeypatch.setenv("VIRTUAL_ENV", str(venv))
    monkeypatch.setenv("PYTHONHOME", str(venv))
    monkeypatch.setenv("PATH", os.pathsep.join([str(venv / "bin"), "/usr/local/bin", str(venv / "bin") + "/", "/usr/bin"]))
    env = soffice_env(tmp_path / "home")
    assert env["PATH"].split(os.pathsep) == ["/usr/local/bin", "/usr/bin"]
    assert "VIRTUAL_ENV" not in env and "PYTHONHOME" not in env
    assert env["HOME"] == str(tmp_path / "home") and env["SAL_USE_VCLPLUGIN"] == "svp"
