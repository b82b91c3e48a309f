"""The BAR_* functions in LibreOffice Calc, with the extension installed.

On filled masters (the edge-case plan with both profiles, the Cremona plan) a
sheet of BAR_* calls over the template's own cells is computed by Calc and
every call must equal, row by row: the native formula of the same cell as Calc
computes it, the scoring core, and the xlwings UDF evaluated on the same cell
values. Argument handling (defaults, empty cells, wrong arguments) is checked
against `functions.py`, the one implementation.
"""

from __future__ import annotations

import math
import zipfile

import pytest
from ext_books import UDF_SHEET, Case, Udf, udf_cells

from barometro import scoring
from barometro.addin import functions, udfs

pytestmark = pytest.mark.libreoffice

UDFS = {f.__name__: f for f in udfs.UDFS}


def _cell(doc, sheet: str, ref: str):
    value = doc.Sheets.getByName(sheet).getCellRangeByName(ref).getDataArray()[0][0]
    return value


def _values(doc, sheet: str, ref: str):
    """A cell or range as xlwings hands it to a UDF: None for empty, rows of values for a range."""
    rows = [[None if v == "" else v for v in row]
            for row in doc.Sheets.getByName(sheet).getCellRangeByName(ref).getDataArray()]
    return rows if ":" in ref else rows[0][0]


def _write_udfs(doc, calls: list[Udf], *, excel_syntax: bool = False) -> None:
    sheets = doc.Sheets
    if not sheets.hasByName(UDF_SHEET):
        sheets.insertNewByName(UDF_SHEET, sheets.Count)
    sheet = sheets.getByName(UDF_SHEET)
    block = sheet.getCellRangeByPosition(0, 0, 0, len(calls) - 1)
    block.setFormulaArray(tuple((u.calc(),) for u in calls))
    doc.calculateAll()


def _same(got, want) -> bool:
    if isinstance(want, float) and isinstance(got, float):
        return math.isclose(got, want, rel_tol=1e-12, abs_tol=1e-9)
    return got == want


def _core(case: Case, udf: Udf, scores: scoring.PlanScores):
    """What the scoring core says for the call (the plan's values, as the formulas read them)."""
    kind, key = udf.what.split(":", 1)
    ind = {i.id: i for i in case.plan.indicators}.get(key)
    if kind == "ragg":
        value = scores.indicator[key]
    elif kind == "scost":
        value = scoring.deviation(ind.actual, ind.target)
    elif kind == "linea":
        value = scores.line.get(key)
    elif kind == "obiettivo":
        value = scores.objective.get(key)
    else:  # barometro of the % Ragg
        value = scoring.gauge(scores.indicator[key], case.settings)
    return "" if value is None else value


def _check_case(office, case: Case) -> int:
    calls = udf_cells(case)
    doc = office.load(case.filled)
    try:
        _write_udfs(doc, calls)
        results = [row[0] for row in doc.Sheets.getByName(UDF_SHEET)
                   .getCellRangeByPosition(0, 0, 0, len(calls) - 1).getDataArray()]
        udf_sheet = doc.Sheets.getByName(UDF_SHEET)
        scores = scoring.score_plan(case.plan, case.settings)
        problems = []
        for udf, got in zip(calls, results, strict=True):
            error = udf_sheet.getCellRangeByName(udf.cell).getError()
            native = _cell(doc, *udf.native) if udf.native else None
            core = _core(case, udf, scores)
            xlwings = UDFS[udf.function](*(_values(doc, a.sheet, a.ref) if a.const is None else a.const
                                           for a in udf.args))
            if error or (udf.native and not _same(got, native)) or not _same(got, core) \
                    or not _same(got, xlwings):
                problems.append((udf.what, udf.calc(), got, error, native, core, xlwings))
        assert not problems, problems[:10]
        return len(calls)
    finally:
        doc.close(True)


@pytest.mark.parametrize("name", ["edge-default", "edge-cremona", "cremona"])
def test_functions_equal_native_formulas_core_and_udfs(office, cases, name):
    case = cases[name]
    checked = _check_case(office, case)
    kinds = {u.what.split(":")[0] for u in udf_cells(case)}
    assert kinds == {"ragg", "scost", "barometro", "linea", "obiettivo"}
    assert checked >= 3 * len(case.plan.indicators)


