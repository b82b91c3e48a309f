"""Structure of the built workbooks: formulas, protection, validation, formats, metadata."""

from __future__ import annotations

import json
import re

import pytest
from openpyxl import load_workbook
from template_plans import edge_plan

from barometro.settings import load_profile
from barometro.workbook_templates import spec
from barometro.workbook_templates.builder import BuildError, build_workbook, sector_slug

SHEET_NAME_OK = re.compile(r"^[^\[\]:*?/\\]{1,31}$")


@pytest.fixture(scope="module")
def master(edge_build):
    return load_workbook(edge_build.master)


def test_every_formula_cell_is_exactly_the_spec(edge_build, master):
    layout = spec.build_layout(edge_plan(), load_profile("default"))
    expected = layout.expected_formulas()
    found = {}
    for ws in master.worksheets:
        for row in ws.iter_rows():
            for cell in row:
                if cell.data_type == "f":
                    found[(ws.title, cell.coordinate)] = cell.value
    assert found == expected


def test_no_cached_values_are_written(edge_build):
    import zipfile

    with zipfile.ZipFile(edge_build.master) as z:
        sheets = [n for n in z.namelist() if n.startswith("xl/worksheets/sheet")]
        xml = "".join(z.read(n).decode() for n in sheets)
    assert "<f>" in xml and not re.search(r"</f>\s*<v>[^<]", xml)


def test_sheets_names_order_and_states(master):
    names = master.sheetnames
    assert names[0] == spec.INSTRUCTIONS_SHEET and names[1] == spec.SUMMARY_SHEET
    assert names[2:5] == ["Ambiente", "Cultura e turismo", "Smart City"] and names[-1] == spec.META_SHEET
    assert all(SHEET_NAME_OK.match(n) for n in names)
    assert master[spec.META_SHEET].sheet_state == "veryHidden"
    assert all(ws.sheet_state == "visible" for ws in master.worksheets[:-1])
    assert master.security.lockStructure


def test_line_sheet_layout_headers_and_method(master):
    ws = master["Ambiente"]
    assert ws["A1"].value == "Relazione sulla Performance 2021 - LINEA STRATEGICA SULL'AMBIENTE"
    assert ws["A2"].value == "% Raggiungimento obiettivi per area strategica"
    assert ws[spec.LINE_PCT_CELL].number_format.endswith('0.00"%"')
    assert ws["A3"].value == load_profile("default").describe_it()
    assert "A3:N3" in {str(r) for r in ws.merged_cells.ranges}  # the method sentence wraps, never clipped
    assert [ws.cell(spec.HEADER_ROW, i + 1).value for i in range(len(spec.COLUMNS))] == [c.header for c in spec.COLUMNS]
    for col in spec.TECHNICAL_COLUMNS:
        assert ws[f"{col.letter}5"].fill.fgColor.rgb.endswith("BFBFBF")
    assert "non modificare" in ws["O4"].value
    # header and identifying columns frozen; the cursor on the first actual
    assert ws.freeze_panes == "F6"
    assert {sel.activeCell for sel in ws.sheet_view.selection} == {"I6"}


def test_protection_on_everywhere_inputs_unlocked(master):
    for ws in master.worksheets:
        assert ws.protection.sheet, ws.title
        assert ws.protection.password is None
        assert ws.protection.formatColumns is False and ws.protection.formatRows is False
    ws = master["Ambiente"]
    for row in range(6, 13):
        for col in spec.COLUMNS:
            locked = ws[f"{col.letter}{row}"].protection.locked
            assert locked is (col.role is not spec.Role.INPUT), (col.key, row)


