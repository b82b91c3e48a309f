"""`barometro import` end to end."""

from __future__ import annotations

import json
import subprocess
import sys

from click.testing import CliRunner
from legacy_helpers import SEED

from barometro.cli.main import cli
from barometro.plan_io import read_plan


def test_import_writes_the_plan_and_prints_a_summary(tmp_path, cremona_import):
    out = tmp_path / "piano" / "piano_2022.xlsx"
    result = CliRunner().invoke(cli, ["import", str(SEED), "-o", str(out), "--settings", "cremona"])
    assert result.exit_code == 0, result.output
    assert read_plan(out) == cremona_import.plan
    assert sorted(p.name for p in out.parent.iterdir()) == ["piano_2022.xlsx"]  # no temp file left
    text = result.output
    assert "Comune di Cremona, relazione 2021: 10 linee strategiche, 68 obiettivi, 161 indicatori." in text
    assert "AMB  Ambiente" in text and "24 indicatori" in text
    assert "MAN  Obiettivi di mandato" in text and "33 indicatori" in text
    assert "profilo «cremona»" in text
    assert "[ERRORE] legacy-hashes: 1 (righe 329)" in text
    assert "[AVVISO] legacy-polarity-inferred: 4 (righe 166, 199, 289, 355)" in text
    assert "[AVVISO] legacy-duplicate-row: 1 (righe 190)" in text
    assert "Linee la cui % pubblicata non si ricalcola (3)" in text
    assert "Traceback" not in text


def test_import_json(tmp_path):
    out = tmp_path / "piano.xlsx"
    result = CliRunner().invoke(cli, ["import", str(SEED), "-o", str(out), "--json", "--settings", "cremona"])
    assert result.exit_code == 0, result.output
    data = json.loads(result.output)
    assert data["ente"] == "Comune di Cremona" and data["year"] == 2021 and data["indicators"] == 161
    lines = {ln["id"]: ln for ln in data["lines"]}
    assert lines["AMB"]["indicators"] == 24 and lines["AMB"]["matches"] is True
    assert lines["SMA"]["matches"] is False
    codes = [i["code"] for i in data["issues"]]
    assert codes.count("legacy-hashes") == 1
    assert all(i["severity"] in ("errore", "avviso", "informazione") for i in data["issues"])


def test_unreadable_input_exits_1_with_a_message(tmp_path):
    garbage = tmp_path / "relazione.txt"
    garbage.write_bytes(b"\x00\xff\xfe" * 500)
    out = tmp_path / "piano.xlsx"
    result = CliRunner().invoke(cli, ["import", str(garbage), "-o", str(out)])
    assert result.exit_code == 1
    assert "binario o danneggiato" in result.output
    assert result.exception is None or isinstance(result.exception, SystemExit)
    assert not out.exists()


def test_wrong_output_suffix_and_missing_input(tmp_path):
    result = CliRunner().invoke(cli, ["import", str(SEED), "-o", str(tmp_path / "piano.txt")])
    assert result.exit_code == 1 and ".xlsx" in result.output
    result = CliRunner().invoke(cli, ["import", str(tmp_path / "manca.txt"), "-o", str(tmp_path / "p.xlsx")])
    assert result.exit_code == 1 and "non trovato" in result.output


def test_help_has_an_example():
    result = CliRunner().invoke(cli, ["import", "--help"])
    assert result.exit_code == 0 and "Example:" in result.output
    assert "barometro import relazione_2021.txt -o piano_2022.xlsx" in result.output


def test_real_process_in_english(tmp_path):
    out = tmp_path / "plan.xlsx"
    proc = subprocess.run(
        [sys.executable, "-m", "barometro.cli.main", "--lang", "en", "import", str(SEED), "-o", str(out)],
        capture_output=True, text=True, timeout=120,
    )
    assert proc.returncode == 0, proc.stderr
    assert "10 strategic lines, 68 objectives, 161 indicators" in proc.stdout
    assert out.exists()
    bad = subprocess.run(
        [sys.executable, "-m", "barometro.cli.main", "import", str(tmp_path), "-o", str(out)],
        capture_output=True, text=True, timeout=120,
    )
    assert bad.returncode != 0 and "Traceback" not in bad.stderr
