"""Running the portal: `serve`, `demo`, `check` (what the CLI commands call)."""

from __future__ import annotations

import secrets
import shutil
import signal
import tempfile
from collections.abc import Callable
from importlib import resources
from pathlib import Path

from barometro.messages import text

from .config import PortalConfig
from .storage import Storage


def serve(config: PortalConfig, host: str = "127.0.0.1", port: int = 8765, *,
          forwarded_allow_ips: str | None = None, echo: Callable[[str], None] = print) -> None:
    import uvicorn

    from .app import create_app

    if host not in ("127.0.0.1", "localhost", "::1"):
        echo(text("portal.cli.public_bind", host=host))
    echo(text("portal.cli.listening", host=host, port=port, path=Path(config.data_dir).resolve()))
    uvicorn.run(create_app(config), host=host, port=port, log_level="warning", access_log=False,
                proxy_headers=forwarded_allow_ips is not None, forwarded_allow_ips=forwarded_allow_ips,
                timeout_graceful_shutdown=10, limit_concurrency=200)


def load_demo(config: PortalConfig, base_url: str, *, user: str = "ufficio", password: str | None = None,
              deadline: str | None = None) -> dict:
    """The Cremona 2021 campaign, an office account and one link per sector, in `config.data_dir`."""
    from datetime import date, timedelta

    from . import auth, links
    from .campaigns import build_campaign_task, record_campaign

    password = password or secrets.token_urlsafe(12)
    store = Storage(config)
    try:
        if store.user_by_name(user) is None:
            auth.add_user(store, user, password)
        deadline = deadline or (date.today() + timedelta(days=30)).isoformat()
        source = resources.files("barometro") / "data" / "cremona_relazione_performance_2021.txt"
        with resources.as_file(source) as seed, tempfile.TemporaryDirectory(prefix="barometro-demo-") as tmp:
            built = build_campaign_task(str(seed), "", 2021, "cremona", str(Path(tmp) / "modelli"))
            cid = record_campaign(store, built, source_path=Path(seed), source_name=Path(seed).name,
                                  deadline=deadline, settings_name="cremona", actor="demo")
        issued = links.issue(store, cid, store.sectors(cid), "demo")
        return {"campaign_id": cid, "user": user, "password": password,
                "links": [(i.sector.name, base_url + i.page_path) for i in issued]}
    finally:
        store.close()


def demo(host: str = "127.0.0.1", port: int = 8765, echo: Callable[[str], None] = print) -> None:
    folder = Path(tempfile.mkdtemp(prefix="barometro-demo-"))
    config = PortalConfig(data_dir=folder)
    url = f"http://{host}:{port}"
    info = load_demo(config, url)
    echo(text("portal.cli.demo_folder", path=folder))
    echo(text("portal.cli.demo_login", user=info["user"], password=info["password"]))
    echo(text("portal.cli.demo_links"))
    for name, link in info["links"]:
        echo(f"  {name}: {link}")
    echo(text("portal.cli.demo_ready", url=url + "/accesso"))
    # uvicorn re-raises the signal that stopped it once it has shut down: with this handler
    # SIGTERM ends the process through SystemExit, so the folder is removed on the way out.
    previous = signal.signal(signal.SIGTERM, _exit_on_sigterm)
    try:
        serve(config, host, port, echo=echo)
    finally:  # a demo's folder is temporary: gone when the server stops (Ctrl+C, SIGTERM)
        signal.signal(signal.SIGTERM, previous)
        shutil.rmtree(folder, ignore_errors=True)


def _exit_on_sigterm(_signum: int, _frame: object) -> None:
    raise SystemExit(0)


def check(config: PortalConfig) -> tuple[int, list[str]]:
    """Verify every stored file against its SHA-256 and that every recorded file is there."""
    store = Storage(config)
    try:
        problems: list[str] = []
        on_disk = set(store.blobs.all_hashes())
        for sha in sorted(on_disk):
            if not store.blobs.verify(sha):
                problems.append(text("portal.cli.check_bad", sha=sha))
        recorded = {r["sha256"] for r in store.blob_rows()} | store.referenced_hashes()
        for sha in sorted(recorded - on_disk):
            problems.append(text("portal.cli.check_missing", sha=sha))
        return len(on_disk), problems
    finally:
        store.close()
