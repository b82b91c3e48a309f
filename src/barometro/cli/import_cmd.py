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

    from barometro.legacy import LegacyFormatError, import_report, line_check
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
    checks = line_check(result.report, result.plan, settings)
    plan = result.plan
    if as_json:
        data = {
            "report": str(report),
            "output": str(out),
            "ente": plan.ente,
            "year": plan.year,
            "method": settings.describe_it(),
            "lines": [
                {
                    "id": ln.id,
                    "title": ln.title,
                    "sheet": ln.sheet_name,
                    "published": ln.published_pct,
                    "objectives": len({i.objective_id for i in plan.indicators_of_line(ln.id)}),
                    "indicators": len(plan.indicators_of_line(ln.id)),
                    "from_typed": chk.from_typed,
                    "from_core": chk.from_core,
                    "matches": chk.matches,
                    "explanation": chk.explanation.render(),
                }
                for ln, chk in zip(plan.lines, checks, strict=True)
            ],
            "indicators": len(plan.indicators),
            "issues": [issue.to_dict() for issue in result.issues],
        }
        click.echo(json.dumps(data, ensure_ascii=False, indent=2))
        return
    _print_summary(result, checks, settings, out)


def _print_summary(result, checks, settings, out) -> None:  # noqa: ANN001 - internal
    from collections import Counter, defaultdict

    from barometro.messages import format_percent, text

    plan = result.plan
    click.echo(text("legacy.cli.header", ente=plan.ente or "?", year=plan.year or "?",
                    lines=len(plan.lines), objectives=len({i.objective_id for i in plan.indicators}),
                    indicators=len(plan.indicators)))
    for ln, chk in zip(plan.lines, checks, strict=True):
        inds = plan.indicators_of_line(ln.id)
        published = "—" if ln.published_pct is None else format_percent(ln.published_pct)
        mark = "ok" if chk.matches else "≠"
        click.echo(text("legacy.cli.line", id=ln.id, name=ln.sheet_name,
                        objectives=len({i.objective_id for i in inds}), indicators=len(inds),
                        published=published, mark=mark))
    click.echo(settings.describe_it())
    mismatched = [c for c in checks if not c.matches and c.published is not None]
    if mismatched:
        click.echo("")
        click.echo(text("legacy.cli.line_mismatch_header", count=len(mismatched)))
        for chk in mismatched:
            click.echo(f"  {chk.line_id}: {chk.explanation}")
    by_severity = Counter(str(i.severity) for i in result.issues)
    click.echo("")
    click.echo(text("legacy.cli.issues_header", errors=by_severity.get("errore", 0),
                    warnings=by_severity.get("avviso", 0), infos=by_severity.get("informazione", 0)))
    groups: dict[tuple[str, str], list] = defaultdict(list)
    for issue in result.issues:
        groups[(str(issue.severity), issue.code)].append(issue)
    order = {"errore": 0, "avviso": 1, "informazione": 2}
    for (severity, code), members in sorted(groups.items(), key=lambda kv: (order.get(kv[0][0], 3), kv[0][1])):
        rows = ", ".join(str(m.source_row) for m in members if m.source_row is not None)
        click.echo(text("legacy.cli.group", severity=severity.upper(), code=code, count=len(members),
                        rows=rows or "—"))
        if severity != "informazione":
            for m in members[:12]:
                click.echo(f"      {m.message}")
            if len(members) > 12:
                click.echo("      " + text("legacy.cli.more", count=len(members) - 12))
    click.echo("")
    click.echo(text("legacy.cli.written", path=str(out)))
