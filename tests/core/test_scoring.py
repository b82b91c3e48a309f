"""The scoring core: every rule of domain.md, and its invariants (hypothesis)."""

from __future__ import annotations

import math

import pytest
from hypothesis import assume, given
from hypothesis import strategies as st

from barometro.model import Kind, Polarity
from barometro.scoring import (
    Scored,
    achievement,
    agrees,
    deviation,
    ente_score,
    fits_any_rule,
    gauge,
    line_score,
    objective_score,
    objective_scores,
    score_plan,
)
from barometro.settings import (
    DEFAULT_SETTINGS,
    EnteMethod,
    LineMethod,
    LowerFormula,
    MissingActual,
    NeutralisedPolicy,
    Settings,
    load_profile,
)

B, Q = Kind.BINARY, Kind.QUANTITY
UP, DOWN = Polarity.HIGHER, Polarity.LOWER


# ----------------------------------------------------------------- single indicator


@pytest.mark.parametrize(
    ("actual", "target", "kind", "pol", "expected"),
    [
        (1, 1, B, UP, 100.0),
        (0, 1, B, UP, 0.0),
        (2, 1, B, UP, 100.0),
        (53, 85, Q, UP, 53 / 85 * 100),  # 2021: shown as 63
        (76, 90, Q, UP, 76 / 90 * 100),
        (229, 220, Q, UP, 100.0),  # capped at 100
        (-5, 10, Q, UP, 0.0),  # floored at 0
        (2, 10, Q, DOWN, 100.0),  # Foodinsider ranking: lower is better
        (17, 20, Q, DOWN, 100.0),  # minutes per ID card
        (25, 20, Q, DOWN, 80.0),  # ratio: 20/25
        (0, 0, Q, UP, 100.0),  # zero target met
        (55, 0, Q, UP, 100.0),  # zero target exceeded (2021 organ donations)
        (-1, 0, Q, UP, 0.0),  # zero target missed
        (0, 0, Q, DOWN, 100.0),
        (3, 0, Q, DOWN, 0.0),  # lower is better, zero target missed: no division
        (0, 1, B, DOWN, 100.0),
        (2, 1, B, DOWN, 0.0),
    ],
)
def test_achievement_rules(actual, target, kind, pol, expected):
    assert achievement(actual, target, kind, pol) == pytest.approx(expected)


def test_lower_is_better_complement_formula():
    s = Settings(lower_formula=LowerFormula.COMPLEMENT)
    assert achievement(25, 20, Q, DOWN, settings=s) == pytest.approx(75.0)
    assert achievement(50, 20, Q, DOWN, settings=s) == 0.0


@pytest.mark.parametrize("bad", [None, "", "12", "#####", float("nan"), float("inf"), True])
def test_missing_or_non_numeric_actual_has_no_score(bad):
    assert achievement(bad, 10) is None
    assert achievement(10, bad) is None
    assert deviation(bad, 10) is None


def test_neutralised_has_no_score():
    assert achievement(0, 100, neutralised=True) is None


def test_kind_and_polarity_accept_codes():
    assert achievement(1, 1, "binario", "crescente") == 100.0
    assert achievement(30, 20, "quantitativo", "decrescente") == pytest.approx(20 / 30 * 100)
    with pytest.raises(ValueError):
        achievement(1, 1, "bogus")


def test_deviation():
    assert deviation(229, 220) == 9  # 2021 report shows 5
    assert deviation(0, 30000) == -30000


# ----------------------------------------------------------------- invariants

finite = st.floats(min_value=-1e9, max_value=1e9, allow_nan=False, allow_infinity=False)
kinds = st.sampled_from(list(Kind))
pols = st.sampled_from(list(Polarity))
lower_formulas = st.sampled_from(list(LowerFormula))


@given(finite, finite, kinds, pols, lower_formulas)
def test_achievement_is_between_0_and_100(a, t, kind, pol, lf):
    v = achievement(a, t, kind, pol, settings=Settings(lower_formula=lf))
    assert v is not None and 0.0 <= v <= 100.0 and math.isfinite(v)


