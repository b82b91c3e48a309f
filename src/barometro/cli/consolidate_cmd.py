"""`barometro consolidate`: validate the returns, merge them, publish the Relazione."""

from __future__ import annotations

import click


@click.command("consolidate")
@click.argument("paths", nargs=-1, required=True, type=click.Path(path_type=str))
@click.option("--master", "master", required=True, type=click.Path(exists=True, dir_okay=False),
              help="The master workbook the sector files were built from.")
@click.option("-o", "--output", required=True, type=click.Path(dir_okay=False),
              help="The consolidated workbook to write (.xlsx).")
@click.option("--html", "html_out", type=click.Path(dir_okay=False), help="Also write the Relazione as HTML.")
@click.option("--pdf", "pdf_out", type=click.Path(dir_okay=False),
              help="Also write the Relazione as PDF (tagged, PDF/UA-1).")
@click.option("--csv", "csv_out", type=click.Path(dir_okay=False),
              help="Also write the indicator table as open data, CSV (UTF-8).")
@click.option("--ods", "ods_out", type=click.Path(dir_okay=False),
              help="Also write the indicator table as open data, ODS.")
@click.option("--settings", "settings_src", default=None,
              help="Scoring settings: a profile name (default, cremona) or a TOML file. Default: the master's.")
@click.option("--include-errors", is_flag=True, help="Include files with validation errors (marked everywhere).")
@click.option("--prefer", "prefer", multiple=True, metavar="FILE",
              help="The return that wins when a sector sent more than one (repeatable).")
@click.option("--deadline", default=None, metavar="AAAA-MM-GG",
              help="Delivery deadline: each file's modification date is compared with it.")
@click.option("--jobs", type=int, default=None, help="Processes used to validate (default: automatic).")
@click.option("--limit", "limit_pairs", multiple=True, metavar="NAME=VALUE",
              help="Change a reading budget, as for `barometro validate` (repeatable).")
def command(paths, master, output, html_out, pdf_out, csv_out, ods_out, settings_src, include_errors, prefer,
            deadline, jobs, limit_pairs):
    """Consolidate the sector returns into the Relazione sulla Performance.

    Validates every file first: files with errors are refused and listed
    (unless --include-errors), warnings do not block. Values are merged by
    indicator id; every indicator of the plan appears once, or is listed as
    "non pervenuto". Two different returns of one sector stop the run until
    --prefer says which one wins. Outputs are written only when all succeed.

    \b
    Exit codes: 0 written, 1 blocked (duplicate returns), 2 the run could not
    proceed (bad master or option, no files, an output that cannot be
    written), 3 Barometro itself failed (one line on stderr names the stage;
    BAROMETRO_DEBUG=1 shows the traceback). A damaged or hostile return never
    stops the run: it is refused and listed with its findings.

    \b
    Example:
      barometro consolidate ritorni/ --master modelli/master.xlsx -o relazione.xlsx \\
          --html relazione.html --pdf relazione.pdf --deadline 2022-03-31 \\
          --prefer ritorni/cultura_v2.xlsx --csv indicatori.csv --ods indicatori.ods
    """
    from datetime import date

    from barometro.consolidation import ConsolidationError, consolidate
    from barometro.messages import text
    from barometro.names import display_name
    from barometro.validators.reader import Limits

    from ._output import EXIT_CANNOT_PROCEED, crash_exit, emit

    def t(key: str, **values: object) -> str:
        return text(f"consolidation.{key}", **values)

    due = None
    if deadline:
        try:
            due = date.fromisoformat(deadline)
        except ValueError:
            raise click.UsageError(t("error.deadline", value=deadline)) from None
    try:
        limits = Limits.parse(limit_pairs)
    except ValueError as exc:
        emit(text("validators.cli.bad_limit", detail=str(exc)), err=True)
        raise SystemExit(EXIT_CANNOT_PROCEED) from None
    try:
        result = consolidate(
            list(paths), master=master, output=output, html=html_out, pdf=pdf_out, csv=csv_out, ods=ods_out,
            settings=settings_src,
            include_errors=include_errors, prefer=list(prefer), deadline=due, jobs=jobs, limits=limits,
        )
        from barometro.consolidation.text_output import render_text

        emit(render_text(result))
    except ConsolidationError as exc:
        emit(t("cli.error", detail=str(exc)), err=True)
        raise SystemExit(EXIT_CANNOT_PROCEED) from None
    except OSError as exc:  # an output folder that cannot be written, a full disk
        emit(text("validators.cli.output_failed", path=display_name(exc.filename or output),
                  detail=display_name(exc.strerror or str(exc))), err=True)
        raise SystemExit(EXIT_CANNOT_PROCEED) from None
    except Exception as exc:  # noqa: BLE001 - Barometro's own failure: exit 3
        crash_exit("consolidate", "", exc)
    if result.blocked:
        emit(t("cli.blocked"), err=True)
        raise SystemExit(1)
    if result.merge.used_files == 0:  # outputs written (marked "nothing usable"), but nothing to report
        emit(t("cli.nothing_usable"), err=True)
        raise SystemExit(1)
