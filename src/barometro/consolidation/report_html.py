"""The Relazione sulla Performance as one self-contained HTML page.

Inline CSS, charts as inline SVG, no script and no external resource, so the
same page is published on the ente's site and printed to PDF by WeasyPrint.
Laid out like the published report: a summary, then per strategic line the %
reached with a chart, the table of objectives and indicators with the
Barometro traffic light, notes on neutralised indicators and missed targets,
and a closing note on the method and the sources.
"""

from __future__ import annotations

from html import escape

from barometro import __version__
from barometro.messages import text
from barometro.model import Indicator, Kind
from barometro.period import report_title

from . import charts
from .fmt import num, pct, signed
from .types import ConsolidationResult, Decision, MergedRow, RowState

CSS = """
@page { size: A4 landscape; margin: 14mm 12mm 16mm 12mm;
  @top-left { content: "__RUNNING__"; font: 8pt 'DejaVu Sans', Arial, sans-serif; color: #5b6675; }
  @bottom-right { content: counter(page) " / " counter(pages); font: 8pt 'DejaVu Sans', Arial, sans-serif; color: #5b6675; } }
html { font-family: 'DejaVu Sans', 'Liberation Sans', Arial, sans-serif; color: #1f2a37; font-size: 9.5pt; }
body { margin: 0 auto; max-width: 1180px; padding: 0 10px; }
h1 { font-size: 20pt; margin: 0 0 2mm 0; color: #12355b; }
h2 { font-size: 14pt; color: #12355b; border-bottom: 2px solid #12355b; padding-bottom: 1mm; margin: 0 0 3mm 0; }
h3 { font-size: 11pt; color: #12355b; margin: 4mm 0 2mm 0; }
.ente { font-size: 11pt; letter-spacing: .08em; text-transform: uppercase; color: #5b6675; margin: 0; }
.subtitle { font-size: 12pt; font-style: italic; margin: 0 0 5mm 0; }
.cover { display: flex; gap: 8mm; align-items: center; margin: 2mm 0 2mm 0; }
table.lines td { padding: 0.8mm 1.6mm; }
.headline { font-size: 11pt; }
.headline strong { font-size: 16pt; }
.banner { border-left: 4px solid #c62828; background: #fdecea; padding: 2mm 4mm; margin: 3mm 0; }
.banner.info { border-color: #12355b; background: #eef3f8; }
section.line { break-before: page; }
.line-head { display: flex; gap: 6mm; align-items: center; margin-bottom: 3mm; }
.line-pct { font-size: 11pt; }
.line-pct strong { font-size: 15pt; }
table { border-collapse: collapse; width: 100%; margin: 2mm 0 4mm 0; }
th, td { border: 0.6pt solid #c9ced6; padding: 1.2mm 1.6mm; vertical-align: top; text-align: left; }
thead th { background: #12355b; color: #ffffff; font-weight: bold; font-size: 8.5pt; }
td.n, th.n { text-align: right; white-space: nowrap; }
td.c, th.c { text-align: center; }
tr { break-inside: avoid; }
tr.objective td { background: #eef3f8; font-weight: bold; }
tr.objective .def { font-weight: normal; font-size: 8pt; color: #3b4654; margin-top: 0.5mm; }
tr.definition { break-inside: auto; }
tr.definition td { font-size: 7.5pt; color: #3b4654; background: #f7f9fb; text-align: justify; }
tr.missing td { color: #8a5a00; background: #fff8e6; }
tr.errors td { background: #fdecea; }
.formula { display: block; color: #5b6675; font-size: 8pt; }
.meta { color: #5b6675; font-size: 8.5pt; }
.light { vertical-align: middle; }
.legend { font-size: 8.5pt; color: #3b4654; margin: 1mm 0 3mm 0; }
.legend-item { margin-right: 5mm; white-space: nowrap; }
.notes li { margin-bottom: 1.2mm; }
.method { break-before: page; }
section.results { break-before: page; }
table.results th[scope=row] { background: #eef3f8; width: 20%; }
.sources td { font-size: 8pt; }
.mono { font-family: 'DejaVu Sans Mono', monospace; font-size: 7.5pt; }
svg.bars { max-width: 100%; height: auto; }
"""


