"""Who may see what: every route of the app against every kind of visitor.

The matrix below is keyed by the app's own routes (read from the router): a new
route without an entry fails `test_every_route_is_in_the_matrix`.
"""

from __future__ import annotations

import re

import pytest
from portal_env import start_env
from portal_helpers import PASSWORD, SEED, csrf_of, fill

from barometro.portal import auth

A = "Settore Urbanistica, Commercio Artigianato SUAP SUE e Area Vasta"
B = "Settore Polizia Locale"
C = "Settore Risorse Umane"  # its link is revoked
PRINCIPALS = ("office", "none", "sector_a", "sector_b", "revoked", "sector_as_bearer")
REDIRECT, NOT_FOUND, UNAUTH = 303, 404, 401

# For office routes the sector principals carry no office credential (a link is not a
# cookie): they are "none", and "sector_as_bearer" sends the sector token as an API token.
OFFICE_PAGE = {"none": REDIRECT, "sector_a": REDIRECT, "sector_b": REDIRECT, "revoked": REDIRECT,
               "sector_as_bearer": REDIRECT}
OFFICE_API = {"none": UNAUTH, "sector_a": UNAUTH, "sector_b": UNAUTH, "revoked": UNAUTH, "sector_as_bearer": UNAUTH}
# Sector routes: each principal uses its own token (office/none: a made-up one). `n` is a
# version of sector A that sector B does not have: B's own token must not reach it.
SECTOR_OWN = {"office": NOT_FOUND, "none": NOT_FOUND, "sector_b": 200, "revoked": NOT_FOUND,
              "sector_as_bearer": NOT_FOUND}
SECTOR_VERSION = {**SECTOR_OWN, "sector_b": NOT_FOUND}

MATRIX: dict[tuple[str, str], dict[str, int]] = {
    ("GET", "/"): {"office": REDIRECT, **OFFICE_PAGE},
    ("GET", "/accesso"): {"office": REDIRECT, **{k: 200 for k in OFFICE_PAGE}},
    ("POST", "/accesso"): {"office": REDIRECT, **{k: REDIRECT for k in OFFICE_PAGE}},  # public: the login itself
    ("POST", "/esci"): {"office": REDIRECT, **OFFICE_PAGE},
    ("GET", "/ufficio"): {"office": 200, **OFFICE_PAGE},
    ("POST", "/ufficio/campagne"): {"office": 400, **OFFICE_PAGE},  # authorised, then refused: bad year
    ("GET", "/ufficio/campagne/{cid}"): {"office": 200, **OFFICE_PAGE},
    ("GET", "/ufficio/campagne/{cid}/modelli.zip"): {"office": 200, **OFFICE_PAGE},
    ("GET", "/ufficio/campagne/{cid}/master.xlsx"): {"office": 200, **OFFICE_PAGE},
    ("POST", "/ufficio/campagne/{cid}/link.{fmt}"): {"office": 200, **OFFICE_PAGE},
    ("GET", "/ufficio/campagne/{cid}/settori/{sid}"): {"office": 200, **OFFICE_PAGE},
    ("POST", "/ufficio/campagne/{cid}/settori/{sid}/revoca"): {"office": REDIRECT, **OFFICE_PAGE},
    ("POST", "/ufficio/campagne/{cid}/settori/{sid}/nuovo-link"): {"office": 200, **OFFICE_PAGE},
    ("GET", "/ufficio/campagne/{cid}/settori/{sid}/modello"): {"office": 200, **OFFICE_PAGE},
    ("GET", "/ufficio/campagne/{cid}/settori/{sid}/versioni/{n}"): {"office": 200, **OFFICE_PAGE},
    ("GET", "/ufficio/campagne/{cid}/settori/{sid}/versioni/{n}/file"): {"office": 200, **OFFICE_PAGE},
    ("GET", "/ufficio/campagne/{cid}/settori/{sid}/versioni/{n}/annotato"): {"office": 200, **OFFICE_PAGE},
    ("GET", "/ufficio/campagne/{cid}/settori/{sid}/confronto"): {"office": 200, **OFFICE_PAGE},
    ("POST", "/ufficio/campagne/{cid}/consolida"): {"office": REDIRECT, **OFFICE_PAGE},
    ("GET", "/ufficio/campagne/{cid}/consolidamenti/{kid}"): {"office": 200, **OFFICE_PAGE},
    ("GET", "/ufficio/campagne/{cid}/consolidamenti/{kid}/{name}"): {"office": 200, **OFFICE_PAGE},
    ("GET", "/ufficio/registro"): {"office": 200, **OFFICE_PAGE},
    ("GET", "/api/docs"): {"office": 200, **OFFICE_PAGE},
    ("GET", "/api/v1/openapi.json"): {"office": 200, **OFFICE_API},
    ("POST", "/api/v1/login"): {"office": 200, **{k: 200 for k in OFFICE_API}},  # public: the login itself
    ("POST", "/api/v1/campaigns"): {"office": 400, **OFFICE_API},  # authorised, then refused: no plan
    ("GET", "/api/v1/campaigns/{cid}"): {"office": 200, **OFFICE_API},
    ("POST", "/api/v1/campaigns/{cid}/consolidate"): {"office": 409, **OFFICE_API},  # nothing valid yet
    ("GET", "/api/v1/campaigns/{cid}/consolidations/{kid}/{name}"): {"office": 200, **OFFICE_API},
    ("GET", "/s/{token}"): {"sector_a": 200, **SECTOR_OWN},
    ("GET", "/s/{token}/modello"): {"sector_a": 200, **SECTOR_OWN},
    ("POST", "/s/{token}/carica"): {"sector_a": REDIRECT, **{**SECTOR_OWN, "sector_b": REDIRECT}},
    ("GET", "/s/{token}/versioni/{n}"): {"sector_a": 200, **SECTOR_VERSION},
    ("GET", "/s/{token}/versioni/{n}/annotato"): {"sector_a": 200, **SECTOR_VERSION},
    ("POST", "/api/v1/s/{token}/upload"): {"sector_a": 200, **SECTOR_OWN},
    ("GET", "/api/v1/s/{token}/template"): {"sector_a": 200, **SECTOR_OWN},
    ("GET", "/static"): {p: 200 for p in PRINCIPALS},  # CSS, fonts, icons: public by design
}