@given(finite, finite, finite, kinds, lower_formulas)
def test_monotone_in_the_actual(a1, a2, t, kind, lf):
    lo, hi = sorted((a1, a2))
    s = Settings(lower_formula=lf)
    assert achievement(lo, t, kind, UP, settings=s) <= achievement(hi, t, kind, UP, settings=s)
    assert achievement(lo, t, kind, DOWN, settings=s) >= achievement(hi, t, kind, DOWN, settings=s)


@given(finite, kinds, pols)
def test_meeting_the_target_exactly_scores_100(t, kind, pol):
    assert achievement(t, t, kind, pol) == 100.0


@given(st.floats(min_value=0.001, max_value=1e6), st.floats(min_value=0.001, max_value=1e6))
def test_higher_and_lower_are_mirror_images(a, t):
    # a/t for higher-is-better equals t/a for lower-is-better with the roles swapped.
    assert achievement(a, t, Q, UP) == pytest.approx(achievement(t, a, Q, DOWN))


@given(finite, finite)
def test_binary_is_all_or_nothing(a, t):
    assert achievement(a, t, B, UP) in (0.0, 100.0)
    assert achievement(a, t, B, DOWN) in (0.0, 100.0)


WEIGHTS = st.one_of(st.just(0.0), st.floats(1e-6, 100))  # weights as offices type them (no denormals)


@given(st.lists(st.tuples(WEIGHTS, st.floats(0, 100)), min_size=1, max_size=12))
def test_objective_score_is_a_weighted_mean_within_bounds(pairs):
    v = objective_score(pairs)
    weighted = [(w, a) for w, a in pairs if w > 0]
    if not weighted:
        assert v is None
    else:
        assert min(a for _, a in weighted) - 1e-9 <= v <= max(a for _, a in weighted) + 1e-9


# ----------------------------------------------------------------- aggregation


def test_objective_score_skips_neutralised_and_missing():
    assert objective_score([(45, 100), (10, 100), (45, 0)]) == pytest.approx(55.0)
    assert objective_score([(34, 100), (33, 100), (0, None), (33, 100), (0, None)]) == 100.0
    assert objective_score([(None, 100), (50, None)]) is None


def _ambiente_like():
    # Piano verde (2021): two neutralised indicators among five.
    return [
        Scored("O1", 34, 100.0, False, "AMB"),
        Scored("O1", 33, 100.0, False, "AMB"),
        Scored("O1", 0, None, True, "AMB"),
        Scored("O1", 33, 100.0, False, "AMB"),
        Scored("O1", 0, None, True, "AMB"),
        Scored("O2", 40, 62.35, False, "AMB"),
        Scored("O2", 60, 100.0, False, "AMB"),
    ]


def test_line_methods():
    items = _ambiente_like()
    excl = Settings(line_method=LineMethod.INDICATOR_MEAN)
    zero = Settings(line_method=LineMethod.INDICATOR_MEAN, neutralised=NeutralisedPolicy.ZERO)
    assert line_score(items, excl) == pytest.approx((400 + 62.35) / 5)
    assert line_score(items, zero) == pytest.approx((400 + 62.35) / 7)
    obj = Settings(line_method=LineMethod.OBJECTIVE_MEAN)
    o2 = (40 * 62.35 + 60 * 100) / 100
    assert line_score(items, obj) == pytest.approx((100 + o2) / 2)
    weighted = Settings(line_method=LineMethod.INDICATOR_WEIGHTED)
    assert line_score(items, weighted) == pytest.approx((100 * 100 + 40 * 62.35 + 6000) / 200)
    assert objective_scores(items) == {"O1": 100.0, "O2": pytest.approx(o2)}


