"""One small check per module; each yields findings and never raises on bad data.

`CHECKS` is the explicit list of checks, in the order they run (the facts they
share are computed before, by `context.derive_facts`)."""

from __future__ import annotations

from .content_actual import content_actual
from .content_notes import content_notes
from .content_weights import content_weights
from .formulas_expected import formulas_expected
from .formulas_external import formulas_external
from .input_cells import input_cells
from .office_cells import office_cells
from .structure_header import structure_header
from .structure_rows import structure_rows
from .structure_sheets import structure_sheets
from .values_aggregates import values_aggregates
from .values_rows import values_rows

CHECKS = (
    structure_sheets,
    structure_header,
    structure_rows,
    office_cells,
    content_actual,
    input_cells,
    content_notes,
    content_weights,
    formulas_expected,
    formulas_external,
    values_rows,
    values_aggregates,
)
