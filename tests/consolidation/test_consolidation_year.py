"""The year around the Relazione on the Cremona data: 2021 consolidated, rolled over into the
2022 plan, templates with last year's actuals, 2022 consolidated; a mid-year monitoring; the
results per manager under two band settings, by hand; the accessible PDF and the open data."""

from __future__ import annotations

import csv
import math
import subprocess
import sys
from dataclasses import replace
from importlib import resources

import pytest
from openpyxl import load_workbook

from barometro.consolidation import consolidate, write_outputs
from barometro.legacy import import_report
from barometro.plan_io import load_plan, read_plan, write_plan
from barometro.rollover import compare_plans, rollover
from barometro.scoring import group_results
from barometro.settings import BandLevel, load_profile
from barometro.validators import validate_file
from barometro.workbook_templates import spec
from barometro.workbook_templates.builder import build_templates
from barometro.workbook_templates.fill import fill_workbook

SEED = resources.files("barometro") / "data" / "cremona_relazione_performance_2021.txt"


@pytest.fixture(scope="module")
def year2021(tmp_path_factory):
    """The 2021 campaign: templates from the report, returns filled with the 2021 actuals,
    consolidated into the workbook, the HTML and the open data (the PDF: `relazione_pdf`)."""
    root = tmp_path_factory.mktemp("anno2021")
    settings = load_profile("cremona")
    plan = import_report(SEED, settings).plan
    built = build_templates(plan, settings, root / "modelli")
    values = {i.id: (i.actual, i.note) for i in plan.indicators}
    for path in built.sectors.values():
        fill_workbook(path, root / "ritorni" / path.name, values)
    out = root / "relazione"
    result = consolidate([root / "ritorni"], master=built.master, output=out / "relazione.xlsx",
                         html=out / "relazione.html", csv=out / "indicatori.csv",
                         ods=out / "indicatori.ods", jobs=1)
    return plan, built, result, out


def test_rollover_keeps_ids_and_carries_last_years_values(year2021, tmp_path):
    plan, _, result, out = year2021
    rolled = rollover(out / "relazione.xlsx")
    new = rolled.plan
    assert rolled.source_kind == "workbook" and new.year == 2022 and new.reference == "Consuntivo 2021"
    assert [i.id for i in new.indicators] == [i.id for i in plan.indicators]
    assert [i.objective_id for i in new.indicators] == [i.objective_id for i in plan.indicators]
    by_id = {i.id: i for i in plan.indicators}
    for ind in new.indicators:
        old = by_id[ind.id]
        assert (ind.target, ind.actual, ind.note) == (None, None, "")  # targets blank by default
        assert (ind.weight, ind.kind, ind.polarity, ind.indicator) == (old.weight, old.kind, old.polarity, old.indicator)
        assert ind.previous_target == old.target and ind.previous_actual == old.actual
        want = result.scores.indicator[ind.id]
        assert (ind.previous_achievement is None) == (want is None) or old.neutralised
    # missed and neutralised last year are listed for the office
    codes = {(i.code, i.indicator_id) for i in rolled.items}
    neutralised = {i.id for i in plan.indicators if i.neutralised}
    assert {("neutralised-last-time", iid) for iid in neutralised} <= codes
    missed = {iid for iid, a in result.scores.indicator.items() if a is not None and a < 100 - 1e-9}
    assert missed and {("missed-last-time", iid) for iid in missed - neutralised} <= codes
    # copied targets: a target at or below last year's actual is "non sfidante"
    copied = rollover(out / "relazione.xlsx", copy_targets=True)
    flagged = {i.indicator_id for i in copied.items if i.code == "target-not-challenging"}
    expected = {i.id for i in plan.indicators if i.target is not None and i.actual is not None
                and (i.actual <= i.target if i.polarity.value == "decrescente" else i.actual >= i.target)}
    assert flagged == expected and len(flagged) > 50
    # the plan workbook keeps them, and reads back the same
    path = write_plan(new, tmp_path / "piano_2022.xlsx")
    back = read_plan(path)
    assert [(i.id, i.previous_actual, i.previous_target) for i in back.indicators] == [
        (i.id, i.previous_actual, i.previous_target) for i in new.indicators]
    assert back.reference == "Consuntivo 2021" and back.period == "consuntivo"


