"""Writing values into workbook cells as values: the one helper every writer uses.

Anything that came from a returned file, a plan or a person is written as what
it is: a number, or text that stays text even when it starts with `=`, `+`,
`-` or `@` (the formula/CSV-injection guard: a note typed by a sector never
becomes a live formula in the office's files). Formulas are written only when
the code says so, wrapped in `Formula`.
"""

from __future__ import annotations

import math
import re

_ILLEGAL = re.compile(r"[\000-\010\013\014\016-\037]")  # what an .xlsx cannot hold
FORMULA_STARTS = ("=", "+", "-", "@")


class Formula(str):
    """A formula the code means to write (text written with `set_literal` never is one)."""


def literal(value: object) -> object:
    """The value as a cell can hold it: non-finite numbers empty, control characters dropped."""
    if isinstance(value, float) and not math.isfinite(value):
        return None
    if isinstance(value, str) and not isinstance(value, Formula):
        return _ILLEGAL.sub("", value)
    return value


def looks_like_formula(value: object) -> bool:
    return isinstance(value, str) and not isinstance(value, Formula) and value.startswith(FORMULA_STARTS)


def set_literal(cell, value: object):  # noqa: ANN001, ANN201 - an openpyxl cell
    """Write `value` into an openpyxl cell; a `Formula` is written as a formula, text as text."""
    if isinstance(value, Formula):
        cell.value = str(value)
        return cell
    value = literal(value)
    cell.value = value
    if isinstance(value, str):
        cell.data_type = "s"  # openpyxl would take a leading "=" for a formula
    return cell
