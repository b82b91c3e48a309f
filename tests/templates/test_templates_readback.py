"""One read-back of a template: every backend gives the same plan, and a cell means one
thing to the native formulas, the BAR_* functions and the validator's checks."""

from __future__ import annotations

import math
from pathlib import Path

import pytest
from openpyxl import load_workbook
from template_plans import edge_plan, edge_values

from barometro.addin import functions
from barometro.addin.macros import OpsRows, read_book_data
from barometro.addin.ops_openpyxl import OpenpyxlOps
from barometro.model import Kind, Polarity
from barometro.settings import load_profile
from barometro.validators.context import BookRows, CheckContext, derive_facts
from barometro.validators.identify import expected_for
from barometro.validators.reader import read_book
from barometro.workbook_templates import readback, spec
from barometro.workbook_templates.builder import build_workbook
from barometro.workbook_templates.fill import fill_workbook
from barometro.workbook_templates.master_reader import OpenpyxlRows, read_template

# What staff or other programs leave in the technical cells, and how `IF(Q6="binario",…)`,
# `IF(R6="decrescente",…)` and `S6="SI"` read each one (Excel and LibreOffice compare text
# ignoring case, nothing else).
ODD_KINDS = [("binario", Kind.BINARY), ("BINARIO", Kind.BINARY), ("Binario", Kind.BINARY),
             ("binary", Kind.QUANTITY), ("binario ", Kind.QUANTITY), ("bin", Kind.QUANTITY), ("", Kind.QUANTITY),
             (1, Kind.QUANTITY)]
ODD_POLARITIES = [("decrescente", Polarity.LOWER), ("DECRESCENTE", Polarity.LOWER), ("-", Polarity.HIGHER),
                  ("lower", Polarity.HIGHER), ("decrescente.", Polarity.HIGHER), ("", Polarity.HIGHER)]
ODD_NEUTRALISED = [("SI", True), ("si", True), ("Si", True), ("X", False), ("SÌ", False), ("sì", False),
                   (1, False), ("", False)]


def _plans_equal(a, b) -> None:
    assert spec.plan_fingerprint(a) == spec.plan_fingerprint(b)
    assert [(i.id, i.actual, i.note) for i in a.indicators] == [(i.id, i.actual, i.note) for i in b.indicators]
    assert [(ln.id, ln.title, ln.sheet_name, ln.published_pct) for ln in a.lines] == [
        (ln.id, ln.title, ln.sheet_name, ln.published_pct) for ln in b.lines]


def _every_source(path: Path):
    wb = load_workbook(path, read_only=True)
    try:
        via_openpyxl = readback.read_back(OpenpyxlRows(wb))
    finally:
        wb.close()
    via_reader = readback.read_back(BookRows(read_book(path)))
    via_ops = readback.read_back(OpsRows(OpenpyxlOps(path)))
    return via_openpyxl, via_reader, via_ops


def test_every_row_source_reads_the_same_plan(tmp_path):
    plan, settings = edge_plan(), load_profile("cremona")
    master = build_workbook(plan, settings, tmp_path / "master.xlsx")
    values = {k: v for k, v in edge_values().items() if not isinstance(v[0], str)}
    filled = fill_workbook(master, tmp_path / "compilato.xlsx", values).path
    reads = _every_source(filled)
    for got in reads:
        assert spec.plan_fingerprint(got.plan) == spec.plan_fingerprint(plan)
        assert got.settings == settings and got.scope == "master"
        assert {i.id: i.actual for i in got.plan.indicators} == {
            i.id: (None if values.get(i.id) is None else values[i.id][0]) for i in plan.indicators}
    for other in reads[1:]:
        _plans_equal(reads[0].plan, other.plan)
        assert other.places == reads[0].places and other.meta == reads[0].meta
    assert read_template(filled).plan.indicators == reads[0].plan.indicators
    assert read_book_data(OpenpyxlOps(filled)).plan.indicators == reads[0].plan.indicators


