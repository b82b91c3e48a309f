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
    import tempfile

    from barometro.addin.office_workbook import (
        OfficeWorkbookError,
        build_office_workbook,
        is_master,
    )
    from barometro.messages import text

    if not plan_or_master.is_file():
        raise click.ClickException(text("addin.office.input_missing", path=plan_or_master))
    try:
        with tempfile.TemporaryDirectory(prefix="barometro-office-") as tmp:
            master = plan_or_master
            if not is_master(plan_or_master):
                master = _master_from_plan(plan_or_master, settings_source, Path(tmp) / "master.xlsx")
            result = build_office_workbook(master, output, returns_folder=returns_folder)
    except OfficeWorkbookError as exc:
        raise click.ClickException(str(exc)) from None
    click.echo(text("addin.office.written", path=result.path, sheets=len(result.sheets),
                    modules=", ".join(result.modules)))


def _master_from_plan(plan_path: Path, settings_source: str | None, target: Path) -> Path:
    """Build a master from a plan with the template builder (the plan readers are theirs)."""
    from barometro.addin.office_workbook import OfficeWorkbookError
    from barometro.messages import text
    from barometro.settings import SettingsError, load_settings

    try:
        from barometro.plan_io import read_plan  # the importer's plan reader
    except ImportError:
        read_plan = None
    try:
        if plan_path.suffix.lower() == ".txt":
            from barometro.legacy import import_report

            plan = import_report(plan_path).plan
        elif read_plan is not None:
            plan = read_plan(plan_path)
        else:
            raise OfficeWorkbookError(text("addin.office.bad_input", path=plan_path, reason="plan reader missing"))
        settings = load_settings(settings_source or "default")
    except (SettingsError, ValueError, OSError) as exc:
        raise OfficeWorkbookError(text("addin.office.bad_input", path=plan_path, reason=exc)) from None
    from barometro.workbook_templates.builder import build_workbook

    return build_workbook(plan, settings, target)
