"""Italian number reading: what sector staff type and what exports produce."""

from __future__ import annotations

import pytest

from barometro.messages import format_number, format_value
from barometro.numbers import NumberIssue, parse_number, strip_html


@pytest.mark.parametrize(
    ("raw", "value", "issue"),
    [
        (12, 12.0, None),
        (1.5, 1.5, None),
        ("1.194.987", 1194987.0, NumberIssue.TEXT),
        ("4.580", 4580.0, NumberIssue.TEXT),
        ("85,29", 85.29, NumberIssue.TEXT),
        ("85%", 85.0, NumberIssue.TEXT),
        ("1,5", 1.5, NumberIssue.TEXT),
        ("4\u00a0580", 4580.0, NumberIssue.TEXT),
        ("-30.000", -30000.0, NumberIssue.TEXT),
        ("1.194,50", 1194.5, NumberIssue.TEXT),
        ("<p>20</p>", 20.0, NumberIssue.TEXT),
        ("#####", None, NumberIssue.HASHES),
        ("#DIV/0!", None, NumberIssue.ERROR),
        ("", None, NumberIssue.EMPTY),
        (None, None, NumberIssue.EMPTY),
        ("fatto", None, NumberIssue.NOT_A_NUMBER),
        (True, None, NumberIssue.NOT_A_NUMBER),
    ],
)
def test_parse_number(raw, value, issue):
    parsed = parse_number(raw)
    assert parsed.value == value
    assert parsed.issue == issue


def test_percent_flag_and_helpers():
    assert parse_number("85,29%").percent
    assert format_number(1194987.0, "it") == "1.194.987"
    assert format_number(85.2857, "it", decimals=2) == "85,29"
    assert format_number(1194987.0, "en") == "1,194,987" and format_number(45.5, "en") == "45.5"
    assert format_number(45.5, "it") == "45,5" and format_number(0.92, "it") == "0,92"
    assert format_value(2021, "it") == "2021"  # in messages, integers are ids, years, rows: as they are
    assert format_number(float("nan"), "it") == "" and format_number(None) == ""
    assert strip_html('<ul style="x"> <li>uno</li></ul>') == "uno"
