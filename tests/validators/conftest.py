"""Validator fixtures: templates built by the project's builder from a small plan,
filled with fill_workbook and recalculated by LibreOffice once per session."""

from __future__ import annotations

import shutil
from dataclasses import dataclass
from pathlib import Path

import pytest
from validator_plans import SECTOR_A, VALUES, small_plan

from barometro.settings import load_profile


@dataclass(frozen=True)
class Built:
    master: Path
    sectors: dict[str, Path]  # blank sector templates
    filled: dict[str, Path]  # filled, never recalculated (no cached values)
    returns: dict[str, Path]  # filled and recalculated by LibreOffice
    other_year_return: Path


@pytest.fixture(scope="session")
def built(tmp_path_factory: pytest.TempPathFactory, soffice: str) -> Built:
    from barometro.recalc import recalculate
    from barometro.workbook_templates.builder import build_templates
    from barometro.workbook_templates.fill import fill_workbook

    root = tmp_path_factory.mktemp("validators_built")
    settings = load_profile("cremona")
    res = build_templates(small_plan(), settings, root / "modelli")
    other = build_templates(small_plan(2020), settings, root / "modelli_2020")
    filled_dir = root / "compilati"
    filled_dir.mkdir()
    filled: dict[str, Path] = {}
    for sector, path in res.sectors.items():
        filled[sector] = fill_workbook(path, filled_dir / path.name, VALUES).path
    other_filled = filled_dir / "anno2020.xlsx"
    fill_workbook(other.sectors[SECTOR_A], other_filled, VALUES)
    out = recalculate([*filled.values(), other_filled], root / "ricalcolati")
    returns = dict(zip(filled, out[:-1], strict=True))
    return Built(res.master, dict(res.sectors), filled, returns, out[-1])


@pytest.fixture()
def a_return(built: Built, tmp_path: Path) -> Path:
    """A private copy of the correctly filled, recalculated return of sector A."""
    dst = tmp_path / "settore-a.xlsx"
    shutil.copy(built.returns[SECTOR_A], dst)
    return dst
