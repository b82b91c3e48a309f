"""`consolidate(...)`: validate, merge, score, and write every output atomically.

All outputs are rendered to temporary files first and moved into place only
when every one of them succeeded: a failed or interrupted run leaves the
previous outputs (or nothing), never a half-written or a mixed set.
"""

from __future__ import annotations

import contextlib
import os
import threading
from collections.abc import Iterable, Sequence
from datetime import date, datetime
from pathlib import Path
from typing import TYPE_CHECKING

from barometro import __version__
from barometro.atomic import atomic_path
from barometro.messages import text
from barometro.names import display_name
from barometro.scoring import score_plan
from barometro.settings import Settings, SettingsError, load_settings
from barometro.validators.context import MasterInfo

from .merge import merge_returns
from .scores import merged_plan
from .sources import display_names, expand_inputs, file_facts, real_path
from .types import ConsolidationResult, RunInfo, SectorReturn
from .workbook import build_base

if TYPE_CHECKING:
    from openpyxl import Workbook


class _Background:
    """Run one function in a thread; `result()` joins and re-raises its exception."""

    def __init__(self, func, *args: object) -> None:
        self._value: object = None
        self._error: BaseException | None = None
        self._thread = threading.Thread(target=self._run, args=(func, args), daemon=True)
        self._thread.start()

    def _run(self, func, args) -> None:
        try:
            self._value = func(*args)
        except BaseException as exc:  # noqa: BLE001 - handed to the caller by result()
            self._error = exc

    def result(self):
        self._thread.join()
        if self._error is not None:
            raise self._error
        return self._value


class ConsolidationError(ValueError):
    """A consolidation that cannot start or finish; the message is for staff (Italian)."""


def t(key: str, **values: object) -> str:
    return text(f"consolidation.{key}", **values)


def run_timestamp(now: datetime | None = None) -> datetime:
    """The run's timestamp: `now`, else $SOURCE_DATE_EPOCH (reproducible builds), else the clock."""
    if now is not None:
        return now.replace(microsecond=0)
    epoch = os.environ.get("SOURCE_DATE_EPOCH", "").strip()
    if epoch.isdigit():
        return datetime.fromtimestamp(int(epoch))
    return datetime.now().replace(microsecond=0)


def _resolve_settings(settings: Settings | str | Path | None, fallback: Settings) -> Settings:
    if settings is None:
        return fallback
    if isinstance(settings, Settings):
        return settings
    try:
        return load_settings(settings)
    except SettingsError as exc:
        raise ConsolidationError(t("error.settings", detail=str(exc))) from None


def _check_outputs(outputs: Sequence[Path], inputs: Iterable[Path], master: Path) -> None:
    protected = {real_path(p) for p in inputs} | {real_path(master)}
    for out in outputs:
        if real_path(out) in protected:
            raise ConsolidationError(t("error.output_is_input", path=display_name(out)))
        if out.exists() and out.is_dir():
            raise ConsolidationError(t("error.output_is_dir", path=display_name(out)))
    if len({real_path(o) for o in outputs}) != len(outputs):
        raise ConsolidationError(t("error.outputs_clash"))


