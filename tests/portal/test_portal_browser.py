"""The year as users do it, in a real headless Chromium (Debian's, driven by Playwright).

The office logs in, creates the Cremona 2021 campaign, downloads a sector's file and the
links; the test fills the file with two mistakes; the sector uploads it on its page and
sees both findings at their cells; it fixes them and uploads again; the office sees it
valid, consolidates and downloads the PDF. Every page is checked with axe-core (no
serious or critical violation) and the README's screenshots are taken on the way
(`BAROMETRO_SCREENSHOTS=1` copies them to docs/img/).
"""

from __future__ import annotations

import csv
import io
import os
import shutil
import tempfile
from pathlib import Path

import pytest
from portal_helpers import PASSWORD, REPO, SEED, Server, add_user, fill, indicator_ids

pytestmark = [pytest.mark.browser, pytest.mark.libreoffice, pytest.mark.slow]

SECTOR = "Settore Urbanistica, Commercio Artigianato SUAP SUE e Area Vasta"
AXE = Path(__file__).with_name("axe.min.js")
CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
FLAGS = ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking",
         "--disable-component-update", "--disable-sync"]
IMG = REPO / "docs" / "img"


def _context(p, locale: str = "it-IT"):  # noqa: ANN001, ANN202
    return p.chromium.launch_persistent_context(
        tempfile.mkdtemp(prefix="barometro-chromium-"), executable_path=CHROMIUM, args=FLAGS, headless=True,
        locale=locale, accept_downloads=True, bypass_csp=True,  # bypass_csp: only to inject axe-core
        viewport={"width": 1280, "height": 900})


def axe_check(page, checked: list[str]) -> None:  # noqa: ANN001
    """No serious or critical WCAG 2.1 A/AA violation on the page as shown."""
    page.add_script_tag(path=str(AXE))
    result = page.evaluate("""async () => await axe.run(document, {
        runOnly: {type: 'tag', values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa']}})""")
    bad = [(v["id"], v["impact"], [n["target"] for n in v["nodes"]][:3]) for v in result["violations"]
           if v["impact"] in ("serious", "critical")]
    assert not bad, (page.url, bad)
    checked.append(page.url)


def _cell_of(template: Path, indicator_id: str) -> tuple[str, str]:
    from openpyxl import load_workbook

    from barometro.workbook_templates import spec

    wb = load_workbook(template, read_only=True)
    for ws in wb.worksheets:
        for row in ws.iter_rows(min_row=spec.FIRST_ROW):
            for c in row:
                if c.value == indicator_id and c.column_letter == spec.COL["indicator_id"].letter:
                    return ws.title, f"{spec.COL['actual'].letter}{c.row}"
    raise AssertionError(indicator_id)


