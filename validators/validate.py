"""The library API: `validate_file` and `validate_paths`.

Nothing that a returned file contains makes these raise: every problem is a
finding in that file's report, and the batch goes on.
"""

from __future__ import annotations

import json
import os
import time
from collections import Counter
from collections.abc import Callable, Iterable
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass, field
from enum import StrEnum
from pathlib import Path

from barometro.issues import json_safe
from barometro.numbers import NumberIssue, parse_number
from barometro.settings import Settings
from barometro.workbook_templates import spec

from .book import Book
from .context import CheckContext, ExtraRow, Identity, MasterInfo, derive_facts
from .findings import Finding, Severity, make
from .identify import MasterError, expected_for, load_master, peek_scope
from .reader import DEFAULT_LIMITS, FileKind, Limits, ReadProblem, read_book, sniff
from .registry import run_checks

SCHEMA_VERSION = "1"
WORKBOOK_SUFFIXES = (".xlsx", ".xlsm", ".xls", ".ods", ".csv", ".txt")
READING_CODES = frozenset((*(f"R0{n:02d}" for n in range(1, 12)), "R023", "R024", "R025"))


class Status(StrEnum):
    OK = "ok"
    WARNINGS = "avvisi"
    ERRORS = "errori"
    UNREADABLE = "illeggibile"


@dataclass(frozen=True)
class ReturnedRow:
    """One indicator as the sector returned it (consolidation merges by id)."""

    sheet: str
    row: int
    actual: float | None  # the number, also when typed as text ("4.580" -> 4580)
    actual_raw: object
    note: str


@dataclass
class FileReport:
    path: str
    status: Status
    identity: Identity | None
    findings: list[Finding] = field(default_factory=list)
    rows: dict[str, ReturnedRow] = field(default_factory=dict)
    kind: str = "return"  # "return", "master", "legacy", "unreadable"
    seconds: float = 0.0
    extra_rows: list[ExtraRow] = field(default_factory=list)  # rows the plan does not give this file

    def count(self, severity: Severity) -> int:
        return sum(1 for f in self.findings if f.severity is severity)

    def refresh_status(self) -> None:
        self.status = status_of(self.findings)

    def to_dict(self, lang: str | None = None) -> dict[str, object]:
        """One file of `barometro validate --format json`, texts rendered in `lang`."""
        return {
            "path": self.path,
            "status": self.status.value,
            "kind": self.kind,
            "identity": None if self.identity is None else self.identity.to_dict(),
            "counts": {s.value: self.count(s) for s in Severity},
            "findings": [f.to_dict(lang) for f in self.findings],
            "rows": {
                iid: {"sheet": r.sheet, "row": r.row, "actual": json_safe(r.actual),
                      "actual_raw": json_safe(r.actual_raw), "note": r.note}
                for iid, r in self.rows.items()
            },
            "extra_rows": [{"sheet": e.sheet, "row": e.row, "indicator_id": e.indicator_id}
                           for e in self.extra_rows],
        }


def status_of(findings: Iterable[Finding]) -> Status:
    worst = Status.OK
    for f in findings:
        if f.code in READING_CODES:
            return Status.UNREADABLE
        if f.severity is Severity.ERROR:
            worst = Status.ERRORS
        elif f.severity is Severity.WARNING and worst is Status.OK:
            worst = Status.WARNINGS
    return worst


@dataclass
class BatchReport:
    files: list[FileReport]
    master: str | None = None
    settings: Settings | None = None
    seconds: float = 0.0
    fatal: str | None = None  # the run could not proceed (bad master, no files)

    @property
    def ok(self) -> bool:
        return self.fatal is None and all(f.status in (Status.OK, Status.WARNINGS) for f in self.files)

    @property
    def exit_code(self) -> int:
        if self.fatal is not None:
            return 2
        return 0 if self.ok else 1

    @property
    def stats(self) -> dict[str, object]:
        by_status = Counter(f.status.value for f in self.files)
        by_severity = Counter(x.severity.value for f in self.files for x in f.findings)
        by_code = Counter(x.code for f in self.files for x in f.findings)
        return {
            "files": len(self.files),
            "by_status": {s.value: by_status.get(s.value, 0) for s in Status},
            "by_severity": {s.value: by_severity.get(s.value, 0) for s in Severity},
            "by_code": dict(sorted(by_code.items())),
            "seconds": round(self.seconds, 3),
        }

    def to_dict(self, lang: str | None = None) -> dict[str, object]:
        from barometro.messages import language

        return {
            "schema_version": SCHEMA_VERSION,
            "lang": lang or language(),
            "tool": "barometro validate",
            "ok": self.ok,
            "exit_code": self.exit_code,
            "fatal": self.fatal,
            "master": self.master,
            "settings": None if self.settings is None else self.settings.to_dict(),
            "method": None if self.settings is None else self.settings.describe_it(lang),
            "stats": self.stats,
            "files": [f.to_dict(lang) for f in self.files],
        }

    def to_json(self, lang: str | None = None) -> str:
        """Strict JSON (no NaN or Infinity: non-finite numbers are null)."""
        return json.dumps(self.to_dict(lang), ensure_ascii=False, indent=2, allow_nan=False)

    def to_dataframe(self):  # -> pandas.DataFrame (imported here: pandas is slow to import)
        """Every finding of the batch as one pandas DataFrame, one row per finding, with the
        file's sector and status: for the office's own pivots (`df.pivot_table(index="sector",
        columns="code", aggfunc="size")`). Files without findings appear once with empty codes."""
        import pandas as pd

        columns = ["file", "sector", "status", "code", "slug", "severity", "sheet", "cell",
                   "expected", "found", "message", "hint"]
        records: list[dict[str, object]] = []
        for f in self.files:
            sector = f.identity.sector if f.identity is not None else ""
            base = {"file": f.path, "sector": sector or "", "status": f.status.value}
            if not f.findings:
                records.append({**base, **{c: "" for c in columns[3:]}})
            for finding in f.findings:
                d = finding.to_dict()
                d.pop("params", None)
                records.append({**base, **{c: d.get(c, "") for c in columns[3:]}})
        return pd.DataFrame.from_records(records, columns=columns)


