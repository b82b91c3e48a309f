"""The Cremona 2021 report read row by row: counts, repairs, numbers, texts."""

from __future__ import annotations

import pytest
from legacy_helpers import SEED

from barometro.legacy import import_report
from barometro.numbers import NumberIssue

# Counted by hand in the seed (line ranges of the indicator rows of each table):
# AMB 34-41, 44-47, 50-52, 55-58, 61-65 | RIG 77-80 | OPE 92-96 |
# SVI 115-120, 123-127, 130-131 | SMA 148-151, 154-160, 163-167 |
# FOR 184-193, 196-200, 203-209, 212-215 | COM 235-244, 247-251, 254-259, 264-267, 270-272 |
# SPO 284-290 | EFF 302-306 | MAN 319-324, 326-329, 331-337, 339-344, 346-353, 355-356
EXPECTED_PER_LINE = {
    "AMB": 24, "RIG": 4, "OPE": 5, "SVI": 13, "SMA": 16,
    "FOR": 26, "COM": 28, "SPO": 7, "EFF": 5, "MAN": 33,
}


@pytest.fixture(scope="module")
def result():
    return import_report(SEED)


def row_at(result, line_no: int):
    rows = [r for r in result.report.rows if r.source_row == line_no]
    assert len(rows) == 1, f"seed line {line_no}: {len(rows)} rows"
    return rows[0]


def codes_at(result, line_no: int) -> set[str]:
    return {i.code for i in result.issues if i.source_row == line_no}


def test_every_indicator_is_imported(result):
    assert len(result.report.rows) == 161
    assert len(result.plan.indicators) == 161
    per_line = {ln.id: len(result.plan.indicators_of_line(ln.id)) for ln in result.plan.lines}
    assert per_line == EXPECTED_PER_LINE
    assert [ln.id for ln in result.plan.lines] == list(EXPECTED_PER_LINE)


def test_every_indicator_row_of_the_seed_is_covered(result):
    seed = SEED.read_text(encoding="utf-8").splitlines()
    data_lines = {
        n for n, line in enumerate(seed, start=1)
        if line.count("\t") >= 12 and "Responsabile" not in line
    }
    assert {r.source_row for r in result.report.rows} == data_lines


def test_ente_year_and_lines(result):
    report = result.report
    assert report.ente == "Comune di Cremona"
    assert report.year == 2021
    published = {ln.id: ln.published for ln in report.lines}
    assert published == {
        "AMB": 85.29, "RIG": 100.0, "OPE": 100.0, "SVI": 76.92, "SMA": 100.0,
        "FOR": 98.5, "COM": 93.84, "SPO": 84.57, "EFF": 100.0, "MAN": 96.72,
    }
    names = {ln.id: ln.sheet_name for ln in result.plan.lines}
    assert names["AMB"] == "Ambiente"
    assert names["RIG"] == "Rigenerazione urbana"
    assert names["MAN"] == "Obiettivi di mandato"
    assert names["COM"] == "Sviluppo della comunità"
    assert all(len(n) <= 31 and not set("[]:*?/\\") & set(n) for n in names.values())
    assert result.plan.line("AMB").title == "LINEA STRATEGICA SULL'AMBIENTE"
    assert result.plan.line("MAN").title == "OBIETTIVI DI MANDATO"


def test_ids_are_line_objective_indicator_in_report_order(result):
    ids = [i.id for i in result.plan.indicators]
    assert len(set(ids)) == 161
    assert ids[:4] == ["AMB-01-01", "AMB-02-01", "AMB-02-02", "AMB-02-03"]
    assert row_at(result, 39).indicator_id == "AMB-03-02"  # 2nd indicator of "Strade sicure"
    assert row_at(result, 41).indicator_id == "AMB-04-01"
    assert row_at(result, 356).indicator_id == "MAN-17-01"
    for ind in result.plan.indicators:
        assert ind.id.startswith(ind.objective_id + "-")
        assert ind.objective_id.startswith(ind.line_id + "-")


