"""Plans built in Python for the template tests: every kind, polarity and edge case."""

from __future__ import annotations

from barometro.model import Indicator, Kind, Line, Plan, Polarity

B, Q = Kind.BINARY, Kind.QUANTITY
UP, DOWN = Polarity.HIGHER, Polarity.LOWER

# (id, line, objective, sector, kind, polarity, target, weight, neutralised, actual, note)
EDGE_ROWS: list[tuple] = [
    ("A-01-01", "A", "A-01", "Settore Ambiente", B, UP, 1.0, 50.0, False, 1, ""),  # binary met
    ("A-01-02", "A", "A-01", "Settore Ambiente", B, UP, 1.0, 50.0, False, 0, "ritardo fornitore"),  # missed
    ("A-02-01", "A", "A-02", "Settore Ambiente", Q, UP, 85.0, 40.0, False, 53.0, "parziale"),  # higher ratio
    ("A-02-02", "A", "A-02", "Settore Ambiente", Q, DOWN, 10.0, 30.0, False, 2.0, ""),  # lower met
    ("A-02-03", "A", "A-02", "Settore Ambiente", Q, DOWN, 20.0, 30.0, False, 25.0, "code lunghe"),  # lower missed
    ("A-03-01", "A", "A-03", "Settore Ambiente", Q, UP, 0.0, 50.0, False, 3.0, ""),  # zero target met
    ("A-03-02", "A", "A-03", "Settore Ambiente", Q, UP, 0.0, 50.0, False, -1.0, "calo"),  # zero target missed
    ("B-01-01", "B", "B-01", "Settore Cultura", Q, DOWN, 0.0, 50.0, False, 0.0, ""),  # zero target lower met
    ("B-01-02", "B", "B-01", "Settore Cultura", Q, DOWN, 0.0, 50.0, False, 4.0, "aumento"),  # zero lower missed
    ("B-02-01", "B", "B-02", "Settore Cultura", Q, UP, -5.0, 100.0, False, -2.0, ""),  # negative target
    ("B-03-01", "B", "B-03", "Settore Cultura", Q, UP, 1_194_987.0, 60.0, False, 14_889_946.0, ""),
    ("B-03-02", "B", "B-03", "Settore Cultura", Q, UP, 100.0, 0.0, True, None, "decreto di rinvio"),  # neutralised
    ("B-03-03", "B", "B-03", "Settore Cultura", Q, UP, 90.0, 40.0, False, None, ""),  # missing actual
    ("C-01-01", "C", "C-01", "Settore Smart City", Q, UP, 4580.0, None, False, 4000.0, ""),  # weight missing
    ("C-01-02", "C", "C-01", "Settore Smart City", Q, UP, 12.5, None, False, "4.580", ""),  # text actual
    ("C-02-01", "C", "C-02", "Settore Smart City", B, DOWN, 1.0, 100.0, False, 1, ""),  # binary lower
    ("C-02-02", "C", "C-02", "Settore Ambiente", Q, DOWN, 15.0, 0.0, True, 30.0, ""),  # neutralised, note empty
]

LINES = [
    Line("A", "LINEA STRATEGICA SULL'AMBIENTE", "Ambiente"),
    Line("B", "LINEA STRATEGICA SULLA CULTURA", "Cultura e turismo"),
    Line("C", "LINEA STRATEGICA SMART CITY", "Smart City"),
]


def edge_plan() -> Plan:
    inds = []
    for (iid, line, oid, sector, kind, pol, target, weight, neut, _a, _n) in EDGE_ROWS:
        inds.append(Indicator(
            id=iid, line_id=line, objective_id=oid, owner=f"Dott. {sector.split()[-1]}", sector=sector,
            objective=f"Obiettivo {oid}: migliorare il servizio", definition=" ".join(["Definizione"] * 12),
            indicator=f"Indicatore {iid}", formula_text="1 = fatto 0 = non fatto" if kind is B else "n.",
            purpose="Finalità", target=target, weight=weight, kind=kind, polarity=pol, neutralised=neut,
        ))
    return Plan("Comune di Prova", 2021, list(LINES), inds)


def edge_values() -> dict[str, tuple[object, str | None]]:
    return {r[0]: (r[9], r[10] or None) for r in EDGE_ROWS}
