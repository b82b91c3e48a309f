"""`barometro rollover`: next year's plan from this year's results, and a continuity report."""

from __future__ import annotations

import sys

import click


@click.command("rollover")
@click.argument("source", type=click.Path(exists=True, dir_okay=False, path_type=str))
@click.argument("new_plan", required=False, type=click.Path(exists=True, dir_okay=False, path_type=str))
@click.option("-o", "--output", type=click.Path(dir_okay=False, path_type=str), default=None,
              help="The plan workbook to write (.xlsx).")
@click.option("--year", type=int, default=None, help="Year of the new plan (default: the next one).")
@click.option("--period", default="consuntivo", show_default=True,
              help="Period of the new plan: consuntivo, or monitoraggio-AAAA-MM-GG.")
@click.option("--targets", type=click.Choice(["blank", "copy"]), default="blank", show_default=True,
              help="New targets blank (the office writes them) or copied from last year.")
@click.option("--compare", is_flag=True,
              help="Compare two plans (SOURCE = the old one, NEW_PLAN = the new one) instead.")
@click.option("--report", "report_path", type=click.Path(dir_okay=False, path_type=str), default=None,
              help="Also write the continuity report as an .xlsx.")
def command(source: str, new_plan: str | None, output: str | None, year: int | None, period: str, targets: str,
            compare: bool, report_path: str | None) -> None:
    """Turn a consolidated workbook (or last year's report) into next year's plan.

    Keeps the indicator and objective ids, texts, weights, kinds and polarities; last
    year's target, actual and % Ragg become reference columns (the sectors see last
    year's actual beside each row; the validator uses it for plausibility). Lists what
    the office should look at: targets already reached, indicators missed or
    neutralised last year; with --compare, ids added or removed and objectives that
    changed sector or owner.

    \b
    Example:
      barometro rollover relazione_2021.xlsx -o piano_2022.xlsx --report continuita.xlsx
      barometro rollover relazione_2021.txt -o piano_2022.xlsx --targets copy
      barometro rollover --compare piano_2021.xlsx piano_2022.xlsx
    """
    from barometro.messages import text
    from barometro.rollover import run_rollover_command

    try:
        lines = run_rollover_command(source, new_plan, output=output, year=year, period=period,
                                     copy_targets=targets == "copy", compare=compare, report=report_path)
    except ValueError as exc:
        click.echo(text("rollover.cli.error", detail=str(exc)), err=True)
        sys.exit(2)
    click.echo("\n".join(lines))