def test_blank_cells_mean_same_as_above(result):
    r = row_at(result, 36)
    assert r.owner == "Donadio (ad interim) Giovanni"
    assert r.sector.startswith("Settore Lavori Pubblici")
    assert r.objective.startswith("Pista ciclabile Boschetto")
    assert r.owner_inherited and r.sector_inherited and r.objective_inherited
    assert r.indicator.startswith("Metri di piste ciclabili")


def test_line_41_shifted_right_by_two(result):
    r = row_at(result, 41)
    assert r.owner == "Masserdotti Marco"
    assert r.sector.startswith("Settore Urbanistica")
    assert r.objective.startswith("Variante generale PGT")
    assert r.indicator.startswith("Pubblicazione dell'avviso")
    assert (r.target.value, r.actual.value, r.weight.value, r.achievement.value) == (1, 1, 100, 100)
    assert "legacy-shifted-right" in codes_at(result, 41)


@pytest.mark.parametrize("line_no,target", [(57, 28000), (58, 60000)])
def test_lines_57_58_shifted_right_by_one(result, line_no, target):
    r = row_at(result, line_no)
    assert r.indicator.startswith("Valorizzazione")
    assert r.formula_text.startswith("Valore finanziamento borse")
    assert r.target.value == target and r.actual.value == target and r.weight.value == 25
    assert r.objective.startswith("Cremona e il Po")
    assert "legacy-shifted-right" in codes_at(result, line_no)


def test_lines_62_65_extra_cell_after_purpose(result):
    for n in (62, 63, 64, 65):
        assert "legacy-extra-cell" in codes_at(result, n)
    r62, r63 = row_at(result, 62), row_at(result, 63)
    assert r62.indicator.startswith("Nuovo attracco") and r62.purpose.startswith("Impegnare il 100%")
    assert (r62.target.value, r62.weight.value, r62.achievement.value) == (100, 33, 100)
    assert r63.note.startswith("Con Decreto di Regione Lombardia n. 13879")
    assert (r63.weight.value, r63.achievement.value) == (0, 0)


def test_line_80_missing_note_and_definition_continued(result):
    r79, r80 = row_at(result, 79), row_at(result, 80)
    assert r80.objective == "Piano delle alienazioni 2021" == r79.objective
    assert r80.indicator.startswith("percentuale procedure di vendita")
    assert r80.formula_text == "rogiti conclusi/manifestazioni presentate*100"
    assert (r80.target.value, r80.actual.value, r80.deviation.value) == (100, 100, 0)
    assert (r80.weight.value, r80.achievement.value) == (50, 100)
    assert r80.note == ""
    assert "Porzione immobile ex Croce Rossa" in r80.definition
    assert r79.definition == r80.definition  # appended to the objective's definition
    assert {"legacy-missing-note", "legacy-definition-continued"} <= codes_at(result, 80)


@pytest.mark.parametrize("line_no", [255, 256, 257, 258, 259, 285, 286, 287, 288, 289, 290])
def test_missing_note_rows_read_weight_and_achievement(result, line_no):
    r = row_at(result, line_no)
    assert "legacy-missing-note" in codes_at(result, line_no)
    assert r.weight.value in (15, 20, 30, 40, 50)
    assert r.achievement.value is not None and 0 <= r.achievement.value <= 100
    assert r.note == ""


def test_line_289_values(result):
    r = row_at(result, 289)
    assert (r.target.value, r.actual.value, r.deviation.value, r.weight.value, r.achievement.value) == (15, 2, -13, 30, 15)


def test_line_329_hashes_target_lost_and_suggested(result):
    r = row_at(result, 329)
    assert r.target.value is None and r.target.issue is NumberIssue.HASHES
    assert r.actual.value == 14_889_946
    assert result.plan.indicators[[i.source_row for i in result.plan.indicators].index(329)].target is None
    issues = [i for i in result.issues if i.source_row == 329 and i.code == "legacy-hashes"]
    assert len(issues) == 1
    assert issues[0].severity == "errore" and issues[0].field == "target"
    assert issues[0].guessed == 10_760_541  # 14.889.946 - 4.129.405, suggested only
    assert "10.760.541" in issues[0].message