def t(key: str, **values: object) -> str:
    return text(f"consolidation.{key}", **values)


def _report(plan) -> object:  # noqa: ANN001 - Plan
    return report_title(plan.period, plan.year)


def e(value: object) -> str:
    return escape(str(value if value is not None else ""))


def _gauge_label(value: float | None, settings, neutralised: bool = False) -> str:
    from barometro import scoring

    if neutralised:
        return t("html.neutralised")
    key = scoring.gauge(value, settings)
    return text(f"gauge.{key}") if key else t("html.not_available")


def _css_string(value: str) -> str:
    """A value safe inside a CSS double-quoted string within a <style> element."""
    return value.replace("\\", " ").replace('"', "'").replace("<", " ").replace(">", " ").replace("\n", " ")


def render_html(result: ConsolidationResult) -> str:
    """The whole Relazione page, as text."""
    plan, merge = result.plan, result.merge
    rows_by_id = {r.indicator.id: r for r in merge.rows}
    lang = "it" if t("html.lang") == "it" else "en"
    running = f"{plan.ente} — {t('html.title', report=_report(plan))}"
    out: list[str] = [
        "<!DOCTYPE html>",
        f'<html lang="{lang}"><head><meta charset="utf-8">',
        f"<title>{e(t('html.title', report=_report(plan)))}</title>",
        '<meta name="generator" content="Barometro ' + e(__version__) + '">',
        f'<meta name="dcterms.created" content="{result.run.timestamp.isoformat(timespec="seconds")}">',
        f"<style>{CSS.replace('__RUNNING__', _css_string(running))}</style></head><body>",
    ]
    out.append(_cover(result))
    for line in plan.lines:
        inds = plan.indicators_of_line(line.id)
        if inds:
            out.append(_line_section(result, line, inds, rows_by_id))
    out.append(_results(result))
    out.append(_method(result))
    out.append("</body></html>")
    return "\n".join(out) + "\n"


def _light_labels() -> dict[str, str]:
    return {
        "verde": text("gauge.verde"),
        "giallo": text("gauge.giallo"),
        "rosso": text("gauge.rosso"),
        "none": t("html.legend_none"),
    }


def _cover(result: ConsolidationResult) -> str:
    plan, scores, settings, merge = result.plan, result.scores, result.settings, result.merge
    parts = [
        f'<p class="ente">{e(plan.ente)}</p>',
        f"<h1>{e(t('html.title', report=_report(plan)))}</h1>",
        f'<p class="subtitle">{e(t("html.subtitle", report=_report(plan)))}</p>',
    ]
    missing = [r for r in merge.rows if not r.state.returned]
    missing_sectors = [s for s in merge.sectors if s.returned < s.expected]
    if missing:
        parts.append(
            f'<div class="banner">{e(t("html.provisional", indicators=len(missing), sectors=len(missing_sectors)))}</div>'
        )
    with_errors = [r for r in merge.rows if r.state is RowState.RETURNED_WITH_ERRORS]
    if with_errors:
        parts.append(f'<div class="banner">{e(t("html.with_errors_banner", count=len(with_errors)))}</div>')
    parts.append('<div class="cover">')
    parts.append(charts.ring(scores.ente, settings, size=104, label=t("html.ente_pct")))
    parts.append(
        f'<div class="headline">{e(t("html.ente_pct"))}<br><strong>{e(pct(scores.ente))}</strong>'
        f'<br><span class="meta">{e(t("html.counts", lines=len(scores.line), objectives=len(scores.objective), indicators=len(plan.indicators)))}</span></div>'
    )
    parts.append("</div>")
    parts.append(f"<h3>{e(t('html.lines_chart'))}</h3>")
    parts.append(
        "<table class='lines'><thead><tr>"
        f"<th>{e(t('html.col.line'))}</th><th class='n'>{e(t('html.col.objectives'))}</th>"
        f"<th class='n'>{e(t('html.col.indicators'))}</th><th class='n'>{e(t('html.col.received'))}</th>"
        f"<th class='n'>{e(t('html.col.line_pct'))}</th><th></th><th class='c'>{e(t('html.col.gauge'))}</th>"
        "</tr></thead><tbody>"
    )
    for lid, value in scores.line.items():
        inds = plan.indicators_of_line(lid)
        objs = {i.objective_id for i in inds}
        got = sum(1 for r in merge.rows if r.indicator.line_id == lid and r.state.returned)
        parts.append(
            f"<tr><td>{e(plan.line(lid).title)}</td><td class='n'>{len(objs)}</td>"
            f"<td class='n'>{len(inds)}</td><td class='n'>{got}</td>"
            f"<td class='n'><strong>{e(pct(value) or t('html.not_available'))}</strong></td>"
            f"<td>{charts.mini_bar(value, settings)}</td>"
            f"<td class='c'>{charts.light(value, settings, label=_gauge_label(value, settings))}</td></tr>"
        )
    parts.append(
        f"<tr><td><strong>{e(t('html.ente_row'))}</strong></td><td class='n'>{len(scores.objective)}</td>"
        f"<td class='n'>{len(plan.indicators)}</td>"
        f"<td class='n'>{sum(1 for r in merge.rows if r.state.returned)}</td>"
        f"<td class='n'><strong>{e(pct(scores.ente))}</strong></td><td>{charts.mini_bar(scores.ente, settings)}</td>"
        f"<td class='c'>{charts.light(scores.ente, settings, label=_gauge_label(scores.ente, settings))}</td></tr>"
    )
    parts.append("</tbody></table>")
    parts.append(charts.legend(settings, _light_labels()))
    parts.append(f'<p class="meta">{e(t("html.method_pointer", name=settings.name))}</p>')
    return "\n".join(parts)


