"""Ricalcola, Valida and Consolida dispatched in LibreOffice on real documents.

Each command is dispatched as `barometro:<Command>` on the frame of a hidden
document, as the menu and the toolbar do; its outcome (the message boxes it
showed, the folder it asked for) comes back as the dispatch result. What the
document holds afterwards is compared with the CLI: `barometro validate
--format json` on a copy of the document saved by Calc just before Valida, and
`consolidate` (what `barometro consolidate` runs) on the same returns.
"""

from __future__ import annotations

import json
import math
import os
import shutil
import threading
import time
from pathlib import Path

import pytest
from click.testing import CliRunner
from ext_returns import CORRUPT, Year, build_year, copy_of

from barometro.addin.macros import CHECK_HEADER_ROW, PROBLEM_HEADER_ROW
from barometro.addin.office_workbook import (
    LAST_RUN_CELL,
    PROBLEMS_SHEET,
    RETURNS_FOLDER_CELL,
    SETTINGS_SHEET,
)
from barometro.addin.ops import MARK_FILL, Mark
from barometro.addin.ops_uno import NOTE_PREFIX
from barometro.cli.main import cli
from barometro.issues import Severity
from barometro.messages import text
from barometro.settings import load_profile
from barometro.workbook_templates import spec

pytestmark = pytest.mark.libreoffice

VBA_FILTER = "Calc MS Excel 2007 VBA XML"
XLSX_FILTER = "Calc MS Excel 2007 XML"


@pytest.fixture(scope="module")
def year(tmp_path_factory, cremona_plan) -> Year:
    return build_year(cremona_plan, load_profile("cremona"), tmp_path_factory.mktemp("anno"))


@pytest.fixture(scope="module")
def consolidated(year):
    """What `barometro consolidate` gives on the same returns (the library function it runs)."""
    from barometro.consolidation import consolidate

    return consolidate(year.files(), master=year.master)


@pytest.fixture
def book(office, year, tmp_path):
    """A fresh copy of the office workbook, open in LibreOffice."""
    doc = office.load(copy_of(year.office, tmp_path / "aperto"))
    yield doc
    doc.close(True)


def _sheet(doc, name):
    return doc.Sheets.getByName(name)


def _value(doc, sheet, ref):
    v = _sheet(doc, sheet).getCellRangeByName(ref).getDataArray()[0][0]
    return None if v == "" else v


def _same(a, b) -> bool:
    if isinstance(a, float) and isinstance(b, float):
        return math.isclose(a, b, rel_tol=1e-12, abs_tol=1e-9)
    return a == b


def _only_message(outcome: dict, kind: str) -> str:
    assert outcome["dispatched"], outcome
    assert [m["kind"] for m in outcome["messages"]] == [kind], outcome
    message = outcome["messages"][0]
    assert message["caption"] == text("addin.ext.caption")
    assert "Traceback" not in message["text"]
    return message["text"]


def _cli_findings(office, doc, folder: Path, name: str, filter_name: str) -> list[dict]:
    """`barometro validate --format json` on a copy of `doc` saved by Calc now."""
    folder.mkdir(parents=True, exist_ok=True)
    copy = office.store(doc, folder / name, filter_name)
    result = CliRunner().invoke(cli, ["validate", str(copy), "--format", "json"])
    assert result.exit_code in (0, 1), result.output
    (report,) = json.loads(result.output)["files"]
    return report["findings"]


def _problems(doc) -> list[list]:
    rows = _sheet(doc, PROBLEMS_SHEET).getCellRangeByPosition(
        0, PROBLEM_HEADER_ROW, 10, PROBLEM_HEADER_ROW + 2000).getDataArray()
    out = []
    for row in rows:
        if row[1] == "":
            break
        out.append([None if v == "" else v for v in row])
    return out


def _expected_rows(findings: list[dict]) -> list[list]:
    return [[Severity(f["severity"]).label(), f["code"], f["sheet"] or None, f["cell"] or None,
             f["message"] or None, f["expected"] or None, f["found"] or None, f["hint"] or None,
             Path(f["file"]).name if f["file"] else None] for f in findings]


def _consolidate(office, doc) -> dict:
    outcome = office.dispatch(doc, "Consolida")
    assert outcome["ok"], outcome
    return outcome


