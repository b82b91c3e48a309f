"""`barometro serve`: the collection portal for the office and every sector."""

from __future__ import annotations

import sys
from pathlib import Path

import click


@click.command("serve")
@click.option("--data", "data_dir", type=click.Path(path_type=Path, file_okay=False), default=Path("barometro-dati"),
              show_default=True, help="The data folder (database and every stored file). A backup is a copy of it.")
@click.option("--host", default="127.0.0.1", show_default=True,
              help="Address to listen on; keep localhost and put the comune's HTTPS reverse proxy in front.")
@click.option("--port", default=8765, show_default=True, type=int)
@click.option("--database-url", default=None, metavar="URL",
              help="PostgreSQL instead of the SQLite file, e.g. postgresql://barometro@localhost/barometro.")
@click.option("--max-upload-mb", default=25.0, show_default=True, type=float, help="Largest accepted upload.")
@click.option("--workers", default=2, show_default=True, type=int, help="Validation worker processes.")
@click.option("--behind-proxy", is_flag=True,
              help="Trust X-Forwarded-Proto/For from the local reverse proxy and mark cookies Secure (HTTPS).")
@click.option("--demo", is_flag=True, help="Start on a temporary folder with the Cremona 2021 campaign loaded.")
@click.option("--check", "check_only", is_flag=True, help="Verify every stored file against its hash, then exit.")
def command(data_dir: Path, host: str, port: int, database_url: str | None, max_upload_mb: float, workers: int,
            behind_proxy: bool, demo: bool, check_only: bool) -> None:
    """Start the web portal: the office runs the year from a browser, each sector uploads its file.

    Everything is kept under --data: an SQLite database and every uploaded or
    generated file, stored once by its SHA-256 and never overwritten.

    \b
    Example:
      barometro serve --demo
      barometro users add segreteria --data /srv/barometro-dati
      barometro serve --data /srv/barometro-dati --behind-proxy
      barometro serve --check --data /srv/barometro-dati
    """
    from barometro.messages import text
    from barometro.portal.config import PortalConfig
    from barometro.portal.server import check, serve
    from barometro.portal.server import demo as run_demo

    if demo:
        run_demo(host, port, echo=click.echo)
        return
    config = PortalConfig(data_dir=data_dir, database_url=database_url,
                          max_upload_bytes=int(max_upload_mb * 1024 * 1024), workers=workers,
                          secure_cookies=behind_proxy)
    if check_only:
        count, problems = check(config)
        for p in problems:
            click.echo(p, err=True)
        if problems:
            click.echo(text("portal.cli.check_failed", count=len(problems)), err=True)
            sys.exit(1)
        click.echo(text("portal.cli.check_ok", count=count))
        return
    serve(config, host, port, forwarded_allow_ips="127.0.0.1" if behind_proxy else None, echo=click.echo)
