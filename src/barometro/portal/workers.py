"""Validation and consolidation in worker processes, never on the event loop.

`WorkerPool` wraps a spawn-context `ProcessPoolExecutor`. Each validation
worker loads the masters it is given once, in its initializer, and caches any
other master on first use (`load_master` returns a picklable `MasterInfo`, read
once per worker, not once per file). A call that outlives its time limit gets
`WorkerTimeout`; the pool is then replaced and its processes killed, and calls
that were running on it are retried once on the new pool.

The task functions at module level are what runs inside the workers: they call
the library (`validate_file`, `annotate_file`, `consolidate`) and return plain,
picklable values.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import multiprocessing
import os
import time
from concurrent.futures import ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from pathlib import Path
from typing import Any


class WorkerTimeout(Exception):
    """A task went over its time limit (its worker was killed)."""


class WorkerPool:
    def __init__(self, workers: int, initializer=None, initargs: tuple = (), *,  # noqa: ANN001
                 transient: bool = False) -> None:
        """`transient`: the processes end when no call is running (occasional, heavy jobs:
        their memory goes back to the system instead of idling in a worker)."""
        self.workers = max(1, workers)
        self.initializer = initializer
        self.initargs = initargs
        self.transient = transient
        self._pool: ProcessPoolExecutor | None = None
        self._running = 0

    def _new(self) -> ProcessPoolExecutor:
        return ProcessPoolExecutor(max_workers=self.workers, mp_context=multiprocessing.get_context("spawn"),
                                   initializer=self.initializer, initargs=self.initargs)

    @property
    def pool(self) -> ProcessPoolExecutor:
        if self._pool is None:
            self._pool = self._new()
        return self._pool

    def _replace(self, broken: ProcessPoolExecutor) -> None:
        if broken is not self._pool:
            return
        self._pool = self._new()
        for proc in list((getattr(broken, "_processes", None) or {}).values()):
            with contextlib.suppress(Exception):
                proc.kill()
        with contextlib.suppress(Exception):
            broken.shutdown(wait=False, cancel_futures=True)

    async def call(self, fn, *args: Any, timeout: float) -> Any:  # noqa: ANN001
        loop = asyncio.get_running_loop()
        self._running += 1
        try:
            for attempt in (1, 2):
                pool = self.pool
                future = loop.run_in_executor(pool, fn, *args)
                try:
                    return await asyncio.wait_for(future, timeout)
                except TimeoutError:
                    self._replace(pool)
                    raise WorkerTimeout() from None
                except BrokenProcessPool:
                    self._replace(pool)
                    if attempt == 2:
                        raise
            raise AssertionError("unreachable")
        finally:
            self._running -= 1
            if self.transient and self._running == 0 and self._pool is not None:
                pool, self._pool = self._pool, None
                pool.shutdown(wait=False)

    def pids(self) -> list[int]:
        procs = getattr(self._pool, "_processes", None) or {}
        return [p.pid for p in procs.values() if p.pid]

    def shutdown(self) -> None:
        if self._pool is not None:
            self._pool.shutdown(wait=True, cancel_futures=True)
            self._pool = None


# --------------------------------------------------------------------------- inside the workers

_MASTERS: dict[str, Any] = {}


def init_validation_worker(masters: dict[str, str]) -> None:
    """Load the given masters ({sha256: path}) once for the life of this worker."""
    from barometro.messages import set_language
    from barometro.validators import load_master

    set_language("it")
    for sha, path in masters.items():
        with contextlib.suppress(Exception):
            _MASTERS[sha] = load_master(path)


def _master(sha: str, path: str):  # noqa: ANN202 - MasterInfo
    from barometro.validators import load_master

    if sha not in _MASTERS:
        _MASTERS[sha] = load_master(path)
    return _MASTERS[sha]


def warm(_: int = 0) -> int:
    """Import the validator in this worker (called at start-up so the first upload is not slow)."""
    import barometro.validators.annotate  # noqa: F401
    from barometro.validators import validate_file  # noqa: F401

    return os.getpid()


def as_shown(report, name: str) -> dict[str, str]:  # noqa: ANN001 - FileReport
    """The report as `barometro validate --format json` writes one file, named as uploaded,
    rendered in each language (findings keep their data: one validation, two renderings)."""
    from dataclasses import replace

    report.path = name
    report.findings = [replace(f, file=name) for f in report.findings]
    return {lang: json.dumps(report.to_dict(lang), ensure_ascii=False, allow_nan=False) for lang in ("it", "en")}


def validate_task(master_sha: str, master_path: str, file_path: str, display_name: str) -> dict[str, Any]:
    """Validate one stored upload once; its report in Italian and in English."""
    from barometro.validators import validate_file

    start = time.perf_counter()
    report = validate_file(file_path, master=_master(master_sha, master_path))
    out: dict[str, Any] = dict(as_shown(report, display_name))
    out["status"] = report.status.value
    out["counts"] = {s.value: report.count(s) for s in _severities()}
    out["seconds"] = time.perf_counter() - start
    return out


def _severities():  # noqa: ANN202
    from barometro.issues import Severity

    return list(Severity)


def annotate_task(master_sha: str, master_path: str, file_path: str, outdir: str) -> str | None:
    """The validator's annotated copy of one stored upload (Italian); None when it cannot be made."""
    from barometro.messages import set_language
    from barometro.validators import validate_file
    from barometro.validators.annotate import annotate_file

    set_language("it")
    report = validate_file(file_path, master=_master(master_sha, master_path))
    out = annotate_file(report, outdir)
    return None if out is None else str(out)


def consolidate_task(master_path: str, inputs: list[tuple[str, str]], outdir: str,
                     deadline: str | None) -> dict[str, Any]:
    """Consolidate the given returns ([(stored path, file name)]) into outdir; a summary back."""
    from datetime import date

    from barometro.consolidation import consolidate
    from barometro.messages import set_language

    set_language("it")
    out = Path(outdir)
    staged_dir = out / "ritorni"
    staged_dir.mkdir(parents=True, exist_ok=True)
    staged = []
    for src, name in inputs:
        link = staged_dir / name
        os.symlink(src, link)
        staged.append(link)
    result = consolidate(staged, master=master_path, output=out / "relazione.xlsx", html=out / "relazione.html",
                         pdf=out / "relazione.pdf", deadline=date.fromisoformat(deadline) if deadline else None,
                         jobs=1)
    lines = [{"id": ln.id, "name": ln.sheet_name, "pct": result.scores.line.get(ln.id)} for ln in result.plan.lines]
    sectors = [{"sector": s.sector, "state": s.state, "expected": s.expected, "returned": s.returned,
                "used_file": s.used_file, "errors": s.errors, "warnings": s.warnings, "on_time": s.on_time}
               for s in result.merge.sectors]
    return {
        "blocked": result.blocked,
        "written": [str(p) for p in result.written],
        "ente": result.scores.ente,
        "lines": lines,
        "sectors": sectors,
        "method": result.settings.describe_it(),
        "issues": [{"kind": str(i.kind), "sector": i.sector, "file": i.file, "detail": i.where,
                    "message": {lang: i.render_message(lang) for lang in ("it", "en")}}
                   for i in result.merge.issues],
    }
