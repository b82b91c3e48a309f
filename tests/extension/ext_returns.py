"""A year of returns for the command tests: the Cremona templates, filled returns, known defects.

Everything is made with the project's own tools: `build_templates`, `fill_workbook`,
the validator's fault injection (`validators.damage`) and `build_office_workbook`.
"""

from __future__ import annotations

import shutil
from dataclasses import dataclass
from pathlib import Path

import xlsx_damage as damage

from barometro.addin.office_workbook import build_office_workbook
from barometro.model import Plan
from barometro.settings import Settings
from barometro.workbook_templates import spec
from barometro.workbook_templates.builder import build_templates
from barometro.workbook_templates.fill import fill_workbook

CORRUPT = "rotto.xlsx"


@dataclass(frozen=True)
class Year:
    plan: Plan
    settings: Settings
    master: Path  # master.xlsx from `barometro template`
    office: Path  # the office workbook (.xlsm), its returns folder in Impostazioni!B4
    returns: Path  # the sectors' files, one damaged, plus a corrupt file
    damaged: str  # file name of the return with a formula overwritten
    sectors: dict[str, Path]  # sector -> template

    def files(self) -> list[Path]:
        return sorted(p for p in self.returns.iterdir() if p.suffix in (".xlsx", ".xlsm"))

    def layout(self) -> spec.Layout:
        return spec.build_layout(self.plan, self.settings, "master")


def build_year(plan: Plan, settings: Settings, root: Path) -> Year:
    built = build_templates(plan, settings, root / "modelli")
    returns = root / "ritorni"
    returns.mkdir()
    names = []
    for sector, path in sorted(built.sectors.items()):
        values = {i.id: (i.actual, i.note or None) for i in plan.indicators if i.sector == sector}
        fill_workbook(path, returns / path.name, values)
        names.append(path.name)
    damaged = names[1]
    book = damage.Workbook.load(returns / damaged)
    layout = spec.build_layout(plan, settings, "settore",
                               next(s for s, p in built.sectors.items() if p.name == damaged))
    block = layout.blocks[0]
    book.set_value(block.sheet_name, f"{spec.COL['achievement'].letter}{spec.FIRST_ROW}", 100)
    book.save(returns / damaged)
    (returns / CORRUPT).write_bytes(b"PK\x03\x04 questo non e' un file Excel")
    office = build_office_workbook(built.master, root / "ufficio.xlsm", returns_folder=str(returns)).path
    return Year(plan, settings, built.master, office, returns, damaged, dict(built.sectors))


def copy_of(path: Path, folder: Path) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    target = folder / path.name
    shutil.copy(path, target)
    return target