# --------------------------------------------------------------------------- Consolida


def test_consolida_fills_the_workbook_as_consolidate_does(office, book, year, consolidated):
    outcome = _consolidate(office, book)
    message = _only_message(outcome, "info")
    assert message.startswith(_value(book, SETTINGS_SHEET, LAST_RUN_CELL))
    assert str(year.returns) in message
    unused = {o.source.name: text("consolidation.decision." + o.decision.value)
              for o in consolidated.merge.files if not o.decision.used}
    assert set(unused) == {CORRUPT, year.damaged}  # the known defects are refused, and said so
    for name, decision in unused.items():
        assert f"{name} ({decision})" in message
    layout = year.layout()
    merged = {i.id: i for i in consolidated.plan.indicators}
    for b in layout.blocks:
        for ind in b.indicators:
            row = b.row_of(ind.id)
            assert _value(book, b.sheet_name, f"I{row}") == merged[ind.id].actual, ind.id
            assert (_value(book, b.sheet_name, f"K{row}") or "") == (merged[ind.id].note or ""), ind.id
    assert sum(m.actual is not None for m in merged.values()) < len(merged)  # the refused sector is missing
    book.calculateAll()  # the workbook's own formulas, computed by Calc, give the CLI's totals
    for line in year.plan.lines:
        got = _value(book, spec.SUMMARY_SHEET, layout.line_pct_summary_cell(line.id))
        want = consolidated.scores.line.get(line.id)
        assert _same(got, want), (line.id, got, want)
    assert _same(_value(book, spec.SUMMARY_SHEET, layout.ente_cell), consolidated.scores.ente)


def test_consolida_with_many_returns_starts_no_worker_process(office, book, year, tmp_path):
    """16 returns or more: the validator would use worker processes; inside LibreOffice it must not."""
    folder = tmp_path / "molti"
    shutil.copytree(year.returns, folder)
    for i, path in enumerate(sorted(folder.glob("settore-*.xlsx"))[:3]):
        shutil.copy(path, folder / f"copia{i}-{path.name}")
    count = len(list(folder.glob("*.xlsx")))
    assert count >= 16
    _sheet(book, SETTINGS_SHEET).getCellRangeByName(RETURNS_FOLDER_CELL).setString(str(folder))
    group = office.proc.pid
    seen: set[int] = set()
    done = threading.Event()

    def members() -> set[int]:
        out = set()
        for entry in os.listdir("/proc"):
            if entry.isdigit():
                try:
                    if os.getpgid(int(entry)) == group:
                        out.add(int(entry))
                except (ProcessLookupError, PermissionError):
                    pass
        return out

    before = members()

    def watch() -> None:
        while not done.is_set():
            seen.update(members())
            time.sleep(0.01)

    watcher = threading.Thread(target=watch)
    watcher.start()
    try:
        outcome = _consolidate(office, book)
    finally:
        done.set()
        watcher.join()
    assert f" {count} file" in _only_message(outcome, "info")
    assert seen <= before, f"processes started during Consolida: {sorted(seen - before)}"


def test_consolida_explains_bad_folders(office, book, year, tmp_path):
    settings = _sheet(book, SETTINGS_SHEET)
    cases = []
    missing = tmp_path / "non-esiste"
    cases.append((missing, text("addin.run.folder_missing", folder=missing)))
    empty = tmp_path / "vuota"
    empty.mkdir()
    (empty / "leggimi.txt").write_text("niente")
    cases.append((empty, text("addin.run.no_returns", folder=empty)))
    twice = tmp_path / "doppi"
    shutil.copytree(year.returns, twice)
    (twice / CORRUPT).unlink()
    first = sorted(twice.glob("settore-*.xlsx"))[0]
    from barometro.workbook_templates.fill import fill_workbook

    sector_ids = [i.id for i in year.plan.indicators if i.sector in {
        s for s, p in year.sectors.items() if p.name == first.name}]
    fill_workbook(first, twice / f"seconda-{first.name}", {sector_ids[0]: (12345.0, None)})
    cases.append((twice, text("addin.run.blocked", folder=twice)))
    for folder, expected in cases:
        settings.getCellRangeByName(RETURNS_FOLDER_CELL).setString(str(folder))
        outcome = office.dispatch(book, "Consolida")
        assert not outcome["ok"]
        assert _only_message(outcome, "error") == expected


