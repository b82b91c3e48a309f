"""The batch's own figures (seconds, counts) are written the Italian way in what staff read:
the terminal summary and the title of the batch report workbook."""

from __future__ import annotations

import re

from openpyxl import load_workbook

from barometro.validators.batch_workbook import write_batch_workbook
from barometro.validators.text_output import render_text
from barometro.validators.validate import BatchReport

DECIMAL_POINT = re.compile(r"\d\.\d{1,2}(?!\d)")


def test_seconds_have_a_decimal_comma_in_the_summary_and_the_report(tmp_path):
    report = BatchReport([], seconds=0.3917)
    summary = render_text(report).splitlines()[-1]
    assert "0,39 s" in summary and not DECIMAL_POINT.search(summary), summary
    title = load_workbook(write_batch_workbook(report, tmp_path / "esito.xlsx")).worksheets[0]["A1"].value
    assert "0,39 s" in title and not DECIMAL_POINT.search(title), title