def _indicator_cells(ind: Indicator, row: MergedRow, ach: float | None, settings) -> str:
    actual = row.actual if row.state.returned else None
    if row.state.returned:
        actual_text = num(actual) if actual is not None else t("html.empty_actual")
    else:
        actual_text = t("html.missing_short")
    dev = (actual - ind.target) if (actual is not None and ind.target is not None) else None
    ach_text = "" if ind.neutralised else (pct(ach, 0) if ach is not None else "n.d.")
    note = row.note if row.state.returned else _missing_reason(row)
    mark = " †" if row.state is RowState.RETURNED_WITH_ERRORS else ""
    return (
        f"<td>{e(ind.indicator)}<span class='formula'>{e(ind.formula_text)}</span></td>"
        f"<td class='n'>{e(num(ind.target))}</td>"
        f"<td class='n'>{e(actual_text)}{mark}</td>"
        f"<td class='n'>{e(signed(dev))}</td>"
        f"<td class='n'>{e(num(ind.weight))}</td>"
        f"<td class='n'>{e(ach_text)}</td>"
        f"<td class='c'>{charts.light(ach, settings, neutralised=ind.neutralised, label=_gauge_label(ach, settings, ind.neutralised))}</td>"
        f"<td>{e(note)}</td>"
    )


def _missing_reason(row: MergedRow) -> str:
    if row.state is RowState.MISSING_REFUSED:
        return t("html.reason.refused", file=row.reason)
    if row.state is RowState.MISSING_DELETED:
        return t("html.reason.deleted", file=row.reason)
    if row.state is RowState.MISSING_CONFLICT:
        return t("html.reason.conflict", files=row.reason)
    return t("html.reason.missing", sector=row.indicator.sector)


