"""The library API: `validate_file` and `validate_paths`.

Nothing that a returned file contains makes these raise: every problem is a
finding in that file's report, and the batch goes on.
"""

from __future__ import annotations

import contextlib
import json
import multiprocessing
import os
import re
import signal
import stat
import threading
import time
from collections import Counter
from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from dataclasses import dataclass, field
from enum import StrEnum
from pathlib import Path

from barometro.issues import json_safe
from barometro.names import display_name
from barometro.numbers import NumberIssue, parse_number
from barometro.settings import Settings
from barometro.workbook_templates import spec

from .book import Book, column_letter
from .context import CheckContext, ExtraRow, Identity, MasterInfo, derive_facts
from .findings import Finding, Severity, make
from .identify import MasterError, expected_for, load_master, peek_scope
from .reader import (
    DEFAULT_LIMITS,
    OLE_MAGIC,
    SPREADSHEET_SUFFIXES,
    ZIP_MAGICS,
    FileKind,
    Limits,
    ReadProblem,
    read_book,
    sniff,
)
from .registry import run_checks

SCHEMA_VERSION = "1"
WORKBOOK_SUFFIXES = SPREADSHEET_SUFFIXES
READING_CODES = frozenset((*(f"R0{n:02d}" for n in range(1, 12)), "R023", "R024", "R025", "R026", "R028"))
MAX_LEGACY_TEXT = 8 * 1024 * 1024  # a published report as text is a few hundred KB


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
    facts: dict[str, int] = field(default_factory=dict)  # what the reader saw: cells, sheets, bytes

    @property
    def display(self) -> str:
        """The path as every output shows it (bytes that are not UTF-8 and controls escaped)."""
        return display_name(self.path)

    def count(self, severity: Severity) -> int:
        return sum(1 for f in self.findings if f.severity is severity)

    def refresh_status(self) -> None:
        self.status = status_of(self.findings)

    def to_dict(self, lang: str | None = None) -> dict[str, object]:
        """One file of `barometro validate --format json`, texts rendered in `lang`."""
        return {
            "path": self.display,
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


@dataclass(frozen=True)
class Skipped:
    """A folder entry that was not validated, and why (`reason`: lock, hidden, folder,
    not_spreadsheet, special)."""

    path: str
    reason: str
    detail: str = ""

    @property
    def display(self) -> str:
        return display_name(self.path)

    def message(self, lang: str | None = None) -> str:
        from barometro.messages import text

        return text(f"validators.skipped.{self.reason}", lang, detail=self.detail)

    def to_dict(self, lang: str | None = None) -> dict[str, str]:
        return {"path": self.display, "reason": self.reason, "message": self.message(lang)}


@dataclass
class BatchReport:
    files: list[FileReport]
    master: str | None = None
    settings: Settings | None = None
    seconds: float = 0.0
    fatal: str | None = None  # the run could not proceed (bad master, no files): exit 2
    skipped: list[Skipped] = field(default_factory=list)  # folder entries not validated, and why
    crash: dict[str, str] | None = None  # the tool itself failed (stage, file, error): exit 3

    @property
    def ok(self) -> bool:
        return (self.fatal is None and self.crash is None
                and all(f.status in (Status.OK, Status.WARNINGS) for f in self.files))

    @property
    def exit_code(self) -> int:
        """0 no errors, 1 errors found, 2 the run could not proceed, 3 Barometro itself failed."""
        if self.crash is not None:
            return 3
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
            "skipped": len(self.skipped),
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
            "fatal": self.fatal if self.crash is None else self.crash.get("message", self.fatal),
            "crash": self.crash,
            "master": None if self.master is None else display_name(self.master),
            "settings": None if self.settings is None else self.settings.to_dict(),
            "method": None if self.settings is None else self.settings.describe_it(lang),
            "stats": self.stats,
            "files": [f.to_dict(lang) for f in self.files],
            "skipped": [s.to_dict(lang) for s in self.skipped],
        }

    def to_json(self, lang: str | None = None) -> str:
        """Strict JSON: no NaN or Infinity (non-finite numbers are null), no lone surrogate
        (names are written by `display_name`; anything left over becomes U+FFFD)."""
        doc = json.dumps(self.to_dict(lang), ensure_ascii=False, indent=2, allow_nan=False)
        return _SURROGATE.sub("\ufffd", doc)

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
            base = {"file": f.display, "sector": sector or "", "status": f.status.value}
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