def consolidate(
    paths: Sequence[str | Path],
    *,
    master: str | Path | MasterInfo,
    output: str | Path | None = None,
    html: str | Path | None = None,
    pdf: str | Path | None = None,
    csv: str | Path | None = None,
    ods: str | Path | None = None,
    settings: Settings | str | Path | None = None,
    include_errors: bool = False,
    prefer: Sequence[str | Path] = (),
    deadline: date | None = None,
    jobs: int | None = None,
    now: datetime | None = None,
    limits=None,  # validators.reader.Limits: the reading budgets (default: theirs)
) -> ConsolidationResult:
    """Validate the returns in `paths`, merge them by indicator id and write the outputs.

    `master` is the master's path, or the `MasterInfo` the caller already read
    (the add-in's button, the portal): it is read once per run either way.
    Returns the result; `result.written` lists the outputs moved into place
    (empty when `result.blocked`: two different returns for one sector and no
    `prefer`). Raises `ConsolidationError` (Italian message) when the master
    cannot be read, no returned file is given, or an output would overwrite
    an input.
    """
    from barometro.validators import MasterError, load_master, validate_paths
    from barometro.validators.reader import DEFAULT_LIMITS

    limits = limits or DEFAULT_LIMITS
    master_path = Path(master.path) if isinstance(master, MasterInfo) else Path(master)
    outputs = [Path(p) for p in (output, html, pdf, csv, ods) if p is not None]
    raw_inputs = [Path(p) for p in paths]
    files, skipped = expand_inputs(raw_inputs, exclude=[master_path])
    _check_outputs(outputs, [*files, *(p for p in raw_inputs if p.is_file())], master_path)
    if not files:
        raise ConsolidationError(t("error.no_inputs"))
    if isinstance(master, MasterInfo):
        info = master
    else:
        try:
            info = load_master(master_path, limits)
        except MasterError as exc:
            raise ConsolidationError(t("error.master", path=display_name(master_path), detail=str(exc))) from None
    plan = info.plan
    used_settings = _resolve_settings(settings, info.settings)
    timestamp = run_timestamp(now)

    base = None
    if output is not None:
        # The base workbook does not depend on the returns: build it while the validator's
        # worker processes run (this thread would otherwise only wait for them).
        base = _Background(build_base, plan, used_settings, timestamp)
    batch = validate_paths(files, master=info, settings=info.settings, jobs=jobs, limits=limits)
    base_book = base.result() if base is not None else None
    if batch.fatal:
        raise ConsolidationError(t("error.master", path=display_name(master_path), detail=str(batch.fatal)))
    reports = {os.path.abspath(r.path): r for r in batch.files}
    names = display_names(files)
    returns = [SectorReturn(names[path], reports[os.path.abspath(path)], file_facts(path))
               for path in files if os.path.abspath(path) in reports]
    return _finish(returns, master_path, plan, used_settings, timestamp, include_errors, prefer,
                   deadline, output, html, pdf, base_book, csv, ods, tuple(skipped))


def _finish(returns, master, plan, used_settings, timestamp, include_errors, prefer, deadline,
            output, html, pdf, base_book, csv=None, ods=None, skipped=()) -> ConsolidationResult:

    merge = merge_returns(
        plan, returns, include_errors=include_errors, prefer=[str(p) for p in prefer], deadline=deadline
    )
    final_plan = merged_plan(plan, merge)
    scores = score_plan(final_plan, used_settings)
    run = RunInfo(
        timestamp=timestamp,
        tool_version=__version__,
        settings=used_settings,
        master=file_facts(master),
        deadline=deadline.isoformat() if deadline else "",
        include_errors=include_errors,
        preferred=tuple(str(p) for p in prefer),
    )
    result = ConsolidationResult(final_plan, used_settings, merge, scores, run, skipped=skipped)
    if merge.blocked or all(p is None for p in (output, html, pdf, csv, ods)):
        return result
    written = write_outputs(result, output=output, html=html, pdf=pdf, base=base_book, csv=csv, ods=ods)
    return ConsolidationResult(final_plan, used_settings, merge, scores, run, written, skipped)


def write_outputs(
    result: ConsolidationResult,
    *,
    output: str | Path | None = None,
    html: str | Path | None = None,
    pdf: str | Path | None = None,
    base: Workbook | None = None,
    csv: str | Path | None = None,
    ods: str | Path | None = None,
) -> tuple[Path, ...]:
    """Render every requested output to a temporary file, then move them all into place.

    `base`: the builder's in-memory workbook for this plan (`workbook.build_base`), if
    already made; it is modified.
    """
    from .report_html import render_html

    written: list[Path] = []
    with contextlib.ExitStack() as stack:
        page = render_html(result) if (html is not None or pdf is not None) else ""
        if output is not None:
            from .workbook import write_workbook

            tmp = stack.enter_context(atomic_path(output))
            write_workbook(result, tmp, base)
            written.append(Path(output))
        if html is not None:
            tmp = stack.enter_context(atomic_path(html))
            tmp.write_text(page, encoding="utf-8")
            written.append(Path(html))
        if pdf is not None:
            from .report_pdf import PdfEngineMissing, render_pdf

            tmp = stack.enter_context(atomic_path(pdf))
            try:
                render_pdf(page, tmp, result.run.timestamp)
            except PdfEngineMissing as exc:
                raise ConsolidationError(str(exc)) from None
            written.append(Path(pdf))
        for target, writer in ((csv, "write_csv"), (ods, "write_ods")):
            if target is not None:
                from . import open_data

                tmp = stack.enter_context(atomic_path(target))
                getattr(open_data, writer)(result, tmp)
                written.append(Path(target))
    return tuple(written)
