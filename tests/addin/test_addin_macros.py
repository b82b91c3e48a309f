"""The macros through the openpyxl implementation of the workbook operations, on generated books."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from openpyxl import load_workbook

from barometro import scoring
from barometro.addin.macros import (
    CHECK_HEADER_ROW,
    MacroError,
    read_book_data,
    run_consolida,
    run_ricalcola,
    run_valida,
)
from barometro.addin.office_workbook import LAST_RUN_CELL, PROBLEMS_SHEET, SETTINGS_SHEET
from barometro.addin.ops import Formula
from barometro.addin.ops_openpyxl import OpenpyxlOps


@pytest.fixture(scope="session")
def returns_setup(tmp_path_factory, plan, cremona_settings):
    """Sector templates built and filled by the project's own builder and filler."""
    from barometro.addin.office_workbook import build_office_workbook
    from barometro.workbook_templates.builder import build_templates
    from barometro.workbook_templates.fill import fill_workbook

    root = tmp_path_factory.mktemp("returns")
    built = build_templates(plan, cremona_settings, root / "modelli")
    returns = root / "ritorni"
    returns.mkdir()
    for sector, path in built.sectors.items():
        values = {i.id: (i.actual, i.note or None) for i in plan.indicators if i.sector == sector}
        fill_workbook(path, returns / path.name, values)
    office = build_office_workbook(built.master, root / "ufficio.xlsm", returns_folder=str(returns)).path
    return built.master, returns, office


def _fresh(office: Path, tmp_path: Path) -> Path:
    target = tmp_path / office.name
    shutil.copy(office, target)
    return target


def _expected_scores(plan, settings):
    items = [scoring.Scored(i.objective_id, i.weight,
                            scoring.achievement(i.actual, i.target, i.kind, i.polarity,
                                                neutralised=i.neutralised, settings=settings),
                            i.neutralised, i.line_id) for i in plan.indicators]
    lines = {ln.id: scoring.line_score([it for it in items if it.line_id == ln.id], settings) for ln in plan.lines}
    return lines, scoring.ente_score(items, settings)


def _fill_by_hand(ops, plan):
    actuals = {i.id: i for i in plan.indicators}
    for r in read_book_data(ops).rows:
        ops.write(r.sheet, f"I{r.row}", actuals[r.indicator.id].actual)


def test_ricalcola_writes_the_core_scores_and_a_check_against_the_formulas(returns_setup, tmp_path, plan,
                                                                          cremona_settings):
    _, _, office = returns_setup
    path = _fresh(office, tmp_path)
    ops = OpenpyxlOps(path)
    _fill_by_hand(ops, plan)
    scores = run_ricalcola(ops)
    lines, ente = _expected_scores(plan, cremona_settings)
    assert scores.line == pytest.approx(lines) and scores.ente == pytest.approx(ente)
    assert scores.line["AMB"] == pytest.approx((100 + 100 + 100 + 80 + 0) / 5)  # neutralised counted as 0
    ops.save()
    wb = load_workbook(path, keep_vba=True)
    ws = wb[SETTINGS_SHEET]
    assert ws[f"A{CHECK_HEADER_ROW + 1}"].value == plan.lines[0].title
    assert ws[f"B{CHECK_HEADER_ROW + 1}"].value == "='Riepilogo'!C6"
    assert ws[f"C{CHECK_HEADER_ROW + 1}"].value == pytest.approx(lines["AMB"])
    assert "Ricalcolo eseguito" in ws[LAST_RUN_CELL].value
    assert wb.vba_archive is not None  # the buttons' VBA survives


@pytest.mark.libreoffice
def test_ricalcola_check_column_agrees_after_libreoffice_recalculation(returns_setup, tmp_path, plan, soffice):
    from barometro.recalc import recalculate

    _, _, office = returns_setup
    path = _fresh(office, tmp_path)
    ops = OpenpyxlOps(path)
    _fill_by_hand(ops, plan)
    run_ricalcola(ops)
    ops.save(tmp_path / "check.xlsx")  # plain copy for LibreOffice
    (out,) = recalculate([tmp_path / "check.xlsx"], tmp_path / "calc")
    ws = load_workbook(out, data_only=True)[SETTINGS_SHEET]
    verdicts = [ws[f"D{r}"].value for r in range(CHECK_HEADER_ROW + 1, CHECK_HEADER_ROW + 1 + 2 + 1 + 4)]
    assert verdicts == ["OK"] * 7, verdicts


