"""`barometro extension`: build the LibreOffice Calc extension (barometro.oxt)."""

from __future__ import annotations

from pathlib import Path

import click


@click.command("extension")
@click.option("-o", "--output", type=click.Path(dir_okay=False, path_type=Path), default=Path("barometro.oxt"),
              show_default=True, help="The extension file to write (.oxt).")
@click.option("--committed-types", is_flag=True,
              help="Use the type library kept with the sources even when unoidl-write is installed.")
def command(output: Path, committed_types: bool) -> None:
    """Build the LibreOffice Calc extension: the BAR_* functions with Italian
    help in the Function Wizard, and a Barometro menu and toolbar with
    Ricalcola, Valida and Consolida, running the same code as the Excel
    buttons. Barometro and openpyxl travel inside the extension: the office
    installs only the .oxt (Strumenti > Gestione estensioni).

    \b
    Example:
      barometro extension -o barometro.oxt
      unopkg add barometro.oxt        # or double-click it
    """
    from barometro.addin.extension_build import ExtensionBuildError, build_extension
    from barometro.messages import text

    try:
        result = build_extension(output, unoidl_write=False if committed_types else None)
    except ExtensionBuildError as exc:
        raise click.ClickException(str(exc)) from None
    rdb = text("addin.ext.cli.rdb_built" if result.rdb == "unoidl-write" else "addin.ext.cli.rdb_committed")
    click.echo(text("addin.ext.cli.written", path=result.path, size=round(result.size / 1e6, 2), rdb=rdb))
