"""The consolidated workbook, the HTML page and the PDF, written from an in-memory result."""

from __future__ import annotations

import hashlib
import re
import shutil
import subprocess
from pathlib import Path

import pytest
from consolidation_helpers import make_result
from openpyxl import load_workbook

from barometro.consolidation import RowState, write_outputs
from barometro.consolidation.fmt import pct
from barometro.consolidation.report_html import render_html
from barometro.validators import Status
from barometro.workbook_templates import spec


def _digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


# --------------------------------------------------------------------------- HTML


def test_html_is_self_contained(small_outputs):
    page = small_outputs["html"].read_text(encoding="utf-8")
    assert page.startswith("<!DOCTYPE html>") and '<html lang="it">' in page
    assert "<script" not in page and "<link" not in page and "<img" not in page
    assert "url(" not in page
    # the only URLs are SVG namespaces
    assert set(re.findall(r"https?://[^\"' )]+", page)) == {"http://www.w3.org/2000/svg"}
    assert page.count("<svg") > 10  # rings, bar charts and traffic lights, all inline


def test_html_shows_line_and_ente_percentages_in_italian(small_result, small_outputs):
    page = small_outputs["html"].read_text(encoding="utf-8")
    for line in small_result.plan.lines:
        assert line.title.replace("'", "&#x27;") in page
        assert pct(small_result.scores.line[line.id]) in page
    assert pct(small_result.scores.ente) == "62,06 %"
    assert "62,06 %" in page and "70,00 %" in page and "54,12 %" in page
    assert small_result.settings.describe_it().replace("'", "&#x27;") in page


def test_html_notes_neutralised_missed_and_included_with_errors(small_outputs):
    page = small_outputs["html"].read_text(encoding="utf-8")
    neutral = page.split("Indicatori neutralizzati</h3>", 1)[1].split("</ul>", 1)[0]
    assert "Decreto regionale di proroga" in neutral
    missed = page.split("Target non raggiunti</h3>")
    assert any("Gara deserta" in part.split("</ul>", 1)[0] for part in missed[1:])
    assert "†" in page and "nonostante errori di validazione" in page
    assert "Nota metodologica" in page


def test_html_lists_missing_sector_as_non_pervenuto():
    result = make_result(include_errors=False, drop_c=True)
    page = render_html(result)
    assert "Documento provvisorio" in page
    assert "non pervenuto: nessun file da Settore C" in page
    assert "non pervenuto: file respinto (b.xlsx)" in page
    missing = [r for r in result.merge.rows if not r.state.returned]
    assert page.count("<tr class='missing'>") >= len(missing)


# --------------------------------------------------------------------------- PDF


def test_pdf_renders_pages_with_tables_and_charts(small_result, small_outputs, tmp_path):
    pdf = small_outputs["pdf"]
    assert pdf.read_bytes().startswith(b"%PDF")
    subprocess.run(["pdftoppm", "-r", "40", "-png", str(pdf), str(tmp_path / "page")], check=True)
    pages = sorted(tmp_path.glob("page-*.png"))
    assert len(pages) >= 1 + len(small_result.plan.lines)  # cover, one section per line, method
    words = subprocess.run(["pdftotext", "-layout", str(pdf), "-"], check=True, capture_output=True,
                           text=True).stdout
    for needle in ("Relazione sulla Performance 2021", "LINEA STRATEGICA SULL'AMBIENTE", "62,06 %",
                   "70,00 %", "Target atteso", "Barometro", "Nota metodologica"):
        assert needle in words, needle
    # pages are not blank: the charts and tables put colour on them
    from PIL import Image

    first = Image.open(pages[0]).convert("RGB")
    colours = {c for _, c in first.getcolors(maxcolors=1 << 20) if c != (255, 255, 255)}
    assert len(colours) > 20


# --------------------------------------------------------------------------- workbook


