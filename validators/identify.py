"""Who is this file? Template id, spec version, scope, sector, year, plan, settings.

`load_master(path)` reads a master once; `expected_for(...)` decides the layout a
return is compared with and the identity findings (R012-R022).
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from barometro.period import report_title
from barometro.settings import Settings
from barometro.workbook_templates import readback, spec

from .book import Book
from .context import BookRows, Identity, MasterInfo, identity_of
from .findings import Finding, make
from .reader import DEFAULT_LIMITS, Limits, ReadProblem, read_book

REQUIRED_KEYS = ("template_id", "spec_version", "scope", "year", "plan_fingerprint")


class MasterError(ValueError):
    """The master cannot be used. `str()` is the message for staff (current language);
    `reason` is what is wrong without the file name (for a caller that names the file)."""

    def __init__(self, key: str, *, path: str, **values: object) -> None:
        super().__init__(key, path, values)
        self.key, self.path, self.values = key, path, values

    def render(self, lang: str | None = None) -> str:
        from barometro.messages import text

        return text(f"validators.master.{self.key}", lang, path=self.path, **self.values)

    def reason(self, lang: str | None = None) -> str:
        from barometro.messages import text

        return text(f"validators.master.reason.{self.key}", lang, **self.values)

    def __str__(self) -> str:
        return self.render()


def master_from_book(book: Book) -> MasterInfo:
    """The master's plan and settings, read back from its cells (strictly: a damaged
    master is a `MasterError`, never a reference to compare returns with)."""
    source = BookRows(book)
    meta = readback.read_meta(source)
    if meta is None:
        raise MasterError("not_barometro", path=book.path)
    ident = identity_of(meta)
    if ident.template_id != spec.TEMPLATE_ID:
        raise MasterError("other_template", path=book.path, found=ident.template_id)
    if ident.scope != "master":
        raise MasterError("not_master", path=book.path, found=ident.scope or "?")
    if ident.spec_version != spec.SPEC_VERSION:
        raise MasterError("other_version", path=book.path, found=ident.spec_version or "?",
                          expected=spec.SPEC_VERSION)
    try:
        template = readback.read_back(source, strict=True)
    except readback.TemplateError as exc:
        raise MasterError("damaged", path=book.path, reason=exc.reason_text()) from None
    protected = frozenset(s.name for s in book.sheets if s.protected)
    return MasterInfo(book.path, ident, template, protected)


def load_master(path: str | Path, limits: Limits = DEFAULT_LIMITS) -> MasterInfo:
    """Read the master workbook; `MasterError` (Italian message) when it cannot serve."""
    try:
        book = read_book(path, limits)
    except ReadProblem as exc:
        from .findings import make as _make

        detail = _make(exc.code, str(path), **exc.values).message
        raise MasterError("unreadable", path=str(path), detail=detail) from None
    return master_from_book(book)


def peek_scope(path: Path, limits: Limits = DEFAULT_LIMITS) -> str | None:
    """The `scope` in a workbook's metadata, reading only that sheet (None if unknown)."""
    try:
        book = read_book(path, limits, only_sheets={spec.META_SHEET})
    except ReadProblem:
        return None
    meta = readback.read_meta(BookRows(book))
    return None if meta is None else meta.get("scope")


@dataclass
class Expected:
    """What a file is compared with; `layout is None` means no content checks."""

    identity: Identity | None
    meta: dict[str, str]
    settings: Settings
    layout: spec.Layout | None
    findings: list[Finding]
    protected: frozenset[str]


def expected_for(book: Book, file: str, master: MasterInfo | None, settings: Settings | None) -> Expected:
    meta = readback.read_meta(BookRows(book)) or {}
    ident = identity_of(meta)
    found: list[Finding] = []
    own_settings = readback.settings_of(meta)
    use_settings = settings or own_settings or (master.settings if master else Settings())

    def stop() -> Expected:
        return Expected(ident, meta, use_settings, None, found, frozenset())

    for key in REQUIRED_KEYS:
        if not meta.get(key):
            found.append(make("R013", file, sheet=spec.META_SHEET, key=key))
    if ident.scope == "settore" and not ident.sector:
        found.append(make("R013", file, sheet=spec.META_SHEET, key="sector"))
    if found:
        return stop()
    if ident.template_id != spec.TEMPLATE_ID:
        found.append(make("R014", file, sheet=spec.META_SHEET, expected=spec.TEMPLATE_ID, found=ident.template_id))
        return stop()
    if ident.spec_version != spec.SPEC_VERSION:
        found.append(make("R015", file, sheet=spec.META_SHEET, expected=spec.SPEC_VERSION, found=ident.spec_version))
        return stop()
    if ident.scope not in ("master", "settore"):
        found.append(make("R013", file, sheet=spec.META_SHEET, key="scope"))
        return stop()

    if master is None:
        found.append(make("R021", file))
        own = readback.read_back(BookRows(book), strict=False)
        layout = spec.build_layout(own.plan, use_settings, "master")
        layout.scope, layout.sector = ident.scope, ident.sector or None
        sheets = frozenset([b.sheet_name for b in layout.blocks] + [spec.SUMMARY_SHEET])
        return Expected(ident, meta, use_settings, layout, found, sheets)

    mid = master.identity
    if ident.scope == "master":
        found.append(make("R018", file))
        return stop()
    if ident.year != mid.year:
        found.append(make("R016", file, sheet=spec.META_SHEET, expected=mid.year, found=ident.year))
        return stop()
    if (ident.period or "consuntivo") != (mid.period or "consuntivo"):
        found.append(make("R030", file, sheet=spec.META_SHEET, expected=report_title(mid.period or "consuntivo",
                          int(mid.year or 0)), found=report_title(ident.period or "consuntivo", int(ident.year or 0))))
        return stop()
    if ident.sector not in master.plan.sectors():
        found.append(make("R019", file, sheet=spec.META_SHEET, found=ident.sector))
        return stop()
    # A sector file carries the fingerprint of the master's plan restricted to its sector.
    expected_fp = master.sector_fingerprint(ident.sector)
    if master.faithful and ident.plan_fingerprint != expected_fp:
        found.append(make("R017", file, sheet=spec.META_SHEET, expected=expected_fp,
                          found=ident.plan_fingerprint))
        return stop()
    if settings is None:
        use_settings = own_settings or master.settings
    if ident.settings_fingerprint and mid.settings_fingerprint and ident.settings_fingerprint != mid.settings_fingerprint:
        found.append(make("R022", file, sheet=spec.META_SHEET, expected=mid.settings_name or mid.settings_fingerprint,
                          found=ident.settings_name or ident.settings_fingerprint))
    if use_settings == master.settings:
        layout = master.layout_for(ident.sector)
    else:
        layout = spec.build_layout(master.plan, use_settings, "settore", ident.sector)
    return Expected(ident, meta, use_settings, layout, found, master.protected_sheets)