def app_routes(app) -> set[tuple[str, str]]:  # noqa: ANN001
    """(method, path) of every route, walking included routers (FastAPI keeps them apart)."""
    from starlette.routing import Mount

    out: set[tuple[str, str]] = set()

    def walk(routes, prefix: str) -> None:  # noqa: ANN001
        for r in routes:
            if hasattr(r, "original_router"):  # an included router
                extra = getattr(getattr(r, "include_context", None), "prefix", "") or ""
                walk(r.original_router.routes, prefix + extra)
            elif isinstance(r, Mount):
                out.add(("GET", prefix + r.path))
            else:
                for m in sorted(set(r.methods) - {"HEAD", "OPTIONS"}):
                    out.add((m, prefix + r.path))

    walk(app.routes, "")
    return out


@pytest.fixture(scope="module")
def world(tmp_path_factory):  # noqa: ANN001, ANN201
    e = start_env(tmp_path_factory.mktemp("matrix"))
    tmp = tmp_path_factory.mktemp("files")
    # sector A: three versions; sector B: none yet (so B has no v3)
    blank = e.template(A, tmp / "a.xlsx")
    for _ in range(2):
        assert e.upload(A, blank).status_code == 200
    assert e.upload(A, fill(blank, tmp / "a_filled.xlsx")).json()["version"] == 3
    store = e.portal.store
    # a revoked link (sector C)
    c_token = e.sector_token(C)
    sc = store.sector_by_link(auth.token_hash(c_token))
    store.revoke_links(e.cid, sc.id, "test")
    # a second campaign for the routes that change links or consolidate (a two-sector plan)
    from validator_plans import small_plan

    from barometro.plan_io import write_plan

    plan_file = write_plan(small_plan(), tmp / "piano_piccolo.xlsx")
    r = e.client.post("/api/v1/campaigns", headers=e.bearer, data={"year": "2021", "settings": "default"},
                      files={"plan": (plan_file.name, plan_file.read_bytes())})
    assert r.status_code == 201, r.text
    other = r.json()
    # a finished consolidation to read (its outputs are stored blobs like any other)
    kid = store.start_consolidation(e.cid, "test")
    outs = {k: store.store_bytes(f"{k} output".encode()) for k in ("workbook", "html", "pdf")}
    store.finish_consolidation(e.cid, kid, state="completato", outputs=outs, summary={"sectors": [], "lines": [], "ente": 96.5, "method": "m"})
    sa = store.sector_by_link(auth.token_hash(e.sector_token(A)))
    s_other = store.sectors(other["id"])[0]
    e.client.cookies.clear()
    session_csrf = e.office_session()
    session = e.client.cookies.get(auth.SESSION_COOKIE)
    yield {"env": e, "tokens": {"sector_a": e.sector_token(A), "sector_b": e.sector_token(B), "revoked": c_token},
           "cid": e.cid, "sid": sa.id, "n": 3, "kid": kid, "other": other["id"], "other_sid": s_other.id,
           "session": session, "session_csrf": session_csrf}
    e.client.__exit__(None, None, None)


