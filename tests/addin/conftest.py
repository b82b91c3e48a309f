"""Fixtures of the add-in tests: a small plan covering every kind and polarity, its master."""

from __future__ import annotations

from pathlib import Path

import pytest

from barometro.model import Indicator, Kind, Line, Plan, Polarity
from barometro.settings import load_profile


def _ind(i: str, line: str, obj: str, sector: str, target, weight, kind=Kind.QUANTITY,
         pol=Polarity.HIGHER, neutralised=False, actual=None, note="") -> Indicator:
    return Indicator(
        id=i, line_id=line, objective_id=obj, owner=f"Dirigente {sector}", sector=sector,
        objective=f"Obiettivo {obj}", definition="Definizione", indicator=f"Indicatore {i}",
        formula_text="1 = fatto 0 = non fatto" if kind is Kind.BINARY else "valore",
        purpose="Finalità", target=target, weight=weight, kind=kind, polarity=pol,
        neutralised=neutralised, actual=actual, note=note,
    )


def small_plan() -> Plan:
    """Two lines, three sectors; binary/quantity x higher/lower, zero target, neutralised."""
    lines = [Line("AMB", "LINEA STRATEGICA SULL'AMBIENTE", "Ambiente"),
             Line("SMA", "LINEA STRATEGICA SMART CITY", "Smart City")]
    inds = [
        _ind("AMB-01-01", "AMB", "AMB-01", "Ambiente", 1, 50, Kind.BINARY, actual=1),
        _ind("AMB-01-02", "AMB", "AMB-01", "Ambiente", 220, 50, actual=229),
        _ind("AMB-02-01", "AMB", "AMB-02", "Ambiente", 10, 60, pol=Polarity.LOWER, actual=2),
        _ind("AMB-02-02", "AMB", "AMB-02", "Lavori pubblici", 20, 40, pol=Polarity.LOWER, actual=25),
        _ind("AMB-02-03", "AMB", "AMB-02", "Lavori pubblici", 5, 0, neutralised=True, actual=1,
             note="rinvio per decreto"),
        _ind("SMA-01-01", "SMA", "SMA-01", "Innovazione", 0, 30, actual=3),
        _ind("SMA-01-02", "SMA", "SMA-01", "Innovazione", 15, 70, actual=2),
        _ind("SMA-02-01", "SMA", "SMA-02", "Innovazione", 1, 100, Kind.BINARY, Polarity.LOWER, actual=2),
    ]
    return Plan("Comune di Prova", 2021, lines, inds)


@pytest.fixture(scope="session")
def plan() -> Plan:
    return small_plan()


@pytest.fixture(scope="session")
def cremona_settings():
    return load_profile("cremona")


@pytest.fixture(scope="session")
def master_xlsx(tmp_path_factory, plan, cremona_settings) -> Path:
    from barometro.workbook_templates.builder import build_workbook

    path = tmp_path_factory.mktemp("master") / "master.xlsx"
    build_workbook(plan, cremona_settings, path)
    return path


@pytest.fixture(scope="session")
def office_xlsm(tmp_path_factory, master_xlsx) -> Path:
    from barometro.addin.office_workbook import build_office_workbook

    path = tmp_path_factory.mktemp("office") / "master.xlsm"
    build_office_workbook(master_xlsx, path)
    return path
