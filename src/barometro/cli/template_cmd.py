"""`barometro template`: the master and one workbook per sector from a plan."""

from __future__ import annotations

from pathlib import Path

import click


@click.command("template")
@click.argument("plan_path", metavar="PLAN.xlsx", type=click.Path(path_type=Path, dir_okay=False))
@click.option("-o", "--outdir", required=True, type=click.Path(path_type=Path, file_okay=False),
              help="Output folder: master.xlsx and settori/<sector>.xlsx are written there.")
@click.option("--settings", "settings_source", default=None, metavar="FILE|PROFILE",
              help="Scoring settings: a TOML file or a shipped profile name (default: default).")
@click.option("--strict", is_flag=True, help="Write nothing if the plan has problems (exit code 1).")
def command(plan_path: Path, outdir: Path, settings_source: str | None, strict: bool) -> None:
    """Build the master workbook and the sector workbooks from a plan.

    Every computed cell is a native formula (no macros): the files work in
    Excel, Excel on the web and LibreOffice. Plan problems (weights not summing
    to 100, repeated indicators, missing targets, weights, sectors or owners)
    are listed before the files are written.

    \b
    Example:
      barometro template piano.xlsx -o modelli/
      barometro template piano.xlsx -o modelli/ --settings cremona --strict
    """
    from barometro.messages import text
    from barometro.settings import SettingsError, load_settings

    try:
        settings = load_settings(settings_source)
    except SettingsError as exc:
        raise click.ClickException(text("template.cli.settings_error", error=exc)) from None
    try:
        from barometro.plan_io import read_plan

        plan = read_plan(plan_path)
    except Exception as exc:  # noqa: BLE001 - bad input: a message, never a traceback
        raise click.ClickException(text("template.cli.plan_error", path=plan_path, error=exc)) from None

    from barometro.workbook_templates.builder import BuildError, build_templates
    from barometro.workbook_templates.plan_checks import check_plan

    problems = check_plan(plan)
    if problems:
        click.echo(text("template.cli.problems_header", count=len(problems)), err=True)
        for problem in problems:
            click.echo(f"  - {problem.message}", err=True)
    else:
        click.echo(text("template.cli.no_problems"))
    if strict and problems:
        raise click.ClickException(text("template.cli.strict_stop", count=len(problems)))
    try:
        result = build_templates(plan, settings, outdir)
    except BuildError as exc:
        raise click.ClickException(text("template.cli.plan_error", path=plan_path, error=exc)) from None
    except OSError as exc:
        raise click.ClickException(text("template.cli.io_error", path=outdir, error=exc)) from None
    click.echo(text("template.cli.written_master", path=result.master))
    click.echo(text("template.cli.written_sectors", count=len(result.sectors), path=outdir / "settori"))