@pytest.mark.slow  # end to end on the whole Cremona plan: the slow tier
def test_2022_templates_show_last_years_actual_and_consolidate(year2021, tmp_path):
    plan, _, _, out = year2021
    new = rollover(out / "relazione.xlsx", copy_targets=True).plan
    settings = load_profile("cremona")
    built = build_templates(new, settings, tmp_path / "modelli")
    sector, path = next(iter(built.sectors.items()))
    wb = load_workbook(path)
    layout = spec.build_layout(new, settings, "settore", sector)
    ref = spec.REFERENCE_COLUMNS[0].letter
    block = layout.blocks[0]
    ws = wb[block.sheet_name]
    assert ws[f"{ref}{spec.HEADER_ROW - 1}"].value == "Consuntivo 2021"
    for offset, ind in enumerate(block.indicators):
        assert ws[f"{ref}{spec.FIRST_ROW + offset}"].value == ind.previous_actual
    # 2022 filled with last year's actuals plus 10 %, consolidated like any year
    values = {i.id: (None if i.previous_actual is None else round(i.previous_actual * 1.1, 2), "")
              for i in new.indicators}
    for p in built.sectors.values():
        fill_workbook(p, tmp_path / "ritorni" / p.name, values)
    result = consolidate([tmp_path / "ritorni"], master=built.master, jobs=1)
    assert result.plan.year == 2022 and len(result.merge.files) == len(built.sectors)
    assert [i.id for i in result.plan.indicators] == [i.id for i in plan.indicators]
    # the validator reads last year's actual from the master: 100 times it is implausible
    one = next(i for i in new.indicators if i.sector == sector and i.previous_actual and i.previous_actual > 2
               and i.kind.value == "quantitativo")
    fill_workbook(path, tmp_path / "strano.xlsx", {one.id: (one.previous_actual * 1000, "")})
    report = validate_file(tmp_path / "strano.xlsx", master=built.master)
    c208 = [f for f in report.findings if f.code == "C208"]
    assert c208 and any("anno precedente" in f.render_message("it") or "volte il target" in f.render_message("it")
                        for f in c208)


def test_compare_lists_exactly_the_ids_added_and_removed(year2021, tmp_path):
    _, _, _, out = year2021
    new = rollover(out / "relazione.xlsx").plan
    removed = [new.indicators[3].id, new.indicators[40].id]
    extra = replace(new.indicators[0], id="AMB-01-99", indicator="Nuovo indicatore")
    changed = replace(new.indicators[10], sector="Settore Nuovo")
    indicators = [i for i in new.indicators if i.id not in removed]
    indicators = [changed if i.id == changed.id else i for i in indicators] + [extra]
    edited = replace(new, indicators=indicators)
    path = write_plan(edited, tmp_path / "piano_2022.xlsx")
    items = compare_plans(new, load_plan(path))
    assert sorted(i.indicator_id for i in items if i.code == "id-removed") == sorted(removed)
    assert [i.indicator_id for i in items if i.code == "id-added"] == ["AMB-01-99"]
    assert [i.objective_id for i in items if i.code == "sector-changed"] == [changed.objective_id]
    # from the command line too
    old_path = write_plan(new, tmp_path / "piano_base.xlsx")
    proc = subprocess.run([sys.executable, "-m", "barometro.cli.main", "rollover", "--compare", str(old_path), str(path)], capture_output=True,
                          text=True, timeout=120)
    assert proc.returncode == 0, proc.stderr
    assert "AMB-01-99" in proc.stdout and all(r in proc.stdout for r in removed)