def test_workbook_sheets_and_cached_values(small_result, small_outputs):
    wb = load_workbook(small_outputs["xlsx"], data_only=True)
    assert wb.sheetnames == ["Riepilogo", "Ambiente", "Sociale", "Risultati responsabili", "Risultati settori",
                             "Settori", "Provenienza", "Verifiche", "Fonti", "_barometro"]
    layout = spec.build_layout(small_result.plan, small_result.settings, "master")
    summary = wb["Riepilogo"]
    assert summary[layout.ente_cell].value == pytest.approx(small_result.scores.ente)
    for line_id, row in layout.line_rows.items():
        assert summary[f"C{row}"].value == pytest.approx(small_result.scores.line[line_id])
    ws = wb["Ambiente"]
    assert ws[spec.LINE_PCT_CELL].value == pytest.approx(70.0)
    block = layout.block("AMB")
    assert ws[f"I{block.row_of('AMB-01-02')}"].value == 80
    assert ws[f"M{block.row_of('AMB-01-02')}"].value == pytest.approx(80.0)
    assert ws[f"M{block.row_of('AMB-02-02')}"].value in (None, "")  # neutralised: no score


def test_results_sheets_show_percentages_and_bold_totals(small_outputs):
    """Per manager and per sector: every % and weight as a percentage, each total row in bold
    and only those (the styles are copied between cells of the same look)."""
    from barometro.consolidation.workbook import t

    wb = load_workbook(small_outputs["xlsx"])
    for name in ("Risultati responsabili", "Risultati settori"):
        ws = wb[name]
        rows = range(5, ws.max_row + 1)
        assert len(rows) >= 3, name
        totals = [r for r in rows if ws[f"C{r}"].value == t("results.total")]
        assert totals and len(totals) < len(rows), name
        for r in rows:
            assert ws[f"E{r}"].number_format == ws[f"F{r}"].number_format == '[$-410]0.00" %"', (name, r)
            assert ws[f"A{r}"].number_format == "General" and ws[f"C{r}"].number_format == "General", (name, r)
            for col in "ABCDEF":
                assert bool(ws[f"{col}{r}"].font.bold) is (r in totals), (name, col, r)
            assert ws[f"A{r}"].border.left.style == ws[f"E{r}"].border.left.style is not None


ADDED_SHEETS_PRINT = {  # sheet: the rows and columns repeated on every printed page
    "Risultati responsabili": ("$4:$4", None), "Risultati settori": ("$4:$4", None),
    "Settori": ("$4:$4", "$A:$A"), "Provenienza": ("$3:$3", "$A:$A"), "Verifiche": (None, None),
    "Fonti": (None, None),
}


def test_added_sheets_print_on_a4_landscape_with_their_header(small_outputs):
    """The sheets consolidation adds print like the line sheets: A4 landscape at 80 %, the
    header on every page, and wrapped texts in rows tall enough to show them."""
    wb = load_workbook(small_outputs["xlsx"])
    for name, (rows, cols) in ADDED_SHEETS_PRINT.items():
        ws = wb[name]
        assert ws.page_setup.orientation == "landscape" and int(ws.page_setup.paperSize) == 9, name
        assert int(ws.page_setup.scale) == 80 and not ws.sheet_properties.pageSetUpPr.fitToPage, name
        assert (ws.print_title_rows, ws.print_title_cols) == (rows, cols), name
        assert "&P" in ws.oddFooter.center.text, name
    wrapped = short = 0
    for name in ADDED_SHEETS_PRINT:
        ws = wb[name]
        for row in ws.iter_rows(min_row=3):
            if row[0].border.left.style is None:
                continue  # a title, not a row of a table
            texts = [(len(str(c.value)), ws.column_dimensions[c.column_letter].width) for c in row
                     if isinstance(c.value, str)]
            height = ws.row_dimensions[row[0].row].height
            if any(n > 1.5 * w for n, w in texts):
                wrapped += 1
                assert height >= 30, (name, row[0].row)
            elif texts and all(n < 0.8 * w for n, w in texts):
                short += 1
                assert height == 15, (name, row[0].row)
    assert wrapped and short