def test_lines_355_356_thirteen_fields(result):
    r355, r356 = row_at(result, 355), row_at(result, 356)
    for r in (r355, r356):
        assert r.owner == "Vescovi Mario" and r.owner_inherited
        assert r.sector.startswith("Settore Economico-Finanziario")
        assert not r.definition.startswith("<p>") and "<" not in r.definition
        assert "legacy-short-row" in codes_at(result, r.source_row)
    assert r355.objective == "Efficientamento servizio rilascio Carte identità"
    assert r355.definition.startswith("Posto che la Carta di Identità")
    assert (r355.target.value, r355.actual.value, r355.deviation.value) == (20, 17, -3)
    assert r356.objective == "Fiscalità per il territorio"
    assert (r356.target.value, r356.actual.value) == (700_000, 712_512)


def test_duplicate_rows_189_190_kept_and_reported(result):
    r189, r190 = row_at(result, 189), row_at(result, 190)
    assert r189.indicator == r190.indicator and r189.actual.value == r190.actual.value == 61_939
    assert r189.indicator_id == "FOR-01-06" and r190.indicator_id == "FOR-01-07"
    dup = [i for i in result.issues if i.code == "legacy-duplicate-row"]
    assert [(i.source_row, i.guessed) for i in dup] == [(190, "FOR-01-06")]


def test_line_204_lost_decimal_kept_and_reported(result):
    r = row_at(result, 204)
    assert (r.target.value, r.actual.value) == (90, 962)  # kept as published
    issues = [i for i in result.issues if i.code == "legacy-implausible-value"]
    assert [(i.source_row, i.guessed) for i in issues] == [(204, 96.2)]  # 341 (+878 % vs 2019) is not
    assert "96,2" in issues[0].render_message("it") and "96.2" in issues[0].render_message("en")


def test_italian_numbers(result):
    assert row_at(result, 77).target.value == 1_194_987
    assert row_at(result, 40).target.value == 4580  # "4.580" is 4580, not 4.58
    assert row_at(result, 158).actual.value == 3_318_321
    assert row_at(result, 347).deviation.value == -30_000
    assert row_at(result, 79).deviation.value == 1_014_727
    for r in result.report.rows:
        assert r.weight.value is not None and r.achievement.value is not None


def test_html_and_latex_become_readable(result):
    r51 = row_at(result, 51)
    assert "<" not in r51.definition and "• rispettare gli obiettivi" in r51.definition
    assert r51.definition.startswith("Le direttive europee")  # line 50's text, then line 51's
    r255 = row_at(result, 255)
    assert r255.formula_text == "(N° di progetti di inserimento realizzati / N° di domande pervenute) * 100"
    assert "<<AmiantoZero>>" in row_at(result, 93).definition  # not a tag: kept
    assert row_at(result, 166).indicator.endswith("< -15 giorni.")
    for r in result.report.rows:
        for t in (r.definition, r.formula_text, r.indicator, r.purpose):
            assert "\\text" not in t and "<p>" not in t and "<li>" not in t and "$" not in t


def test_deviation_and_weight_problems_reported(result):
    dev = sorted(i.source_row for i in result.issues if i.code == "legacy-deviation-mismatch")
    assert dev == [148, 157, 235, 240, 247, 248, 251]
    weights = sorted((i.source_row, i.message.split("sommano a ")[1][:3]) for i in result.issues
                     if i.code == "legacy-weight-sum")
    assert weights == [(184, "120"), (240, "105"), (247, "109"), (251, "75,")]


def test_owner_kept_when_sector_changes_is_a_warning(result):
    r = row_at(result, 215)
    assert r.owner == "Di Girolamo Gabriella" and r.sector == "Unità Direzionale Segretario Generale"
    assert "legacy-owner-kept-sector-changed" in codes_at(result, 215)


def test_issues_are_complete_records(result):
    for issue in result.issues:
        assert issue.severity in ("errore", "avviso", "informazione")
        assert issue.message and issue.code.startswith("legacy-")
    assert sum(i.severity == "errore" for i in result.issues) == 1  # only the ##### target
