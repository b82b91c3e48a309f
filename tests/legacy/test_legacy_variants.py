"""Other spellings of the same report: non-breaking spaces, CSV, CRLF, cp1252."""

from __future__ import annotations

import csv
from dataclasses import replace

from legacy_helpers import SEED, seed_rows

from barometro.legacy import import_report


def test_non_breaking_spaces_and_crlf_give_the_same_plan(tmp_path, cremona_import):
    text = SEED.read_text(encoding="utf-8")
    lines = []
    for line in text.splitlines():
        cells = line.split("\t")
        # blank cells holding a non-breaking space, texts and numbers with NBSP inside
        cells = ["\u00a0" if not c.strip() and len(cells) > 5 else c.replace(" ", "\u00a0 ", 1) for c in cells]
        lines.append("\t".join(cells))
    path = tmp_path / "nbsp.txt"
    path.write_bytes("\r\n".join(lines).encode("utf-8"))
    result = import_report(path)
    assert result.plan == cremona_import.plan


def test_cp1252_text_is_read(tmp_path, cremona_import):
    path = tmp_path / "windows.txt"
    data = SEED.read_text(encoding="utf-8").replace("•", "-").replace("−", "-")
    path.write_bytes(data.encode("cp1252", errors="replace"))
    result = import_report(path)
    assert len(result.plan.indicators) == 161
    assert any(i.sector == "Settore Politiche Sociali" for i in result.plan.indicators)
    assert any("Città" in i.objective for i in result.plan.indicators)


def test_semicolon_csv_gives_the_same_plan_apart_from_rows(tmp_path, cremona_import):
    path = tmp_path / "relazione_2021.csv"
    with path.open("w", encoding="utf-8", newline="") as fh:
        csv.writer(fh, delimiter=";").writerows(seed_rows())
    result = import_report(path)

    def strip(plan):
        return [replace(i, source_row=None) for i in plan.indicators]

    assert strip(result.plan) == strip(cremona_import.plan)
    assert [r.source_row for r in result.report.rows] == [r.source_row for r in cremona_import.report.rows]