@pytest.mark.libreoffice
def test_results_sheets_print_whole_columns_on_each_page(small_outputs, tmp_path, soffice):
    """Printed by LibreOffice, every page of the per-manager results shows all of its columns
    under their header (no column pushed to pages of its own)."""
    from barometro.consolidation.workbook import t

    subprocess.run([soffice, "--headless", "--norestore", f"-env:UserInstallation=file://{tmp_path}/profile",
                    "--convert-to", "pdf", "--outdir", str(tmp_path), str(small_outputs["xlsx"])],
                   check=True, capture_output=True, timeout=180)
    text = subprocess.run(["pdftotext", "-layout", str(tmp_path / "relazione.pdf"), "-"],
                          capture_output=True, text=True, check=True).stdout
    pages = text.split("\f")
    first = next(i for i, p in enumerate(pages) if t("results.owners_title") in p)
    end = next(i for i, p in enumerate(pages) if t("results.sectors_title") in p)
    labels = [t(f"results.col.{k}") for k in ("owner", "objective_id", "objective", "line", "score")]
    assert end > first
    for page in pages[first:end]:
        flat = " ".join(page.split())
        assert all(label in flat for label in labels), page[:300]
        assert "Peso nel" in flat, page[:300]


def test_workbook_keeps_the_template_formulas(small_result, small_outputs):
    wb = load_workbook(small_outputs["xlsx"])
    layout = spec.build_layout(small_result.plan, small_result.settings, "master")
    expected = layout.expected_formulas()
    for (sheet, ref), formula in expected.items():
        assert spec.formulas_equal(str(wb[sheet][ref].value), formula), (sheet, ref)


def test_workbook_marks_rows_included_with_errors(small_result, small_outputs):
    wb = load_workbook(small_outputs["xlsx"])
    layout = spec.build_layout(small_result.plan, small_result.settings, "master")
    cell = wb["Ambiente"][f"I{layout.block('AMB').row_of('AMB-02-01')}"]
    assert cell.comment is not None and "b.xlsx" in cell.comment.text
    prov = {r[0]: r for r in wb["Provenienza"].iter_rows(min_row=4, values_only=True)}
    assert set(prov) == {i.id for i in small_result.plan.indicators}
    assert prov["AMB-02-01"][5] == "pervenuto da file con errori" and prov["AMB-02-01"][8] == "b.xlsx"


def test_workbook_sector_sheet_and_audit_trail(small_result, small_outputs):
    wb = load_workbook(small_outputs["xlsx"])
    sectors = {r[0]: r for r in wb["Settori"].iter_rows(min_row=5, values_only=True) if r[0]}
    assert set(sectors) == {"Settore A", "Settore B", "Settore C"}
    assert sectors["Settore B"][3] == "pervenuto con errori (incluso)"
    fonti = list(wb["Fonti"].iter_rows(values_only=True))
    labels = {r[0]: r[1] for r in fonti if r[0]}
    assert labels["Strumento"] == "Barometro 0.1.0"
    assert labels["Profilo di calcolo"] == "cremona"
    assert labels["Impronta delle impostazioni"] == small_result.settings.fingerprint()
    files = {r[0]: r for r in fonti if r[0] in ("a.xlsx", "b.xlsx", "c.xlsx")}
    assert files["a.xlsx"][2] == "sha-a.xlsx" and files["b.xlsx"][5] == "errori"


def test_same_inputs_same_bytes(small_result, small_outputs, tmp_path):
    again = {k: tmp_path / p.name for k, p in small_outputs.items()}
    write_outputs(small_result, output=again["xlsx"], html=again["html"], pdf=again["pdf"])
    for key, path in small_outputs.items():
        assert _digest(path) == _digest(again[key]), key


