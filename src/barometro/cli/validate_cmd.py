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
              help="text: a table and the findings; json: one document on stdout (see CHECKS.md).")
@click.option("--annotate", "annotate_dir", type=click.Path(path_type=str), default=None,
              help="Write a highlighted, commented copy of each workbook with a 'Problemi' sheet here.")
@click.option("--report", "report_path", type=click.Path(path_type=str), default=None,
              help="Write one .xlsx summarising the batch (per sector: status, counts by code).")
@click.option("--jobs", "-j", type=int, default=None, help="Worker processes (default: automatic).")
@click.option("--lang", type=click.Choice(["it", "en"]), default=None, help="Language of messages.")
@click.option("--no-progress", is_flag=True, help="No progress bar on stderr.")
def command(paths: tuple[str, ...], master: str | None, settings_src: str | None, fmt: str,
            annotate_dir: str | None, report_path: str | None, jobs: int | None, lang: str | None,
            no_progress: bool) -> None:
    """Validate returned workbooks (files or folders) in one batch.

    Every file gets a status (ok, avvisi, errori, illeggibile) and a list of
    findings with a permanent code (see `barometro checks`). Exit code 0: no
    errors; 1: some file has errors or is unreadable; 2: the run could not
    proceed (unusable master, no files).

    \b
    Example:
      barometro validate ritorni/ --master modelli/master.xlsx
      barometro validate ritorni/*.xlsx --format json > esito.json
      barometro validate ritorni/ --annotate annotati/ --report esito.xlsx -j 2
    """
    from barometro.messages import set_language, text

    if lang:
        set_language(lang)
    from barometro.settings import SettingsError, load_settings
    from barometro.validators import validate_paths

    settings = None
    if settings_src:
        try:
            settings = load_settings(settings_src)
        except SettingsError as exc:
            click.echo(text("validators.cli.fatal", detail=str(exc)), err=True)
            sys.exit(2)
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

    report = validate_paths(list(paths), master=master, settings=settings, jobs=jobs, progress=progress)
    bar = bar_ctx.get("bar")
    if bar is not None:
        bar.__exit__(None, None, None)  # type: ignore[attr-defined]
    if report.fatal:
        if fmt == "json":
            click.echo(report.to_json())
        else:
            click.echo(text("validators.cli.fatal", detail=report.fatal), err=True)
        sys.exit(2)
    if annotate_dir:
        from barometro.validators.annotate import annotate_batch

        written = annotate_batch(report, annotate_dir)
        click.echo(text("validators.cli.annotated", count=len(written), path=annotate_dir), err=True)
    if report_path:
        from barometro.validators.batch_workbook import write_batch_workbook

        write_batch_workbook(report, report_path)
        click.echo(text("validators.cli.written", path=report_path), err=True)
    if fmt == "json":
        click.echo(report.to_json())
    else:
        from barometro.validators.text_output import render_text

        click.echo(render_text(report))
    sys.exit(report.exit_code)