def test_the_year_in_a_browser(tmp_path):
    from playwright.sync_api import expect, sync_playwright

    from barometro.recalc import recalculate

    assert Path(CHROMIUM).exists(), "chromium missing: bash scripts/install.sh --test installs it"
    data = tmp_path / "dati"
    add_user(data)
    srv = Server(data)
    checked: list[str] = []
    try:
        with sync_playwright() as p:
            office = _context(p)
            page = office.new_page()
            # --- the office logs in, with the keyboard
            page.goto(srv.url + "/")
            expect(page.locator("h1")).to_have_text("Accesso dell'ufficio")
            axe_check(page, checked)
            page.keyboard.press("Tab")
            assert page.evaluate("document.activeElement.textContent") == "Vai al contenuto"
            page.get_by_label("Nome utente").fill("ufficio")
            page.get_by_label("Password").fill(PASSWORD)
            page.get_by_label("Password").press("Enter")
            expect(page.locator("h1")).to_have_text("Campagne")
            axe_check(page, checked)
            # --- creates the Cremona 2021 campaign from last year's report
            page.get_by_label("Anno", exact=True).fill("2021")
            page.get_by_label("Scadenza (facoltativa)").fill("2031-03-31")
            page.get_by_label("Profilo di calcolo").select_option("cremona")
            page.get_by_label("Piano o Relazione dell'anno precedente").set_input_files(str(SEED))
            page.get_by_role("button", name="Crea la campagna").click()
            expect(page.locator("h1")).to_contain_text("Relazione 2021", timeout=60_000)
            assert page.locator("#tabella-settori tbody tr").count() == 14
            expect(page.locator("#problemi")).to_contain_text("Problemi del piano (")
            axe_check(page, checked)
            dashboard_url = page.url
            # --- issues the links (CSV for the mail merge)
            with page.expect_download() as dl:
                page.get_by_role("button", name="Emetti i link e scarica l'elenco (CSV)").click()
            rows = list(csv.reader(io.StringIO(Path(dl.value.path()).read_text("utf-8-sig")), delimiter=";"))
            link = next(r[2] for r in rows[1:] if r[0] == SECTOR)
            # --- downloads the sector's file from its page
            page.get_by_role("link", name=SECTOR).click()
            axe_check(page, checked)
            with page.expect_download() as dl:
                page.get_by_role("link", name="Modello vuoto del settore").click()
            template = tmp_path / "urbanistica.xlsx"
            dl.value.save_as(template)

            # --- the test fills it with two mistakes, and a corrected copy; LibreOffice recalculates both
            ids = indicator_ids(SECTOR)
            cell_text, cell_missing = _cell_of(template, ids[0]), _cell_of(template, ids[1])
            wrong = fill(template, tmp_path / "filled" / "urbanistica_errata.xlsx",
                         {ids[0]: ("4.580", None), ids[1]: (None, None)})
            right = fill(template, tmp_path / "filled" / "urbanistica.xlsx")
            wrong, right = recalculate([wrong, right], tmp_path / "recalc")

            # --- the sector, in a browser of its own, uploads on its page
            sector = _context(p)
            sp = sector.new_page()
            sp.goto(link)
            expect(sp.locator("h1")).to_have_text(SECTOR)
            expect(sp.get_by_text("non pervenuto")).to_be_visible()
            axe_check(sp, checked)
            sp.get_by_label("File compilato (.xlsx)").set_input_files(str(wrong))
            sp.get_by_role("button", name="Carica e verifica").click()
            expect(sp.locator("#esito")).to_contain_text("Il file contiene errori")
            c206 = sp.locator('tr[data-code="C206"]')
            c201 = sp.locator('tr[data-code="C201"]')
            expect(c206).to_have_count(1)
            expect(c201).to_have_count(1)
            assert c206.get_attribute("data-cell") == cell_text[1]
            assert c201.get_attribute("data-cell") == cell_missing[1]
            expect(sp.get_by_role("heading", name=f"Foglio «{cell_text[0]}»")).to_be_visible()
            axe_check(sp, checked)
            sp.screenshot(path=str(tmp_path / "sector-result.png"), full_page=True)
            with sp.expect_download() as dl:
                sp.get_by_role("link", name="Scarica la copia annotata").click()
            assert Path(dl.value.path()).read_bytes()[:2] == b"PK"
            # --- fixes them and uploads again
            sp.get_by_role("link", name="Carica una nuova versione").click()
            sp.get_by_label("File compilato (.xlsx)").set_input_files(str(right))
            sp.get_by_role("button", name="Carica e verifica").click()
            expect(sp.locator("#esito")).to_contain_text("Il file è valido.")
            expect(sp.get_by_role("heading", name="Caricamenti precedenti")).to_be_visible()
            expect(sp.locator("#storico + ul li")).to_have_count(2)
            axe_check(sp, checked)
            sp.goto(link)
            axe_check(sp, checked)
            expect(sp.get_by_text("conta la versione 2")).to_be_visible()

            # --- the office sees it valid, looks at the versions, consolidates, downloads the PDF
            page.goto(dashboard_url)
            row = page.locator(f'tr[data-sector="{SECTOR}"]')
            expect(row).to_contain_text("valido")
            expect(row).to_contain_text("v2")
            axe_check(page, checked)
            page.screenshot(path=str(tmp_path / "dashboard.png"), full_page=False)
            page.get_by_role("link", name=SECTOR).click()
            page.get_by_role("button", name="Confronta").click()
            expect(page.locator("h1")).to_contain_text("dalla versione 1 alla 2")
            expect(page.locator(f'tr[data-indicator="{ids[0]}"]')).to_have_count(1)
            axe_check(page, checked)
            page.go_back()
            page.get_by_role("link", name="v1").click()
            expect(page.locator('tr[data-code="C206"]')).to_have_count(1)
            axe_check(page, checked)
            page.goto(dashboard_url)
            page.get_by_role("button", name="Consolida i ritorni validi").click()
            expect(page.locator("#stato-consolidamento")).to_contain_text("Completato", timeout=180_000)
            expect(page.locator("#provvisoria")).to_contain_text("Relazione provvisoria: 13 settori")
            axe_check(page, checked)
            with page.expect_download() as dl:
                page.locator("#scarica-pdf").click()
            assert Path(dl.value.path()).read_bytes()[:5] == b"%PDF-"
            page.goto(srv.url + "/ufficio/registro")
            expect(page.locator("#registro")).to_contain_text("consolidamento completato")
            axe_check(page, checked)
            page.goto(srv.url + "/api/docs")
            axe_check(page, checked)
            page.goto(srv.url + "/ufficio/campagne/999")
            expect(page.locator("h1")).to_have_text("Errore 404")
            axe_check(page, checked)
            # English on request, numbers formatted for it
            page.goto(dashboard_url.split("?")[0] + "?lang=en")
            expect(page.locator("h1")).to_contain_text("2021 report")
            expect(page.locator(f'tr[data-sector="{SECTOR}"]')).to_contain_text("valid")
            axe_check(page, checked)
            office.close()
            sector.close()
        assert len(checked) >= 16
        assert (tmp_path / "dashboard.png").stat().st_size > 10_000
        if os.environ.get("BAROMETRO_SCREENSHOTS"):  # refresh the README's pictures
            IMG.mkdir(parents=True, exist_ok=True)
            shutil.copyfile(tmp_path / "dashboard.png", IMG / "portal-dashboard.png")
            shutil.copyfile(tmp_path / "sector-result.png", IMG / "portal-sector-result.png")
    finally:
        srv.stop()
