"""The small two-sector plan of the validator tests and the values its returns are filled with."""

from __future__ import annotations

from barometro.model import Indicator, Kind, Line, Plan, Polarity

SECTOR_A = "Settore Lavori Pubblici"
SECTOR_B = "Settore Ambiente"


def small_plan(year: int = 2021) -> Plan:
    lines = [Line("AMB", "LINEA STRATEGICA SULL'AMBIENTE", "Ambiente"), Line("SMC", "LINEA SMART CITY", "Smart City")]
    inds: list[Indicator] = []

    def add(iid, line, obj, sector, target, weight, kind=Kind.QUANTITY, pol=Polarity.HIGHER, neu=False,
            ft="fatto / previsto * 100", name=None):
        inds.append(Indicator(iid, line, obj, "Rossi Mario", sector, f"Obiettivo {obj}", "Definizione",
                              name or f"Indicatore {iid}", ft, "Finalità", target, weight, kind, pol, neu))

    add("AMB-01-01", "AMB", "AMB-01", SECTOR_A, 1.0, 100.0, Kind.BINARY, ft="1 = fatto / 0 = non fatto")
    add("AMB-02-01", "AMB", "AMB-02", SECTOR_A, 100.0, 40.0)
    add("AMB-02-02", "AMB", "AMB-02", SECTOR_A, 4580.0, 30.0, ft="Metri realizzati", name="Metri di piste")
    add("AMB-02-03", "AMB", "AMB-02", SECTOR_A, 20.0, 30.0, pol=Polarity.LOWER, ft="minuti")
    add("AMB-03-01", "AMB", "AMB-03", SECTOR_B, 90.0, 100.0, ft="soddisfatti / intervistati * 100",
        name="Grado di soddisfazione %")
    add("SMC-01-01", "SMC", "SMC-01", SECTOR_A, 10.0, 0.0, neu=True)
    add("SMC-01-02", "SMC", "SMC-01", SECTOR_A, 50.0, 100.0)
    add("SMC-02-01", "SMC", "SMC-02", SECTOR_B, 0.0, 100.0, ft="incremento rispetto al 2020")
    return Plan("Comune di Prova", year, lines, inds)


VALUES = {
    "AMB-01-01": (1, None),
    "AMB-02-01": (80, "Ritardi del fornitore"),
    "AMB-02-02": (4580, None),
    "AMB-02-03": (25, "Picco di richieste"),
    "AMB-03-01": (90, None),
    "SMC-01-01": (None, "Decreto rinviato al 2022"),
    "SMC-01-02": (50, None),
    "SMC-02-01": (3, None),
}