def test_consolida_of_only_a_corrupt_file_says_it_was_not_used(office, book, year, tmp_path):
    folder = tmp_path / "solo-rotto"
    folder.mkdir()
    shutil.copy(year.returns / CORRUPT, folder / CORRUPT)
    _sheet(book, SETTINGS_SHEET).getCellRangeByName(RETURNS_FOLDER_CELL).setString(str(folder))
    message = _only_message(_consolidate(office, book), "info")
    assert text("addin.ext.consolida.unused", count=1,
                files=f"{CORRUPT} ({text('consolidation.decision.respinto_illeggibile')})") in message


# --------------------------------------------------------------------------- Ricalcola


def _check_table(doc) -> list[list]:
    rows = _sheet(doc, SETTINGS_SHEET).getCellRangeByPosition(
        0, CHECK_HEADER_ROW, 3, CHECK_HEADER_ROW + 500).getDataArray()
    return [list(r) for r in rows[:next(i for i, r in enumerate(rows) if r[0] == "")]]


def test_ricalcola_compares_the_sheet_with_the_library(office, book, year, consolidated):
    _consolidate(office, book)
    message = _only_message(office.dispatch(book, "Ricalcola"), "info")
    table = _check_table(book)
    layout = year.layout()
    assert len(table) == len(year.plan.lines) + 1 + len(layout.objective_rows)
    assert text("addin.ext.ricalcola.agree", total=len(table), row=CHECK_HEADER_ROW) in message
    assert {r[3] for r in table} == {text("addin.check.ok")}
    expected = [consolidated.scores.line.get(ln.id) for ln in year.plan.lines] + [consolidated.scores.ente] + \
               [consolidated.scores.objective.get(oid) for oid in layout.objective_rows]
    for row, want in zip(table, expected, strict=True):
        assert _same(row[2] if row[2] != "" else None, want), (row, want)
        assert _same(row[1] if row[1] != "" else None, want), (row, want)  # the sheet's formulas, by Calc
    # a line % typed over its formula: Ricalcola says so
    riepilogo = _sheet(book, spec.SUMMARY_SHEET)
    riepilogo.unprotect("")
    riepilogo.getCellRangeByName(layout.line_pct_summary_cell(year.plan.lines[0].id)).setValue(12.5)
    message = _only_message(office.dispatch(book, "Ricalcola"), "info")
    after = _check_table(book)
    differs = [r[0] for r in after if r[3] == text("addin.check.differs")]
    ente = len(year.plan.lines)  # the ente's row follows the lines: its mean moves with the line
    assert differs == [after[0][0], after[ente][0]]
    assert text("addin.ext.ricalcola.differs", count=2, total=len(table), row=CHECK_HEADER_ROW) in message


# --------------------------------------------------------------------------- Valida


def _links(doc, rows: int) -> list[tuple[str, str] | None]:
    sheet = _sheet(doc, PROBLEMS_SHEET)
    out = []
    for r in range(rows):
        fields = list(sheet.getCellByPosition(9, PROBLEM_HEADER_ROW + r).getTextFields())
        out.append((fields[0].URL, fields[0].Representation) if fields else None)
    return out


def _damage(doc, year) -> tuple[tuple[str, str], tuple[str, str], dict]:
    """A formula overwritten with a number, a number typed as text: as staff do it."""
    layout = year.layout()
    b0, b1 = layout.blocks[0], layout.blocks[1]
    row0, row1 = b0.row_of(b0.indicators[0].id), b1.row_of(b1.indicators[0].id)
    overwritten, as_text = (b0.sheet_name, f"J{row0}"), (b1.sheet_name, f"I{row1}")
    saved = {}
    s0 = _sheet(doc, b0.sheet_name)
    saved["tokens"] = s0.getCellRangeByName(overwritten[1]).getTokens()
    saved["fill"] = s0.getCellRangeByName(overwritten[1]).CellBackColor
    s0.unprotect("")
    s0.getCellRangeByName(overwritten[1]).setValue(5)
    s0.protect("")
    saved["actual"] = _sheet(doc, b1.sheet_name).getCellRangeByName(as_text[1]).getValue()
    saved["format"] = _sheet(doc, b1.sheet_name).getCellRangeByName(as_text[1]).NumberFormat
    _sheet(doc, b1.sheet_name).getCellRangeByName(as_text[1]).setString("4.580")
    return overwritten, as_text, saved


