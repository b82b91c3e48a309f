"""Helpers shared by the legacy tests: the seed as rows, and as an .xlsx built from them."""

from __future__ import annotations

from pathlib import Path

SEED = Path(__file__).resolve().parents[2] / "src" / "barometro" / "data" / "cremona_relazione_performance_2021.txt"


def seed_rows() -> list[list[str]]:
    """Every line of the seed split on tabs (line n is index n - 1)."""
    return [line.split("\t") for line in SEED.read_text(encoding="utf-8").splitlines()]


def write_rows_xlsx(rows: list[list[object]], path: Path, sheet: str = "Relazione") -> Path:
    """One sheet, the same rows and cells, numbers stored as text as the web export does."""
    from openpyxl import Workbook

    book = Workbook()
    ws = book.active
    ws.title = sheet
    for r, cells in enumerate(rows, start=1):
        for c, value in enumerate(cells, start=1):
            if value == "" or value is None:
                continue
            cell = ws.cell(row=r, column=c, value=value)
            if isinstance(value, str):
                cell.data_type = "s"  # "=..." or "1 = fatto" stays text, never a formula
    book.save(path)
    return path
