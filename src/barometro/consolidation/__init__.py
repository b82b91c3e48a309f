"""Consolidation of validated returns and the published Relazione.

Library use::

    from barometro.consolidation import consolidate
    result = consolidate(["ritorni/"], master="modelli/master.xlsx", output="relazione.xlsx",
                         html="relazione.html", pdf="relazione.pdf", prefer=["ritorni/cultura_v2.xlsx"])
    result.scores.ente, result.merge.sectors, result.written
"""

from __future__ import annotations

from .merge import merge_returns
from .run import ConsolidationError, consolidate, return_from_report, write_outputs
from .scores import compute_scores, merged_plan
from .types import (
    ConsolidationResult,
    Decision,
    FileStatus,
    IssueKind,
    MergedRow,
    MergeIssue,
    MergeResult,
    ReturnedRow,
    RowState,
    Scores,
    SectorReturn,
    SectorSummary,
)

__all__ = [
    "ConsolidationError",
    "ConsolidationResult",
    "Decision",
    "FileStatus",
    "IssueKind",
    "MergeIssue",
    "MergeResult",
    "MergedRow",
    "ReturnedRow",
    "RowState",
    "Scores",
    "SectorReturn",
    "SectorSummary",
    "compute_scores",
    "consolidate",
    "merge_returns",
    "merged_plan",
    "return_from_report",
    "write_outputs",
]
