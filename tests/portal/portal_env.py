"""A running portal for the HTTP tests: the app under TestClient, an office user, a campaign."""

from __future__ import annotations

import functools
from pathlib import Path


class PortalEnv:
    """A running app (TestClient, lifespan started), an office user and the Cremona 2021 campaign."""

    def __init__(self, client, portal, campaign: dict, token: str) -> None:  # noqa: ANN001
        self.client = client
        self.portal = portal
        self.campaign = campaign
        self.cid = campaign["id"]
        self.token = token
        self.links = {s["sector"]: s for s in campaign["sectors"]}

    @property
    def bearer(self) -> dict[str, str]:
        return {"authorization": f"Bearer {self.token}"}

    def sector_token(self, sector: str) -> str:
        return self.links[sector]["upload_url"].rstrip("/").split("/")[-2]

    def template(self, sector: str, dst: Path) -> Path:
        r = self.client.get(self.links[sector]["template_url"])
        assert r.status_code == 200, r.text
        dst.parent.mkdir(parents=True, exist_ok=True)
        dst.write_bytes(r.content)
        return dst

    def upload(self, sector: str, path: Path | bytes, name: str | None = None):  # noqa: ANN201
        data = path if isinstance(path, bytes) else Path(path).read_bytes()
        return self.client.post(self.links[sector]["upload_url"],
                                files={"file": (name or (Path(path).name if not isinstance(path, bytes) else "x.xlsx"),
                                                data, "application/octet-stream")})

    def office_session(self, client=None):  # noqa: ANN001, ANN201
        """Log `client` in through the form; returns the session's CSRF token."""
        from portal_helpers import PASSWORD, csrf_of

        c = client or self.client
        page = c.get("/accesso")
        if page.url.path == "/ufficio":  # already logged in
            return csrf_of(page.text)
        r = c.post("/accesso", data={"username": "ufficio", "password": PASSWORD, "csrf_token": csrf_of(page.text)},
                   follow_redirects=False)
        assert r.status_code == 303, r.text
        return csrf_of(c.get("/ufficio").text)


def start_env(tmp: Path, *, campaign: bool = True, **config):  # noqa: ANN003, ANN201
    """The portal on a data folder of its own under `tmp`. With the Cremona campaign (and the
    SQLite store), the folder is a copy of one made once per session: building the campaign's
    fifteen templates is the slow part, and every module gets the same fresh state."""
    import shutil

    data_dir = tmp / "dati"
    golden = "database_url" not in config and campaign
    if golden:
        folder, made, token = _golden_campaign()
        shutil.copytree(folder, data_dir)
    client, portal = _started(data_dir, **config)
    if not golden:
        made, token = _office_and_campaign(client, portal, campaign)
    return PortalEnv(client, portal, made, token)


def _started(data_dir: Path, **config):  # noqa: ANN003, ANN202
    """The app on `data_dir` under a TestClient whose lifespan has started, and its portal."""
    from fastapi.testclient import TestClient

    from barometro.portal.app import create_app
    from barometro.portal.config import PortalConfig

    app = create_app(PortalConfig(data_dir=data_dir, **config))
    client = TestClient(app, base_url="http://127.0.0.1")
    client.__enter__()
    return client, app.app.state.portal


def _office_and_campaign(client, portal, campaign: bool) -> tuple[dict, str]:  # noqa: ANN001
    """The office account, its API token and (when asked) the Cremona 2021 campaign."""
    from portal_helpers import PASSWORD, create_cremona_campaign

    from barometro.portal import auth

    auth.add_user(portal.store, "ufficio", PASSWORD)
    token = client.post("/api/v1/login", json={"username": "ufficio", "password": PASSWORD}).json()["token"]
    made = create_cremona_campaign(client, token=token) if campaign else {"id": 0, "sectors": []}
    return made, token


@functools.cache
def _golden_campaign() -> tuple[Path, dict, str]:
    """A data folder holding the office account, its API session and the Cremona campaign,
    made through the portal itself (the app stopped afterwards); removed at exit."""
    import atexit
    import shutil
    import tempfile

    root = Path(tempfile.mkdtemp(prefix="barometro-portal-"))
    atexit.register(shutil.rmtree, root, True)
    client, portal = _started(root / "dati")
    try:
        made, token = _office_and_campaign(client, portal, True)
    finally:
        client.__exit__(None, None, None)
    return root / "dati", made, token