def _by_hand(plan, owner: str, settings) -> tuple[float, float]:
    """A manager's result computed from the rows alone: each objective's weighted %, their plain
    mean, and the bands (60 / 80) where the settings put them."""
    from barometro.scoring import achievement

    rows: dict[str, list[tuple[float, float]]] = {}
    for ind in plan.indicators:
        if ind.owner != owner:
            continue
        a = achievement(ind.actual, ind.target, ind.kind, ind.polarity, neutralised=ind.neutralised,
                        settings=settings)
        rows.setdefault(ind.objective_id, [])
        if a is not None and ind.weight is not None:
            rows[ind.objective_id].append((ind.weight, a))
    objective = {oid: sum(w * a for w, a in r) / sum(w for w, _ in r) for oid, r in rows.items()
                 if r and sum(w for w, _ in r) > 0}

    def band(v: float) -> float:
        return 0.0 if v < 60 else 100.0 if v >= 80 else v

    mean = sum(objective.values()) / len(objective)
    if settings.band_level is BandLevel.OBJECTIVE:
        return mean, sum(band(v) for v in objective.values()) / len(objective)
    if settings.band_level is BandLevel.MANAGER:
        return mean, band(mean)
    return mean, mean


@pytest.mark.parametrize("level", [BandLevel.NONE, BandLevel.OBJECTIVE, BandLevel.MANAGER])
def test_results_per_manager_equal_a_hand_computation(year2021, level):
    plan, _, result, _ = year2021
    settings = replace(load_profile("cremona"), band_level=level)
    groups = {g.name: g for g in group_results(result.plan, result.scores, settings)}
    # three managers, one with an objective below 60 %, one between 60 and 80 %, one perfect
    names = ["Pesaro Mara", "Donadio (ad interim) Giovanni", "Masserdotti Marco"]
    for name in names:
        mean, final = _by_hand(result.plan, name, settings)
        assert math.isclose(groups[name].score, mean, abs_tol=1e-9), name
        assert math.isclose(groups[name].result, final, abs_tol=1e-9), (name, level)
    if level is BandLevel.OBJECTIVE:
        assert any(o.payout == 0.0 for g in groups.values() for o in g.objectives)  # a band really applied


def test_the_consolidated_workbook_and_the_relazione_have_the_tables(year2021):
    _, _, result, out = year2021
    wb = load_workbook(out / "relazione.xlsx")
    owners = wb["Risultati responsabili"]
    totals = {r[0]: r[4] for r in owners.iter_rows(min_row=5, values_only=True) if r[2] == "Risultato"}
    groups = {g.name: g for g in group_results(result.plan, result.scores, result.settings)}
    assert set(totals) == set(groups)
    assert all(math.isclose(totals[n], groups[n].score) for n in totals if groups[n].score is not None)
    assert "media semplice delle % dei suoi obiettivi" in owners["A2"].value
    assert "Risultati settori" in wb.sheetnames
    html = (out / "relazione.html").read_text(encoding="utf-8")
    assert "Risultati per responsabile e per settore" in html and "Pesaro Mara" in html


@pytest.fixture(scope="module")
def relazione_pdf(year2021):
    """The 2021 Relazione as PDF (42 pages, ~7 s of WeasyPrint: the slow tier)."""
    _, _, result, out = year2021
    write_outputs(result, pdf=out / "relazione.pdf")
    return out / "relazione.pdf"


@pytest.mark.slow
def test_the_pdf_is_tagged_italian_with_a_title_bookmarks_and_alt_text(year2021, relazione_pdf):
    import pikepdf

    plan, _, _, out = year2021
    pdf = pikepdf.open(relazione_pdf)
    meta = pdf.open_metadata()
    assert meta.get("pdfuaid:part") == "1" and str(pdf.Root.Lang) == "it"
    assert meta.get("dc:title") == "Relazione sulla Performance 2021"
    assert "/StructTreeRoot" in pdf.Root and pdf.Root.MarkInfo.Marked
    with pdf.open_outline() as outline:
        titles = [o.title for top in outline.root for o in [top, *top.children]]
    assert all(line.title in titles for line in plan.lines)  # a bookmark per strategic line
    figures, with_alt = 0, 0
    stack = [pdf.Root.StructTreeRoot]
    while stack:
        node = stack.pop()
        if isinstance(node, pikepdf.Dictionary):
            if node.get("/S") == "/Figure":
                figures += 1
                with_alt += "/Alt" in node
            kids = node.get("/K")
            if isinstance(kids, pikepdf.Array):
                stack.extend(kids)
            elif isinstance(kids, pikepdf.Dictionary):
                stack.append(kids)
    assert figures > 10 and with_alt == figures  # every chart has its alternative text


