"""The office and sector flows over HTTP (TestClient; real validator, real workbooks)."""

from __future__ import annotations

import json
import subprocess
import sys
import zipfile
from io import BytesIO

import pytest
from portal_helpers import fill, indicator_ids

SECTOR = "Settore Urbanistica, Commercio Artigianato SUAP SUE e Area Vasta"


def test_campaign_has_every_sector_with_private_links(env):
    assert len(env.campaign["sectors"]) == 14
    urls = [s["upload_url"] for s in env.campaign["sectors"]]
    assert len(set(urls)) == 14
    assert all(u.startswith("http://127.0.0.1/api/v1/s/") and u.endswith("/upload") for u in urls)
    r = env.client.get(f"/api/v1/campaigns/{env.cid}", headers=env.bearer)
    assert r.status_code == 200
    rows = {s["sector"]: s for s in r.json()["sectors"]}
    assert rows[SECTOR]["status"] in ("non_pervenuto", "valido", "con_errori", "con_avvisi")


def test_upload_answers_the_validator_json_plus_version(env, tmp_path):
    blank = env.template(SECTOR, tmp_path / "blank.xlsx")
    r = env.upload(SECTOR, blank, "urbanistica.xlsx")
    assert r.status_code == 200, r.text
    got = r.json()
    assert got["version"] >= 1
    assert got["status"] == "errori"
    assert {f["code"] for f in got["findings"]} >= {"C201"}
    # the same document `barometro validate --format json` writes for this file, named as uploaded
    cli = subprocess.run([sys.executable, "-m", "barometro.cli.main", "validate", str(blank), "--master",
                          str(env.portal.master_path(env.portal.store.campaign(env.cid)["master_sha"])),
                          "--format", "json"], capture_output=True, text=True, timeout=120)
    one = json.loads(cli.stdout)["files"][0]
    assert set(got) == set(one) | {"version"}
    assert [(f["code"], f["sheet"], f["cell"]) for f in got["findings"]] == \
        [(f["code"], f["sheet"], f["cell"]) for f in one["findings"]]
    assert got["path"] == "urbanistica.xlsx"
    assert all(f["file"] == "urbanistica.xlsx" for f in got["findings"])


def test_reupload_makes_a_new_version_and_the_newest_valid_counts(env, tmp_path):
    blank = env.template(SECTOR, tmp_path / "blank.xlsx")
    first = env.upload(SECTOR, blank).json()["version"]
    filled = fill(blank, tmp_path / "filled.xlsx")
    second = env.upload(SECTOR, filled).json()
    assert second["version"] == first + 1
    assert second["status"] in ("ok", "avvisi"), [f["code"] for f in second["findings"]]
    third = env.upload(SECTOR, blank).json()  # an older mistake sent again
    assert third["version"] == first + 2
    rows = {s["sector"]: s for s in env.client.get(f"/api/v1/campaigns/{env.cid}", headers=env.bearer).json()["sectors"]}
    assert rows[SECTOR]["status"] == "con_errori"  # the newest upload has errors...
    assert rows[SECTOR]["valid_version"] == second["version"]  # ...the newest valid one counts
    chosen = {c["name"]: c["version"] for c in env.portal.store.newest_valid(env.cid)}
    assert chosen[SECTOR] == second["version"]


def test_sector_page_upload_redirects_to_a_result_page_with_findings_by_sheet(env, tmp_path):
    from portal_helpers import csrf_of

    token = env.sector_token(SECTOR)
    page = env.client.get(f"/s/{token}")
    assert page.status_code == 200
    assert "Carica e verifica" in page.text and SECTOR in page.text
    ids = indicator_ids(SECTOR)
    blank = env.template(SECTOR, tmp_path / "blank.xlsx")
    bad = fill(blank, tmp_path / "two_mistakes.xlsx", {ids[0]: ("4.580", None), ids[1]: (None, None)})
    r = env.client.post(f"/s/{token}/carica", data={"csrf_token": csrf_of(page.text)},
                        files={"file": ("ritorno.xlsx", bad.read_bytes(), "application/octet-stream")},
                        follow_redirects=False)
    assert r.status_code == 303, r.text
    result = env.client.get(r.headers["location"])
    assert result.status_code == 200
    html = result.text
    assert "Il file contiene errori" in html
    assert 'data-code="C206"' in html and 'data-code="C201"' in html
    assert "Cosa fare" in html and "Foglio «" in html
    report = env.client.get(f"/api/v1/campaigns/{env.cid}", headers=env.bearer).json()
    assert any(s["sector"] == SECTOR and s["errors"] >= 2 for s in report["sectors"])