def _line_section(result: ConsolidationResult, line, inds: list[Indicator], rows_by_id) -> str:
    scores, settings = result.scores, result.settings
    value = scores.line.get(line.id)
    parts = [f'<section class="line" id="linea-{e(line.id)}">', f"<h2>{e(line.title)}</h2>"]
    parts.append('<div class="line-head">')
    parts.append(charts.ring(value, settings, size=110, label=t("html.line_pct")))
    parts.append(
        f'<div class="line-pct">{e(t("html.line_pct"))}<br><strong>{e(pct(value))}</strong>'
        f'<br><span class="meta">{e(t("html.line_counts", objectives=len({i.objective_id for i in inds}), indicators=len(inds)))}</span></div>'
    )
    parts.append("</div>")
    objectives: dict[str, list[Indicator]] = {}
    for ind in inds:
        objectives.setdefault(ind.objective_id, []).append(ind)
    chart_items = [(grp[0].objective, scores.objective.get(oid)) for oid, grp in objectives.items()]
    parts.append(
        charts.bars(chart_items, settings, title=t("html.objectives_chart", line=line.title))
    )
    parts.append(
        "<table><thead><tr>"
        f"<th style='width:30%'>{e(t('html.col.indicator'))}</th>"
        f"<th class='n'>{e(t('html.col.target'))}</th><th class='n'>{e(t('html.col.actual'))}</th>"
        f"<th class='n'>{e(t('html.col.deviation'))}</th><th class='n'>{e(t('html.col.weight'))}</th>"
        f"<th class='n'>{e(t('html.col.achievement'))}</th><th class='c'>{e(t('html.col.gauge'))}</th>"
        f"<th style='width:26%'>{e(t('html.col.note'))}</th></tr></thead><tbody>"
    )
    for oid, grp in objectives.items():
        first = grp[0]
        ov = scores.objective.get(oid)
        parts.append(
            "<tr class='objective'><td colspan='5'>"
            f"{e(first.objective)}"
            f"<div class='def'>{e(t('html.owner_sector', owner=first.owner or '—', sector=first.sector))}</div>"
            f"</td><td class='n'>{e(pct(ov, 0) if ov is not None else 'n.d.')}</td>"
            f"<td class='c'>{charts.light(ov, settings, label=_gauge_label(ov, settings))}</td>"
            f"<td class='meta'>{e(t('html.objective_pct'))}</td></tr>"
        )
        if first.definition:
            parts.append(f"<tr class='definition'><td colspan='8'>{e(first.definition)}</td></tr>")
        for ind in grp:
            row = rows_by_id[ind.id]
            css = ""
            if not row.state.returned:
                css = " class='missing'"
            elif row.state is RowState.RETURNED_WITH_ERRORS:
                css = " class='errors'"
            parts.append(f"<tr{css}>{_indicator_cells(ind, row, scores.indicator.get(ind.id), settings)}</tr>")
    parts.append("</tbody></table>")
    parts.append(charts.legend(settings, _light_labels()))
    parts.append(_line_notes(result, inds, rows_by_id))
    parts.append("</section>")
    return "\n".join(parts)


def _line_notes(result: ConsolidationResult, inds: list[Indicator], rows_by_id) -> str:
    scores = result.scores
    neutralised, missed, missing, errors = [], [], [], []
    for ind in inds:
        row = rows_by_id[ind.id]
        ach = scores.indicator.get(ind.id)
        label = f"{ind.indicator} ({ind.objective})"
        if ind.neutralised:
            neutralised.append((label, row.note or t("html.no_note")))
        elif not row.state.returned:
            missing.append((label, _missing_reason(row)))
        elif ach is not None and ach < 100 - 1e-9:
            missed.append((label, t("html.missed_detail", pct=pct(ach, 0), note=row.note or t("html.no_note"))))
        elif ach is None:
            missed.append((label, t("html.no_score", note=row.note or t("html.no_note"))))
        if row.state is RowState.RETURNED_WITH_ERRORS:
            errors.append((label, t("html.reason.with_errors", file=row.source)))
    parts = []
    for key, items in (
        ("neutralised_notes", neutralised),
        ("missed_notes", missed),
        ("missing_notes", missing),
        ("errors_notes", errors),
    ):
        if not items:
            continue
        parts.append(f"<h3>{e(t('html.' + key))}</h3><ul class='notes'>")
        parts.extend(f"<li><strong>{e(label)}</strong>: {e(detail)}</li>" for label, detail in items)
        parts.append("</ul>")
    return "\n".join(parts)


