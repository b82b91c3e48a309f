"""Round trip on the bundled Cremona 2021 report, from the CLI.

plan -> sector templates (the builder) -> filled with the 2021 actuals, two
sectors missing, one returned twice, one with an error -> `barometro
consolidate` -> workbook, HTML, PDF; then LibreOffice recalculates the
workbook to the same values, and the PDF renders to pages.
"""

from __future__ import annotations

import hashlib
import os
import shutil
import signal
import subprocess
import sys
import time
from dataclasses import dataclass
from importlib import resources
from pathlib import Path

import pytest
from openpyxl import load_workbook

from barometro import scoring
from barometro.consolidation import RowState, consolidate
from barometro.legacy import import_report
from barometro.model import Plan
from barometro.settings import load_profile
from barometro.workbook_templates import spec
from barometro.workbook_templates.builder import build_templates
from barometro.workbook_templates.fill import fill_workbook

MISSING = ("Settore Risorse Umane", "Settore Polizia Locale")
DUPLICATED = "Settore Cultura, Musei e City Branding"
WITH_ERRORS = "Settore Politiche Sociali"
EPOCH = "1650000000"  # SOURCE_DATE_EPOCH: fixed run timestamp


@dataclass(frozen=True)
class Year:
    plan: Plan
    master: Path
    returns: Path
    files: dict[str, Path]  # sector -> the file used (the preferred one for the duplicate)
    first_copy: Path  # the duplicate that must lose
    error_file: Path
    bad_id: str  # the indicator whose actual was typed as words


