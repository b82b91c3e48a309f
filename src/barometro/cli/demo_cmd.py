"""`barometro demo`: the whole year on the Comune di Cremona's 2021 report."""

from __future__ import annotations

from pathlib import Path

import click


@click.command("demo")
@click.argument("outdir", type=click.Path(path_type=Path, file_okay=False))
@click.option("--settings", "settings_source", default="cremona", show_default=True,
              metavar="FILE|PROFILE", help="Scoring settings: a TOML file or a shipped profile name.")
@click.option("--timeout", default=300, show_default=True, help="Seconds allowed to LibreOffice.")
def command(outdir: Path, settings_source: str, timeout: int) -> None:
    """Run a whole year on the bundled Cremona 2021 report.

    Imports the report into OUTDIR/piano.xlsx, builds the templates in
    OUTDIR/modelli/, fills every sector file and the master with the 2021
    actuals and notes (OUTDIR/ritorni/, OUTDIR/master_compilato.xlsx),
    recalculates them with LibreOffice and prints, per strategic line, the
    recomputed % next to the published one.

    \b
    Example:
      barometro demo demo_cremona/
      barometro demo demo_default/ --settings default
    """
    from barometro.demo import render_demo, run_demo
    from barometro.messages import text
    from barometro.settings import SettingsError, load_settings

    try:
        settings = load_settings(settings_source)
    except SettingsError as exc:
        raise click.ClickException(text("template.cli.settings_error", error=exc)) from None
    try:
        result = run_demo(outdir, settings, timeout=timeout, progress=click.echo)
    except OSError as exc:
        raise click.ClickException(text("template.cli.io_error", path=outdir, error=exc)) from None
    click.echo(render_demo(result), err=not result.recalculated)