_SURROGATE = re.compile("[\ud800-\udfff]")


class TimeUp(BaseException):
    """The time budget of one file ran out (a BaseException: no `except Exception` swallows it)."""


@contextlib.contextmanager
def time_limit(seconds: float) -> Iterator[None]:
    """Raise `TimeUp` in this thread once `seconds` have passed (SIGALRM; only in the main
    thread of a process and when no other timer is set: elsewhere, as in LibreOffice's
    embedded Python, the reader's own deadline is the limit)."""
    usable = (seconds > 0 and hasattr(signal, "setitimer")
              and threading.current_thread() is threading.main_thread()
              and signal.getitimer(signal.ITIMER_REAL)[0] == 0
              # None: a handler set outside Python (LibreOffice's own) that could not be put back
              and signal.getsignal(signal.SIGALRM) is not None)
    if not usable:
        yield
        return

    def _expired(_signum: int, _frame: object) -> None:
        raise TimeUp()

    try:
        previous = signal.signal(signal.SIGALRM, _expired)
    except ValueError:  # "main thread of the main interpreter" only: an embedding (LibreOffice) may differ
        usable = False
    if not usable:
        yield
        return
    try:
        signal.setitimer(signal.ITIMER_REAL, seconds)
        yield
    finally:
        try:
            signal.setitimer(signal.ITIMER_REAL, 0)
        finally:
            signal.signal(signal.SIGALRM, previous)


def validate_file(
    path: str | os.PathLike[str],
    *,
    master: str | os.PathLike[str] | MasterInfo | None = None,
    settings: Settings | None = None,
    limits: Limits = DEFAULT_LIMITS,
) -> FileReport:
    """Validate one returned file. Raises `MasterError` only for a bad `master`; whatever the
    file holds, and whatever goes wrong inside, the result is a report with findings
    (R025 when its time budget runs out, R099 when the validator itself failed)."""
    start = time.perf_counter()
    minfo = _as_master(master, limits)
    name = os.fspath(path)
    try:
        with time_limit(limits.seconds + 0.5):  # the reader stops itself at `seconds`; this is the backstop
            report = _validate(Path(name), minfo, settings, limits)
    except TimeUp:
        report = _unreadable(name, "R025", seconds=limits.seconds)
    except MemoryError:
        report = _unreadable(name, "R028", reason="memory")
    except Exception as exc:  # noqa: BLE001 - the validator's own failure: a finding, never a crash
        report = FileReport(name, Status.ERRORS, None,
                            [make("R099", name, check="validate", detail=_detail(exc))], kind="unreadable")
    report.seconds = time.perf_counter() - start
    report.refresh_status()
    return report


def _detail(exc: BaseException) -> str:
    return f"{type(exc).__name__}: {display_name(str(exc))[:200]}"


def _unreadable(name: str, code: str, **values: object) -> FileReport:
    return FileReport(name, Status.UNREADABLE, None, [make(code, name, **values)], kind="unreadable")


# Sheets whose cells no check reads (unless they hold formulas): see reader._read_sheet.
_LIGHT_SHEETS = frozenset({spec.INSTRUCTIONS_SHEET})