def test_open_data_opens_in_libreoffice_and_matches_the_workbook(year2021, tmp_path, soffice):
    plan, _, result, out = year2021
    with open(out / "indicatori.csv", encoding="utf-8", newline="") as fh:
        ours = list(csv.reader(fh))
    assert ours[0][:3] == ["anno", "periodo", "ente"] and len(ours) == len(plan.indicators) + 1
    for name in ("indicatori.ods", "indicatori.csv"):
        subprocess.run([soffice, "--headless", f"-env:UserInstallation=file://{tmp_path / 'lo'}", "--convert-to",
                        "csv:Text - txt - csv (StarCalc):44,34,76", "--outdir", str(tmp_path / name), str(out / name)],
                       check=True, capture_output=True, timeout=180)
        with open(tmp_path / name / "indicatori.csv", encoding="utf-8", newline="") as fh:
            theirs = list(csv.reader(fh))
        assert len(theirs) == len(ours) and [r[9] for r in theirs] == [r[9] for r in ours], name
    wb = load_workbook(out / "relazione.xlsx", data_only=True)
    layout = spec.build_layout(result.plan, result.settings, "master")
    columns = ours[0]
    by_id = {r[columns.index("id_indicatore")]: r for r in ours[1:]}
    for block in layout.blocks:
        ws = wb[block.sheet_name]
        for offset, ind in enumerate(block.indicators):
            row = spec.FIRST_ROW + offset
            data = by_id[ind.id]
            for key, col in (("target", "H"), ("consuntivo", "I"), ("raggiungimento", "M"), ("peso", "L")):
                cell, value = ws[f"{col}{row}"].value, data[columns.index(key)]
                if cell in (None, ""):
                    assert value == "", (ind.id, key)
                else:
                    assert math.isclose(float(value), float(cell), rel_tol=1e-9), (ind.id, key, value, cell)


@pytest.mark.slow
def test_a_monitoring_period_is_labelled_and_refused_at_year_end(year2021, tmp_path):
    plan, final_built, _, _ = year2021
    settings = load_profile("cremona")
    monitoring = replace(plan, year=2021, period="monitoraggio-2021-06-30")
    built = build_templates(monitoring, settings, tmp_path / "monitoraggio")
    sector, path = next(iter(built.sectors.items()))
    wb = load_workbook(path)
    assert wb[spec.build_layout(monitoring, settings, "settore", sector).blocks[0].sheet_name]["A1"].value.startswith(
        "Monitoraggio al 30/06/2021")
    meta = dict(wb[spec.META_SHEET].iter_rows(values_only=True))
    assert meta["period"] == "monitoraggio-2021-06-30"
    # a monitoring file sent to the year-end campaign is refused, with both periods named
    report = validate_file(path, master=final_built.master)
    (r030,) = [f for f in report.findings if f.code == "R030"]
    assert "Monitoraggio al 30/06/2021" in r030.render_message("it") and report.status.value == "errori"
    values = {i.id: (i.actual, i.note) for i in plan.indicators}
    for p in built.sectors.values():
        fill_workbook(p, tmp_path / "ritorni" / p.name, values)
    result = consolidate([tmp_path / "ritorni"], master=built.master, output=tmp_path / "m.xlsx",
                         html=tmp_path / "m.html", jobs=1)
    assert result.plan.period == "monitoraggio-2021-06-30"
    assert load_workbook(tmp_path / "m.xlsx")[spec.SUMMARY_SHEET]["A1"].value.startswith("Monitoraggio al 30/06/2021")
    assert "<title>Monitoraggio al 30/06/2021</title>" in (tmp_path / "m.html").read_text(encoding="utf-8")
    # then the year-end plan from the monitoring shows its values as the reference
    year_end = rollover(tmp_path / "m.xlsx").plan
    assert (year_end.year, year_end.period, year_end.reference) == (2021, "consuntivo", "Monitoraggio al 30/06/2021")