def test_data_validation_on_inputs(master):
    ws = master["Ambiente"]
    by_cell = {str(dv.sqref): dv for dv in ws.data_validations.dataValidation}
    assert (by_cell["I6"].type, by_cell["I6"].formula1, by_cell["I6"].formula2) == ("whole", "0", "1")  # binary
    # target 85: a value between 0 and 1 is "85%" typed with the sign, refused
    assert by_cell["I8"].type == "custom" and "ABS(I8)>=1" in by_cell["I8"].formula1
    assert by_cell["I11"].type == "decimal"  # target 0: any number
    assert by_cell["K6:K12"].type == "textLength" and by_cell["K6:K12"].formula1 == "2000"
    assert all(dv.showInputMessage and dv.showErrorMessage and dv.prompt and dv.error for dv in by_cell.values())
    assert "92, non 92%" in by_cell["I8"].error


def test_conditional_formatting_gauge_and_missing_note(master):
    ws = master["Ambiente"]
    rules = {str(cf.sqref): cf.rules for cf in ws.conditional_formatting}
    icon = rules["N6:N12"][0].iconSet
    assert icon.iconSet == "3TrafficLights1" and icon.showValue is False
    assert [float(c.val) for c in icon.cfvo] == [0, 60, 100]
    note_rule = rules["K6:K12"][0]
    assert note_rule.type == "expression" and 'S6="SI"' in note_rule.formula[0]
    summary = {str(cf.sqref): cf.rules for cf in master["Riepilogo"].conditional_formatting}
    assert any(r[0].type == "iconSet" and "F6" in k and "G" in k for k, r in summary.items())


def test_gauge_cell_tint_follows_the_scoring_core(master):
    """The Barometro cell's fill (three expression rules) gives the colour `scoring.gauge`
    gives, evaluated by the `formulas` engine on values around both thresholds and on ""."""
    import formulas

    from barometro.scoring import gauge
    from barometro.workbook_templates.styles import GAUGE_FILLS

    colour_of = {fill.bgColor.rgb: name for name, fill in GAUGE_FILLS.items()}
    rules = [r for cf in master["Ambiente"].conditional_formatting if str(cf.sqref) == "N6:N12"
             for r in cf.rules if r.type == "expression"]
    assert len(rules) == 3
    compiled = [(formulas.Parser().ast("=" + r.formula[0])[1].compile(), colour_of[r.dxf.fill.bgColor.rgb])
                for r in rules]
    settings = load_profile("default")
    for value in ("", 0.0, 59.99, 60.0, 99.99, 100.0):
        tints = [name for func, name in compiled if bool(func(value))]
        expected = gauge(value if value != "" else None, settings)
        assert tints == ([expected] if expected else []), value


def test_formats_widths_print_setup(master):
    ws = master["Cultura e turismo"]
    big = ws["H9"]  # target 1.194.987; the 14.889.946 actual must fit too
    assert big.value == 1194987
    assert ws.column_dimensions["I"].width >= len("14,889,946") + 2
    # target, actual and deviation share one Italian format; % Ragg never shows 100 below 100
    assert {ws[f"{c}9"].number_format for c in "HIJ"} == {spec.FMT_QUANTITY}
    assert master["Smart City"]["H7"].number_format == spec.FMT_QUANTITY  # 12,5 shown as typed
    assert ws["M6"].number_format == spec.FMT_ACHIEVEMENT
    assert ws["D6"].alignment.wrap_text and 15 < ws.row_dimensions[6].height <= 90
    assert ws.page_setup.orientation == "landscape" and int(ws.page_setup.paperSize) == 9  # A4
    assert int(ws.page_setup.scale) == 80 and not ws.sheet_properties.pageSetUpPr.fitToPage  # never shrunk
    assert ws.print_title_rows == "$5:$5"
    assert "&P" in ws.oddFooter.center.text


