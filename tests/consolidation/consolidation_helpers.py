"""Small in-memory plans and returns for the merge and renderer tests."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path

from barometro.consolidation import ConsolidationResult, merge_returns, merged_plan
from barometro.consolidation.types import RunInfo, SectorReturn, SourceFacts
from barometro.model import Indicator, Kind, Line, Plan, Polarity
from barometro.scoring import score_plan
from barometro.settings import load_profile
from barometro.validators import FileReport, ReturnedRow, Status
from barometro.validators.context import ExtraRow, Identity


def small_plan() -> Plan:
    lines = [
        Line("AMB", "LINEA STRATEGICA SULL'AMBIENTE", "Ambiente"),
        Line("SOC", "LINEA STRATEGICA SUL SOCIALE", "Sociale"),
    ]

    def ind(i, line, obj, sector, target, weight, kind=Kind.QUANTITY, pol=Polarity.HIGHER, neut=False):
        return Indicator(
            id=i, line_id=line, objective_id=obj, owner=f"Dirigente {sector[-1]}", sector=sector,
            objective=f"Obiettivo {obj}", definition=f"Definizione di {obj}", indicator=f"Indicatore {i}",
            formula_text="1 = fatto 0 = non fatto" if kind is Kind.BINARY else "n/N*100",
            purpose="", target=target, weight=weight, kind=kind, polarity=pol, neutralised=neut,
        )

    inds = [
        ind("AMB-01-01", "AMB", "AMB-01", "Settore A", 1, 50, Kind.BINARY),
        ind("AMB-01-02", "AMB", "AMB-01", "Settore A", 100, 50),
        ind("AMB-02-01", "AMB", "AMB-02", "Settore B", 20, 100, pol=Polarity.LOWER),
        ind("AMB-02-02", "AMB", "AMB-02", "Settore B", 1, 0, Kind.BINARY, neut=True),
        ind("SOC-01-01", "SOC", "SOC-01", "Settore C", 85, 60),
        ind("SOC-01-02", "SOC", "SOC-01", "Settore C", 4580, 40),
        ind("SOC-02-01", "SOC", "SOC-02", "Settore A", 1, 100, Kind.BINARY),
    ]
    return Plan("Comune di Prova", 2021, lines, inds)


def ret(
    name: str,
    sector: str | None,
    rows: dict[str, float | None],
    status: Status = Status.OK,
    *,
    scope: str | None = "settore",
    sha: str | None = None,
    notes: dict[str, str] | None = None,
    mtime: datetime = datetime(2022, 3, 1, 10, 0),
    extra_rows: tuple[ExtraRow, ...] = (),
) -> SectorReturn:
    """A return as the validator reports it (a real `FileReport`), with its audit facts."""
    notes = notes or {}
    facts = SourceFacts(Path("/ritorni") / name, name, sha or f"sha-{name}", 1000, mtime)
    identity = None if scope is None else Identity("barometro-relazione", "1", scope, sector or "", "2021", "fp")
    report = FileReport(
        path=str(facts.path), status=status, identity=identity,
        rows={k: ReturnedRow("Ambiente", 6 + n, v, v, notes.get(k, "")) for n, (k, v) in enumerate(rows.items())},
        extra_rows=list(extra_rows),
    )
    return SectorReturn(name, report, facts)


SECTOR_A = {"AMB-01-01": 1, "AMB-01-02": 80, "SOC-02-01": 0}
SECTOR_B = {"AMB-02-01": 17, "AMB-02-02": 0}
SECTOR_C = {"SOC-01-01": 53, "SOC-01-02": 4580}


STAMP = datetime(2022, 4, 1, 12, 0, 0)


def make_result(include_errors: bool = True, drop_c: bool = False) -> ConsolidationResult:
    """The small plan: A returned, B returned with errors (included), C returned or missing."""
    plan = small_plan()
    settings = load_profile("cremona")
    returns = [
        ret("a.xlsx", "Settore A", SECTOR_A, notes={"SOC-02-01": "Gara deserta"}),
        ret("b.xlsx", "Settore B", SECTOR_B, Status.ERRORS,
            notes={"AMB-02-02": "Decreto regionale di proroga"}),
    ]
    if not drop_c:
        returns.append(ret("c.xlsx", "Settore C", SECTOR_C))
    merge = merge_returns(plan, returns, include_errors=include_errors)
    final = merged_plan(plan, merge)
    scores = score_plan(final, settings)
    run = RunInfo(STAMP, "0.1.0", settings, None, include_errors=include_errors)
    return ConsolidationResult(final, settings, merge, scores, run)