def test_consolida_copies_what_consolidate_merges(returns_setup, tmp_path, plan):
    from barometro.consolidation import consolidate

    master, returns, office = returns_setup
    path = _fresh(office, tmp_path)
    ops = OpenpyxlOps(path)
    result = run_consolida(ops)
    cli = consolidate(sorted(returns.glob("*.xlsx")), master=master)
    assert result.filled == sum(1 for i in cli.plan.indicators if i.actual is not None) > 0
    data = read_book_data(ops)
    merged = {i.id: i for i in cli.plan.indicators}
    for r in data.rows:
        assert r.indicator.actual == merged[r.indicator.id].actual
    scores = run_ricalcola(ops)
    assert scores.line == pytest.approx(dict(cli.scores.line))
    assert scores.ente == pytest.approx(cli.scores.ente)


def test_consolida_without_folder_asks_then_explains(returns_setup, tmp_path):
    _, _, office = returns_setup
    ops = OpenpyxlOps(_fresh(office, tmp_path))
    ops.write(SETTINGS_SHEET, "B4", None)
    with pytest.raises(MacroError, match="Nessuna cartella"):
        run_consolida(ops)
    assert any("Scegliere la cartella" in m for m in ops.messages)
    ops = OpenpyxlOps(_fresh(office, tmp_path), folder_answer=str(tmp_path / "manca"))
    ops.write(SETTINGS_SHEET, "B4", None)
    with pytest.raises(MacroError, match="non esiste"):
        run_consolida(ops)


def test_valida_lists_the_cli_findings_links_and_marks_cells(returns_setup, tmp_path, plan):
    from barometro.validators import validate_paths

    _, _, office = returns_setup
    path = _fresh(office, tmp_path)
    ops = OpenpyxlOps(path)
    _fill_by_hand(ops, plan)
    rows = read_book_data(ops).rows
    first = rows[1]
    ops.write(first.sheet, f"J{first.row}", 5)  # a formula overwritten with a typed number
    ops.save()
    ops = OpenpyxlOps(path)
    result = run_valida(ops)
    ops.save()
    cli = [f for fr in validate_paths([path]).files for f in fr.findings]
    assert [(f.code, f.sheet, f.cell) for f in result.findings] == [(f.code, f.sheet, f.cell) for f in cli]
    assert any(f.sheet == first.sheet and f.cell == f"J{first.row}" for f in result.findings)
    wb = load_workbook(path, keep_vba=True)
    problems = wb[PROBLEMS_SHEET]
    listed = [(r[1], r[2] or "", r[3] or "") for r in problems.iter_rows(min_row=4, values_only=True) if r[1]]
    assert listed == [(f.code, f.sheet, f.cell) for f in cli]
    linked = [c for c in problems["J"] if c.hyperlink is not None]
    assert linked and linked[0].hyperlink.location.endswith("!" + linked[0].offset(0, -6).value)
    marked = wb[first.sheet][f"J{first.row}"]
    assert marked.comment is not None and marked.fill.fgColor.rgb.endswith("FFC7CE")
    # a second run first removes the old marks
    ops = OpenpyxlOps(path)
    ops.write(first.sheet, f"J{first.row}",
              Formula(f'=IF(AND(ISNUMBER(I{first.row}),ISNUMBER(H{first.row})),I{first.row}-H{first.row},"")'))
    run_valida(ops)
    ops.save()
    wb = load_workbook(path, keep_vba=True)
    cell = wb[first.sheet][f"J{first.row}"]
    assert cell.comment is None or cell.comment.author != "Barometro"


def test_macros_refuse_a_book_that_is_not_a_master(tmp_path):
    from openpyxl import Workbook

    path = tmp_path / "altro.xlsx"
    Workbook().save(path)
    with pytest.raises(MacroError, match="non è un master Barometro"):
        run_ricalcola(OpenpyxlOps(path))


@pytest.mark.parametrize("button", ["Ricalcola", "Valida", "Consolida"])
def test_each_buttons_python_call_runs_the_macro(button, returns_setup, tmp_path, monkeypatch):
    """The exact text each VBA Sub hands to RunPython, executed against the macros module
    (xlwings' caller replaced by the same workbook through openpyxl)."""
    from barometro.addin import macros
    from barometro.addin.vba_project import BUTTONS

    _, _, office = returns_setup
    ops = OpenpyxlOps(_fresh(office, tmp_path))
    monkeypatch.setattr(macros, "_caller_ops", lambda: ops)
    call = next(b.python for b in BUTTONS if b.macro == button)
    exec(call, {})  # noqa: S102 - the button's own command
    assert ops.messages == []  # no error box
    last_run = ops.read(SETTINGS_SHEET, LAST_RUN_CELL)
    assert last_run and last_run.startswith(
        {"Ricalcola": "Ricalcolo", "Valida": "Validazione", "Consolida": "Consolidamento"}[button]), last_run
    if button == "Valida":
        assert ops.read(PROBLEMS_SHEET, "A1")
    if button == "Consolida":
        assert any(r.indicator.actual is not None for r in read_book_data(ops).rows)