# --------------------------------------------------------------------------- one file


def _rows(ctx: CheckContext) -> dict[str, ReturnedRow]:
    rows: dict[str, ReturnedRow] = {}
    for ref in ctx.rows:
        raw = ref.value("actual")
        parsed = parse_number(raw)
        value = parsed.value if parsed.issue in (None, NumberIssue.TEXT) else None
        rows[ref.indicator.id] = ReturnedRow(ref.sheet.name, ref.row, value, raw, ref.text("note").strip())
    return rows


def _as_master(master: str | os.PathLike[str] | MasterInfo | None, limits: Limits) -> MasterInfo | None:
    if master is None or isinstance(master, MasterInfo):
        return master
    return load_master(master, limits)


def validate_file(
    path: str | os.PathLike[str],
    *,
    master: str | os.PathLike[str] | MasterInfo | None = None,
    settings: Settings | None = None,
    limits: Limits = DEFAULT_LIMITS,
) -> FileReport:
    """Validate one returned file. Raises `MasterError` only for a bad `master`."""
    start = time.perf_counter()
    minfo = _as_master(master, limits)
    report = _validate(Path(path), minfo, settings, limits)
    report.seconds = time.perf_counter() - start
    report.refresh_status()
    return report


# Sheets whose cells no check reads (unless they hold formulas): see reader._read_sheet.
_LIGHT_SHEETS = frozenset({spec.INSTRUCTIONS_SHEET})


def _validate(path: Path, master: MasterInfo | None, settings: Settings | None, limits: Limits) -> FileReport:
    name = str(path)
    try:
        kind = sniff(path, limits)
        if kind is FileKind.TEXT and path.suffix.lower() != ".csv":
            from .legacy_layout import validate_legacy_text

            return validate_legacy_text(path, settings)
        book = read_book(path, limits, light_sheets=_LIGHT_SHEETS)
    except ReadProblem as exc:
        return FileReport(name, Status.UNREADABLE, None, [make(exc.code, name, **exc.values)], kind="unreadable")
    return validate_book(book, name, master=master, settings=settings)


def validate_book(book: Book, name: str, *, master: MasterInfo | None = None,
                  settings: Settings | None = None) -> FileReport:
    """Validate a workbook already read by `reader.read_book` (the add-ins' buttons read once)."""
    if book.sheet(spec.META_SHEET) is None:
        from .legacy_layout import looks_legacy, validate_legacy_book

        if looks_legacy(book):
            return validate_legacy_book(Path(name), book, settings)
        return FileReport(name, Status.ERRORS, None, [make("R012", name)])
    exp = expected_for(book, name, master, settings)
    ctx = CheckContext(name, book, exp.meta, exp.identity, exp.settings, exp.layout, master, exp.protected)
    findings = list(exp.findings)
    run_kind = "master" if exp.identity is not None and exp.identity.scope == "master" else "return"
    rows: dict[str, ReturnedRow] = {}
    extra: list[ExtraRow] = []
    try:
        derive_facts(ctx)
        findings.extend(run_checks(ctx))
        rows = _rows(ctx)
        extra = ctx.extra_rows()
    except Exception as exc:  # noqa: BLE001 - last line of defence: a finding, never a crash
        findings.append(make("R099", name, check="validate", detail=f"{type(exc).__name__}: {exc}"))
    return FileReport(name, status_of(findings), exp.identity, findings, rows, kind=run_kind, extra_rows=extra)


# --------------------------------------------------------------------------- batches


def collect_paths(paths: Iterable[str | os.PathLike[str]]) -> list[Path]:
    """Files given, plus workbook-like files inside given folders (not recursive)."""
    out: list[Path] = []
    seen: set[str] = set()
    for p in paths:
        path = Path(p)
        if path.is_dir():
            children = sorted(
                c for c in path.iterdir()
                if c.suffix.lower() in WORKBOOK_SUFFIXES and not c.name.startswith(("~$", ".", ".~lock"))
            )
        else:
            children = [path]
        for c in children:
            key = os.path.abspath(c)
            if key not in seen:
                seen.add(key)
                out.append(c)
    return out


