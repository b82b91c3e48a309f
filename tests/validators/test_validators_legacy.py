"""The real Cremona 2021 report in the published layout: the known errors, and only them."""

from __future__ import annotations

from collections import Counter
from pathlib import Path

from barometro.validators import Status, validate_file


def test_cremona_seed_findings(cremona_txt: Path) -> None:
    r = validate_file(cremona_txt)
    assert r.kind == "legacy" and r.status is Status.ERRORS
    by_code = Counter(f.code for f in r.findings)
    # Seven deviations that are not actual - target (220 -> 229 shown as 5: row 148).
    dev = {f.cell: (f.expected, f.found) for f in r.findings if f.code == "L501"}
    assert len(dev) == 7
    assert dev["riga 148"] == (9, 5)
    # Objective weight sums 120 / 105 / 109 / 75.
    assert sorted(f.found for f in r.findings if f.code == "L502") == [75, 105, 109, 120]
    assert by_code["L503"] == 1  # the row pasted twice
    assert [f.found for f in r.findings if f.code == "L504"] == ["#####"]
    assert (962, 90) in {(f.found, f.params["target"]) for f in r.findings if f.code == "L505"}
    no_rule = [f for f in r.findings if f.code == "L506"]
    assert len(no_rule) == 1 and no_rule[0].found == 15 and "consuntivo 2" in no_rule[0].message
    assert by_code["L507"] == 3  # published line % matching no method
    # No error on the right rows: every finding points at a source row, few rows in all.
    assert all(f.cell.startswith("riga ") for f in r.findings)
    assert len({f.cell for f in r.findings}) <= 22
    assert len(r.rows) > 150  # actuals by indicator id, for consolidation


def test_legacy_english(cremona_txt: Path) -> None:
    from barometro.messages import set_language

    set_language("en")
    try:
        r = validate_file(cremona_txt)
        assert any(f.message.startswith("The published deviation") for f in r.findings)
    finally:
        set_language(None)
