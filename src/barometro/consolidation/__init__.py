"""Consolidation of validated returns and the published Relazione.

Library use::

    from barometro.consolidation import consolidate
    result = consolidate(["ritorni/"], master="modelli/master.xlsx", output="relazione.xlsx",
                         html="relazione.html", pdf="relazione.pdf", prefer=["ritorni/cultura_v2.xlsx"])
    result.scores.ente, result.merge.sectors, result.written
"""

from __future__ import annotations

from .merge import merge_returns
from .run import ConsolidationError, consolidate, write_outputs
from .scores import merged_plan
from .types import (
    ConsolidationResult,
    Decision,
    IssueKind,
    MergedRow,
    MergeIssue,
    MergeResult,
    RowState,
    SectorReturn,
    SectorSummary,
)

__all__ = [
    "ConsolidationError",
    "ConsolidationResult",
    "Decision",
    "IssueKind",
    "MergeIssue",
    "MergeResult",
    "MergedRow",
    "RowState",
    "SectorReturn",
    "SectorSummary",
    "consolidate",
    "merge_returns",
    "merged_plan",
    "write_outputs",
]
