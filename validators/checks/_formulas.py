"""Formula comparison with a fast path (most files carry the builder's exact text)."""

from __future__ import annotations

from functools import lru_cache

from barometro.workbook_templates.spec import normalise_formula


def _quick(formula: str) -> str:
    f = formula.replace("$", "")
    if '"' in f:
        return f
    return f.replace(" ", "").upper()


@lru_cache(maxsize=8192)
def normalised(formula: str) -> str:
    return normalise_formula(formula)


def same_formula(found: str, expected: str, aliases: dict[str, str] | None = None) -> bool:
    if found == expected or _quick(found) == _quick(expected):
        return True
    nf = normalised(found)
    if aliases:
        for old, new in aliases.items():
            nf = nf.replace(f"{new.upper()}!", f"{old.upper()}!")
    return nf == normalised(expected)
