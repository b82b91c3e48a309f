"""`barometro office`: build the performance office's workbook (master.xlsm with buttons)."""

from __future__ import annotations

from pathlib import Path

import click


@click.command("office")
@click.argument("plan_or_master", type=click.Path(dir_okay=False, path_type=Path))
@click.option("-o", "--output", type=click.Path(dir_okay=False, path_type=Path), required=True,
              help="The office workbook to write (.xlsm).")
@click.option("--settings", "settings_source", default=None,
              help="Settings profile or TOML file, used when PLAN_OR_MASTER is a plan (default: the plan's).")
@click.option("--returns", "returns_folder", default="",
              help="Folder of the sectors' returned files, written in the Impostazioni sheet.")
def command(plan_or_master: Path, output: Path, settings_source: str | None, returns_folder: str) -> None:
    """Build the office workbook: the master plus the buttons Ricalcola, Valida,
    Consolida (VBA calling barometro.addin.macros through xlwings' RunPython),
    the Impostazioni and xlwings.conf sheets and the BAR_* functions.

    PLAN_OR_MASTER is a master workbook built by `barometro template` (it has
    the hidden _barometro sheet), or a plan accepted by `barometro template`.

    \b
    Example:
      barometro office modelli/master.xlsx -o master.xlsm --returns ritorni/
      barometro office piano.xlsx --settings cremona -o master.xlsm
    """
    from barometro.addin.office_workbook import OfficeWorkbookError, office_workbook_from
    from barometro.messages import text

    try:
        result = office_workbook_from(plan_or_master, output, settings=settings_source,
                                      returns_folder=returns_folder)
    except OfficeWorkbookError as exc:
        raise click.ClickException(str(exc)) from None
    click.echo(text("addin.office.written", path=result.path, sheets=len(result.sheets),
                    modules=", ".join(result.modules)))