def _results_table(groups, label_key: str, result: ConsolidationResult) -> str:
    """One table: each manager (or sector) with their objectives, weights, % and result."""
    from barometro.settings import BandLevel

    bands = result.settings.band_level is not BandLevel.NONE
    per_objective = result.settings.band_level is BandLevel.OBJECTIVE
    heads = [label_key, "objective", "score", "weight"] + (["payout"] if bands else [])
    numeric = {"score", "weight", "payout"}
    right = " class='n'"
    rows = ["<table class='results'><thead><tr>" + "".join(
        f"<th scope='col'{right if h in numeric else ''}>{e(t('results.col.' + h))}</th>"
        for h in heads) + "</tr></thead><tbody>"]
    na = t("html.not_available")
    for g in groups:
        for n, o in enumerate(g.objectives):
            who = f"<th scope='row' rowspan='{len(g.objectives) + 1}'>{e(g.name)}</th>" if n == 0 else ""
            cells = [f"<td>{e(o.title)} <span class='meta'>({e(o.objective_id)})</span></td>",
                     f"<td class='n'>{e(pct(o.score) if o.score is not None else na)}</td>",
                     f"<td class='n'>{e(num(o.weight))} %</td>"]
            if bands:
                cells.append(f"<td class='n'>{e(pct(o.payout) if per_objective and o.payout is not None else '')}</td>")
            rows.append("<tr>" + who + "".join(cells) + "</tr>")
        if not g.objectives:
            continue
        cells = [f"<td>{e(t('results.total'))}</td>",
                 f"<td class='n'><strong>{e(pct(g.score) if g.score is not None else na)}</strong></td>",
                 "<td class='n'>100 %</td>"]
        if bands:
            cells.append(f"<td class='n'><strong>{e(pct(g.result) if g.result is not None else na)}</strong></td>")
        rows.append("<tr class='objective'>" + "".join(cells) + "</tr>")
    rows.append("</tbody></table>")
    return "\n".join(rows)


def _results(result: ConsolidationResult) -> str:
    from barometro.scoring import group_results

    parts = ['<section class="results">', f"<h2>{e(t('html.results_title'))}</h2>",
             f"<p>{e(t('html.results_intro'))} {e(result.settings.describe_results())}</p>"]
    for by, title, label in (("owner", "results.owners_title", "owner"), ("sector", "results.sectors_title", "sector")):
        parts.append(f"<h3>{e(t(title))}</h3>")
        parts.append(_results_table(group_results(result.plan, result.scores, result.settings, by=by), label, result))
    parts.append("</section>")
    return "\n".join(parts)


def _method(result: ConsolidationResult) -> str:
    settings, run, merge = result.settings, result.run, result.merge
    parts = ['<section class="method">', f"<h2>{e(t('html.method_title'))}</h2>"]
    parts.append(f"<p>{e(settings.describe_it())}</p>")
    for key in ("binary", "quantity", "lower", "zero", "neutralised", "objective", "rounding"):
        parts.append(f"<p>{e(t('html.method.' + key))}</p>")
    parts.append(
        f"<p>{e(t('html.method.gauge', green=num(settings.gauge_green), yellow=num(settings.gauge_yellow)))}</p>"
    )
    kinds = sum(1 for i in result.plan.indicators if i.kind is Kind.BINARY)
    parts.append(f"<p class='meta'>{e(t('html.method.counts', binary=kinds, total=len(result.plan.indicators)))}</p>")
    parts.append(f"<h3>{e(t('html.sources_title'))}</h3>")
    parts.append(
        f"<p class='meta'>{e(t('html.sources_intro', when=run.timestamp.strftime('%d/%m/%Y %H:%M'), version=run.tool_version, settings=settings.name, fingerprint=settings.fingerprint()))}</p>"
    )
    parts.append(
        "<table class='sources'><thead><tr>"
        f"<th>{e(t('html.col.sector'))}</th><th>{e(t('html.col.file'))}</th>"
        f"<th>{e(t('html.col.decision'))}</th><th>{e(t('html.col.sha'))}</th></tr></thead><tbody>"
    )
    for outcome in merge.files:
        src = outcome.source
        decision = t("decision." + outcome.decision.value)
        css = "" if outcome.decision.used else " class='missing'"
        if outcome.decision is Decision.ACCEPTED_WITH_ERRORS:
            css = " class='errors'"
        parts.append(
            f"<tr{css}><td>{e(src.sector or '—')}</td><td>{e(src.name)}</td><td>{e(decision)}</td>"
            f"<td class='mono'>{e(src.sha256)}</td></tr>"
        )
    for summary in merge.sectors:
        if not summary.files:
            parts.append(
                f"<tr class='missing'><td>{e(summary.sector)}</td><td>—</td>"
                f"<td>{e(t('sector_state.non_pervenuto'))}</td><td></td></tr>"
            )
    parts.append("</tbody></table>")
    parts.append("</section>")
    return "\n".join(parts)