def test_valida_writes_the_cli_findings_links_and_marks_then_clears_them(office, book, year, tmp_path):
    _consolidate(office, book)
    overwritten, as_text, saved = _damage(book, year)
    findings = _cli_findings(office, book, tmp_path / "cli1", year.office.name, VBA_FILTER)
    outcome = office.dispatch(book, "Valida")
    assert outcome["ok"]
    assert _only_message(outcome, "info") == _value(book, SETTINGS_SHEET, LAST_RUN_CELL)
    assert text("addin.run.valida", when="", count=len(findings)).split(": ")[-1] in \
        _value(book, SETTINGS_SHEET, LAST_RUN_CELL)
    # Problemi: the CLI's findings, in order, with every text
    assert _value(book, PROBLEMS_SHEET, "A1") == text("addin.problems.title", count=len(findings))
    rows = _problems(book)
    assert [r[:9] for r in rows] == _expected_rows(findings)
    located = {(f["sheet"], f["cell"]) for f in findings}
    assert overwritten in located and as_text in located
    # links to the cells, and Calc reads them as links into this workbook
    names = set(book.Sheets.ElementNames)
    links = _links(book, len(rows))
    targets = [(f["sheet"], f["cell"]) for f in findings if f["sheet"] in names and f["cell"]]
    assert [lnk for lnk in links if lnk] == [
        ("#'" + s.replace("'", "''") + "'." + c, text("addin.problems.go")) for s, c in targets]
    # marks: colour by severity and the comment of the first finding of each cell
    first: dict[tuple[str, str], dict] = {}
    for f in findings:
        if f["sheet"] in names and f["cell"]:
            first.setdefault((f["sheet"], f["cell"]), f)
    fills = {"errore": Mark.ERROR, "avviso": Mark.WARNING}
    for (sheet, ref), f in first.items():
        cell = _sheet(book, sheet).getCellRangeByName(ref)
        assert cell.CellBackColor == int(MARK_FILL[fills.get(f["severity"], Mark.INFO)], 16), (sheet, ref)
        assert cell.getAnnotation().getString() == f"{NOTE_PREFIX}{f['code']}: {f['message']}", (sheet, ref)
    assert _sheet(book, overwritten[0]).getCellRangeByName(overwritten[1]).CellBackColor == \
        int(MARK_FILL[Mark.ERROR], 16)
    assert all(r[10] is not None for r, f in zip(rows, findings, strict=True)
               if (f["sheet"], f["cell"]) in first and first[(f["sheet"], f["cell"])] is f)
    # the workbook saved as .xlsx keeps them as links and comments
    _links_survive_xlsx(office, book, tmp_path, targets)

    # repaired, validated again: the marks of the first run are gone, the new list is the CLI's
    s0 = _sheet(book, overwritten[0])
    s0.unprotect("")
    s0.getCellRangeByName(overwritten[1]).setTokens(saved["tokens"])
    s0.protect("")
    repaired = _sheet(book, as_text[0]).getCellRangeByName(as_text[1])
    repaired.setValue(saved["actual"])
    repaired.NumberFormat = saved["format"]  # typing text there gave the cell a text format too
    findings2 = _cli_findings(office, book, tmp_path / "cli2", year.office.name, VBA_FILTER)
    assert office.dispatch(book, "Valida")["ok"]
    assert [r[:9] for r in _problems(book)] == _expected_rows(findings2)
    still = {(f["sheet"], f["cell"]) for f in findings2}
    assert overwritten not in still and as_text not in still
    cell = s0.getCellRangeByName(overwritten[1])
    assert cell.CellBackColor == saved["fill"]
    assert cell.getAnnotation().getString() == ""
    for (sheet, ref) in set(first) - still:
        note = _sheet(book, sheet).getCellRangeByName(ref).getAnnotation().getString()
        assert not note.startswith(NOTE_PREFIX), (sheet, ref)


