"""Check registry: each check is a function registered with `@check(...)`.

A check receives a `CheckContext` and yields findings. It never raises because
the data is bad; if it crashes anyway, `run_checks` turns the crash into an
R099 finding and goes on with the other checks.
"""

from __future__ import annotations

import importlib
import pkgutil
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from typing import TYPE_CHECKING

from .findings import CODES, Finding, make

if TYPE_CHECKING:
    from .context import CheckContext

CheckFn = Callable[["CheckContext"], Iterable[Finding]]


@dataclass(frozen=True)
class RegisteredCheck:
    name: str
    codes: tuple[str, ...]  # codes this check may emit
    order: int
    fn: CheckFn
    needs_layout: bool = True


_REGISTRY: dict[str, RegisteredCheck] = {}


def check(name: str, *, codes: tuple[str, ...], order: int = 50, needs_layout: bool = True) -> Callable[[CheckFn], CheckFn]:
    """Register a check function under `name` (decorator; returns it unchanged)."""
    for code in codes:
        if code not in CODES:
            raise KeyError(f"check {name!r} declares unknown code {code}")

    def deco(fn: CheckFn) -> CheckFn:
        _REGISTRY[name] = RegisteredCheck(name, codes, order, fn, needs_layout)
        return fn

    return deco


_LOADED: list[RegisteredCheck] = []


def load_checks() -> list[RegisteredCheck]:
    """Import every module of `barometro.validators.checks` and return the checks in order.

    The package is scanned once per process (validation calls this for every file)."""
    if _LOADED and len(_LOADED) == len(_REGISTRY):
        return list(_LOADED)
    from . import checks as pkg

    for info in pkgutil.iter_modules(pkg.__path__):
        importlib.import_module(f"{pkg.__name__}.{info.name}")
    _LOADED[:] = sorted(_REGISTRY.values(), key=lambda c: (c.order, c.name))
    return list(_LOADED)


def run_checks(ctx: CheckContext) -> Iterator[Finding]:
    for chk in load_checks():
        if chk.needs_layout and ctx.layout is None:
            continue
        try:
            yield from list(chk.fn(ctx))
        except Exception as exc:  # noqa: BLE001 - a crashing check is a finding, never a crash
            yield make("R099", ctx.file, check=chk.name, detail=f"{type(exc).__name__}: {exc}")
