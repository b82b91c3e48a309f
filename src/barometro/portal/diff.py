"""What changed between two versions of a sector's return: actuals and notes, by indicator.

Both sides come from the validator's reports (`FileReport.rows`: the value and
note it read for each indicator id); the indicator's text comes from the
campaign's master, read once per process with `load_master`.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache
from typing import Any

from barometro.workbook_templates import spec


@dataclass(frozen=True)
class Change:
    indicator_id: str
    indicator: str
    where: str
    actual_before: object
    actual_after: object
    note_before: str
    note_after: str

    @property
    def actual_changed(self) -> bool:
        return self.actual_before != self.actual_after

    @property
    def note_changed(self) -> bool:
        return self.note_before != self.note_after


@lru_cache(maxsize=16)
def _indicator_names(master_path: str) -> dict[str, str]:
    from barometro.validators import load_master

    return {i.id: i.indicator for i in load_master(master_path).plan.indicators}


def _shown(row: dict[str, Any] | None) -> object:
    if row is None:
        return None
    raw = row.get("actual_raw")
    return row.get("actual") if raw is None or isinstance(raw, int | float) else raw


def diff_versions(portal, campaign: dict, before: dict | None, after: dict | None) -> list[Change]:  # noqa: ANN001
    names = _indicator_names(str(portal.master_path(campaign["master_sha"])))
    rows_a = (before or {}).get("rows", {}) or {}
    rows_b = (after or {}).get("rows", {}) or {}
    out = []
    for iid in list(dict.fromkeys([*rows_a, *rows_b])):
        a, b = rows_a.get(iid), rows_b.get(iid)
        va, vb = _shown(a), _shown(b)
        na, nb = (a or {}).get("note", "") or "", (b or {}).get("note", "") or ""
        if va == vb and na == nb:
            continue
        ref = b or a or {}
        where = f"{ref.get('sheet', '')}!{spec.COL['actual'].letter}{ref.get('row', '')}"
        out.append(Change(iid, names.get(iid, ""), where, va, vb, na, nb))
    return out
