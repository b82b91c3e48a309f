"""Kind, polarity and neutralisation inferred on the named 2021 rows."""

from __future__ import annotations

import pytest

from barometro.model import Kind, Polarity
from barometro.scoring import achievement


def row(result, n):
    (r,) = [r for r in result.report.rows if r.source_row == n]
    return r


def ind(result, n):
    (i,) = [i for i in result.plan.indicators if i.source_row == n]
    return i


@pytest.mark.parametrize(
    "line_no,formula",
    [
        (34, "1 = fatto / 0 = non fatto"),
        (38, "1= fatto - 0= non fatto"),
        (254, "1=Fatto 0=Non fatto"),
        (65, "1 = acquisito 0 = non acquisito"),
        (130, "1 = ASSENZA DI VARIAZIONE"),
        (213, "0 = non fatto 1 = fatto"),
        (306, "1=accettato 0=rifiutato"),
        (324, "1 = acquisito - 0 = non acquisito"),
    ],
)
def test_binary_when_formula_defines_codes_and_target_is_1(cremona_import, line_no, formula):
    r = row(cremona_import, line_no)
    assert r.formula_text.startswith(formula)
    assert r.kind is Kind.BINARY and r.kind_rule == "code_in_formula"
    i = ind(cremona_import, line_no)
    assert i.kind is Kind.BINARY and i.kind_inferred
    assert any(x.code == "legacy-kind-inferred" and x.source_row == line_no for x in cremona_import.issues)


@pytest.mark.parametrize("line_no", [160, 167, 36, 77, 322])
def test_quantity_when_no_codes_even_with_target_1(cremona_import, line_no):
    # 160/167 "Verifica dei tempi di realizzazione" (target 1, no codes), 77 is 1.194.987.
    r = row(cremona_import, line_no)
    assert r.kind is Kind.QUANTITY


def test_binary_count_close_to_the_domain_estimate(cremona_import):
    binary = [r for r in cremona_import.report.rows if r.kind is Kind.BINARY]
    assert 45 <= len(binary) <= 52  # domain notes: "about 48"
    assert all(r.target.value == 1 for r in binary)


@pytest.mark.parametrize(
    "line_no,rule,target,actual,typed",
    [
        (199, "ranking", 10, 2, 100),  # Foodinsider: position 2 against target 10, scored 100
        (355, "average_time", 20, 17, 100),  # minutes per ID card
        (166, "average_time", 1, 1, 100),  # "Tempi medi di ritardo"
    ],
)
def test_lower_is_better_rows(cremona_import, line_no, rule, target, actual, typed):
    r = row(cremona_import, line_no)
    assert (r.target.value, r.actual.value, r.achievement.value) == (target, actual, typed)
    assert r.polarity is Polarity.LOWER and r.polarity_rule == rule
    i = ind(cremona_import, line_no)
    assert i.polarity is Polarity.LOWER and i.polarity_inferred
    # With the inferred polarity the core reproduces the published score.
    assert achievement(i.actual, i.target, i.kind, i.polarity) == typed
    (issue,) = [x for x in cremona_import.issues if x.code == "legacy-polarity-inferred" and x.source_row == line_no]
    assert issue.severity == "avviso" and issue.guessed == "decrescente"


@pytest.mark.parametrize("line_no", [347, 356, 239, 51])
def test_reduction_of_an_amount_and_plain_rows_stay_higher_is_better(cremona_import, line_no):
    # 347 "Proposta di riduzione della spesa" (30.000 -> 0 scored 0), 356 "Riduzione Tari"
    # in euro (700.000 -> 712.512 scored 100): 2021 scored both higher-is-better.
    r = row(cremona_import, line_no)
    assert r.polarity is Polarity.HIGHER
    i = ind(cremona_import, line_no)
    assert abs(achievement(i.actual, i.target, i.kind, i.polarity) - r.achievement.value) <= 1


def test_only_the_expected_rows_are_lower_is_better(cremona_import):
    lower = sorted(r.source_row for r in cremona_import.report.rows if r.polarity is Polarity.LOWER)
    assert lower == [166, 199, 289, 355]


@pytest.mark.parametrize("line_no", [63, 65, 151])
def test_neutralised_rows(cremona_import, line_no):
    r = row(cremona_import, line_no)
    assert r.weight.value == 0 and r.note
    assert r.neutralised and ind(cremona_import, line_no).neutralised
    assert any(x.code == "legacy-neutralised" and x.source_row == line_no for x in cremona_import.issues)


def test_no_other_row_is_neutralised(cremona_import):
    assert sorted(r.source_row for r in cremona_import.report.rows if r.neutralised) == [63, 65, 151]


def test_published_scores_are_reproduced_by_the_core_except_known_errors(cremona_import):
    # The importer reports the rows whose typed % Ragg the inferred kind/polarity do not give.
    mism = sorted(i.source_row for i in cremona_import.issues if i.code == "legacy-achievement-mismatch")
    assert mism == [289]  # target 15, actual 2, typed 15: no rule gives 15


def test_plain_defaults_are_not_flagged_but_target_one_quantities_are(cremona_import):
    flagged = sorted(r.source_row for r in cremona_import.report.rows if r.kind_rule == "target_one")
    assert flagged == [160, 166, 167, 322]
    assert ind(cremona_import, 160).kind_inferred and ind(cremona_import, 160).kind is Kind.QUANTITY
    plain = ind(cremona_import, 36)  # metres of cycle lanes, 100 -> 100
    assert not plain.kind_inferred and not plain.polarity_inferred


def test_published_score_alone_can_make_a_row_lower_is_better(tmp_path):
    from legacy_helpers import SEED

    from barometro.legacy import import_report

    text = SEED.read_text(encoding="utf-8")
    # Row 199 without the word "classifica": only its published 100 (target 10, actual 2) says "lower".
    text = text.replace('Posizionamento nella classifica di "Foodinsider"', 'Esito Foodinsider')
    text = text.replace("Valutazione del posizionamento in classifica", "Valutazione Foodinsider")
    path = tmp_path / "senza_parole.txt"
    path.write_text(text, encoding="utf-8")
    result = import_report(path)
    r = row(result, 199)
    assert r.indicator == "Esito Foodinsider"
    assert r.polarity is Polarity.LOWER and r.polarity_rule == "published_score"
    (issue,) = [i for i in result.issues if i.code == "legacy-polarity-inferred" and i.source_row == 199]
    assert "si spiega solo" in issue.message
