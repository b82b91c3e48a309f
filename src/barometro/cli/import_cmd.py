"""`barometro import`: a published report (.txt / .xlsx) becomes the plan workbook."""

from __future__ import annotations

import click


@click.command("import")
@click.argument("report", type=click.Path(dir_okay=False, path_type=str))
@click.option("-o", "--output", "output", required=True, type=click.Path(dir_okay=False, path_type=str),
              help="Plan workbook to write (.xlsx).")
@click.option("--json", "as_json", is_flag=True, help="Print the result as JSON instead of text.")
@click.option("--settings", "settings_source", default=None,
              help="Settings profile or TOML file used to recheck the published % (default: default).")
def command(report: str, output: str, as_json: bool, settings_source: str | None) -> None:
    """Import a published Relazione sulla Performance into a plan workbook.

    Reads the report's tables (tab-separated text or .xlsx), repairs shifted
    cells, infers kind/polarity, and writes the plan (sheets Piano, Linee,
    Info, Da verificare) for the office to check and edit.

    \b
    Example:
      barometro import relazione_2021.txt -o piano_2022.xlsx
      barometro import relazione_2021.xlsx -o piano.xlsx --json
    """
    import json
    from pathlib import Path

    from barometro.legacy import LegacyFormatError, import_report
    from barometro.messages import text
    from barometro.settings import SettingsError, load_settings

    try:
        settings = load_settings(settings_source)
    except SettingsError as exc:
        raise click.ClickException(str(exc)) from None
    out = Path(output)
    if out.suffix.lower() not in (".xlsx",):
        raise click.ClickException(text("legacy.cli.output_suffix", path=output))
    if Path(report).resolve() == out.resolve():
        raise click.ClickException(text("legacy.cli.same_file"))
    try:
        result = import_report(report, settings)
    except LegacyFormatError as exc:
        raise click.ClickException(str(exc)) from None

    from barometro.plan_io import write_plan

    try:
        write_plan(result.plan, out, result.issues)
    except OSError as exc:
        raise click.ClickException(text("legacy.cli.write_error", path=output, error=exc.strerror or exc)) from None
    from barometro.legacy.summary import import_summary, render_import

    summary = import_summary(result, settings, report=report, output=out)
    if as_json:
        click.echo(json.dumps(summary, ensure_ascii=False, indent=2))
        return
    click.echo(render_import(result, settings, out))