def _validate(path: Path, master: MasterInfo | None, settings: Settings | None, limits: Limits) -> FileReport:
    name = os.fspath(path)
    try:
        kind = sniff(path, limits)
        if kind is FileKind.TEXT and path.suffix.lower() not in (".csv", ".tsv"):
            size = path.stat().st_size
            if size > MAX_LEGACY_TEXT:
                raise ReadProblem("R008", size_mb=round(size / 1048576), limit_mb=round(MAX_LEGACY_TEXT / 1048576))
            import csv

            from .legacy_layout import validate_legacy_text

            try:
                return validate_legacy_text(path, settings)
            except (csv.Error, UnicodeError, ValueError):  # text, but not a report it can parse
                raise ReadProblem("R007") from None
        book = read_book(path, limits, light_sheets=_LIGHT_SHEETS)
    except ReadProblem as exc:
        return _unreadable(name, exc.code, **exc.values)
    report = validate_book(book, name, master=master, settings=settings)
    report.findings[:0] = _non_finite(book, name)
    report.facts = {"sheets": len(book.sheets), "cells": sum(len(s.cells) for s in book.sheets),
                    "bytes": book.uncompressed}
    return report


def _non_finite(book: Book, name: str) -> list[Finding]:
    """R027 once per sheet holding NaN or infinite numbers (their values are null in JSON)."""
    out = []
    for sheet in book.sheets:
        if sheet.non_finite:
            refs = [f"{column_letter(c)}{r}" for r, c in sorted(sheet.non_finite)]
            shown = ", ".join(refs[:8]) + (f" (+{len(refs) - 8})" if len(refs) > 8 else "")
            out.append(make("R027", name, sheet=sheet.name, cell=refs[0], count=len(refs), cells=shown))
    return out


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


def _entry_verdict(path: Path) -> tuple[str, str] | None:
    """None when a folder entry is to be validated, else (reason, detail) for skipping it."""
    name = path.name
    if name.startswith(("~$", ".~lock")):
        return "lock", ""
    if name.startswith("."):
        return "hidden", ""
    suffix = path.suffix.lower()
    if suffix in SPREADSHEET_SUFFIXES:
        return None
    try:
        st = path.stat()
    except OSError:
        return None  # a broken link named like anything: the reader says R001
    if not stat.S_ISREG(st.st_mode):
        return "special", ""
    try:
        with open(path, "rb") as fh:
            head = fh.read(8)
    except OSError:
        return None
    if head.startswith(OLE_MAGIC) or head[:4] in ZIP_MAGICS:
        return None  # a workbook with an odd extension: the reader says what it is
    return "not_spreadsheet", suffix or "—"


def collect_inputs(paths: Iterable[str | os.PathLike[str]], *, recursive: bool = False,
                   exclude: Iterable[str | os.PathLike[str]] = ()) -> tuple[list[Path], list[Skipped]]:
    """The files to validate, and every folder entry that is not validated with the reason.

    Files named directly are always validated (a missing one is reported R001). In a folder,
    spreadsheets and documents of any known kind are validated (the reader names formats it
    does not read, R026), and so is any zip or compound file whatever its extension; lock
    files, hidden files, sub-folders (unless `recursive`) and other files are listed as
    skipped. `exclude` (the master, outputs) is left out silently; a file named twice counts once."""
    files: list[Path] = []
    skipped: list[Skipped] = []
    seen: set[str] = {os.path.abspath(p) for p in exclude}
    walked: set[str] = set()

    def add(path: Path) -> None:
        key = os.path.abspath(path)
        if key not in seen:
            seen.add(key)
            files.append(path)

    def walk(folder: Path) -> None:
        real = os.path.realpath(folder)
        if real in walked:
            return
        walked.add(real)
        try:
            children = sorted(folder.iterdir(), key=lambda c: os.fsencode(c.name))
        except OSError as exc:
            skipped.append(Skipped(os.fspath(folder), "unreadable_folder", display_name(exc.strerror or "")))
            return
        for child in children:
            if os.path.abspath(child) in seen:
                continue
            if child.is_dir():
                if child.name.startswith("."):
                    skipped.append(Skipped(os.fspath(child), "hidden"))
                elif recursive:
                    walk(child)
                else:
                    skipped.append(Skipped(os.fspath(child), "folder"))
                continue
            verdict = _entry_verdict(child)
            if verdict is None:
                add(child)
            else:
                skipped.append(Skipped(os.fspath(child), *verdict))

    for p in paths:
        path = Path(p)
        if path.is_dir():
            walk(path)
        else:
            add(path)
    return files, skipped


