"""Import of reports in the legacy layout (the published tables) into a plan.

    from barometro.legacy import import_report, line_check
    result = import_report("relazione_2021.txt")
    result.plan, result.report.rows, result.issues
    line_check(result.report, result.plan, load_profile("cremona"))
"""

from .importer import ImportResult, import_report, read_report
from .line_check import LineCheck, line_check
from .plan_builder import indicator_id, objective_id, to_plan
from .report import (
    ImportIssue,
    LegacyFormatError,
    LegacyLine,
    LegacyReport,
    LegacyRow,
    Severity,
)

__all__ = [
    "ImportIssue",
    "ImportResult",
    "LegacyFormatError",
    "LegacyLine",
    "LegacyReport",
    "LegacyRow",
    "LineCheck",
    "Severity",
    "import_report",
    "indicator_id",
    "line_check",
    "objective_id",
    "read_report",
    "to_plan",
]