def test_every_route_is_in_the_matrix(world):
    routes = app_routes(world["env"].client.app.app)
    missing = routes - set(MATRIX)
    assert not missing, f"routes without an access-matrix entry: {sorted(missing)}"
    stale = set(MATRIX) - routes
    assert not stale, f"matrix entries for routes that no longer exist: {sorted(stale)}"
    for key, row in MATRIX.items():
        assert set(row) == set(PRINCIPALS), key


def _url(world, method: str, path: str, principal: str) -> str:  # noqa: ANN001
    mutates_office = method == "POST" and ("/link." in path or "/revoca" in path or "/nuovo-link" in path
                                           or "consolid" in path)
    cid = world["other"] if mutates_office else world["cid"]
    sid = world["other_sid"] if mutates_office else world["sid"]
    token = world["tokens"].get(principal, "x" * 43)
    values = {"cid": cid, "sid": sid, "n": world["n"], "kid": world["kid"], "name": "relazione.pdf",
              "fmt": "csv", "token": token}
    url = re.sub(r"\{(\w+)\}", lambda m: str(values[m.group(1)]), path)
    if path == "/static":
        url = "/static/portal.css"
    if path.endswith("/confronto"):
        url += "?da=1&a=3"
    return url


def _request(world, method: str, path: str, principal: str):  # noqa: ANN001, ANN201
    e = world["env"]
    c = e.client
    c.cookies.clear()
    headers = {}
    csrf = ""
    if principal == "office":
        if path == "/esci":  # a session of its own: logging out must not end the shared one
            csrf = e.office_session()
        else:
            c.cookies.set(auth.SESSION_COOKIE, world["session"])
            csrf = world["session_csrf"]
        headers["authorization"] = f"Bearer {e.token}" if path.startswith("/api/v1") else ""
        headers = {k: v for k, v in headers.items() if v}
    elif principal == "sector_as_bearer":
        headers["authorization"] = f"Bearer {world['tokens']['sector_a']}"
    url = _url(world, method, path, principal)
    if principal not in ("office",) and method == "POST" and not path.startswith("/api/"):
        page = c.get("/accesso")  # a visitor's double-submit token
        csrf = csrf_of(page.text) if page.status_code == 200 else ""
        if path.startswith("/s/"):
            own = c.get(url.replace("/carica", ""))
            csrf = csrf_of(own.text) if own.status_code == 200 else csrf
    if method == "GET":
        return c.get(url, headers=headers, follow_redirects=False)
    if path == "/accesso":
        return c.post(url, data={"username": "ufficio", "password": PASSWORD, "csrf_token": csrf},
                      follow_redirects=False)
    if path == "/api/v1/login":
        return c.post(url, json={"username": "ufficio", "password": PASSWORD})
    if path == "/ufficio/campagne":
        return c.post(url, headers=headers, data={"csrf_token": csrf, "year": "x", "settings": "cremona"},
                      files={"plan": ("p.txt", SEED.read_bytes(), "text/plain")}, follow_redirects=False)
    if path == "/api/v1/campaigns":
        return c.post(url, headers=headers, data={"year": "2021", "settings": "cremona"},
                      files={"other": ("p.txt", b"", "text/plain")})
    if path.endswith("/carica") or path.endswith("/upload"):
        blank = world["env"].client.get(url.replace("/carica", "/modello").replace("/upload", "/template"))
        body = blank.content if blank.status_code == 200 else b"PK\x03\x04 not a workbook"
        return c.post(url, headers=headers, data={"csrf_token": csrf},
                      files={"file": ("ritorno.xlsx", body, "application/octet-stream")}, follow_redirects=False)
    return c.post(url, headers=headers, data={"csrf_token": csrf}, follow_redirects=False)


CASES = [(m, p, who) for (m, p), row in MATRIX.items() for who in row]


@pytest.mark.parametrize(("method", "path", "principal"), CASES, ids=[f"{m} {p} {w}" for m, p, w in CASES])
def test_access(world, method, path, principal):
    expected = MATRIX[(method, path)][principal]
    r = _request(world, method, path, principal)
    assert r.status_code == expected, (r.status_code, r.text[:500])
    if expected == REDIRECT and principal != "office" and path not in ("/accesso",) and not path.startswith("/s/"):
        assert r.headers["location"] == "/accesso"
    if expected in (NOT_FOUND, UNAUTH, REDIRECT) and r.headers.get("content-type", "").startswith("text/html"):
        # a refused visitor learns nothing about the campaign
        assert "Cremona" not in r.text and A not in r.text


def test_a_sector_link_shows_only_its_sector(world):
    e = world["env"]
    e.client.cookies.clear()
    page = e.client.get(f"/s/{world['tokens']['sector_b']}")
    assert B in page.text
    assert A not in page.text and "/ufficio" not in page.text
    assert e.client.get(f"/s/{world['tokens']['sector_b']}/versioni/3").status_code == 404