def _cli(*args: str, env_extra: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    env = dict(os.environ, SOURCE_DATE_EPOCH=EPOCH, BAROMETRO_LANG="it")
    env.update(env_extra or {})
    return subprocess.run([sys.executable, "-m", "barometro.cli.main", "consolidate", *args],
                          capture_output=True, text=True, env=env, timeout=300)


@pytest.fixture(scope="session")
def year(tmp_path_factory) -> Year:
    settings = load_profile("cremona")
    seed = resources.files("barometro") / "data" / "cremona_relazione_performance_2021.txt"
    plan = import_report(seed, settings).plan
    root = tmp_path_factory.mktemp("cremona")
    built = build_templates(plan, settings, root / "modelli")
    returns = root / "ritorni"
    returns.mkdir()
    values = {i.id: (i.actual, i.note) for i in plan.indicators}
    files: dict[str, Path] = {}
    for sector, template in built.sectors.items():
        if sector in MISSING:
            continue
        files[sector] = fill_workbook(template, returns / template.name, values).path
    # The duplicated sector first sent a draft with a wrong value, then the final file.
    dup_ids = [i.id for i in plan.indicators if i.sector == DUPLICATED]
    draft = {**values, dup_ids[0]: (0, "bozza")}
    first_copy = fill_workbook(built.sectors[DUPLICATED], returns / "cultura_bozza.xlsx", draft).path
    final = files.pop(DUPLICATED)
    files[DUPLICATED] = final.rename(returns / "cultura_definitivo.xlsx")
    # The sector with errors typed words where a number belongs.
    bad_id = next(i.id for i in plan.indicators if i.sector == WITH_ERRORS)
    error_file = fill_workbook(built.sectors[WITH_ERRORS], files[WITH_ERRORS],
                               {**values, bad_id: ("fatto", "")}).path
    return Year(plan, built.master, returns, files, first_copy, error_file, bad_id)


def _hashes(folder: Path) -> dict[str, str]:
    return {p.name: hashlib.sha256(p.read_bytes()).hexdigest() for p in sorted(folder.iterdir())}


def _expected_scores(year: Year):
    """Scores by the scoring core alone, from the plan and the sectors that count."""
    settings = load_profile("cremona")
    counted = set(year.files) - {WITH_ERRORS}
    items = []
    for ind in year.plan.indicators:
        actual = ind.actual if ind.sector in counted else None
        ach = scoring.achievement(actual, ind.target, ind.kind, ind.polarity,
                                  neutralised=ind.neutralised, settings=settings)
        items.append(scoring.Scored(ind.objective_id, ind.weight, ach, ind.neutralised, ind.line_id))
    lines = {ln.id: scoring.line_score([i for i in items if i.line_id == ln.id], settings)
             for ln in year.plan.lines}
    return lines, scoring.ente_score(items, settings)


def _publish(year: Year, out: Path, *extra: str) -> subprocess.CompletedProcess[str]:
    return _cli(str(year.returns), "--master", str(year.master), "-o", str(out / "relazione.xlsx"),
                "--html", str(out / "relazione.html"), "--prefer", str(year.files[DUPLICATED]),
                "--deadline", "2099-12-31", *extra)


@pytest.fixture(scope="session")
def published(year, tmp_path_factory):
    """One CLI run with the workbook and the HTML; the inputs' hashes before it."""
    out = tmp_path_factory.mktemp("pubblicazione")
    before = _hashes(year.returns)
    return out, _publish(year, out), before


@pytest.fixture(scope="session")
def published_pdf(year, tmp_path_factory, soffice):
    """The same run with the PDF too (WeasyPrint, 40-odd pages), and LibreOffice's own PDF
    export of the consolidated workbook (what the Calc extension offers)."""
    out = tmp_path_factory.mktemp("pubblicazione_pdf")
    proc = _publish(year, out, "--pdf", str(out / "relazione.pdf"))
    assert proc.returncode == 0, proc.stderr + proc.stdout
    subprocess.run([soffice, "--headless", f"-env:UserInstallation=file://{out / 'lo-profile'}",
                    "--convert-to", "pdf", "--outdir", str(out / "calc"), str(out / "relazione.xlsx")],
                   check=True, capture_output=True, timeout=300)
    return out


def test_cli_round_trip_writes_every_output(year, published):
    out, proc, before = published
    assert proc.returncode == 0, proc.stderr + proc.stdout
    for name in ("relazione.xlsx", "relazione.html"):
        assert (out / name).stat().st_size > 1000
    assert _hashes(year.returns) == before  # inputs never modified
    assert "Ente: " in proc.stdout
    assert "non pervenuto" in proc.stdout and "respinto" in proc.stdout
    assert not [p for p in out.iterdir() if p.name.startswith(".")]  # no temporaries left


def test_line_and_ente_percentages_equal_the_scoring_core(year, published):
    out, _, _ = published
    lines, ente = _expected_scores(year)
    wb = load_workbook(out / "relazione.xlsx", data_only=True)
    layout = spec.build_layout(year.plan, load_profile("cremona"), "master")
    summary = wb[spec.SUMMARY_SHEET]
    for line_id, row in layout.line_rows.items():
        got = summary[f"C{row}"].value
        if lines[line_id] is None:
            assert got in (None, "")
        else:
            assert got == pytest.approx(lines[line_id], abs=1e-9), line_id
    assert summary[layout.ente_cell].value == pytest.approx(ente, abs=1e-9)


def test_missing_duplicate_and_refused_sectors_are_reported(year, published):
    out, _, _ = published
    wb = load_workbook(out / "relazione.xlsx")
    sectors = {r[0]: r for r in wb["Settori"].iter_rows(min_row=5, values_only=True) if r[0]}
    assert set(sectors) == set(year.plan.sectors())
    for sector in MISSING:
        assert sectors[sector][3] == "non pervenuto" and sectors[sector][2] == 0
    assert sectors[WITH_ERRORS][3] == "respinto"
    dup = sectors[DUPLICATED]
    assert dup[4] == "cultura_definitivo.xlsx"
    assert "cultura_bozza.xlsx" in dup[10] and "cultura_definitivo.xlsx" in dup[10]
    assert dup[8] == "Sì"  # on time against the 2099 deadline
    prov = {r[0]: r for r in wb["Provenienza"].iter_rows(min_row=4, values_only=True)}
    assert len(prov) == len(year.plan.indicators)
    for ind in year.plan.indicators:
        state = prov[ind.id][5]
        if ind.sector in MISSING:
            assert state == "non pervenuto"
        elif ind.sector == WITH_ERRORS:
            assert state == "non pervenuto (file respinto)"
        else:
            assert state == "pervenuto", ind.id
    checks = [r for r in wb["Verifiche"].iter_rows(values_only=True)]
    assert any(r[2] == year.error_file.name and r[2] and r[0] for r in checks)
    assert any(r[0] == year.error_file.name and r[2] == "C211" for r in checks)


def test_fonti_lists_every_input_with_its_hash(year, published):
    out, _, _ = published
    wb = load_workbook(out / "relazione.xlsx")
    rows = {r[0]: r for r in wb["Fonti"].iter_rows(values_only=True) if r[0]}
    for path in year.returns.iterdir():
        assert rows[path.name][2] == hashlib.sha256(path.read_bytes()).hexdigest(), path.name
        assert rows[path.name][3] == path.stat().st_size
    assert rows["SHA-256 del master"][1] == hashlib.sha256(year.master.read_bytes()).hexdigest()
    assert rows["Profilo di calcolo"][1] == "cremona"
    assert "cultura_bozza.xlsx" in rows and "scartato" in rows["cultura_bozza.xlsx"][7]


@pytest.mark.libreoffice
def test_consolidated_workbook_recalculates_in_libreoffice(year, published, tmp_path, soffice):
    from barometro.recalc import recalculate

    out, _, _ = published
    (recalc,) = recalculate([out / "relazione.xlsx"], tmp_path)
    ours = load_workbook(out / "relazione.xlsx", data_only=True)
    theirs = load_workbook(recalc, data_only=True)
    layout = spec.build_layout(year.plan, load_profile("cremona"), "master")
    cells = [(spec.SUMMARY_SHEET, f"C{r}") for r in layout.line_rows.values()]
    cells += [(spec.SUMMARY_SHEET, layout.ente_cell)]
    cells += [(spec.SUMMARY_SHEET, f"F{r}") for r in layout.objective_rows.values()]
    cells += [(b.sheet_name, f"M{r}") for b in layout.blocks for r in range(b.first_row, b.last_row + 1)]
    for sheet, ref in cells:
        a, b = ours[sheet][ref].value, theirs[sheet][ref].value
        if isinstance(a, int | float):
            assert b == pytest.approx(a, abs=1e-9), (sheet, ref)
        else:
            assert b in (None, ""), (sheet, ref, b)


def test_pdf_pages_show_tables_and_charts(year, published_pdf, tmp_path):
    out = published_pdf
    pdf = out / "relazione.pdf"
    subprocess.run(["pdftoppm", "-r", "30", "-png", "-f", "1", "-l", "4", str(pdf), str(tmp_path / "p")],
                   check=True)
    assert len(list(tmp_path.glob("p-*.png"))) == 4
    words = subprocess.run(["pdftotext", "-layout", str(pdf), "-"], capture_output=True, text=True,
                           check=True).stdout
    for line in year.plan.lines:
        assert line.title in words, line.title
    assert "Comune di Cremona" in words and "Target consuntivo" in words and "non pervenuto" in words
    html = (out / "relazione.html").read_text(encoding="utf-8")
    assert html.count("<svg class=\"bars\"") == len(year.plan.lines)
    calc = subprocess.run(["pdftotext", "-layout", str(out / "calc" / "relazione.pdf"), "-"], capture_output=True,
                          text=True, check=True).stdout
    assert "Riepilogo" in calc or "Relazione" in calc
    assert all(line.sheet_name in calc for line in year.plan.lines[:3])


@pytest.mark.slow  # subprocesses on the whole Cremona batch: the slow tier
def test_same_inputs_same_output(year, published, tmp_path):
    out, _, _ = published
    proc = _publish(year, tmp_path)
    assert proc.returncode == 0, proc.stderr
    for name in ("relazione.xlsx", "relazione.html"):
        assert (tmp_path / name).read_bytes() == (out / name).read_bytes(), name


@pytest.mark.slow  # subprocesses on the whole Cremona batch: the slow tier
def test_duplicate_without_prefer_blocks_and_writes_nothing(year, tmp_path):
    proc = _cli(str(year.returns), "--master", str(year.master), "-o", str(tmp_path / "relazione.xlsx"))
    assert proc.returncode == 1
    assert "--prefer" in proc.stderr
    assert "cultura_bozza.xlsx" in proc.stdout and "cultura_definitivo.xlsx" in proc.stdout
    assert list(tmp_path.iterdir()) == []


def test_include_errors_takes_the_file_and_marks_it(year):
    result = consolidate([year.returns], master=year.master, include_errors=True,
                         prefer=[str(year.files[DUPLICATED])])
    assert result.written == ()
    rows = [r for r in result.merge.rows if r.indicator.sector == WITH_ERRORS]
    assert rows and all(r.state is RowState.RETURNED_WITH_ERRORS for r in rows)
    assert result.merge.row(year.bad_id).actual is None  # words are not a number


@pytest.mark.slow  # subprocesses on the whole Cremona batch: the slow tier
def test_bad_input_gives_a_message_not_a_traceback(year, tmp_path):
    proc = _cli(str(year.returns), "--master", str(year.master), "-o", str(year.first_copy))
    assert proc.returncode == 2 and "Traceback" not in proc.stderr
    assert "non vengono mai modificati" in proc.stderr
    proc = _cli(str(tmp_path), "--master", str(year.master), "-o", str(tmp_path / "x.xlsx"))
    assert proc.returncode == 2 and "Nessun file da consolidare" in proc.stderr
    proc = _cli(str(year.returns), "--master", str(year.first_copy), "-o", str(tmp_path / "x.xlsx"))
    assert proc.returncode == 2 and "Traceback" not in proc.stderr
    proc = _cli(str(year.returns), "--master", str(year.master), "-o", str(tmp_path / "x.xlsx"),
                "--deadline", "31/03/2022")
    assert proc.returncode == 2 and "AAAA-MM-GG" in proc.stderr


@pytest.mark.slow  # subprocesses on the whole Cremona batch: the slow tier
def test_nothing_usable_exits_1_with_a_message(year, tmp_path):
    """Only a broken file arrived: the outputs say so, and the exit status is not 0."""
    folder = tmp_path / "ritorni"
    folder.mkdir()
    (folder / "rotto.xlsx").write_bytes(b"PK\x03\x04 non un file")
    target = tmp_path / "relazione.xlsx"
    proc = _cli(str(folder), "--master", str(year.master), "-o", str(target))
    assert proc.returncode == 1 and "Traceback" not in proc.stderr, proc.stderr
    assert "Nessun ritorno utilizzabile" in proc.stderr and target.exists()


@pytest.mark.slow  # subprocesses on the whole Cremona batch: the slow tier
def test_run_killed_half_way_leaves_no_output(year, tmp_path):
    """SIGKILL once the temporary workbook exists: the old output stays intact, no new one appears."""
    target, html = tmp_path / "relazione.xlsx", tmp_path / "relazione.html"
    target.write_bytes(b"versione precedente")
    env = dict(os.environ, BAROMETRO_LANG="it")
    proc = subprocess.Popen(
        [sys.executable, "-m", "barometro.cli.main", "consolidate", str(year.returns), "--master",
         str(year.master), "-o", str(target), "--html", str(html), "--pdf", str(tmp_path / "relazione.pdf"),
         "--prefer", str(year.files[DUPLICATED])],
        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, env=env,
    )
    deadline = time.monotonic() + 120
    started = False
    while time.monotonic() < deadline and proc.poll() is None:
        if any(p.name.startswith(".relazione.xlsx.") for p in tmp_path.iterdir()):
            started = True
            break
        time.sleep(0.002)
    proc.send_signal(signal.SIGKILL)
    proc.wait()
    assert started, "the run ended before it started writing"
    assert target.read_bytes() == b"versione precedente"
    assert not html.exists() and not (tmp_path / "relazione.pdf").exists()
    # only our own hidden temporary may remain, never a file with the output's name
    assert {p.name for p in tmp_path.iterdir() if not p.name.startswith(".")} == {"relazione.xlsx"}
    shutil.rmtree(tmp_path, ignore_errors=True)


def _damage_rows(src: Path, dst: Path, plan: Plan) -> tuple[str, str, str]:
    """As a user would in Excel: sort two rows, delete one, insert a new one with values.

    Formulas of the computed columns are rewritten per row, as Excel adjusts them.
    Returns (swapped id 1, swapped id 2, deleted id).
    """
    settings = load_profile("cremona")
    wb = load_workbook(src)
    id_col = spec.COL["indicator_id"].letter
    ws = next(w for w in wb.worksheets if w.title not in spec.RESERVED_SHEETS
              and w[f"{id_col}{spec.HEADER_ROW}"].value == spec.COL["indicator_id"].header)
    rows = {ws[f"{id_col}{r}"].value: r for r in range(spec.FIRST_ROW, ws.max_row + 1)
            if ws[f"{id_col}{r}"].value}
    actual = {i.id: i.actual for i in plan.indicators}
    ids = list(rows)
    a = ids[0]
    b = next(i for i in ids[1:] if actual[i] != actual[a])
    gone = next(i for i in ids if i not in (a, b))
    plain = [c.letter for c in spec.COLUMNS if c.key not in spec.FORMULA_KEYS]
    for letter in plain:  # an Excel sort: values move, each row keeps its own formulas
        ws[f"{letter}{rows[a]}"].value, ws[f"{letter}{rows[b]}"].value = (
            ws[f"{letter}{rows[b]}"].value, ws[f"{letter}{rows[a]}"].value)
    ws.delete_rows(rows[gone], 1)
    ws.insert_rows(spec.FIRST_ROW + 1, 1)
    new = spec.FIRST_ROW + 1
    ws[f"E{new}"], ws[f"H{new}"], ws[f"I{new}"] = "Nuovo indicatore aggiunto dal settore", 10, 12
    for r in range(spec.FIRST_ROW, ws.max_row + 1):
        if ws[f"{id_col}{r}"].value or r == new:
            for key in spec.FORMULA_KEYS:
                ws[f"{spec.COL[key].letter}{r}"] = spec.row_formula(key, r, settings)
    wb.save(dst)
    return a, b, gone


def test_inserted_deleted_and_reordered_rows_merge_by_id(year, tmp_path):
    sector = "Settore Lavori Pubblici, Mobilità Urbana e Protezione Civile"
    folder = tmp_path / "ritorni"
    folder.mkdir()
    a, b, gone = _damage_rows(year.files[sector], folder / "lavori_pubblici.xlsx", year.plan)

    refused = consolidate([folder], master=year.master)
    (outcome,) = refused.merge.files
    assert outcome.decision.value == "respinto_errori"
    codes = {f.code for f in outcome.source.findings}
    assert {"S106", "S107", "S108"} <= codes

    result = consolidate([folder], master=year.master, include_errors=True)
    actual = {i.id: i.actual for i in year.plan.indicators}
    assert result.merge.row(a).actual == actual[a] and result.merge.row(b).actual == actual[b]
    assert result.merge.row(gone).state is RowState.MISSING_DELETED
    kinds = {(i.kind.value, i.indicator_id) for i in result.merge.issues}
    assert ("riga_eliminata", gone) in kinds
    assert any(k == "riga_aggiunta" for k, _ in kinds)
    assert [r.indicator.id for r in result.merge.rows] == [i.id for i in year.plan.indicators]
    others = [r for r in result.merge.rows if r.indicator.sector == sector and r.indicator.id != gone]
    assert others and all(r.state is RowState.RETURNED_WITH_ERRORS and r.actual == actual[r.indicator.id]
                          for r in others)


def test_the_master_is_read_once_per_run(year, tmp_path, monkeypatch):
    """`consolidate` reads the master once (the validator's reader) and hands it on; the
    add-in's Consolida button reads its own snapshot once too."""
    import openpyxl

    from barometro.addin import macros
    from barometro.validators import reader

    reads: list[str] = []
    real_read_zip, real_load = reader._read_zip, openpyxl.load_workbook

    def counting_read_zip(zf, path, *args, **kwargs):
        reads.append(Path(path).name)
        return real_read_zip(zf, path, *args, **kwargs)

    def counting_load(filename, *args, **kwargs):
        reads.append(Path(filename).name)
        return real_load(filename, *args, **kwargs)

    monkeypatch.setattr(reader, "_read_zip", counting_read_zip)
    monkeypatch.setattr(openpyxl, "load_workbook", counting_load)
    consolidate([year.returns], master=year.master, prefer=[year.files[DUPLICATED]], jobs=1)
    assert reads.count(year.master.name) == 1
    assert sorted(n for n in reads if n != year.master.name) == sorted(p.name for p in year.returns.iterdir())

    from barometro.addin.office_workbook import build_office_workbook
    from barometro.addin.ops_openpyxl import OpenpyxlOps

    office = build_office_workbook(year.master, tmp_path / "ufficio.xlsm", returns_folder=str(year.files[DUPLICATED].parent)).path
    single = tmp_path / "ritorni"
    single.mkdir()
    shutil.copy(year.files[DUPLICATED], single / year.files[DUPLICATED].name)
    ops = OpenpyxlOps(office)
    reads.clear()
    macros.run_consolida(ops, folder=single)
    assert reads.count(office.name) == 1  # the snapshot of the open workbook, read once