def test_failure_half_way_leaves_no_output_and_old_files_intact(small_result, tmp_path, monkeypatch):
    import barometro.consolidation.report_pdf as report_pdf

    out = {"xlsx": tmp_path / "r.xlsx", "html": tmp_path / "r.html", "pdf": tmp_path / "r.pdf"}
    out["html"].write_text("versione precedente", encoding="utf-8")

    def broken(html, target, timestamp=None):
        Path(target).write_bytes(b"%PDF-1.7 half")  # started writing...
        raise OSError("disco pieno")

    monkeypatch.setattr(report_pdf, "render_pdf", broken)
    with pytest.raises(OSError):
        write_outputs(small_result, output=out["xlsx"], html=out["html"], pdf=out["pdf"])
    assert not out["xlsx"].exists() and not out["pdf"].exists()
    assert out["html"].read_text(encoding="utf-8") == "versione precedente"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["r.html"]  # no temporary left behind


@pytest.mark.libreoffice
def test_libreoffice_recalculates_to_the_same_values(small_outputs, tmp_path, soffice):
    from barometro.recalc import recalculate

    (recalculated,) = recalculate([small_outputs["xlsx"]], tmp_path)
    ours = load_workbook(small_outputs["xlsx"], data_only=True)
    theirs = load_workbook(recalculated, data_only=True)
    formulas = load_workbook(small_outputs["xlsx"])
    compared = 0
    for ws in formulas.worksheets:
        for row in ws.iter_rows():
            for cell in row:
                if not (isinstance(cell.value, str) and cell.value.startswith("=")):
                    continue
                a = ours[ws.title][cell.coordinate].value
                b = theirs[ws.title][cell.coordinate].value
                compared += 1
                if isinstance(a, int | float):
                    assert b == pytest.approx(a, abs=1e-9), (ws.title, cell.coordinate)
                else:
                    assert b in (None, ""), (ws.title, cell.coordinate, b)
    assert compared > 40


def test_rows_state_marks_in_result(small_result):
    states = {r.indicator.id: r.state for r in small_result.merge.rows}
    assert states["AMB-02-01"] is RowState.RETURNED_WITH_ERRORS
    assert shutil.which("pdftoppm"), "poppler-utils (pdftoppm) is needed to check the PDF pages"


def test_first_sheet_says_provisional_with_the_count_and_typed_text_stays_text(tmp_path):
    from consolidation_helpers import SECTOR_A, SECTOR_B, STAMP, ret, small_plan

    from barometro.consolidation import ConsolidationResult, merge_returns, merged_plan
    from barometro.consolidation.types import RunInfo
    from barometro.scoring import score_plan
    from barometro.settings import load_profile

    def write(returns, name):
        plan, settings = small_plan(), load_profile("cremona")
        merge = merge_returns(plan, returns)
        final = merged_plan(plan, merge)
        result = ConsolidationResult(final, settings, merge, score_plan(final, settings),
                                     RunInfo(STAMP, "0.1.0", settings, None))
        write_outputs(result, output=tmp_path / name)
        return load_workbook(tmp_path / name)

    notes = {"AMB-01-02": "= come nel 2020", "SOC-02-01": '=HYPERLINK("http://x","clic")'}
    wb = write([ret("a.xlsx", "Settore A", SECTOR_A, notes=notes), ret("b.xlsx", "Settore B", SECTOR_B)], "prov.xlsx")
    banner = wb[spec.SUMMARY_SHEET]["A4"].value
    assert banner.startswith("PROVVISORIO: indicatori non pervenuti o respinti 2 (settori coinvolti: 1"), banner
    ambiente = wb["Ambiente"]
    notes_in_book = {c.value for row in ambiente.iter_rows() for c in row if isinstance(c.value, str)}
    assert "= come nel 2020" in notes_in_book
    raw = (tmp_path / "prov.xlsx").read_bytes()
    import zipfile

    with zipfile.ZipFile(tmp_path / "prov.xlsx") as zf:
        xml = "".join(zf.read(n).decode() for n in zf.namelist() if n.startswith("xl/worksheets/"))
    assert "<f>HYPERLINK" not in xml and "<f> come" not in xml and raw  # never a live formula
    nothing = write([ret("rotto.xlsx", None, {}, Status.UNREADABLE, scope=None)], "vuoto.xlsx")
    assert nothing[spec.SUMMARY_SHEET]["A4"].value.startswith("NESSUN DATO UTILIZZABILE")
