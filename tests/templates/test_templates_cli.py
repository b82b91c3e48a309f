"""`barometro template` and `barometro demo` end to end (real files, real LibreOffice)."""

from __future__ import annotations

import pytest
from click.testing import CliRunner
from openpyxl import load_workbook
from template_plans import edge_plan

from barometro.cli.main import cli
from barometro.workbook_templates import spec


def _run(*args: str):
    return CliRunner().invoke(cli, list(args), catch_exceptions=False)


def test_help_has_example():
    for name in ("template", "demo"):
        result = _run(name, "--help")
        assert result.exit_code == 0 and "Example:" in result.output


def test_template_from_a_plan_file(tmp_path):
    from barometro.plan_io import write_plan

    plan_path = tmp_path / "piano.xlsx"
    write_plan(edge_plan(), plan_path)
    result = _run("template", str(plan_path), "-o", str(tmp_path / "modelli"), "--settings", "cremona")
    assert result.exit_code == 0, result.output
    assert "manca il peso" in result.output
    master = tmp_path / "modelli" / "master.xlsx"
    meta = dict(load_workbook(master)[spec.META_SHEET].iter_rows(values_only=True))
    assert meta["settings_name"] == "cremona"
    assert meta["plan_fingerprint"] == spec.plan_fingerprint(edge_plan())
    assert len(list((tmp_path / "modelli" / "settori").glob("*.xlsx"))) == 3


def test_template_strict_writes_nothing(tmp_path):
    from barometro.plan_io import write_plan

    plan_path = tmp_path / "piano.xlsx"
    write_plan(edge_plan(), plan_path)
    result = _run("template", str(plan_path), "-o", str(tmp_path / "modelli"), "--strict")
    assert result.exit_code == 1 and "--strict" in result.output
    assert not (tmp_path / "modelli").exists()


def test_template_bad_inputs_give_messages_not_tracebacks(tmp_path):
    (tmp_path / "rotto.xlsx").write_bytes(b"not a workbook")
    result = _run("template", str(tmp_path / "rotto.xlsx"), "-o", str(tmp_path / "o"))
    assert result.exit_code == 1 and "Impossibile leggere il piano" in result.output
    result = _run("template", str(tmp_path / "rotto.xlsx"), "-o", str(tmp_path / "o"), "--settings", "nessuno")
    assert result.exit_code == 1 and "Impostazioni non valide" in result.output


@pytest.mark.libreoffice
@pytest.mark.slow
def test_demo_end_to_end(tmp_path, soffice, cremona_plan):
    out = tmp_path / "demo"
    result = _run("demo", str(out))
    assert result.exit_code == 0, result.output
    assert (out / "piano.xlsx").is_file() and (out / "modelli" / "master.xlsx").is_file()
    returns = sorted((out / "ritorni").glob("*.xlsx"))
    assert len(returns) == len(cremona_plan.sectors())
    values = load_workbook(out / "master_compilato.xlsx", data_only=True)["Riepilogo"]
    assert isinstance(values["C6"].value, float)
    lines = [ln for ln in result.output.splitlines() if "%" in ln]
    assert "Ambiente" in result.output and "85,29 %" in result.output and "85.29" not in result.output
    assert "Metodo di calcolo" in result.output and len(lines) >= 10

    # The validator agrees with LibreOffice on every computed value of the real returns:
    # no formula, structure or computed-value finding, no error at all.
    from barometro.validators import validate_paths

    batch = validate_paths([out / "ritorni"], master=out / "modelli" / "master.xlsx")
    assert len(batch.files) == len(returns)
    codes = {f.code for r in batch.files for f in r.findings}
    assert not {c for c in codes if c[0] in "SFV"}, codes
    assert all(r.status.value in ("ok", "avvisi") for r in batch.files), [
        (r.path, [f.code for f in r.findings]) for r in batch.files if r.status.value not in ("ok", "avvisi")]
    master = validate_paths([out / "master_compilato.xlsx"], find_master=False)
    assert not {f.code for r in master.files for f in r.findings if f.code[0] in "SFV"}


@pytest.mark.slow  # end to end on the whole Cremona plan: the slow tier
def test_demo_without_libreoffice_still_writes_files(tmp_path, monkeypatch, cremona_plan):
    monkeypatch.setenv("BAROMETRO_SOFFICE", str(tmp_path / "no-soffice"))
    out = tmp_path / "demo"
    result = _run("demo", str(out))
    assert result.exit_code == 0, result.output
    assert "LibreOffice (soffice) non trovato" in result.output  # stdout and stderr together
    assert (out / "master_compilato.xlsx").is_file()
    assert len(list((out / "ritorni").glob("*.xlsx"))) == len(cremona_plan.sectors())