def test_annotated_copy_is_the_validators_and_made_once(env, tmp_path):
    from openpyxl import load_workbook

    blank = env.template(SECTOR, tmp_path / "blank.xlsx")
    n = env.upload(SECTOR, blank).json()["version"]
    token = env.sector_token(SECTOR)
    r = env.client.get(f"/s/{token}/versioni/{n}/annotato")
    assert r.status_code == 200
    assert "attachment" in r.headers["content-disposition"]
    wb = load_workbook(BytesIO(r.content))
    assert wb.sheetnames[0] == "Problemi"
    sha = env.portal.store.version(env.portal.store.sector_by_link(
        __import__("barometro.portal.auth", fromlist=["token_hash"]).token_hash(token)).id, n)["annotated_sha"]
    assert sha and env.client.get(f"/s/{token}/versioni/{n}/annotato").content == r.content


def test_uploaded_bytes_are_kept_as_uploaded(env, tmp_path):
    blank = env.template(SECTOR, tmp_path / "blank.xlsx")
    data = blank.read_bytes()
    n = env.upload(SECTOR, data, "copia.xlsx").json()["version"]
    env.office_session()
    sector = next(s for s in env.portal.store.sectors(env.cid) if s.name == SECTOR)
    got = env.client.get(f"/ufficio/campagne/{env.cid}/settori/{sector.id}/versioni/{n}/file")
    assert got.status_code == 200 and got.content == data


def test_office_dashboard_zip_and_link_lists(env):
    csrf = env.office_session()
    dash = env.client.get(f"/ufficio/campagne/{env.cid}")
    assert dash.status_code == 200
    assert dash.text.count("data-sector=") == 14
    z = env.client.get(f"/ufficio/campagne/{env.cid}/modelli.zip")
    names = zipfile.ZipFile(BytesIO(z.content)).namelist()
    assert "master.xlsx" in names and len([n for n in names if n.startswith("settori/")]) == 14
    # the link list issues new links: the old ones stop working
    old_token = env.sector_token(SECTOR)
    assert env.client.get(f"/s/{old_token}").status_code == 200
    r = env.client.post(f"/ufficio/campagne/{env.cid}/link.csv", data={"csrf_token": csrf})
    assert r.status_code == 200 and r.headers["content-type"].startswith("text/csv")
    lines = r.content.decode("utf-8-sig").splitlines()
    assert lines[0].split(";")[:3] == ["Settore", "Responsabili", "Link della pagina del settore"]
    assert len(lines) == 15
    assert env.client.get(f"/s/{old_token}").status_code == 404
    new_link = next(line.split(";")[2] for line in lines[1:] if line.startswith(SECTOR))
    assert env.client.get(new_link).status_code == 200
    x = env.client.post(f"/ufficio/campagne/{env.cid}/link.xlsx", data={"csrf_token": csrf})
    from openpyxl import load_workbook

    ws = load_workbook(BytesIO(x.content)).active
    assert ws.max_row == 15 and str(ws["C2"].value).startswith("http://127.0.0.1/s/")
    assert env.client.get(new_link).status_code == 404  # re-issued again by the XLSX list
    # keep the module's links usable for the other tests
    _refresh_links(env, ws)


def _refresh_links(env, ws):  # noqa: ANN001
    for row in ws.iter_rows(min_row=2, values_only=True):
        token = row[2].rsplit("/", 1)[-1]
        env.links[row[0]] = {"sector": row[0], "upload_url": f"http://127.0.0.1/api/v1/s/{token}/upload",
                             "template_url": f"http://127.0.0.1/api/v1/s/{token}/template"}


def test_diff_between_two_versions_lists_changed_actuals_and_notes(env, tmp_path):
    ids = indicator_ids(SECTOR)
    blank = env.template(SECTOR, tmp_path / "blank.xlsx")
    a = env.upload(SECTOR, fill(blank, tmp_path / "a.xlsx")).json()["version"]
    b = env.upload(SECTOR, fill(blank, tmp_path / "b.xlsx", {ids[0]: (12345, "nota nuova <b>")})).json()["version"]
    env.office_session()
    sector = next(s for s in env.portal.store.sectors(env.cid) if s.name == SECTOR)
    r = env.client.get(f"/ufficio/campagne/{env.cid}/settori/{sector.id}/confronto?da={a}&a={b}")
    assert r.status_code == 200
    assert r.text.count("data-indicator=") == 1
    assert f'data-indicator="{ids[0]}"' in r.text
    assert "12.345" in r.text  # Italian thousands
    assert "nota nuova &lt;b&gt;" in r.text  # escaped


