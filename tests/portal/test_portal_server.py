"""A real `barometro serve` process: concurrent uploads, SIGKILL in the middle, `--check`."""

from __future__ import annotations

import sqlite3
import subprocess
import sys
import threading
import time
from concurrent.futures import ThreadPoolExecutor

import httpx
import pytest
from portal_helpers import (
    PASSWORD,
    Server,
    add_user,
    api_token,
    create_cremona_campaign,
    csrf_of,
    fill,
)

pytestmark = pytest.mark.slow


def _check(data) -> subprocess.CompletedProcess:  # noqa: ANN001
    return subprocess.run([sys.executable, "-m", "barometro.cli.main", "serve", "--check", "--data", str(data)],
                          capture_output=True, text=True, timeout=120)


@pytest.fixture(scope="module")
def server(tmp_path_factory):  # noqa: ANN001, ANN201
    root = tmp_path_factory.mktemp("srv")
    data = root / "dati"
    add_user(data)
    srv = Server(data)
    token = api_token(srv.url)
    with httpx.Client(timeout=120) as c:
        campaign = create_cremona_campaign(c, srv.url, token)
    files = root / "files"
    files.mkdir()
    returns = {}
    with httpx.Client(timeout=60) as c:
        for s in campaign["sectors"]:
            blank = files / f"{len(returns)}.xlsx"
            blank.write_bytes(c.get(s["template_url"]).content)
            returns[s["sector"]] = fill(blank, files / f"filled_{len(returns)}.xlsx")
    state = {"srv": srv, "data": data, "token": token, "campaign": campaign, "returns": returns, "root": root}
    yield state
    state["srv"].stop()  # the server running now: tests kill it and start another on the same data


def test_twenty_concurrent_uploads_lose_nothing(server):
    srv, campaign = server["srv"], server["campaign"]
    sectors = campaign["sectors"]
    jobs = [sectors[i % len(sectors)] for i in range(20)]

    def up(s):  # noqa: ANN001, ANN202
        path = server["returns"][s["sector"]]
        with httpx.Client(timeout=120) as c:
            t0 = time.perf_counter()
            r = c.post(s["upload_url"], files={"file": (path.name, path.read_bytes())})
            return s["sector"], r.status_code, r.json(), time.perf_counter() - t0

    with ThreadPoolExecutor(20) as pool:
        results = list(pool.map(up, jobs))
    assert all(code == 200 for _, code, _, _ in results), [r[1] for r in results]
    assert all(body["status"] in ("ok", "avvisi") for _, _, body, _ in results)
    by_sector: dict[str, list[int]] = {}
    for name, _, body, _ in results:
        by_sector.setdefault(name, []).append(body["version"])
    for name, numbers in by_sector.items():
        assert sorted(numbers) == list(range(min(numbers), min(numbers) + len(numbers))), (name, numbers)
    state = httpx.get(f"{srv.url}/api/v1/campaigns/{campaign['id']}",
                      headers={"authorization": f"Bearer {server['token']}"}).json()
    total = sum(s["versions"] for s in state["sectors"])
    assert total >= 20
    assert all(s["status"] in ("valido", "con_avvisi") for s in state["sectors"])
    assert srv.rss_mb() < 300, srv.rss_mb()


def test_sigkill_during_an_upload_keeps_the_folder_consistent(server, tmp_path):
    srv, campaign = server["srv"], server["campaign"]
    s = campaign["sectors"][0]
    before = httpx.get(f"{srv.url}/api/v1/campaigns/{campaign['id']}",
                       headers={"authorization": f"Bearer {server['token']}"}).json()

    def slow_body():  # noqa: ANN202
        yield b"--zz\r\nContent-Disposition: form-data; name=\"file\"; filename=\"lento.xlsx\"\r\n\r\n"
        for _ in range(100):
            yield b"\x01" * 20_000
            time.sleep(0.05)
        yield b"\r\n--zz--\r\n"

    def send() -> None:
        try:
            httpx.post(s["upload_url"], content=slow_body(),
                       headers={"content-type": "multipart/form-data; boundary=zz"}, timeout=30)
        except httpx.HTTPError:
            pass

    t = threading.Thread(target=send)
    t.start()
    time.sleep(1.5)  # part of the body is on disk, in the data folder's tmp
    assert any((server["data"] / "tmp").iterdir())
    srv.kill()
    t.join(timeout=30)
    assert _check(server["data"]).returncode == 0
    db = sqlite3.connect(server["data"] / "portale.sqlite3")
    assert db.execute("pragma integrity_check").fetchone()[0] == "ok"
    db.close()
    server["srv"] = srv = Server(server["data"], port=srv.port)
    assert not any((server["data"] / "tmp").iterdir())  # the half upload is gone, nothing else
    after = httpx.get(f"{srv.url}/api/v1/campaigns/{campaign['id']}",
                      headers={"authorization": f"Bearer {server['token']}"}).json()
    assert after == before


