"""The whole year on the Comune di Cremona's 2021 report (what `barometro demo` runs).

`run_demo(outdir)` imports the bundled report into a plan, builds the master and
the sector templates, fills every file with the 2021 actuals and notes,
recalculates them with LibreOffice and compares, line by line, the % the
filled master computes with the published one. `render_demo(result)` is the
table the command prints.
"""

from __future__ import annotations

import shutil
import tempfile
from collections.abc import Callable
from dataclasses import dataclass, field
from importlib import resources
from pathlib import Path

from barometro.messages import Percent, Phrase, format_percent, text
from barometro.settings import Settings

SEED = "cremona_relazione_performance_2021.txt"


@dataclass(frozen=True)
class DemoLine:
    sheet_name: str
    recomputed: float | None  # what the recalculated master shows
    from_typed: float | None  # from the published % Ragg, by the profile's method
    published: float | None
    matches: bool | None  # None: nothing published to compare with
    note: Phrase | None = None  # why it differs, when it does


@dataclass
class DemoResult:
    outdir: Path
    plan_path: Path
    templates: Path
    sectors: int
    indicators: int
    line_count: int
    master_filled: Path
    recalculated: bool
    recalc_error: str = ""
    lines: list[DemoLine] = field(default_factory=list)
    ente: float | None = None
    settings: Settings | None = None


def seed_path():  # -> a context manager yielding the bundled report's path
    return resources.as_file(resources.files("barometro") / "data" / SEED)


def run_demo(outdir: str | Path, settings: Settings, *, timeout: float = 300,
             progress: Callable[[str], None] = lambda _message: None) -> DemoResult:
    """Run the year on the bundled report into `outdir`; `progress` hears each step (Italian)."""
    from barometro.atomic import atomic_path
    from barometro.legacy import import_report, line_check
    from barometro.plan_io import write_plan
    from barometro.recalc import RecalcError, recalculate
    from barometro.workbook_templates.builder import build_templates
    from barometro.workbook_templates.fill import fill_workbook
    from barometro.workbook_templates.master_reader import read_template
    from barometro.workbook_templates.results import computed_summary

    outdir = Path(outdir)
    progress(text("template.demo.importing"))
    with seed_path() as seed:
        imported = import_report(seed)
    plan = imported.plan
    write_plan(plan, outdir / "piano.xlsx", issues=imported.issues)
    progress(text("template.demo.plan_written", path=outdir / "piano.xlsx",
                  indicators=len(plan.indicators), lines=len(plan.lines)))
    built = build_templates(plan, settings, outdir / "modelli")
    progress(text("template.demo.templates_written", path=outdir / "modelli", count=len(built.sectors)))

    values = {ind.id: (ind.actual, ind.note or None) for ind in plan.indicators}
    finals = [outdir / "ritorni" / p.name for p in built.sectors.values()]
    master_filled = outdir / "master_compilato.xlsx"
    finals.append(master_filled)
    result = DemoResult(outdir, outdir / "piano.xlsx", outdir / "modelli", len(built.sectors),
                        len(plan.indicators), len(plan.lines), master_filled, True, settings=settings)
    with tempfile.TemporaryDirectory(prefix="barometro-demo-") as tmp_name:
        tmp = Path(tmp_name)
        filled = [fill_workbook(p, tmp / "filled" / p.name, values).path for p in built.sectors.values()]
        filled.append(fill_workbook(built.master, tmp / "filled" / master_filled.name, values).path)
        progress(text("template.demo.filled", count=len(filled)))
        progress(text("template.demo.recalculating", count=len(filled)))
        try:
            produced = recalculate(filled, tmp / "recalc", timeout=timeout)
        except RecalcError as exc:
            produced, result.recalculated, result.recalc_error = filled, False, str(exc)
        for made, final in zip(produced, finals, strict=True):
            with atomic_path(final) as out_tmp:
                shutil.move(str(made), out_tmp)
    if not result.recalculated:
        return result

    layout = read_template(built.master).layout
    summary = computed_summary(master_filled, layout)
    checks = {c.line_id: c for c in line_check(imported.report, plan, settings)}
    for block in layout.blocks:
        line = block.line
        got = summary.lines.get(line.id)
        check = checks.get(line.id)
        published = line.published_pct
        note: Phrase | None = None
        matches: bool | None = None
        if check is not None and published is not None:
            matches = check.matches
            if not check.matches:
                note = check.explanation
            elif got is not None and abs(got - published) > 0.01:
                note = Phrase("template.demo.typed_differs", recomputed=Percent(got), published=Percent(published))
        result.lines.append(DemoLine(line.sheet_name, got, check.from_typed if check else None, published,
                                     matches, note))
    result.ente = summary.ente
    return result


def _pct(value: float | None) -> str:
    return "-" if value is None else format_percent(value)


def render_demo(result: DemoResult) -> str:
    """The comparison table and the notes, as `barometro demo` prints them."""
    if not result.recalculated:
        return text("template.demo.no_libreoffice", error=result.recalc_error)
    rows = [text("template.demo.table_header").split(" | ")]
    for ln in result.lines:
        verdict = "" if ln.matches is None else text("template.demo.yes" if ln.matches else "template.demo.no")
        rows.append([ln.sheet_name, _pct(ln.recomputed), _pct(ln.from_typed), _pct(ln.published), verdict])
    widths = [max(len(r[i]) for r in rows) for i in range(len(rows[0]))]
    out: list[str] = []
    for i, r in enumerate(rows):
        out.append("  ".join(c.ljust(widths[0]) if j == 0 else c.rjust(widths[j]) for j, c in enumerate(r)))
        if i == 0:
            out.append("  ".join("-" * w for w in widths))
    notes = [f"- {ln.sheet_name}: {ln.note.render()}" for ln in result.lines if ln.note is not None]
    if notes:
        out.append(text("template.demo.notes_header"))
        out.extend(notes)
    out.append(text("template.demo.ente", value=_pct(result.ente)))
    if result.settings is not None:
        out.append(text("template.demo.method", method=result.settings.describe_it()))
    out.append(text("template.demo.done", path=result.master_filled))
    return "\n".join(out)