def test_audit_page_lists_uploads_with_their_hash(env, tmp_path):
    env.office_session()
    blank = env.template(SECTOR, tmp_path / "blank.xlsx")
    env.upload(SECTOR, blank)
    import hashlib

    sha = hashlib.sha256(blank.read_bytes()).hexdigest()
    r = env.client.get(f"/ufficio/registro?campagna={env.cid}")
    assert r.status_code == 200
    assert "file caricato" in r.text and sha[:16] in r.text


def test_pages_are_italian_by_default_and_english_on_request(env, tmp_path):
    import re

    env.office_session()
    sector = next(s for s in env.portal.store.sectors(env.cid) if s.name == SECTOR)
    env.upload(SECTOR, env.template(SECTOR, tmp_path / "blank.xlsx"))
    env.client.cookies.delete("barometro_lingua")
    it = env.client.get(f"/ufficio/campagne/{env.cid}/settori/{sector.id}")
    assert '<html lang="it">' in it.text and "Versioni caricate" in it.text
    assert re.search(r"\(\d+,\d KB\)", it.text), "sizes with a decimal comma in Italian"
    en = env.client.get(f"/ufficio/campagne/{env.cid}/settori/{sector.id}?lang=en")
    assert '<html lang="en">' in en.text and "Uploaded versions" in en.text
    assert re.search(r"\(\d+\.\d KB\)", en.text)
    # the choice is remembered; Accept-Language works when nothing was chosen
    assert "Uploaded versions" in env.client.get(f"/ufficio/campagne/{env.cid}/settori/{sector.id}").text
    env.client.cookies.delete("barometro_lingua")
    r = env.client.get(f"/ufficio/campagne/{env.cid}", headers={"accept-language": "en-GB,en;q=0.9,it;q=0.5"})
    assert "Sectors" in r.text
    # the validator's findings in the language of the request
    blank = env.template(SECTOR, tmp_path / "b.xlsx")
    got_en = env.client.post(env.links[SECTOR]["upload_url"] + "?lang=en",
                             files={"file": ("b.xlsx", blank.read_bytes())}).json()
    got_it = env.client.post(env.links[SECTOR]["upload_url"] + "?lang=it",
                             files={"file": ("b.xlsx", blank.read_bytes())}).json()
    c201_en = next(f for f in got_en["findings"] if f["code"] == "C201")
    c201_it = next(f for f in got_it["findings"] if f["code"] == "C201")
    assert c201_en["message"] != c201_it["message"] and "Manca" in c201_it["message"]
    env.client.cookies.delete("barometro_lingua")


def test_number_formatting_follows_the_language():
    from barometro.portal.i18n import Lang

    assert Lang("it").num(45.5, 1) == "45,5" and Lang("en").num(45.5, 1) == "45.5"
    assert Lang("it").num(1194987) == "1.194.987" and Lang("en").num(1194987) == "1,194,987"
    assert Lang("it").pct(85.29) == "85,29 %"
    assert Lang("it").mb(25 * 1024 * 1024) == "25" and Lang("it").mb(300_000) == "0,3"
    assert Lang("it").day("2023-03-31") == "31/03/2023"


def test_campaign_from_a_broken_plan_is_refused_with_a_message(env):
    env.office_session()
    page = env.client.get("/ufficio")
    from portal_helpers import csrf_of

    r = env.client.post("/ufficio/campagne", data={"csrf_token": csrf_of(page.text), "year": "2022",
                                                   "settings": "cremona"},
                        files={"plan": ("piano.xlsx", b"PK\x03\x04 broken", "application/octet-stream")})
    assert r.status_code == 400
    assert "La campagna non è stata creata" in r.text and "Traceback" not in r.text
    assert len(env.portal.store.campaigns()) == 1


@pytest.mark.slow  # end to end on the whole Cremona plan: the slow tier
def test_campaign_from_a_plan_workbook(env, tmp_path):
    """A plan workbook (what `barometro import` writes) is accepted as well as a report."""
    from portal_helpers import cremona_plan

    from barometro.plan_io import write_plan

    plan_file = write_plan(cremona_plan(), tmp_path / "piano_2022.xlsx")
    r = env.client.post("/api/v1/campaigns", headers=env.bearer,
                        data={"year": "2022", "settings": "default", "ente": "Comune di Prova"},
                        files={"plan": ("piano_2022.xlsx", plan_file.read_bytes())})
    assert r.status_code == 201, r.text
    c = env.portal.store.campaign(r.json()["id"])
    assert c["source_kind"] == "plan" and c["year"] == 2022 and c["ente"] == "Comune di Prova"
