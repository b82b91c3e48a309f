"""Published line % against the rows, with the Cremona profile."""

from __future__ import annotations

import pytest

from barometro.legacy import line_check
from barometro.settings import DEFAULT_SETTINGS, load_profile


@pytest.fixture(scope="module")
def checks(cremona_import):
    return {c.line_id: c for c in line_check(cremona_import.report, cremona_import.plan, load_profile("cremona"))}


@pytest.mark.parametrize(
    "line_id,published",
    [("AMB", 85.29), ("SVI", 76.92), ("SPO", 84.57), ("RIG", 100.0), ("OPE", 100.0),
     ("EFF", 100.0), ("MAN", 96.72)],
)
def test_published_line_percent_is_reproduced(checks, line_id, published):
    c = checks[line_id]
    assert c.published == published
    assert c.matches
    assert abs(c.from_typed - published) <= 0.01
    assert "corrisponde" in c.explanation.render("it")


def test_ambiente_needs_neutralised_counted_as_zero(cremona_import, checks):
    # 2047 / 24 = 85.29: the two neutralised rows count as 0 %.
    assert checks["AMB"].from_typed == pytest.approx(2047 / 24)
    default = {c.line_id: c for c in line_check(cremona_import.report, cremona_import.plan, DEFAULT_SETTINGS)}
    assert not default["AMB"].matches


@pytest.mark.parametrize("line_id,published", [("SMA", 100.0), ("FOR", 98.5), ("COM", 93.84)])
def test_lines_that_match_no_rule_are_reported(checks, line_id, published):
    c = checks[line_id]
    assert c.published == published
    assert not c.matches
    assert c.from_typed is not None and abs(c.from_typed - published) > 0.01
    assert "non corrisponde" in c.explanation.render("it")


def test_smart_city_explanation_names_the_method_that_gives_100(checks):
    # Smart City's 100 comes out only when its neutralised row 151 is left out.
    assert checks["SMA"].from_typed == pytest.approx(93.75)
    assert "esclusi" in checks["SMA"].explanation.render("it")


def test_every_line_has_a_check_in_report_order(cremona_import, checks):
    assert list(checks) == [ln.id for ln in cremona_import.report.lines]
