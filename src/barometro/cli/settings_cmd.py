"""`barometro settings`: show a settings profile or file as the tool reads it."""

from __future__ import annotations

import click


@click.command("settings")
@click.argument("source", required=False, default="default")
def command(source: str) -> None:
    """Show the scoring method of a profile name or a TOML file.

    \b
    Example:
      barometro settings cremona
      barometro settings impostazioni_ente.toml
    """
    from barometro.settings import SettingsError, load_settings, profile_names

    try:
        settings = load_settings(source)
    except SettingsError as exc:
        raise click.ClickException(str(exc)) from None
    click.echo(f"# profiles shipped: {', '.join(profile_names())}")
    click.echo("[scoring]")
    for key, value in settings.to_dict().items():
        click.echo(f"{key} = {value!r}" if isinstance(value, str) else f"{key} = {value}")
    click.echo("")
    click.echo(settings.describe_it())
