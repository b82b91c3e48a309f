"""The reader's two feeds agree (parsed elements of a small part, or a large part pulled
through the parser in chunks, into the same decoder); the batch as a DataFrame; weights of
objectives shared by two sectors."""

from __future__ import annotations

import zipfile
from pathlib import Path

import pytest

from barometro.validators import reader
from barometro.validators.reader import read_book


def _both(path: Path, monkeypatch: pytest.MonkeyPatch):
    fast = read_book(path)
    with monkeypatch.context() as m:
        m.setattr(reader, "STREAM_ABOVE", -1)  # every worksheet and string table pulled in chunks
        streamed = read_book(path)
    return fast, streamed


def test_paths_agree_on_recalculated_returns(built, monkeypatch):
    for path in [*built.returns.values(), built.master]:
        fast, streamed = _both(path, monkeypatch)
        assert [s.name for s in fast.sheets] == [s.name for s in streamed.sheets]
        for a, b in zip(fast.sheets, streamed.sheets, strict=True):
            assert a.cells == b.cells, (path.name, a.name)
            assert (a.protected, a.merged, a.validations, a.state) == (b.protected, b.merged, b.validations, b.state)
            assert a.cells, a.name


SHEET = """<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><sheetData>
<row r="1"><c r="A1" s="1"/><c t="s"><v>0</v></c><c><v>3</v></c><c r="E1"><f>C1*2</f><v>6</v></c></row>
<row><c><v>1,5</v></c><c t="inlineStr"><is><r><t>uno </t></r><r><t>due</t></r><rPh><t>x</t></rPh></is></c></row>
</sheetData><sheetProtection sheet="1"/></worksheet>"""


def test_cells_without_references_and_skipped_empty_cells(tmp_path, monkeypatch):
    path = tmp_path / "odd.xlsx"
    with zipfile.ZipFile(path, "w") as zf:
        zf.writestr("[Content_Types].xml", "<Types/>")
        zf.writestr("_rels/.rels", '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
                    '<Relationship Id="r1" Type="http://x/officeDocument" Target="xl/workbook.xml"/></Relationships>')
        zf.writestr("xl/workbook.xml", '<workbook xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" '
                    'xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships"><sheets>'
                    '<sheet name="S" sheetId="1" r:id="rId1"/></sheets></workbook>')
        zf.writestr("xl/_rels/workbook.xml.rels", '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
                    '<Relationship Id="rId1" Type="http://x/worksheet" Target="worksheets/sheet1.xml"/>'
                    '<Relationship Id="rId2" Type="http://x/sharedStrings" Target="sharedStrings.xml"/></Relationships>')
        zf.writestr("xl/sharedStrings.xml", '<sst xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">'
                    '<si><t>testo</t></si></sst>')
        zf.writestr("xl/worksheets/sheet1.xml", SHEET)
    fast, streamed = _both(path, monkeypatch)
    for book in (fast, streamed):
        sheet = book.sheets[0]
        got = {c.ref: (c.value, c.formula) for c in sheet.cells.values()}
        assert got == {"B1": ("testo", None), "C1": (3.0, None), "E1": (6.0, "=C1*2"),
                       "A2": ("1,5", None), "B2": ("uno due", None)}, got
        assert sheet.protected


def test_batch_report_as_a_dataframe(built, tmp_path):
    """The office can pivot a batch in pandas: one row per finding, sector and status kept."""
    import shutil

    from xlsx_damage import Workbook

    from barometro.validators import validate_paths
    from barometro.validators.reader import read_book

    folder = tmp_path / "ritorni"
    folder.mkdir()
    paths = [shutil.copy(p, folder / p.name) for p in built.returns.values()]
    line_sheet = next(s.name for s in read_book(paths[0]).sheets if s.name not in ("Istruzioni", "Riepilogo", "_barometro"))
    wb = Workbook.load(paths[0])
    wb.set_value(line_sheet, "J6", 123)  # a formula typed over
    wb.save(paths[0])
    batch = validate_paths([folder], master=built.master)
    df = batch.to_dataframe()
    assert set(df["file"]) == {str(p) for p in paths}
    damaged = df[df["file"] == str(paths[0])]
    assert "F301" in set(damaged["code"]) and set(damaged["status"]) == {"errori"}
    clean = df[df["file"] == str(paths[1])]
    assert list(clean["code"]) == [""] and list(clean["status"]) == ["ok"]
    pivot = df[df["code"] != ""].pivot_table(index="sector", columns="code", aggfunc="size", fill_value=0)
    assert pivot.loc[damaged["sector"].iloc[0], "F301"] == 1


def test_objective_shared_by_two_sectors_is_not_a_weight_error(tmp_path):
    """An objective whose indicators belong to two sectors: each sector file holds only its
    planned share of the weights (60 and 40), which is no problem; changing one is."""
    from dataclasses import replace

    from validator_plans import VALUES, small_plan
    from xlsx_damage import Workbook

    from barometro.settings import load_profile
    from barometro.validators import validate_paths
    from barometro.workbook_templates.builder import build_templates
    from barometro.workbook_templates.fill import fill_workbook

    plan = small_plan()
    other = "Settore Verde"
    plan.indicators[3] = replace(plan.indicators[3], sector=other)  # AMB-02-03 (weight 30) moves
    built = build_templates(plan, load_profile("cremona"), tmp_path / "modelli")
    folder = tmp_path / "ritorni"
    folder.mkdir()
    for sector, path in built.sectors.items():
        fill_workbook(path, folder / path.name, {k: v for k, v in VALUES.items()
                                                 if any(i.id == k and i.sector == sector for i in plan.indicators)})
    batch = validate_paths([folder], master=built.master)
    assert not [f for r in batch.files for f in r.findings if f.code == "C203"]
    green = folder / built.sectors[other].name
    wb = Workbook.load(green)
    wb.set_value("Ambiente", "L6", 50)  # the sector changes its share: 50 instead of 30
    wb.save(green)
    batch = validate_paths([green], master=built.master)
    codes = {(f.code, f.severity.value) for f in batch.files[0].findings}
    assert ("C203", "errore") in codes and ("S111", "errore") in codes