def find_master_beside(paths: Iterable[str | os.PathLike[str]], limits: Limits = DEFAULT_LIMITS) -> Path | None:
    """A `master.xlsx` (scope master) in one of the given folders or beside a given file."""
    folders: list[Path] = []
    for p in paths:
        path = Path(p)
        folder = path if path.is_dir() else path.parent
        for cand in (folder, folder.parent):
            if cand not in folders:
                folders.append(cand)
    for folder in folders:
        cand = folder / "master.xlsx"
        if cand.is_file() and peek_scope(cand, limits) == "master":
            return cand
    return None


_WORKER: dict[str, object] = {}


def _init_worker(master: MasterInfo | None, settings: Settings | None, limits: Limits) -> None:
    # The master is read once by the parent and handed over (pickled once per
    # worker), not read again by every worker.
    _WORKER["master"] = master
    _WORKER["settings"] = settings
    _WORKER["limits"] = limits


def _run_chunk(paths: list[str]) -> list[FileReport]:
    master = _WORKER.get("master")
    settings = _WORKER.get("settings")
    limits = _WORKER.get("limits", DEFAULT_LIMITS)
    return [validate_file(p, master=master, settings=settings, limits=limits) for p in paths]  # type: ignore[arg-type]


def _mark_duplicates(reports: list[FileReport], *, listed: int = 5) -> None:
    """R020 on every return of a sector that sent more than one (linear in the batch:
    each message names at most `listed` other files and counts the rest)."""
    by_sector: dict[str, list[tuple[FileReport, str]]] = {}
    for r in reports:
        if r.identity is not None and r.identity.scope == "settore" and r.identity.sector:
            by_sector.setdefault(r.identity.sector, []).append((r, os.path.basename(r.path)))
    for sector, group in by_sector.items():
        if len(group) < 2:
            continue
        head = [name for _, name in group[: listed + 1]]
        for r, name in group:
            others = [n for n in head if n != name][:listed]
            more = len(group) - 1 - len(others)
            other = ", ".join(others) + (f" (+{more})" if more > 0 else "")
            r.findings.append(make("R020", r.path, sector=sector, other=other))
            r.refresh_status()


def validate_paths(
    paths: Iterable[str | os.PathLike[str]],
    *,
    master: str | os.PathLike[str] | MasterInfo | None = None,
    settings: Settings | None = None,
    jobs: int | None = None,
    progress: Callable[[int, int, str], None] | None = None,
    limits: Limits = DEFAULT_LIMITS,
    find_master: bool = True,
) -> BatchReport:
    """Validate files and folders. A bad `master` or no files gives a report with
    `fatal` set (exit code 2); nothing else stops the batch. `master` may be the
    `MasterInfo` the caller already read (it is then not read again)."""
    start = time.perf_counter()
    paths = list(paths)
    minfo: MasterInfo | None = master if isinstance(master, MasterInfo) else None
    if minfo is not None:
        master_path: Path | None = Path(minfo.path)
    else:
        master_path = Path(master) if master is not None else (find_master_beside(paths, limits) if find_master else None)
    files = collect_paths(paths)
    if master_path is not None:
        if minfo is None:
            try:
                minfo = load_master(master_path, limits)
            except MasterError as exc:
                return BatchReport([], str(master_path), settings, time.perf_counter() - start, fatal=str(exc))
        mkey = os.path.abspath(master_path)
        files = [f for f in files if os.path.abspath(f) != mkey]
    if not files:
        from barometro.messages import text

        return BatchReport([], None if master_path is None else str(master_path), settings,
                           time.perf_counter() - start, fatal=text("validators.batch.no_files"))
    names = [str(f) for f in files]
    total = len(names)
    if jobs is None:
        jobs = 1 if total < 16 else min(os.cpu_count() or 1, 8)
    reports: list[FileReport] = []
    if jobs <= 1:
        for n, p in enumerate(names, 1):
            reports.append(validate_file(p, master=minfo, settings=settings, limits=limits))
            if progress:
                progress(n, total, p)
    else:
        size = max(1, min(32, total // (jobs * 4) or 1))
        chunks = [names[i:i + size] for i in range(0, total, size)]
        done = 0
        with ProcessPoolExecutor(
            max_workers=jobs, initializer=_init_worker,
            initargs=(minfo, settings, limits),
        ) as pool:
            for chunk, result in zip(chunks, pool.map(_run_chunk, chunks), strict=True):
                reports.extend(result)
                done += len(chunk)
                if progress:
                    progress(done, total, chunk[-1])
    _mark_duplicates(reports)
    used = settings or (minfo.settings if minfo else None)
    return BatchReport(reports, None if master_path is None else str(master_path), used, time.perf_counter() - start)
