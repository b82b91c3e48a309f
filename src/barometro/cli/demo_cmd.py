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
    import shutil
    import tempfile
    from importlib import resources

    from barometro.atomic import atomic_path
    from barometro.messages import text
    from barometro.numbers import format_it
    from barometro.recalc import RecalcError, recalculate
    from barometro.settings import SettingsError, load_settings
    from barometro.workbook_templates.builder import build_templates
    from barometro.workbook_templates.fill import fill_workbook
    from barometro.workbook_templates.master_reader import read_template
    from barometro.workbook_templates.results import computed_summary

    try:
        settings = load_settings(settings_source)
    except SettingsError as exc:
        raise click.ClickException(text("template.cli.settings_error", error=exc)) from None
    try:
        from barometro.legacy import import_report
        from barometro.plan_io import write_plan
    except ImportError as exc:
        raise click.ClickException(text("template.demo.import_missing", error=exc)) from None

    click.echo(text("template.demo.importing"))
    source = resources.files("barometro") / "data" / "cremona_relazione_performance_2021.txt"
    with resources.as_file(source) as seed:
        imported = import_report(seed)
    plan = imported.plan
    try:
        write_plan(plan, outdir / "piano.xlsx", issues=imported.issues)
        click.echo(text("template.demo.plan_written", path=outdir / "piano.xlsx",
                        indicators=len(plan.indicators), lines=len(plan.lines)))
        built = build_templates(plan, settings, outdir / "modelli")
    except OSError as exc:
        raise click.ClickException(text("template.cli.io_error", path=outdir, error=exc)) from None
    click.echo(text("template.demo.templates_written", path=outdir / "modelli", count=len(built.sectors)))

    values = {ind.id: (ind.actual, ind.note or None) for ind in plan.indicators}
    finals: list[Path] = [outdir / "ritorni" / p.name for p in built.sectors.values()]
    finals.append(outdir / "master_compilato.xlsx")
    with tempfile.TemporaryDirectory(prefix="barometro-demo-") as tmp_name:
        tmp = Path(tmp_name)
        filled = [fill_workbook(p, tmp / "filled" / p.name, values).path for p in built.sectors.values()]
        filled.append(fill_workbook(built.master, tmp / "filled" / "master_compilato.xlsx", values).path)
        click.echo(text("template.demo.filled", count=len(filled)))
        click.echo(text("template.demo.recalculating", count=len(filled)))
        recalculated = True
        try:
            results = recalculate(filled, tmp / "recalc", timeout=timeout)
        except RecalcError as exc:
            click.echo(text("template.demo.no_libreoffice", error=exc), err=True)
            results, recalculated = filled, False
        for produced, final in zip(results, finals, strict=True):
            with atomic_path(final) as out_tmp:
                shutil.move(str(produced), out_tmp)

    if not recalculated:
        return
    layout = read_template(built.master).layout
    summary = computed_summary(outdir / "master_compilato.xlsx", layout)
    from barometro.legacy import line_check

    checks = {c.line_id: c for c in line_check(imported.report, plan, settings)}
    rows = [(text("template.demo.table_header").split(" | "))]
    notes: list[str] = []
    for block in layout.blocks:
        line = block.line
        got = summary.lines.get(line.id)
        check = checks.get(line.id)
        published = line.published_pct
        from_typed = check.from_typed if check else None
        verdict = ""
        if check is not None and published is not None:
            verdict = text("template.demo.yes" if check.matches else "template.demo.no")
            if not check.matches:
                notes.append(f"- {line.sheet_name}: {check.explanation}")
            elif got is not None and abs(got - published) > 0.01:
                notes.append(f"- {line.sheet_name}: " + text(
                    "template.demo.typed_differs", recomputed=_pct(got, format_it),
                    published=_pct(published, format_it)))
        rows.append([line.sheet_name, _pct(got, format_it), _pct(from_typed, format_it),
                     _pct(published, format_it), verdict])
    widths = [max(len(r[i]) for r in rows) for i in range(len(rows[0]))]
    for i, r in enumerate(rows):
        click.echo("  ".join(c.ljust(widths[0]) if j == 0 else c.rjust(widths[j]) for j, c in enumerate(r)))
        if i == 0:
            click.echo("  ".join("-" * w for w in widths))
    if notes:
        click.echo(text("template.demo.notes_header"))
        for note in notes:
            click.echo(note)
    click.echo(text("template.demo.ente", value=_pct(summary.ente, format_it)))
    click.echo(text("template.demo.method", method=settings.describe_it()))
    click.echo(text("template.demo.done", path=outdir / "master_compilato.xlsx"))


def _pct(value: float | None, format_it) -> str:
    return "-" if value is None else format_it(value, 2) + "%"
