"""The checks and the stages that emit finding codes, listed explicitly.

A check is a function decorated with `@check(name, codes=...)`: the decorator
attaches a `CheckSpec` to it and returns it unchanged (no global state). The
list of checks, in the order they run, is `checks.CHECKS`; `load_checks()`
validates it (names unique, codes declared once). Every code belongs to one
check or to one named stage (`STAGES`: reading, identity, batch, legacy
layout, internal), and `CHECKS.md` says which.

A check receives a `CheckContext` and yields findings. It never raises because
the data is bad; if it crashes anyway, `run_checks` turns the crash into an
R099 finding and goes on with the other checks.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from functools import lru_cache
from typing import TYPE_CHECKING

from .findings import CODES, Finding, make

if TYPE_CHECKING:
    from .context import CheckContext

CheckFn = Callable[["CheckContext"], Iterable[Finding]]


class RegistryError(RuntimeError):
    """The list of checks is inconsistent (a programming error, caught by the tests)."""


@dataclass(frozen=True)
class CheckSpec:
    name: str
    codes: tuple[str, ...]  # codes this check may emit
    fn: CheckFn
    needs_layout: bool = True


def check(name: str, *, codes: tuple[str, ...], needs_layout: bool = True) -> Callable[[CheckFn], CheckFn]:
    """Declare a check function (decorator; returns the function with `__check__` attached)."""
    for code in codes:
        if code not in CODES:
            raise RegistryError(f"check {name!r} declares unknown code {code}")

    def deco(fn: CheckFn) -> CheckFn:
        fn.__check__ = CheckSpec(name, codes, fn, needs_layout)  # type: ignore[attr-defined]
        return fn

    return deco


# Codes emitted outside the checks, by the stage that emits them.
STAGES: dict[str, tuple[str, ...]] = {
    "reading": (*(f"R0{n:02d}" for n in range(1, 12)), "R023", "R024", "R025", "R026",  # reader.py
                "R027"),  # validate.py, from what the reader saw (non-finite numbers)
    "identity": ("R012", "R013", "R014", "R015", "R016", "R017", "R018", "R019", "R021", "R022", "R030"),  # identify.py
    "batch": ("R020", "R028"),  # validate.py: several returns of one sector; a worker process lost
    "annotate": ("R029",),  # annotate.py: a file that gets no annotated copy, and why
    "legacy": tuple(code for code in CODES if code.startswith("L")),  # legacy_layout.py
    "internal": ("R099",),  # a check or the validator itself crashed
}


def validate_registry(checks: Iterable[CheckSpec]) -> tuple[CheckSpec, ...]:
    """The checks, after making sure names are unique and each code has one owner."""
    out: list[CheckSpec] = []
    owner: dict[str, str] = {}
    names: set[str] = set()
    for spec in checks:
        if spec.name in names:
            raise RegistryError(f"check name {spec.name!r} used twice")
        names.add(spec.name)
        out.append(spec)
    for stage, codes in STAGES.items():
        for code in codes:
            owner.setdefault(code, f"stage:{stage}")
    for spec in out:
        for code in spec.codes:
            if code in owner and owner[code] != spec.name:
                raise RegistryError(f"code {code} belongs to {owner[code]} and to check {spec.name!r}")
            owner[code] = spec.name
    orphans = [code for code in CODES if code not in owner]
    if orphans:
        raise RegistryError(f"codes without a check or stage: {', '.join(orphans)}")
    return tuple(out)


@lru_cache(maxsize=1)
def load_checks() -> tuple[CheckSpec, ...]:
    """The checks of `checks.CHECKS`, in their order, validated once per process."""
    from .checks import CHECKS

    specs = []
    for fn in CHECKS:
        spec = getattr(fn, "__check__", None)
        if spec is None:
            raise RegistryError(f"{fn!r} in CHECKS is not decorated with @check")
        specs.append(spec)
    return validate_registry(specs)


def owner_of(code: str) -> str:
    """The check name, or "stage:<name>", that emits `code`."""
    for spec in load_checks():
        if code in spec.codes:
            return spec.name
    for stage, codes in STAGES.items():
        if code in codes:
            return f"stage:{stage}"
    raise KeyError(code)


def run_checks(ctx: CheckContext) -> Iterator[Finding]:
    """Every check in order (those needing a layout only when the context has one)."""
    for chk in load_checks():
        if chk.needs_layout and ctx.layout is None:
            continue
        try:
            yield from list(chk.fn(ctx))
        except Exception as exc:  # noqa: BLE001 - a crashing check is a finding, never a crash
            yield make("R099", ctx.file, check=chk.name, detail=f"{type(exc).__name__}: {exc}")
