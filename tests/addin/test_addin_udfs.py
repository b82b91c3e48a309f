"""The BAR_* UDFs equal the scoring core, and the template's native formulas on real workbooks."""

from __future__ import annotations

import math

import pytest
from hypothesis import given
from hypothesis import settings as hsettings
from hypothesis import strategies as st

from barometro import scoring
from barometro.addin import udfs
from barometro.model import Kind, Polarity
from barometro.settings import load_profile

KINDS = [k.value for k in Kind]
POLARITIES = [p.value for p in Polarity]
EDGE_VALUES = [0, 0.5, 1, 2, 9.99, 10, 10.01, 15, 17, 20, 85, 90, 100, 220, 229, 962, -3]


def _same(udf_value, core_value) -> bool:
    if core_value is None:
        return udf_value == ""
    return isinstance(udf_value, float) and math.isclose(udf_value, core_value, abs_tol=1e-9)


@pytest.mark.parametrize("profile", ["default", "cremona"])
@pytest.mark.parametrize("kind", KINDS)
@pytest.mark.parametrize("polarity", POLARITIES)
def test_bar_ragg_equals_core_on_edge_cases(profile, kind, polarity):
    s = load_profile(profile)
    for target in [*EDGE_VALUES, None]:
        for actual in [*EDGE_VALUES, None]:
            for neutral in ("", "SI"):
                got = udfs.BAR_RAGG(actual, target, kind, polarity, neutral, profile)
                want = scoring.achievement(actual, target, kind, polarity, neutralised=neutral == "SI", settings=s)
                assert _same(got, want), (actual, target, kind, polarity, neutral, got, want)


@hsettings(max_examples=300, deadline=None)
@given(
    actual=st.floats(-1e6, 1e6, allow_nan=False),
    target=st.floats(-1e6, 1e6, allow_nan=False),
    kind=st.sampled_from(KINDS),
    polarity=st.sampled_from(POLARITIES),
)
def test_bar_ragg_and_scost_equal_core_for_any_numbers(actual, target, kind, polarity):
    assert _same(udfs.BAR_RAGG(actual, target, kind, polarity), scoring.achievement(actual, target, kind, polarity))
    assert _same(udfs.BAR_SCOST(actual, target), scoring.deviation(actual, target))


def test_published_lower_is_better_cases_score_100():
    # Foodinsider ranking 10 -> 2 and minutes per ID card 20 -> 17 (2021 report)
    assert udfs.BAR_RAGG(2, 10, "quantitativo", "decrescente") == 100.0
    assert udfs.BAR_RAGG(17, 20, "quantitativo", "decrescente") == 100.0
    assert udfs.BAR_RAGG(2, 15) == pytest.approx(13.3333333)  # published as 15 %: wrong
    assert udfs.BAR_SCOST(229, 220) == 9.0  # published as 5: wrong


@pytest.mark.parametrize(
    ("call", "fragment"),
    [
        (lambda: udfs.BAR_RAGG(1, 1, None, None, None, "milano"), "profilo «milano»"),
        (lambda: udfs.BAR_OBIETTIVO([50, 50], [100]), "dimensioni diverse"),
        (lambda: udfs.BAR_LINEA([100, 50], "media_obiettivi"), "richiede l'intervallo pesi"),
        (lambda: udfs.BAR_LINEA([100, 50], "mediana"), "metodo «mediana»"),
        (lambda: udfs.BAR_LINEA([100, 50], "ponderata", [1, 2, 3]), "dimensioni diverse"),
    ],
)
def test_bad_arguments_give_an_excel_style_error_not_a_traceback(call, fragment):
    result = call()
    assert isinstance(result, str) and result.startswith("#VALORE! "), result
    assert fragment in result


def test_cells_are_read_as_the_native_formulas_read_them():
    # ISNUMBER: text and booleans are no value, as in column M's formula (the validator flags them).
    assert udfs.BAR_RAGG("4.580", 10) == "" and udfs.BAR_SCOST(True, 1) == ""
    # Only "binario" (any case) is binary, only "decrescente" is lower-is-better, only "SI" neutralises.
    assert udfs.BAR_RAGG(0.5, 1, "Binario") == 0.0 and udfs.BAR_RAGG(0.5, 1, "binary") == 50.0
    assert udfs.BAR_RAGG(17, 20, "quantitativo", "DECRESCENTE") == 100.0
    assert udfs.BAR_RAGG(17, 20, "quantitativo", "-") == 85.0
    assert udfs.BAR_RAGG(5, 10, "quantitativo", "crescente", "X") == 50.0
    assert udfs.BAR_RAGG(5, 10, "quantitativo", "crescente", "si") == ""


def test_objective_and_line_by_hand():
    # rows: A 100 % (w 50), A no actual (w 30), B 40 % (w 20), B neutralised (w 0)
    weights = [[50], [30], [20], [0]]
    achs = [[100.0], [""], [40.0], [""]]
    assert udfs.BAR_OBIETTIVO(weights, achs) == pytest.approx((50 * 100 + 20 * 40) / 70)
    assert udfs.BAR_OBIETTIVO([None, None], ["", ""]) == ""
    neutral = ["", "", "", "SI"]
    objectives = ["A", "A", "B", "B"]
    want = {
        # mean of the scored indicators; Cremona counts the neutralised one as 0 %
        ("media_indicatori", "default"): (100 + 40) / 2,
        ("media_indicatori", "cremona"): (100 + 40 + 0) / 3,
        # objectives A = 100, B = 40 (neutralised rows never count inside an objective)
        ("media_obiettivi", "default"): (100 + 40) / 2,
        ("media_obiettivi", "cremona"): (100 + 40) / 2,
        ("ponderata", "default"): (50 * 100 + 20 * 40) / 70,
        ("ponderata", "cremona"): (50 * 100 + 20 * 40) / 70,
    }
    for (method, profile), value in want.items():
        got = udfs.BAR_LINEA(achs, method, weights, objectives, neutral, profile)
        assert got == pytest.approx(value), (method, profile, got)
    assert udfs.BAR_LINEA(achs, "media_indicatori", None, None, neutral, "cremona") == pytest.approx(140 / 3)


def test_gauge():
    assert udfs.BAR_BAROMETRO(100) == "verde"
    assert udfs.BAR_BAROMETRO(60) == "giallo"
    assert udfs.BAR_BAROMETRO(59.9) == "rosso"
    assert udfs.BAR_BAROMETRO("") == ""


def test_udfs_carry_italian_help_and_prefix():
    for f in udfs.UDFS:
        assert f.__name__.startswith("BAR_")
        assert f.__doc__ and any(w in f.__doc__ for w in ("indicatore", "obiettivo", "linea", "Scostamento", "barometro", "Colore"))