def test_security_headers_on_pages_errors_and_api(world):
    e = world["env"]
    e.client.cookies.clear()
    for url in ("/accesso", "/nowhere", "/api/v1/campaigns/1", f"/s/{world['tokens']['sector_a']}"):
        r = e.client.get(url, follow_redirects=False)
        h = r.headers
        assert "frame-ancestors 'none'" in h["content-security-policy"], url
        assert "default-src 'self'" in h["content-security-policy"]
        assert h["x-content-type-options"] == "nosniff"
        assert h["x-frame-options"] == "DENY"
        assert h["referrer-policy"] == "no-referrer"
        assert h["cache-control"] == "no-store"


def test_cookies_are_httponly_and_samesite(world):
    e = world["env"]
    e.client.cookies.clear()
    page = e.client.get("/accesso")
    assert "httponly" in page.headers["set-cookie"].lower() and "samesite=strict" in page.headers["set-cookie"].lower()
    r = e.client.post("/accesso", data={"username": "ufficio", "password": PASSWORD, "csrf_token": csrf_of(page.text)},
                      follow_redirects=False)
    cookie = r.headers["set-cookie"].lower()
    assert auth.SESSION_COOKIE in cookie and "httponly" in cookie and "samesite=strict" in cookie


def test_csrf_is_required_on_every_form(world):
    e = world["env"]
    store = e.portal.store
    e.client.cookies.clear()
    e.client.cookies.set(auth.SESSION_COOKIE, world["session"])
    for url in (f"/ufficio/campagne/{world['other']}/link.csv", f"/ufficio/campagne/{world['other']}/consolida",
                f"/ufficio/campagne/{world['other']}/settori/{world['other_sid']}/revoca", "/esci"):
        assert e.client.post(url, data={}, follow_redirects=False).status_code == 403, url
        assert e.client.post(url, data={"csrf_token": "forged-" + "x" * 30}, follow_redirects=False).status_code == 403
    # the session survived the forged logout
    assert e.client.get("/ufficio").status_code == 200
    # a sector upload without the token: refused before any byte is kept
    e.client.cookies.clear()
    token = world["tokens"]["sector_a"]
    before = len(store.versions(world["sid"]))
    blobs_before = len(list(store.blobs.all_hashes()))
    r = e.client.post(f"/s/{token}/carica", data={"csrf_token": "nope"},
                      files={"file": ("x.xlsx", b"PK\x03\x04 something new " + b"z" * 100, "application/octet-stream")})
    assert r.status_code == 403
    assert len(store.versions(world["sid"])) == before
    assert len(list(store.blobs.all_hashes())) == blobs_before
    # the login form too
    assert e.client.post("/accesso", data={"username": "ufficio", "password": PASSWORD}).status_code == 403
    # API calls riding the session cookie need the session's token in a header
    e.client.cookies.set(auth.SESSION_COOKIE, world["session"])
    assert e.client.post(f"/api/v1/campaigns/{world['other']}/consolidate").status_code == 403
    r = e.client.post(f"/api/v1/campaigns/{world['other']}/consolidate",
                      headers={"x-csrf-token": world["session_csrf"]})
    assert r.status_code == 409  # authorised; nothing valid to consolidate


def test_login_is_throttled_after_failures(tmp_path):
    e = start_env(tmp_path, campaign=False)
    try:
        c = e.client
        c.cookies.clear()
        for _ in range(5):
            page = c.get("/accesso")
            r = c.post("/accesso", data={"username": "ufficio", "password": "sbagliata", "csrf_token": csrf_of(page.text)})
            assert r.status_code == 401
            assert "non corretti" in r.text
        page = c.get("/accesso")
        r = c.post("/accesso", data={"username": "ufficio", "password": PASSWORD, "csrf_token": csrf_of(page.text)})
        assert r.status_code == 429 and "Troppi tentativi" in r.text
        assert c.post("/api/v1/login", json={"username": "ufficio", "password": PASSWORD}).status_code == 429
        # another user name from the same address is throttled too (by client address)
        assert c.post("/api/v1/login", json={"username": "altro", "password": "x"}).status_code == 429
    finally:
        e.client.__exit__(None, None, None)


def test_passwords_and_tokens_are_stored_hashed(world):
    e = world["env"]
    import sqlalchemy as sa

    with e.portal.store.read() as conn:
        pw = conn.execute(sa.text("select password_hash from users")).scalar_one()
        tokens = [r[0] for r in conn.execute(sa.text("select token_hash from auth_tokens"))]
        links = [r[0] for r in conn.execute(sa.text("select token_hash from sector_links"))]
    assert pw.startswith("$argon2id$") and PASSWORD not in pw
    assert e.token not in tokens and auth.token_hash(e.token) in tokens
    assert world["tokens"]["sector_a"] not in links and auth.token_hash(world["tokens"]["sector_a"]) in links
    assert all(len(h) == 64 for h in tokens + links)