def test_missing_actual_policy():
    items = [Scored("O", 50, 100.0), Scored("O", 50, None)]
    assert line_score(items, Settings(line_method=LineMethod.INDICATOR_MEAN)) == 100.0
    s = Settings(line_method=LineMethod.INDICATOR_MEAN, missing_actual=MissingActual.ZERO)
    assert line_score(items, s) == 50.0


def test_ente_methods():
    items = [Scored("A1", 100, 100.0, line_id="A"), Scored("B1", 100, 50.0, line_id="B"),
             Scored("B2", 100, 0.0, line_id="B")]
    assert ente_score(items, Settings(ente_method=EnteMethod.LINE_MEAN)) == pytest.approx((100 + 25) / 2)
    assert ente_score(items, Settings(ente_method=EnteMethod.OBJECTIVE_MEAN)) == pytest.approx(50.0)
    assert ente_score(items, Settings(ente_method=EnteMethod.INDICATOR_MEAN)) == pytest.approx(50.0)
    assert line_score([], DEFAULT_SETTINGS) is None
    assert ente_score([], DEFAULT_SETTINGS) is None


def test_cremona_profile_reproduces_ambiente():
    """85,29 %: 24 indicators, typed % Ragg, the two neutralised ones counted as 0."""
    typed = [100] * 4 + [100, 0, 100, 100] + [100] * 4 + [100, 63, 100] + [100, 84, 100, 100]
    items = [Scored("X", 1, float(v)) for v in typed] + [Scored("Y", 34, 100.0), Scored("Y", 33, 100.0),
             Scored("Y", 0, None, True), Scored("Y", 33, 100.0), Scored("Y", 0, None, True)]
    assert len(items) == 24
    assert line_score(items, load_profile("cremona")) == pytest.approx(85.29, abs=0.005)
    assert line_score(items, load_profile("default")) != pytest.approx(85.29, abs=0.01)


# ----------------------------------------------------------------- helpers


def test_gauge_and_tolerance():
    assert gauge(100.0) == "verde"
    assert gauge(60.0) == "giallo"
    assert gauge(59.9) == "rosso"
    assert gauge(None) is None
    assert agrees(63, 62.35)  # 2021 shows 53/85 = 62.35 as 63: within 1 point
    assert not agrees(15, 13.33)
    assert agrees(None, None) and not agrees(5, None) and not agrees(None, 5.0)


def test_fits_any_rule_finds_the_2021_oddity():
    assert fits_any_rule(53, 85, 63)
    assert fits_any_rule(2, 10, 100)  # lower is better
    assert not fits_any_rule(2, 15, 15)  # target 15, actual 2 shown as 15 %: no rule


@given(finite, finite)
def test_fits_any_rule_accepts_what_the_core_computes(a, t):
    assume(t != 0)
    assert fits_any_rule(a, t, achievement(a, t))


def test_score_plan_gives_every_level():
    from barometro.model import Indicator, Line, Plan

    def ind(iid, line, obj, target, weight, actual, neutralised=False):
        return Indicator(iid, line, obj, "", "", "", "", "", "", "", target, weight, Q, UP, neutralised,
                         actual=actual)

    plan = Plan("E", 2021, [Line("A", "A", "A"), Line("B", "B", "B"), Line("C", "C", "C")], [
        ind("A1", "A", "OA", 10, 60, 5), ind("A2", "A", "OA", 10, 40, 10),
        ind("B1", "B", "OB", 100, 100, 100), ind("B2", "B", "OB", 100, 0, 0, neutralised=True),
    ])
    s = score_plan(plan, DEFAULT_SETTINGS)
    assert s.indicator == {"A1": 50.0, "A2": 100.0, "B1": 100.0, "B2": None}
    assert s.objective == {"OA": pytest.approx(70.0), "OB": 100.0}
    assert s.line == {"A": pytest.approx(70.0), "B": 100.0}  # C has no indicator: absent
    assert s.ente == pytest.approx(85.0)
    cremona = score_plan(plan, load_profile("cremona"))
    assert cremona.line["B"] == 50.0  # neutralised counted as 0 in the Cremona line mean
