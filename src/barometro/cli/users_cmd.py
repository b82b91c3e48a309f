"""`barometro users`: the performance office's accounts on the portal."""

from __future__ import annotations

import os
import sys
from pathlib import Path

import click

_data = click.option("--data", "data_dir", type=click.Path(path_type=Path, file_okay=False),
                     default=Path("barometro-dati"), show_default=True, help="The portal's data folder.")
_db = click.option("--database-url", default=None, metavar="URL", help="PostgreSQL URL, when used.")


@click.group("users")
def command() -> None:
    """Office accounts of the portal (sectors need none: they get a link).

    \b
    Example:
      barometro users add segreteria --data /srv/barometro-dati
      BAROMETRO_PASSWORD=... barometro users add ufficio --data /srv/barometro-dati
      barometro users list --data /srv/barometro-dati
    """


@command.command("add")
@click.argument("name")
@_data
@_db
def add(name: str, data_dir: Path, database_url: str | None) -> None:
    """Create an office user; the password comes from $BAROMETRO_PASSWORD or a prompt.

    \b
    Example:
      barometro users add segreteria --data /srv/barometro-dati
    """
    from barometro.messages import text
    from barometro.portal import auth
    from barometro.portal.config import PortalConfig
    from barometro.portal.storage import Storage

    password = os.environ.get("BAROMETRO_PASSWORD")
    if password is None:
        password = click.prompt(text("portal.cli.password_prompt", name=name), hide_input=True,
                                confirmation_prompt=True)
    if len(password) < auth.MIN_PASSWORD:
        click.echo(text("portal.cli.password_short", min=auth.MIN_PASSWORD), err=True)
        sys.exit(2)
    store = Storage(PortalConfig(data_dir=data_dir, database_url=database_url))
    try:
        if store.user_by_name(name) is not None:
            click.echo(text("portal.cli.user_exists", name=name), err=True)
            sys.exit(1)
        auth.add_user(store, name, password)
    finally:
        store.close()
    click.echo(text("portal.cli.user_added", name=name))


@command.command("list")
@_data
@_db
def list_users(data_dir: Path, database_url: str | None) -> None:
    """List the office users.

    \b
    Example:
      barometro users list --data /srv/barometro-dati
    """
    from barometro.messages import text
    from barometro.portal.config import PortalConfig
    from barometro.portal.storage import Storage

    store = Storage(PortalConfig(data_dir=data_dir, database_url=database_url))
    try:
        users = store.users()
    finally:
        store.close()
    if not users:
        click.echo(text("portal.cli.no_users"))
    for u in users:
        click.echo(f"{u['username']}\t{u['created_at']}\t{u['last_login_at'] or ''}")