@pytest.mark.libreoffice
def test_sources_agree_on_a_file_libreoffice_saved(workbooks):
    book = workbooks["edge-default-settore-cultura"]
    reads = _every_source(book.recalculated)
    for other in reads[1:]:
        _plans_equal(reads[0].plan, other.plan)
    assert spec.plan_fingerprint(reads[0].plan) == spec.plan_fingerprint(book.layout.plan)


def test_cell_semantics_are_the_formulas():
    for value, kind in ODD_KINDS:
        assert readback.kind_of(value) is kind, value
    for value, polarity in ODD_POLARITIES:
        assert readback.polarity_of(value) is polarity, value
    for value, neutral in ODD_NEUTRALISED:
        assert readback.is_neutralised(value) is neutral, value
    assert readback.as_number(True) is None and readback.as_number("12") is None
    assert readback.as_number(float("nan")) is None and readback.as_number(3) == 3.0


@pytest.mark.libreoffice
def test_formulas_functions_and_checks_agree_on_every_odd_spelling(tmp_path, soffice):
    """Technical cells holding odd spellings, recalculated by LibreOffice: its % Ragg equals
    BAR_RAGG on the same cells and the validator's recomputation, row by row."""
    from barometro.recalc import recalculate

    plan, settings = edge_plan(), load_profile("default")
    master = build_workbook(plan, settings, tmp_path / "master.xlsx")
    rows = list(range(spec.FIRST_ROW, spec.FIRST_ROW + 7))  # the 7 Ambiente indicators of the edge plan
    cases = []
    for n, (kind, _) in enumerate(ODD_KINDS):
        for m, (polarity, _) in enumerate(ODD_POLARITIES):
            for k, (neutral, _) in enumerate(ODD_NEUTRALISED):
                if (n + m + k) % 3 == 0:  # a spread of the combinations over the available rows
                    cases.append((kind, polarity, neutral))
    # 7 rows at a time: several workbooks, one LibreOffice call
    books = []
    for start in range(0, len(cases), len(rows)):
        chunk = cases[start:start + len(rows)]
        wb = load_workbook(master)
        ws = wb["Ambiente"]
        ws.protection.sheet = False
        for row, (kind, polarity, neutral) in zip(rows, chunk, strict=False):
            ws[f"H{row}"], ws[f"I{row}"] = 10, 5  # target 10, actual 5: 50 %, 0 %, 100 % or no score
            ws[f"Q{row}"], ws[f"R{row}"], ws[f"S{row}"] = kind, polarity, neutral
        path = tmp_path / f"strani-{start}.xlsx"
        wb.save(path)
        books.append((path, chunk))
    recalculated = recalculate([p for p, _ in books], tmp_path / "recalc")
    compared = 0
    for (_path, chunk), out in zip(books, recalculated, strict=True):
        values = load_workbook(out, data_only=True)["Ambiente"]
        book = read_book(out)
        exp = expected_for(book, str(out), None, None)
        ctx = CheckContext(str(out), book, exp.meta, exp.identity, exp.settings, exp.layout)
        derive_facts(ctx)
        by_row = {ref.row: ref for ref in ctx.rows if ref.sheet.name == "Ambiente"}
        for row, (kind, polarity, neutral) in zip(rows, chunk, strict=False):
            engine = values[f"M{row}"].value
            udf = functions.ragg(values[f"I{row}"].value, values[f"H{row}"].value, values[f"Q{row}"].value,
                                 values[f"R{row}"].value, values[f"S{row}"].value)
            check = by_row[row].score.achievement
            if engine in (None, ""):
                assert udf == "" and check is None, (kind, polarity, neutral, engine, udf, check)
            else:
                assert math.isclose(udf, engine) and math.isclose(check, engine), (kind, polarity, neutral)
            compared += 1
    assert compared == len(cases) > 40
