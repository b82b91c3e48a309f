"""Reports in the published (legacy) layout: the seed's .txt, or an .xlsx without
`_barometro` that carries the published header row.

The legacy importer reads the report (`import_report`) and rechecks the line
percentages (`line_check`); this module turns what is wrong into L5xx findings
whose "cell" is the source row ("riga 42").
"""

from __future__ import annotations

from pathlib import Path

from barometro.messages import Percent
from barometro.model import Kind
from barometro.numbers import NumberIssue
from barometro.plausibility import percentage_like, typed_as_percent
from barometro.scoring import fits_any_rule
from barometro.settings import Settings, load_profile
from barometro.workbook_templates.spec import PUBLISHED_COLUMNS

from .book import Book
from .findings import Finding, Severity, make

HEADER_WORDS = tuple(c.header.lower() for c in PUBLISHED_COLUMNS[:5])
WEIGHT_TOLERANCE = 0.5


def looks_legacy(book: Book) -> bool:
    """Some sheet has the published header row (Responsabile, Settore, Obiettivo...)."""
    for sheet in book.sheets:
        rows: dict[int, list[str]] = {}
        for (r, c), cell in sheet.cells.items():
            if c <= 6 and isinstance(cell.value, str) and r <= 200:
                rows.setdefault(r, []).append(cell.value.strip().lower())
        for words in rows.values():
            if all(h in words for h in HEADER_WORDS[:3]):
                return True
    return False


def _where(row: object) -> str:
    from barometro.messages import text

    n = getattr(row, "source_row", None)
    return text("validators.legacy.row", row=n) if n is not None else ""


def _sheet(row: object) -> str:
    return getattr(row, "source_sheet", None) or ""


def legacy_findings(result: object, settings: Settings, name: str, *, text_source: bool) -> list[Finding]:
    """L5xx findings for an `ImportResult`."""
    from barometro.legacy import line_check

    report = result.report  # type: ignore[attr-defined]
    plan = result.plan  # type: ignore[attr-defined]
    out: list[Finding] = []
    seen: dict[tuple[object, ...], object] = {}
    weights: dict[tuple[str, str], float] = {}
    first_row: dict[tuple[str, str], object] = {}
    titles: dict[tuple[str, str], str] = {}
    for r in report.rows:
        sheet, cell = _sheet(r), _where(r)
        for field in ("target", "actual", "deviation", "weight", "achievement"):
            parsed = getattr(r, field)
            if parsed.issue is NumberIssue.HASHES:
                out.append(make("L504", name, sheet=sheet, cell=cell, found=parsed.raw, column=field))
            elif parsed.issue is NumberIssue.TEXT and not text_source:
                out.append(make("L508", name, sheet=sheet, cell=cell, found=parsed.raw))
        t, a, d, ach = r.target.value, r.actual.value, r.deviation.value, r.achievement.value
        if t is not None and a is not None and d is not None and abs((a - t) - d) > 1e-6 * max(1.0, abs(a - t)):
            out.append(make("L501", name, sheet=sheet, cell=cell, expected=a - t, found=d))
        if (
            not r.neutralised and t is not None and a is not None and ach is not None
            and not fits_any_rule(a, t, ach, settings.tolerance)
        ):
            out.append(make("L506", name, sheet=sheet, cell=cell, found=ach, actual=a, target=t))
        if a is not None and r.kind is not Kind.BINARY and _published_off_scale(a, t, r, settings):
            out.append(make("L505", name, sheet=sheet, cell=cell, found=a, target=t))
        key = (r.line_id, r.objective_id or r.objective)
        weights[key] = weights.get(key, 0.0) + (r.weight.value or 0.0)
        first_row.setdefault(key, r)
        titles.setdefault(key, r.objective)
        dup_key = (r.line_id, r.objective, r.indicator, r.formula_text, r.target.raw, r.actual.raw, r.weight.raw)
        if dup_key in seen:
            out.append(make("L503", name, sheet=sheet, cell=cell, id=r.indicator,
                            expected=_where(seen[dup_key])))
        else:
            seen[dup_key] = r
    for key, total in weights.items():
        if abs(total - 100.0) > WEIGHT_TOLERANCE:
            r = first_row[key]
            out.append(make("L502", name, sheet=_sheet(r), cell=_where(r), objective=titles[key][:80],
                            found=total, expected=100))
    lines = {ln.id: ln for ln in report.lines}
    for chk in line_check(report, plan, settings):
        if chk.published is not None and not chk.matches:
            ln = lines.get(chk.line_id)
            methods = [Percent(v) for v in (chk.from_typed, chk.from_core) if v is not None]
            out.append(make("L507", name, sheet="", cell=_where(ln) if ln else "", line=chk.title,
                            found=Percent(chk.published), methods=methods or "-",
                            detail=chk.explanation))
    flagged = {(f.sheet, f.cell) for f in out}
    for issue in getattr(result, "issues", []):
        if (issue.sheet or "", _where(issue)) in flagged:
            continue  # the row already has a more precise finding
        if str(getattr(issue, "severity", "")) in ("errore", "Severity.ERROR"):
            out.append(make("L509", name, sheet=issue.sheet or "", cell=_where(issue), detail=issue))
    out.sort(key=lambda f: (f.sheet, _row_number(f.cell), f.code))
    return out


def _published_off_scale(actual: float, target: float | None, row, settings: Settings) -> bool:  # noqa: ANN001
    """962 against 90, or 0,85 against 85, on a percentage indicator of the published report."""
    if not percentage_like(row.formula_text, row.indicator, target) or target is None:
        return False
    return (actual > settings.plausibility_factor * target and actual > 100) or typed_as_percent(actual, target)


def _row_number(cell: str) -> int:
    digits = "".join(ch for ch in cell if ch.isdigit())
    return int(digits) if digits else 0


def _report(path: Path, result: object | None, findings: list[Finding]):  # -> FileReport
    from .validate import FileReport, ReturnedRow, status_of

    rows = {}
    if result is not None:
        for r in result.report.rows:  # type: ignore[attr-defined]
            if r.indicator_id:
                rows[r.indicator_id] = ReturnedRow(_sheet(r), r.source_row, r.actual.value, r.actual.raw, r.note)
    return FileReport(str(path), status_of(findings), None, findings, rows, kind="legacy")


def _import(path: Path, settings: Settings) -> tuple[object | None, list[Finding]]:
    try:
        from barometro.legacy import LegacyFormatError, import_report
    except ImportError as exc:  # the importer is not installed: say so, do not crash
        return None, [make("R099", str(path), check="legacy", detail=str(exc))]
    try:
        return import_report(path, settings), []
    except LegacyFormatError as exc:
        return None, [make("R012", str(path), severity=Severity.ERROR, detail=str(exc))]


def validate_legacy_text(path: Path, settings: Settings | None):  # -> FileReport
    s = settings or load_profile("cremona")
    result, findings = _import(path, s)
    if result is not None:
        findings = legacy_findings(result, s, str(path), text_source=True)
    return _report(path, result, findings)


def validate_legacy_book(path: Path, book: Book, settings: Settings | None):  # -> FileReport
    s = settings or load_profile("cremona")
    result, findings = _import(path, s)
    if result is not None:
        findings = legacy_findings(result, s, str(path), text_source=False)
    return _report(path, result, findings)
