"""From raw rows to a `LegacyReport`: titles, headers, and re-aligned indicator rows.

The published table has 14 columns (Responsabile ... Barometro), but real
exports shift cells: extra empty cells at the start, an extra empty cell after
Finalità, a missing Note cell, a short row. Every row is therefore anchored on
its numeric tail (target, actual, deviation, [note], weight, % Ragg) and on the
three texts before the target (indicator, formula, purpose); what precedes is
owner / sector / objective / definition. Each repair becomes an `ImportIssue`.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from barometro.messages import text
from barometro.numbers import NumberIssue, ParsedNumber, parse_number

from .naming import line_code, line_name
from .report import ImportIssue, LegacyFormatError, LegacyLine, LegacyReport, LegacyRow, Severity
from .source import SourceRow
from .text import clean_text, has_markup, is_blank, strip_emphasis

_HEADER_WORDS = {"responsabile", "settore", "obiettivo", "definizione", "indicatore", "formula",
                 "finalità", "target atteso", "target consuntivo", "scostamento", "note", "peso",
                 "% ragg", "barometro"}
_LINE_TITLE = re.compile(r"\b(?:LINEA|AREA|AMBITO)\s+STRATEGIC|^OBIETTIVI\b|^MISSIONE\b", re.IGNORECASE)
_MIXED_CASE_TITLE = re.compile(r"^(?:linea|area|ambito)\s+strategic[ao]\b|^obiettivi\s+di\s+mandato\b", re.IGNORECASE)
_PCT_LABEL = re.compile(r"%\s*raggiungimento|raggiungimento\s+obiettivi\s+per\s+(?:area|linea)", re.IGNORECASE)
_REPORT_HEADING = re.compile(r"relazione\s+sulla\s+performance|stato\s+di\s+attuazione", re.IGNORECASE)
_ENTE = re.compile(r"^\s*(comune|citt[aà]|unione|provincia|consorzio)\s+(di|dei|della|del|dell')\s*(.+?)\s*$", re.IGNORECASE)
_YEAR = re.compile(r"\b(?:anno|performance|esercizio)\s+(20\d\d)\b", re.IGNORECASE)
_PREFIX_LEN, _TEXTS_LEN = 4, 3


def _issue(code: str, severity: Severity, row: int | None, field_: str | None, key: str,
           guessed: str | None = None, sheet: str | None = None, **values: object) -> ImportIssue:
    return ImportIssue(code=code, severity=severity, key=key, params=values, source_row=row, field=field_,
                       guessed=guessed, sheet=sheet)


def _numberish(value: object) -> bool:
    parsed = parse_number(value)
    return parsed.value is not None or parsed.issue in (NumberIssue.HASHES, NumberIssue.ERROR)


def _nonblank(cells: tuple[object, ...]) -> list[object]:
    return [c for c in cells if not is_blank(c)]


def _is_header(cells: tuple[object, ...]) -> bool:
    words = {clean_text(c).lower() for c in cells if isinstance(c, str) and 0 < len(c) <= 40}
    return len(words & _HEADER_WORDS) >= 5 and "indicatore" in words


@dataclass
class _Objective:
    line_id: str
    title: str
    index: int
    definition_parts: list[str] = field(default_factory=list)
    rows: list[LegacyRow] = field(default_factory=list)


@dataclass(frozen=True)
class _Aligned:
    prefix: tuple[object, ...]  # owner, sector, objective, definition
    texts: tuple[object, ...]  # indicator, formula, purpose
    tail: dict[str, object]  # target, actual, deviation, note, weight, achievement, gauge
    tail_index: dict[str, int]  # position of each tail cell in the (cut) row
    repairs: tuple[tuple[str, int], ...]  # (repair code, how many cells)


def _align(cells: list[object]) -> _Aligned | None:
    """Anchor the row on its numeric tail; None when no tail is found."""
    while cells and is_blank(cells[-1]):
        cells = cells[:-1]
    gauge: object = ""
    if len(cells) >= 3 and not _numberish(cells[-1]) and _numberish(cells[-2]) and _numberish(cells[-3]):
        gauge, cells = cells[-1], cells[:-1]  # a Barometro cell with a symbol or a word
    n = len(cells)
    if n < 6:
        return None

    def ok_value(v: object) -> bool:
        return is_blank(v) or _numberish(v)

    def ok_target(v: object, actual: object, dev: object) -> bool:
        # A target typed in words ("uno", "n.d.") is kept (and reported) when the
        # actual and the deviation around it are numbers.
        if _numberish(v):
            return True
        return (not is_blank(v) and len(str(v)) <= 30 and _numberish(actual) and _numberish(dev))

    repairs: list[tuple[str, int]] = []
    if (n >= 7 and not _numberish(cells[-3]) and ok_target(cells[-6], cells[-5], cells[-4])
            and ok_value(cells[-5]) and ok_value(cells[-4])):
        start = n - 6
        names = ("target", "actual", "deviation", "note", "weight", "achievement")
    elif _numberish(cells[-3]) and ok_target(cells[-5], cells[-4], cells[-3]) and ok_value(cells[-4]):
        start = n - 5
        names = ("target", "actual", "deviation", "weight", "achievement")
        repairs.append(("legacy-missing-note", 1))
    else:
        return None
    if not (_numberish(cells[-1]) and ok_value(cells[-2])):
        return None
    tail = dict(zip(names, cells[start:], strict=True))
    tail_index = {name: start + i for i, name in enumerate(names)}
    tail.setdefault("note", "")
    tail["gauge"] = gauge
    head = list(cells[:start])
    expected = _PREFIX_LEN + _TEXTS_LEN
    extra_after_purpose = 0
    while len(head) > expected and is_blank(head[-1]):
        head.pop()
        extra_after_purpose += 1
    if extra_after_purpose:
        repairs.append(("legacy-extra-cell", extra_after_purpose))
    shifted = 0
    while len(head) > expected and is_blank(head[0]):
        head.pop(0)
        shifted += 1
    if shifted:
        repairs.append(("legacy-shifted-right", shifted))
    if len(head) > expected:
        dropped = len(head) - expected
        repairs.append(("legacy-extra-text", dropped))
        # Several non-empty cells too many: keep the right-most ones.
        head = head[dropped:]
    if len(head) < _TEXTS_LEN:
        return None
    if len(head) < expected:
        repairs.append(("legacy-short-row", expected - len(head)))
        head = [""] * (expected - len(head)) + head
    return _Aligned(tuple(head[:4]), tuple(head[4:]), tail, tail_index, tuple(repairs))


class _Parser:
    def __init__(self, rows: list[SourceRow], source: str, fmt: str) -> None:
        self.rows = rows
        self.source = source
        self.fmt = fmt
        self.issues: list[ImportIssue] = []
        self.lines: list[LegacyLine] = []
        self.line_rows: dict[str, int] = {}
        self.report_rows: list[LegacyRow] = []
        self.objectives: list[_Objective] = []
        self.taken_codes: set[str] = set()
        self.current_line: LegacyLine | None = None
        self.current_objective: _Objective | None = None
        self.owner = ""
        self.sector = ""
        self.pending_pct: LegacyLine | None = None
        self.header_offset = 0
        self.header_cut: int | None = None
        self.seen_header = False
        self.current_sheet: str | None = None

    # ------------------------------------------------------------------ helpers
    def add(self, code: str, severity: Severity, row: SourceRow | None, field_: str | None, key: str,
            guessed: str | None = None, **values: object) -> None:
        self.issues.append(_issue(code, severity, row.number if row else None, field_, key, guessed,
                                  row.sheet if row else None, **values))

    def _new_line(self, title: str, row: SourceRow) -> LegacyLine:
        name = line_name(title)
        code = line_code(name, self.taken_codes)
        self.taken_codes.add(code)
        line = LegacyLine(code, strip_emphasis(title), name, None, "", row.number, row.sheet)
        self.lines.append(line)
        self.current_line = line
        self.current_objective = None
        return line

    def _set_published(self, line: LegacyLine, raw: object, row: SourceRow, percent_cell: bool) -> bool:
        parsed = parse_number(raw)
        if parsed.value is None:
            return False
        value = parsed.value
        if (percent_cell or (not parsed.percent and isinstance(raw, int | float))) and abs(value) <= 1.0:
            value *= 100.0  # a workbook cell 0,8529 shown as 85,29 %
        idx = self.lines.index(line)
        self.lines[idx] = LegacyLine(line.id, line.title, line.name, value, clean_text(raw),
                                     line.source_row, line.sheet)
        if self.current_line is line:
            self.current_line = self.lines[idx]
        return True

    # ------------------------------------------------------------------ passes
    def run(self) -> LegacyReport:
        ente, year = self._ente_and_year()
        for row in self.rows:
            if row.sheet != self.current_sheet:
                self.current_sheet = row.sheet
                self.header_offset, self.header_cut = 0, None
            self._row(row)
        if not self.seen_header:
            raise LegacyFormatError(text("legacy.error.no_header", path=self.source))
        if not self.report_rows:
            raise LegacyFormatError(text("legacy.error.no_rows", path=self.source))
        for obj in self.objectives:
            definition = " ".join(p for p in obj.definition_parts if p)
            for r in obj.rows:
                r.definition = definition
        for line in self.lines:
            if line.published is None and self.line_rows.get(line.id):
                self.add("legacy-line-no-percent", Severity.WARNING, None, "published",
                         "legacy.issue.line_no_percent", title=line.title)
        lines = [ln for ln in self.lines if self.line_rows.get(ln.id)]
        for line in self.lines:
            if not self.line_rows.get(line.id):
                self.add("legacy-empty-line", Severity.WARNING, None, None, "legacy.issue.empty_line",
                         title=line.title)
        return LegacyReport(ente, year, lines, self.report_rows, self.source, self.fmt)

    def _ente_and_year(self) -> tuple[str, int | None]:
        ente, year = "", None
        for row in self.rows[:400]:
            for cell in row.cells:
                if is_blank(cell) or not isinstance(cell, str):
                    continue
                t = strip_emphasis(clean_text(cell))
                if not ente:
                    m = _ENTE.match(t)
                    if m and len(m.group(3)) <= 60:
                        kind = m.group(1).capitalize()
                        ente = f"{kind} {m.group(2).lower()} {m.group(3).title()}".replace("' ", "'")
                if year is None:
                    y = _YEAR.search(t)
                    if y:
                        year = int(y.group(1))
            if ente and year is not None:
                break
        if year is None:
            y = re.search(r"(20\d\d)", self.source)
            if y:
                year = int(y.group(1))
                self.add("legacy-year-from-name", Severity.WARNING, None, "year",
                         "legacy.issue.year_from_name", guessed=str(year), year=year)
            else:
                self.add("legacy-no-year", Severity.ERROR, None, "year", "legacy.issue.no_year")
        if not ente:
            self.add("legacy-no-ente", Severity.WARNING, None, "ente", "legacy.issue.no_ente")
        return ente, year

    def _row(self, row: SourceRow) -> None:
        cells = row.cells
        filled = _nonblank(cells)
        if not filled:
            return
        if _is_header(cells):
            self.seen_header = True
            lowered = [clean_text(c).lower() for c in cells]
            self.header_offset = lowered.index("responsabile") if "responsabile" in lowered else 0
            self.header_cut = None
            if "barometro" in lowered:
                after = [i for i, c in enumerate(lowered) if i > lowered.index("barometro") and c]
                self.header_cut = after[0] if after else None
            self.pending_pct = None
            return
        first_text = clean_text(filled[0])
        if len(filled) <= 3 and any(_PCT_LABEL.search(clean_text(c)) for c in filled if isinstance(c, str)):
            line = self.current_line
            if line is None:
                return
            label_at = next(i for i, c in enumerate(cells) if isinstance(c, str) and _PCT_LABEL.search(clean_text(c)))
            for i in range(label_at + 1, len(cells)):
                if not is_blank(cells[i]) and self._set_published(line, cells[i], row, i in row.percent_cells):
                    self.pending_pct = None
                    return
            self.pending_pct = line
            return
        if len(filled) == 1:
            if self.pending_pct is not None:
                idx = next(i for i, c in enumerate(cells) if not is_blank(c))
                line = self.pending_pct
                self.pending_pct = None
                if self._set_published(line, cells[idx], row, idx in row.percent_cells):
                    return
            bare = strip_emphasis(first_text)
            letters = [ch for ch in bare if ch.isalpha()]
            if letters and len(bare) <= 150 and (
                    (bare.upper() == bare and _LINE_TITLE.search(bare)) or _MIXED_CASE_TITLE.match(bare)):
                self._new_line(bare, row)
                return
            if self.seen_header and not _REPORT_HEADING.search(bare) and not _numberish(filled[0]):
                self.add("legacy-ignored-row", Severity.INFO, row, None, "legacy.issue.ignored_row",
                         content=bare[:80])
            return
        if not self.seen_header:
            return  # cover page, heading tables before the first header
        self._data_row(row)

    def _data_row(self, row: SourceRow) -> None:
        cells = list(row.cells)
        if self.header_cut is not None:
            cells = cells[: self.header_cut]
        offset, lead = self.header_offset, 0
        while offset and cells and is_blank(cells[0]):
            cells.pop(0)
            offset -= 1
            lead += 1
        aligned = _align(cells)
        if aligned is None:
            self.add("legacy-unreadable-row", Severity.ERROR, row, None, "legacy.issue.unreadable_row",
                     preview=" | ".join(clean_text(c)[:30] for c in _nonblank(row.cells))[:200])
            return
        if self.current_line is None:
            title = row.sheet or text("legacy.default_line_title")
            self._new_line(title.upper() if row.sheet is None else title, row)
            self.add("legacy-no-line-title", Severity.WARNING, row, "line", "legacy.issue.no_line_title",
                     guessed=self.current_line.name if self.current_line else None)
        line = self.current_line
        assert line is not None
        for code, count in aligned.repairs:
            key = {
                "legacy-missing-note": "legacy.issue.missing_note",
                "legacy-extra-cell": "legacy.issue.extra_cell",
                "legacy-shifted-right": "legacy.issue.shifted_right",
                "legacy-extra-text": "legacy.issue.extra_text",
                "legacy-short-row": "legacy.issue.short_row",
            }[code]
            severity = Severity.ERROR if code == "legacy-extra-text" else Severity.WARNING
            self.add(code, severity, row, None, key, count=count)

        owner_c, sector_c, objective_c, definition_c = (clean_text(c) for c in aligned.prefix)
        indicator, formula, purpose = (clean_text(c) for c in aligned.texts)
        for name, raw in zip(("definition", "formula_text"), (aligned.prefix[3], aligned.texts[1]), strict=True):
            if isinstance(raw, str) and has_markup(raw):
                self.add("legacy-markup-removed", Severity.INFO, row, name, "legacy.issue.markup_removed")
        first_of_line = self.line_rows.get(line.id, 0) == 0
        owner_inh = sector_inh = objective_inh = False
        if owner_c:
            self.owner = owner_c
        else:
            owner_inh = True
            if first_of_line and self.owner:
                self.add("legacy-owner-from-previous-line", Severity.WARNING, row, "owner",
                         "legacy.issue.owner_from_previous_line", guessed=self.owner)
            elif not self.owner:
                self.add("legacy-no-owner", Severity.ERROR, row, "owner", "legacy.issue.no_owner")
            elif sector_c and sector_c != self.sector:
                self.add("legacy-owner-kept-sector-changed", Severity.WARNING, row, "owner",
                         "legacy.issue.owner_kept_sector_changed", guessed=self.owner, sector=sector_c)
        if sector_c:
            self.sector = sector_c
        else:
            sector_inh = True
            if not self.sector:
                self.add("legacy-no-sector", Severity.ERROR, row, "sector", "legacy.issue.no_sector")
            elif owner_c and not first_of_line:
                self.add("legacy-sector-kept-owner-changed", Severity.WARNING, row, "sector",
                         "legacy.issue.sector_kept_owner_changed", guessed=self.sector)

        obj = self.current_objective
        same_line = obj is not None and obj.line_id == line.id
        if objective_c and not (same_line and obj is not None and objective_c == obj.title):
            obj = _Objective(line.id, objective_c, sum(1 for o in self.objectives if o.line_id == line.id) + 1)
            obj.definition_parts.append(definition_c)
            self.objectives.append(obj)
            self.current_objective = obj
        elif not same_line or obj is None:
            obj = _Objective(line.id, "", sum(1 for o in self.objectives if o.line_id == line.id) + 1)
            obj.definition_parts.append(definition_c)
            self.objectives.append(obj)
            self.current_objective = obj
            self.add("legacy-no-objective", Severity.ERROR, row, "objective", "legacy.issue.no_objective")
        else:
            objective_inh = not objective_c
            if definition_c and definition_c not in obj.definition_parts:
                obj.definition_parts.append(definition_c)
                if objective_inh:
                    self.add("legacy-definition-continued", Severity.INFO, row, "definition",
                             "legacy.issue.definition_continued", objective=obj.title[:60])
            if owner_c and obj.rows and owner_c != obj.rows[-1].owner:
                self.add("legacy-owner-changed-inside-objective", Severity.WARNING, row, "owner",
                         "legacy.issue.owner_changed_inside_objective", objective=obj.title[:60])

        numbers = {
            name: self._number(row, name, aligned.tail[name], aligned.tail_index[name] + lead)
            for name in ("target", "actual", "deviation", "weight", "achievement")
        }
        as_text = [name for name, parsed in numbers.items() if parsed.issue is NumberIssue.TEXT]
        if self.fmt == "xlsx" and as_text:
            # One issue per row (the validator reports each cell): a web export stores them all as text.
            self.add("legacy-number-as-text", Severity.INFO, row, as_text[0], "legacy.issue.number_as_text",
                     fields=", ".join(text(f"legacy.field.{n}") for n in as_text),
                     values=", ".join(str(numbers[n].raw) for n in as_text))
        note_raw = aligned.tail.get("note", "")
        legacy_row = LegacyRow(
            source_row=row.number,
            raw_cells=tuple(row.cells),
            line_id=line.id,
            owner=self.owner,
            sector=self.sector,
            objective=obj.title,
            definition=definition_c,
            indicator=indicator,
            formula_text=formula,
            purpose=purpose,
            target=numbers["target"],
            actual=numbers["actual"],
            deviation=numbers["deviation"],
            note=clean_text(note_raw),
            weight=numbers["weight"],
            achievement=numbers["achievement"],
            gauge=clean_text(aligned.tail.get("gauge", "")),
            sheet=row.sheet,
            objective_index=obj.index,
            indicator_index=len(obj.rows) + 1,
            owner_inherited=owner_inh,
            sector_inherited=sector_inh,
            objective_inherited=objective_inh,
            repairs=[code for code, _ in aligned.repairs],
        )
        if not indicator:
            self.add("legacy-no-indicator", Severity.ERROR, row, "indicator", "legacy.issue.no_indicator")
        self._lost_values(row, legacy_row)
        obj.rows.append(legacy_row)
        self.report_rows.append(legacy_row)
        self.line_rows[line.id] = self.line_rows.get(line.id, 0) + 1

    def _number(self, row: SourceRow, name: str, raw: object, index: int) -> ParsedNumber:
        parsed = parse_number(raw)
        if isinstance(raw, str):
            parsed = parse_number(clean_text(raw)) if parsed.value is None and raw.strip() else parsed
            parsed = ParsedNumber(parsed.value, parsed.issue, raw, parsed.percent)
        if parsed.value is not None and index in row.percent_cells:
            parsed = ParsedNumber(parsed.value * 100.0, parsed.issue, raw, True)
        return parsed

    def _lost_values(self, row: SourceRow, r: LegacyRow) -> None:
        for name in ("target", "actual", "weight", "achievement", "deviation"):
            parsed: ParsedNumber = getattr(r, name)
            if parsed.value is not None:
                continue
            field_label = text(f"legacy.field.{name}")
            if parsed.issue is NumberIssue.HASHES:
                guess = None
                if name == "target" and r.actual.value is not None and r.deviation.value is not None:
                    guess = r.actual.value - r.deviation.value
                elif name == "actual" and r.target.value is not None and r.deviation.value is not None:
                    guess = r.target.value + r.deviation.value
                if guess is None:
                    self.add("legacy-hashes", Severity.ERROR, row, name, "legacy.issue.hashes",
                             field=field_label)
                else:
                    self.add("legacy-hashes", Severity.ERROR, row, name, "legacy.issue.hashes_guess",
                             guessed=guess, field=field_label, guess=guess)
            elif parsed.issue is NumberIssue.EMPTY:
                severity = Severity.WARNING if name in ("deviation", "achievement") else Severity.ERROR
                self.add("legacy-empty-value", severity, row, name, "legacy.issue.empty_value",
                         field=field_label)
            else:
                self.add("legacy-not-a-number", Severity.ERROR, row, name, "legacy.issue.not_a_number",
                         field=field_label, value=clean_text(parsed.raw)[:60])


def parse_rows(rows: list[SourceRow], source: str, fmt: str) -> tuple[LegacyReport, list[ImportIssue]]:
    """The report and the issues met while reading it (layout repairs, lost values)."""
    parser = _Parser(rows, source, fmt)
    report = parser.run()
    return report, parser.issues
