"""Batch validator for returned workbooks (installed as `barometro.validators`).

    from barometro.validators import validate_file, validate_paths
    report = validate_paths(["ritorni/"], master="modelli/master.xlsx", jobs=2)
    report.exit_code, report.to_json()

Light to import: the reader and checks load on first use.
"""

from __future__ import annotations

from .findings import CODES, Finding, Severity
from .identify import MasterError, load_master
from .validate import (
    SCHEMA_VERSION,
    BatchReport,
    FileReport,
    ReturnedRow,
    Skipped,
    Status,
    collect_inputs,
    collect_paths,
    validate_file,
    validate_paths,
)

__all__ = [
    "CODES",
    "SCHEMA_VERSION",
    "BatchReport",
    "FileReport",
    "Finding",
    "MasterError",
    "ReturnedRow",
    "Severity",
    "Skipped",
    "Status",
    "collect_inputs",
    "collect_paths",
    "load_master",
    "validate_file",
    "validate_paths",
]
