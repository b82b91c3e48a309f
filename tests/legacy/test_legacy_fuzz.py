"""Damaged copies of the seed never raise anything but LegacyFormatError."""

from __future__ import annotations

import tempfile
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from legacy_helpers import SEED

from barometro.legacy import ImportResult, LegacyFormatError, import_report, line_check
from barometro.settings import load_profile

LINES = SEED.read_text(encoding="utf-8").splitlines()
TRICKY = ["", " ", "#####", "#DIV/0!", "<p>", "$x^{2}$", "1.2.3", "85%", "nan", "inf", "-", "1e400",
          "1.194.987", "85,29%", "Responsabile", "**LINEA STRATEGICA SU QUALCOSA**", "\u00a0", "0", "=1+1"]

edit = st.tuples(
    st.sampled_from(["drop_cell", "insert_empty", "replace", "delete_line", "duplicate_line", "truncate"]),
    st.integers(0, len(LINES) - 1),
    st.integers(0, 15),
    st.sampled_from(TRICKY),
)


def _apply(edits) -> str:
    lines = list(LINES)
    for op, n, c, value in edits:
        n %= len(lines)
        cells = lines[n].split("\t")
        c %= max(1, len(cells))
        if op == "drop_cell" and cells:
            cells.pop(c)
        elif op == "insert_empty":
            cells.insert(c, "")
        elif op == "replace":
            cells[c] = value
        elif op == "delete_line":
            del lines[n]
            continue
        elif op == "duplicate_line":
            lines.insert(n, lines[n])
            continue
        elif op == "truncate":
            cells = cells[: c // 2]
        lines[n] = "\t".join(cells)
    return "\n".join(lines)


@pytest.mark.slow  # end to end on the whole Cremona plan: the slow tier
@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(edit, min_size=1, max_size=12))
def test_damaged_reports_import_or_fail_cleanly(edits):
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "rovinata.txt"
        path.write_text(_apply(edits), encoding="utf-8")
        try:
            result = import_report(path)
        except LegacyFormatError as exc:
            assert str(exc)
            return
        assert isinstance(result, ImportResult)
        assert len(result.plan.indicators) == len(result.report.rows)
        assert len({i.id for i in result.plan.indicators}) == len(result.plan.indicators)
        checks = line_check(result.report, result.plan, load_profile("cremona"))
        assert len(checks) == len(result.report.lines)
