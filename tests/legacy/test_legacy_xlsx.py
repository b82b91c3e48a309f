"""The same table saved as .xlsx imports to the same plan."""

from __future__ import annotations

from dataclasses import replace

import pytest
from legacy_helpers import seed_rows, write_rows_xlsx

from barometro.legacy import import_report
from barometro.numbers import parse_number


@pytest.fixture(scope="module")
def one_sheet(tmp_path_factory):
    path = tmp_path_factory.mktemp("xlsx") / "relazione_2021.xlsx"
    return import_report(write_rows_xlsx(seed_rows(), path))


def _without_rows(plan):
    return [replace(i, source_row=None) for i in plan.indicators]


def test_one_sheet_numbers_as_text_gives_the_same_plan(one_sheet, cremona_import):
    assert one_sheet.report.source_format == "xlsx"
    assert one_sheet.plan == cremona_import.plan  # same rows: even source_row agrees
    assert one_sheet.report.rows[0].sheet == "Relazione"


def test_one_sheet_same_repairs_plus_numbers_as_text(one_sheet, cremona_import):
    def key(issues):
        return sorted((i.code, i.source_row) for i in issues if i.code != "legacy-number-as-text")

    assert key(one_sheet.issues) == key(cremona_import.issues)
    as_text = [i for i in one_sheet.issues if i.code == "legacy-number-as-text"]
    assert len(as_text) == 161  # one per row: target, actual, deviation, weight, % are all text
    (first,) = [i for i in as_text if i.source_row == 77]
    assert "Target atteso, Target Consuntivo, Scostamento, Peso, % Ragg" in first.message
    assert "1.194.987" in first.message
    assert all(i.sheet == "Relazione" and i.severity == "informazione" for i in as_text)


def _typed_cell(value: str) -> object:
    parsed = parse_number(value)
    if parsed.value is not None and not parsed.percent and value.strip():
        return parsed.value
    return value


def test_one_sheet_per_line_with_real_numbers_and_percent_cells(tmp_path, cremona_import):
    from openpyxl import Workbook

    book = Workbook()
    ws = book.active
    ws.title = "Copertina"
    r = 0
    for cells in seed_rows():
        first = cells[0].strip() if cells else ""
        if first.startswith("**LINEA") or first.startswith("**OBIETTIVI"):
            ws = book.create_sheet(f"Linea {len(book.sheetnames)}")
            r = 0
        r += 1
        for c, value in enumerate(cells, start=1):
            if not value.strip():
                continue
            parsed = parse_number(value)
            cell = ws.cell(row=r, column=c)
            if parsed.percent and parsed.value is not None:
                cell.value = parsed.value / 100  # "85,29%" typed in Excel: 0,8529 shown as %
                cell.number_format = "0.00%"
            else:
                cell.value = _typed_cell(value)
                if isinstance(cell.value, str):
                    cell.data_type = "s"
    path = tmp_path / "per_linea.xlsx"
    book.save(path)
    result = import_report(path)
    assert _without_rows(result.plan) == _without_rows(cremona_import.plan)
    assert [ln.published_pct for ln in result.plan.lines] == [ln.published_pct for ln in cremona_import.plan.lines]
    assert result.plan.ente == "Comune di Cremona" and result.plan.year == 2021
    assert not [i for i in result.issues if i.code == "legacy-number-as-text"]
    assert {r.sheet for r in result.report.rows} == {f"Linea {n}" for n in range(1, 11)}


def test_table_starting_in_column_b_and_percent_formatted_scores(tmp_path):
    rows = seed_rows()
    header = rows[75]  # seed line 76: the Rigenerazione header
    assert header[0] == "Responsabile"
    body = [
        ["COMUNE DI PROVA"],
        ["Relazione sulla Performance 2023"],
        ["Linea strategica sulla rigenerazione urbana"],
        ["% Raggiungimento obiettivi per area strategica", "", "75,00%"],
        header,
        ["Rossi Anna", "Settore Tecnico", "Obiettivo uno", "Def", "Ind A", "1 = fatto 0 = non fatto",
         "Fin", 1, 1, 0, "", 50, 1.0, ""],
        ["", "", "", "", "Ind B", "n / m * 100", "Fin", 80, 40, -40, "", 50, 0.5, ""],
    ]
    from openpyxl import Workbook

    book = Workbook()
    ws = book.active
    for r, cells in enumerate(body, start=1):
        for c, value in enumerate(cells, start=2):  # everything one column to the right
            if value == "":
                continue
            cell = ws.cell(row=r, column=c, value=value)
            if r >= 6 and c == 14:  # % Ragg column (M shifted to N) formatted as percent
                cell.number_format = "0%"
    path = tmp_path / "colonna_b.xlsx"
    book.save(path)
    result = import_report(path)
    assert result.plan.ente == "Comune di Prova" and result.plan.year == 2023
    (line,) = result.plan.lines
    assert line.published_pct == 75.0 and line.id == "RIG" and line.sheet_name == "Rigenerazione urbana"
    a, b = result.report.rows
    assert (a.achievement.value, b.achievement.value) == (100.0, 50.0)
    assert (b.target.value, b.actual.value, b.weight.value) == (80, 40, 50)
    assert not [i for i in result.issues if i.code == "legacy-shifted-right"]
    assert [i.id for i in result.plan.indicators] == ["RIG-01-01", "RIG-01-02"]
