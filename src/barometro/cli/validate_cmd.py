"""`barometro validate`: check returned workbooks against the master and the spec."""

from __future__ import annotations

import sys

import click


@click.command("validate")
@click.argument("paths", nargs=-1, required=True, type=click.Path(path_type=str))
@click.option("--master", "master", type=click.Path(path_type=str), default=None,
              help="The master.xlsx the returns were generated from (default: a master.xlsx beside them).")
@click.option("--settings", "settings_src", default=None,
              help="Settings profile name or TOML file (default: the ones stored in the templates).")
@click.option("--format", "fmt", type=click.Choice(["text", "json"]), default="text", show_default=True,
              help="text: a table and the findings; json: one document on stdout, UTF-8 (see CHECKS.md).")
@click.option("--annotate", "annotate_dir", type=click.Path(path_type=str), default=None,
              help="Write a highlighted, commented copy of each workbook with a 'Problemi' sheet here.")
@click.option("--report", "report_path", type=click.Path(path_type=str), default=None,
              help="Write one .xlsx summarising the batch (per sector: status, counts by code).")
@click.option("--jobs", "-j", type=int, default=None, help="Worker processes (default: automatic).")
@click.option("--limit", "limit_pairs", multiple=True, metavar="NAME=VALUE",
              help="Change a reading budget (repeatable): cells, sheets, strings, entries, formula, text, "
                   "entry_mb, total_mb, file_mb, seconds. Example: --limit cells=100000 --limit seconds=3")
@click.option("--lang", type=click.Choice(["it", "en"]), default=None, help="Language of messages.")
@click.option("--no-progress", is_flag=True, help="No progress bar on stderr.")
def command(paths: tuple[str, ...], master: str | None, settings_src: str | None, fmt: str,
            annotate_dir: str | None, report_path: str | None, jobs: int | None, limit_pairs: tuple[str, ...],
            lang: str | None, no_progress: bool) -> None:
    """Validate returned workbooks (files or folders) in one batch.

    Every file gets a status (ok, avvisi, errori, illeggibile) and a list of
    findings with a permanent code (see `barometro checks`); every other entry
    of a folder is listed as skipped, with the reason. No file, however damaged
    or hostile, stops the batch: it ends in findings for that file.

    \b
    Exit codes:
      0  no errors (warnings allowed)
      1  some file has errors or is unreadable
      2  the run could not proceed (unusable master, no files, bad option,
         an output that cannot be written): a message says why
      3  Barometro itself failed: one line on stderr names the stage and the
         file (BAROMETRO_DEBUG=1 shows the traceback); with --format json the
         document has "exit_code": 3 and a "crash" entry

    \b
    Example:
      barometro validate ritorni/ --master modelli/master.xlsx
      barometro validate ritorni/*.xlsx --format json > esito.json
      barometro validate ritorni/ --annotate annotati/ --report esito.xlsx -j 2
    """
    from barometro.messages import set_language, text

    from ._output import EXIT_CANNOT_PROCEED, crash_exit, emit

    if lang:
        set_language(lang)
    from barometro.settings import SettingsError, load_settings
    from barometro.validators import validate_paths
    from barometro.validators.reader import Limits

    try:
        limits = Limits.parse(limit_pairs)
    except ValueError as exc:
        emit(text("validators.cli.bad_limit", detail=str(exc)), err=True)
        sys.exit(EXIT_CANNOT_PROCEED)
    settings = None
    if settings_src:
        try:
            settings = load_settings(settings_src)
        except SettingsError as exc:
            emit(text("validators.cli.fatal", detail=str(exc)), err=True)
            sys.exit(EXIT_CANNOT_PROCEED)
    show_bar = fmt == "text" and not no_progress and sys.stderr.isatty()
    bar_ctx: dict[str, object] = {}

    def progress(done: int, total: int, _path: str) -> None:
        if not show_bar:
            return
        bar = bar_ctx.get("bar")
        if bar is None:
            bar = click.progressbar(length=total, label=text("validators.cli.progress"), file=sys.stderr)
            bar.__enter__()
            bar_ctx["bar"] = bar
        bar.update(done - int(bar_ctx.get("done", 0)))  # type: ignore[attr-defined]
        bar_ctx["done"] = done

    stage: dict[str, object] = {"stage": "validate", "file": ""}
    report = None
    try:
        report = validate_paths(list(paths), master=master, settings=settings, jobs=jobs, progress=progress,
                                limits=limits)
        bar = bar_ctx.get("bar")
        if bar is not None:
            bar.__exit__(None, None, None)  # type: ignore[attr-defined]
        if report.fatal:
            if fmt == "json":
                emit(report.to_json(), utf8=True)
            else:
                emit(text("validators.cli.fatal", detail=report.fatal), err=True)
            sys.exit(EXIT_CANNOT_PROCEED)
        if annotate_dir:
            from barometro.validators.annotate import annotate_batch

            stage.update(stage="annotate", file=annotate_dir)
            try:
                written = annotate_batch(report, annotate_dir, limits)
            except OSError as exc:
                _cannot_write(annotate_dir, exc)
            emit(text("validators.cli.annotated", count=len(written), path=_name(annotate_dir)), err=True)
            missing = sum(1 for f in report.files if any(x.code == "R029" for x in f.findings))
            if missing:
                emit(text("validators.cli.no_copy", count=missing), err=True)
        if report_path:
            from barometro.validators.batch_workbook import write_batch_workbook

            stage.update(stage="report", file=report_path)
            try:
                write_batch_workbook(report, report_path)
            except OSError as exc:
                _cannot_write(report_path, exc)
            emit(text("validators.cli.written", path=_name(report_path)), err=True)
        stage.update(stage="output", file="")
        if fmt == "json":
            emit(report.to_json(), utf8=True)
        else:
            from barometro.validators.text_output import render_text

            emit(render_text(report))
    except Exception as exc:  # noqa: BLE001 - Barometro's own failure: exit 3, never 1
        if fmt == "json" and report is not None:
            from ._output import crash_message

            report.crash = {"stage": str(stage["stage"]), "file": _name(str(stage["file"])),
                            "error": type(exc).__name__, "message": crash_message(stage["stage"], stage["file"], exc)}
            try:
                emit(report.to_json(), utf8=True)
            except Exception:  # noqa: BLE001,S110 - the stderr line below still says what happened
                pass
        crash_exit(str(stage["stage"]), stage["file"], exc)
    sys.exit(report.exit_code)


def _name(path: str) -> str:
    from barometro.names import display_name

    return display_name(path)


def _cannot_write(path: str, exc: OSError) -> None:
    from barometro.messages import text

    from ._output import EXIT_CANNOT_PROCEED, emit

    emit(text("validators.cli.output_failed", path=_name(path), detail=_name(exc.strerror or str(exc))), err=True)
    sys.exit(EXIT_CANNOT_PROCEED)