def test_an_upload_recorded_but_not_checked_when_killed_is_checked_at_start(server):
    """The upload is on record before its check: killed in between, it is checked at the next start."""
    from barometro.portal.config import PortalConfig
    from barometro.portal.storage import Storage

    srv = server["srv"]
    srv.kill()
    store = Storage(PortalConfig(data_dir=server["data"]))
    try:
        sector = store.sectors(server["campaign"]["id"])[1]
        blob = store.blobs.put_file(server["returns"][sector.name])
        n = store.add_version(sector, blob, "in_sospeso.xlsx", "settore:test")  # state in_corso
    finally:
        store.close()
    server["srv"] = srv = Server(server["data"], port=srv.port)
    auth = {"authorization": f"Bearer {server['token']}"}
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        rows = httpx.get(f"{srv.url}/api/v1/campaigns/{server['campaign']['id']}", headers=auth).json()["sectors"]
        row = next(r for r in rows if r["sector"] == sector.name)
        if row["status"] != "in_verifica":
            break
        time.sleep(0.2)
    assert row["status"] in ("valido", "con_avvisi") and row["valid_version"] == n


def test_behind_the_proxy_links_use_the_forwarded_scheme_and_cookies_are_secure(tmp_path):
    data = tmp_path / "dati"
    add_user(data)
    srv = Server(data, extra=["--behind-proxy"])
    try:
        page = httpx.get(srv.url + "/accesso", headers={"x-forwarded-proto": "https"})
        assert "secure" in page.headers["set-cookie"].lower()
        assert "strict-transport-security" in page.headers
        token = httpx.post(srv.url + "/api/v1/login", json={"username": "ufficio", "password": PASSWORD},
                           headers={"x-forwarded-proto": "https"}).json()["token"]
        from portal_helpers import SEED

        r = httpx.post(srv.url + "/api/v1/campaigns", headers={"authorization": f"Bearer {token}",
                                                               "x-forwarded-proto": "https"},
                       data={"year": "2021", "settings": "cremona"}, files={"plan": (SEED.name, SEED.read_bytes())},
                       timeout=120)
        assert r.status_code == 201
        assert all(s["upload_url"].startswith("https://") for s in r.json()["sectors"])
    finally:
        srv.stop()


def test_sigkill_during_a_consolidation_keeps_the_previous_results(server):
    srv = server["srv"]
    cid = server["campaign"]["id"]
    auth = {"authorization": f"Bearer {server['token']}"}
    for sector in server["campaign"]["sectors"][:3]:
        path = server["returns"][sector["sector"]]
        assert httpx.post(sector["upload_url"], files={"file": (path.name, path.read_bytes())},
                          timeout=60).status_code == 200
    done = httpx.post(f"{srv.url}/api/v1/campaigns/{cid}/consolidate", headers=auth, timeout=300)
    assert done.status_code == 200, done.text
    urls = done.json()
    pdf = httpx.get(urls["pdf_url"], headers=auth, timeout=60).content
    assert pdf.startswith(b"%PDF")
    # start a second one from the office's page and kill the server while it runs
    with httpx.Client(base_url=srv.url, timeout=60) as c:
        page = c.get("/accesso")
        c.post("/accesso", data={"username": "ufficio", "password": PASSWORD, "csrf_token": csrf_of(page.text)})
        dash = c.get(f"/ufficio/campagne/{cid}")
        r = c.post(f"/ufficio/campagne/{cid}/consolida", data={"csrf_token": csrf_of(dash.text)},
                   follow_redirects=False)
        assert r.status_code == 303
        status_page = r.headers["location"]
        time.sleep(2.0)
        assert "In corso" in c.get(status_page).text
    srv.kill()
    assert _check(server["data"]).returncode == 0
    server["srv"] = srv = Server(server["data"], port=srv.port)
    with httpx.Client(base_url=srv.url, timeout=60) as c:
        page = c.get("/accesso")
        c.post("/accesso", data={"username": "ufficio", "password": PASSWORD, "csrf_token": csrf_of(page.text)})
        assert "Interrotto" in c.get(status_page).text
    assert httpx.get(urls["pdf_url"], headers=auth, timeout=60).content == pdf  # the previous result, intact


def test_check_finds_a_damaged_file(server):
    assert _check(server["data"]).returncode == 0
    blob = next(p for p in (server["data"] / "file").rglob("*") if p.is_file())
    original = blob.read_bytes()
    try:
        blob.write_bytes(original[:-1] + bytes([original[-1] ^ 1]))
        r = _check(server["data"])
        assert r.returncode == 1 and blob.name in r.stderr
    finally:
        blob.write_bytes(original)