def test_edge_cases_cover_every_kind_polarity_and_gap(cases):
    """The edge plan reaches the branches the comparison above must agree on."""
    plan = cases["edge-default"].plan
    combos = {(i.kind.value, i.polarity.value) for i in plan.indicators}
    assert combos == {("binario", "crescente"), ("binario", "decrescente"),
                      ("quantitativo", "crescente"), ("quantitativo", "decrescente")}
    assert any(i.neutralised for i in plan.indicators)
    assert any(i.actual is None and not i.neutralised for i in plan.indicators)  # missing / text actual
    assert any(i.target == 0 for i in plan.indicators) and any((i.target or 0) < 0 for i in plan.indicators)


# --------------------------------------------------------------------------- arguments

ARGUMENT_CASES = [
    # (Calc formula, the same call on functions.py with the values of the inputs below)
    ("=BAR_RAGG(A1;B1)", lambda: functions.ragg(2.0, 10.0)),
    ('=BAR_RAGG(A1;B1;"quantitativo";"decrescente")', lambda: functions.ragg(2.0, 10.0, "quantitativo", "decrescente")),
    ('=BAR_RAGG(A2;B2;"binario";"crescente")', lambda: functions.ragg(0.0, 1.0, "binario", "crescente")),
    ("=BAR_RAGG(Z1;B1)", lambda: functions.ragg(None, 10.0)),  # empty actual: no score
    ("=BAR_SCOST(Z1;B1)", lambda: functions.scostamento(None, 10.0)),
    ("=BAR_SCOST(A1;B1)", lambda: functions.scostamento(2.0, 10.0)),
    ("=BAR_RAGG(A1;B1;Z1;Z2;Z3;Z4)", lambda: functions.ragg(2.0, 10.0)),  # empty optional cells
    ('=BAR_RAGG(A1;B1;;;;"nessuno")', lambda: functions.ragg(2.0, 10.0, None, None, None, "nessuno")),
    ('=BAR_RAGG(C1;B1)', lambda: functions.ragg("4.580", 10.0)),  # a number typed as text
    ("=BAR_RAGG(A1;B1;;;D1)", lambda: functions.ragg(2.0, 10.0, None, None, "SI")),
    ("=BAR_OBIETTIVO(E1:E3;F1:F3)", lambda: functions.obiettivo([[60.0], [40.0], [None]], [[100.0], [50.0], [80.0]])),
    ("=BAR_OBIETTIVO(E1:E3;F1:F2)", lambda: functions.obiettivo([[60.0], [40.0], [None]], [[100.0], [50.0]])),
    ("=BAR_LINEA(F1:F3)", lambda: functions.linea([[100.0], [50.0], [80.0]])),
    ('=BAR_LINEA(F1:F3;"media_indicatori")', lambda: functions.linea([[100.0], [50.0], [80.0]], "media_indicatori")),
    ('=BAR_LINEA(F1:F3;"ponderata";E1:E3)',
     lambda: functions.linea([[100.0], [50.0], [80.0]], "ponderata", [[60.0], [40.0], [None]])),
    ('=BAR_LINEA(F1:F3;"media_obiettivi";E1:E3;G1:G3)',
     lambda: functions.linea([[100.0], [50.0], [80.0]], "media_obiettivi", [[60.0], [40.0], [None]],
                             [["O1"], ["O1"], ["O2"]])),
    ('=BAR_LINEA(F1:F3;"media_obiettivi")', lambda: functions.linea([[100.0], [50.0], [80.0]], "media_obiettivi")),
    ('=BAR_LINEA(F1:F3;"a caso")', lambda: functions.linea([[100.0], [50.0], [80.0]], "a caso")),
    ('=BAR_LINEA(F1:F3;;;;;"cremona")', lambda: functions.linea([[100.0], [50.0], [80.0]], None, None, None, None, "cremona")),
    ("=BAR_BAROMETRO(F2)", lambda: functions.barometro(50.0)),
    ('=BAR_BAROMETRO(F2;"cremona")', lambda: functions.barometro(50.0, "cremona")),
    ("=BAR_BAROMETRO(Z1)", lambda: functions.barometro(None)),
]


@pytest.fixture(scope="module")
def argument_sheet(office):
    doc = office.new_calc()
    sheet = doc.Sheets.getByIndex(0)
    for ref, value in {"A1": 2, "B1": 10, "A2": 0, "B2": 1, "E1": 60, "E2": 40, "F1": 100, "F2": 50,
                       "F3": 80}.items():
        sheet.getCellRangeByName(ref).setValue(value)
    for ref, value in {"C1": "4.580", "D1": "SI", "G1": "O1", "G2": "O1", "G3": "O2"}.items():
        sheet.getCellRangeByName(ref).setString(value)
    yield doc, sheet
    doc.close(True)


