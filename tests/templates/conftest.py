"""Session fixtures of the template tests: workbooks built, filled and recalculated once.

One LibreOffice call recalculates every workbook the tests read.
"""

from __future__ import annotations

import re
import zipfile
from dataclasses import dataclass
from pathlib import Path

import pytest
from template_plans import edge_plan, edge_values

from barometro.model import Plan
from barometro.settings import Settings, load_profile
from barometro.workbook_templates import spec
from barometro.workbook_templates.builder import BuildResult, build_templates
from barometro.workbook_templates.fill import fill_workbook

GENERATED_AT = "2022-03-31T09:00:00+00:00"


@dataclass(frozen=True)
class Book:
    """One workbook of the session: its layout, the filled file and the recalculated one."""

    layout: spec.Layout
    filled: Path
    recalculated: Path


_IMPORT_ERROR: list[str] = []


def _import_cremona() -> Plan | None:
    """The real import of the bundled report (None, with the reason kept, if it fails)."""
    try:
        from barometro.legacy import import_report

        bundled = Path(__file__).resolve().parents[2] / "src" / "barometro" / "data"
        return import_report(bundled / "cremona_relazione_performance_2021.txt").plan
    except Exception as exc:  # noqa: BLE001 - reported by the cremona_plan fixture
        _IMPORT_ERROR.append(f"{type(exc).__name__}: {exc}")
        return None


@pytest.fixture(scope="session")
def cremona_plan() -> Plan:
    plan = _import_cremona()
    assert plan is not None, f"the Cremona import failed: {_IMPORT_ERROR[-1:]}"
    return plan


def add_stale_cached_values(src: Path, dst: Path, value: str = "777") -> None:
    """Copy an xlsx giving every formula of its line sheets a wrong cached value (XML edit)."""
    with zipfile.ZipFile(src) as zin, zipfile.ZipFile(dst, "w", zipfile.ZIP_DEFLATED) as zout:
        for item in zin.infolist():
            data = zin.read(item.filename)
            if item.filename.startswith("xl/worksheets/sheet"):
                xml = data.decode("utf-8")
                xml = re.sub(r"(<f>[^<]*</f>)(<v>[^<]*</v>|<v/>)?", rf"\1<v>{value}</v>", xml)
                data = xml.encode("utf-8")
            zout.writestr(item, data)


@pytest.fixture(scope="session")
def workbooks(tmp_path_factory, soffice) -> dict[str, Book]:
    """Edge-case and Cremona workbooks (default and cremona settings), filled and recalculated."""
    from barometro.recalc import recalculate

    root = tmp_path_factory.mktemp("templates")
    filled_dir, out_dir = root / "filled", root / "recalc"
    cases: dict[str, tuple[spec.Layout, Path]] = {}
    plans: list[tuple[str, Plan, dict]] = [("edge", edge_plan(), edge_values())]
    cremona = _import_cremona()
    if cremona is not None:
        values = {i.id: (i.actual, i.note or None) for i in cremona.indicators}
        plans.append(("cremona", cremona, values))
    builds: dict[str, BuildResult] = {}
    for plan_name, plan, values in plans:
        for profile in ("default", "cremona"):
            settings: Settings = load_profile(profile)
            result = build_templates(plan, settings, root / f"{plan_name}-{profile}", generated_at=GENERATED_AT)
            builds[f"{plan_name}-{profile}"] = result
            name = f"{plan_name}-{profile}-master"
            cases[name] = (spec.build_layout(plan, settings),
                           fill_workbook(result.master, filled_dir / f"{name}.xlsx", values).path)
            for sector, path in result.sectors.items():
                name = f"{plan_name}-{profile}-{path.stem}"
                cases[name] = (spec.build_layout(plan, settings, "settore", sector),
                               fill_workbook(path, filled_dir / f"{name}.xlsx", values).path)
    stale = filled_dir / "stale-edge-default-master.xlsx"
    add_stale_cached_values(cases["edge-default-master"][1], stale)
    cases["stale-edge-default-master"] = (cases["edge-default-master"][0], stale)
    outputs = recalculate([p for _, p in cases.values()], out_dir, timeout=300)
    books = {name: Book(layout, filled, out)
             for (name, (layout, filled)), out in zip(cases.items(), outputs, strict=True)}
    books_builds = {f"build:{k}": v for k, v in builds.items()}
    workbooks_builds.update(books_builds)
    return books


workbooks_builds: dict[str, BuildResult] = {}


@pytest.fixture(scope="session")
def builds(workbooks) -> dict[str, BuildResult]:
    """The BuildResult of every plan/profile of the session (keys like 'edge-default')."""
    return {k.removeprefix("build:"): v for k, v in workbooks_builds.items()}


@pytest.fixture(scope="session")
def edge_build(tmp_path_factory) -> BuildResult:
    """Templates of the edge-case plan (default settings), no LibreOffice needed."""
    return build_templates(edge_plan(), load_profile("default"), tmp_path_factory.mktemp("edge"),
                           generated_at=GENERATED_AT)
