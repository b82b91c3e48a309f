"""`barometro checks`: print the catalogue of validator findings."""

from __future__ import annotations

import click


@click.command("checks")
@click.option("--format", "fmt", type=click.Choice(["text", "markdown"]), default="text", show_default=True,
              help="text: one line per code; markdown: the CHECKS.md document.")
@click.option("--lang", type=click.Choice(["it", "en"]), default=None, help="Language of messages.")
def command(fmt: str, lang: str | None) -> None:
    """Print every finding code the validator can report, with severity and meaning.

    \b
    Example:
      barometro checks
      barometro checks --format markdown > CHECKS.md
    """
    from barometro.messages import set_language, text

    if lang:
        set_language(lang)
    from barometro.validators.catalogue import render
    from barometro.validators.findings import CODES

    if fmt == "markdown":
        click.echo(render(lang or "it"))
        return
    for code, spec in CODES.items():
        title = text(f"validators.{code}.title")
        sev = spec.severity.label()
        click.echo(f"{code}  {sev:<12} {spec.slug:<34} {title}")