@pytest.mark.parametrize("formula,expected", ARGUMENT_CASES, ids=[c[0] for c in ARGUMENT_CASES])
def test_arguments_as_functions_py_reads_them(argument_sheet, formula, expected):
    doc, sheet = argument_sheet
    cell = sheet.getCellRangeByName("K1")
    cell.setFormula(formula)
    doc.calculateAll()
    assert cell.getError() == 0, (formula, cell.getString())
    got = cell.getDataArray()[0][0]
    assert _same(got, expected()), (formula, got, expected())


def test_argument_errors_are_the_italian_valore_text(argument_sheet):
    doc, sheet = argument_sheet
    cell = sheet.getCellRangeByName("K2")
    cell.setFormula('=BAR_RAGG(A1;B1;;;;"nessuno")')
    doc.calculateAll()
    assert cell.getString().startswith("#VALORE! profilo «nessuno» sconosciuto")


def test_a_number_typed_in_a_data_argument_is_a_calc_error(argument_sheet):
    """Documented limit: consuntivo/target/valore/pesi/raggiungimenti are references in Calc."""
    doc, sheet = argument_sheet
    cell = sheet.getCellRangeByName("K3")
    cell.setFormula("=BAR_RAGG(2;10)")
    doc.calculateAll()
    assert cell.getError() != 0


def test_results_follow_their_inputs(argument_sheet):
    doc, sheet = argument_sheet
    cell = sheet.getCellRangeByName("K4")
    cell.setFormula("=BAR_RAGG(A3;B3)")
    sheet.getCellRangeByName("B3").setValue(20)
    sheet.getCellRangeByName("A3").setValue(5)
    assert cell.getValue() == pytest.approx(25.0)
    sheet.getCellRangeByName("A3").setValue(30)
    assert cell.getValue() == pytest.approx(100.0)
    sheet.getCellRangeByName("A3").setString("")
    assert cell.getDataArray()[0][0] == ""


# --------------------------------------------------------------------------- files from Excel, files from Calc


def _excel_book_with_udfs(case: Case, target):
    """The filled master plus a UDF sheet written as Excel writes xlwings calls (BAR_RAGG('S'!I6,...))."""
    from openpyxl import load_workbook

    calls = udf_cells(case)
    wb = load_workbook(case.filled)
    ws = wb.create_sheet(UDF_SHEET)
    for udf in calls:
        ws[udf.cell] = udf.excel()
    wb.save(target)
    return calls


def _udf_results(doc, calls):
    block = doc.Sheets.getByName(UDF_SHEET).getCellRangeByPosition(0, 0, 0, len(calls) - 1)
    return [row[0] for row in block.getDataArray()]


def _natives(doc, calls):
    return [_cell(doc, *u.native) if u.native else None for u in calls]


def test_a_workbook_saved_by_excel_computes_once_opened(office, cases, tmp_path):
    case = cases["edge-default"]
    path = tmp_path / "da-excel.xlsx"
    calls = _excel_book_with_udfs(case, path)
    with zipfile.ZipFile(path) as zf:  # stored as Excel stores them: plain names, commas
        xml = "".join(zf.read(n).decode() for n in zf.namelist() if n.startswith("xl/worksheets/"))
    assert "BAR_RAGG(" in xml and "ORG.BAROMETRO" not in xml
    doc = office.load(path)
    try:
        assert not doc.isModified()  # the load job re-reads the formulas without "modifying"
        doc.calculateAll()
        got = _udf_results(doc, calls)
        natives = _natives(doc, calls)
        sheet = doc.Sheets.getByName(UDF_SHEET)
        errors = [u.cell for u in calls if sheet.getCellRangeByName(u.cell).getError()]
        assert not errors, errors[:5]
        mismatches = [(u.what, g, n) for u, g, n in zip(calls, got, natives, strict=True)
                      if u.native and not _same(g, n)]
        assert not mismatches, mismatches[:5]
        # saved again by Calc (xlsx: the add-in's programmatic name; ods) and reopened: same results
        for suffix, filter_name in ((".xlsx", "Calc MS Excel 2007 XML"), (".ods", "calc8")):
            again = office.store(doc, tmp_path / f"da-calc{suffix}", filter_name)
            if suffix == ".xlsx":
                with zipfile.ZipFile(again) as zf:
                    xml = "".join(zf.read(n).decode() for n in zf.namelist() if n.startswith("xl/worksheets/"))
                assert "ORG.BAROMETRO.CALC.FUNCTIONS.BAR_RAGG(" in xml
            reopened = office.load(again)
            try:
                reopened.calculateAll()
                assert [_same(a, b) for a, b in zip(_udf_results(reopened, calls), got, strict=True)] \
                    == [True] * len(calls), suffix
            finally:
                reopened.close(True)
    finally:
        doc.close(True)
