"""`barometro validate` end to end: exit codes, JSON, annotated copies, batch report."""

from __future__ import annotations

import hashlib
import json
import shutil
from pathlib import Path

import pytest
from click.testing import CliRunner
from openpyxl import load_workbook
from xlsx_damage import Workbook

from barometro.cli.main import cli

pytestmark = pytest.mark.libreoffice
SECTOR_A = "Settore Lavori Pubblici"


def _sha(p: Path) -> str:
    return hashlib.sha256(p.read_bytes()).hexdigest()


@pytest.fixture()
def returns_dir(built, tmp_path: Path) -> Path:
    d = tmp_path / "ritorni"
    d.mkdir()
    for p in built.returns.values():
        shutil.copy(p, d / p.name)
    wb = Workbook.load(built.returns[SECTOR_A])
    wb.set_value("Ambiente", "M7", 100)
    wb.set_value("Ambiente", "I8", "4.580")
    (d / "settore-lavori-pubblici.xlsx").unlink()
    wb.save(d / "lavori-pubblici-danneggiato.xlsx")
    return d


def test_json_exit_codes_annotate_and_report(built, returns_dir: Path, tmp_path: Path) -> None:
    before = {p.name: _sha(p) for p in returns_dir.iterdir()}
    runner = CliRunner()
    res = runner.invoke(cli, ["validate", str(returns_dir), "--master", str(built.master), "--format", "json",
                              "--annotate", str(tmp_path / "annotati"), "--report", str(tmp_path / "esito.xlsx"),
                              "--jobs", "2"])
    assert res.exit_code == 1, res.output
    doc = json.loads(res.stdout)
    assert doc["schema_version"] == "1" and doc["exit_code"] == 1
    statuses = {Path(f["path"]).name: f["status"] for f in doc["files"]}
    assert statuses == {"lavori-pubblici-danneggiato.xlsx": "errori", "settore-ambiente.xlsx": "ok"}
    # originals untouched, byte for byte
    assert {p.name: _sha(p) for p in returns_dir.iterdir()} == before
    ann = load_workbook(tmp_path / "annotati" / "lavori-pubblici-danneggiato.xlsx")
    assert ann.sheetnames[0] == "Problemi"
    assert ann["Ambiente"]["M7"].comment is not None and "F301" in ann["Ambiente"]["M7"].comment.text
    assert ann["Ambiente"].protection.sheet  # protection kept
    assert ann["Ambiente"]["J7"].value.startswith("=IF(")  # formulas kept
    links = [c.value for c in ann["Problemi"]["G"] if isinstance(c.value, str) and c.value.startswith("=HYPERLINK")]
    assert any("'Ambiente'!M7" in v for v in links)
    rep = load_workbook(tmp_path / "esito.xlsx")
    cells = [c.value for row in rep["Riepilogo"].iter_rows() for c in row]
    assert "lavori-pubblici-danneggiato.xlsx" in cells and any("F301×1" in str(v) for v in cells)

    # Both open in LibreOffice headless: it loads, recalculates and saves them again,
    # and what it saves still holds the Problemi sheet with its links and the summary.
    from barometro.recalc import recalculate

    annotated = tmp_path / "annotati" / "lavori-pubblici-danneggiato.xlsx"
    out = recalculate([annotated, tmp_path / "esito.xlsx"], tmp_path / "via_libreoffice")
    lo_ann = load_workbook(out[0])
    assert lo_ann.sheetnames[0] == "Problemi" and "Ambiente" in lo_ann.sheetnames
    assert any("HYPERLINK" in str(c.value) for c in lo_ann["Problemi"]["G"])
    lo_rep = load_workbook(out[1], data_only=True)
    assert "lavori-pubblici-danneggiato.xlsx" in [c.value for row in lo_rep["Riepilogo"].iter_rows() for c in row]


def test_text_output_and_exit_zero(built, tmp_path: Path) -> None:
    runner = CliRunner()
    res = runner.invoke(cli, ["validate", str(built.returns["Settore Ambiente"]), "--master", str(built.master)])
    assert res.exit_code == 0, res.output
    assert "settore-ambiente.xlsx" in res.output and "ok" in res.output


def test_exit_two_when_run_cannot_proceed(built, tmp_path: Path) -> None:
    runner = CliRunner()
    res = runner.invoke(cli, ["validate", str(built.returns[SECTOR_A]), "--master", str(built.returns[SECTOR_A])])
    assert res.exit_code == 2 and "master" in res.output.lower()
    empty = tmp_path / "vuota"
    empty.mkdir()
    res = runner.invoke(cli, ["validate", str(empty)])
    assert res.exit_code == 2


def test_master_found_beside_returns(built, tmp_path: Path) -> None:
    from barometro.validators import validate_paths

    d = tmp_path / "anno"
    d.mkdir()
    shutil.copy(built.master, d / "master.xlsx")
    shutil.copy(built.returns[SECTOR_A], d / "lp.xlsx")
    report = validate_paths([d])
    assert report.master and report.master.endswith("master.xlsx")
    assert [Path(f.path).name for f in report.files] == ["lp.xlsx"]
    assert report.files[0].findings == []
