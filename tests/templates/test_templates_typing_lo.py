"""What sector staff meet in the sheet, typed into LibreOffice the way they type it.

LibreOffice loads a sector template built by the builder; the test types through the cell's
input path (`.uno:EnterString`: Italian parsing, as at the keyboard), applies what the GUI
does besides (a cell typed as "92%" gets a percent format), clears formatting (Ctrl+M),
copies a Note over an actual, asks LibreOffice's own detective which cells break their
validation, reads what cells display, saves, and validates the saved file."""

from __future__ import annotations

import json
import subprocess
from pathlib import Path

import pytest

from barometro.model import Indicator, Kind, Line, Plan, Polarity
from barometro.settings import load_profile
from barometro.validators import validate_file
from barometro.workbook_templates.builder import build_templates

SCRIPT = Path(__file__).with_name("lo_type_cells.py")
SECTOR = "Settore Servizi al Cittadino"
SHEET = "Servizi"

# (id, indicator, formula text, target, weight)
ROWS = [
    ("SER-01-01", "Grado di soddisfazione degli utenti (%)", "soddisfatti / intervistati * 100", 90.0, 50.0),
    ("SER-01-02", "Entrate riscosse", "euro riscossi", 250_000.0, 50.0),
    ("SER-02-01", "Pratiche evase", "numero", 120.0, 50.0),
    ("SER-02-02", "Verbali pubblicati", "numero", 40.0, 50.0),
    ("SER-03-01", "Sportelli aperti", "numero di sportelli", 3.0, 50.0),
    ("SER-03-02", "Pagamenti tracciati", "numero di pagamenti", 5000.0, 50.0),
]


def _plan() -> Plan:
    inds = [Indicator(iid, "SER", iid[:6], "Rossi Maria", SECTOR, f"Obiettivo {iid[:6]}", "Definizione",
                      name, formula, "Finalità", target, weight, Kind.QUANTITY, Polarity.HIGHER)
            for iid, name, formula, target, weight in ROWS]
    return Plan("Comune di Prova", 2021, [Line("SER", "LINEA DEI SERVIZI", SHEET)], inds)


def _type(soffice: str, tmp_path: Path, src: Path, steps: list[dict]) -> tuple[Path, dict]:
    out = tmp_path / "digitato.xlsx"
    job = {"books": [{"src": str(src), "out": str(out), "sheet": SHEET, "steps": steps}]}
    (tmp_path / "job.json").write_text(json.dumps(job), encoding="utf-8")
    subprocess.run(["/usr/bin/python3", str(SCRIPT), str(tmp_path / "profile"), str(tmp_path / "job.json"),
                    str(tmp_path / "out.json")], check=True, timeout=240)
    return out, json.loads((tmp_path / "out.json").read_text(encoding="utf-8"))["results"][0]


@pytest.fixture(scope="module")
def typed(tmp_path_factory, soffice):
    tmp = tmp_path_factory.mktemp("digitazione")
    built = build_templates(_plan(), load_profile("default"), tmp / "modelli")
    steps = [
        # 1. "92%" typed against a target of 90: the sheet's own rule refuses it ...
        {"enter": "I6", "text": "92%"}, {"format": "I6", "code": "0%"}, {"invalid": "percent typed"},
        {"enter": "I6", "text": "92"}, {"invalid": "percent fixed"},
        {"enter": "I6", "text": "92%"},  # ... and the user confirmed it anyway (a pasted value, say)
        # 2. the percent format sticks: "250.000" typed next into a cell formatted as percent
        # (the GUI divides what is typed into a percent cell by 100: it stores 2500, shown 250000%)
        {"enter": "I7", "text": "92%"}, {"format": "I7", "code": "0%"}, {"store": "I7", "number": 2500},
        {"show": "I7"},
        # ... Ctrl+M repairs the look and strips the rule; a Note pasted over an actual replaces it
        {"enter": "I8", "text": "118"}, {"reset": "I8"},
        {"enter": "K6", "text": "vedi relazione"}, {"paste": "K6", "to": "I9"}, {"enter": "I9", "text": "40"},
        # 3. "4.580" against a target of 3 sportelli
        {"enter": "I10", "text": "4.580"},
        # 4. 4999 out of 5000: 99,98 %
        {"enter": "I11", "text": "4999"}, {"show": "M11"}, {"show": "J11"}, {"show": "I10"},
    ]
    out, results = _type(soffice, tmp, built.sectors[SECTOR], steps)
    return validate_file(out, master=built.master), results


def _at(report, code: str) -> list:
    return [(f.cell, f) for f in report.findings if f.code == code]


def test_percent_typed_is_refused_by_the_sheet_and_an_error_at_its_cell(typed):
    report, results = typed
    assert results["percent typed"]["any"] and results["percent typed"]["circles"] >= 1
    assert not results["percent fixed"]["any"]
    (cell, finding), *_ = _at(report, "C212")
    assert cell == "I6" and finding.severity.value == "errore"
    assert finding.found == pytest.approx(0.92) and finding.params["meant"] == pytest.approx(92)
    assert "92" in finding.render_message("it") and "0,92" in finding.render_message("it")


def test_a_sticky_percent_format_and_a_stripped_rule_are_errors(typed):
    report, results = typed
    assert results["I7"]["value"] == pytest.approx(2500) and "%" in results["I7"]["text"]
    c212 = {cell for cell, _ in _at(report, "C212")}
    assert "I7" in c212  # 2500 shown as 250000 %: the cell's percent format is the evidence
    s115 = {cell: f for cell, f in _at(report, "S115")}
    assert {"I8", "I9"} <= set(s115)  # Ctrl+M removed the rule; the pasted Note replaced it
    assert all(f.severity.value == "errore" for f in s115.values())
    assert report.status.value == "errori"


def test_an_implausible_magnitude_is_a_warning_with_its_reason(typed):
    report, results = typed
    assert results["I10"]["value"] == 4580  # Italian thousands: 4.580 is 4580
    (cell, finding), = _at(report, "C208")
    assert cell == "I10" and finding.severity.value == "avviso"
    assert "1527 volte il target" in finding.render_message("it")


def test_a_missed_target_never_reads_100(typed):
    report, results = typed
    assert results["M11"]["value"] == pytest.approx(99.98)
    assert results["M11"]["text"] == "99"  # integer display, floored just below 100
    note = next(f for cell, f in _at(report, "C205") if cell == "K11")
    assert "99,98 %" in note.render_message("it") and "100" not in note.render_message("it")


def test_no_italian_message_or_hint_writes_a_decimal_point(typed):
    import re

    report, _ = typed
    for f in report.findings:
        for text in (f.render_message("it"), f.render_hint("it")):
            assert not re.search(r"\d\.\d{1,2}(?!\d)", text), (f.code, text)