def _links_survive_xlsx(office, doc, tmp_path, targets) -> None:
    from openpyxl import load_workbook

    saved = office.store(doc, tmp_path / "con-link.xlsx", XLSX_FILTER)
    wb = load_workbook(saved)
    ws = wb[PROBLEMS_SHEET]
    locations = [c.hyperlink.location or c.hyperlink.target for c in ws["J"] if c.hyperlink is not None]
    assert len(locations) == len(targets)
    for location, (sheet, ref) in zip(locations, targets, strict=True):
        where, _, cell = location.rpartition("!")
        if where.startswith("'") and where.endswith("'"):
            where = where[1:-1].replace("''", "'")
        assert (where, cell.replace("$", "")) == (sheet, ref), location
    sheet, ref = targets[0]
    assert wb[sheet][ref].comment is not None and wb[sheet][ref].comment.text.startswith(NOTE_PREFIX)


# --------------------------------------------------------------------------- a plain master, bad documents


def test_commands_on_a_master_from_barometro_template(office, year, tmp_path):
    doc = office.load(copy_of(year.master, tmp_path / "master"))
    try:
        assert not doc.Sheets.hasByName(SETTINGS_SHEET) and not doc.Sheets.hasByName(PROBLEMS_SHEET)
        # (a file named master.xlsx is taken by the CLI as the master of the others: another name)
        findings = _cli_findings(office, doc, tmp_path / "cli", "copia.xlsx", XLSX_FILTER)
        outcome = office.dispatch(doc, "Valida")
        assert outcome["ok"], outcome
        names = list(doc.Sheets.ElementNames)
        assert names[0] == SETTINGS_SHEET and names[-1] == spec.META_SHEET and names[-2] == PROBLEMS_SHEET
        problems = _problems(doc)
        assert [r[:8] for r in problems] == [r[:8] for r in _expected_rows(findings)]
        assert {r[8] for r in problems} <= {year.master.name, None}
        settings = year.settings
        for ref, value in (("A1", text("addin.settings.title")), ("A4", text("addin.settings.returns_folder")),
                           ("A7", text("addin.settings.last_run")), ("B5", settings.name),
                           ("B6", settings.describe_it())):
            assert _value(doc, SETTINGS_SHEET, ref) == value, ref
        assert "Validazione eseguita" in _value(doc, SETTINGS_SHEET, LAST_RUN_CELL)
        assert _only_message(office.dispatch(doc, "Ricalcola"), "info").startswith("Ricalcolo eseguito")
        assert {r[3] for r in _check_table(doc)} == {text("addin.check.ok")}
        # no returns folder in Impostazioni: LibreOffice's folder picker is asked (cancelled here)
        outcome = office.dispatch(doc, "Consolida")
        assert outcome["asked"] == [text("addin.run.ask_folder")]
        assert _only_message(outcome, "error") == text("addin.run.no_folder")
    finally:
        doc.close(True)


@pytest.mark.parametrize("command", ["Ricalcola", "Valida", "Consolida"])
def test_a_document_that_is_not_a_master_gets_an_italian_message(office, command):
    doc = office.new_calc()
    try:
        _sheet(doc, doc.Sheets.ElementNames[0]).getCellRangeByName("A1").setString("Un foglio qualsiasi")
        outcome = office.dispatch(doc, command)
        assert not outcome["ok"]
        message = _only_message(outcome, "error")
        if command == "Consolida":  # no Impostazioni: it asks for the folder first
            assert outcome["asked"] and message == text("addin.run.no_folder")
        else:
            assert message.startswith(text("addin.run.not_master", reason="").split(":")[0])
    finally:
        doc.close(True)


def test_unknown_commands_are_not_dispatched(office):
    doc = office.new_calc()
    try:
        assert not office.dispatch(doc, "Cancella")["dispatched"]
    finally:
        doc.close(True)


def test_a_sheet_protected_with_a_password_is_explained(office, book, year):
    _consolidate(office, book)
    overwritten, _, _ = _damage(book, year)
    sheet = _sheet(book, overwritten[0])
    sheet.unprotect("")
    sheet.protect("segreto")
    outcome = office.dispatch(book, "Valida")
    assert not outcome["ok"]
    assert _only_message(outcome, "error") == text("addin.ext.protected", sheet=overwritten[0])
    assert sheet.isProtected()  # left as the office set it