def collect_paths(paths: Iterable[str | os.PathLike[str]]) -> list[Path]:
    """Files given, plus the files inside given folders that are validated (not recursive)."""
    return collect_inputs(paths)[0]


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

# Workers start as fresh interpreters on every system (the start method of Windows and macOS):
# never forked from a caller that may run threads (consolidation builds its workbook in one
# while they work), and each holds only what validating needs, not a copy of the caller.
_POOL_CONTEXT = multiprocessing.get_context("spawn")


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


def _run_alone(path: str, master: MasterInfo | None, settings: Settings | None, limits: Limits) -> FileReport:
    """One file in a process of its own (after a worker died): a second death is R028."""
    try:
        with ProcessPoolExecutor(max_workers=1, mp_context=_POOL_CONTEXT, initializer=_init_worker,
                                 initargs=(master, settings, limits)) as pool:
            return pool.submit(_run_chunk, [path]).result(timeout=limits.seconds * 4 + 60)[0]
    except Exception:  # noqa: BLE001 - BrokenProcessPool, a timeout: the file is reported, the batch goes on
        return _unreadable(path, "R028", reason="worker")


def _run_pool(names: list[str], jobs: int, master: MasterInfo | None, settings: Settings | None,
              limits: Limits, progress: Callable[[int, int, str], None] | None) -> list[FileReport]:
    """The files in worker processes, in order. A worker killed (by the OS, out of memory)
    loses no report: the files it had not returned are run again one per process."""
    total = len(names)
    size = max(1, min(32, total // (jobs * 4) or 1))
    chunks = [names[i:i + size] for i in range(0, total, size)]
    results: list[list[FileReport] | None] = [None] * len(chunks)
    done = 0
    try:
        with ProcessPoolExecutor(max_workers=jobs, mp_context=_POOL_CONTEXT, initializer=_init_worker,
                                 initargs=(master, settings, limits)) as pool:
            futures = [pool.submit(_run_chunk, chunk) for chunk in chunks]
            for n, fut in enumerate(futures):
                try:
                    results[n] = fut.result()
                except BrokenProcessPool:
                    break
                except Exception:  # noqa: BLE001,S112 - a result that cannot come back: run alone below
                    continue
                done += len(chunks[n])
                if progress:
                    progress(done, total, chunks[n][-1])
    except BrokenProcessPool:
        pass
    out: list[FileReport] = []
    for n, chunk in enumerate(chunks):
        got = results[n]
        if got is None:
            got = [_run_alone(p, master, settings, limits) for p in chunk]
            done += len(chunk)
            if progress:
                progress(done, total, chunk[-1])
        out.extend(got)
    return out


def _mark_duplicates(reports: list[FileReport], *, listed: int = 5) -> None:
    """R020 on every return of a sector that sent more than one (linear in the batch:
    each message names at most `listed` other files and counts the rest)."""
    by_sector: dict[str, list[tuple[FileReport, str]]] = {}
    for r in reports:
        if r.identity is not None and r.identity.scope == "settore" and r.identity.sector:
            by_sector.setdefault(r.identity.sector, []).append((r, display_name(os.path.basename(r.path))))
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
    files, skipped = collect_inputs(paths)
    if master_path is not None:
        if minfo is None:
            try:
                minfo = load_master(master_path, limits)
            except MasterError as exc:
                return BatchReport([], str(master_path), settings, time.perf_counter() - start, fatal=str(exc),
                                   skipped=skipped)
        mkey = os.path.abspath(master_path)
        files = [f for f in files if os.path.abspath(f) != mkey]
    if not files:
        from barometro.messages import text

        return BatchReport([], None if master_path is None else str(master_path), settings,
                           time.perf_counter() - start, fatal=text("validators.batch.no_files"), skipped=skipped)
    names = [os.fspath(f) for f in files]
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
        reports = _run_pool(names, jobs, minfo, settings, limits, progress)
    _mark_duplicates(reports)
    used = settings or (minfo.settings if minfo else None)
    return BatchReport(reports, None if master_path is None else str(master_path), used, time.perf_counter() - start,
                       skipped=skipped)