def test_metadata_sheet_and_document_properties(master, edge_build):
    rows = dict(master[spec.META_SHEET].iter_rows(values_only=True))
    for key in spec.META_KEYS:
        assert key in rows, key
    assert rows["template_id"] == spec.TEMPLATE_ID and rows["scope"] == "master"
    assert rows["plan_fingerprint"] == spec.plan_fingerprint(edge_plan())
    assert json.loads(rows["settings_json"]) == load_profile("default").to_dict()
    assert rows["ind:B-03-01"] == "Cultura e turismo!9"
    assert json.loads(rows["line:C"]) == ["Smart City", "LINEA STRATEGICA SMART CITY", None]
    assert len([k for k in rows if k.startswith("ind:")]) == len(edge_plan().indicators)
    props = {p.name: p.value for p in master.custom_doc_props.props}
    assert props["barometro_template_id"] == spec.TEMPLATE_ID
    assert props["barometro_year"] == "2021" and props["barometro_spec_version"] == spec.SPEC_VERSION


def test_instructions_in_italian(master):
    text = "\n".join(str(c.value) for c in master["Istruzioni"]["A"] if c.value)
    for needle in ("Target Consuntivo", "Note", ".xlsx", "macro", "neutralizzato", "decrescente"):
        assert needle in text, needle


def test_sector_files_hold_only_their_rows(edge_build):
    plan = edge_plan()
    assert set(edge_build.sectors) == set(plan.sectors())
    for sector, path in edge_build.sectors.items():
        assert path.parent.name == "settori" and path.stem == sector_slug(sector)
        wb = load_workbook(path)
        ids = []
        for ws in wb.worksheets[2:-1]:
            ids += [ws[f"O{r}"].value for r in range(6, ws.max_row + 1) if ws[f"O{r}"].value]
            assert all(ws[f"B{r}"].value == sector for r in range(6, ws.max_row + 1) if ws[f"O{r}"].value)
        assert ids == [i.id for i in plan.indicators if i.sector == sector]
        meta = dict(wb[spec.META_SHEET].iter_rows(values_only=True))
        assert meta["scope"] == "settore" and meta["sector"] == sector


def test_text_starting_with_equals_stays_text(tmp_path):
    from dataclasses import replace

    plan = edge_plan()
    plan.indicators[0] = replace(plan.indicators[0], formula_text="= fatto entro giugno")
    path = build_workbook(plan, load_profile("default"), tmp_path / "m.xlsx")
    cell = load_workbook(path)["Ambiente"]["F6"]
    assert cell.data_type == "s" and cell.value == "= fatto entro giugno"


def test_bad_sheet_name_and_empty_sector_are_clear_errors(tmp_path):
    from dataclasses import replace

    plan = edge_plan()
    plan.lines[0] = replace(plan.lines[0], sheet_name="Riepilogo")
    with pytest.raises(BuildError):
        build_workbook(plan, load_profile("default"), tmp_path / "x.xlsx")
    with pytest.raises(BuildError):
        build_workbook(edge_plan(), load_profile("default"), tmp_path / "y.xlsx", "settore", "Nessuno")
    assert not (tmp_path / "x.xlsx").exists() and not (tmp_path / "y.xlsx").exists()


def test_slugs():
    assert sector_slug("Settore Politiche Educative e Università") == "settore-politiche-educative-e-universita"
    assert sector_slug("") == "settore"


@pytest.mark.libreoffice
def test_cremona_numbers_fit_their_columns(workbooks, cremona_plan):
    """No value of the 2021 report would show as ##### (widths vs the formatted numbers)."""
    from barometro.workbook_templates.styles import formatted_width

    book = workbooks["cremona-cremona-master"]
    wb = load_workbook(book.recalculated, data_only=True)
    checked = 0
    biggest = 0.0
    for block in book.layout.blocks:
        ws = wb[block.sheet_name]
        for row in range(block.first_row, block.last_row + 1):
            for letter in "HIJ":
                cell = ws[f"{letter}{row}"]
                if isinstance(cell.value, int | float):
                    width = ws.column_dimensions[letter].width
                    assert formatted_width(float(cell.value)) + 2 <= width, (block.sheet_name, cell.coordinate)
                    biggest = max(biggest, abs(float(cell.value)))
                    checked += 1
    assert checked > 300 and biggest >= 14_889_946
